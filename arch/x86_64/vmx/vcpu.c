/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Intel VMX backend behind vmm/core/vcpu.h: the backend choice and its
 * ops, a vcpu's VMCS (allocation, the execution controls, the host state
 * the CPU loads at every VM exit; SDM vol. 3, ch. 24 and 26-27), its I/O
 * bitmaps, and the EPT pointer with its invalidation.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/virt.h"
#include "arch/x86_64/vmx/vmx.h"
#include "kernel/smp.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/mm.h"
#include "kernel/string.h"

extern const char vmx_exit_stub[]; /* entry.S: HOST_RIP */

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

#define READ_SEL(reg) ({ uint16_t s_; __asm__ volatile("mov %%" #reg ", %0" : "=r"(s_)); s_; })

/* TR's base from its 16-byte system descriptor in the GDT (vol. 3,
 * 8.2.3: base 23:0 in bytes 2-4, 31:24 in byte 7, 63:32 in bytes 8-11). */
static uint64_t host_tr_base(uint64_t gdt, uint16_t tr)
{
	const uint64_t *d = (const uint64_t *)(gdt + (tr & ~7u));

	return ((d[0] >> 16) & 0xffffff) | ((d[0] >> 56) << 24) | ((d[1] & 0xffffffff) << 32);
}

/* The host state: this CPU as it runs now. At VM exit the CPU loads it
 * (vol. 3, 27.5): GDTR/IDTR limits become 0xffff and TR's limit 0x67,
 * harmless here (no user mode, no I/O permission bitmap). */
