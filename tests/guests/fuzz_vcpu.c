/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz (see fuzz.c): vcpu_op (vcpu 1 up and down, runstate, vcpu_info),
 * sched_op and the timers. */
#include "fuzz.h"

/* ---- vcpu_op ------------------------------------------------------------------------------- */

volatile uint32_t ap_count;
static uint32_t ap_at_reg; /* ap_count when vcpu 1's area was registered */
static uint8_t ap_stack[4096] __attribute__((aligned(16)));

static long ap_hc(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
	long eax = (long)nr;

	if (hc_amd)
		__asm__ volatile("vmmcall" : "+a"(eax), "+b"(a1), "+c"(a2), "+d"(a3) : : "memory", "esi", "edi");
	else
		__asm__ volatile("vmcall" : "+a"(eax), "+b"(a1), "+c"(a2), "+d"(a3) : : "memory", "esi", "edi");
	return eax;
}

/* vcpu 1: counts each start and takes itself down again. */
static __attribute__((noreturn, used)) void ap_main(void)
{
	for (;;) {
		ap_count++;
		ap_hc(HYPERVISOR_vcpu_op, VCPUOP_down, 1, 0);
	}
}

static uint64_t rs_u64(const struct runstate32 *r, unsigned i)
{
	return r->w[2 * i] | (uint64_t)r->w[2 * i + 1] << 32;
}

void check_runstate(const struct runstate32 *area, unsigned vcpu, const char *what)
{
	static uint64_t last_running;
	struct runstate32 copy[2];
	const struct runstate32 *r = &copy[0];

	/* The area changes whenever we stop and start running again (which
	 * may happen between any two instructions): two equal reads, then
	 * the time. */
	for (int i = 0; i < 4; i++) {
		memcpy(&copy[0], (const void *)area, sizeof(copy[0]));
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		memcpy(&copy[1], (const void *)area, sizeof(copy[1]));
		if (!memcmp(&copy[0], &copy[1], sizeof(copy[0])))
			break;
	}
	uint64_t now = now_ns();

	if (vcpu == 0) {
		/* we are running: the state it was last written with */
		if (r->state != RUNSTATE_running || rs_u64(r, 0) > now + 5 * MS ||
		    rs_u64(r, 1) + 5 * MS < last_running)
			bad(F_VCPU, "%s of vcpu 0: state %d since %llu ns, running %llu ns (before: %llu), now %llu",
			    what, r->state, (unsigned long long)rs_u64(r, 0), (unsigned long long)rs_u64(r, 1),
			    (unsigned long long)last_running, (unsigned long long)now);
		if (rs_u64(r, 1) > last_running)
			last_running = rs_u64(r, 1);
	} else if (r->state < 0 || r->state > RUNSTATE_offline ||
		   (ap_count > ap_at_reg && rs_at[1] != NO_GFN && r->state == RUNSTATE_running)) {
		bad(F_VCPU, "%s of vcpu 1: state %d", what, r->state);
	}
}

static bool ap_init_done;

