# SPDX-License-Identifier: GPL-2.0-only
test_gplace_SRCS := vmm/load/gplace.c
