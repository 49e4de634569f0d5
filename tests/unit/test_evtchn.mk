# SPDX-License-Identifier: GPL-2.0-only
test_evtchn_SRCS := kernel/evtchn.c
