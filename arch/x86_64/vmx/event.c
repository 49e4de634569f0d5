/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event injection through the VM-entry interruption-information field
 * (SDM vol. 3, 24.8.3 and 26.6): vector in bits 7:0, type in 10:8, "deliver
 * error code" bit 11, valid bit 31. Every VM exit clears the valid bit
 * (27.2.1), so a queued event lives exactly until the next entry.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/virt.h"
#include "arch/x86_64/vmx/vmx.h"
#include "kernel/log.h"

static const uint32_t event_types[] = {
	[EV_EXT_INTR] = INTR_TYPE_EXT, [EV_NMI] = INTR_TYPE_NMI,
	[EV_EXCEPTION] = INTR_TYPE_HW_EXC, [EV_SOFT_INTR] = INTR_TYPE_SOFT_INTR,
};

/*
 * INT n (EV_SOFT_INTR) is delivered as if executed, the return address
 * being RIP + the entry instruction length (set by vmx_inject). VM entry
 * requires "deliver error code" exactly for the exceptions that push one,
 * and never in real mode (CR0.PE = 0) with unrestricted guest (vol. 3,
 * 26.2.1.3).
 */
static uint32_t event_info(const struct vevent *ev)
{
	uint32_t type = ev->type < 4 ? event_types[ev->type] : INTR_TYPE_HW_EXC;
	uint32_t info = (ev->type == EV_NMI ? 2u : ev->vector) | type << 8;

	if (type == INTR_TYPE_HW_EXC && exc_has_error(ev->vector) &&
	    (vmread(VMCS_GUEST_CR0) & CR0_PE)) {
		vmwrite(VMCS_ENTRY_EXC_ERROR, ev->error);
		info |= INTR_INFO_HAS_ERROR;
	}
	return info;
}

void vmx_inject(struct vcpu *v, const struct vevent *ev)
{
	struct vmx_vcpu *vx = to_vmx(v);

	vmx_load(vmx_this_cpu(), vx);
	/* Only an event re-queued from the IDT-vectoring information can be
	 * here already; its delivery restarts first, and an exception it
	 * raises again will exit again. */
	if (vx->event_queued) {
		pr_debug("vmx: event type %u vector %u dropped: another is queued\n", ev->type,
			 ev->vector);
		return;
	}
	uint32_t info = event_info(ev);
	/* INT n is two bytes (CD ib): RIP is expected at the instruction. */
	if (ev->type == EV_SOFT_INTR)
		vmwrite(VMCS_ENTRY_INSN_LEN, 2);
	vmwrite(VMCS_ENTRY_INTR_INFO, info | INTR_INFO_VALID);
	vx->event_queued = true;
}

void vmx_inject_exc(struct vcpu *v, uint8_t vector, uint32_t error)
{
	struct vevent ev = { EV_EXCEPTION, vector, exc_has_error(vector), error };

	vmx_inject(v, &ev);
}

/* An external interrupt is taken at an instruction boundary with
 * RFLAGS.IF = 1 and no STI / MOV SS shadow (vol. 3, 6.8.3). */
bool vmx_can_inject_intr(struct vcpu *v)
{
	struct vmx_vcpu *vx = to_vmx(v);

	vmx_load(vmx_this_cpu(), vx);
	return !vx->event_queued && (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmread(VMCS_GUEST_INTERRUPTIBILITY) & INTR_BLOCK_SHADOW);
}

static void set_proc(struct vmx_vcpu *vx, uint32_t bit, bool on)
{
	uint32_t proc = on ? vx->proc | bit : vx->proc & ~bit;

	if (proc == vx->proc)
		return;
	vmx_load(vmx_this_cpu(), vx);
	vmwrite(VMCS_PROC_CTLS, proc);
	vx->proc = proc;
}

/* Interrupt-window exiting: exit at the first instruction boundary where
 * the guest could take an external interrupt (vol. 3, 25.2). */
void vmx_intr_window(struct vcpu *v, bool on)
{
	set_proc(to_vmx(v), PROC_INTR_WINDOW, on);
}

/* With virtual NMIs the CPU keeps "blocking by NMI" until the handler's
 * IRET; NMI-window exiting exits once neither it nor an STI / MOV SS
 * shadow blocks an NMI (vol. 3, 25.2). */
bool vmx_nmi_ready(struct vcpu *v)
{
	struct vmx_vcpu *vx = to_vmx(v);

	vmx_load(vmx_this_cpu(), vx);
	bool ready = !vx->event_queued &&
		     !(vmread(VMCS_GUEST_INTERRUPTIBILITY) & (INTR_BLOCK_SHADOW | INTR_BLOCK_NMI));
	set_proc(vx, PROC_NMI_WINDOW, !ready && vmx_this_cpu()->caps.nmi_window);
	return ready;
}

/*
 * The exit interrupted the delivery of an event (IDT-vectoring information
 * valid, vol. 3, 27.2.4): deliver it again at the next entry, with its
 * error code and, for software interrupts and exceptions, the length of
 * the instruction that raised it (27.2.5, 26.6.1.3). Bit 12 is undefined
 * in this field and must be 0 for entry.
 */
void vmx_reinject(struct vcpu *v, uint32_t idt_info)
{
	unsigned type = INTR_INFO_TYPE(idt_info);

	if (idt_info & INTR_INFO_HAS_ERROR)
		vmwrite(VMCS_ENTRY_EXC_ERROR, vmread(VMCS_IDT_VECTORING_ERROR));
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_PRIV_SOFT || type == INTR_TYPE_SOFT_EXC)
		vmwrite(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
	vmwrite(VMCS_ENTRY_INTR_INFO, idt_info & (INTR_INFO_VALID | INTR_INFO_HAS_ERROR | 0x7ffu));
	to_vmx(v)->event_queued = true;
}
