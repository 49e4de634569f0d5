/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VM exits, decided generically: the backend decoded the exit into a
 * struct vmexit; the table below picks the handler by its reason.
 */
#include "vmm/core/exit.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "kernel/log.h"
#include "vmm/emul/cpuid.h"
#include "vmm/core/domain.h"
#include "vmm/core/guest_mem.h"
#include "vmm/xen/hypercall.h"
#include "vmm/plat/ioport.h"
#include "vmm/plat/mmio.h"
#include "kernel/errno.h"
#include "vmm/emul/msr.h"
#include "vmm/core/p2m.h"
#include "vmm/core/vmm.h"
#include "vmm/plat/vplat.h"

typedef void (*exit_fn)(struct vcpu *v, struct vmexit *e);

#define CR4_PCIDE (1ull << 17)

static const char *const names[EXIT_REASONS] = {
	[EXIT_NONE] = "none", [EXIT_INTR] = "interrupt", [EXIT_INTR_WINDOW] = "intr-window",
	[EXIT_CPUID] = "cpuid", [EXIT_HLT] = "hlt", [EXIT_IO] = "io",
	[EXIT_MSR_READ] = "rdmsr", [EXIT_MSR_WRITE] = "wrmsr", [EXIT_NPF] = "npf",
	[EXIT_HYPERCALL] = "hypercall", [EXIT_TRIPLE_FAULT] = "triple-fault",
	[EXIT_INVALID_STATE] = "invalid-state", [EXIT_EXCEPTION] = "exception",
	[EXIT_UNKNOWN] = "unknown", [EXIT_PAUSE] = "pause", [EXIT_CR4_WRITE] = "cr4-write",
	[EXIT_NMI_WINDOW] = "nmi-window",
	[EXIT_XSETBV] = "xsetbv",
};

const char *exit_reason_name(enum exit_reason r)
{
	return (unsigned)r < EXIT_REASONS ? names[r] : "?";
}

static void exit_nothing(struct vcpu *v, struct vmexit *e)
{
}

static void exit_intr_window(struct vcpu *v, struct vmexit *e)
{
	vcpu_ops->intr_window(v, false); /* vcpu_deliver_irqs asks again if needed */
}

void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t regs[4])
{
	struct cpuid_regs r = cpuid(leaf, sub);

	regs[0] = r.eax;
	regs[1] = r.ebx;
	regs[2] = r.ecx;
	regs[3] = r.edx;
}

/*
 * CPUID answers are cached per vcpu by leaf and subleaf: the policy's other
 * inputs are fixed for a vcpu, but for CR4.OSXSAVE (leaf 1) and XCR0 (leaf
 * 0xD), whose changes flush the cache (vcpu_cpuid_flush).
 */
static struct cpuid_entry *cpuid_slot(struct vcpu *v, uint32_t leaf, uint32_t sub)
{
	return &v->cpuid_cache[(leaf ^ (leaf >> 28) ^ sub) & 7];
}

static void cpuid_answer(struct vcpu *v, struct vmexit *e, const struct cpuid_entry *c)
{
	v->gprs[GPR_RAX] = c->out[0];
	v->gprs[GPR_RBX] = c->out[1];
	v->gprs[GPR_RCX] = c->out[2];
	v->gprs[GPR_RDX] = c->out[3];
	vcpu_skip_insn(v, e);
}

/* What the CPUID policy knows of v. */
static struct cpuid_guest cpuid_guest_of(struct vcpu *v)
{
	return (struct cpuid_guest){
		.apic_id = v->id, .nr_vcpus = v->dom->nr_vcpus,
		.tsc_khz = (uint32_t)(timer_info()->tsc_hz / 1000),
		.xcr0 = v->xcr0,
		.hide_xsave = !vmm_xcr0, /* only x87/SSE state is switched without XSAVE */
		.vlapic = v->dom->plat != NULL,
		.xen = v->dom->cfg.xen, .domid = v->dom->id,
	};
}

