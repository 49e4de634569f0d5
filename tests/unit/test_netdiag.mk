test_netdiag_SRCS := mgmt/netdiag.c
