/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The netfront test guest's hostile frontend (cmdline "hostile"; see
 * netfront.c). Each attack says what the backend must do; between them
 * the honest path (a probe to the peer, answered) must still work.
 */
#include "runtime.h"
#include "xenbus.h"
#include "netfront.h"

#include "include/public/event_channel.h"
#include "include/public/memory.h"
#include "include/public/xen.h"

#define MS XB_MS

static uint32_t seq = 1000;

static void honest(const char *name)
{
	seq++;
	bool ok = probe(nf.peer, seq, 30000);

	check(name, ok, "probe %u to the peer: %s", seq, ok ? "answered" : "no answer");
}

static void pause_ms(unsigned ms)
{
	spin_until(now_ns() + ms * MS, true);
}

/* A frame of one slot. */
static struct txf one(uint32_t gref, uint16_t off, uint16_t size)
{
	struct txf f = { 0 };

	txf_add(&f, gref, off, size);
	return f;
}

/* A frame of 1 + more slots: 60 bytes in the first, 100 in each other. */
static struct txf chain(unsigned more)
{
	struct txf f = one(REF_TX, 0, (uint16_t)(60 + more * 100));

	for (unsigned i = 0; i < more; i++)
		txf_add(&f, REF_TX + 1 + i % (NTX - 2), 0, 100);
	return f;
}

static struct txf with_extra(struct txf f, uint8_t type, uint16_t gso_size, uint8_t gso_type)
{
	struct netif_extra_info *x = &f.x[f.nx++];

	*x = (struct netif_extra_info){ .type = type };
	x->u.gso.size = gso_size;
	x->u.gso.type = gso_type;
	return f;
}

/* ---- frames that are dropped (errors) or passed on (OKAY) ---- */

