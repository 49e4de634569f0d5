# SPDX-License-Identifier: GPL-2.0-only
test_acpi_SRCS := drivers/acpi.c drivers/uartcfg.c
