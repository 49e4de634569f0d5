/* SPDX-License-Identifier: GPL-2.0-only */
/* Heap: size classes, large blocks, reuse, bad and double frees, page return. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "kernel/heap.h"

static size_t pages_out;
/* What the heap holds, so that a test can end by freeing the empty slabs
 * it keeps cached (the heap never gives those back by itself). */
static void *held[64];

static void *alloc_pages(void *ctx, size_t n)
{
	void *p = aligned_alloc(4096, n * 4096);
	if (p) {
		pages_out += n;
		for (unsigned i = 0; i < 64; i++)
			if (!held[i]) {
				held[i] = p;
				break;
			}
	}
	return p;
}

static void free_pages(void *ctx, void *p, size_t n)
{
	pages_out -= n;
	for (unsigned i = 0; i < 64; i++)
		if (held[i] == p)
			held[i] = NULL;
	free(p);
}

static int release_all(void **state)
{
	for (unsigned i = 0; i < 64; i++) {
		free(held[i]);
		held[i] = NULL;
	}
	pages_out = 0;
	return 0;
}

static const struct heap_ops ops = { alloc_pages, free_pages, NULL };

static void test_classes_and_reuse(void **state)
{
	struct heap h;
	void *p[300];

	heap_init(&h, &ops);
	for (int i = 0; i < 300; i++) {
		size_t sz = 1 + (size_t)i * 7;
		p[i] = heap_alloc(&h, sz);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 16, 0);
		memset(p[i], i & 0xff, sz);
	}
	for (int i = 0; i < 300; i++) /* no overlap: patterns survive */
		assert_int_equal(((unsigned char *)p[i])[0], i & 0xff);
	assert_int_equal(h.allocations, 300);
	for (int i = 0; i < 300; i++)
		assert_int_equal(heap_free(&h, p[i]), 0);
	assert_int_equal(h.allocations, 0);
	assert_int_equal(h.bytes_in_use, 0);
	/* At most one cached empty slab per class stays. */
	assert_true(h.pages <= HEAP_CLASSES);
	assert_int_equal(pages_out, h.pages);
}

static void test_large(void **state)
{
	struct heap h;

	heap_init(&h, &ops);
	void *p = heap_zalloc(&h, 100000);
	assert_non_null(p);
	assert_int_equal(((char *)p)[99999], 0);
	assert_int_equal(h.pages, (100000 + 64 + 4095) / 4096);
	assert_int_equal(heap_free(&h, p), 0);
	assert_int_equal(h.pages, 0);
	assert_int_equal(pages_out, 0);
	assert_null(heap_alloc(&h, 0));
}

static void test_bad_free(void **state)
{
	struct heap h;

	heap_init(&h, &ops);
	char *p = heap_alloc(&h, 40);
	char *q = heap_alloc(&h, 40);
	assert_non_null(q);
	assert_int_equal(heap_free(&h, p + 1), -EINVAL);
	assert_int_equal(heap_free(&h, p), 0);
	assert_int_equal(heap_free(&h, p), -EINVAL); /* double free */
	assert_int_equal(heap_free(&h, NULL), 0);
	assert_int_equal(heap_free(&h, q), 0);
	assert_int_equal(h.allocations, 0);
	assert_int_equal(pages_out, h.pages); /* the cached empty slab */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_classes_and_reuse, release_all),
		cmocka_unit_test_teardown(test_large, release_all),
		cmocka_unit_test_teardown(test_bad_free, release_all),
	};
	return cmocka_run_group_tests_name("heap", tests, NULL, NULL);
}