static void bad_frames(void)
{
	struct txf f;

	/* Page 0: a frame to ourselves (the bridge filters it: it goes
	 * nowhere). Page 2: from the peer's MAC; page 3: from a multicast one. */
	make_probe(txbuf[0], nf.mac, nf.mac, 0, 0, 4096);
	make_probe(txbuf[1], nf.mac, nf.mac, 0, 0, 4096);
	make_probe(txbuf[2], nf.mac, nf.peer, 0, 0, 64);
	make_probe(txbuf[3], nf.mac, (const uint8_t[6]){ 0x01, 0x00, 0x5e, 0, 0, 1 }, 0, 0, 64);
	f = one(REF_TX, 0, 10), expect_tx("runt", &f, NETIF_RSP_ERROR);
	f = one(REF_TX, 0, 0), expect_tx("zero-length", &f, NETIF_RSP_ERROR);
	f = one(REF_TX, 0, 13), expect_tx("13-bytes", &f, NETIF_RSP_ERROR);
	f = one(REF_TX, 0, 14), expect_tx("14-bytes", &f, NETIF_RSP_OKAY);
	f = one(REF_TX, 0, 100);
	txf_add(&f, REF_TX + 1, 0, 200);
	expect_tx("first-smaller-than-rest", &f, NETIF_RSP_ERROR);
	f = one(REF_TX, 0, 100);
	txf_add(&f, REF_TX + 1, 0, 0);
	expect_tx("later-slot-zero", &f, NETIF_RSP_ERROR);
	f = chain(18), expect_tx("18-slots-after-first", &f, NETIF_RSP_OKAY);
	f = chain(19), expect_tx("19-slots-after-first", &f, NETIF_RSP_ERROR);
	/* 65535 bytes: 4095 in the first slot, 15 pages after it. */
	f = one(REF_TX, 0, 65535);
	for (unsigned i = 0; i < 15; i++)
		txf_add(&f, REF_TX + 1 + i, 0, 4096);
	expect_tx("65535-bytes", &f, NETIF_RSP_OKAY);
	/* The slots hold more than 64 KiB: 17 pages after a 65535 first. */
	f = one(REF_TX, 0, 65535);
	for (unsigned i = 0; i < 17; i++)
		txf_add(&f, REF_TX + 1 + i, 0, 4096);
	expect_tx("over-64-kib", &f, NETIF_RSP_ERROR);
	/* Grants. */
	f = one(REF_NONE, 0, 60), expect_tx("ungranted", &f, NETIF_RSP_ERROR);
	f = one(REF_HUGE, 0, 60), expect_tx("ref-past-table", &f, NETIF_RSP_ERROR);
	f = one(REF_OTHER, 0, 60), expect_tx("granted-to-another", &f, NETIF_RSP_ERROR);
	f = one(REF_GNTTAB, 0, 60), expect_tx("grant-table-frame", &f, NETIF_RSP_ERROR);
	f = one(REF_TX, 0, 160);
	txf_add(&f, REF_NONE, 0, 100);
	expect_tx("second-slot-ungranted", &f, NETIF_RSP_ERROR);
	f = one(REF_TX_RO, 0, 60), expect_tx("read-only-grant", &f, NETIF_RSP_OKAY);
	/* Extras that are not errors; a GSO frame that is no TCP (the bridge
	 * drops it: bad gso); sources the bridge drops (spoofed, bad source). */
	f = with_extra(one(REF_TX, 0, 60), XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 0);
	expect_tx("multicast-extra", &f, NETIF_RSP_OKAY);
	f = with_extra(one(REF_TX, 0, 60), XEN_NETIF_EXTRA_TYPE_HASH, 0, 0);
	expect_tx("hash-extra", &f, NETIF_RSP_OKAY);
	f = with_extra(one(REF_TX, 0, 3000), XEN_NETIF_EXTRA_TYPE_GSO, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
	expect_tx("gso-not-tcp", &f, NETIF_RSP_OKAY);
	f = one(REF_TX + 2, 0, 64), expect_tx("spoofed-source", &f, NETIF_RSP_OKAY);
	f = one(REF_TX + 3, 0, 64), expect_tx("multicast-source", &f, NETIF_RSP_OKAY);
	honest("served-after-bad-frames");
}

/* ---- floods ---- */

/* A full ring published without the event the backend asked for: not
 * served until the event. The backend asks for the event when it goes
 * idle after the last frame, then looks at the ring once more: its
 * domain may be held by the host in that look longer than we wait, and
 * a ring it serves so is tried again, after 50 ms, then 500 ms and 3 s (a
 * backend that serves without events does so every time). */
static void quiet_ring(void)
{
	static const unsigned idle_ms[] = { 50, 500, 3000 };
	struct netif_tx_response r;
	unsigned got = 0, bad = 0;
	bool early = true;

	for (unsigned t = 0; t < 3 && early; t++) {
		pause_ms(idle_ms[t]); /* the backend went idle after the last frame */
		RING_IDX rsp0 = txh->rsp_prod;
		for (unsigned i = 0; i < 256; i++) {
			struct txf f = one(REF_TX, 0, 60);
			txf_put(&f);
		}
		tx_push(true);
		pause_ms(300);
		early = txh->rsp_prod != rsp0;
		xb_notify(nf.port[0]);
		for (got = bad = 0; got < 256 && tx_rsp(&r, 30000); got++)
			bad += r.status != NETIF_RSP_OKAY;
	}
	check("quiet-ring-waits", !early, "served without an event, 3 times");
	check("event-serves-ring", got == 256 && bad == 0, "%u of 256 answered, %u not OKAY", got, bad);
}

/* Keeps the ring full for n frames, good ones (to ourselves) and runts in
 * turn: each answered as it should be. */
static void flood(uint32_t n)
{
	uint32_t sent = 0, got = 0, bad = 0;
	uint64_t t0 = now_ns(), end = t0 + 30000 * MS;
	struct netif_tx_response r;

	while (got < n && now_ns() < end) {
		while (sent < n && nf.tx_prod - nf.tx_cons < 256) {
			struct netif_tx_request q = { REF_TX, 0, 0, (uint16_t)sent, sent % 2 ? 10 : 60 };
			memcpy(txslot(nf.tx_prod++), &q, sizeof(q));
			sent++;
		}
		tx_push(false);
		while (tx_rsp(&r, got + (nf.tx_prod - nf.tx_cons) < n ? 0 : 50)) {
			bad += r.status != (r.id % 2 ? NETIF_RSP_ERROR : NETIF_RSP_OKAY);
			got++;
		}
		if (nf.tx_prod != nf.tx_cons)
			wait_any(10);
	}
	uint64_t ms = (now_ns() - t0) / MS;
	check("flood", got == n && bad == 0, "%u of %u answered (%u wrong) in %llu ms", got, n, bad,
	      (unsigned long long)ms);
	gprintf("netfront: flood of %u frames in %llu ms\n", n, (unsigned long long)ms);
}

static void event_storm(void)
{
	for (unsigned i = 0; i < 5000; i++)
		xb_notify(nf.port[i % 2 && nf.split]);
	honest("served-after-event-storm");
}

/* ---- the frame budget ---- */

/* More vifs of ours (device/vif/1..NSINK), connected with rings that
 * never get an RX page: frames for them wait in their queues. */
#define NSINK 7
#define REF_SINK 110u           /* their rings: 110..123 */

static uint8_t sink_ring[NSINK][2][4096] __attribute__((aligned(4096)));
static uint8_t sink_mac[NSINK][6];

static unsigned sinks_connect(void)
{
	unsigned up = 0;

	for (unsigned k = 0; k < NSINK; k++) {
		char fe[24], be[64];
		snprintf_(fe, sizeof(fe), "device/vif/%u", k + 1);
		if (xb_request(XS_READ, fe, NULL) != XS_READ)
			break; /* no such vif: the config gave fewer */
		char path[40];
		snprintf_(path, sizeof(path), "%s/backend", fe);
		if (xb_request(XS_READ, path, NULL) != XS_READ)
			break;
		snprintf_(be, sizeof(be), "%s", xb_reply);
		snprintf_(path, sizeof(path), "%s/mac", fe);
		if (xb_request(XS_READ, path, NULL) != XS_READ || !parse_mac(xb_reply, sink_mac[k]))
			break;
		struct xen_sring_hdr *h = (void *)sink_ring[k][0];
		h->req_event = h->rsp_event = 1;
		h = (void *)sink_ring[k][1];
		h->req_event = h->rsp_event = 1;
		xb_grant(REF_SINK + 2 * k, sink_ring[k][0], 0, false);
		xb_grant(REF_SINK + 2 * k + 1, sink_ring[k][1], 0, false);
		xb_writeu(fe, "tx-ring-ref", REF_SINK + 2 * k);
		xb_writeu(fe, "rx-ring-ref", REF_SINK + 2 * k + 1);
		uint32_t port = xb_alloc_unbound();
		xb_writeu(fe, "event-channel", port);
		xb_write(fe, "request-rx-copy", "1");
		xb_write(fe, "feature-rx-notify", "1");
		xb_write(fe, "feature-sg", "1");
		xb_writeu(fe, "state", XenbusStateConnected);
		if (xb_wait_state(be, XenbusStateConnected, XenbusStateClosing, XenbusStateClosing,
				  30000) != XenbusStateConnected)
			continue;
		up++;
		/* One frame from it (to our first vif), so that the bridge learns
		 * where its MAC is: frames for it then go to it alone. */
		make_probe(txbuf[NTX - 2], nf.mac, sink_mac[k], 0, 0, 60);
		struct netif_tx_request q = { REF_TX + NTX - 2, 0, 0, 0, 60 };
		memcpy(sink_ring[k][0] + sizeof(struct xen_sring_hdr), &q, sizeof(q));
		__atomic_store_n(&((struct xen_sring_hdr *)(void *)sink_ring[k][0])->req_prod, 1,
				 __ATOMIC_RELEASE);
		xb_notify(port);
		pause_ms(20);
	}
	return up;
}

/* A frame of len bytes (up to 65535: 16 slots) to mac; its status. */
static int send_to(const uint8_t *mac, uint32_t len)
{
	struct txf f = one(REF_TX, 0, (uint16_t)len);
	int got;

	make_probe(txbuf[0], mac, nf.mac, 0, 0, 64);
	for (uint32_t left = len > 4096 ? len - 4096 : 0, i = 1; left; i++) {
		uint32_t n = left < 4096 ? left : 4096;
		txf_add(&f, REF_TX + i, 0, (uint16_t)n);
		left -= n;
	}
	f.q[0].size = (uint16_t)len;
	return tx_send(&f, NETIF_RSP_OKAY, &got) ? NETIF_RSP_OKAY : got;
}

/* Frames for the sinks, as large as fit, until the frames alive in mgmt
 * fill its budget, and kept so for a while: the peer must still answer
 * (and the good frontends lose nothing). */
static void budget_attack(void)
{
	static const uint32_t sizes[] = { 65535, 8192, 1024, 128, 14 };
	unsigned n = sinks_connect(), sent = 0, refused = 0, probes = 0, lost = 0;
	uint64_t end = now_ns() + 1500 * MS, next_probe = 0;

	if (!check("sinks", n == NSINK, "%u of %u extra vifs connected", n, NSINK))
		return;
	while (now_ns() < end) {
		for (unsigned k = 0; k < NSINK; k++)
			for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
				if (send_to(sink_mac[k], sizes[i]) == NETIF_RSP_OKAY) {
					sent++;
					break;
				}
				refused++;
			}
		if (now_ns() >= next_probe) {
			probes++;
			seq++;
			lost += !probe(nf.peer, seq, 30000);
			next_probe = now_ns() + 50 * MS;
		}
	}
	gprintf("netfront: budget attack: %u frames queued for the sinks, %u refused; %u of %u "
		"probes lost\n", sent, refused, lost, probes);
	check("budget-probes", lost == 0, "%u of %u probes to the peer lost", lost, probes);
}

