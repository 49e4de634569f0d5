/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host tests of vmm/load/mb1_guest.c: a.out-kludge and ELF32 kernels built
 * here, the header search, hostile address fields, every truncation,
 * random corruption, plans (information block decoded and checked,
 * placement disjoint and in free RAM, too-small RAM) and, when built, the
 * project's own multiboot images (build/guests/ and build/eyrie.elf).
 * Runs under ASan/UBSan with images malloc'd to their exact size.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/load/mb1_guest.h"

#define MIB 0x100000ull

static void put(uint8_t *p, size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[off + i] = (uint8_t)v;
}

static uint64_t get(const uint8_t *p, uint64_t off, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[off + n];
	return v;
}

static void put_header(uint8_t *b, size_t off, uint32_t flags)
{
	put(b, off, MB1G_HEADER_MAGIC, 4);
	put(b, off + 4, flags, 4);
	put(b, off + 8, (uint32_t)-(MB1G_HEADER_MAGIC + flags), 4);
}

/* ---- images ---- */

/* a.out kludge: a flat file loaded at 1 MiB, header at offset 0x10, bss after. */
#define AOUT_SIZE 0x1000u
#define AOUT_HDR  0x10u
#define AOUT_LOAD 0x100000u
#define AOUT_BSS  0x2000u

static uint8_t *make_aout(uint32_t flags)
{
	uint8_t *b = malloc(AOUT_SIZE);

	assert_non_null(b);
	for (unsigned i = 0; i < AOUT_SIZE; i++)
		b[i] = (uint8_t)(i * 13 + 1);
	put_header(b, AOUT_HDR, flags | MB1G_F_AOUT);
	put(b, AOUT_HDR + 12, AOUT_LOAD + AOUT_HDR, 4);           /* header_addr */
	put(b, AOUT_HDR + 16, AOUT_LOAD, 4);                      /* load_addr */
	put(b, AOUT_HDR + 20, AOUT_LOAD + AOUT_SIZE, 4);          /* load_end_addr */
	put(b, AOUT_HDR + 24, AOUT_LOAD + AOUT_SIZE + AOUT_BSS, 4); /* bss_end_addr */
	put(b, AOUT_HDR + 28, AOUT_LOAD + 0x40, 4);               /* entry_addr */
	return b;
}

/* ELF32 i386: text at 2 MiB (header inside, at file offset 0x1000),
 * data + bss at 2 MiB + 4 KiB. */
#define ELF_SIZE 0x2100u

static uint8_t *make_elf(uint32_t flags)
{
	uint8_t *b = calloc(1, ELF_SIZE);
	static const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };

	assert_non_null(b);
	memcpy(b, ident, 16);
	put(b, 16, 2, 2);          /* ET_EXEC */
	put(b, 18, 3, 2);          /* EM_386 */
	put(b, 20, 1, 4);
	put(b, 24, 0x200010, 4);   /* e_entry */
	put(b, 28, 52, 4);         /* e_phoff */
	put(b, 40, 52, 2);         /* e_ehsize */
	put(b, 42, 32, 2);         /* e_phentsize */
	put(b, 44, 2, 2);          /* e_phnum */
	/* type, offset, vaddr, paddr, filesz, memsz, flags, align */
	const uint32_t ph[2][8] = {
		{ 1, 0x1000, 0x200000, 0x200000, 0x800, 0x800, 5, 0x1000 },
		{ 1, 0x2000, 0x201000, 0x201000, 0x100, 0x3000, 6, 0x1000 },
	};
	for (unsigned i = 0; i < 2; i++)
		for (unsigned j = 0; j < 8; j++)
			put(b, 52 + i * 32 + j * 4, ph[i][j], 4);
	put_header(b, 0x1000, flags);
	return b;
}

static struct gload_image parse_ok(const uint8_t *b, size_t size)
{
	struct gload_image k;
	char err[200] = "";

	if (mb1g_parse(b, size, &k, err, sizeof(err)))
		fail_msg("unexpected refusal: %s", err);
	return k;
}

