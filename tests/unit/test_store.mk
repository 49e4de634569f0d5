test_store_SRCS := mgmt/store.c
