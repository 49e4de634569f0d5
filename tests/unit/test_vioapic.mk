# SPDX-License-Identifier: GPL-2.0-only
test_vioapic_SRCS := vmm/plat/vioapic.c
