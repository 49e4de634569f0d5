/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GSO and hostile frames through mgmt/netpkt.c (the frames and the
 * checksum reference: netpkt_harness.c): segments of every size checked
 * against the reference, sequence numbers that wrap, refused GSO
 * requests, and random mutations of valid frames through every function.
 * Every buffer handed to the module is malloc'd to its exact length, so
 * ASan catches a read one byte past len.
 */
#include "netpkt_harness.h"

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
		cmocka_unit_test(test_gso_sizes),
		cmocka_unit_test(test_gso_wraps),
		cmocka_unit_test(test_gso_refused),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

