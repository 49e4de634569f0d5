/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Frames and their offloads (mgmt/netpkt.c). Frames are built here field
 * by field, their checksums computed by a byte-at-a-time reference that
 * shares nothing with the module; two frames captured on real networks
 * (tcpdump said their checksums were right, or what they should be) pin
 * the byte order. Every buffer handed to the module is malloc'd to its
 * exact length, so ASan catches a read one byte past len.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt/netpkt.h"

/* ---- the reference ----------------------------------------------------- */

/* RFC 1071 done the slow way: byte by byte, carry folded at every step. */
static uint32_t ref_sum(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
		s = (s & 0xffff) + (s >> 16);
	}
	return s;
}

static uint16_t ref_csum(const uint8_t *p, size_t n)
{
	return (uint16_t)~ref_sum(0, p, n);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

/* Where a built frame's headers are, as the builder laid them out. */
struct lay {
	size_t len, l3, l4, l4_len, payload, dst;
	bool v6;
	uint8_t proto;
};

/* The sum of an L4 segment with its pseudo-header, folded: 0xffff when
 * the checksum in it is right. */
static uint32_t ref_l4_sum(const uint8_t *f, const struct lay *l, size_t l4_len)
{
	uint8_t ph[40] = { 0 };
	size_t n;

	if (l->v6) {
		memcpy(ph, f + l->l3 + 8, 16);
		memcpy(ph + 16, f + l->dst, 16);
		wr32(ph + 32, (uint32_t)l4_len);
		ph[39] = l->proto;
		n = 40;
	} else {
		memcpy(ph, f + l->l3 + 12, 4);
		memcpy(ph + 4, f + l->dst, 4);
		ph[9] = l->proto;
		wr16(ph + 10, (uint16_t)l4_len);
		n = 12;
	}
	return ref_sum(ref_sum(0, ph, n), f + l->l4, l4_len);
}

static void ref_l4_fill(uint8_t *f, const struct lay *l)
{
	uint8_t *c = f + l->l4 + (l->proto == 6 ? 16 : 6);

	wr16(c, 0);
	uint16_t v = (uint16_t)~ref_l4_sum(f, l, l->l4_len);
	wr16(c, v == 0 && l->proto == 17 ? 0xffff : v);
}

/* ---- the builder ------------------------------------------------------- */

struct ext {
	uint8_t type, hlen8, rtype, segleft; /* 0 hop-by-hop, 43 routing, 60 dest. options, ... */
};

struct spec {
	bool v6, vlan;
	uint8_t proto;          /* 6 or 17 (or another: no L4 header written) */
	unsigned ipopt;         /* IPv4 option bytes (multiple of 4) */
	struct ext ext[4];      /* IPv6 extension headers */
	unsigned n_ext;
	unsigned tcpopt;        /* multiple of 4 */
	uint8_t flags;          /* TCP */
	uint16_t id;
	uint32_t seq;
	size_t payload;
	size_t pad;             /* zero bytes after the IP packet */
};

static uint8_t pat(size_t i)
{
	return (uint8_t)(i * 131 + 7 + (i >> 8));
}

static size_t put_ext(uint8_t *p, const struct ext *e, uint8_t next)
{
	size_t n = (e->hlen8 + 1u) * 8u;

	memset(p, 0, n);
	p[0] = next;
	p[1] = e->hlen8;
	if (e->type == 43) {
		p[2] = e->rtype;
		p[3] = e->segleft;
		for (size_t a = 8; a + 16 <= n; a += 16) {
			p[a] = 0x20, p[a + 1] = 0x01, p[a + 2] = 0x0d, p[a + 3] = 0xb8;
			p[a + 15] = (uint8_t)(0x90 + a / 16);
		}
	} else {
		for (size_t at = 2; at < n;) { /* PadN options */
			size_t k = n - at - 2 > 255 ? 255 : n - at - 2;
			if (n - at == 1) {
				p[at++] = 0;
				continue;
			}
			p[at] = 1;
			p[at + 1] = (uint8_t)k;
			at += 2 + k;
		}
	}
	return n;
}

static size_t put_ip6(uint8_t *f, const struct spec *s, struct lay *l)
{
	uint8_t *ip = f + l->l3;
	size_t off = l->l3 + 40;

	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[2] = 0x12;
	ip[7] = 64;
	ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = 1;
	ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = 2;
	l->dst = l->l3 + 24;
	uint8_t *nh = ip + 6;
	for (unsigned i = 0; i < s->n_ext; i++) {
		const struct ext *e = &s->ext[i];
		*nh = e->type;
		nh = f + off;
		size_t n = put_ext(f + off, e, 0);
		if (e->type == 43 && e->segleft && n > 8)
			l->dst = off + 8 + 16 * ((n - 8) / 16 - 1); /* types 0 and 2 */
		off += n;
	}
	*nh = s->proto;
	return off;
}

static size_t put_ip4(uint8_t *f, const struct spec *s, struct lay *l)
{
	uint8_t *ip = f + l->l3;

	memset(ip, 0, 20 + s->ipopt);
	memset(ip + 20, 1, s->ipopt); /* NOPs */
	ip[0] = (uint8_t)(0x40 | (20 + s->ipopt) / 4);
	wr16(ip + 4, s->id);
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = s->proto;
	ip[12] = 10, ip[15] = 1;
	ip[16] = 10, ip[19] = 2;
	l->dst = l->l3 + 16;
	return l->l3 + 20 + s->ipopt;
}

/* Builds the frame of s in f (big enough); checksums by the reference. */
static struct lay build(uint8_t *f, const struct spec *s)
{
	struct lay l = { .v6 = s->v6, .proto = s->proto };
	static const uint8_t eth[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	memcpy(f, eth, 12);
	l.l3 = 14;
	if (s->vlan) {
		wr16(f + 12, 0x8100);
		wr16(f + 14, 100);
		l.l3 = 18;
	}
	wr16(f + l.l3 - 2, s->v6 ? 0x86dd : 0x0800);
	l.l4 = s->v6 ? put_ip6(f, s, &l) : put_ip4(f, s, &l);
	uint8_t *t = f + l.l4;
	size_t hl = 0;
	if (s->proto == 6) {
		hl = 20 + s->tcpopt;
		memset(t, 0, hl);
		wr16(t, 8080), wr16(t + 2, 50000);
		wr32(t + 4, s->seq);
		wr32(t + 8, 0x01020304);
		t[12] = (uint8_t)(hl / 4 << 4);
		t[13] = s->flags;
		wr16(t + 14, 0xffff);
		memset(t + 20, 1, s->tcpopt);
		if (s->tcpopt >= 12)
			t[22] = 8, t[23] = 10, wr32(t + 24, 0xdeadbeef);
	} else if (s->proto == 17) {
		hl = 8;
		wr16(t, 5353), wr16(t + 2, 53);
		wr16(t + 4, (uint16_t)(8 + s->payload));
		wr16(t + 6, 0);
	}
	l.payload = l.l4 + hl;
	for (size_t i = 0; i < s->payload; i++)
		f[l.payload + i] = pat(i);
	l.l4_len = hl + s->payload;
	l.len = l.payload + s->payload;
	if (s->v6)
		wr16(f + l.l3 + 4, (uint16_t)(l.len - l.l3 - 40));
	else {
		wr16(f + l.l3 + 2, (uint16_t)(l.len - l.l3));
		wr16(f + l.l3 + 10, ref_csum(f + l.l3, 20 + s->ipopt));
	}
	if (s->proto == 6 || s->proto == 17)
		ref_l4_fill(f, &l);
	memset(f + l.len, 0, s->pad);
	l.len += s->pad;
	return l;
}

/* A malloc'd copy of exactly n bytes (ASan sees a read past n). */
static uint8_t *copy_of(const uint8_t *f, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);

	assert_non_null(d);
	memcpy(d, f, n);
	return d;
}

static uint8_t big[NETPKT_GSO_MAX + 4096];

/* ---- checksums --------------------------------------------------------- */

static void test_csum_rfc1071(void **state)
{
	/* RFC 1071 section 3's example: the sum is ddf2 (folded), so the
	 * checksum is 220d. */
	static const uint8_t v[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint32_t s = netpkt_csum_add(0, v, sizeof(v));

	assert_int_equal(netpkt_csum_fold(s), 0x220d);
	assert_int_equal(netpkt_csum_fold(netpkt_csum_add(netpkt_csum_add(0, v, 4), v + 4, 4)), 0x220d);
	assert_int_equal(netpkt_csum_fold(netpkt_csum_add(0, v, 0)), 0xffff);
	assert_int_equal(netpkt_csum_fold(netpkt_csum_add(0, v + 2, 1)), (uint16_t)~0xf200);
	/* Wikipedia's IPv4 header example: its checksum b861 is right. */
	static const uint8_t ip[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				      0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	assert_int_equal(netpkt_csum_fold(netpkt_csum_add(0, ip, sizeof(ip))), 0);
}

static void test_csum_random(void **state)
{
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof(big); i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		big[i] = (uint8_t)x;
	}
	for (size_t n = 0; n < 600; n++) {
		uint8_t *d = copy_of(big + n * 7, n);
		assert_int_equal(netpkt_csum_fold(netpkt_csum_add(0, d, n)), ref_csum(d, n));
		free(d);
	}
	assert_int_equal(netpkt_csum_fold(netpkt_csum_add(0, big, 65535)), ref_csum(big, 65535));
	/* All ones: the carries at their most. And a sum passed in that is
	 * already large. */
	memset(big, 0xff, 65536);
	assert_int_equal(netpkt_csum_fold(netpkt_csum_add(0, big, 65535)), ref_csum(big, 65535));
	uint32_t s = netpkt_csum_add(0xffffffffu, big, 65536);
	assert_int_equal(netpkt_csum_fold(s), (uint16_t)~ref_sum(0xffff, big, 65536));
}

/* Captured: a TCP SYN from a Mac (options mss, wscale, TS, sackOK; ECE and
 * CWR set). tcpdump: "cksum 0x8efd (correct)", IP header checksum 3b8d. */
static const uint8_t syn4[] = {
	0x00, 0x50, 0xe8, 0x04, 0x77, 0x4b, 0x2c, 0xf0, 0xa2, 0xf3, 0xa8, 0xee, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0x3b, 0x8d, 0xac, 0x14,
	0x00, 0xb9, 0xac, 0xd9, 0xa5, 0x84, 0xea, 0x06, 0x00, 0x50, 0xab, 0x8c, 0x75, 0x56,
	0x00, 0x00, 0x00, 0x00, 0xb0, 0xc2, 0xff, 0xff, 0x8e, 0xfd, 0x00, 0x00, 0x02, 0x04,
	0x05, 0xb4, 0x01, 0x03, 0x03, 0x06, 0x01, 0x01, 0x08, 0x0a, 0x72, 0x22, 0x2a, 0xb7,
	0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00,
};

/* Captured: UDP over IPv6 link-local, 3 bytes "xdp", tcpdump "[udp sum
 * ok]" (de7e). The IP packet as captured, behind an Ethernet header of
 * ours. The same datagram the other way had a broken checksum 3b8e that
 * tcpdump said should be de7e. */
static const uint8_t udp6[] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd,
	0x60, 0x03, 0x5f, 0xa5, 0x00, 0x0b, 0x11, 0x7f, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x12, 0x70, 0xfd, 0xff, 0xfe, 0x48, 0x10, 0x77, 0xfe, 0x80, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x12, 0x70, 0xfd, 0xff, 0xfe, 0x48, 0x10, 0x87, 0x23, 0x83,
	0xd9, 0xff, 0x00, 0x0b, 0xde, 0x7e, 0x78, 0x64, 0x70,
};

static void test_captured_tcp4(void **state)
{
	struct netpkt_hdrs h;
	uint8_t *f = copy_of(syn4, sizeof(syn4));

	assert_int_equal(netpkt_parse(f, sizeof(syn4), &h), 0);
	assert_int_equal(h.ethertype, 0x0800);
	assert_int_equal(h.l3, 14);
	assert_int_equal(h.l4, 34);
	assert_int_equal(h.proto, 6);
	assert_int_equal(h.l4_len, 44);
	assert_int_equal(h.payload, 78);
	assert_int_equal(netpkt_csum_check(f, sizeof(syn4)), 0);
	wr16(f + 50, 0x1234);
	assert_int_equal(netpkt_csum_check(f, sizeof(syn4)), -EBADMSG);
	assert_int_equal(netpkt_csum_fill(f, sizeof(syn4)), 0);
	assert_int_equal(rd16(f + 50), 0x8efd);
	assert_memory_equal(f, syn4, sizeof(syn4));
	f[24]++; /* the IP header checksum */
	assert_int_equal(netpkt_csum_check(f, sizeof(syn4)), -EBADMSG);
	f[24]--;
	f[70] ^= 0x40; /* a bit of the timestamp */
	assert_int_equal(netpkt_csum_check(f, sizeof(syn4)), -EBADMSG);
	free(f);
}

static void test_captured_udp6(void **state)
{
	struct netpkt_hdrs h;
	uint8_t *f = copy_of(udp6, sizeof(udp6));

	assert_int_equal(netpkt_parse(f, sizeof(udp6), &h), 0);
	assert_int_equal(h.ethertype, 0x86dd);
	assert_int_equal(h.l4, 54);
	assert_int_equal(h.proto, 17);
	assert_int_equal(h.l4_len, 11);
	assert_int_equal(h.payload, 62);
	assert_int_equal(netpkt_csum_check(f, sizeof(udp6)), 0);
	/* The other way round, as captured with its bad checksum. */
	uint8_t *g = copy_of(udp6, sizeof(udp6));
	memcpy(g + 22, udp6 + 38, 16);
	memcpy(g + 38, udp6 + 22, 16);
	memcpy(g + 54, udp6 + 56, 2);
	memcpy(g + 56, udp6 + 54, 2);
	wr16(g + 60, 0x3b8e);
	assert_int_equal(netpkt_csum_check(g, sizeof(udp6)), -EBADMSG);
	assert_int_equal(netpkt_csum_fill(g, sizeof(udp6)), 0);
	assert_int_equal(rd16(g + 60), 0xde7e);
	assert_int_equal(netpkt_csum_check(g, sizeof(udp6)), 0);
	/* Over IPv6 a UDP checksum of 0 is not "none": wrong. */
	wr16(f + 60, 0);
	assert_int_equal(netpkt_csum_check(f, sizeof(udp6)), -EBADMSG);
	free(f);
	free(g);
}

/* Fills, checks and compares with the reference, for frames built here. */
static void fill_check(const struct spec *s)
{
	static uint8_t f0[4096];
	struct lay l = build(f0, s);
	uint8_t *f = copy_of(f0, l.len);
	uint16_t want = rd16(f0 + l.l4 + (s->proto == 6 ? 16 : 6));

	assert_int_equal(netpkt_csum_check(f, l.len), 0);
	wr16(f + l.l4 + (s->proto == 6 ? 16 : 6), 0xabcd);
	assert_int_equal(netpkt_csum_check(f, l.len), -EBADMSG);
	assert_int_equal(netpkt_csum_fill(f, l.len), 0);
	assert_int_equal(rd16(f + l.l4 + (s->proto == 6 ? 16 : 6)), want);
	assert_memory_equal(f, f0, l.len);
	free(f);
}

static void test_csum_built(void **state)
{
	struct spec s = { .proto = 6, .payload = 1, .tcpopt = 12 };

	for (int v6 = 0; v6 < 2; v6++)
		for (int p = 0; p < 2; p++)
			for (size_t n = 0; n < 300; n += 1 + n / 4) {
				s.v6 = v6, s.proto = p ? 17 : 6, s.payload = n;
				s.vlan = n & 1;
				fill_check(&s);
			}
	/* A UDP checksum that comes out 0 is sent as ffff: a payload chosen
	 * so that the sum is ffff. */
	s = (struct spec){ .proto = 17, .payload = 2 };
	struct lay l = build(big, &s);
	wr16(big + l.payload, 0);
	wr16(big + l.l4 + 6, 0);
	uint16_t c = (uint16_t)~ref_l4_sum(big, &l, l.l4_len);
	wr16(big + l.payload, c); /* now the sum is ffff: checksum 0 */
	assert_int_equal(netpkt_csum_fill(big, l.len), 0);
	assert_int_equal(rd16(big + l.l4 + 6), 0xffff);
	assert_int_equal(netpkt_csum_check(big, l.len), 0);
	/* Over IPv4, 0 is "no checksum": right. */
	wr16(big + l.l4 + 6, 0);
	assert_int_equal(netpkt_csum_check(big, l.len), 0);
}

/* ---- parsing ----------------------------------------------------------- */

static void expect_parse(const struct spec *s)
{
	struct lay l = build(big, s);
	struct netpkt_hdrs h;
	uint8_t *f = copy_of(big, l.len);

	assert_int_equal(netpkt_parse(f, l.len, &h), 0);
	assert_int_equal(h.ethertype, s->v6 ? 0x86dd : 0x0800);
	assert_int_equal(h.l3, l.l3);
	assert_int_equal(h.l4, l.l4);
	assert_int_equal(h.proto, s->proto);
	assert_int_equal(h.l4_len, l.l4_len);
	assert_int_equal(h.payload, l.payload);
	assert_int_equal(netpkt_csum_check(f, l.len), 0);
	free(f);
}

static void test_parse_vlan_options(void **state)
{
	struct spec s = { .vlan = true, .proto = 6, .ipopt = 40, .tcpopt = 40, .payload = 10 };

	expect_parse(&s);    /* IHL 15, data offset 15 */
	s.ipopt = 4, s.tcpopt = 0;
	expect_parse(&s);
	s.vlan = false, s.proto = 17;
	expect_parse(&s);
	/* Not IP: ARP, with and without a tag. */
	uint8_t arp[60] = { 0 };
	struct netpkt_hdrs h;
	wr16(arp + 12, 0x0806);
	assert_int_equal(netpkt_parse(arp, 42, &h), 0);
	assert_int_equal(h.ethertype, 0x0806);
	assert_int_equal(h.l3, 14);
	assert_int_equal(h.l4, 0);
	assert_int_equal(h.proto, 0);
	assert_int_equal(netpkt_csum_fill(arp, 42), -EPROTONOSUPPORT);
	assert_int_equal(netpkt_csum_check(arp, 42), -EPROTONOSUPPORT);
	wr16(arp + 12, 0x8100);
	wr16(arp + 16, 0x0806);
	assert_int_equal(netpkt_parse(arp, 46, &h), 0);
	assert_int_equal(h.ethertype, 0x0806);
	assert_int_equal(h.l3, 18);
	assert_int_equal(netpkt_parse(arp, 17, &h), -EINVAL);
}

static void test_parse_ipv6_ext(void **state)
{
	struct spec s = { .v6 = true, .proto = 6, .tcpopt = 12, .payload = 100, .n_ext = 3,
			  .ext = { { 0, 0, 0, 0 }, { 60, 5, 0, 0 }, { 43, 2, 2, 0 } } };

	expect_parse(&s);    /* hop-by-hop, destination options, routing (done) */
	s.ext[3] = (struct ext){ 60, 0, 0, 0 };
	s.n_ext = 4;
	s.proto = 17;
	expect_parse(&s);
	/* A routing header with a segment left: the pseudo-header takes the
	 * final destination from it (the builder's reference does too). */
	s = (struct spec){ .v6 = true, .proto = 6, .payload = 33, .n_ext = 1,
			   .ext = { { 43, 2, 2, 1 } } };
	expect_parse(&s);
	s.ext[0] = (struct ext){ 43, 6, 0, 2 }; /* type 0: the last of three */
	expect_parse(&s);
	/* A routing type we do not know with segments left: no L4. */
	s.ext[0].rtype = 3;
	struct lay l = build(big, &s);
	struct netpkt_hdrs h;
	assert_int_equal(netpkt_parse(big, l.len, &h), 0);
	assert_int_equal(h.proto, 43);
	assert_int_equal(h.l4, 0);
	assert_int_equal(netpkt_csum_fill(big, l.len), -EPROTONOSUPPORT);
	/* A fragment header: no L4 either. */
	s.ext[0] = (struct ext){ 44, 0, 0, 0 };
	l = build(big, &s);
	assert_int_equal(netpkt_parse(big, l.len, &h), 0);
	assert_int_equal(h.proto, 44);
	assert_int_equal(h.l4, 0);
	assert_int_equal(netpkt_csum_check(big, l.len), -EPROTONOSUPPORT);
	/* Hop-by-hop anywhere but first is refused. */
	s.n_ext = 2;
	s.ext[0] = (struct ext){ 60, 0, 0, 0 };
	s.ext[1] = (struct ext){ 0, 0, 0, 0 };
	l = build(big, &s);
	assert_int_equal(netpkt_parse(big, l.len, &h), -EINVAL);
	/* An extension header longer than the packet. */
	s.n_ext = 1;
	l = build(big, &s);
	big[l.l3 + 41] = 200;
	assert_int_equal(netpkt_parse(big, l.len, &h), -EINVAL);
}

static void test_parse_padding(void **state)
{
	/* A 1-byte UDP datagram over IPv4 is 43 bytes: padded to 60. */
	struct spec s = { .proto = 17, .payload = 1, .pad = 17 };
	struct lay l = build(big, &s);
	struct netpkt_hdrs h;
	uint8_t *f = copy_of(big, l.len);

	assert_int_equal(l.len, 60);
	assert_int_equal(netpkt_parse(f, l.len, &h), 0);
	assert_int_equal(h.l4_len, 9);
	assert_int_equal(netpkt_csum_check(f, l.len), 0);
	f[50] = 0x55; /* padding is not in the sum */
	assert_int_equal(netpkt_csum_check(f, l.len), 0);
	assert_int_equal(netpkt_csum_fill(f, l.len), 0);
	assert_memory_equal(f + 34, big + 34, 9);
	free(f);
	s = (struct spec){ .v6 = true, .proto = 6, .payload = 0, .pad = 30 };
	l = build(big, &s);
	assert_int_equal(netpkt_parse(big, l.len, &h), 0);
	assert_int_equal(h.l4_len, 20);
	assert_int_equal(netpkt_csum_check(big, l.len), 0);
}

/* Every function refuses every prefix of a frame shorter than its IP
 * packet, and reads nothing past it. */
static void truncate_all(const uint8_t *f0, size_t len)
{
	struct net_offload o = { .gso_type = f0[12] == 0x86 ? NETPKT_GSO_TCPV6 : NETPKT_GSO_TCPV4,
				 .gso_size = 1448 };
	static uint8_t seg[2048];

	for (size_t n = 0; n < len; n++) {
		struct netpkt_hdrs h;
		uint8_t *f = copy_of(f0, n);
		assert_int_equal(netpkt_parse(f, n, &h), -EINVAL);
		assert_int_equal(netpkt_csum_check(f, n), -EINVAL);
		assert_int_equal(netpkt_csum_fill(f, n), -EINVAL);
		assert_memory_equal(f, f0, n);
		assert_int_equal(netpkt_gso_segment(f, n, &o, seg, sizeof(seg), NULL, NULL), -EINVAL);
		free(f);
	}
}

static void test_refuse_truncated(void **state)
{
	static const struct spec specs[] = {
		{ .proto = 6, .tcpopt = 12, .payload = 100 },
		{ .vlan = true, .proto = 6, .ipopt = 8, .tcpopt = 4, .payload = 3 },
		{ .v6 = true, .proto = 17, .payload = 20, .n_ext = 2,
		  .ext = { { 0, 1, 0, 0 }, { 43, 2, 2, 1 } } },
		{ .v6 = true, .vlan = true, .proto = 6, .payload = 0 },
	};
	static uint8_t f[4096];

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct lay l = build(f, &specs[i]);
		truncate_all(f, l.len);
	}
	truncate_all(syn4, sizeof(syn4));
	truncate_all(udp6, sizeof(udp6));
}