/* ---- broken rings ---- */

/* What was done must break the ring: the backend goes Closing; then start
 * over and connect again. */
static void expect_broken(const char *name, bool rx)
{
	xb_notify(nf.port[rx && nf.split]);
	uint32_t s = be_state(XenbusStateClosing, XenbusStateClosed, 30000);
	check(name, s == XenbusStateClosing, "backend state %u", s);
	if (reset())
		connect("reconnect", seq % 2);
}

static void fatal_frame(const char *name, struct txf f)
{
	txf_put(&f);
	tx_push(true);
	expect_broken(name, false);
}

static void broken_rings(void)
{
	struct txf f;

	txh->req_prod = nf.tx_cons + 1000;
	expect_broken("tx-producer-ahead", false);
	for (unsigned i = 0; i < 3; i++) {
		f = one(REF_TX, 0, 60);
		expect_tx("tx-frame", &f, NETIF_RSP_OKAY);
	}
	txh->req_prod = nf.tx_prod - 2;
	expect_broken("tx-producer-back", false);
	rxh->req_prod = nf.rx_prod + 1000;
	expect_broken("rx-producer-ahead", true);
	honest("rx-frame"); /* the backend takes an RX page */
	rxh->req_prod = 0;
	expect_broken("rx-producer-back", true);
	f = one(REF_TX, 0, 260);
	txf_add(&f, REF_TX + 1, 4000, 200);
	fatal_frame("slot-crosses-page", f);
	fatal_frame("first-slot-crosses-page", one(REF_TX, 4090, 100));
	fatal_frame("21-slots-after-first", chain(21));
	fatal_frame("extra-type-7", with_extra(one(REF_TX, 0, 60), 7, 0, 0));
	fatal_frame("extra-type-none", with_extra(one(REF_TX, 0, 60), XEN_NETIF_EXTRA_TYPE_NONE, 0, 0));
	f = one(REF_TX, 0, 60);
	for (unsigned i = 0; i < 5; i++)
		f = with_extra(f, XEN_NETIF_EXTRA_TYPE_HASH, 0, 0);
	fatal_frame("five-extras", f);
	fatal_frame("gso-size-0", with_extra(one(REF_TX, 0, 60), XEN_NETIF_EXTRA_TYPE_GSO, 0,
					     XEN_NETIF_GSO_TYPE_TCPV4));
	fatal_frame("gso-type-3", with_extra(one(REF_TX, 0, 60), XEN_NETIF_EXTRA_TYPE_GSO, 1448, 3));
	f = one(REF_TX, 0, 160);
	txf_add(&f, REF_TX + 1, 0, 100);
	f.open_end = true;
	fatal_frame("chain-not-published", f);
	/* The first slot says an extra follows, which is not published. */
	f = with_extra(one(REF_TX, 0, 60), XEN_NETIF_EXTRA_TYPE_HASH, 0, 0);
	txf_put(&f);
	nf.tx_prod--;
	tx_push(true);
	expect_broken("extra-not-published", false);
	honest("served-after-broken-rings");
}

