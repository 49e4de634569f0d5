test_vlapic_SRCS := vmm/vlapic.c