/* Builds s, lets poke break it, expects rc from parse. */
static void expect_refused(const struct spec *s, int rc, void (*poke)(uint8_t *, const struct lay *, int),
			   int arg)
{
	struct lay l = build(big, s);
	struct netpkt_hdrs h;

	poke(big, &l, arg);
	uint8_t *f = copy_of(big, l.len);
	assert_int_equal(netpkt_parse(f, l.len, &h), rc);
	if (rc < 0) {
		assert_int_equal(netpkt_csum_fill(f, l.len), rc);
		assert_memory_equal(f, big, l.len);
	}
	free(f);
}

static void set_ihl(uint8_t *f, const struct lay *l, int v)
{
	f[l->l3] = (uint8_t)(0x40 | v);
}

static void set_tot(uint8_t *f, const struct lay *l, int v)
{
	wr16(f + l->l3 + 2, (uint16_t)v);
}

static void set_doff(uint8_t *f, const struct lay *l, int v)
{
	f[l->l4 + 12] = (uint8_t)(v << 4);
}

static void set_version(uint8_t *f, const struct lay *l, int v)
{
	f[l->l3] = (uint8_t)(v << 4 | (f[l->l3] & 0xf));
}

static void set_udplen(uint8_t *f, const struct lay *l, int v)
{
	wr16(f + l->l4 + 4, (uint16_t)v);
}

