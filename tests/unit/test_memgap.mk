test_memgap_SRCS := mgmt/memgap.c
