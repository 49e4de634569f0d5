/* SPDX-License-Identifier: GPL-2.0-only */
/* Machine reset and soft power-off. */
#ifndef EYRIE_DRIVERS_POWER_H
#define EYRIE_DRIVERS_POWER_H

#include "drivers/acpi.h"

/* Tries the ACPI reset register, port 0xCF9, the keyboard controller and
 * finally a triple fault. */
_Noreturn void machine_reboot(const struct acpi_info *acpi);
/* ACPI S5 soft-off; returns -ENODEV when the firmware described none. */
int machine_poweroff(const struct acpi_info *acpi);

#endif
