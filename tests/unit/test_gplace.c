/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host tests of vmm/load/gplace.c: the guest memory map the loaders give
 * (with and without the reserved top pages) and the placement helper
 * (first and last fit, alignment, holes, a full table, bad maps). The
 * loaders' own tests (test_pvh_guest, test_mb1_guest, test_linux_boot)
 * check that their plans land in free RAM.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/load/gplace.h"

#define MIB 0x100000ull

/* ---- guest memory maps ---- */

struct map {
	struct e820_entry e[E820_MAX_ENTRIES + 2];
	unsigned n;
};

static void add(struct map *m, uint64_t base, uint64_t size, uint32_t type)
{
	m->e[m->n++] = (struct e820_entry){ base, size, type };
}

/* A PC-like map: low RAM, EBDA and BIOS holes, RAM from 1 MiB to ram. */
static struct map pc_map(uint64_t ram)
{
	struct map m = { .n = 0 };

	add(&m, 0, 0x9fc00, E820_RAM);
	add(&m, 0x9fc00, 0x400, E820_RESERVED);
	add(&m, 0xe0000, 0x20000, E820_RESERVED);
	add(&m, MIB, ram - MIB, E820_RAM);
	return m;
}

static void test_gplace(void **state)
{
	struct map m = { .n = 0 };
	struct gplace g;
	uint64_t a;
	char err[120];

	add(&m, 0, 0x10000, E820_RAM);
	add(&m, 0x10000, 0x10000, E820_RAM);   /* adjacent: not merged */
	add(&m, 0x100000, 0x400000, E820_RAM);
	add(&m, 0x200000, 0x1000, E820_RESERVED); /* a hole inside RAM */
	assert_int_equal(gplace_init(&g, m.e, m.n, 0x480000, err, sizeof(err)), 0);

	assert_true(gplace_is_free(&g, 0x1000, 0x1000));
	assert_false(gplace_is_free(&g, 0xf000, 0x2000));   /* spans two entries */
	assert_false(gplace_is_free(&g, 0x1ff000, 0x2000)); /* touches the hole */
	assert_false(gplace_is_free(&g, 0x470000, 0x20000)); /* past ram_end */
	assert_false(gplace_is_free(&g, 0x20000, 0x1000));  /* not RAM */
	assert_false(gplace_is_free(&g, 0x1000, 0));
	assert_false(gplace_is_free(&g, UINT64_MAX - 0xfff, 0x2000));

	/* Lowest fit, aligned, skipping what is used. */
	assert_int_equal(gplace_low(&g, 0x8000, 0x1000, 0x4000, UINT64_MAX, "a", &a), 0);
	assert_int_equal(a, 0x4000);
	assert_int_equal(gplace_low(&g, 0x8000, 0x1000, 0, UINT64_MAX, "b", &a), 0);
	assert_int_equal(a, 0x10000); /* 0..0x4000 too small, 0xc000..0x10000 too */
	assert_int_equal(gplace_low(&g, 0x20000, 0x1000, 0, UINT64_MAX, "c", &a), 0);
	assert_int_equal(a, 0x100000);
	assert_int_equal(gplace_low(&g, 0x100000, 0x100000, 0, UINT64_MAX, "d", &a), 0);
	assert_int_equal(a, 0x300000); /* 0x200000 hole: next MiB */
	assert_int_equal(gplace_low(&g, 0x100000, 0x100000, 0, UINT64_MAX, "e", &a), -ENOSPC);
	/* Highest fit below max, aligned down. */
	assert_int_equal(gplace_high(&g, 0x3000, 0x1000, 0, 0x1ffff0, "f", &a), 0);
	assert_int_equal(a, 0x1fc000);
	assert_int_equal(gplace_high(&g, 0x1000, 0x1000, 0, UINT64_MAX, "g", &a), 0);
	assert_int_equal(a, 0x47f000); /* just under ram_end */
	/* Above 3 MiB only 0x400000..0x47f000 is left. */
	assert_int_equal(gplace_high(&g, 0x80000, 0x1000, 0x300000, UINT64_MAX, "h", &a), -ENOSPC);
	assert_int_equal(gplace_high(&g, 0x7f000, 0x1000, 0x300000, UINT64_MAX, "h", &a), 0);
	assert_int_equal(a, 0x400000);
	/* A fixed claim. */
	assert_int_equal(gplace_claim(&g, 0x2000, 0x1000, "i"), 0);
	assert_int_equal(gplace_claim(&g, 0x2800, 0x1000, "j"), -ENOSPC);
	/* Bad arguments. */
	assert_int_equal(gplace_low(&g, 0x1000, 3, 0, UINT64_MAX, "k", &a), -EINVAL);
	assert_int_equal(gplace_low(&g, 0, 0x1000, 0, UINT64_MAX, "k", &a), -EINVAL);
	/* Every used range disjoint. */
	for (unsigned i = 0; i < g.nr_used; i++)
		for (unsigned j = 0; j < i; j++)
			assert_false(g.used[i].base < g.used[j].base + g.used[j].size &&
				     g.used[j].base < g.used[i].base + g.used[i].size);
	/* The table fills up cleanly. */
	while (g.nr_used < GPLACE_MAX_USED)
		assert_int_equal(gplace_low(&g, 0x10, 0x10, 0x100000, UINT64_MAX, "x", &a), 0);
	assert_int_equal(gplace_low(&g, 0x10, 0x10, 0x100000, UINT64_MAX, "x", &a), -ENOSPC);
}