/* ---- connections the backend must refuse ---- */

static void refused(const char *name, bool split, const struct node *bad, unsigned nbad)
{
	uint32_t s = connect_with(split, bad, nbad, 0);

	check(name, s == XenbusStateClosing, "backend state %u", s);
	reset();
}

#define REFUSED(name, split, ...) do { \
		const struct node bad_[] = { __VA_ARGS__ }; \
		refused(name, split, bad_, sizeof(bad_) / sizeof(bad_[0])); \
	} while (0)

static void bad_connections(void)
{
	char port0[12];

	snprintf_(port0, sizeof(port0), "%u", nf.port[0]);
	reset();
	REFUSED("ring-ref-ungranted", false, { "tx-ring-ref", "300" });
	REFUSED("ring-ref-grant-table", false, { "rx-ring-ref", "92" });
	REFUSED("ring-ref-read-only", false, { "tx-ring-ref", "10" });
	REFUSED("ring-ref-past-table", false, { "rx-ring-ref", "100000" });
	REFUSED("ring-ref-not-a-number", false, { "tx-ring-ref", "8x" });
	REFUSED("event-channel-unbound", false, { "event-channel", "1000" });
	REFUSED("split-without-rx", true, { "event-channel-rx", NULL });
	REFUSED("split-same-port", true, { "event-channel-rx", port0 });
	REFUSED("no-rx-copy", false, { "request-rx-copy", "0" });
	REFUSED("no-rx-notify", false, { "feature-rx-notify", NULL });
	REFUSED("feature-sg-2", false, { "feature-sg", "2" });
	REFUSED("four-queues", false, { "multi-queue-num-queues", "4" });
	REFUSED("no-nodes", false, { "tx-ring-ref", NULL }, { "rx-ring-ref", NULL },
		{ "event-channel", NULL });
	connect("connect-after-refusals", false);
	honest("served-after-refusals");
}

