/*
 * Hypercalls with Xen's numbers and argument registers: RDI, RSI, RDX,
 * R10, R8 for a 64-bit guest, EBX, ECX, EDX, ESI, EDI for a 32-bit one.
 * Every handler checks all its arguments before it changes anything, and
 * reaches guest memory only through vmm/core/guest_mem.h.
 */
#include "vmm/xen/hypercall.h"
#include "vmm/xen/xen_int.h"
#include "include/public/eyrie.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "kernel/string.h"

#define CONSOLE_CHUNK 256
#define CONSOLE_MAX (64u << 10) /* one console_io write */

/* A handler may do a bounded share of the work and return -ERESTART
 * with a[] updated: the guest then runs the call again with those
 * arguments (its RIP stays on the call), so host interrupts and other
 * vcpus get their turn in between, as with Xen's continuations. */
typedef long (*hcall_fn)(struct vcpu *v, uint64_t *a);

static long hc_xen_version(struct vcpu *v, uint64_t *a)
{
	if (a[0] == XENVER_version)
		return (4 << 16) | 17;
	return v->dom->evtchn ? xen_version_op(v, a[0], a[1]) : -ENOSYS;
}

static long hc_console_io(struct vcpu *v, uint64_t *a)
{
	char buf[CONSOLE_CHUNK];
	uint64_t count = a[1], gva = a[2];

	if (a[0] == CONSOLEIO_read)
		return xen_console_read(v, count, gva);
	if (a[0] != CONSOLEIO_write)
		return -ENOSYS;
	if (count > CONSOLE_MAX)
		return -EINVAL;
	for (uint64_t done = 0; done < count;) {
		size_t n = count - done < CONSOLE_CHUNK ? (size_t)(count - done) : CONSOLE_CHUNK;
		if (copy_from_guest_virt(v, buf, gva + done, n, NULL))
			return -EFAULT;
		domain_console_put(v->dom, buf, n);
		done += n;
	}
	return 0;
}

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

	if (!v->dom->evtchn)
		return -ENOSYS;
	if (vcpu_is_64bit(v)) {
		if (copy_from_guest_virt(v, &p, arg, sizeof(p), NULL))
			return -EFAULT;
	} else {
		if (copy_from_guest_virt(v, &p32, arg, sizeof(p32), NULL))
			return -EFAULT;
		p = (struct sched_poll){ p32.ports, p32.nr_ports, p32.timeout };
	}
	if (p.nr_ports > POLL_MAX_PORTS)
		return -EINVAL;
	if (copy_from_guest_virt(v, ports, p.ports, p.nr_ports * sizeof(ports[0]), NULL))
		return -EFAULT;
	int rc = xen_any_pending(v->dom, ports, p.nr_ports);
	if (rc)
		return rc < 0 ? rc : 0;
	if (p.timeout && p.timeout <= vcpu_system_time_ns(v))
		return 0;
	v->polling = true;
	v->poll_deadline = 0;
	if (p.timeout) {
		v->poll_deadline = host_deadline(v, p.timeout);
		timer_wake_at(v->poll_deadline);
	}
	v->state = VCPU_BLOCKED;
	return 0;
}