static void test_gplace_bad_maps(void **state)
{
	struct map m = pc_map(64 * MIB);
	struct gplace g;
	char err[120];

	assert_int_equal(gplace_init(&g, m.e, 0, 64 * MIB, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "0 entries"));
	assert_int_equal(gplace_init(&g, NULL, 3, 64 * MIB, err, sizeof(err)), -EINVAL);
	assert_int_equal(gplace_init(&g, m.e, E820_MAX_ENTRIES + 1, 64 * MIB, err, sizeof(err)),
			 -EINVAL);
	m.e[2].size = 0;
	assert_int_equal(gplace_init(&g, m.e, m.n, 64 * MIB, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "entry 2"));
	m = pc_map(64 * MIB);
	m.e[3].base = UINT64_MAX - 0x1000;
	assert_int_equal(gplace_init(&g, m.e, m.n, 64 * MIB, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "wraps"));
}

/* The loaders' guest map, with and without the reserved top pages. */
static void test_guest_map(void **state)
{
	struct e820_entry m[4];

	assert_int_equal(e820_guest_map(256ull << 20, 0, m), 3);
	assert_int_equal(m[0].base, 0);
	assert_int_equal(m[0].size, 0x9fc00);
	assert_int_equal(m[1].type, E820_RESERVED);
	assert_int_equal(m[1].base + m[1].size, 0x100000);
	assert_int_equal(m[2].base, 0x100000);
	assert_int_equal(m[2].base + m[2].size, 256ull << 20);
	assert_int_equal(e820_guest_map(2ull << 20, 2, m), 4);
	assert_int_equal(m[2].base + m[2].size, (2ull << 20) - 8192);
	assert_int_equal(m[3].base, (2ull << 20) - 8192);
	assert_int_equal(m[3].size, 8192);
	assert_int_equal(m[3].type, E820_RESERVED);
	/* 1 MiB: only the low RAM (the top page lies in the legacy hole). */
	assert_int_equal(e820_guest_map(1ull << 20, 2, m), 1);
	assert_int_equal(e820_guest_map(1ull << 20, 0, m), 1);
	assert_int_equal(e820_guest_map(0x80000, 0, m), 1);
	assert_int_equal(m[0].size, 0x80000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gplace),
		cmocka_unit_test(test_gplace_bad_maps),
		cmocka_unit_test(test_guest_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
