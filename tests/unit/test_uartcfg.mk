# SPDX-License-Identifier: GPL-2.0-only
test_uartcfg_SRCS := drivers/uartcfg.c drivers/acpi.c
