/* SPDX-License-Identifier: GPL-2.0-only */
/* Page-table builder: 2M/4K choice, splitting, lookup, unmap, freeing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "kernel/pt.h"

static long live, fail_after = -1;

/* "Physical" addresses are the host pointers themselves. */
static void *alloc(void *ctx, uint64_t *phys)
{
	if (fail_after == 0)
		return NULL;
	if (fail_after > 0)
		fail_after--;
	void *p = aligned_alloc(4096, 4096);
	memset(p, 0, 4096);
	*phys = (uint64_t)(uintptr_t)p;
	live++;
	return p;
}

static void release(void *ctx, void *t, uint64_t phys)
{
	live--;
	free(t);
}

static void *to_virt(void *ctx, uint64_t phys)
{
	return (void *)(uintptr_t)phys;
}

static const struct pt_ops ops = { alloc, release, to_virt, NULL };
#define RW 3ull
#define NX (1ull << 63)

static void test_map_lookup(void **state)
{
	struct pt pt;
	uint64_t pa, fl;

	assert_int_equal(pt_init(&pt, &pt_format_x86, &ops), 0);
	/* 4 MiB + 8 KiB at 2 MiB: two 2M leaves and two 4K pages. */
	assert_int_equal(pt_map(&pt, 0x200000, 0x40200000, 0x402000, RW | NX), 0);
	assert_int_equal(pt_lookup(&pt, 0x200123, &pa, &fl), 0);
	assert_int_equal(pa, 0x40200123);
	assert_true(fl & (1ull << 7));
	assert_true(fl & NX);
	assert_int_equal(pt_lookup(&pt, 0x601010, &pa, &fl), 0);
	assert_int_equal(pa, 0x40601010);
	assert_false(fl & (1ull << 7));
	assert_int_equal(pt_lookup(&pt, 0x602000, &pa, &fl), -ENOENT);
	assert_int_equal(pt_lookup(&pt, 0x1ff000, &pa, &fl), -ENOENT);
	/* PML4 + PDPT + PD + one PT */
	assert_int_equal(pt.tables, 4);
	pt_destroy(&pt);
	assert_int_equal(live, 0);
}

static void test_split_and_unmap(void **state)
{
	struct pt pt;
	uint64_t pa, fl;

	assert_int_equal(pt_init(&pt, &pt_format_x86, &ops), 0);
	assert_int_equal(pt_map(&pt, 0, 0, 0x400000, RW | NX), 0);
	assert_int_equal(pt.tables, 3);
	/* Re-map one 4K page read-only executable inside a 2M leaf. */
	assert_int_equal(pt_map(&pt, 0x201000, 0x201000, 0x1000, 1), 0);
	assert_int_equal(pt.tables, 4);
	assert_int_equal(pt_lookup(&pt, 0x201000, &pa, &fl), 0);
	assert_int_equal(fl & (RW | NX), 1);
	assert_int_equal(pt_lookup(&pt, 0x202000, &pa, &fl), 0);
	assert_int_equal(pa, 0x202000);
	assert_int_equal(fl & (RW | NX), RW | NX);
	/* Unmap page 0 (splits the first 2M leaf), then all of [2M, 4M). */
	assert_int_equal(pt_unmap(&pt, 0, 0x1000), 0);
	assert_int_equal(pt_lookup(&pt, 0, &pa, &fl), -ENOENT);
	assert_int_equal(pt_lookup(&pt, 0x1000, &pa, &fl), 0);
	assert_int_equal(pt_unmap(&pt, 0x200000, 0x200000), 0);
	assert_int_equal(pt_lookup(&pt, 0x201000, &pa, &fl), -ENOENT);
	/* Mapping a 2M leaf over a split region frees its table. */
	long before = live;
	assert_int_equal(pt_map(&pt, 0, 0, 0x200000, RW), 0);
	assert_int_equal(live, before - 1);
	/* Unmapping a hole spanning unmapped gigabytes terminates. */
	assert_int_equal(pt_unmap(&pt, 0x40000000, 0x80000000), 0);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1001, RW), -EINVAL);
	assert_int_equal(pt_map(&pt, 0xfffffffffffff000ull, 0, 0x2000, RW), -EINVAL);
	pt_destroy(&pt);
	assert_int_equal(live, 0);
}

static void test_out_of_memory(void **state)
{
	struct pt pt;

	assert_int_equal(pt_init(&pt, &pt_format_x86, &ops), 0);
	fail_after = 1;
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x1000, RW), -ENOMEM);
	fail_after = -1;
	pt_destroy(&pt);
	assert_int_equal(live, 0);
}

struct seen { unsigned n; uint64_t va[8], pa[8], size[8]; };

static void record(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		s->va[s->n] = va;
		s->pa[s->n] = pa;
		s->size[s->n] = size;
	}
	s->n++;
}

/* pt_walk: every present leaf overlapping the range, whole, in order. */
static void test_walk(void **state)
{
	struct pt pt;
	struct seen s = { 0 };

	assert_int_equal(pt_init(&pt, &pt_format_x86, &ops), 0);
	assert_int_equal(pt_map(&pt, 0x200000, 0x40200000, 0x201000, RW), 0);
	assert_int_equal(pt_map(&pt, 0x8000000000ull, 0x5000, 0x1000, RW), 0);
	pt_walk(&pt, 0, UINT64_MAX, record, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.va[0], 0x200000);
	assert_int_equal(s.size[0], 0x200000);
	assert_int_equal(s.pa[1], 0x40400000);
	assert_int_equal(s.size[1], 0x1000);
	assert_int_equal(s.va[2], 0x8000000000ull);
	assert_int_equal(s.pa[2], 0x5000);
	s.n = 0; /* a range inside the 2M leaf gives the whole leaf, nothing else */
	pt_walk(&pt, 0x300000, 0x301000, record, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.va[0], 0x200000);
	s.n = 0;
	pt_walk(&pt, 0x401000, 0x8000000000ull, record, &s);
	assert_int_equal(s.n, 0);
	pt_destroy(&pt);
	assert_int_equal(live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_map_lookup),
		cmocka_unit_test(test_split_and_unmap),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests_name("pt", tests, NULL, NULL);
}
