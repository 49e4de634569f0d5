# SPDX-License-Identifier: GPL-2.0-only
test_vpic_SRCS := vmm/plat/vpic.c
