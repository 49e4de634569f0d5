# SPDX-License-Identifier: GPL-2.0-only
test_elf_SRCS := kernel/elf.c
