test_emulate_fuzz_SRCS := vmm/emul/emulate.c vmm/emul/insn_len.c
