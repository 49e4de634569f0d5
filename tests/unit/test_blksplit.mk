test_blksplit_SRCS := mgmt/blksplit.c
