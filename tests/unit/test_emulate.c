/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MMIO instruction emulation: a table of encodings run against a fake
 * device that records every access (rows: mode, bytes, initial state, the
 * linear address the operand must have, what the device reads return, the
 * expected result, accesses and registers), string moves against a fake
 * RAM, and the ALU flags compared with the host CPU's own.
 *
 * State strings are "key=value" lists: register names, fl (RFLAGS), rip,
 * es/cs/ss/ds/fs/gs (segment bases), wr (the fault was a write), la57,
 * avail (bytes readable), gpa (the fault, instead of DEV + the operand's
 * page offset), rerr/werr (the device fails reads/writes with -EIO).
 * Access lists are "r4@0b0" (a 4-byte read at DEV + 0xb0) and
 * "w2@0b0=1234" (a write and its value), in order.
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

#define DEV 0xfee00000ull
#define RAM_LA 0x10000ull
#define RAM_SIZE 0x1000u
#define MAX_LOG 64

#define RM CPU_MODE_REAL
#define P16 CPU_MODE_PROT16
#define P32 CPU_MODE_PROT32
#define L64 CPU_MODE_LONG64
#define UD EMU_UD

struct access {
	char kind; /* 'r' or 'w' */
	unsigned size;
	uint64_t gpa, val;
};

struct fake {
	struct access log[MAX_LOG];
	unsigned n, total;
	uint64_t dev;       /* the value of the first read; each next one is + 1 */
	bool rerr, werr;
	uint8_t ram[RAM_SIZE];
};

static int dev_read(void *opaque, uint64_t gpa, unsigned size, uint64_t *val)
{
	struct fake *f = opaque;

	if (f->n < MAX_LOG)
		f->log[f->n++] = (struct access){ 'r', size, gpa, 0 };
	*val = f->dev + f->total++;
	return f->rerr ? -EIO : 0;
}

static int dev_write(void *opaque, uint64_t gpa, unsigned size, uint64_t val)
{
	struct fake *f = opaque;

	if (f->n < MAX_LOG)
		f->log[f->n++] = (struct access){ 'w', size, gpa, val };
	f->total++;
	return f->werr ? -EIO : 0;
}

static int ram_read(void *opaque, uint64_t gva, void *buf, unsigned size)
{
	struct fake *f = opaque;

	if (gva < RAM_LA || gva + size > RAM_LA + RAM_SIZE)
		return -EFAULT;
	memcpy(buf, f->ram + (gva - RAM_LA), size);
	return 0;
}

static int ram_write(void *opaque, uint64_t gva, const void *buf, unsigned size)
{
	struct fake *f = opaque;

	if (gva < RAM_LA || gva + size > RAM_LA + RAM_SIZE)
		return -EFAULT;
	memcpy(f->ram + (gva - RAM_LA), buf, size);
	return 0;
}

static const char *const reg_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const seg_names[EMU_NSEG] = { "es", "cs", "ss", "ds", "fs", "gs" };

/* A ready context: registers hold distinct values (a wrong register moves
 * the operand off the fault's page offset), flags only the fixed bit. */
static void setup(struct emu_ctx *c, struct fake *f, uint64_t *gprs, enum cpu_mode mode)
{
	memset(f, 0, sizeof(*f));
	for (unsigned i = 0; i < RAM_SIZE; i++)
		f->ram[i] = (uint8_t)i;
	for (unsigned i = 0; i < 16; i++)
		gprs[i] = 0x5a5a5a5a5a5a5000ull + 0x111ull * i;
	*c = (struct emu_ctx){ .mode = mode, .gprs = gprs, .rflags = 2, .opaque = f,
		.mmio_read = dev_read, .mmio_write = dev_write,
		.mem_read = ram_read, .mem_write = ram_write };
}

static unsigned parse_hex(const char *hex, uint8_t *buf)
{
	unsigned n = 0;

	while (*hex && n < 15) {
		char *end;
		buf[n++] = (uint8_t)strtoul(hex, &end, 16);
		hex = end;
		while (*hex == ' ')
			hex++;
	}
	return n;
}

/* Applies "key=value ..." to the context; gpa_set tells if gpa= was given. */
static void apply(struct emu_ctx *c, struct fake *f, const char *s, bool *gpa_set)
{
	char key[16], *end;
	int used;

	while (s && sscanf(s, " %15[a-z0-9]=%n", key, &used) == 1) {
		bool known = false;
		/* strtoull: full 64-bit values, and -1 for all ones */
		unsigned long long v = strtoull(s + used, &end, 0);
		s = end;
		for (unsigned i = 0; i < 16; i++)
			if (!strcmp(key, reg_names[i]))
				c->gprs[i] = v, known = true;
		for (unsigned i = 0; i < EMU_NSEG; i++)
			if (!strcmp(key, seg_names[i]))
				c->seg_base[i] = v, known = true;
		if (!strcmp(key, "fl"))
			c->rflags = v, known = true;
		if (!strcmp(key, "rip"))
			c->rip = v, known = true;
		if (!strcmp(key, "wr"))
			c->write = v, known = true;
		if (!strcmp(key, "la57"))
			c->la57 = v, known = true;
		if (!strcmp(key, "avail"))
			c->insn_avail = (unsigned)v, known = true;
		if (!strcmp(key, "gpa"))
			c->gpa = v, known = *gpa_set = true;
		if (!strcmp(key, "rerr"))
			f->rerr = v, known = true;
		if (!strcmp(key, "werr"))
			f->werr = v, known = true;
		if (!known)
			fail_msg("unknown key %s", key);
	}
}

static void check_log(const struct fake *f, const char *want, const char *what)
{
	unsigned i = 0;
	char kind;
	unsigned size, used;
	unsigned long long off, val;

	while (want && sscanf(want, " %c%u@%llx%n", &kind, &size, &off, &used) == 3) {
		want += used;
		val = 0;
		if (kind == 'w' && sscanf(want, "=%llx%n", &val, &used) == 1)
			want += used;
		if (i >= f->n)
			fail_msg("%s: access %u (%c%u@%llx) missing", what, i, kind, size, off);
		const struct access *a = &f->log[i++];
		if (a->kind != kind || a->size != size || a->gpa != DEV + off ||
		    (kind == 'w' && a->val != val))
			fail_msg("%s: access %u is %c%u@%llx=%llx, want %c%u@%llx=%llx", what, i - 1,
				 a->kind, a->size, (unsigned long long)(a->gpa - DEV),
				 (unsigned long long)a->val, kind, size, off, val);
	}
	if (i != f->n)
		fail_msg("%s: %u accesses, want %u", what, f->n, i);
}

struct row {
	enum cpu_mode mode;
	const char *hex;
	const char *in;
	uint64_t la;   /* linear address of the device operand */
	uint64_t dev;
	int rc;
	const char *io;
	const char *out;
};

static void run_row(const struct row *r)
{
	struct emu_ctx c, want;
	struct fake f;
	uint64_t gprs[16], want_gprs[16];
	char what[96];
	bool gpa_set = false;

	snprintf(what, sizeof(what), "mode %d [%s] {%s}", r->mode, r->hex, r->in ? r->in : "");
	setup(&c, &f, gprs, r->mode);
	c.insn_avail = parse_hex(r->hex, c.insn);
	apply(&c, &f, r->in, &gpa_set);
	if (!gpa_set)
		c.gpa = DEV | (r->la & 0xfff);
	f.dev = r->dev;
	want = c;
	memcpy(want_gprs, gprs, sizeof(gprs));
	want.gprs = want_gprs;
	apply(&want, &f, r->out, &gpa_set);

	int rc = emulate_mmio(&c);
	if (rc != r->rc)
		fail_msg("%s: returned %d, want %d", what, rc, r->rc);
	check_log(&f, r->io, what);
	for (unsigned i = 0; i < 16; i++)
		if (gprs[i] != want_gprs[i])
			fail_msg("%s: %s = %#llx, want %#llx", what, reg_names[i],
				 (unsigned long long)gprs[i], (unsigned long long)want_gprs[i]);
	if (c.rflags != want.rflags)
		fail_msg("%s: rflags = %#llx, want %#llx", what, (unsigned long long)c.rflags,
			 (unsigned long long)want.rflags);
}

