# SPDX-License-Identifier: GPL-2.0-only
test_vpci_SRCS := vmm/plat/vpci.c
