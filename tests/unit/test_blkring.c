/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend's side of the block ring (mgmt/blkring.c). The test plays
 * the frontend: it writes requests into the shared ring in either ABI's
 * layout, as Linux's xen-blkfront (x86_64) or a 32-bit guest would, and
 * reads the responses back. Checked: every validation (operation, segment
 * counts, first/last sector, the disk's end, alignment to a 4 KiB logical
 * sector, read-only, features not offered), both layouts, indirect
 * requests, indices wrapping past 2^32, broken producers, the copy taken
 * before validation, notification hold-off both ways, batching, the
 * budget, and random garbage (BLKRING_FUZZ_ITERS rounds) under
 * ASan/UBSan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt/blkring.h"

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

#define DISK_SECTORS 4096u   /* 2 MiB */

static uint8_t *mem;          /* the ring pages (malloc'd: ASan sees overruns) */
static struct blkring *R;
static struct blkring_disk disk;
static enum blkring_abi abi;
static unsigned order;

static struct xen_sring_hdr *H(void)
{
	return (struct xen_sring_hdr *)(void *)mem;
}

static size_t esize(void)
{
	return abi == BLKRING_ABI_X86_64 ? sizeof(union blkif_sring_entry)
					 : sizeof(union blkif_x86_32_sring_entry);
}

static uint32_t nents(void)
{
	return abi == BLKRING_ABI_X86_64 ? BLKIF_RING_ENTRIES(order) : BLKIF_X86_32_RING_ENTRIES(order);
}

static uint8_t *gslot(RING_IDX i)
{
	return mem + sizeof(struct xen_sring_hdr) + (i & (nents() - 1)) * esize();
}

/* A fresh ring as the frontend sets it up (indices at start, events 1),
 * attached by the backend. */
static void attach(enum blkring_abi a, unsigned o, RING_IDX start)
{
	free(mem);
	abi = a;
	order = o;
	mem = calloc(1, 4096u << o);
	assert_non_null(mem);
	H()->req_prod = H()->rsp_prod = start;
	H()->req_event = H()->rsp_event = start + 1;
	assert_int_equal(blkring_init(R, mem, o, a, &disk), 0);
	assert_int_equal(R->nr_ents, 32u << o);
}

static int setup(void **state)
{
	R = calloc(1, sizeof(*R));
	assert_non_null(R);
	disk = (struct blkring_disk){ DISK_SECTORS, 512, BLKRING_MAX_INDIRECT, false, true, true };
	attach(BLKRING_ABI_X86_64, 0, 0);
	return 0;
}

static int teardown(void **state)
{
	free(mem);
	free(R);
	mem = NULL;
	return 0;
}

/* A request as the guest writes it: op, id, sector, nseg (or the
 * indirect count), segments. */
struct greq {
	uint8_t op, indirect_op, flag;
	uint16_t nseg;
	uint64_t id, sector, nr_sectors;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	grant_ref_t ind[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};

static void put_at(RING_IDX i, const struct greq *g)
{
	uint8_t *s = gslot(i);

	memset(s, 0xa5, esize()); /* stale bytes must not matter */
	if (abi == BLKRING_ABI_X86_64) {
		if (g->op == BLKIF_OP_INDIRECT) {
			struct blkif_request_indirect r = { g->op, g->indirect_op, g->nseg, g->id,
							    g->sector, 0, { 0 } };
			memcpy(r.indirect_grefs, g->ind, sizeof(r.indirect_grefs));
			memcpy(s, &r, sizeof(r));
		} else if (g->op == BLKIF_OP_DISCARD) {
			struct blkif_request_discard r = { g->op, g->flag, 0, g->id, g->sector,
							   g->nr_sectors };
			memcpy(s, &r, sizeof(r));
		} else {
			struct blkif_request r = { g->op, (uint8_t)g->nseg, 0, g->id, g->sector, { { 0 } } };
			memcpy(r.seg, g->seg, sizeof(r.seg));
			memcpy(s, &r, sizeof(r));
		}
	} else {
		if (g->op == BLKIF_OP_INDIRECT) {
			struct blkif_x86_32_request_indirect r = { g->op, g->indirect_op, g->nseg, g->id,
								   g->sector, 0, 0, { 0 }, 0 };
			memcpy(r.indirect_grefs, g->ind, sizeof(r.indirect_grefs));
			memcpy(s, &r, sizeof(r));
		} else if (g->op == BLKIF_OP_DISCARD) {
			struct blkif_x86_32_request_discard r = { g->op, g->flag, 0, g->id, g->sector,
								  g->nr_sectors };
			memcpy(s, &r, sizeof(r));
		} else {
			struct blkif_x86_32_request r = { g->op, (uint8_t)g->nseg, 0, g->id, g->sector,
							  { { 0 } } };
			memcpy(r.seg, g->seg, sizeof(r.seg));
			memcpy(s, &r, sizeof(r));
		}
	}
}

/* Queues one request and publishes it. */
static void send(const struct greq *g)
{
	put_at(H()->req_prod, g);
	H()->req_prod++;
}

/* A READ or WRITE of n full 4 KiB segments (grefs 100..) at sector. */
static struct greq rw(uint8_t op, uint64_t id, uint64_t sector, unsigned n)
{
	struct greq g = { .op = op, .nseg = (uint16_t)n, .id = id, .sector = sector };

