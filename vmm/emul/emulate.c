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
#include "vmm/emul/decode.h"
#include "kernel/string.h"

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

static uint64_t get_reg(const struct emu_ctx *c, const struct insn *d, unsigned r, unsigned size)
{
	if (size == 1 && !d->rex && r >= 4 && r < 8)
		return (c->gprs[r - 4] >> 8) & 0xff; /* AH, CH, DH, BH */
	return emu_reg_val(c, r, size);
}

/* x86 register writes: 8- and 16-bit results merge, 32-bit ones
 * zero-extend into the 64-bit register. */
static void set_reg(struct emu_ctx *c, const struct insn *d, unsigned r, unsigned size,
		    uint64_t v)
{
	uint64_t *g = &c->gprs[r & 15];

	if (size == 1 && !d->rex && r >= 4 && r < 8)
		c->gprs[r - 4] = (c->gprs[r - 4] & ~0xff00ull) | ((v & 0xff) << 8);
	else if (size >= 4)
		*g = v & mask(size);
	else
		*g = (*g & ~mask(size)) | (v & mask(size));
}

static int mmio_rd(struct emu_ctx *c, uint64_t gpa, unsigned size, uint64_t *v)
{
	uint64_t val = 0;
	int rc = c->mmio_read(c->opaque, gpa, size, &val);

	*v = val & mask(size);
	return rc;
}

static int mmio_wr(struct emu_ctx *c, uint64_t gpa, unsigned size, uint64_t v)
{
	return c->mmio_write(c->opaque, gpa, size, v & mask(size));
}

static void set_flags(uint64_t *fl, uint64_t r, unsigned size, bool cf, bool of, bool af)
{
	unsigned p = (unsigned)r & 0xff;

	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	*fl &= ~(uint64_t)EMU_ARITH;
	*fl |= (cf ? EMU_CF : 0) | (p & 1 ? 0 : EMU_PF) | (af ? EMU_AF : 0) |
	       ((r & mask(size)) == 0 ? EMU_ZF : 0) | (r >> (8 * size - 1) & 1 ? EMU_SF : 0) |
	       (of ? EMU_OF : 0);
}

