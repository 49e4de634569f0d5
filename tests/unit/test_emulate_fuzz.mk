# SPDX-License-Identifier: GPL-2.0-only
test_emulate_fuzz_SRCS := vmm/emul/emulate.c vmm/emul/decode.c
