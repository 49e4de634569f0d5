/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD SVM on one physical CPU (AMD APM vol. 2, chapter 15): discovery
 * (CPUID 0x8000000A and the VM_CR MSR, 15.4), turning SVM on, and ASIDs.
 */
#include "arch/x86_64/svm/svm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/virt.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/mm.h"

/* CPUID Fn8000_000A EDX feature bits. */
static const char *const svm_features[] = {
	[0] = "NPT", [1] = "LBRV", [2] = "SVML", [3] = "NRIPS",
	[4] = "TSC-rate", [5] = "VMCB-clean", [6] = "flush-by-ASID",
	[7] = "decode-assists", [10] = "pause-filter",
	[12] = "pause-filter-threshold", [13] = "AVIC", [15] = "VMSAVE-virt",
	[16] = "VGIF", [17] = "GMET", [19] = "SSS-check", [20] = "SPEC-CTRL",
	[24] = "TLBI-ctl", [25] = "vNMI",
};

bool svm_probe(struct virt_caps *caps)
{
	if (boot_cpu.vendor != VENDOR_AMD || !boot_cpu.svm || boot_cpu.max_ext_leaf < 0x8000000a)
		return false;
	struct cpuid_regs r = cpuid(0x8000000a, 0);
	bool disabled = rdmsr(MSR_VM_CR) & VM_CR_SVMDIS;

	caps->kind = VIRT_SVM;
	caps->usable = !disabled;
	caps->nested_paging = r.edx & SVM_FEAT_NPT;
	int n = snprintf(caps->desc, sizeof(caps->desc), "SVM rev %u, %u ASIDs%s:",
			 r.eax & 0xff, r.ebx, disabled ? ", DISABLED by firmware (VM_CR.SVMDIS)" : "");
	if (n > 0)
		virt_feature_names(caps->desc, sizeof(caps->desc), r.edx, svm_features,
				   sizeof(svm_features) / sizeof(svm_features[0]));
	return true;
}

static void svm_read_features(struct svm_features *f)
{
	struct cpuid_regs r = cpuid(0x8000000a, 0);

	f->nr_asids = r.ebx;
	f->nrips = r.edx & SVM_FEAT_NRIPS;
	f->flush_by_asid = r.edx & SVM_FEAT_FLUSH_BY_ASID;
	f->vmcb_clean = r.edx & SVM_FEAT_VMCB_CLEAN;
	f->vnmi = r.edx & SVM_FEAT_VNMI;
	f->pause_filter = r.edx & SVM_FEAT_PAUSE_FILTER;
	f->pause_thresh = r.edx & SVM_FEAT_PAUSE_THRESH;
}

/*
 * EFER.SVME makes the SVM instructions legal; VM_HSAVE_PA names the page
 * where VMRUN saves (and #VMEXIT restores) the host's CS, SS, DS, ES,
 * GDTR, IDTR, CRs, EFER, RFLAGS, RIP, RSP, RAX. The rest of the host
 * state (FS, GS, TR, LDTR, syscall MSRs) is VMSAVEd here once into the
 * host VMCB and VMLOADed after every exit: it must not change after this
 * call (per-CPU FS/GS bases, if any, are set up before).
 */
int svm_cpu_enable(void)
{
	if (!this_cpu()->svm && !(this_cpu()->svm = kzalloc(sizeof(struct svm_cpu))))
		return -ENOMEM;
	struct svm_cpu *c = svm_this_cpu();

	if (c->enabled)
		return 0;
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return -ENODEV; /* writing EFER.SVME would #GP */
	svm_read_features(&c->feat);
	if (c->feat.nr_asids < 2)
		return -ENODEV;
	/* Per-CPU pages, kept for good: FRAME_OTHER, so that FRAME_VCPU
	 * counts only what vcpus hold (and drops to 0 without domains). */
	c->hsave_pa = frames_get(2, 1, FRAME_OTHER);
	if (!c->hsave_pa)
		return -ENOMEM;
	c->host_vmcb_pa = c->hsave_pa + PT_SIZE_4K;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, c->hsave_pa);
	svm_vmsave(c->host_vmcb_pa);
	c->host_cr0 = read_cr0();
	c->clean_mask = c->feat.vmcb_clean ? VMCB_CLEAN_USED : 0;
	c->next_asid = c->asid_gen = 1;
	c->enabled = true;
	pr_info("svm: enabled, %u ASIDs%s%s%s%s\n", c->feat.nr_asids,
		c->feat.nrips ? ", NRIP save" : ", no NRIP save (lengths decoded)",
		c->feat.flush_by_asid ? ", flush by ASID" : "",
		c->feat.vmcb_clean ? ", VMCB clean bits" : "", c->feat.vnmi ? ", vNMI" : "");
	return 0;
}

void svm_new_asid_generation(struct svm_cpu *c)
{
	c->asid_gen++;
	c->next_asid = c->feat.nr_asids;
}

void svm_assign_asid(struct svm_cpu *c, struct svm_vcpu *sv)
{
	if (c->next_asid >= c->feat.nr_asids) {
		/* Every ASID of the old generation may still have TLB entries:
		 * this VMRUN flushes them all before any is used again. */
		c->asid_gen++;
		c->next_asid = 1;
		sv->vmcb->ctl.tlb_control = TLB_CONTROL_ALL;
	}
	sv->vmcb->ctl.asid = c->next_asid++;
	sv->asid_gen = c->asid_gen;
	vmcb_dirty(sv->vmcb, VMCB_CLEAN_ASID);
}