#define Q 0x1122334455667788ull   /* a register value */
#define D 0x8877665544332211ull   /* a device value */

/* MOV stores, loads, MOVZX/MOVSX/MOVSXD, and the addressing forms. */
static const struct row mov_rows[] = {
	{ L64, "89 03", "rbx=0x20b0 rax=0x1122334455667788", 0x20b0, 0, 2, "w4@0b0=55667788", 0 },
	{ L64, "48 89 03", "rbx=0x20b0 rax=0x1122334455667788", 0x20b0, 0, 3, "w8@0b0=1122334455667788", 0 },
	{ L64, "66 89 03", "rbx=0x20b0 rax=0x1122334455667788", 0x20b0, 0, 3, "w2@0b0=7788", 0 },
	{ L64, "88 03", "rbx=0x20b0 rax=0x1122334455667788", 0x20b0, 0, 2, "w1@0b0=88", 0 },
	{ L64, "88 23", "rbx=0x20b0 rax=0x1122334455667788", 0x20b0, 0, 2, "w1@0b0=77", 0 },
	{ L64, "40 88 23", "rbx=0x20b0 rsp=0x99", 0x20b0, 0, 3, "w1@0b0=99", 0 },
	{ L64, "44 89 03", "rbx=0x20b0 r8=0xabcdef0123456789", 0x20b0, 0, 3, "w4@0b0=23456789", 0 },
	{ L64, "41 89 03", "r11=0x30c0 rax=5", 0x30c0, 0, 3, "w4@0c0=5", 0 },
	{ L64, "c6 03 5a", "rbx=0x20b0", 0x20b0, 0, 3, "w1@0b0=5a", 0 },
	{ L64, "66 c7 03 34 12", "rbx=0x20b0", 0x20b0, 0, 5, "w2@0b0=1234", 0 },
	{ L64, "c7 03 78 56 34 12", "rbx=0x20b0", 0x20b0, 0, 6, "w4@0b0=12345678", 0 },
	{ L64, "48 c7 03 f0 ff ff ff", "rbx=0x20b0", 0x20b0, 0, 7, "w8@0b0=fffffffffffffff0", 0 },
	{ L64, "c7 80 00 01 00 00 01 00 00 00", "rax=0x1f00", 0x2000, 0, 10, "w4@000=1", 0 },
	{ L64, "89 44 24 08", "rsp=0x7ff8 rax=1", 0x8000, 0, 4, "w4@000=1", 0 },
	{ L64, "89 04 8b", "rbx=0x1000 rcx=0x2c rax=7", 0x10b0, 0, 3, "w4@0b0=7", 0 },
	{ L64, "89 04 cd 00 10 00 00", "rcx=0x16 rax=7", 0x10b0, 0, 7, "w4@0b0=7", 0 },
	{ L64, "89 05 10 00 00 00", "rip=0x400000 rax=7", 0x400016, 0, 6, "w4@016=7", 0 },
	{ L64, "89 05 f0 ff ff ff", "rip=0x401000 rax=7", 0x400ff6, 0, 6, "w4@ff6=7", 0 },
	{ L64, "67 89 05 10 00 00 00", "rip=0xfffffffe rax=7", 0x15, 0, 7, "w4@015=7", 0 },
	{ L64, "67 89 03", "rbx=0xffffffff000020b0 rax=7", 0x20b0, 0, 3, "w4@0b0=7", 0 },
	{ L64, "65 89 03", "gs=0xffff888000000040 rbx=0x20b0 rax=7", 0x20f0, 0, 3, "w4@0f0=7", 0 },
	{ L64, "64 89 03", "fs=0x7f0000000800 rbx=0x20b0 rax=7", 0x28b0, 0, 3, "w4@8b0=7", 0 },
	{ L64, "26 89 03", "es=0x40 rbx=0x20b0 rax=7", 0x20b0, 0, 3, "w4@0b0=7", 0 },
	{ L64, "89 45 fc", "rbp=0x20b4 rax=7", 0x20b0, 0, 3, "w4@0b0=7", 0 },
	{ L64, "42 89 04 23", "rbx=0x2000 r12=0xb0 rax=7", 0x20b0, 0, 4, "w4@0b0=7", 0 },
	{ L64, "41 89 04 24", "r12=0x20b0 rax=7", 0x20b0, 0, 4, "w4@0b0=7", 0 },
	{ L64, "41 89 45 00", "r13=0x20b0 rax=7", 0x20b0, 0, 4, "w4@0b0=7", 0 },
	{ L64, "41 89 04 25 b0 00 e0 fe", "rax=7", 0xfffffffffee000b0, 0, 8, "w4@0b0=7", 0 },
	{ L64, "4a 89 04 e5 00 10 00 00", "r12=0x16 rax=7", 0x10b0, 0, 8, "w8@0b0=7", 0 },
	{ L64, "89 04 24", "rsp=0x20b0 rax=7", 0x20b0, 0, 3, "w4@0b0=7", 0 },
	{ L64, "89 04 64", "rsp=0x20b0 rax=7", 0x20b0, 0, 3, "w4@0b0=7", 0 },
	{ L64, "48 a3 b0 00 e0 fe 00 00 00 00", "rax=0x1122334455667788", 0xfee000b0, 0, 10,
	  "w8@0b0=1122334455667788", 0 },
	{ L64, "66 48 89 03", "rbx=0x20b0 rax=0x1122334455667788", 0x20b0, 0, 4, "w8@0b0=1122334455667788", 0 },
	{ L64, "48 66 89 03", "rbx=0x20b0 rax=0x1122334455667788", 0x20b0, 0, 4, "w2@0b0=7788", 0 },
	{ L64, "40 89 03", "rbx=0x20b0 rax=7", 0x20b0, 0, 3, "w4@0b0=7", 0 },
	{ L64, "f3 89 03", "rbx=0x20b0 rax=7", 0x20b0, 0, 3, "w4@0b0=7", 0 },
	{ L64, "0f c3 03", "rbx=0x20b0 rax=0x1122334455667788", 0x20b0, 0, 3, "w4@0b0=55667788", 0 },
	{ L64, "48 0f c3 03", "rbx=0x20b0 rax=0x1122334455667788", 0x20b0, 0, 4,
	  "w8@0b0=1122334455667788", 0 },
	/* 32-bit code */
	{ P32, "89 03", "ds=0x10000 rbx=0xb0 rax=0x1122334455667788", 0x100b0, 0, 2, "w4@0b0=55667788", 0 },
	{ P32, "66 89 03", "ds=0x10000 rbx=0xb0 rax=0x1122334455667788", 0x100b0, 0, 3, "w2@0b0=7788", 0 },
	{ P32, "89 03", "ds=0xfffff040 rbx=0x20b0 rax=7", 0x10f0, 0, 2, "w4@0f0=7", 0 },
	{ P32, "a3 b0 00 e0 fe", "rax=0x1234", 0xfee000b0, 0, 5, "w4@0b0=1234", 0 },
	{ P32, "66 a3 b0 00 e0 fe", "rax=0x1234", 0xfee000b0, 0, 6, "w2@0b0=1234", 0 },
	{ P32, "a2 b0 00 e0 fe", "rax=0x1234", 0xfee000b0, 0, 5, "w1@0b0=34", 0 },
	{ P32, "a1 b0 00 e0 fe", "rax=-1", 0xfee000b0, D, 5, "r4@0b0", "rax=0x44332211" },
	{ P32, "67 a1 b0 00", "rax=-1", 0xb0, D, 4, "r4@0b0", "rax=0x44332211" },
	{ P32, "8b 04 24", "ss=0x100 ds=0x40 rsp=0x1fb0", 0x20b0, D, 3, "r4@0b0", "rax=0x44332211" },
	{ P32, "8b 45 08", "ss=0x40 rbp=0x2068", 0x20b0, D, 3, "r4@0b0", "rax=0x44332211" },
	{ P32, "3e 8b 45 08", "ss=0x40 rbp=0x2068", 0x2070, D, 4, "r4@070", "rax=0x44332211" },
	{ P32, "89 05 b0 00 e0 fe", "rax=7", 0xfee000b0, 0, 6, "w4@0b0=7", 0 },
	{ P32, "64 89 03", "fs=0x100 rbx=0xb0 rax=7", 0x1b0, 0, 3, "w4@1b0=7", 0 },
	{ P32, "67 89 07", "rbx=0x120b0 rax=7", 0x20b0, 0, 3, "w4@0b0=7", 0 },
	{ P32, "2e 3e 89 03", "cs=0x100 ds=0x200 rbx=0xb0 rax=7", 0x2b0, 0, 4, "w4@2b0=7", 0 },
	{ P32, "3e 2e 89 03", "cs=0x100 ds=0x200 rbx=0xb0 rax=7", 0x1b0, 0, 4, "w4@1b0=7", 0 },
	{ P32, "0f c3 03", "rbx=0xb0 rax=0x1122334455667788", 0xb0, 0, 3, "w4@0b0=55667788", 0 },
	/* 16-bit code */
	{ RM, "89 07", "ds=0x10000 rbx=0x20b0 rax=0x11223344", 0x120b0, 0, 2, "w2@0b0=3344", 0 },
	{ RM, "66 89 07", "ds=0x10000 rbx=0x20b0 rax=0x11223344", 0x120b0, 0, 3, "w4@0b0=11223344", 0 },
	{ RM, "89 00", "rbx=0x2000 rsi=0xb0 rax=7", 0x20b0, 0, 2, "w2@0b0=7", 0 },
	{ RM, "89 01", "rbx=0x2000 rdi=0xb0 rax=7", 0x20b0, 0, 2, "w2@0b0=7", 0 },
	{ RM, "89 02", "ss=0x20000 ds=0x40 rbp=0x2000 rsi=0xb0 rax=7", 0x220b0, 0, 2, "w2@0b0=7", 0 },
	{ RM, "89 03", "ss=0x20000 ds=0x40 rbp=0x2000 rdi=0xb0 rax=7", 0x220b0, 0, 2, "w2@0b0=7", 0 },
	{ RM, "89 04", "rsi=0x20b0 rax=7", 0x20b0, 0, 2, "w2@0b0=7", 0 },
	{ RM, "89 05", "rdi=0x20b0 rax=7", 0x20b0, 0, 2, "w2@0b0=7", 0 },
	{ RM, "89 06 b0 20", "ss=0x40 rax=7", 0x20b0, 0, 4, "w2@0b0=7", 0 },
	{ RM, "89 46 02", "ds=0x40 rbp=0x20ae rax=7", 0x20b0, 0, 3, "w2@0b0=7", 0 },
	{ RM, "89 87 00 01", "rbx=0x1fb0 rax=7", 0x20b0, 0, 4, "w2@0b0=7", 0 },
	{ RM, "89 00", "rbx=0xffff rsi=0xb1 rax=7", 0xb0, 0, 2, "w2@0b0=7", 0 },
	{ RM, "67 89 03", "rbx=0x120b0 rax=7", 0x120b0, 0, 3, "w2@0b0=7", 0 },
	{ RM, "26 89 07", "es=0x30040 rbx=0x20b0 rax=7", 0x320f0, 0, 3, "w2@0f0=7", 0 },
	{ RM, "c7 07 34 12", "rbx=0x20b0", 0x20b0, 0, 4, "w2@0b0=1234", 0 },
	{ RM, "66 c7 07 78 56 34 12", "rbx=0x20b0", 0x20b0, 0, 7, "w4@0b0=12345678", 0 },
	{ RM, "8b 07", "rbx=0x20b0 rax=-1", 0x20b0, 0x1234, 2, "r2@0b0", "rax=0xffffffffffff1234" },
	{ P16, "89 07", "rbx=0x20b0 rax=7", 0x20b0, 0, 2, "w2@0b0=7", 0 },
	{ P16, "0f c3 07", "rbx=0x20b0 rax=0x11223344", 0x20b0, 0, 3, "w4@0b0=11223344", 0 },
	/* loads */
	{ L64, "8b 03", "rbx=0x20b0 rax=-1", 0x20b0, D, 2, "r4@0b0", "rax=0x44332211" },
	{ L64, "8a 03", "rbx=0x20b0 rax=-1", 0x20b0, D, 2, "r1@0b0", "rax=0xffffffffffffff11" },
	{ L64, "8a 23", "rbx=0x20b0 rax=-1", 0x20b0, D, 2, "r1@0b0", "rax=0xffffffffffff11ff" },
	{ L64, "40 8a 23", "rbx=0x20b0", 0x20b0, D, 3, "r1@0b0", "rsp=0x5a5a5a5a5a5a5411" },
	{ L64, "66 8b 03", "rbx=0x20b0 rax=-1", 0x20b0, D, 3, "r2@0b0", "rax=0xffffffffffff2211" },
	{ L64, "48 8b 03", "rbx=0x20b0", 0x20b0, D, 3, "r8@0b0", "rax=0x8877665544332211" },
	{ L64, "44 8b 03", "rbx=0x20b0", 0x20b0, D, 3, "r4@0b0", "r8=0x44332211" },
	{ L64, "4c 8b 3c 24", "rsp=0x20b0", 0x20b0, D, 4, "r8@0b0", "r15=0x8877665544332211" },
	{ L64, "48 a1 b0 00 e0 fe 00 00 00 00", 0, 0xfee000b0, D, 10, "r8@0b0", "rax=0x8877665544332211" },
	{ L64, "67 a1 b0 00 e0 fe", 0, 0xfee000b0, D, 6, "r4@0b0", "rax=0x44332211" },
	{ L64, "a0 b0 00 e0 fe 00 00 00 00", "rax=0", 0xfee000b0, D, 9, "r1@0b0", "rax=0x11" },
	{ L64, "0f b6 03", "rbx=0x20b0 rax=-1", 0x20b0, D, 3, "r1@0b0", "rax=0x11" },
	{ L64, "0f b7 03", "rbx=0x20b0 rax=-1", 0x20b0, D, 3, "r2@0b0", "rax=0x2211" },
	{ L64, "48 0f b6 03", "rbx=0x20b0 rax=-1", 0x20b0, D, 4, "r1@0b0", "rax=0x11" },
	{ L64, "66 0f b6 03", "rbx=0x20b0 rax=-1", 0x20b0, D, 4, "r1@0b0", "rax=0xffffffffffff0011" },
	{ L64, "0f be 03", "rbx=0x20b0 rax=-1", 0x20b0, 0x80, 3, "r1@0b0", "rax=0xffffff80" },
	{ L64, "48 0f be 03", "rbx=0x20b0", 0x20b0, 0x80, 4, "r1@0b0", "rax=0xffffffffffffff80" },
	{ L64, "0f bf 03", "rbx=0x20b0", 0x20b0, 0x8000, 3, "r2@0b0", "rax=0xffff8000" },
	{ L64, "48 0f bf 03", "rbx=0x20b0", 0x20b0, 0x8000, 4, "r2@0b0", "rax=0xffffffffffff8000" },
	{ L64, "66 0f be 03", "rbx=0x20b0 rax=0", 0x20b0, 0x80, 4, "r1@0b0", "rax=0xff80" },
	{ L64, "48 63 03", "rbx=0x20b0", 0x20b0, 0x80000000, 3, "r4@0b0", "rax=0xffffffff80000000" },
	{ L64, "63 03", "rbx=0x20b0 rax=-1", 0x20b0, 0x80000000, 2, "r4@0b0", "rax=0x80000000" },
	{ L64, "44 0f b6 03", "rbx=0x20b0", 0x20b0, D, 4, "r1@0b0", "r8=0x11" },
	{ L64, "0f b6 23", "rbx=0x20b0", 0x20b0, D, 3, "r1@0b0", "rsp=0x11" },
	{ P32, "0f be 07", "rdi=0xb0", 0xb0, 0xf0, 3, "r1@0b0", "rax=0xfffffff0" },
};

