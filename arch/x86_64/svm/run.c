/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One guest run and its exit, decoded into a neutral struct vmexit, and
 * event injection. This is the hot path: per exit it touches only the
 * VMCB fields the exit needs, and prints nothing.
 */
#include "arch/x86_64/svm/svm.h"
#include "arch/x86_64/cpu.h"
#include "kernel/smp.h"

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
static void insn_exit(const struct vmcb *vmcb, struct vmexit *e, const struct svm_cpu *c,
		      enum exit_reason reason)
{
	const struct vmcb_save *s = &vmcb->save;

	e->reason = reason;
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

static void decode_io(const struct vmcb *vmcb, struct vmexit *e)
{
	uint32_t info = (uint32_t)vmcb->ctl.exit_info1;
	uint64_t len = vmcb->ctl.exit_info2 - vmcb->save.rip; /* info 2 = next RIP */

	e->reason = EXIT_IO;
	e->io.port = (uint16_t)(info >> IOIO_PORT_SHIFT);
	e->io.size = (info >> IOIO_SIZE_SHIFT) & 7; /* one-hot 1, 2, 4: the size itself */
	e->io.in = info & IOIO_IN;
	e->io.string = info & IOIO_STRING;
	e->io.rep = info & IOIO_REP;
	e->insn_len = len - 1 < 15 ? (uint8_t)len : 0;
}

static void decode_npf(const struct vmcb *vmcb, struct vmexit *e)
{
	uint32_t err = (uint32_t)vmcb->ctl.exit_info1;

	e->reason = EXIT_NPF;
	e->npf.gpa = vmcb->ctl.exit_info2;
	e->npf.gla = 0;
	e->npf.gla_valid = false; /* SVM does not report the linear address */
	e->npf.present = err & NPF_PRESENT;
	e->npf.write = err & NPF_WRITE;
	e->npf.exec = err & NPF_EXEC;
	e->npf.read = !e->npf.write && !e->npf.exec;
}

static void queue_event(struct vmcb *vmcb, uint32_t type, uint8_t vector, bool has_error,
			uint32_t error)
{
	uint64_t ev = EVENT_VALID | type << EVENT_TYPE_SHIFT | vector;

	if (has_error)
		ev |= EVENT_HAS_ERROR | (uint64_t)error << 32;
	vmcb->ctl.event_inj = ev;
}

/*
 * An intercepted #DB or #AC goes straight back to the guest (see the
 * intercepts in svm.c): the CPU has already updated the guest's DR6 in
 * the VMCB. If an interrupted event is being re-injected, it goes first
 * and the exception is dropped: #AC is a fault and recurs; a #DB trap that
 * hit while another event was being delivered is lost.
 */
static void reflect_exception(struct vmcb *vmcb, struct vmexit *e, uint8_t vector)
{
	e->reason = EXIT_NONE;
	if (vmcb->ctl.event_inj & EVENT_VALID)
		return;
	queue_event(vmcb, EVENT_TYPE_EXC, vector, vector == EXC_AC,
		    (uint32_t)vmcb->ctl.exit_info1);
}

/*
 * NMI blocking without vNMI (the VMCB does not show it, APM 15.21.4): an
 * injected NMI blocks the next ones until an IRET (svm_inject). The IRET
 * intercept exits before the IRET runs; it then runs with TF set, and the
 * single-step #DB that follows it (whatever TF the IRET pops) says NMIs
 * are unblocked: that #DB is the guest's only if its own TF was set.
 */
static void nmi_iret(struct svm_vcpu *sv, struct vmcb *vmcb, struct vmexit *e)
{
	e->reason = EXIT_NONE;
	vmcb->ctl.intercept_misc1 &= ~INTERCEPT1_IRET;
	vmcb_dirty(vmcb, VMCB_CLEAN_INTERCEPTS);
	sv->nmi_step = true;
	sv->guest_tf = vmcb->save.rflags & RFLAGS_TF;
	vmcb->save.rflags |= RFLAGS_TF;
}

static bool nmi_step_done(struct svm_vcpu *sv, struct vmcb *vmcb)
{
	if (!sv->nmi_step)
		return false;
	sv->nmi_step = sv->nmi_blocked = false;
	if (sv->guest_tf)
		return false; /* the guest single-steps itself: its #DB */
	vmcb->save.dr6 &= ~DR6_BS;
	vmcb_dirty(vmcb, VMCB_CLEAN_DRX);
	return true;
}

static void decode_rare(struct vcpu *v, struct vmcb *vmcb, struct vmexit *e, uint32_t code)
{
	switch (code) {
	case SVM_EXIT_IRET:
		nmi_iret(to_svm(v), vmcb, e);
		break;
	case SVM_EXIT_SHUTDOWN:
		e->reason = EXIT_TRIPLE_FAULT; /* the VMCB state is undefined now */
		break;
	case SVM_EXIT_INVALID:
		/* Nothing ran; the save area may now hold host state (QEMU TCG).
		 * Whether this VMRUN's TLB flush happened is unknown: a new ASID
		 * generation makes the next entry on this CPU flush again. */
		e->reason = EXIT_INVALID_STATE;
		svm_new_asid_generation(svm_this_cpu());
		break;
	case SVM_EXIT_VMRUN: case SVM_EXIT_VMLOAD: case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI: case SVM_EXIT_CLGI: case SVM_EXIT_SKINIT: case SVM_EXIT_INVLPGA:
		/* The guest sees no SVM (what hardware does with EFER.SVME = 0). */
		e->reason = EXIT_NONE;
		queue_event(vmcb, EVENT_TYPE_EXC, EXC_UD, false, 0);
		break;
	case SVM_EXIT_EXC_BASE + EXC_DB:
		if (nmi_step_done(to_svm(v), vmcb))
			e->reason = EXIT_NONE;
		else
			reflect_exception(vmcb, e, EXC_DB);
		break;
	case SVM_EXIT_EXC_BASE + EXC_AC:
		reflect_exception(vmcb, e, EXC_AC);
		break;
	default:
		e->reason = EXIT_UNKNOWN; /* INVD among them: the domain is stopped */
		break;
	}
}

static void decode(struct vcpu *v, struct vmcb *vmcb, struct vmexit *e, const struct svm_cpu *c)
{
	uint32_t code = (uint32_t)vmcb->ctl.exit_code;

	e->vendor_code = code;
	e->info1 = vmcb->ctl.exit_info1;
	e->info2 = vmcb->ctl.exit_info2;
	e->insn_len = 0;
	e->regs_valid = false;
	e->rip = vmcb->save.rip;
	switch (code) {
	case SVM_EXIT_CPUID:
		insn_exit(vmcb, e, c, EXIT_CPUID);
		break;
	case SVM_EXIT_VMMCALL:
		insn_exit(vmcb, e, c, EXIT_HYPERCALL);
		break;
	case SVM_EXIT_IOIO:
		decode_io(vmcb, e);
		break;
	case SVM_EXIT_MSR:
		insn_exit(vmcb, e, c, e->info1 ? EXIT_MSR_WRITE : EXIT_MSR_READ);
		break;
	case SVM_EXIT_HLT:
		insn_exit(vmcb, e, c, EXIT_HLT);
		break;
	case SVM_EXIT_PAUSE:
		insn_exit(vmcb, e, c, EXIT_PAUSE);
		break;
	case SVM_EXIT_NPF:
		decode_npf(vmcb, e);
		break;
	case SVM_EXIT_XSETBV:
		insn_exit(vmcb, e, c, EXIT_XSETBV);
		break;
	case SVM_EXIT_CR4_WRITE:
		insn_exit(vmcb, e, c, EXIT_CR4_WRITE);
		e->cr_gpr = e->info1 >> 63 ? (int)(e->info1 & 15) : -1;
		break;
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI: /* taken by the host at STGI */
		e->reason = EXIT_INTR;
		break;
	case SVM_EXIT_VINTR:
		e->reason = EXIT_INTR_WINDOW;
		break;
	default:
		decode_rare(v, vmcb, e, code);
		break;
	}
}

/* Events raised by an instruction: INTn, and INT3/INTO (#BP, #OF). */
static bool soft_event(uint32_t type, uint8_t vector)
{
	return type == EVENT_TYPE_SOFT || (type == EVENT_TYPE_EXC && (vector == 3 || vector == 4));
}

/*
 * EXITINTINFO: the exit came while an event was being delivered. It is
 * injected again, except a software interrupt or INT3/INTO the guest
 * raised itself: RIP still points at that instruction, which raises it
 * again when re-executed. One we injected ourselves (RIP already past
 * the instruction, see svm_inject) is injected again.
 */
static void svm_reinject(struct svm_vcpu *sv, struct vmcb *vmcb, bool ours)
{
	uint64_t info = vmcb->ctl.exit_int_info;
	bool soft = soft_event((info & EVENT_TYPE_MASK) >> EVENT_TYPE_SHIFT,
			       info & EVENT_VECTOR_MASK);

	if (soft && !(ours && sv->soft_rip == vmcb->save.rip)) {
		vmcb->ctl.event_inj = 0;
		return;
	}
	vmcb->ctl.event_inj = info;
	if (soft) {
		sv->soft_injected = true;
		vmcb->ctl.next_rip = sv->soft_rip;
	}
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
	svm_enter(sv->vmcb_pa, v->gprs, c->host_vmcb_pa);
	if (UNLIKELY((vmcb->save.efer & EFER_LME) && !(vmcb->save.cr0 & CR0_PG)))
		svm_restore_host_cr0(c);
	/* The VMCB's own housekeeping before the big lock is taken again:
	 * what another CPU writes into it meanwhile (a TLB flush request)
	 * comes after and stays. */
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
	if (!smp_guest_exit())
		return; /* v was destroyed meanwhile: touch nothing */
	decode(v, vmcb, e, c);
}

void svm_skip(struct vcpu *v, uint64_t next_rip)
{
	struct vmcb *vmcb = vmcb_of(v);

	vmcb->save.rip = next_rip;
	vmcb->ctl.int_state &= ~(uint64_t)INT_STATE_SHADOW;
}

static const uint32_t event_types[] = {
	[EV_EXT_INTR] = EVENT_TYPE_INTR, [EV_NMI] = EVENT_TYPE_NMI,
	[EV_EXCEPTION] = EVENT_TYPE_EXC, [EV_SOFT_INTR] = EVENT_TYPE_SOFT,
};

/*
 * EVENTINJ is delivered by the next VMRUN (APM 15.20). For EV_SOFT_INTR,
 * and #BP or #OF as exceptions, RIP must already point past the
 * instruction: the CPU pushes RIP (with NRIP save, next_rip) as the
 * return address.
 */
void svm_inject(struct vcpu *v, const struct vevent *ev)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vmcb *vmcb = sv->vmcb;
	uint32_t type = ev->type < 4 ? event_types[ev->type] : EVENT_TYPE_EXC;

