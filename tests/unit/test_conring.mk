test_conring_SRCS := mgmt/conring.c
