/* SPDX-License-Identifier: GPL-2.0-only */
/* attack (see attack.c): attacks 1-5, through the grant table and
 * memory_op: re-grant aliasing, freed while mapped, a page mapped over
 * itself, read-only for the hypervisor too, bounded work. */
#include "attack.h"

/* ---- 1. re-grant aliasing ---- */

void attack_regrant(void)
{
	long r0 = cur();
	uint32_t h, h2;

	fill(P1, 1);
	fill(Y1, 2);
	fill(Z1, 3);
	grant(10, P1, self_id, 0);
	int st = map(self_id, 10, X1, 0, &h);
	if (!check("regrant-first-map", st == 0 && same(X1, P1) && cur() == r0 - 1,
		   "own page 0x%x granted to itself, mapped at 0x%x: status %d (its RAM there given "
		   "back: reservation %ld -> %ld)", P1, X1, st, r0, cur()))
		return;
	/* X is a mapping, not the domain's RAM: not its to grant. */
	grant(11, X1, self_id, 0);
	int st2 = map(self_id, 11, Y1, 0, &h2);
	if (st2 == 0)
		undo(Y1, h2);
	check("regrant-map-refused", st2 != 0 && holds(Y1, 2, 0) && !in_use(11) &&
				     cur() == r0 - 1,
	      "a grant of the alias 0x%x mapped at 0x%x: status %d (want GNTST_bad_page %d); the "
	      "page there intact %d", X1, Y1, st2, GNTST_bad_page, holds(Y1, 2, 0));
	int c1 = copy_from_frame(X1, Z1), c2 = copy_to_frame(Z1, X1);
	int c3 = copy_from_ref(self_id, 11, Z1), c4 = copy_to_ref(Z1, self_id, 11);
	check("regrant-copy-refused", c1 && c2 && c3 && c4 && holds(Z1, 3, 0) && holds(P1, 1, 0) &&
				      !in_use(11),
	      "GNTTABOP_copy from the alias as a frame %d, into it %d, from its grant %d, into its "
	      "grant %d; pages intact %d %d", c1, c2, c3, c4, holds(Z1, 3, 0), holds(P1, 1, 0));
	int c5 = copy_from_ref(self_id, 10, Z1);
	check("regrant-copy-control", c5 == 0 && PAGE(Z1)[0] == word(1, 0) && PAGE(Z1)[15] == word(1, 15),
	      "the same copy from the grant of the page itself: %d", c5);
	fill(Z1, 3);
	/* Freed while mapped: P cannot go; once unmapped it can, and comes back zeroed. */
	long g1 = give1(P1);
	int u = unmap(X1, h);
	long g2 = give1(P1), t1 = take1(P1), tx = take1(X1);
	check("regrant-unmap-give-back", g1 == 0 && u == 0 && !in_use(10) && g2 == 1 && t1 == 1 &&
					 tx == 1 && zeroed(P1) && zeroed(X1) && cur() == r0,
	      "give back while mapped %ld; unmap %d; give back %ld, populate it %ld and the "
	      "alias %ld: zeroed %d %d; reservation %ld (was %ld)", g1, u, g2, t1, tx,
	      zeroed(P1), zeroed(X1), cur(), r0);
	ungrant(10);
	ungrant(11);

	/* The hypervisor's frames are not the domain's to grant or copy. */
	grant(12, SHINFO, self_id, 0);
	grant(13, GT, self_id, 0);
	int s1 = map(self_id, 12, Y1, 0, &h2);
	if (s1 == 0)
		undo(Y1, h2);
	int s2 = map(self_id, 12, Y1, GNTMAP_readonly, &h2);
	if (s2 == 0)
		undo(Y1, h2);
	int s3 = copy_from_ref(self_id, 12, Z1), s4 = copy_from_frame(SHINFO, Z1);
	int s5 = copy_to_frame(Z1, SHINFO), s6 = copy_to_ref(Z1, self_id, 12);
	check("regrant-shared-info", s1 && s2 && s3 && s4 && s5 && s6 && holds(Y1, 2, 0) &&
				     holds(Z1, 3, 0) && shinfo_live() && !in_use(12),
	      "shared info 0x%x granted: map %d, read-only %d; copy from its grant %d, from the "
	      "frame %d, into the frame %d, into its grant %d", SHINFO, s1, s2, s3, s4, s5, s6);
	int f1 = map(self_id, 13, Y1, 0, &h2);
	if (f1 == 0)
		undo(Y1, h2);
	int f2 = map(self_id, 13, Y1, GNTMAP_readonly, &h2);
	if (f2 == 0)
		undo(Y1, h2);
	int f3 = copy_from_ref(self_id, 13, Z1), f4 = copy_from_frame(GT, Z1);
	int f5 = copy_to_frame(Z1, GT), f6 = copy_to_ref(Z1, self_id, 13);
	check("regrant-grant-frame", f1 && f2 && f3 && f4 && f5 && f6 && holds(Y1, 2, 0) &&
				     holds(Z1, 3, 0) && !in_use(13) && gt[13].frame == GT,
	      "grant frame 0x%x granted: map %d, read-only %d; copy from its grant %d, from the "
	      "frame %d, into it %d, into its grant %d", GT, f1, f2, f3, f4, f5, f6);
	ungrant(12);
	ungrant(13);

	/* Nor can a grant mapping, a give-back or a populate take their place. */
	fill(P1, 4);
	grant(14, P1, self_id, 0);
	int o1 = map(self_id, 14, SHINFO, 0, &h2);
	if (o1 == 0)
		undo(SHINFO, h2);
	int o2 = map(self_id, 14, GT, 0, &h2);
	if (o2 == 0)
		undo(GT, h2);
	long o3 = give1(SHINFO), o4 = give1(GT), o5 = take1(SHINFO), o6 = take1(GT);
	check("regrant-over-frames", o1 && o2 && o3 == 0 && o4 == 0 && o5 == 0 && o6 == 0 &&
				     shinfo_live() && !in_use(14) && gt[14].frame == P1 &&
				     cur() == r0,
	      "a grant mapped over the shared info %d, over the grant frame %d; given back %ld "
	      "%ld, populated %ld %ld; reservation %ld (was %ld)", o1, o2, o3, o4, o5, o6, cur(), r0);
	ungrant(14);
}

