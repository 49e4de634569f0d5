test_bridge_finish_SRCS := mgmt/bridge.c mgmt/netpkt.c
