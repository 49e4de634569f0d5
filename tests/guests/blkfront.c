/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * blkfront: a small Xen block frontend, for the management domain's block
 * backend (mgmt/blkback.c). A PVH guest built by mgmt from a config with
 * one disk (vdev xvda); it talks to the store over its ring (as xsclient
 * does) and to the backend over a block ring of its own (grant table
 * frame 0 mapped with add_to_physmap, the ring's and the data's pages
 * granted to domain 0, an event channel allocated for it).
 *
 * cmdline "good": a well-behaved frontend. It connects with the x86_32
 * layout and a 1-page ring, writes patterns and reads them back (plain and
 * indirect requests), flushes, discards; starts over through Closing,
 * Closed and Initialising and connects again with the x86_64 layout and a
 * 4-page ring, where the data must still be; then it does rounds of
 * write-read-compare ("good round N") until the test writes
 * data/stop = 1, then powers off.
 *
 * cmdline "hostile": a frontend that lies. On a connected ring: too many
 * and too few segments, first/last sector out of order and past 7,
 * sectors past the disk's end, grant refs that grant nothing or grant
 * read-only pages for a read, unknown operations, indirect requests with
 * too many segments, garbage descriptors or an ungranted indirect page,
 * bad discards: each must get its error response with its id and
 * operation echoed. Then a request published without the event the
 * backend asked for (not served until notified), a flood of 20000
 * requests (all answered), a producer index far ahead (the backend goes
 * Closing: disconnected), a reconnection after it, connections refused
 * for a ring-ref that grants nothing, a grant-table frame as the ring, a
 * ring order over the offer, an unknown protocol, an unbound event
 * channel, and a producer index moved back behind what was taken.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/grant_table.h"
#include "include/public/hvm.h"
#include "include/public/hvm_start_info.h"
#include "include/public/io/blkif.h"
#include "include/public/io/xenbus.h"
#include "include/public/io/xs_wire.h"
#include "include/public/memory.h"
#include "include/public/xen.h"

const char guest_name[] = "blkfront";

#define MS 1000000ull
#define DEVID 51712u            /* xvda */
#define NDATA 16u               /* data pages */
#define REF_RING 8u             /* grant refs: the ring's pages */
#define REF_DATA 16u            /* the data pages */
#define REF_IND 40u             /* the indirect page */
#define REF_RO 41u              /* data page 0, granted read-only */
#define REF_OTHER 42u           /* data page 1, granted to domain 5 */
#define REF_GNTTAB 43u          /* our grant table frame itself */
#define REF_NONE 3000u          /* an entry that grants nothing */

static union { struct shared_info s; uint8_t page[4096]; } shpage __attribute__((aligned(4096)));
static struct grant_entry_v1 gnttab[512] __attribute__((aligned(4096)));
static uint8_t ring_mem[4][4096] __attribute__((aligned(4096)));
static uint8_t data[NDATA][4096] __attribute__((aligned(4096)));
static struct blkif_request_segment ind_page[512] __attribute__((aligned(4096)));

static uint32_t domid;
static char fe[64], be[96];
static uint64_t sectors;
static uint32_t max_indirect;
static bool hostile;

/* ---- hypercalls ---- */

static long evtchn_op(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_event_channel_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static long map_space(uint32_t space, uint32_t idx, const void *at)
{
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, space, idx, (uint32_t)(uintptr_t)at >> 12,
	};
	return hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);
}

static void send_event(uint32_t port)
{
	struct evtchn_send s = { port };

	evtchn_op(EVTCHNOP_send, &s);
}

/* Sleeps until port fires or ms pass; clears its pending bit. */
static void wait_port(uint32_t port, unsigned ms)
{
	struct { uint32_t ports, nr; uint64_t timeout; } p = { (uint32_t)(uintptr_t)&port, 1,
								now_ns() + ms * MS };
	hypercall(HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&p, 0, 0, 0);
	volatile uint32_t *w = (volatile uint32_t *)&shpage.s.evtchn_pending[port / 64];
	__atomic_and_fetch(&w[(port % 64) / 32], ~(1u << (port % 32)), __ATOMIC_SEQ_CST);
}