void act_vcpu(void)
{
	static union {
		struct runstate32 rs;
		struct vcpu_set_singleshot_timer ss;
		struct vcpu_set_periodic_timer per;
		struct vcpu_register_vcpu_info vi;
		struct vcpu_hvm_context ctx;
		uint64_t gva;
		uint8_t b[256];
	} a;
	uint32_t c = below(12), v = chance(90) ? below(nvcpus) : below(4);
	long rc;

	memset(&a, 0, sizeof(a));
	if (v >= nvcpus && c != 11) {
		rc = vcpu_op(below(14), v, &a);
		expect_rc(F_VCPU, "an op on a vcpu we do not have", rc, E(ENOENT));
		return;
	}
	switch (c) {
	case 0: /* is_up */
		rc = vcpu_op(VCPUOP_is_up, v, NULL);
		if (v == 0 ? rc != 1 : rc != 0 && rc != 1)
			bad(F_VCPU, "is_up(%u): %ld", v, rc);
		break;
	case 1: /* get_runstate_info */
		rc = vcpu_op(VCPUOP_get_runstate_info, v, &a.rs);
		if (expect_rc(F_VCPU, "get_runstate_info", rc, OK))
			check_runstate(&a.rs, v, "get_runstate_info");
		break;
	case 2: { /* register_runstate_memory_area: our pages, 0, or a page it cannot write */
		uint32_t off = below(4096 - 44), cc = below(10);
		int s = -1;
		if (cc < 6) {
			a.gva = (uint32_t)(uintptr_t)rs_page[v] + off;
		} else if (cc < 7) {
			a.gva = 0;
		} else {
			s = pick_kind(chance(50) ? PG_HOLE : PG_FOREIGN);
			if (s < 0 || !slot_acc((uint32_t)s) || (pg[s].kind == PG_FOREIGN && !mp[pg[s].map].ro))
				return;
			a.gva = (uint32_t)(uintptr_t)slot_ptr((uint32_t)s) + off;
		}
		rc = vcpu_op(VCPUOP_register_runstate_memory_area, v, &a.gva);
		if (!expect_rc(F_VCPU, "register_runstate_memory_area", rc, s >= 0 ? E(EFAULT) : OK) || rc)
			break;
		if (v == 1 && (cc < 6 || rs_at[1] == NO_GFN))
			ap_at_reg = ap_count;
		if (cc < 7)
			rs_at[v] = cc < 6 ? off : NO_GFN;
		if (cc < 6)
			check_runstate((const struct runstate32 *)(rs_page[v] + off), v, "the runstate area");
		break;
	}
	case 3: /* timers */
		if (chance(50)) {
			bool future = chance(50), past = chance(40);
			uint64_t now = now_ns();
			a.ss.timeout_abs_ns = past ? (chance(50) ? now - 10 * MS : 1) : now + below(3000) * 1000ull;
			a.ss.flags = future ? VCPU_SSHOTTMR_future : 0;
			rc = vcpu_op(VCPUOP_set_singleshot_timer, v, &a.ss);
			/* a deadline that is past by the call: -ETIME; it may just
			 * have become past */
			expect_rc(F_VCPU, "set_singleshot_timer", rc, v ? E(EINVAL)
				  : past && future ? E(ETIME) : future ? OK | E(ETIME) : OK);
		} else if (chance(50)) {
			uint32_t per = chance(80) ? 1000000 + below(20000000) : below(1000000);
			a.per.period_ns = per;
			rc = vcpu_op(VCPUOP_set_periodic_timer, v, &a.per);
			expect_rc(F_VCPU, "set_periodic_timer", rc, per < 1000000 ? E(EINVAL) : OK);
		} else {
			uint32_t cmd = chance(50) ? VCPUOP_stop_periodic_timer : VCPUOP_stop_singleshot_timer;
			rc = vcpu_op(cmd, v, NULL);
			expect_rc(F_VCPU, "stop a timer", rc, cmd == VCPUOP_stop_singleshot_timer && v ? E(EINVAL) : OK);
		}
		break;
	case 4: { /* register_vcpu_info: done at the start; a target it could use: -EEXIST */
		int s = (int)pick_slot();
		uint32_t off = chance(90) ? below(4096 - 64 + 1) : 4096 - 63 + below(100);
		a.vi.mfn = chance(90) ? slot_gfn((uint32_t)s) : chance(50) ? (uint32_t)(uintptr_t)vi_page >> 12
			: ((uint64_t)rnd() << 32) | rnd();
		a.vi.offset = off;
		int kind = gfn_kind((uint32_t)a.vi.mfn);
		bool usable = a.vi.mfn < ram_pages && off <= 4096 - 64 &&
			      (kind == PG_RAM || kind == PG_SHINFO || kind == PG_GNT ||
			       (kind == PG_FOREIGN && !mp[pg[gfn_slot((uint32_t)a.vi.mfn)].map].ro));
		if ((int)kind == PG_UNKNOWN)
			return;
		rc = vcpu_op(VCPUOP_register_vcpu_info, v, &a.vi);
		expect_rc(F_VCPU, "register_vcpu_info again", rc, usable ? E(EEXIST) : E(EINVAL));
		break;
	}
	case 5: { /* register_vcpu_time_memory_area */
		uint32_t off = below(4096 - 32);
		int s = -1;
		if (chance(80)) {
			a.gva = (uint32_t)(uintptr_t)tm_page + off;
		} else if (chance(30)) {
			a.gva = 0;
		} else {
			s = pick_kind(PG_HOLE);
			if (s < 0 || !slot_acc((uint32_t)s))
				return;
			a.gva = (uint32_t)(uintptr_t)slot_ptr((uint32_t)s) + off;
		}
		rc = vcpu_op(VCPUOP_register_vcpu_time_memory_area, v, &a.gva);
		if (!expect_rc(F_VCPU, "register_vcpu_time_memory_area", rc, s >= 0 ? E(EFAULT) : OK) || rc ||
		    !a.gva)
			break;
		/* what the hypervisor wrote: an even version (a reader retries
		 * while it is odd), vcpu_info's scale, and no stray bytes */
		const struct vcpu_time_info *t = (const void *)(tm_page + off);
		if ((t->version & 1) || t->tsc_to_system_mul != vi_page[0].vi.time.tsc_to_system_mul ||
		    !(t->flags & XEN_PVCLOCK_TSC_STABLE_BIT) || t->pad0 || t->pad1[0] || t->pad1[1])
			bad(F_VCPU, "the time area: version %u, mul %u (vcpu_info's %u), flags 0x%x, "
			    "padding 0x%x 0x%x%02x", t->version, t->tsc_to_system_mul,
			    vi_page[0].vi.time.tsc_to_system_mul, t->flags, t->pad0, t->pad1[1], t->pad1[0]);
		break;
	}
	case 6: case 7: { /* vcpu 1: initialise, up, down */
		if (nvcpus < 2) {
			rc = vcpu_op(VCPUOP_up, 1, NULL);
			expect_rc(F_VCPU, "up(1) with one vcpu", rc, E(ENOENT));
			break;
		}
		uint32_t cc = below(10);
		if (cc < 3 || !ap_init_done) {
			a.ctx.mode = VCPU_HVM_MODE_32B;
			struct vcpu_hvm_x86_32 *r = &a.ctx.cpu_regs.x86_32;
			r->eip = (uint32_t)(uintptr_t)ap_main;
			r->esp = (uint32_t)(uintptr_t)(ap_stack + sizeof(ap_stack));
			r->eflags = 2;
			r->cr0 = 0x11;
			r->cs_limit = r->ds_limit = r->ss_limit = r->es_limit = 0xffffffffu;
			uint32_t broken = below(6);
			switch (broken) {
			case 0: a.ctx.mode = 2 + below(10); break;
			case 1: r->cr0 = 0x10; break;
			case 2: r->cr0 = 0x80000011u; break;
			case 3: r->cs_base = 0x1000; break;
			default: break;
			}
			uint32_t target = chance(90) ? 1 : 0;
			rc = vcpu_op(VCPUOP_initialise, target, &a.ctx);
			uint64_t allow = target == 0 || ap_init_done ? E(EEXIST) : broken < 4 ? E(EINVAL) : OK;
			if (expect_rc(F_VCPU, "initialise", rc, allow) && !rc && target == 1)
				ap_init_done = true;
			if (!ap_init_done) {
				rc = vcpu_op(VCPUOP_up, 1, NULL);
				expect_rc(F_VCPU, "up before initialise", rc, E(EINVAL));
			}
			break;
		}
		if (cc < 7) {
			uint32_t before = ap_count;
			rc = vcpu_op(VCPUOP_up, 1, NULL);
			st.ap_ups++;
			if (expect_rc(F_VCPU, "up(1)", rc, OK) && chance(10)) {
				/* it runs (and goes down) soon */
				uint64_t end = now_ns() + 500 * MS;
				while (ap_count == before && now_ns() < end)
					sched_op(SCHEDOP_yield, NULL);
				if (ap_count == before)
					bad(F_VCPU, "vcpu 1 did not run within 500 ms of up");
			}
		} else if (cc < 9) {
			rc = vcpu_op(VCPUOP_down, 1, NULL);
			expect_rc(F_VCPU, "down(1)", rc, OK);
		} else {
			rc = vcpu_op(VCPUOP_up, 0, NULL);
			expect_rc(F_VCPU, "up(0)", rc, OK);
		}
		break;
	}
	case 8: /* initialise vcpu 0: it runs */
		rc = vcpu_op(VCPUOP_initialise, 0, &a.ctx);
		expect_rc(F_VCPU, "initialise(0)", rc, E(EEXIST));
		break;
	case 9: { /* bad arguments */
		uint32_t cmd = (uint32_t[]){ VCPUOP_get_runstate_info, VCPUOP_register_runstate_memory_area,
			VCPUOP_set_periodic_timer, VCPUOP_register_vcpu_info,
			VCPUOP_register_vcpu_time_memory_area }[below(5)];
		rc = vcpu_op(cmd, 0, (void *)(uintptr_t)((ram_pages << 12) + 64 * below(64)));
		expect_rc(F_VCPU, "a bad argument", rc, E(EFAULT));
		break;
	}
	case 10: /* commands not offered */
		rc = vcpu_op((uint32_t[]){ VCPUOP_send_nmi, VCPUOP_get_physid, 14, 15, 100 }[below(5)], v, &a);
		expect_rc(F_VCPU, "a command not offered", rc, E(ENOSYS));
		break;
	default: /* vcpu ids far off */
		rc = vcpu_op(below(14), 2 + below(100000), &a);
		expect_rc(F_VCPU, "a vcpu id far off", rc, E(ENOENT));
		break;
	}
}

