/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 instruction decoder (see decode.h). An instruction is
 *
 *   [legacy prefixes] [REX] opcode [ModRM [SIB] [displacement]] [immediate]
 *
 * where the opcode lives in one of the maps: one-byte, 0F, 0F 38, 0F 3A,
 * or behind a VEX (C4/C5), EVEX (62) or XOP (8F) prefix that names its map.
 * Every opcode of the one-byte and 0F maps has a descriptor byte saying
 * whether a ModRM byte follows, which immediate follows and in which modes
 * the opcode is undefined; the 0F 38 and 0F 3A maps are uniform (ModRM,
 * ModRM + imm8) and need no table. Decoding is one lookup per byte.
 *
 * The opcode maps follow the Intel SDM vol. 2 appendix A and the AMD APM
 * vol. 3 appendix A. What is decoded loosely (undefined ModRM.reg values
 * of groups, undefined 0F 38 / 0F 3A opcodes) is listed in
 * docs/vmm-policy.md: such encodings raise #UD, so they never cause the
 * exits whose length we need.
 */
#include <stdbool.h>

#include "kernel/errno.h"
#include "vmm/emul/decode.h"

#define MAX_LEN 15 /* architectural: a longer instruction raises #GP */

/* Descriptor bits 0-3: the immediate that follows the opcode/ModRM. */
enum imm {
	I_NONE,
	I_B,      /* 1 byte */
	I_W,      /* 2 bytes (RET iw) */
	I_Z,      /* operand size, at most 4: 2 or 4 (4 with REX.W) */
	I_V,      /* operand size: 2, 4 or 8 (MOV r, imm64 with REX.W) */
	I_D,      /* 4 bytes (XOP map 0A) */
	I_ENTER,  /* iw + ib */
	I_MOFFS,  /* MOV A0-A3: an address-size offset, 8 bytes in 64-bit mode */
	I_FAR,    /* ptr16:16 or ptr16:32 (far CALL/JMP) */
	I_G3B,    /* F6 group 3: ib for /0 and /1 (TEST) only */
	I_G3Z,    /* F7 group 3: iz for /0 and /1 (TEST) only */
	I_EXTRQ,  /* 0F 78: ib ib with 66 (EXTRQ) or F2 (INSERTQ); VMREAD has none */
};

/* When the validity field says P (a prefix or escape), bits 0-3 say which. */
enum esc {
	C_66, C_67, C_F2, C_F3, C_LOCK, /* legacy prefixes: INSN_66 ... INSN_LOCK in pfx */
	C_SEG,
	C_0F, C_38, C_3A, C_VEX3, C_VEX2, C_EVEX, C_XOP,
};

#define MODRM  0x10 /* a ModRM byte follows, with SIB/displacement when mod != 3 */
#define MODREG 0x20 /* a ModRM byte that always names registers (MOV CRn/DRn) */
#define NO64   0x40 /* invalid in 64-bit mode */
#define BAD    0x80 /* undefined in every mode */
#define PFX    0xc0 /* a prefix or an escape to another map */
#define VALIDITY(e) ((e) & 0xc0)
#define LOW(e) ((e) & 0x0f)


/* Table shorthands. */
#define N0 I_NONE
#define IB I_B
#define IW I_W
#define IZ I_Z
#define IV I_V
#define MR MODRM
#define MB (MODRM | I_B)
#define MZ (MODRM | I_Z)
#define RR MODREG
#define XX BAD
#define L(e) (NO64 | (e))
#define P(c) (PFX | (c))

/* The one-byte map. 40-4F are REX prefixes in 64-bit mode (decoded before
 * this table is consulted). 62, C4, C5, 8F are escapes that fall back to
 * BOUND, LES, LDS, POP when the next byte says so. */
