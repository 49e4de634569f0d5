/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * evtchn: Xen event channels between two PVH domains. Run twice as
 * type=pvh: cmdline "ping PEER" and "pong PEER" (PEER = the other domain's
 * id). Each maps its shared info (memory_op add_to_physmap), takes upcalls
 * on the callback vector and scans the 2-level bitmaps as Linux does.
 * ping checks a loopback channel (alloc_unbound + bind_interdomain to
 * itself, send, status, close) and the refusals, grants pong a page
 * (grant table frame 0 mapped with add_to_physmap, entry 1), allocates
 * port 1 for its peer; pong binds to it; then 100 round trips ping ->
 * pong -> ping; then pong copies from and into the granted page with
 * GNTTABOP_copy (plus two refused copies) and says so with one more event.
 * The shared info layout is the 64-bit one (include/public/xen.h).
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/grant_table.h"
#include "include/public/hvm_start_info.h"
#include "include/public/memory.h"
#include "include/public/xen.h"

const char guest_name[] = "evtchn";

#define MS 1000000ull
#define ROUNDS 100u
#define ENOSYS 38
#define EINVAL 22
#define EPERM 1
#define ESRCH 3

/* A page of its own: the shared info frame is mapped over it. */
static union {
	struct shared_info s;
	uint8_t page[4096];
} shpage __attribute__((aligned(4096)));
#define shinfo shpage.s
static volatile uint32_t events[64]; /* upcalls seen, by port (< 64) */
static struct grant_entry_v1 gnttab_frame[512] __attribute__((aligned(4096)));
static char granted[4096] __attribute__((aligned(4096)));
static char mine[4096] __attribute__((aligned(4096)));
#define GREF 1
static const char from_ping[] = "grant from ping, 32 bytes long.";
static const char from_pong[] = "pong wrote this";

/* GNTTABOP_copy in the x86_32 layout (32-bit frame numbers). */
struct copy32 {
	struct { uint32_t ref_or_gmfn; uint16_t domid, offset; } src, dst;
	uint16_t len, flags;
	int16_t status;
	uint16_t pad;
};
static volatile uint32_t other_events;

static long evtchn_op(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_event_channel_op, cmd, (unsigned long)arg, 0, 0, 0);
}

/* Bit `bit` of a 64-bit bitmap word, as 32-bit halves (little endian). */
static volatile uint32_t *half(volatile uint64_t *w, unsigned bit)
{
	return (volatile uint32_t *)w + bit / 32;
}

/* The upcall: as Linux's 2-level handler, under the callback vector. */
static void upcall(void)
{
	volatile struct vcpu_info *vi = &shinfo.vcpu_info[0];

	vi->evtchn_upcall_pending = 0;
	volatile uint32_t *sel32 = (volatile uint32_t *)&shinfo.vcpu_info[0].evtchn_pending_sel;
	uint64_t sel = __atomic_exchange_n(&sel32[0], 0, __ATOMIC_SEQ_CST) |
		       (uint64_t)__atomic_exchange_n(&sel32[1], 0, __ATOMIC_SEQ_CST) << 32;
	for (unsigned w = 0; w < 64; w++) {
		if (!(sel >> w & 1))
			continue;
		for (unsigned b = 0; b < 64; b++) {
			volatile uint64_t *pend = &shinfo.evtchn_pending[w];
			uint32_t m = 1u << (b % 32);
			if (!(*half(pend, b) & m) || (*half(&shinfo.evtchn_mask[w], b) & m))
				continue;
			__atomic_fetch_and(half(pend, b), ~m, __ATOMIC_SEQ_CST);
			unsigned port = w * 64 + b;
			if (port < 64)
				events[port]++;
			else
				other_events++;
		}
	}
}

static bool wait_event(unsigned port, uint32_t seen, uint64_t ms)
{
	uint64_t end = now_ns() + ms * MS;

	for (;;) {
		/* Check with interrupts off: an upcall between the check and the
		 * block then keeps block from sleeping (it sees it pending). */
		cli();
		if (events[port] != seen || now_ns() >= end)
			break;
		hc_set_timer(end); /* so that a lost event cannot block us for ever */
		hc_block_sti();    /* STI + block: the upcall (or the timer) wakes us */
	}
	sti();
	return events[port] != seen;
}

static long send(uint32_t port)
{
	struct evtchn_send s = { port };

	return evtchn_op(EVTCHNOP_send, &s);
}

static void setup(void)
{
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, (uint32_t)(uintptr_t)&shinfo >> 12,
	};
	long rc = hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);
	check("map-shared-info", rc == 0, "add_to_physmap at 0x%x: %ld", (unsigned)(uintptr_t)&shinfo,
	      rc);
	map.space = 99;
	rc = hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);
	check("map-bad-space", rc < 0, "space 99: %ld", rc);
	callback_hook = upcall;
	check("callback", callback_setup() == 0, "HVM_PARAM_CALLBACK_IRQ");
	sti();
}

