/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fifo: Xen's FIFO event-channel ABI (EVTCHNOP_init_control,
 * expand_array, set_priority), as type=pvh,vcpus=2 with cmdline "self:N"
 * (N = its own domain id, for a grant to itself). In order:
 *  - 2-level first: ports end at 4095 (-ENOSPC), then EVTCHNOP_reset;
 *    a loopback port left pending and masked in the 2-level bitmaps;
 *  - refused: FIFO operations before init_control, init_control with an
 *    offset not 8-aligned or past the page, vcpu 2, a gfn beyond RAM, the
 *    shared info's gfn, a page given back, a page it maps read-only
 *    through a grant;
 *  - init_control on vcpu 0 (offset 64) and vcpu 1, twice refused;
 *    expand_array to the maximum (8 pages) and one more refused; the
 *    2-level pending port is pending in its event word after the switch;
 *  - set_priority and its refusals; events come through the queues in
 *    priority order, and in order within one priority; a masked port's
 *    event waits unlinked until EVTCHNOP_unmask links it; a port bound to
 *    vcpu 1 is queued on vcpu 1's control block;
 *  - ports up to 8191 (beyond the 2-level 4096), an event on port 8191;
 *  - it scribbles over its event words and queue heads and sends 1000
 *    events (each call returns at once), repairs its pages, and events
 *    flow again;
 *  - EVTCHNOP_reset: 2-level again (ports end at 4095, FIFO operations
 *    refused), a 2-level loopback event; then FIFO once more, and it
 *    powers off with FIFO active (the test checks no frame leaked).
 * The consumer in the upcall is Linux's in outline: READY swapped to 0,
 * each ready queue from its head, LINKED and the link cleared with one
 * compare-and-swap, bounded (its own pages may be garbage).
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/grant_table.h"
#include "include/public/hvm_start_info.h"
#include "include/public/memory.h"
#include "include/public/xen.h"

const char guest_name[] = "fifo";

#define MS 1000000ull
#define EINVAL 22
#define ENOENT 2
#define ENOSPC 28
#define EOPNOTSUPP 95
#define NPORTS 8192
#define PAGES 8
#define B(x) (1u << EVTCHN_FIFO_##x)

static union {
	struct shared_info s;
	uint8_t page[4096];
} shpage __attribute__((aligned(4096)));
#define shinfo shpage.s
static volatile uint32_t earr[PAGES + 1][1024] __attribute__((aligned(4096)));
static uint8_t cbpage[2][4096] __attribute__((aligned(4096)));
#define CB0 ((volatile struct evtchn_fifo_control_block *)(cbpage[0] + 64))
#define CB1 ((volatile struct evtchn_fifo_control_block *)cbpage[1])
static uint8_t spare[2][4096] __attribute__((aligned(4096))); /* given back; mapped over */
static struct grant_entry_v1 gnttab_frame[512] __attribute__((aligned(4096)));
static uint8_t granted[4096] __attribute__((aligned(4096)));

static volatile uint16_t events[NPORTS]; /* events seen, by port */
static volatile uint32_t order[8], norder;
static volatile bool fifo_mode;
static uint32_t lhead[EVTCHN_FIFO_MAX_QUEUES];

