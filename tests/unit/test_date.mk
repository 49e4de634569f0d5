# SPDX-License-Identifier: GPL-2.0-only
test_date_SRCS := kernel/date.c
