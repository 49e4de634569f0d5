/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant table core: the flag rules of a use (type, domid, read-only,
 * ranges, nesting, a guest rewriting the entry under the check), copy
 * argument checks, setup/query arithmetic, the maptrack and the mapper's
 * death, then a long random run of hostile operations checking that the
 * guest-visible GTF_reading/GTF_writing always match the uses outstanding.
 *
 * Three domains: 0 maps and copies (the management domain), 1 and 2 grant.
 * Each owns NPAGES of fake RAM at guest frames RAM_GFN.., and a grant table
 * of one frame (growable to MAXF).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "kernel/gnttab.h"

/* Live uses of the whole table: readers and writers of every entry. */
static uint64_t gnttab_uses(const struct gnttab *gt)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < gt->nr_frames * GNTTAB_PER_FRAME; i++)
		n += (uint64_t)gt->active[i].readers + gt->active[i].writers;
	return n;
}

#define NDOM 3
#define NPAGES 8
#define RAM_GFN 0x100u
#define MAXF 4u
#define NENT (MAXF * GNTTAB_PER_FRAME)
#define MTSIZE 4

struct world {
	struct gnttab gt[NDOM];
	struct gnttab_active act[NDOM][NENT];
	struct grant_entry_v1 shared[NDOM][NENT];
	uint8_t ram[NDOM][NPAGES][GNTTAB_PAGE_SIZE];
	struct gnttab_mapping map[MTSIZE];
	struct gnttab_maptrack mt;
	struct gnttab_env env;
	unsigned drops;
};

static struct gnttab *w_table(void *opaque, domid_t d)
{
	struct world *w = opaque;

	return d < NDOM ? &w->gt[d] : NULL;
}

static void *w_page(void *opaque, domid_t d, uint64_t gfn, bool write)
{
	struct world *w = opaque;

	if (d >= NDOM || gfn < RAM_GFN || gfn >= RAM_GFN + NPAGES)
		return NULL;
	return w->ram[d][gfn - RAM_GFN];
}

static struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof(*w));

	for (domid_t d = 0; d < NDOM; d++) {
		assert_int_equal(gnttab_init(&w->gt[d], d, w->act[d], MAXF), 0);
		assert_int_equal(gnttab_grow(&w->gt[d], w->shared[d], 1), 0);
	}
	gnttab_maptrack_init(&w->mt, w->map, MTSIZE);
	w->env = (struct gnttab_env){ w, 0, w_table, w_page, false };
	return w;
}

static void grant(struct world *w, domid_t granter, grant_ref_t ref, uint16_t flags,
		  domid_t to, uint32_t frame)
{
	w->shared[granter][ref] = (struct grant_entry_v1){ flags, to, frame };
}

static uint16_t gflags(struct world *w, domid_t granter, grant_ref_t ref)
{
	return w->shared[granter][ref].flags;
}

#define PA GTF_permit_access
#define RO GTF_readonly
#define RD GTF_reading
#define WR GTF_writing
#define W GNTTAB_USE_WRITE
#define MAP GNTTAB_USE_MAP

/* A refused use leaves the entry exactly as it was. */
static void refuse(struct world *w, grant_ref_t ref, domid_t user, unsigned how, int want)
{
	grant_ref_t r = ref < NENT ? ref : 0;
	struct grant_entry_v1 before = w->shared[1][r];
	uint32_t frame = 0xdead;

	assert_int_equal(gnttab_acquire(&w->gt[1], ref, user, how, &frame), want);
	assert_memory_equal(&before, &w->shared[1][r], sizeof(before));
	assert_int_equal(frame, 0xdead);
	assert_int_equal(gnttab_uses(&w->gt[1]), 0);
}

