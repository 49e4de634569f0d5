/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host SMP bring-up: the application processors the MADT lists are
 * started one at a time with INIT-SIPI-SIPI through a real-mode page
 * below 1 MiB (arch/x86_64/trampoline.S). Each gets its per-CPU area,
 * stack, GDT, TSS and IST stacks, the boot CPU's control-register
 * protections, PAT and local APIC mode, then runs the caller's per-CPU
 * hook (the vmm enables SVM or VMX there) and idles, halted with
 * interrupts on. A CPU that does not answer within a second is reported,
 * stopped with INIT, and not used.
 */
#ifndef EYRIE_KERNEL_SMP_H
#define EYRIE_KERNEL_SMP_H

#include "boot/boot_info.h"
#include "drivers/acpi.h"

/* Starts the enabled CPUs of the MADT, at most limit CPUs in all counting
 * the boot CPU (0: all). cpu_up runs on each new CPU (may be NULL); one
 * that fails it stays up but idle and is reported. Returns the number of
 * CPUs online. */
unsigned smp_init(const struct boot_info *bi, const struct acpi_info *a, unsigned limit,
		  int (*cpu_up)(void));

#endif
