/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One guest run, then the exit decoded into a neutral struct vmexit
 * through a table indexed by the exit code (APM appendix C), as on VMX.
 * Exits the backend settles itself (reflected exceptions, the SVM
 * instructions, the NMI-unblocking IRET) come back as EXIT_NONE. This is
 * the hot path: per exit it touches only the VMCB fields the exit needs,
 * and prints nothing.
 */
#include "arch/x86_64/svm/svm.h"
#include "arch/x86_64/cpu.h"
#include "kernel/smp.h"
#include "arch/x86_64/virt.h"

#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/*
 * Entering on another CPU than last time, or after the ASID generation
 * moved on: the CPU's cached copy of this VMCB (clean bits) and the ASID
 * belong to the old place.
 */
static void svm_switch_in(struct svm_cpu *c, struct svm_vcpu *sv)
{
	if (sv->cpu != c) {
		sv->vmcb->ctl.clean = 0;
		sv->cpu = c;
		sv->asid_gen = 0;
	}
	if (sv->asid_gen != c->asid_gen)
		svm_assign_asid(c, sv);
}

/* The exiting instruction's length from NRIP save (instruction intercepts
 * only); 0 = unknown, generic code decodes it. QEMU TCG never fills it. */
static uint8_t nrip_len(const struct vmcb *vmcb, const struct svm_cpu *c)
{
	uint64_t len = vmcb->ctl.next_rip - vmcb->save.rip;

	if (!c->feat.nrips || !vmcb->ctl.next_rip || len - 1 >= 15)
		return 0;
	return (uint8_t)len;
}

/*
 * An instruction exit: its length from NRIP save, else a snapshot of what
 * decoding it needs (see struct vmexit), a few VMCB loads instead of
 * seven ops->get calls in generic code.
 */
static void insn_exit(const struct vmcb *vmcb, struct vmexit *e, const struct svm_cpu *c)
{
	const struct vmcb_save *s = &vmcb->save;

	e->insn_len = nrip_len(vmcb, c);
	if (e->insn_len)
		return;
	e->regs_valid = true;
	e->regs.cr0 = s->cr0;
	e->regs.cr3 = s->cr3;
	e->regs.cr4 = s->cr4;
	e->regs.efer = s->efer & ~(uint64_t)EFER_SVME; /* as svm_get shows it */
	e->regs.cs_base = s->cs.base;
	e->regs.cs_attr = s->cs.attr;
}

static void decode_io(struct vcpu *v, struct vmexit *e, uint32_t aux)
{
	uint32_t info = (uint32_t)e->info1;
	uint64_t len = e->info2 - e->rip; /* info 2 = next RIP */

	e->io.port = (uint16_t)(info >> IOIO_PORT_SHIFT);
	e->io.size = (info >> IOIO_SIZE_SHIFT) & 7; /* one-hot 1, 2, 4: the size itself */
	e->io.in = info & IOIO_IN;
	e->io.string = info & IOIO_STRING;
	e->io.rep = info & IOIO_REP;
	e->insn_len = len - 1 < 15 ? (uint8_t)len : 0;
}

static void decode_npf(struct vcpu *v, struct vmexit *e, uint32_t aux)
{
	uint32_t err = (uint32_t)e->info1;

	e->npf.gpa = e->info2;
	e->npf.present = err & NPF_PRESENT;
	e->npf.write = err & NPF_WRITE;
	e->npf.exec = err & NPF_EXEC;
	e->npf.read = !e->npf.write && !e->npf.exec;
}

static void decode_msr(struct vcpu *v, struct vmexit *e, uint32_t aux)
{
	if (e->info1)
		e->reason = EXIT_MSR_WRITE;
}

/* With decode assists, EXITINFO1 bit 63 says bits 3:0 name the GPR. */
static void decode_cr4(struct vcpu *v, struct vmexit *e, uint32_t aux)
{
	e->cr_gpr = e->info1 >> 63 ? (int)(e->info1 & 15) : -1;
}

/*
 * An intercepted exception (#DB, #AC) goes straight back to the guest
 * (see the intercepts in vcpu.c): the CPU has already updated the guest's
 * DR6 in the VMCB. If an interrupted event is being re-injected, it goes
 * first and the exception is dropped: #AC is a fault and recurs; a #DB
 * trap that hit while another event was being delivered is lost.
 */