static void set_plen(uint8_t *f, const struct lay *l, int v)
{
	wr16(f + l->l3 + 4, (uint16_t)v);
}

static void test_refuse_fields(void **state)
{
	struct spec s = { .proto = 6, .ipopt = 4, .payload = 30 };
	struct lay l = build(big, &s);

	for (int ihl = 0; ihl < 5; ihl++)
		expect_refused(&s, -EINVAL, set_ihl, ihl);
	expect_refused(&s, -EINVAL, set_ihl, 15); /* 60 bytes of header: the TCP header is cut */
	expect_refused(&s, -EINVAL, set_tot, (int)(l.len - l.l3 + 1));
	expect_refused(&s, -EINVAL, set_tot, 0xffff);
	expect_refused(&s, -EINVAL, set_tot, 23);  /* shorter than the header */
	expect_refused(&s, -EINVAL, set_tot, 24 + 19); /* TCP header cut */
	expect_refused(&s, -EINVAL, set_version, 6);
	for (int d = 0; d < 5; d++)
		expect_refused(&s, -EINVAL, set_doff, d);
	expect_refused(&s, -EINVAL, set_doff, 15); /* 60 > 50 bytes */
	s.payload = 40;
	expect_refused(&s, 0, set_doff, 15);
	s.proto = 17;
	expect_refused(&s, -EINVAL, set_udplen, 47);
	expect_refused(&s, -EINVAL, set_udplen, 49);
	expect_refused(&s, -EINVAL, set_udplen, 7);
	s = (struct spec){ .v6 = true, .proto = 17, .payload = 30 };
	l = build(big, &s);
	expect_refused(&s, -EINVAL, set_plen, (int)(l.len - l.l3 - 40 + 1));
	expect_refused(&s, -EINVAL, set_plen, 7);
	expect_refused(&s, -EINVAL, set_version, 4);
	/* An extension header announced but cut by the packet's end, the
	 * packet ending exactly at len: its length byte is not read. */
	static const uint8_t ext[] = { 0, 43, 60 };
	for (size_t e = 0; e < 3; e++)
		for (uint16_t plen = 0; plen < 8; plen++) {
			uint8_t *f = calloc(1, 54 + plen);
			struct netpkt_hdrs h;
			assert_non_null(f);
			wr16(f + 12, 0x86dd);
			f[14] = 0x60;
			wr16(f + 18, plen);
			f[20] = ext[e];
			assert_int_equal(netpkt_parse(f, 54u + plen, &h), -EINVAL);
			free(f);
		}
}