/* ---- 2. freed while mapped ---- */

void attack_freed_while_mapped(void)
{
	long r0 = cur();
	uint32_t h, h2;

	fill(P2, 21);
	fill(Q2, 22);
	grant(20, P2, self_id, 0);
	int st = map(self_id, 20, X2, 0, &h);
	if (!check("freed-map", st == 0 && same(X2, P2), "own page 0x%x mapped at 0x%x: %d", P2, X2,
		   st))
		return;
	long r1 = cur();
	put_str(X2, 100, "written through the alias");
	bool shows = has_str(P2, 100, "written through the alias");
	long gp = give1(P2), gx = give1(X2), tx = take1(X2);
	check("freed-give-back-refused", gp == 0 && gx == 0 && tx == 0 && shows && same(X2, P2) &&
					 cur() == r1,
	      "give back the page %ld, the mapping %ld; populate the mapping %ld; a write through "
	      "it shows at the page %d; reservation %ld (was %ld)", gp, gx, tx,
	      shows, cur(), r1);
	/* Nothing may replace the page while another mapping holds its frame. */
	long a1 = add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0, P2);
	long a2 = add_to_physmap(DOMID_SELF, XENMAPSPACE_grant_table, 1, P2);
	grant(21, Q2, self_id, 0);
	int m1 = map(self_id, 21, P2, 0, &h2);
	if (m1 == 0)
		undo(P2, h2);
	check("freed-replace-refused", a1 < 0 && a2 < 0 && m1 != 0 && shinfo_live() &&
				       has_str(P2, 100, "written through the alias") &&
				       same(X2, P2) && !in_use(21) && cur() == r1,
	      "shared info moved over it %ld, grant frame 1 %ld, another grant mapped over it %d",
	      a1, a2, m1);
	ungrant(21);
	int wrong = unmap(P2, h);
	check("freed-unmap-wrong-address", wrong != 0 && same(X2, P2) && in_use(20),
	      "the mapping's handle with another address: %d; still mapped", wrong);
	int u = unmap(X2, h);
	long g = give1(P2), t = take1(P2), t2 = take1(X2);
	check("freed-after-unmap", u == 0 && !in_use(20) && g == 1 && t == 1 && t2 == 1 &&
				   zeroed(P2) && zeroed(X2) && cur() == r0,
	      "unmap %d; give back %ld, populate %ld %ld: zeroed %d; reservation %ld (was %ld)",
	      u, g, t, t2, zeroed(P2), cur(), r0);
	ungrant(20);
}

