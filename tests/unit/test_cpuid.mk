test_cpuid_SRCS := vmm/emul/cpuid.c
