/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The MMIO emulator's two halves share these (vmm/emul/emulate.c,
 * decode.c): the decoded instruction and what its opcode does. Internal
 * to vmm/emul; the interface is emulate.h.
 */
#ifndef EYRIE_VMM_EMUL_DECODE_H
#define EYRIE_VMM_EMUL_DECODE_H

#include "vmm/emul/emulate.h"

#define MAX_LEN 15
#define PAGE_OFF 0xfffull
#define REX_W 8
#define REX_R 4
#define REX_X 2
#define REX_B 1

enum { R_AX, R_CX, R_DX, R_BX, R_SP, R_BP, R_SI, R_DI };

/* ALU functions: 0-7 in the order of the 00-3F opcodes and group 1. */
enum alu { ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST };
enum unary { INC, DEC, NOT, NEG };

enum kind {
	K_BAD,
	K_ALU_EG,  /* memory op= register (or TEST memory, register) */
	K_ALU_GE,  /* register op= memory (CMP: flags only) */
	K_ALU_EI,  /* memory op= immediate (group 1, TEST F6/F7 /0 /1) */
	K_UNARY,   /* INC/DEC/NOT/NEG memory */
	K_STORE,   /* MOV memory, register (also MOVNTI, MOV moffs, rAX) */
	K_STORE_I, /* MOV memory, immediate */
	K_LOAD,    /* MOV/MOVZX/MOVSX/MOVSXD register, memory */
	K_XCHG,
	K_BT,      /* BT/BTS/BTR/BTC memory, register */
	K_BT_I,    /* the same with an imm8 bit number */
	K_FLUSH,   /* CLFLUSH/CLFLUSHOPT: no device access */
	K_STOS,
	K_LODS,
	K_MOVS,
};

/* What an opcode does with its operands. */
struct op {
	uint8_t kind;
	uint8_t fn;    /* enum alu / enum unary / bit op (BT, BTS, BTR, BTC) */
	uint8_t size;  /* bytes of the memory operand */
	uint8_t dst;   /* K_LOAD: bytes of the register written */
	uint8_t imm;   /* bytes of immediate */
	bool sx;       /* K_LOAD: sign-extend */
	bool lock;     /* LOCK allowed (memory destination of a lockable op) */
};

/* One decoded instruction. */
struct insn {
	const uint8_t *buf;
	unsigned lim, len; /* readable bytes; bytes consumed */
	bool err;          /* ran out of bytes: the instruction is undecodable */
	unsigned rex;
	bool p66, p67, lock, rep;
	int seg;           /* segment override, or -1 */
	unsigned op;       /* opcode byte; 0x100 | byte in the 0F map */
	unsigned mod, reg, rm;
	unsigned osize, asize;
	bool riprel;
	uint64_t ea;       /* offset of the memory operand */
	unsigned eseg;     /* its default segment */
	uint64_t imm;      /* sign-extended */
};

static inline uint64_t mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static inline uint64_t sext(uint64_t v, unsigned size)
{
	uint64_t sign = 1ull << (8 * size - 1);

	v &= mask(size);
	return (v ^ sign) - sign;
}

/* The register r's low size bytes. */
uint64_t emu_reg_val(const struct emu_ctx *c, unsigned r, unsigned size);

/* Decodes the instruction at c's RIP into d and o: 0, or EMU_UD for
 * what the emulator does not take (see decode.c). */
int emu_decode(const struct emu_ctx *c, struct insn *d, struct op *o);

#endif
