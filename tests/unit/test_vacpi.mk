# SPDX-License-Identifier: GPL-2.0-only
test_vacpi_SRCS := vmm/plat/vacpi.c drivers/acpi.c