static long hc_sched_op(struct vcpu *v, uint64_t *a)
{
	uint32_t reason;

	switch (a[0]) {
	case SCHEDOP_yield:
		v->yield = true; /* the other vcpus run first */
		return 0;
	case SCHEDOP_block:
		/* Sleeps until an event; one already pending wakes it at once. */
		if (!(v->pending_irq[0] | v->pending_irq[1] | v->pending_irq[2] | v->pending_irq[3]))
			v->state = VCPU_BLOCKED;
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

static long hc_set_timer_op(struct vcpu *v, uint64_t *a)
{
	return vcpu_set_timer(v, a[0]);
}

int vcpu_set_timer(struct vcpu *v, uint64_t deadline_ns)
{
	if (!deadline_ns) {
		v->timer_deadline = 0;
		return 0;
	}
	v->timer_deadline = host_deadline(v, deadline_ns);
	timer_wake_at(v->timer_deadline);
	return 0;
}

static long hc_hvm_op(struct vcpu *v, uint64_t *a)
{
	struct xen_hvm_param p;

	if (a[0] != HVMOP_set_param && a[0] != HVMOP_get_param)
		return -ENOSYS;
	long err;
	struct domain *d;
	if (copy_from_guest_virt(v, &p, a[1], sizeof(p), NULL))
		return -EFAULT;
	/* Another domain's: domain 0 building it (PVH domains). */
	if (p.domid == DOMID_SELF || p.domid == v->dom->id)
		d = v->dom;
	else if (!(d = xen_target(v, p.domid, &err)))
		return err == -EPERM ? -ESRCH : err;
	if (p.index >= HVM_NR_PARAMS)
		return -EINVAL;
	if (a[0] == HVMOP_get_param) {
		/* No console ring until a builder gives one: an error, as Xen's
		 * ABI allows (hvc_xen takes it as "none"), not page 0. */
		if ((p.index == HVM_PARAM_CONSOLE_PFN || p.index == HVM_PARAM_CONSOLE_EVTCHN) &&
		    !d->hvm_params[p.index])
			return -ENOENT;
		p.value = d->hvm_params[p.index];
		return copy_to_guest_virt(v, a[1], &p, sizeof(p), NULL) ? -EFAULT : 0;
	}
	if ((p.index == HVM_PARAM_CONSOLE_PFN || p.index == HVM_PARAM_STORE_PFN) && d != v->dom &&
	    xen_seed_grant(d, p.index == HVM_PARAM_STORE_PFN ? GNTTAB_RESERVED_XENSTORE
			   : GNTTAB_RESERVED_CONSOLE, p.value))
		return -EINVAL;
	if (p.index == HVM_PARAM_CALLBACK_IRQ && p.value &&
	    ((p.value >> 56) != HVM_PARAM_CALLBACK_TYPE_VECTOR || (p.value & 0xff) < 32 ||
	     (p.value & 0x00ffffffffffff00ull)))
		return -EINVAL; /* only "deliver as a vector >= 32" is supported */
	d->hvm_params[p.index] = p.value;
	return 0;
}

static long hc_memory_op(struct vcpu *v, uint64_t *a)
{
	return xen_memory_op(v, a);
}

static long hc_event_channel_op(struct vcpu *v, uint64_t *a)
{
	return xen_event_channel_op(v, a[0], a[1]);
}

static long hc_eyrie_op(struct vcpu *v, uint64_t *a)
{
	return eyrie_op(v, a[0], a[1]);
}

static long hc_physdev_op(struct vcpu *v, uint64_t *a)
{
	return pirq_physdev_op(v, a[0], a[1]);
}

static long hc_vcpu_op(struct vcpu *v, uint64_t *a)
{
	return xen_vcpu_op(v, a[0], a[1], a[2]);
}

static long hc_grant_table_op(struct vcpu *v, uint64_t *a)
{
	return xen_grant_table_op(v, a);
}

static const hcall_fn hcalls[HYPERVISOR_NR] = {
	[HYPERVISOR_grant_table_op] = hc_grant_table_op,
	[HYPERVISOR_vcpu_op] = hc_vcpu_op,
	[HYPERVISOR_eyrie_op] = hc_eyrie_op,
	[HYPERVISOR_memory_op] = hc_memory_op,
	[HYPERVISOR_event_channel_op] = hc_event_channel_op,
	[HYPERVISOR_set_timer_op] = hc_set_timer_op,
	[HYPERVISOR_xen_version] = hc_xen_version,
	[HYPERVISOR_console_io] = hc_console_io,
	[HYPERVISOR_sched_op] = hc_sched_op,
	[HYPERVISOR_hvm_op] = hc_hvm_op,
	[HYPERVISOR_physdev_op] = hc_physdev_op,
};

int hypercall_page(struct vcpu *v, uint64_t value)
{
	uint8_t s[32];
	bool amd = vcpu_ops->p2m_format != &pt_format_ept;

	if (value & 0xfff)
		return -EINVAL; /* one page only */
	memset(s, 0xcc, sizeof(s)); /* int3 after each stub */
	s[0] = 0xb8;                 /* mov $nr, %eax */
	s[5] = 0x0f;                 /* vmmcall 0f 01 d9 / vmcall 0f 01 c1 */
	s[6] = 0x01;
	s[7] = amd ? 0xd9 : 0xc1;
	s[8] = 0xc3;                 /* ret */
	for (unsigned nr = 0; nr < 4096 / sizeof(s); nr++) {
		s[1] = (uint8_t)nr;
		s[2] = s[3] = s[4] = 0;
		if (copy_to_guest_phys(v->dom, value + nr * sizeof(s), s, sizeof(s)))
			return -EINVAL;
	}
	return 0;
}

void hypercall(struct vcpu *v)
{
	uint64_t *r = v->gprs, a[5];
	bool wide = vcpu_is_64bit(v);
	uint64_t nr = wide ? r[GPR_RAX] : (uint32_t)r[GPR_RAX];
	long ret = -ENOSYS;

	if (wide) {
		a[0] = r[GPR_RDI]; a[1] = r[GPR_RSI]; a[2] = r[GPR_RDX];
		a[3] = r[GPR_R10]; a[4] = r[GPR_R8];
	} else {
		/* 32-bit guests: EBX, ECX, EDX, ESI, EDI; set_timer_op's 64-bit
		 * deadline comes as EBX (low) and ECX (high). */
		a[0] = (uint32_t)r[GPR_RBX]; a[1] = (uint32_t)r[GPR_RCX];
		a[2] = (uint32_t)r[GPR_RDX]; a[3] = (uint32_t)r[GPR_RSI];
		a[4] = (uint32_t)r[GPR_RDI];
		if (nr == HYPERVISOR_set_timer_op)
			a[0] |= a[1] << 32;
	}
	v->polling = false; /* running again: any poll has ended */
	v->poll_deadline = 0;
	if (nr < HYPERVISOR_NR && hcalls[nr])
		ret = hcalls[nr](v, a);
	if (ret == -ERESTART) { /* RAX still holds nr */
		static const unsigned regs64[5] = { GPR_RDI, GPR_RSI, GPR_RDX, GPR_R10, GPR_R8 };
		static const unsigned regs32[5] = { GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI, GPR_RDI };
		for (unsigned i = 0; i < 5; i++)
			r[wide ? regs64[i] : regs32[i]] = wide ? a[i] : (uint32_t)a[i];
		vcpu_ops->set(v, VS_RIP, v->last_exit.rip);
		return;
	}
	r[GPR_RAX] = wide ? (uint64_t)ret : (uint32_t)ret;
}

long hcop_call(struct vcpu *v, const struct hcop *ops, size_t nr, uint64_t cmd, uint64_t arg)
{
	_Alignas(8) uint8_t buf[HCOP_ARG_MAX];

	if (cmd >= nr || !ops[cmd].fn)
		return -ENOSYS;
	const struct hcop *op = &ops[cmd];
	if (copy_from_guest_virt(v, buf, arg, op->size, NULL))
		return -EFAULT;
	long rc = op->fn(v, buf);
	if ((op->copy == HC_OUT_ALWAYS || (op->copy == HC_OUT && (rc >= 0 || rc == -ERESTART))) &&
	    copy_to_guest_virt(v, arg, buf, op->size, NULL)) {
		if (op->undo)
			op->undo(v, buf);
		return -EFAULT;
	}
	return rc;
}