uint64_t hvmp[HVM_NR_PARAMS];

/* ---- sched_op, timers, hvm_op, physdev, console, version, eyrie ------------------------------ */

void act_sched(void)
{
	static union {
		struct poll32 p;
		struct sched_shutdown s;
		struct sched_remote_shutdown r;
		uint32_t w[8];
	} a;
	static uint32_t ports[140];
	uint32_t c = below(10);
	long rc;

	switch (c) {
	case 0: case 1:
		rc = sched_op(SCHEDOP_yield, NULL);
		expect_rc(F_SCHED, "yield", rc, OK);
		break;
	case 2: case 3: case 4: { /* poll a few ports with a near (or past) timeout */
		uint32_t n = chance(90) ? 1 + below(4) : chance(50) ? 129 + below(5) : below(129);
		bool badport = false;
		for (uint32_t i = 0; i < n && i < 140; i++) {
			ports[i] = chance(97) ? (uint32_t)pick_port() : NPORT + below(10000);
			badport |= ports[i] >= NPORT;
		}
		uint64_t now = now_ns();
		a.p = (struct poll32){ (uint32_t)(uintptr_t)ports, n,
				       chance(20) ? now - 1000 : now + below(1500) * 1000ull };
		rc = sched_op(SCHEDOP_poll, &a.p);
		expect_rc(F_SCHED, "poll", rc, n > 128 || badport ? E(EINVAL) : OK);
		break;
	}
	case 5: { /* block: the timer (or a pending upcall) wakes us */
		if (virq_port[0][VIRQ_TIMER] || !hvmp[HVM_PARAM_CALLBACK_IRQ]) {
			/* the timer would only set the port pending (it may be
			 * masked), or, with no callback, wake us only if it
			 * expires once we block (else it is lost, as in Xen,
			 * where it has no way to reach us): a poll instead */
			ports[0] = virq_port[0][VIRQ_TIMER];
			a.p = (struct poll32){ (uint32_t)(uintptr_t)ports, 1, now_ns() + 1 * MS };
			rc = sched_op(SCHEDOP_poll, &a.p);
			expect_rc(F_SCHED, "poll", rc, OK);
			break;
		}
		/* the hypervisor agrees that VIRQ_TIMER is not bound: bind it
		 * and close it again */
		static struct evtchn_bind_virq bv;
		bv = (struct evtchn_bind_virq){ VIRQ_TIMER, 0, 0 };
		int want = lowest_free();
		rc = evt_op(EVTCHNOP_bind_virq, &bv);
		if (rc || bv.port != (uint32_t)want) {
			bad(F_EVT, "bind_virq(VIRQ_TIMER, vcpu 0), unbound in the model: %ld, port %u (%d)",
			    rc, bv.port, want);
			virq_port[0][VIRQ_TIMER] = 0xffff;
			break;
		}
		static struct evtchn_close cl;
		cl.port = bv.port;
		evt_op(EVTCHNOP_close, &cl);
		set_timer(now_ns() + 300000);
		rc = sched_op(SCHEDOP_block, NULL);
		expect_rc(F_SCHED, "block", rc, OK);
		break;
	}
	case 6: { /* shutdown: a bad pointer, or a reason it does not know */
		if (chance(50)) {
			a.s.reason = 5 + below(1000);
			rc = sched_op(SCHEDOP_shutdown, &a.s);
			expect_rc(F_SCHED, "shutdown with a bad reason", rc, E(EINVAL));
		} else {
			rc = sched_op(SCHEDOP_shutdown, (void *)(uintptr_t)((ram_pages << 12) + 4 * below(1024)));
			expect_rc(F_SCHED, "shutdown with a bad pointer", rc, E(EFAULT));
		}
		break;
	}
	case 7: /* remote_shutdown: domain 0's */
		a.r.domain_id = chance(50) ? (uint16_t)(peer >= 0 ? peer : 1) : random_dom();
		a.r.reason = SHUTDOWN_poweroff;
		rc = sched_op(SCHEDOP_remote_shutdown, &a.r);
		expect_rc(F_SCHED, "remote_shutdown", rc, E(EPERM));
		break;
	case 8: { /* poll: bad list */
		a.p = (struct poll32){ (uint32_t)(uintptr_t)((ram_pages << 12) + 4 * below(64)), 1 + below(3),
				       now_ns() + 1000 };
		rc = sched_op(SCHEDOP_poll, &a.p);
		expect_rc(F_SCHED, "poll with a bad list", rc, E(EFAULT));
		break;
	}
	default:
		rc = sched_op((uint32_t[]){ SCHEDOP_shutdown_code, SCHEDOP_watchdog, SCHEDOP_pin_override,
					    8, 100, 0xffffffffu }[below(6)], &a);
		expect_rc(F_SCHED, "a command not offered", rc, E(ENOSYS));
		break;
	}
}

