/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management domain's own address on a bridge (mgmt/ipstack.c: pure,
 * no hypercalls, no globals; tests/unit/test_ipstack.c). It makes domain 0
 * reachable from the guests on that bridge for what an operator checks
 * first -- ARP and ping -- and gives the network benchmark its far end:
 * a TCP sink on the discard port (9, RFC 863) that takes every byte and
 * counts it, as `nc HOST 9 < file` expects.
 *
 * It is not a general IP stack: IPv4 only, no routing (frames come from
 * and go to the one bridge), no data sent over TCP, no timers. It needs
 * none: the only segments it sends that may want a retransmission (a
 * SYN-ACK, a FIN) are sent again when the peer, which has timers,
 * repeats what they answer.
 *
 * Every frame is hostile: it is parsed with netpkt_parse, checksums are
 * checked unless the port vouched for them (a csum-blank or validated
 * frame from a guest on this host), and anything not understood is
 * counted and dropped. Work per frame is bounded (one reply at most).
 */
#ifndef EYRIE_MGMT_IPSTACK_H
#define EYRIE_MGMT_IPSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgmt/netpkt.h"

#define IPSTACK_DISCARD_PORT 9
#define IPSTACK_CONNS        8      /* TCP connections at once */
#define IPSTACK_WSCALE       3      /* our window: 65535 << 3, about 512 KiB */

enum ipstack_tcp_state { TCP_FREE, TCP_SYN_RCVD, TCP_ESTABLISHED, TCP_LAST_ACK, TCP_DONE };

struct ipstack_conn {
	enum ipstack_tcp_state state;
	uint8_t peer_mac[6];
	uint32_t peer_ip;           /* host byte order */
	uint16_t peer_port;
	uint32_t iss;               /* our initial sequence number */
	uint32_t rcv_nxt;           /* the next byte we expect */
	uint64_t bytes;             /* payload taken */
	uint64_t first_ns, last_ns; /* when the first and the last payload byte came */
	uint64_t segments, out_of_order;
};

struct ipstack_stats {
	uint64_t arp_replies, echo_replies, tcp_in, tcp_out, resets;
	uint64_t dropped;           /* not for us, not understood, bad checksum */
	uint64_t bad_csum;
};

struct ipstack {
	uint8_t mac[6];
	uint32_t ip;                /* host byte order; 0: no address (all dropped) */
	uint32_t isn_seed;          /* varies our initial sequence numbers */
	struct ipstack_conn conn[IPSTACK_CONNS];
	uint64_t done_bytes;        /* payload of connections that ended */
	struct ipstack_conn last;   /* the connection that ended last */
	struct ipstack_stats st;
};

/* Frames handed out; they are valid only during the call. */
typedef void ipstack_emit_fn(void *ctx, const uint8_t *frame, size_t len);

void ipstack_init(struct ipstack *s, const uint8_t mac[6], uint32_t ip, uint32_t isn_seed);

/* One frame from the bridge (o: its offload state; a GSO frame is taken
 * whole). At most one frame is emitted in answer. */
void ipstack_input(struct ipstack *s, const uint8_t *f, size_t len, const struct net_offload *o,
		   uint64_t now_ns, ipstack_emit_fn *emit, void *ctx);

/* "10.0.0.1" -> 0x0a000001; false when it is not a dotted quad. */
bool ipstack_parse_ip(const char *text, uint32_t *ip);

#endif
