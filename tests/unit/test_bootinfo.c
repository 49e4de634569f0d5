/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for boot/bootinfo.c: memory map normalization and modules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/bootinfo.h"
#include "kernel/errno.h"

static struct boot_info bi;

static int rank(uint32_t t)
{
	static const int r[] = { 0, 1, 5, 3, 4, 8, 2, 7, 6 };
	return r[t];
}

/* Checks the invariants: sorted, disjoint, non-empty, touching ranges of
 * equal type merged. */
static void check_normal(const struct boot_info *b)
{
	for (uint32_t i = 0; i < b->nr_mem; i++) {
		assert_true(b->mem[i].length > 0);
		if (i == 0)
			continue;
		const struct boot_mem_range *p = &b->mem[i - 1], *c = &b->mem[i];
		assert_true(p->base + p->length <= c->base);
		if (p->base + p->length == c->base)
			assert_int_not_equal(p->type, c->type);
	}
}

static uint32_t type_at(const struct boot_info *b, uint64_t x)
{
	for (uint32_t i = 0; i < b->nr_mem; i++)
		if (x >= b->mem[i].base && x < b->mem[i].base + b->mem[i].length)
			return b->mem[i].type;
	return 0;
}

static void test_basic(void **state)
{
	bootinfo_init(&bi, BOOT_SRC_UEFI);
	assert_int_equal(bi.magic, BOOT_INFO_MAGIC);
	assert_int_equal(bi.source, BOOT_SRC_UEFI);
	assert_int_equal(bootinfo_add_mem(&bi, 0x100000, 0x100000, BOOT_MEM_USABLE), 0);
	assert_int_equal(bootinfo_add_mem(&bi, 0, 0x9f000, BOOT_MEM_USABLE), 0);
	assert_int_equal(bootinfo_add_mem(&bi, 0x9f000, 0, BOOT_MEM_RESERVED), 0);
	assert_int_equal(bootinfo_add_mem(&bi, 0x200000, 0x1000, BOOT_MEM_USABLE), 0);
	assert_int_equal(bootinfo_add_mem(&bi, 0x180000, 0x1000, BOOT_MEM_BAD), 0);
	assert_int_equal(bootinfo_add_mem(&bi, 0x1000, 0x1000, 99), 0);
	assert_int_equal(bootinfo_normalize(&bi), 0);
	check_normal(&bi);
	assert_int_equal(bi.nr_mem, 6);
	assert_int_equal(bi.mem[0].base, 0);
	assert_int_equal(bi.mem[0].length, 0x1000);
	assert_int_equal(bi.mem[1].type, BOOT_MEM_RESERVED);
	assert_int_equal(bi.mem[2].base, 0x2000);
	assert_int_equal(bi.mem[3].base, 0x100000);
	assert_int_equal(bi.mem[3].length, 0x80000);
	assert_int_equal(bi.mem[4].type, BOOT_MEM_BAD);
	/* the tail after the bad page was merged with the adjacent range */
	assert_int_equal(bi.mem[5].base, 0x181000);
	assert_int_equal(bi.mem[5].length, 0x80000);
	assert_int_equal(bi.mem[5].type, BOOT_MEM_USABLE);
}

static void test_clip_and_overflow(void **state)
{
	bootinfo_init(&bi, BOOT_SRC_MULTIBOOT1);
	assert_int_equal(bootinfo_add_mem(&bi, UINT64_MAX - 10, 100, BOOT_MEM_USABLE), 0);
	assert_int_equal(bi.mem[0].length, 10);
	bootinfo_init(&bi, BOOT_SRC_MULTIBOOT1);
	/* disjoint ranges: normalization cannot make room */
	for (uint32_t i = 0; i < BOOT_MAX_MEM; i++)
		assert_int_equal(bootinfo_add_mem(&bi, i * 0x2000ull, 0x1000, BOOT_MEM_USABLE), 0);
	assert_int_equal(bootinfo_add_mem(&bi, 1ull << 40, 0x1000, BOOT_MEM_USABLE), -ENOSPC);
	assert_int_equal(bi.nr_mem, BOOT_MAX_MEM);
	/* mergeable ranges: the full table is compacted on demand */
	bootinfo_init(&bi, BOOT_SRC_MULTIBOOT1);
	for (uint32_t i = 0; i < BOOT_MAX_MEM + 100; i++)
		assert_int_equal(bootinfo_add_mem(&bi, i * 0x1000ull, 0x1000, BOOT_MEM_USABLE), 0);
	bootinfo_normalize(&bi);
	assert_int_equal(bi.nr_mem, 1);
	assert_int_equal(bi.mem[0].length, (BOOT_MAX_MEM + 100) * 0x1000ull);
}

