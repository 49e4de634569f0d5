/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMX on one physical CPU: IA32_FEATURE_CONTROL, the CR0/CR4 bits VMX
 * operation fixes, the VMXON region (SDM vol. 3, 24.7-24.8), the per-CPU
 * state (current VMCS, VPIDs) and the VMX instruction failure paths.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vmx/vmx.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/mm.h"


int vmx_insn_failed(const char *insn, bool valid, uint64_t operand)
{
	if (valid) {
		uint64_t err = vmread(VMCS_INSN_ERROR);
		pr_err("vmx: %s (0x%lx) failed: error %lu, %s\n", insn, operand, err,
		       vmx_insn_error_name(err));
	} else {
		pr_err("vmx: %s (0x%lx) failed: VMfailInvalid\n", insn, operand);
	}
	return -EIO;
}

_Noreturn void vmx_access_failed(const char *insn, uint32_t field)
{
	uint64_t err = 0;
	bool invalid;

	/* The error field exists only with a current VMCS: read it without
	 * the vmread() wrapper, whose failure would come back here. */
	__asm__ volatile("vmread %2, %0" : "=r"(err), "=@ccbe"(invalid)
			 : "r"((uint64_t)VMCS_INSN_ERROR));
	panic("vmx: %s of VMCS field 0x%x failed (%s)", insn, field,
	      invalid ? "VMfailInvalid: no current VMCS" : vmx_insn_error_name(err));
}

/* VMXON needs IA32_FEATURE_CONTROL locked with "VMX outside SMX" set
 * (vol. 3, 24.7); firmware normally locks it, else we do. */
static int feature_control_enable(void)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);

	if (!(fc & FC_LOCKED)) {
		fc |= FC_LOCKED | FC_VMX_OUTSIDE_SMX;
		wrmsr(MSR_FEATURE_CONTROL, fc);
	}
	return fc & FC_VMX_OUTSIDE_SMX ? 0 : -ENODEV;
}

/* After VMXON the CPU may still hold EPT- and VPID-tagged translations
 * from an earlier VMX session (firmware, a previous kernel): drop them. */
static void flush_all(const struct vmx_caps *caps)
{
	if (caps->ept_vpid & (1ull << 26))
		invept(INVEPT_ALL, 0);
	if (caps->vpid && caps->ept_vpid & (1ull << 42))
		invvpid(INVVPID_ALL, 0);
}

int vmx_cpu_enable(void)
{
	if (!this_cpu()->vmx && !(this_cpu()->vmx = kzalloc(sizeof(struct vmx_cpu))))
		return -ENOMEM;
	struct vmx_cpu *c = vmx_this_cpu();

	if (c->on)
		return 0;
	int err = vmx_caps_read(&c->caps);
	if (!err)
		err = feature_control_enable();
	if (err)
		return err;
	/* VMXON and VMX operation need the FIXED0 bits of CR0/CR4 set (CR0.NE,
	 * CR4.VMXE) and the non-FIXED1 bits clear (vol. 3, 24.8). */
	write_cr0((read_cr0() | c->caps.cr0_fixed0) & c->caps.cr0_fixed1);
	write_cr4((read_cr4() | c->caps.cr4_fixed0 | CR4_VMXE) & c->caps.cr4_fixed1);
	/* Per-CPU, kept for good: FRAME_OTHER, so FRAME_VCPU counts vcpus only. */
	c->vmxon_phys = frame_get(FRAME_OTHER);
	if (!c->vmxon_phys)
		return -ENOMEM;
	/* The VMXON region starts with the VMCS revision identifier. */
	*(uint32_t *)phys_to_virt(c->vmxon_phys) = c->caps.revision;
	err = vmxon(c->vmxon_phys);
	if (err) {
		frame_put(c->vmxon_phys, FRAME_OTHER);
		write_cr4(read_cr4() & ~CR4_VMXE);
		return err;
	}
	c->on = true;
	flush_all(&c->caps);
	return 0;
}

/* One VPID space for all CPUs: a vcpu keeps its VPID wherever it runs,
 * and no two vcpus may tag one CPU's translations alike. VPID 0 tags the
 * host's own. */
static uint64_t vpids[VPID_COUNT / 64] = { 1 };

uint16_t vmx_vpid_alloc(struct vmx_cpu *c)
{
	for (unsigned i = 1; i < VPID_COUNT; i++) {
		if (vpids[i / 64] & (1ull << (i % 64)))
			continue;
		vpids[i / 64] |= 1ull << (i % 64);
		/* A VPID used before may still tag the old vcpu's translations. */
		if (c->caps.ept_vpid & (1ull << 41))
			invvpid(INVVPID_SINGLE, (uint16_t)i);
		else
			invvpid(INVVPID_ALL, 0);
		return (uint16_t)i;
	}
	return 0;
}

void vmx_vpid_free(struct vmx_cpu *c, uint16_t vpid)
{
	if (vpid && vpid < VPID_COUNT)
		vpids[vpid / 64] &= ~(1ull << (vpid % 64));
}