/* ---- 3. a page mapped over itself ---- */

void attack_self_map(void)
{
	long r0 = cur();
	uint32_t h;

	fill(P3, 31);
	grant(30, P3, self_id, 0);
	int st = map(self_id, 30, P3, 0, &h);
	if (st == 0)
		undo(P3, h);
	int ro = map(self_id, 30, P3, GNTMAP_readonly, &h);
	if (ro == 0)
		undo(P3, h);
	bool intact = holds(P3, 31, 0);
	PAGE(P3)[7] = 0x12345678u; /* still its own writable RAM */
	bool writable = PAGE(P3)[7] == 0x12345678u;
	check("self-map-refused", st != 0 && ro != 0 && intact && writable && !in_use(30) &&
				  cur() == r0,
	      "own page 0x%x mapped over itself: %d, read-only %d; intact %d, writable %d; "
	      "reservation %ld (was %ld)", P3, st, ro, intact, writable, cur(), r0);
	/* A device's view of a grant (GNTMAP_device_map) is domain 0's alone,
	 * trusted with DMA: Xen's answer to an HVM mapper, the grant unused. */
	static struct gnttab_map_grant_ref dm[2];
	dm[0] = (struct gnttab_map_grant_ref){ .flags = GNTMAP_device_map, .ref = 30,
					       .dom = self_id };
	dm[1] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)P3 << 12, .ref = 30,
		.flags = GNTMAP_device_map | GNTMAP_host_map | GNTMAP_readonly, .dom = self_id };
	long drc = gntop(GNTTABOP_map_grant_ref, dm, 2);
	check("device-map-refused", drc == 0 && dm[0].status == GNTST_general_error &&
				    dm[1].status == GNTST_general_error && !dm[0].dev_bus_addr &&
				    !dm[1].dev_bus_addr && !in_use(30) && PAGE(P3)[7] == 0x12345678u,
	      "device maps: rc %ld, status %d and %d, bus addresses 0x%llx 0x%llx, in use %d",
	      drc, dm[0].status, dm[1].status, (unsigned long long)dm[0].dev_bus_addr,
	      (unsigned long long)dm[1].dev_bus_addr, in_use(30));
	ungrant(30);
}

/* ---- 4. read-only is read-only for the hypervisor too ---- */

static uint32_t p4_want[1024];

static bool p4_intact(void)
{
	for (unsigned i = 0; i < 1024; i++)
		if (PAGE(P4)[i] != p4_want[i])
			return false;
	return true;
}

