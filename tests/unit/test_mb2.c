/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for boot/multiboot/mb2.c on hand-built information blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/multiboot/mb.h"
#include "kernel/errno.h"

/* Fake physical memory: phys [MEM_BASE, MEM_BASE + MEM_SIZE). */
#define MEM_BASE 0x100000ull
#define MEM_SIZE (2u << 20)
#define INFO     0x180000ull
static uint8_t phys[MEM_SIZE];
static struct boot_info bi;

static const void *map(uint64_t p, size_t len)
{
	if (p < MEM_BASE || p - MEM_BASE > MEM_SIZE || len > MEM_SIZE - (p - MEM_BASE))
		return NULL;
	return phys + (p - MEM_BASE);
}

static uint8_t *at(uint64_t p)
{
	return phys + (p - MEM_BASE);
}

/* Block builder: tags appended at 8-byte aligned offsets. */
static uint32_t boff;

static void blk_start(void)
{
	memset(at(INFO), 0xEE, 0x10000);
	boff = 8;
}

static uint8_t *tag(uint32_t type, uint32_t size)
{
	uint8_t *t = at(INFO) + boff;
	memset(t, 0, size);
	memcpy(t, &type, 4);
	memcpy(t + 4, &size, 4);
	boff += (size + 7) & ~7u;
	return t;
}

static void tag_str(uint32_t type, const char *s)
{
	uint8_t *t = tag(type, 8 + strlen(s) + 1);
	memcpy(t + 8, s, strlen(s) + 1);
}

static void tag_module(uint32_t start, uint32_t end, const char *s)
{
	uint8_t *t = tag(3, 16 + strlen(s) + 1);
	memcpy(t + 8, &start, 4);
	memcpy(t + 12, &end, 4);
	memcpy(t + 16, s, strlen(s) + 1);
}

struct ent { uint64_t base, len; uint32_t type, zero; };

static void tag_mmap(const struct ent *e, unsigned n)
{
	uint8_t *t = tag(6, 16 + 24 * n);
	uint32_t es = 24;
	memcpy(t + 8, &es, 4);
	memcpy(t + 16, e, 24 * n);
}

static uint32_t blk_end(void)
{
	tag(0, 8);
	memcpy(at(INFO), &boff, 4);
	memset(at(INFO) + 4, 0, 4);
	return boff;
}

static const struct ent std_map[] = {
	{ 0, 0x9fc00, 1, 0 },
	{ 0x9fc00, 0x400, 2, 0 },
	{ 0xf0000, 0x10000, 2, 0 },
	{ 0x100000, 0x7ee0000, 1, 0 },
	{ 0x7fe0000, 0x20000, 3, 0 },
	{ 0xfffc0000, 0x40000, 2, 0 },
};

static uint32_t find_type(uint64_t x)
{
	for (uint32_t i = 0; i < bi.nr_mem; i++)
		if (x >= bi.mem[i].base && x - bi.mem[i].base < bi.mem[i].length)
			return bi.mem[i].type;
	return 0;
}

