test_emulate_fuzz_SRCS := vmm/emulate.c vmm/insn_len.c
