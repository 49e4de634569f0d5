/* SPDX-License-Identifier: MIT */
/*
 * Shared request/response rings (Xen's public io/ring.h), our own
 * definitions with Xen's layout and rules. The block (blkif.h) and network
 * interfaces use them.
 *
 * A ring is one or more contiguous pages shared by a frontend (a guest,
 * which produces requests and consumes responses) and a backend (which
 * consumes requests and produces responses). The pages start with a
 * 64-byte header, struct xen_sring_hdr; then come the entries, each a
 * union of one request and one response of the interface, so that the
 * response to a request can be written into the slot the request came
 * in. The number of entries is the largest power of two that fits
 * (XEN_RING_ENTRIES), so a slot is an index's low bits.
 *
 * Indices are free-running 32-bit counters (RING_IDX), never reduced.
 * Each has one writer: the frontend writes req_prod and rsp_event, the
 * backend rsp_prod and req_event. Each side keeps its other counter
 * private (the backend its request consumer index, the frontend its
 * response consumer index). A sane frontend never has more requests
 * outstanding than there are entries: req_prod minus the backend's
 * private response producer is at most the ring size.
 *
 * Notification hold-off: a producer that moves its prod from old to new
 * must notify the peer (an event) only if the peer's event index lies in
 * (old, new]: (RING_IDX)(new - event) < (RING_IDX)(new - old). A consumer
 * that has emptied the ring sets its event index to its consumer index
 * + 1 ("wake me at the next one"), then looks again (full barrier between)
 * in case something arrived meanwhile; a consumer that wants batches may
 * set it further ahead. Ordering: a producer stores entries before the
 * new prod (release), a consumer loads prod before the entries (acquire).
 */
#ifndef EYRIE_PUBLIC_IO_RING_H
#define EYRIE_PUBLIC_IO_RING_H

#include <stdint.h>

typedef uint32_t RING_IDX;

/* The first 64 bytes of every shared ring. */
struct xen_sring_hdr {
	RING_IDX req_prod;   /* frontend: requests produced */
	RING_IDX req_event;  /* backend: notify me when req_prod passes this */
	RING_IDX rsp_prod;   /* backend: responses produced */
	RING_IDX rsp_event;  /* frontend: notify me when rsp_prod passes this */
	uint8_t pvt[4];      /* interface-private (netif's smartpoll flag) */
	uint8_t pad[44];
};

_Static_assert(sizeof(struct xen_sring_hdr) == 64, "xen_sring_hdr");
_Static_assert(__builtin_offsetof(struct xen_sring_hdr, rsp_prod) == 8, "rsp_prod");
_Static_assert(__builtin_offsetof(struct xen_sring_hdr, rsp_event) == 12, "rsp_event");

/* The largest power of two not above x (x > 0), as a constant expression. */
#define XEN_RING_POW2_1(x)  ((x) & 2u ? 2u : (x) & 1u)
#define XEN_RING_POW2_2(x)  ((x) & 0xcu ? XEN_RING_POW2_1((x) >> 2) << 2 : XEN_RING_POW2_1(x))
#define XEN_RING_POW2_4(x)  ((x) & 0xf0u ? XEN_RING_POW2_2((x) >> 4) << 4 : XEN_RING_POW2_2(x))
#define XEN_RING_POW2_8(x)  ((x) & 0xff00u ? XEN_RING_POW2_4((x) >> 8) << 8 : XEN_RING_POW2_4(x))
#define XEN_RING_POW2(x)    ((x) & 0xffff0000u ? XEN_RING_POW2_8((x) >> 16) << 16 \
			     : XEN_RING_POW2_8(x))

/* Entries of entry_size bytes in a ring of bytes bytes (header included). */
#define XEN_RING_ENTRIES(bytes, entry_size) \
	XEN_RING_POW2((uint32_t)(((bytes) - sizeof(struct xen_sring_hdr)) / (entry_size)))

/* Would a producer moving from old to new have to notify a peer whose
 * event index is event? */
#define XEN_RING_NOTIFY(old, new, event) \
	((RING_IDX)((new) - (event)) < (RING_IDX)((new) - (old)))

#endif