static void parse_refused(const uint8_t *b, size_t size, const char *want)
{
	struct gload_image k;
	char err[200] = "";

	assert_int_equal(mb1g_parse(b, size, &k, err, sizeof(err)), -ENOEXEC);
	if (!strstr(err, want))
		fail_msg("error '%s' does not mention '%s'", err, want);
}

/* ---- maps and plan checks ---- */

struct map {
	struct e820_entry e[8];
	unsigned n;
};

static struct map pc_map(uint64_t ram)
{
	struct map m = { .n = 0 };

	m.e[m.n++] = (struct e820_entry){ 0, 0x9fc00, E820_RAM };
	m.e[m.n++] = (struct e820_entry){ 0x9fc00, 0x400, E820_RESERVED };
	m.e[m.n++] = (struct e820_entry){ 0xf0000, 0x10000, E820_RESERVED };
	m.e[m.n++] = (struct e820_entry){ MIB, ram - MIB, E820_RAM };
	return m;
}

static int in_ram(const struct gload_cfg *c, uint64_t base, uint64_t len)
{
	int ok = 0;

	if (base + len > c->ram_size || base + len > (1ull << 32))
		return 0;
	for (unsigned i = 0; i < c->e820_n; i++) {
		const struct e820_entry *e = &c->e820[i];
		if (e->type == E820_RAM && base >= e->base && base + len <= e->base + e->size)
			ok = 1;
		if (e->type != E820_RAM && base < e->base + e->size && e->base < base + len)
			return 0;
	}
	return ok;
}

/* A 32-bit field of the information block at guest address gpa. */
static uint32_t info32(const struct gload_plan *p, uint64_t gpa)
{
	assert_true(gpa >= p->info_gpa && gpa + 4 <= p->info_gpa + p->info_len);
	return (uint32_t)get(p->info, gpa - p->info_gpa, 4);
}

static const char *info_str(const struct gload_plan *p, uint64_t gpa)
{
	assert_true(gpa >= p->info_gpa && gpa < p->info_gpa + p->info_len);
	assert_non_null(memchr(p->info + (gpa - p->info_gpa), 0, p->info_gpa + p->info_len - gpa));
	return (const char *)p->info + (gpa - p->info_gpa);
}