static long evtchn_op(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_event_channel_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static uint32_t gfn_of(const volatile void *p)
{
	return (uint32_t)(uintptr_t)p >> 12;
}

static void seen(uint32_t port)
{
	if (port < NPORTS)
		events[port]++;
	if (norder < 8)
		order[norder++] = port;
}

static void upcall_2l(void)
{
	volatile uint32_t *sel = (volatile uint32_t *)&shinfo.vcpu_info[0].evtchn_pending_sel;
	volatile uint32_t *pend = (volatile uint32_t *)shinfo.evtchn_pending;
	volatile uint32_t *mask = (volatile uint32_t *)shinfo.evtchn_mask;

	for (unsigned h = 0; h < 2; h++) {
		uint32_t s = __atomic_exchange_n(&sel[h], 0, __ATOMIC_SEQ_CST);
		for (unsigned w = h * 32; w < h * 32 + 32; w++)
			for (unsigned b = 0; s >> (w % 32) & 1 && b < 64; b++) {
				uint32_t m = 1u << (b % 32), i = w * 2 + b / 32;
				if ((pend[i] & m) && !(mask[i] & m)) {
					__atomic_fetch_and(&pend[i], ~m, __ATOMIC_SEQ_CST);
					seen(w * 64 + b);
				}
			}
	}
}

static void upcall_fifo(void)
{
	uint32_t ready = __atomic_exchange_n(&CB0->ready, 0, __ATOMIC_SEQ_CST);

	for (unsigned q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++)
		for (unsigned n = 0; ready >> q & 1 && n < 10000; n++) {
			uint32_t port = lhead[q] ? lhead[q] : CB0->head[q];
			lhead[q] = 0;
			if (!port || port >= NPORTS)
				break;
			volatile uint32_t *w = &earr[port / 1024][port % 1024];
			uint32_t old = *w;
			while (!__atomic_compare_exchange_n(w, &old, old & ~(B(LINKED) | EVTCHN_FIFO_LINK_MASK),
							    false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				;
			if ((old & B(PENDING)) && !(old & B(MASKED))) {
				__atomic_fetch_and(w, ~B(PENDING), __ATOMIC_SEQ_CST);
				seen(port);
			}
			if (!(lhead[q] = old & EVTCHN_FIFO_LINK_MASK))
				break;
		}
}

static void upcall(void)
{
	shinfo.vcpu_info[0].evtchn_upcall_pending = 0;
	if (fifo_mode)
		upcall_fifo();
	else
		upcall_2l();
}

static bool wait_event(uint32_t port, uint32_t was, uint64_t ms)
{
	uint64_t end = now_ns() + ms * MS;

	for (;;) {
		cli();
		if (events[port] != was || now_ns() >= end)
			break;
		hc_set_timer(end);
		hc_block_sti();
	}
	sti();
	return events[port] != was;
}

static long op_port(unsigned cmd, uint32_t port)
{
	uint32_t p = port;

	return evtchn_op(cmd, &p);
}

/* A loopback pair: events sent on *peer arrive on the returned port. */
static uint32_t pair(uint32_t *peer)
{
	struct evtchn_alloc_unbound a = { DOMID_SELF, DOMID_SELF, 0 };
	struct evtchn_bind_interdomain b = { DOMID_SELF, 0, 0 };

	if (evtchn_op(EVTCHNOP_alloc_unbound, &a))
		return 0;
	b.remote_port = a.port;
	if (evtchn_op(EVTCHNOP_bind_interdomain, &b))
		return 0;
	*peer = b.local_port;
	return a.port;
}

/* Allocates ports until refused: the last port, the error in *err. */
static uint32_t exhaust(long *err)
{
	struct evtchn_alloc_unbound a = { DOMID_SELF, DOMID_SELF, 0 };
	uint32_t last = 0;

	while ((*err = evtchn_op(EVTCHNOP_alloc_unbound, &a)) == 0)
		last = a.port;
	return last;
}

static long reset(void)
{
	struct evtchn_reset r = { DOMID_SELF };

	return evtchn_op(EVTCHNOP_reset, &r);
}

static long init_control(uint32_t gfn, uint32_t offset, uint32_t vcpu, uint8_t *bits)
{
	struct evtchn_init_control c = { gfn, offset, vcpu, 0, { 0 } };
	long rc = evtchn_op(EVTCHNOP_init_control, &c);

	if (bits)
		*bits = c.link_bits;
	return rc;
}

static long expand(uint32_t gfn)
{
	struct evtchn_expand_array e = { gfn };

	return evtchn_op(EVTCHNOP_expand_array, &e);
}

static long set_priority(uint32_t port, uint32_t prio)
{
	struct evtchn_set_priority s = { port, prio };

	return evtchn_op(EVTCHNOP_set_priority, &s);
}

static void setup(void)
{
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, gfn_of(&shinfo),
	};
	long rc = hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);

	check("map-shared-info", rc == 0, "add_to_physmap: %ld", rc);
	callback_hook = upcall;
	check("callback", callback_setup() == 0, "HVM_PARAM_CALLBACK_IRQ");
	sti();
}

/* 2-level: 4095 ports at most; a pending, masked port to carry over. */
static uint32_t two_level(void)
{
	long err;
	uint32_t last = exhaust(&err), peer = 0;

	check("2l-ports", last == 4095 && err == -ENOSPC, "last port %u, then %ld", last, err);
	check("2l-reset", reset() == 0, "EVTCHNOP_reset");
	uint32_t a = pair(&peer);
	if (!check("2l-pair", a && peer, "ports %u %u", a, peer))
		return 0;
	wait_event(peer, 0, 100); /* the bind's own event */
	__atomic_fetch_or((volatile uint32_t *)&shinfo.evtchn_mask[a / 64] + a % 64 / 32,
			  1u << (a % 32), __ATOMIC_SEQ_CST);
	op_port(EVTCHNOP_send, peer);
	check("2l-masked-pending", !events[a] && (((volatile uint32_t *)shinfo.evtchn_pending)[a / 32] >>
						  (a % 32) & 1), "port %u", a);
	return a;
}

/* A page of its own mapped read-only through a grant to itself. */
static uint32_t ro_mapping(unsigned self)
{
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, XENMAPSPACE_grant_table, 0, gfn_of(gnttab_frame),
	};
	struct { uint32_t start, nr, order, flags; uint16_t domid, pad; } r = {
		(uint32_t)(uintptr_t)&map.gpfn, 1, 0, 0, DOMID_SELF, 0 };
	uint32_t hole = gfn_of(spare[1]);

	hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);
	gnttab_frame[1].domid = (uint16_t)self;
	gnttab_frame[1].frame = gfn_of(granted);
	__atomic_store_n(&gnttab_frame[1].flags, GTF_permit_access | GTF_readonly, __ATOMIC_SEQ_CST);
	r.start = (uint32_t)(uintptr_t)&hole;
	hypercall(HYPERVISOR_memory_op, XENMEM_decrease_reservation, (unsigned long)&r, 0, 0, 0);
	struct gnttab_map_grant_ref m = { (uint64_t)hole << 12, GNTMAP_host_map | GNTMAP_readonly, 1,
					  (uint16_t)self, 0, 0, 0 };
	long rc = hypercall(HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, (unsigned long)&m, 1, 0, 0);
	check("ro-grant-mapped", rc == 0 && m.status == GNTST_okay, "%ld, status %d", rc, m.status);
	return hole;
}

