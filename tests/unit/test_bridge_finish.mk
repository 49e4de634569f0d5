# SPDX-License-Identifier: GPL-2.0-only
test_bridge_finish_SRCS := mgmt/bridge.c mgmt/netpkt.c
