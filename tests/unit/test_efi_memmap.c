/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host tests of boot/efi/memmap.c and bootinfo_add_efi_map: UEFI memory
 * map -> boot_info ranges.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/efi/memmap.h"

#define MiB (1ull << 20)

static struct boot_info bi;

/* Writes descriptor i of a map with the given stride. */
static void put(uint8_t *map, size_t stride, unsigned i, uint32_t type, uint64_t base,
		uint64_t pages)
{
	struct efi_mem_desc d = { .type = type, .phys_start = base, .pages = pages };

	memset(map + i * stride, 0xee, stride); /* padding of larger descriptors */
	memcpy(map + i * stride, &d, sizeof(d));
}

static void expect(unsigned i, uint64_t base, uint64_t len, uint32_t type)
{
	assert_true(i < bi.nr_mem);
	assert_int_equal(bi.mem[i].base, base);
	assert_int_equal(bi.mem[i].length, len);
	assert_int_equal(bi.mem[i].type, type);
}

static void assert_sorted_disjoint(void)
{
	for (uint32_t i = 1; i < bi.nr_mem; i++)
		assert_true(bi.mem[i - 1].base + bi.mem[i - 1].length <= bi.mem[i].base);
}

static void test_type_mapping(void **state)
{
	static const uint32_t want[] = {
		BOOT_MEM_RESERVED, BOOT_MEM_LOADED, BOOT_MEM_LOADED, BOOT_MEM_USABLE,
		BOOT_MEM_USABLE, BOOT_MEM_FIRMWARE, BOOT_MEM_FIRMWARE, BOOT_MEM_USABLE,
		BOOT_MEM_BAD, BOOT_MEM_ACPI, BOOT_MEM_ACPI_NVS, BOOT_MEM_MMIO,
		BOOT_MEM_MMIO, BOOT_MEM_RESERVED, BOOT_MEM_RESERVED, BOOT_MEM_RESERVED,
	};

	uint8_t map[40];

	for (uint32_t t = 0; t < 18; t++) {
		/* 16 and 17: OEM and OS types */
		put(map, sizeof(map), 0, t < 16 ? t : t == 16 ? 0x70000000 : 0x80000000, MiB, 1);
		assert_int_equal(memmap_from_efi(map, sizeof(map), sizeof(map), &bi), 0);
		expect(0, MiB, 0x1000, t < 16 ? want[t] : BOOT_MEM_RESERVED);
	}
	/* Any range the firmware needs at runtime stays the firmware's. */
	put(map, sizeof(map), 0, EFIMT_CONVENTIONAL, MiB, 1);
	map[39] = 0x80; /* EFI_MEMORY_RUNTIME, attribute bit 63 */
	assert_int_equal(memmap_from_efi(map, sizeof(map), sizeof(map), &bi), 0);
	expect(0, MiB, 0x1000, BOOT_MEM_FIRMWARE);
}

/* A shuffled OVMF-like map, with a 48-byte stride as firmware may use. */
static void test_ovmf_like(void **state)
{
	enum { STRIDE = 48 };
	uint8_t map[10 * STRIDE], copy[sizeof(map)];

	put(map, STRIDE, 0, EFIMT_CONVENTIONAL, 0x900000, 0x1000);  /* 9 MiB.. */
	put(map, STRIDE, 1, EFIMT_BS_DATA, 0x100000, 0x100);        /* 1-2 MiB */
	put(map, STRIDE, 2, EFIMT_LOADER_CODE, 0x200000, 4);
	put(map, STRIDE, 3, EFIMT_CONVENTIONAL, 0x0, 0xa0);
	put(map, STRIDE, 4, EFIMT_CONVENTIONAL, 0x204000, 0x602);   /* ..0x806000 */
	put(map, STRIDE, 5, EFIMT_ACPI_NVS, 0x806000, 2);
	put(map, STRIDE, 6, EFIMT_BS_CODE, 0x808000, 8);
	put(map, STRIDE, 7, EFIMT_ACPI_NVS, 0x810000, 0xf0);
	put(map, STRIDE, 8, EFIMT_MMIO, 0xffc00000, 0x400);
	put(map, STRIDE, 9, EFIMT_RT_DATA, 0x1f4ec000, 0);          /* empty: dropped */
	memcpy(copy, map, sizeof(map));

	assert_int_equal(memmap_from_efi(map, sizeof(map), STRIDE, &bi), 0);
	assert_memory_equal(map, copy, sizeof(map)); /* input untouched */
	assert_int_equal(bi.nr_mem, 9);
	expect(0, 0, 0xa0000, BOOT_MEM_USABLE);
	expect(1, 0x100000, MiB, BOOT_MEM_USABLE);
	expect(2, 0x200000, 0x4000, BOOT_MEM_LOADED);
	expect(3, 0x204000, 0x602000, BOOT_MEM_USABLE);
	expect(4, 0x806000, 0x2000, BOOT_MEM_ACPI_NVS);
	expect(5, 0x808000, 0x8000, BOOT_MEM_USABLE);
	expect(6, 0x810000, 0xf0000, BOOT_MEM_ACPI_NVS);
	/* 0x900000.. is usable and not merged with 0x810000.. (ACPI NVS) */
	expect(7, 0x900000, 0x1000000, BOOT_MEM_USABLE);
	expect(8, 0xffc00000, 0x400000, BOOT_MEM_MMIO);
	assert_sorted_disjoint();
}

