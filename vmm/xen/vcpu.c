/* SPDX-License-Identifier: GPL-2.0-only */
/* Xen's vcpu_op and sched_op: vcpus up and down, their timers, runstate,
 * blocking and polling, shutdown (see xen.h). */
#include "vmm/xen/xen_int.h"
#include "include/public/vcpu.h"
#include "include/public/eyrie.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "kernel/string.h"
#include "vmm/xen/hypercall.h"

/* ---- vcpu_op ---- */

/* The runstate as Xen keeps it: the state, since when, ns in each. */
static void runstate_fill(struct vcpu *t, struct vcpu_runstate_info *r)
{
	const struct xen_vcpu *x = &t->xen;

	*r = (struct vcpu_runstate_info){ x->rs_state, x->rs_entry,
		{ x->rs_time[0], x->rs_time[1], x->rs_time[2], x->rs_time[3] } };
}

/* Writes t's runstate to gva in the caller's layout: 48 bytes, or the 44
 * of x86_32, where the 64-bit fields are 4-byte aligned. */
static int runstate_out(struct vcpu *v, struct vcpu *t, uint64_t gva, bool compat)
{
	struct vcpu_runstate_info r;
	uint32_t c[11];

	runstate_fill(t, &r);
	if (!compat)
		return copy_to_guest_virt(v, gva, &r, sizeof(r), NULL);
	c[0] = (uint32_t)r.state;
	memcpy(&c[1], &r.state_entry_time, 40);
	return copy_to_guest_virt(v, gva, c, sizeof(c), NULL);
}

void xen_runstate(struct vcpu *v, int32_t state)
{
	struct xen_vcpu *x = &v->xen;

	if (!x->runstate_gva)
		return; /* kept only for a guest that reads it */
	uint64_t now = vcpu_system_time_ns(v);
	if (now > x->rs_entry && (unsigned)x->rs_state < 4)
		x->rs_time[x->rs_state] += now - x->rs_entry;
	x->rs_state = state;
	x->rs_entry = now;
	if (runstate_out(v, v, x->runstate_gva, x->runstate_compat))
		x->runstate_gva = 0; /* unmapped: the guest registers again if it wants */
}

/* VCPUOP_initialise (HVM layout): the start state of a vcpu not yet
 * started: 32-bit flat protected mode without paging, or long mode with
 * flat segments. Anything else -EINVAL; a vcpu with a state -EEXIST. */
static long vcpu_initialise(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_hvm_context c;
	struct eyrie_vcpu_context e = { .domid = t->dom->id, .vcpu = t->id };
	uint64_t gpr[8];

	if (t->state != VCPU_DOWN || t->started)
		return -EEXIST;
	if (copy_from_guest_virt(v, &c, arg, sizeof(c), NULL))
		return -EFAULT;
	if (c.mode == VCPU_HVM_MODE_32B) {
		const struct vcpu_hvm_x86_32 *r = &c.cpu_regs.x86_32;
		if (!(r->cr0 & 1) || (r->cr0 & 0x80000000u) || r->cs_base || r->ds_base ||
		    r->ss_base || r->es_base)
			return -EINVAL; /* flat, paging off */
		e.mode = EYRIE_CTX_FLAT32;
		e.rip = r->eip;
		e.rflags = r->eflags;
		uint64_t g[8] = { r->eax, r->ecx, r->edx, r->ebx, r->esp, r->ebp, r->esi, r->edi };
		memcpy(gpr, g, sizeof(g));
	} else if (c.mode == VCPU_HVM_MODE_64B) {
		const struct vcpu_hvm_x86_64 *r = &c.cpu_regs.x86_64;
		if ((r->cr0 & 0x80000001u) != 0x80000001u || !(r->cr4 & 0x20) || !(r->efer & 0x100))
			return -EINVAL; /* PE+PG, PAE, LME */
		e = (struct eyrie_vcpu_context){ .mode = EYRIE_CTX_LONG64, .rip = r->rip,
			.rflags = r->rflags, .cr0 = r->cr0, .cr3 = r->cr3, .cr4 = r->cr4,
			.efer = r->efer | 0x400 /* LMA */, .cs = 0x08, .ds = 0x10,
			.cs_attr = 0xa9b /* 64-bit code */, .ds_attr = 0xc93 };
		uint64_t g[8] = { r->rax, r->rcx, r->rdx, r->rbx, r->rsp, r->rbp, r->rsi, r->rdi };
		memcpy(gpr, g, sizeof(g));
	} else {
		return -EINVAL;
	}
	vcpu_set_context(t, &e);
	static const unsigned idx[8] = { GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP,
					 GPR_RSI, GPR_RDI };
	for (unsigned i = 0; i < 8; i++)
		t->gprs[idx[i]] = gpr[i];
	t->started = true;
	return 0;
}

