/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stress: many vcpus of several PVH domains on several host CPUs, each
 * doing what makes the hypervisor flush, free and kick across CPUs
 * (tests/boot/stress_cases.py's smp-stress). Roles, from the command line:
 *
 *   "a:B,V,N"  4 vcpus. vcpu 0 pings domain B over an interdomain event
 *              channel (it allocates port 1, B binds to it); vcpu 1 maps
 *              and unmaps B's 8 grants in a loop (GNTTABOP_map/unmap,
 *              8 at a time, above its RAM) and copies them whole
 *              (GNTTABOP_copy, checking what came); vcpu 2 gives back and
 *              repopulates 16 pages in a loop (decrease_reservation,
 *              populate_physmap: each page new and zeroed); vcpu 3
 *              verifies its granted pages and a private region. It grants
 *              refs 1-8 to B and refs 9-12 to V (the victims' id, ref 9
 *              writable: the victims' mailbox), and ends only once the
 *              N-th victim wrote its number there and is gone (then none
 *              of refs 9-12 may still be in use). Between its balloon
 *              rounds vcpu 2 keeps a port for the victims (its number in
 *              the mailbox) and sends 200 events on it each round, while
 *              the victim bound to it is destroyed on another CPU: each
 *              send returns 0, and once the victim is gone the port reads
 *              unbound, accepting no one; then a new port for the next.
 *   "b:A"      2 vcpus. vcpu 0 answers A's pings; vcpu 1 maps and copies
 *              A's refs 1-8 and balloons, in turns. Grants refs 1-8 to A.
 *   "v:A,K"    3 vcpus, the K-th victim: each maps and copies A's refs
 *              9-12 and balloons, in turns, for ever (the test pauses, unpauses
 *              and destroys it); vcpu 0 first binds A's victim port (10
 *              s at most), then says when all storm and then once a
 *              second of guest time how many rounds were done, and sends
 *              A 5 events each round.
 *   " rest=MS" after the numbers: the rest between two storm rounds.
 *
 * The end: A's pings stop after ROUNDS; once the victims are over, its
 * storms stop (so nothing of its maps B's pages any more) before a last
 * ping, which B answers only once its own storms stopped: neither maps
 * the other's page when it powers off. Each storm must have done MIN_ROUNDS rounds by then (no
 * timings: only counts and contents are checked).
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/grant_table.h"
#include "include/public/hvm_start_info.h"
#include "include/public/memory.h"
#include "include/public/xen.h"

const char guest_name[] = "stress";

#define MS 1000000ull
#define ROUNDS 500u      /* A's round trips */
#define MIN_ROUNDS 10u   /* of each storm before the end */
#define REST_MS 10u      /* between two rounds of a storm */
#define NGRANT 8u        /* A <-> B: refs 1-8 */
#define NVICTIM 4u       /* A -> victims: refs 9-12 */
#define NBALLOON 16u
#define GRANT_GFN 0x300u   /* the pages granted: 0x300-0x30b */
#define PRIVATE_GFN 0x340u /* A's vcpu 3: 64 pages it verifies */
#define NPRIVATE 64u
#define BALLOON_GFN(cpu) (0x400u + 0x20u * (cpu))
#define MAP_GFN(cpu) (0x10000u + 0x10u * (cpu)) /* above RAM: holes */
#define COPY_GFN(cpu) (0x500u + 0x10u * (cpu))  /* where a storm copies grants to */
#define PAGE(gfn) ((volatile uint32_t *)(uintptr_t)((gfn) << 12))
#define MAILBOX 1u /* word of ref 9 the victims write their number to */
#define VPORT 2u   /* word of ref 9: A's port for the victims */
#define MARK 1023u /* word a mapper writes (not verified) */
#define MAXV 4u

