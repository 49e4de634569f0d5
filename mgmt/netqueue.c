/* SPDX-License-Identifier: GPL-2.0-only */
/* A vif's receive queue and the longest-queue-drop reclaim (netqueue.h). */
#include "netqueue.h" /* beside it: builds with or without -I. */

#include <errno.h>

int netqueue_put(struct netqueue *q, struct netframe *f, uint64_t now)
{
	if (q->len == NETQUEUE_FRAMES || q->bytes + (uint64_t)f->len > NETQUEUE_BYTES)
		return -ENOBUFS;
	if (!q->len)
		q->moved_at = now; /* its wait starts with its first frame */
	netframe_hold(f);
	q->f[(q->head + q->len++) % NETQUEUE_FRAMES] = f;
	q->bytes += f->len;
	return 0;
}

struct netframe *netqueue_head(const struct netqueue *q)
{
	return q->len ? q->f[q->head] : NULL;
}

/* The oldest frame out, its reference the caller's. */
static struct netframe *pop(struct netqueue *q)
{
	struct netframe *f = q->f[q->head];

	q->f[q->head] = NULL;
	q->head = (q->head + 1) % NETQUEUE_FRAMES;
	q->len--;
	q->bytes -= f->len;
	return f;
}

struct netframe *netqueue_take(struct netqueue *q, uint64_t now)
{
	if (!q->len)
		return NULL;
	q->moved_at = now;
	return pop(q);
}

unsigned netqueue_drop(struct netqueue *q)
{
	unsigned n = q->len;

	while (q->len)
		netframe_put(pop(q));
	return n;
}

bool netqueue_stalled(const struct netqueue *q, uint64_t now, uint64_t limit)
{
	/* Unsigned: now - moved_at would wrap if moved_at were later. */
	return q->len && now > q->moved_at && now - q->moved_at > limit;
}

uint64_t netqueue_reclaim(struct netqueue *const *qs, unsigned n, uint64_t need)
{
	uint64_t freed = 0;

	/* Each round drops one frame: bounded by the frames queued. */
	while (freed < need) {
		struct netqueue *big = NULL;
		for (unsigned i = 0; i < n; i++)
			if (qs[i] && qs[i]->len && (!big || qs[i]->bytes > big->bytes))
				big = qs[i];
		if (!big)
			break;
		struct netframe *f = pop(big);
		big->reclaimed++;
		if (f->refs == 1)
			freed += netframe_cost(f->len);
		netframe_put(f);
	}
	return freed;
}
