/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend's side of the network rings (mgmt/netring.c). The test plays
 * the frontend, as Linux's xen-netfront lays out its slots (or a hostile
 * one would): TX frames of one or more slots, extra-info slots (GSO,
 * multicast), every drop and every broken-ring case the header lists,
 * responses (the extras' NULL ones, in slot order), the budget, producer
 * indices going backwards or too far, indices wrapping past 2^32,
 * notification hold-off both ways; RX pages posted and filled: slot
 * counts with and without feature-sg, the GSO slot and the flags, copy
 * failures, waiting for pages (req_event); and random garbage
 * (FUZZ_ITERS rounds) under ASan/UBSan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt/netring.h"

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

#define FUZZ_ITERS 20000

static uint8_t *txmem, *rxmem;  /* the ring pages (malloc'd: ASan sees overruns) */
static struct netring_tx *T;
static struct netring_rx *R;
static RING_IDX tx_prod, rx_prod; /* the frontend's private producers */

static struct xen_sring_hdr *TH(void) { return (struct xen_sring_hdr *)(void *)txmem; }
static struct xen_sring_hdr *RH(void) { return (struct xen_sring_hdr *)(void *)rxmem; }

static union netif_tx_sring_entry *tx_ent(RING_IDX i)
{
	return (union netif_tx_sring_entry *)(void *)(txmem + 64) + (i & 255);
}

static union netif_rx_sring_entry *rx_ent(RING_IDX i)
{
	return (union netif_rx_sring_entry *)(void *)(rxmem + 64) + (i & 255);
}

static const struct netring_tx_caps all_gso = { true, true };

static void attach(RING_IDX start, const struct netring_tx_caps *tc, const struct netring_rx_caps *rc)
{
	memset(txmem, 0, 4096);
	memset(rxmem, 0, 4096);
	TH()->req_prod = TH()->rsp_prod = tx_prod = start;
	TH()->req_event = TH()->rsp_event = start + 1;
	RH()->req_prod = RH()->rsp_prod = rx_prod = start;
	RH()->req_event = RH()->rsp_event = start + 1;
	assert_int_equal(netring_tx_init(T, txmem, tc), 0);
	assert_int_equal(netring_rx_init(R, rxmem, rc), 0);
	assert_int_equal(T->nr_ents, 256);
	assert_int_equal(R->nr_ents, 256);
}

static int setup(void **state)
{
	txmem = malloc(4096);
	rxmem = malloc(4096);
	T = calloc(1, sizeof(*T));
	R = calloc(1, sizeof(*R));
	assert_true(txmem && rxmem && T && R);
	struct netring_rx_caps rc = { true, true, true };
	attach(0, &all_gso, &rc);
	return 0;
}

static int teardown(void **state)
{
	free(txmem), free(rxmem), free(T), free(R);
	return 0;
}

/* ---- the frontend's TX side ---- */

static void put_req(uint32_t gref, uint16_t off, uint16_t flags, uint16_t id, uint16_t size)
{
	union netif_tx_sring_entry e;
	memset(&e, 0xee, sizeof(e)); /* whatever was there */
	e.req = (struct netif_tx_request){ gref, off, flags, id, size };
	*tx_ent(tx_prod++) = e;
}

static void put_extra(uint8_t type, uint8_t flags, uint16_t gso_size, uint8_t gso_type)
{
	union netif_tx_sring_entry e;
	memset(&e, 0, sizeof(e));
	e.extra.type = type;
	e.extra.flags = flags;
	if (type == XEN_NETIF_EXTRA_TYPE_GSO) {
		e.extra.u.gso.size = gso_size;
		e.extra.u.gso.type = gso_type;
	} else {
		memcpy(e.extra.u.mcast.addr, "\x01\x00\x5e\x00\x00\x01", 6);
	}
	*tx_ent(tx_prod++) = e;
}

static void tx_publish(void)
{
	__atomic_store_n(&TH()->req_prod, tx_prod, __ATOMIC_RELEASE);
}

/* A frame of n slots whose sizes are given (the first: its own data). */
static void put_frame(uint16_t id0, unsigned n, const uint16_t *sizes, uint16_t flags0)
{
	uint32_t total = 0;
	for (unsigned i = 0; i < n; i++)
		total += sizes[i];
	put_req(100, 0, (uint16_t)(flags0 | (n > 1 ? NETTXF_more_data : 0)), id0, (uint16_t)total);
	for (unsigned i = 1; i < n; i++)
		put_req(100 + i, 0, i + 1 < n ? NETTXF_more_data : 0, (uint16_t)(id0 + i), sizes[i]);
}

static struct netring_txpkt pkt;

static int take(void)
{
	return netring_tx_take(T, &pkt);
}

/* ---- TX ---- */

static void tx_one_slot(void **state)
{
	assert_int_equal(netring_tx_begin(T), 0);
	assert_int_equal(take(), NETRING_NONE);
	put_req(7, 100, NETTXF_csum_blank, 42, 60);
	tx_publish();
	assert_int_equal(netring_tx_begin(T), 1);
	assert_int_equal(take(), NETRING_TOOK);
	assert_int_equal(pkt.status, NETIF_RSP_OKAY);
	assert_int_equal(pkt.len, 60);
	assert_int_equal(pkt.nslots, 1);
	assert_int_equal(pkt.nfrags, 1);
	assert_int_equal(pkt.frag[0].gref, 7);
	assert_int_equal(pkt.frag[0].offset, 100);
	assert_int_equal(pkt.frag[0].size, 60);
	assert_true(pkt.off.csum_blank);
	assert_false(pkt.off.data_validated);
	assert_int_equal(pkt.off.gso_type, NETPKT_GSO_NONE);
	assert_int_equal(take(), NETRING_NONE);
	assert_int_equal(netring_tx_respond(T, &pkt, NETIF_RSP_OKAY), 0);
	assert_int_equal(netring_tx_respond(T, &pkt, NETIF_RSP_OKAY), -1); /* answered already */
	/* rsp_event is 1: the guest wants an event for response 1. */
	assert_true(netring_tx_push(T));
	assert_int_equal(TH()->rsp_prod, 1);
	assert_int_equal(tx_ent(0)->rsp.id, 42);
	assert_int_equal(tx_ent(0)->rsp.status, NETIF_RSP_OKAY);
	assert_false(netring_tx_push(T)); /* nothing new */
	assert_false(netring_tx_final_check(T));
	assert_int_equal(TH()->req_event, 2);
	assert_int_equal(T->st.frames, 1);
	assert_int_equal(T->st.responses, 1);
}

static void tx_chained(void **state)
{
	const uint16_t sizes[] = { 54, 4096, 4096, 1000 };

	put_frame(10, 4, sizes, NETTXF_data_validated);
	tx_publish();
	assert_int_equal(netring_tx_begin(T), 4);
	assert_int_equal(take(), NETRING_TOOK);
	assert_int_equal(pkt.status, NETIF_RSP_OKAY);
	assert_int_equal(pkt.len, 54 + 4096 + 4096 + 1000);
	assert_int_equal(pkt.nfrags, 4);
	assert_int_equal(pkt.nslots, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(pkt.frag[i].size, sizes[i]);
		assert_int_equal(pkt.frag[i].id, 10 + i);
		assert_int_equal(pkt.frag[i].gref, 100 + i);
	}
	assert_true(pkt.off.data_validated);
	assert_int_equal(netring_tx_respond(T, &pkt, NETIF_RSP_OKAY), 0);
	netring_tx_push(T);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(tx_ent(i)->rsp.id, 10 + i);
}

static void tx_gso(void **state)
{
	/* first, GSO extra, then two more data slots: as netfront sends a TSO frame */
	put_req(1, 64, NETTXF_csum_blank | NETTXF_extra_info | NETTXF_more_data, 5, 9000);
	put_extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
	put_req(2, 0, NETTXF_more_data, 6, 4096);
	put_req(3, 0, 0, 7, 4000);
	tx_publish();
	assert_int_equal(netring_tx_begin(T), 4);
	assert_int_equal(take(), NETRING_TOOK);
	assert_int_equal(pkt.status, NETIF_RSP_OKAY);
	assert_int_equal(pkt.nslots, 4);
	assert_int_equal(pkt.nextras, 1);
	assert_int_equal(pkt.nfrags, 3);
	assert_int_equal(pkt.frag[0].size, 9000 - 4096 - 4000);
	assert_int_equal(pkt.off.gso_type, NETPKT_GSO_TCPV4);
	assert_int_equal(pkt.off.gso_size, 1448);
	assert_true(pkt.off.csum_blank);
	assert_int_equal(netring_tx_respond(T, &pkt, NETIF_RSP_OKAY), 0);
	netring_tx_push(T);
	assert_int_equal(tx_ent(0)->rsp.id, 5);
	assert_int_equal(tx_ent(1)->rsp.status, NETIF_RSP_NULL);
	assert_int_equal(tx_ent(2)->rsp.id, 6);
	assert_int_equal(tx_ent(3)->rsp.id, 7);
	assert_int_equal(T->st.gso, 1);
	/* IPv6 GSO too, chained behind a (ignored) hash extra */
	put_req(1, 0, NETTXF_extra_info, 8, 100);
	put_extra(XEN_NETIF_EXTRA_TYPE_HASH, XEN_NETIF_EXTRA_FLAG_MORE, 0, 0);
	put_extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 1428, XEN_NETIF_GSO_TYPE_TCPV6);
	tx_publish();
	assert_int_equal(netring_tx_begin(T), 3);
	assert_int_equal(take(), NETRING_TOOK);
	assert_int_equal(pkt.nextras, 2);
	assert_int_equal(pkt.off.gso_type, NETPKT_GSO_TCPV6);
	assert_int_equal(netring_tx_respond(T, &pkt, NETIF_RSP_OKAY), 0);
}