	for (unsigned i = 0; i < n && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		g.seg[i] = (struct blkif_request_segment){ 100 + i, 0, 7 };
	return g;
}

/* The backend takes one request: its status. */
static int16_t take1(struct blkreq *q)
{
	assert_true(blkring_begin(R) >= 1);
	assert_int_equal(blkring_take(R, q), BLKRING_TOOK);
	return q->status;
}

/* The response at index i, in the ABI's layout. */
static void rsp_at(RING_IDX i, uint64_t *id, uint8_t *op, int16_t *status)
{
	if (abi == BLKRING_ABI_X86_64) {
		struct blkif_response r;
		memcpy(&r, gslot(i), sizeof(r));
		*id = r.id, *op = r.operation, *status = r.status;
	} else {
		struct blkif_x86_32_response r;
		memcpy(&r, gslot(i), sizeof(r));
		*id = r.id, *op = r.operation, *status = r.status;
	}
}

/* Sends g, takes it, answers with its own status: the status. */
static int16_t verdict(const struct greq *g)
{
	static struct blkreq q;
	int16_t st;

	send(g);
	st = take1(&q);
	assert_int_equal(q.id, g->id);
	assert_int_equal(blkring_respond(R, q.id, q.op, st), 0);
	blkring_push(R);
	return st;
}

/* ---- tests ---- */

static void test_sizes(void **state)
{
	for (unsigned o = 0; o <= BLKRING_MAX_ORDER; o++) {
		attach(BLKRING_ABI_X86_64, o, 0);
		assert_int_equal(R->nr_ents, 32u << o);
		attach(BLKRING_ABI_X86_32, o, 0);
		assert_int_equal(R->nr_ents, 32u << o);
	}
}

static void test_read_both_abis(void **state)
{
	for (int a = 0; a < 2; a++) {
		static struct blkreq q;
		attach(a ? BLKRING_ABI_X86_32 : BLKRING_ABI_X86_64, a, 0);
		struct greq g = rw(BLKIF_OP_READ, 0x1122334455667788ull, 16, 3);
		g.seg[1] = (struct blkif_request_segment){ 77, 2, 5 };
		send(&g);
		assert_int_equal(blkring_begin(R), 1);
		assert_int_equal(blkring_take(R, &q), BLKRING_TOOK);
		assert_int_equal(blkring_take(R, &q) , BLKRING_NONE);
		/* re-read the q of the first take */
		assert_int_equal(q.status, BLKIF_RSP_OKAY);
		assert_int_equal(q.op, BLKIF_OP_READ);
		assert_true(q.id == 0x1122334455667788ull);
		assert_int_equal(q.sector, 16);
		assert_int_equal(q.nr_segs, 3);
		assert_int_equal(q.nr_sectors, 8 + 4 + 8);
		assert_int_equal(q.seg[1].gref, 77);
		assert_int_equal(q.seg[1].first_sect, 2);
		assert_int_equal(q.seg[1].last_sect, 5);
		assert_int_equal(blkring_in_flight(R), 1);
		assert_int_equal(blkring_respond(R, q.id, q.op, BLKIF_RSP_OKAY), 0);
		assert_true(blkring_push(R)); /* rsp_event was 1 */
		assert_int_equal(H()->rsp_prod, 1);
		uint64_t id;
		uint8_t op;
		int16_t st;
		rsp_at(0, &id, &op, &st);
		assert_true(id == 0x1122334455667788ull);
		assert_int_equal(op, BLKIF_OP_READ);
		assert_int_equal(st, 0);
		/* Nothing more to answer. */
		assert_int_equal(blkring_respond(R, 1, 0, 0), -1);
	}
}

static void test_segment_checks(void **state)
{
	struct greq g;

	for (int a = 0; a < 2; a++) {
		attach(a ? BLKRING_ABI_X86_32 : BLKRING_ABI_X86_64, 0, 0);
		g = rw(BLKIF_OP_READ, 1, 0, 0);
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);        /* no segments */
		g = rw(BLKIF_OP_WRITE, 1, 0, 0);
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
		g = rw(BLKIF_OP_READ, 2, 0, 11);
		assert_int_equal(verdict(&g), BLKIF_RSP_OKAY);         /* the most */
		g = rw(BLKIF_OP_READ, 3, 0, 11);
		g.nseg = 12;
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);        /* one too many */
		g.nseg = 255;
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
		g = rw(BLKIF_OP_READ, 4, 0, 2);
		g.seg[1].first_sect = 5, g.seg[1].last_sect = 4;
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);        /* out of order */
		g.seg[1].first_sect = 0, g.seg[1].last_sect = 8;
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);        /* past the page */
		g.seg[1].first_sect = 255, g.seg[1].last_sect = 255;
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
		g.seg[1].first_sect = 7, g.seg[1].last_sect = 7;
		assert_int_equal(verdict(&g), BLKIF_RSP_OKAY);         /* one sector */
		/* The end of the disk: the last 8 sectors, then one past. */
		g = rw(BLKIF_OP_READ, 5, DISK_SECTORS - 8, 1);
		assert_int_equal(verdict(&g), BLKIF_RSP_OKAY);
		g = rw(BLKIF_OP_READ, 6, DISK_SECTORS - 7, 1);
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
		g = rw(BLKIF_OP_WRITE, 7, DISK_SECTORS, 1);
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
		g = rw(BLKIF_OP_READ, 8, UINT64_MAX - 3, 1);           /* would wrap */
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
		g = rw(BLKIF_OP_READ, 9, UINT64_MAX, 11);
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
	}
}