static const uint8_t map1[256] = {
/*        x0       x1       x2       x3       x4       x5       x6       x7
 *        x8       x9       xA       xB       xC       xD       xE       xF */
/* 0x */  MR,      MR,      MR,      MR,      IB,      IZ,      L(N0),   L(N0),
	  MR,      MR,      MR,      MR,      IB,      IZ,      L(N0),   P(C_0F),
/* 1x */  MR,      MR,      MR,      MR,      IB,      IZ,      L(N0),   L(N0),
	  MR,      MR,      MR,      MR,      IB,      IZ,      L(N0),   L(N0),
/* 2x */  MR,      MR,      MR,      MR,      IB,      IZ,      P(C_SEG), L(N0),
	  MR,      MR,      MR,      MR,      IB,      IZ,      P(C_SEG), L(N0),
/* 3x */  MR,      MR,      MR,      MR,      IB,      IZ,      P(C_SEG), L(N0),
	  MR,      MR,      MR,      MR,      IB,      IZ,      P(C_SEG), L(N0),
/* 4x */  N0,      N0,      N0,      N0,      N0,      N0,      N0,      N0,
	  N0,      N0,      N0,      N0,      N0,      N0,      N0,      N0,
/* 5x */  N0,      N0,      N0,      N0,      N0,      N0,      N0,      N0,
	  N0,      N0,      N0,      N0,      N0,      N0,      N0,      N0,
/* 6x */  L(N0),   L(N0),   P(C_EVEX), MR,    P(C_SEG), P(C_SEG), P(C_66), P(C_67),
	  IZ,      MZ,      IB,      MB,      N0,      N0,      N0,      N0,
/* 7x */  IB,      IB,      IB,      IB,      IB,      IB,      IB,      IB,
	  IB,      IB,      IB,      IB,      IB,      IB,      IB,      IB,
/* 8x */  MB,      MZ,      L(MB),   MB,      MR,      MR,      MR,      MR,
	  MR,      MR,      MR,      MR,      MR,      MR,      MR,      P(C_XOP),
/* 9x */  N0,      N0,      N0,      N0,      N0,      N0,      N0,      N0,
	  N0,      N0,      L(I_FAR), N0,     N0,      N0,      N0,      N0,
/* Ax */  I_MOFFS, I_MOFFS, I_MOFFS, I_MOFFS, N0,      N0,      N0,      N0,
	  IB,      IZ,      N0,      N0,      N0,      N0,      N0,      N0,
/* Bx */  IB,      IB,      IB,      IB,      IB,      IB,      IB,      IB,
	  IV,      IV,      IV,      IV,      IV,      IV,      IV,      IV,
/* Cx */  MB,      MB,      IW,      N0,      P(C_VEX3), P(C_VEX2), MB,    MZ,
	  I_ENTER, N0,      IW,      N0,      N0,      IB,      L(N0),   N0,
/* Dx */  MR,      MR,      MR,      MR,      L(IB),   L(IB),   L(N0),   N0,
	  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
/* Ex */  IB,      IB,      IB,      IB,      IB,      IB,      IB,      IB,
	  IZ,      IZ,      L(I_FAR), IB,     N0,      N0,      N0,      N0,
/* Fx */  P(C_LOCK), N0,    P(C_F2), P(C_F3), N0,      N0,      MR | I_G3B, MR | I_G3Z,
	  N0,      N0,      N0,      N0,      N0,      N0,      MR,      MR,
};

/* The 0F map. */
static const uint8_t map0f[256] = {
/* 0x */  MR,      MR,      MR,      MR,      XX,      N0,      N0,      N0,
	  N0,      N0,      XX,      N0,      XX,      MR,      N0,      MB, /* 0F 0F: 3DNow! */
/* 1x */  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
	  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
/* 2x */  RR,      RR,      RR,      RR,      XX,      XX,      XX,      XX,
	  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
/* 3x */  N0,      N0,      N0,      N0,      N0,      N0,      XX,      N0,
	  P(C_38), XX,      P(C_3A), XX,      XX,      XX,      XX,      XX,
/* 4x */  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
	  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
/* 5x */  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
	  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
/* 6x */  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
	  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
/* 7x */  MB,      MB,      MB,      MB,      MR,      MR,      MR,      N0,
	  MR | I_EXTRQ, MR, XX,      XX,      MR,      MR,      MR,      MR,
/* 8x */  IZ,      IZ,      IZ,      IZ,      IZ,      IZ,      IZ,      IZ,
	  IZ,      IZ,      IZ,      IZ,      IZ,      IZ,      IZ,      IZ,
/* 9x */  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
	  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
/* Ax */  N0,      N0,      N0,      MR,      MB,      MR,      XX,      XX,
	  N0,      N0,      N0,      MR,      MB,      MR,      MR,      MR,
/* Bx */  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
	  MR,      MR,      MB,      MR,      MR,      MR,      MR,      MR,
/* Cx */  MR,      MR,      MB,      MR,      MB,      MB,      MB,      MR,
	  N0,      N0,      N0,      N0,      N0,      N0,      N0,      N0,
/* Dx */  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
	  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
/* Ex */  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
	  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
/* Fx */  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
	  MR,      MR,      MR,      MR,      MR,      MR,      MR,      MR,
};

/* Why an instruction of len bytes (or needing byte len - 1) cannot be had. */
static int short_of(size_t len)
{
	return len > MAX_LEN ? -EINVAL : -EAGAIN;
}

/* Byte i of the instruction, or why it cannot be had. */
static int byte_at(const struct insn *d, size_t i)
{
	return i < d->lim ? d->buf[i] : short_of(i + 1);
}

/*
 * The SIB and displacement after the ModRM byte at index at; returns the
 * index past them. 16-bit addressing: mod 0 rm 6 is disp16, mod 1 disp8,
 * mod 2 disp16, no SIB. 32/64-bit: rm 4 brings a SIB byte; mod 0 rm 5 is
 * disp32 (RIP-relative in 64-bit mode); mod 0 with SIB base 5 is disp32;
 * mod 1 disp8; mod 2 disp32.
 */