static void loopback(void)
{
	struct evtchn_alloc_unbound a = { DOMID_SELF, DOMID_SELF, 0 };
	long rc = evtchn_op(EVTCHNOP_alloc_unbound, &a);
	struct evtchn_bind_interdomain b = { DOMID_SELF, a.port, 0 };
	long rc2 = rc ? rc : evtchn_op(EVTCHNOP_bind_interdomain, &b);

	if (!check("loopback-bind", rc == 0 && rc2 == 0 && a.port < 64 && b.local_port < 64,
		   "alloc %ld port %u, bind %ld port %u", rc, a.port, rc2, b.local_port))
		return;
	/* bind_interdomain sets the new local port pending, as Xen does. */
	wait_event(b.local_port, 0, 100);
	uint32_t seen = events[a.port];
	rc = send(b.local_port);
	check("loopback-send", rc == 0 && wait_event(a.port, seen, 1000),
	      "send %ld, %u event(s) on port %u", rc, events[a.port] - seen, a.port);
	struct evtchn_status st = { DOMID_SELF, a.port, 0, 0, { { 0 } } };
	rc = evtchn_op(EVTCHNOP_status, &st);
	check("status-interdomain", rc == 0 && st.status == EVTCHNSTAT_interdomain &&
				    st.u.interdomain.port == b.local_port,
	      "%ld, status %u, peer port %u", rc, st.status, st.u.interdomain.port);
	struct evtchn_close c = { b.local_port };
	rc = evtchn_op(EVTCHNOP_close, &c);
	st.port = a.port;
	long rc3 = evtchn_op(EVTCHNOP_status, &st);
	check("close-unbinds-peer", rc == 0 && rc3 == 0 && st.status == EVTCHNSTAT_unbound,
	      "close %ld, status %ld: %u", rc, rc3, st.status);
	c.port = a.port;
	check("close", evtchn_op(EVTCHNOP_close, &c) == 0, "port %u", a.port);
}

static void refusals(unsigned peer)
{
	struct evtchn_alloc_unbound a = { (domid_t)peer, DOMID_SELF, 0 };
	struct evtchn_bind_interdomain b = { 0x7000, 1, 0 };
	struct evtchn_status st = { (domid_t)peer, 1, 0, 0, { { 0 } } };
	long r1 = evtchn_op(EVTCHNOP_alloc_unbound, &a);
	long r2 = evtchn_op(EVTCHNOP_bind_interdomain, &b);
	long r3 = send(5000);
	long r4 = evtchn_op(EVTCHNOP_status, &st);
	long r5 = evtchn_op(42, &st);
	long r6 = evtchn_op(EVTCHNOP_send, (void *)0xfffff000u);

	check("refusals", r1 == -EPERM && r2 == -ESRCH && r3 == -EINVAL && r4 == -EPERM &&
			  r5 == -ENOSYS && r6 < 0,
	      "alloc for another %ld, bind to no domain %ld, send on port 5000 %ld, status of "
	      "another %ld, op 42 %ld, bad pointer %ld", r1, r2, r3, r4, r5, r6);
}

static long map_space(uint32_t space, uint32_t idx, const void *at)
{
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, space, idx, (uint32_t)(uintptr_t)at >> 12,
	};
	return hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);
}

/* ping's grant: table frame 0 mapped, entry GREF for the peer's writes. */
static void grant(unsigned peer)
{
	long rc = map_space(XENMAPSPACE_grant_table, 0, gnttab_frame);
	struct gnttab_query_size q = { DOMID_SELF, 0, 0, 0 };
	long rq = hypercall(HYPERVISOR_grant_table_op, GNTTABOP_query_size, (unsigned long)&q, 1, 0, 0);

	check("grant-table-map", rc == 0 && rq == 0 && q.status == 0 && q.nr_frames == 1 &&
				 q.max_nr_frames >= 1,
	      "map %ld, query %ld: status %d, %u of %u frames", rc, rq, q.status, q.nr_frames,
	      q.max_nr_frames);
	check("grant-table-bad-frame", map_space(XENMAPSPACE_grant_table, 100, mine) == -EINVAL,
	      "frame 100");
	memcpy(granted, from_ping, sizeof(from_ping));
	gnttab_frame[GREF].domid = (uint16_t)peer;
	gnttab_frame[GREF].frame = (uint32_t)(uintptr_t)granted >> 12;
	__atomic_store_n(&gnttab_frame[GREF].flags, GTF_permit_access, __ATOMIC_SEQ_CST);
}

