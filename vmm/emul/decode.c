/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The MMIO emulator's decoder (see emulate.c for what it takes and why):
 * prefixes, REX, ModRM/SIB/displacement and the effective address, the
 * opcode's class (decode.h's struct op). It never reads past insn_avail
 * bytes nor past the architectural 15.
 */
#include "vmm/emul/decode.h"

static unsigned next(struct insn *d)
{
	if (d->len >= d->lim) {
		d->err = true;
		return 0;
	}
	return d->buf[d->len++];
}

/* n bytes little-endian, sign-extended. */
static uint64_t fetch(struct insn *d, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)next(d) << (8 * i);
	return n ? sext(v, n) : 0;
}

/* Reads prefixes; returns the first opcode byte. A REX counts only right
 * before the opcode; of several segment overrides the last one wins. */
static unsigned prefixes(struct insn *d, enum cpu_mode mode)
{
	for (;;) {
		unsigned b = next(d);
		switch (b) {
		case 0x66: d->p66 = true; break;
		case 0x67: d->p67 = true; break;
		case 0xf0: d->lock = true; break;
		case 0xf2: case 0xf3: d->rep = true; break;
		case 0x26: case 0x2e: case 0x36: case 0x3e: d->seg = (int)((b >> 3) & 3); break;
		case 0x64: case 0x65: d->seg = (int)(b - 0x60); break;
		default:
			if (mode != CPU_MODE_LONG64 || (b & 0xf0) != 0x40)
				return b;
			d->rex = b;
			continue;
		}
		d->rex = 0;
	}
}

uint64_t emu_reg_val(const struct emu_ctx *c, unsigned r, unsigned size)
{
	return c->gprs[r & 15] & mask(size);
}

/* 16-bit addressing: BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP (disp16 alone
 * with mod 0), BX; BP-based forms default to SS. */
static void ea16(struct insn *d, const struct emu_ctx *c)
{
	static const uint8_t base[8] = { R_BX, R_BX, R_BP, R_BP, R_SI, R_DI, R_BP, R_BX };
	static const uint8_t index[8] = { R_SI, R_DI, R_SI, R_DI, 0, 0, 0, 0 };
	uint64_t ea = 0;

	if (d->mod == 0 && d->rm == 6) {
		ea = fetch(d, 2);
	} else {
		ea = emu_reg_val(c, base[d->rm], 2) + fetch(d, d->mod == 1 ? 1 : d->mod == 2 ? 2 : 0);
		if (d->rm < 4)
			ea += emu_reg_val(c, index[d->rm], 2);
		if (base[d->rm] == R_BP)
			d->eseg = EMU_SS;
	}
	d->ea = ea & 0xffff;
}

/* 32/64-bit addressing: rm 4 brings a SIB (index 4 without REX.X: none;
 * base 5 with mod 0: disp32 alone); mod 0 rm 5 is disp32, RIP-relative in
 * 64-bit mode. RSP/RBP bases default to SS. */
static void ea32(struct insn *d, const struct emu_ctx *c, enum cpu_mode mode)
{
	unsigned base = d->rm | (d->rex & REX_B ? 8 : 0), disp = d->mod == 1 ? 1 : d->mod == 2 ? 4 : 0;
	bool has_base = true;
	uint64_t ea = 0;

	if (d->rm == 4) {
		unsigned sib = next(d), index = ((sib >> 3) & 7) | (d->rex & REX_X ? 8 : 0);
		base = (sib & 7) | (d->rex & REX_B ? 8 : 0);
		if (index != R_SP)
			ea = emu_reg_val(c, index, d->asize) << (sib >> 6);
		if (d->mod == 0 && (sib & 7) == 5)
			has_base = false, disp = 4;
	} else if (d->mod == 0 && d->rm == 5) {
		has_base = false, disp = 4;
		d->riprel = mode == CPU_MODE_LONG64;
	}
	if (has_base) {
		ea += emu_reg_val(c, base, d->asize);
		if (base == R_SP || base == R_BP)
			d->eseg = EMU_SS;
	}
	d->ea = (ea + fetch(d, disp)) & mask(d->asize);
}

static void modrm(struct insn *d, const struct emu_ctx *c, enum cpu_mode mode)
{
	unsigned m = next(d);

	d->mod = m >> 6;
	d->reg = ((m >> 3) & 7) | (d->rex & REX_R ? 8 : 0);
	d->rm = m & 7;
	if (d->mod == 3)
		return;
	if (d->asize == 2)
		ea16(d, c);
	else
		ea32(d, c, mode);
}

#define OP(k, f, sz, ds, im, s, l) \
	((struct op){ .kind = (k), .fn = (f), .size = (sz), .dst = (ds), .imm = (im), .sx = (s), .lock = (l) })

/* The one-byte opcodes; sizes from the low opcode bit (byte / full). */
static struct op classify1(const struct insn *d, enum cpu_mode mode)
{
	unsigned op = d->op, r = d->reg & 7, v = d->osize, z = v == 2 ? 2 : 4;
	unsigned w = op & 1 ? v : 1;

