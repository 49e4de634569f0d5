/* SPDX-License-Identifier: GPL-2.0-only */
/* Hypervisor start-up and the facts it gathered, for the debug shell. */
#ifndef EYRIE_KERNEL_MAIN_H
#define EYRIE_KERNEL_MAIN_H

#include "boot/boot_info.h"
#include "drivers/acpi.h"
#include "arch/x86_64/virt.h"

#define EYRIE_VERSION "0.1"

struct system {
	const struct boot_info *boot;
	struct acpi_info acpi;
	bool acpi_ok;
	struct virt_caps virt;
	bool fb_console;
	uint32_t serial_gsi; /* GSI of the console UART's IRQ, or ~0 when polled */
	char serial_source[16]; /* what chose it: "option com2", "ACPI SPCR", "default" */
	bool guest_echo_off; /* guest_echo=off: guests' consoles only in their logs */
};

/* The one record of what start-up found. */
const struct system *sys(void);
/* Whether physical [addr, addr+len) is device memory: not RAM or firmware
 * data in the boot memory map, not the local APIC or an IOAPIC, not the
 * PCI configuration space (ECAM: from there any device, the hypervisor's
 * included, could be moved onto RAM). */
bool sys_device_memory(uint64_t addr, uint64_t len);

_Noreturn void kmain(const struct boot_info *bi);
const char *boot_source_name(uint32_t src);

#endif
