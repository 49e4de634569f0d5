test_vpm_SRCS := vmm/vpm.c
