test_ipstack_SRCS := mgmt/ipstack.c mgmt/netpkt.c
