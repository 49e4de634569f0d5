/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cutting a disk transfer into device commands (mgmt/blksplit.c): pieces
 * never cross a page, commands respect the sector and piece limits, NVMe's
 * PRP rule splits where a gap inside a page would be, a command always
 * covers whole logical blocks (trimmed back, or nothing when not even one
 * block fits), and walking `done` forward covers the buffer exactly once.
 * Buffers are real (aligned_alloc) so that page offsets are real; the
 * "machine" address is the virtual one moved by a constant.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt/blksplit.h"

#define SHIFT 0x100000000ull

static uint64_t fake_maddr(const void *p)
{
	return (uint64_t)(uintptr_t)p + SHIFT;
}

static uint8_t *pages(unsigned n)
{
	uint8_t *p = aligned_alloc(BLK_PAGE, (size_t)n * BLK_PAGE);
	assert_non_null(p);
	return p;
}

static const struct blk_limits virtio = { 1, 1024, 128, false };
static const struct blk_limits nvme = { 1, 1024, 128, true };

static void check_piece(const struct blk_piece *pc, const void *at, uint32_t len)
{
	assert_int_equal(pc->addr, fake_maddr(at));
	assert_int_equal(pc->len, len);
}

/* A 1 MiB contiguous buffer: two commands of 128 pages, then nothing. */
static void test_contiguous_split_by_limit(void **state)
{
	uint8_t *buf = pages(256);
	struct blk_seg seg = { buf, 1u << 20 };
	struct blk_piece pc[BLK_PART_PIECES];
	unsigned n;

	assert_int_equal(blk_split(&seg, 1, 0, &virtio, fake_maddr, pc, &n), 512u << 10);
	assert_int_equal(n, 128);
	check_piece(&pc[0], buf, 4096);
	check_piece(&pc[127], buf + 127 * 4096, 4096);
	assert_int_equal(blk_split(&seg, 1, 512u << 10, &virtio, fake_maddr, pc, &n), 512u << 10);
	check_piece(&pc[0], buf + (512u << 10), 4096);
	assert_int_equal(blk_split(&seg, 1, 1u << 20, &virtio, fake_maddr, pc, &n), 0);
	assert_int_equal(n, 0);
	free(buf);
}

/* A segment starting inside a page: cut at each page end. */
static void test_pieces_stop_at_pages(void **state)
{
	uint8_t *buf = pages(3);
	struct blk_seg seg = { buf + 512, 8192 };
	struct blk_piece pc[BLK_PART_PIECES];
	unsigned n;

	assert_int_equal(blk_split(&seg, 1, 0, &nvme, fake_maddr, pc, &n), 8192);
	assert_int_equal(n, 3);
	check_piece(&pc[0], buf + 512, 3584);
	check_piece(&pc[1], buf + 4096, 4096);
	check_piece(&pc[2], buf + 8192, 512);
	free(buf);
}

/* blkif-like segments (parts of separate pages): PRPs take them while
 * the only gaps are before the first and after the last piece. */
static void test_prp_gaps(void **state)
{
	uint8_t *a = pages(1), *b = pages(1), *c = pages(1);
	struct blk_seg ok[] = { { a + 512, 3584 }, { b, 4096 }, { c, 1024 } };
	struct blk_seg gap[] = { { a, 2048 }, { b, 4096 }, { c + 512, 512 } };
	struct blk_piece pc[BLK_PART_PIECES];
	unsigned n;

	assert_int_equal(blk_split(ok, 3, 0, &nvme, fake_maddr, pc, &n), 3584 + 4096 + 1024);
	assert_int_equal(n, 3);
	/* a ends mid-page: b cannot follow; b is whole but c starts mid-page. */
	assert_int_equal(blk_split(gap, 3, 0, &nvme, fake_maddr, pc, &n), 2048);
	assert_int_equal(blk_split(gap, 3, 2048, &nvme, fake_maddr, pc, &n), 4096);
	check_piece(&pc[0], b, 4096);
	assert_int_equal(blk_split(gap, 3, 6144, &nvme, fake_maddr, pc, &n), 512);
	check_piece(&pc[0], c + 512, 512);
	/* virtio has no such rule: one command. */
	assert_int_equal(blk_split(gap, 3, 0, &virtio, fake_maddr, pc, &n), 2048 + 4096 + 512);
	assert_int_equal(n, 3);
	free(a);
	free(b);
	free(c);
}

