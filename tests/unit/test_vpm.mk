test_vpm_SRCS := vmm/plat/vpm.c