static void test_refuse_l4(void **state)
{
	struct spec s = { .proto = 6, .payload = 30 };
	struct net_offload o = { .gso_type = NETPKT_GSO_TCPV4, .gso_size = 8 };
	struct netpkt_hdrs h;
	static uint8_t seg[2048];

	/* Fragments: first (MF), middle, last (an offset). */
	static const uint16_t frag[] = { 0x2000, 0x2010, 0x0010, 0x4001 };
	for (size_t i = 0; i < 4; i++) {
		struct lay l = build(big, &s);
		wr16(big + l.l3 + 6, frag[i]);
		wr16(big + l.l3 + 10, 0);
		wr16(big + l.l3 + 10, ref_csum(big + l.l3, 20));
		assert_int_equal(netpkt_parse(big, l.len, &h), 0);
		assert_int_equal(h.proto, 6);
		assert_int_equal(h.l4, 0);
		assert_int_equal(netpkt_csum_fill(big, l.len), -EPROTONOSUPPORT);
		assert_int_equal(netpkt_csum_check(big, l.len), -EPROTONOSUPPORT);
		assert_int_equal(netpkt_gso_segment(big, l.len, &o, seg, sizeof(seg), NULL, NULL),
				 -EPROTONOSUPPORT);
	}
	/* Other protocols: ICMP, ICMPv6, SCTP, 255. */
	static const uint8_t protos[] = { 1, 58, 132, 255 };
	for (size_t i = 0; i < 4; i++)
		for (int v6 = 0; v6 < 2; v6++) {
			s = (struct spec){ .v6 = v6, .proto = protos[i], .payload = 8 };
			struct lay l = build(big, &s);
			assert_int_equal(netpkt_parse(big, l.len, &h), 0);
			assert_int_equal(h.proto, protos[i]);
			assert_int_equal(h.l4, 0);
			assert_int_equal(netpkt_csum_fill(big, l.len), -EPROTONOSUPPORT);
			assert_int_equal(netpkt_csum_check(big, l.len), -EPROTONOSUPPORT);
			if (!v6) { /* the IPv4 header is checked first */
				big[l.l3 + 8]--;
				assert_int_equal(netpkt_csum_check(big, l.len), -EBADMSG);
			}
		}
}