static void reflect_exception(struct vcpu *v, struct vmexit *e, uint32_t aux)
{
	if (!(vmcb_of(v)->ctl.event_inj & EVENT_VALID))
		svm_inject_exc(v, (uint8_t)(e->vendor_code - SVM_EXIT_EXC_BASE),
			       (uint32_t)e->info1);
}

/*
 * NMI blocking without vNMI (the VMCB does not show it, APM 15.21.4): an
 * injected NMI blocks the next ones until an IRET (svm_inject). The IRET
 * intercept exits before the IRET runs; it then runs with TF set, and the
 * single-step #DB that follows it (whatever TF the IRET pops) says NMIs
 * are unblocked: that #DB is the guest's only if its own TF was set.
 */
static void decode_iret(struct vcpu *v, struct vmexit *e, uint32_t aux)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vmcb *vmcb = sv->vmcb;

	vmcb->ctl.intercept_misc1 &= ~INTERCEPT1_IRET;
	vmcb_dirty(vmcb, VMCB_CLEAN_INTERCEPTS);
	sv->nmi_step = true;
	sv->guest_tf = vmcb->save.rflags & RFLAGS_TF;
	vmcb->save.rflags |= RFLAGS_TF;
}

static void decode_db(struct vcpu *v, struct vmexit *e, uint32_t aux)
{
	struct svm_vcpu *sv = to_svm(v);

	if (sv->nmi_step) {
		sv->nmi_step = sv->nmi_blocked = false;
		if (!sv->guest_tf) { /* else the guest single-steps itself: its #DB */
			sv->vmcb->save.dr6 &= ~DR6_BS;
			vmcb_dirty(sv->vmcb, VMCB_CLEAN_DRX);
			return;
		}
	}
	reflect_exception(v, e, aux);
}

/* Nothing ran; the save area may now hold host state (QEMU TCG). Whether
 * this VMRUN's TLB flush happened is unknown: a new ASID generation makes
 * the next entry on this CPU flush again. */
static void decode_invalid(struct vcpu *v, struct vmexit *e, uint32_t aux)
{
	svm_new_asid_generation(svm_this_cpu());
}

/* The codes past SVM_EXIT_XSETBV that exit have slots of their own. */
enum { SLOT_NPF = SVM_EXIT_XSETBV + 1, SLOT_INVALID, SLOT_NONE, SVM_EXIT_SLOTS };

/* Without an entry (INVD among them): EXIT_UNKNOWN, the domain is stopped. */
static const struct exit_kind kinds[SVM_EXIT_SLOTS] = {
	[SVM_EXIT_CR4_WRITE] = EXIT_KIND(EXIT_CR4_WRITE, EK_INSN, decode_cr4),
	[SVM_EXIT_EXC_BASE + EXC_DB] = EXIT_KIND(EXIT_NONE, 0, decode_db),
	[SVM_EXIT_EXC_BASE + EXC_AC] = EXIT_KIND(EXIT_NONE, 0, reflect_exception),
	[SVM_EXIT_INTR] = EXIT_KIND(EXIT_INTR, 0, NULL),
	[SVM_EXIT_NMI] = EXIT_KIND(EXIT_INTR, 0, NULL), /* taken by the host at STGI */
	[SVM_EXIT_VINTR] = EXIT_KIND(EXIT_INTR_WINDOW, 0, NULL),
	[SVM_EXIT_CPUID] = EXIT_KIND(EXIT_CPUID, EK_INSN, NULL),
	[SVM_EXIT_IRET] = EXIT_KIND(EXIT_NONE, 0, decode_iret),
	[SVM_EXIT_PAUSE] = EXIT_KIND(EXIT_PAUSE, EK_INSN, NULL),
	[SVM_EXIT_HLT] = EXIT_KIND(EXIT_HLT, EK_INSN, NULL),
	[SVM_EXIT_IOIO] = EXIT_KIND(EXIT_IO, 0, decode_io),
	[SVM_EXIT_MSR] = EXIT_KIND(EXIT_MSR_READ, EK_INSN, decode_msr),
	[SVM_EXIT_SHUTDOWN] = EXIT_KIND(EXIT_TRIPLE_FAULT, 0, NULL), /* the VMCB is undefined */
	[SVM_EXIT_VMMCALL] = EXIT_KIND(EXIT_HYPERCALL, EK_INSN, NULL),
	[SVM_EXIT_XSETBV] = EXIT_KIND(EXIT_XSETBV, EK_INSN, NULL),
	/* The guest sees no SVM (what hardware does with EFER.SVME = 0). */
	[SVM_EXIT_VMRUN] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[SVM_EXIT_VMLOAD] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[SVM_EXIT_VMSAVE] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[SVM_EXIT_STGI] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[SVM_EXIT_CLGI] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[SVM_EXIT_SKINIT] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[SVM_EXIT_INVLPGA] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[SLOT_NPF] = EXIT_KIND(EXIT_NPF, 0, decode_npf),
	[SLOT_INVALID] = EXIT_KIND(EXIT_INVALID_STATE, 0, decode_invalid),
};