/* A miss: ask the policy. Out of line, so the hit path needs no frame. */
static __attribute__((noinline)) void exit_cpuid_miss(struct vcpu *v, struct vmexit *e)
{
	uint32_t leaf = (uint32_t)v->gprs[GPR_RAX], sub = (uint32_t)v->gprs[GPR_RCX];
	struct cpuid_entry *c = cpuid_slot(v, leaf, sub);
	struct cpuid_guest g = cpuid_guest_of(v);

	g.cr4 = e->regs_valid ? e->regs.cr4 : vcpu_ops->get(v, VS_CR4);
	if (vmm_xcr0) /* v's own, in the CPU (and leaf 0xD uncached: see vcpu_load_cpu_state) */
		g.xcr0 = xgetbv(0);
	cpuid_policy(leaf, sub, &g, host_cpuid, c->out);
	c->leaf = leaf;
	c->sub = sub;
	c->valid = leaf != 0xd;
	cpuid_answer(v, e, c);
}

static void exit_cpuid(struct vcpu *v, struct vmexit *e)
{
	uint32_t leaf = (uint32_t)v->gprs[GPR_RAX], sub = (uint32_t)v->gprs[GPR_RCX];
	const struct cpuid_entry *c = cpuid_slot(v, leaf, sub);

	if (!c->valid || c->leaf != leaf || c->sub != sub) {
		exit_cpuid_miss(v, e);
		return;
	}
	cpuid_answer(v, e, c);
}

/* The control-register bits the guest's CPUID offers: the same for
 * every vcpu of the domain, asked once. Vcpus on two CPUs may ask at
 * once (the exit fast path): both write the same values, CR4's last. */
uint64_t vcpu_cr4_allowed(struct vcpu *v)
{
	struct domain *d = v->dom;
	uint64_t cr4 = __atomic_load_n(&d->cr4_allowed, __ATOMIC_ACQUIRE);

	if (!cr4) {
		struct cpuid_guest g = cpuid_guest_of(v);
		d->efer_allowed = cpuid_efer_allowed(&g, host_cpuid);
		d->xcr0_allowed = cpuid_xcr0_allowed(&g, host_cpuid);
		cr4 = cpuid_cr4_allowed(&g, host_cpuid);
		__atomic_store_n(&d->cr4_allowed, cr4, __ATOMIC_RELEASE);
	}
	return cr4;
}

int vcpu_cr4_check(struct vcpu *v, uint64_t val)
{
	uint64_t efer = vcpu_ops->get(v, VS_EFER);

	if ((val & ~vcpu_cr4_allowed(v)) || ((efer & EFER_LMA) && !(val & CR4_PAE)))
		return -EINVAL;
	if ((val ^ vcpu_ops->get(v, VS_CR4)) & CR4_OSXSAVE)
		vcpu_cpuid_flush(v); /* leaf 1 mirrors it; a refused write changes nothing else */
	/* PCIDE may be set only in long mode with CR3[11:0] = 0. */
	if ((val & ~vcpu_ops->get(v, VS_CR4) & CR4_PCIDE) &&
	    (!(efer & EFER_LMA) || (vcpu_ops->get(v, VS_CR3) & 0xfff)))
		return -EINVAL;
	return 0;
}

/* MOV to CR4 (SVM intercepts every one; VMX handles its own in vmx/cr.c):
 * the general register from the CPU's decode assist, else from the
 * instruction; a bit the guest's CPUID does not offer is #GP. */
static void exit_cr4_write(struct vcpu *v, struct vmexit *e)
{
	uint8_t b[15];
	int n = e->cr_gpr < 0 ? guest_fetch_insn(v, b, sizeof(b)) : 0;
	int gpr = e->cr_gpr < 0 ? insn_mov_to_cr4_gpr(b, n > 0 ? (size_t)n : 0, guest_mode(v))
				: e->cr_gpr;

	if (gpr < 0) {
		domain_crash(v->dom, "MOV to CR4 at RIP 0x%lx not decoded", e->rip);
		return;
	}
	uint64_t val = vcpu_is_64bit(v) ? v->gprs[gpr] : (uint32_t)v->gprs[gpr];
	if (vcpu_cr4_check(v, val)) {
		vcpu_inject_exception(v, EXC_GP, true, 0);
		return;
	}
	if (val != vcpu_ops->get(v, VS_CR4))
		vcpu_ops->flush_p2m(v); /* the guest's translations, as the MOV would */
	vcpu_ops->set(v, VS_CR4, val);
	vcpu_skip_insn(v, e);
}

