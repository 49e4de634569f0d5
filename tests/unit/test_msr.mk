test_msr_SRCS := vmm/msr.c