static void check_info(const struct gload_cfg *c, const struct gload_plan *p)
{
	uint64_t i = p->info_gpa;
	uint32_t flags = info32(p, i);

	assert_int_equal(flags, (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
	assert_string_equal(info_str(p, info32(p, i + 16)), c->cmdline ? c->cmdline : "");
	assert_string_equal(info_str(p, info32(p, i + 64)), "Eyrie");
	assert_int_equal(info32(p, i + 20), c->nr_mods);
	for (unsigned m = 0; m < c->nr_mods; m++) {
		uint64_t e = info32(p, i + 24) + m * 16;
		assert_int_equal(info32(p, e), p->mod_gpa[m]);
		assert_int_equal(info32(p, e) % 4096, 0);
		assert_int_equal(info32(p, e + 4), p->mod_gpa[m] + c->mods[m].size);
		assert_string_equal(info_str(p, info32(p, e + 8)),
				    c->mods[m].cmdline ? c->mods[m].cmdline : "");
		assert_int_equal(info32(p, e + 12), 0);
	}
	assert_int_equal(info32(p, i + 44), c->e820_n * 24);
	for (unsigned m = 0; m < c->e820_n; m++) {
		uint64_t e = info32(p, i + 48) + m * 24;
		assert_int_equal(info32(p, e), 20);
		assert_int_equal(info32(p, e + 4) | (uint64_t)info32(p, e + 8) << 32, c->e820[m].base);
		assert_int_equal(info32(p, e + 12) | (uint64_t)info32(p, e + 16) << 32, c->e820[m].size);
		assert_int_equal(info32(p, e + 20), c->e820[m].type);
	}
	/* Unused fields stay zero (boot_device, syms, drives, config, APM, VBE). */
	assert_int_equal(info32(p, i + 12), 0);
	for (unsigned off = 28; off < 44; off += 4)
		assert_int_equal(info32(p, i + off), 0);
	for (unsigned off = 52; off < 64; off += 4)
		assert_int_equal(info32(p, i + off), 0);
	for (unsigned off = 68; off < 116; off += 4)
		assert_int_equal(info32(p, i + off), 0);
}

static void check_plan(const struct gload_image *k, const struct gload_cfg *c,
		       const struct gload_plan *p)
{
	const struct gplace *g = &p->mem;
	uint64_t kernel_bytes = 0, copied = 0;

	for (unsigned i = 0; i < g->nr_used; i++) {
		assert_true(in_ram(c, g->used[i].base, g->used[i].size));
		for (unsigned j = 0; j < i; j++)
			assert_false(g->used[i].base < g->used[j].base + g->used[j].size &&
				     g->used[j].base < g->used[i].base + g->used[i].size);
	}
	for (unsigned i = 0; i < p->nr_copies; i++) {
		const struct gcopy *cp = &p->copies[i];
		int inside = 0;
		assert_true(cp->len > 0);
		for (unsigned j = 0; j < g->nr_used; j++)
			inside |= cp->gpa >= g->used[j].base &&
				  cp->gpa + cp->len <= g->used[j].base + g->used[j].size;
		assert_true(inside);
		switch (cp->src) {
		case GSRC_IMAGE:
			assert_true(cp->offset + cp->len <= k->size);
			assert_ptr_equal(gload_copy_src(k, c, p, cp), k->img + cp->offset);
			kernel_bytes += cp->len;
			break;
		case GSRC_ZERO:
			assert_null(gload_copy_src(k, c, p, cp));
			kernel_bytes += cp->len;
			break;
		case GSRC_MODULE:
			assert_true(cp->index < c->nr_mods);
			assert_int_equal(cp->gpa, p->mod_gpa[cp->index]);
			assert_int_equal(cp->len, c->mods[cp->index].size);
			assert_ptr_equal(gload_copy_src(k, c, p, cp), c->mods[cp->index].data);
			break;
		case GSRC_INFO:
			assert_int_equal(cp->gpa, p->info_gpa);
			assert_int_equal(cp->len, p->info_len);
			assert_ptr_equal(gload_copy_src(k, c, p, cp), p->info);
			break;
		}
		copied += cp->len;
	}
	for (unsigned i = 0; i < k->nr_segs; i++)
		kernel_bytes -= k->segs[i].memsz;
	assert_int_equal(kernel_bytes, 0); /* every segment byte written once */
	assert_true(p->info_len <= GLOAD_INFO_MAX);
	assert_int_equal(p->entry.eax, 0x2badb002);
	assert_int_equal(p->entry.ebx, p->info_gpa);
	assert_int_equal(p->entry.eip, k->entry);
	assert_int_equal(p->entry.cr0 & 0x80000001u, 1);
	assert_int_equal(p->entry.eflags & 0x200, 0);
	assert_int_equal(p->entry.cs_attr, 0xc9b);
	assert_int_equal(p->entry.ds_attr, 0xc93);
	check_info(c, p);
	(void)copied;
}

static struct gload_plan *plan_ok(const struct gload_image *k, const struct gload_cfg *c)
{
	struct gload_plan *p = malloc(sizeof(*p));
	char err[200] = "";

	assert_non_null(p);
	if (mb1g_plan(k, c, p, err, sizeof(err)))
		fail_msg("plan refused: %s", err);
	check_plan(k, c, p);
	return p;
}

static void plan_refused(const struct gload_image *k, const struct gload_cfg *c, int rc,
			 const char *want)
{
	struct gload_plan *p = malloc(sizeof(*p));
	char err[200] = "";

	assert_non_null(p);
	assert_int_equal(mb1g_plan(k, c, p, err, sizeof(err)), rc);
	if (!strstr(err, want))
		fail_msg("error '%s' does not mention '%s'", err, want);
	free(p);
}

/* ---- parse ---- */

static void test_parse_aout(void **state)
{
	uint8_t *b = make_aout(MB1G_F_PAGE_ALIGN | MB1G_F_MEMINFO);
	struct gload_image k = parse_ok(b, AOUT_SIZE);

	assert_true(k.aout);
	assert_false(k.wants_video);
	assert_int_equal(k.header_offset, AOUT_HDR);
	assert_int_equal(k.flags, MB1G_F_AOUT | 3);
	assert_int_equal(k.entry, AOUT_LOAD + 0x40);
	assert_int_equal(k.nr_segs, 1);
	assert_int_equal(k.segs[0].offset, 0);
	assert_int_equal(k.segs[0].paddr, AOUT_LOAD);
	assert_int_equal(k.segs[0].filesz, AOUT_SIZE);
	assert_int_equal(k.segs[0].memsz, AOUT_SIZE + AOUT_BSS);
	assert_int_equal(k.load_lo, AOUT_LOAD);
	assert_int_equal(k.load_hi, AOUT_LOAD + AOUT_SIZE + AOUT_BSS);
	/* load_end_addr 0: the whole file; bss_end_addr 0: no bss. */
	put(b, AOUT_HDR + 20, 0, 4);
	put(b, AOUT_HDR + 24, 0, 4);
	k = parse_ok(b, AOUT_SIZE);
	assert_int_equal(k.segs[0].filesz, AOUT_SIZE);
	assert_int_equal(k.segs[0].memsz, AOUT_SIZE);
	/* Loading from later in the file: load_addr = header_addr - 0x10 + 8. */
	put(b, AOUT_HDR + 16, AOUT_LOAD + 8, 4);
	put(b, AOUT_HDR + 20, AOUT_LOAD + 0x100, 4);
	k = parse_ok(b, AOUT_SIZE);
	assert_int_equal(k.segs[0].offset, 8);
	assert_int_equal(k.segs[0].filesz, 0x100 - 8);
	free(b);
}

static void test_parse_elf(void **state)
{
	uint8_t *b = make_elf(MB1G_F_MEMINFO);
	struct gload_image k = parse_ok(b, ELF_SIZE);

	assert_false(k.aout);
	assert_int_equal(k.header_offset, 0x1000);
	assert_int_equal(k.entry, 0x200010);
	assert_int_equal(k.nr_segs, 2);
	assert_int_equal(k.segs[1].offset, 0x2000);
	assert_int_equal(k.segs[1].paddr, 0x201000);
	assert_int_equal(k.segs[1].filesz, 0x100);
	assert_int_equal(k.segs[1].memsz, 0x3000);
	assert_int_equal(k.load_lo, 0x200000);
	assert_int_equal(k.load_hi, 0x204000);
	free(b);
	/* Not an ELF and no address fields. */
	b = make_aout(0);
	put_header(b, AOUT_HDR, 0);
	parse_refused(b, AOUT_SIZE, "no address fields (flag 16) and not a loadable ELF: bad ELF magic");
	free(b);
	/* An ELF the guest checker refuses. */
	b = make_elf(0);
	put(b, 52 + 32 + 8, 0x200400, 4); /* data vaddr/paddr overlaps text */
	put(b, 52 + 32 + 12, 0x200400, 4);
	parse_refused(b, ELF_SIZE, "segments overlap");
	free(b);
}

static void test_header_search(void **state)
{
	uint8_t *b = calloc(1, 0x3000);

	parse_refused(b, 0x3000, "no multiboot header");
	parse_refused(b, 0, "no multiboot header");
	parse_refused(NULL, 0, "no image");
	/* Not 4-byte aligned: not found. */
	put_header(b, 0x102, 0);
	parse_refused(b, 0x3000, "no multiboot header");
	/* Last place it fits: 12 bytes ending at 8 KiB. */
	memset(b, 0, 0x3000);
	put_header(b, 8192 - 12, 0);
	parse_refused(b, 0x3000, "not a loadable ELF"); /* found: now it needs an ELF */
	memset(b, 0, 0x3000);
	put_header(b, 8192 - 8, 0);
	parse_refused(b, 0x3000, "4-byte aligned) in the first 8192 bytes");
	/* Bad checksum reported, unless a good header follows. */
	memset(b, 0, 0x3000);
	put_header(b, 0x40, 0);
	put(b, 0x48, 0x12345678, 4);
	parse_refused(b, 0x3000, "header at offset 0x40 has a bad checksum");
	put_header(b, 0x80, 0);
	parse_refused(b, 0x3000, "not a loadable ELF");
	free(b);
}

static void test_flags(void **state)
{
	uint8_t *b = make_aout(MB1G_F_VIDEO);
	struct gload_image k = parse_ok(b, AOUT_SIZE);

	assert_true(k.wants_video); /* ignored: no framebuffer, clear in the doc */
	free(b);
	for (unsigned bit = 3; bit < 16; bit++) {
		b = make_aout(1u << bit);
		parse_refused(b, AOUT_SIZE, "require features this loader does not know");
		free(b);
	}
	b = make_aout(0xfffe0000u); /* optional bits: fine */
	k = parse_ok(b, AOUT_SIZE);
	assert_true(k.aout);
	free(b);
}

static void test_aout_hostile(void **state)
{
	static const struct {
		unsigned field; /* offset in the header */
		uint32_t val;
		const char *want;
	} cases[] = {
		{ 16, AOUT_LOAD + 0x20, "load_addr 0x100020 is above header_addr 0x100010" },
		{ 12, AOUT_LOAD + 0x1000, "starts 0x1000 bytes before the header" },
		{ 20, AOUT_LOAD + 0x10, "load_end_addr 0x100010 does not cover the header" },
		{ 20, AOUT_LOAD + AOUT_SIZE + 1, "truncated: load_addr..load_end_addr is 0x1001 bytes" },
		{ 24, AOUT_LOAD + AOUT_SIZE - 1, "bss_end_addr 0x100fff is below load_end_addr" },
		{ 28, AOUT_LOAD - 1, "entry_addr 0xfffff is outside" },
		{ 28, AOUT_LOAD + AOUT_SIZE + AOUT_BSS, "entry_addr 0x103000 is outside" },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *b = make_aout(0);
		put(b, AOUT_HDR + cases[i].field, cases[i].val, 4);
		parse_refused(b, AOUT_SIZE, cases[i].want);
		free(b);
	}
	/* Loaded up to the 4 GiB line: the image may not cross it. */
	uint8_t *b = make_aout(0);
	put(b, AOUT_HDR + 12, 0xfffff010u, 4);
	put(b, AOUT_HDR + 16, 0xfffff000u, 4);
	put(b, AOUT_HDR + 20, 0, 4);
	put(b, AOUT_HDR + 24, 0, 4);
	put(b, AOUT_HDR + 28, 0xfffff040u, 4);
	struct gload_image k = parse_ok(b, AOUT_SIZE); /* ends exactly at 4 GiB */
	assert_int_equal(k.load_hi, 1ull << 32);
	put(b, AOUT_HDR + 24, 0xffffffffu, 4); /* bss_end below that end */
	parse_refused(b, AOUT_SIZE, "bss_end_addr 0xffffffff is below load_end_addr 0x100000000");
	put(b, AOUT_HDR + 24, 0, 4);
	put(b, AOUT_HDR + 12, 0xfffff810u, 4);
	put(b, AOUT_HDR + 16, 0xfffff800u, 4);
	parse_refused(b, AOUT_SIZE, "the image ends at 0x100000800, above 4 GiB");
	free(b);
	/* Address fields beyond 8 KiB. */
	b = calloc(1, 0x3000);
	put_header(b, 8192 - 16, MB1G_F_AOUT);
	parse_refused(b, 0x3000, "address fields of the header at 0x1ff0 pass the end");
	free(b);
}

static void test_every_truncation(void **state)
{
	uint8_t *full = make_aout(0);

	for (size_t n = 0; n < AOUT_SIZE; n++) {
		uint8_t *b = malloc(n ? n : 1);
		struct gload_image k;
		char err[200] = "";
		memcpy(b, full, n);
		assert_int_equal(mb1g_parse(b, n, &k, err, sizeof(err)), -ENOEXEC);
		if (!strstr(err, "truncated") && !strstr(err, "no multiboot header"))
			fail_msg("a.out cut at %zu: '%s'", n, err);
		free(b);
	}
	free(full);
	full = make_elf(0);
	for (size_t n = 0; n < ELF_SIZE; n++) {
		uint8_t *b = malloc(n ? n : 1);
		struct gload_image k;
		char err[200] = "";
		memcpy(b, full, n);
		assert_int_equal(mb1g_parse(b, n, &k, err, sizeof(err)), -ENOEXEC);
		assert_true(strlen(err) > 10);
		free(b);
	}
	free(full);
}

/* ---- plan ---- */

static void test_plan_aout(void **state)
{
	uint8_t *b = make_aout(MB1G_F_PAGE_ALIGN);
	struct gload_image k = parse_ok(b, AOUT_SIZE);
	struct map m = pc_map(16 * MIB);
	static const char d0[5000], d2[3];
	const struct gmodule mods[3] = {
		{ d0, sizeof(d0), "mod0 arg=1" }, { NULL, 0, NULL }, { d2, sizeof(d2), "third" },
	};
	struct gload_cfg c = { 16 * MIB, m.e, m.n, "kernel.elf console=1", mods, 3, 0 };
	struct gload_plan *p = plan_ok(&k, &c);

	/* The kernel where it asked, modules page aligned just above its bss,
	 * the information block after them. */
	assert_int_equal(p->copies[0].gpa, AOUT_LOAD);
	assert_int_equal(p->copies[0].src, GSRC_IMAGE);
	assert_int_equal(p->copies[1].gpa, AOUT_LOAD + AOUT_SIZE);
	assert_int_equal(p->copies[1].src, GSRC_ZERO);
	assert_int_equal(p->copies[1].len, AOUT_BSS);
	assert_int_equal(p->mod_gpa[0], AOUT_LOAD + 0x3000);
	assert_int_equal(p->mod_gpa[1], AOUT_LOAD + 0x5000);
	assert_int_equal(p->mod_gpa[2], AOUT_LOAD + 0x6000);
	assert_int_equal(p->info_gpa, AOUT_LOAD + 0x7000);
	assert_int_equal(p->nr_copies, 2 + 2 + 1); /* the empty module copies nothing */
	assert_int_equal(p->entry.eip, AOUT_LOAD + 0x40);
	/* mem_lower: 639 KiB below the EBDA; mem_upper: 1 MiB up to RAM's end. */
	assert_int_equal(info32(p, p->info_gpa + 4), 639);
	assert_int_equal(info32(p, p->info_gpa + 8), 15 * 1024);
	free(p);
	/* No command line, no modules. */
	struct gload_cfg c2 = { 16 * MIB, m.e, m.n, NULL, NULL, 0, 0 };
	p = plan_ok(&k, &c2);
	assert_int_equal(info32(p, p->info_gpa + 20), 0);
	free(p);
	free(b);
}

static void test_plan_elf(void **state)
{
	uint8_t *b = make_elf(0);
	struct gload_image k = parse_ok(b, ELF_SIZE);
	struct map m = pc_map(8 * MIB);
	struct gload_cfg c = { 8 * MIB, m.e, m.n, "x", NULL, 0, 0 };
	struct gload_plan *p = plan_ok(&k, &c);

	assert_int_equal(p->nr_copies, 4); /* text, data, bss, info */
	assert_int_equal(p->copies[1].gpa, 0x201000);
	assert_int_equal(p->copies[1].offset, 0x2000);
	assert_int_equal(p->copies[2].gpa, 0x201100);
	assert_int_equal(p->copies[2].src, GSRC_ZERO);
	assert_int_equal(p->copies[2].len, 0x2f00);
	assert_int_equal(p->info_gpa, 0x204000);
	free(p);
	/* mem_upper stops at the first hole above 1 MiB; mem_lower without low RAM is 0. */
	m.e[0].type = E820_RESERVED;
	m.e[3].size = 15 * MIB;
	m.e[4] = (struct e820_entry){ 16 * MIB, MIB, E820_RESERVED };
	m.e[5] = (struct e820_entry){ 17 * MIB, 15 * MIB, E820_RAM };
	m.n = 6;
	c = (struct gload_cfg){ 32 * MIB, m.e, m.n, "x", NULL, 0, 0 };
	p = plan_ok(&k, &c);
	assert_int_equal(info32(p, p->info_gpa + 4), 0);
	assert_int_equal(info32(p, p->info_gpa + 8), 15 * 1024);
	free(p);
	free(b);
}

static void test_plan_small_ram(void **state)
{
	uint8_t *b = make_aout(0);
	struct gload_image k = parse_ok(b, AOUT_SIZE);
	struct map m = pc_map(MIB + 0x3000);
	struct gload_cfg c = { MIB + 0x3000, m.e, m.n, "", NULL, 0, 0 };
	struct gload_plan *p;

	/* The kernel fills RAM above 1 MiB: the block goes low. */
	p = plan_ok(&k, &c);
	assert_int_equal(p->info_gpa, 0x1000);
	free(p);
	/* One page short for the kernel's bss. */
	m = pc_map(MIB + 0x2000);
	c = (struct gload_cfg){ MIB + 0x2000, m.e, m.n, "", NULL, 0, 0 };
	plan_refused(&k, &c, -ENOSPC, "kernel segment 0x100000..0x103000 is not free guest RAM");
	/* A kernel in the BIOS hole. */
	put(b, AOUT_HDR + 12, 0xf0010, 4);
	put(b, AOUT_HDR + 16, 0xf0000, 4);
	put(b, AOUT_HDR + 20, 0xf1000, 4);
	put(b, AOUT_HDR + 24, 0, 4);
	put(b, AOUT_HDR + 28, 0xf0040, 4);
	k = parse_ok(b, AOUT_SIZE);
	m = pc_map(4 * MIB);
	c = (struct gload_cfg){ 4 * MIB, m.e, m.n, "", NULL, 0, 0 };
	plan_refused(&k, &c, -ENOSPC, "kernel segment 0xf0000..0xf1000");
	free(b);
	/* Modules that do not fit, or that fit only below the kernel. */
	b = make_aout(0);
	k = parse_ok(b, AOUT_SIZE);
	static const char big[1];
	struct gmodule mod = { big, 2 * MIB, "big" };
	m = pc_map(2 * MIB);
	c = (struct gload_cfg){ 2 * MIB, m.e, m.n, "", &mod, 1, 0 };
	plan_refused(&k, &c, -ENOSPC, "module 0 (2097152 bytes) does not fit");
	mod.size = 5ull << 32;
	plan_refused(&k, &c, -ENOSPC, "module 0");
	mod.size = 0x80000;
	m = pc_map(MIB + 0x4000);
	c = (struct gload_cfg){ MIB + 0x4000, m.e, m.n, "", &mod, 1, 0 };
	p = plan_ok(&k, &c);
	assert_int_equal(p->mod_gpa[0], 0x1000);
	assert_int_equal(p->info_gpa, MIB + 0x3000);
	free(p);
	free(b);
}

static void test_plan_limits(void **state)
{
	uint8_t *b = make_aout(0);
	struct gload_image k = parse_ok(b, AOUT_SIZE);
	struct gload_image none = { .img = NULL };
	struct map m = pc_map(64 * MIB);
	struct gmodule mods[GLOAD_MAX_MODS + 1] = { { NULL, 0, NULL } };
	char *line = malloc(GLOAD_INFO_MAX + 1);
	struct gload_cfg c = { 64 * MIB, m.e, m.n, "", mods, GLOAD_MAX_MODS + 1, 0 };
	struct gload_plan *p;

	plan_refused(&none, &c, -EINVAL, "no parsed kernel");
	plan_refused(&k, &c, -EINVAL, "17 modules: at most 16");
	c.nr_mods = 2;
	c.mods = NULL;
	plan_refused(&k, &c, -EINVAL, "2 modules but no module list");
	c.mods = mods;
	c.nr_mods = GLOAD_MAX_MODS;
	free(plan_ok(&k, &c));
	c.e820_n = 0;
	plan_refused(&k, &c, -EINVAL, "memory map has 0 entries");
	c.e820_n = m.n;
	memset(line, 'q', GLOAD_INFO_MAX);
	line[GLOAD_INFO_MAX] = 0;
	c.cmdline = line;
	plan_refused(&k, &c, -EINVAL, "do not fit in the 16384-byte multiboot information block");
	/* The largest command line that fits. */
	size_t fixed = 0x80 + m.n * 24 + GLOAD_MAX_MODS * 16 + sizeof("Eyrie") + GLOAD_MAX_MODS;
	line[GLOAD_INFO_MAX - fixed - 1] = 0;
	p = plan_ok(&k, &c);
	assert_int_equal(p->info_len, GLOAD_INFO_MAX);
	free(p);
	line[GLOAD_INFO_MAX - fixed - 1] = 'q';
	line[GLOAD_INFO_MAX - fixed] = 0;
	plan_refused(&k, &c, -EINVAL, "do not fit");
	/* Module strings count too. */
	line[GLOAD_INFO_MAX - fixed] = 'q';
	line[0] = 0;
	mods[3].cmdline = line + 1;
	plan_refused(&k, &c, -EINVAL, "do not fit");
	free(line);
	free(b);
}

static void test_random_corruption(void **state)
{
	struct map m = pc_map(32 * MIB);
	static const char d[100];
	const struct gmodule mod = { d, sizeof(d), "m" };
	struct gload_cfg c = { 32 * MIB, m.e, m.n, "cmd", &mod, 1, 0 };
	struct gload_plan *p = malloc(sizeof(*p));
	unsigned accepted = 0;

	srand(7);
	for (int iter = 0; iter < 20000; iter++) {
		int elf = iter & 1;
		uint8_t *b = elf ? make_elf(0) : make_aout(0);
		size_t size = elf ? ELF_SIZE : AOUT_SIZE;
		size_t lo = elf ? 0 : AOUT_HDR, span = elf ? 52 + 64 : 32;
		struct gload_image k;
		char err[200];

		for (int f = 1 + rand() % 3; f > 0; f--)
			b[lo + (size_t)rand() % span] = (uint8_t)rand();
		if (!elf && rand() % 2) /* keep the checksum valid half the time */
			put(b, AOUT_HDR + 8, (uint32_t)-(MB1G_HEADER_MAGIC + (uint32_t)get(b, AOUT_HDR + 4, 4)), 4);
		if (!mb1g_parse(b, size, &k, err, sizeof(err))) {
			accepted++;
			if (!mb1g_plan(&k, &c, p, err, sizeof(err)))
				check_plan(&k, &c, p);
			else
				assert_true(strlen(err) > 10);
		} else {
			assert_true(strlen(err) > 10);
		}
		free(b);
	}
	assert_true(accepted > 100);
	free(p);
}

/* ---- the project's own multiboot images, when built ---- */

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

static void test_real_images(void **state)
{
	static const struct {
		const char *path;
		int aout;
	} imgs[] = {
		{ "build/guests/exits.elf", 0 },   /* ELF32, flags 0 */
		{ "build/guests/modes.elf", 1 },   /* ELF64 with the a.out kludge */
		{ "build/eyrie.elf", 1 },          /* the hypervisor itself */
	};
	struct map m = pc_map(64 * MIB);
	unsigned found = 0;

	for (unsigned i = 0; i < sizeof(imgs) / sizeof(imgs[0]); i++) {
		size_t size = 0;
		uint8_t *img = read_file(imgs[i].path, &size);
		struct gload_image k;
		char err[200];
		if (!img)
			continue;
		found++;
		if (mb1g_parse(img, size, &k, err, sizeof(err)))
			fail_msg("%s refused: %s", imgs[i].path, err);
		assert_int_equal(k.aout, imgs[i].aout);
		print_message("%s: %s, entry 0x%x, loads 0x%lx..0x%lx\n", imgs[i].path,
			      k.aout ? "a.out kludge" : "ELF", k.entry, (unsigned long)k.load_lo,
			      (unsigned long)k.load_hi);
		struct gload_cfg c = { 64 * MIB, m.e, m.n, "loglevel=debug", NULL, 0, 0 };
		free(plan_ok(&k, &c));
		free(img);
	}
	if (!found) {
		print_message("no built multiboot images (run make first): skipped\n");
		skip();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_aout),
		cmocka_unit_test(test_parse_elf),
		cmocka_unit_test(test_header_search),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_aout_hostile),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_plan_aout),
		cmocka_unit_test(test_plan_elf),
		cmocka_unit_test(test_plan_small_ram),
		cmocka_unit_test(test_plan_limits),
		cmocka_unit_test(test_random_corruption),
		cmocka_unit_test(test_real_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