/* IPv6 extension headers so long that TCP would start past offset 65535:
 * the offsets are 16-bit, so the frame is refused. */
static void test_refuse_far_l4(void **state)
{
	size_t ext = 31 * 2048 + 2000, len = 14 + 40 + ext + 20;
	uint8_t *f = calloc(1, len);
	struct netpkt_hdrs h;

	assert_non_null(f);
	wr16(f + 12, 0x86dd);
	f[14] = 0x60;
	wr16(f + 18, (uint16_t)(ext + 20));
	f[20] = 60;
	for (size_t off = 54, i = 0; i < 32; i++) {
		f[off] = i < 31 ? 60 : 6;
		f[off + 1] = i < 31 ? 255 : 249;
		off += (f[off + 1] + 1u) * 8u;
	}
	f[len - 8] = 0x50;
	assert_true(54 + ext > 65535);
	assert_int_equal(netpkt_parse(f, len, &h), -EINVAL);
	/* The same with UDP, and bytes at offset 6 (the source MAC) that
	 * would pass for a UDP header of the right length had the offset
	 * been cut to 16 bits (65542 - 65536 = 6). */
	f[54 + 31 * 2048] = 17;
	wr16(f + len - 20 + 4, 20);
	wr16(f + 6 + 4, 20);
	assert_int_equal(netpkt_parse(f, len, &h), -EINVAL);
	assert_int_equal(netpkt_csum_fill(f, len), -EINVAL);
	/* TCP at 65478 with a 60-byte header: its payload would start at
	 * 65538. */
	memset(f + 54 + 31 * 2048, 0, len - 54 - 31 * 2048);
	f[54 + 30 * 2048] = 60;
	f[54 + 31 * 2048] = 6;
	f[54 + 31 * 2048 + 1] = 241;
	wr16(f + 18, 65424 + 60);
	assert_true(54 + 65424 + 60 <= len);
	f[54 + 65424 + 12] = 0xf0;
	assert_int_equal(netpkt_parse(f, 54 + 65424 + 60, &h), -EINVAL);
	f[54 + 65424 + 12] = 0x50; /* a 20-byte header: payload at 65498 */
	assert_int_equal(netpkt_parse(f, 54 + 65424 + 60, &h), 0);
	assert_int_equal(h.payload, 54 + 65424 + 20);
	/* TCP after the 31st header, at 63542: fine. */
	f[54 + 30 * 2048] = 6;
	f[54 + 31 * 2048 + 12] = 0x50;
	wr16(f + 18, (uint16_t)(31 * 2048 + 20));
	assert_int_equal(netpkt_parse(f, 54 + 31 * 2048 + 20, &h), 0);
	assert_int_equal(h.l4, 54 + 31 * 2048);
	free(f);
}