static char role;
static unsigned peer, victim, ncycles, self_k, nvcpus;
static struct grant_entry_v1 gt[512] __attribute__((aligned(4096)));
static union { struct shared_info s; uint8_t page[4096]; } shpage __attribute__((aligned(4096)));
static uint8_t stacks[MAXV][8192] __attribute__((aligned(16)));
/* Per vcpu: 1 once started, rounds of its storm, 1 once stopped. */
static volatile uint32_t started[MAXV], rounds[MAXV], stopped[MAXV], stop;
static volatile uint32_t bad_maps[MAXV], bad_data[MAXV], bad_balloon[MAXV];
static uint32_t port;
static volatile uint32_t vport_seen;           /* a victim: VPORT as it last read it */
static volatile uint32_t vbound, bad_vline;    /* A: victims bound, failed checks */
static unsigned rest_ms = REST_MS;

static uint32_t word(unsigned owner, unsigned ref, unsigned i)
{
	return (owner << 24 | ref << 16 | i) * 0x9e3779b1u;
}

static long hc(unsigned nr, unsigned cmd, void *arg, unsigned count)
{
	return hypercall(nr, cmd, (unsigned long)arg, count, 0, 0);
}

/* ---- event channels: vcpu 0 waits by SCHEDOP_poll ---- */

static bool take_pending(uint32_t p)
{
	volatile uint32_t *w = (volatile uint32_t *)&shpage.s.evtchn_pending[p / 64];
	uint32_t bit = 1u << (p % 32);

	return __atomic_fetch_and(&w[(p % 64) / 32], ~bit, __ATOMIC_SEQ_CST) & bit;
}

/* Until p is pending (taken) or ms pass. */
static bool wait_port(uint32_t p, uint64_t ms)
{
	uint64_t end = now_ns() + ms * MS;
	struct { uint32_t ports, nr_ports; uint64_t timeout; } poll = {
		(uint32_t)(uintptr_t)&p, 1, end };

	while (!take_pending(p) && now_ns() < end)
		hc_sched_op(SCHEDOP_poll, &poll);
	return now_ns() < end || take_pending(p);
}

/* Sleeps ms of guest time: a poll of port 0, never pending. A storm
 * rests between its rounds so that its CPU's other vcpus, and the host
 * threads of an emulated machine, get their turn. */
static void rest(uint64_t ms)
{
	uint32_t none = 0;
	struct { uint32_t ports, nr_ports; uint64_t timeout; } poll = {
		(uint32_t)(uintptr_t)&none, 1, now_ns() + ms * MS };

	hc_sched_op(SCHEDOP_poll, &poll);
}

static long send(uint32_t p)
{
	struct evtchn_send s = { p };

	return hc(HYPERVISOR_event_channel_op, EVTCHNOP_send, &s, 0);
}

/* ---- grants ---- */

static void grant(unsigned ref, unsigned gfn, unsigned to, bool ro)
{
	for (unsigned i = 0; i < 1024; i++)
		PAGE(gfn)[i] = word(role, ref, i);
	gt[ref].domid = (uint16_t)to;
	gt[ref].frame = gfn;
	__atomic_store_n(&gt[ref].flags, GTF_permit_access | (ro ? GTF_readonly : 0),
			 __ATOMIC_SEQ_CST);
}

static bool granted_intact(unsigned ref, unsigned gfn)
{
	for (unsigned i = ref == 9 ? VPORT + 1 : 0; i < MARK; i++)
		if (PAGE(gfn)[i] != word(role, ref, i))
			return false;
	return true;
}

/* Maps refs [first, first + n) of domain dom at MAP_GFN(cpu), checks what
 * they hold (every 16th word), writes the writable ones, unmaps them. */
