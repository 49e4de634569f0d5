# SPDX-License-Identifier: GPL-2.0-only
test_ipstack_SRCS := mgmt/ipstack.c mgmt/netpkt.c