/*
 * XSETBV (intercepted by both vendors). Bochs exits before checking CPL
 * and QEMU TCG before CR4.OSXSAVE, so both are checked here as the CPU
 * would: #UD without OSXSAVE, #GP above CPL 0. XCR0 (ECX = 0) is the only
 * XCR it sets, to a value the guest's CPUID allows (cpuid_xcr0_valid),
 * else #GP. The CPU holds the guest's XCR0 while it runs this vcpu.
 */
static void exit_xsetbv(struct vcpu *v, struct vmexit *e)
{
	uint64_t val = (uint32_t)v->gprs[GPR_RAX] | (uint64_t)(uint32_t)v->gprs[GPR_RDX] << 32;
	struct vseg ss;

	vcpu_ops->get_seg(v, SEG_SS, &ss);
	if (!(vcpu_ops->get(v, VS_CR4) & CR4_OSXSAVE)) {
		vcpu_inject_exception(v, EXC_UD, false, 0);
		return;
	}
	vcpu_cr4_allowed(v); /* asks the policy for xcr0_allowed too */
	if (((ss.attr >> 5) & 3) || (uint32_t)v->gprs[GPR_RCX] ||
	    !cpuid_xcr0_valid(val, v->dom->xcr0_allowed)) {
		vcpu_inject_exception(v, EXC_GP, true, 0);
		return;
	}
	if (!vcpu_skip_insn(v, e))
		return;
	xsetbv(0, val);
	v->xcr0 = val;
	vcpu_cpuid_flush(v);
}

/* An NMI counts only if NMIs are not blocked: HLT in an NMI handler
 * sleeps (until an interrupt) with another NMI held, as on hardware. */
static bool irq_pending(struct vcpu *v)
{
	return v->pending_irq[0] | v->pending_irq[1] | v->pending_irq[2] | v->pending_irq[3] |
	       v->plat_intr | (v->nmi_pending && vcpu_ops->nmi_ready(v));
}

static void exit_hlt(struct vcpu *v, struct vmexit *e)
{
	if (!vcpu_skip_insn(v, e))
		return;
	/* HLT with interrupts off sleeps until an NMI, as on hardware: a
	 * maskable interrupt neither keeps it awake nor wakes it (vcpu_wake).
	 * Linux's stopped CPUs halt so with their timers still firing; woken
	 * each time, one took its siblings' slices and powering off stalled. */
	bool intr = vcpu_ops->get(v, VS_RFLAGS) & RFLAGS_IF;

	v->halt_nmi_only = !intr;
	if (intr ? irq_pending(v) : v->nmi_pending && vcpu_ops->nmi_ready(v))
		return;
	/* Blocked first, then looked again: a platform interrupt raised
	 * meanwhile without the big lock (vplat) set plat_intr before its
	 * wake-up tried, so either this sees it or the wake-up sees BLOCKED. */
	vcpu_block(v);
	if (intr && (__atomic_load_n(&v->plat_intr, __ATOMIC_SEQ_CST) || vcpu_irq_raised(v)))
		vcpu_unblock(v); /* and an event's vector (vcpu_raise_irq) */
}

/* A spinning vcpu (PAUSE) most likely waits for another one, which with
 * one physical CPU can only run once this one stops: end its slice. */
static void exit_pause(struct vcpu *v, struct vmexit *e)
{
	if (vcpu_skip_insn(v, e))
		v->yield = v->dom->nr_vcpus > 1;
}

