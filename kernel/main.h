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
	uint32_t serial_gsi; /* GSI of COM1's IRQ, or ~0 when polled */
	bool guest_echo_off; /* guest_echo=off: guests' consoles only in their logs */
};

/* The one record of what start-up found. */
const struct system *sys(void);

_Noreturn void kmain(const struct boot_info *bi);
const char *boot_source_name(uint32_t src);

#endif