/* ---- GSO --------------------------------------------------------------- */

struct segs {
	uint8_t *seg;        /* the buffer handed to the module */
	size_t seg_len;
	size_t n;
	struct { uint8_t *b; size_t len; } s[70000];
};

static struct segs *got;

static void collect(void *ctx, const uint8_t *frame, size_t len)
{
	struct segs *g = ctx;

	assert_ptr_equal(frame, g->seg);
	assert_true(len <= g->seg_len);
	assert_true(g->n < sizeof(g->s) / sizeof(g->s[0]));
	g->s[g->n].b = copy_of(frame, len);
	g->s[g->n].len = len;
	g->n++;
}

static void segs_free(struct segs *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->s[i].b);
	g->n = 0;
}

static int run_gso(const uint8_t *f, size_t len, uint8_t type, uint16_t mss, size_t seg_len)
{
	struct net_offload o = { .gso_type = type, .gso_size = mss };
	uint8_t *ff = copy_of(f, len);

	segs_free(got);
	got->seg = malloc(seg_len ? seg_len : 1);
	got->seg_len = seg_len;
	int rc = netpkt_gso_segment(ff, len, &o, got->seg, seg_len, collect, got);
	assert_memory_equal(ff, f, len); /* the GSO frame is left alone */
	free(got->seg);
	free(ff);
	return rc;
}

/* One segment against what a NIC's TSO makes of the frame. */
static void check_segment(const uint8_t *f, const struct lay *l, size_t i, size_t n, uint16_t mss,
			  const uint8_t *seg, size_t len)
{
	size_t hdr = l->payload, total = l->l4 + l->l4_len - hdr;
	size_t at = i * mss, chunk = total - at < mss ? total - at : mss;
	uint8_t want[512];

	assert_int_equal(len, hdr + chunk);
	assert_memory_equal(seg + hdr, f + hdr + at, chunk);
	memcpy(want, f, hdr);
	if (l->v6) {
		wr16(want + l->l3 + 4, (uint16_t)(hdr - l->l3 - 40 + chunk));
	} else {
		size_t ihl = (f[l->l3] & 0xfu) * 4u;
		wr16(want + l->l3 + 2, (uint16_t)(hdr - l->l3 + chunk));
		wr16(want + l->l3 + 4, (uint16_t)(rd16(f + l->l3 + 4) + i));
		wr16(want + l->l3 + 10, 0);
		wr16(want + l->l3 + 10, ref_csum(want + l->l3, ihl));
	}
	wr32(want + l->l4 + 4, rd32(f + l->l4 + 4) + (uint32_t)at);
	if (i + 1 < n)
		want[l->l4 + 13] &= (uint8_t)~0x09;  /* FIN, PSH: last only */
	if (i > 0)
		want[l->l4 + 13] &= (uint8_t)~0x80;  /* CWR: first only */
	wr16(want + l->l4 + 16, rd16(seg + l->l4 + 16));
	assert_memory_equal(seg, want, hdr);
	struct lay sl = *l;
	sl.l4_len = len - l->l4;
	assert_int_equal(ref_l4_sum(seg, &sl, sl.l4_len), 0xffff);
	assert_int_equal(netpkt_csum_check(seg, len), 0);
}

