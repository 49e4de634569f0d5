test_cpuid_SRCS := vmm/cpuid.c