/* pong's copies: from the grant, into it, and two that must be refused. */
static void copies(unsigned peer)
{
	static const char mark[] = "pong wrote this";
	struct copy32 op[4] = {
		{ { GREF, (uint16_t)peer, 0 }, { (uint32_t)(uintptr_t)mine >> 12, DOMID_SELF, 0 },
		  sizeof(from_ping), GNTCOPY_source_gref, 1, 0 },
		{ { (uint32_t)(uintptr_t)mark >> 12, DOMID_SELF, (uint16_t)((uintptr_t)mark & 0xfff) },
		  { GREF, (uint16_t)peer, 64 }, sizeof(mark), GNTCOPY_dest_gref, 1, 0 },
		{ { GREF + 1, (uint16_t)peer, 0 }, { (uint32_t)(uintptr_t)mine >> 12, DOMID_SELF, 0 },
		  8, GNTCOPY_source_gref, 1, 0 },
		{ { GREF, (uint16_t)peer, 4090 }, { (uint32_t)(uintptr_t)mine >> 12, DOMID_SELF, 0 },
		  16, GNTCOPY_source_gref, 1, 0 },
	};
	long rc = hypercall(HYPERVISOR_grant_table_op, GNTTABOP_copy, (unsigned long)op, 4, 0, 0);

	check("grant-copy", rc == 0 && op[0].status == GNTST_okay && op[1].status == GNTST_okay &&
			    !memcmp(mine, from_ping, sizeof(from_ping)),
	      "%ld, statuses %d %d, read \"%s\"", rc, op[0].status, op[1].status, mine);
	check("grant-copy-refused", op[2].status == GNTST_general_error &&
				    op[3].status == GNTST_bad_copy_arg,
	      "ungranted ref: %d, across a page: %d", op[2].status, op[3].status);
}

static void ping(unsigned peer)
{
	grant(peer);
	struct evtchn_alloc_unbound a = { DOMID_SELF, (domid_t)peer, 0 };
	long rc = evtchn_op(EVTCHNOP_alloc_unbound, &a);

	uint32_t seen = a.port < 64 ? events[a.port] : 0;

	gprintf("evtchn: ping: port %u for domain %u\n", a.port, peer);
	if (!check("alloc-for-peer", rc == 0 && a.port == 1, "%ld, port %u (pong binds to 1)", rc,
		   a.port))
		return;
	/* pong says hello once bound */
	check("hello", wait_event(a.port, seen, 20000), "no event from domain %u", peer);
	unsigned rounds = 0;
	uint64_t t0 = rdtsc();
	for (; rounds < ROUNDS; rounds++) {
		seen = events[a.port];
		if (send(a.port) || !wait_event(a.port, seen, 30000))
			break;
	}
	uint64_t ticks = rdtsc() - t0;
	check("ping-pong", rounds == ROUNDS, "%u of %u round trips", rounds, ROUNDS);
	/* make bench reads this (under QEMU -icount shift=0: instructions) */
	gprintf("evtchn: %u round trips, %lu TSC ticks each\n", rounds,
		(unsigned long)(rounds ? ticks / rounds : 0));
	/* pong's copy, then its event: events coalesce, so look at the page
	 * (each event or the timeout wakes us). */
	uint64_t end = now_ns() + 20000 * MS;
	while (memcmp(granted + 64, from_pong, sizeof(from_pong)) && now_ns() < end)
		wait_event(a.port, events[a.port], 100);
	check("grant-written", !memcmp(granted + 64, from_pong, sizeof(from_pong)),
	      "the peer's copy into the granted page: \"%s\"", granted + 64);
}

static void pong(unsigned peer)
{
	struct evtchn_bind_interdomain b = { (domid_t)peer, 1, 0 };
	uint64_t end = now_ns() + 20000 * MS;
	long rc;

	while ((rc = evtchn_op(EVTCHNOP_bind_interdomain, &b)) == -EINVAL && now_ns() < end)
		spin_until(now_ns() + 5 * MS, true); /* ping has not allocated it yet */
	if (!check("bind-to-peer", rc == 0 && b.local_port < 64, "%ld, port %u", rc, b.local_port))
		return;
	wait_event(b.local_port, 0, 1000); /* the bind's own pending event */
	uint32_t seen = events[b.local_port];
	check("hello", send(b.local_port) == 0, "send");
	/* Answer every wake-up (events may merge, as Xen's do) until ping has
	 * had its rounds and goes quiet. */
	unsigned answered = 0;
	while (wait_event(b.local_port, seen, answered >= ROUNDS ? 500 : 30000)) {
		seen = events[b.local_port];
		if (send(b.local_port))
			break;
		answered++;
	}
	check("pong", answered >= ROUNDS, "%u answers for %u round trips", answered, ROUNDS);
	copies(peer);
	send(b.local_port); /* the copies are done */
}

void guest_main(void)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;
	const char *cmd = boot_ebx ? (const char *)(uintptr_t)si->cmdline_paddr : "";
	unsigned peer = 0;

	for (const char *p = cmd; *p; p++)
		if (*p >= '0' && *p <= '9')
			peer = peer * 10 + (unsigned)(*p - '0');
	gprintf("evtchn: \"%s\"\n", cmd);
	if (!check("cmdline", (cmd[0] == 'p') && peer, "expected \"ping N\" or \"pong N\""))
		return;
	setup();
	if (cmd[1] == 'i') {
		loopback();
		refusals(peer);
		ping(peer);
	} else {
		pong(peer);
	}
	cli();
	check("no-stray-events", other_events == 0, "%u events on ports >= 64", other_events);
}
