/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The frames waiting for a guest: a vif's receive queue (pure: no
 * hypercalls, no globals; mgmt/netback_io.c drives it,
 * tests/unit/test_netqueue.c tests it). docs/network.md, "Moving frames".
 *
 * A queue holds a reference to each frame (struct netframe, bridge.h),
 * at most NETQUEUE_FRAMES frames and NETQUEUE_BYTES bytes, oldest first.
 * It knows when it last moved (the guest took a frame, or the queue got
 * its first one), so that a queue the guest does not take from can be
 * dropped (netqueue_stalled).
 *
 * All queues together draw on one frame budget (bridge_set): frames that
 * sit in the queues of guests that take nothing (a guest that posts no
 * pages, a paused or shut-down one, a hostile one with several vifs)
 * could otherwise hold all of it, and every other guest's frames would
 * be refused for want of memory. netqueue_reclaim() gives memory back
 * the way a router's longest-queue-drop does: frames from the head of
 * whichever queue holds the most bytes, until enough is freed. A guest
 * that takes its frames keeps its queue short and is not the one to lose
 * them.
 */
#ifndef EYRIE_MGMT_NETQUEUE_H
#define EYRIE_MGMT_NETQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "mgmt/bridge.h"

#define NETQUEUE_FRAMES 256            /* frames a queue holds at most */
#define NETQUEUE_BYTES  (256u << 10)   /* and their bytes (f->len) */

struct netqueue {
	struct netframe *f[NETQUEUE_FRAMES];
	unsigned head, len;
	uint32_t bytes;                /* of the frames in it (f->len) */
	uint64_t moved_at;             /* ns: last taken from, or first frame in */
	uint64_t reclaimed;            /* frames netqueue_reclaim() dropped from it */
};

/* Queues f (a reference of its own: netframe_hold) at now: 0, or
 * -ENOBUFS if it is full (NETQUEUE_FRAMES or NETQUEUE_BYTES). */
int netqueue_put(struct netqueue *q, struct netframe *f, uint64_t now);

/* The oldest frame (still queued), or NULL. */
struct netframe *netqueue_head(const struct netqueue *q);

/* Takes the oldest frame out (the caller gets the queue's reference) and
 * notes the queue moved at now; NULL if empty. */
struct netframe *netqueue_take(struct netqueue *q, uint64_t now);

/* Drops every frame; the count dropped. */
unsigned netqueue_drop(struct netqueue *q);

/* Whether q holds frames and has not moved for more than limit ns. A
 * moved_at later than now (a frame queued after the caller read its
 * clock) is no wait at all. */
bool netqueue_stalled(const struct netqueue *q, uint64_t now, uint64_t limit);

/* Longest queue drop among the n queues: frames from the head of the one
 * holding the most bytes (the first of equals) until need bytes of
 * frame budget are freed (a frame another queue also holds frees
 * nothing yet) or the queues are empty. The bytes freed (each frame's
 * struct netframe too, as the budget counts it). */
uint64_t netqueue_reclaim(struct netqueue *const *qs, unsigned n, uint64_t need);

#endif
