/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One guest run: VM entry, then the exit decoded into a neutral struct
 * vmexit through a table indexed by the basic exit reason (SDM vol. 3,
 * appendix C), as on SVM. Exits the backend settles itself (CR accesses,
 * VMX instructions, MWAIT...) come back as EXIT_NONE. The path is kept
 * short: an instruction exit costs four VMREADs (reason, RSP, RIP, length).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/virt.h"
#include "arch/x86_64/vmx/vmx.h"
#include "kernel/smp.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "vmm/core/guest_mem.h"
#include "vmm/core/vmm.h"

/* entry.S and vmentry.h know these by number. */
_Static_assert(VMCS_HOST_RSP == 0x6c14, "entry.S writes HOST_RSP as field 0x6c14");
_Static_assert(GPR_RSP == 4 && GPR_RDI == 7 && GPR_R15 == 15 && GPR_COUNT == 16,
	       "vmentry.h's gprs offsets follow enum gpr");

/* vendor_code of a VMLAUNCH/VMRESUME that failed as an instruction. */
#define VMFAIL_CODE 0xffffu

#define AR_L (1u << 13) /* CS access rights: 64-bit code */

/*
 * Control-register accesses that exit: MOV to CR0 that would change a
 * host-owned bit (CR0.NE and the bits VMX operation forbids: see cpu.c),
 * every MOV to CR4 and every MOV to/from CR8. Each is emulated here, with the
 * checks the instruction itself makes (SDM vol. 2, "MOV - Move to/from
 * Control Registers"; vol. 3, 2.5 and 10.8.5 for long-mode activation).
 * The guest keeps its own value in the read shadow (CR0.NE = 0 runs as
 * NE = 1: x87 errors are then reported through #MF, never FERR#).
 */

/* 64-bit mode: IA-32e mode guest (= EFER.LMA) and CS.L. */
static bool guest_64bit(void)
{
	return (vmread(VMCS_ENTRY_CTLS) & ENTRY_IA32E_GUEST) && (vmread(VMCS_GUEST_CS_AR) & AR_L);
}

/* Long mode turns on when paging does with EFER.LME set, and off with it
 * (vol. 3, 10.8.5); the CPU does this itself unless we emulate the write. */
static int cr0_write(struct vcpu *v, uint64_t val)
{
	struct vmx_vcpu *vx = to_vmx(v);
	uint64_t old = vmx_get(v, VS_CR0), efer = vmread(VMCS_GUEST_EFER);

	val |= CR0_ET; /* hardwired to 1 */
	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)))
		return -EINVAL;
	if (!(old & CR0_PG) && (val & CR0_PG) && (efer & EFER_LME)) {
		if (!(vmx_get(v, VS_CR4) & CR4_PAE) || (vmread(VMCS_GUEST_CS_AR) & AR_L))
			return -EINVAL;
		vmx_write_efer(vx, efer | EFER_LMA);
	} else if ((old & CR0_PG) && !(val & CR0_PG) && (efer & EFER_LMA)) {
		if (guest_64bit())
			return -EINVAL;
		vmx_write_efer(vx, efer & ~EFER_LMA);
	}
	vmx_write_cr(vx, 0, val);
	if ((old ^ val) & (CR0_PG | CR0_PE | CR0_WP | CR0_CD))
		vmx_flush_vpid(vx->vpid);
	return 0;
}

static int cr4_write(struct vcpu *v, uint64_t val)
{
	const struct vmx_caps *caps = &vmx_this_cpu()->caps;
	uint64_t old = vmx_get(v, VS_CR4);

	/* Bits VMX operation does not allow are reserved for the guest too;
	 * VMXE and every bit the guest's CPUID hides fail vcpu_cr4_check. */
	if ((val & ~caps->cr4_fixed1) || vcpu_cr4_check(v, val))
		return -EINVAL;
	vmx_write_cr(to_vmx(v), 4, val);
	if (old != val)
		vmx_flush_vpid(to_vmx(v)->vpid);
	return 0;
}

static int mov_to_cr(struct vcpu *v, unsigned cr, uint64_t val)
{
	switch (cr) {
	case 0: return cr0_write(v, val);
	case 4: return cr4_write(v, val);
	case 8:
		if (val & ~0xfull)
			return -EINVAL;
		to_vmx(v)->cr8 = val;
		return 0;
	default: return -ENOSYS;
	}
}

/* The instruction completed: an STI / MOV SS shadow ends with it. */
static void end_shadow(void)
{
	uint64_t st = vmread(VMCS_GUEST_INTERRUPTIBILITY);

	if (st & INTR_BLOCK_SHADOW)
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY, st & ~(uint64_t)INTR_BLOCK_SHADOW);
}