	if (ev->type == EV_NMI && (vmcb->ctl.int_ctl & INT_CTL_V_NMI_ENABLE)) {
		/* vNMI: the CPU takes it once NMIs are unblocked and blocks
		 * them until the handler's IRET; a second one merges. */
		vmcb->ctl.int_ctl |= INT_CTL_V_NMI;
		vmcb_dirty(vmcb, VMCB_CLEAN_TPR);
		return;
	}
	queue_event(vmcb, type, ev->vector, ev->has_error, ev->error);
	if (ev->type == EV_NMI) {
		sv->nmi_blocked = true;
		vmcb->ctl.intercept_misc1 |= INTERCEPT1_IRET;
		vmcb_dirty(vmcb, VMCB_CLEAN_INTERCEPTS);
	}
	if (soft_event(type, ev->vector)) {
		sv->soft_injected = true;
		sv->soft_rip = vmcb->save.rip;
		vmcb->ctl.next_rip = vmcb->save.rip;
	}
}

bool svm_can_inject_intr(struct vcpu *v)
{
	const struct vmcb *vmcb = vmcb_of(v);

	return (vmcb->save.rflags & RFLAGS_IF) && !(vmcb->ctl.int_state & INT_STATE_SHADOW) &&
	       !(vmcb->ctl.event_inj & EVENT_VALID);
}

