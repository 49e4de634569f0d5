test_netpkt_SRCS := mgmt/netpkt.c
