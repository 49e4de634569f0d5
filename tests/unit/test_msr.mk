# SPDX-License-Identifier: GPL-2.0-only
test_msr_SRCS := vmm/emul/msr.c
