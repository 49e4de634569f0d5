/* Xen's ABI for PVH domains: the management domain's console input,
 * vcpu_op and xen_version (see xen.h). */
#include "vmm/xen/xen_int.h"
#include "include/public/vcpu.h"
#include "include/public/eyrie.h"
#include "arch/x86_64/timer.h"
#include "kernel/shell.h"
#include "kernel/string.h"
#include "vmm/xen/hypercall.h"

#define IN(x)  (copy_from_guest_virt(v, &(x), arg, sizeof(x), NULL) ? -EFAULT : 0)
#define OUT(x) (copy_to_guest_virt(v, arg, &(x), sizeof(x), NULL) ? -EFAULT : 0)

/* ---- the management domain's console input ---- */

#define CON_IN 1024
static uint8_t con_in[CON_IN];
static unsigned con_head, con_len;

/* Serial input switched to domain 0 (Ctrl-A x3, kernel/shell.c): queued
 * for CONSOLEIO_read, announced with VIRQ_CONSOLE. c < 0 only asks. */
static bool console_take(int c)
{
	struct domain *d0 = domain_find(0);

	if (!d0 || !d0->cfg.privileged || !d0->evtchn)
		return false;
	if (c < 0)
		return true;
	if (con_len < CON_IN) /* a full queue drops input, as a UART would */
		con_in[(con_head + con_len++) % CON_IN] = (uint8_t)c;
	xen_virq(d0, VIRQ_CONSOLE, 0);
	return true;
}

void xen_console_init(void)
{
	shell_set_redirect(console_take);
}

long xen_console_read(struct vcpu *v, uint64_t count, uint64_t gva)
{
	uint8_t buf[64];
	uint64_t done = 0;

	if (!v->dom->cfg.privileged)
		return -EPERM;
	while (done < count && con_len) {
		unsigned n = 0;
		while (n < sizeof(buf) && done + n < count && con_len) {
			buf[n++] = con_in[con_head];
			con_head = (con_head + 1) % CON_IN;
			con_len--;
		}
		if (copy_to_guest_virt(v, gva + done, buf, n, NULL))
			return -EFAULT; /* (those bytes are lost) */
		done += n;
	}
	return (long)done;
}

/* ---- vcpu_op ---- */

/* The runstate as Xen keeps it: the state, since when, ns in each. */
static void runstate_fill(struct vcpu *t, struct vcpu_runstate_info *r)
{
	*r = (struct vcpu_runstate_info){ t->rs_state, t->rs_entry,
		{ t->rs_time[0], t->rs_time[1], t->rs_time[2], t->rs_time[3] } };
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
	uint64_t now = vcpu_system_time_ns(v);

	if (now > v->rs_entry && (unsigned)v->rs_state < 4)
		v->rs_time[v->rs_state] += now - v->rs_entry;
	v->rs_state = state;
	v->rs_entry = now;
	if (v->runstate_gva && runstate_out(v, v, v->runstate_gva, v->runstate_compat))
		v->runstate_gva = 0; /* unmapped: the guest registers again if it wants */
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
	if (IN(c))
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

long xen_vcpu_op(struct vcpu *v, uint64_t cmd, uint64_t vcpuid, uint64_t arg)
{
	struct domain *d = v->dom;

	if (!d->evtchn)
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
		if (IN(gva))
			return -EFAULT;
		vcpu_time_fill(&ti);
		return gva && copy_to_guest_virt(v, gva, &ti, sizeof(ti), NULL) ? -EFAULT : 0;
	}
	case VCPUOP_register_runstate_memory_area: {
		uint64_t gva;
		if (IN(gva))
			return -EFAULT;
		if (gva && runstate_out(v, t, gva, !vcpu_is_64bit(v)))
			return -EFAULT;
		t->runstate_gva = gva;
		t->runstate_compat = !vcpu_is_64bit(v); /* its layout, from now on */
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
		if (IN(st))
			return -EFAULT;
		if ((st.flags & VCPU_SSHOTTMR_future) && st.timeout_abs_ns < vcpu_system_time_ns(v))
			return -ETIME;
		return vcpu_set_timer(v, st.timeout_abs_ns ? st.timeout_abs_ns : 1);
	}
	case VCPUOP_stop_singleshot_timer:
		if (t != v)
			return -EINVAL;
		t->timer_deadline = 0;
		return 0;
	case VCPUOP_set_periodic_timer: {
		struct vcpu_set_periodic_timer pt;
		if (IN(pt))
			return -EFAULT;
		if (pt.period_ns < 1000000)
			return -EINVAL; /* at least 1 ms, as Xen */
		t->timer_period = ns_to_tsc(pt.period_ns);
		return vcpu_set_timer(t, vcpu_system_time_ns(t) + pt.period_ns);
	}
	case VCPUOP_stop_periodic_timer:
		t->timer_period = 0;
		t->timer_deadline = 0;
		return 0;
	case VCPUOP_register_vcpu_info: {
		struct vcpu_register_vcpu_info ri;
		if (IN(ri))
			return -EFAULT;
		uint64_t gpa = (ri.mfn << 12) + ri.offset;
		struct vcpu_info *to = ri.offset <= 4096 - sizeof(*to) && ri.mfn < d->ram_bytes >> 12
				       ? gpa_ptr(d, gpa, sizeof(*to), true) : NULL;
		if (!to || t->vinfo_gpa)
			return to ? -EEXIST : -EINVAL; /* once, as Xen */
		memcpy(to, xen_vinfo(d, (unsigned)vcpuid), sizeof(*to));
		t->vinfo_gpa = gpa;
		vcpu_time_fill(&to->time);
		return 0;
	}
	default:
		return -ENOSYS;
	}
}

