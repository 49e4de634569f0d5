test_gplace_SRCS := vmm/gplace.c