static void refusals(unsigned self)
{
	uint32_t given = gfn_of(spare[0]);
	struct { uint32_t start, nr, order, flags; uint16_t domid, pad; } r = {
		(uint32_t)(uintptr_t)&given, 1, 0, 0, DOMID_SELF, 0 };
	long rb = hypercall(HYPERVISOR_memory_op, XENMEM_decrease_reservation, (unsigned long)&r, 0, 0, 0);
	uint32_t ro = ro_mapping(self), cb = gfn_of(cbpage[0]);

	long e1 = expand(gfn_of(earr[0])), e2 = set_priority(1, 3);
	check("fifo-ops-before-init", e1 == -EOPNOTSUPP && e2 == -ENOSYS,
	      "expand_array %ld, set_priority %ld", e1, e2);
	long r1 = init_control(cb, 4, 0, NULL), r2 = init_control(cb, 4032, 0, NULL);
	long r3 = init_control(cb, 0xfffffff8u, 0, NULL), r4 = init_control(cb, 0, 2, NULL);
	long r5 = init_control(0x100000, 0, 0, NULL), r6 = init_control(gfn_of(&shinfo), 0, 0, NULL);
	long r7 = init_control(given, 0, 0, NULL), r8 = init_control(ro, 0, 0, NULL);
	check("init-control-refused", r1 == -EINVAL && r2 == -EINVAL && r3 == -EINVAL &&
				      r4 == -ENOENT && r5 == -EINVAL && r6 == -EINVAL && rb == 1 &&
				      r7 == -EINVAL && r8 == -EINVAL,
	      "offset 4: %ld, 4032: %ld, 0xfffffff8: %ld; vcpu 2: %ld; gfn beyond RAM %ld, shared "
	      "info %ld, given back (%ld) %ld, read-only grant mapping %ld", r1, r2, r3, r4, r5, r6,
	      rb, r7, r8);
}

static void switch_to_fifo(uint32_t carried)
{
	uint8_t bits = 0;
	long r1 = init_control(gfn_of(cbpage[0]), 64, 0, &bits);
	long r2 = init_control(gfn_of(cbpage[0]), 64, 0, NULL);
	long r3 = init_control(gfn_of(cbpage[1]), 0, 1, NULL);

	fifo_mode = r1 == 0;
	check("init-control", r1 == 0 && bits == EVTCHN_FIFO_LINK_BITS && r2 == -EINVAL && r3 == 0,
	      "vcpu 0: %ld, link_bits %u; again %ld; vcpu 1: %ld", r1, bits, r2, r3);
	for (unsigned i = 0; i <= PAGES; i++)
		for (unsigned j = 0; j < 1024; j++)
			earr[i][j] = B(MASKED); /* as Linux sets a new page */
	long e1 = expand(gfn_of(earr[0]));
	long e2 = expand(gfn_of(&shinfo));
	check("carried-over", e1 == 0 && e2 == -EINVAL && carried &&
			      earr[0][carried] == (B(PENDING) | B(MASKED)),
	      "expand %ld, shared info %ld; port %u's word 0x%x", e1, e2, carried,
	      carried ? earr[0][carried] : 0);
	uint32_t was = events[carried];
	long u = op_port(EVTCHNOP_unmask, carried);
	check("carried-delivered", u == 0 && wait_event(carried, was, 10000), "unmask %ld", u);
	long e = 0;
	for (unsigned i = 1; i < PAGES && !e; i++)
		e = expand(gfn_of(earr[i]));
	long e9 = expand(gfn_of(earr[PAGES]));
	check("expand-max", e == 0 && e9 == -ENOSPC, "pages 2-8: %ld, a 9th: %ld", e, e9);
}