/* Advances RIP past an instruction the backend emulated itself. */
static void skip_insn(uint8_t insn_len)
{
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + insn_len);
	end_shadow();
}

void vmx_skip(struct vcpu *v, uint64_t next_rip)
{
	vmx_load(vmx_this_cpu(), to_vmx(v));
	vmwrite(VMCS_GUEST_RIP, next_rip);
	end_shadow();
}

/*
 * Exit qualification for control-register accesses (vol. 3, table 28-3):
 * bits 3:0 the CR, 5:4 the access (0 MOV to CR, 1 MOV from CR, 2 CLTS,
 * 3 LMSW), 11:8 the general register. CLTS and LMSW cannot change CR0.NE
 * and so never exit here. A check that fails raises #GP(0), as the
 * instruction would; outside 64-bit mode the operand is 32 bits.
 */
static int cr_access(struct vcpu *v, uint64_t qual, uint8_t insn_len)
{
	unsigned cr = qual & 15, access = (qual >> 4) & 3, reg = (qual >> 8) & 15;
	int err = -ENOSYS;

	if (access == 0) {
		uint64_t val = v->gprs[reg];
		err = mov_to_cr(v, cr, guest_64bit() ? val : (uint32_t)val);
	} else if (access == 1 && cr == 8) {
		v->gprs[reg] = to_vmx(v)->cr8;
		err = 0;
	}
	if (err == -EINVAL) {
		vmx_inject_exc(v, EXC_GP, 0);
		return 0;
	}
	if (!err)
		skip_insn(insn_len);
	return err;
}

/*
 * With EPT, VM entry loads the four PAE page-directory pointers from the
 * VMCS, not from guest memory (vol. 3, 26.3.2.4 and 28.2.1): when the
 * guest uses PAE paging outside long mode and we changed CR0/CR3/CR4/EFER
 * ourselves, read them from guest memory as MOV to CR would. Outside the
 * guest's RAM they read as not present.
 */
