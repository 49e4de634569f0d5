/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz: a stateful hypercall fuzzer. Run as two PVH domains side by side
 * (type=pvh,vcpus=2,memory=8, cmdline=fuzz:seed=S,calls=N[,peer=ID|none]
 * [,trace=K]); each makes N hypercalls chosen at random from a seed, well
 * formed but hostile, across every call the ABI offers (docs/abi.md), and
 * a share of raw random ones.
 *
 * It keeps a model of what it expects the hypervisor to hold for it and
 * checks every result against it; any disagreement is a FAIL line naming
 * the call's index (replay with the same seed; `trace=K` prints every
 * call from the K-th on):
 *
 *  - the arena, guest frames [4 MiB, RAM end) plus 64 pages above RAM and
 *    three far ones: each page is RAM (with a tag: owner, gfn, generation,
 *    and a pattern; or zero since it was ballooned back), a hole, a grant
 *    mapping (of its own page or the peer's; read-only or not), the
 *    shared info or a grant-table frame. Only the arena is ever given back,
 *    replaced or mapped over; a page is only read or written when the
 *    model says it is there, and its contents are checked;
 *  - its grant table (every entry it wrote, the uses it holds itself, the
 *    hypervisor's GTF_reading/GTF_writing bits), its maptrack handles
 *    (the next handle is predicted), its reservation;
 *  - its event channels (state of every port, pending and mask bits);
 *  - its HVM parameters, vcpu 1 (started, taken down, brought up).
 *
 * Two fuzzers find each other (peer=ID, or as neighbours: each grants its
 * mailbox page read-only to both neighbours and maps the one that granted
 * it back), then each publishes in its mailbox, under a sequence counter,
 * what the other may use: its grants to the peer (reference, frame, flags,
 * what the page is) and the ports it allocated for or bound to the peer.
 * A call on the peer's grants or ports whose result depends on the peer's
 * state is checked exactly when the counter did not move across it, and
 * only for a legal result otherwise. A granter never changes an entry the
 * peer may hold: it revokes it first (compare-and-swap, refused while in
 * use). The peer writes only the second half of a page it may write.
 */
#include "fuzz.h"

const char guest_name[] = "fuzz";

/* ---- configuration: the command line ------------------------------------ */

uint32_t cfg_seed = 1, cfg_calls = 10000, cfg_trace = 0xffffffffu;
static int cfg_peer = -2; /* -2: a neighbour, -1: none, else that id */

static bool key(const char **p, const char *k)
{
	size_t n = strlen(k);

	if (memcmp(*p, k, n))
		return false;
	*p += n;
	return true;
}

static uint32_t number(const char **p)
{
	uint32_t v = 0;

	while (**p >= '0' && **p <= '9')
		v = v * 10 + (uint32_t)(*(*p)++ - '0');
	return v;
}

static void parse_cmdline(const char *c)
{
	for (const char *p = c; *p;) {
		if (key(&p, "seed="))
			cfg_seed = number(&p);
		else if (key(&p, "calls="))
			cfg_calls = number(&p);
		else if (key(&p, "trace="))
			cfg_trace = number(&p);
		else if (key(&p, "peer=none"))
			cfg_peer = -1;
		else if (key(&p, "peer="))
			cfg_peer = (int)number(&p);
		else
			p++;
	}
}

/* ---- random numbers (xorshift64*) ---------------------------------------- */

uint64_t rs;

uint32_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return (uint32_t)((rs * 0x2545f4914f6cdd1dull) >> 32);
}

uint32_t below(uint32_t n)
{
	return (uint32_t)(((uint64_t)rnd() * n) >> 32);
}

bool chance(uint32_t percent)
{
	return below(100) < percent;
}

/* ---- accounting and reporting ---------------------------------------------- */

static const char *const fam_name[NFAM] = {
	"grant", "memory", "evtchn", "vcpu", "sched", "hvm", "physdev", "console", "version",
	"timer", "eyrie", "raw", "code",
};
uint32_t ncalls, fcalls[NFAM], fok[NFAM], fbad[NFAM], nprinted;
struct stats st;

long hc(enum fam f, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
	uint32_t a5)
{
	long rc = hypercall(nr, a1, a2, a3, a4, a5);

	ncalls++;
	fcalls[f]++;
	fok[f] += rc >= 0;
	if (ncalls >= cfg_trace)
		gprintf("fuzz: #%u %s %u(0x%x, 0x%x, 0x%x, 0x%x, 0x%x) = %ld\n", ncalls, fam_name[f],
			nr, a1, a2, a3, a4, a5, rc);
	return rc;
}

/* A disagreement with the model: one FAIL line (the first 40). */
__attribute__((format(printf, 2, 3))) void bad(enum fam f, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	fbad[f]++;
	if (nprinted++ >= 40)
		return;
	va_start(ap, fmt);
	vsnprintf_(why, sizeof(why), fmt, ap);
	va_end(ap);
	gprintf("FAIL fuzz/%s: call %u (seed %u): %s\n", fam_name[f], ncalls, cfg_seed, why);
}

/* rc (>= 0 is success) as a bit: 0 for success, else its errno. */
uint64_t ebit(long rc)
{
	return rc >= 0 ? 1 : -rc < 64 ? 1ull << -rc : 1ull << 63;
}

bool expect_rc(enum fam f, const char *what, long rc, uint64_t allowed)
{
	if (ebit(rc) & allowed)
		return true;
	bad(f, "%s: %ld (allowed mask 0x%llx)", what, rc, (unsigned long long)allowed);
	return false;
}

/* A GNTST_* status as a bit. */
uint32_t sbit(int status)
{
	return status <= 0 && status > -32 ? 1u << -status : 1u << 31;
}

/* ---- hypercall wrappers ----------------------------------------------------- */

long evt_op(unsigned cmd, const void *arg)
{
	return hc(F_EVT, HYPERVISOR_event_channel_op, cmd, (uint32_t)(uintptr_t)arg, 0, 0, 0);
}

long gnt_op(unsigned cmd, const void *arg, uint32_t count)
{
	return hc(F_GNT, HYPERVISOR_grant_table_op, cmd, (uint32_t)(uintptr_t)arg, count, 0, 0);
}

long mem_op(uint32_t cmd, const void *arg)
{
	return hc(F_MEM, HYPERVISOR_memory_op, cmd, (uint32_t)(uintptr_t)arg, 0, 0, 0);
}

long vcpu_op(unsigned cmd, unsigned vcpu, const void *arg)
{
	return hc(F_VCPU, HYPERVISOR_vcpu_op, cmd, vcpu, (uint32_t)(uintptr_t)arg, 0, 0);
}

long sched_op(unsigned cmd, const void *arg)
{
	return hc(F_SCHED, HYPERVISOR_sched_op, cmd, (uint32_t)(uintptr_t)arg, 0, 0, 0);
}

long set_timer(uint64_t t)
{
	return hc(F_TIMER, HYPERVISOR_set_timer_op, (uint32_t)t, (uint32_t)(t >> 32), 0, 0, 0);
}

/* ---- set-up --------------------------------------------------------------------------------- */

static void callback(void)
{
	st.callbacks_seen++;
}

static long map_space(uint32_t space, uint32_t idx, uint32_t gfn)
{
	static struct atp32 a;

	a = (struct atp32){ DOMID_SELF, 0, space, idx, gfn };
	return mem_op(XENMEM_add_to_physmap, &a);
}

static void place_frame(uint32_t f, uint32_t slot)
{
	long rc = map_space(f ? XENMAPSPACE_grant_table : XENMAPSPACE_shared_info, f ? f - 1 : 0,
			    slot_gfn(slot));

	check(f ? "map-grant-frame" : "map-shared-info", rc == 0, "at 0x%x: %ld", slot_gfn(slot), rc);
	pg[slot] = (struct page){ .kind = f ? PG_GNT : PG_SHINFO, .gframe = (uint8_t)f };
	frame_gfn[f] = slot_gfn(slot);
	if (f > gt_nr)
		gt_nr = f;
}

static bool setup(void)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;
	const char *cmd = boot_ebx && si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : "";
	uint32_t r[4];

	parse_cmdline(cmd);
	cpuid(0x40000004, 0, r);
	self_id = r[2];
	rs = 0x9e3779b97f4a7c15ull ^ ((uint64_t)cfg_seed << 17) ^ cfg_seed;
	for (int i = 0; i < 8; i++)
		rnd();
	gprintf("fuzz: seed=%u calls=%u domain %u, cmdline \"%s\"\n", cfg_seed, cfg_calls, self_id, cmd);
	cli();
	callback_hook = callback;
	uint16_t dom = DOMID_SELF;
	ram_pages = (uint32_t)mem_op(XENMEM_maximum_reservation, &dom);
	long cur = mem_op(XENMEM_current_reservation, &dom);
	if (!check("reservation", (long)ram_pages > (long)ARENA_LO + 64 && cur == (long)ram_pages,
		   "%u pages, current %ld (the arena needs RAM beyond 4 MiB + 256 KiB)", ram_pages, cur))
		return false;
	nvcpus = vcpu_op(VCPUOP_is_up, 1, NULL) == -ENOENT ? 1 : 2;
	/* The last page of RAM stays out: raw calls with pointers straddling
	 * RAM's end may write its last bytes. */
	arena_n = ram_pages - ARENA_LO - 1 < ARENA_MAX ? ram_pages - ARENA_LO - 1 : ARENA_MAX;
	mailview_gfn = ram_pages + 0x80;
	upper_lo = ram_pages + 0x100;
	nslot = arena_n + UPPER_N + NFAR;
	for (uint32_t s = 0; s < nslot; s++)
		pg[s] = (struct page){ .kind = s < arena_n ? PG_RAM : PG_HOLE };
	arena_ram = arena_n;
	for (uint32_t f = 0; f <= GT_MAX; f++)
		frame_gfn[f] = NO_GFN;
	for (uint32_t h = 0; h < NHANDLE; h++)
		hnext[h] = (uint16_t)(h + 1);
	pt[0].st = P_RES;
	for (uint32_t p = 0; p < NPORT; p++)
		set_pend(p, 0);

	/* Our HVM parameters: all 0 at first. */
	for (uint32_t i = 0; i < HVM_NR_PARAMS; i++) {
		uint64_t v = 1;
		if (hc_hvm_param(HVMOP_get_param, DOMID_SELF, i, &v))
			v = 0; /* the console ring's, while there is none: -ENOENT */
		hvmp[i] = v;
	}
	check("callback", callback_setup() == 0, "HVM_PARAM_CALLBACK_IRQ");
	hvmp[HVM_PARAM_CALLBACK_IRQ] = HVM_CALLBACK_VECTOR(CALLBACK_VECTOR);

	/* The shared info and grant frame 0 above RAM (no RAM lost). */
	place_frame(0, arena_n);
	place_frame(1, arena_n + 1);
	check("grant-frame-zero", zero(slot_ptr(arena_n + 1), 4096), "grant table frame 0 is empty");
	/* vcpu_info and runstate areas in pages of our own. */
	for (uint32_t v = 0; v < nvcpus; v++) {
		static struct vcpu_register_vcpu_info ri;
		static uint64_t gva;
		ri = (struct vcpu_register_vcpu_info){ (uint32_t)(uintptr_t)&vi_page[v] >> 12, 0, 0 };
		long r1 = vcpu_op(VCPUOP_register_vcpu_info, v, &ri);
		gva = (uint32_t)(uintptr_t)rs_page[v];
		long r2 = vcpu_op(VCPUOP_register_runstate_memory_area, v, &gva);
		rs_at[v] = 0;
		check("vcpu-areas", r1 == 0 && r2 == 0, "vcpu %u: vcpu_info %ld, runstate area %ld", v, r1, r2);
	}
	/* The arena: zero, then tagged. */
	bool z = true;
	for (uint32_t s = 0; s < arena_n; s += 37)
		z &= zero(slot_ptr(s), 4096);
	check("arena-zero", z, "RAM from 0x%x to 0x%x reads as zero", ARENA_LO << 12,
	      (ARENA_LO + arena_n) << 12);
	for (uint32_t s = 0; s < arena_n; s++)
		tag_slot(s);
	mb->magic = MB_MAGIC;
	mb->domid = (uint16_t)self_id;
	mb->state = MB_RUNNING;
	mb_dirty = true;
	mb_begin();
	mb_end();
	return true;
}

