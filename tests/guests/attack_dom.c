/* SPDX-License-Identifier: GPL-2.0-only */
/* attack (see attack.c): attacks 6 and 7: domain ids, and a dying
 * granter (A, the granter; B, the mapper). */
#include "attack.h"

/* ---- 6. domain ids ---- */

/* Every call that names dom as its target domain: how many were NOT
 * refused (0 is right), the first such in *what; target_nr calls. A's
 * ref 9 is never granted (its peer's map of it must fail too). */
static unsigned target_nr;

static unsigned target_calls(uint16_t dom, const char **what)
{
	static uint32_t t6 = T6, h6 = H6;
	static struct evtchn_alloc_unbound au;
	static struct evtchn_bind_interdomain bi;
	static struct evtchn_status es;
	static struct evtchn_reset er;
	static struct gnttab_query_size qs;
	static struct gnttab_setup_table su;
	static struct sched_remote_shutdown rs;
	static struct { uint16_t domid, pad; uint32_t nr, buffer; } smm;
	static struct xen_e820_entry e820[1];
	unsigned n = 0;
	uint32_t h;
	uint64_t v = 0;
	static bool n_seen; /* the codes printed once */

	long c[24];
	unsigned k = 0;
	/* Refused for real: an error, and not -ENOSYS or -EFAULT, which would
	 * mean the call never got to the domain id (a layout bug here). */
#define REFUSED(name, expr)                                                        \
	do {                                                                        \
		long c_ = c[k++] = (expr);                                          \
		if (!(c_ < 0 && c_ != -ENOSYS && c_ != -EFAULT &&                   \
		      c_ != RC_STATUS(-ENOSYS) && c_ != RC_STATUS(-EFAULT)) && !n++) \
			*what = name;                                               \
	} while (0)
	REFUSED("current_reservation", reservation_of(XENMEM_current_reservation, dom));
	REFUSED("maximum_reservation", reservation_of(XENMEM_maximum_reservation, dom));
	REFUSED("decrease_reservation", resv_dom(XENMEM_decrease_reservation, &t6, 1, dom));
	REFUSED("populate_physmap", resv_dom(XENMEM_populate_physmap, &h6, 1, dom));
	REFUSED("increase_reservation", resv_dom(XENMEM_increase_reservation, &h6, 1, dom));
	REFUSED("add_to_physmap", add_to_physmap(dom, XENMAPSPACE_shared_info, 0, T6));
	smm.domid = dom;
	smm.nr = 1;
	smm.buffer = (uint32_t)(uintptr_t)e820;
	REFUSED("set_memory_map", memop(XENMEM_set_memory_map, &smm));
	int st = map(dom, 9, T6, 0, &h);
	if (st == 0)
		undo(T6, h);
	REFUSED("map_grant_ref", st);
	REFUSED("copy from a grant", copy_from_ref(dom, 9, T6));
	REFUSED("copy into a grant", copy_to_ref(T6, dom, 9));
	qs = (struct gnttab_query_size){ dom, 0, 0, 0 };
	long rq = gntop(GNTTABOP_query_size, &qs, 1);
	REFUSED("query_size", rq ? rq : qs.status);
	su = (struct gnttab_setup_table){ .dom = dom, .nr_frames = 1 };
	long rsu = gntop(GNTTABOP_setup_table, &su, 1);
	REFUSED("setup_table", rsu ? rsu : su.status);
	au = (struct evtchn_alloc_unbound){ dom, DOMID_SELF, 0 };
	REFUSED("alloc_unbound", evtop(EVTCHNOP_alloc_unbound, &au));
	bi = (struct evtchn_bind_interdomain){ dom, 1, 0 };
	REFUSED("bind_interdomain", evtop(EVTCHNOP_bind_interdomain, &bi));
	es = (struct evtchn_status){ .dom = dom, .port = 1 };
	REFUSED("evtchn status", evtop(EVTCHNOP_status, &es));
	er.dom = dom;
	REFUSED("evtchn reset", evtop(EVTCHNOP_reset, &er));
	REFUSED("hvm get_param", hc_hvm_param(HVMOP_get_param, dom, HVM_PARAM_CALLBACK_IRQ, &v));
	v = 0;
	REFUSED("hvm set_param", hc_hvm_param(HVMOP_set_param, dom, HVM_PARAM_CALLBACK_IRQ, &v));
	rs = (struct sched_remote_shutdown){ dom, SHUTDOWN_poweroff };
	REFUSED("remote_shutdown", hypercall(HYPERVISOR_sched_op, SCHEDOP_remote_shutdown,
					     (unsigned long)&rs, 0, 0, 0));
	if (!n_seen || dom == peer || dom == 0x8000) { /* what they said, for the log */
		char line[160];
		unsigned at = 0;
		for (unsigned i = 0; i < k && at < sizeof(line) - 8; i++)
			at += (unsigned)snprintf_(line + at, sizeof(line) - at, " %ld", c[i]);
		line[at] = 0;
		gprintf("attack: domain 0x%x as the target:%s\n", dom, line);
	}
	target_nr = k;
#undef REFUSED
	n_seen = true;
	return n;
}