static void map_round(unsigned cpu, unsigned dom, char owner, unsigned first, unsigned n)
{
	struct gnttab_map_grant_ref m[NGRANT];
	struct gnttab_unmap_grant_ref u[NGRANT];

	for (unsigned i = 0; i < n; i++)
		m[i] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)(MAP_GFN(cpu) + i) << 12,
			.flags = GNTMAP_host_map | (owner == 'a' && first + i > 9 ? GNTMAP_readonly : 0),
			.ref = first + i, .dom = (uint16_t)dom };
	long rc = hc(HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, m, n);
	for (unsigned i = 0; i < n; i++) {
		volatile uint32_t *pg = PAGE(MAP_GFN(cpu) + i);
		if (rc || m[i].status) {
			bad_maps[cpu]++;
			continue;
		}
		for (unsigned w = first + i == 9 ? 16 : 0; w < MARK; w += 16)
			bad_data[cpu] += pg[w] != word(owner, first + i, w);
		if (owner == 'b' || first + i == 9)
			pg[MARK] = rounds[cpu];
		if (first + i == 9) {
			pg[MAILBOX] = self_k;
			vport_seen = pg[VPORT];
		}
		u[i] = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)(MAP_GFN(cpu) + i) << 12,
			.handle = m[i].handle };
	}
	for (unsigned i = 0; i < n; i++)
		if (!rc && !m[i].status &&
		    (hc(HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, &u[i], 1) || u[i].status))
			bad_maps[cpu]++;
}

/* Copies refs [first, first + n) of domain dom whole into COPY_GFN(cpu)
 * (GNTTABOP_copy, one op each, x86_32 layout) and checks what came (all
 * but the words a mapper writes). */
static void copy_round(unsigned cpu, unsigned dom, char owner, unsigned first, unsigned n)
{
	struct copy32 { uint32_t src; uint16_t sdom, soff; uint32_t dst; uint16_t ddom, doff;
			uint16_t len, flags; int16_t status; uint16_t pad; } op[NGRANT];

	for (unsigned i = 0; i < n; i++)
		op[i] = (struct copy32){ first + i, (uint16_t)dom, 0, COPY_GFN(cpu) + i, DOMID_SELF,
					 0, 4096, GNTCOPY_source_gref, 1, 0 };
	long rc = hc(HYPERVISOR_grant_table_op, GNTTABOP_copy, op, n);
	for (unsigned i = 0; i < n; i++) {
		if (rc || op[i].status) {
			bad_maps[cpu]++;
			continue;
		}
		for (unsigned w = first + i == 9 ? VPORT + 1 : 0; w < MARK; w += 8)
			bad_data[cpu] += PAGE(COPY_GFN(cpu) + i)[w] != word(owner, first + i, w);
	}
}

/* ---- ballooning ---- */

static long reservation(unsigned cmd, uint32_t *gfns, uint32_t n)
{
	struct { uint32_t start, nr, order, flags; uint16_t domid, pad; } r = {
		(uint32_t)(uintptr_t)gfns, n, 0, 0, DOMID_SELF, 0 };

	return hc(HYPERVISOR_memory_op, cmd, &r, 0);
}

/* Fills NBALLOON pages, gives them back, takes new ones: zeroed. */
static void balloon_round(unsigned cpu)
{
	uint32_t gfns[NBALLOON];
	unsigned zero = 0;

	for (unsigned i = 0; i < NBALLOON; i++) {
		gfns[i] = BALLOON_GFN(cpu) + i;
		PAGE(gfns[i])[i] = 0xdead0000u | rounds[cpu];
	}
	long out = reservation(XENMEM_decrease_reservation, gfns, NBALLOON);
	long in = reservation(XENMEM_populate_physmap, gfns, NBALLOON);
	for (unsigned i = 0; i < NBALLOON; i++)
		zero += PAGE(gfns[i])[i] == 0 && PAGE(gfns[i])[1023 - i] == 0;
	if (out != NBALLOON || in != NBALLOON || zero != NBALLOON)
		bad_balloon[cpu]++;
}

/* ---- A's line to the victims ---- */

