/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MMIO instruction emulation (see emulate.h and docs/mmio-emulation.md).
 *
 * An instruction is [legacy prefixes] [REX] opcode [ModRM [SIB] [disp]]
 * [imm] (Intel SDM vol. 2 ch. 2, AMD APM vol. 3 ch. 1). Only opcodes that
 * can touch a device page through a general-purpose memory operand are
 * decoded; everything else, and every form with a register operand where
 * the memory one should be, is EMU_UD. The decoder never reads past
 * insn_avail bytes nor past the architectural 15.
 *
 * The device operand is accessed at the fault's guest-physical address;
 * its linear address is computed as the CPU would (segment base + ModRM/
 * SIB/displacement, RIP-relative, 16-bit forms) and must sit at the same
 * offset in its page, since paging maps 4 KiB-aligned pages: anything else
 * means the bytes at RIP are not the instruction that faulted.
 *
 * Flags follow the SDM's instruction pages: ADD/ADC/SUB/SBB/CMP/NEG set
 * all six arithmetic flags, INC/DEC all but CF; AND/OR/XOR/TEST clear CF
 * and OF, and AF (undefined there) is cleared as AMD CPUs and QEMU do;
 * BT* set CF and leave the flags the SDM calls undefined unchanged, as
 * AMD CPUs do. The unit test compares all of it with the host CPU.
 */
#include "vmm/emul/emulate.h"
#include "kernel/bytes.h"

#define PAGE_OFF 0xfffull

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
	uint8_t ext;   /* K_LOAD: ZX or SX into a register of the operand size */
};

enum { ZX = 1, SX };

/* The decoded instruction (decode.c) and its operands. */
struct dec {
	struct insn x;
	unsigned reg;      /* ModRM.reg with REX.R */
	bool rep;          /* F2 or F3 */
	unsigned seg;      /* the memory operand's segment */
	uint64_t ea;       /* and its offset */
	uint64_t imm;      /* sign-extended */
};

static uint64_t sext(uint64_t v, unsigned size)
{
	uint64_t sign = 1ull << (8 * size - 1);

	v &= size_mask(size);
	return (v ^ sign) - sign;
}

static uint64_t reg_val(const struct emu_ctx *c, unsigned r, unsigned size)
{
	return c->gprs[r & 15] & size_mask(size);
}

/* The n bytes at offset at of the instruction, little-endian, sign-extended. */
static uint64_t field(const struct insn *x, unsigned at, unsigned n)
{
	return n ? sext(get_le(x->buf + at, n), n) : 0;
}

/* 16-bit addressing: BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP (disp16 alone
 * with mod 0), BX; BP-based forms default to SS. */
static uint64_t ea16(const struct emu_ctx *c, struct dec *d)
{
	static const uint8_t base[8] = { R_BX, R_BX, R_BP, R_BP, R_SI, R_DI, R_BP, R_BX };
	static const uint8_t index[8] = { R_SI, R_DI, R_SI, R_DI, 0, 0, 0, 0 };
	unsigned rm = d->x.modrm & 7;
	uint64_t ea = field(&d->x, d->x.disp_at, d->x.disp_size);

	if (d->x.modrm >> 6 == 0 && rm == 6)
		return ea & 0xffff;
	ea += reg_val(c, base[rm], 2);
	if (rm < 4)
		ea += reg_val(c, index[rm], 2);
	if (base[rm] == R_BP)
		d->seg = EMU_SS;
	return ea & 0xffff;
}

/* 32/64-bit addressing: rm 4 brings a SIB (index 4 without REX.X: none;
 * base 5 with mod 0: disp32 alone); mod 0 rm 5 is disp32, RIP-relative in
 * 64-bit mode. RSP/RBP bases default to SS. */
