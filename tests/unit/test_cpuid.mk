# SPDX-License-Identifier: GPL-2.0-only
test_cpuid_SRCS := vmm/emul/cpuid.c
