# SPDX-License-Identifier: GPL-2.0-only
test_lineedit_SRCS := kernel/lineedit.c