static uint64_t ea32(const struct emu_ctx *c, struct dec *d)
{
	const struct insn *x = &d->x;
	unsigned mod = x->modrm >> 6, rm = x->modrm & 7, base = rm | (x->rex & REX_B ? 8 : 0);
	bool has_base = mod != 0 || rm != 5;
	uint64_t ea = field(x, x->disp_at, x->disp_size);

	if (rm == 4) {
		unsigned index = ((x->sib >> 3) & 7) | (x->rex & REX_X ? 8 : 0);
		base = (x->sib & 7) | (x->rex & REX_B ? 8 : 0);
		has_base = mod != 0 || (x->sib & 7) != 5;
		if (index != R_SP)
			ea += reg_val(c, index, x->asize) << (x->sib >> 6);
	} else if (!has_base && x->mode == CPU_MODE_LONG64) {
		ea += c->rip + x->len; /* RIP-relative */
	}
	if (has_base) {
		ea += reg_val(c, base, x->asize);
		if (base == R_SP || base == R_BP)
			d->seg = EMU_SS;
	}
	return ea & size_mask(x->asize);
}

/* Sizes of the memory operand in rules[] besides 1 and 2 bytes. */
enum {
	SZ_V = 0x10,  /* the operand size */
	SZ_W,         /* one-byte opcode pairs: 1 byte (even opcode) or SZ_V (odd) */
	SZ_SXD,       /* MOVSXD: the operand size, at most 4 */
	SZ_NTI,       /* MOVNTI: 8 with REX.W, else 4 */
};

#define ANY 0xff    /* rules[]' regs: every ModRM.reg */
#define FN_REG 0x80 /* rules[]' fn: ModRM.reg less the low bits */

/*
 * The opcodes taken besides the ALU ones (00-3F), in decode.h's op
 * numbering; a SZ_W entry stands for the pair op, op + 1. regs: the
 * ModRM.reg values taken, a bit each.
 */
static const struct rule {
	uint16_t op;
	uint8_t regs, kind, fn, size, ext;
} rules[] = {
	{ 0x63, ANY, K_LOAD, 0, SZ_SXD, SX },       /* MOVSXD (ARPL outside 64-bit mode) */
	{ 0x80, ANY, K_ALU_EI, FN_REG, SZ_W, 0 },   /* group 1 */
	{ 0x82, ANY, K_ALU_EI, FN_REG, SZ_W, 0 },   /* 82: invalid in 64-bit mode (decoder) */
	{ 0x84, ANY, K_ALU_EG, TEST, SZ_W, 0 },
	{ 0x86, ANY, K_XCHG, 0, SZ_W, 0 },
	{ 0x88, ANY, K_STORE, 0, SZ_W, 0 },
	{ 0x8a, ANY, K_LOAD, 0, SZ_W, 0 },
	{ 0xa0, ANY, K_LOAD, 0, SZ_W, 0 },          /* MOV rAX, moffs */
	{ 0xa2, ANY, K_STORE, 0, SZ_W, 0 },         /* MOV moffs, rAX */
	{ 0xa4, ANY, K_MOVS, 0, SZ_W, 0 },
	{ 0xaa, ANY, K_STOS, 0, SZ_W, 0 },
	{ 0xac, ANY, K_LODS, 0, SZ_W, 0 },
	{ 0xc6, 0x01, K_STORE_I, 0, SZ_W, 0 },
	{ 0xf6, 0x03, K_ALU_EI, TEST, SZ_W, 0 },
	{ 0xf6, 0x0c, K_UNARY, FN_REG, SZ_W, 0 },   /* NOT, NEG */
	{ 0xfe, 0x03, K_UNARY, FN_REG, SZ_W, 0 },   /* INC, DEC */
	{ 0x1a3, ANY, K_BT, 0, SZ_V, 0 },           /* BT, BTS, BTR, BTC */
	{ 0x1ab, ANY, K_BT, 1, SZ_V, 0 },
	{ 0x1b3, ANY, K_BT, 2, SZ_V, 0 },
	{ 0x1bb, ANY, K_BT, 3, SZ_V, 0 },
	{ 0x1ba, 0xf0, K_BT_I, FN_REG | 4, SZ_V, 0 },
	{ 0x1b6, ANY, K_LOAD, 0, 1, ZX },           /* MOVZX, MOVSX */
	{ 0x1b7, ANY, K_LOAD, 0, 2, ZX },
	{ 0x1be, ANY, K_LOAD, 0, 1, SX },
	{ 0x1bf, ANY, K_LOAD, 0, 2, SX },
	{ 0x1c3, ANY, K_STORE, 0, SZ_NTI, 0 },      /* MOVNTI */
	{ 0x1ae, 0x80, K_FLUSH, 0, 1, 0 },          /* CLFLUSH (66: CLFLUSHOPT) */
};