static void test_valid(void **state)
{
	uint8_t *t;
	uint32_t off_rsdp;

	blk_start();
	tag_str(1, "loglevel=debug serial=0x3f8");
	tag_str(2, "GRUB 2.06-13+deb12u1");
	tag_module(0x200000, 0x200123, "/boot/hypervisor.conf");
	tag_module(0x201000, 0x281000, "dom0 console=hvc0");
	tag_mmap(std_map, 6);
	t = tag(8, 38);
	uint64_t fba = 0xfd000000;
	uint32_t pitch = 4096, w = 1024, h = 768;
	memcpy(t + 8, &fba, 8);
	memcpy(t + 16, &pitch, 4);
	memcpy(t + 20, &w, 4);
	memcpy(t + 24, &h, 4);
	t[28] = 32; t[29] = 1;
	t[32] = 16; t[33] = 8; t[34] = 8; t[35] = 8; t[36] = 0; t[37] = 8;
	t = tag(14, 8 + 20);
	memcpy(t + 8, "RSD PTR ", 8);
	off_rsdp = boff;
	t = tag(15, 8 + 36);
	memcpy(t + 8, "RSD PTR ", 8);
	t = tag(12, 16);
	uint64_t st = 0x7f9e018;
	memcpy(t + 8, &st, 8);
	tag(21, 12); /* unknown to us: skipped */
	blk_end();

	assert_int_equal(mb2_parse(INFO, map, &bi), 0);
	assert_int_equal(bi.source, BOOT_SRC_MULTIBOOT2);
	assert_string_equal(bi.cmdline, "loglevel=debug serial=0x3f8");
	assert_string_equal(bi.loader, "GRUB 2.06-13+deb12u1");
	assert_int_equal(bi.nr_modules, 2);
	assert_string_equal(bi.modules[0].name, "hypervisor.conf");
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].size, 0x123);
	assert_string_equal(bi.modules[1].name, "dom0");
	assert_int_equal(bi.modules[1].size, 0x80000);
	assert_int_equal(bi.fb.addr, 0xfd000000);
	assert_int_equal(bi.fb.width, 1024);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.red_pos, 16);
	assert_int_equal(bi.fb.blue_size, 8);
	assert_int_equal(bi.rsdp, INFO + off_rsdp + 8);
	assert_memory_equal(map(bi.rsdp, 8), "RSD PTR ", 8);
	assert_int_equal(bi.efi_system_table, 0x7f9e018);
	/* modules and the info block are carved out of usable memory */
	assert_int_equal(find_type(0x200000), BOOT_MEM_LOADED);
	assert_int_equal(find_type(0x200fff), BOOT_MEM_LOADED);
	assert_int_equal(find_type(0x280fff), BOOT_MEM_LOADED);
	assert_int_equal(find_type(0x281000), BOOT_MEM_USABLE);
	assert_int_equal(find_type(INFO), BOOT_MEM_LOADED);
	assert_int_equal(find_type(0x9fc00), BOOT_MEM_RESERVED);
	assert_int_equal(find_type(0x7fe0000), BOOT_MEM_ACPI);
	assert_int_equal(find_type(0xa0000), 0);
	for (uint32_t i = 1; i < bi.nr_mem; i++)
		assert_true(bi.mem[i - 1].base + bi.mem[i - 1].length <= bi.mem[i].base);
}

static void test_overlap(void **state)
{
	static const struct ent m[] = {
		{ 0x100000, 0x1000000, 1, 0 },
		{ 0x400000, 0x1000, 5, 0 },      /* bad page inside RAM */
		{ 0x800000, 0x10000, 2, 0 },     /* reserved inside RAM */
		{ 0x1000000, 0x200000, 4, 0 },   /* NVS straddling the end */
		{ 0x100000, 0x1000, 7, 0 },      /* unknown type -> reserved */
	};
	blk_start();
	tag_mmap(m, 5);
	blk_end();
	assert_int_equal(mb2_parse(INFO, map, &bi), 0);
	assert_int_equal(find_type(0x100000), BOOT_MEM_RESERVED);
	assert_int_equal(find_type(0x101000), BOOT_MEM_USABLE);
	assert_int_equal(find_type(0x400000), BOOT_MEM_BAD);
	assert_int_equal(find_type(0x401000), BOOT_MEM_USABLE);
	assert_int_equal(find_type(0x80ffff), BOOT_MEM_RESERVED);
	assert_int_equal(find_type(0x810000), BOOT_MEM_USABLE);
	assert_int_equal(find_type(0xffffff), BOOT_MEM_USABLE);
	assert_int_equal(find_type(0x1000000), BOOT_MEM_ACPI_NVS);
	assert_int_equal(find_type(0x11fffff), BOOT_MEM_ACPI_NVS);
	assert_int_equal(find_type(0x1200000), 0);
}