static void unmask(uint32_t port)
{
	op_port(EVTCHNOP_unmask, port);
}

static void priorities(void)
{
	uint32_t a[3], b[3];

	for (unsigned i = 0; i < 3; i++) {
		a[i] = pair(&b[i]);
		unmask(a[i]);
		unmask(b[i]);
		wait_event(b[i], 0, 100);
	}
	long r1 = set_priority(0, 3), r2 = set_priority(9000, 3), r3 = set_priority(a[0], 16);
	long r4 = set_priority(4000, 3);
	long ok = set_priority(a[0], 12) | set_priority(a[1], 7) | set_priority(a[2], 1);
	check("set-priority", ok == 0 && r1 == -EINVAL && r2 == -EINVAL && r3 == -EINVAL && r4 == -EINVAL,
	      "%ld; port 0 %ld, port 9000 %ld, priority 16 %ld, a free port %ld", ok, r1, r2, r3, r4);
	uint32_t was = events[a[0]];
	cli();
	norder = 0;
	for (unsigned i = 0; i < 3; i++)
		op_port(EVTCHNOP_send, b[i]);
	uint32_t ready = CB0->ready;
	bool heads = CB0->head[12] == a[0] && CB0->head[7] == a[1] && CB0->head[1] == a[2];
	sti();
	wait_event(a[0], was, 10000); /* the last one */
	check("priority-order", ready == (1u << 1 | 1u << 7 | 1u << 12) && heads && norder == 3 &&
				order[0] == a[2] && order[1] == a[1] && order[2] == a[0],
	      "ready 0x%x, heads %d; order %u %u %u (ports %u %u %u)", ready, heads, order[0],
	      order[1], order[2], a[2], a[1], a[0]);
	/* One priority: in the order sent (linked at the tail). */
	for (unsigned i = 0; i < 3; i++)
		set_priority(a[i], 5);
	was = events[a[2]];
	cli();
	norder = 0;
	for (unsigned i = 0; i < 3; i++)
		op_port(EVTCHNOP_send, b[i]);
	sti();
	wait_event(a[2], was, 10000);
	check("fifo-order", norder == 3 && order[0] == a[0] && order[1] == a[1] && order[2] == a[2],
	      "%u events: %u %u %u", norder, order[0], order[1], order[2]);

	/* Masked: pending, not linked, until EVTCHNOP_unmask links it. */
	volatile uint32_t *w = &earr[0][a[0]];
	__atomic_fetch_or(w, B(MASKED), __ATOMIC_SEQ_CST);
	was = events[a[0]];
	op_port(EVTCHNOP_send, b[0]);
	bool waited = !wait_event(a[0], was, 50) && (*w & (B(PENDING) | B(LINKED))) == B(PENDING);
	unmask(a[0]);
	check("unmask-links", waited && wait_event(a[0], was, 10000), "word 0x%x after", *w);

	/* A port notifying vcpu 1 is queued on vcpu 1's control block. */
	struct evtchn_bind_vcpu bv = { a[1], 1 };
	long rb = evtchn_op(EVTCHNOP_bind_vcpu, &bv);
	was = events[a[1]];
	op_port(EVTCHNOP_send, b[1]);
	bool on1 = CB1->ready == 1u << 5 && CB1->head[5] == a[1] && (earr[0][a[1]] & B(LINKED)) &&
		   events[a[1]] == was && shinfo.vcpu_info[1].evtchn_upcall_pending;
	check("vcpu1-queue", rb == 0 && on1, "bind_vcpu %ld; vcpu 1's ready 0x%x head %u", rb,
	      CB1->ready, CB1->head[5]);
	earr[0][a[1]] = 0; /* "consumed" on vcpu 1 */
	bv.vcpu = 0;
	evtchn_op(EVTCHNOP_bind_vcpu, &bv);
}

