# SPDX-License-Identifier: GPL-2.0-only
test_insn_len_SRCS := vmm/emul/decode.c
# The recorded objdump cases are #included by the test.
$(BUILD)/unit/test_insn_len: tests/unit/test_insn_len.inc
