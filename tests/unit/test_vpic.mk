test_vpic_SRCS := vmm/vpic.c
