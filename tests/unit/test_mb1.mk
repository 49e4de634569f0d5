# SPDX-License-Identifier: GPL-2.0-only
test_mb1_SRCS := boot/multiboot/mb1.c boot/bootinfo.c