static void vmcs_host(void)
{
	struct dtr gdt, idt;
	uint16_t tr;

	__asm__ volatile("sgdt %0; sidt %1; str %2" : "=m"(gdt), "=m"(idt), "=r"(tr));
	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_CS_SEL, READ_SEL(cs));
	vmwrite(VMCS_HOST_SS_SEL, READ_SEL(ss));
	vmwrite(VMCS_HOST_DS_SEL, READ_SEL(ds));
	vmwrite(VMCS_HOST_ES_SEL, READ_SEL(es));
	vmwrite(VMCS_HOST_FS_SEL, READ_SEL(fs));
	vmwrite(VMCS_HOST_GS_SEL, READ_SEL(gs));
	vmwrite(VMCS_HOST_TR_SEL, tr);
	vmwrite(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmwrite(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmwrite(VMCS_HOST_TR_BASE, host_tr_base(gdt.base, tr));
	vmwrite(VMCS_HOST_GDTR_BASE, gdt.base);
	vmwrite(VMCS_HOST_IDTR_BASE, idt.base);
	vmwrite(VMCS_HOST_PAT, rdmsr(MSR_PAT));
	vmwrite(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_RIP, (uint64_t)vmx_exit_stub);
}

/*
 * The fields with a fixed first value: the controls of what this backend
 * does not use (no exception is intercepted, no CR3 target, no MSR is
 * loaded or stored through the MSR areas, no shadow VMCS: the link
 * pointer must be all ones, vol. 3, 26.3.1.5), the host SYSENTER MSRs
 * (unused), and the guest registers vcpu_new does not set (see
 * vcpu_create), as after RESET (vol. 3, 10.1.1).
 */
static const struct {
	uint16_t field;
	uint64_t value;
} vmcs_fixed[] = {
	{ VMCS_EXC_BITMAP, 0 }, { VMCS_PF_ERR_MASK, 0 }, { VMCS_PF_ERR_MATCH, 0 },
	{ VMCS_CR3_TARGET_COUNT, 0 }, { VMCS_EXIT_MSR_STORE_COUNT, 0 },
	{ VMCS_EXIT_MSR_LOAD_COUNT, 0 }, { VMCS_ENTRY_MSR_LOAD_COUNT, 0 },
	{ VMCS_ENTRY_INTR_INFO, 0 }, { VMCS_LINK_POINTER, ~0ull },
	{ VMCS_HOST_SYSENTER_CS, 0 }, { VMCS_HOST_SYSENTER_ESP, 0 },
	{ VMCS_HOST_SYSENTER_EIP, 0 }, { VMCS_GUEST_DR7, 0x400 }, { VMCS_GUEST_DEBUGCTL, 0 },
	{ VMCS_GUEST_RSP, 0 }, { VMCS_GUEST_SYSENTER_CS, 0 }, { VMCS_GUEST_SYSENTER_ESP, 0 },
	{ VMCS_GUEST_SYSENTER_EIP, 0 }, { VMCS_GUEST_PENDING_DBG, 0 },
	{ VMCS_GUEST_INTERRUPTIBILITY, 0 }, { VMCS_GUEST_ACTIVITY, 0 },
	{ VMCS_GUEST_PDPTE0, 0 }, { VMCS_GUEST_PDPTE0 + 2, 0 }, { VMCS_GUEST_PDPTE0 + 4, 0 },
	{ VMCS_GUEST_PDPTE0 + 6, 0 },
};

/* Execution, exit and entry controls (chosen in cpu.c), then the fixed
 * fields. */
static void vmcs_controls(const struct vmx_caps *caps, struct vmx_vcpu *vx)
{
	vx->proc = caps->proc;
	vmwrite(VMCS_PIN_CTLS, caps->pin);
	vmwrite(VMCS_PROC_CTLS, caps->proc);
	vmwrite(VMCS_PROC2_CTLS, caps->proc2);
	vmwrite(VMCS_EXIT_CTLS, caps->exit);
	vmwrite(VMCS_ENTRY_CTLS, caps->entry);
	vmwrite(VMCS_CR0_MASK, caps->cr0_mask);
	vmwrite(VMCS_CR4_MASK, caps->cr4_mask);
	if (caps->proc2 & PROC2_VPID)
		vmwrite(VMCS_VPID, vx->vpid);
	/* With XSAVES enabled, this bitmap picks the XSS components whose
	 * XSAVES/XRSTORS exit: none. */
	if (caps->proc2 & PROC2_XSAVES)
		vmwrite(VMCS_XSS_EXIT_BITMAP, 0);
	if (caps->proc2 & PROC2_PLE) { /* TSC ticks, KVM's defaults */
		vmwrite(VMCS_PLE_GAP, PAUSE_LOOP_GAP);
		vmwrite(VMCS_PLE_WINDOW, PAUSE_LOOP_WINDOW);
	}
	for (unsigned i = 0; i < sizeof(vmcs_fixed) / sizeof(vmcs_fixed[0]); i++)
		vmwrite(vmcs_fixed[i].field, vmcs_fixed[i].value);
}

/* Allocates the VMCS and makes it current: VMCLEAR puts a new VMCS in the
 * "clear" launch state (VMLAUNCH next), VMPTRLD makes it current. */
static int vmcs_alloc(struct vmx_cpu *c, struct vmx_vcpu *vx)
{
	vx->vmcs_phys = frame_get(FRAME_VCPU);
	if (!vx->vmcs_phys)
		return -ENOMEM;
	/* Revision identifier in bits 30:0; bit 31 clear: not a shadow VMCS. */
	*(uint32_t *)phys_to_virt(vx->vmcs_phys) = c->caps.revision;
	int err = vmclear(vx->vmcs_phys);
	if (!err)
		err = vmptrld(vx->vmcs_phys);
	if (err) {
		frame_put(vx->vmcs_phys, FRAME_VCPU);
		return err;
	}
	c->current_vmcs = vx->vmcs_phys;
	vx->cpu = (int)this_cpu()->id;
	return 0;
}

/* On the CPU where vx's VMCS is active: VMCLEAR it (smp_call). */
static void vmx_release(void *arg)
{
	struct vmx_vcpu *vx = arg;
	struct vmx_cpu *c = vmx_this_cpu();

	vmclear(vx->vmcs_phys);
	if (c->current_vmcs == vx->vmcs_phys)
		c->current_vmcs = 0;
	if (c->msr_owner && to_vmx(c->msr_owner) == vx) { /* SWAPGS may have changed it */
		vx->msrs[LM_KERNEL_GS_BASE] = rdmsr(MSR_KERNEL_GS_BASE);
		c->msr_owner = NULL;
	}
	vx->launched = false; /* VMCLEAR: VMLAUNCH next */
	vx->cpu = -1;
}

/* EPT-tagged translations (guest-physical and combined, for every VPID)
 * of one EPT hierarchy go with INVEPT single-context; CPUs without it
 * flush all contexts (vol. 3, 28.4.3.1). */
static void vmx_invept(uint64_t eptp)
{
	if (vmx_this_cpu()->caps.ept_vpid & (1ull << 25))
		invept(INVEPT_SINGLE, eptp);
	else
		invept(INVEPT_ALL, 0);
}

/* A VMCS is active on one CPU at a time (vol. 3, 25.1): the CPU that has
 * it VMCLEARs it first. On a CPU new to it, the host state is this CPU's
 * (its GDT, TSS, per-CPU GS base) and the TLB forgets what it may still
 * hold under the vcpu's VPID and EPT root from an earlier user. */
void vmx_switch(struct vmx_cpu *c, struct vmx_vcpu *vx)
{
	unsigned self = this_cpu()->id;
	bool moved = vx->cpu != (int)self;

	if (moved && vx->cpu >= 0)
		smp_call((unsigned)vx->cpu, vmx_release, vx);
	if (vmptrld(vx->vmcs_phys))
		panic("vmx: cannot make VMCS 0x%lx current", vx->vmcs_phys);
	c->current_vmcs = vx->vmcs_phys;
	if (moved) {
		vx->cpu = (int)self;
		vmcs_host();
		vmx_invept(vx->eptp);
		vmx_flush_vpid(vx->vpid);
	}
}

static int vmx_vcpu_create(struct vcpu *v)
{
	struct vmx_cpu *c = vmx_this_cpu();

	if (!c->on)
		return -ENODEV;
	struct vmx_vcpu *vx = kzalloc(sizeof(*vx));
	if (!vx)
		return -ENOMEM;
	int err = c->caps.vpid && !(vx->vpid = vmx_vpid_alloc(c)) ? -ENOSPC : vmcs_alloc(c, vx);
	if (err) {
		vmx_vpid_free(c, vx->vpid); /* none (0) when none was had */
		kfree(vx);
		return err;
	}
	v->hw = vx;
	vmcs_controls(&c->caps, vx);
	vmcs_host();
	return 0;
}

/* Every port exits (unconditional I/O exiting) until one is granted:
 * then the I/O bitmaps, all ones but the granted ports. */
static int vmx_io_allow(struct vcpu *v, uint16_t first, uint32_t count, bool allow)
{
	struct vmx_cpu *c = vmx_this_cpu();
	struct vmx_vcpu *vx = to_vmx(v);

	if (!vx->io_phys) {
		if (!c->caps.io_bitmaps)
			return -ENODEV;
		if (!(vx->io_phys = frames_get(2, 1, FRAME_VCPU)))
			return -ENOMEM;
		memset(phys_to_virt(vx->io_phys), 0xff, 2 * PT_SIZE_4K);
		vmx_load(c, vx);
		vmwrite(VMCS_IO_BITMAP_A, vx->io_phys);
		vmwrite(VMCS_IO_BITMAP_B, vx->io_phys + PT_SIZE_4K);
		vx->proc = (vx->proc & ~PROC_IO_EXIT) | PROC_IO_BITMAPS;
		vmwrite(VMCS_PROC_CTLS, vx->proc);
	}
	io_bitmap_set(phys_to_virt(vx->io_phys), first, count, allow);
	return 0;
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_cpu *c = vmx_this_cpu();
	struct vmx_vcpu *vx = to_vmx(v);

	if (!vx)
		return;
	/* VMCLEAR, where the VMCS is active, writes back any VMCS data the
	 * CPU caches and makes it not current: the frame can then be reused
	 * safely. No CPU keeps v's MSRs as loaded. */
	if (vx->cpu >= 0)
		smp_call((unsigned)vx->cpu, vmx_release, vx);
	for (unsigned i = 0; i < nr_cpus; i++)
		if (percpu_get(i)->vmx && percpu_get(i)->vmx->msr_owner == v)
			percpu_get(i)->vmx->msr_owner = NULL;
	vmx_vpid_free(c, vx->vpid);
	frame_put(vx->vmcs_phys, FRAME_VCPU);
	if (vx->io_phys)
		frames_put(vx->io_phys, 2, FRAME_VCPU);
	kfree(vx);
	v->hw = NULL;
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

/* On the CPU whose TLB may hold them: where the VMCS is active (one it
 * moves to flushes in vmx_switch). */
static void vmx_flush_p2m(struct vcpu *v)
{
	struct vmx_vcpu *vx = to_vmx(v);

	smp_call(vx->cpu < 0 ? this_cpu()->id : (unsigned)vx->cpu, invept_here, vx);
}

static const struct vcpu_ops vmx_ops = VIRT_VCPU_OPS(vmx, "VMX", &pt_format_ept);

/* VMX with EPT and unrestricted guest, not disabled by firmware. */
const struct vcpu_ops *vmx_backend(void)
{
	struct vmx_caps caps;

	return vmx_caps_read(&caps) ? NULL : &vmx_ops;
}