long xen_vcpu_op(struct vcpu *v, uint64_t *a)
{
	struct domain *d = v->dom;
	uint64_t cmd = a[0], vcpuid = a[1], arg = a[2];

	if (!d->xen.evtchn)
		return -ENOSYS;
	if (vcpuid >= d->nr_vcpus)
		return -ENOENT;
	struct vcpu *t = d->vcpus[vcpuid];
	switch (cmd) {
	case VCPUOP_is_up:
		return t->state != VCPU_DOWN;
	case VCPUOP_get_runstate_info:
		return runstate_out(v, t, arg, !vcpu_is_64bit(v)) ? -EFAULT : 0;
	case VCPUOP_register_vcpu_time_memory_area: {
		/* A second copy of the vcpu's time info, for the guest's user
		 * space (Linux's vDSO). Its values never change (a constant TSC
		 * rate, TSC_STABLE): written once. */
		struct vcpu_time_info ti = { 0 }; /* no hypervisor stack reaches the guest */
		uint64_t gva;
		if (copy_from_guest_virt(v, &gva, arg, sizeof(gva), NULL))
			return -EFAULT;
		vcpu_time_fill(&ti);
		return gva && copy_to_guest_virt(v, gva, &ti, sizeof(ti), NULL) ? -EFAULT : 0;
	}
	case VCPUOP_register_runstate_memory_area: {
		uint64_t gva;
		if (copy_from_guest_virt(v, &gva, arg, sizeof(gva), NULL) ||
		    (gva && runstate_out(v, t, gva, !vcpu_is_64bit(v))))
			return -EFAULT;
		t->xen.runstate_gva = gva;
		t->xen.runstate_compat = !vcpu_is_64bit(v); /* its layout, from now on */
		return 0;
	}
	case VCPUOP_initialise:
		return vcpu_initialise(v, t, arg);
	case VCPUOP_up: /* a vcpu taken down goes on where it stopped */
		if (t->state == VCPU_DOWN && !t->started)
			return -EINVAL; /* no state to start in: VCPUOP_initialise first */
		if (t->state == VCPU_DOWN)
			t->state = VCPU_RUNNABLE;
		return 0;
	case VCPUOP_down:
		t->state = VCPU_DOWN;
		return 0;
	case VCPUOP_set_singleshot_timer: {
		struct vcpu_set_singleshot_timer st;
		if (t != v)
			return -EINVAL; /* as Xen: only for the calling vcpu */
		if (copy_from_guest_virt(v, &st, arg, sizeof(st), NULL))
			return -EFAULT;
		if ((st.flags & VCPU_SSHOTTMR_future) && st.timeout_abs_ns < vcpu_system_time_ns(v))
			return -ETIME;
		return vcpu_set_timer(v, st.timeout_abs_ns ? st.timeout_abs_ns : 1);
	}
	case VCPUOP_stop_singleshot_timer:
		return t != v ? -EINVAL : vcpu_set_timer(t, 0);
	case VCPUOP_set_periodic_timer: {
		struct vcpu_set_periodic_timer pt;
		if (copy_from_guest_virt(v, &pt, arg, sizeof(pt), NULL))
			return -EFAULT;
		if (pt.period_ns < 1000000)
			return -EINVAL; /* at least 1 ms, as Xen */
		t->timer_period = ns_to_tsc(pt.period_ns);
		return vcpu_set_timer(t, vcpu_system_time_ns(t) + pt.period_ns);
	}
	case VCPUOP_stop_periodic_timer:
		t->timer_period = 0;
		return vcpu_set_timer(t, 0);
	case VCPUOP_register_vcpu_info: {
		struct vcpu_register_vcpu_info ri;
		if (copy_from_guest_virt(v, &ri, arg, sizeof(ri), NULL))
			return -EFAULT;
		uint64_t gpa = (ri.mfn << 12) + ri.offset;
		struct vcpu_info *to = ri.offset <= 4096 - sizeof(*to) && ri.mfn < d->ram_bytes >> 12
				       ? gpa_ptr(d, gpa, sizeof(*to), true) : NULL;
		if (!to || t->xen.vinfo_gpa)
			return to ? -EEXIST : -EINVAL; /* once, as Xen */
		spin_lock(&d->xen.evlock); /* no event is marked in the old copy meanwhile */
		memcpy(to, xen_vinfo(d, (unsigned)vcpuid), sizeof(*to));
		t->xen.vinfo_gpa = gpa;
		spin_unlock(&d->xen.evlock);
		vcpu_time_fill(&to->time);
		return 0;
	}
	default:
		return -ENOSYS;
	}
}

