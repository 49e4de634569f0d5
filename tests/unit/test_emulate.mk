test_emulate_SRCS := vmm/emul/emulate.c
