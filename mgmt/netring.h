/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend's side of a network interface's two rings (pure: no
 * hypercalls, no globals; mgmt/netback.c drives them,
 * tests/unit/test_netring.c plays the guest). The layouts are in
 * include/public/io/netif.h, the ring rules in include/public/io/ring.h.
 *
 * The ring pages are shared with the guest, which can store anything
 * anywhere at any time. So, as for the block ring (mgmt/blkring.h):
 *  - req_prod is read once per begin() and checked: the guest may have at
 *    most nr_ents requests without a response, and cannot move its
 *    producer behind what we already took. Anything else is a broken ring
 *    (said once, with the reason in why; the ring is dead from then on and
 *    the backend disconnects the interface);
 *  - each slot is copied out of the ring before it is looked at, and only
 *    the copy is checked and used;
 *  - our own indices are private; the shared rsp_prod and req_event are
 *    only written.
 *
 * TX. A frame is taken whole (its first request, extra-info slots,
 * further requests chained with NETTXF_more_data: netif.h) as a struct
 * netring_txpkt: the data slots with each one's own size (the first
 * slot's size field holds the whole frame's length), the offloads, and
 * status: NETIF_RSP_OKAY, or NETIF_RSP_ERROR with the reason in `drop`
 * (the frame is dropped: its data is never touched, every slot answered
 * with the error). The rules, as Linux's netback has them:
 *  - drop: the first slot carrying fewer than 14 bytes (an Ethernet
 *    header; a frame of length 0 too), a later slot larger than what the
 *    first slot's size leaves, a later slot of 0 bytes, more than
 *    NETRING_TX_SLOTS_MAX slots after the first;
 *  - broken ring: a frame not wholly published (its chain or its extra
 *    slots run into req_prod), more than NETRING_TX_SLOTS_FATAL slots
 *    after the first, a slot's offset + size past its page, an extra-info
 *    slot of an unknown type or more than NETRING_TX_EXTRAS_MAX of them, a
 *    GSO slot with size 0 or a type that was not offered.
 * A frame with a multicast filter slot (XEN_NETIF_EXTRA_TYPE_MCAST_ADD or
 * _DEL) is a control message, not a frame: mcast is set, its data is not
 * looked at, and it is answered OKAY (no filter is applied: we do not
 * offer feature-multicast-control).
 * Every taken frame gets exactly one netring_tx_respond(), in the order
 * taken: it writes one response per slot (the extra-info slots'
 * NETIF_RSP_NULL). netring_tx_push() publishes them and says whether the
 * guest asked for an event; netring_tx_final_check() is Xen's
 * RING_FINAL_CHECK_FOR_REQUESTS.
 *
 * RX. The guest posts pages (id, gref). netring_rx_take() takes the
 * requests one frame needs (netring_rx_slots(): a GSO extra slot when the
 * frontend takes that GSO type, then ceil(len / 4096) pages, all in one
 * slot without feature-sg) and says which bytes of the frame go into which
 * page; the caller copies them, then netring_rx_finish() writes the
 * responses in the slots the requests were in (Linux's netfront relies on
 * it): status = the bytes (NETIF_RSP_ERROR for a page whose copy failed),
 * offset 0, NETRXF_more_data on every page but the last,
 * NETRXF_extra_info on the first when a GSO slot follows, and the
 * checksum flags: csum_blank | data_validated for a frame whose checksum
 * is blank (the caller made sure the frontend takes that), data_validated
 * for one that was checked. Frames are finished in the order taken.
 */
#ifndef EYRIE_MGMT_NETRING_H
#define EYRIE_MGMT_NETRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/public/io/netif.h"
#include "mgmt/netpkt.h"

/* Slots after a frame's first: more is dropped (Linux's
 * XEN_NETBK_LEGACY_SLOTS_MAX), and more than FATAL breaks the ring (its
 * fatal_skb_slots). So a frame takes at most 19 data slots. */