static void test_errors(void **state)
{
	uint8_t *t;
	uint32_t v;

	/* no end tag: the last tag runs to total_size */
	blk_start();
	tag_mmap(std_map, 1);
	memcpy(at(INFO), &boff, 4);
	assert_int_equal(mb2_parse(INFO, map, &bi), -EINVAL);

	/* tag size larger than the block */
	blk_start();
	t = tag(1, 16);
	blk_end();
	v = 0x1000;
	memcpy(t + 4, &v, 4);
	assert_int_equal(mb2_parse(INFO, map, &bi), -EINVAL);

	/* tag size below 8 */
	blk_start();
	t = tag(1, 16);
	blk_end();
	v = 4;
	memcpy(t + 4, &v, 4);
	assert_int_equal(mb2_parse(INFO, map, &bi), -EINVAL);

	/* truncated: total_size cuts the end tag */
	blk_start();
	tag_mmap(std_map, 2);
	v = blk_end() - 4;
	memcpy(at(INFO), &v, 4);
	assert_int_equal(mb2_parse(INFO, map, &bi), -EINVAL);

	/* garbage total sizes */
	v = 8;
	memcpy(at(INFO), &v, 4);
	assert_int_equal(mb2_parse(INFO, map, &bi), -EINVAL);
	v = MB2_MAX_INFO_SIZE + 8;
	memcpy(at(INFO), &v, 4);
	assert_int_equal(mb2_parse(INFO, map, &bi), -EINVAL);
	v = 0xfffffff8;
	memcpy(at(INFO), &v, 4);
	assert_int_equal(mb2_parse(INFO, map, &bi), -EINVAL);

	/* unaligned block */
	blk_start();
	tag_mmap(std_map, 1);
	blk_end();
	assert_int_equal(mb2_parse(INFO + 4, map, &bi), -EINVAL);

	/* block not mapped / running past mapped memory */
	assert_int_equal(mb2_parse(0x1000, map, &bi), -EFAULT);
	v = 0x10000;
	memcpy(at(MEM_BASE + MEM_SIZE - 8), &v, 4);
	assert_int_equal(mb2_parse(MEM_BASE + MEM_SIZE - 8, map, &bi), -EFAULT);

	/* memory map with an entry size below 24 */
	blk_start();
	t = tag(6, 16 + 40);
	v = 20;
	memcpy(t + 8, &v, 4);
	blk_end();
	assert_int_equal(mb2_parse(INFO, map, &bi), -EINVAL);

	/* short module and framebuffer-less ACPI tags */
	blk_start();
	tag_mmap(std_map, 1);
	tag(3, 12);
	blk_end();
	assert_int_equal(mb2_parse(INFO, map, &bi), -EINVAL);
	blk_start();
	tag_mmap(std_map, 1);
	tag(15, 8 + 20);
	blk_end();
	assert_int_equal(mb2_parse(INFO, map, &bi), -EINVAL);
	blk_start();
	tag_mmap(std_map, 1);
	tag_module(0x2000, 0x1000, "backwards");
	blk_end();
	assert_int_equal(mb2_parse(INFO, map, &bi), -EINVAL);

	/* no memory information at all */
	blk_start();
	tag_str(1, "x");
	blk_end();
	assert_int_equal(mb2_parse(INFO, map, &bi), -ENODATA);
}

static void test_too_many_modules(void **state)
{
	char name[16];

	blk_start();
	tag_mmap(std_map, 6);
	for (int i = 0; i < BOOT_MAX_MODULES + 4; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		tag_module(0x200000 + i * 0x1000, 0x200000 + i * 0x1000 + 10, name);
	}
	blk_end();
	assert_int_equal(mb2_parse(INFO, map, &bi), -ENOSPC);
	assert_int_equal(bi.nr_modules, BOOT_MAX_MODULES);
	assert_string_equal(bi.modules[15].name, "m15");
	/* every module is still reserved */
	assert_int_equal(find_type(0x200000 + 19 * 0x1000), BOOT_MEM_LOADED);
}