/* ---- RX ---- */

static void rx_attacks(void)
{
	static const uint32_t refs[] = { REF_RO, REF_NONE, REF_HUGE, REF_OTHER, REF_GNTTAB };
	static const char *const names[] = { "rx-read-only", "rx-ungranted", "rx-ref-past-table",
					     "rx-granted-to-another", "rx-grant-table-frame" };

	/* No pages posted when the reply comes: it waits for them. */
	reset();
	uint32_t s = connect_with(true, NULL, 0, 0);
	bool sent = send_probe(nf.peer, ++seq);
	pause_ms(300);
	for (unsigned i = 0; i < NRX; i++)
		rx_post((uint16_t)i, REF_RX + i);
	rx_push();
	int late = wait_reply(seq, 30000);
	check("rx-pages-late", s == XenbusStateConnected && sent && late == 1,
	      "state %u, sent %d, reply %d (1: it came)", s, sent, late);
	/* No pages posted: the replies queue, and are dropped after 2 s. */
	reset();
	s = connect_with(true, NULL, 0, 0);
	uint32_t r0 = nf.replies;
	sent = true;
	for (unsigned i = 0; i < 3; i++)
		sent &= send_probe(nf.peer, ++seq);
	pause_ms(3000);
	for (unsigned i = 0; i < NRX; i++)
		rx_post((uint16_t)i, REF_RX + i);
	rx_push();
	pause_ms(200);
	rx_poll();
	check("rx-no-pages", s == XenbusStateConnected && sent && nf.replies == r0,
	      "state %u, sent %d, %u replies came (0: the queue was dropped)", s, sent,
	      nf.replies - r0);
	honest("rx-pages-posted");
	/* Pages that cannot be written: each frame put there is answered
	 * with an error. */
	reset();
	s = connect_with(false, NULL, 0, 0);
	for (unsigned i = 0; i < 5; i++)
		rx_post(NO_BUF, refs[i]);
	for (unsigned i = 0; i < NRX; i++)
		rx_post((uint16_t)i, REF_RX + i);
	rx_push();
	for (unsigned i = 0; i < 5; i++) {
		int r = send_probe(nf.peer, ++seq) ? wait_reply(seq, 30000) : -2;
		check(names[i], r == -1, "%d (-1: an error response, 1: the frame, 0: nothing)", r);
	}
	honest("rx-good-pages");
}

