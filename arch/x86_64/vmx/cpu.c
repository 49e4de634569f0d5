/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMX on one physical CPU: discovery (CPUID.1:ECX.VMX, IA32_FEATURE_CONTROL
 * and the capability MSRs, Intel SDM vol. 3, appendix A; the allowed-1
 * settings of a control MSR are its high 32 bits), the controls the
 * backend runs guests with, the CR0/CR4 bits VMX operation fixes, the
 * VMXON region (24.7-24.8), VPIDs, and the VMX instruction failure paths.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/virt.h"
#include "arch/x86_64/vmx/vmx.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/string.h"

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

/*
 * The controls the backend runs guests with (see vmx.h). Each control MSR
 * gives allowed-0 settings in its low half (a 1 there: the bit must be 1)
 * and allowed-1 settings in its high half (a 0 there: the bit must be 0);
 * with IA32_VMX_BASIC bit 55 the TRUE_* MSRs (0x48d-0x490) report which
 * "default1" bits may really be 0 (SDM vol. 3, A.2-A.5).
 */
static uint32_t ctl_adjust(uint32_t want, uint64_t msr)
{
	return (want | (uint32_t)msr) & (uint32_t)(msr >> 32);
}

/* Checks that the adjusted controls kept every `need` bit and took no
 * `refuse` bit (one we cannot handle, e.g. CR3 exits, forced on). */
static bool ctl_ok(const char *what, uint32_t got, uint32_t need, uint32_t refuse)
{
	if ((got & need) == need && !(got & refuse))
		return true;
	pr_debug("vmx: unusable %s controls 0x%x (need 0x%x, refuse 0x%x)\n", what, got,
		 need, refuse);
	return false;
}

#define PIN_WANT  (PIN_EXT_INTR_EXIT | PIN_NMI_EXIT | PIN_VIRTUAL_NMIS)
#define PIN_NEED  (PIN_EXT_INTR_EXIT | PIN_NMI_EXIT)
/* MWAIT/MONITOR exit (we inject #UD: the CPUID policy hides them), RDPMC
 * exits (#GP: no PMU is offered), CR8 accesses exit (a 64-bit guest's
 * MOV CR8 would otherwise write the host's TPR), every port and every MSR
 * exits (no I/O or MSR bitmaps). */
#define PROC_NEED (PROC_TSC_OFFSET | PROC_HLT_EXIT | PROC_MWAIT_EXIT | PROC_RDPMC_EXIT | \
		   PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT | PROC_IO_EXIT | \
		   PROC_MONITOR_EXIT | PROC_SECONDARY)
#define PROC_REFUSE (PROC_INVLPG_EXIT | PROC_RDTSC_EXIT | PROC_CR3_LOAD_EXIT | \
		     PROC_CR3_STORE_EXIT | PROC_TPR_SHADOW | PROC_MOV_DR_EXIT | \
		     PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_INTR_WINDOW)
/* RDTSCP, INVPCID and XSAVES run natively when the CPU lets us enable
 * them; left disabled they would raise #UD in the guest. */
#define PROC2_WANT (PROC2_EPT | PROC2_UNRESTRICTED | PROC2_VPID | PROC2_RDTSCP | \
		    PROC2_INVPCID | PROC2_XSAVES | PROC2_PLE)
#define PROC2_NEED (PROC2_EPT | PROC2_UNRESTRICTED)
#define EXIT_NEED (EXIT_HOST_64 | EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER | \
		   EXIT_LOAD_EFER)
#define ENTRY_NEED (ENTRY_LOAD_PAT | ENTRY_LOAD_EFER)

static bool caps_controls(struct vmx_caps *c, uint64_t basic)
{
	uint32_t first = basic & (1ull << 55) ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED;
	uint64_t proc = rdmsr(first + 1), entry = rdmsr(first + 3);

	c->pin = ctl_adjust(PIN_WANT, rdmsr(first));
	c->proc = ctl_adjust(PROC_NEED | PROC_PAUSE_EXIT, proc); /* PAUSE: where allowed */
	c->io_bitmaps = proc >> 32 & PROC_IO_BITMAPS;
	c->nmi_window = (c->pin & PIN_VIRTUAL_NMIS) && (proc >> 32 & PROC_NMI_WINDOW);
	c->exit = ctl_adjust(EXIT_NEED | EXIT_SAVE_DEBUG, rdmsr(first + 2));
	c->entry = ctl_adjust(ENTRY_NEED | ENTRY_LOAD_DEBUG, entry);
	if (!(proc >> 32 & PROC_SECONDARY))
		return ctl_ok("primary", 0, PROC_SECONDARY, 0);
	c->proc2 = ctl_adjust(PROC2_WANT, rdmsr(MSR_VMX_PROCBASED2));
	/* PAUSE-loop exiting: a spin long enough to mean a preempted lock
	 * holder exits, not every PAUSE (PAUSE exiting would win over it). */
	if (c->proc2 & PROC2_PLE)
		c->proc &= ~PROC_PAUSE_EXIT;
	/* Interrupt-window exiting and IA-32e mode guest are switched at run
	 * time: both settings must be allowed. */
	if (!(proc >> 32 & PROC_INTR_WINDOW) || !(entry >> 32 & ENTRY_IA32E_GUEST)) {
		pr_debug("vmx: no interrupt-window exiting or IA-32e mode guest\n");
		return false;
	}
	return ctl_ok("pin-based", c->pin, PIN_NEED, 0) &&
	       ctl_ok("primary", c->proc, PROC_NEED, PROC_REFUSE) &&
	       ctl_ok("secondary", c->proc2, PROC2_NEED, 0) &&
	       ctl_ok("exit", c->exit, EXIT_NEED, EXIT_ACK_INTR) &&
	       ctl_ok("entry", c->entry, ENTRY_NEED, ENTRY_IA32E_GUEST);
}

