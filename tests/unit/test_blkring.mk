# SPDX-License-Identifier: GPL-2.0-only
test_blkring_SRCS := mgmt/blkring.c
