test_vpit_SRCS := vmm/plat/vpit.c
