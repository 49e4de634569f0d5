/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where domain 0's DMA pool goes (mgmt/memgap.c): the largest page-
 * aligned run of RAM that no used range touches, within [lo, hi): used
 * ranges widened to pages, overlapping and unsorted ones, RAM split in
 * pieces, nothing free at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "mgmt/memgap.h"

#define MIB (1ull << 20)

static void expect(const struct mrange *ram, unsigned nram, const struct mrange *used,
		   unsigned nused, uint64_t lo, uint64_t hi, uint64_t s, uint64_t e)
{
	struct mrange got;
	bool found = memgap_largest(ram, nram, used, nused, lo, hi, &got);

	assert_int_equal(found, e > s);
	if (found) {
		assert_int_equal(got.start, s);
		assert_int_equal(got.end, e);
	}
}

/* 16 MiB: the image from 1 MiB, the start info after it, modules high. */
static void test_between_image_and_modules(void **state)
{
	struct mrange ram[] = { { 0, 0x9fc00 }, { MIB, 16 * MIB } };
	struct mrange used[] = { { 15 * MIB, 16 * MIB - 100 },   /* a module */
				 { 0x100000, 0x6a3210 },         /* the image */
				 { 0x6a4000, 0x6a4038 },         /* start info */
				 { 0x6a4038, 0x6a4100 },         /* its module list */
				 { 12 * MIB + 5, 15 * MIB } };  /* another module */
	expect(ram, 2, used, 5, MIB, 4096 * MIB, 0x6a5000, 12 * MIB);
}

static void test_low_memory_ignored(void **state)
{
	struct mrange ram[] = { { 0, 0x9fc00 }, { MIB, 2 * MIB } };
	struct mrange used[] = { { MIB, 2 * MIB } };
	expect(ram, 2, used, 1, MIB, 4096 * MIB, 0, 0);
	/* without the floor, the low RAM is the only run */
	expect(ram, 2, used, 1, 0, 4096 * MIB, 0, 0x9f000);
}

static void test_ceiling_and_pieces(void **state)
{
	struct mrange ram[] = { { MIB, 3 * MIB }, { 4 * MIB, 9 * MIB } };
	struct mrange used[] = { { 5 * MIB, 5 * MIB + 1 } };
	/* 4-5 MiB and 5 MiB + 4 KiB - 9 MiB; capped at 8 MiB: 3 MiB - 4 KiB */
	expect(ram, 2, used, 1, MIB, 8 * MIB, 5 * MIB + 4096, 8 * MIB);
	expect(ram, 2, used, 1, MIB, 6 * MIB, MIB, 3 * MIB);
}

static void test_overlapping_used(void **state)
{
	struct mrange ram[] = { { 0, 64 * MIB } };
	struct mrange used[] = { { 10 * MIB, 30 * MIB }, { 20 * MIB, 40 * MIB },
				 { 0, 10 * MIB }, { 50 * MIB, 50 * MIB } /* empty */ };
	expect(ram, 1, used, 4, 0, 4096 * MIB, 40 * MIB, 64 * MIB);
}

static void test_nothing_free(void **state)
{
	struct mrange ram[] = { { MIB, 2 * MIB } };
	struct mrange used[] = { { MIB - 1, 2 * MIB + 1 } };
	expect(ram, 1, used, 1, 0, 4096 * MIB, 0, 0);
	expect(ram, 0, used, 0, 0, 4096 * MIB, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_between_image_and_modules),
		cmocka_unit_test(test_low_memory_ignored),
		cmocka_unit_test(test_ceiling_and_pieces),
		cmocka_unit_test(test_overlapping_used),
		cmocka_unit_test(test_nothing_free),
	};
	return cmocka_run_group_tests_name("memgap", tests, NULL, NULL);
}