#define NETRING_TX_SLOTS_MAX   18
#define NETRING_TX_SLOTS_FATAL 20
/* Extra-info slots of one frame: one of each type at most. */
#define NETRING_TX_EXTRAS_MAX  (XEN_NETIF_EXTRA_TYPE_MAX - 1)
/* Frames taken per netring_tx_begin() at most. */
#define NETRING_TX_BUDGET 64
/* Pages an RX frame may fill: netfront takes up to XEN_NETIF_NR_SLOTS_MIN
 * (a 64 KiB GSO frame needs 17). */
#define NETRING_RX_PAGES_MAX XEN_NETIF_NR_SLOTS_MIN

#define NETRING_BROKEN (-1)
#define NETRING_NONE   0
#define NETRING_TOOK   1
#define NETRING_BUDGET_LEFT 2   /* stopped by the budget; frames wait */

/* Why a TX frame was dropped (netring_txpkt.drop, the counts' index). */
enum netring_drop {
	NETRING_DROP_NONE,
	NETRING_DROP_RUNT,       /* the first slot holds less than an Ethernet header */
	NETRING_DROP_OVERSIZE,   /* later slots add up to more than the frame's size */
	NETRING_DROP_ZERO,       /* a later slot of 0 bytes */
	NETRING_DROP_SLOTS,      /* more than NETRING_TX_SLOTS_MAX slots after the first */
	NETRING_DROP_REASONS
};

/* What the frontend negotiated that the TX checks need. */
struct netring_tx_caps {
	bool gso_tcpv4, gso_tcpv6;   /* GSO types offered (feature-gso-tcpv4/6) */
};

struct netring_txfrag {
	grant_ref_t gref;
	uint16_t offset, size, id;   /* size: this slot's own bytes */
};

struct netring_txpkt {
	uint32_t len;                /* the frame's length (the first slot's size) */
	int16_t status;              /* NETIF_RSP_OKAY or NETIF_RSP_ERROR (dropped) */
	uint8_t drop;                /* enum netring_drop when dropped */
	bool mcast;                  /* a multicast filter message, not a frame */
	uint16_t nslots;             /* ring slots it took */
	uint16_t nextras;            /* of them, extra-info slots */
	uint16_t nfrags;             /* data slots in frag[] */
	struct net_offload off;      /* csum_blank, data_validated, gso_type, gso_size */
	struct netring_txfrag frag[1 + NETRING_TX_SLOTS_FATAL];
};

struct netring_tx_stats {
	uint64_t begins;             /* netring_tx_begin() calls that found requests */
	uint64_t frames;             /* frames taken (dropped ones too) */
	uint64_t slots;              /* ring slots taken */
	uint64_t gso;                /* of the frames, GSO ones */
	uint64_t mcast;              /* multicast filter messages */
	uint64_t drops[NETRING_DROP_REASONS];
	uint64_t responses;          /* slots answered */
	uint64_t pushes, notifies;   /* publications; of them, the guest asked for an event */
	uint64_t budget_stops;
};

struct netring_tx {
	uint8_t *sring;
	uint32_t nr_ents;
	struct netring_tx_caps caps;
	RING_IDX req_cons, req_seen, rsp_prod, rsp_pushed;
	unsigned int budget, taken;
	bool broken;
	const char *why;             /* why it is broken */
	uint32_t why_val[2];         /* and the values that showed it */
	struct netring_tx_stats st;
};

/* Attaches to a one-page TX ring the guest set up: our indices start at
 * its rsp_prod (a ring kept across a reconnection goes on where it was).
 * 0, or NETRING_BROKEN if its indices already say more than nr_ents
 * requests. */
int netring_tx_init(struct netring_tx *r, void *sring, const struct netring_tx_caps *caps);

/* Reads req_prod once and checks it; resets the budget. NETRING_BROKEN
 * the first time it is nonsense, else the count of slots waiting. */
int netring_tx_begin(struct netring_tx *r);

/* Takes the next frame seen by netring_tx_begin(): NETRING_TOOK (*p
 * filled), NETRING_NONE, NETRING_BUDGET_LEFT, NETRING_BROKEN (r->why). */
int netring_tx_take(struct netring_tx *r, struct netring_txpkt *p);

