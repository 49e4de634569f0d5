test_netring_SRCS := mgmt/netring.c