static void exit_io(struct vcpu *v, struct vmexit *e)
{
	if (e->io.string) {
		if (ioport_string(v, e->io.port, e->io.size, e->io.in, e->io.rep))
			vcpu_skip_insn(v, e);
		return;
	}
	ioport_access(v, e->io.port, e->io.size, e->io.in);
	vcpu_skip_insn(v, e);
}

/* #GP, said once per domain and MSR (domain_warn_once). */
static void msr_refused(struct vcpu *v, uint32_t index, bool write)
{
	domain_warn_once(v->dom, index, "%s of MSR 0x%x (%s) refused with #GP",
			 write ? "write" : "read", index, msr_name(index));
	vcpu_inject_exception(v, EXC_GP, true, 0);
}

/* An MSR that is v's alone (the MSR list's): 0 and done, or refused with
 * nothing changed. */
static int msr_own(struct vcpu *v, uint32_t index, bool write, uint64_t *value)
{
	uint64_t efer_ok = vcpu_cr4_allowed(v) ? v->dom->efer_allowed : 0; /* both asked at once */
	struct msr_guest g = {
		.efer = vcpu_ops->get(v, VS_EFER), .cr0 = vcpu_ops->get(v, VS_CR0),
		.long_mode_capable = efer_ok & EFER_LME, .nx_capable = efer_ok & EFER_NXE,
		.tsc_aux_capable = boot_cpu.rdtscp,
		.bsp = v->id == 0,
	};
	struct msr_action act;
	int rc = msr_decide(index, write, *value, &g, &act);

	if (rc)
		return rc;
	if (write && act.kind == MSR_VSTATE)
		vcpu_ops->set(v, act.vstate, *value);
	else if (write && act.kind == MSR_TSC)
		vcpu_ops->set(v, VS_TSC_OFFSET, *value - rdtsc());
	else if (write && act.kind == MSR_AUX) /* v's CPU state is loaded: the MSR is its */
		wrmsr(MSR_TSC_AUX, v->tsc_aux = *value);
	else if (!write && act.kind == MSR_VSTATE)
		*value = vcpu_ops->get(v, act.vstate);
	else if (!write && act.kind == MSR_TSC)
		*value = rdtsc() + vcpu_ops->get(v, VS_TSC_OFFSET);
	else if (!write)
		*value = act.kind == MSR_AUX ? v->tsc_aux : act.value;
	return 0;
}

static bool msr_of_vcpu(struct vcpu *v, uint32_t index)
{
	return !vplat_msr_owned(v->dom, index) && !(index == XEN_HYPERCALL_MSR && v->dom->cfg.xen);
}

static void msr_done(struct vcpu *v, struct vmexit *e, uint64_t value)
{
	if (e->reason == EXIT_MSR_READ) {
		v->gprs[GPR_RAX] = (uint32_t)value;
		v->gprs[GPR_RDX] = value >> 32;
	}
	vcpu_skip_insn(v, e);
}

static void exit_msr(struct vcpu *v, struct vmexit *e)
{
	bool write = e->reason == EXIT_MSR_WRITE;
	uint32_t index = (uint32_t)v->gprs[GPR_RCX];
	uint64_t value = (v->gprs[GPR_RDX] << 32) | (uint32_t)v->gprs[GPR_RAX];
	int rc;

	if (msr_of_vcpu(v, index))
		rc = msr_own(v, index, write, &value);
	else if (index == XEN_HYPERCALL_MSR && v->dom->cfg.xen)
		rc = write ? hypercall_page(v, value) : -EINVAL;
	else
		rc = vplat_msr(v, index, write, &value);
	if (rc)
		msr_refused(v, index, write);
	else
		msr_done(v, e, value);
}