static void test_flag_rules(void **state)
{
	struct world *w = world_new();
	uint32_t frame;

	grant(w, 1, 1, GTF_invalid, 0, RAM_GFN);
	refuse(w, 1, 0, 0, GNTST_general_error);
	grant(w, 1, 2, GTF_accept_transfer, 0, RAM_GFN);
	refuse(w, 2, 0, 0, GNTST_general_error);
	grant(w, 1, 3, GTF_transitive, 0, RAM_GFN);
	refuse(w, 3, 0, 0, GNTST_general_error);
	grant(w, 1, 4, PA, 2, RAM_GFN);               /* granted to someone else */
	refuse(w, 4, 0, 0, GNTST_general_error);
	refuse(w, 4, 0, W, GNTST_general_error);
	grant(w, 1, 5, PA | RO, 0, RAM_GFN);
	refuse(w, 5, 0, W, GNTST_general_error);
	refuse(w, 5, 0, W | MAP, GNTST_general_error);
	grant(w, 1, 6, PA | GTF_sub_page, 0, RAM_GFN); /* copy only */
	refuse(w, 6, 0, MAP, GNTST_general_error);
	refuse(w, GNTTAB_PER_FRAME, 0, 0, GNTST_bad_gntref); /* table is 1 frame */
	refuse(w, 0xffffffffu, 0, W, GNTST_bad_gntref);
	assert_int_equal(gnttab_release(&w->gt[1], 5, 0), -EINVAL);
	assert_int_equal(gnttab_release(&w->gt[1], 1u << 31, 0), -EINVAL);

	assert_int_equal(gnttab_acquire(&w->gt[1], 5, 0, MAP, &frame), GNTST_okay);
	assert_int_equal(frame, RAM_GFN);
	assert_int_equal(gflags(w, 1, 5), PA | RO | RD);
	assert_int_equal(gnttab_acquire(&w->gt[1], 6, 0, 0, &frame), GNTST_okay);
	assert_int_equal(gflags(w, 1, 6), PA | GTF_sub_page | RD);
	/* Once in use, another domain is refused even if the guest re-grants. */
	w->shared[1][5].domid = 2;
	assert_int_equal(gnttab_acquire(&w->gt[1], 5, 2, 0, &frame), GNTST_general_error);
	assert_int_equal(gnttab_release(&w->gt[1], 5, W), -EINVAL); /* no write use */
	assert_int_equal(gnttab_release(&w->gt[1], 5, MAP), 0);
	assert_int_equal(gnttab_release(&w->gt[1], 6, 0), 0);
	assert_int_equal(gflags(w, 1, 5), PA | RO);
	assert_int_equal(gnttab_release(&w->gt[1], 5, 0), -EINVAL);
	free(w);
}

static void test_nesting(void **state)
{
	struct world *w = world_new();
	struct gnttab *gt = &w->gt[1];
	uint32_t frame;

	grant(w, 1, 7, PA, 0, RAM_GFN + 3);
	assert_int_equal(gnttab_acquire(gt, 7, 0, 0, &frame), GNTST_okay);
	assert_int_equal(gflags(w, 1, 7), PA | RD);
	w->shared[1][7].frame = RAM_GFN + 4; /* later uses keep the first frame */
	assert_int_equal(gnttab_acquire(gt, 7, 0, W, &frame), GNTST_okay);
	assert_int_equal(frame, RAM_GFN + 3);
	assert_int_equal(gflags(w, 1, 7), PA | RD | WR);
	assert_int_equal(gnttab_acquire(gt, 7, 0, W | MAP, &frame), GNTST_okay);
	assert_int_equal(gnttab_acquire(gt, 7, 0, 0, &frame), GNTST_okay);
	assert_int_equal(gt->active[7].readers, 2);
	assert_int_equal(gt->active[7].writers, 2);
	assert_int_equal(gnttab_release(gt, 7, W), 0);
	assert_int_equal(gflags(w, 1, 7), PA | RD | WR);
	assert_int_equal(gnttab_release(gt, 7, W), 0);
	assert_int_equal(gflags(w, 1, 7), PA | RD);      /* last writer gone */
	assert_int_equal(gnttab_release(gt, 7, 0), 0);
	assert_int_equal(gflags(w, 1, 7), PA | RD);
	/* The guest turned it read-only meanwhile: no new writer. */
	w->shared[1][7].flags |= RO;
	assert_int_equal(gnttab_acquire(gt, 7, 0, W, &frame), GNTST_general_error);
	assert_int_equal(gnttab_release(gt, 7, 0), 0);
	assert_int_equal(gflags(w, 1, 7), PA | RO);      /* last use gone */
	assert_int_equal(gnttab_uses(gt), 0);
	free(w);
}