static void tx_mcast(void **state)
{
	/* A filter message: size 0, not a frame, answered OKAY */
	put_req(0, 0, NETTXF_extra_info, 9, 0);
	put_extra(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 0, 0);
	tx_publish();
	netring_tx_begin(T);
	assert_int_equal(take(), NETRING_TOOK);
	assert_true(pkt.mcast);
	assert_int_equal(pkt.status, NETIF_RSP_OKAY);
	assert_int_equal(pkt.nslots, 2);
	assert_int_equal(T->st.mcast, 1);
	assert_int_equal(netring_tx_respond(T, &pkt, pkt.status), 0);
}

/* One frame expected dropped with reason why, after n slots. */
static void expect_drop(enum netring_drop why, unsigned nslots)
{
	assert_true(netring_tx_begin(T) > 0);
	assert_int_equal(take(), NETRING_TOOK);
	assert_int_equal(pkt.status, NETIF_RSP_ERROR);
	assert_int_equal(pkt.drop, why);
	assert_int_equal(pkt.nslots, nslots);
	RING_IDX at = T->rsp_prod;
	assert_int_equal(netring_tx_respond(T, &pkt, pkt.status), 0);
	for (unsigned i = 0; i < nslots; i++)
		assert_int_equal(tx_ent(at + i)->rsp.status, NETIF_RSP_ERROR);
	assert_false(T->broken);
}

