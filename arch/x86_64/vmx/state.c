/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest state through the neutral accessors: enum vstate and struct vseg
 * mapped to VMCS guest-state fields, the CR0/CR4 read shadows, and the few
 * registers the VMCS does not hold (CR2, the SYSCALL/SWAPGS MSRs), and the
 * dump.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vmx/vmx.h"

static const uint32_t lazy_msr_index[LM_COUNT] = {
	[LM_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE, [LM_STAR] = MSR_STAR,
	[LM_LSTAR] = MSR_LSTAR, [LM_CSTAR] = MSR_CSTAR, [LM_SFMASK] = MSR_SFMASK,
};

/* State that is one VMCS field, read and written as is. */
static const uint16_t plain_field[VS_COUNT] = {
	[VS_RIP] = VMCS_GUEST_RIP, [VS_RFLAGS] = VMCS_GUEST_RFLAGS,
	[VS_CR3] = VMCS_GUEST_CR3, [VS_DR7] = VMCS_GUEST_DR7, [VS_PAT] = VMCS_GUEST_PAT,
	[VS_FS_BASE] = VMCS_GUEST_ES_BASE + 2 * SEG_FS,
	[VS_GS_BASE] = VMCS_GUEST_ES_BASE + 2 * SEG_GS,
	[VS_SYSENTER_CS] = VMCS_GUEST_SYSENTER_CS,
	[VS_SYSENTER_ESP] = VMCS_GUEST_SYSENTER_ESP,
	[VS_SYSENTER_EIP] = VMCS_GUEST_SYSENTER_EIP,
	[VS_TSC_OFFSET] = VMCS_TSC_OFFSET,
};

/* The lazy MSR of s, or -1: enum vmx_lazy_msr follows enum vstate. */
static int lazy_msr(enum vstate s)
{
	_Static_assert(VS_SFMASK - VS_KERNEL_GS_BASE == LM_SFMASK, "lazy MSRs follow vstate");

	return s >= VS_KERNEL_GS_BASE && s <= VS_SFMASK ? (int)(s - VS_KERNEL_GS_BASE) : -1;
}

/*
 * The guest's SYSCALL MSRs and KERNEL_GS_BASE stay in the hardware from
 * entry to entry (the host uses neither SYSCALL nor SWAPGS) and are
 * swapped only when another vcpu runs. Every guest RDMSR/WRMSR exits, so
 * only SWAPGS changes one behind our back: KERNEL_GS_BASE is read back
 * from the hardware while v owns it.
 */
void vmx_msrs_switch(struct vmx_cpu *c, struct vcpu *v)
{
	if (c->msr_owner)
		to_vmx(c->msr_owner)->msrs[LM_KERNEL_GS_BASE] = rdmsr(MSR_KERNEL_GS_BASE);
	for (unsigned i = 0; i < LM_COUNT; i++)
		wrmsr(lazy_msr_index[i], to_vmx(v)->msrs[i]);
	c->msr_owner = v;
}

void vmx_write_cr(struct vmx_vcpu *vx, unsigned cr, uint64_t val)
{
	const struct vmx_caps *caps = &vmx_this_cpu()->caps;
	bool cr4 = cr == 4;
	uint64_t fixed0 = cr4 ? caps->cr4_fixed0 : caps->cr0_fixed0;
	uint64_t fixed1 = cr4 ? caps->cr4_fixed1 : caps->cr0_fixed1;

	*(cr4 ? &vx->cr4_shadow : &vx->cr0_shadow) = val;
	vmwrite(cr4 ? VMCS_CR4_SHADOW : VMCS_CR0_SHADOW, val);
	vmwrite(cr4 ? VMCS_GUEST_CR4 : VMCS_GUEST_CR0, (val | fixed0) & fixed1);
	vx->pdptes_stale = true;
}

/* VM entry requires "IA-32e mode guest" = EFER.LMA (vol. 3, 26.3.1.1);
 * each VM exit writes EFER.LMA back into that control (27.2). */
void vmx_write_efer(struct vmx_vcpu *vx, uint64_t efer)
{
	uint64_t entry = vmread(VMCS_ENTRY_CTLS);
	uint64_t want = efer & EFER_LMA ? entry | ENTRY_IA32E_GUEST : entry & ~ENTRY_IA32E_GUEST;

	vmwrite(VMCS_GUEST_EFER, efer);
	if (want != entry)
		vmwrite(VMCS_ENTRY_CTLS, want);
	vx->pdptes_stale = true;
}

/* A control register as the guest sees it: host-owned (masked) bits from
 * the read shadow, the others from the real register. */
static uint64_t guest_view(uint64_t real, uint64_t shadow, uint64_t mask)
{
	return (real & ~mask) | (shadow & mask);
}

uint64_t vmx_get(struct vcpu *v, enum vstate s)
{
	struct vmx_cpu *c = vmx_this_cpu();
	struct vmx_vcpu *vx = to_vmx(v);
	int m = lazy_msr(s);

	vmx_load(c, vx);
	if (s < VS_COUNT && plain_field[s])
		return vmread(plain_field[s]);
	if (m >= 0)
		return m == LM_KERNEL_GS_BASE && c->msr_owner == v ? rdmsr(MSR_KERNEL_GS_BASE)
								   : vx->msrs[m];
	switch (s) {
	case VS_CR0:
		return guest_view(vmread(VMCS_GUEST_CR0), vx->cr0_shadow, c->caps.cr0_mask);
	case VS_CR4:
		return guest_view(vmread(VMCS_GUEST_CR4), vx->cr4_shadow, c->caps.cr4_mask);
	case VS_CR2:
		return vx->cr2;
	case VS_EFER:
		return vmread(VMCS_GUEST_EFER);
	case VS_INTR_SHADOW:
		return (vmread(VMCS_GUEST_INTERRUPTIBILITY) & INTR_BLOCK_SHADOW) != 0;
	default:
		return 0;
	}
}

/* An interrupt shadow set from outside: blocking by STI needs RFLAGS.IF
 * (a VM-entry check), so without IF it becomes blocking by MOV SS. */
static void set_intr_shadow(bool on)
{
	uint64_t st = vmread(VMCS_GUEST_INTERRUPTIBILITY) & ~(uint64_t)INTR_BLOCK_SHADOW;

	if (on)
		st |= vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF ? INTR_BLOCK_STI : INTR_BLOCK_MOV_SS;
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, st);
}

