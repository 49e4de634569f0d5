/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Learning Ethernet bridges (mgmt/bridge.c: pure, no hypercalls, no
 * globals; tests/unit/test_bridge.c). docs/network.md describes them.
 *
 * A bridge has a name ("xenbr0", the default of xl's vif specs) and ports:
 * a guest's interface (mgmt/netback.c) or a machine's NIC (the uplink).
 * A port is a transmit callback and what it takes; every port is alike to
 * the bridge, which
 *  - learns where each source MAC lives (a table of BRIDGE_FDB_SIZE
 *    entries, a lookup scans BRIDGE_FDB_WAYS of them; an entry ages out
 *    after 300 s unseen; a full window loses its oldest entry);
 *  - sends a frame for a known MAC to that port only, and floods
 *    broadcast, multicast and unknown destinations to every port that is
 *    up but the one it came in on; never back to that one;
 *  - drops, per port and counted by reason: a guest port's frames whose
 *    source MAC is not the port's (anti-spoofing, on by default for guest
 *    ports), frames with a multicast or zero source, runts, GSO frames
 *    that are not TCP of their type (or would make more than
 *    BRIDGE_SEGS_MAX segments), frames too large for a port, frames a
 *    port refused (down, queue full), frames it could not finish;
 *  - finishes a frame for a port that cannot take it as it is: a port
 *    without the checksum offload of the frame's IP version gets a copy
 *    with its TCP/UDP checksum filled in (netpkt_csum_fill), a port
 *    without the frame's GSO type gets its segments (netpkt_gso_segment),
 *    each with its checksums; both are then marked data_validated.
 *
 * Frames are reference-counted (struct netframe): a port's transmit
 * callback borrows the frame and holds it (netframe_hold) if it keeps it
 * beyond the call (a queue); a frame is never changed once made, so many
 * ports may hold one flooded frame. The bytes of all live frames of a
 * bridge set are bounded (its frame budget): netframe_new() refuses
 * beyond it, and the frame is dropped and counted (nomem).
 */
#ifndef EYRIE_MGMT_BRIDGE_H
#define EYRIE_MGMT_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgmt/netpkt.h"

#define BRIDGE_NAME_LEN    16     /* 1..15 of [A-Za-z0-9_.-] */
#define BRIDGE_MAX         8      /* bridges at once */
#define BRIDGE_PORTS_MAX   64     /* ports of one bridge */
#define BRIDGE_FDB_SIZE    1024   /* forwarding entries of one bridge (a power of two) */
#define BRIDGE_FDB_WAYS    8      /* entries a MAC may live in: a lookup's work */
#define BRIDGE_AGE_NS      (300ull * 1000000000ull)
#define BRIDGE_SEGS_MAX    256    /* segments one GSO frame may make */

struct bridge_set;

struct netframe {
	uint32_t refs;
	uint32_t len;               /* bytes in data */
	struct net_offload off;
	struct bridge_set *set;     /* whose budget it counts in */
	uint8_t data[];
};

/* What a frame of len bytes costs the frame budget. */
static inline uint64_t netframe_cost(uint32_t len)
{
	return sizeof(struct netframe) + (uint64_t)len;
}

/* A frame of len bytes (data uninitialised, offloads none, one reference),
 * or NULL: no memory, or the set's frame budget would be exceeded even
 * after its reclaim hook (bridge_set_reclaim) had its say. */
struct netframe *netframe_new(struct bridge_set *s, uint32_t len);
static inline void netframe_hold(struct netframe *f)
{
	f->refs++;
}
/* Drops a reference; the last one frees the frame. */
void netframe_put(struct netframe *f);

/* Why a frame was dropped at a port (in or out). */
enum bridge_drop {
	BRIDGE_DROP_SPOOF,       /* in: a guest port's frame from another MAC */
	BRIDGE_DROP_SOURCE,      /* in: a multicast or zero source MAC */
	BRIDGE_DROP_RUNT,        /* in: shorter than an Ethernet header */
	BRIDGE_DROP_BAD_GSO,     /* in: a GSO frame that is not TCP of its type, or too many segments */
	BRIDGE_DROP_TOO_BIG,     /* out: larger than the port takes */
	BRIDGE_DROP_DOWN,        /* out: the port is down (a unicast destination) */
	BRIDGE_DROP_FULL,        /* out: the port refused it (its queue is full) */
	BRIDGE_DROP_NOMEM,       /* out: no memory for a finished copy (the frame budget) */
	BRIDGE_DROP_FINISH,      /* out: its checksum or segments could not be made */
	BRIDGE_DROP_REASONS
};
const char *bridge_drop_name(enum bridge_drop d);

struct bridge_port_stats {
	uint64_t in_packets, in_bytes;   /* frames the port brought in */
	uint64_t out_packets, out_bytes; /* frames sent out of it (segments one by one) */
	uint64_t in_gso, out_gso;        /* of them, GSO frames */
	uint64_t segmented;              /* GSO frames cut into segments for it */
	uint64_t csum_filled;            /* frames whose checksum was filled in for it */
	uint64_t drops[BRIDGE_DROP_REASONS];
	uint64_t errors;                 /* counted by the port's owner (its ring, its device) */
};

