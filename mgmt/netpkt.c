/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ethernet frames with their offloads (see netpkt.h).
 *
 * Every field is read byte by byte in network order, so the code reads no
 * unaligned words and is the same on any host. Every offset is checked
 * against the end of the IP packet (never past len) before a byte is
 * read: the parser does all the checking once, and the checksum and GSO
 * code only use what it returns.
 *
 * What the parser gives beyond the contract, as the callers may rely on:
 * - l4 is non-zero only for TCP and UDP headers it checked; for any other
 *   IP packet proto is where the walk stopped (ICMP 1, ICMPv6 58, IPv6's
 *   fragment header 44, ESP 50, ...) and l4 is 0. An IPv4 fragment keeps
 *   its protocol in proto with l4 0: its L4 header is not whole here.
 * - With UDP, payload is l4 + 8; the UDP length must be exactly l4_len.
 * - A frame whose L4 header would lie past offset 65535 (IPv6 extension
 *   headers of nearly 64 KiB) is refused: the offsets are 16-bit.
 *
 * netpkt_csum_check checks the IPv4 header checksum before it looks at
 * L4, so an ICMP packet with a broken header gives -EBADMSG, one with a
 * right header -EPROTONOSUPPORT.
 */
#include "netpkt.h" /* beside it: builds with or without -I. */

#include <errno.h>
#include <string.h>

#define ETH_P_IPV4 0x0800u
#define ETH_P_IPV6 0x86ddu
#define ETH_P_8021Q 0x8100u
#define IPPROTO_HOPOPTS 0u
#define IPPROTO_TCP 6u
#define IPPROTO_UDP 17u
#define IPPROTO_ROUTING 43u
#define IPPROTO_DSTOPTS 60u
#define IP6_HLEN 40u
#define TCP_FIN 0x01u
#define TCP_PSH 0x08u
#define TCP_CWR 0x80u

/* The parse with what the checksums also need: where the address that
 * goes into the pseudo-header as the destination is (IPv6: the final
 * destination when a routing header has segments left, RFC 8200 8.1). */
struct hdrs {
	struct netpkt_hdrs h;
	size_t dst;      /* offset of the pseudo-header's destination */
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

uint32_t netpkt_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = sum;

