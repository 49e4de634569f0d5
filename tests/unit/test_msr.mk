test_msr_SRCS := vmm/emul/msr.c