static void test_sector_size_4k(void **state)
{
	struct greq g;

	disk.sector_size = 4096;
	attach(BLKRING_ABI_X86_64, 0, 0);
	g = rw(BLKIF_OP_READ, 1, 8, 2);
	assert_int_equal(verdict(&g), BLKIF_RSP_OKAY);
	g = rw(BLKIF_OP_READ, 2, 4, 1);                            /* sector not aligned */
	assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
	g = rw(BLKIF_OP_READ, 3, 8, 1);
	g.seg[0].first_sect = 1;                                   /* offset not aligned */
	assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
	g.seg[0].first_sect = 0, g.seg[0].last_sect = 3;           /* length not aligned */
	assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
	g = (struct greq){ .op = BLKIF_OP_DISCARD, .id = 4, .sector = 8, .nr_sectors = 4 };
	assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
	g.nr_sectors = 16;
	assert_int_equal(verdict(&g), BLKIF_RSP_OKAY);
	disk.sector_size = 512;
}

static void test_readonly_and_features(void **state)
{
	struct greq g;

	disk.readonly = true;
	disk.flush = false;
	disk.discard = false;
	attach(BLKRING_ABI_X86_64, 0, 0);
	g = rw(BLKIF_OP_READ, 1, 0, 1);
	assert_int_equal(verdict(&g), BLKIF_RSP_OKAY);
	g = rw(BLKIF_OP_WRITE, 2, 0, 1);
	assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
	g = rw(BLKIF_OP_FLUSH_DISKCACHE, 3, 0, 0);
	assert_int_equal(verdict(&g), BLKIF_RSP_EOPNOTSUPP);
	g = (struct greq){ .op = BLKIF_OP_DISCARD, .id = 4, .sector = 0, .nr_sectors = 8 };
	assert_int_equal(verdict(&g), BLKIF_RSP_EOPNOTSUPP);
	g = (struct greq){ .op = BLKIF_OP_INDIRECT, .indirect_op = BLKIF_OP_WRITE, .id = 5,
			   .nseg = 20, .ind = { 9 } };
	assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);            /* a write */
	disk.flush = disk.discard = true;
	attach(BLKRING_ABI_X86_64, 0, 0);
	g = rw(BLKIF_OP_FLUSH_DISKCACHE, 6, 0, 0);
	assert_int_equal(verdict(&g), BLKIF_RSP_OKAY);             /* a flush is no write */
	g = rw(BLKIF_OP_FLUSH_DISKCACHE, 6, UINT64_MAX, 0);
	assert_int_equal(verdict(&g), BLKIF_RSP_OKAY);             /* its sector means nothing */
	g = rw(BLKIF_OP_FLUSH_DISKCACHE, 7, 0, 2);
	assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);            /* with data it is */
	g = (struct greq){ .op = BLKIF_OP_DISCARD, .id = 8, .sector = 0, .nr_sectors = 8 };
	assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
	disk.readonly = false;
	attach(BLKRING_ABI_X86_64, 0, 0);
	g = rw(BLKIF_OP_FLUSH_DISKCACHE, 9, 0, 2);
	assert_int_equal(verdict(&g), BLKIF_RSP_OKAY);
	g = (struct greq){ .op = BLKIF_OP_DISCARD, .id = 10, .sector = 8, .nr_sectors = 16 };
	assert_int_equal(verdict(&g), BLKIF_RSP_OKAY);
	g.flag = BLKIF_DISCARD_SECURE;                             /* not offered */
	assert_int_equal(verdict(&g), BLKIF_RSP_EOPNOTSUPP);
	g = (struct greq){ .op = BLKIF_OP_DISCARD, .id = 11, .sector = DISK_SECTORS - 8,
			   .nr_sectors = 9 };
	assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
	g.sector = 1, g.nr_sectors = UINT64_MAX;
	assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
	g = rw(BLKIF_OP_WRITE_BARRIER, 12, 0, 1);
	assert_int_equal(verdict(&g), BLKIF_RSP_EOPNOTSUPP);
	g = rw(BLKIF_OP_RESERVED_1, 13, 0, 1);
	assert_int_equal(verdict(&g), BLKIF_RSP_EOPNOTSUPP);
	g = rw(200, 14, 0, 1);
	assert_int_equal(verdict(&g), BLKIF_RSP_EOPNOTSUPP);
	uint64_t id;
	uint8_t op;
	int16_t st;
	rsp_at(H()->rsp_prod - 1, &id, &op, &st);
	assert_int_equal(op, 200);                                 /* echoed as given */
}

