# SPDX-License-Identifier: GPL-2.0-only
test_netqueue_SRCS := mgmt/netqueue.c mgmt/bridge.c mgmt/netpkt.c