/* A split that does not fit: the tail is covered by the stronger type. */
static void test_split_full(void **state)
{
	bootinfo_init(&bi, BOOT_SRC_MULTIBOOT1);
	assert_int_equal(bootinfo_add_mem(&bi, 0, 0x100000, BOOT_MEM_USABLE), 0);
	for (uint32_t i = 1; i < BOOT_MAX_MEM; i++)
		bootinfo_add_mem(&bi, i * 0x100ull, 0x10, BOOT_MEM_RESERVED);
	assert_int_equal(bootinfo_normalize(&bi), -ENOSPC);
	check_normal(&bi);
	for (uint64_t x = 0; x < 0x100000; x += 8) {
		uint32_t t = type_at(&bi, x);
		int want_res = (x % 0x100) < 0x10 && x >= 0x100 && x < BOOT_MAX_MEM * 0x100ull;
		assert_true(t != 0);
		if (want_res)
			assert_int_equal(t, BOOT_MEM_RESERVED);
	}
}

/* Random maps against a brute-force reference on a small coordinate grid. */
static void test_random(void **state)
{
	srand(1234);
	for (int iter = 0; iter < 3000; iter++) {
		uint32_t ref[96] = { 0 };
		int n = 1 + rand() % 12;

		bootinfo_init(&bi, BOOT_SRC_MULTIBOOT2);
		for (int k = 0; k < n; k++) {
			uint64_t b = rand() % 80, l = rand() % 16;
			uint32_t t = 1 + rand() % 8;
			bootinfo_add_mem(&bi, b, l, t);
			for (uint64_t x = b; x < b + l; x++)
				if (rank(t) > rank(ref[x]))
					ref[x] = t;
		}
		assert_int_equal(bootinfo_normalize(&bi), 0);
		check_normal(&bi);
		for (uint64_t x = 0; x < 96; x++)
			assert_int_equal(type_at(&bi, x), ref[x]);
	}
}

static void test_modules(void **state)
{
	char name[BOOT_NAME_LEN];
	char longname[300];

	bootinfo_init(&bi, BOOT_SRC_MULTIBOOT1);
	bootinfo_module_name(name, sizeof(name), "conf/hypervisor.conf", 100);
	assert_string_equal(name, "hypervisor.conf");
	bootinfo_module_name(name, sizeof(name), "  /boot/dom0.elf console=hvc0", 100);
	assert_string_equal(name, "dom0.elf");
	bootinfo_module_name(name, sizeof(name), "dom0 x=/a/b", 100);
	assert_string_equal(name, "dom0");
	bootinfo_module_name(name, sizeof(name), "abcdef", 3);
	assert_string_equal(name, "abc");
	bootinfo_module_name(name, sizeof(name), "", 1);
	assert_string_equal(name, "");
	bootinfo_module_name(name, sizeof(name), NULL, 0);
	assert_string_equal(name, "");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	for (int i = 0; i < BOOT_MAX_MODULES; i++)
		assert_int_equal(bootinfo_add_module(&bi, 0x1000 * i, 10, longname), 0);
	assert_int_equal(strlen(bi.modules[0].name), BOOT_NAME_LEN - 1);
	assert_int_equal(bootinfo_add_module(&bi, 0, 1, "x"), -ENOSPC);
	assert_int_equal(bi.nr_modules, BOOT_MAX_MODULES);

	bootinfo_init(&bi, BOOT_SRC_MULTIBOOT1);
	assert_int_equal(bootinfo_add_loaded(&bi, 0x1234, 0x10), 0);
	assert_int_equal(bi.mem[0].base, 0x1000);
	assert_int_equal(bi.mem[0].length, 0x1000);
	assert_int_equal(bi.mem[0].type, BOOT_MEM_LOADED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_clip_and_overflow),
		cmocka_unit_test(test_split_full),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_modules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
