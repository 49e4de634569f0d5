# SPDX-License-Identifier: GPL-2.0-only
test_netdiag_SRCS := mgmt/netdiag.c