/* ---- rings the backend serves but should not trust ---- */

static void odd_rings(void)
{
	char ref[12];
	struct txf f;
	uint32_t s;

	/* Both rings in one page: whatever the backend makes of it, it stays
	 * within the page (and unmaps it twice at the reset). */
	snprintf_(ref, sizeof(ref), "%u", REF_TXRING);
	reset();
	const struct node same[] = { { "rx-ring-ref", ref } };
	s = connect_with(false, same, 1, 0);
	check("rings-in-one-page", s == XenbusStateConnected || s == XenbusStateClosing,
	      "backend state %u", s);
	reset();
	/* The ring's grant taken back while the backend has it mapped: the
	 * mapping stays until the backend lets it go. */
	connect("connect-to-revoke", false);
	xb_ungrant(REF_TXRING);
	f = one(REF_TX, 0, 60);
	expect_tx("ring-grant-revoked", &f, NETIF_RSP_OKAY);
	reset();
	/* The ring's page given back to the hypervisor (ballooned out) while
	 * the backend maps it: refused, the ring goes on. */
	connect("connect-to-balloon", false);
	uint32_t gfn = (uint32_t)(uintptr_t)txh >> 12;
	struct { uint32_t start, nr, order, flags; uint16_t domid; } __attribute__((packed)) res = {
		(uint32_t)(uintptr_t)&gfn, 1, 0, 0, DOMID_SELF,
	};
	long done = hypercall(HYPERVISOR_memory_op, XENMEM_decrease_reservation,
			      (unsigned long)&res, 0, 0, 0);
	f = one(REF_TX, 0, 60);
	expect_tx("ring-page-kept", &f, NETIF_RSP_OKAY);
	check("ring-page-not-given-back", done == 0, "%ld pages given back", done);
	reset();
	/* Our end of the channel closed while connected: the backend's events
	 * go nowhere; a new channel at the next connection. */
	connect("connect-to-close", false);
	struct evtchn_close cl = { nf.port[0] };
	long rc = xb_evtchn_op(EVTCHNOP_close, &cl);
	nf.port[0] = 0;
	check("channel-closed", rc == 0, "EVTCHNOP_close: %ld", rc);
	reset();
	connect("connect-new-channel", false);
	honest("served-on-new-channel");
	/* An RX page that is the RX ring itself: the backend copies a frame
	 * over the ring's indices, so the next look finds them impossible. */
	reset();
	connect_with(false, NULL, 0, 0);
	rx_post(NO_BUF, REF_RXRING);
	rx_push();
	bool sent = send_probe(nf.peer, ++seq);
	pause_ms(300);
	xb_notify(nf.port[0]);
	s = be_state(XenbusStateClosing, XenbusStateClosing, 30000);
	check("rx-page-is-ring", sent && s == XenbusStateClosing, "sent %d, backend state %u", sent, s);
	if (reset())
		connect("reconnect", true);
	honest("served-after-odd-rings");
}

/* ---- states ---- */