static uint8_t op_size(const struct insn *x, unsigned size)
{
	switch (size) {
	case SZ_V:   return x->osize;
	case SZ_W:   return x->op & 1 ? x->osize : 1;
	case SZ_SXD: return x->osize < 4 ? x->osize : 4;
	case SZ_NTI: return x->rex & REX_W ? 8 : 4;
	default:     return (uint8_t)size;
	}
}

/* What the instruction does; K_BAD for what is not emulated. In the 0F
 * map F2/F3 select other instructions (POPCNT, TZCNT, ...) and 66 MOVNTI
 * does not exist. */
static struct op classify(const struct dec *d)
{
	unsigned op = d->x.op, r = d->reg & 7, w = op_size(&d->x, SZ_W);

	if (op < 0x40 && (op & 7) < 4)
		return (struct op){ op & 2 ? K_ALU_GE : K_ALU_EG, op >> 3, w, 0 };
	if ((op == 0x63 && d->x.mode != CPU_MODE_LONG64) || (op >= INSN_MAP_0F && d->rep) ||
	    (op == 0x1c3 && (d->x.pfx & INSN_66)))
		return (struct op){ .kind = K_BAD };
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct rule *u = &rules[i];
		if (u->op != (u->size == SZ_W ? op & ~1u : op) || !(u->regs >> r & 1))
			continue;
		unsigned fn = u->fn & FN_REG ? r - (u->fn & ~FN_REG) : u->fn;
		return (struct op){ u->kind, (uint8_t)fn, op_size(&d->x, u->size), u->ext };
	}
	return (struct op){ .kind = K_BAD };
}

/* Whether a read-modify-write op stores its result: the forms LOCK may
 * prefix. */
static bool writes_back(const struct op *o)
{
	switch (o->kind) {
	case K_ALU_EG:
	case K_ALU_EI:
		return o->fn != CMP && o->fn != TEST;
	case K_UNARY:
	case K_XCHG:
		return true;
	case K_BT:
	case K_BT_I:
		return o->fn != 0;
	default:
		return false;
	}
}

/*
 * Decodes c->insn into d and o: 0, or EMU_UD for what the emulator does
 * not take, and for a register operand where the memory one should be (it
 * cannot have faulted). The decoder never reads past insn_avail bytes nor
 * past the architectural 15.
 */
static int decode(const struct emu_ctx *c, struct dec *d, struct op *o)
{
	struct insn *x = &d->x;

	if (insn_decode(c->insn, c->insn_avail, c->mode, x) < 0)
		return EMU_UD;
	if (x->has_modrm)
		d->reg = ((x->modrm >> 3) & 7) | (x->rex & REX_R ? 8 : 0);
	else
		d->reg = R_AX; /* MOV moffs */
	d->rep = x->pfx & (INSN_F2 | INSN_F3);
	*o = classify(d);
	if (o->kind == K_BAD || ((x->pfx & INSN_LOCK) && !writes_back(o)) ||
	    (x->has_modrm && x->modrm >= 0xc0))
		return EMU_UD;
	d->imm = field(x, x->imm_at, x->imm_size);
	d->seg = EMU_DS;
	if (x->op >= 0xa0 && x->op <= 0xa3)
		d->ea = d->imm & size_mask(x->asize); /* moffs: zero-extended */
	else if (x->has_modrm)
		d->ea = x->asize == 2 ? ea16(c, d) : ea32(c, d);
	if (x->seg >= 0)
		d->seg = (unsigned)x->seg;
	return 0;
}

