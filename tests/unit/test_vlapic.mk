test_vlapic_SRCS := vmm/plat/vlapic.c
