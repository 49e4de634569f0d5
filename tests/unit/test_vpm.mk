# SPDX-License-Identifier: GPL-2.0-only
test_vpm_SRCS := vmm/plat/vpm.c
