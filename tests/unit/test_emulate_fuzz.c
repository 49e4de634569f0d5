/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MMIO instruction emulation under garbage: a few hundred thousand byte
 * strings (fully random, and random prefixes + emulated opcodes + random
 * operands so that decoding goes deep), random registers, segment bases,
 * flags, modes and callback failures, under ASan/UBSan. Checked for each:
 *
 *  - the result is a length no longer than the readable bytes (and equal to
 *    what insn_length says, the decoder's answer for exits), EMU_AGAIN,
 *    one of the EMU_* errors, or the error a callback returned;
 *  - callbacks see only 1, 2, 4 or 8 bytes, device accesses start in the
 *    fault's page, written device values fit their size, at most one page
 *    of string elements per call;
 *  - EMU_UD and EMU_MISMATCH touch nothing: no callback, no register, no flag;
 *    no RFLAGS bit outside the arithmetic flags ever changes;
 *  - the bytes past insn_avail are never read: changing them changes
 *    nothing (result, registers, flags, every callback and its arguments).
 *
 * EMU_FUZZ_ITERS and EMU_FUZZ_SEED in the environment override the defaults.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "vmm/emul/emulate.h"
#include "vmm/emul/decode.h"

#define PAGE 0x1000ull
#define MAX_CALLS (2 * 4096 + 8)

struct fz {
	uint64_t page;      /* the fault's page */
	unsigned calls;     /* callback invocations */
	unsigned fail_at;   /* the call that fails (0: none) */
	uint64_t hash;      /* of every callback and its arguments */
};

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* Counts and records a call; its return value (a failure when chosen). */
static int call(struct fz *z, int kind, uint64_t addr, unsigned size, int err)
{
	if (!size_ok(size))
		fail_msg("callback %d with size %u", kind, size);
	if (++z->calls > MAX_CALLS)
		fail_msg("more than %u callbacks", MAX_CALLS);
	z->hash = mix(mix(mix(z->hash, (uint64_t)kind), addr), size);
	return z->calls == z->fail_at ? err : 0;
}

static int f_mmio_read(void *opaque, uint64_t gpa, unsigned size, uint64_t *val)
{
	struct fz *z = opaque;

	if ((gpa & ~(PAGE - 1)) != z->page)
		fail_msg("device read at %#llx outside the fault's page", (unsigned long long)gpa);
	*val = mix(z->calls, gpa); /* all 64 bits: the emulator must cut them */
	return call(z, 1, gpa, size, -EIO);
}

static int f_mmio_write(void *opaque, uint64_t gpa, unsigned size, uint64_t val)
{
	struct fz *z = opaque;

	if ((gpa & ~(PAGE - 1)) != z->page)
		fail_msg("device write at %#llx outside the fault's page", (unsigned long long)gpa);
	if (size < 8 && (val >> (8 * size)))
		fail_msg("device write of %#llx in %u bytes", (unsigned long long)val, size);
	z->hash = mix(z->hash, val);
	return call(z, 2, gpa, size, -EIO);
}

static int f_mem_read(void *opaque, uint64_t gva, void *buf, unsigned size)
{
	struct fz *z = opaque;
	int rc = call(z, 3, gva, size, -EFAULT);
	uint64_t v = mix(z->calls, gva);

	memcpy(buf, &v, size); /* ASan: buf must hold size bytes */
	return rc;
}

static int f_mem_write(void *opaque, uint64_t gva, const void *buf, unsigned size)
{
	struct fz *z = opaque;
	uint64_t v = 0;

	memcpy(&v, buf, size);
	z->hash = mix(z->hash, v);
	return call(z, 4, gva, size, -EFAULT);
}

/* Opcodes the emulator knows, and some it must refuse, to start from. */
static const uint8_t ops1[] = {
	0x00, 0x01, 0x02, 0x03, 0x08, 0x09, 0x0a, 0x0b, 0x10, 0x11, 0x12, 0x13, 0x18, 0x19,
	0x1a, 0x1b, 0x20, 0x21, 0x22, 0x23, 0x28, 0x29, 0x2a, 0x2b, 0x30, 0x31, 0x32, 0x33,
	0x38, 0x39, 0x3a, 0x3b, 0x63, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
	0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
	0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xc4, 0xc5, 0xc6, 0xc7, 0x62, 0xf6, 0xf7,
	0xfe, 0xff, 0x0f, 0x90, 0xd9,
};
static const uint8_t ops0f[] = {
	0xa3, 0xab, 0xb3, 0xbb, 0xba, 0xb6, 0xb7, 0xbe, 0xbf, 0xc3, 0xae, 0xb0, 0xb1, 0xc0,
	0xc1, 0x10, 0x11, 0x38, 0x3a, 0xbc, 0xbd, 0xb8, 0x0b, 0xa2,
};
static const uint8_t pfx[] = { 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };

/* Fills c with an instruction and a state; aligned: registers, bases and
 * RIP are multiples of the page size, so that operands with no
 * displacement land at the fault's page offset 0 and execution goes on. */
static void generate(struct emu_ctx *c, uint64_t *gprs, bool *aligned)
{
	unsigned n = 0;
	bool structured = rnd() & 1;

	c->mode = (enum cpu_mode)(rnd() & 3);
	*aligned = structured && (rnd() & 3);
	for (unsigned i = 0; i < 15; i++)
		c->insn[i] = (uint8_t)rnd();
	if (structured) {
		for (unsigned k = rnd() % 4; k; k--)
			c->insn[n++] = c->mode == CPU_MODE_LONG64 && (rnd() & 3) == 0 ?
				(uint8_t)(0x40 | (rnd() & 15)) : pfx[rnd() % sizeof(pfx)];
		c->insn[n] = ops1[rnd() % sizeof(ops1)];
		if (c->insn[n++] == 0x0f)
			c->insn[n++] = ops0f[rnd() % sizeof(ops0f)];
		if (*aligned && (rnd() & 1)) /* ModRM [reg] with no displacement */
			c->insn[n] = (uint8_t)((rnd() & 0x38) | (rnd() % 4));
	}
	c->insn_avail = rnd() % 4 ? 15 : (unsigned)(rnd() % 16);
	for (unsigned i = 0; i < 16; i++)
		gprs[i] = rnd() & 7 ? rnd() : rnd() % 16;
	for (unsigned i = 0; i < EMU_NSEG; i++)
		c->seg_base[i] = rnd() & 1 ? 0 : rnd();
	c->rip = rnd();
	if (*aligned) {
		for (unsigned i = 0; i < 16; i++)
			gprs[i] &= ~(PAGE - 1);
		for (unsigned i = 0; i < EMU_NSEG; i++)
			c->seg_base[i] &= ~(PAGE - 1);
		c->rip &= ~(PAGE - 1);
		gprs[1] = rnd() & 1 ? rnd() % 8 : gprs[1]; /* RCX: short and long REPs */
	}
	c->gprs = gprs;
	c->rflags = (rnd() & 0xcd5) | 2;
	c->la57 = rnd() & 1;
	c->write = rnd() & 1;
	c->gpa = (rnd() & 0xffffffffff000ull) | (*aligned ? 0 : rnd() & (PAGE - 1));
}

struct outcome {
	int rc;
	uint64_t gprs[16], rflags, hash;
	unsigned calls;
};

static void run(struct emu_ctx *c, const uint64_t *gprs0, uint64_t rflags0, unsigned fail_at,
		bool no_mem, struct outcome *out)
{
	struct fz z = { .page = c->gpa & ~(PAGE - 1), .fail_at = fail_at };

	memcpy(out->gprs, gprs0, sizeof(out->gprs));
	c->gprs = out->gprs;
	c->rflags = rflags0;
	c->opaque = &z;
	c->mmio_read = f_mmio_read;
	c->mmio_write = f_mmio_write;
	c->mem_read = no_mem ? NULL : f_mem_read;
	c->mem_write = no_mem ? NULL : f_mem_write;
	out->rc = emulate_mmio(c);
	out->rflags = c->rflags;
	out->hash = z.hash;
	out->calls = z.calls;
}

enum { R_LEN, R_AGAIN, R_UD, R_GP, R_MISMATCH, R_CALLBACK, R_KINDS };

static unsigned check(const struct emu_ctx *c, const uint64_t *gprs0, uint64_t rflags0,
		      const struct outcome *o, unsigned fail_at)
{
	int rc = o->rc;

	if ((o->rflags ^ rflags0) & ~(uint64_t)EMU_ARITH)
		fail_msg("RFLAGS %#llx -> %#llx", (unsigned long long)rflags0,
			 (unsigned long long)o->rflags);
	if (rc == EMU_UD || rc == EMU_MISMATCH) {
		if (o->calls || o->rflags != rflags0 || memcmp(o->gprs, gprs0, sizeof(o->gprs)))
			fail_msg("error %d after a change of state", rc);
		return rc == EMU_UD ? R_UD : R_MISMATCH;
	}
	if (rc == EMU_GP)
		return R_GP;
	if (rc == EMU_AGAIN)
		return R_AGAIN;
	if (rc < 0) {
		if (!fail_at || o->calls != fail_at || (rc != -EIO && rc != -EFAULT))
			fail_msg("error %d at call %u (failing call %u)", rc, o->calls, fail_at);
		return R_CALLBACK;
	}
	int len = insn_length(c->insn, c->insn_avail, c->mode);
	if (rc > (int)c->insn_avail || rc > 15 || rc != len)
		fail_msg("length %d, %u bytes readable, length decoder says %d", rc, c->insn_avail, len);
	return R_LEN;
}

static void test_fuzz(void **state)
{
	const char *e = getenv("EMU_FUZZ_ITERS");
	unsigned long iters = e ? strtoul(e, NULL, 0) : 500000;
	unsigned long counts[R_KINDS] = { 0 };
	static const char *const names[R_KINDS] = {
		"emulated", "REP to be continued", "#UD", "#GP", "mismatch", "callback error",
	};

	e = getenv("EMU_FUZZ_SEED");
	rng = e ? strtoull(e, NULL, 0) : 0x5eed0fe771e5ull;
	if (!rng)
		rng = 1;
	for (unsigned long i = 0; i < iters; i++) {
		struct emu_ctx c = { 0 }, c2;
		uint64_t gprs0[16];
		bool aligned;
		struct outcome a, b;

		generate(&c, gprs0, &aligned);
		uint64_t rflags0 = c.rflags;
		unsigned fail_at = rnd() % 8 == 0 ? (unsigned)(1 + rnd() % 4) : 0;
		bool no_mem = rnd() % 16 == 0;
		c2 = c;
		for (unsigned k = c2.insn_avail; k < 15; k++)
			c2.insn[k] = (uint8_t)~c2.insn[k];
		run(&c, gprs0, rflags0, fail_at, no_mem, &a);
		run(&c2, gprs0, rflags0, fail_at, no_mem, &b);
		if (a.rc != b.rc || a.rflags != b.rflags || a.hash != b.hash || a.calls != b.calls ||
		    memcmp(a.gprs, b.gprs, sizeof(a.gprs)))
			fail_msg("input %lu: the bytes past insn_avail (%u) changed the outcome", i,
				 c.insn_avail);
		counts[check(&c, gprs0, rflags0, &a, fail_at)]++;
	}
	print_message("%lu inputs (twice each):", iters);
	for (unsigned k = 0; k < R_KINDS; k++)
		print_message(" %s %lu%s", names[k], counts[k], k + 1 < R_KINDS ? "," : "\n");
	assert_true(counts[R_LEN] > iters / 20); /* the generator reaches execution */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