static void test_indirect(void **state)
{
	static struct blkreq q;
	struct blkif_request_segment descs[BLKRING_MAX_INDIRECT];

	for (int a = 0; a < 2; a++) {
		attach(a ? BLKRING_ABI_X86_32 : BLKRING_ABI_X86_64, 1, 0);
		struct greq g = { .op = BLKIF_OP_INDIRECT, .indirect_op = BLKIF_OP_WRITE, .id = 42,
				  .sector = 64, .nseg = BLKRING_MAX_INDIRECT, .ind = { 500, 501 } };
		send(&g);
		assert_int_equal(take1(&q), BLKIF_RSP_OKAY);
		assert_int_equal(q.ring_op, BLKIF_OP_INDIRECT);
		assert_int_equal(q.op, BLKIF_OP_WRITE);
		assert_int_equal(q.id, 42);
		assert_int_equal(q.nr_indirect, 1);
		assert_int_equal(q.indirect[0], 500);
		assert_int_equal(q.nr_indirect_bytes, BLKRING_MAX_INDIRECT * 8);
		for (unsigned i = 0; i < BLKRING_MAX_INDIRECT; i++)
			descs[i] = (struct blkif_request_segment){ 1000 + i, 0, 7 };
		blkring_indirect(R, &q, descs);
		assert_int_equal(q.status, BLKIF_RSP_OKAY);
		assert_int_equal(q.nr_indirect, 0);
		assert_int_equal(q.nr_sectors, 8 * BLKRING_MAX_INDIRECT);
		assert_int_equal(q.seg[255].gref, 1255);
		assert_int_equal(blkring_respond(R, q.id, q.op, q.status), 0);
		/* Garbage in the indirect page. */
		send(&g);
		assert_int_equal(take1(&q), BLKIF_RSP_OKAY);
		memset(descs, 0xee, sizeof(descs));
		blkring_indirect(R, &q, descs);
		assert_int_equal(q.status, BLKIF_RSP_ERROR);
		assert_int_equal(blkring_respond(R, q.id, q.op, q.status), 0);
		/* Descriptors that run past the disk's end. */
		g.sector = DISK_SECTORS - 8;
		send(&g);
		assert_int_equal(take1(&q), BLKIF_RSP_OKAY);
		for (unsigned i = 0; i < BLKRING_MAX_INDIRECT; i++)
			descs[i] = (struct blkif_request_segment){ 1000 + i, 0, 7 };
		blkring_indirect(R, &q, descs);
		assert_int_equal(q.status, BLKIF_RSP_ERROR);
		blkring_respond(R, q.id, q.op, q.status);
		/* Header refusals: too many segments, none, a bad inner op. */
		g.sector = 0;
		g.nseg = BLKRING_MAX_INDIRECT + 1;
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
		g.nseg = 0xffff;
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
		g.nseg = 0;
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
		g.nseg = 12;
		g.indirect_op = BLKIF_OP_INDIRECT;
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
		g.indirect_op = BLKIF_OP_DISCARD;
		assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
		g.indirect_op = BLKIF_OP_READ;
		assert_int_equal(verdict(&g), BLKIF_RSP_OKAY);
		uint64_t id;
		uint8_t op;
		int16_t st;
		rsp_at(H()->rsp_prod - 1, &id, &op, &st);
		assert_int_equal(op, BLKIF_OP_READ);                  /* indirect_op echoed */
	}
	/* Not offered: EOPNOTSUPP. */
	disk.max_indirect = 0;
	attach(BLKRING_ABI_X86_64, 0, 0);
	struct greq g = { .op = BLKIF_OP_INDIRECT, .indirect_op = BLKIF_OP_READ, .id = 1, .nseg = 12 };
	assert_int_equal(verdict(&g), BLKIF_RSP_EOPNOTSUPP);
	disk.max_indirect = 32;                                    /* fewer offered */
	attach(BLKRING_ABI_X86_64, 0, 0);
	g.nseg = 33;
	assert_int_equal(verdict(&g), BLKIF_RSP_ERROR);
	g.nseg = 32;
	send(&g);
	assert_int_equal(take1(&q), BLKIF_RSP_OKAY);
	disk.max_indirect = BLKRING_MAX_INDIRECT;
}