/* The peer: each grants its mailbox to both neighbours (ref 1 to id - 1,
 * ref 2 to id + 1) and maps the one granted to it; or peer=ID. */
static void find_peer(void)
{
	uint32_t mgfn = (uint32_t)(uintptr_t)&mbox_page >> 12;
	int cand[2];
	int nc = 0;

	if (cfg_peer == -1) {
		gprintf("fuzz: no peer (peer=none)\n");
		return;
	}
	if (cfg_peer >= 0) {
		cand[nc++] = cfg_peer;
	} else {
		cand[nc++] = (int)self_id + 1;
		if (self_id > 0)
			cand[nc++] = (int)self_id - 1;
	}
	for (int i = 0; i < nc; i++) {
		uint32_t ref = cand[i] < (int)self_id ? MBOX_LO : MBOX_HI;
		volatile uint32_t *e = entry_ptr(ref);
		e[1] = mgfn;
		__atomic_store_n(&e[0], GTF_permit_access | GTF_readonly | (uint32_t)cand[i] << 16,
				 __ATOMIC_SEQ_CST);
		gr[ref] = (struct gref){ GTF_permit_access | GTF_readonly, (uint16_t)cand[i], mgfn, 0, 0, 0 };
	}
	static struct gnttab_map_grant_ref o;
	uint64_t end = now_ns() + 60000 * MS;
	int found = -1;
	while (found < 0 && now_ns() < end) {
		for (int i = 0; i < nc && found < 0; i++) {
			o = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)mailview_gfn << 12,
				.flags = GNTMAP_host_map | GNTMAP_readonly,
				.ref = cand[i] < (int)self_id ? MBOX_HI : MBOX_LO, .dom = (domid_t)cand[i] };
			long rc = gnt_op(GNTTABOP_map_grant_ref, &o, 1);
			mt_init = true;
			if (rc || o.status != GNTST_okay)
				continue;
			uint32_t h = h_alloc();
			const volatile struct mailbox *m = (const volatile void *)(uintptr_t)(mailview_gfn << 12);
			if (h == o.handle && m->magic == MB_MAGIC && m->domid == (uint32_t)cand[i]) {
				found = cand[i];
				mailview_handle = o.handle;
				break;
			}
			static struct gnttab_unmap_grant_ref u;
			u = (struct gnttab_unmap_grant_ref){ (uint64_t)mailview_gfn << 12, 0, o.handle, 0 };
			gnt_op(GNTTABOP_unmap_grant_ref, &u, 1);
			h_free(h);
		}
		if (found < 0) {
			static struct poll32 p;
			static uint32_t none;
			none = NPORT - 1;
			p = (struct poll32){ (uint32_t)(uintptr_t)&none, 1, now_ns() + 20 * MS };
			sched_op(SCHEDOP_poll, &p);
		}
	}
	/* The other neighbour's grant goes again. */
	for (int i = 0; i < nc; i++)
		if (cand[i] != found) {
			uint32_t ref = cand[i] < (int)self_id ? MBOX_LO : MBOX_HI;
			volatile uint32_t *e = entry_ptr(ref);
			uint32_t w0 = e[0];
			if ((w0 & GTF_RW) ||
			    !__atomic_compare_exchange_n(e, &w0, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				bad(F_GNT, "our mailbox grant to domain %d is in use: 0x%x", cand[i], w0);
			e[1] = 0;
			gr[ref] = (struct gref){ 0 };
		}
	if (!check("peer", found >= 0, "domain %d maps our mailbox and we map its", found))
		return;
	peer = found;
	pv = (volatile struct mailbox *)(uintptr_t)(mailview_gfn << 12);
	mb_begin();
	mb->peer = (uint16_t)peer;
	mb_end();
	gprintf("fuzz: peer is domain %d\n", peer);
}

/* ---- the run ----------------------------------------------------------------------------------- */

/* Weights, per 1000 actions. */
static const uint16_t weight[NACT] = {
	[A_GWRITE] = 90, [A_GREVOKE] = 15, [A_GMAP] = 70, [A_GUNMAP] = 55, [A_GCOPY] = 60,
	[A_GMISC] = 15, [A_MOUT] = 30, [A_MIN] = 30, [A_MMAP] = 30, [A_MMISC] = 15,
	[A_EALLOC] = 45, [A_EBIND] = 40, [A_EVIRQ] = 20, [A_ESEND] = 45, [A_ECLOSE] = 40,
	[A_ESTATUS] = 30, [A_EUNMASK] = 20, [A_EVCPU] = 10, [A_ERESET] = 2, [A_EEXHAUST] = 0,
	[A_ECLEAR] = 20, [A_EMISC] = 8, [A_PROBE] = 40, [A_VCPU] = 45, [A_SCHED] = 25,
	[A_TIMER] = 15, [A_TVIRQ] = 3, [A_HVM] = 25, [A_PHYS] = 8, [A_CON] = 2, [A_VER] = 25,
	[A_EYRIE] = 8, [A_RAW] = 50, [A_VERIFY] = 40, [A_TAG] = 30, [A_GFLOOD] = 0, [A_CODE] = 15,
};

static void run_one(enum act a)
{
	switch (a) {
	case A_GWRITE: act_grant_write(); break;
	case A_GREVOKE: act_grant_revoke(); break;
	case A_GMAP: act_grant_map(); break;
	case A_GUNMAP: act_grant_unmap(); break;
	case A_GCOPY: act_grant_copy(); break;
	case A_GMISC: act_grant_misc(); break;
	case A_MOUT: act_balloon_out(); break;
	case A_MIN: act_balloon_in(); break;
	case A_MMAP: act_physmap(); break;
	case A_MMISC: act_memory_misc(); break;
	case A_EALLOC: act_evt_alloc(); break;
	case A_EBIND: act_evt_bind(); break;
	case A_EVIRQ: act_evt_bind_virq_ipi(); break;
	case A_ESEND: act_evt_send(); break;
	case A_ECLOSE: act_evt_close(); break;
	case A_ESTATUS: act_evt_status(); break;
	case A_EUNMASK: act_evt_unmask(); break;
	case A_EVCPU: act_evt_bind_vcpu(); break;
	case A_ERESET: act_evt_reset(); break;
	case A_EEXHAUST: act_evt_exhaust(); break;
	case A_ECLEAR: act_evt_clear(); break;
	case A_EMISC: act_evt_misc(); break;
	case A_PROBE: act_probe(); break;
	case A_VCPU: act_vcpu(); break;
	case A_SCHED: act_sched(); break;
	case A_TIMER: act_timer(); break;
	case A_TVIRQ: act_timer_virq(); break;
	case A_HVM: act_hvm(); break;
	case A_PHYS: act_physdev(); break;
	case A_CON: act_console(); break;
	case A_VER: act_version(); break;
	case A_EYRIE: act_eyrie(); break;
	case A_RAW: act_raw(); break;
	case A_VERIFY: act_verify(); break;
	case A_TAG: act_tag(); break;
	case A_GFLOOD: act_grant_flood(); break;
	case A_CODE: act_code(); break;
	default: break;
	}
}

static enum act pick_act(void)
{
	static uint32_t total;

	if (!total)
		for (int i = 0; i < NACT; i++)
			total += weight[i];
	uint32_t r = below(total);
	for (int i = 0; i < NACT; i++) {
		if (r < weight[i])
			return (enum act)i;
		r -= weight[i];
	}
	return A_VERIFY;
}

static void summary(uint64_t ns)
{
	uint32_t ms = (uint32_t)(ns / MS);

	gprintf("fuzz: end: %u calls in %u ms (%u calls/s), seed %u\n", ncalls, ms,
		ms ? (uint32_t)((uint64_t)ncalls * 1000 / ms) : 0, cfg_seed);
	for (int f = 0; f < NFAM; f++)
		gprintf("fuzz:   %-8s %7u calls, %7u succeeded, %u disagreements\n", fam_name[f], fcalls[f],
			fok[f], fbad[f]);
	gprintf("fuzz: %u mappings (%u of the peer's), %u unmapped, %u copies (%u with the peer)\n",
		st.maps, st.peer_maps, st.unmaps, st.copies, st.peer_copies);
	gprintf("fuzz: %u pages given back, %u taken again, %u frame moves, %u grant entries written\n",
		st.out, st.in, st.moves, st.entries);
	gprintf("fuzz: %u ports, %u bound to the peer's, %u events from the peer\n", st.ports,
		st.peer_binds, st.peer_events);
	gprintf("fuzz: %u calls on the peer's grants and ports (%u checked exactly, the rest while "
		"it changed them)\n", st.peer_ops, st.peer_ops - st.unstable);
	gprintf("fuzz: %u upcalls taken, vcpu 1 brought up %u times, ran %u times\n",
		st.callbacks_seen, st.ap_ups, ap_count);
}

void guest_main(void)
{
	if (!setup())
		return;
	find_peer();
	uint32_t exhaust_at = cfg_calls >= 20000 ? cfg_calls / 3 + below(cfg_calls / 3 + 1) : 0;
	uint32_t next_report = cfg_calls / 10, flood_at = 5000 + below(20000);
	uint64_t t0 = now_ns();
	gprintf("fuzz: start\n");
	for (uint32_t i = 0; ncalls < cfg_calls; i++) {
		enum act a = pick_act();
		if (exhaust_at && ncalls >= exhaust_at) {
			a = A_EEXHAUST;
			exhaust_at = 0;
		}
		if (ncalls >= flood_at) { /* the maptrack filled, every 25000 calls */
			a = A_GFLOOD;
			flood_at += 25000;
		}
		run_one(a);
		mb_end();
		if (!(i & 31)) { /* upcalls: taken in a window */
			sti();
			__asm__ volatile("nop");
			cli();
			count_peer_events();
		}
		if (ncalls >= next_report) {
			gprintf("fuzz: %u calls, %u disagreements\n", ncalls, nprinted);
			next_report += cfg_calls / 10;
		}
	}
	uint64_t ns = now_ns() - t0;
	/* The last look: every page, the reservation, the table's size. */
	for (uint32_t s = 0; s < nslot; s++)
		verify_slot(s, "the end");
	for (uint32_t i = 0; i < MAXMAP; i++)
		if (mp[i].live)
			check_map_content(i, "the end");
	check_reservation("the run");
	check_pending("the run");
	static struct gnttab_query_size q;
	q.dom = DOMID_SELF;
	gnt_op(GNTTABOP_query_size, &q, 1);
	if (q.nr_frames != gt_nr)
		bad(F_GNT, "query_size at the end: %u frames, the model %u", q.nr_frames, gt_nr);
	mb_begin();
	mb->state = MB_DONE;
	mb_end();
	summary(ns);
	for (int f = 0; f < NFAM; f++)
		check(fam_name[f], fbad[f] == 0, "%u calls, %u succeeded, %u disagreements", fcalls[f],
		      fok[f], fbad[f]);
	check("calls", ncalls >= cfg_calls, "%u hypercalls made (seed %u)", ncalls, cfg_seed);
	/* Mappings and grants stay: the hypervisor ends them with us. */
}