static void tx_drops(void **state)
{
	/* a runt: 10 bytes; a frame of length 0 */
	put_req(1, 0, 0, 1, 10);
	tx_publish();
	expect_drop(NETRING_DROP_RUNT, 1);
	put_req(1, 0, 0, 1, 0);
	tx_publish();
	expect_drop(NETRING_DROP_RUNT, 1);
	/* the first slot keeps only 10 bytes of header for itself */
	const uint16_t s1[] = { 10, 500 };
	put_frame(1, 2, s1, 0);
	tx_publish();
	expect_drop(NETRING_DROP_RUNT, 2);
	/* a later slot larger than the frame */
	put_req(1, 0, NETTXF_more_data, 1, 100);
	put_req(2, 0, 0, 2, 200);
	tx_publish();
	expect_drop(NETRING_DROP_OVERSIZE, 2);
	/* a later slot of 0 bytes */
	const uint16_t s2[] = { 100, 0, 100 };
	put_frame(1, 3, s2, 0);
	tx_publish();
	expect_drop(NETRING_DROP_ZERO, 3);
	/* 18 slots after the first: fine; 19 and 20: dropped */
	uint16_t s3[21];
	for (unsigned i = 0; i < 21; i++)
		s3[i] = 100;
	put_frame(1, 19, s3, 0);
	tx_publish();
	assert_int_equal(netring_tx_begin(T), 19);
	assert_int_equal(take(), NETRING_TOOK);
	assert_int_equal(pkt.status, NETIF_RSP_OKAY);
	assert_int_equal(pkt.nfrags, 19);
	assert_int_equal(netring_tx_respond(T, &pkt, NETIF_RSP_OKAY), 0);
	put_frame(1, 20, s3, 0);
	tx_publish();
	expect_drop(NETRING_DROP_SLOTS, 20);
	put_frame(1, 21, s3, 0);
	tx_publish();
	expect_drop(NETRING_DROP_SLOTS, 21);
	assert_int_equal(T->st.drops[NETRING_DROP_SLOTS], 2);
	assert_int_equal(T->st.drops[NETRING_DROP_RUNT], 3);
	/* the ring is still good */
	put_req(1, 0, 0, 1, 60);
	tx_publish();
	netring_tx_begin(T);
	assert_int_equal(take(), NETRING_TOOK);
	assert_int_equal(pkt.status, NETIF_RSP_OKAY);
}

