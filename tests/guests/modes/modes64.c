/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * modes, 64-bit part: runs in long mode on the page tables modes16.S
 * built. Checks what the real-mode and protected-mode parts recorded, then
 * CPUID, RDMSR/WRMSR and hypercalls from 64-bit mode: 64-bit argument
 * registers (a console_io buffer in the upper half of the address space,
 * which the hypervisor must translate through our page tables), a 64-bit
 * timer deadline, a sign-extended -ENOSYS in RAX. No IDT here: a fault
 * would triple-fault the domain, which the boot test reports.
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "modes";

extern uint32_t rm_cpuid_ebx, rm_hc_eax, pm_cpuid_ebx;

#define HIGH_ALIAS 0xffff800000000000ull  /* PML4[256] maps what PML4[0] does */
#define EYRI 0x69727945u                  /* "Eyri" in EBX */

static uint64_t fs_probe = 0x1122334455667788ull;

void guest_main(void)
{
	static const char msg[] = "modes: hello from 64-bit console_io via the upper half\n";
	uint32_t r[4];

	hc_init();
	gprintf("modes: in 64-bit mode\n");
	check("real-mode-cpuid", rm_cpuid_ebx == EYRI, "ebx 0x%x", rm_cpuid_ebx);
	check("real-mode-hypercall", rm_hc_eax == EYRIE_XEN_VERSION, "xen_version 0x%x",
	      rm_hc_eax);
	check("protected-mode-cpuid", pm_cpuid_ebx == EYRI, "ebx 0x%x", pm_cpuid_ebx);

	uint64_t efer = rdmsr(MSR_EFER);
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();
	check("long-mode", (efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA) &&
	      (cr0 & 0x80000001) == 0x80000001 && (cr4 & (1 << 5)),
	      "efer 0x%llx cr0 0x%llx cr4 0x%llx", (unsigned long long)efer,
	      (unsigned long long)cr0, (unsigned long long)cr4);

	cpuid(CPUID_HV_BASE, 0, r);
	check("long-mode-cpuid", r[0] == CPUID_HV_MAX && r[1] == EYRI, "eax 0x%x ebx 0x%x",
	      r[0], r[1]);

	if (!hv_is_eyrie()) {
		fail("hypercalls", "no Eyrie signature: skipped (a #UD would triple-fault)");
		return;
	}
	long rc = hc_xen_version();
	check("long-mode-xen-version", rc == EYRIE_XEN_VERSION, "0x%lx", rc);
	rc = hypercall(63, ~0ul, ~0ul, ~0ul, ~0ul, ~0ul);
	check("long-mode-enosys-64bit", (uint64_t)rc == (uint64_t)-ENOSYS, "rax 0x%lx",
	      (unsigned long)rc);
	const char *high = (const char *)(HIGH_ALIAS + (uintptr_t)msg);
	if (!check("upper-half-alias", *high == msg[0], "%p reads 0x%x", (const void *)high,
		   *high))
		return;
	rc = hc_console_write(high, sizeof(msg) - 1);
	check("long-mode-console-io-upper-half", rc >= 0, "buffer %p: %ld", (const void *)high,
	      rc);
	/* A deadline above 4 s of guest time needs the upper half of RDI. */
	long r1 = hc_set_timer((1ull << 40) + 12345), r2 = hc_set_timer(0);
	check("long-mode-timer-64bit", r1 == 0 && r2 == 0, "set %ld, cancel %ld", r1, r2);

	/* FS base from 64-bit mode: an upper-half address, live in %fs. */
	wrmsr(MSR_FS_BASE, HIGH_ALIAS + (uintptr_t)&fs_probe);
	uint64_t base = rdmsr(MSR_FS_BASE), got;
	__asm__ volatile("movq %%fs:0, %0" : "=r"(got));
	check("long-mode-fs-base", base == HIGH_ALIAS + (uintptr_t)&fs_probe && got == fs_probe,
	      "base 0x%llx, %%fs:0 0x%llx", (unsigned long long)base, (unsigned long long)got);
	rc = hc_sched_op(SCHEDOP_yield, 0);
	check("long-mode-yield", rc == 0, "%ld", rc);
}