/* EPT capability bits (IA32_VMX_EPT_VPID_CAP, SDM vol. 3, A.10). */
#define EPTC_WALK4        (1ull << 6)
#define EPTC_UC           (1ull << 8)
#define EPTC_WB           (1ull << 14)
#define EPTC_INVEPT       (1ull << 20)
#define EPTC_INVEPT_ANY   (3ull << 25) /* single-context, all-context */
#define EPTC_INVVPID      (1ull << 32)
#define EPTC_INVVPID_ANY  (3ull << 41)

/* EPTP: memory type of the tables in bits 2:0 (6 WB, 0 UC), walk length
 * minus one in bits 5:3; no accessed/dirty flags (bit 6 clear). */
static bool caps_ept(struct vmx_caps *c)
{
	uint64_t e = rdmsr(MSR_VMX_EPT_VPID_CAP);

	c->ept_vpid = e;
	if (!(e & EPTC_WALK4) || !(e & (EPTC_WB | EPTC_UC)) || !(e & EPTC_INVEPT) ||
	    !(e & EPTC_INVEPT_ANY)) {
		pr_debug("vmx: EPT capabilities 0x%lx lack 4-level walks or INVEPT\n", e);
		return false;
	}
	c->eptp_flags = (3u << 3) | (e & EPTC_WB ? 6u : 0u);
	/* Without a usable INVVPID, run with VPID off: every entry and exit
	 * then flushes the guest's linear translations. */
	c->vpid = (c->proc2 & PROC2_VPID) && (e & EPTC_INVVPID) && (e & EPTC_INVVPID_ANY);
	if (!c->vpid)
		c->proc2 &= ~PROC2_VPID;
	return true;
}

/*
 * The CR0/CR4 bits VMX operation fixes: a bit set in FIXED0 must be 1, a
 * bit clear in FIXED1 must be 0 (SDM vol. 3, A.7-A.8); unrestricted guest
 * exempts CR0.PE and CR0.PG. Those bits are owned by the host (mask bit
 * set): the guest reads its own value from the read shadow, and a write
 * that changes one exits (CR-access exit, emulated in exit.c). All of CR4
 * is the host's: every MOV to CR4 exits, to be checked against the
 * guest's CPUID (vcpu_cr4_check), as on SVM.
 */
static void caps_fixed(struct vmx_caps *c)
{
	c->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0) & ~(CR0_PE | CR0_PG);
	c->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	c->cr0_mask = c->cr0_fixed0 | ~c->cr0_fixed1;
	c->cr4_mask = ~0ull;
}

int vmx_caps_read(struct vmx_caps *c)
{
	if (!boot_cpu.vmx)
		return -ENODEV;
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
	if ((fc & FC_LOCKED) && !(fc & FC_VMX_OUTSIDE_SMX)) {
		pr_debug("vmx: disabled by a locked IA32_FEATURE_CONTROL\n");
		return -ENODEV;
	}
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	/* Bits 44:32 VMCS region size (at most 4 KiB), 53:50 the memory type
	 * the CPU uses for the VMCS (6 = write-back, as our identity map). */
	if (((basic >> 32) & 0x1fff) > 4096 || ((basic >> 50) & 0xf) != 6) {
		pr_debug("vmx: unusable IA32_VMX_BASIC 0x%lx\n", basic);
		return -ENODEV;
	}
	memset(c, 0, sizeof(*c));
	c->revision = basic & 0x7fffffff;
	if (!caps_controls(c, basic) || !caps_ept(c))
		return -ENODEV;
	caps_fixed(c);
	return 0;
}

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

void vmx_flush_vpid(uint16_t vpid)
{
	if (!vpid)
		return;
	if (vmx_this_cpu()->caps.ept_vpid & (1ull << 41))
		invvpid(INVVPID_SINGLE, vpid);
	else
		invvpid(INVVPID_ALL, 0);
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
		vmx_flush_vpid((uint16_t)i);
		return (uint16_t)i;
	}
	return 0;
}

void vmx_vpid_free(struct vmx_cpu *c, uint16_t vpid)
{
	if (vpid && vpid < VPID_COUNT)
		vpids[vpid / 64] &= ~(1ull << (vpid % 64));
}
