/* SPDX-License-Identifier: GPL-2.0-only */
/* The frames of the netpkt tests (test_netpkt.c, test_netpkt_gso.c):
 * a byte-at-a-time checksum reference that shares nothing with
 * mgmt/netpkt.c, and a builder that lays frames out field by field. */
#include "netpkt_harness.h"

/* ---- the reference ----------------------------------------------------- */

/* RFC 1071 done the slow way: byte by byte, carry folded at every step. */
uint32_t ref_sum(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
		s = (s & 0xffff) + (s >> 16);
	}
	return s;
}

uint16_t ref_csum(const uint8_t *p, size_t n)
{
	return (uint16_t)~ref_sum(0, p, n);
}

uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

/* The sum of an L4 segment with its pseudo-header, folded: 0xffff when
 * the checksum in it is right. */
uint32_t ref_l4_sum(const uint8_t *f, const struct lay *l, size_t l4_len)
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

uint8_t pat(size_t i)
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
struct lay build(uint8_t *f, const struct spec *s)
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
uint8_t *copy_of(const uint8_t *f, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);

	assert_non_null(d);
	memcpy(d, f, n);
	return d;
}

uint8_t big[NETPKT_GSO_MAX + 4096];

/* Captured: a TCP SYN from a Mac (options mss, wscale, TS, sackOK; ECE and
 * CWR set). tcpdump: "cksum 0x8efd (correct)", IP header checksum 3b8d. */
const uint8_t syn4[] = {
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
const uint8_t udp6[] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd,
	0x60, 0x03, 0x5f, 0xa5, 0x00, 0x0b, 0x11, 0x7f, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x12, 0x70, 0xfd, 0xff, 0xfe, 0x48, 0x10, 0x77, 0xfe, 0x80, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x12, 0x70, 0xfd, 0xff, 0xfe, 0x48, 0x10, 0x87, 0x23, 0x83,
	0xd9, 0xff, 0x00, 0x0b, 0xde, 0x7e, 0x78, 0x64, 0x70,
};
