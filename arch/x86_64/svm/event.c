/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event injection through EVENTINJ (APM 15.20): vector in bits 7:0, type
 * in 10:8, "error code valid" bit 11, valid bit 31, the error code in
 * 63:32. The next VMRUN delivers it; EXITINTINFO tells whether an exit
 * interrupted a delivery. Also the interrupt window (V_IRQ) and the NMI
 * blocking the VMCB does not keep without vNMI.
 */
#include "arch/x86_64/svm/svm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/virt.h"

static void queue_event(struct vmcb *vmcb, uint32_t type, uint8_t vector, bool has_error,
			uint32_t error)
{
	uint64_t ev = EVENT_VALID | type << EVENT_TYPE_SHIFT | vector;

	if (has_error)
		ev |= EVENT_HAS_ERROR | (uint64_t)error << 32;
	vmcb->ctl.event_inj = ev;
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
void svm_reinject(struct svm_vcpu *sv, struct vmcb *vmcb, bool ours)
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

static const uint32_t event_types[] = {
	[EV_EXT_INTR] = EVENT_TYPE_INTR, [EV_NMI] = EVENT_TYPE_NMI,
	[EV_EXCEPTION] = EVENT_TYPE_EXC, [EV_SOFT_INTR] = EVENT_TYPE_SOFT,
};

/*
 * EVENTINJ is delivered by the next VMRUN. For EV_SOFT_INTR, and #BP or
 * #OF as exceptions, RIP must already point past the instruction: the
 * CPU pushes RIP (with NRIP save, next_rip) as the return address.
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

void svm_inject_exc(struct vcpu *v, uint8_t vector, uint32_t error)
{
	queue_event(vmcb_of(v), EVENT_TYPE_EXC, vector, exc_has_error(vector), error);
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
	uint32_t irq = INT_CTL_V_IRQ | INT_CTL_V_IGN_TPR | 0xfu << INT_CTL_V_PRIO_SHIFT;

	if (on) {
		vmcb->ctl.int_ctl |= irq;
		vmcb->ctl.intercept_misc1 |= INTERCEPT1_VINTR;
	} else {
		vmcb->ctl.int_ctl &= ~irq;
		vmcb->ctl.intercept_misc1 &= ~INTERCEPT1_VINTR;
	}
	vmcb_dirty(vmcb, VMCB_CLEAN_TPR | VMCB_CLEAN_INTERCEPTS);
}