/* What is published must break the ring at the next take (or begin). */
static void expect_broken(void)
{
	int rc = netring_tx_begin(T);
	if (rc != NETRING_BROKEN)
		rc = take();
	assert_int_equal(rc, NETRING_BROKEN);
	assert_true(T->broken);
	assert_non_null(T->why);
	assert_int_equal(netring_tx_begin(T), NETRING_BROKEN);
	assert_int_equal(take(), NETRING_BROKEN);
	assert_false(netring_tx_push(T));
	assert_false(netring_tx_final_check(T));
}

static void fresh(void)
{
	struct netring_rx_caps rc = { true, true, true };
	attach(0, &all_gso, &rc);
}

static void tx_fatal(void **state)
{
	uint16_t s[22];
	for (unsigned i = 0; i < 22; i++)
		s[i] = 60;
	/* 21 slots after the first */
	put_frame(1, 22, s, 0);
	tx_publish();
	expect_broken();
	/* a chain that runs into req_prod */
	fresh();
	put_req(1, 0, NETTXF_more_data, 1, 200);
	put_req(1, 0, NETTXF_more_data, 2, 100);
	tx_publish();
	expect_broken();
	/* the first slot crosses its page; a later one does */
	fresh();
	put_req(1, 4000, 0, 1, 200);
	tx_publish();
	expect_broken();
	fresh();
	put_req(1, 0, NETTXF_more_data, 1, 300);
	put_req(1, 4000, 0, 2, 200);
	tx_publish();
	expect_broken();
	/* extras: unknown type, type 0, too many, past req_prod, GSO size 0, GSO
	 * type not offered or unknown */
	static const struct { uint8_t type; uint16_t size; uint8_t gtype; } bad[] = {
		{ 9, 0, 0 }, { 0, 0, 0 }, { XEN_NETIF_EXTRA_TYPE_GSO, 0, 1 },
		{ XEN_NETIF_EXTRA_TYPE_GSO, 1448, 3 },
	};
	for (unsigned k = 0; k < 4; k++) {
		fresh();
		put_req(1, 0, NETTXF_extra_info, 1, 100);
		put_extra(bad[k].type, 0, bad[k].size, bad[k].gtype);
		tx_publish();
		expect_broken();
	}
	fresh();
	put_req(1, 0, NETTXF_extra_info, 1, 100);
	for (unsigned i = 0; i < NETRING_TX_EXTRAS_MAX + 1; i++)
		put_extra(XEN_NETIF_EXTRA_TYPE_HASH, XEN_NETIF_EXTRA_FLAG_MORE, 0, 0);
	tx_publish();
	expect_broken();
	fresh();
	put_req(1, 0, NETTXF_extra_info, 1, 100);
	put_extra(XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_EXTRA_FLAG_MORE, 1448, 1);
	tx_publish();
	expect_broken();
	/* TCPv6 GSO from a frontend offered TCPv4 only */
	struct netring_tx_caps v4 = { true, false };
	struct netring_rx_caps rc = { true, true, true };
	attach(0, &v4, &rc);
	put_req(1, 0, NETTXF_extra_info, 1, 100);
	put_extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448, XEN_NETIF_GSO_TYPE_TCPV6);
	tx_publish();
	expect_broken();
}