void attack_read_only(void)
{
	long r0 = cur();
	uint32_t hx, hv, hw, h;

	fill(P4, 41);
	/* The first words double as an alloc_unbound / query_size request
	 * the hypervisor reads from the read-only mapping. */
	static const struct evtchn_alloc_unbound req = { DOMID_SELF, DOMID_SELF, 0 };
	memcpy((void *)PAGE(P4), &req, sizeof(req));
	for (unsigned i = 0; i < 1024; i++)
		p4_want[i] = PAGE(P4)[i];
	fill(Y4, 42);
	fill(Z4, 43);
	/* The runstate area and the vcpu_info on pages that become read-only
	 * mappings below. */
	static struct { uint64_t addr; } area;
	area.addr = (uint64_t)V4 << 12;
	long rr = vcpuop(VCPUOP_register_runstate_memory_area, &area);
	static struct vcpu_register_vcpu_info vi;
	vi = (struct vcpu_register_vcpu_info){ W4, 0, 0 };
	long rv = vcpuop(VCPUOP_register_vcpu_info, &vi);
	static struct evtchn_bind_virq bv;
	bv = (struct evtchn_bind_virq){ VIRQ_TIMER, 0, 0 };
	long rb = evtop(EVTCHNOP_bind_virq, &bv);

	grant(40, P4, self_id, GTF_readonly);
	int sx = map(self_id, 40, X4, GNTMAP_readonly, &hx);
	int sv = map(self_id, 40, V4, GNTMAP_readonly, &hv);
	int sw = map(self_id, 40, W4, GNTMAP_readonly, &hw);
	if (!check("ro-map", rr == 0 && rv == 0 && rb == 0 && sx == 0 && sv == 0 && sw == 0 &&
			     same(X4, P4) && same(V4, P4),
		   "runstate area at 0x%x %ld, vcpu_info at 0x%x %ld, VIRQ_TIMER %ld; 0x%x granted "
		   "read-only, mapped so at 0x%x %d, 0x%x %d, 0x%x %d", V4, rr, W4, rv, rb, P4, X4,
		   sx, V4, sv, W4, sw)) {
		if (sx == 0)
			undo(X4, hx);
		if (sv == 0)
			undo(V4, hv);
		if (sw == 0)
			undo(W4, hw);
		return;
	}
	/* A timer event (VIRQ_TIMER: written into the vcpu_info) and the
	 * scheduler's runstate updates while those pages are read-only. */
	static struct vcpu_set_singleshot_timer st;
	st = (struct vcpu_set_singleshot_timer){ now_ns() + 1 * MS, 0 };
	long rt = vcpuop(VCPUOP_set_singleshot_timer, &st);
	sleep_ms(30);
	uint32_t pend = ((volatile uint32_t *)shpage.s.evtchn_pending)[bv.port / 32] >> (bv.port % 32) & 1;
	check("ro-registered-areas", rt == 0 && pend && p4_intact(),
	      "vcpu_info and runstate area now read-only mappings: a timer event (pending in the "
	      "shared info %u) and 30 ms of runstate updates; page intact %d", pend, p4_intact());

	/* Hypercall outputs aimed at the read-only mapping. */
	uint32_t x = X4 << 12;
	long e[14];
	e[0] = hypercall(HYPERVISOR_xen_version, XENVER_extraversion, x, 0, 0, 0);
	e[1] = hypercall(HYPERVISOR_xen_version, XENVER_capabilities, x, 0, 0, 0);
	e[2] = hypercall(HYPERVISOR_xen_version, XENVER_changeset, x, 0, 0, 0);
	e[3] = hypercall(HYPERVISOR_xen_version, XENVER_guest_handle, x, 0, 0, 0);
	e[4] = hypercall(HYPERVISOR_xen_version, XENVER_get_features, x, 0, 0, 0);
	static struct { uint32_t nr, buffer; } mm;
	mm.nr = 8;
	mm.buffer = x;
	e[5] = memop(XENMEM_memory_map, &mm);
	e[6] = hypercall(HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 0, x, 0, 0);
	area.addr = x;
	e[7] = vcpuop(VCPUOP_register_runstate_memory_area, &area);
	e[8] = vcpuop(VCPUOP_register_vcpu_time_memory_area, &area);
	e[9] = evtop(EVTCHNOP_alloc_unbound, (void *)x);
	e[10] = gntop(GNTTABOP_query_size, (void *)x, 1);
	e[11] = gntop(GNTTABOP_setup_table, (void *)x, 1);
	e[12] = hypercall(HYPERVISOR_hvm_op, HVMOP_get_param, x, 0, 0, 0);
	e[13] = wrmsr_safe(XEN_MSR, x); /* the hypercall page: #GP */
	bool all = e[13] == VEC_GP;
	for (unsigned i = 0; i < 13; i++)
		all &= e[i] == -EFAULT;
	/* xen_version extraversion, capabilities, changeset, guest_handle,
	 * get_features; memory_map; vcpu_op get_runstate_info, register
	 * runstate, time area; alloc_unbound, query_size, setup_table,
	 * get_param; the hypercall page MSR (a vector). */
	check("ro-hypercall-outputs", all && p4_intact(),
	      "outputs into the mapping: version ops %ld %ld %ld %ld %ld, memory_map %ld, vcpu_op "
	      "%ld %ld %ld, %ld %ld %ld %ld, hypercall page vector %ld; page intact %d", e[0],
	      e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8], e[9], e[10], e[11], e[12], e[13],
	      p4_intact());

	/* Grant copies into it, a writable grant of it, a writable map of the grant. */
	int c1 = copy_to_frame(Z4, X4), c2 = copy_to_ref(Z4, self_id, 40);
	int c3 = copy_from_ref(self_id, 40, Z4);
	bool read = PAGE(Z4)[0] == p4_want[0] && PAGE(Z4)[15] == p4_want[15];
	fill(Z4, 43);
	grant(41, X4, self_id, 0);
	int m1 = map(self_id, 41, Y4, 0, &h);
	if (m1 == 0)
		undo(Y4, h);
	int m2 = map(self_id, 41, Y4, GNTMAP_readonly, &h);
	if (m2 == 0)
		undo(Y4, h);
	int m3 = map(self_id, 40, Y4, 0, &h);
	if (m3 == 0)
		undo(Y4, h);
	check("ro-copy-and-map", c1 && c2 && c3 == 0 && read && m1 && m2 && m3 && holds(Y4, 42, 0) &&
				 !in_use(41) && p4_intact() &&
				 !(gt[40].flags & GTF_writing),
	      "copy into the mapping %d, into the grant %d (from it %d, reads %d); the mapping "
	      "granted and mapped %d, read-only %d; the grant mapped writable %d", c1, c2, c3,
	      read, m1, m2, m3);
	ungrant(41);
	long g = give1(X4), t = take1(X4);
	long a = add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0, X4);
	check("ro-replace-refused", g == 0 && t == 0 && a < 0 && shinfo_live() && p4_intact() &&
				    same(X4, P4),
	      "give back the mapping %ld, populate it %ld, shared info over it %ld", g, t, a);

	int u1 = unmap(X4, hx), u2 = unmap(V4, hv), u3 = unmap(W4, hw);
	static uint32_t back[3] = { X4, V4, W4 };
	long tb = resv(XENMEM_populate_physmap, back, 3);
	bool z = zeroed(X4);
	static struct evtchn_close cl;
	cl.port = bv.port;
	evtop(EVTCHNOP_close, &cl);
	check("ro-unmapped", u1 == 0 && u2 == 0 && u3 == 0 && !in_use(40) && tb == 3 && z &&
			     p4_intact() && cur() == r0,
	      "unmaps %d %d %d, populated %ld (zeroed %d); reservation %ld (was %ld)", u1, u2, u3,
	      tb, z, cur(), r0);
	ungrant(40);
}