static void grant(uint32_t ref, const void *page, uint16_t to, bool ro)
{
	gnttab[ref].domid = to;
	gnttab[ref].frame = (uint32_t)(uintptr_t)page >> 12;
	__atomic_store_n(&gnttab[ref].flags, GTF_permit_access | (ro ? GTF_readonly : 0),
			 __ATOMIC_SEQ_CST);
}

/* ---- the store (as xsclient: requests over our ring) ---- */

static volatile struct xenstore_domain_interface *xs;
static uint32_t xs_port;

static void xs_put(const void *p, uint32_t len)
{
	const char *d = p;

	while (len) {
		uint32_t prod = xs->req_prod, cons = __atomic_load_n(&xs->req_cons, __ATOMIC_ACQUIRE);
		if (prod - cons == XENSTORE_RING_SIZE) {
			send_event(xs_port);
			wait_port(xs_port, 10);
			continue;
		}
		xs->req[MASK_XENSTORE_IDX(prod)] = *d++;
		__atomic_store_n(&xs->req_prod, prod + 1, __ATOMIC_RELEASE);
		len--;
	}
}

static bool xs_get(void *p, uint32_t len)
{
	char *d = p;
	uint64_t end = now_ns() + 30000 * MS;

	while (len) {
		uint32_t cons = xs->rsp_cons, prod = __atomic_load_n(&xs->rsp_prod, __ATOMIC_ACQUIRE);
		if (prod == cons) {
			if (now_ns() > end)
				return false;
			wait_port(xs_port, 10);
			continue;
		}
		*d++ = xs->rsp[MASK_XENSTORE_IDX(cons)];
		__atomic_store_n(&xs->rsp_cons, cons + 1, __ATOMIC_RELEASE);
		len--;
	}
	send_event(xs_port);
	return true;
}

static char reply[XENSTORE_PAYLOAD_MAX + 1];

/* One request (path, then value without its NUL); the reply's type, with
 * its payload in reply[] (watch events never come: we set no watch). */
static uint32_t xs_request(uint32_t type, const char *path, const char *value)
{
	static uint32_t id;
	uint32_t lp = (uint32_t)strlen(path) + 1, lv = value ? (uint32_t)strlen(value) : 0;
	struct xsd_sockmsg h = { type, ++id, 0, lp + lv }, r;

	xs_put(&h, sizeof(h));
	xs_put(path, lp);
	if (value)
		xs_put(value, lv);
	send_event(xs_port);
	if (!xs_get(&r, sizeof(r)) || r.len > XENSTORE_PAYLOAD_MAX || !xs_get(reply, r.len))
		return XS_INVALID;
	reply[r.len] = 0;
	return r.type;
}

static bool xs_write(const char *dir, const char *node, const char *value)
{
	char path[160];

	snprintf_(path, sizeof(path), "%s/%s", dir, node);
	return xs_request(XS_WRITE, path, value) == XS_WRITE;
}

static bool xs_writeu(const char *dir, const char *node, uint64_t v)
{
	char s[24];

	snprintf_(s, sizeof(s), "%llu", (unsigned long long)v);
	return xs_write(dir, node, s);
}

/* A node as a number; def if absent or not one. */
static uint64_t xs_readu(const char *dir, const char *node, uint64_t def)
{
	char path[160];
	uint64_t v = 0;

	snprintf_(path, sizeof(path), "%s/%s", dir, node);
	if (xs_request(XS_READ, path, NULL) != XS_READ || !reply[0])
		return def;
	for (const char *p = reply; *p; p++) {
		if (*p < '0' || *p > '9')
			return def;
		v = v * 10 + (unsigned)(*p - '0');
	}
	return v;
}

static void set_state(enum xenbus_state s)
{
	xs_writeu(fe, "state", s);
}

/* Waits (up to 30 s: a liveness bound, the backend's domain may get
 * little of a loaded host) for the backend to reach want (or stop in one
 * of the states in also); the state it has. */
static uint32_t wait_backend(uint32_t want, uint32_t also)
{
	uint64_t end = now_ns() + 30000 * MS;
	uint32_t s;

	while ((s = (uint32_t)xs_readu(be, "state", 0)) != want && s != also && now_ns() < end)
		spin_until(now_ns() + 5 * MS, true);
	return s;
}

/* ---- the block ring ---- */

static struct {
	bool x86_64;
	unsigned order, nents;
	uint32_t port;
	RING_IDX req_prod, rsp_cons;   /* ours */
} ring;