static void state_games(void)
{
	uint32_t a, b;

	/* Initialising while connected: ignored, frames still flow. */
	set_state(XenbusStateInitialising);
	pause_ms(200);
	a = (uint32_t)xb_readu(nf.be, "state", 0);
	check("initialising-while-connected", a == XenbusStateConnected, "backend state %u", a);
	honest("served-while-initialising");
	set_state(XenbusStateConnected);
	/* Closed without Closing: disconnected; Initialised without
	 * Initialising: it stays Closed. */
	set_state(XenbusStateClosed);
	a = be_state(XenbusStateClosed, XenbusStateClosed, 30000);
	set_state(XenbusStateInitialised);
	pause_ms(200);
	b = (uint32_t)xb_readu(nf.be, "state", 0);
	check("closed-at-once", a == XenbusStateClosed && b == XenbusStateClosed,
	      "backend states %u, %u", a, b);
	set_state(XenbusStateInitialising);
	be_state(XenbusStateInitWait, XenbusStateInitWait, 30000);
	connect("connect-after-closed", true);
	/* A state that is no number: as if the node were gone (Closed). */
	xb_write(nf.fe, "state", "banana");
	a = be_state(XenbusStateClosed, XenbusStateClosed, 30000);
	check("state-banana", a == XenbusStateClosed, "backend state %u", a);
	set_state(XenbusStateInitialising);
	be_state(XenbusStateInitWait, XenbusStateInitWait, 30000);
	connect("connect-after-banana", false);
	/* Closing then Connected again: the backend stays Closing. */
	set_state(XenbusStateClosing);
	a = be_state(XenbusStateClosing, XenbusStateClosing, 30000);
	set_state(XenbusStateConnected);
	pause_ms(200);
	b = (uint32_t)xb_readu(nf.be, "state", 0);
	check("closing-then-connected", a == XenbusStateClosing && b == XenbusStateClosing,
	      "backend states %u, %u", a, b);
	reset();
	/* Quick reconnections. */
	unsigned ok = 0;
	for (unsigned i = 0; i < 20; i++) {
		ok += connect_with(i % 2, NULL, 0, NRX) == XenbusStateConnected;
		set_state(XenbusStateClosed);
		be_state(XenbusStateClosed, XenbusStateClosed, 30000);
		set_state(XenbusStateInitialising);
		be_state(XenbusStateInitWait, XenbusStateInitWait, 30000);
	}
	check("20-reconnections", ok == 20, "%u connected", ok);
	connect("connect-after-reconnections", true);
	honest("served-after-state-games");
}

void hostile_run(void)
{
	if (!connect("connect", false))
		return;
	honest("probe-peer");
	bool sent = send_probe(bcast, ++seq);
	bool ok = sent && wait_reply(seq, 30000) == 1;
	check("probe-broadcast", ok, "answered by %02x:%02x:%02x:%02x:%02x:%02x", nf.last_from[0],
	      nf.last_from[1], nf.last_from[2], nf.last_from[3], nf.last_from[4], nf.last_from[5]);
	bad_frames();
	quiet_ring();
	flood(20000);
	event_storm();
	budget_attack();
	broken_rings();
	bad_connections();
	rx_attacks();
	odd_rings();
	state_games();
	check("responses", nf.bad_rsps == 0, "%u RX responses with a bad offset or size, or in a page "
	      "that was not writable", nf.bad_rsps);
	/* Last, the vif's whole directory goes (the parents are domain 0's:
	 * not ours to remove): the backend must close, and network-detach
	 * remove what is left of the vif. */
	bool parent = xb_request(XS_RM, "device", NULL) == XS_ERROR;
	bool rm = xb_request(XS_RM, nf.fe, NULL) == XS_RM;
	uint32_t s = be_state(XenbusStateClosed, XenbusStateClosed, 30000);
	check("device-removed", parent && rm && s == XenbusStateClosed, "rm of device refused: %d, "
	      "of %s: %d; backend state %u", parent, nf.fe, rm, s);
	gprintf("netfront: hostile frontend done\n");
}
