test_gwalk_SRCS := vmm/gwalk.c
