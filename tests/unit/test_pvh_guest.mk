# SPDX-License-Identifier: GPL-2.0-only
test_pvh_guest_SRCS := vmm/load/pvh_guest.c vmm/load/gplace.c kernel/elf.c