static void gso_case(struct spec s, uint16_t mss)
{
	struct lay l = build(big, &s);
	uint8_t type = s.v6 ? NETPKT_GSO_TCPV6 : NETPKT_GSO_TCPV4;
	size_t hdr = l.payload;
	size_t n = s.payload ? (s.payload + mss - 1) / mss : 1;

	if (!s.v6) /* a csum_blank frame: the field holds anything */
		wr16(big + l.l4 + 16, 0x5555);
	assert_int_equal(run_gso(big, l.len, type, mss, hdr + mss), (int)n);
	assert_int_equal(got->n, n);
	uint8_t *re = malloc(s.payload + 1);
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		check_segment(big, &l, i, n, mss, got->s[i].b, got->s[i].len);
		if (hdr + mss <= 14 + (s.vlan ? 4 : 0) + NETPKT_MTU)
			assert_true(got->s[i].len <= 14 + (s.vlan ? 4u : 0u) + NETPKT_MTU);
		memcpy(re + at, got->s[i].b + hdr, got->s[i].len - hdr);
		at += got->s[i].len - hdr;
	}
	assert_int_equal(at, s.payload);
	for (size_t i = 0; i < s.payload; i++)
		if (re[i] != pat(i))
			fail_msg("payload byte %zu differs after reassembly", i);
	free(re);
}

static void test_gso_sizes(void **state)
{
	static const uint16_t msses[] = { 1448, 536 };

	for (int v6 = 0; v6 < 2; v6++)
		for (size_t m = 0; m < 2; m++) {
			uint16_t mss = msses[m];
			size_t hdrs = (v6 ? 40 : 20) + 32;
			const size_t sizes[] = { 0, 1, mss, mss + 1u, 3u * mss, 65535 - hdrs };
			for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
				struct spec s = { .v6 = v6, .proto = 6, .tcpopt = 12,
						  .flags = 0x10 | 0x08 | 0x01 | 0x80 | 0x40,
						  .id = 0x4321, .seq = 1000, .payload = sizes[i] };
				gso_case(s, mss);
			}
		}
	/* IPv6's MSS for a 1500-byte MTU with timestamps: 1428. */
	gso_case((struct spec){ .v6 = true, .proto = 6, .tcpopt = 12, .flags = 0x18,
				.payload = 65000 }, 1428);
}

static void test_gso_wraps(void **state)
{
	/* The IPv4 id and the sequence number wrap; a VLAN tag, IPv4 options,
	 * IPv6 extension headers and Ethernet padding behind the packet. */
	gso_case((struct spec){ .vlan = true, .proto = 6, .ipopt = 12, .flags = 0x10,
				.id = 0xfffe, .seq = 0xfffffc00u, .payload = 5000, .pad = 30 }, 1000);
	gso_case((struct spec){ .v6 = true, .proto = 6, .tcpopt = 4, .flags = 0x39, .seq = 0xffffffffu,
				.n_ext = 2, .ext = { { 0, 0, 0, 0 }, { 43, 2, 2, 1 } },
				.payload = 3000 }, 700);
	gso_case((struct spec){ .proto = 6, .flags = 0x18, .payload = 40 }, 1);
	gso_case((struct spec){ .proto = 6, .flags = 0x19, .payload = 1448 }, 65535);
}

static void test_gso_refused(void **state)
{
	struct spec s = { .proto = 6, .tcpopt = 12, .payload = 4000 };
	struct lay l = build(big, &s);
	size_t hdr = l.payload;

	assert_int_equal(run_gso(big, l.len, NETPKT_GSO_TCPV6, 1448, 2048), -EINVAL);
	assert_int_equal(run_gso(big, l.len, NETPKT_GSO_NONE, 1448, 2048), -EINVAL);
	assert_int_equal(run_gso(big, l.len, 7, 1448, 2048), -EINVAL);
	assert_int_equal(run_gso(big, l.len, NETPKT_GSO_TCPV4, 0, 2048), -EINVAL);
	assert_int_equal(run_gso(big, l.len, NETPKT_GSO_TCPV4, 1448, hdr + 1447), -EINVAL);
	assert_int_equal(run_gso(big, l.len, NETPKT_GSO_TCPV4, 1448, hdr - 1), -EINVAL);
	assert_int_equal(run_gso(big, l.len, NETPKT_GSO_TCPV4, 1448, 0), -EINVAL);
	assert_int_equal(got->n, 0);
	assert_int_equal(run_gso(big, l.len, NETPKT_GSO_TCPV4, 1448, hdr + 1448), 3);
	s.v6 = true;
	l = build(big, &s);
	assert_int_equal(run_gso(big, l.len, NETPKT_GSO_TCPV4, 1448, 2048), -EINVAL);
	assert_int_equal(run_gso(big, l.len, NETPKT_GSO_TCPV6, 1448, 2048), 3);
	s.proto = 17;
	l = build(big, &s);
	assert_int_equal(run_gso(big, l.len, NETPKT_GSO_TCPV6, 1448, 2048), -EPROTONOSUPPORT);
	assert_int_equal(run_gso(udp6, sizeof(udp6), NETPKT_GSO_TCPV6, 1448, 2048), -EPROTONOSUPPORT);
	uint8_t arp[42] = { [12] = 0x08, [13] = 0x06 };
	assert_int_equal(run_gso(arp, sizeof(arp), NETPKT_GSO_TCPV4, 1448, 2048), -EINVAL);
	assert_int_equal(got->n, 0);
}

/* ---- hostile frames ---------------------------------------------------- */

static uint32_t rnd_state = 0x2545f491;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static struct segs *fz_segs;

static void fuzz_emit(void *ctx, const uint8_t *frame, size_t len)
{
	struct segs *g = ctx;

	if (frame != g->seg || len > g->seg_len)
		fail_msg("segment %zu bytes outside the %zu-byte buffer", len, g->seg_len);
	/* A segment is a frame whose checksums are right. */
	uint8_t *d = copy_of(frame, len);
	if (netpkt_csum_check(d, len) != 0)
		fail_msg("segment %zu fails its checksum check", g->n);
	free(d);
	g->n++;
}

