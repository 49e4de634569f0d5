/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netfront: a small Xen network frontend, for the management domain's
 * network backend (mgmt/netback*.c, docs/network.md). A PVH guest built
 * by mgmt from a config with a vif (`vif = [ 'mac=...' ]`); it talks to
 * the store by hand (lib/xenbus.c) and to the backend over a TX and an
 * RX ring of its own (one page each, granted to domain 0), with one event
 * channel or split ones. Frames are "probes": Ethernet type 0x88b5 (IEEE
 * local experimental), a request that a peer answers with a reply of the
 * same sequence number. The attacks are in netfront_hostile.c.
 *
 * cmdline "good peer=MAC": a well-behaved frontend. It connects with split
 * channels, waits until its peer answers, then answers every probe
 * request addressed to it and probes its peer every 5 ms ("netfront: good
 * round N, lost L" every 0.5 s) until the test writes data/stop = 1; then
 * it says how many rounds it did and lost (none may be), and powers off.
 *
 * cmdline "hostile peer=MAC": a frontend that lies, after proving the
 * honest path (a probe to its peer answered, a broadcast probe answered).
 * On a connected ring: runts, zero lengths, a first slot smaller than the
 * rest, a later slot of 0 bytes, 19 slots after the first, more than 64
 * KiB in the slots, grant refs that grant nothing, lie past the table,
 * are granted to another domain or are the grant table itself: each
 * frame answered NETIF_RSP_ERROR in every data slot (NULL in its extras);
 * a read-only grant, a 65535-byte frame in 16 slots, a multicast and a
 * hash extra, a GSO frame that is not TCP, spoofed and multicast sources:
 * answered OKAY (the bridge drops what it must). A full ring published
 * without an event waits until the event; 20000 frames keep the ring
 * full (every one answered as it should be); 5000 events with nothing to
 * do. Its vifs 1..7 ("sinks", connected, never given an RX page) are
 * sent large frames for 1.5 s until they hold the whole frame budget:
 * its probes to the peer must still be answered. Fatal: producer indices
 * far ahead or behind what was taken (TX and RX), a slot's data crossing
 * its page, 21 slots after the first, unknown, NONE or five extra slots,
 * GSO slots of size 0 or type 3, a chain or an extra not wholly
 * published, and (below) an RX page that is the RX ring itself: each
 * time the backend goes Closing (disconnected), and the frontend starts
 * over (Closing, Closed, Initialising) and reconnects. Connections the
 * backend must refuse (Closing): ring refs ungranted, read-only, the
 * grant table, past the table, not a number; an unbound channel, a split
 * pair without its RX half or twice the same port, no request-rx-copy or
 * feature-rx-notify, feature-sg 2, four queues, no nodes at all. RX: a
 * reply that finds no page posted waits for one; pages posted with grants
 * that cannot be written (read-only, none, past the table, another
 * domain's, the grant table) get error responses; a queue with no pages
 * posted is dropped after 2 s (stalled). Odd rings: both rings in one
 * page, the ring's grant taken back while mapped, the ring's page
 * ballooned out while mapped (refused), our end of the channel closed.
 * State games: Initialising while connected, Closed without Closing, a
 * state that is not a number, Closing then Connected, 20 quick
 * reconnections. After each the honest path still works. Last, it
 * removes its vif's directory (the backend goes Closed; the parent,
 * domain 0's, it may not remove) and powers off, leaving the rest to
 * network-detach.
 */
#include "runtime.h"
#include "x86.h"
#include "xenbus.h"
#include "netfront.h"

#include "include/public/event_channel.h"
#include "include/public/hvm_start_info.h"
#include "include/public/io/netif.h"
#include "include/public/xen.h"

const char guest_name[] = "netfront";

#define MS XB_MS
#define ETH_TYPE 0x88b5u

static uint8_t txring[4096] __attribute__((aligned(4096)));
static uint8_t rxring[4096] __attribute__((aligned(4096)));
uint8_t txbuf[NTX][4096] __attribute__((aligned(4096)));
uint8_t rxbuf[NRX][4096] __attribute__((aligned(4096)));
volatile struct xen_sring_hdr *const txh = (volatile struct xen_sring_hdr *)(void *)txring;
volatile struct xen_sring_hdr *const rxh = (volatile struct xen_sring_hdr *)(void *)rxring;
const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
struct nf nf;

void *txslot(RING_IDX i)
{
	return txring + sizeof(struct xen_sring_hdr) + (i & 255) * sizeof(union netif_tx_sring_entry);
}

static void *rxslot(RING_IDX i)
{
	return rxring + sizeof(struct xen_sring_hdr) + (i & 255) * sizeof(union netif_rx_sring_entry);
}

void wait_any(unsigned ms)
{
	xb_wait(nf.port, nf.split ? 2 : 1, ms);
}

void set_state(enum xenbus_state s)
{
	xb_writeu(nf.fe, "state", s);
}

uint32_t be_state(uint32_t want, uint32_t also, unsigned ms)
{
	return xb_wait_state(nf.be, want, also, want, ms);
}

/* ---- frames ---- */

static void put16be(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* A probe of len bytes (at least 30) in buf, from src. */
void make_probe(uint8_t *buf, const uint8_t *dst, const uint8_t *src, uint8_t kind,
		       uint32_t seq, uint32_t len)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put16be(buf + 12, ETH_TYPE);
	memcpy(buf + 14, "NFPR", 4);
	buf[18] = kind;
	put32(buf + 19, seq);
	for (uint32_t i = 23; i < len && i < 4096; i++)
		buf[i] = (uint8_t)(seq + i);
}

bool parse_mac(const char *s, uint8_t *mac)
{
	for (unsigned i = 0; i < 6; i++, s += 3) {
		unsigned v = 0;
		for (unsigned k = 0; k < 2; k++) {
			char c = s[k];
			v = v * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
						c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99);
		}
		if (v > 255 || (i < 5 && s[2] != ':'))
			return false;
		mac[i] = (uint8_t)v;
	}
	return true;
}

/* ---- TX ---- */

void txf_add(struct txf *f, uint32_t gref, uint16_t off, uint16_t size)
{
	f->q[f->n++] = (struct netif_tx_request){ gref, off, 0, 0, size };
}

/* Writes f's slots (not yet published); their ids from our counter. */
void txf_put(struct txf *f)
{
	for (unsigned i = 0; i < f->n; i++) {
		struct netif_tx_request *q = &f->q[i];
		q->id = nf.tx_id++;
		if (i + 1 < f->n || f->open_end)
			q->flags |= NETTXF_more_data;
		if (i == 0 && f->nx)
			q->flags |= NETTXF_extra_info;
		memcpy(txslot(nf.tx_prod++), q, sizeof(*q));
		for (unsigned k = 0; i == 0 && k < f->nx; k++) {
			if (k + 1 < f->nx)
				f->x[k].flags |= XEN_NETIF_EXTRA_FLAG_MORE;
			memcpy(txslot(nf.tx_prod++), &f->x[k], sizeof(f->x[k]));
		}
	}
}

/* Publishes what was put; the event the backend asked for (req_event),
 * or none when quiet. */
void tx_push(bool quiet)
{
	RING_IDX old = txh->req_prod;

	__atomic_store_n(&txh->req_prod, nf.tx_prod, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!quiet && XEN_RING_NOTIFY(old, nf.tx_prod, txh->req_event))
		xb_notify(nf.port[0]);
}

/* The next TX response, waiting up to ms. */
bool tx_rsp(struct netif_tx_response *out, unsigned ms)
{
	uint64_t end = now_ns() + ms * MS;

	for (;;) {
		if (__atomic_load_n(&txh->rsp_prod, __ATOMIC_ACQUIRE) != nf.tx_cons)
			break;
		txh->rsp_event = nf.tx_cons + 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&txh->rsp_prod, __ATOMIC_ACQUIRE) != nf.tx_cons)
			break;
		if (now_ns() >= end)
			return false;
		wait_any(10);
	}
	memcpy(out, txslot(nf.tx_cons++), sizeof(*out));
	return true;
}

