/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The AMD SVM backend behind vmm/core/vcpu.h (AMD APM vol. 2, chapter
 * 15): the backend choice and its ops, the life of a vcpu's VMCB and
 * permission maps, and the nested page tables it points at.
 */
#include "arch/x86_64/svm/svm.h"
#include "arch/x86_64/virt.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/mm.h"
#include "kernel/string.h"

#define IOPM_FRAMES  3 /* 64 Ki ports + the bits a 4-byte access at 0xffff spills into */
#define MSRPM_FRAMES 2 /* 2 bits (read, write) per MSR of 3 ranges, 1 KiB reserved */

/* The intercepts (APM 15.9-15.14). Everything a guest could use to reach
 * the host or another guest exits: ports and MSRs (all of them, through
 * all-ones maps: generic code applies the policies), CPUID, HLT, VMMCALL,
 * the SVM instructions (the guest sees no SVM), XSETBV (XCR0 takes only
 * what the guest's CPUID offers), INVD (it would drop dirty
 * cache lines, the host's included), shutdown, and host interrupts and
 * NMIs. #DB and #AC are intercepted and reflected: a guest can otherwise
 * chain them endlessly during event delivery and hang the physical CPU
 * (CVE-2015-5307, CVE-2015-8104). Of the control registers only CR4
 * writes exit (nested paging makes the guest's own paging harmless): a
 * bit for a feature the guest's CPUID hides must raise #GP. */
static void svm_init_controls(struct svm_vcpu *sv)
{
	struct vmcb_control *ctl = &sv->vmcb->ctl;

	ctl->intercept_cr = 1u << (16 + 4); /* writes of CR4 */
	ctl->intercept_exc = (1u << EXC_DB) | (1u << EXC_AC);
	ctl->intercept_misc1 = INTERCEPT1_INTR | INTERCEPT1_NMI | INTERCEPT1_CPUID |
			       INTERCEPT1_INVD | INTERCEPT1_HLT | INTERCEPT1_INVLPGA |
			       INTERCEPT1_IOIO | INTERCEPT1_MSR | INTERCEPT1_SHUTDOWN |
			       INTERCEPT1_PAUSE;
	ctl->intercept_misc2 = INTERCEPT2_VMRUN | INTERCEPT2_VMMCALL | INTERCEPT2_VMLOAD |
			       INTERCEPT2_VMSAVE | INTERCEPT2_STGI | INTERCEPT2_CLGI |
			       INTERCEPT2_SKINIT | INTERCEPT2_XSETBV;
	ctl->iopm_pa = sv->iopm_pa;
	ctl->msrpm_pa = sv->msrpm_pa;
	ctl->int_ctl = INT_CTL_V_INTR_MASKING;
	if (svm_this_cpu()->feat.vnmi) /* NMI blocking kept by the CPU (see svm_inject) */
		ctl->int_ctl |= INT_CTL_V_NMI_ENABLE;
	/* With the pause filter a spin loop exits (a preempted lock holder),
	 * not each PAUSE; without it (QEMU TCG) pause_count 0: every one. */
	if (svm_this_cpu()->feat.pause_filter) {
		ctl->pause_count = PAUSE_FILTER_COUNT;
		if (svm_this_cpu()->feat.pause_thresh)
			ctl->pause_threshold = PAUSE_LOOP_GAP;
	}
	ctl->np_ctl = NP_CTL_ENABLE; /* the rest, clean bits included, zeroed by frame_get */
}

static void svm_free(struct svm_vcpu *sv)
{
	if (sv->vmcb_pa)
		frame_put(sv->vmcb_pa, FRAME_VCPU);
	if (sv->iopm_pa)
		frames_put(sv->iopm_pa, IOPM_FRAMES, FRAME_VCPU);
	if (sv->msrpm_pa)
		frames_put(sv->msrpm_pa, MSRPM_FRAMES, FRAME_VCPU);
	kfree(sv);
}

static int svm_vcpu_create(struct vcpu *v)
{
	struct svm_vcpu *sv = kzalloc(sizeof(*sv));

	if (!sv)
		return -ENOMEM;
	sv->vmcb_pa = frame_get(FRAME_VCPU);
	sv->iopm_pa = frames_get(IOPM_FRAMES, 1, FRAME_VCPU);
	sv->msrpm_pa = frames_get(MSRPM_FRAMES, 1, FRAME_VCPU);
	if (!sv->vmcb_pa || !sv->iopm_pa || !sv->msrpm_pa) {
		svm_free(sv);
		return -ENOMEM;
	}
	memset(phys_to_virt(sv->iopm_pa), 0xff, IOPM_FRAMES * PT_SIZE_4K);
	memset(phys_to_virt(sv->msrpm_pa), 0xff, MSRPM_FRAMES * PT_SIZE_4K);
	sv->vmcb = phys_to_virt(sv->vmcb_pa); /* zeroed by frame_get */
	svm_init_controls(sv);
	/* The registers are vcpu_new's to set (see vcpu_create), but for
	 * the debug registers, which have no enum vstate: as after RESET. */
	sv->vmcb->save.dr6 = 0xffff0ff0;
	sv->vmcb->save.dr7 = 0x400;
	v->hw = sv;
	return 0;
}

static int svm_io_allow(struct vcpu *v, uint16_t first, uint32_t count, bool allow)
{
	struct svm_vcpu *sv = v->hw;

	io_bitmap_set(phys_to_virt(sv->iopm_pa), first, count, allow);
	sv->vmcb->ctl.clean &= ~VMCB_CLEAN_IOPM;
	return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	if (v->hw)
		svm_free(to_svm(v));
	v->hw = NULL;
}

/*
 * Without flush-by-ASID, a flush is a fresh ASID: one never used since
 * the last full flush holds no stale translations, and the other vcpus
 * keep their TLB entries.
 */
static void svm_flush_p2m(struct vcpu *v)
{
	struct svm_vcpu *sv = to_svm(v);

	if (!svm_this_cpu()->feat.flush_by_asid)
		sv->asid_gen = 0; /* matches no generation: new ASID at the next run */
	else if (sv->vmcb->ctl.tlb_control == TLB_CONTROL_NONE)
		sv->vmcb->ctl.tlb_control = TLB_CONTROL_THIS_ASID;
}

static void svm_set_p2m(struct vcpu *v, uint64_t root_phys)
{
	struct vmcb *vmcb = vmcb_of(v);

	vmcb->ctl.n_cr3 = root_phys;
	vmcb_dirty(vmcb, VMCB_CLEAN_NP);
	svm_flush_p2m(v);
}

static const struct vcpu_ops svm_ops = VIRT_VCPU_OPS(svm, "SVM", &pt_format_npt);

/* SVM with nested paging, not disabled by firmware. */
const struct vcpu_ops *svm_backend(void)
{
	struct virt_caps caps;

	return svm_probe(&caps) && caps.usable && caps.nested_paging ? &svm_ops : NULL;
}
