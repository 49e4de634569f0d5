test_gwalk_SRCS := vmm/core/gwalk.c
