# SPDX-License-Identifier: GPL-2.0-only
test_bootinfo_SRCS := boot/bootinfo.c