static void victim_line(void)
{
	static uint32_t vport;
	static bool counted;
	struct evtchn_alloc_unbound au = { DOMID_SELF, (domid_t)victim, 0 };
	struct evtchn_status st = { .dom = DOMID_SELF, .port = vport };

	if (!vport) {
		bad_vline += hc(HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, &au, 0) != 0;
		vport = au.port;
		counted = false;
		PAGE(GRANT_GFN + 8)[VPORT] = vport;
		return;
	}
	for (unsigned i = 0; i < 200; i++)
		bad_vline += send(vport) != 0; /* delivered, or dropped: never an error */
	if (hc(HYPERVISOR_event_channel_op, EVTCHNOP_status, &st, 0)) {
		bad_vline++;
	} else if (st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == victim) {
		vbound += !counted; /* a victim is bound */
		counted = true;
	} else if (st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == DOMID_INVALID &&
		   counted) { /* its victim is gone */
		struct evtchn_close c = { vport };
		bad_vline += hc(HYPERVISOR_event_channel_op, EVTCHNOP_close, &c, 0) != 0;
		vport = 0;
	} else if (st.status != EVTCHNSTAT_unbound || st.u.unbound.dom != victim || counted) {
		bad_vline++; /* unbound for the victim is fine only until one binds */
	}
}

/* ---- the vcpus ---- */

static void storm_round(unsigned cpu)
{
	if (role == 'v') {
		map_round(cpu, peer, 'a', 9, NVICTIM);
		copy_round(cpu, peer, 'a', 9, NVICTIM);
		balloon_round(cpu);
	} else if (role == 'b') {
		map_round(cpu, peer, 'a', 1, NGRANT);
		copy_round(cpu, peer, 'a', 1, NGRANT);
		balloon_round(cpu);
	} else if (cpu == 1) {
		map_round(cpu, peer, 'b', 1, NGRANT);
		copy_round(cpu, peer, 'b', 1, NGRANT);
	} else if (cpu == 2) {
		balloon_round(cpu);
		victim_line();
	} else {
		unsigned bad = 0;
		for (unsigned i = 0; i < NGRANT + NVICTIM; i++)
			bad += !granted_intact(1 + i, GRANT_GFN + i);
		for (unsigned i = 0; i < NPRIVATE * 1024; i++)
			bad += PAGE(PRIVATE_GFN)[i] != word('p', 0, i);
		bad_data[cpu] += bad;
	}
}

static volatile uint32_t starting; /* the vcpu being started */

static __attribute__((noreturn, used)) void ap_main(void)
{
	unsigned cpu = starting;

	started[cpu] = 1;
	while (!stop) {
		storm_round(cpu);
		rounds[cpu]++;
		rest(rest_ms);
	}
	stopped[cpu] = 1;
	for (;;)
		__asm__ volatile("cli; hlt");
}

static bool start_vcpus(void)
{
	for (unsigned i = 1; i < nvcpus; i++) {
		starting = i;
		if (!vcpu_start_flat32(i, ap_main, stacks[i] + sizeof(stacks[i]), &started[i], 1))
			return false;
	}
	return true;
}

/* Stops the storms once each did MIN_ROUNDS; how many did. */
static unsigned stop_storms(void)
{
	uint64_t end = now_ns() + 120000 * MS;
	unsigned i = 1;

	while (i < nvcpus && now_ns() < end)
		if (rounds[i] >= MIN_ROUNDS)
			i++;
		else
			rest(rest_ms);
	stop = 1;
	/* Resting, not spinning: Bochs 2.7 keeps a vcpu with interrupts off
	 * in VMX guest mode until it exits (docs/testing.md), and the vcpus
	 * it waits for may share its CPU. */
	for (unsigned j = 1; j < nvcpus && now_ns() < end + 5000 * MS;)
		if (stopped[j])
			j++;
		else
			rest(1);
	return i - 1;
}

static void report(void)
{
	for (unsigned i = 1; i < nvcpus; i++) {
		gprintf("stress: vcpu %u: %u rounds\n", i, rounds[i]);
		check("storm", rounds[i] >= MIN_ROUNDS && stopped[i] && !bad_maps[i] && !bad_data[i]
			       && !bad_balloon[i],
		      "vcpu %u: %u rounds (%s), %u failed maps or unmaps, %u words wrong, %u "
		      "failed balloon rounds", i, rounds[i], stopped[i] ? "stopped" : "running",
		      bad_maps[i], bad_data[i], bad_balloon[i]);
	}
}

/* ---- the roles ---- */

