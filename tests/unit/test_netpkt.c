/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Frames and their offloads (mgmt/netpkt.c): checksums and parsing (GSO
 * and hostile frames: test_netpkt_gso.c). Frames are built field by field
 * (netpkt_harness.c), their checksums computed by a byte-at-a-time
 * reference that shares nothing with the module; two frames captured on real networks
 * (tcpdump said their checksums were right, or what they should be) pin
 * the byte order. Every buffer handed to the module is malloc'd to its
 * exact length, so ASan catches a read one byte past len.
 */
#include "netpkt_harness.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