/* ---- sched_op and set_timer_op ---- */

/* The host TSC value when v's system time reaches deadline_ns (at least
 * now; never 0, which means "off"). */
static uint64_t host_deadline(struct vcpu *v, uint64_t deadline_ns)
{
	uint64_t now = vcpu_system_time_ns(v);
	uint64_t tsc = rdtsc() + ns_to_tsc(deadline_ns > now ? deadline_ns - now : 0);

	return tsc ? tsc : 1;
}

#define POLL_MAX_PORTS 128 /* as Xen */

/* SCHEDOP_poll: returns at once if one of the ports is pending, else
 * blocks until an event for this vcpu (masked ones too) or the timeout
 * (absolute system time, 0 = none); the guest checks again. */
static long sched_poll(struct vcpu *v, uint64_t arg)
{
	struct sched_poll p;
	struct { uint32_t ports, nr_ports; uint64_t timeout; } p32;
	uint32_t ports[POLL_MAX_PORTS]; /* evtchn_port_t */
	bool wide = vcpu_is_64bit(v);

	if (!v->dom->xen.evtchn)
		return -ENOSYS;
	if (copy_from_guest_virt(v, wide ? (void *)&p : &p32, arg, wide ? sizeof(p) : sizeof(p32),
				 NULL))
		return -EFAULT;
	if (!wide)
		p = (struct sched_poll){ p32.ports, p32.nr_ports, p32.timeout };
	if (p.nr_ports > POLL_MAX_PORTS)
		return -EINVAL;
	if (copy_from_guest_virt(v, ports, p.ports, p.nr_ports * sizeof(ports[0]), NULL))
		return -EFAULT;
	int rc = xen_any_pending(v->dom, ports, p.nr_ports);
	if (rc)
		return rc < 0 ? rc : 0;
	if (p.timeout && p.timeout <= vcpu_system_time_ns(v))
		return 0;
	v->wake_deadline = 0;
	if (p.timeout) {
		v->wake_deadline = host_deadline(v, p.timeout);
		timer_wake_at(v->wake_deadline);
	}
	/* Polling and blocked first, then the ports again: an event sent
	 * meanwhile without the big lock (ev_send) set its pending bit
	 * before it read polling, so either this sees the bit or the sender
	 * sees polling and wakes the vcpu. */
	__atomic_store_n(&v->xen.polling, true, __ATOMIC_SEQ_CST);
	vcpu_block(v);
	if (xen_any_pending(v->dom, ports, p.nr_ports) > 0)
		vcpu_unblock(v);
	return 0;
}

long hc_sched_op(struct vcpu *v, uint64_t *a)
{
	uint32_t reason;

	switch (a[0]) {
	case SCHEDOP_yield:
		v->yield = true; /* the other vcpus run first */
		return 0;
	case SCHEDOP_block:
		/* Sleeps until an event; one already pending wakes it at once. */
		vcpu_block(v);
		if (vcpu_irq_raised(v))
			vcpu_unblock(v);
		return 0;
	case SCHEDOP_poll:
		return sched_poll(v, a[1]);
	case SCHEDOP_remote_shutdown: {
		/* Domain 0 stops another domain as if it had shut down itself. */
		struct sched_remote_shutdown rs;
		struct domain *d;
		if (!v->dom->cfg.privileged)
			return -EPERM;
		if (copy_from_guest_virt(v, &rs, a[1], sizeof(rs), NULL))
			return -EFAULT;
		if (!(d = domain_find(rs.domain_id)) || d == v->dom)
			return -ESRCH;
		if (rs.reason > SHUTDOWN_watchdog)
			return -EINVAL;
		if (d->state == DOM_RUNNING || d->state == DOM_PAUSED)
			domain_shutdown(d, rs.reason);
		return 0;
	}
	case SCHEDOP_shutdown:
		if (copy_from_guest_virt(v, &reason, a[1], sizeof(reason), NULL))
			return -EFAULT;
		if (reason > SHUTDOWN_watchdog)
			return -EINVAL;
		domain_shutdown(v->dom, reason);
		return 0;
	default:
		return -ENOSYS;
	}
}

long hc_set_timer_op(struct vcpu *v, uint64_t *a)
{
	return vcpu_set_timer(v, a[0]);
}

int vcpu_set_timer(struct vcpu *v, uint64_t deadline_ns)
{
	v->timer_deadline = deadline_ns ? host_deadline(v, deadline_ns) : 0; /* 0: off */
	if (deadline_ns)
		timer_wake_at(v->timer_deadline);
	return 0;
}