/* 4 KiB blocks: a command ends on a block, cutting a piece if needed. */
static void test_whole_blocks(void **state)
{
	uint8_t *a = pages(1), *b = pages(1), *c = pages(1);
	struct blk_seg segs[] = { { a + 2048, 2048 }, { b, 4096 }, { c, 2048 } };
	struct blk_limits lim = { 8, 1024, 2, true };
	struct blk_piece pc[BLK_PART_PIECES];
	unsigned n;

	assert_int_equal(blk_split(segs, 3, 0, &lim, fake_maddr, pc, &n), 4096);
	assert_int_equal(n, 2);
	check_piece(&pc[0], a + 2048, 2048);
	check_piece(&pc[1], b, 2048);
	assert_int_equal(blk_split(segs, 3, 4096, &lim, fake_maddr, pc, &n), 4096);
	check_piece(&pc[0], b + 2048, 2048);
	check_piece(&pc[1], c, 2048);
	free(a);
	free(b);
	free(c);
}

/* Not one block fits (a 4 KiB block over three pieces, two allowed). */
static void test_impossible(void **state)
{
	uint8_t *a = pages(1), *b = pages(1), *c = pages(1);
	struct blk_seg segs[] = { { a + 2560, 1536 }, { b, 2048 }, { c, 512 } };
	struct blk_limits lim = { 8, 1024, 2, false };
	struct blk_piece pc[BLK_PART_PIECES];
	unsigned n;

	assert_int_equal(blk_split(segs, 3, 0, &lim, fake_maddr, pc, &n), 0);
	assert_int_equal(n, 0);
	free(a);
	free(b);
	free(c);
}

/* A sector limit that ends inside a page. */
static void test_sector_limit(void **state)
{
	uint8_t *buf = pages(2);
	struct blk_seg seg = { buf, 8192 };
	struct blk_limits lim = { 1, 3, 128, true };
	struct blk_piece pc[BLK_PART_PIECES];
	unsigned n;
	uint64_t done = 0;
	unsigned parts = 0;

	while (done < 8192) {
		uint32_t got = blk_split(&seg, 1, done, &lim, fake_maddr, pc, &n);
		assert_true(got > 0 && got <= 1536 && got % 512 == 0);
		for (unsigned i = 0; i < n; i++)
			assert_true(pc[i].addr % BLK_PAGE + pc[i].len <= BLK_PAGE);
		check_piece(&pc[0], buf + done, pc[0].len);
		done += got;
		parts++;
	}
	assert_int_equal(done, 8192);
	assert_int_equal(parts, 6); /* 1536 x 5 + 512 */
	free(buf);
}

/* Many small segments walked through: every byte once, in order. */
static void test_walk_covers_all(void **state)
{
	enum { NSEG = 300 };
	uint8_t *buf = pages(NSEG);
	struct blk_seg segs[NSEG];
	struct blk_piece pc[BLK_PART_PIECES];
	uint64_t want = 0, done = 0;
	unsigned n;

	for (unsigned i = 0; i < NSEG; i++) {
		uint32_t first = (i * 7) % 8, last = first + (i * 3) % (8 - first);
		segs[i] = (struct blk_seg){ buf + i * 4096 + first * 512, (last - first + 1) * 512 };
		want += segs[i].len;
	}
	for (const struct blk_limits *lim = &virtio; lim; lim = lim == &virtio ? &nvme : NULL) {
		unsigned si = 0;
		uint32_t off = 0;
		for (done = 0; done < want;) {
			uint32_t got = blk_split(segs, NSEG, done, lim, fake_maddr, pc, &n), sum = 0;
			assert_true(got > 0);
			for (unsigned i = 0; i < n; i++) {
				check_piece(&pc[i], (uint8_t *)segs[si].buf + off, pc[i].len);
				sum += pc[i].len;
				off += pc[i].len;
				if (off == segs[si].len) {
					si++;
					off = 0;
				}
			}
			assert_int_equal(sum, got);
			done += got;
		}
		assert_int_equal(done, want);
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contiguous_split_by_limit),
		cmocka_unit_test(test_pieces_stop_at_pages),
		cmocka_unit_test(test_prp_gaps),
		cmocka_unit_test(test_whole_blocks),
		cmocka_unit_test(test_impossible),
		cmocka_unit_test(test_sector_limit),
		cmocka_unit_test(test_walk_covers_all),
	};
	return cmocka_run_group_tests_name("blksplit", tests, NULL, NULL);
}
