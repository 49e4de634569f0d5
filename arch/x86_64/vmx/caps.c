/*
 * Intel VMX discovery: CPUID.1:ECX.VMX, IA32_FEATURE_CONTROL and the VMX
 * capability MSRs (Intel SDM vol. 3, appendix A). The allowed-1 settings of
 * a control MSR are its high 32 bits.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/virt.h"
#include "kernel/log.h"

#define MSR_VMX_BASIC        0x480
#define MSR_VMX_PINBASED     0x481
#define MSR_VMX_PROCBASED    0x482
#define MSR_VMX_PROCBASED2   0x48B
#define MSR_VMX_EPT_VPID_CAP 0x48C

#define FC_LOCKED      (1u << 0)
#define FC_VMX_OUTSIDE_SMX (1u << 2)
#define PROC_SECONDARY (1u << 31)

static const char *const secondary_features[] = {
	[0] = "virt-APIC-accesses", [1] = "EPT", [3] = "RDTSCP", [4] = "x2APIC-virt",
	[5] = "VPID", [7] = "unrestricted-guest", [8] = "APIC-register-virt",
	[9] = "virtual-interrupt-delivery", [10] = "PAUSE-loop-exiting",
	[13] = "VMFUNC", [14] = "VMCS-shadowing", [16] = "RDSEED-exiting",
	[18] = "EPT-violation-#VE", [20] = "XSAVES", [25] = "TSC-scaling",
};

static const char *const ept_features[] = {
	[6] = "EPT-4-level", [8] = "EPT-UC", [14] = "EPT-WB", [16] = "EPT-2M",
	[17] = "EPT-1G", [20] = "INVEPT", [21] = "EPT-A/D", [32] = "INVVPID",
};

bool vmx_probe(struct virt_caps *caps)
{
	if (!boot_cpu.vmx)
		return false;
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	uint64_t proc = rdmsr(MSR_VMX_PROCBASED) >> 32;
	uint64_t pin = rdmsr(MSR_VMX_PINBASED) >> 32;
	uint64_t sec = proc & PROC_SECONDARY ? rdmsr(MSR_VMX_PROCBASED2) >> 32 : 0;
	uint64_t ept = sec & ((1u << 1) | (1u << 5)) ? rdmsr(MSR_VMX_EPT_VPID_CAP) : 0;
	bool disabled = (fc & FC_LOCKED) && !(fc & FC_VMX_OUTSIDE_SMX);

	caps->kind = VIRT_VMX;
	caps->usable = !disabled;
	caps->nested_paging = (sec >> 1) & 1;
	int n = snprintf(caps->desc, sizeof(caps->desc), "VMX VMCS rev 0x%lx, feature control %s:",
			 basic & 0x7fffffff,
			 disabled ? "locked with VMX DISABLED by firmware"
				  : fc & FC_LOCKED ? "locked, VMX on" : "unlocked");
	if (n <= 0)
		return true;
	if (pin & (1u << 7))
		virt_feature_names(caps->desc, sizeof(caps->desc), 1, (const char *const[]){ "posted-interrupts" }, 1);
	if (pin & (1u << 6))
		virt_feature_names(caps->desc, sizeof(caps->desc), 1, (const char *const[]){ "preemption-timer" }, 1);
	virt_feature_names(caps->desc, sizeof(caps->desc), sec, secondary_features,
			   sizeof(secondary_features) / sizeof(secondary_features[0]));
	virt_feature_names(caps->desc, sizeof(caps->desc), ept, ept_features,
			   sizeof(ept_features) / sizeof(ept_features[0]));
	return true;
}
