# SPDX-License-Identifier: GPL-2.0-only
test_pt_SRCS := kernel/pt.c
