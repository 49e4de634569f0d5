/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One guest run: VM entry, then the exit decoded into a neutral struct
 * vmexit through a table indexed by the basic exit reason (SDM vol. 3,
 * appendix C). Exits the backend settles itself (CR accesses, VMX
 * instructions, MWAIT...) come back as EXIT_NONE. The path is kept short:
 * an instruction exit costs four VMREADs (reason, RSP, RIP, length).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vmx/vmx.h"
#include "kernel/smp.h"

#define K_KNOWN 1u  /* a table entry (EXIT_NONE is 0) */
#define K_INSN  2u  /* instruction exit: the exit instruction length is valid */
#define K_UD    4u  /* raise #UD in the guest: an instruction it must not have */
#define K_GP    8u  /* raise #GP(0) */
#define K_SKIP 16u  /* runs as a no-op: step over it */

/* entry.S knows these by number. */
_Static_assert(VMCS_HOST_RSP == 0x6c14, "entry.S writes HOST_RSP as field 0x6c14");
_Static_assert(GPR_RSP == 4 && GPR_RDI == 7 && GPR_R15 == 15 && GPR_COUNT == 16,
	       "entry.S's gprs offsets follow enum gpr");

/* vendor_code of a VMLAUNCH/VMRESUME that failed as an instruction. */
#define VMFAIL_CODE 0xffffu

typedef void exit_decoder(struct vcpu *v, struct vmexit *e, uint32_t idt_info);

struct exit_kind {
	uint8_t reason; /* enum exit_reason */
	uint8_t flags;
	exit_decoder *decode;
};

/* With virtual NMIs, an exit in the middle of an IRET that unblocked NMIs
 * (bit 12 of the qualification or interruption information, and no
 * event being delivered) must leave NMIs blocked again before the IRET is
 * retried (vol. 3, 27.2.3). */
static void iret_nmi_fixup(uint64_t bit12_field, uint32_t idt_info)
{
	if ((bit12_field & EPTV_NMI_UNBLOCK) && !(idt_info & INTR_INFO_VALID) &&
	    (vmx_this_cpu()->caps.pin & PIN_VIRTUAL_NMIS))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			vmread(VMCS_GUEST_INTERRUPTIBILITY) | INTR_BLOCK_NMI);
}

/* Exception or NMI. No exception is intercepted (exception bitmap 0), so
 * this is a host NMI: with NMI exiting it is not delivered to the host
 * (which uses none) and the exit counts as an interrupt exit. */
static void decode_exception(struct vcpu *v, struct vmexit *e, uint32_t idt_info)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);

	e->info1 = info;
	if (INTR_INFO_TYPE(info) == INTR_TYPE_NMI) {
		e->reason = EXIT_INTR;
		return;
	}
	iret_nmi_fixup(info, idt_info);
	e->exc.vector = (uint8_t)INTR_INFO_VECTOR(info);
	e->exc.has_error = info & INTR_INFO_HAS_ERROR;
	if (e->exc.has_error)
		e->exc.error = (uint32_t)vmread(VMCS_EXIT_INTR_ERROR);
	e->info2 = vmread(VMCS_EXIT_QUAL); /* #PF: the faulting address */
}

/* I/O qualification (vol. 3, table 28-5): size - 1 in bits 2:0, IN bit 3,
 * string bit 4, REP bit 5, port in bits 31:16. */
static void decode_io(struct vcpu *v, struct vmexit *e, uint32_t idt_info)
{
	uint64_t q = vmread(VMCS_EXIT_QUAL);

	e->info1 = q;
	e->io.size = (uint8_t)((q & 7) + 1);
	e->io.in = (q >> 3) & 1;
	e->io.string = (q >> 4) & 1;
	e->io.rep = (q >> 5) & 1;
	e->io.port = (uint16_t)(q >> 16);
}

/* EPT violation (vol. 3, table 28-7): the access in bits 2:0 (read,
 * write, fetch), what the translation allowed in bits 5:3 (all 0: nothing
 * mapped), bit 7 the guest-linear address is valid. */