/* ALU, TEST, unary, XCHG, BT*, LOCK. */
static const struct row alu_rows[] = {
	{ L64, "00 03", "rbx=0x20b0 rax=1", 0x20b0, 0xff, 2, "r1@0b0 w1@0b0=0", "fl=0x57" },
	{ L64, "01 03", "rbx=0x20b0 rax=1", 0x20b0, 0x7fffffff, 2, "r4@0b0 w4@0b0=80000000", "fl=0x896" },
	{ L64, "48 01 03", "rbx=0x20b0 rax=1", 0x20b0, ~0ull, 3, "r8@0b0 w8@0b0=0", "fl=0x57" },
	{ L64, "66 01 03", "rbx=0x20b0 rax=0x8000", 0x20b0, 0x8000, 3, "r2@0b0 w2@0b0=0", "fl=0x847" },
	{ L64, "02 03", "rbx=0x20b0 rax=0x1234567890abcdf0", 0x20b0, 0x20, 2, "r1@0b0",
	  "rax=0x1234567890abcd10 fl=0x3" },
	{ L64, "03 03", "rbx=0x20b0 rax=0xffffffff00000001", 0x20b0, 2, 2, "r4@0b0", "rax=3 fl=0x6" },
	{ L64, "11 03", "rbx=0x20b0 rax=1 fl=3", 0x20b0, 1, 2, "r4@0b0 w4@0b0=3", "fl=0x6" },
	{ L64, "19 03", "rbx=0x20b0 rax=5 fl=3", 0x20b0, 5, 2, "r4@0b0 w4@0b0=ffffffff", "fl=0x97" },
	{ L64, "21 03", "rbx=0x20b0 rax=0xff00 fl=0x813", 0x20b0, 0xf0f0, 2, "r4@0b0 w4@0b0=f000", "fl=0x6" },
	{ L64, "09 03", "rbx=0x20b0 rax=0", 0x20b0, 0, 2, "r4@0b0 w4@0b0=0", "fl=0x46" },
	{ L64, "31 03", "rbx=0x20b0 rax=0", 0x20b0, 0x80000000, 2, "r4@0b0 w4@0b0=80000000", "fl=0x86" },
	{ L64, "29 03", "rbx=0x20b0 rax=1", 0x20b0, 0, 2, "r4@0b0 w4@0b0=ffffffff", "fl=0x97" },
	{ L64, "39 03", "rbx=0x20b0 rax=2", 0x20b0, 1, 2, "r4@0b0", "fl=0x97" },
	{ L64, "3a 03", "rbx=0x20b0 rax=0x80", 0x20b0, 1, 2, "r1@0b0", "fl=0x812" },
	{ L64, "3b 03", "rbx=0x20b0 rax=5", 0x20b0, 5, 2, "r4@0b0", "fl=0x46" },
	{ L64, "22 03", "rbx=0x20b0 rax=0x0f", 0x20b0, 0xf3, 2, "r1@0b0", "rax=3 fl=0x6" },
	{ L64, "0b 03", "rbx=0x20b0 rax=0x100", 0x20b0, 1, 2, "r4@0b0", "rax=0x101 fl=0x2" },
	{ L64, "33 03", "rbx=0x20b0 rax=0xffffffff12345678", 0x20b0, 0x12345678, 2, "r4@0b0",
	  "rax=0 fl=0x46" },
	{ L64, "2b 03", "rbx=0x20b0 rax=3", 0x20b0, 5, 2, "r4@0b0", "rax=0xfffffffe fl=0x93" },
	{ L64, "12 03", "rbx=0x20b0 rax=0x7f fl=3", 0x20b0, 0, 2, "r1@0b0", "rax=0x80 fl=0x892" },
	{ L64, "1b 03", "rbx=0x20b0 rax=0x80000000", 0x20b0, 1, 2, "r4@0b0", "rax=0x7fffffff fl=0x816" },
	{ L64, "48 2b 03", "rbx=0x20b0 rax=0x8000000000000000", 0x20b0, 1, 3, "r8@0b0",
	  "rax=0x7fffffffffffffff fl=0x816" },
	{ L64, "80 03 01", "rbx=0x20b0", 0x20b0, 0x7f, 3, "r1@0b0 w1@0b0=80", "fl=0x892" },
	{ L64, "80 0b 80", "rbx=0x20b0", 0x20b0, 1, 3, "r1@0b0 w1@0b0=81", "fl=0x86" },
	{ L64, "80 23 0f", "rbx=0x20b0", 0x20b0, 0xf3, 3, "r1@0b0 w1@0b0=3", "fl=0x6" },
	{ L64, "80 33 ff", "rbx=0x20b0", 0x20b0, 0x0f, 3, "r1@0b0 w1@0b0=f0", "fl=0x86" },
	{ L64, "80 3b 05", "rbx=0x20b0", 0x20b0, 5, 3, "r1@0b0", "fl=0x46" },
	{ L64, "80 2b 01", "rbx=0x20b0", 0x20b0, 0, 3, "r1@0b0 w1@0b0=ff", "fl=0x97" },
	{ L64, "80 13 00", "rbx=0x20b0 fl=3", 0x20b0, 0xff, 3, "r1@0b0 w1@0b0=0", "fl=0x57" },
	{ L64, "80 1b 00", "rbx=0x20b0 fl=3", 0x20b0, 0, 3, "r1@0b0 w1@0b0=ff", "fl=0x97" },
	{ L64, "81 0b 00 00 00 80", "rbx=0x20b0", 0x20b0, 1, 6, "r4@0b0 w4@0b0=80000001", "fl=0x82" },
	{ L64, "66 81 0b 00 80", "rbx=0x20b0", 0x20b0, 1, 5, "r2@0b0 w2@0b0=8001", "fl=0x82" },
	{ L64, "48 81 23 00 ff ff ff", "rbx=0x20b0", 0x20b0, 0x123456789abcdef0, 7,
	  "r8@0b0 w8@0b0=123456789abcde00", "fl=0x6" },
	{ L64, "83 0b 01", "rbx=0x20b0", 0x20b0, 0x10, 3, "r4@0b0 w4@0b0=11", "fl=0x6" },
	{ L64, "83 23 fe", "rbx=0x20b0", 0x20b0, 0xffffffff, 3, "r4@0b0 w4@0b0=fffffffe", "fl=0x82" },
	{ L64, "48 83 2b 01", "rbx=0x20b0", 0x20b0, 0, 4, "r8@0b0 w8@0b0=ffffffffffffffff", "fl=0x97" },
	{ L64, "66 83 03 ff", "rbx=0x20b0", 0x20b0, 1, 4, "r2@0b0 w2@0b0=0", "fl=0x57" },
	{ L64, "48 83 3b ff", "rbx=0x20b0", 0x20b0, ~0ull, 4, "r8@0b0", "fl=0x46" },
	{ P32, "82 03 01", "rbx=0xb0", 0xb0, 0x7f, 3, "r1@0b0 w1@0b0=80", "fl=0x892" },
	{ L64, "84 03", "rbx=0x20b0 rax=0x80", 0x20b0, 0x80, 2, "r1@0b0", "fl=0x82" },
	{ L64, "85 03", "rbx=0x20b0 rax=0x12345678", 0x20b0, 0, 2, "r4@0b0", "fl=0x46" },
	{ L64, "f6 03 01", "rbx=0x20b0", 0x20b0, 2, 3, "r1@0b0", "fl=0x46" },
	{ L64, "f6 0b 01", "rbx=0x20b0", 0x20b0, 3, 3, "r1@0b0", "fl=0x2" },
	{ L64, "f7 03 00 00 00 80", "rbx=0x20b0", 0x20b0, 0x80000000, 6, "r4@0b0", "fl=0x86" },
	{ L64, "66 f7 03 ff 00", "rbx=0x20b0", 0x20b0, 0xffff, 5, "r2@0b0", "fl=0x6" },
	{ L64, "48 f7 03 ff ff ff ff", "rbx=0x20b0", 0x20b0, 0x8000000000000000, 7, "r8@0b0", "fl=0x86" },
	{ L64, "f6 1b", "rbx=0x20b0", 0x20b0, 1, 2, "r1@0b0 w1@0b0=ff", "fl=0x97" },
	{ L64, "f7 13", "rbx=0x20b0 fl=0x8d7", 0x20b0, 0x0f0f0f0f, 2, "r4@0b0 w4@0b0=f0f0f0f0", 0 },
	{ L64, "48 f7 1b", "rbx=0x20b0 fl=0x803", 0x20b0, 0, 3, "r8@0b0 w8@0b0=0", "fl=0x46" },
	{ L64, "fe 03", "rbx=0x20b0 fl=3", 0x20b0, 0xff, 2, "r1@0b0 w1@0b0=0", "fl=0x57" },
	{ L64, "ff 0b", "rbx=0x20b0", 0x20b0, 0, 2, "r4@0b0 w4@0b0=ffffffff", "fl=0x96" },
	{ L64, "48 ff 03", "rbx=0x20b0", 0x20b0, 0x7fffffffffffffff, 3,
	  "r8@0b0 w8@0b0=8000000000000000", "fl=0x896" },
	{ L64, "66 ff 0b", "rbx=0x20b0 fl=3", 0x20b0, 0x8000, 3, "r2@0b0 w2@0b0=7fff", "fl=0x817" },
	/* XCHG */
	{ L64, "86 03", "rbx=0x20b0 rax=0x1234", 0x20b0, 0xaa, 2, "r1@0b0 w1@0b0=34", "rax=0x12aa" },
	{ L64, "87 03", "rbx=0x20b0 rax=0xffffffff11111111", 0x20b0, 0x22222222, 2,
	  "r4@0b0 w4@0b0=11111111", "rax=0x22222222" },
	{ L64, "48 87 03", "rbx=0x20b0 rax=0x1122334455667788", 0x20b0, D, 3,
	  "r8@0b0 w8@0b0=1122334455667788", "rax=0x8877665544332211" },
	{ L64, "66 87 03", "rbx=0x20b0 rax=-1", 0x20b0, D, 3, "r2@0b0 w2@0b0=ffff",
	  "rax=0xffffffffffff2211" },
	{ L64, "86 23", "rbx=0x20b0 rax=0x1234", 0x20b0, 0xaa, 2, "r1@0b0 w1@0b0=12", "rax=0xaa34" },
	{ L64, "4c 87 03", "rbx=0x20b0 r8=5", 0x20b0, 9, 3, "r8@0b0 w8@0b0=5", "r8=9" },
	/* BT, BTS, BTR, BTC */
	{ L64, "0f a3 03", "rbx=0x20b0 rax=5", 0x20b0, 0x20, 3, "r4@0b0", "fl=3" },
	{ L64, "0f ab 03", "rbx=0x20b0 rax=4", 0x20b0, 0, 3, "r4@0b0 w4@0b0=10", 0 },
	{ L64, "0f b3 03", "rbx=0x20b0 rax=4", 0x20b0, 0x1f, 3, "r4@0b0 w4@0b0=f", "fl=3" },
	{ L64, "0f bb 03", "rbx=0x20b0 rax=0", 0x20b0, 1, 3, "r4@0b0 w4@0b0=0", "fl=3" },
	{ L64, "0f a3 03", "rbx=0x20b0 rax=33", 0x20b4, 2, 3, "r4@0b4", "fl=3" },
	{ L64, "0f a3 03", "rbx=0x20b0 rax=0xffffffff", 0x20ac, 0x80000000, 3, "r4@0ac", "fl=3" },
	{ L64, "66 0f a3 03", "rbx=0x20b0 rax=17", 0x20b2, 2, 4, "r2@0b2", "fl=3" },
	{ L64, "48 0f a3 03", "rbx=0x20b0 rax=64", 0x20b8, 1, 4, "r8@0b8", "fl=3" },
	{ L64, "48 0f a3 03", "rbx=0x20b0 rax=-65", 0x20a0, 0x8000000000000000, 4, "r8@0a0", "fl=3" },
	{ L64, "0f ba 23 05", "rbx=0x20b0", 0x20b0, 0x20, 4, "r4@0b0", "fl=3" },
	{ L64, "0f ba 2b 21", "rbx=0x20b0 fl=3", 0x20b0, 0, 4, "r4@0b0 w4@0b0=2", "fl=2" },
	{ L64, "0f ba 33 07", "rbx=0x20b0", 0x20b0, 0xff, 4, "r4@0b0 w4@0b0=7f", "fl=3" },
	{ L64, "0f ba 3b 00", "rbx=0x20b0", 0x20b0, 0, 4, "r4@0b0 w4@0b0=1", 0 },
	{ L64, "66 0f ba 2b 11", "rbx=0x20b0", 0x20b0, 0, 5, "r2@0b0 w2@0b0=2", 0 },
	{ RM, "0f a3 07", "rbx=0x20b0 rax=0xffff", 0x20ae, 0x8000, 3, "r2@0ae", "fl=3" },
	/* LOCK: allowed on a memory destination of a lockable op, else #UD */
	{ L64, "f0 01 03", "rbx=0x20b0 rax=1", 0x20b0, 1, 3, "r4@0b0 w4@0b0=2", 0 },
	{ L64, "f0 80 03 01", "rbx=0x20b0", 0x20b0, 1, 4, "r1@0b0 w1@0b0=2", 0 },
	{ L64, "f0 f6 13", "rbx=0x20b0", 0x20b0, 0x0f, 3, "r1@0b0 w1@0b0=f0", 0 },
	{ L64, "f0 fe 03", "rbx=0x20b0", 0x20b0, 1, 3, "r1@0b0 w1@0b0=2", 0 },
	{ L64, "f0 48 0f ab 03", "rbx=0x20b0 rax=1", 0x20b0, 0, 5, "r8@0b0 w8@0b0=2", 0 },
	{ L64, "f0 87 03", "rbx=0x20b0 rax=1", 0x20b0, 2, 3, "r4@0b0 w4@0b0=1", "rax=2" },
	{ L64, "f0 0f ba 2b 00", "rbx=0x20b0", 0x20b0, 0, 5, "r4@0b0 w4@0b0=1", 0 },
	{ L64, "f0 03 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "f0 89 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "f0 38 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "f0 80 3b 01", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "f0 0f a3 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "f0 f6 03 01", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "f0 84 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "f0 8b 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "f0 a5", "rsi=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "f0 0f ba 23 01", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "f0 01 c3", 0, 0, 0, UD, 0, 0 },
	/* errors from the device leave registers and flags alone */
	{ L64, "8b 03", "rbx=0x20b0 rerr=1", 0x20b0, 0, -EIO, "r4@0b0", 0 },
	{ L64, "01 03", "rbx=0x20b0 werr=1", 0x20b0, 5, -EIO, "r4@0b0 w4@0b0=5a5a5005", 0 },
	{ L64, "87 03", "rbx=0x20b0 werr=1", 0x20b0, 5, -EIO, "r4@0b0 w4@0b0=5a5a5000", 0 },
	/* the instruction does not match the fault */
	{ L64, "89 03", "rbx=0x20b0 gpa=0xfee000c0", 0, 0, EMU_MISMATCH, 0, 0 },
	{ L64, "0f a3 03", "rbx=0x20b0 rax=32 gpa=0xfee000b0", 0, 0, EMU_MISMATCH, 0, 0 },
	/* CLFLUSH / CLFLUSHOPT: nothing to do */
	{ L64, "0f ae 3b", "rbx=0x20b0", 0x20b0, 0, 3, 0, 0 },
	{ L64, "66 0f ae 3b", "rbx=0x20b0", 0x20b0, 0, 4, 0, 0 },
};

/* What is not emulated raises #UD, and the device is never touched. */
static const struct row ud_rows[] = {
	{ L64, "0f 0b", 0, 0, 0, UD, 0, 0 },                    /* UD2 */
	{ L64, "90", 0, 0, 0, UD, 0, 0 },                       /* NOP */
	{ L64, "89 c3", 0, 0, 0, UD, 0, 0 },                    /* MOV ebx, eax */
	{ L64, "c6 c0 01", 0, 0, 0, UD, 0, 0 },                 /* MOV al, 1 */
	{ L64, "0f b6 c0", 0, 0, 0, UD, 0, 0 },                 /* MOVZX eax, al */
	{ L64, "c5 f9 7f 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 }, /* VMOVDQA */
	{ L64, "62 f1 7c 48 11 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 }, /* EVEX */
	{ L64, "8d 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },    /* LEA */
	{ L64, "f3 0f b6 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "ff 33", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },    /* PUSH [rbx] */
	{ L64, "ff 13", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },    /* CALL [rbx] */
	{ L64, "fe 13", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "f7 33", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },    /* DIV */
	{ L64, "f6 23", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },    /* MUL */
	{ L64, "c6 0b 00", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "c7 0b 00 00 00 00", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "82 03 01", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ P32, "63 03", "rbx=0xb0", 0xb0, 0, UD, 0, 0 },         /* ARPL */
	{ P32, "48 89 03", "rbx=0xb0", 0xb0, 0, UD, 0, 0 },      /* DEC eax; MOV */
	{ L64, "66 0f c3 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "0f ba 03 00", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "0f ae 33", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "0f 10 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },  /* MOVUPS */
	{ L64, "0f b0 0b", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },  /* CMPXCHG */
	{ L64, "0f 38 f0 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 }, /* MOVBE */
	{ L64, "a6", 0, 0, 0, UD, 0, 0 },                       /* CMPSB */
	{ L64, "ae", 0, 0, 0, UD, 0, 0 },                       /* SCASB */
	{ L64, "89", 0, 0, 0, UD, 0, 0 },                       /* truncated */
	{ L64, "0f", 0, 0, 0, UD, 0, 0 },
	{ L64, "89 04", 0, 0, 0, UD, 0, 0 },
	{ L64, "89 43", 0, 0, 0, UD, 0, 0 },
	{ L64, "c7 03 78 56", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "48 a1 b0 00 e0 fe 00 00 00", 0, 0, 0, UD, 0, 0 },
	{ L64, "89 03", "avail=0 rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
	{ L64, "66", 0, 0, 0, UD, 0, 0 },
	{ L64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", 0, 0, 0, UD, 0, 0 },
	{ L64, "66 66 66 66 66 66 66 66 66 66 66 66 66 89 03", "rbx=0x20b0 rax=7", 0x20b0, 0, 15,
	  "w2@0b0=7", 0 },
	{ L64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 03", "rbx=0x20b0", 0x20b0, 0, UD, 0, 0 },
};

/* STOS, LODS, MOVS (with REP); RAM at RAM_LA holds bytes 00 01 02 ... */
static const struct row string_rows[] = {
	{ L64, "aa", "rdi=0x20b0 rax=0x1234", 0x20b0, 0, 1, "w1@0b0=34", "rdi=0x20b1" },
	{ L64, "ab", "rdi=0x20b0 rax=0x11223344", 0x20b0, 0, 1, "w4@0b0=11223344", "rdi=0x20b4" },
	{ L64, "48 ab", "rdi=0x20b0 rax=0x1122334455667788", 0x20b0, 0, 2, "w8@0b0=1122334455667788",
	  "rdi=0x20b8" },
	{ L64, "66 ab", "rdi=0x20b0 rax=0x1234", 0x20b0, 0, 2, "w2@0b0=1234", "rdi=0x20b2" },
	{ L64, "f3 ab", "rdi=0x20b0 rcx=3 rax=9", 0x20b0, 0, 2, "w4@0b0=9 w4@0b4=9 w4@0b8=9",
	  "rdi=0x20bc rcx=0" },
	{ L64, "f3 ab", "rdi=0x20b0 rcx=2 rax=9 fl=0x402", 0x20b0, 0, 2, "w4@0b0=9 w4@0ac=9",
	  "rdi=0x20a8 rcx=0" },
	{ L64, "f3 aa", "rdi=0x20b0 rcx=0", 0x20b0, 0, 2, 0, 0 },
	{ L64, "f2 ab", "rdi=0x20b0 rcx=2 rax=9", 0x20b0, 0, 2, "w4@0b0=9 w4@0b4=9", "rdi=0x20b8 rcx=0" },
	{ L64, "f3 ab", "rdi=0x2ff8 rcx=4 rax=9", 0x2ff8, 0, EMU_AGAIN, "w4@ff8=9 w4@ffc=9",
	  "rdi=0x3000 rcx=2" },
	{ L64, "f3 ab", "rdi=0x2ffe rcx=2 rax=9", 0x2ffe, 0, EMU_AGAIN, "w4@ffe=9", "rdi=0x3002 rcx=1" },
	{ L64, "f3 ab", "rdi=0x2004 rcx=4 rax=9 fl=0x402", 0x2004, 0, EMU_AGAIN, "w4@004=9 w4@000=9",
	  "rdi=0x1ffc rcx=2" },
	{ L64, "67 ab", "rdi=0xffffffff000020b0 rax=9", 0x20b0, 0, 2, "w4@0b0=9", "rdi=0x20b4" },
	{ L64, "f3 67 ab", "rdi=0x20b0 rcx=0xffffffff00000001 rax=9", 0x20b0, 0, 3, "w4@0b0=9",
	  "rdi=0x20b4 rcx=0" },
	{ L64, "ac", "rsi=0x20b0 rax=-1", 0x20b0, D, 1, "r1@0b0", "rax=0xffffffffffffff11 rsi=0x20b1" },
	{ L64, "ad", "rsi=0x20b0 rax=-1", 0x20b0, D, 1, "r4@0b0", "rax=0x44332211 rsi=0x20b4" },
	{ L64, "f3 ad", "rsi=0x20b0 rcx=2", 0x20b0, D, 2, "r4@0b0 r4@0b4", "rax=0x44332212 rsi=0x20b8 rcx=0" },
	{ L64, "65 ad", "gs=0x40 rsi=0x20b0", 0x20f0, D, 2, "r4@0f0", "rax=0x44332211 rsi=0x20b4" },
	{ L64, "a5", "rsi=0x20b0 rdi=0x10010", 0x20b0, D, 1, "r4@0b0", "rsi=0x20b4 rdi=0x10014" },
	{ L64, "a5", "wr=1 rsi=0x10010 rdi=0x20b0", 0x20b0, 0, 1, "w4@0b0=13121110",
	  "rsi=0x10014 rdi=0x20b4" },
	{ L64, "f3 a4", "wr=1 rsi=0x10010 rdi=0x20b0 rcx=3", 0x20b0, 0, 2, "w1@0b0=10 w1@0b1=11 w1@0b2=12",
	  "rsi=0x10013 rdi=0x20b3 rcx=0" },
	{ L64, "f3 48 a5", "rsi=0x20b0 rdi=0x10010 rcx=2", 0x20b0, D, 3, "r8@0b0 r8@0b8",
	  "rsi=0x20c0 rdi=0x10020 rcx=0" },
	{ L64, "a5", "rsi=0x20b0 rdi=0x50000", 0x20b0, D, -EFAULT, "r4@0b0", 0 },
	{ L64, "a5", "rsi=0x20b0 rdi=0x0000800000000000", 0x20b0, D, EMU_GP, 0, 0 },
	{ L64, "a5", "rsi=0x20b0 rdi=0x00007ffffffffffe", 0x20b0, D, EMU_GP, 0, 0 },
	{ L64, "a5", "la57=1 rsi=0x20b0 rdi=0x0000800000000000", 0x20b0, D, -EFAULT, "r4@0b0", 0 },
	{ L64, "a5", "wr=1 rsi=0x10010 rdi=0x20c0 gpa=0xfee000b0", 0, 0, EMU_MISMATCH, 0, 0 },
	{ L64, "f3 a5", "wr=1 rsi=0x10ffc rdi=0x20b0 rcx=2", 0x20b0, 0, -EFAULT, "w4@0b0=fffefdfc",
	  "rsi=0x11000 rdi=0x20b4 rcx=1" },
	{ P32, "ab", "es=0x100000 ds=0x40 rdi=0xb0 rax=9", 0x1000b0, 0, 1, "w4@0b0=9", "rdi=0xb4" },
	{ P32, "64 a5", "es=0x100000 ds=0x40 fs=0x10000 rsi=0x14 rdi=0xb0 wr=1", 0x1000b0, 0, 2,
	  "w4@0b0=17161514", "rsi=0x18 rdi=0xb4" },
	{ RM, "f3 ab", "es=0x20000 rdi=0xfffc rcx=0x10002 rax=0x5678", 0x2fffc, 0, 2,
	  "w2@ffc=5678 w2@ffe=5678", "rdi=0 rcx=0x10000" },
};

static void run_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_row(&rows[i]);
}

#define ROWS(t) run_rows(t, sizeof(t) / sizeof(t[0]))

static void test_mov(void **state)
{
	ROWS(mov_rows);
}

static void test_alu(void **state)
{
	ROWS(alu_rows);
}

static void test_ud(void **state)
{
	ROWS(ud_rows);
}

static void test_string(void **state)
{
	ROWS(string_rows);
}

/* MOVS moves the right bytes between RAM and the device. */
static void test_movs_ram(void **state)
{
	struct emu_ctx c;
	struct fake f;
	uint64_t gprs[16];

	setup(&c, &f, gprs, L64);
	c.insn[0] = 0xf3, c.insn[1] = 0x48, c.insn[2] = 0xa5, c.insn_avail = 3;
	gprs[6] = 0x20b0, gprs[7] = RAM_LA + 0x100, gprs[1] = 2;
	c.gpa = DEV + 0xb0;
	f.dev = 0x0102030405060708ull;
	assert_int_equal(emulate_mmio(&c), 3);
	uint64_t q[2];
	memcpy(q, f.ram + 0x100, sizeof(q));
	assert_int_equal(q[0], 0x0102030405060708ull);
	assert_int_equal(q[1], 0x0102030405060709ull);
	assert_int_equal(f.ram[0x110], 0x10); /* nothing beyond */
}

/* A long REP STOS runs to the end of the page, then asks to be re-run. */
static void test_rep_page(void **state)
{
	struct emu_ctx c;
	struct fake f;
	uint64_t gprs[16];

	setup(&c, &f, gprs, L64);
	c.insn[0] = 0xf3, c.insn[1] = 0xaa, c.insn_avail = 2;
	gprs[7] = 0x7000, gprs[1] = 100000;
	c.gpa = DEV;
	assert_int_equal(emulate_mmio(&c), EMU_AGAIN);
	assert_int_equal(f.total, 4096);
	assert_int_equal(gprs[7], 0x8000);
	assert_int_equal(gprs[1], 100000 - 4096);
}

#if defined(__x86_64__)
/*
 * The host CPU as the reference for the arithmetic flags: the same
 * operation on registers, with CF set or clear on entry. The asm steps
 * below the red zone before it pushes.
 */
#define NATIVE(name, type, insn)                                                    \
	static uint64_t name(uint64_t a, uint64_t b, uint64_t *fl)                  \
	{                                                                           \
		type x = (type)a, y = (type)b;                                      \
		uint64_t f = *fl;                                                   \
		__asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopf\n\t"  \
				 insn " %[y], %[x]\n\tpushf\n\tpop %[f]\n\t"        \
				 "lea 128(%%rsp), %%rsp"                            \
				 : [x] "+r"(x), [f] "+r"(f) : [y] "r"(y) : "cc", "memory"); \
		*fl = f;                                                            \
		return x;                                                           \
	}
#define NATIVE4(op) \
	NATIVE(op##8, uint8_t, #op) NATIVE(op##16, uint16_t, #op) \
	NATIVE(op##32, uint32_t, #op) NATIVE(op##64, uint64_t, #op)
NATIVE4(add) NATIVE4(or) NATIVE4(adc) NATIVE4(sbb) NATIVE4(and) NATIVE4(sub) NATIVE4(xor)
NATIVE4(cmp) NATIVE4(test)

/* One-operand forms (INC, DEC, NOT, NEG) and the bit tests (register
 * operands: the bit number is taken modulo the size, as with imm8). */
#define NATIVE1(name, type, insn)                                                   \
	static uint64_t name(uint64_t a, uint64_t b, uint64_t *fl)                  \
	{                                                                           \
		type x = (type)a;                                                   \
		uint64_t f = *fl;                                                   \
		__asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopf\n\t"  \
				 insn " %[x]\n\tpushf\n\tpop %[f]\n\t"                 \
				 "lea 128(%%rsp), %%rsp"                            \
				 : [x] "+r"(x), [f] "+r"(f) : : "cc", "memory");     \
		*fl = f;                                                            \
		return x;                                                           \
	}
#define NATIVE1_4(op) \
	NATIVE1(op##8, uint8_t, #op) NATIVE1(op##16, uint16_t, #op) \
	NATIVE1(op##32, uint32_t, #op) NATIVE1(op##64, uint64_t, #op)
NATIVE1_4(inc) NATIVE1_4(dec) NATIVE1_4(not) NATIVE1_4(neg)
#define NATIVE_BT(op) \
	NATIVE(op##16, uint16_t, #op) NATIVE(op##32, uint32_t, #op) NATIVE(op##64, uint64_t, #op)
NATIVE_BT(bt) NATIVE_BT(bts) NATIVE_BT(btr) NATIVE_BT(btc)

typedef uint64_t (*native_fn)(uint64_t, uint64_t, uint64_t *);
static const native_fn natives[9][4] = {
	{ add8, add16, add32, add64 }, { or8, or16, or32, or64 }, { adc8, adc16, adc32, adc64 },
	{ sbb8, sbb16, sbb32, sbb64 }, { and8, and16, and32, and64 }, { sub8, sub16, sub32, sub64 },
	{ xor8, xor16, xor32, xor64 }, { cmp8, cmp16, cmp32, cmp64 }, { test8, test16, test32, test64 },
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Emulates "OP [rbx], reg" (ALU function fn; TEST is 84/85) of size bytes
 * with the device holding a and the register b; returns the stored value
 * (or a for CMP/TEST), flags in *fl. */
static uint64_t emulated(unsigned fn, unsigned size, uint64_t a, uint64_t b, uint64_t *fl)
{
	struct emu_ctx c;
	struct fake f;
	uint64_t gprs[16];
	unsigned n = 0;

	setup(&c, &f, gprs, L64);
	if (size == 2)
		c.insn[n++] = 0x66;
	if (size == 8)
		c.insn[n++] = 0x48;
	c.insn[n++] = (uint8_t)((fn == 8 ? 0x84 : fn << 3) | (size > 1));
	c.insn[n++] = 0x0b; /* [rbx], ecx */
	c.insn_avail = n;
	gprs[3] = 0x20b0, gprs[1] = b;
	c.gpa = DEV + 0xb0;
	c.rflags = *fl;
	f.dev = a;
	assert_int_equal(emulate_mmio(&c), (int)n);
	*fl = c.rflags;
	return f.n == 2 ? f.log[1].val : a & ((size == 8) ? ~0ull : (1ull << (8 * size)) - 1);
}

static void test_flags_native(void **state)
{
	static const uint64_t edge[] = {
		0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
		0x80000000, 0xffffffff, 0x7fffffffffffffff, 0x8000000000000000, ~0ull,
	};
	const unsigned ne = sizeof(edge) / sizeof(edge[0]);
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned checked = 0;

	for (unsigned fn = 0; fn < 9; fn++)
		for (unsigned s = 0; s < 4; s++)
			for (unsigned i = 0; i < ne * ne + 400; i++) {
				uint64_t a = i < ne * ne ? edge[i / ne] : next_rand(&seed);
				uint64_t b = i < ne * ne ? edge[i % ne] : next_rand(&seed);
				uint64_t fin = 0x202 | (i & 1 ? EMU_CF : 0), fe = fin, fh = fin;
				uint64_t re = emulated(fn, 1u << s, a, b, &fe);
				uint64_t rh = natives[fn][s](a, b, &fh);
				/* AF after logical ops is undefined: compare it for arithmetic only. */
				uint64_t cmp = EMU_ARITH & (fn == 1 || fn == 4 || fn == 6 || fn == 8 ? ~EMU_AF : ~0u);
				if (fn == 7 || fn == 8)
					rh = a & (s == 3 ? ~0ull : (1ull << (8u << s)) - 1);
				if (re != rh || (fe & cmp) != (fh & cmp))
					fail_msg("fn %u size %u a %#llx b %#llx cf %u: %#llx fl %#llx, cpu %#llx fl %#llx",
						 fn, 1u << s, (unsigned long long)a, (unsigned long long)b, i & 1,
						 (unsigned long long)re, (unsigned long long)fe,
						 (unsigned long long)rh, (unsigned long long)fh);
				checked++;
			}
	print_message("%u ALU results and flags checked against the CPU\n", checked);
}

static const native_fn unary_natives[4][4] = {
	{ inc8, inc16, inc32, inc64 }, { dec8, dec16, dec32, dec64 },
	{ not8, not16, not32, not64 }, { neg8, neg16, neg32, neg64 },
};
static const native_fn bt_natives[4][3] = {
	{ bt16, bt32, bt64 }, { bts16, bts32, bts64 }, { btr16, btr32, btr64 }, { btc16, btc32, btc64 },
};

/* Emulates INC/DEC/NOT/NEG [rbx] (fn: enum unary order) or, with bt set,
 * BT/BTS/BTR/BTC [rbx], imm8 (fn 0-3) on the device value a. */
static uint64_t emulated1(unsigned fn, bool bt, unsigned size, uint64_t a, uint64_t b,
			  uint64_t *fl)
{
	static const uint8_t group[4] = { 0x03, 0x0b, 0x13, 0x1b }; /* /0 /1 /2 /3, [rbx] */
	struct emu_ctx c;
	struct fake f;
	uint64_t gprs[16];
	unsigned n = 0;

	setup(&c, &f, gprs, L64);
	if (size == 2)
		c.insn[n++] = 0x66;
	if (size == 8)
		c.insn[n++] = 0x48;
	if (bt) {
		c.insn[n++] = 0x0f, c.insn[n++] = 0xba, c.insn[n++] = (uint8_t)(0x23 + 8 * fn);
		c.insn[n++] = (uint8_t)b;
	} else {
		c.insn[n++] = (uint8_t)((fn < 2 ? 0xfe : 0xf6) | (size > 1));
		c.insn[n++] = group[fn];
	}
	c.insn_avail = n;
	gprs[3] = 0x20b0;
	c.gpa = DEV + 0xb0;
	c.rflags = *fl;
	f.dev = a;
	assert_int_equal(emulate_mmio(&c), (int)n);
	*fl = c.rflags;
	return f.n == 2 ? f.log[1].val : a & ((size == 8) ? ~0ull : (1ull << (8 * size)) - 1);
}

static void test_flags_native1(void **state)
{
	uint64_t seed = 0x0123456789abcdefull;
	unsigned checked = 0;

	for (unsigned i = 0; i < 4000; i++) {
		uint64_t a = next_rand(&seed), b = next_rand(&seed) & 0xff;
		unsigned s = i & 3, fn = (i >> 2) & 3;
		if (i & 16)
			a = (i & 32) ? (a & 0x8000000000000080ull) : a >> (a & 63);
		uint64_t fin = 0x202 | (i & 64 ? EMU_CF : 0) | (i & 128 ? EMU_ZF | EMU_OF : 0);
		uint64_t fe = fin, fh = fin, re, rh, cmp = EMU_ARITH;
		if (i & 256) { /* the bit tests: CF only, 16-bit and up */
			if (!s)
				continue;
			re = emulated1(fn, true, 1u << s, a, b, &fe);
			rh = bt_natives[fn][s - 1](a, b & ((8u << s) - 1), &fh);
			cmp = EMU_CF;
		} else {
			re = emulated1(fn, false, 1u << s, a, 0, &fe);
			rh = unary_natives[fn][s](a, 0, &fh);
		}
		if (re != rh || (fe & cmp) != (fh & cmp))
			fail_msg("%s %u size %u a %#llx b %#llx: %#llx fl %#llx, cpu %#llx fl %#llx",
				 i & 256 ? "bt" : "unary", fn, 1u << s, (unsigned long long)a,
				 (unsigned long long)b, (unsigned long long)re, (unsigned long long)fe,
				 (unsigned long long)rh, (unsigned long long)fh);
		checked++;
	}
	print_message("%u INC/DEC/NOT/NEG/BT* results and flags checked against the CPU\n", checked);
}
#else
static void test_flags_native(void **state)
{
	skip();
}

static void test_flags_native1(void **state)
{
	skip();
}
#endif

size_t emulate_table_rows(void);
size_t emulate_table_rows(void)
{
	return sizeof(mov_rows) / sizeof(mov_rows[0]) + sizeof(alu_rows) / sizeof(alu_rows[0]) +
	       sizeof(ud_rows) / sizeof(ud_rows[0]) + sizeof(string_rows) / sizeof(string_rows[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mov),
		cmocka_unit_test(test_alu),
		cmocka_unit_test(test_ud),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_movs_ram),
		cmocka_unit_test(test_rep_page),
		cmocka_unit_test(test_flags_native),
		cmocka_unit_test(test_flags_native1),
	};

	printf("%zu encodings in the tables\n", emulate_table_rows());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