static unsigned slot(uint32_t code)
{
	if (code < SLOT_NPF)
		return code;
	if (code == SVM_EXIT_NPF)
		return SLOT_NPF;
	return code == SVM_EXIT_INVALID ? SLOT_INVALID : SLOT_NONE;
}

static void decode(struct vcpu *v, struct vmcb *vmcb, struct vmexit *e, const struct svm_cpu *c)
{
	uint32_t code = (uint32_t)vmcb->ctl.exit_code;
	const struct exit_kind *k = &kinds[slot(code)];
	uint8_t flags = k->flags;

	e->reason = k->reason;
	e->vendor_code = code;
	e->info1 = vmcb->ctl.exit_info1;
	e->info2 = vmcb->ctl.exit_info2;
	e->insn_len = 0;
	e->regs_valid = false;
	e->rip = vmcb->save.rip;
	if (flags != EK_KNOWN) { /* one test for the plain kinds (IOIO, NPF, INTR) */
		if (UNLIKELY(!flags))
			e->reason = EXIT_UNKNOWN;
		if (flags & EK_INSN)
			insn_exit(vmcb, e, c);
		if (UNLIKELY(flags & EK_UD))
			svm_inject_exc(v, EXC_UD, 0);
	}
	if (k->decode)
		k->decode(v, e, 0);
}

/*
 * QEMU TCG (7.2) restores the host CR0 at #VMEXIT while the guest's EFER
 * and CR4 are still loaded: with guest EFER.LME = 1, CR0.PG = 0 and
 * CR4.PAE = 0 it takes the host's CR0.PG as an illegal long-mode entry
 * and drops the whole write. The host then runs with paging off in
 * QEMU's eyes, and the next VMRUN derives a "no paging" nested walk from
 * that: guest-physical becomes host-physical. Writing the host CR0 again
 * repairs it. A 64-bit host always has CR0.PG set: real CPUs never write.
 */
static void svm_restore_host_cr0(const struct svm_cpu *c)
{
	if (!(read_cr0() & CR0_PG))
		write_cr0(c->host_cr0);
}

void svm_run(struct vcpu *v, struct vmexit *e)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vmcb *vmcb = sv->vmcb;
	struct svm_cpu *c = svm_this_cpu();

	if (UNLIKELY(sv->cpu != c || sv->asid_gen != c->asid_gen))
		svm_switch_in(c, sv);
	vmcb->save.rax = v->gprs[GPR_RAX];
	vmcb->save.rsp = v->gprs[GPR_RSP];
	smp_guest_enter();
	svm_enter(v->gprs, sv->vmcb_pa, c->host_vmcb_pa);
	if (UNLIKELY((vmcb->save.efer & EFER_LME) && !(vmcb->save.cr0 & CR0_PG)))
		svm_restore_host_cr0(c);
	/* The VMCB's own housekeeping and the decode happen without the big
	 * lock (the caller takes it after, unless the exit is a fast one):
	 * what another CPU writes into the VMCB (a TLB flush request) it
	 * writes after this CPU took a call, which it takes only while it
	 * waits for the lock, so it comes after and stays. */
	v->gprs[GPR_RAX] = vmcb->save.rax;
	v->gprs[GPR_RSP] = vmcb->save.rsp;
	vmcb->ctl.clean = c->clean_mask;
	vmcb->ctl.tlb_control = TLB_CONTROL_NONE;
	/* A queued event was delivered unless EXITINTINFO says otherwise. */
	bool soft_ours = sv->soft_injected;
	sv->soft_injected = false;
	if (UNLIKELY(vmcb->ctl.exit_int_info & EVENT_VALID))
		svm_reinject(sv, vmcb, soft_ours);
	else
		vmcb->ctl.event_inj = 0;
	decode(v, vmcb, e, c);
}

void svm_skip(struct vcpu *v, uint64_t next_rip)
{
	struct vmcb *vmcb = vmcb_of(v);

	vmcb->save.rip = next_rip;
	vmcb->ctl.int_state &= ~(uint64_t)INT_STATE_SHADOW;
}
