# SPDX-License-Identifier: GPL-2.0-only
test_xlcfg_SRCS := mgmt/xlcfg.c mgmt/xlcfg_vif.c vmm/load/cpulist.c
