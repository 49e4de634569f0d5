test_netqueue_SRCS := mgmt/netqueue.c mgmt/bridge.c mgmt/netpkt.c