static int addressing(struct insn *d, size_t at, unsigned modrm)
{
	unsigned mod = modrm >> 6, rm = modrm & 7;

	at++;
	if (d->asize == 2) {
		d->disp_size = mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 6)) ? 2 : 0;
	} else {
		d->disp_size = mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 5)) ? 4 : 0;
		if (rm == 4) {
			int sib = byte_at(d, at++);
			if (sib < 0)
				return sib;
			d->sib = (uint8_t)sib;
			if (mod == 0 && (sib & 7) == 5)
				d->disp_size = 4;
		}
	}
	d->disp_at = (uint8_t)at;
	return (int)(at + d->disp_size);
}

static unsigned imm_size(const struct insn *d, unsigned kind)
{
	/* Group 3 (F6/F7): only /0 and /1 (TEST), ModRM.reg bits 5:4 clear. */
	bool test = !(d->modrm & 0x30);
	unsigned z = d->osize == 2 ? 2 : 4;

	switch (kind) {
	case I_B:     return 1;
	case I_W:     return 2;
	case I_Z:     return z;
	case I_V:     return d->osize;
	case I_D:     return 4;
	case I_ENTER: return 3;
	case I_MOFFS: return d->asize;
	case I_FAR:   return z + 2;
	case I_G3B:   return test ? 1 : 0;
	case I_G3Z:   return test ? z : 0;
	case I_EXTRQ: return d->pfx & (INSN_66 | INSN_F2) ? 2 : 0;
	default:      return 0;
	}
}

/* The length of an instruction whose ModRM byte (or immediate, or end)
 * is at index at, given its opcode descriptor e. */
static int operands(struct insn *d, size_t at, unsigned e)
{
	if (VALIDITY(e) == BAD || (VALIDITY(e) == NO64 && d->mode == CPU_MODE_LONG64))
		return -EINVAL;
	if (e & (MODRM | MODREG)) {
		int modrm = byte_at(d, at);
		if (modrm < 0)
			return modrm;
		d->has_modrm = true;
		d->modrm = (uint8_t)modrm;
		if ((e & MODRM) && modrm < 0xc0) {
			int end = addressing(d, at, (unsigned)modrm);
			if (end < 0)
				return end;
			at = (size_t)end;
		} else {
			at++;
		}
	}
	d->imm_at = (uint8_t)at;
	d->imm_size = (uint8_t)(LOW(e) ? imm_size(d, LOW(e)) : 0);
	size_t len = at + d->imm_size;
	if (len > d->lim)
		return short_of(len);
	d->len = (uint8_t)len;
	return (int)len;
}

/* The descriptor of opcode op in map of a VEX/EVEX/XOP instruction. */
static unsigned vex_desc(unsigned cls, unsigned map, unsigned op)
{
	if (cls == C_XOP)
		return map == 8 ? MB : map == 9 ? MR : map == 10 ? (MR | I_D) : XX;
	switch (map) {
	case 1:
		/* VEX 0F 77 (VZEROUPPER/VZEROALL) has no ModRM; every other
		 * VEX/EVEX 0F opcode has one, with at most an imm8. */
		if (op == 0x77 && cls != C_EVEX)
			return N0;
		return (map0f[op] & ~I_B) == MR ? map0f[op] : XX;
	case 2:
		return MR;
	case 3:
		return MB;
	case 5:
	case 6: /* EVEX maps 5 and 6 (AVX512-FP16) */
		return cls == C_EVEX ? MR : XX;
	default:
		return XX;
	}
}

/*
 * C4 (VEX3), C5 (VEX2), 62 (EVEX), 8F (XOP) at index i. Outside 64-bit
 * mode C4/C5/62 are LES/LDS/BOUND unless the next byte has ModRM.mod == 3,
 * which those instructions forbid. 8F is POP Ev unless the next byte's map
 * field (bits 4:0) is 8 or more, which POP's ModRM.reg == 0 forbids.
 * Layouts: C5 [R vvvv L pp] op; C4 [RXB mmmmm] [W vvvv L pp] op;
 * 62 [RXBR' 0 mmm] [W vvvv 1 pp] [z L'L b V' aaa] op; 8F like C4.
 */
