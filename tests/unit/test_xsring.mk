test_xsring_SRCS := mgmt/xsring.c mgmt/store.c