/* ---- 5. bounded work ---- */

static uint32_t bal[NBAL], bad5[200], back5[50];
static struct copy32 cops[100];
static struct gnttab_map_grant_ref mops[NMAP];
static struct gnttab_unmap_grant_ref uops[100];
/* A full maptrack: 1024 mappings (Xen's default per domain here), one more. */
#define MAPTRACK 1024u
#define ABOVE 0x10000u /* above its RAM: holes, no RAM given back */
static struct gnttab_map_grant_ref fops[MAPTRACK + 1];
static struct gnttab_unmap_grant_ref fuops[MAPTRACK];

/* A long list is continued, not done in one go: a timer interrupt (the
 * callback vector, re-armed every 50 us) lands between its batches, and
 * the handler's own hypercall sees the reservation part-way. */
static volatile bool in_call;
static volatile unsigned mid_irqs, mid_seen;
static long mid_a, mid_b; /* the reservation before and after the call */

static void mid_hook(void)
{
	if (!in_call)
		return;
	long c = cur();
	mid_irqs++;
	if ((c > mid_a && c < mid_b) || (c > mid_b && c < mid_a))
		mid_seen++;
	hc_set_timer(now_ns() + 50000);
}

static long preempted(unsigned cmd, const uint32_t *list, uint32_t n, long before, long after)
{
	mid_a = before;
	mid_b = after;
	in_call = true;
	hc_set_timer(now_ns() + 50000);
	sti();
	long r = resv(cmd, list, n);
	in_call = false;
	hc_set_timer(0);
	hc_xen_version(); /* an interrupt still pending is taken now */
	cli();
	return r;
}

