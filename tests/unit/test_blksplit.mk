# SPDX-License-Identifier: GPL-2.0-only
test_blksplit_SRCS := mgmt/blksplit.c
