# SPDX-License-Identifier: GPL-2.0-only
test_gnttab_SRCS := kernel/gnttab.c