void vmx_set(struct vcpu *v, enum vstate s, uint64_t value)
{
	struct vmx_cpu *c = vmx_this_cpu();
	struct vmx_vcpu *vx = to_vmx(v);
	int m = lazy_msr(s);

	vmx_load(c, vx);
	if (s < VS_COUNT && plain_field[s]) {
		vmwrite(plain_field[s], value);
		vx->pdptes_stale |= s == VS_CR3;
	} else if (m >= 0) {
		vx->msrs[m] = value;
		if (c->msr_owner == v)
			wrmsr(lazy_msr_index[m], value);
	} else if (s == VS_CR0 || s == VS_CR4) {
		vmx_write_cr(vx, s == VS_CR4 ? 4 : 0, value);
	} else if (s == VS_CR2) {
		vx->cr2 = value;
	} else if (s == VS_EFER) {
		vmx_write_efer(vx, value);
	} else if (s == VS_INTR_SHADOW) {
		set_intr_shadow(value != 0);
	}
}

/*
 * Segments: the VMCS keeps selector, base, limit and access rights per
 * register, in the order ES CS SS DS FS GS LDTR TR (= enum vseg_id), each
 * kind of field 2 encodings apart; GDTR and IDTR follow with base and
 * limit only. Access rights (vol. 3, 24.4.1): bits 7:0 type/S/DPL/P as in
 * the descriptor, 15:12 AVL/L/D/G, bit 16 "unusable".
 */
#define AR_UNUSABLE (1u << 16)

static uint32_t attr_to_ar(uint16_t attr)
{
	if (!attr)
		return AR_UNUSABLE;
	return (attr & 0xffu) | ((uint32_t)(attr & 0xf00u) << 4);
}

static uint16_t ar_to_attr(uint32_t ar)
{
	if (ar & AR_UNUSABLE)
		return 0;
	return (uint16_t)((ar & 0xffu) | ((ar >> 4) & 0xf00u));
}

