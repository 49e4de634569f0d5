/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The learning bridges (mgmt/bridge.c). Ports here are test queues that
 * keep what they are sent (holding the frames, as netback's do), or
 * refuse it. Checked: bridges made on first use and gone with their last
 * port, learning and forwarding, flooding (never back to the input),
 * anti-spoofing and the other input drops, aging, the bounded table under
 * a flood of source MACs, forgetting a removed port, the refusals of
 * ports (down, full, too big), and the finishing of frames for ports that
 * do not take csum-blank or GSO frames, against stand-ins for
 * mgmt/netpkt.c (below: they record their calls and cut plain segments, so
 * the bridge's plumbing is tested here and netpkt's arithmetic in its own
 * test); the frame budget and that every frame is freed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt/bridge.h"

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/* ---- stand-ins for mgmt/netpkt.c ---- */

static unsigned csum_fills, gso_calls;

int netpkt_parse(const uint8_t *f, size_t len, struct netpkt_hdrs *h)
{
	memset(h, 0, sizeof(*h));
	if (len < 14)
		return -EINVAL;
	size_t l3 = 14;
	h->ethertype = (uint16_t)(f[12] << 8 | f[13]);
	if (h->ethertype == 0x8100) {
		if (len < 18)
			return -EINVAL;
		h->ethertype = (uint16_t)(f[16] << 8 | f[17]);
		l3 = 18;
	}
	h->l3 = (uint16_t)l3;
	size_t l4, end;
	if (h->ethertype == 0x0800) {
		if (len < l3 + 20)
			return -EINVAL;
		l4 = l3 + (f[l3] & 15u) * 4u;
		end = l3 + (size_t)(f[l3 + 2] << 8 | f[l3 + 3]);
		h->proto = f[l3 + 9];
	} else if (h->ethertype == 0x86dd) {
		if (len < l3 + 40)
			return -EINVAL;
		l4 = l3 + 40;
		end = l4 + (size_t)(f[l3 + 4] << 8 | f[l3 + 5]);
		h->proto = f[l3 + 6];
	} else {
		return 0;
	}
	if (end > len || l4 > end)
		return -EINVAL;
	h->l4 = (uint16_t)l4;
	h->l4_len = (uint16_t)(end - l4);
	if (h->proto == 6) {
		if (end < l4 + 20)
			return -EINVAL;
		h->payload = (uint16_t)(l4 + (f[l4 + 12] >> 4) * 4u);
	}
	return 0;
}

int netpkt_csum_fill(uint8_t *f, size_t len)
{
	struct netpkt_hdrs h;
	if (netpkt_parse(f, len, &h))
		return -EINVAL;
	if (h.proto != 6 && h.proto != 17)
		return -EPROTONOSUPPORT;
	csum_fills++;
	size_t at = h.l4 + (h.proto == 6 ? 16 : 6);
	f[at] = f[at + 1] = 0xcc; /* "filled" */
	return 0;
}

int netpkt_gso_segment(const uint8_t *f, size_t len, const struct net_offload *o, uint8_t *seg,
		       size_t seg_len, netpkt_emit_fn *emit, void *ctx)
{
	struct netpkt_hdrs h;
	gso_calls++;
	if (netpkt_parse(f, len, &h) || h.proto != 6 || !o->gso_size)
		return -EINVAL;
	size_t end = (size_t)h.l4 + h.l4_len, n = 0;
	if (h.payload + o->gso_size > seg_len)
		return -EINVAL;
	for (size_t at = h.payload; at < end; at += o->gso_size, n++) {
		size_t chunk = end - at < o->gso_size ? end - at : o->gso_size;
		memcpy(seg, f, h.payload);
		memcpy(seg + h.payload, f + at, chunk);
		emit(ctx, seg, h.payload + chunk);
	}
	return (int)n;
}

uint32_t netpkt_csum_add(uint32_t sum, const void *data, size_t len) { return sum; }
uint16_t netpkt_csum_fold(uint32_t sum) { return (uint16_t)sum; }

/* ---- test ports ---- */

#define QCAP 64
struct q {
	int rc;                      /* what xmit answers */
	unsigned n;
	struct netframe *f[QCAP];
};

static int q_xmit(void *ctx, struct netframe *f)
{
	struct q *q = ctx;
	if (q->rc)
		return q->rc;
	if (q->n == QCAP)
		return -ENOBUFS;
	netframe_hold(f);
	q->f[q->n++] = f;
	return 0;
}

static void q_clear(struct q *q)
{
	for (unsigned i = 0; i < q->n; i++)
		netframe_put(q->f[i]);
	q->n = 0;
}

static struct bridge_set S;
static struct q qa, qb, qc, qu;
static struct bridge_port *A, *B, *C, *U; /* three guests and an uplink */
static const uint8_t MA[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x0a };
static const uint8_t MB[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x0b };
static const uint8_t MC[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x0c };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
#define ALL_CAPS (BRIDGE_CAP_CSUM4 | BRIDGE_CAP_CSUM6 | BRIDGE_CAP_GSO4 | BRIDGE_CAP_GSO6)
#define NOW 1000000000000ull

static struct bridge_port *guest(const char *name, const uint8_t *mac, struct q *q)
{
	struct bridge_port_cfg c = { name, { 0 }, true, true, ALL_CAPS, 65535 + 18, q_xmit, q };
	memcpy(c.mac, mac, 6);
	return bridge_port_add(&S, "xenbr0", &c);
}

static int setup(void **state)
{
	bridge_set_init(&S, 4u << 20, 42);
	memset(&qa, 0, sizeof(qa)), memset(&qb, 0, sizeof(qb));
	memset(&qc, 0, sizeof(qc)), memset(&qu, 0, sizeof(qu));
	A = guest("vif1.0", MA, &qa);
	B = guest("vif2.0", MB, &qb);
	C = guest("vif3.0", MC, &qc);
	struct bridge_port_cfg u = { "uplink", { 0 }, false, true, 0, 1518, q_xmit, &qu };
	U = bridge_port_add(&S, "xenbr0", &u);
	assert_true(A && B && C && U);
	csum_fills = gso_calls = 0;
	return 0;
}

static int teardown(void **state)
{
	q_clear(&qa), q_clear(&qb), q_clear(&qc), q_clear(&qu);
	struct bridge *b = bridge_find(&S, "xenbr0");
	if (b)
		for (unsigned i = 0; i < BRIDGE_PORTS_MAX; i++)
			if (b->port[i])
				bridge_port_del(b->port[i]);
	assert_null(bridge_find(&S, "xenbr0"));
	assert_int_equal(S.frames, 0); /* every frame freed */
	assert_int_equal(S.frame_bytes, 0);
	return 0;
}

/* A frame dst <- src of len bytes (an ARP-ish ethertype, zero payload). */
static struct netframe *frame(const uint8_t *dst, const uint8_t *src, uint32_t len)
{
	struct netframe *f = netframe_new(&S, len);
	assert_non_null(f);
	memset(f->data, 0, len);
	memcpy(f->data, dst, 6);
	memcpy(f->data + 6, src, 6);
	f->data[12] = 0x08, f->data[13] = 0x06;
	return f;
}

/* A TCP (proto 6) or UDP (17) frame over IPv4 or IPv6 with payload bytes. */
static struct netframe *ipframe(const uint8_t *dst, const uint8_t *src, bool v6, uint8_t proto,
				uint32_t payload)
{
	uint32_t l4h = proto == 6 ? 20 : 8, l3h = v6 ? 40 : 20;
	struct netframe *f = frame(dst, src, 14 + l3h + l4h + payload);
	uint8_t *ip = f->data + 14;
	if (v6) {
		f->data[12] = 0x86, f->data[13] = 0xdd;
		ip[0] = 0x60;
		ip[4] = (uint8_t)((l4h + payload) >> 8), ip[5] = (uint8_t)(l4h + payload);
		ip[6] = proto;
	} else {
		f->data[12] = 0x08, f->data[13] = 0x00;
		ip[0] = 0x45;
		ip[2] = (uint8_t)((l3h + l4h + payload) >> 8), ip[3] = (uint8_t)(l3h + l4h + payload);
		ip[9] = proto;
	}
	if (proto == 6)
		ip[l3h + 12] = 0x50;
	for (uint32_t i = 0; i < payload; i++)
		ip[l3h + l4h + i] = (uint8_t)i;
	return f;
}

static void names(void **state)
{
	assert_true(bridge_name_ok("xenbr0"));
	assert_true(bridge_name_ok("a.b-c_d"));
	assert_false(bridge_name_ok(""));
	assert_false(bridge_name_ok("with space"));
	assert_false(bridge_name_ok("sixteen-chars-xx"));
	struct bridge_port_cfg c = { "p", { 0 }, false, true, 0, 1518, q_xmit, &qu };
	assert_null(bridge_port_add(&S, "bad/name", &c));
	assert_null(bridge_find(&S, "bad/name"));
	/* a second bridge, made on first use, gone with its last port */
	struct bridge_port *p = bridge_port_add(&S, "xenbr1", &c);
	assert_non_null(p);
	assert_non_null(bridge_find(&S, "xenbr1"));
	assert_int_equal(bridge_find(&S, "xenbr0")->nports, 4);
	bridge_port_del(p);
	assert_null(bridge_find(&S, "xenbr1"));
	/* bridges are separate: a broadcast on xenbr1 reaches no xenbr0 port */
	struct q q1 = { 0 }, q2 = { 0 };
	struct bridge_port_cfg c1 = { "x1", { 0 }, false, true, 0, 1518, q_xmit, &q1 };
	struct bridge_port_cfg c2 = { "x2", { 0 }, false, true, 0, 1518, q_xmit, &q2 };
	struct bridge_port *p1 = bridge_port_add(&S, "xenbr1", &c1);
	struct bridge_port *p2 = bridge_port_add(&S, "xenbr1", &c2);
	assert_int_equal(bridge_input(p1, frame(BCAST, MC, 60), NOW), 1);
	assert_int_equal(q2.n, 1);
	assert_int_equal(qa.n + qb.n + qc.n + qu.n, 0);
	q_clear(&q2);
	bridge_port_del(p1);
	bridge_port_del(p2);
	/* no more than BRIDGE_MAX bridges */
	struct bridge_port *ps[BRIDGE_MAX];
	char name[16];
	for (unsigned i = 1; i < BRIDGE_MAX; i++) {
		snprintf(name, sizeof(name), "br%u", i);
		assert_non_null(ps[i] = bridge_port_add(&S, name, &c));
	}
	assert_null(bridge_port_add(&S, "one-too-many", &c));
	for (unsigned i = 1; i < BRIDGE_MAX; i++)
		bridge_port_del(ps[i]);
}

static void learn_and_forward(void **state)
{
	/* A broadcasts: everyone but A; A is learned */
	assert_int_equal(bridge_input(A, frame(BCAST, MA, 60), NOW), 3);
	assert_int_equal(qa.n, 0);
	assert_int_equal(qb.n, 1);
	assert_int_equal(qc.n, 1);
	assert_int_equal(qu.n, 1);
	assert_ptr_equal(qb.f[0], qc.f[0]); /* one frame, shared */
	assert_int_equal(qb.f[0]->refs, 3);
	assert_ptr_equal(bridge_lookup(A->br, MA, NOW), A);
	/* B answers A: A only */
	assert_int_equal(bridge_input(B, frame(MA, MB, 60), NOW), 1);
	assert_int_equal(qa.n, 1);
	assert_int_equal(qc.n + qu.n, 2);
	/* an unknown unicast floods: not back to B */
	static const uint8_t unknown[6] = { 0x02, 0, 0, 0, 0, 1 };
	assert_int_equal(bridge_input(B, frame(unknown, MB, 60), NOW), 3);
	assert_int_equal(qb.n, 1);
	/* a frame for a MAC at its own input port goes nowhere */
	assert_int_equal(bridge_input(A, frame(MA, MA, 60), NOW), 0);
	assert_int_equal(A->br->st.filtered, 1);
	/* multicast floods even when a multicast MAC was somehow known */
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	assert_int_equal(bridge_input(C, frame(mcast, MC, 60), NOW), 3);
	/* the uplink's hosts are learned at the uplink */
	static const uint8_t host[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	assert_int_equal(bridge_input(U, frame(MC, host, 60), NOW), 1);
	assert_int_equal(bridge_input(C, frame(host, MC, 60), NOW), 1);
	assert_int_equal(qu.f[qu.n - 1]->data[0], 0x52);
	assert_int_equal(A->st.in_packets, 2);
	assert_int_equal(A->st.out_packets, 3);
	assert_int_equal(A->st.out_bytes, 180);
	assert_int_equal(A->br->st.forwarded, 3);
	assert_int_equal(A->br->st.flooded, 3);
}

static void input_drops(void **state)
{
	/* spoofed: A sends as B; not learned, not delivered */
	assert_int_equal(bridge_input(A, frame(BCAST, MB, 60), NOW), -1);
	assert_int_equal(A->st.drops[BRIDGE_DROP_SPOOF], 1);
	assert_null(bridge_lookup(A->br, MB, NOW));
	assert_int_equal(qb.n + qc.n + qu.n, 0);
	/* off for this port: allowed (and learned where it came from) */
	A->antispoof = false;
	static const uint8_t other[6] = { 0x00, 0x16, 0x3e, 0x7f, 0, 1 };
	assert_int_equal(bridge_input(A, frame(BCAST, other, 60), NOW), 3);
	assert_ptr_equal(bridge_lookup(A->br, other, NOW), A);
	/* multicast and zero sources; a runt */
	static const uint8_t zero[6];
	assert_int_equal(bridge_input(U, frame(BCAST, BCAST, 60), NOW), -1);
	assert_int_equal(bridge_input(U, frame(BCAST, zero, 60), NOW), -1);
	assert_int_equal(U->st.drops[BRIDGE_DROP_SOURCE], 2);
	struct netframe *r = netframe_new(&S, 10);
	memset(r->data, 0, 10);
	assert_int_equal(bridge_input(U, r, NOW), -1);
	assert_int_equal(U->st.drops[BRIDGE_DROP_RUNT], 1);
	assert_int_equal(U->st.in_packets, 3);
}

static void aging(void **state)
{
	bridge_input(A, frame(BCAST, MA, 60), NOW);
	assert_ptr_equal(bridge_lookup(A->br, MA, NOW + BRIDGE_AGE_NS - 1), A);
	/* 300 s unseen: forgotten, and a frame for it floods again */
	assert_null(bridge_lookup(A->br, MA, NOW + BRIDGE_AGE_NS + 1));
	q_clear(&qb), q_clear(&qc), q_clear(&qu);
	assert_int_equal(bridge_input(B, frame(MA, MB, 60), NOW + BRIDGE_AGE_NS + 2), 3);
	assert_int_equal(A->br->st.aged, 1);
	/* seen again: learned again; bridge_age sweeps */
	bridge_input(A, frame(BCAST, MA, 60), NOW + BRIDGE_AGE_NS + 3);
	bridge_age(A->br, NOW + 3 * BRIDGE_AGE_NS);
	unsigned live = 0;
	for (unsigned i = 0; i < BRIDGE_FDB_SIZE; i++)
		live += A->br->fdb[i].port != 0;
	assert_int_equal(live, 0);
}

static void table_bounded(void **state)
{
	/* 20000 made-up sources at the uplink: the table keeps at most its
	 * size, recent ones are found, older ones evicted */
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	for (uint32_t i = 0; i < 20000; i++) {
		mac[2] = (uint8_t)(i >> 16), mac[3] = (uint8_t)(i >> 8), mac[4] = (uint8_t)i;
		bridge_input(U, frame(MA, mac, 60), NOW + i);
		q_clear(&qa), q_clear(&qb), q_clear(&qc);
	}
	unsigned live = 0;
	for (unsigned i = 0; i < BRIDGE_FDB_SIZE; i++)
		live += A->br->fdb[i].port != 0;
	assert_true(live <= BRIDGE_FDB_SIZE && live > BRIDGE_FDB_SIZE / 2);
	assert_true(A->br->st.evicted >= 20000 - BRIDGE_FDB_SIZE);
	mac[2] = (uint8_t)(19999 >> 16), mac[3] = (uint8_t)(19999 >> 8), mac[4] = (uint8_t)19999;
	assert_ptr_equal(bridge_lookup(A->br, mac, NOW + 20000), U);
	/* a guest port's own MAC still learns (in its window) */
	bridge_input(B, frame(BCAST, MB, 60), NOW + 20001);
	assert_ptr_equal(bridge_lookup(A->br, MB, NOW + 20001), B);
}

static void port_removed(void **state)
{
	bridge_input(A, frame(BCAST, MA, 60), NOW);
	bridge_input(C, frame(BCAST, MC, 60), NOW);
	q_clear(&qa), q_clear(&qb), q_clear(&qc), q_clear(&qu);
	unsigned idx = A->index;
	bridge_port_del(A);
	assert_null(bridge_lookup(C->br, MA, NOW));
	assert_ptr_equal(bridge_lookup(C->br, MC, NOW), C);
	for (unsigned i = 0; i < BRIDGE_FDB_SIZE; i++)
		assert_int_not_equal(C->br->fdb[i].port, idx + 1);
	/* a new port in the same place gets none of A's traffic by the table */
	static const uint8_t MD[6] = { 0x00, 0x16, 0x3e, 0, 0, 0x0d };
	A = guest("vif4.0", MD, &qa);
	assert_int_equal(A->index, idx);
	assert_int_equal(bridge_input(B, frame(MA, MB, 60), NOW), 3); /* flooded: unknown */
}

static void port_refusals(void **state)
{
	bridge_input(A, frame(BCAST, MA, 60), NOW);
	q_clear(&qb), q_clear(&qc), q_clear(&qu);
	/* A is down: a unicast for it is dropped (DOWN); floods skip it */
	bridge_port_set(A, false, ALL_CAPS, 65535);
	assert_int_equal(bridge_input(B, frame(MA, MB, 60), NOW), 0);
	assert_int_equal(A->st.drops[BRIDGE_DROP_DOWN], 1);
	assert_int_equal(bridge_input(B, frame(BCAST, MB, 60), NOW), 2);
	assert_int_equal(A->st.drops[BRIDGE_DROP_DOWN], 1);
	bridge_port_set(A, true, ALL_CAPS, 65535);
	/* its xmit says down, or full */
	qa.rc = -ENETDOWN;
	bridge_input(B, frame(MA, MB, 60), NOW);
	assert_int_equal(A->st.drops[BRIDGE_DROP_DOWN], 2);
	qa.rc = -ENOBUFS;
	bridge_input(B, frame(MA, MB, 60), NOW);
	assert_int_equal(A->st.drops[BRIDGE_DROP_FULL], 1);
	qa.rc = 0;
	/* a frame larger than the uplink takes */
	bridge_input(A, frame(BCAST, MA, 1600), NOW);
	assert_int_equal(U->st.drops[BRIDGE_DROP_TOO_BIG], 1);
	assert_int_equal(qb.n, 1);
	assert_int_equal(A->st.out_packets, 0);
}

static void finish_csum(void **state)
{
	/* A csum-blank TCP/IPv4 frame: as it is to B, filled in for the uplink */
	struct netframe *f = ipframe(BCAST, MA, false, 6, 100);
	f->off.csum_blank = true;
	assert_int_equal(bridge_input(A, f, NOW), 3);
	assert_ptr_equal(qb.f[0], qc.f[0]);
	assert_true(qb.f[0]->off.csum_blank);
	assert_int_equal(csum_fills, 1);
	assert_ptr_not_equal(qu.f[0], qb.f[0]);
	assert_false(qu.f[0]->off.csum_blank);
	assert_true(qu.f[0]->off.data_validated);
	assert_int_equal(qu.f[0]->data[14 + 20 + 16], 0xcc);
	assert_int_equal(qb.f[0]->data[14 + 20 + 16], 0);
	assert_int_equal(U->st.csum_filled, 1);
	/* IPv6 UDP to a port that takes IPv4 checksums only: filled */
	bridge_port_set(B, true, BRIDGE_CAP_CSUM4, 65535);
	f = ipframe(MB, MA, true, 17, 100);
	f->off.csum_blank = true;
	bridge_input(A, f, NOW); /* floods: B not learned yet */
	assert_int_equal(csum_fills, 3);
	assert_int_equal(qb.f[1]->data[14 + 40 + 6], 0xcc);
	/* csum-blank on a frame that is not TCP/UDP: unfinished, dropped */
	f = frame(BCAST, MA, 60);
	f->data[12] = 0x08, f->data[13] = 0x00;
	f->data[14] = 0x45, f->data[17] = 46, f->data[23] = 1; /* ICMP */
	f->off.csum_blank = true;
	bridge_input(A, f, NOW);
	assert_int_equal(U->st.drops[BRIDGE_DROP_FINISH], 1);
	assert_int_equal(B->st.drops[BRIDGE_DROP_FINISH], 0); /* B takes IPv4 as it is */
}

static void finish_gso(void **state)
{
	/* A TCPv4 GSO frame of 5000 payload bytes, MSS 1448 */
	struct netframe *f = ipframe(BCAST, MA, false, 6, 5000);
	f->off = (struct net_offload){ true, false, NETPKT_GSO_TCPV4, 1448 };
	bridge_port_set(C, true, BRIDGE_CAP_CSUM4, 1514);
	assert_int_equal(bridge_input(A, f, NOW), 3);
	assert_int_equal(A->st.in_gso, 1);
	assert_int_equal(qb.n, 1); /* B takes it whole */
	assert_int_equal(qb.f[0]->off.gso_type, NETPKT_GSO_TCPV4);
	assert_int_equal(B->st.out_gso, 1);
	assert_int_equal(qc.n, 4); /* C and the uplink get 4 segments */
	assert_int_equal(qu.n, 4);
	assert_int_equal(C->st.segmented, 1);
	assert_int_equal(C->st.out_packets, 4);
	assert_int_equal(qc.f[0]->len, 14 + 20 + 20 + 1448);
	assert_int_equal(qc.f[3]->len, 14 + 20 + 20 + 5000 - 3 * 1448);
	assert_true(qc.f[3]->off.data_validated);
	assert_int_equal(qc.f[3]->off.gso_type, NETPKT_GSO_NONE);
	/* an MSS larger than a port takes: too big for it */
	f = ipframe(BCAST, MA, false, 6, 5000);
	f->off = (struct net_offload){ true, false, NETPKT_GSO_TCPV4, 4000 };
	bridge_input(A, f, NOW);
	assert_int_equal(U->st.drops[BRIDGE_DROP_TOO_BIG], 1);
	/* IPv6 GSO for a port that takes TCPv4 GSO only */
	bridge_port_set(B, true, BRIDGE_CAP_GSO4 | BRIDGE_CAP_CSUM4, 65535);
	q_clear(&qb);
	f = ipframe(MB, MA, true, 6, 3000);
	f->off = (struct net_offload){ true, false, NETPKT_GSO_TCPV6, 1428 };
	bridge_input(A, f, NOW);
	assert_int_equal(qb.n, 3);
	assert_int_equal(B->st.segmented, 1);
}

static void bad_gso(void **state)
{
	/* a UDP frame called TCPv4 GSO; IPv4 called TCPv6; MSS 0; too many segments */
	struct netframe *f = ipframe(BCAST, MA, false, 17, 3000);
	f->off = (struct net_offload){ true, false, NETPKT_GSO_TCPV4, 1448 };
	assert_int_equal(bridge_input(A, f, NOW), -1);
	f = ipframe(BCAST, MA, false, 6, 3000);
	f->off = (struct net_offload){ true, false, NETPKT_GSO_TCPV6, 1448 };
	assert_int_equal(bridge_input(A, f, NOW), -1);
	f = ipframe(BCAST, MA, false, 6, 3000);
	f->off = (struct net_offload){ true, false, NETPKT_GSO_TCPV4, 0 };
	assert_int_equal(bridge_input(A, f, NOW), -1);
	f = ipframe(BCAST, MA, false, 6, 60000);
	f->off = (struct net_offload){ true, false, NETPKT_GSO_TCPV4, 60000 / BRIDGE_SEGS_MAX - 1 };
	assert_int_equal(bridge_input(A, f, NOW), -1);
	assert_int_equal(A->st.drops[BRIDGE_DROP_BAD_GSO], 4);
	assert_int_equal(gso_calls, 0);
	assert_int_equal(qb.n + qc.n + qu.n, 0);
}

static void budget(void **state)
{
	struct bridge_set small;
	bridge_set_init(&small, 10000, 1);
	struct netframe *f1 = netframe_new(&small, 4000);
	struct netframe *f2 = netframe_new(&small, 4000);
	assert_non_null(f1);
	assert_non_null(f2);
	assert_null(netframe_new(&small, 4000));
	assert_int_equal(small.frames, 2);
	netframe_put(f1);
	struct netframe *f3 = netframe_new(&small, 4000);
	assert_non_null(f3);
	netframe_put(f2), netframe_put(f3);
	assert_int_equal(small.frame_bytes, 0);
	/* a csum copy that does not fit the budget: nomem at that port */
	S.frame_budget = S.frame_bytes + sizeof(struct netframe) + 200;
	struct netframe *f = ipframe(BCAST, MA, false, 6, 100);
	f->off.csum_blank = true;
	bridge_input(A, f, NOW);
	assert_int_equal(U->st.drops[BRIDGE_DROP_NOMEM], 1);
	assert_int_equal(qb.n, 1);
	S.frame_budget = 4u << 20;
	assert_int_equal(strcmp(bridge_drop_name(BRIDGE_DROP_SPOOF), "spoofed"), 0);
}

int main(void)
{
#define U_(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		U_(names), U_(learn_and_forward), U_(input_drops), U_(aging), U_(table_bounded),
		U_(port_removed), U_(port_refusals), U_(finish_csum), U_(finish_gso), U_(bad_gso),
		U_(budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
