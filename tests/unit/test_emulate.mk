test_emulate_SRCS := vmm/emulate.c
