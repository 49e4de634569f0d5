# SPDX-License-Identifier: GPL-2.0-only
test_mb2_SRCS := boot/multiboot/mb2.c boot/bootinfo.c
