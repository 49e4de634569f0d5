# SPDX-License-Identifier: GPL-2.0-only
test_mb1_guest_SRCS := vmm/load/mb1_guest.c vmm/load/gplace.c kernel/elf.c
