# SPDX-License-Identifier: GPL-2.0-only
test_vlapic_SRCS := vmm/plat/vlapic.c
