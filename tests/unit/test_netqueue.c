/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vif's receive queue (mgmt/netqueue.c) with the real frames and their
 * budget (mgmt/bridge.c): order, both limits and the references held;
 * the stall rule, including a queue whose first frame came after the
 * caller read its clock (netback_poll reads it once, another vif's round
 * queues frames later: the wait must not wrap to "forever" and drop a
 * frame just queued); longest-queue-drop (the queue with the most bytes
 * gives frames from its head until the need is met, frames another queue
 * also holds free nothing yet); and the bridge's reclaim hook:
 * netframe_new() asks it for the shortfall, then succeeds, and a guest
 * whose queue drains is not the one that loses frames while others' sit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt/netqueue.h"

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

#define S_ 1000000000ull

static struct bridge_set set;
static struct netqueue qa, qb, qc;

static int setup(void **state)
{
	bridge_set_init(&set, 1u << 20, 7);
	memset(&qa, 0, sizeof(qa)), memset(&qb, 0, sizeof(qb)), memset(&qc, 0, sizeof(qc));
	return 0;
}

static int teardown(void **state)
{
	netqueue_drop(&qa), netqueue_drop(&qb), netqueue_drop(&qc);
	assert_int_equal(set.frames, 0); /* every frame freed */
	assert_int_equal(set.frame_bytes, 0);
	return 0;
}

/* A frame of len bytes whose first byte is tag, queued in q (the queue's
 * reference only). */
static struct netframe *put(struct netqueue *q, uint32_t len, uint8_t tag, uint64_t now)
{
	struct netframe *f = netframe_new(&set, len);

	assert_non_null(f);
	f->data[0] = tag;
	int rc = netqueue_put(q, f, now);
	netframe_put(f);
	return rc ? NULL : f;
}

static void order_and_limits(void **state)
{
	for (unsigned i = 0; i < NETQUEUE_FRAMES; i++)
		assert_non_null(put(&qa, 60, (uint8_t)i, 5));
	assert_int_equal(qa.len, NETQUEUE_FRAMES);
	assert_null(put(&qa, 60, 0, 5)); /* a frame too many: refused, freed */
	assert_int_equal(set.frames, NETQUEUE_FRAMES);
	for (unsigned i = 0; i < 10; i++) {
		struct netframe *f = netqueue_take(&qa, 9);
		assert_int_equal(f->data[0], (uint8_t)i);
		netframe_put(f);
	}
	assert_int_equal(netqueue_head(&qa)->data[0], 10);
	assert_int_equal(qa.moved_at, 9);
	assert_int_equal(netqueue_drop(&qa), NETQUEUE_FRAMES - 10);
	assert_null(netqueue_head(&qa));
	assert_null(netqueue_take(&qa, 10));
	/* The byte limit: four 64 KiB frames fit 256 KiB, a fifth not; a
	 * small one still does if it fits. */
	for (unsigned i = 0; i < 4; i++)
		assert_non_null(put(&qb, 65535, 1, 5));
	assert_null(put(&qb, 65535, 1, 5));
	assert_non_null(put(&qb, 4, 2, 5));
	assert_null(put(&qb, 1, 3, 5));
	assert_int_equal(qb.bytes, NETQUEUE_BYTES);
}

static void stall(void **state)
{
	assert_false(netqueue_stalled(&qa, 100 * S_, 2 * S_)); /* empty: never */
	put(&qa, 60, 0, 10 * S_);
	assert_false(netqueue_stalled(&qa, 12 * S_, 2 * S_));
	assert_true(netqueue_stalled(&qa, 12 * S_ + 1, 2 * S_));
	/* Taken from: the wait starts again. */
	put(&qa, 60, 1, 10 * S_);
	netframe_put(netqueue_take(&qa, 13 * S_));
	assert_false(netqueue_stalled(&qa, 14 * S_, 2 * S_));
	assert_true(netqueue_stalled(&qa, 16 * S_, 2 * S_));
	/* Queued after the caller read its clock: no wait yet (the wrapped
	 * difference used to say 584 years and drop it at once). */
	put(&qb, 60, 0, 20 * S_ + 5);
	assert_false(netqueue_stalled(&qb, 20 * S_, 2 * S_));
	assert_false(netqueue_stalled(&qb, 20 * S_ + 5, 2 * S_));
	assert_true(netqueue_stalled(&qb, 23 * S_, 2 * S_));
	/* A later frame does not restart the wait of a queue not taken from. */
	put(&qb, 60, 1, 22 * S_);
	assert_true(netqueue_stalled(&qb, 23 * S_, 2 * S_));
}

