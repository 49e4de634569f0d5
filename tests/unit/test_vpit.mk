# SPDX-License-Identifier: GPL-2.0-only
test_vpit_SRCS := vmm/plat/vpit.c