static void tx_producer(void **state)
{
	/* more than a ring's worth outstanding */
	TH()->req_prod = 257;
	expect_broken();
	/* going backwards behind what was taken */
	fresh();
	for (unsigned i = 0; i < 4; i++)
		put_req(1, 0, 0, (uint16_t)i, 60);
	tx_publish();
	netring_tx_begin(T);
	assert_int_equal(take(), NETRING_TOOK);
	assert_int_equal(take(), NETRING_TOOK);
	TH()->req_prod = 1;
	expect_broken();
	/* an init that finds nonsense already */
	memset(txmem, 0, 4096);
	TH()->req_prod = 1000;
	assert_int_equal(netring_tx_init(T, txmem, &all_gso), NETRING_BROKEN);
	/* a ring whose guest never gets responses back: 256 outstanding fine,
	 * then nothing more can be published without breaking it */
	fresh();
	for (unsigned i = 0; i < 256; i++)
		put_req(1, 0, 0, (uint16_t)i, 60);
	tx_publish();
	assert_int_equal(netring_tx_begin(T), 256);
	TH()->req_prod = tx_prod + 1;
	expect_broken();
}

static void tx_budget(void **state)
{
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 70; i++)
			put_req(1, 0, 0, (uint16_t)i, 60);
		tx_publish();
		assert_int_equal(netring_tx_begin(T), 70);
		unsigned n = 0;
		while (take() == NETRING_TOOK) {
			assert_int_equal(netring_tx_respond(T, &pkt, NETIF_RSP_OKAY), 0);
			n++;
		}
		assert_int_equal(n, NETRING_TX_BUDGET);
		assert_int_equal(take(), NETRING_BUDGET_LEFT);
		assert_true(netring_tx_final_check(T)); /* work waits */
		assert_int_equal(netring_tx_begin(T), 70 - NETRING_TX_BUDGET);
		while (take() == NETRING_TOOK) {
			assert_int_equal(netring_tx_respond(T, &pkt, NETIF_RSP_OKAY), 0);
			n++;
		}
		assert_int_equal(n, 70);
		netring_tx_push(T);
		assert_false(netring_tx_final_check(T));
	}
	assert_int_equal(T->st.budget_stops, 3);
}

static void tx_read_once(void **state)
{
	put_req(1, 0, 0, 1, 60);
	tx_publish();
	assert_int_equal(netring_tx_begin(T), 1);
	/* the guest publishes more and rewrites the taken slot afterwards: the
	 * backend works with what begin() saw and what take() copied */
	put_req(1, 0, 0, 2, 60);
	tx_publish();
	assert_int_equal(take(), NETRING_TOOK);
	tx_ent(0)->req.size = 9;
	assert_int_equal(pkt.len, 60);
	assert_int_equal(take(), NETRING_NONE);
	assert_int_equal(netring_tx_respond(T, &pkt, NETIF_RSP_OKAY), 0);
	assert_true(netring_tx_final_check(T)); /* the second one is there */
}

static void tx_wrap_and_holdoff(void **state)
{
	struct netring_rx_caps rc = { true, true, true };
	attach(0xfffffff0u, &all_gso, &rc);
	/* the guest wants an event only after 8 more responses */
	TH()->rsp_event = 0xfffffff0u + 8;
	unsigned notified = 0;
	for (unsigned i = 0; i < 32; i++) {
		put_req(1, 0, 0, (uint16_t)i, 60);
		tx_publish();
		assert_int_equal(netring_tx_begin(T), 1);
		assert_int_equal(take(), NETRING_TOOK);
		assert_int_equal(pkt.frag[0].id, i);
		netring_tx_respond(T, &pkt, NETIF_RSP_OKAY);
		notified += netring_tx_push(T);
	}
	assert_int_equal(notified, 1);
	assert_int_equal(T->rsp_prod, 0xfffffff0u + 32);
	assert_int_equal(TH()->rsp_prod, 0x10u);
	assert_false(netring_tx_final_check(T));
	assert_int_equal(TH()->req_event, 0x11u);
}

