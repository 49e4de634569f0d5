test_vpic_SRCS := vmm/plat/vpic.c