/* Sends f and takes its responses: true if each data slot has status want
 * and its id, each extra NETIF_RSP_NULL; *got: the first wrong status. */
bool tx_send(struct txf *f, int16_t want, int *got)
{
	struct netif_tx_response r;
	bool ok = true;

	*got = want;
	txf_put(f);
	tx_push(false);
	for (unsigned i = 0; i < f->n + f->nx; i++) {
		if (!tx_rsp(&r, 30000)) {
			*got = -100;
			return false;
		}
		bool extra = i >= 1 && i <= f->nx;
		uint16_t id = extra ? r.id : f->q[i ? i - f->nx : 0].id;
		int16_t w = extra ? NETIF_RSP_NULL : want;
		if (r.status != w || r.id != id) {
			if (ok)
				*got = r.id != id ? -101 : r.status;
			ok = false;
		}
	}
	return ok;
}

void expect_tx(const char *name, struct txf *f, int16_t want)
{
	int got;
	bool ok = tx_send(f, want, &got);

	check(name, ok, "status %d, wanted %d (-100: no response, -101: another id)", got, want);
}

/* One frame of len bytes in TX page `page` (made already). */
static int send_page(unsigned page, uint32_t len)
{
	struct txf f = { 0 };
	int got;

	txf_add(&f, REF_TX + page, 0, (uint16_t)len);
	return tx_send(&f, NETIF_RSP_OKAY, &got) ? NETIF_RSP_OKAY : got;
}

