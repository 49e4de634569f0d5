/* SPDX-License-Identifier: MIT */
/*
 * The paravirtual network interface (Xen's public io/netif.h), our own
 * definitions with Xen's numbers and layouts.
 *
 * A guest's network frontend (Linux's xen-netfront) and its backend (the
 * management domain, mgmt/netback.c) share two rings (io/ring.h), each one
 * page: TX carries the guest's frames out, RX brings frames in. Both
 * rings' slots hold a request, or the response written over it; the same
 * layout in both x86 ABIs (no 64-bit fields).
 *
 * TX (frontend -> backend): a frame is a run of slots:
 *   the first request      flags NETTXF_*, size = the WHOLE frame's length,
 *                          its own data = size minus the later slots' sizes;
 *   extra-info slots       if the first has NETTXF_extra_info, one struct
 *                          netif_extra_info each, chained by
 *                          XEN_NETIF_EXTRA_FLAG_MORE;
 *   further requests       while the previous data request has
 *                          NETTXF_more_data: size = that slot's data.
 * Each data request names offset..offset+size within one granted page.
 * Every slot gets one response, in any order, by id; an extra-info slot's
 * response has status NETIF_RSP_NULL.
 *
 * RX (backend -> frontend): the frontend posts empty pages (a request: id,
 * gref); the backend fills them and answers in the SAME slot the request
 * was in (Linux's netfront ignores the response's id): status = the bytes
 * in that page (or NETIF_RSP_*), offset, flags NETRXF_*; a frame spans
 * slots chained by NETRXF_more_data, and NETRXF_extra_info on its first
 * response puts a struct netif_extra_info (GSO) in the next slot, which
 * uses up that slot's posted page.
 *
 * Negotiation through the store (docs/network.md lists every node):
 *  - backend: feature-sg, feature-gso-tcpv4, feature-gso-tcpv6,
 *    feature-ipv6-csum-offload, feature-rx-copy (1), feature-rx-flip (0),
 *    feature-split-event-channels, (multi-queue-max-queues,
 *    feature-multicast-control, feature-ctrl-ring: not offered here);
 *  - frontend: tx-ring-ref, rx-ring-ref, event-channel (or
 *    event-channel-tx and event-channel-rx), request-rx-copy,
 *    feature-rx-notify, feature-sg, feature-gso-tcpv4, feature-gso-tcpv6,
 *    feature-no-csum-offload (absent: IPv4 checksum offload is on),
 *    feature-ipv6-csum-offload (absent: off), multi-queue-num-queues.
 */
#ifndef EYRIE_PUBLIC_IO_NETIF_H
#define EYRIE_PUBLIC_IO_NETIF_H

#include <stdint.h>

#include "include/public/grant_table.h"
#include "include/public/io/ring.h"

/* Slots a frame may take that every backend must accept (the old Linux
 * MAX_SKB_FRAGS + 1): more is up to the backend, which may drop it. */
#define XEN_NETIF_NR_SLOTS_MIN 18

/* The largest frame a TX request's 16-bit size can describe. */
#define XEN_NETIF_MAX_TX_SIZE 0xffff

/* TX request flags. */
#define NETTXF_csum_blank     (1u << 0) /* the L4 checksum holds only the pseudo-header sum */
#define NETTXF_data_validated (1u << 1) /* the sender vouches for the checksums */
#define NETTXF_more_data      (1u << 2) /* the frame goes on in the next data request */
#define NETTXF_extra_info     (1u << 3) /* extra-info slots follow this one */

struct netif_tx_request {
	grant_ref_t gref;    /* the page holding this slot's data */
	uint16_t offset;     /* where in it */
	uint16_t flags;      /* NETTXF_* */
	uint16_t id;         /* echoed in the response */
	uint16_t size;       /* first slot: the whole frame; later ones: this slot */
};

struct netif_tx_response {
	uint16_t id;
	int16_t status;      /* NETIF_RSP_* */
};

/* Extra-info slots. */
#define XEN_NETIF_EXTRA_TYPE_NONE      0 /* never valid */
#define XEN_NETIF_EXTRA_TYPE_GSO       1 /* u.gso */
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD 2 /* u.mcast: a multicast filter entry */
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL 3 /* u.mcast */
#define XEN_NETIF_EXTRA_TYPE_HASH      4 /* u.hash: with a control ring only */
#define XEN_NETIF_EXTRA_TYPE_MAX       5

#define XEN_NETIF_EXTRA_FLAG_MORE (1u << 0) /* another extra-info slot follows */