/* Requests and responses through indices that start just before 2^32. */
static void test_wraparound(void **state)
{
	static struct blkreq q;

	for (int a = 0; a < 2; a++) {
		attach(a ? BLKRING_ABI_X86_32 : BLKRING_ABI_X86_64, 0, UINT32_MAX - 40);
		for (unsigned round = 0; round < 200; round++) {
			unsigned n = 1 + round % 32;
			for (unsigned i = 0; i < n; i++) {
				struct greq g = rw(BLKIF_OP_READ, round * 100 + i, i, 1 + i % 11);
				send(&g);
			}
			assert_int_equal(blkring_begin(R), (int)n);
			for (unsigned i = 0; i < n; i++) {
				assert_int_equal(blkring_take(R, &q), BLKRING_TOOK);
				assert_int_equal(q.status, 0);
				assert_int_equal(q.id, round * 100 + i);
				assert_int_equal(q.nr_segs, 1 + i % 11);
			}
			/* Answered in reverse order: responses fill slots in order. */
			for (unsigned i = n; i-- > 0;)
				assert_int_equal(blkring_respond(R, round * 100 + i, 0, 0), 0);
			blkring_push(R);
			for (unsigned i = 0; i < n; i++) {
				uint64_t id;
				uint8_t op;
				int16_t st;
				rsp_at(H()->rsp_prod - n + i, &id, &op, &st);
				assert_int_equal(id, round * 100 + (n - 1 - i));
			}
			H()->rsp_event = H()->rsp_prod + 1;
		}
		assert_true(R->req_cons < UINT32_MAX - 40); /* it wrapped */
	}
}