/* ---- xen_version (beyond XENVER_version) ---- */

long xen_version_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	static const char extra[16] = "-eyrie";
	static const char caps[] = "hvm-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p";
	static const char changeset[64] = "eyrie";
	/* Fixed strings, no build date: the image stays reproducible. */
	static const struct xen_compile_info ci = { __VERSION__, "eyrie", "eyrie", "unknown" };
	uint8_t handle[16] = { 0 };
	uint64_t none = 0;

	switch (cmd) {
	case XENVER_extraversion:
		return copy_to_guest_virt(v, arg, extra, sizeof(extra), NULL) ? -EFAULT : 0;
	case XENVER_capabilities:
		return copy_to_guest_virt(v, arg, caps, sizeof(caps), NULL) ? -EFAULT : 0;
	case XENVER_changeset:
		return copy_to_guest_virt(v, arg, changeset, sizeof(changeset), NULL) ? -EFAULT : 0;
	case XENVER_compile_info:
		return copy_to_guest_virt(v, arg, &ci, sizeof(ci), NULL) ? -EFAULT : 0;
	case XENVER_platform_parameters: /* virt_start: 0 for HVM guests, as Xen; a
					  * xen_ulong_t, 4 bytes for 32-bit callers */
		return copy_to_guest_virt(v, arg, &none, vcpu_is_64bit(v) ? 8 : 4, NULL) ? -EFAULT : 0;
	case XENVER_get_features: {
		struct xen_feature_info fi;
		if (IN(fi))
			return -EFAULT;
		fi.submap = fi.submap_idx ? 0 :
			(1u << XENFEAT_writable_page_tables) | (1u << XENFEAT_auto_translated_physmap) |
			(1u << XENFEAT_hvm_callback_vector) | (1u << XENFEAT_hvm_safe_pvclock);
		return OUT(fi);
	}
	case XENVER_pagesize:
		return 4096;
	case XENVER_guest_handle: /* the domain's handle: its id, big endian */
		handle[14] = (uint8_t)(v->dom->id >> 8);
		handle[15] = (uint8_t)v->dom->id;
		return copy_to_guest_virt(v, arg, handle, sizeof(handle), NULL) ? -EFAULT : 0;
	case XENVER_commandline:
	case XENVER_build_id:
		return -EPERM; /* as Xen's default policy answers an unprivileged domain */
	default:
		return -ENOSYS;
	}
}