/* GSO types (u.gso.type). */
#define XEN_NETIF_GSO_TYPE_NONE  0
#define XEN_NETIF_GSO_TYPE_TCPV4 1
#define XEN_NETIF_GSO_TYPE_TCPV6 2

/* 8 bytes, so that it fits a TX slot (12) and an RX slot (8). */
struct netif_extra_info {
	uint8_t type;        /* XEN_NETIF_EXTRA_TYPE_* */
	uint8_t flags;       /* XEN_NETIF_EXTRA_FLAG_* */
	union {
		struct {
			uint16_t size;     /* payload bytes per segment: the MSS (not 0) */
			uint8_t type;      /* XEN_NETIF_GSO_TYPE_* */
			uint8_t pad;
			uint16_t features; /* XEN_NETIF_GSO_FEAT_*: none defined */
		} gso;
		struct {
			uint8_t addr[6];
		} mcast;
		struct {
			uint8_t type;      /* a control ring's hash type */
			uint8_t algorithm;
			uint8_t value[4];
		} hash;
		uint16_t pad[3];
	} u;
};

struct netif_rx_request {
	uint16_t id;         /* echoed in the response */
	uint16_t pad;
	grant_ref_t gref;    /* a whole page to fill */
};

/* RX response flags (not the same bits as TX's). */
#define NETRXF_data_validated (1u << 0)
#define NETRXF_csum_blank     (1u << 1)
#define NETRXF_more_data      (1u << 2)
#define NETRXF_extra_info     (1u << 3)
#define NETRXF_gso_prefix     (1u << 4) /* deprecated: never sent here */

struct netif_rx_response {
	uint16_t id;
	uint16_t offset;     /* where in the page the data starts */
	uint16_t flags;      /* NETRXF_* */
	int16_t status;      /* > 0: bytes in this page; else NETIF_RSP_* */
};

#define NETIF_RSP_DROPPED (-2)
#define NETIF_RSP_ERROR   (-1)
#define NETIF_RSP_OKAY    0
#define NETIF_RSP_NULL    1  /* the response to an extra-info slot */

/* Ring entries: a request or the response written over it. */
union netif_tx_sring_entry {
	struct netif_tx_request req;
	struct netif_tx_response rsp;
	struct netif_extra_info extra;
};
union netif_rx_sring_entry {
	struct netif_rx_request req;
	struct netif_rx_response rsp;
	struct netif_extra_info extra;
};

/* Entries in a one-page ring: 256 each. */
#define NETIF_TX_RING_ENTRIES XEN_RING_ENTRIES(4096u, sizeof(union netif_tx_sring_entry))
#define NETIF_RX_RING_ENTRIES XEN_RING_ENTRIES(4096u, sizeof(union netif_rx_sring_entry))

/* Xen's layouts, which frontends were compiled against. */
_Static_assert(sizeof(struct netif_tx_request) == 12, "tx request");
_Static_assert(__builtin_offsetof(struct netif_tx_request, offset) == 4, "tx offset");
_Static_assert(__builtin_offsetof(struct netif_tx_request, flags) == 6, "tx flags");
_Static_assert(__builtin_offsetof(struct netif_tx_request, id) == 8, "tx id");
_Static_assert(__builtin_offsetof(struct netif_tx_request, size) == 10, "tx size");
_Static_assert(sizeof(struct netif_tx_response) == 4, "tx response");
_Static_assert(sizeof(struct netif_extra_info) == 8, "extra info");
_Static_assert(__builtin_offsetof(struct netif_extra_info, u.gso.size) == 2, "gso size");
_Static_assert(__builtin_offsetof(struct netif_extra_info, u.gso.type) == 4, "gso type");
_Static_assert(__builtin_offsetof(struct netif_extra_info, u.gso.features) == 6, "gso feat");
_Static_assert(sizeof(struct netif_rx_request) == 8, "rx request");
_Static_assert(__builtin_offsetof(struct netif_rx_request, gref) == 4, "rx gref");
_Static_assert(sizeof(struct netif_rx_response) == 8, "rx response");
_Static_assert(__builtin_offsetof(struct netif_rx_response, status) == 6, "rx status");
_Static_assert(sizeof(union netif_tx_sring_entry) == 12, "tx entry");
_Static_assert(sizeof(union netif_rx_sring_entry) == 8, "rx entry");
_Static_assert(NETIF_TX_RING_ENTRIES == 256 && NETIF_RX_RING_ENTRIES == 256, "ring entries");

#endif