/* ---- RX ---- */

void rx_post(uint16_t buf, uint32_t gref)
{
	struct netif_rx_request q = { buf, 0, gref };

	nf.rx_buf[nf.rx_prod & 255] = buf;
	memcpy(rxslot(nf.rx_prod++), &q, sizeof(q));
}

void rx_push(void)
{
	RING_IDX old = rxh->req_prod;

	__atomic_store_n(&rxh->req_prod, nf.rx_prod, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (XEN_RING_NOTIFY(old, nf.rx_prod, rxh->req_event))
		xb_notify(nf.port[nf.split]);
}

static void on_frame(const uint8_t *f, uint32_t len);

/* Takes the frames the backend finished (checking its responses: offset
 * 0, status within the page, extras only after the first), hands each to
 * on_frame, posts their pages again. The count of frames. */
unsigned rx_poll(void)
{
	static uint8_t frame[4096];
	unsigned frames = 0;

	for (;;) {
		RING_IDX prod = __atomic_load_n(&rxh->rsp_prod, __ATOMIC_ACQUIRE), i = nf.rx_cons;
		uint32_t len = 0;
		bool bad = false, more = true, first = true;
		unsigned extras = 0;
		while (more && i != prod) {
			union netif_rx_sring_entry e;
			memcpy(&e, rxslot(i), sizeof(e));
			uint16_t buf = nf.rx_buf[i & 255];
			i++;
			if (extras) {
				extras = e.extra.flags & XEN_NETIF_EXTRA_FLAG_MORE;
				continue;
			}
			if (e.rsp.status < 0) {
				bad = true;
			} else if (e.rsp.offset + (uint32_t)e.rsp.status > 4096 || buf == NO_BUF ||
				   (e.rsp.flags & NETRXF_extra_info && !first)) {
				nf.bad_rsps++;
				bad = true;
			} else {
				uint32_t n = (uint32_t)e.rsp.status;
				if (len < sizeof(frame))
					memcpy(frame + len, rxbuf[buf] + e.rsp.offset,
					       n < sizeof(frame) - len ? n : sizeof(frame) - len);
				len += n;
			}
			extras = first && (e.rsp.flags & NETRXF_extra_info);
			more = (e.rsp.flags & NETRXF_more_data) || extras;
			first = false;
		}
		if (more)
			break; /* not all there yet */
		for (RING_IDX k = nf.rx_cons; k != i; k++)
			if (nf.rx_buf[k & 255] != NO_BUF)
				rx_post(nf.rx_buf[k & 255], REF_RX + nf.rx_buf[k & 255]);
		nf.rx_cons = i;
		frames++;
		if (bad)
			nf.bad_frames++;
		else
			on_frame(frame, len);
	}
	if (frames)
		rx_push();
	rxh->rsp_event = nf.rx_cons + 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return frames;
}

static void on_frame(const uint8_t *f, uint32_t len)
{
	if (len < 23 || f[12] != (ETH_TYPE >> 8) || f[13] != (ETH_TYPE & 255) || memcmp(f + 14, "NFPR", 4))
		return;
	uint32_t seq = get32(f + 19);
	if (f[18] == KIND_REPLY && !memcmp(f, nf.mac, 6)) {
		nf.replies++;
		nf.last_seq = seq;
		memcpy(nf.last_from, f + 6, 6);
	} else if (f[18] == KIND_REQ && nf.echo && (!memcmp(f, nf.mac, 6) || !memcmp(f, bcast, 6))) {
		make_probe(txbuf[PROBE_PAGE], f + 6, nf.mac, KIND_REPLY, seq, len < 60 ? 60 : len);
		nf.echoed += send_page(PROBE_PAGE, len < 60 ? 60 : len) == NETIF_RSP_OKAY;
	}
}

/* Waits up to ms for the reply to probe seq: 1; a frame with an error
 * response came: -1; nothing: 0. */
int wait_reply(uint32_t seq, unsigned ms)
{
	uint64_t end = now_ns() + ms * MS;
	uint32_t bad0 = nf.bad_frames;

	for (;;) {
		uint32_t r0 = nf.replies;
		rx_poll();
		if (nf.replies != r0 && nf.last_seq == seq)
			return 1;
		if (nf.bad_frames != bad0)
			return -1;
		if (now_ns() >= end)
			return 0;
		wait_any(10);
	}
}

/* Sends probe request seq to dst (TX answered OKAY). */
bool send_probe(const uint8_t *dst, uint32_t seq)
{
	make_probe(txbuf[PROBE_PAGE], dst, nf.mac, KIND_REQ, seq, 64);
	return send_page(PROBE_PAGE, 64) == NETIF_RSP_OKAY;
}

bool probe(const uint8_t *dst, uint32_t seq, unsigned ms)
{
	return send_probe(dst, seq) && wait_reply(seq, ms) == 1;
}

/* ---- connecting ---- */

/* Sets up fresh rings and connects as Linux does (its nodes, then
 * Connected), with the nodes of bad written over (or removed); posts
 * `post` RX pages once connected. The backend's state in the end. */
uint32_t connect_with(bool split, const struct node *bad, unsigned nbad, unsigned post)
{
	static const char *const gone[] = { "event-channel", "event-channel-tx", "event-channel-rx",
					    "multi-queue-num-queues" };

	memset(txring, 0, sizeof(txring));
	memset(rxring, 0, sizeof(rxring));
	txh->req_event = txh->rsp_event = rxh->req_event = rxh->rsp_event = 1;
	nf.tx_prod = nf.tx_cons = nf.rx_prod = nf.rx_cons = 0;
	xb_grant(REF_TXRING, txring, 0, false);
	xb_grant(REF_RXRING, rxring, 0, false);
	xb_grant(REF_RING_RO, txring, 0, true);
	for (unsigned i = 0; i < 2; i++)
		if (!nf.port[i])
			nf.port[i] = xb_alloc_unbound();
	nf.split = split;
	for (unsigned i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		xb_rm(nf.fe, gone[i]);
	xb_writeu(nf.fe, "tx-ring-ref", REF_TXRING);
	xb_writeu(nf.fe, "rx-ring-ref", REF_RXRING);
	if (split) {
		xb_writeu(nf.fe, "event-channel-tx", nf.port[0]);
		xb_writeu(nf.fe, "event-channel-rx", nf.port[1]);
	} else {
		xb_writeu(nf.fe, "event-channel", nf.port[0]);
	}
	xb_write(nf.fe, "request-rx-copy", "1");
	xb_write(nf.fe, "feature-rx-notify", "1");
	xb_write(nf.fe, "feature-sg", "1");
	xb_write(nf.fe, "feature-gso-tcpv4", "1");
	for (unsigned i = 0; i < nbad; i++)
		if (bad[i].value)
			xb_write(nf.fe, bad[i].name, bad[i].value);
		else
			xb_rm(nf.fe, bad[i].name);
	set_state(XenbusStateConnected);
	uint32_t s = be_state(XenbusStateConnected, XenbusStateClosing, 30000);
	if (s == XenbusStateConnected) {
		for (unsigned i = 0; i < post && i < NRX; i++)
			rx_post((uint16_t)i, REF_RX + i);
		rx_push();
	}
	return s;
}

bool connect(const char *name, bool split)
{
	uint32_t s = connect_with(split, NULL, 0, NRX);

	return check(name, s == XenbusStateConnected, "backend state %u", s);
}

/* Starts over as Linux's xenbus does: Closing, Closed, Initialising; the
 * backend must follow (InitWait at the end). */
bool reset(void)
{
	set_state(XenbusStateClosing);
	uint32_t a = be_state(XenbusStateClosing, XenbusStateClosed, 30000);
	set_state(XenbusStateClosed);
	uint32_t b = be_state(XenbusStateClosed, XenbusStateClosed, 30000);
	set_state(XenbusStateInitialising);
	uint32_t c = be_state(XenbusStateInitWait, XenbusStateInitWait, 30000);
	/* The backend unmapped the rings: they are ours again. */
	xb_ungrant(REF_TXRING);
	xb_ungrant(REF_RXRING);
	if (a == XenbusStateClosing || a == XenbusStateClosed) {
		if (b == XenbusStateClosed && c == XenbusStateInitWait)
			return true;
	}
	fail("reset", "backend states %u, %u, %u", a, b, c);
	return false;
}

/* ---- the good frontend ---- */

/* Probe `round` to the peer answered: within 30 s (a liveness bound: the
 * peer's domain may get little of a loaded host), unless we are told to
 * stop meanwhile (the peer may have been stopped first: then it is no
 * loss). */
static bool probe_answered(uint32_t round)
{
	if (!send_probe(nf.peer, round))
		return false;
	for (uint64_t end = now_ns() + 30000 * MS; now_ns() < end;) {
		int r = wait_reply(round, 200);
		if (r)
			return r == 1;
		if (xb_readu("data", "stop", 0) == 1)
			return true;
	}
	return false;
}

static void good(void)
{
	uint32_t round = 0, lost = 0;
	uint64_t next_say = 0, next_round = 0, next_stop = 0, end;

	nf.echo = true;
	if (!connect("connect", true))
		return;
	/* The peer may come later: probe until it answers. */
	end = now_ns() + 60000 * MS;
	while (!probe(nf.peer, 0, 100) && now_ns() < end)
		;
	if (!check("peer", now_ns() < end, "%s", now_ns() < end ? "answered" : "no answer in 60 s"))
		return;
	gprintf("netfront: good frontend ready\n");
	/* A round every 5 ms at most: enough to show service, little load. */
	for (;;) {
		uint64_t now = now_ns();
		if (now >= next_stop) {
			if (xb_readu("data", "stop", 0) == 1)
				break;
			next_stop = now + 50 * MS;
		}
		if (now < next_round) {
			wait_any((unsigned)((next_round - now) / MS) + 1);
			rx_poll(); /* the peer's requests */
			continue;
		}
		next_round = now + 5 * MS;
		round++;
		/* A probe lost because the peer was told to stop first is none. */
		if (!probe_answered(round) && xb_readu("data", "stop", 0) != 1)
			lost++;
		if (now_ns() >= next_say) {
			gprintf("netfront: good round %u, lost %u\n", round, lost);
			next_say = now_ns() + 500 * MS;
		}
	}
	gprintf("netfront: good stopped after %u rounds, %u lost, %u echoed\n", round, lost, nf.echoed);
	check("rounds", round > 0 && lost == 0, "%u rounds, %u lost", round, lost);
	check("responses", nf.bad_rsps == 0 && nf.bad_frames == 0, "%u bad RX responses, %u bad "
	      "frames", nf.bad_rsps, nf.bad_frames);
}

void guest_main(void)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;
	const char *cmdline = si && si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : "";
	const char *peer = cmdline;
	bool hostile = !memcmp(cmdline, "hostile", 7);

	while (*peer && memcmp(peer, "peer=", 5))
		peer++;
	if (!check("cmdline", *peer && parse_mac(peer + 5, nf.peer), "\"%s\"%s", cmdline,
		   *peer ? "" : ": no peer=MAC") ||
	    !xb_init("setup"))
		return;
	for (unsigned i = 0; i < NTX; i++)
		xb_grant(REF_TX + i, txbuf[i], 0, false);
	for (unsigned i = 0; i < NRX; i++)
		xb_grant(REF_RX + i, rxbuf[i], 0, false);
	xb_grant(REF_RO, rxbuf[0], 0, true);
	xb_grant(REF_TX_RO, txbuf[1], 0, true);
	xb_grant(REF_OTHER, txbuf[0], 5, false);
	xb_grant(REF_GNTTAB, xb_gnttab, 0, false);
	snprintf_(nf.fe, sizeof(nf.fe), "device/vif/0");
	if (xb_request(XS_READ, "device/vif/0/backend", NULL) != XS_READ ||
	    !check("backend-path", !memcmp(xb_reply, "/local/domain/0/backend/vif/", 28), "%s",
		   xb_reply))
		return;
	snprintf_(nf.be, sizeof(nf.be), "%s", xb_reply);
	bool mac = xb_request(XS_READ, "device/vif/0/mac", NULL) == XS_READ &&
		   parse_mac(xb_reply, nf.mac);
	uint32_t s = be_state(XenbusStateInitWait, XenbusStateInitWait, 30000);
	check("backend-initwait", mac && s == XenbusStateInitWait &&
	      xb_readu(nf.be, "feature-rx-copy", 0) == 1 && xb_readu(nf.be, "feature-sg", 0) == 1 &&
	      xb_readu(nf.be, "feature-split-event-channels", 0) == 1,
	      "state %u, mac %s", s, mac ? "read" : "unread");
	gprintf("netfront: %s frontend, domain %u, mac %02x:%02x:%02x:%02x:%02x:%02x\n",
		hostile ? "hostile" : "good", xb_domid, nf.mac[0], nf.mac[1], nf.mac[2], nf.mac[3],
		nf.mac[4], nf.mac[5]);
	if (hostile)
		hostile_run();
	else
		good();
}
