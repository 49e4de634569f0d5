# SPDX-License-Identifier: GPL-2.0-only
test_linux_boot_SRCS := mgmt/linux_boot.c vmm/load/gplace.c