/* vNMI: V_NMI waits for the CPU's own NMI window (see svm_inject). */
bool svm_nmi_ready(struct vcpu *v)
{
	const struct svm_vcpu *sv = to_svm(v);
	const struct vmcb_control *ctl = &sv->vmcb->ctl;

	return (ctl->int_ctl & INT_CTL_V_NMI_ENABLE) ||
	       (!sv->nmi_blocked && !(ctl->int_state & INT_STATE_SHADOW) &&
		!(ctl->event_inj & EVENT_VALID));
}

/*
 * The interrupt window: a virtual interrupt (V_IRQ, any priority thanks
 * to V_IGN_TPR) that the guest never receives, since the VINTR intercept
 * exits first, as soon as the guest could take it (RFLAGS.IF = 1, no
 * shadow). The request stays on until turned off, as on VMX.
 */
void svm_intr_window(struct vcpu *v, bool on)
{
	struct vmcb *vmcb = vmcb_of(v);

	if (on) {
		vmcb->ctl.int_ctl |= INT_CTL_V_IRQ | INT_CTL_V_IGN_TPR | 0xfu << INT_CTL_V_PRIO_SHIFT;
		vmcb->ctl.intercept_misc1 |= INTERCEPT1_VINTR;
	} else {
		vmcb->ctl.int_ctl &= ~(INT_CTL_V_IRQ | INT_CTL_V_IGN_TPR | 0xfu << INT_CTL_V_PRIO_SHIFT);
		vmcb->ctl.intercept_misc1 &= ~INTERCEPT1_VINTR;
	}
	vmcb_dirty(vmcb, VMCB_CLEAN_TPR | VMCB_CLEAN_INTERCEPTS);
}