/* Whether domain dom exists: a one-byte GNTTABOP_copy to its grant 0
 * (never granted to us) fails with GNTST_bad_domain only if it does not.
 * x86_32 layout: source gmfn, domid, offset; dest ref, domid, offset;
 * len, flags; status. */
static bool exists(unsigned dom)
{
	uint32_t op[6] = { GRANT_GFN, DOMID_SELF, 0, dom, 1u | GNTCOPY_dest_gref << 16, 1 };
	long rc = hc(HYPERVISOR_grant_table_op, GNTTABOP_copy, op, 1);

	return rc || (int16_t)op[5] != GNTST_bad_domain;
}

/* The victims are over: the last one wrote its number and is gone. */
static bool victims_done(void)
{
	return PAGE(GRANT_GFN + 8)[MAILBOX] == ncycles && !exists(victim);
}

/* No grant to the victims is in use once they are gone. */
static bool victim_grants_idle(void)
{
	bool mapped = false;

	for (unsigned r = 9; r < 9 + NVICTIM; r++)
		mapped |= __atomic_load_n(&gt[r].flags, __ATOMIC_SEQ_CST) & (GTF_reading | GTF_writing);
	return !mapped;
}

static void role_a(void)
{
	struct evtchn_alloc_unbound au = { DOMID_SELF, (domid_t)peer, 0 };
	unsigned done = 0;

	for (unsigned i = 0; i < NPRIVATE * 1024; i++)
		PAGE(PRIVATE_GFN)[i] = word('p', 0, i);
	for (unsigned i = 0; i < NGRANT + NVICTIM; i++)
		grant(1 + i, GRANT_GFN + i, i < NGRANT ? peer : victim, i > NGRANT);
	long rc = hc(HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, &au, 0);
	port = au.port;
	if (!check("alloc-unbound", rc == 0 && port == 1, "%ld, port %u", rc, port))
		return;
	gprintf("stress: a: granted, port %u\n", port);
	/* B granted before it bound: the mapper may start */
	if (!check("hello", wait_port(port, 60000), "from domain %u", peer) ||
	    !check("vcpus", start_vcpus(), "%u vcpus up", nvcpus))
		return;
	for (; done < ROUNDS; done++) {
		send(port);
		if (!wait_port(port, 60000))
			break;
	}
	check("ping-pong", done == ROUNDS, "%u of %u round trips", done, ROUNDS);
	uint64_t end = now_ns() + 300000 * MS;
	while (!victims_done() && now_ns() < end)
		rest(20);
	check("victims", victims_done() && victim_grants_idle(),
	      "victim %u of %u wrote last, domain %u %s, its grants %s",
	      PAGE(GRANT_GFN + 8)[MAILBOX], ncycles, victim, exists(victim) ? "lives" : "gone",
	      victim_grants_idle() ? "idle" : "still in use");
	unsigned n = stop_storms();
	check("stop", n == nvcpus - 1, "%u of %u storms made %u rounds", n, nvcpus - 1, MIN_ROUNDS);
	send(port);
	check("last", wait_port(port, 120000), "domain %u's answer to the last ping", peer);
	check("victim-line", vbound == ncycles && !bad_vline, "%u of %u victims bound to the "
	      "victim port, %u failed sends or wrong states", vbound, ncycles, bad_vline);
	report();
}

static void role_b(void)
{
	struct evtchn_bind_interdomain b = { (domid_t)peer, 1, 0 };
	uint64_t end = now_ns() + 60000 * MS;
	long rc;
	unsigned answered = 0;

	for (unsigned i = 0; i < NGRANT; i++)
		grant(1 + i, GRANT_GFN + i, peer, false);
	while ((rc = hc(HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, &b, 0)) &&
	       now_ns() < end)
		rest(10);
	port = b.local_port;
	if (!check("bind", rc == 0 && port < 64, "%ld, port %u", rc, port) ||
	    !check("vcpus", start_vcpus(), "%u vcpus up", nvcpus))
		return;
	take_pending(port); /* the bind's own event */
	send(port);          /* hello */
	while (answered < ROUNDS && wait_port(port, 60000)) {
		send(port);
		answered++;
	}
	check("pong", answered == ROUNDS, "%u of %u pings answered", answered, ROUNDS);
	check("last-ping", wait_port(port, 400000), "the ping after the %u", ROUNDS);
	unsigned n = stop_storms();
	check("stop", n == nvcpus - 1, "%u of %u storms made %u rounds", n, nvcpus - 1, MIN_ROUNDS);
	send(port);
	report();
}

