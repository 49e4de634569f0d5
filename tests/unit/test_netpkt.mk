# SPDX-License-Identifier: GPL-2.0-only
test_netpkt_SRCS := mgmt/netpkt.c tests/unit/netpkt_harness.c