static void load_pdptes(struct vcpu *v)
{
	uint64_t pdpte[4];

	to_vmx(v)->pdptes_stale = false;
	if (!(vmread(VMCS_GUEST_CR0) & CR0_PG) || !(vmread(VMCS_GUEST_CR4) & CR4_PAE) ||
	    (vmread(VMCS_GUEST_EFER) & EFER_LMA))
		return;
	uint64_t cr3 = vmread(VMCS_GUEST_CR3) & 0xffffffe0u;
	if (copy_from_guest_phys(v->dom, pdpte, cr3, sizeof(pdpte)))
		memset(pdpte, 0, sizeof(pdpte));
	for (unsigned i = 0; i < 4; i++)
		vmwrite(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

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
	iret_nmi_fixup(q, idt_info);
}

/* HLT completes when generic code steps over it, and so does the STI /
 * MOV SS shadow it sits in ("sti; hlt"): with the shadow still recorded,
 * the wake-up interrupt would wait for the next instruction, which may be
 * a CLI. Other exiting instructions keep it: at worst their interrupt
 * comes one instruction late, and this costs a VMREAD only here. */
static void decode_hlt(struct vcpu *v, struct vmexit *e, uint32_t idt_info)
{
	end_shadow();
}

/* An EPT entry we wrote is malformed: a hypervisor bug, never the guest's. */
static void decode_gpa(struct vcpu *v, struct vmexit *e, uint32_t idt_info)
{
	e->info2 = vmread(VMCS_GUEST_PHYS_ADDR);
}

static void decode_cr(struct vcpu *v, struct vmexit *e, uint32_t idt_info)
{
	e->info1 = vmread(VMCS_EXIT_QUAL);
	if (cr_access(v, e->info1, e->insn_len))
		e->reason = EXIT_UNKNOWN;
}

/* Entry failure (reason 33 / 34 with bit 31): qualification 2 = PDPTE
 * load failed, 3 = NMI injection blocked, 4 = link pointer (26.8). */
static void decode_qual(struct vcpu *v, struct vmexit *e, uint32_t idt_info)
{
	e->info1 = vmread(VMCS_EXIT_QUAL);
}

static const struct exit_kind kinds[VMX_EXIT_REASONS] = {
	[VMX_EXIT_EXC_NMI] = EXIT_KIND(EXIT_EXCEPTION, 0, decode_exception),
	[VMX_EXIT_EXT_INTR] = EXIT_KIND(EXIT_INTR, 0, NULL),
	[VMX_EXIT_TRIPLE_FAULT] = EXIT_KIND(EXIT_TRIPLE_FAULT, 0, NULL),
	[VMX_EXIT_INTR_WINDOW] = EXIT_KIND(EXIT_INTR_WINDOW, 0, NULL),
	[VMX_EXIT_NMI_WINDOW] = EXIT_KIND(EXIT_NMI_WINDOW, 0, NULL),
	[VMX_EXIT_CPUID] = EXIT_KIND(EXIT_CPUID, EK_INSN, NULL),
	[VMX_EXIT_GETSEC] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_XSETBV] = EXIT_KIND(EXIT_XSETBV, EK_INSN, NULL),
	[VMX_EXIT_HLT] = EXIT_KIND(EXIT_HLT, EK_INSN, decode_hlt),
	[VMX_EXIT_PAUSE] = EXIT_KIND(EXIT_PAUSE, EK_INSN, NULL),
	[VMX_EXIT_INVD] = EXIT_KIND(EXIT_NONE, EK_INSN | EK_SKIP, NULL),
	[VMX_EXIT_RDPMC] = EXIT_KIND(EXIT_NONE, EK_GP, NULL),
	[VMX_EXIT_VMCALL] = EXIT_KIND(EXIT_HYPERCALL, EK_INSN, NULL),
	/* VMX is hidden from the guest: its instructions are undefined. */
	[VMX_EXIT_VMCLEAR] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_VMLAUNCH] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_VMPTRLD] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_VMPTRST] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_VMREAD] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_VMRESUME] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_VMWRITE] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_VMXOFF] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_VMXON] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_INVEPT] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_INVVPID] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_VMFUNC] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_CR_ACCESS] = EXIT_KIND(EXIT_NONE, EK_INSN, decode_cr),
	[VMX_EXIT_IO] = EXIT_KIND(EXIT_IO, EK_INSN, decode_io),
	[VMX_EXIT_RDMSR] = EXIT_KIND(EXIT_MSR_READ, EK_INSN, NULL),
	[VMX_EXIT_WRMSR] = EXIT_KIND(EXIT_MSR_WRITE, EK_INSN, NULL),
	[VMX_EXIT_BAD_GUEST] = EXIT_KIND(EXIT_INVALID_STATE, 0, decode_qual),
	[VMX_EXIT_BAD_MSR_LOAD] = EXIT_KIND(EXIT_INVALID_STATE, 0, decode_qual),
	/* MONITOR/MWAIT: hidden by the CPUID policy, undefined for the guest
	 * (run natively, MWAIT would idle the physical CPU). */
	[VMX_EXIT_MWAIT] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_MONITOR] = EXIT_KIND(EXIT_NONE, EK_UD, NULL),
	[VMX_EXIT_EPT_VIOLATION] = EXIT_KIND(EXIT_NPF, 0, decode_ept),
	[VMX_EXIT_EPT_MISCONFIG] = EXIT_KIND(EXIT_UNKNOWN, 0, decode_gpa),
};

static void decode(struct vcpu *v, struct vmexit *e, uint32_t raw)
{
	uint32_t basic = raw & 0xffff, idt_info = 0;
	const struct exit_kind *k = basic < VMX_EXIT_REASONS ? &kinds[basic] : NULL;

	*e = (struct vmexit){ .vendor_code = basic, .rip = vmread(VMCS_GUEST_RIP) };
	if (!k || !(k->flags & EK_KNOWN)) {
		e->reason = EXIT_UNKNOWN;
		e->info1 = vmread(VMCS_EXIT_QUAL);
		return;
	}
	e->reason = k->reason;
	/* Instruction exits never interrupt an event delivery; the others
	 * may, and that event must be delivered again (27.2.4). */
	if (!(k->flags & EK_INSN) && !(raw & EXIT_REASON_ENTRY_FAIL)) {
		idt_info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
		if (idt_info & INTR_INFO_VALID)
			vmx_reinject(v, idt_info);
	}
	if (k->flags & EK_INSN)
		e->insn_len = (uint8_t)vmread(VMCS_EXIT_INSN_LEN);
	if (k->flags & EK_UD)
		vmx_inject_exc(v, EXC_UD, 0);
	if (k->flags & EK_GP)
		vmx_inject_exc(v, EXC_GP, 0);
	if (k->flags & EK_SKIP)
		skip_insn(e->insn_len);
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
		load_pdptes(v);
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
	 * the caller takes the big lock again: meanwhile another CPU may take
	 * the VMCS away (vmx_load elsewhere) or free it (destroy). */
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
}