static void role_v(void)
{
	uint64_t next = 0, end = now_ns() + 10000 * MS;
	unsigned all = 0;
	struct evtchn_bind_interdomain b = { (domid_t)peer, 0, 0 };
	long rc = -1;

	if (!check("vcpus", start_vcpus(), "%u vcpus up", nvcpus))
		return;
	while (rc && now_ns() < end) { /* VPORT comes with the first map of ref 9 */
		storm_round(0);
		b.remote_port = vport_seen;
		rc = vport_seen ? hc(HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, &b, 0) : -1;
		rest(rest_ms);
	}
	if (!check("bind", rc == 0, "victim %u: A's port %u: %ld", self_k, vport_seen, rc))
		return;
	for (;;) {
		storm_round(0);
		rounds[0]++;
		for (unsigned i = 0; i < 5; i++)
			if (send(b.local_port))
				fail("send", "victim %u: a send on port %u failed", self_k, b.local_port);
		rest(rest_ms);
		unsigned sum = 0, bad = 0;
		for (unsigned i = 0; i < nvcpus; i++) {
			sum += rounds[i];
			bad += bad_maps[i] + bad_data[i] + bad_balloon[i];
		}
		if (bad > all)
			fail("storm", "victim %u: %u failed maps, balloon rounds or wrong words", self_k,
			     all = bad);
		if (now_ns() >= next) {
			gprintf("stress: v %u: %u vcpus storming, %u rounds\n", self_k, nvcpus, sum);
			next = now_ns() + 1000 * MS;
		}
	}
}

/* "R:n1,n2,n3[ rest=MS]": the role, up to three numbers, the rest
 * between storm rounds (Bochs: longer, so that the shell's input is read
 * between the storms' flushes). */
static void parse(const char *cmd, unsigned *n)
{
	unsigned k = 0;

	role = cmd[0];
	for (const char *p = cmd; *p; p++)
		if (!memcmp(p, " rest=", 6))
			for (rest_ms = 0, p += 6; *p >= '0' && *p <= '9'; p++)
				rest_ms = rest_ms * 10 + (unsigned)(*p - '0');
	for (const char *p = cmd + 1; *p && *p != ' ' && k < 3; p++) {
		if (*p >= '0' && *p <= '9')
			n[k] = n[k] * 10 + (unsigned)(*p - '0');
		else if (*p == ',')
			k++;
	}
}

void guest_main(void)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;
	const char *cmd = boot_ebx ? (const char *)(uintptr_t)si->cmdline_paddr : "";
	unsigned n[3] = { 0 };
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map[2] = {
		{ DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, (uint32_t)(uintptr_t)&shpage >> 12 },
		{ DOMID_SELF, 0, XENMAPSPACE_grant_table, 0, (uint32_t)(uintptr_t)gt >> 12 },
	};

	parse(cmd, n);
	peer = n[0];
	victim = self_k = n[1];
	ncycles = n[2];
	nvcpus = role == 'a' ? 4 : role == 'b' ? 2 : 3;
	long r1 = hc(HYPERVISOR_memory_op, XENMEM_add_to_physmap, &map[0], 0);
	long r2 = hc(HYPERVISOR_memory_op, XENMEM_add_to_physmap, &map[1], 0);
	if (!check("setup", peer && (role == 'a' || role == 'b' || role == 'v') && !r1 && !r2,
		   "cmdline \"%s\", maps %ld %ld", cmd, r1, r2))
		return;
	if (role == 'a')
		role_a();
	else if (role == 'b')
		role_b();
	else
		role_v();
}