void attack_bounded(void)
{
	long max = reservation_of(XENMEM_maximum_reservation, DOMID_SELF);

	if (max < (long)(BAL + NBAL + 64)) {
		fail("bounded", "needs %u pages of RAM, has %ld (memory=32)", BAL + NBAL + 64, max);
		return;
	}
	long r0 = cur();
	for (unsigned i = 0; i < NBAL; i++) {
		bal[i] = BAL + i;
		if (i % 64 == 0)
			PAGE(bal[i])[5] = 0xdeadbeefu;
	}
	callback_hook = mid_hook;
	long cb = callback_setup();
	uint64_t t0 = now_ns();
	long d = preempted(XENMEM_decrease_reservation, bal, NBAL, r0, r0 - (long)NBAL);
	unsigned seen_d = mid_seen, irqs_d = mid_irqs;
	uint64_t t1 = now_ns();
	long r1 = cur();
	long p = preempted(XENMEM_populate_physmap, bal, NBAL, r0 - (long)NBAL, r0);
	unsigned seen_p = mid_seen - seen_d, irqs_p = mid_irqs - irqs_d;
	uint64_t t2 = now_ns();
	long r2 = cur();
	uint64_t off = 0;
	hc_hvm_param(HVMOP_set_param, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, &off);
	callback_hook = 0;
	bool z = true;
	for (unsigned i = 0; i < NBAL; i += 64)
		z &= PAGE(bal[i])[5] == 0;
	check("bounded-balloon", d == NBAL && p == NBAL && r1 == r0 - (long)NBAL && r2 == r0 && z,
	      "%u extents given back in one call: %ld (%llu ms), reservation %ld -> %ld; populated "
	      "again: %ld (%llu ms), reservation %ld, zeroed %d", NBAL, d,
	      (unsigned long long)((t1 - t0) / MS), r0, r1, p, (unsigned long long)((t2 - t1) / MS),
	      r2, z);
	check("bounded-preemptible", cb == 0 && seen_d > 0 && seen_p > 0,
	      "timer interrupts taken inside those calls that saw the reservation part-way: %u "
	      "of %u giving back, %u of %u populating", seen_d, irqs_d, seen_p, irqs_p);

	/* A bad entry (beyond RAM) at 150, past the first continuation. */
	for (unsigned i = 0; i < 200; i++)
		bad5[i] = BAD5 + i;
	bad5[150] = 0x100000; /* 4 GiB */
	long bd = resv(XENMEM_decrease_reservation, bad5, 200), rb = cur();
	long bp = resv(XENMEM_populate_physmap, bad5, 200);
	/* A page given back twice: the second is a hole. */
	static uint32_t twice[3] = { BAD5 + 250, BAD5 + 250, BAD5 + 251 };
	long tw = resv(XENMEM_decrease_reservation, twice, 3);
	long tb = resv(XENMEM_populate_physmap, twice, 1);
	check("bounded-bad-entry", bd == 150 && rb == r0 - 150 && bp == 150 && tw == 1 && tb == 1 &&
				   cur() == r0,
	      "200 extents, a bad one at 150: given back %ld (reservation %ld), populated %ld; "
	      "a page twice: %ld, back %ld; reservation %ld (was %ld)", bd, rb, bp, tw, tb,
	      cur(), r0);

	/* A list whose second half lies in a page given back: stops there. */
	uint32_t *list = (uint32_t *)(uintptr_t)((LP << 12) + 4096 - 50 * 4);
	for (unsigned i = 0; i < 100; i++)
		list[i] = CROSS5 + i;
	long gh = give1(LH), r3 = cur();
	long cd = resv(XENMEM_decrease_reservation, list, 100);
	for (unsigned i = 0; i < 50; i++)
		back5[i] = CROSS5 + i;
	long cp = resv(XENMEM_populate_physmap, back5, 50), th = take1(LH);
	long bptr = resv(XENMEM_decrease_reservation, (const uint32_t *)0xfffff000u, 10);
	check("bounded-list-in-hole", gh == 1 && cd == 50 && cp == 50 && th == 1 && bptr == -EFAULT &&
				      r3 == r0 - 1 && cur() == r0,
	      "a 100-extent list whose last 50 lie in a hole: %ld, populated %ld; a list at a bad "
	      "address %ld; reservation %ld (was %ld)", cd, cp, bptr, cur(), r0);

	/* Grant lists: 100 copies (longer than a batch), 40 maps and unmaps of
	 * one grant, 100 unmaps of handles that do not exist (the maps' batch
	 * is 128: the full maptrack below continues them). */
	fill(G5, 51);
	fill(Z5, 52);
	grant(50, G5, self_id, 0);
	for (unsigned i = 0; i < 100; i++)
		cops[i] = (struct copy32){ { 50, DOMID_SELF, (uint16_t)(i * 40) },
			{ Z5, DOMID_SELF, (uint16_t)(i * 40) }, 40, GNTCOPY_source_gref, 1, 0 };
	long rc = gntop(GNTTABOP_copy, cops, 100);
	unsigned ok = 0;
	for (unsigned i = 0; i < 100; i++)
		ok += cops[i].status == GNTST_okay;
	bool copied = true;
	for (unsigned i = 0; i < 1000; i++)
		copied &= PAGE(Z5)[i] == word(51, i);
	check("bounded-grant-copy", rc == 0 && ok == 100 && copied && !in_use(50),
	      "100 copies in one call: %ld, %u okay, copied %d", rc, ok, copied);
	grant(51, G5, self_id, GTF_readonly);
	for (unsigned i = 0; i < NMAP; i++)
		mops[i] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)(M5 + i) << 12,
			.flags = GNTMAP_host_map | GNTMAP_readonly, .ref = 51, .dom = self_id };
	long rm = gntop(GNTTABOP_map_grant_ref, mops, NMAP);
	unsigned mapped = 0;
	for (unsigned i = 0; i < NMAP; i++)
		mapped += mops[i].status == GNTST_okay && PAGE(M5 + i)[9] == word(51, 9);
	long give_mapped = give1(G5);
	for (unsigned i = 0; i < NMAP; i++)
		uops[i] = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)(M5 + i) << 12,
			.handle = mops[i].handle };
	long ru = gntop(GNTTABOP_unmap_grant_ref, uops, NMAP);
	unsigned unmapped = 0;
	for (unsigned i = 0; i < NMAP; i++)
		unmapped += uops[i].status == GNTST_okay;
	static uint32_t m5[NMAP];
	for (unsigned i = 0; i < NMAP; i++)
		m5[i] = M5 + i;
	long rp = resv(XENMEM_populate_physmap, m5, NMAP);
	check("bounded-grant-maps", rm == 0 && mapped == NMAP && give_mapped == 0 && ru == 0 &&
				    unmapped == NMAP && !in_use(51) && rp == NMAP && cur() == r0,
	      "%u maps of one grant in one call: %ld, %u mapped (the page given back %ld); "
	      "unmapped in one call %ld, %u; populated %ld; reservation %ld (was %ld)",
	      NMAP, rm, mapped, give_mapped, ru, unmapped, rp, cur(), r0);
	for (unsigned i = 0; i < 100; i++)
		uops[i] = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)(M5 + i) << 12,
			.handle = 5000 + i };
	long rx = gntop(GNTTABOP_unmap_grant_ref, uops, 100);
	unsigned bad = 0;
	for (unsigned i = 0; i < 100; i++)
		bad += uops[i].status == GNTST_bad_handle;
	check("bounded-bad-handles", rx == 0 && bad == 100, "100 unmaps of no mapping: %ld, %u "
	      "GNTST_bad_handle", rx, bad);

	/* The maptrack filled in one call: those too many are refused (the
	 * granter holds three mappings already). */
	unsigned held = role == 'a' ? 3 : 0; /* XA, SA, AB */
	for (unsigned i = 0; i <= MAPTRACK; i++)
		fops[i] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)(ABOVE + i) << 12,
			.flags = GNTMAP_host_map | GNTMAP_readonly, .ref = 51, .dom = self_id };
	long rf = gntop(GNTTABOP_map_grant_ref, fops, MAPTRACK + 1);
	unsigned fm = 0, full = 0;
	while (fm <= MAPTRACK && fops[fm].status == GNTST_okay)
		fm++;
	for (unsigned i = fm; i <= MAPTRACK; i++)
		full += fops[i].status == GNTST_no_device_space;
	bool reads = fm && PAGE(ABOVE)[3] == word(51, 3) && PAGE(ABOVE + fm - 1)[3] == word(51, 3);
	for (unsigned i = 0; i < fm; i++)
		fuops[i] = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)(ABOVE + i) << 12,
			.handle = fops[i].handle };
	long rfu = gntop(GNTTABOP_unmap_grant_ref, fuops, fm);
	unsigned fu = 0;
	for (unsigned i = 0; i < fm; i++)
		fu += fuops[i].status == GNTST_okay;
	check("bounded-maptrack-full", rf == 0 && fm == MAPTRACK - held && reads &&
				       full == MAPTRACK + 1 - fm && rfu == 0 && fu == fm &&
				       !in_use(51) && cur() == r0,
	      "%u maps above its RAM in one call (%u held): %ld, %u mapped (read %d), %u "
	      "GNTST_no_device_space; unmapped in one call %ld, %u", MAPTRACK + 1, held, rf, fm,
	      reads, full, rfu, fu);
	ungrant(50);
	ungrant(51);
}