void attack_domain_ids(void)
{
	uint32_t r[4];

	cpuid(0x40000004, 0, r);
	check("ids-cpuid", (r[0] & 0x10) && r[2] == self_id && self_id > 0 && self_id < 0x7ff0 &&
			   (!role || (peer < 0x7ff0 && peer > 0 && peer != self_id)),
	      "own id %u, peer %u: below 0x7ff0 (DOMID_FIRST_RESERVED), not domain 0", r[2], peer);
	fill(T6, 61);
	take1(H6);
	give1(H6); /* a hole, whatever it was */
	long r0 = cur();
	/* A positive control: its own id works where DOMID_SELF does. */
	long own = reservation_of(XENMEM_current_reservation, self_id);
	unsigned reserved_bad = 0, reserved_ids = 0;
	const char *what = "";
	uint16_t first = 0;
	uint16_t ids[32];
	unsigned nids = 0;
	for (uint16_t d = DOMID_SELF + 1; d <= 0x7fff; d++)
		ids[nids++] = d;
	static const uint16_t extra[] = { 0x8000, 0x8001, 0xfff0, 0xfffe, 0xffff };
	for (unsigned i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		ids[nids++] = extra[i];
	for (unsigned i = 0; i < nids; i++) {
		const char *w = "";
		unsigned n = target_calls(ids[i], &w);
		reserved_ids++;
		if (n && !reserved_bad++) {
			first = ids[i];
			what = w;
		}
	}
	check("ids-reserved-refused", reserved_bad == 0 && own == r0 && holds(T6, 61, 0) &&
				      cur() == r0 && shinfo_live(),
	      "%u reserved ids (0x7ff1-0x7fff, 0x8000-1, 0xfff0, 0xfffe-f) as the target of %u "
	      "calls each: %u not refused%s%s; own id %ld; reservation %ld (was %ld)", reserved_ids,
	      target_nr, reserved_bad, reserved_bad ? ", first " : "", reserved_bad ? what : "",
	      own, cur(), r0);
	if (reserved_bad)
		gprintf("attack: the first not refused: domain 0x%x, %s\n", first, what);
	if (role) {
		const char *w = "";
		unsigned n = target_calls(peer, &w);
		check("ids-peer-refused", n == 0 && holds(T6, 61, 0) && cur() == r0,
		      "the peer (domain %u) as the target of %u calls: %u not refused%s%s", peer, target_nr, n,
		      n ? ", first " : "", n ? w : "");
	}
	/* Domain 0 (no management domain here, or not ours to name). */
	const char *w0 = "";
	unsigned n0 = target_calls(0, &w0);
	check("ids-dom0-refused", n0 == 0 && holds(T6, 61, 0) && cur() == r0 &&
				  hc_xen_version() == (long)EYRIE_XEN_VERSION,
	      "domain 0 as the target of %u calls: %u not refused%s%s; xen_version still answers",
	      target_nr, n0, n0 ? ", first " : "", n0 ? w0 : "");
	take1(H6);
}

/* ---- 7. a dying granter ---- */

/* A: grants B its page DA (ref 1), and the aliases B must be refused:
 * its own page PA mapped at XA (ref 2), the shared info (ref 3), the
 * grant-table frame (ref 4). */
static uint32_t a_handle, s_handle, b_handle;

void granter_setup(void)
{
	fill(DA, 70);
	put_str(DA, A_MSG, a_ready);
	PAGE(DA)[B_MSG / 4] = 0;
	fill(PA, 71);
	fill(DB, 73);
	grant(60, PA, self_id, 0);
	int st = map(self_id, 60, XA, 0, &a_handle);
	grant(61, DA, self_id, 0);
	int st2 = map(self_id, 61, SA, 0, &s_handle);
	grant(2, XA, peer, 0);
	grant(3, SHINFO, peer, 0);
	grant(4, GT, peer, 0);
	grant(5, DB, peer, GTF_readonly);
	grant(6, UA1, peer, 0);
	grant(8, UA2, peer, GTF_readonly);
	grant(1, DA, peer, 0); /* last: B maps it, then tries the others */
	check("granter-setup", st == 0 && st2 == 0 && same(XA, PA) && same(SA, DA),
	      "0x%x granted to domain %u (ref 1), 0x%x read-only (5), its alias 0x%x (2), shared "
	      "info (3), grant frame (4); own pages mapped: %d %d", DA, peer, DB, XA, st, st2);
	/* The peer's page (its ref 7), mapped until A dies. */
	uint64_t end = now_ns() + 20000 * MS;
	int sb;
	while ((sb = map(peer, 7, AB, 0, &b_handle)) != 0 && now_ns() < end)
		sleep_ms(20);
	if (sb == 0)
		put_str(AB, 0, a_here);
	check("granter-maps-peer", sb == 0 && has_str(AB, 0, a_here), "domain %u's ref 7 mapped at "
	      "0x%x: %d", peer, AB, sb);
}

void granter_finish(void)
{
	uint64_t end = now_ns() + 240000 * MS;

	while (!has_str(DA, B_MSG, b_mapped) && now_ns() < end)
		sleep_ms(20);
	bool mapped = has_str(DA, B_MSG, b_mapped);
	uint16_t f1 = gt[1].flags, f2 = gt[2].flags, f3 = gt[3].flags, f4 = gt[4].flags;
	uint16_t f5 = gt[5].flags;
	check("granter-peer-mapped", mapped && (f1 & GTF_reading) && (f1 & GTF_writing) &&
				     (f5 & GTF_reading) && !(f5 & GTF_writing) &&
				     !((f2 | f3 | f4) & (GTF_reading | GTF_writing)),
	      "domain %u says it mapped refs 1 and 5: %d; in use 0x%x 0x%x, refs 2-4 not 0x%x "
	      "0x%x 0x%x", peer, mapped, f1, f5, f2, f3, f4);
	/* The last data, then power off still granting it (and still mapping
	 * its own page at the alias). */
	fill(DB, 74);
	fill(DA, 72);
	put_str(DA, B_MSG, b_mapped);
	put_str(DA, A_MSG, a_last); /* last: B takes the page once it sees this */
	gprintf("attack: dying with 0x%x (also mapped at 0x%x) and 0x%x mapped by domain %u, "
		"0x%x mapped at 0x%x, domain %u's page at 0x%x\n", DA, SA, DB, peer, PA, XA, peer, AB);
}

/* B: the mapper. */
static uint32_t last[1024];

void mapper(void)
{
	uint32_t h, h2;
	int st = 1;
	uint64_t t0 = now_ns(), end = t0 + 120000 * MS;

	fill(YB, 80);
	fill(ZB, 81);
	fill(BG, 82);
	grant(7, BG, peer, 0); /* A maps it, and dies with it */
	while (now_ns() < end && (st = map(peer, 1, MB, 0, &h)) != 0)
		sleep_ms(20);
	if (!check("mapper-map", st == 0 && has_str(MB, A_MSG, a_ready) && holds(MB, 70, DATA / 4),
		   "domain %u's ref 1 mapped at 0x%x after %llu ms: %d", peer, MB,
		   (unsigned long long)((now_ns() - t0) / MS), st))
		return;
	/* A's alias of its own page, its shared info, its grant frame: refused. */
	int a1 = map(peer, 2, YB, 0, &h2);
	if (a1 == 0)
		undo(YB, h2);
	int a2 = map(peer, 2, YB, GNTMAP_readonly, &h2);
	if (a2 == 0)
		undo(YB, h2);
	int a3 = copy_from_ref(peer, 2, ZB), a4 = copy_to_ref(ZB, peer, 2);
	check("mapper-alias-refused", a1 && a2 && a3 && a4 && holds(YB, 80, 0) && holds(ZB, 81, 0),
	      "domain %u's grant of its alias (a mapping of its own page): map %d (want "
	      "GNTST_bad_page %d), read-only %d, copy from %d, into %d", peer, a1, GNTST_bad_page, a2,
	      a3, a4);
	int s1 = map(peer, 3, YB, 0, &h2);
	if (s1 == 0)
		undo(YB, h2);
	int s2 = map(peer, 4, YB, 0, &h2);
	if (s2 == 0)
		undo(YB, h2);
	int s3 = copy_from_ref(peer, 3, ZB), s4 = copy_from_ref(peer, 4, ZB);
	int s5 = copy_to_ref(ZB, peer, 4);
	check("mapper-frames-refused", s1 && s2 && s3 && s4 && s5 && holds(YB, 80, 0) &&
				       holds(ZB, 81, 0),
	      "domain %u's shared info granted: map %d, copy %d; its grant frame: map %d, copy "
	      "from %d, into %d", peer, s1, s3, s2, s4, s5);
	uint32_t hr;
	int r1 = map(peer, 5, RB, 0, &h2);
	if (r1 == 0)
		undo(RB, h2);
	int r2 = map(peer, 5, RB, GNTMAP_readonly, &hr);
	long ro1 = r2 ? 0 : hypercall(HYPERVISOR_xen_version, XENVER_extraversion, RB << 12, 0, 0, 0);
	long ro2 = r2 ? 0 : hypercall(HYPERVISOR_xen_version, XENVER_capabilities, RB << 12, 0, 0, 0);
	int ro3 = copy_to_ref(ZB, peer, 5), ro4 = copy_to_frame(ZB, RB);
	check("mapper-read-only", r1 != 0 && r2 == 0 && ro1 == -EFAULT && ro2 == -EFAULT && ro3 &&
				  ro4 && holds(RB, 73, 0),
	      "domain %u's read-only grant: mapped writable %d, read-only %d; outputs into it "
	      "%ld %ld, copies into the grant %d and the mapping %d", peer, r1, r2, ro1, ro2, ro3,
	      ro4);
	/* Pages of regions A never used: populated (zeroed) for the grant,
	 * never an earlier owner's bytes. */
	int z1 = map(peer, 6, UB, 0, &h2);
	bool zb = z1 == 0 && zeroed(UB);
	if (z1 == 0)
		unmap(UB, h2);
	long zt = take1(UB);
	int z2 = copy(8, peer, 0, ZB, DOMID_SELF, 0, 4096, GNTCOPY_source_gref);
	bool zc = z2 == 0 && zeroed(ZB);
	fill(ZB, 81);
	check("mapper-untouched-zero", zb && zt == 1 && zc, "domain %u's never-used pages: mapped "
	      "%d, zero %d; copied whole %d, zero %d", peer, z1, zb, z2, zc);
	/* A maps B's page: B cannot give it back meanwhile. */
	end = now_ns() + 60000 * MS;
	while (!has_str(BG, 0, a_here) && now_ns() < end)
		sleep_ms(20);
	long gb = give1(BG);
	check("mapper-mapped-by-peer", has_str(BG, 0, a_here) && in_use(7) && gb == 0 &&
				       holds(BG, 82, 4),
	      "domain %u wrote into B's page through its mapping %d (ref 7 in use 0x%x); given "
	      "back meanwhile %ld", peer, has_str(BG, 0, a_here), gt[7].flags, gb);
	put_str(MB, B_MSG, b_mapped);

	/* Its last words, then its end. */
	end = now_ns() + 300000 * MS;
	while (!has_str(MB, A_MSG, a_last) && now_ns() < end)
		sleep_ms(20);
	for (unsigned i = 0; i < 1024; i++)
		last[i] = PAGE(MB)[i];
	bool said = has_str(MB, A_MSG, a_last) && holds(MB, 72, DATA / 4);
	int c = 0;
	end = now_ns() + 60000 * MS;
	while (now_ns() < end && (c = copy_from_ref(peer, 1, ZB)) != GNTST_bad_domain)
		sleep_ms(20);
	bool still = r2 == 0 && holds(RB, 74, 0);
	for (unsigned i = 0; i < 1024; i++)
		still &= PAGE(MB)[i] == last[i];
	if (!check("mapper-granter-gone", said && c == GNTST_bad_domain && still,
		   "domain %u's last data seen %d; then it is gone (a copy from its grant: %d, "
		   "want %d); the mapping still reads that data %d", peer, said, c,
		   GNTST_bad_domain, still))
		return;
	/* The dead domain's mapping of B's page ended with it. */
	long gb2 = in_use(7) ? -1 : give1(BG), tb2 = take1(BG);
	check("mapper-peer-mapping-gone", gb2 == 1 && tb2 == 1 && zeroed(BG),
	      "ref 7 no longer in use (0x%x), the page given back %ld and populated %ld, zeroed",
	      gt[7].flags, gb2, tb2);
	ungrant(7);
	put_str(MB, 2048, "B writes to the orphan");
	bool wrote = has_str(MB, 2048, "B writes to the orphan");
	for (unsigned i = 0; i < 1024; i++)
		last[i] = PAGE(MB)[i];
	check("mapper-orphan-writable", wrote, "a write to the dead granter's page reads back");
	/* The orphan is not B's to grant, copy, give back or replace. */
	fill(ZB, 81); /* (the copies above wrote into it) */
	grant(10, MB, self_id, 0);
	int o1 = map(self_id, 10, YB, 0, &h2);
	if (o1 == 0)
		undo(YB, h2);
	int o2 = copy_from_ref(self_id, 10, ZB), o3 = copy_from_frame(MB, ZB);
	int o4 = copy_to_frame(ZB, MB);
	long o5 = give1(MB), o6 = take1(MB);
	long o7 = add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0, MB);
	bool kept = shinfo_live();
	for (unsigned i = 0; i < 1024; i++)
		kept &= PAGE(MB)[i] == last[i];
	check("mapper-orphan-refused", o1 && o2 && o3 && o4 && o5 == 0 && o6 == 0 && o7 < 0 &&
				       kept && holds(YB, 80, 0) && holds(ZB, 81, 0) && !in_use(10),
	      "granted and mapped %d; copied from the grant %d, from it %d, into it %d; given "
	      "back %ld, populated %ld, shared info over it %ld; intact %d", o1, o2, o3, o4, o5,
	      o6, o7, kept && holds(YB, 80, 0) && holds(ZB, 81, 0));
	ungrant(10);

	/* The boot test audits now, then creates a domain that gets the id. */
	gprintf("attack: holding the orphan of domain %u at 0x%x; waiting for a new domain %u\n",
		peer, MB, peer);
	end = now_ns() + 120000 * MS;
	while (now_ns() < end && (c = copy_from_ref(peer, 1, ZB)) == GNTST_bad_domain)
		sleep_ms(20);
	still = holds(RB, 74, 0);
	for (unsigned i = 0; i < 1024; i++)
		still &= PAGE(MB)[i] == last[i];
	check("mapper-id-reused", c != GNTST_bad_domain && c != GNTST_okay && still,
	      "a new domain %u (a copy from its ref 1: %d, not granted); the orphan still reads "
	      "the old one's data %d", peer, c, still);
	int u = unmap(MB, h), u2 = unmap(MB, h);
	int again = map(peer, 1, MB, 0, &h2);
	if (again == 0)
		unmap(MB, h2);
	long t = take1(MB);
	check("mapper-unmapped", u == 0 && u2 == GNTST_bad_handle && again != 0 && t == 1 &&
				 zeroed(MB),
	      "unmap %d, a second time %d; the new domain %u's ref 1: %d; populated %ld, zeroed %d",
	      u, u2, peer, again, t, zeroed(MB));
	gprintf("attack: dying with the read-only orphan still mapped at 0x%x\n", RB);
}