static void exit_npf(struct vcpu *v, struct vmexit *e)
{
	/* The first touch of a RAM region maps it (vmm/p2m.c); any other
	 * read or write where no RAM is mapped is emulated (vmm/mmio.c): a
	 * device model's, or nothing there. What cannot be emulated (running
	 * code there, writing to a read-only mapping) stops the domain. */
	int rc = e->npf.present ? -ENOENT : p2m_populate(v->dom, e->npf.gpa);

	if (!rc)
		return; /* the instruction runs again */
	if (rc == -ENOMEM) {
		domain_crash(v->dom, "no memory left for its nested page tables");
		return;
	}
	rc = e->npf.exec || e->npf.present ? -ENOENT : mmio_handle(v, e->npf.gpa, e->npf.write);

	if (rc > 0) {
		e->insn_len = (uint8_t)rc; /* neither CPU reports it on this exit */
		vcpu_skip_insn(v, e);
	} else if (rc == -ENOENT && (e->npf.exec || e->npf.present)) {
		domain_crash(v->dom, "%s%s of guest-physical 0x%lx outside its memory at RIP 0x%lx",
			     e->npf.exec ? "execution" : e->npf.write ? "write" : "read",
			     e->npf.present ? " (permission)" : "", e->npf.gpa,
			     vcpu_ops->get(v, VS_RIP));
	} else if (rc < 0) {
		domain_crash(v->dom, "MMIO %s of guest-physical 0x%lx at RIP 0x%lx not emulated (error %d)",
			     e->npf.write ? "write" : "read", e->npf.gpa, vcpu_ops->get(v, VS_RIP), rc);
	}
	/* rc == 0: a REP string access continues, or an exception was queued. */
}

static void exit_hypercall(struct vcpu *v, struct vmexit *e)
{
	/* Advance first: a hypercall may stop the vcpu. */
	if (vcpu_skip_insn(v, e))
		hypercall(v);
}

static void exit_triple_fault(struct vcpu *v, struct vmexit *e)
{
	domain_crash(v->dom, "triple fault at RIP 0x%lx", vcpu_ops->get(v, VS_RIP));
}

static void exit_invalid_state(struct vcpu *v, struct vmexit *e)
{
	domain_crash(v->dom, "invalid guest state: VM entry refused (code 0x%x, info 0x%lx)",
		     e->vendor_code, e->info1);
}

static void exit_unexpected(struct vcpu *v, struct vmexit *e)
{
	domain_crash(v->dom, "unexpected %s exit (code 0x%x, info 0x%lx 0x%lx)",
		     exit_reason_name(e->reason), e->vendor_code, e->info1, e->info2);
}

static const exit_fn handlers[EXIT_REASONS] = {
	[EXIT_NONE] = exit_nothing,
	[EXIT_INTR] = exit_nothing,
	[EXIT_INTR_WINDOW] = exit_intr_window,
	[EXIT_NMI_WINDOW] = exit_nothing, /* the NMI goes in before the next entry */
	[EXIT_CPUID] = exit_cpuid,
	[EXIT_HLT] = exit_hlt,
	[EXIT_PAUSE] = exit_pause,
	[EXIT_IO] = exit_io,
	[EXIT_MSR_READ] = exit_msr,
	[EXIT_MSR_WRITE] = exit_msr,
	[EXIT_NPF] = exit_npf,
	[EXIT_CR4_WRITE] = exit_cr4_write,
	[EXIT_XSETBV] = exit_xsetbv,
	[EXIT_HYPERCALL] = exit_hypercall,
	[EXIT_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_INVALID_STATE] = exit_invalid_state,
	[EXIT_EXCEPTION] = exit_unexpected,
	[EXIT_UNKNOWN] = exit_unexpected,
};

/*
 * The exits that touch only v and its domain's platform are handled
 * before the big lock is taken (docs/vmm.md, "Exits without the big
 * lock"): CPUID, the MSRs of the MSR list, and the local APIC's MSRs
 * that need only the platform's own lock (vplat_msr_local), when the
 * answer needs no warning; port I/O to the platform's models that need
 * only its lock (vplat_io_local); and the hypercalls of hypercall_fast, which
 * reach other domains only in a section of kernel/smp.h. Nothing else
 * that another CPU changes without first taking this CPU out of guest
 * mode and waiting for it to ask for the lock (vmm_sync, smp_call) is
 * read or written, and interrupts stay off: a CPU that wants v gone or
 * changed waits for this one to finish.
 * The instruction's length is known before anything changes, and a
 * refused access changes nothing, so that a refusal leaves the exit whole
 * for vmexit_handle.
 */