static void decode_ept(struct vcpu *v, struct vmexit *e, uint32_t idt_info)
{
	uint64_t q = vmread(VMCS_EXIT_QUAL);

	e->info1 = q;
	e->info2 = e->npf.gpa = vmread(VMCS_GUEST_PHYS_ADDR);
	e->npf.read = q & EPTV_READ;
	e->npf.write = q & EPTV_WRITE;
	e->npf.exec = q & EPTV_EXEC;
	e->npf.present = q & EPTV_PERMS;
	e->npf.gla_valid = q & EPTV_GLA_VALID;
	if (e->npf.gla_valid)
		e->npf.gla = vmread(VMCS_GUEST_LINEAR_ADDR);
	iret_nmi_fixup(q, idt_info);
}

/* HLT completes when generic code steps over it, and so does the STI /
 * MOV SS shadow it sits in ("sti; hlt"): with the shadow still recorded,
 * the wake-up interrupt would wait for the next instruction, which may be
 * a CLI. Other exiting instructions keep it: at worst their interrupt
 * comes one instruction late, and this costs a VMREAD only here. */
static void decode_hlt(struct vcpu *v, struct vmexit *e, uint32_t idt_info)
{
	uint64_t st = vmread(VMCS_GUEST_INTERRUPTIBILITY);

	if (st & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			st & ~(uint64_t)(INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));
}

/* An EPT entry we wrote is malformed: a hypervisor bug, never the guest's. */
static void decode_gpa(struct vcpu *v, struct vmexit *e, uint32_t idt_info)
{
	e->info2 = vmread(VMCS_GUEST_PHYS_ADDR);
}

static void decode_cr(struct vcpu *v, struct vmexit *e, uint32_t idt_info)
{
	e->info1 = vmread(VMCS_EXIT_QUAL);
	if (vmx_cr_access(v, e->info1, e->insn_len))
		e->reason = EXIT_UNKNOWN;
}

/* Entry failure (reason 33 / 34 with bit 31): qualification 2 = PDPTE
 * load failed, 3 = NMI injection blocked, 4 = link pointer (26.8). */
static void decode_qual(struct vcpu *v, struct vmexit *e, uint32_t idt_info)
{
	e->info1 = vmread(VMCS_EXIT_QUAL);
}

#define KIND(r, f, fn) { (r), (uint8_t)((f) | K_KNOWN), (fn) }

static const struct exit_kind kinds[VMX_EXIT_REASONS] = {
	[VMX_EXIT_EXC_NMI] = KIND(EXIT_EXCEPTION, 0, decode_exception),
	[VMX_EXIT_EXT_INTR] = KIND(EXIT_INTR, 0, NULL),
	[VMX_EXIT_TRIPLE_FAULT] = KIND(EXIT_TRIPLE_FAULT, 0, NULL),
	[VMX_EXIT_INTR_WINDOW] = KIND(EXIT_INTR_WINDOW, 0, NULL),
	[VMX_EXIT_NMI_WINDOW] = KIND(EXIT_NMI_WINDOW, 0, NULL),
	[VMX_EXIT_CPUID] = KIND(EXIT_CPUID, K_INSN, NULL),
	[VMX_EXIT_GETSEC] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_XSETBV] = KIND(EXIT_XSETBV, K_INSN, NULL),
	[VMX_EXIT_HLT] = KIND(EXIT_HLT, K_INSN, decode_hlt),
	[VMX_EXIT_PAUSE] = KIND(EXIT_PAUSE, K_INSN, NULL),
	[VMX_EXIT_INVD] = KIND(EXIT_NONE, K_INSN | K_SKIP, NULL),
	[VMX_EXIT_RDPMC] = KIND(EXIT_NONE, K_GP, NULL),
	[VMX_EXIT_VMCALL] = KIND(EXIT_HYPERCALL, K_INSN, NULL),
	/* VMX is hidden from the guest: its instructions are undefined. */
	[VMX_EXIT_VMCLEAR] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_VMLAUNCH] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_VMPTRLD] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_VMPTRST] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_VMREAD] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_VMRESUME] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_VMWRITE] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_VMXOFF] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_VMXON] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_INVEPT] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_INVVPID] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_VMFUNC] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_CR_ACCESS] = KIND(EXIT_NONE, K_INSN, decode_cr),
	[VMX_EXIT_IO] = KIND(EXIT_IO, K_INSN, decode_io),
	[VMX_EXIT_RDMSR] = KIND(EXIT_MSR_READ, K_INSN, NULL),
	[VMX_EXIT_WRMSR] = KIND(EXIT_MSR_WRITE, K_INSN, NULL),
	[VMX_EXIT_BAD_GUEST] = KIND(EXIT_INVALID_STATE, 0, decode_qual),
	[VMX_EXIT_BAD_MSR_LOAD] = KIND(EXIT_INVALID_STATE, 0, decode_qual),
	/* MONITOR/MWAIT: hidden by the CPUID policy, undefined for the guest
	 * (run natively, MWAIT would idle the physical CPU). */
	[VMX_EXIT_MWAIT] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_MONITOR] = KIND(EXIT_NONE, K_UD, NULL),
	[VMX_EXIT_EPT_VIOLATION] = KIND(EXIT_NPF, 0, decode_ept),
	[VMX_EXIT_EPT_MISCONFIG] = KIND(EXIT_UNKNOWN, 0, decode_gpa),
};

