/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 instruction decoder (pure, host-tested), the one walker of
 * prefixes, REX, opcode maps, ModRM, SIB, displacement and immediate that
 * serves both of its callers: the length of the instruction at a guest's
 * RIP on every VM exit whose length the CPU did not report (AMD without
 * NRIP save, e.g. QEMU TCG), so it is a handful of table lookups, no
 * search; and the MMIO emulator (emulate.c), which reads the operands'
 * fields. Coverage and the few decisions it makes are in docs/vmm-policy.md.
 */
#ifndef EYRIE_VMM_EMUL_DECODE_H
#define EYRIE_VMM_EMUL_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The code-segment mode an instruction is decoded in. REAL and PROT16 have
 * 16-bit default operand and address sizes, PROT32 32-bit ones. LONG64 is
 * 64-bit mode: 32-bit default operand size, 64-bit addresses, REX prefixes,
 * and some one-byte opcodes invalid (32-bit compatibility mode is PROT32).
 */
enum cpu_mode { CPU_MODE_REAL, CPU_MODE_PROT16, CPU_MODE_PROT32, CPU_MODE_LONG64 };

/* struct insn's pfx: the legacy prefixes seen. */
#define INSN_66   0x01u
#define INSN_67   0x02u
#define INSN_F2   0x04u
#define INSN_F3   0x08u
#define INSN_LOCK 0x10u

#define REX_W 8
#define REX_R 4
#define REX_X 2
#define REX_B 1

/* struct insn's op: the opcode byte with its map in bits 8 and up. */
#define INSN_MAP_0F 0x100u  /* 0F xx */
#define INSN_MAP_38 0x200u  /* 0F 38 xx */
#define INSN_MAP_3A 0x300u  /* 0F 3A xx */
#define INSN_VEX    0x1000u /* VEX, EVEX or XOP: | map << 8 | byte */

/* One decoded instruction; offsets count from its first byte. */
struct insn {
	const uint8_t *buf;
	uint8_t lim;            /* the bytes that may be read: min(avail, 15) */
	uint8_t mode;           /* enum cpu_mode */
	uint8_t len;            /* 1..15 once decoded */
	uint8_t pfx;            /* INSN_66 | INSN_67 | INSN_F2 | INSN_F3 | INSN_LOCK */
	int8_t seg;             /* the last segment override (ES..GS = 0..5), or -1 */
	uint8_t rex;            /* the REX byte right before the opcode, or 0 */
	uint16_t op;
	bool has_modrm;
	uint8_t modrm, sib;     /* sib: 0 when there is none */
	uint8_t disp_at, disp_size;
	uint8_t imm_at, imm_size; /* for MOV A0-A3, the moffs address */
	uint8_t osize, asize;   /* operand and address size in bytes */
};

/*
 * Decodes the instruction at buf, of which avail bytes are readable, into
 * *d. Returns its length (1..15), -EAGAIN when it needs more than avail
 * bytes (fetch the next page and retry), or -EINVAL for an undefined or
 * invalid encoding in this mode, or one longer than the 15-byte limit.
 */
int insn_decode(const uint8_t *buf, size_t avail, enum cpu_mode mode, struct insn *d);

/* insn_decode's result without the fields. */
int insn_length(const uint8_t *buf, size_t avail, enum cpu_mode mode);

/* The general register (0-15) a MOV to CR4 (0F 22 /r, ModRM.reg 4, after
 * legacy prefixes and, in 64-bit mode, a REX) at buf reads, or -1 when the
 * avail bytes there are not one. */
int insn_mov_to_cr4_gpr(const uint8_t *buf, size_t avail, enum cpu_mode mode);

#endif