static bool fast_len(struct vcpu *v, struct vmexit *e)
{
	int len = e->insn_len ? e->insn_len : guest_insn_length(v, e);

	e->insn_len = (uint8_t)(len > 0 ? len : 0);
	return len > 0;
}

static void fast_count(struct vcpu *v, const struct vmexit *e)
{
	v->exits[e->reason]++;
	v->exits_total++;
	v->exits_fast++;
}

static __attribute__((noinline)) bool fast_msr(struct vcpu *v, struct vmexit *e)
{
	uint32_t index = (uint32_t)v->gprs[GPR_RCX];
	uint64_t value = (v->gprs[GPR_RDX] << 32) | (uint32_t)v->gprs[GPR_RAX];
	bool write = e->reason == EXIT_MSR_WRITE, own = msr_of_vcpu(v, index);

	if (!own && !vplat_msr_local(v->dom, index, write, value))
		return false;
	if (!fast_len(v, e) || (own ? msr_own(v, index, write, &value)
				    : vplat_msr(v, index, write, &value)))
		return false;
	fast_count(v, e);
	msr_done(v, e, value);
	return true;
}

/* The hypercalls of hypercall_fast: the length first (so that nothing
 * changes when it is not known), RIP moved on once the call has run
 * (not for a continuation). */
static __attribute__((noinline)) bool fast_hypercall(struct vcpu *v, struct vmexit *e)
{
	enum hc_fast r = fast_len(v, e) ? hypercall_fast(v) : HC_LOCKED;

	if (r == HC_LOCKED)
		return false;
	fast_count(v, e);
	if (r == HC_DONE)
		vcpu_skip_insn(v, e);
	return true;
}

/* IN and OUT (not strings) to the platform's models of vplat_io_local. */
static __attribute__((noinline)) bool fast_io(struct vcpu *v, struct vmexit *e)
{
	if (e->io.string || !vplat_io_local(v->dom, e->io.port, e->io.in) || !fast_len(v, e))
		return false;
	fast_count(v, e);
	ioport_access(v, e->io.port, e->io.size, e->io.in);
	vcpu_skip_insn(v, e);
	return true;
}

bool vmexit_fast_handle(struct vcpu *v, struct vmexit *e)
{
	if (e->reason == EXIT_CPUID) {
		if (!fast_len(v, e))
			return false;
		fast_count(v, e);
		exit_cpuid(v, e);
		return true;
	}
	if (e->reason == EXIT_IO) /* a domain without the platform has none */
		return v->dom->plat && fast_io(v, e);
	if (e->reason == EXIT_HYPERCALL) /* the others pay a compare */
		return hypercall_maybe_fast(v->gprs[GPR_RAX]) && fast_hypercall(v, e);
	return fast_msr(v, e);
}

bool vmexit_fast_again(struct vcpu *v)
{
	uint64_t irqs = this_cpu()->irqs;
	const struct vplat *p = v->dom->plat;

	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	if (this_cpu()->irqs != irqs || v->plat_intr || this_cpu()->preempt || vcpu_irq_raised(v))
		return false; /* an interrupt to take (delivered locked), a vcpu woken here */
	if (!v->timer_deadline && !p)
		return true;
	uint64_t now = rdtsc(); /* as the locked path: a due timer is fired before entry */
	return !(v->timer_deadline && now >= v->timer_deadline) && !(p && now >= p->next_host);
}

void vmexit_handle(struct vcpu *v, struct vmexit *e)
{
	unsigned r = (unsigned)e->reason < EXIT_REASONS ? e->reason : EXIT_UNKNOWN;

	v->exits[r]++;
	v->exits_total++;
	handlers[r](v, e);
}