	/* 32-bit words: 2^32 = 1 modulo 0xffff, so summing them and folding
	 * the carries back in gives the same ones' complement sum as 16-bit
	 * words. 64 KiB of words cannot overflow 64 bits. */
	for (; len >= 4; p += 4, len -= 4)
		acc += be32(p);
	if (len >= 2) {
		acc += be16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t)p[0] << 8; /* an odd byte is the high half of a word */
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t netpkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

static int parse_ipv4(const uint8_t *f, size_t len, struct hdrs *p)
{
	struct netpkt_hdrs *h = &p->h;
	const uint8_t *ip = f + h->l3;
	size_t room = len - h->l3;

	if (room < 20 || ip[0] >> 4 != 4)
		return -EINVAL;
	size_t ihl = (ip[0] & 0xfu) * 4u, tot = be16(ip + 2);
	if (ihl < 20 || ihl > room || tot < ihl || tot > room)
		return -EINVAL;
	h->proto = ip[9];
	p->dst = h->l3 + 16u;
	if (be16(ip + 6) & 0x3fffu)     /* MF or a fragment offset */
		return 0;
	h->l4 = (uint16_t)(h->l3 + ihl);
	h->l4_len = (uint16_t)(tot - ihl);
	return 0;
}

/* A routing header with segments left: where the final destination is
 * (types 0 and 2: the last address of the list; 4, segment routing: the
 * first), or 0 for a type we do not know. */
static size_t final_dst(const uint8_t *rh, size_t off, size_t hlen)
{
	size_t n = (hlen - 8) / 16;

	if (n == 0)
		return 0;
	if (rh[2] == 0 || rh[2] == 2)
		return off + 8 + 16 * (n - 1);
	if (rh[2] == 4)
		return off + 8;
	return 0;
}

static int parse_ipv6(const uint8_t *f, size_t len, struct hdrs *p)
{
	struct netpkt_hdrs *h = &p->h;
	const uint8_t *ip = f + h->l3;

	if (len - h->l3 < IP6_HLEN || ip[0] >> 4 != 6)
		return -EINVAL;
	size_t end = h->l3 + IP6_HLEN + be16(ip + 4), off = h->l3 + IP6_HLEN;
	if (end > len)
		return -EINVAL;
	unsigned nh = ip[6];
	p->dst = h->l3 + 24u;
	/* Each extension header is at least 8 bytes: at most 8192 turns. */
	while (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
		if (nh == IPPROTO_HOPOPTS && off != h->l3 + IP6_HLEN)
			return -EINVAL; /* hop-by-hop only right after the header */
		if (end - off < 8 || end - off < (f[off + 1] + 1u) * 8u)
			return -EINVAL;
		size_t hlen = (f[off + 1] + 1u) * 8u;
		if (nh == IPPROTO_ROUTING && f[off + 3] != 0) {
			p->dst = final_dst(f + off, off, hlen);
			if (!p->dst)
				break; /* unknown routing: no L4 checksum we could vouch for */
		}
		nh = f[off];
		off += hlen;
	}
	h->proto = (uint8_t)nh;
	if (nh != IPPROTO_TCP && nh != IPPROTO_UDP)
		return 0;
	if (off > UINT16_MAX)
		return -EINVAL;
	h->l4 = (uint16_t)off;
	h->l4_len = (uint16_t)(end - off);
	return 0;
}

/* The L4 header of an IPv4 or IPv6 packet that parse_ip* found. */
static int parse_l4(const uint8_t *f, struct netpkt_hdrs *h)
{
	const uint8_t *l4 = f + h->l4;
	size_t off;

	if (h->proto == IPPROTO_TCP) {
		if (h->l4_len < 20)
			return -EINVAL;
		off = (l4[12] >> 4) * 4u;
		if (off < 20 || off > h->l4_len)
			return -EINVAL;
	} else if (h->proto == IPPROTO_UDP) {
		off = 8;
		if (h->l4_len < 8 || be16(l4 + 4) != h->l4_len)
			return -EINVAL;
	} else {
		h->l4 = h->l4_len = 0; /* only TCP and UDP headers are looked at */
		return 0;
	}
	if (h->l4 + off > UINT16_MAX)
		return -EINVAL;
	h->payload = (uint16_t)(h->l4 + off);
	return 0;
}

static int parse(const uint8_t *f, size_t len, struct hdrs *p)
{
	struct netpkt_hdrs *h = &p->h;
	int rc;

	memset(p, 0, sizeof(*p));
	if (len < NETPKT_ETH_HLEN)
		return -EINVAL;
	h->ethertype = be16(f + 12);
	h->l3 = NETPKT_ETH_HLEN;
	if (h->ethertype == ETH_P_8021Q) {
		if (len < NETPKT_ETH_HLEN + 4)
			return -EINVAL;
		h->ethertype = be16(f + 16);
		h->l3 += 4;
	}
	if (h->ethertype == ETH_P_IPV4)
		rc = parse_ipv4(f, len, p);
	else if (h->ethertype == ETH_P_IPV6)
		rc = parse_ipv6(f, len, p);
	else
		return 0;
	if (rc < 0 || !h->l4)
		return rc;
	return parse_l4(f, h);
}

int netpkt_parse(const uint8_t *f, size_t len, struct netpkt_hdrs *h)
{
	struct hdrs p;
	int rc = parse(f, len, &p);

	if (rc == 0)
		*h = p.h;
	return rc;
}

static size_t csum_field(const struct netpkt_hdrs *h)
{
	return h->l4 + (h->proto == IPPROTO_TCP ? 16u : 6u);
}

/* The pseudo-header's sum for an L4 segment of l4_len bytes. */
static uint32_t pseudo_sum(const uint8_t *f, const struct hdrs *p, size_t l4_len)
{
	uint32_t sum;

	if (p->h.ethertype == ETH_P_IPV4) {
		sum = netpkt_csum_add(0, f + p->h.l3 + 12, 4);
		sum = netpkt_csum_add(sum, f + p->dst, 4);
	} else {
		sum = netpkt_csum_add(0, f + p->h.l3 + 8, 16);
		sum = netpkt_csum_add(sum, f + p->dst, 16);
	}
	/* The zero, protocol and length words (IPv6's 32-bit length and
	 * 24 zero bits come to the same two words: l4_len < 2^16). */
	return sum + p->h.proto + (uint32_t)l4_len;
}

/* Writes the L4 checksum of a parsed frame whose L4 segment is l4_len. */
static void l4_fill(uint8_t *f, const struct hdrs *p, size_t l4_len)
{
	size_t at = csum_field(&p->h);

	put16(f + at, 0);
	uint16_t c = netpkt_csum_fold(netpkt_csum_add(pseudo_sum(f, p, l4_len),
						      f + p->h.l4, l4_len));
	if (c == 0 && p->h.proto == IPPROTO_UDP)
		c = 0xffff; /* 0 would say "no checksum" (RFC 768) */
	put16(f + at, c);
}

int netpkt_csum_fill(uint8_t *f, size_t len)
{
	struct hdrs p;
	int rc = parse(f, len, &p);

	if (rc < 0)
		return rc;
	if (!p.h.l4)
		return -EPROTONOSUPPORT;
	l4_fill(f, &p, p.h.l4_len);
	return 0;
}

int netpkt_csum_check(const uint8_t *f, size_t len)
{
	struct hdrs p;
	int rc = parse(f, len, &p);

	if (rc < 0)
		return rc;
	if (p.h.ethertype == ETH_P_IPV4 &&
	    netpkt_csum_fold(netpkt_csum_add(0, f + p.h.l3, (f[p.h.l3] & 0xfu) * 4u)))
		return -EBADMSG;
	if (!p.h.l4)
		return -EPROTONOSUPPORT;
	if (p.h.proto == IPPROTO_UDP && be16(f + csum_field(&p.h)) == 0)
		/* No checksum: allowed over IPv4 only (RFC 8200 8.1). */
		return p.h.ethertype == ETH_P_IPV4 ? 0 : -EBADMSG;
	uint32_t sum = netpkt_csum_add(pseudo_sum(f, &p, p.h.l4_len), f + p.h.l4, p.h.l4_len);
	return netpkt_csum_fold(sum) ? -EBADMSG : 0;
}

/* Sets the headers of segment i (payload bytes `chunk`, sequence number
 * seq, of n) in seg, a copy of the GSO frame's headers. */
static void seg_headers(uint8_t *seg, const struct hdrs *p, uint32_t seq, size_t chunk,
			unsigned i, unsigned n)
{
	const struct netpkt_hdrs *h = &p->h;
	uint8_t *ip = seg + h->l3, *tcp = seg + h->l4;
	size_t l4_len = h->payload - h->l4 + chunk;

	if (h->ethertype == ETH_P_IPV4) {
		size_t ihl = (ip[0] & 0xfu) * 4u;
		put16(ip + 2, (uint16_t)(ihl + l4_len));
		put16(ip + 4, (uint16_t)(be16(ip + 4) + i));
		put16(ip + 10, 0);
		put16(ip + 10, netpkt_csum_fold(netpkt_csum_add(0, ip, ihl)));
	} else {
		put16(ip + 4, (uint16_t)(h->l4 - h->l3 - IP6_HLEN + l4_len));
	}
	put32(tcp + 4, seq);
	if (i + 1 < n)
		tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (i > 0)
		tcp[13] &= (uint8_t)~TCP_CWR;
	l4_fill(seg, p, l4_len);
}

int netpkt_gso_segment(const uint8_t *f, size_t len, const struct net_offload *o,
		       uint8_t *seg, size_t seg_len, netpkt_emit_fn *emit, void *ctx)
{
	struct hdrs p;
	const struct netpkt_hdrs *h = &p.h;
	uint16_t want;

	if (o->gso_type == NETPKT_GSO_TCPV4)
		want = ETH_P_IPV4;
	else if (o->gso_type == NETPKT_GSO_TCPV6)
		want = ETH_P_IPV6;
	else
		return -EINVAL;
	int rc = parse(f, len, &p);
	if (rc < 0)
		return rc;
	if (h->ethertype != want)
		return -EINVAL;
	if (!h->l4 || h->proto != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	size_t mss = o->gso_size, hdr = h->payload;
	if (mss == 0 || seg_len < hdr || seg_len - hdr < mss)
		return -EINVAL;

	size_t total = h->l4 + h->l4_len - hdr; /* payload bytes: < 64 KiB */
	unsigned n = total ? (unsigned)((total + mss - 1) / mss) : 1;
	uint32_t seq = be32(f + h->l4 + 4);
	for (unsigned i = 0; i < n; i++) {
		size_t at = (size_t)i * mss, chunk = total - at < mss ? total - at : mss;
		memcpy(seg, f, hdr);
		memcpy(seg + hdr, f + hdr + at, chunk);
		seg_headers(seg, &p, seq + (uint32_t)at, chunk, i, n);
		emit(ctx, seg, hdr + chunk);
	}
	return (int)n;
}