/* One mutated frame through every function. */
static void fuzz_one(const uint8_t *f0, size_t len0)
{
	static uint8_t f[8192];
	static const uint8_t magic[] = { 0, 1, 2, 4, 5, 6, 0xf, 0x11, 0x2b, 0x2c, 0x3c, 0x45, 0x4f,
					 0x50, 0x60, 0x7f, 0x80, 0x81, 0x86, 0xdd, 0xf0, 0xff };
	size_t len = len0;

	memcpy(f, f0, len0);
	for (unsigned k = 1 + rnd() % 6; k--;) {
		size_t at = rnd() % 4 ? rnd() % (len < 128 ? len : 128) : rnd() % len;
		f[at] = rnd() % 2 ? magic[rnd() % sizeof(magic)] : (uint8_t)rnd();
	}
	if (rnd() % 4 == 0)
		len = rnd() % (len + 1);
	else if (rnd() % 8 == 0 && len < sizeof(f) - 64) {
		for (unsigned k = rnd() % 64; k--;)
			f[len++] = (uint8_t)rnd();
	}

	uint8_t *d = copy_of(f, len);
	struct netpkt_hdrs h;
	if (netpkt_parse(d, len, &h) == 0) {
		assert_true(h.l3 <= len);
		if (h.l4) {
			assert_true((size_t)h.l4 + h.l4_len <= len);
			assert_true(h.payload >= h.l4 && h.payload <= h.l4 + h.l4_len);
		}
	}
	int rc = netpkt_csum_check(d, len);
	assert_true(rc == 0 || rc == -EBADMSG || rc == -EINVAL || rc == -EPROTONOSUPPORT);
	if (netpkt_csum_fill(d, len) == 0) {
		if (h.ethertype == 0x0800) { /* then the IP header's too */
			size_t ihl = (d[h.l3] & 0xfu) * 4u;
			wr16(d + h.l3 + 10, 0);
			wr16(d + h.l3 + 10, ref_csum(d + h.l3, ihl));
		}
		assert_int_equal(netpkt_csum_check(d, len), 0);
	} else {
		assert_memory_equal(d, f, len);
	}
	free(d);

	static const uint16_t msses[] = { 1, 7, 536, 1448, 1460, 9000, 65535 };
	struct net_offload o = { .gso_type = (uint8_t)(rnd() % 4),
				 .gso_size = rnd() % 2 ? msses[1 + rnd() % 6] : (uint16_t)rnd() };
	if (rnd() % 64 == 0)
		o.gso_size = 1;
	size_t seg_len = rnd() % 4 ? 4096 : rnd() % 2048;
	d = copy_of(f, len);
	fz_segs->seg = malloc(seg_len ? seg_len : 1);
	fz_segs->seg_len = seg_len;
	fz_segs->n = 0;
	rc = netpkt_gso_segment(d, len, &o, fz_segs->seg, seg_len, fuzz_emit, fz_segs);
	assert_true(rc > 0 || rc == -EINVAL || rc == -EPROTONOSUPPORT);
	assert_int_equal(fz_segs->n, rc > 0 ? (size_t)rc : 0);
	assert_memory_equal(d, f, len);
	free(fz_segs->seg);
	free(d);
}

static void test_fuzz(void **state)
{
	static const struct spec specs[] = {
		{ .proto = 6, .tcpopt = 12, .payload = 100 },
		{ .vlan = true, .proto = 6, .ipopt = 8, .tcpopt = 4, .flags = 0x99, .payload = 3000 },
		{ .proto = 17, .payload = 1, .pad = 17 },
		{ .v6 = true, .proto = 6, .tcpopt = 12, .payload = 4000, .n_ext = 1,
		  .ext = { { 60, 1, 0, 0 } } },
		{ .v6 = true, .proto = 17, .payload = 20, .n_ext = 3,
		  .ext = { { 0, 0, 0, 0 }, { 43, 4, 0, 2 }, { 60, 0, 0, 0 } } },
		{ .v6 = true, .vlan = true, .proto = 58, .payload = 16 },
		{ .proto = 1, .ipopt = 40, .payload = 56 },
	};
	enum { N = sizeof(specs) / sizeof(specs[0]) };
	static uint8_t base[N + 2][8192];
	size_t blen[N + 2];

	fz_segs = calloc(1, sizeof(*fz_segs));
	assert_non_null(fz_segs);
	for (size_t i = 0; i < N; i++)
		blen[i] = build(base[i], &specs[i]).len;
	memcpy(base[N], syn4, blen[N] = sizeof(syn4));
	memcpy(base[N + 1], udp6, blen[N + 1] = sizeof(udp6));
	size_t gso_ok = 0;
	for (unsigned it = 0; it < 200000; it++) {
		unsigned b = rnd() % (N + 2);
		fuzz_one(base[b], blen[b]);
		gso_ok += fz_segs->n > 0;
	}
	print_message("200000 mutated frames, %zu of them cut into segments\n", gso_ok);
	assert_true(gso_ok > 1000);
	free(fz_segs);
}

static int setup(void **state)
{
	got = calloc(1, sizeof(*got));
	return got ? 0 : -1;
}

static int teardown(void **state)
{
	segs_free(got);
	free(got);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_rfc1071),
		cmocka_unit_test(test_csum_random),
		cmocka_unit_test(test_captured_tcp4),
		cmocka_unit_test(test_captured_udp6),
		cmocka_unit_test(test_csum_built),
		cmocka_unit_test(test_parse_vlan_options),
		cmocka_unit_test(test_parse_ipv6_ext),
		cmocka_unit_test(test_parse_padding),
		cmocka_unit_test(test_refuse_truncated),
		cmocka_unit_test(test_refuse_fields),
		cmocka_unit_test(test_refuse_l4),
		cmocka_unit_test(test_refuse_far_l4),
		cmocka_unit_test(test_gso_sizes),
		cmocka_unit_test(test_gso_wraps),
		cmocka_unit_test(test_gso_refused),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