/* The guest rewrites a slot after it was taken: the request stays as read. */
static void test_copy_first(void **state)
{
	static struct blkreq q;
	struct greq g = rw(BLKIF_OP_READ, 5, 8, 2);

	attach(BLKRING_ABI_X86_64, 0, 0);
	send(&g);
	assert_int_equal(take1(&q), 0);
	memset(gslot(0), 0xff, esize());
	assert_int_equal(q.id, 5);
	assert_int_equal(q.nr_segs, 2);
	assert_int_equal(q.seg[0].gref, 100);
	/* The response is written whole over whatever is there. */
	assert_int_equal(blkring_respond(R, q.id, q.op, 0), 0);
	struct blkif_response r;
	memcpy(&r, gslot(0), sizeof(r));
	assert_int_equal(r.id, 5);
	assert_int_equal(r.status, 0);
	assert_int_equal(gslot(0)[9], 0); /* padding zeroed */
}

static void test_broken(void **state)
{
	static struct blkreq q;

	/* A producer more than a ring ahead. */
	attach(BLKRING_ABI_X86_64, 0, 1000);
	H()->req_prod = 1000 + 33;
	assert_int_equal(blkring_begin(R), BLKRING_BROKEN);
	assert_int_equal(blkring_begin(R), 0);                 /* said once */
	assert_int_equal(blkring_take(R, &q), BLKRING_NONE);
	assert_int_equal(blkring_respond(R, 1, 0, 0), -1);
	assert_false(blkring_push(R));
	assert_false(blkring_final_check(R));
	/* Exactly a ring ahead is fine. */
	attach(BLKRING_ABI_X86_64, 0, 1000);
	for (unsigned i = 0; i < 32; i++) {
		struct greq g = rw(BLKIF_OP_READ, i, 0, 1);
		send(&g);
	}
	assert_int_equal(blkring_begin(R), 32);
	assert_int_equal(blkring_take(R, &q), BLKRING_TOOK);
	/* One request more while the 32 are unanswered: broken. */
	H()->req_prod++;
	assert_int_equal(blkring_begin(R), BLKRING_BROKEN);
	/* A producer that goes back behind what was taken. */
	attach(BLKRING_ABI_X86_32, 0, 50);
	for (unsigned i = 0; i < 4; i++) {
		struct greq g = rw(BLKIF_OP_READ, i, 0, 1);
		send(&g);
	}
	blkring_begin(R);
	for (unsigned i = 0; i < 4; i++)
		blkring_take(R, &q);
	blkring_respond(R, 0, 0, 0);
	H()->req_prod = 52; /* behind req_cons (54), ahead of responses (51) */
	assert_int_equal(blkring_begin(R), BLKRING_BROKEN);
	/* Far behind. */
	attach(BLKRING_ABI_X86_64, 0, 50);
	H()->req_prod = 10;
	assert_int_equal(blkring_begin(R), BLKRING_BROKEN);
	/* Nonsense before we even attach. */
	free(mem);
	mem = calloc(1, 4096);
	H()->req_prod = 500;
	assert_int_equal(blkring_init(R, mem, 0, BLKRING_ABI_X86_64, &disk), BLKRING_BROKEN);
	/* A final check sees the bad producer as work (the next begin breaks). */
	attach(BLKRING_ABI_X86_64, 0, 0);
	H()->req_prod = 0x80000000u;
	assert_true(blkring_final_check(R));
	assert_int_equal(blkring_begin(R), BLKRING_BROKEN);
}