	if (op < 0x40 && (op & 7) < 4) {
		if (op & 2)
			return OP(K_ALU_GE, op >> 3, w, w, 0, false, false);
		return OP(K_ALU_EG, op >> 3, w, w, 0, false, (op >> 3) != CMP);
	}
	switch (op) {
	case 0x63: /* MOVSXD in 64-bit mode (ARPL elsewhere) */
		if (mode != CPU_MODE_LONG64)
			break;
		return OP(K_LOAD, 0, v < 4 ? v : 4, v, 0, true, false);
	case 0x80: case 0x82: /* 82: an alias of 80, invalid in 64-bit mode */
		if (op == 0x82 && mode == CPU_MODE_LONG64)
			break;
		return OP(K_ALU_EI, r, 1, 1, 1, false, r != CMP);
	case 0x81:
		return OP(K_ALU_EI, r, v, v, z, false, r != CMP);
	case 0x83:
		return OP(K_ALU_EI, r, v, v, 1, false, r != CMP);
	case 0x84: case 0x85:
		return OP(K_ALU_EG, TEST, w, w, 0, false, false);
	case 0x86: case 0x87:
		return OP(K_XCHG, 0, w, w, 0, false, true);
	case 0x88: case 0x89: case 0xa2: case 0xa3:
		return OP(K_STORE, 0, w, w, 0, false, false);
	case 0x8a: case 0x8b: case 0xa0: case 0xa1:
		return OP(K_LOAD, 0, w, w, 0, false, false);
	case 0xa4: case 0xa5:
		return OP(K_MOVS, 0, w, w, 0, false, false);
	case 0xaa: case 0xab:
		return OP(K_STOS, 0, w, w, 0, false, false);
	case 0xac: case 0xad:
		return OP(K_LODS, 0, w, w, 0, false, false);
	case 0xc6: case 0xc7:
		if (r == 0)
			return OP(K_STORE_I, 0, w, w, op & 1 ? z : 1, false, false);
		break;
	case 0xf6: case 0xf7:
		if (r < 2)
			return OP(K_ALU_EI, TEST, w, w, op & 1 ? z : 1, false, false);
		if (r < 4)
			return OP(K_UNARY, r == 2 ? NOT : NEG, w, w, 0, false, true);
		break;
	case 0xfe: case 0xff:
		if (r < 2)
			return OP(K_UNARY, r, w, w, 0, false, true);
		break;
	}
	return (struct op){ .kind = K_BAD };
}

/* The 0F map. F2/F3 select other instructions here (POPCNT, TZCNT, ...),
 * none of which is emulated. */
static struct op classify0f(const struct insn *d)
{
	unsigned op = d->op & 0xff, r = d->reg & 7, v = d->osize;

	if (d->rep)
		return (struct op){ .kind = K_BAD };
	switch (op) {
	case 0xb6: case 0xb7: case 0xbe: case 0xbf: /* MOVZX, MOVSX */
		return OP(K_LOAD, 0, op & 1 ? 2 : 1, v, 0, op >= 0xbe, false);
	case 0xa3: case 0xab: case 0xb3: case 0xbb: /* BT, BTS, BTR, BTC */
		return OP(K_BT, (op >> 3) & 3, v, v, 0, false, op != 0xa3);
	case 0xba:
		if (r >= 4)
			return OP(K_BT_I, r - 4, v, v, 1, false, r != 4);
		break;
	case 0xc3: /* MOVNTI: 32 or 64 bits (REX.W), no 66 form */
		if (!d->p66)
			return OP(K_STORE, 0, d->rex & REX_W ? 8 : 4, 0, 0, false, false);
		break;
	case 0xae: /* CLFLUSH (66: CLFLUSHOPT) */
		if (r == 7)
			return OP(K_FLUSH, 0, 1, 0, 0, false, false);
		break;
	}
	return (struct op){ .kind = K_BAD };
}

static bool no_modrm(unsigned op)
{
	return (op >= 0xa0 && op <= 0xa5) || (op >= 0xaa && op <= 0xad);
}

/* Decodes c->insn into d and o; 0 or EMU_UD. */
int emu_decode(const struct emu_ctx *c, struct insn *d, struct op *o)
{
	static const uint8_t asz[4][2] = { { 2, 4 }, { 2, 4 }, { 4, 2 }, { 8, 4 } };
	enum cpu_mode mode = c->mode;

	if ((unsigned)mode > CPU_MODE_LONG64)
		return EMU_UD;
	*d = (struct insn){ .buf = c->insn, .seg = -1, .eseg = EMU_DS,
			    .lim = c->insn_avail < MAX_LEN ? c->insn_avail : MAX_LEN };
	d->op = prefixes(d, mode);
	if (d->op == 0x0f)
		d->op = 0x100 | next(d);
	d->osize = d->rex & REX_W ? 8 : (mode <= CPU_MODE_PROT16) != d->p66 ? 2 : 4;
	d->asize = asz[mode][d->p67];
	if (d->op >= 0xa0 && d->op <= 0xa3)
		d->ea = fetch(d, d->asize) & mask(d->asize); /* moffs: zero-extended */
	else if (!no_modrm(d->op))
		modrm(d, c, mode);
	*o = d->op & 0x100 ? classify0f(d) : classify1(d, mode);
	d->imm = fetch(d, o->imm);
	if (d->err || o->kind == K_BAD || (d->lock && !o->lock))
		return EMU_UD;
	if (!no_modrm(d->op) && d->mod == 3)
		return EMU_UD; /* a register operand cannot have faulted */
	if (d->riprel)
		d->ea = (d->ea + c->rip + d->len) & mask(d->asize);
	return 0;
}