/* ---- RX ---- */

static void post(unsigned n, uint32_t gref0)
{
	for (unsigned i = 0; i < n; i++) {
		union netif_rx_sring_entry e;
		memset(&e, 0xdd, sizeof(e));
		e.req.id = (uint16_t)(rx_prod & 255);
		e.req.gref = gref0 + i;
		*rx_ent(rx_prod++) = e;
	}
	__atomic_store_n(&RH()->req_prod, rx_prod, __ATOMIC_RELEASE);
}

static struct netring_rxpkt rp;

static void rx_slots(void **state)
{
	struct net_offload none = { 0 }, gso4 = { true, false, NETPKT_GSO_TCPV4, 1448 },
			   gso6 = { true, false, NETPKT_GSO_TCPV6, 1428 };

	assert_int_equal(netring_rx_slots(R, 0, &none), 0);
	assert_int_equal(netring_rx_slots(R, 60, &none), 1);
	assert_int_equal(netring_rx_slots(R, 4096, &none), 1);
	assert_int_equal(netring_rx_slots(R, 4097, &none), 2);
	assert_int_equal(netring_rx_slots(R, 65535 + 14, &gso4), 17 + 1);
	assert_int_equal(netring_rx_slots(R, 18 * 4096, &none), 18);
	assert_int_equal(netring_rx_slots(R, 18 * 4096 + 1, &none), 0);
	/* no sg: one page at most; no GSO types: no GSO slot */
	struct netring_rx_caps nosg = { false, false, true };
	attach(0, &all_gso, &nosg);
	assert_int_equal(netring_rx_slots(R, 1514, &none), 1);
	assert_int_equal(netring_rx_slots(R, 4097, &none), 0);
	assert_int_equal(netring_rx_slots(R, 3000, &gso4), 1);
	assert_int_equal(netring_rx_slots(R, 3000, &gso6), 2);
}

static void rx_frames(void **state)
{
	struct net_offload plain = { 0 }, valid = { false, true, 0, 0 },
			   gso = { true, false, NETPKT_GSO_TCPV4, 1448 };
	struct netring_rxpkt a, b;

	assert_int_equal(netring_rx_begin(R), 0);
	assert_int_equal(netring_rx_take(R, 60, &plain, &a), NETRING_NONE);
	assert_int_equal(R->st.waits, 1);
	post(4, 500);
	assert_int_equal(netring_rx_begin(R), 4);
	/* a plain frame: one page */
	assert_int_equal(netring_rx_take(R, 60, &plain, &a), NETRING_TOOK);
	assert_int_equal(a.nslots, 1);
	assert_int_equal(a.slot[0].gref, 500);
	assert_int_equal(a.slot[0].size, 60);
	assert_int_equal(a.slot[0].frame_off, 0);
	assert_int_equal(a.first_flags, 0);
	/* a validated frame over two pages */
	assert_int_equal(netring_rx_take(R, 5000, &valid, &b), NETRING_TOOK);
	assert_int_equal(b.nslots, 2);
	assert_int_equal(b.slot[0].size, 4096);
	assert_int_equal(b.slot[1].size, 904);
	assert_int_equal(b.slot[1].frame_off, 4096);
	assert_int_equal(b.first_flags, NETRXF_data_validated);
	/* too few pages for a 3-page GSO frame (+1 slot): nothing taken */
	assert_int_equal(netring_rx_take(R, 9000, &gso, &rp), NETRING_NONE);
	assert_int_equal(netring_rx_posted(R), 1);
	assert_int_equal(netring_rx_finish(R, &a, 0), 0);
	assert_int_equal(netring_rx_finish(R, &b, 0), 0);
	assert_true(netring_rx_push(R));
	assert_int_equal(rx_ent(0)->rsp.status, 60);
	assert_int_equal(rx_ent(1)->rsp.flags, NETRXF_data_validated | NETRXF_more_data);
	assert_int_equal(rx_ent(2)->rsp.status, 904);
	assert_false(netring_rx_need(R, 4)); /* 1 posted, 4 needed: wait */
	assert_int_equal(RH()->req_event, 3 + 4);
	post(3, 600);
	assert_true(netring_rx_need(R, 4));
	assert_int_equal(netring_rx_take(R, 9000, &gso, &rp), NETRING_TOOK);
	assert_true(rp.extra);
}

