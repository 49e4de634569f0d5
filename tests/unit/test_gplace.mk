test_gplace_SRCS := vmm/load/gplace.c
