# SPDX-License-Identifier: GPL-2.0-only
test_gwalk_SRCS := vmm/core/gwalk.c
