/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Intel VMX backend behind vmm/core/vcpu.h: the ops table, the EPT pointer
 * and its invalidation, and the VMCS dump.
 */
#include "arch/x86_64/vmx/vmx.h"
#include "kernel/smp.h"
#include "kernel/log.h"

static const char *const insn_errors[] = {
	[1] = "VMCALL in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_insn_error_name(uint64_t err)
{
	const char *s = err < sizeof(insn_errors) / sizeof(insn_errors[0]) ? insn_errors[err] : NULL;

	return s ? s : "unknown VM-instruction error";
}

/* EPT-tagged translations (guest-physical and combined, for every VPID)
 * of one EPT hierarchy go with INVEPT single-context; CPUs without it
 * flush all contexts (vol. 3, 28.4.3.1). */
void vmx_invept(uint64_t eptp)
{
	if (vmx_this_cpu()->caps.ept_vpid & (1ull << 25))
		invept(INVEPT_SINGLE, eptp);
	else
		invept(INVEPT_ALL, 0);
}

/* The root may have served another domain before (a reused frame): drop
 * whatever the CPU still caches under it. */
static void vmx_set_p2m(struct vcpu *v, uint64_t root_phys)
{
	struct vmx_vcpu *vx = to_vmx(v);

	vx->eptp = root_phys | vmx_this_cpu()->caps.eptp_flags;
	vmx_load(vmx_this_cpu(), vx);
	vmwrite(VMCS_EPTP, vx->eptp);
	vmx_invept(vx->eptp);
}

/* After an EPT change. Linear translations need no INVVPID: with EPT on,
 * the CPU caches guest translations only as combined mappings, which
 * INVEPT removes as well. */
static void invept_here(void *vx)
{
	vmx_invept(((struct vmx_vcpu *)vx)->eptp);
}

/* On the CPU whose TLB may hold them: where the VMCS is active (on one it
 * moves to, vmx_switch flushes). */
static void vmx_flush_p2m(struct vcpu *v)
{
	struct vmx_vcpu *vx = to_vmx(v);

	smp_call(vx->cpu < 0 ? this_cpu()->id : (unsigned)vx->cpu, invept_here, vx);
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

static const struct vcpu_ops vmx_ops = {
	.name = "VMX",
	.p2m_format = &pt_format_ept,
	.cpu_enable = vmx_cpu_enable,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_destroy = vmx_vcpu_destroy,
	.io_allow = vmx_io_allow,
	.set_p2m = vmx_set_p2m,
	.flush_p2m = vmx_flush_p2m,
	.run = vmx_run,
	.get = vmx_get,
	.set = vmx_set,
	.get_seg = vmx_get_seg,
	.set_seg = vmx_set_seg,
	.skip = vmx_skip,
	.inject = vmx_inject,
	.can_inject_intr = vmx_can_inject_intr,
	.intr_window = vmx_intr_window,
	.nmi_ready = vmx_nmi_ready,
	.dump = vmx_dump,
};

/* VMX with EPT and unrestricted guest, not disabled by firmware. */
const struct vcpu_ops *vmx_backend(void)
{
	struct vmx_caps caps;

	return vmx_caps_read(&caps) ? NULL : &vmx_ops;
}