/* The guest rewrites the entry between our read of it and the CAS. */
static void test_race_staged(void **state)
{
	struct world *w = world_new();
	struct gnttab *gt = &w->gt[1];
	uint32_t frame, seen;

	grant(w, 1, 9, PA, 0, RAM_GFN);
	seen = PA | 0u << 16;
	w->shared[1][9].domid = 2;                   /* revoked and re-granted */
	assert_int_equal(gnttab_acquire_from(gt, 9, 0, W, seen, &frame), GNTST_general_error);
	assert_int_equal(gflags(w, 1, 9), PA);
	assert_int_equal(w->shared[1][9].domid, 2);
	w->shared[1][9] = (struct grant_entry_v1){ GTF_invalid, 0, RAM_GFN }; /* revoked */
	assert_int_equal(gnttab_acquire_from(gt, 9, 0, 0, seen, &frame), GNTST_general_error);
	assert_int_equal(gflags(w, 1, 9), 0);
	w->shared[1][9] = (struct grant_entry_v1){ PA | RO, 0, RAM_GFN }; /* made r/o */
	assert_int_equal(gnttab_acquire_from(gt, 9, 0, W, seen, &frame), GNTST_general_error);
	assert_int_equal(gflags(w, 1, 9), PA | RO);
	/* A harmless change (cache attribute) is kept, and the use goes on. */
	w->shared[1][9] = (struct grant_entry_v1){ PA | GTF_PWT, 0, RAM_GFN };
	assert_int_equal(gnttab_acquire_from(gt, 9, 0, W, seen, &frame), GNTST_okay);
	assert_int_equal(gflags(w, 1, 9), PA | GTF_PWT | RD | WR);
	assert_int_equal(gnttab_release(gt, 9, W), 0);
	assert_int_equal(gflags(w, 1, 9), PA | GTF_PWT);
	assert_int_equal(gnttab_uses(gt), 0);
	free(w);
}

struct racer {
	uint32_t *word;
	volatile int stop;
	unsigned long flips;
};

/* A guest that keeps flipping domid and read-only, the way it may: by CAS,
 * leaving our GTF_reading/GTF_writing alone. */
