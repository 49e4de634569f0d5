test_blkring_SRCS := mgmt/blkring.c