static volatile struct xen_sring_hdr *hdr(void)
{
	return (volatile struct xen_sring_hdr *)(void *)ring_mem;
}

static uint8_t *slot(RING_IDX i)
{
	size_t sz = ring.x86_64 ? sizeof(union blkif_sring_entry)
				: sizeof(union blkif_x86_32_sring_entry);
	return ring_mem[0] + sizeof(struct xen_sring_hdr) + (i & (ring.nents - 1)) * sz;
}

struct req {
	uint8_t op, inner, flag;
	uint16_t nseg;
	uint64_t id, sector, nr_sectors;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	grant_ref_t ind[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};

/* Writes r into the next slot (not yet published). */
static void put_req(const struct req *r)
{
	uint8_t *s = slot(ring.req_prod++);

	if (ring.x86_64 && r->op == BLKIF_OP_INDIRECT) {
		struct blkif_request_indirect q = { r->op, r->inner, r->nseg, r->id, r->sector,
						    DEVID & 0xffff, { 0 } };
		memcpy(q.indirect_grefs, r->ind, sizeof(q.indirect_grefs));
		memcpy(s, &q, sizeof(q));
	} else if (ring.x86_64 && r->op == BLKIF_OP_DISCARD) {
		struct blkif_request_discard q = { r->op, r->flag, 0, r->id, r->sector, r->nr_sectors };
		memcpy(s, &q, sizeof(q));
	} else if (ring.x86_64) {
		struct blkif_request q = { r->op, (uint8_t)r->nseg, 0, r->id, r->sector, { { 0 } } };
		memcpy(q.seg, r->seg, sizeof(q.seg));
		memcpy(s, &q, sizeof(q));
	} else if (r->op == BLKIF_OP_INDIRECT) {
		struct blkif_x86_32_request_indirect q = { r->op, r->inner, r->nseg, r->id, r->sector,
							   0, 0, { 0 }, 0 };
		memcpy(q.indirect_grefs, r->ind, sizeof(q.indirect_grefs));
		memcpy(s, &q, sizeof(q));
	} else if (r->op == BLKIF_OP_DISCARD) {
		struct blkif_x86_32_request_discard q = { r->op, r->flag, 0, r->id, r->sector,
							  r->nr_sectors };
		memcpy(s, &q, sizeof(q));
	} else {
		struct blkif_x86_32_request q = { r->op, (uint8_t)r->nseg, 0, r->id, r->sector,
						  { { 0 } } };
		memcpy(q.seg, r->seg, sizeof(q.seg));
		memcpy(s, &q, sizeof(q));
	}
}

/* Publishes what put_req wrote; notifies as the backend asked (req_event),
 * or not at all when quiet. */
static void push(bool quiet)
{
	RING_IDX old = hdr()->req_prod;

	__atomic_store_n(&hdr()->req_prod, ring.req_prod, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!quiet && XEN_RING_NOTIFY(old, ring.req_prod, hdr()->req_event))
		send_event(ring.port);
}

struct rsp {
	uint64_t id;
	uint8_t op;
	int16_t status;
};

/* Takes one response, waiting up to ms; false if none came. */
static bool get_rsp(struct rsp *out, unsigned ms)
{
	uint64_t end = now_ns() + ms * MS;

	for (;;) {
		RING_IDX prod = __atomic_load_n(&hdr()->rsp_prod, __ATOMIC_ACQUIRE);
		if (prod != ring.rsp_cons)
			break;
		hdr()->rsp_event = ring.rsp_cons + 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&hdr()->rsp_prod, __ATOMIC_ACQUIRE) != ring.rsp_cons)
			break;
		if (now_ns() > end)
			return false;
		wait_port(ring.port, 10);
	}
	uint8_t *s = slot(ring.rsp_cons++);
	if (ring.x86_64) {
		struct blkif_response r;
		memcpy(&r, s, sizeof(r));
		*out = (struct rsp){ r.id, r.operation, r.status };
	} else {
		struct blkif_x86_32_response r;
		memcpy(&r, s, sizeof(r));
		*out = (struct rsp){ r.id, r.operation, r.status };
	}
	return true;
}

/* One request: its response's status (-100: none within 30 s, -101: not
 * its id or operation). */
