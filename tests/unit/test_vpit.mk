test_vpit_SRCS := vmm/vpit.c
