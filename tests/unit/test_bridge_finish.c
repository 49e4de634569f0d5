/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bridge (mgmt/bridge.c) with the real mgmt/netpkt.c: what a port
 * without offloads (an uplink) gets of a guest's frames is correct on the
 * wire. A TCPv4 and a TCPv6 GSO frame with a blank checksum, as
 * xen-netfront sends them, go to a port that takes GSO (as they are) and
 * to one that takes nothing (segments of at most 1514 bytes, each passing
 * netpkt_csum_check, their payloads the original's in order); a
 * csum-blank UDP frame reaches the plain port with its checksum right.
 */
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

#define QCAP 128
struct q {
	unsigned n;
	struct netframe *f[QCAP];
};

static int q_xmit(void *ctx, struct netframe *f)
{
	struct q *q = ctx;
	if (q->n == QCAP)
		return -1;
	netframe_hold(f);
	q->f[q->n++] = f;
	return 0;
}

static struct bridge_set S;
static struct q qg, qu;
static struct bridge_port *A, *G, *U;
static const uint8_t MA[6] = { 0x00, 0x16, 0x3e, 0, 0, 0x0a };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static int setup(void **state)
{
	bridge_set_init(&S, 8u << 20, 1);
	memset(&qg, 0, sizeof(qg)), memset(&qu, 0, sizeof(qu));
	struct bridge_port_cfg a = { "a", { 0 }, true, true, 0, 65535, q_xmit, &qg };
	memcpy(a.mac, MA, 6);
	struct bridge_port_cfg g = { "g", { 0x00, 0x16, 0x3e, 0, 0, 0x0b }, true, true,
				     BRIDGE_CAP_CSUM4 | BRIDGE_CAP_CSUM6 | BRIDGE_CAP_GSO4 |
				     BRIDGE_CAP_GSO6, 65535 + 18, q_xmit, &qg };
	struct bridge_port_cfg u = { "uplink", { 0 }, false, true, 0, 1518, q_xmit, &qu };
	A = bridge_port_add(&S, "xenbr0", &a);
	G = bridge_port_add(&S, "xenbr0", &g);
	U = bridge_port_add(&S, "xenbr0", &u);
	assert_true(A && G && U);
	return 0;
}

static int teardown(void **state)
{
	for (unsigned i = 0; i < qg.n; i++)
		netframe_put(qg.f[i]);
	for (unsigned i = 0; i < qu.n; i++)
		netframe_put(qu.f[i]);
	bridge_port_del(A), bridge_port_del(G), bridge_port_del(U);
	assert_int_equal(S.frames, 0);
	return 0;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

/* A TCP (or UDP) frame as a Linux guest hands it over with a blank
 * checksum: the field holds the pseudo-header sum, not complemented. */
static struct netframe *frame(bool v6, uint8_t proto, uint32_t payload)
{
	uint32_t l3 = v6 ? 40 : 20, l4h = proto == 6 ? 32 : 8, len = 14 + l3 + l4h + payload;
	struct netframe *f = netframe_new(&S, len);
	uint8_t *d = f->data, *ip = d + 14, *l4 = ip + l3;
	memset(d, 0, len);
	memcpy(d, BCAST, 6);
	memcpy(d + 6, MA, 6);
	uint32_t sum;
	if (v6) {
		put16(d + 12, 0x86dd);
		ip[0] = 0x60;
		put16(ip + 4, l4h + payload);
		ip[6] = proto, ip[7] = 64;
		ip[8 + 15] = 1, ip[24 + 15] = 2;
		sum = netpkt_csum_add(0, ip + 8, 32);
	} else {
		put16(d + 12, 0x0800);
		ip[0] = 0x45;
		put16(ip + 2, l3 + l4h + payload);
		put16(ip + 4, 0x1234);
		ip[8] = 64, ip[9] = proto;
		ip[12] = 192, ip[14] = 2, ip[15] = 1, ip[16] = 192, ip[18] = 2, ip[19] = 2;
		put16(ip + 10, netpkt_csum_fold(netpkt_csum_add(0, ip, 20))); /* folded and complemented */
		sum = netpkt_csum_add(0, ip + 12, 8);
	}
	uint8_t ph[4] = { 0, proto, (uint8_t)((l4h + payload) >> 8), (uint8_t)(l4h + payload) };
	sum = netpkt_csum_add(sum, ph, 4);
	if (proto == 6) {
		put16(l4, 40000), put16(l4 + 2, 5000);
		l4[4] = 0x11, l4[7] = 0x42;                /* sequence number */
		l4[12] = 0x80, l4[13] = 0x18;              /* 8 words, ACK PSH */
		put16(l4 + 14, 64240);
		l4[20] = 1, l4[21] = 1, l4[22] = 8, l4[23] = 10; /* NOP NOP timestamps */
		put16(l4 + 16, (uint16_t)~netpkt_csum_fold(sum));
	} else {
		put16(l4, 40000), put16(l4 + 2, 53), put16(l4 + 4, l4h + payload);
		put16(l4 + 6, (uint16_t)~netpkt_csum_fold(sum));
	}
	for (uint32_t i = 0; i < payload; i++)
		l4[l4h + i] = (uint8_t)(i * 7 + 3);
	f->off.csum_blank = true;
	return f;
}

static void gso(bool v6)
{
	uint32_t payload = 20000, mss = v6 ? 1428 : 1448, hdr = 14 + (v6 ? 40 : 20) + 32;
	struct netframe *f = frame(v6, 6, payload);
	f->off.gso_type = v6 ? NETPKT_GSO_TCPV6 : NETPKT_GSO_TCPV4;
	f->off.gso_size = (uint16_t)mss;
	uint8_t *orig = malloc(f->len);
	memcpy(orig, f->data, f->len);
	assert_int_equal(bridge_input(A, f, 1), 2);
	assert_int_equal(qg.n, 1);              /* as it is */
	assert_int_equal(qg.f[0]->len, hdr + payload);
	assert_true(qg.f[0]->off.csum_blank);
	unsigned want = (payload + mss - 1) / mss;
	assert_int_equal(qu.n, want);
	assert_int_equal(U->st.segmented, 1);
	assert_int_equal(U->st.out_packets, want);
	uint32_t at = 0;
	for (unsigned i = 0; i < qu.n; i++) {
		struct netframe *s = qu.f[i];
		assert_true(s->len <= 1514);
		assert_int_equal(netpkt_csum_check(s->data, s->len), 0);
		assert_true(s->off.data_validated && !s->off.csum_blank && !s->off.gso_type);
		assert_memory_equal(s->data + hdr, orig + hdr + at, s->len - hdr);
		at += s->len - hdr;
	}
	assert_int_equal(at, payload);
	free(orig);
}

static void gso4(void **state) { gso(false); }
static void gso6(void **state) { gso(true); }

static void csum_udp(void **state)
{
	for (int v6 = 0; v6 < 2; v6++) {
		struct netframe *f = frame(v6, 17, 900);
		assert_int_equal(bridge_input(A, f, 1), 2);
		struct netframe *out = qu.f[qu.n - 1];
		assert_int_equal(netpkt_csum_check(out->data, out->len), 0);
		assert_true(out->off.data_validated);
		/* the guest port got the blank one, which does not check */
		assert_int_not_equal(netpkt_csum_check(qg.f[qg.n - 1]->data, qg.f[qg.n - 1]->len), 0);
	}
	assert_int_equal(U->st.csum_filled, 2);
}

int main(void)
{
#define T_(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = { T_(gso4), T_(gso6), T_(csum_udp) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