static int do_req(const struct req *r)
{
	struct rsp p;

	put_req(r);
	push(false);
	if (!get_rsp(&p, 30000))
		return -100;
	uint8_t op = r->op == BLKIF_OP_INDIRECT ? r->inner : r->op;
	return p.id == r->id && p.op == op ? p.status : -101;
}

/* A READ or WRITE of n whole data pages (from data page first) at sector. */
static struct req rw(uint8_t op, uint64_t id, uint64_t sector, unsigned first, unsigned n)
{
	struct req r = { .op = op, .nseg = (uint16_t)n, .id = id, .sector = sector };

	for (unsigned i = 0; i < n && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		r.seg[i] = (struct blkif_request_segment){ REF_DATA + first + i, 0, 7 };
	return r;
}

/* Sets the ring up, publishes it and waits for Connected: the backend's
 * final state. ref0: the first ring page's grant (REF_RING, or a bad one);
 * proto, port_override: what to write instead of the real ones (NULL, 0). */
static uint32_t connect_ring(bool x86_64, unsigned order, uint32_t ref0, const char *proto,
			     uint32_t port_override)
{
	struct evtchn_alloc_unbound au = { DOMID_SELF, 0, 0 };

	memset(ring_mem, 0, sizeof(ring_mem));
	hdr()->req_event = hdr()->rsp_event = 1;
	ring.x86_64 = x86_64;
	ring.order = order;
	ring.nents = 32u << order;
	ring.req_prod = ring.rsp_cons = 0;
	if (!ring.port && evtchn_op(EVTCHNOP_alloc_unbound, &au) == 0)
		ring.port = au.port;
	for (unsigned i = 0; i < (1u << order) && i < 4; i++)
		grant(REF_RING + i, ring_mem[i], 0, false);
	if (order) {
		xs_writeu(fe, "ring-page-order", order);
		for (unsigned i = 0; i < (1u << order); i++) {
			char name[16];
			snprintf_(name, sizeof(name), "ring-ref%u", i);
			xs_writeu(fe, name, i ? REF_RING + i : ref0);
		}
	} else {
		xs_writeu(fe, "ring-ref", ref0);
	}
	xs_writeu(fe, "event-channel", port_override ? port_override : ring.port);
	xs_write(fe, "protocol", proto ? proto : x86_64 ? "x86_64-abi" : "x86_32-abi");
	set_state(XenbusStateInitialised);
	uint32_t s = wait_backend(XenbusStateConnected, XenbusStateClosing);
	if (s == XenbusStateConnected)
		set_state(XenbusStateConnected);
	return s;
}

/* Starts over, as Linux's xenbus does after a kexec: Closing, Closed,
 * Initialising; the backend must answer each (InitWait at the end). */
static bool reset(void)
{
	set_state(XenbusStateClosing);
	uint32_t a = wait_backend(XenbusStateClosing, XenbusStateClosed);
	set_state(XenbusStateClosed);
	uint32_t b = wait_backend(XenbusStateClosed, 0);
	/* The old ring's pages are ours again: the backend unmapped them. */
	for (unsigned i = 0; i < 4; i++)
		gnttab[REF_RING + i].flags = 0;
	xs_request(XS_RM, "device/vbd/51712/ring-page-order", NULL);
	set_state(XenbusStateInitialising);
	uint32_t c = wait_backend(XenbusStateInitWait, 0);
	return check("reset", (a == XenbusStateClosing || a == XenbusStateClosed) &&
		     b == XenbusStateClosed && c == XenbusStateInitWait,
		     "backend states %u, %u, %u", a, b, c);
}

/* ---- data ---- */

static void fill(unsigned page, uint32_t seed)
{
	uint32_t *w = (uint32_t *)(void *)data[page];

	for (unsigned i = 0; i < 1024; i++)
		w[i] = seed * 2654435761u + i;
}

static bool same(unsigned page, uint32_t seed)
{
	const uint32_t *w = (const uint32_t *)(const void *)data[page];

	for (unsigned i = 0; i < 1024; i++)
		if (w[i] != seed * 2654435761u + i)
			return false;
	return true;
}

/* Writes n pages of seeds seed.. at sector, reads them back into other
 * pages, compares. id: the first request's. */
static bool write_read(uint64_t id, uint64_t sector, unsigned n, uint32_t seed, bool indirect)
{
	int w, r;

	for (unsigned i = 0; i < n; i++)
		fill(i, seed + i);
	if (indirect) {
		struct req q = { .op = BLKIF_OP_INDIRECT, .inner = BLKIF_OP_WRITE, .nseg = (uint16_t)n,
				 .id = id, .sector = sector, .ind = { REF_IND } };
		for (unsigned i = 0; i < n; i++)
			ind_page[i] = (struct blkif_request_segment){ REF_DATA + i, 0, 7 };
		w = do_req(&q);
		memset(data, 0, n * 4096);
		q.inner = BLKIF_OP_READ;
		q.id = id + 1;
		r = do_req(&q);
	} else {
		struct req q = rw(BLKIF_OP_WRITE, id, sector, 0, n);
		w = do_req(&q);
		memset(data, 0, n * 4096);
		q = rw(BLKIF_OP_READ, id + 1, sector, 0, n);
		r = do_req(&q);
	}
	bool ok = w == 0 && r == 0;
	for (unsigned i = 0; ok && i < n; i++)
		ok = same(i, seed + i);
	if (!ok)
		fail("write-read", "%u pages at %llu%s: write %d, read %d", n, (unsigned long long)sector,
		     indirect ? " (indirect)" : "", w, r);
	return ok;
}

/* ---- the good frontend ---- */

static void good(void)
{
	struct req q;

	check("connect-x86_32", connect_ring(false, 0, REF_RING, NULL, 0) == XenbusStateConnected,
	      "backend state %u", (uint32_t)xs_readu(be, "state", 0));
	check("write-read", write_read(100, 0, 11, 1, false), "11 pages");
	check("write-read-unaligned", write_read(102, 1003, 2, 50, false), "2 pages at sector 1003");
	if (max_indirect >= NDATA)
		check("indirect-write-read", write_read(104, 256, NDATA, 1000, true), "%u pages", NDATA);
	q = (struct req){ .op = BLKIF_OP_FLUSH_DISKCACHE, .id = 106 };
	int st = do_req(&q);
	check("flush", st == 0, "status %d", st);
	q = (struct req){ .op = BLKIF_OP_DISCARD, .id = 107, .sector = 200, .nr_sectors = 8 };
	int d = do_req(&q);
	fill(0, 7);
	q = rw(BLKIF_OP_READ, 108, 200, 0, 1);
	st = do_req(&q);
	bool zero = true;
	for (unsigned i = 0; i < 4096; i++)
		zero &= data[0][i] == 0;
	check("discard", d == 0 && st == 0 && zero, "discard %d, read %d, zeros %d", d, st, zero);
	/* Start over with the other layout and a 4-page ring. */
	if (!reset())
		return;
	check("connect-x86_64-4-pages", connect_ring(true, 2, REF_RING, NULL, 0) ==
	      XenbusStateConnected, "backend state %u", (uint32_t)xs_readu(be, "state", 0));
	memset(data, 0, sizeof(data));
	q = rw(BLKIF_OP_READ, 200, 0, 0, 11);
	st = do_req(&q);
	bool kept = st == 0;
	for (unsigned i = 0; kept && i < 11; i++)
		kept = same(i, 1 + i);
	check("data-kept-across-reconnect", kept, "status %d", st);
	/* Rounds until told to stop: the bystander's proof of service. */
	uint32_t round = 0;
	uint64_t next_say = 0;
	gprintf("blkfront: good frontend ready\n");
	while (xs_readu("data", "stop", 0) != 1) {
		round++;
		if (!write_read(1000 + round * 2, (round % 64) * 8, 1 + round % 11, round * 17, false)) {
			fail("round", "round %u failed", round);
			break;
		}
		if (now_ns() >= next_say) {
			gprintf("blkfront: good round %u\n", round);
			next_say = now_ns() + 500 * MS;
		}
	}
	gprintf("blkfront: good round %u (stopped)\n", round);
	check("rounds", round > 0, "%u rounds", round);
}

/* ---- the hostile frontend ---- */

static void expect(const char *name, const struct req *r, int want)
{
	int st = do_req(r);

	check(name, st == want, "status %d, wanted %d", st, want);
}

static void bad_requests(void)
{
	struct req q = rw(BLKIF_OP_READ, 1, 0, 0, 11);

	expect("eleven-segments", &q, 0);
	q.nseg = 12;
	q.id = 2;
	expect("twelve-segments", &q, BLKIF_RSP_ERROR);
	q.nseg = 255;
	expect("255-segments", &q, BLKIF_RSP_ERROR);
	q = rw(BLKIF_OP_WRITE, 3, 0, 0, 0);
	expect("no-segments", &q, BLKIF_RSP_ERROR);
	q = rw(BLKIF_OP_READ, 4, 0, 0, 2);
	q.seg[1].first_sect = 5, q.seg[1].last_sect = 3;
	expect("first-after-last", &q, BLKIF_RSP_ERROR);
	q.seg[1].first_sect = 0, q.seg[1].last_sect = 8;
	expect("last-past-7", &q, BLKIF_RSP_ERROR);
	q.seg[1].first_sect = 200, q.seg[1].last_sect = 255;
	expect("sectors-200-255", &q, BLKIF_RSP_ERROR);
	q = rw(BLKIF_OP_READ, 5, sectors - 4, 0, 1);
	expect("past-the-end", &q, BLKIF_RSP_ERROR);
	q = rw(BLKIF_OP_WRITE, 6, sectors, 0, 1);
	expect("at-the-end", &q, BLKIF_RSP_ERROR);
	q = rw(BLKIF_OP_READ, 7, ~0ull - 2, 0, 1);
	expect("wrapping-sector", &q, BLKIF_RSP_ERROR);
	q = rw(BLKIF_OP_READ, 8, sectors - 8, 0, 1);
	expect("last-page", &q, 0);
	/* Grants: none, a read-only page to read into, one for another domain,
	 * our grant-table frame. */
	q = rw(BLKIF_OP_READ, 9, 0, 0, 2);
	q.seg[1].gref = REF_NONE;
	expect("ungranted-page", &q, BLKIF_RSP_ERROR);
	q.seg[1].gref = 100000;
	expect("ref-out-of-table", &q, BLKIF_RSP_ERROR);
	q.seg[1].gref = REF_RO;
	expect("read-into-read-only", &q, BLKIF_RSP_ERROR);
	q = rw(BLKIF_OP_WRITE, 10, 0, 0, 1);
	q.seg[0].gref = REF_RO;
	expect("write-from-read-only", &q, 0);
	q.seg[0].gref = REF_OTHER;
	expect("granted-to-another", &q, BLKIF_RSP_ERROR);
	q.seg[0].gref = REF_GNTTAB;
	expect("grant-table-frame", &q, BLKIF_RSP_ERROR);
	/* Operations. */
	q = rw(77, 11, 0, 0, 1);
	expect("unknown-op", &q, BLKIF_RSP_EOPNOTSUPP);
	q = rw(BLKIF_OP_WRITE_BARRIER, 12, 0, 0, 1);
	expect("barrier", &q, BLKIF_RSP_EOPNOTSUPP);
	q = (struct req){ .op = BLKIF_OP_DISCARD, .id = 13, .sector = sectors - 8, .nr_sectors = 16 };
	expect("discard-past-end", &q, BLKIF_RSP_ERROR);
	q = (struct req){ .op = BLKIF_OP_DISCARD, .id = 14, .flag = BLKIF_DISCARD_SECURE,
			  .nr_sectors = 8 };
	expect("discard-secure", &q, BLKIF_RSP_EOPNOTSUPP);
	/* Indirect. */
	q = (struct req){ .op = BLKIF_OP_INDIRECT, .inner = BLKIF_OP_READ, .nseg = 8, .id = 15,
			  .ind = { REF_IND } };
	for (unsigned i = 0; i < 512; i++)
		ind_page[i] = (struct blkif_request_segment){ REF_DATA + i % NDATA, 0, 7 };
	expect("indirect", &q, 0);
	q.nseg = (uint16_t)(max_indirect + 1);
	expect("indirect-too-many", &q, BLKIF_RSP_ERROR);
	q.nseg = 0xffff;
	expect("indirect-65535", &q, BLKIF_RSP_ERROR);
	q.nseg = 8;
	q.inner = BLKIF_OP_DISCARD;
	expect("indirect-inner-discard", &q, BLKIF_RSP_ERROR);
	q.inner = BLKIF_OP_READ;
	q.ind[0] = REF_NONE;
	expect("indirect-ungranted-page", &q, BLKIF_RSP_ERROR);
	q.ind[0] = REF_IND;
	uint32_t x = 12345;
	for (unsigned i = 0; i < 512; i++) {
		x = x * 1103515245u + 12345u;
		ind_page[i] = (struct blkif_request_segment){ x, (uint8_t)(x >> 8), (uint8_t)(x >> 16) };
	}
	q.nseg = (uint16_t)max_indirect;
	expect("indirect-garbage", &q, BLKIF_RSP_ERROR);
}

/* Published without the event the backend asked for: not served until an
 * event comes. After the last answer the backend looks at the ring once
 * more and only then asks for an event; a frontend woken at once by that
 * answer may run first, and a request it published then is served
 * without an event, rightly. So: wait until the backend asked for the
 * event, then give it time to finish its look and sleep. Its domain may
 * be held by the host in that look longer than we wait: a request served
 * so is tried again, after 50 ms, then 500 ms and 3 s (a backend that
 * serves without events does so every time). */
static void no_notify(void)
{
	static const unsigned sleep_ms[] = { 50, 500, 3000 };
	struct rsp p;
	bool early = true, late = false;

	for (unsigned i = 0; i < 3 && early; i++) {
		struct req q = rw(BLKIF_OP_READ, 20 + i, 0, 0, 1);
		uint64_t end = now_ns() + 10000 * MS;
		while (__atomic_load_n(&hdr()->req_event, __ATOMIC_ACQUIRE) != ring.req_prod + 1 &&
		       now_ns() < end)
			wait_port(ring.port, 10);
		for (uint64_t until = now_ns() + sleep_ms[i] * MS; now_ns() < until;)
			wait_port(ring.port, 10);
		put_req(&q);
		push(true);
		early = get_rsp(&p, 300);
		send_event(ring.port);
		late = !early && get_rsp(&p, 30000) && p.id == 20 + i && p.status == 0;
	}
	check("no-notify-waits", !early, "served without an event, 3 times");
	check("notify-serves", late, "not served after the event");
}

/* Keeps the ring full for n requests; all must be answered OK. */
static void flood(uint32_t n)
{
	uint32_t sent = 0, got = 0, bad = 0;
	uint64_t t0 = now_ns(), end = t0 + 30000 * MS;
	struct rsp p;

	while (got < n && now_ns() < end) {
		while (sent < n && ring.req_prod - ring.rsp_cons < ring.nents) {
			struct req q = rw(sent % 2 ? BLKIF_OP_WRITE : BLKIF_OP_READ, 100000 + sent,
					  (sent % 100) * 8, sent % NDATA, 1);
			put_req(&q);
			sent++;
		}
		push(false);
		while (get_rsp(&p, got + (ring.req_prod - ring.rsp_cons) < n ? 0 : 50)) {
			bad += p.status != 0 || p.id >= 100000 + n;
			got++;
		}
		if (ring.req_prod != ring.rsp_cons)
			wait_port(ring.port, 10);
	}
	check("flood", got == n && bad == 0, "%u of %u answered (%u bad) in %llu ms", got, n, bad,
	      (unsigned long long)((now_ns() - t0) / MS));
	gprintf("blkfront: flood of %u requests in %llu ms\n", n,
		(unsigned long long)((now_ns() - t0) / MS));
}

/* A broken producer: the backend must give up on the ring (Closing). */
static void break_ring(const char *name, RING_IDX prod)
{
	__atomic_store_n(&hdr()->req_prod, prod, __ATOMIC_RELEASE);
	send_event(ring.port);
	uint32_t s = wait_backend(XenbusStateClosing, XenbusStateClosed);
	check(name, s == XenbusStateClosing, "backend state %u", s);
}

/* Connections the backend must refuse (Closing), each followed by a reset. */
static void bad_connect(const char *name, bool x86_64, unsigned order, uint32_t ref0,
			const char *proto, uint32_t port)
{
	uint32_t s = connect_ring(x86_64, order, ref0, proto, port);

	check(name, s == XenbusStateClosing, "backend state %u", s);
	reset();
}

static void hostile_run(void)
{
	if (!check("connect", connect_ring(false, 0, REF_RING, NULL, 0) == XenbusStateConnected,
		   "backend state %u", (uint32_t)xs_readu(be, "state", 0)))
		return;
	bad_requests();
	no_notify();
	flood(20000);
	/* Still served after all that. */
	struct req q = rw(BLKIF_OP_READ, 30, 0, 0, 1);
	expect("served-after-flood", &q, 0);
	break_ring("producer-jump", ring.rsp_cons + 1000);
	if (!reset())
		return;
	check("reconnect-x86_64", connect_ring(true, 1, REF_RING, NULL, 0) == XenbusStateConnected,
	      "backend state %u", (uint32_t)xs_readu(be, "state", 0));
	q = rw(BLKIF_OP_READ, 31, 8, 0, 4);
	expect("served-after-reconnect", &q, 0);
	reset();
	bad_connect("ring-ref-ungranted", false, 0, REF_NONE, NULL, 0);
	bad_connect("ring-ref-grant-table", false, 0, REF_GNTTAB, NULL, 0);
	bad_connect("ring-order-5", false, 5, REF_RING, NULL, 0);
	bad_connect("protocol-unknown", false, 0, REF_RING, "pdp11-abi", 0);
	bad_connect("event-channel-unbound", false, 0, REF_RING, NULL, 1000);
	/* Finally a producer moved back behind what the backend took. */
	if (connect_ring(false, 0, REF_RING, NULL, 0) != XenbusStateConnected)
		return;
	for (unsigned i = 0; i < 4; i++) {
		q = rw(BLKIF_OP_READ, 40 + i, 0, 0, 1);
		expect("read", &q, 0);
	}
	break_ring("producer-back", ring.req_prod - 3);
}

void guest_main(void)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;
	const char *cmdline = si && si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : "";
	uint64_t pfn = 0, evt = 0;
	uint32_t r[4];