/* The responses to a taken frame (status for its data slots, NULL for its
 * extras), written into the ring, not yet published. -1 if that many
 * slots were not taken and left unanswered (a bug) or the ring is broken. */
int netring_tx_respond(struct netring_tx *r, const struct netring_txpkt *p, int16_t status);

/* Publishes the responses made; true if the guest wants an event. */
bool netring_tx_push(struct netring_tx *r);

/* Before going idle: true if requests wait (serve again), else req_event
 * is set so that the guest notifies at its next request. */
bool netring_tx_final_check(struct netring_tx *r);

/* What the frontend takes on receive. */
struct netring_rx_caps {
	bool sg;                     /* feature-sg: a frame may span pages */
	bool gso_tcpv4, gso_tcpv6;   /* a GSO frame keeps its GSO slot */
};

struct netring_rxslot {
	uint16_t id;                 /* the request's */
	grant_ref_t gref;            /* the page to fill; unused for the extra slot */
	uint16_t size;               /* bytes of the frame going into it (0: the extra slot) */
	uint32_t frame_off;          /* from where in the frame */
};

struct netring_rxpkt {
	uint32_t len;
	uint16_t first_flags;        /* NETRXF_* of the first response */
	uint16_t nslots;             /* slots taken: the first page, the GSO slot, more pages */
	bool extra;                  /* slot[1] is a GSO slot */
	struct netif_extra_info gso; /* it */
	struct netring_rxslot slot[1 + NETRING_RX_PAGES_MAX];
};

struct netring_rx_stats {
	uint64_t begins;
	uint64_t frames, slots;      /* frames taken, slots they used */
	uint64_t gso;                /* frames with a GSO slot */
	uint64_t copy_errors;        /* pages answered NETIF_RSP_ERROR */
	uint64_t waits;              /* times a frame found too few pages posted */
	uint64_t pushes, notifies;
};

struct netring_rx {
	uint8_t *sring;
	uint32_t nr_ents;
	struct netring_rx_caps caps;
	RING_IDX req_cons, req_seen, rsp_prod, rsp_pushed;
	bool broken;
	const char *why;
	uint32_t why_val[2];
	struct netring_rx_stats st;
};

int netring_rx_init(struct netring_rx *r, void *sring, const struct netring_rx_caps *caps);

/* Reads req_prod once and checks it. NETRING_BROKEN the first time it is
 * nonsense, else the count of pages posted and not yet taken. */
int netring_rx_begin(struct netring_rx *r);

/* Slots a frame of len bytes with offloads o takes in this frontend: 0
 * if it cannot take it at all (larger than one page without
 * feature-sg, more than NETRING_RX_PAGES_MAX pages, or 0 bytes). */
unsigned netring_rx_slots(const struct netring_rx *r, uint32_t len, const struct net_offload *o);

/* Takes the requests for one frame: NETRING_TOOK (*p says where its bytes
 * go), NETRING_NONE (too few pages posted since netring_rx_begin(): nothing
 * taken), -1 (netring_rx_slots() is 0: the caller drops it). The flags
 * follow o: GSO kept only for a frontend that takes the type, csum_blank
 * passed on as csum_blank | data_validated, data_validated as is. */
int netring_rx_take(struct netring_rx *r, uint32_t len, const struct net_offload *o,
		    struct netring_rxpkt *p);

/* The responses of a taken frame, in the slots its requests were in;
 * failed (bit i: data slot i's copy failed, may be 0) turns those pages'
 * status into NETIF_RSP_ERROR. -1 if the ring is broken or p is not the
 * oldest frame taken and unanswered. */
int netring_rx_finish(struct netring_rx *r, const struct netring_rxpkt *p, uint32_t failed);

bool netring_rx_push(struct netring_rx *r);

/* Before waiting for pages: true if n pages are posted now (serve again),
 * else req_event is set so that the guest notifies when the n-th one comes
 * (its feature-rx-notify). */
bool netring_rx_need(struct netring_rx *r, unsigned n);

/* Pages posted and not yet taken, as of the last netring_rx_begin(). */
static inline uint32_t netring_rx_posted(const struct netring_rx *r)
{
	return r->req_seen - r->req_cons;
}

#endif
