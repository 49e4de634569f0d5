/* SPDX-License-Identifier: GPL-2.0-only */
/* AMD SVM discovery: CPUID 0x8000000A and the VM_CR MSR (AMD APM vol. 2, 15.4). */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/virt.h"
#include "kernel/log.h"

#define MSR_VM_CR 0xC0010114
#define VM_CR_SVMDIS (1u << 4)

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
	caps->nested_paging = r.edx & 1;
	int n = snprintf(caps->desc, sizeof(caps->desc), "SVM rev %u, %u ASIDs%s:",
			 r.eax & 0xff, r.ebx, disabled ? ", DISABLED by firmware (VM_CR.SVMDIS)" : "");
	if (n > 0)
		virt_feature_names(caps->desc, sizeof(caps->desc), r.edx, svm_features,
				   sizeof(svm_features) / sizeof(svm_features[0]));
	return true;
}