static void longest_queue_drop(void **state)
{
	struct netqueue *qs[4] = { &qa, NULL, &qb, &qc };

	for (unsigned i = 0; i < 3; i++)
		put(&qa, 1000, (uint8_t)i, 1);      /* 3000 bytes */
	for (unsigned i = 0; i < 4; i++)
		put(&qb, 4000, (uint8_t)i, 1);      /* 16000 */
	put(&qc, 100, 0, 1);
	/* One frame's worth: qb's oldest goes. */
	uint64_t freed = netqueue_reclaim(qs, 4, 10);
	assert_int_equal(freed, netframe_cost(4000));
	assert_int_equal(qb.len, 3);
	assert_int_equal(netqueue_head(&qb)->data[0], 1);
	assert_int_equal(qb.reclaimed, 1);
	/* 12000 bytes: qb (12000, then 8000, then 4000) stays the longest
	 * (qa holds 3000), so it gives all three. */
	freed = netqueue_reclaim(qs, 4, 12000);
	assert_int_equal(freed, 3 * netframe_cost(4000));
	assert_int_equal(qb.len, 0);
	assert_int_equal(qa.len, 3);
	/* Then qa, then qc; nothing left: it stops. */
	freed = netqueue_reclaim(qs, 4, 1u << 20);
	assert_int_equal(freed, 3 * netframe_cost(1000) + netframe_cost(100));
	assert_int_equal(qa.reclaimed, 3);
	assert_int_equal(qc.reclaimed, 1);
	assert_int_equal(netqueue_reclaim(qs, 4, 1), 0);
	/* A frame two queues hold (flooded) frees nothing until both let go. */
	struct netframe *f = netframe_new(&set, 2000);
	assert_int_equal(netqueue_put(&qa, f, 1), 0);
	assert_int_equal(netqueue_put(&qb, f, 1), 0);
	netframe_put(f);
	assert_int_equal(netqueue_reclaim(qs, 4, 1), netframe_cost(2000));
	assert_int_equal(qa.len + qb.len, 0);
	assert_int_equal(set.frames, 0);
}

/* The bridge's reclaim hook over three queues, as netback has it. */
static unsigned hook_calls;
static uint64_t hook_need;

static void hook(void *ctx, uint64_t need)
{
	struct netqueue *qs[3] = { &qa, &qb, &qc };

	hook_calls++;
	hook_need = need;
	netqueue_reclaim(qs, 3, need);
}

static void budget_hook(void **state)
{
	bridge_set_init(&set, 8 * netframe_cost(65535), 7);
	/* Without a hook: a full budget refuses. */
	for (unsigned i = 0; i < 8; i++)
		assert_non_null(put(i < 4 ? &qa : &qb, 65535, (uint8_t)i, 1));
	assert_null(netframe_new(&set, 100));
	/* With it: the shortfall is asked for, a frame of the longest queue
	 * goes, the new frame is made. */
	bridge_set_reclaim(&set, hook, NULL);
	struct netframe *f = netframe_new(&set, 100);
	assert_non_null(f);
	assert_int_equal(hook_calls, 1);
	assert_int_equal(hook_need, netframe_cost(100));
	assert_int_equal(qa.len + qb.len, 7);
	assert_int_equal(set.reclaims, 1);
	/* A guest that takes its frames (qc: short) keeps them while the
	 * others' queues pay for new ones. */
	assert_int_equal(netqueue_put(&qc, f, 1), 0);
	netframe_put(f);
	for (unsigned i = 0; i < 20; i++) {
		f = netframe_new(&set, 30000);
		assert_non_null(f);
		netframe_put(f);
	}
	assert_int_equal(qc.len, 1);
	assert_int_equal(qc.reclaimed, 0);
	/* Larger than the whole budget: nobody is asked. */
	hook_calls = 0;
	assert_null(netframe_new(&set, (uint32_t)set.frame_budget));
	assert_int_equal(hook_calls, 0);
	/* Nothing left to give: refused after asking. */
	netqueue_drop(&qa), netqueue_drop(&qb), netqueue_drop(&qc);
	struct netframe *big = netframe_new(&set, 7 * 65535);
	assert_non_null(big);
	assert_null(netframe_new(&set, 2 * 65535));
	assert_int_equal(hook_calls, 1);
	netframe_put(big);
}

int main(void)
{
#define U_(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		U_(order_and_limits), U_(stall), U_(longest_queue_drop), U_(budget_hook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