void vmx_get_seg(struct vcpu *v, enum vseg_id s, struct vseg *seg)
{
	vmx_load(vmx_this_cpu(), to_vmx(v));
	seg->base = vmread(VMCS_GUEST_ES_BASE + 2 * s);
	seg->limit = (uint32_t)vmread(VMCS_GUEST_ES_LIMIT + 2 * s);
	if (s >= SEG_GDTR) {
		seg->sel = seg->attr = 0;
		return;
	}
	seg->sel = (uint16_t)vmread(VMCS_GUEST_ES_SEL + 2 * s);
	seg->attr = ar_to_attr((uint32_t)vmread(VMCS_GUEST_ES_AR + 2 * s));
}

void vmx_set_seg(struct vcpu *v, enum vseg_id s, const struct vseg *seg)
{
	vmx_load(vmx_this_cpu(), to_vmx(v));
	vmwrite(VMCS_GUEST_ES_BASE + 2 * s, seg->base);
	vmwrite(VMCS_GUEST_ES_LIMIT + 2 * s, seg->limit);
	if (s >= SEG_GDTR)
		return;
	vmwrite(VMCS_GUEST_ES_SEL + 2 * s, seg->sel);
	vmwrite(VMCS_GUEST_ES_AR + 2 * s, attr_to_ar(seg->attr));
}

static void dump_seg(const char *name, enum vseg_id s)
{
	printk("  %s %04lx base %016lx limit %08lx ar %05lx\n", name,
	       vmread(VMCS_GUEST_ES_SEL + 2 * s), vmread(VMCS_GUEST_ES_BASE + 2 * s),
	       vmread(VMCS_GUEST_ES_LIMIT + 2 * s), vmread(VMCS_GUEST_ES_AR + 2 * s));
}

void vmx_dump(struct vcpu *v)
{
	struct vmx_vcpu *vx = to_vmx(v);

	vmx_load(vmx_this_cpu(), vx);
	uint64_t err = vmread(VMCS_INSN_ERROR);
	printk("VMX: VMCS 0x%lx (%s), VPID %u, EPTP 0x%lx\n", vx->vmcs_phys,
	       vx->launched ? "launched" : "clear", vx->vpid, vx->eptp);
	printk("  exit reason 0x%lx qualification 0x%lx gpa 0x%lx gla 0x%lx\n",
	       vmread(VMCS_EXIT_REASON), vmread(VMCS_EXIT_QUAL), vmread(VMCS_GUEST_PHYS_ADDR),
	       vmread(VMCS_GUEST_LINEAR_ADDR));
	printk("  exit interruption 0x%lx error 0x%lx, IDT vectoring 0x%lx error 0x%lx\n",
	       vmread(VMCS_EXIT_INTR_INFO), vmread(VMCS_EXIT_INTR_ERROR),
	       vmread(VMCS_IDT_VECTORING_INFO), vmread(VMCS_IDT_VECTORING_ERROR));
	printk("  RIP %016lx RSP %016lx RFLAGS %08lx\n", vmread(VMCS_GUEST_RIP),
	       vmread(VMCS_GUEST_RSP), vmread(VMCS_GUEST_RFLAGS));
	printk("  CR0 %08lx (shadow %08lx) CR3 %016lx CR4 %08lx (shadow %08lx) EFER %lx\n",
	       vmread(VMCS_GUEST_CR0), vx->cr0_shadow, vmread(VMCS_GUEST_CR3),
	       vmread(VMCS_GUEST_CR4), vx->cr4_shadow, vmread(VMCS_GUEST_EFER));
	dump_seg("CS", SEG_CS);
	dump_seg("SS", SEG_SS);
	printk("  controls pin %lx proc %lx proc2 %lx exit %lx entry %lx\n",
	       vmread(VMCS_PIN_CTLS), vmread(VMCS_PROC_CTLS), vmread(VMCS_PROC2_CTLS),
	       vmread(VMCS_EXIT_CTLS), vmread(VMCS_ENTRY_CTLS));
	printk("  entry interruption 0x%lx error 0x%lx, interruptibility %lx activity %lx\n",
	       vmread(VMCS_ENTRY_INTR_INFO), vmread(VMCS_ENTRY_EXC_ERROR),
	       vmread(VMCS_GUEST_INTERRUPTIBILITY), vmread(VMCS_GUEST_ACTIVITY));
	printk("  VM-instruction error %lu%s%s\n", err, err ? ": " : "",
	       err ? vmx_insn_error_name(err) : "");
}