/* Takes one frame on a fresh ring of n posted pages and answers it. */
static void rx_one(uint32_t len, const struct net_offload *o, uint32_t failed)
{
	post(20, 700);
	assert_int_equal(netring_rx_begin(R), 20);
	assert_int_equal(netring_rx_take(R, len, o, &rp), NETRING_TOOK);
	assert_int_equal(netring_rx_finish(R, &rp, failed), 0);
	assert_int_equal(netring_rx_finish(R, &rp, failed), -1); /* nothing left to answer */
}

static void rx_responses(void **state)
{
	struct net_offload gso = { true, false, NETPKT_GSO_TCPV4, 1448 };

	rx_one(9000, &gso, 0);
	assert_true(netring_rx_push(R));
	assert_int_equal(RH()->rsp_prod, 4);
	/* slot 0: data, csum flags, extra_info, more_data */
	assert_int_equal(rx_ent(0)->rsp.id, 0);
	assert_int_equal(rx_ent(0)->rsp.status, 4096);
	assert_int_equal(rx_ent(0)->rsp.offset, 0);
	assert_int_equal(rx_ent(0)->rsp.flags, NETRXF_csum_blank | NETRXF_data_validated |
					       NETRXF_extra_info | NETRXF_more_data);
	/* slot 1: the GSO slot */
	assert_int_equal(rx_ent(1)->extra.type, XEN_NETIF_EXTRA_TYPE_GSO);
	assert_int_equal(rx_ent(1)->extra.flags, 0);
	assert_int_equal(rx_ent(1)->extra.u.gso.size, 1448);
	assert_int_equal(rx_ent(1)->extra.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	/* slots 2, 3: the rest, in the slots their requests were in */
	assert_int_equal(rx_ent(2)->rsp.id, 2);
	assert_int_equal(rx_ent(2)->rsp.status, 4096);
	assert_int_equal(rx_ent(2)->rsp.flags, NETRXF_more_data);
	assert_int_equal(rx_ent(3)->rsp.id, 3);
	assert_int_equal(rx_ent(3)->rsp.status, 9000 - 8192);
	assert_int_equal(rx_ent(3)->rsp.flags, 0);
	assert_int_equal(R->st.gso, 1);
	/* a GSO frame that fits one page: its only page says no more_data */
	struct netring_rxpkt small;
	assert_int_equal(netring_rx_take(R, 3000, &gso, &small), NETRING_TOOK);
	assert_int_equal(small.nslots, 2);
	assert_int_equal(netring_rx_finish(R, &small, 0), 0);
	assert_int_equal(rx_ent(4)->rsp.flags, NETRXF_csum_blank | NETRXF_data_validated |
					       NETRXF_extra_info);
	assert_int_equal(rx_ent(4)->rsp.status, 3000);
	assert_int_equal(rx_ent(5)->extra.type, XEN_NETIF_EXTRA_TYPE_GSO);
	/* a copy failure on the second page */
	struct net_offload plain = { 0 };
	assert_int_equal(netring_rx_take(R, 6000, &plain, &rp), NETRING_TOOK);
	assert_int_equal(netring_rx_finish(R, &rp, 2), 0);
	assert_int_equal(rx_ent(6)->rsp.status, 4096);
	assert_int_equal(rx_ent(6)->rsp.flags, NETRXF_more_data);
	assert_int_equal(rx_ent(7)->rsp.status, NETIF_RSP_ERROR);
	assert_int_equal(R->st.copy_errors, 1);
	/* the guest asked for an event at response 1 only */
	assert_false(netring_rx_push(R));
}

static void rx_no_gso_frontend(void **state)
{
	struct netring_rx_caps rc = { true, false, false };
	attach(0, &all_gso, &rc);
	struct net_offload gso = { true, false, NETPKT_GSO_TCPV4, 1448 };
	/* the caller segments GSO frames for such a frontend; if one still
	 * comes, it has no GSO slot */
	rx_one(3000, &gso, 0);
	assert_int_equal(rp.nslots, 1);
	assert_int_equal(rx_ent(0)->rsp.flags, NETRXF_csum_blank | NETRXF_data_validated);
}

static void rx_producer(void **state)
{
	post(256, 1);
	assert_int_equal(netring_rx_begin(R), 256);
	post(1, 1);
	assert_int_equal(netring_rx_begin(R), NETRING_BROKEN);
	struct net_offload plain = { 0 };
	assert_int_equal(netring_rx_take(R, 60, &plain, &rp), -1);
	assert_false(netring_rx_push(R));
	/* backwards */
	fresh();
	post(8, 1);
	netring_rx_begin(R);
	assert_int_equal(netring_rx_take(R, 60, &plain, &rp), NETRING_TOOK);
	assert_int_equal(netring_rx_take(R, 60, &plain, &rp), NETRING_TOOK);
	RH()->req_prod = 1;
	assert_int_equal(netring_rx_begin(R), NETRING_BROKEN);
	assert_non_null(R->why);
	memset(rxmem, 0, 4096);
	RH()->req_prod = 300;
	struct netring_rx_caps rc = { true, true, true };
	assert_int_equal(netring_rx_init(R, rxmem, &rc), NETRING_BROKEN);
}

static void rx_wrap_and_need(void **state)
{
	struct netring_rx_caps rc = { true, true, true };
	attach(0xfffffffeu, &all_gso, &rc);
	struct net_offload plain = { 0 };
	for (unsigned i = 0; i < 600; i++) {
		if (netring_rx_begin(R) < 2) {
			assert_false(netring_rx_need(R, 2));
			assert_int_equal(RH()->req_event, R->req_cons + 2);
			post(64, 1);
			assert_true(netring_rx_need(R, 2));
		}
		assert_int_equal(netring_rx_take(R, 5000, &plain, &rp), NETRING_TOOK);
		assert_int_equal(netring_rx_finish(R, &rp, 0), 0);
		netring_rx_push(R);
	}
	assert_int_equal(R->rsp_prod, 0xfffffffeu + 1200);
	assert_false(R->broken);
}

/* Random bytes in the TX ring and random producers: never a crash (ASan),
 * every take consistent, the ring broken or not but never wrong. */
static void fuzz(void **state)
{
	uint32_t seed = 12345;
	for (unsigned it = 0; it < FUZZ_ITERS; it++) {
		fresh();
		for (unsigned i = 64; i < 4096; i++) {
			seed = seed * 1103515245u + 12345u;
			txmem[i] = (uint8_t)(seed >> 16);
			/* mostly plausible flags and sizes */
			if ((i - 64) % 12 == 6 && (seed & 0x300))
				txmem[i] &= 0x0f;
		}
		seed = seed * 1103515245u + 12345u;
		TH()->req_prod = (seed >> 8) % 300;
		int rc;
		unsigned frames = 0;
		while ((rc = netring_tx_begin(T)) > 0) {
			while ((rc = take()) == NETRING_TOOK) {
				assert_true(pkt.nslots >= 1 && pkt.nslots <= 1 + 20 + NETRING_TX_EXTRAS_MAX);
				assert_true(pkt.nfrags >= 1 && pkt.nfrags <= 21);
				if (pkt.status == NETIF_RSP_OKAY && !pkt.mcast) {
					uint32_t sum = 0;
					for (unsigned i = 0; i < pkt.nfrags; i++) {
						assert_true(pkt.frag[i].offset + pkt.frag[i].size <= 4096);
						sum += pkt.frag[i].size;
					}
					assert_int_equal(sum, pkt.len);
					assert_true(pkt.frag[0].size >= 14);
				}
				assert_int_equal(netring_tx_respond(T, &pkt, pkt.status), 0);
				frames++;
			}
			netring_tx_push(T);
			if (rc == NETRING_BROKEN)
				break;
		}
		assert_true(frames <= 300);
	}
}

int main(void)
{
#define U(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		U(tx_one_slot), U(tx_chained), U(tx_gso), U(tx_mcast), U(tx_drops), U(tx_fatal),
		U(tx_producer), U(tx_budget), U(tx_read_once), U(tx_wrap_and_holdoff),
		U(rx_slots), U(rx_frames), U(rx_responses), U(rx_no_gso_frontend), U(rx_producer),
		U(rx_wrap_and_need), U(fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
