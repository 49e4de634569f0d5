/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virt: the hardware-virtualization instructions, which this guest must
 * not be able to use (CPUID hides SVM and VMX). Each must raise #UD in the
 * guest, or (allowed by issue 3: "unexpected exits crash the domain") the
 * domain is crashed. What must never happen is the instruction taking
 * effect: VMSAVE/VMLOAD with nested paging, when not intercepted, would
 * use RAX as a *host* physical address, and CLGI would block the host's
 * interrupts. A VMSAVE/VMLOAD pair that round-trips the FS base through
 * low memory proves that; the address is in low memory (0x6000), which
 * the hypervisor never allocates.
 *
 * Each instruction is announced before it runs, so a crash names it.
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "virt";

#define VMCB_PA 0x6000u

/* Runs one instruction (string) with the fixup armed; the vector or -1. */
#define TRY(insn, ...)                                                       \
	({                                                                   \
		fault_vector = -1;                                           \
		__asm__ volatile("movl $1f, %[fx]\n\t" insn "\n1:\tmovl $0, %[fx]" \
				 : [fx] "=m"(fault_fixup) : __VA_ARGS__ : "memory"); \
		fault_vector;                                                \
	})

static uint64_t vmcs_region[512] __attribute__((aligned(4096)));
static uint64_t vmcs_ptr;

static void expect_ud(const char *name, int vec)
{
	check(name, vec == VEC_UD, "vector %d", vec);
}

static void announce(const char *name)
{
	gprintf("virt: trying %s\n", name);
}

static void svm(void)
{
	announce("vmsave/vmload");
	wrmsr_safe(MSR_FS_BASE, 0x1234000);
	int v1 = TRY("vmsave", "a"(VMCB_PA));
	wrmsr_safe(MSR_FS_BASE, 0);
	int v2 = TRY("vmload", "a"(VMCB_PA));
	uint64_t fs = 0;
	rdmsr_safe(MSR_FS_BASE, &fs);
	wrmsr_safe(MSR_FS_BASE, 0);
	check("vmsave-vmload", v1 == VEC_UD && v2 == VEC_UD && fs == 0,
	      "vectors %d/%d, fs base after 0x%llx%s", v1, v2, (unsigned long long)fs,
	      fs == 0x1234000 ? ": VMSAVE/VMLOAD ran on host physical memory!" : "");
	announce("clgi");
	int v = TRY("clgi", "i"(0));
	if (v < 0)
		TRY("stgi", "i"(0));    /* undo at once: GIF=0 blocks the host */
	expect_ud("clgi", v);
	announce("stgi");
	expect_ud("stgi", TRY("stgi", "i"(0)));
	announce("invlpga");
	expect_ud("invlpga", TRY("invlpga", "a"(0), "c"(0)));
	announce("vmrun");
	expect_ud("vmrun", TRY("vmrun", "a"(VMCB_PA)));
}

static void vmx(void)
{
	vmcs_ptr = (uintptr_t)vmcs_region;
	announce("vmxon");
	expect_ud("vmxon", TRY("vmxon %[p]", [p] "m"(vmcs_ptr)));
	announce("vmptrld");
	expect_ud("vmptrld", TRY("vmptrld %[p]", [p] "m"(vmcs_ptr)));
	announce("vmclear");
	expect_ud("vmclear", TRY("vmclear %[p]", [p] "m"(vmcs_ptr)));
	announce("vmread");
	expect_ud("vmread", TRY("vmread %%eax, %%ecx", "a"(0x681e), "c"(0)));
	announce("vmwrite");
	expect_ud("vmwrite", TRY("vmwrite %%ebx, %%eax", "a"(0x681e), "b"(0)));
	announce("vmlaunch");
	expect_ud("vmlaunch", TRY("vmlaunch", "i"(0)));
	announce("vmresume");
	expect_ud("vmresume", TRY("vmresume", "i"(0)));
	announce("vmxoff");
	expect_ud("vmxoff", TRY("vmxoff", "i"(0)));
}

void guest_main(void)
{
	gprintf("virt: %s CPU\n", hc_amd ? "AMD" : "Intel");
	/* The other vendor's instructions first: those are #UD in hardware. */
	if (hc_amd) {
		vmx();
		svm();
	} else {
		svm();
		vmx();
	}
}