static void test_fallbacks(void **state)
{
	uint8_t *t;
	uint32_t v;

	/* basic meminfo only */
	blk_start();
	t = tag(4, 16);
	v = 639;
	memcpy(t + 8, &v, 4);
	v = 130048;
	memcpy(t + 12, &v, 4);
	blk_end();
	assert_int_equal(mb2_parse(INFO, map, &bi), 0);
	assert_int_equal(bi.mem[0].base, 0);
	assert_int_equal(bi.mem[0].length, 639 * 1024);
	assert_int_equal(find_type(0x100000), BOOT_MEM_USABLE);
	assert_int_equal(find_type((1 << 20) + 130048ull * 1024 - 1), BOOT_MEM_USABLE);
	assert_string_equal(bi.loader, "multiboot2");
	assert_int_equal(bi.rsdp, 0);

	/* EFI memory map without tag 6; old RSDP only; non-RGB framebuffer */
	blk_start();
	t = tag(17, 16 + 3 * 48);
	v = 48;
	memcpy(t + 8, &v, 4);
	uint8_t *d = t + 16;
	uint32_t ty;
	uint64_t base, pages, attr;
	ty = 7; base = 0x100000; pages = 0x100; attr = 0;
	memcpy(d, &ty, 4); memcpy(d + 8, &base, 8); memcpy(d + 24, &pages, 8); memcpy(d + 32, &attr, 8);
	d += 48;
	ty = 4; base = 0x200000; pages = 0x10;
	memcpy(d, &ty, 4); memcpy(d + 8, &base, 8); memcpy(d + 24, &pages, 8); memcpy(d + 32, &attr, 8);
	d += 48;
	ty = 3; base = 0x210000; pages = 0x10; attr = 1ull << 63;
	memcpy(d, &ty, 4); memcpy(d + 8, &base, 8); memcpy(d + 24, &pages, 8); memcpy(d + 32, &attr, 8);
	uint32_t rsdp_off = boff;
	tag(14, 8 + 20);
	t = tag(8, 38);
	t[28] = 32; t[29] = 0; /* indexed colour */
	blk_end();
	assert_int_equal(mb2_parse(INFO, map, &bi), 0);
	assert_int_equal(find_type(0x100000), BOOT_MEM_USABLE);
	assert_int_equal(find_type(0x20ffff), BOOT_MEM_USABLE);
	assert_int_equal(find_type(0x210000), BOOT_MEM_FIRMWARE);
	assert_int_equal(find_type(0x220000), 0);
	assert_int_equal(bi.rsdp, INFO + rsdp_off + 8);
	assert_int_equal(bi.fb.addr, 0);
}

/* Random corruption of a valid block never reads outside it (ASan). */
static void test_fuzz(void **state)
{
	uint32_t len, seed = 42;

	blk_start();
	tag_str(1, "a=b");
	tag_module(0x200000, 0x200010, "x/y z");
	tag_mmap(std_map, 6);
	tag(8, 38);
	tag(15, 44);
	len = blk_end();
	uint8_t *copy = malloc(len);
	memcpy(copy, at(INFO), len);
	for (int i = 0; i < 20000; i++) {
		memcpy(at(INFO), copy, len);
		memset(at(INFO) + len, 0xEE, 64);
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			at(INFO)[(seed >> 8) % len] = (uint8_t)(seed >> 20);
		}
		int r = mb2_parse(INFO, map, &bi);
		assert_true(r == 0 || r == -EINVAL || r == -EFAULT || r == -ENODATA || r == -ENOSPC);
		assert_true(bi.nr_mem <= BOOT_MAX_MEM);
	}
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_too_many_modules),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