static void *race_guest(void *arg)
{
	struct racer *r = arg;
	uint32_t v = __atomic_load_n(r->word, __ATOMIC_RELAXED);

	while (!r->stop) {
		uint32_t nv = v ^ (r->flips & 1 ? (1u << 16) : GTF_readonly);
		if (__atomic_compare_exchange_n(r->word, &v, nv, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			r->flips++;
	}
	return NULL;
}

static void test_race_thread(void **state)
{
	struct world *w = world_new();
	struct gnttab *gt = &w->gt[1];
	struct racer r = { (uint32_t *)(void *)&w->shared[1][11], 0, 0 };
	unsigned ok = 0, refused = 0;
	pthread_t t;

	grant(w, 1, 11, PA, 0, RAM_GFN);
	assert_int_equal(pthread_create(&t, NULL, race_guest, &r), 0);
	for (int i = 0; i < 200000; i++) {
		uint32_t frame, word;
		unsigned how = i & 1 ? W : 0;
		int rc = gnttab_acquire(gt, 11, 0, how, &frame);

		if (rc != GNTST_okay) {
			assert_int_equal(rc, GNTST_general_error);
			refused++;
			continue;
		}
		ok++;
		word = __atomic_load_n(r.word, __ATOMIC_SEQ_CST);
		assert_true(word & RD);
		if (how & W)
			assert_true(word & WR);
		assert_int_equal(gnttab_release(gt, 11, how), 0);
	}
	r.stop = 1;
	pthread_join(t, NULL);
	assert_int_equal(gflags(w, 1, 11) & (RD | WR), 0);
	print_message("race: %u uses, %u refused, %lu guest flips\n", ok, refused, r.flips);
	free(w);
}

static struct gnttab_copy cop(uint16_t flags, domid_t sd, uint64_t s, uint16_t so,
			      domid_t dd, uint64_t d, uint16_t doff, uint16_t len)
{
	struct gnttab_copy op = { .len = len, .flags = flags };

	op.source.domid = sd, op.source.offset = so, op.dest.domid = dd, op.dest.offset = doff;
	if (flags & GNTCOPY_source_gref)
		op.source.u.ref = (grant_ref_t)s;
	else
		op.source.u.gmfn = s;
	if (flags & GNTCOPY_dest_gref)
		op.dest.u.ref = (grant_ref_t)d;
	else
		op.dest.u.gmfn = d;
	return op;
}

#define SG GNTCOPY_source_gref
#define DG GNTCOPY_dest_gref
#define SELF DOMID_SELF

static void test_copy(void **state)
{
	struct world *w = world_new();
	struct gnttab_copy_plan plan;
	struct {
		struct gnttab_copy op;
		int want;
	} rows[] = {
		{ cop(SG, 1, 1, 4000, SELF, RAM_GFN, 0, 97), GNTST_bad_copy_arg },
		{ cop(SG, 1, 1, 0, SELF, RAM_GFN, 4000, 97), GNTST_bad_copy_arg },
		{ cop(SG | DG, 1, 1, 0xffff, 2, 1, 0, 0xffff), GNTST_bad_copy_arg },
		{ cop(0, 1, RAM_GFN, 0, SELF, RAM_GFN, 0, 8), GNTST_permission_denied },
		{ cop(SG, 1, 1, 0, 2, RAM_GFN, 0, 8), GNTST_permission_denied },
		{ cop(SG, 7, 1, 0, SELF, RAM_GFN, 0, 8), GNTST_bad_domain },
		{ cop(SG, DOMID_INVALID, 1, 0, SELF, RAM_GFN, 0, 8), GNTST_bad_domain },
		{ cop(SG | DG, 1, 1, 0, 0x7ff2, 1, 0, 8), GNTST_bad_domain },
		{ cop(SG, 1, 600, 0, SELF, RAM_GFN, 0, 8), GNTST_bad_gntref },
		{ cop(SG, 1, 2, 0, SELF, RAM_GFN, 0, 8), GNTST_general_error }, /* to dom 2 */
		{ cop(SG, 1, 3, 0, SELF, RAM_GFN, 0, 8), GNTST_bad_page }, /* frame not RAM */
		{ cop(SG, 1, 1, 0, SELF, 0x99, 0, 8), GNTST_bad_page },    /* bad gmfn */
		{ cop(0, SELF, 0x99, 0, SELF, RAM_GFN, 0, 8), GNTST_bad_page },
		{ cop(SG | DG, 1, 1, 0, 2, 5, 0, 8), GNTST_general_error }, /* dest r/o */
		{ cop(SG | DG, 1, 1, 0, 2, 4, 0, 8), GNTST_okay },
		{ cop(SG, 1, 1, 100, SELF, RAM_GFN + 1, 200, 0), GNTST_okay }, /* len 0 */
		{ cop(SG, 1, 1, 0, SELF, RAM_GFN, 0, 4096), GNTST_okay },
		{ cop(DG, SELF, RAM_GFN + 2, 10, 2, 4, 20, 30), GNTST_okay },
		{ cop(SG | DG, 1, 1, 0, 1, 1, 8, 8), GNTST_general_error }, /* r/o both */
		{ cop(SG | DG, 2, 4, 0, 2, 4, 100, 50), GNTST_okay },   /* same page */
	};
	struct gnttab_copy ops[sizeof(rows) / sizeof(rows[0])];
	unsigned n = sizeof(rows) / sizeof(rows[0]), want_fail = 0;

	grant(w, 1, 1, PA | RO, 0, RAM_GFN + 1);
	grant(w, 1, 2, PA, 2, RAM_GFN + 1);
	grant(w, 1, 3, PA, 0, 0x5000);
	grant(w, 2, 4, PA, 0, RAM_GFN + 6);
	grant(w, 2, 5, PA | RO, 0, RAM_GFN + 6);
	for (unsigned i = 0; i < GNTTAB_PAGE_SIZE; i++) {
		w->ram[1][1][i] = (uint8_t)i;
		w->ram[0][2][i] = (uint8_t)(i * 7);
	}
	for (unsigned i = 0; i < n; i++) {
		int rc = gnttab_copy_check(&w->env, &rows[i].op, &plan);

		if (rc != rows[i].want)
			fail_msg("row %u: %d, want %d", i, rc, rows[i].want);
		if (rc == GNTST_okay) {
			assert_true(w->shared[2][4].flags & RD || w->shared[1][1].flags & RD);
			gnttab_copy_done(&plan);
		}
		for (domid_t d = 1; d < NDOM; d++)
			assert_int_equal(gnttab_uses(&w->gt[d]), 0);
		assert_int_equal(gflags(w, 1, 1), PA | RO);
		assert_int_equal(gflags(w, 2, 4), PA);
		ops[i] = rows[i].op;
		ops[i].status = 99;
		want_fail += rows[i].want != GNTST_okay;
	}
	assert_int_equal(gnttab_copy_batch(&w->env, ops, n), want_fail);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(ops[i].status, rows[i].want);
	assert_memory_equal(w->ram[0][0], w->ram[1][1], GNTTAB_PAGE_SIZE);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(w->ram[2][6][i], w->ram[1][1][i]);
	for (unsigned i = 0; i < 30; i++)
		assert_int_equal(w->ram[2][6][20 + i], (uint8_t)((10 + i) * 7));
	for (unsigned i = 0; i < 50; i++)   /* the same-page row ran last */
		assert_int_equal(w->ram[2][6][100 + i], i < 8 ? (uint8_t)i : i < 20 ? 0 :
				 (uint8_t)((10 + i - 20) * 7));
	free(w);
}

static void test_setup(void **state)
{
	struct world *w = world_new();
	struct gnttab *gt = &w->gt[2];
	struct gnttab_query_size q = { .dom = SELF, .status = 5 };
	struct gnttab_set_version v = { 2 };
	struct gnttab t;
	uint32_t to = 0;

	assert_int_equal(gnttab_init(&t, 3, w->act[0], 0), -EINVAL);
	assert_int_equal(gnttab_init(&t, 3, w->act[0], GNTTAB_MAX_FRAMES + 1), -EINVAL);
	assert_int_equal(gnttab_init(&t, 3, NULL, 1), -EINVAL);
	assert_int_equal(gnttab_setup_check(gt, MAXF + 1, &to), GNTST_general_error);
	assert_int_equal(gnttab_setup_check(gt, 0xffffffffu, &to), GNTST_general_error);
	assert_int_equal(to, 0);
	assert_int_equal(gnttab_setup_check(gt, 0, &to), GNTST_okay);
	assert_int_equal(to, 1); /* never shrinks */
	assert_int_equal(gnttab_setup_check(gt, 3, &to), GNTST_okay);
	assert_int_equal(to, 3);
	assert_int_equal(gnttab_grow(gt, w->shared[2], 0), -EINVAL);
	assert_int_equal(gnttab_grow(gt, w->shared[2], MAXF + 1), -EINVAL);
	assert_int_equal(gnttab_grow(gt, NULL, 3), -EINVAL);
	assert_int_equal(gnttab_grow(gt, w->shared[2], 3), 0);
	gnttab_query_size(gt, &q);
	assert_int_equal(q.nr_frames, 3);
	assert_int_equal(q.max_nr_frames, MAXF);
	assert_int_equal(q.status, GNTST_okay);
	grant(w, 2, 3 * GNTTAB_PER_FRAME - 1, PA, 0, RAM_GFN);
	uint32_t frame;
	assert_int_equal(gnttab_acquire(gt, 3 * GNTTAB_PER_FRAME - 1, 0, 0, &frame), 0);
	assert_int_equal(gnttab_acquire(gt, 3 * GNTTAB_PER_FRAME, 0, 0, &frame),
			 GNTST_bad_gntref);
	assert_int_equal(gnttab_set_version(&v), -ENOSYS);
	assert_int_equal(v.version, 1);
	v.version = 1;
	assert_int_equal(gnttab_set_version(&v), 0);
	v.version = 0;
	assert_int_equal(gnttab_set_version(&v), -EINVAL);
	assert_int_equal(v.version, 1);
	free(w);
}

static int map(struct world *w, domid_t dom, grant_ref_t ref, uint32_t flags, uint64_t addr,
	       grant_handle_t *h)
{
	struct gnttab_map_grant_ref op = { .host_addr = addr, .flags = flags, .ref = ref,
					   .dom = dom, .handle = 0xbad };
	struct gnttab_mapping m;
	uint32_t used = w->mt.used;
	int rc = gnttab_map(&w->env, &w->mt, &op, &m);

	if (rc == GNTST_okay) {
		assert_int_equal(w->mt.used, used + 1);
		assert_int_equal(m.gfn * GNTTAB_PAGE_SIZE, addr);
		assert_int_equal(m.domid, dom);
		assert_ptr_equal(m.host, w->ram[dom][w->act[dom][ref].frame - RAM_GFN]);
		*h = op.handle;
	} else {
		assert_int_equal(w->mt.used, used);
		assert_int_equal(op.handle, 0xbad);
	}
	return rc;
}

static int unmap(struct world *w, grant_handle_t h, uint64_t addr)
{
	struct gnttab_unmap_grant_ref op = { .host_addr = addr, .handle = h };
	struct gnttab_mapping m;
	int rc = gnttab_unmap_check(&w->mt, &op, &m);

	if (rc == GNTST_okay) {
		assert_int_equal(m.gfn * GNTTAB_PAGE_SIZE, addr);
		assert_int_equal(gnttab_unmap_done(&w->env, &w->mt, h), 0);
	}
	return rc;
}

#define HM GNTMAP_host_map
#define A(n) (0x80000000ull + (n) * 0x1000ull)

static void test_maptrack(void **state)
{
	struct world *w = world_new();
	grant_handle_t h[MTSIZE], x;

	grant(w, 1, 1, PA, 0, RAM_GFN);
	grant(w, 1, 2, PA | RO, 0, RAM_GFN + 1);
	grant(w, 2, 3, PA, 0, RAM_GFN + 2);
	assert_int_equal(unmap(w, 0, A(0)), GNTST_bad_handle);   /* empty */
	assert_int_equal(map(w, 1, 1, 0, A(0), &x), GNTST_bad_gntref);
	assert_int_equal(map(w, 1, 1, GNTMAP_readonly, A(0), &x), GNTST_bad_gntref);
	assert_int_equal(map(w, 1, 1, HM | GNTMAP_device_map, A(0), &x), GNTST_general_error);
	assert_int_equal(map(w, 1, 1, HM | GNTMAP_contains_pte, A(0), &x), GNTST_general_error);
	assert_int_equal(map(w, 1, 1, HM | GNTMAP_application_map, A(0), &x),
			 GNTST_general_error);
	assert_int_equal(map(w, 1, 1, HM, A(0) + 8, &x), GNTST_bad_virt_addr);
	assert_int_equal(map(w, 5, 1, HM, A(0), &x), GNTST_bad_domain);
	assert_int_equal(map(w, SELF, 1, HM, A(0), &x), GNTST_bad_domain);
	assert_int_equal(map(w, 1, 9999, HM, A(0), &x), GNTST_bad_gntref);
	assert_int_equal(map(w, 1, 2, HM, A(0), &x), GNTST_general_error); /* r/o grant */
	assert_int_equal(gnttab_uses(&w->gt[1]), 0);

	assert_int_equal(map(w, 1, 1, HM, A(0), &h[0]), GNTST_okay);
	assert_int_equal(map(w, 1, 2, HM | GNTMAP_readonly, A(1), &h[1]), GNTST_okay);
	assert_int_equal(map(w, 1, 1, HM | GNTMAP_readonly, A(2), &h[2]), GNTST_okay);
	assert_int_equal(map(w, 2, 3, HM, A(3), &h[3]), GNTST_okay);
	assert_int_equal(h[0], 0);
	assert_int_equal(h[3], 3);
	assert_int_equal(gflags(w, 1, 1), PA | RD | WR);
	assert_int_equal(gflags(w, 1, 2), PA | RO | RD);
	/* Full: refused before the grant is touched. */
	assert_int_equal(map(w, 1, 1, HM, A(4), &x), GNTST_no_device_space);
	assert_int_equal(w->act[1][1].writers, 1);
	assert_int_equal(gnttab_handle_alloc(&w->mt), -ENOSPC);

	assert_int_equal(unmap(w, MTSIZE, A(0)), GNTST_bad_handle);
	assert_int_equal(unmap(w, 0xffffffffu, A(0)), GNTST_bad_handle);
	assert_int_equal(unmap(w, h[0], A(1)), GNTST_general_error); /* not its address */
	assert_int_equal(unmap(w, h[0], 0), GNTST_general_error);
	assert_int_equal(unmap(w, h[0], A(0)), GNTST_okay);
	assert_int_equal(gflags(w, 1, 1), PA | RD);  /* the read-only map remains */
	assert_int_equal(unmap(w, h[0], A(0)), GNTST_bad_handle); /* twice */
	assert_int_equal(gnttab_unmap_done(&w->env, &w->mt, h[0]), -EINVAL);
	assert_int_equal(unmap(w, h[2], A(2)), GNTST_okay);
	assert_int_equal(gflags(w, 1, 1), PA);
	assert_int_equal(map(w, 1, 1, HM, A(5), &x), GNTST_okay);
	assert_int_equal(x, h[2]);                   /* last freed, first reused */
	assert_int_equal(w->mt.used, 3);
	free(w);
}

/* GNTMAP_device_map: only for a mapper trusted with DMA (env.device); no
 * host address; a read-only grant maps read-only; unmaps as any other. */
static void test_device_map(void **state)
{
	struct world *w = world_new();
	grant_handle_t h, x;

	grant(w, 1, 1, PA, 0, RAM_GFN);
	grant(w, 1, 2, PA | RO, 0, RAM_GFN + 1);
	assert_int_equal(map(w, 1, 1, GNTMAP_device_map, 0, &x), GNTST_general_error);
	w->env.device = true;
	assert_int_equal(map(w, 1, 3, GNTMAP_device_map, 0, &x), GNTST_general_error); /* none */
	assert_int_equal(map(w, 1, 9999, GNTMAP_device_map, 0, &x), GNTST_bad_gntref);
	assert_int_equal(map(w, 5, 1, GNTMAP_device_map, 0, &x), GNTST_bad_domain);
	assert_int_equal(map(w, 1, 2, GNTMAP_device_map, 0, &x), GNTST_general_error); /* r/o */
	assert_int_equal(map(w, 1, 1, HM | GNTMAP_application_map, A(0), &x),
			 GNTST_general_error);
	assert_int_equal(gnttab_uses(&w->gt[1]), 0);
	assert_int_equal(map(w, 1, 2, GNTMAP_device_map | GNTMAP_readonly, 0, &h), GNTST_okay);
	assert_int_equal(gflags(w, 1, 2), PA | RO | RD);
	assert_int_equal(w->mt.map[h].flags, GNTMAP_device_map | GNTMAP_readonly);
	assert_int_equal(map(w, 1, 1, GNTMAP_device_map | HM, A(0), &x), GNTST_okay);
	assert_int_equal(gflags(w, 1, 1), PA | RD | WR);
	assert_int_equal(unmap(w, h, 0), GNTST_okay);         /* no host address to name */
	assert_int_equal(unmap(w, h, 0), GNTST_bad_handle);   /* stale */
	assert_int_equal(unmap(w, x, 0), GNTST_general_error); /* a host mapping: its address */
	assert_int_equal(unmap(w, x, A(0)), GNTST_okay);
	assert_int_equal(gflags(w, 1, 1), PA);
	assert_int_equal(gflags(w, 1, 2), PA | RO);
	assert_int_equal(w->mt.used, 0);
	free(w);
}

static void drop(void *opaque, const struct gnttab_mapping *m)
{
	struct world *w = opaque;

	assert_int_not_equal(m->flags, 0);
	w->drops++;
}

static void test_sweep(void **state)
{
	struct world *w = world_new();
	grant_handle_t h;

	grant(w, 1, 1, PA, 0, RAM_GFN);
	grant(w, 1, 2, PA | RO, 0, RAM_GFN + 1);
	grant(w, 2, 3, PA, 0, RAM_GFN + 2);
	assert_int_equal(gnttab_maptrack_sweep(&w->env, &w->mt, drop), 0);
	assert_int_equal(map(w, 1, 1, HM, A(0), &h), GNTST_okay);
	assert_int_equal(map(w, 1, 2, HM | GNTMAP_readonly, A(1), &h), GNTST_okay);
	assert_int_equal(map(w, 2, 3, HM | GNTMAP_readonly, A(2), &h), GNTST_okay);
	assert_int_equal(map(w, 2, 3, HM, A(3), &h), GNTST_okay);
	assert_int_equal(unmap(w, 1, A(1)), GNTST_okay);
	assert_int_equal(gnttab_maptrack_sweep(&w->env, &w->mt, drop), 3);
	assert_int_equal(w->drops, 3);
	assert_int_equal(w->mt.used, 0);
	for (domid_t d = 1; d < NDOM; d++)
		assert_int_equal(gnttab_uses(&w->gt[d]), 0);
	assert_int_equal(gflags(w, 1, 1), PA);
	assert_int_equal(gflags(w, 2, 3), PA);
	for (unsigned i = 0; i < MTSIZE; i++)
		assert_int_equal(map(w, 2, 3, HM, A(i), &h), GNTST_okay);
	assert_int_equal(gnttab_maptrack_sweep(&w->env, &w->mt, NULL), MTSIZE);
	assert_int_equal(gflags(w, 2, 3), PA);
	free(w);
}

/* --- random hostile run --- */

#define NREF 24 /* refs 0..NREF-1 in use by the run; some beyond the table */
#define MAXU 64

struct use {
	domid_t granter;
	grant_ref_t ref;
	unsigned how;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned n_ok[4]; /* acquires, copies, maps, unmaps that succeeded */

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* The guest rewrites an entry at any time, but only by CAS and leaving
 * GTF_reading/GTF_writing alone, as the ABI asks. */
static void guest_rewrite(struct world *w, domid_t d, grant_ref_t ref)
{
	static const uint16_t types[] = { PA, PA, PA, GTF_invalid, GTF_accept_transfer,
					  PA | RO, PA | GTF_sub_page, GTF_transitive };
	struct grant_entry_v1 *e = &w->shared[d][ref];

	e->frame = RAM_GFN + rnd(NPAGES + 1);   /* sometimes not RAM */
	uint32_t *word = (uint32_t *)(void *)e, old = *word, nw;
	do {
		nw = (old & (RD | WR)) | types[rnd(8)] | (rnd(2) ? 0u : rnd(NDOM + 1) << 16);
	} while (!__atomic_compare_exchange_n(word, &old, nw, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
}

static void check_invariants(struct world *w)
{
	for (domid_t d = 0; d < NDOM; d++)
		for (grant_ref_t r = 0; r < GNTTAB_PER_FRAME; r++) {
			const struct gnttab_active *a = &w->act[d][r];
			uint16_t f = w->shared[d][r].flags;

			assert_true(a->readers < MAXU * 4 && a->writers < MAXU * 4);
			if (!!(f & RD) != (a->readers + a->writers > 0) ||
			    !!(f & WR) != (a->writers > 0))
				fail_msg("d%u ref %u: flags %#x, %u readers, %u writers", d, r, f,
					 a->readers, a->writers);
		}
}

static void random_op(struct world *w, struct use *uses, unsigned *nu)
{
	domid_t d = (domid_t)(1 + rnd(NDOM - 1));
	grant_ref_t ref = rnd(10) ? rnd(NREF) : GNTTAB_PER_FRAME - 2 + rnd(8);
	unsigned how = rnd(4);
	uint32_t frame;
	grant_handle_t h;

	switch (rnd(7)) {
	case 0:
		if (ref < GNTTAB_PER_FRAME)
			guest_rewrite(w, d, ref);
		break;
	case 1:
		if (*nu < MAXU && gnttab_acquire(&w->gt[d], ref, (domid_t)rnd(NDOM), how,
						 &frame) == GNTST_okay) {
			uses[(*nu)++] = (struct use){ d, ref, how };
			n_ok[0]++;
		}
		break;
	case 2:
		if (*nu) {
			unsigned i = rnd(*nu);
			assert_int_equal(gnttab_release(&w->gt[uses[i].granter], uses[i].ref,
							uses[i].how), 0);
			uses[i] = uses[--*nu];
		}
		break;
	case 3: {
		struct gnttab_copy op = cop((uint16_t)rnd(4), rnd(3) ? d : SELF,
					    rnd(2) ? ref : RAM_GFN + rnd(NPAGES + 1),
					    (uint16_t)rnd(3950), rnd(4) ? (domid_t)rnd(NDOM + 1) : SELF,
					    rnd(2) ? rnd(NREF) : RAM_GFN + rnd(NPAGES), (uint16_t)rnd(3950),
					    (uint16_t)rnd(160));
		n_ok[1] += !gnttab_copy_batch(&w->env, &op, 1);
		assert_true(op.status <= 0 && op.status >= GNTST_bad_copy_arg);
		break;
	}
	case 4:
		n_ok[2] += !map(w, rnd(5) ? d : (domid_t)rnd(8), ref,
				HM | (rnd(2) ? GNTMAP_readonly : 0), A(rnd(16)), &h);
		break;
	case 5:
		n_ok[3] += !unmap(w, rnd(MTSIZE + 1), A(rnd(16)));
		break;
	default:
		if (!rnd(50))
			gnttab_maptrack_sweep(&w->env, &w->mt, NULL);
	}
}

static void test_random(void **state)
{
	struct world *w = world_new();
	struct use uses[MAXU];
	unsigned nu = 0;

	for (domid_t d = 0; d < NDOM; d++)
		for (grant_ref_t r = 0; r < NREF; r++)
			guest_rewrite(w, d, r);
	for (int i = 0; i < 100000; i++) {
		random_op(w, uses, &nu);
		check_invariants(w);
	}
	print_message("random: %u uses, %u copies, %u maps, %u unmaps succeeded\n", n_ok[0],
		      n_ok[1], n_ok[2], n_ok[3]);
	while (nu--)
		assert_int_equal(gnttab_release(&w->gt[uses[nu].granter], uses[nu].ref,
						uses[nu].how), 0);
	gnttab_maptrack_sweep(&w->env, &w->mt, NULL);
	check_invariants(w);
	for (domid_t d = 0; d < NDOM; d++)
		assert_int_equal(gnttab_uses(&w->gt[d]), 0);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flag_rules),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_race_staged),
		cmocka_unit_test(test_race_thread),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_setup),
		cmocka_unit_test(test_maptrack),
		cmocka_unit_test(test_device_map),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