	hostile = !memcmp(cmdline, "hostile", 7);
	cpuid(0x40000004, 0, r);
	domid = r[2];
	hc_hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_STORE_PFN, &pfn);
	hc_hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_STORE_EVTCHN, &evt);
	xs = (volatile struct xenstore_domain_interface *)(uintptr_t)(pfn << 12);
	xs_port = (uint32_t)evt;
	long m1 = map_space(XENMAPSPACE_shared_info, 0, &shpage);
	long m2 = map_space(XENMAPSPACE_grant_table, 0, gnttab);
	if (!check("setup", pfn && evt && !m1 && !m2, "store pfn %llx port %llu, maps %ld %ld",
		   (unsigned long long)pfn, (unsigned long long)evt, m1, m2))
		return;
	for (unsigned i = 0; i < NDATA; i++)
		grant(REF_DATA + i, data[i], 0, false);
	grant(REF_IND, ind_page, 0, false);
	grant(REF_RO, data[0], 0, true);
	grant(REF_OTHER, data[1], 5, false);
	grant(REF_GNTTAB, gnttab, 0, false);
	snprintf_(fe, sizeof(fe), "device/vbd/%u", DEVID);
	if (xs_request(XS_READ, "device/vbd/51712/backend", NULL) != XS_READ ||
	    !check("backend-path", !memcmp(reply, "/local/domain/0/backend/vbd/", 28), "%s", reply))
		return;
	memcpy(be, reply, strlen(reply) + 1);
	uint32_t s = wait_backend(XenbusStateInitWait, 0);
	sectors = xs_readu(be, "sectors", 0);
	max_indirect = (uint32_t)xs_readu(be, "feature-max-indirect-segments", 0);
	check("backend-initwait", s == XenbusStateInitWait && sectors >= 1024 && max_indirect >= 11 &&
	      xs_readu(be, "max-ring-page-order", 0) == 2 && xs_readu(be, "sector-size", 0) == 512,
	      "state %u, %llu sectors, %u indirect", s, (unsigned long long)sectors, max_indirect);
	/* The frontend's nodes are its own; the backend's only readable. */
	check("backend-read-only", xs_request(XS_WRITE, "/local/domain/0/backend/vbd", "x") == XS_ERROR,
	      "wrote into the backend's directory");
	gprintf("blkfront: %s frontend, domain %u, %llu sectors\n", hostile ? "hostile" : "good",
		domid, (unsigned long long)sectors);
	if (hostile)
		hostile_run();
	else
		good();
}
