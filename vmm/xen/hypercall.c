/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypercalls with Xen's numbers and argument registers: RDI, RSI, RDX,
 * R10, R8 for a 64-bit guest, EBX, ECX, EDX, ESI, EDI for a 32-bit one.
 * Every handler checks all its arguments before it changes anything, and
 * reaches guest memory only through vmm/core/guest_mem.h.
 */
#include "vmm/xen/hypercall.h"
#include "vmm/xen/xen_int.h"
#include "include/public/eyrie.h"
#include "include/public/vcpu.h"
#include "kernel/string.h"
#include "kernel/smp.h"

/* A handler may do a bounded share of the work and return -ERESTART
 * with a[] updated: the guest then runs the call again with those
 * arguments (its RIP stays on the call), so host interrupts and other
 * vcpus get their turn in between, as with Xen's continuations. */
typedef long (*hcall_fn)(struct vcpu *v, uint64_t *a);

static const hcall_fn hcalls[HYPERVISOR_NR] = {
	[HYPERVISOR_grant_table_op] = xen_grant_table_op,
	[HYPERVISOR_vcpu_op] = xen_vcpu_op,
	[HYPERVISOR_eyrie_op] = eyrie_op,
	[HYPERVISOR_memory_op] = xen_memory_op,
	[HYPERVISOR_event_channel_op] = xen_event_channel_op,
	[HYPERVISOR_set_timer_op] = hc_set_timer_op,
	[HYPERVISOR_xen_version] = hc_xen_version,
	[HYPERVISOR_console_io] = hc_console_io,
	[HYPERVISOR_sched_op] = hc_sched_op,
	[HYPERVISOR_hvm_op] = hc_hvm_op,
	[HYPERVISOR_physdev_op] = pirq_physdev_op,
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

/* The call's number, its arguments in a[] (and whether 64-bit). */
static uint64_t args(struct vcpu *v, uint64_t *a, bool *wide_out)
{
	const uint64_t *r = v->gprs;
	bool wide = *wide_out = vcpu_is_64bit(v);
	uint64_t nr = wide ? r[GPR_RAX] : (uint32_t)r[GPR_RAX];

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
	return nr;
}

/* A continuation: the arguments back in their registers (RAX still
 * holds the number), for the call to run again from there. */
static void put_args(struct vcpu *v, const uint64_t *a, bool wide)
{
	static const unsigned regs64[5] = { GPR_RDI, GPR_RSI, GPR_RDX, GPR_R10, GPR_R8 };
	static const unsigned regs32[5] = { GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI, GPR_RDI };

	for (unsigned i = 0; i < 5; i++)
		v->gprs[wide ? regs64[i] : regs32[i]] = wide ? a[i] : (uint32_t)a[i];
}

/* The calls that touch only the caller, event channels (the caller's and
 * the peer's) and grant tables (docs/vmm.md, "Hypercalls without the big
 * lock"). */
static bool fast_call(const struct vcpu *v, uint64_t nr, const uint64_t *a)
{
	return nr == HYPERVISOR_set_timer_op ||
	       (nr == HYPERVISOR_event_channel_op && a[0] == EVTCHNOP_send) ||
	       (nr == HYPERVISOR_grant_table_op && a[0] == GNTTABOP_copy) ||
	       (nr == HYPERVISOR_vcpu_op && a[1] == v->id &&
		(a[0] == VCPUOP_set_singleshot_timer || a[0] == VCPUOP_stop_singleshot_timer));
}

enum hc_fast hypercall_fast(struct vcpu *v)
{
	uint64_t a[5];
	bool wide;
	uint64_t nr = args(v, a, &wide);

	if (!fast_call(v, nr, a))
		return HC_LOCKED;
	nolock_begin();
	long ret = hcalls[nr](v, a);
	bool missed = nolock_missed();
	nolock_end();
	/* A miss: nothing changed (the argument was not read), or the call
	 * stopped with a continuation before the op that met it. */
	if (ret == -ERESTART)
		put_args(v, a, wide);
	if (ret == -ERESTART || missed)
		return ret == -ERESTART && !missed ? HC_AGAIN : HC_LOCKED;
	v->xen.polling = false;
	v->wake_deadline = 0;
	v->gprs[GPR_RAX] = wide ? (uint64_t)ret : (uint32_t)ret;
	return HC_DONE;
}

void hypercall(struct vcpu *v)
{
	uint64_t a[5];
	bool wide;
	uint64_t nr = args(v, a, &wide);
	long ret = -ENOSYS;

	v->xen.polling = false; /* running again: any poll has ended */
	v->wake_deadline = 0;
	if (nr < HYPERVISOR_NR && hcalls[nr])
		ret = hcalls[nr](v, a);
	if (ret == -ERESTART) {
		put_args(v, a, wide);
		vcpu_ops->set(v, VS_RIP, v->last_exit.rip);
		return;
	}
	v->gprs[GPR_RAX] = wide ? (uint64_t)ret : (uint32_t)ret;
}

long hcop_call(struct vcpu *v, const struct hcop *ops, size_t nr, uint64_t cmd, uint64_t arg)
{
	_Alignas(8) uint8_t buf[HCOP_ARG_MAX];

	if (cmd >= nr || (!ops[cmd].fn && !ops[cmd].on))
		return -ENOSYS;
	const struct hcop *op = &ops[cmd];
	if (copy_from_guest_virt(v, buf, arg, op->size, NULL))
		return -EFAULT;
	struct domain *d = op->on ? domain_find(*(const uint32_t *)buf) : NULL;
	long rc = op->fn ? op->fn(v, buf) : d ? op->on(v, d, buf) : -ESRCH;
	if ((op->copy == HC_OUT_ALWAYS || (op->copy == HC_OUT && (rc >= 0 || rc == -ERESTART))) &&
	    copy_to_guest_virt(v, arg, buf, op->size, NULL)) {
		if (op->undo)
			op->undo(v, buf);
		return -EFAULT;
	}
	return rc;
}