/* Ports up to 8191 (past the 2-level limit); an event on 8191. */
static void many_ports(void)
{
	long err;
	uint32_t last = exhaust(&err);
	struct evtchn_bind_interdomain b = { DOMID_SELF, NPORTS - 1, 0 };

	check("fifo-ports", last == NPORTS - 1 && err == -ENOSPC, "last port %u, then %ld", last, err);
	long rc = op_port(EVTCHNOP_close, 5000);
	long rb = evtchn_op(EVTCHNOP_bind_interdomain, &b);
	unmask(NPORTS - 1);
	unmask(b.local_port);
	wait_event(b.local_port, 0, 100);
	uint32_t was = events[NPORTS - 1];
	long rs = op_port(EVTCHNOP_send, b.local_port);
	check("port-8191", rc == 0 && rb == 0 && b.local_port == 5000 && rs == 0 &&
			   wait_event(NPORTS - 1, was, 10000),
	      "close %ld, bind %ld (port %u), send %ld", rc, rb, b.local_port, rs);
}

/* Garbage in its own pages (a, b: a loopback pair): the hypervisor's
 * work stays bounded. */
static void scribble(uint32_t a, uint32_t b)
{
	uint32_t x = 12345;

	cli();
	for (unsigned i = 0; i < PAGES; i++)
		for (unsigned j = 0; j < 1024; j++) {
			x = x * 1103515245u + 12345u;
			earr[i][j] = (x & ~(B(MASKED))) | B(LINKED);
		}
	for (unsigned q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++)
		CB0->head[q] = 0xffffffffu - q;
	uint64_t t0 = now_ns();
	long rc = 0;
	for (unsigned i = 0; i < 1000; i++)
		rc |= op_port(EVTCHNOP_send, i % 2 ? b : a);
	uint64_t ms = (now_ns() - t0) / MS;
	for (unsigned i = 0; i < PAGES; i++)
		for (unsigned j = 0; j < 1024; j++)
			earr[i][j] = 0;
	for (unsigned q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++)
		CB0->head[q] = lhead[q] = 0;
	CB0->ready = 0;
	sti();
	check("scribbled", rc == 0 && ms < 5000, "1000 sends: %ld, %u ms", rc, (unsigned)ms);
	uint32_t was = events[a];
	op_port(EVTCHNOP_send, b);
	check("repaired", wait_event(a, was, 10000), "an event after the repair");
}

static void back_to_2l(void)
{
	long r = reset();
	fifo_mode = false;
	long e1 = expand(gfn_of(earr[0])), e2 = set_priority(1, 3), err;
	uint32_t last = exhaust(&err);
	long r2 = reset();

	check("reset-2l", r == 0 && r2 == 0 && e1 == -EOPNOTSUPP && e2 == -ENOSYS &&
			  last == 4095 && err == -ENOSPC,
	      "reset %ld; expand_array %ld, set_priority %ld; last port %u, then %ld", r, e1, e2,
	      last, err);
	for (unsigned i = 0; i < 64; i++)
		shinfo.evtchn_mask[i] = 0;
	uint32_t b = 0, a = pair(&b);
	wait_event(b, 0, 100);
	uint32_t was = a ? events[a] : 0;
	op_port(EVTCHNOP_send, b);
	check("2l-again", a && wait_event(a, was, 10000), "port %u", a);

	/* FIFO again, left on when it powers off. */
	r = reset();
	for (unsigned j = 0; j < 1024; j++)
		earr[0][j] = 0;
	memset(cbpage[0], 0, sizeof(cbpage[0]));
	memset(lhead, 0, sizeof(lhead));
	long r1 = init_control(gfn_of(cbpage[0]), 64, 0, NULL);
	fifo_mode = r1 == 0;
	e1 = expand(gfn_of(earr[0]));
	a = pair(&b);
	wait_event(b, events[b], 100); /* the bind's event */
	was = events[a];
	op_port(EVTCHNOP_send, b);
	check("fifo-again", r == 0 && r1 == 0 && e1 == 0 && a && wait_event(a, was, 10000),
	      "reset %ld, init_control %ld, expand %ld, port %u", r, r1, e1, a);
}

void guest_main(void)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;
	const char *cmd = boot_ebx ? (const char *)(uintptr_t)si->cmdline_paddr : "";
	unsigned self = 0;

	for (const char *p = cmd; *p; p++)
		if (*p >= '0' && *p <= '9')
			self = self * 10 + (unsigned)(*p - '0');
	if (!check("cmdline", self != 0, "expected \"self:N\", got \"%s\"", cmd))
		return;
	setup();
	uint32_t carried = two_level();
	refusals(self);
	switch_to_fifo(carried);
	if (!fifo_mode)
		return;
	priorities();
	many_ports();
	scribble(NPORTS - 1, 5000);
	back_to_2l();
}