/* rsp_event: notify only when the guest's event index was passed. */
static void test_notify_responses(void **state)
{
	static struct blkreq q;

	attach(BLKRING_ABI_X86_64, 0, 0);
	for (unsigned i = 0; i < 8; i++) {
		struct greq g = rw(BLKIF_OP_READ, i, 0, 1);
		send(&g);
	}
	blkring_begin(R);
	for (unsigned i = 0; i < 8; i++)
		blkring_take(R, &q);
	/* rsp_event = 1: the first batch notifies once, whatever its size. */
	for (unsigned i = 0; i < 3; i++)
		blkring_respond(R, i, 0, 0);
	assert_true(blkring_push(R));
	assert_int_equal(H()->rsp_prod, 3);
	/* The guest has not re-armed (rsp_event still 1): no event. */
	blkring_respond(R, 3, 0, 0);
	assert_false(blkring_push(R));
	/* Nothing new: nothing published, no event. */
	assert_false(blkring_push(R));
	assert_int_equal(R->st.pushes, 2);
	/* Re-armed at the next one. */
	H()->rsp_event = H()->rsp_prod + 1;
	blkring_respond(R, 4, 0, 0);
	assert_true(blkring_push(R));
	/* The guest wants a batch: an event when the 8th response is out. */
	H()->rsp_event = 8;
	blkring_respond(R, 5, 0, 0);
	blkring_respond(R, 6, 0, 0);
	assert_false(blkring_push(R));
	blkring_respond(R, 7, 0, 0);
	assert_true(blkring_push(R));
	assert_int_equal(R->st.notifies, 3);
	/* Across the 2^32 wrap. */
	attach(BLKRING_ABI_X86_64, 0, UINT32_MAX - 1);
	for (unsigned i = 0; i < 4; i++) {
		struct greq g = rw(BLKIF_OP_READ, i, 0, 1);
		send(&g);
	}
	blkring_begin(R);
	for (unsigned i = 0; i < 4; i++)
		blkring_take(R, &q);
	H()->rsp_event = 1; /* = UINT32_MAX - 1 + 3 */
	blkring_respond(R, 0, 0, 0);
	blkring_respond(R, 1, 0, 0);
	assert_false(blkring_push(R));
	blkring_respond(R, 2, 0, 0);
	assert_true(blkring_push(R));
}

/* req_event: the backend asks for an event only once it ran dry. */
static void test_notify_requests(void **state)
{
	static struct blkreq q;

	attach(BLKRING_ABI_X86_64, 0, 0);
	H()->req_event = 12345;
	assert_false(blkring_final_check(R));
	assert_int_equal(H()->req_event, 1);
	struct greq g = rw(BLKIF_OP_READ, 1, 0, 1);
	send(&g);
	/* The guest's own rule: notify iff req_event in (old, new]. */
	assert_true(XEN_RING_NOTIFY(0, 1, H()->req_event));
	/* Work waits: no re-arm, true. */
	H()->req_event = 99;
	assert_true(blkring_final_check(R));
	assert_int_equal(H()->req_event, 99);
	assert_int_equal(blkring_begin(R), 1);
	/* Taken but seen requests left: still work. */
	send(&g);
	send(&g);
	blkring_begin(R);
	blkring_take(R, &q);
	assert_true(blkring_final_check(R));
	blkring_take(R, &q);
	blkring_take(R, &q);
	assert_false(blkring_final_check(R));
	assert_int_equal(H()->req_event, 4);
	/* A request that arrives after: the guest notifies (4 in (3, 4]). */
	assert_true(XEN_RING_NOTIFY(3, 4, H()->req_event));
}

static void test_budget(void **state)
{
	static struct blkreq q;
	unsigned total = 0;

	attach(BLKRING_ABI_X86_64, 2, 0);
	for (unsigned i = 0; i < 100; i++) {
		struct greq g = rw(BLKIF_OP_READ, i, 0, 1);
		send(&g);
	}
	R->budget = 30;
	for (unsigned call = 0; call < 10 && total < 100; call++) {
		int got = 0, rc;
		blkring_begin(R);
		while ((rc = blkring_take(R, &q)) == BLKRING_TOOK) {
			assert_int_equal(q.id, total);
			got++, total++;
			blkring_respond(R, q.id, q.op, 0);
		}
		assert_true(got <= 30);
		assert_int_equal(rc, total < 100 ? BLKRING_BUDGET_LEFT : BLKRING_NONE);
		assert_true(blkring_final_check(R) == (total < 100));
	}
	assert_int_equal(total, 100);
	assert_int_equal(R->st.budget_stops, 3);
	assert_int_equal(R->st.requests, 100);
}