static void decode(struct vcpu *v, struct vmexit *e, uint32_t raw)
{
	uint32_t basic = raw & 0xffff, idt_info = 0;
	const struct exit_kind *k = basic < VMX_EXIT_REASONS ? &kinds[basic] : NULL;

	*e = (struct vmexit){ .vendor_code = basic, .rip = vmread(VMCS_GUEST_RIP) };
	if (!k || !(k->flags & K_KNOWN)) {
		e->reason = EXIT_UNKNOWN;
		e->info1 = vmread(VMCS_EXIT_QUAL);
		return;
	}
	e->reason = k->reason;
	/* Instruction exits never interrupt an event delivery; the others
	 * may, and that event must be delivered again (27.2.4). */
	if (!(k->flags & K_INSN) && !(raw & EXIT_REASON_ENTRY_FAIL)) {
		idt_info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
		if (idt_info & INTR_INFO_VALID)
			vmx_reinject(v, idt_info);
	}
	if (k->flags & K_INSN)
		e->insn_len = (uint8_t)vmread(VMCS_EXIT_INSN_LEN);
	if (k->flags & K_UD)
		vmx_inject_exc(v, EXC_UD, 0);
	if (k->flags & K_GP)
		vmx_inject_exc(v, EXC_GP, 0);
	if (k->flags & K_SKIP)
		vmx_skip_insn(e->insn_len);
	if (k->decode)
		k->decode(v, e, idt_info);
}

/* VMLAUNCH/VMRESUME failed as an instruction (bad controls or host state,
 * vol. 3, 26.2): no exit happened, nothing of the guest changed. */
static void entry_failed(struct vmexit *e, int fail)
{
	*e = (struct vmexit){ .reason = EXIT_INVALID_STATE, .vendor_code = VMFAIL_CODE,
			      .info1 = fail == 2 ? vmread(VMCS_INSN_ERROR) : 0,
			      .info2 = (uint64_t)fail };
}

void vmx_run(struct vcpu *v, struct vmexit *e)
{
	struct vmx_cpu *c = vmx_this_cpu();
	struct vmx_vcpu *vx = to_vmx(v);

	vmx_load(c, vx);
	if (c->msr_owner != v)
		vmx_msrs_switch(c, v);
	if (vx->pdptes_stale)
		vmx_load_pdptes(v);
	if (v->gprs[GPR_RSP] != vx->guest_rsp) {
		vmwrite(VMCS_GUEST_RSP, v->gprs[GPR_RSP]);
		vx->guest_rsp = v->gprs[GPR_RSP];
	}
	/* CR2 is not part of the VMCS: the guest's lives in the register
	 * while it runs (host page faults are fatal, so it rarely moves). */
	if (read_cr2() != vx->cr2)
		write_cr2(vx->cr2);
	smp_guest_enter();
	int fail = vmx_enter(v->gprs, &vx->host_rsp, vx->launched);
	/* Everything read from or written to the VMCS about this exit, before
	 * the big lock is taken again: meanwhile another CPU may take the
	 * VMCS away (vmx_load elsewhere) or free it (destroy). */
	if (fail) {
		entry_failed(e, fail);
	} else {
		vx->cr2 = read_cr2();
		vx->event_queued = false;
		uint32_t raw = (uint32_t)vmread(VMCS_EXIT_REASON);
		/* A failed entry (bit 31) leaves the VMCS unlaunched (26.7). */
		if (!(raw & EXIT_REASON_ENTRY_FAIL))
			vx->launched = true;
		vx->guest_rsp = v->gprs[GPR_RSP] = vmread(VMCS_GUEST_RSP);
		decode(v, e, raw);
	}
	smp_guest_exit();
}
