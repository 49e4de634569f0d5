/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend's side of a block ring (pure: no hypercalls, no globals;
 * mgmt/blkback.c drives it, tests/unit/test_blkring.c plays the guest).
 * The layouts are in include/public/io/blkif.h, the ring rules in
 * include/public/io/ring.h.
 *
 * The ring's pages are shared with the guest, which can store anything
 * anywhere at any time. So:
 *  - req_prod is read once per call of blkring_begin() and checked: the
 *    guest may have at most nr_ents requests without a response, and
 *    cannot move its producer behind what we already took. Anything else
 *    is a broken ring: blkring_begin() says so once (BLKRING_BROKEN) and
 *    the ring is dead from then on (the backend disconnects the device);
 *  - each request is copied out of its slot before it is looked at, and
 *    only the copy is validated and used;
 *  - our own indices (the next request to take, the responses made) are
 *    private; the shared rsp_prod is only written, req_event only written.
 *
 * A request comes out as a struct blkreq: what to do, and status, which
 * is BLKIF_RSP_OKAY or the answer it must get without touching any data
 * (unknown or unoffered operations: EOPNOTSUPP; bad segment counts,
 * sectors, alignment, a write to a read-only disk: ERROR). An indirect
 * request has its segments in pages the guest granted: the caller copies
 * nr_indirect_bytes of them (GNTTABOP_copy) and hands them to
 * blkring_indirect() (descs may be q->seg itself: the backend copies them
 * there), which validates them the same way.
 *
 * Every taken request must get exactly one blkring_respond(); responses
 * may come in any order (requests complete asynchronously) and are
 * published in batches by blkring_push(), which says whether the guest
 * asked to be notified (rsp_event). blkring_final_check() is Xen's
 * RING_FINAL_CHECK_FOR_REQUESTS: before the backend goes idle it asks for
 * an event at the next request (req_event) and looks once more.
 */
#ifndef EYRIE_MGMT_BLKRING_H
#define EYRIE_MGMT_BLKRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/public/io/blkif.h"

/* Indirect segments we accept per request (feature-max-indirect-segments):
 * 1 MiB requests, and their descriptors fit one indirect page. */
#define BLKRING_MAX_INDIRECT 256
/* Largest ring we accept (max-ring-page-order). */
#define BLKRING_MAX_ORDER 2
/* Requests taken per blkring_begin() at most (struct blkring's budget). */
#define BLKRING_BUDGET 64

enum blkring_abi { BLKRING_ABI_X86_64, BLKRING_ABI_X86_32 };

/* What the checks need to know of the disk. */
struct blkring_disk {
	uint64_t sectors;        /* size in 512-byte units */
	uint32_t sector_size;    /* logical: a power of two, 512..4096 */
	uint32_t max_indirect;   /* indirect segments offered (0: none) */
	bool readonly;
	bool flush;              /* feature-flush-cache offered */
	bool discard;            /* feature-discard offered */
};

struct blkreq {
	uint64_t id;             /* the guest's, echoed */
	uint8_t ring_op;         /* the operation byte in the ring */
	uint8_t op;              /* what to do and to echo: READ, WRITE, FLUSH_DISKCACHE
	                          * (with data: a write first), DISCARD; an indirect
	                          * request's indirect_op; unknown ones as given */
	int16_t status;          /* BLKIF_RSP_OKAY or the refusal (see above) */
	uint64_t sector;         /* first disk sector */
	uint64_t nr_sectors;     /* the data's length (a discard's range) */
	uint16_t nr_segs;        /* segments in seg[] (after blkring_indirect) */
	uint8_t nr_indirect;     /* indirect pages to fetch first (0: none) */
	uint32_t nr_indirect_bytes; /* the descriptors' bytes in them */
	grant_ref_t indirect[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	struct blkif_request_segment seg[BLKRING_MAX_INDIRECT];
};

struct blkring_stats {
	uint64_t begins;         /* blkring_begin() calls that found requests */
	uint64_t requests;       /* requests taken */
	uint64_t refused;        /* of them, with a status other than OKAY */
	uint64_t responses;
	uint64_t pushes;         /* blkring_push() calls that published something */
	uint64_t notifies;       /* of them, the guest asked for an event */
	uint64_t budget_stops;   /* calls stopped by the budget with requests left */
};

struct blkring {
	uint8_t *sring;          /* header + entries, 4096 << order bytes */
	uint32_t nr_ents;
	enum blkring_abi abi;
	struct blkring_disk disk;
	RING_IDX req_cons;       /* next request to take (private) */
	RING_IDX req_seen;       /* req_prod as read by blkring_begin() */
	RING_IDX rsp_prod;       /* responses made (private) */
	RING_IDX rsp_pushed;     /* responses published */
	unsigned int budget;     /* BLKRING_BUDGET unless a test changes it */
	unsigned int taken;      /* since blkring_begin() */
	bool broken;
	struct blkring_stats st;
};

#define BLKRING_BROKEN (-1)
#define BLKRING_NONE   0
#define BLKRING_TOOK   1
#define BLKRING_BUDGET_LEFT 2 /* stopped by the budget; requests wait */

/* Attaches to a ring of 2^order pages the guest set up (order <=
 * BLKRING_MAX_ORDER): our indices start at its rsp_prod, as for a ring
 * taken over after a reconnection. Returns 0, or BLKRING_BROKEN if the
 * indices already say more requests than entries. */
int blkring_init(struct blkring *r, void *sring, unsigned int order, enum blkring_abi abi,
		 const struct blkring_disk *disk);

/* Reads req_prod once and checks it; resets the budget. BLKRING_BROKEN
 * the first time it is nonsense, else the count of requests waiting. */
int blkring_begin(struct blkring *r);

/* Takes the next request seen by blkring_begin() into *q: BLKRING_TOOK,
 * BLKRING_NONE (none waits), BLKRING_BUDGET_LEFT (budget used up). */
int blkring_take(struct blkring *r, struct blkreq *q);

/* An indirect request's descriptors, q->nr_indirect_bytes bytes copied from
 * its pages: fills seg[] and nr_sectors and sets q->status. */
void blkring_indirect(struct blkring *r, struct blkreq *q, const void *descs);

/* The response to a taken request, written into the ring (not yet
 * published). -1 if there is no request to answer (a bug) or the ring is
 * broken. */
int blkring_respond(struct blkring *r, uint64_t id, uint8_t op, int16_t status);

/* Publishes the responses made; true if the guest wants an event. */
bool blkring_push(struct blkring *r);

/* Before going idle: true if requests wait (serve again), else req_event
 * is set so the guest notifies at its next request. */
bool blkring_final_check(struct blkring *r);

/* Requests taken and not yet answered. */
static inline uint32_t blkring_in_flight(const struct blkring *r)
{
	return r->req_cons - r->rsp_prod;
}

#endif