/* Linear address of offset off in segment seg. In 64-bit mode only FS and
 * GS have bases; elsewhere addresses wrap at 4 GiB. */
static uint64_t linear(const struct emu_ctx *c, unsigned seg, uint64_t off)
{
	if (c->mode == CPU_MODE_LONG64)
		return seg == EMU_FS || seg == EMU_GS ? c->seg_base[seg] + off : off;
	return (c->seg_base[seg] + off) & 0xffffffffull;
}

static bool canonical(const struct emu_ctx *c, uint64_t la)
{
	unsigned shift = c->la57 ? 7 : 16;

	return (uint64_t)((int64_t)(la << shift) >> shift) == la;
}

static bool at_fault(const struct emu_ctx *c, uint64_t la)
{
	return ((la ^ c->gpa) & PAGE_OFF) == 0;
}

static uint64_t get_reg(const struct emu_ctx *c, const struct dec *d, unsigned r, unsigned size)
{
	if (size == 1 && !d->x.rex && r >= 4 && r < 8)
		return (c->gprs[r - 4] >> 8) & 0xff; /* AH, CH, DH, BH */
	return reg_val(c, r, size);
}

/* x86 register writes: 8- and 16-bit results merge, 32-bit ones
 * zero-extend into the 64-bit register. */
static void set_reg(struct emu_ctx *c, const struct dec *d, unsigned r, unsigned size, uint64_t v)
{
	uint64_t *g = &c->gprs[r & 15];

	if (size == 1 && !d->x.rex && r >= 4 && r < 8)
		c->gprs[r - 4] = (c->gprs[r - 4] & ~0xff00ull) | ((v & 0xff) << 8);
	else if (size >= 4)
		*g = v & size_mask(size);
	else
		*g = (*g & ~size_mask(size)) | (v & size_mask(size));
}

static int mmio_rd(struct emu_ctx *c, uint64_t gpa, unsigned size, uint64_t *v)
{
	uint64_t val = 0;
	int rc = c->mmio_read(c->opaque, gpa, size, &val);

	*v = val & size_mask(size);
	return rc;
}

static int mmio_wr(struct emu_ctx *c, uint64_t gpa, unsigned size, uint64_t v)
{
	return c->mmio_write(c->opaque, gpa, size, v & size_mask(size));
}

static void set_flags(uint64_t *fl, uint64_t r, unsigned size, bool cf, bool of, bool af)
{
	unsigned p = (unsigned)r & 0xff;

	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	*fl &= ~(uint64_t)EMU_ARITH;
	*fl |= (cf ? EMU_CF : 0) | (p & 1 ? 0 : EMU_PF) | (af ? EMU_AF : 0) |
	       ((r & size_mask(size)) == 0 ? EMU_ZF : 0) | (r >> (8 * size - 1) & 1 ? EMU_SF : 0) |
	       (of ? EMU_OF : 0);
}

/* a fn b on size bytes, flags into *fl. */
static uint64_t alu(unsigned fn, uint64_t a, uint64_t b, unsigned size, uint64_t *fl)
{
	uint64_t m = size_mask(size), sign = 1ull << (8 * size - 1), r;
	unsigned cin = (fn == ADC || fn == SBB) && (*fl & EMU_CF);
	bool cf = false, of = false;

	a &= m, b &= m;
	switch (fn) {
	case ADD: case ADC:
		r = (a + b + cin) & m;
		cf = cin ? r <= a : r < a;
		of = (a ^ r) & (b ^ r) & sign;
		break;
	case SUB: case SBB: case CMP:
		r = (a - b - cin) & m;
		cf = cin ? a <= b : a < b;
		of = (a ^ b) & (a ^ r) & sign;
		break;
	case OR:
		r = a | b;
		break;
	case XOR:
		r = a ^ b;
		break;
	default: /* AND, TEST */
		r = a & b;
		break;
	}
	bool arith = fn == ADD || fn == ADC || fn == SUB || fn == SBB || fn == CMP;
	set_flags(fl, r, size, cf, of, arith && ((a ^ b ^ r) & 0x10));
	return r;
}