/* a fn b on size bytes, flags into *fl. */
static uint64_t alu(unsigned fn, uint64_t a, uint64_t b, unsigned size, uint64_t *fl)
{
	uint64_t m = mask(size), sign = 1ull << (8 * size - 1), r;
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
		return ~a & mask(size);
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

/* Read-modify-write forms: the device value m is read, the result
 * written back when the op stores, then registers and flags. */
static int exec_rmw(struct emu_ctx *c, const struct insn *d, const struct op *o, unsigned bit)
{
	uint64_t m, r = 0, fl = c->rflags, src = get_reg(c, d, d->reg, o->size);
	unsigned sz = o->size;
	bool store = false;
	int rc = mmio_rd(c, c->gpa, sz, &m);

	if (rc)
		return rc;
	switch (o->kind) {
	case K_ALU_EG:
	case K_ALU_EI:
		r = alu(o->fn, m, o->kind == K_ALU_EG ? src : d->imm, sz, &fl);
		store = o->fn != CMP && o->fn != TEST;
		break;
	case K_UNARY:
		r = unary(o->fn, m, sz, &fl);
		store = true;
		break;
	case K_XCHG:
		r = src;
		store = true;
		break;
	default: /* K_BT, K_BT_I */
		r = bitop(o->fn, m, bit, &fl);
		store = o->fn != 0;
		break;
	}
	if (store && (rc = mmio_wr(c, c->gpa, sz, r)))
		return rc;
	if (o->kind == K_XCHG)
		set_reg(c, d, d->reg, sz, m);
	c->rflags = fl;
	return 0;
}

static int exec_mem(struct emu_ctx *c, const struct insn *d, const struct op *o, unsigned bit)
{
	uint64_t m, fl = c->rflags;
	int rc;

	switch (o->kind) {
	case K_FLUSH:
		return 0;
	case K_STORE:
		return mmio_wr(c, c->gpa, o->size, get_reg(c, d, d->reg, o->size));
	case K_STORE_I:
		return mmio_wr(c, c->gpa, o->size, d->imm);
	case K_LOAD:
		if ((rc = mmio_rd(c, c->gpa, o->size, &m)))
			return rc;
		set_reg(c, d, d->reg, o->dst, o->sx ? sext(m, o->size) : m);
		return 0;
	case K_ALU_GE:
		if ((rc = mmio_rd(c, c->gpa, o->size, &m)))
			return rc;
		m = alu(o->fn, get_reg(c, d, d->reg, o->size), m, o->size, &fl);
		if (o->fn != CMP)
			set_reg(c, d, d->reg, o->size, m);
		c->rflags = fl;
		return 0;
	default:
		return exec_rmw(c, d, o, bit);
	}
}

/* The linear address the instruction accesses and, for BT*, the bit: a
 * register bit offset is signed and reaches outside the operand (SDM BT:
 * the access is at EA + size * floor(offset / bits)). */
static uint64_t operand_la(const struct emu_ctx *c, const struct insn *d, const struct op *o,
			   unsigned *bit)
{
	unsigned seg = d->seg >= 0 ? (unsigned)d->seg : d->eseg, bits = 8 * o->size;
	uint64_t ea = d->ea;

	*bit = 0;
	if (o->kind == K_BT_I) {
		*bit = (unsigned)d->imm & (bits - 1);
	} else if (o->kind == K_BT) {
		int64_t off = (int64_t)sext(get_reg(c, d, d->reg, o->size), o->size);
		int64_t q = off >= 0 ? off / bits : -((-(off + 1)) / bits) - 1;
		*bit = (unsigned)((uint64_t)off & (bits - 1));
		ea = (ea + (uint64_t)q * o->size) & mask(d->asize);
	}
	return linear(c, seg, ea);
}

/* One element of a string op; la_ram is the RAM side's linear address. */
static int string_step(struct emu_ctx *c, const struct op *o, bool src_mmio, uint64_t gpa,
		       uint64_t la_ram)
{
	uint8_t buf[8] = { 0 };
	uint64_t v = 0;
	int rc;

	if (o->kind == K_STOS)
		return mmio_wr(c, gpa, o->size, c->gprs[R_AX]);
	if (o->kind == K_LODS) {
		if (!(rc = mmio_rd(c, gpa, o->size, &v)))
			c->gprs[R_AX] = o->size >= 4 ? v : (c->gprs[R_AX] & ~mask(o->size)) | v;
		return rc;
	}
	if (!c->mem_read || !c->mem_write)
		return EMU_UD;
	if (c->mode == CPU_MODE_LONG64 &&
	    (!canonical(c, la_ram) || !canonical(c, la_ram + o->size - 1)))
		return EMU_GP;
	if (src_mmio) {
		if ((rc = mmio_rd(c, gpa, o->size, &v)))
			return rc;
		memcpy(buf, &v, sizeof(v));
		return c->mem_write(c->opaque, la_ram, buf, o->size);
	}
	if ((rc = c->mem_read(c->opaque, la_ram, buf, o->size)))
		return rc;
	memcpy(&v, buf, sizeof(v));
	return mmio_wr(c, gpa, o->size, v);
}

/* rSI/rDI/rCX of the address size: a 32-bit one zero-extends, as any
 * 32-bit register write, a 16-bit one merges. */
static void set_areg(struct emu_ctx *c, unsigned r, unsigned asize, uint64_t v)
{
	uint64_t m = mask(asize);

	c->gprs[r] = asize == 2 ? (c->gprs[r] & ~m) | (v & m) : v & m;
}

/*
 * STOS/LODS/MOVS, with REP (F2 or F3) RCX times. The device side is
 * ES:rDI (STOS, MOVS after a write fault) or seg:rSI (LODS, MOVS after a
 * read fault). Elements are done while that side stays in the fault's
 * page, whose translation is the only one known; the instruction then
 * runs again (EMU_AGAIN) and faults on the next page if it is MMIO too.
 */
static int exec_string(struct emu_ctx *c, const struct insn *d, const struct op *o)
{
	uint64_t amask = mask(d->asize), count = d->rep ? c->gprs[R_CX] & amask : 1;
	int64_t step = c->rflags & EMU_DF ? -(int64_t)o->size : (int64_t)o->size;
	unsigned sseg = d->seg >= 0 ? (unsigned)d->seg : EMU_DS;
	bool src_mmio = o->kind == K_LODS || (o->kind == K_MOVS && !c->write);
	uint64_t page = 0;

	for (bool first = true; count; first = false) {
		uint64_t src = linear(c, sseg, c->gprs[R_SI] & amask);
		uint64_t dst = linear(c, EMU_ES, c->gprs[R_DI] & amask);
		uint64_t la = src_mmio ? src : dst;
		if (first) {
			if (!at_fault(c, la))
				return EMU_MISMATCH;
			page = la & ~PAGE_OFF;
		} else if ((la & ~PAGE_OFF) != page || (la & PAGE_OFF) + o->size > PAGE_OFF + 1) {
			return EMU_AGAIN;
		}
		int rc = string_step(c, o, src_mmio, (c->gpa & ~PAGE_OFF) | (la & PAGE_OFF),
				     src_mmio ? dst : src);
		if (rc)
			return rc;
		if (o->kind != K_STOS)
			set_areg(c, R_SI, d->asize, c->gprs[R_SI] + (uint64_t)step);
		if (o->kind != K_LODS)
			set_areg(c, R_DI, d->asize, c->gprs[R_DI] + (uint64_t)step);
		count--;
		if (d->rep)
			set_areg(c, R_CX, d->asize, count);
	}
	return (int)d->len;
}

int emulate_mmio(struct emu_ctx *c)
{
	struct insn d;
	struct op o;
	unsigned bit;
	int rc = emu_decode(c, &d, &o);

	if (rc)
		return rc;
	if (o.kind == K_STOS || o.kind == K_LODS || o.kind == K_MOVS)
		return exec_string(c, &d, &o);
	if (!at_fault(c, operand_la(c, &d, &o, &bit)))
		return EMU_MISMATCH;
	rc = exec_mem(c, &d, &o, bit);
	return rc ? rc : (int)d.len;
}
