# SPDX-License-Identifier: GPL-2.0-only
test_domcfg_SRCS := vmm/core/domcfg.c vmm/load/cpulist.c
