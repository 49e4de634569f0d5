# SPDX-License-Identifier: GPL-2.0-only
test_vrtc_SRCS := vmm/plat/vrtc.c kernel/date.c