static int vex(struct insn *d, size_t i, unsigned cls)
{
	int p0 = byte_at(d, i + 1), p1, op;
	unsigned map;
	size_t at;

	if (p0 < 0)
		return p0;
	if (cls == C_XOP ? (p0 & 0x1f) < 8 : (d->mode != CPU_MODE_LONG64 && p0 < 0xc0))
		return operands(d, i + 1, cls == C_XOP ? MR : MR | NO64);
	/* These prefixes carry their own 66/F2/F3/REX: combined with legacy
	 * ones they raise #UD. */
	if ((d->pfx & (INSN_66 | INSN_F2 | INSN_F3 | INSN_LOCK)) || d->rex)
		return -EINVAL;
	switch (cls) {
	case C_VEX2:
		map = 1, at = i + 2;
		break;
	case C_EVEX:
		p1 = byte_at(d, i + 2);
		if (p1 < 0)
			return p1;
		if ((p0 & 0x08) || !(p1 & 0x04))
			return -EINVAL;
		map = p0 & 7, at = i + 4;
		break;
	default: /* C_VEX3, C_XOP */
		map = p0 & 0x1f, at = i + 3;
		break;
	}
	op = byte_at(d, at);
	if (op < 0)
		return op;
	d->op = (uint16_t)(INSN_VEX | map << 8 | (unsigned)op);
	return operands(d, at + 1, vex_desc(cls, map, (unsigned)op));
}

/* An escape byte (0F or a VEX-like prefix) at index i. */
static int escape(struct insn *d, size_t i, unsigned cls)
{
	if (cls != C_0F)
		return vex(d, i, cls);
	int op = byte_at(d, i + 1);
	if (op < 0)
		return op;
	unsigned e = map0f[op];
	d->op = (uint16_t)(INSN_MAP_0F | (unsigned)op);
	if (VALIDITY(e) != PFX)
		return operands(d, i + 2, e);
	/* 0F 38 xx: ModRM; 0F 3A xx: ModRM + imm8. The opcode byte at i + 2
	 * is covered by the ModRM fetch at i + 3. */
	int len = operands(d, i + 3, LOW(e) == C_38 ? MR : MB);
	if (len > 0)
		d->op = (uint16_t)((LOW(e) == C_38 ? INSN_MAP_38 : INSN_MAP_3A) | d->buf[i + 2]);
	return len;
}

/* Legacy prefixes and REX up to the opcode's first byte, whose index it
 * returns. A REX counts only right before the opcode; of several segment
 * overrides the last one wins. */
static int prefixes(struct insn *d)
{
	for (size_t i = 0;; i++) {
		int b = byte_at(d, i);
		if (b < 0)
			return b;
		if (d->mode == CPU_MODE_LONG64 && (b & 0xf0) == 0x40) {
			d->rex = (uint8_t)b;
			continue;
		}
		unsigned e = map1[b];
		if (VALIDITY(e) != PFX || LOW(e) >= C_0F)
			return (int)i;
		if (LOW(e) == C_SEG)
			d->seg = (int8_t)(b >= 0x64 ? b - 0x60 : (b >> 3) & 3);
		else
			d->pfx |= (uint8_t)(1u << LOW(e));
		d->rex = 0;
	}
}

/* Operand size: 16 or 32 by the mode, toggled by 66; 64 with REX.W. The
 * address size: the mode's, toggled by 67 (64 -> 32). */
static void sizes(struct insn *d)
{
	static const uint8_t asz[4][2] = { { 2, 4 }, { 2, 4 }, { 4, 2 }, { 8, 4 } };
	bool short16 = (d->mode <= CPU_MODE_PROT16) != !!(d->pfx & INSN_66);

	d->osize = d->rex & REX_W ? 8 : short16 ? 2 : 4;
	d->asize = asz[d->mode][!!(d->pfx & INSN_67)];
}

int insn_decode(const uint8_t *buf, size_t avail, enum cpu_mode mode, struct insn *d)
{
	*d = (struct insn){ .buf = buf, .lim = avail < MAX_LEN ? (uint8_t)avail : MAX_LEN,
			    .mode = (uint8_t)mode, .seg = -1 };
	if ((unsigned)mode > CPU_MODE_LONG64)
		return -EINVAL;
	int i = prefixes(d);
	if (i < 0)
		return i;
	sizes(d);
	unsigned e = map1[buf[i]];
	d->op = buf[i];
	if (VALIDITY(e) == PFX)
		return escape(d, (size_t)i, LOW(e));
	return operands(d, (size_t)i + 1, e);
}

int insn_length(const uint8_t *buf, size_t avail, enum cpu_mode mode)
{
	struct insn d;

	return insn_decode(buf, avail, mode, &d);
}

/* LOCK is refused: LOCK MOV CR0 is AMD's CR8. */
int insn_mov_to_cr4_gpr(const uint8_t *buf, size_t avail, enum cpu_mode mode)
{
	struct insn d;

	if (insn_decode(buf, avail, mode, &d) < 0 || d.op != (INSN_MAP_0F | 0x22) ||
	    (d.pfx & INSN_LOCK) || (d.rex & REX_R) || ((d.modrm >> 3) & 7) != 4)
		return -1;
	return (d.modrm & 7) | (d.rex & REX_B ? 8 : 0);
}