/* What a port takes as it is (else the bridge finishes the frame). */
#define BRIDGE_CAP_CSUM4 (1u << 0) /* csum_blank IPv4 TCP/UDP frames */
#define BRIDGE_CAP_CSUM6 (1u << 1) /* csum_blank IPv6 ones */
#define BRIDGE_CAP_GSO4  (1u << 2) /* GSO TCPv4 frames */
#define BRIDGE_CAP_GSO6  (1u << 3) /* GSO TCPv6 frames */

/* Sends f out of the port (ctx: the port's owner). f is lent: the callee
 * holds it if it keeps it. 0: sent or queued; -ENETDOWN: the port is down;
 * anything else negative: refused (its queue is full). */
typedef int bridge_xmit_fn(void *ctx, struct netframe *f);

struct bridge_port_cfg {
	const char *name;            /* vif1.0, uplink, ... (shown in bridge-list) */
	uint8_t mac[6];              /* a guest's MAC */
	bool antispoof;              /* frames in must come from mac */
	bool up;
	unsigned caps;               /* BRIDGE_CAP_* */
	uint32_t max_frame;          /* the largest frame it takes (GSO frames it takes aside) */
	bridge_xmit_fn *xmit;
	void *ctx;
};

struct bridge;

struct bridge_port {
	struct bridge *br;
	uint16_t index;              /* in br->port[] */
	char name[BRIDGE_NAME_LEN];
	uint8_t mac[6];
	bool antispoof, up;
	unsigned caps;
	uint32_t max_frame;
	bridge_xmit_fn *xmit;
	void *ctx;
	struct bridge_port_stats st;
};

struct bridge_fdb {
	uint8_t mac[6];
	uint16_t port;               /* index + 1; 0: a free entry */
	uint64_t seen;               /* ns */
};

struct bridge_stats {
	uint64_t forwarded;          /* frames sent to the one port their destination is at */
	uint64_t flooded;            /* frames sent to every port but the input */
	uint64_t filtered;           /* frames whose destination is at their input port */
	uint64_t learned, moved, evicted, aged; /* table entries */
};

struct bridge {
	bool used;
	char name[BRIDGE_NAME_LEN];
	struct bridge_set *set;
	struct bridge_port *port[BRIDGE_PORTS_MAX];
	unsigned nports;
	struct bridge_fdb *fdb;      /* BRIDGE_FDB_SIZE entries */
	uint64_t age_ns;             /* BRIDGE_AGE_NS unless changed */
	uint32_t seed;               /* of the table's hash */
	struct bridge_stats st;
};

/* Asked by netframe_new() for need more bytes of frame budget: the owner
 * of queued frames drops some (netframe_put, never netframe_new). */
typedef void bridge_reclaim_fn(void *ctx, uint64_t need);

struct bridge_set {
	struct bridge br[BRIDGE_MAX];
	uint64_t frame_budget;       /* bytes of live frames at most */
	uint64_t frame_bytes;        /* now */
	uint64_t frames;             /* live frames now */
	uint64_t reclaims;           /* times the reclaim hook was asked */
	uint32_t seed;
	bridge_reclaim_fn *reclaim;
	void *reclaim_ctx;
};

/* An empty set: frame_budget bytes of frames at most; seed varies the
 * tables' hashes (so that MACs colliding in one run need not in another). */
void bridge_set_init(struct bridge_set *s, uint64_t frame_budget, uint32_t seed);

/* The hook netframe_new() asks when a frame does not fit the budget (a
 * frame larger than the whole budget asks nobody). */
void bridge_set_reclaim(struct bridge_set *s, bridge_reclaim_fn *fn, void *ctx);

/* Whether name is a bridge name (1..15 of [A-Za-z0-9_.-]). */
bool bridge_name_ok(const char *name);

/* The bridge of that name, or NULL. */
struct bridge *bridge_find(struct bridge_set *s, const char *name);

/* Adds a port to the bridge of that name, which is made if it does not
 * exist yet. The port, or NULL: a bad name, no room (BRIDGE_MAX bridges,
 * BRIDGE_PORTS_MAX ports) or no memory. */
struct bridge_port *bridge_port_add(struct bridge_set *s, const char *bridge,
				    const struct bridge_port_cfg *cfg);

/* Removes a port: its table entries are forgotten; a bridge left without
 * ports goes too. */
void bridge_port_del(struct bridge_port *p);

/* A port's state and what it takes now (a frontend connected). */
void bridge_port_set(struct bridge_port *p, bool up, unsigned caps, uint32_t max_frame);

/* A frame that came in at port in (now: ns, for the table's ages): it
 * goes where it must, finished for each port as needed. Takes the
 * caller's reference to f. The count of ports it went out of, or -1 if it
 * was dropped at the input (counted there). */
int bridge_input(struct bridge_port *in, struct netframe *f, uint64_t now);

/* Forgets entries unseen for age_ns. */
void bridge_age(struct bridge *b, uint64_t now);

/* The port a MAC was learned at (not aged out at now), or NULL. */
struct bridge_port *bridge_lookup(struct bridge *b, const uint8_t mac[6], uint64_t now);

#endif