static uint64_t unary(unsigned fn, uint64_t a, unsigned size, uint64_t *fl)
{
	uint64_t cf = *fl & EMU_CF;

	switch (fn) {
	case INC:
		a = alu(ADD, a, 1, size, fl);
		break;
	case DEC:
		a = alu(SUB, a, 1, size, fl);
		break;
	case NOT:
		return ~a & size_mask(size);
	default: /* NEG */
		return alu(SUB, 0, a, size, fl);
	}
	*fl = (*fl & ~(uint64_t)EMU_CF) | cf; /* INC and DEC leave CF alone */
	return a;
}

/* BT/BTS/BTR/BTC on val: CF = the bit; returns the new value. */
static uint64_t bitop(unsigned fn, uint64_t val, unsigned bit, uint64_t *fl)
{
	uint64_t b = 1ull << bit;

	*fl = (*fl & ~(uint64_t)EMU_CF) | (val & b ? EMU_CF : 0);
	return fn == 1 ? val | b : fn == 2 ? val & ~b : fn == 3 ? val ^ b : val;
}

/*
 * A non-string instruction on the device operand: stores write it; the
 * rest read it, compute, write the result back when the op stores
 * (writes_back), then set the register and flags.
 */
static int exec_mem(struct emu_ctx *c, const struct dec *d, const struct op *o, unsigned bit)
{
	uint64_t m, r, fl = c->rflags, src = get_reg(c, d, d->reg, o->size);
	unsigned sz = o->size;
	int rc;

	if (o->kind == K_FLUSH)
		return 0;
	if (o->kind == K_STORE || o->kind == K_STORE_I)
		return mmio_wr(c, c->gpa, sz, o->kind == K_STORE ? src : d->imm);
	if ((rc = mmio_rd(c, c->gpa, sz, &m)))
		return rc;
	switch (o->kind) {
	case K_LOAD:
		set_reg(c, d, d->reg, o->ext ? d->x.osize : sz, o->ext == SX ? sext(m, sz) : m);
		return 0;
	case K_ALU_GE:
		r = alu(o->fn, src, m, sz, &fl);
		if (o->fn != CMP)
			set_reg(c, d, d->reg, sz, r);
		break;
	case K_ALU_EG:
	case K_ALU_EI:
		r = alu(o->fn, m, o->kind == K_ALU_EG ? src : d->imm, sz, &fl);
		break;
	case K_UNARY:
		r = unary(o->fn, m, sz, &fl);
		break;
	case K_XCHG:
		r = src;
		break;
	default: /* K_BT, K_BT_I */
		r = bitop(o->fn, m, bit, &fl);
		break;
	}
	if (writes_back(o) && (rc = mmio_wr(c, c->gpa, sz, r)))
		return rc;
	if (o->kind == K_XCHG)
		set_reg(c, d, d->reg, sz, m);
	c->rflags = fl;
	return 0;
}

/* The linear address the instruction accesses and, for BT*, the bit: a
 * register bit offset is signed and reaches outside the operand (SDM BT:
 * the access is at EA + size * floor(offset / bits)). */
static uint64_t operand_la(const struct emu_ctx *c, const struct dec *d, const struct op *o,
			   unsigned *bit)
{
	unsigned bits = 8 * o->size;
	uint64_t ea = d->ea;

	*bit = 0;
	if (o->kind == K_BT_I) {
		*bit = (unsigned)d->imm & (bits - 1);
	} else if (o->kind == K_BT) {
		int64_t off = (int64_t)sext(get_reg(c, d, d->reg, o->size), o->size);
		int64_t q = off >= 0 ? off / bits : -((-(off + 1)) / bits) - 1;
		*bit = (unsigned)((uint64_t)off & (bits - 1));
		ea = (ea + (uint64_t)q * o->size) & size_mask(d->x.asize);
	}
	return linear(c, d->seg, ea);
}