void act_timer(void)
{
	uint64_t now = now_ns(), t;
	uint32_t c = below(6);

	switch (c) {
	case 0: t = 0; break;
	case 1: t = 1; break;
	case 2: t = now - below(1000000); break;
	case 3: t = now + below(2000000); break;
	case 4: t = now + 1000000000ull * (1 + below(100)); break;
	default: t = ((uint64_t)rnd() << 32) | rnd(); break;
	}
	long rc = set_timer(t);
	expect_rc(F_TIMER, "set_timer_op", rc, OK);
}

/* VIRQ_TIMER fires: a singleshot timer, then a poll until its port is pending. */
void act_timer_virq(void)
{
	uint32_t p = virq_port[0][VIRQ_TIMER];
	volatile uint32_t *pw = p ? pend_word(p / 32) : NULL;
	static uint32_t port;
	static struct poll32 a;
	static struct vcpu_set_singleshot_timer ss;

	if (!pw)
		return;
	__atomic_fetch_and(pw, ~(1u << (p % 32)), __ATOMIC_SEQ_CST);
	uint64_t dl = now_ns() + 200000, end = dl + 10000 * MS;
	ss = (struct vcpu_set_singleshot_timer){ dl, 0 };
	vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss);
	port = p;
	while (!(*pw >> (p % 32) & 1) && now_ns() < end) {
		a = (struct poll32){ (uint32_t)(uintptr_t)&port, 1, end };
		sched_op(SCHEDOP_poll, &a);
	}
	if (!(*pw >> (p % 32) & 1))
		bad(F_TIMER, "a singleshot timer 0.2 ms ahead did not set VIRQ_TIMER's port %u "
		    "within 10 s", p);
}