/* Random rings: garbage in the slots and the indirect pages, random
 * indices and disks, random answers; nothing may crash or run off, and
 * what is accepted must be within the rules. */
static void test_fuzz(void **state)
{
	const char *env = getenv("BLKRING_FUZZ_ITERS");
	unsigned long iters = env ? strtoul(env, NULL, 10) : 200000;
	static struct blkreq q;
	uint8_t descs[BLKRING_MAX_INDIRECT * 8];

	srand(12345);
	for (unsigned long it = 0; it < iters;) {
		disk = (struct blkring_disk){ (uint64_t)(rand() % 5000), rand() % 3 ? 512 : 4096,
					      rand() % 2 ? BLKRING_MAX_INDIRECT : (unsigned)(rand() % 40),
					      rand() % 2, rand() % 2, rand() % 2 };
		attach(rand() % 2 ? BLKRING_ABI_X86_32 : BLKRING_ABI_X86_64,
		       (unsigned)rand() % (BLKRING_MAX_ORDER + 1), (RING_IDX)rand() * 7919u);
		for (unsigned round = 0; round < 50 && it < iters; round++, it++) {
			uint32_t n = (uint32_t)rand() % (R->nr_ents + 2);
			for (uint32_t i = 0; i < n; i++) {
				uint8_t *s = gslot(H()->req_prod + i);
				for (size_t b = 0; b < esize(); b++)
					s[b] = (uint8_t)rand();
				if (rand() % 2)
					s[0] = (uint8_t)(rand() % 8);
			}
			H()->req_prod += rand() % 50 ? n : (uint32_t)rand();
			int rc = blkring_begin(R);
			if (rc == BLKRING_BROKEN || R->broken)
				break;
			while (blkring_take(R, &q) == BLKRING_TOOK) {
				if (q.status == BLKIF_RSP_OKAY && q.nr_indirect) {
					assert_true(q.nr_indirect_bytes <= sizeof(descs));
					for (size_t b = 0; b < q.nr_indirect_bytes; b++)
						descs[b] = (uint8_t)(rand() % 4 ? rand() % 8 : rand());
					blkring_indirect(R, &q, descs);
				}
				assert_true(q.status == 0 || q.status == -1 || q.status == -2);
				if (q.status == 0 && q.op != BLKIF_OP_DISCARD) {
					uint64_t total = 0;
					assert_true(q.nr_segs <= BLKRING_MAX_INDIRECT);
					for (unsigned i = 0; i < q.nr_segs; i++) {
						assert_true(q.seg[i].first_sect <= q.seg[i].last_sect);
						assert_true(q.seg[i].last_sect <= 7);
						total += q.seg[i].last_sect - q.seg[i].first_sect + 1u;
					}
					assert_true(total == q.nr_sectors);
					assert_true(!q.nr_segs || q.sector + total <= disk.sectors);
					assert_true(!disk.readonly || q.op == BLKIF_OP_READ || !q.nr_segs);
				}
				if (q.status == 0 && q.op == BLKIF_OP_DISCARD)
					assert_true(q.sector + q.nr_sectors <= disk.sectors && !disk.readonly);
				assert_int_equal(blkring_respond(R, q.id, q.op, q.status), 0);
			}
			assert_true(blkring_in_flight(R) == 0);
			blkring_push(R);
			assert_true((RING_IDX)(H()->rsp_prod - R->rsp_prod) == 0);
			if (rand() % 3 == 0)
				H()->rsp_event = (RING_IDX)rand();
			blkring_final_check(R);
		}
	}
	disk = (struct blkring_disk){ DISK_SECTORS, 512, BLKRING_MAX_INDIRECT, false, true, true };
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_sizes),
		T(test_read_both_abis),
		T(test_segment_checks),
		T(test_sector_size_4k),
		T(test_readonly_and_features),
		T(test_indirect),
		T(test_wraparound),
		T(test_copy_first),
		T(test_broken),
		T(test_notify_responses),
		T(test_notify_requests),
		T(test_budget),
		T(test_fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