/* One element of a string op; la_ram is the RAM side's linear address. */
static int string_step(struct emu_ctx *c, const struct dec *d, const struct op *o, bool src_mmio,
		       uint64_t gpa, uint64_t la_ram)
{
	uint64_t v = 0; /* the element's size bytes: x86 is little-endian */
	int rc;

	if (o->kind == K_STOS)
		return mmio_wr(c, gpa, o->size, c->gprs[R_AX]);
	if (o->kind == K_LODS) {
		if (!(rc = mmio_rd(c, gpa, o->size, &v)))
			set_reg(c, d, R_AX, o->size, v);
		return rc;
	}
	if (!c->mem_read || !c->mem_write)
		return EMU_UD;
	if (c->mode == CPU_MODE_LONG64 &&
	    (!canonical(c, la_ram) || !canonical(c, la_ram + o->size - 1)))
		return EMU_GP;
	if (src_mmio)
		return (rc = mmio_rd(c, gpa, o->size, &v)) ? rc :
		       c->mem_write(c->opaque, la_ram, &v, o->size);
	return (rc = c->mem_read(c->opaque, la_ram, &v, o->size)) ? rc :
	       mmio_wr(c, gpa, o->size, v);
}

/*
 * STOS/LODS/MOVS, with REP (F2 or F3) RCX times. The device side is
 * ES:rDI (STOS, MOVS after a write fault) or seg:rSI (LODS, MOVS after a
 * read fault). Elements are done while that side stays in the fault's
 * page, whose translation is the only one known; the instruction then
 * runs again (EMU_AGAIN) and faults on the next page if it is MMIO too.
 */
static int exec_string(struct emu_ctx *c, const struct dec *d, const struct op *o)
{
	uint64_t amask = size_mask(d->x.asize), count = d->rep ? c->gprs[R_CX] & amask : 1;
	int64_t step = c->rflags & EMU_DF ? -(int64_t)o->size : (int64_t)o->size;
	bool src_mmio = o->kind == K_LODS || (o->kind == K_MOVS && !c->write);
	uint64_t page = 0;

	for (bool first = true; count; first = false) {
		uint64_t src = linear(c, d->seg, c->gprs[R_SI] & amask);
		uint64_t dst = linear(c, EMU_ES, c->gprs[R_DI] & amask);
		uint64_t la = src_mmio ? src : dst;
		if (first) {
			if (!at_fault(c, la))
				return EMU_MISMATCH;
			page = la & ~PAGE_OFF;
		} else if ((la & ~PAGE_OFF) != page || (la & PAGE_OFF) + o->size > PAGE_OFF + 1) {
			return EMU_AGAIN;
		}
		int rc = string_step(c, d, o, src_mmio, (c->gpa & ~PAGE_OFF) | (la & PAGE_OFF),
				     src_mmio ? dst : src);
		if (rc)
			return rc;
		/* rSI/rDI/rCX of the address size, written as registers are */
		if (o->kind != K_STOS)
			set_reg(c, d, R_SI, d->x.asize, c->gprs[R_SI] + (uint64_t)step);
		if (o->kind != K_LODS)
			set_reg(c, d, R_DI, d->x.asize, c->gprs[R_DI] + (uint64_t)step);
		count--;
		if (d->rep)
			set_reg(c, d, R_CX, d->x.asize, count);
	}
	return (int)d->x.len;
}

int emulate_mmio(struct emu_ctx *c)
{
	struct dec d;
	struct op o;
	unsigned bit;
	int rc = decode(c, &d, &o);

	if (rc)
		return rc;
	if (o.kind == K_STOS || o.kind == K_LODS || o.kind == K_MOVS)
		return exec_string(c, &d, &o);
	if (!at_fault(c, operand_la(c, &d, &o, &bit)))
		return EMU_MISMATCH;
	rc = exec_mem(c, &d, &o, bit);
	return rc ? rc : (int)d.x.len;
}