static void test_merge_adjacent_usable(void **state)
{
	enum { STRIDE = 40 };
	uint8_t map[3 * STRIDE];

	/* Conventional, boot services code and data in one run: one range. */
	put(map, STRIDE, 0, EFIMT_BS_CODE, 0x100000, 0x10);
	put(map, STRIDE, 1, EFIMT_CONVENTIONAL, 0x110000, 0x10);
	put(map, STRIDE, 2, EFIMT_BS_DATA, 0x120000, 0x10);
	assert_int_equal(memmap_from_efi(map, sizeof(map), STRIDE, &bi), 0);
	assert_int_equal(bi.nr_mem, 1);
	expect(0, 0x100000, 0x30000, BOOT_MEM_USABLE);
}

static void test_overlap_restrictive_wins(void **state)
{
	enum { STRIDE = 40 };
	uint8_t map[2 * STRIDE];

	put(map, STRIDE, 0, EFIMT_CONVENTIONAL, 0x100000, 0x100);
	put(map, STRIDE, 1, EFIMT_RESERVED, 0x180000, 0x10);
	assert_int_equal(memmap_from_efi(map, sizeof(map), STRIDE, &bi), 0);
	assert_int_equal(bi.nr_mem, 3);
	expect(0, 0x100000, 0x80000, BOOT_MEM_USABLE);
	expect(1, 0x180000, 0x10000, BOOT_MEM_RESERVED);
	expect(2, 0x190000, 0x70000, BOOT_MEM_USABLE);
}

static void test_descriptor_sizes(void **state)
{
	uint8_t map[4 * 48];

	put(map, 40, 0, EFIMT_CONVENTIONAL, 0x100000, 1);
	assert_int_equal(memmap_from_efi(map, 40, 36, &bi), -EINVAL); /* too small */
	assert_int_equal(memmap_from_efi(map, 44, 44, &bi), -EINVAL); /* not 8-aligned */
	/* A trailing partial descriptor is ignored. */
	assert_int_equal(memmap_from_efi(map, 40 + 20, 40, &bi), 0);
	assert_int_equal(bi.nr_mem, 1);
	/* An empty map gives an empty table. */
	assert_int_equal(memmap_from_efi(map, 0, 40, &bi), 0);
	assert_int_equal(bi.nr_mem, 0);
}

static void test_huge_ranges_clipped(void **state)
{
	enum { STRIDE = 40 };
	uint8_t map[2 * STRIDE];

	put(map, STRIDE, 0, EFIMT_CONVENTIONAL, 0x100000, UINT64_MAX);
	put(map, STRIDE, 1, EFIMT_RESERVED, 0xfffffffffffff000ull, 2);
	assert_int_equal(memmap_from_efi(map, sizeof(map), STRIDE, &bi), 0);
	assert_sorted_disjoint();
	for (uint32_t i = 0; i < bi.nr_mem; i++)
		assert_true(bi.mem[i].length <= UINT64_MAX - bi.mem[i].base);
	expect(0, 0x100000, 0xfffffffffffff000ull - 0x100000, BOOT_MEM_USABLE);
}

static void test_too_many_ranges(void **state)
{
	enum { STRIDE = 40, N = BOOT_MAX_MEM + 100 };
	uint8_t *map = malloc((size_t)N * STRIDE);

	/* Alternating types so nothing merges. */
	for (unsigned i = 0; i < N; i++)
		put(map, STRIDE, i, i % 2 ? EFIMT_CONVENTIONAL : EFIMT_ACPI_NVS,
		    (uint64_t)i * 0x2000, 1);
	assert_int_equal(memmap_from_efi(map, (size_t)N * STRIDE, STRIDE, &bi), -ENOSPC);
	assert_true(bi.nr_mem <= BOOT_MAX_MEM);
	assert_sorted_disjoint();
	free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_mapping),
		cmocka_unit_test(test_ovmf_like),
		cmocka_unit_test(test_merge_adjacent_usable),
		cmocka_unit_test(test_overlap_restrictive_wins),
		cmocka_unit_test(test_descriptor_sizes),
		cmocka_unit_test(test_huge_ranges_clipped),
		cmocka_unit_test(test_too_many_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
