/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Control-register accesses that exit: MOV to CR0 that would change a
 * host-owned bit (CR0.NE and the bits VMX operation forbids: see caps.c),
 * every MOV to CR4 and every MOV to/from CR8. Each is emulated here, with the
 * checks the instruction itself makes (SDM vol. 2, "MOV - Move to/from
 * Control Registers"; vol. 3, 2.5 and 10.8.5 for long-mode activation).
 * The guest keeps its own value in the read shadow (CR0.NE = 0 runs as
 * NE = 1: x87 errors are then reported through #MF, never FERR#).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vmx/vmx.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "vmm/core/guest_mem.h"
#include "vmm/core/vmm.h"

#define CR0_ET (1ull << 4)
#define CR0_WP_BIT (1ull << 16)
#define AR_L (1u << 13) /* CS access rights: 64-bit code */

/* 64-bit mode: IA-32e mode guest (= EFER.LMA) and CS.L. */
static bool guest_64bit(void)
{
	return (vmread(VMCS_ENTRY_CTLS) & ENTRY_IA32E_GUEST) &&
	       (vmread(VMCS_GUEST_CS_AR) & AR_L);
}

/* Drops the guest's cached linear translations after an emulated paging
 * change (VM entry with a VPID keeps them, vol. 3, 28.3.3.3). */
void vmx_flush_vpid(const struct vmx_vcpu *vx)
{
	const struct vmx_caps *caps = &vmx_this_cpu()->caps;

	if (!vx->vpid)
		return;
	if (caps->ept_vpid & (1ull << 41))
		invvpid(INVVPID_SINGLE, vx->vpid);
	else
		invvpid(INVVPID_ALL, 0);
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
	vmx_write_cr0(vx, val);
	if ((old ^ val) & (CR0_PG | CR0_PE | CR0_WP_BIT | CR0_CD))
		vmx_flush_vpid(vx);
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
	vmx_write_cr4(to_vmx(v), val);
	if (old != val)
		vmx_flush_vpid(to_vmx(v));
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

/* RIP = next_rip; the instruction completed: an STI / MOV SS shadow ends
 * with it. */
static void skip_to(uint64_t next_rip)
{
	uint64_t st = vmread(VMCS_GUEST_INTERRUPTIBILITY);

	vmwrite(VMCS_GUEST_RIP, next_rip);
	if (st & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY, st & ~(uint64_t)(INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));
}

void vmx_skip_insn(uint8_t insn_len)
{
	skip_to(vmread(VMCS_GUEST_RIP) + insn_len);
}

void vmx_skip(struct vcpu *v, uint64_t next_rip)
{
	vmx_load(vmx_this_cpu(), to_vmx(v));
	skip_to(next_rip);
}

/*
 * Exit qualification for control-register accesses (vol. 3, table 28-3):
 * bits 3:0 the CR, 5:4 the access (0 MOV to CR, 1 MOV from CR, 2 CLTS,
 * 3 LMSW), 11:8 the general register. CLTS and LMSW cannot change CR0.NE
 * and so never exit here. A check that fails raises #GP(0), as the
 * instruction would; outside 64-bit mode the operand is 32 bits.
 */
int vmx_cr_access(struct vcpu *v, uint64_t qual, uint8_t insn_len)
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
		vmx_skip_insn(insn_len);
	return err;
}

/*
 * With EPT, VM entry loads the four PAE page-directory pointers from the
 * VMCS, not from guest memory (vol. 3, 26.3.2.4 and 28.2.1): when the
 * guest uses PAE paging outside long mode and we changed CR0/CR3/CR4/EFER
 * ourselves, read them from guest memory as MOV to CR would. Outside the
 * guest's RAM they read as not present.
 */
void vmx_load_pdptes(struct vcpu *v)
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
