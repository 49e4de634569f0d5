/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ethernet frames as the network backends and the bridge handle them
 * (mgmt/netpkt.c: pure, no hypercalls, no globals; tests/unit/test_netpkt.c).
 *
 * A frame travels with its offload state, as in Xen's netif and Linux's
 * sk_buff: a guest's xen-netfront may send a frame whose TCP or UDP
 * checksum is blank (NETTXF_csum_blank: the field holds only the
 * pseudo-header sum, Linux's CHECKSUM_PARTIAL) and a TCP frame of up to
 * 64 KiB to be cut into MSS-sized segments (a GSO extra-info slot). A
 * port that can take such a frame as it is (another netfront that
 * offered it) gets it as it is; a port that cannot (the physical uplink)
 * gets it finished here: checksums filled in, segments cut.
 *
 * Every function reads only the frame it is given, never past len, and
 * refuses (a negative errno, nothing written) what it does not
 * understand: a frame from a guest is hostile.
 */
#ifndef EYRIE_MGMT_NETPKT_H
#define EYRIE_MGMT_NETPKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETPKT_ETH_HLEN   14u
#define NETPKT_MTU        1500u     /* what the uplink and the vifs carry */
#define NETPKT_FRAME_MAX  1518u     /* a plain frame: MTU + header + one VLAN tag */
/* A GSO frame: the Ethernet header (and a VLAN tag) and an IP packet of
 * at most 65535 bytes (IPv4's total length; IPv6's payload length plus
 * its 40-byte header). */
#define NETPKT_GSO_MAX    (18u + 65535u + 40u)

/* Xen's GSO types (include/public/io/netif.h: XEN_NETIF_GSO_TYPE_*). */
enum { NETPKT_GSO_NONE = 0, NETPKT_GSO_TCPV4 = 1, NETPKT_GSO_TCPV6 = 2 };

struct net_offload {
	bool csum_blank;     /* the L4 checksum is to be filled in */
	bool data_validated; /* the sender vouches for the checksums */
	uint8_t gso_type;    /* NETPKT_GSO_* */
	uint16_t gso_size;   /* with gso_type: payload bytes per segment (the MSS) */
};

/* Where the headers of a frame are (offsets from the frame's start). */
struct netpkt_hdrs {
	uint16_t ethertype;  /* 0x0800, 0x86dd, 0x0806, ... (after a VLAN tag) */
	uint16_t l3;         /* the IP header */
	uint16_t l4;         /* the TCP or UDP header; 0 when none */
	uint8_t  proto;      /* 6 (TCP), 17 (UDP), ...; 0 when not IP */
	uint16_t l4_len;     /* bytes from l4 to the IP packet's end */
	uint16_t payload;    /* with TCP: the first payload byte (l4 + data offset) */
};

/* Parses Ethernet (one optional 802.1Q tag), IPv4 (options allowed, not
 * a fragment for l4) or IPv6 (hop-by-hop, routing and destination
 * options headers skipped), then TCP or UDP. 0 (h filled in: for a frame
 * that is not IP, only ethertype and l3), or -EINVAL (truncated, lengths
 * that disagree with len, a bad IHL or data offset). Trailing bytes
 * after the IP packet (Ethernet padding) are allowed. */
int netpkt_parse(const uint8_t *f, size_t len, struct netpkt_hdrs *h);

/* Fills in the TCP or UDP checksum of an IPv4 or IPv6 frame, computed
 * from scratch over the pseudo-header and the L4 segment (whatever the
 * field held). 0, -EINVAL (netpkt_parse refused it), -EPROTONOSUPPORT
 * (not TCP or UDP over IP). */
int netpkt_csum_fill(uint8_t *f, size_t len);

/* Whether the IPv4 header checksum and the TCP/UDP checksum of a frame
 * are right (a UDP checksum of 0 over IPv4 means none: right). 0, -EBADMSG
 * (wrong), -EINVAL, -EPROTONOSUPPORT as above. */
int netpkt_csum_check(const uint8_t *f, size_t len);

/* Cuts a TCP GSO frame (o->gso_type TCPV4 or TCPV6, o->gso_size the MSS)
 * into frames of at most MSS payload bytes each, every one with its own
 * headers: IPv4 total length, id (+1 a segment) and header checksum; IPv6
 * payload length; TCP sequence numbers, FIN and PSH on the last segment
 * only, CWR on the first only; TCP checksums filled in. Each segment is
 * built in seg (seg_len bytes: at least the headers plus the MSS) and
 * handed to emit, which may not keep the pointer. The number of
 * segments, or -EINVAL (a bad frame, a gso_type that does not match the
 * frame, an MSS of 0 or one that does not fit seg), -EPROTONOSUPPORT
 * (not TCP). A frame whose payload fits one MSS comes out as one
 * segment. */
typedef void netpkt_emit_fn(void *ctx, const uint8_t *frame, size_t len);
int netpkt_gso_segment(const uint8_t *f, size_t len, const struct net_offload *o,
		       uint8_t *seg, size_t seg_len, netpkt_emit_fn *emit, void *ctx);

/* The Internet checksum (RFC 1071) of len bytes, added to sum (not
 * folded, not complemented); netpkt_csum_fold finishes it. */
uint32_t netpkt_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t netpkt_csum_fold(uint32_t sum);

#endif
