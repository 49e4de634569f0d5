/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host tests of vmm/load/pvh_guest.c: ELF32 and ELF64 PVH kernels built here
 * (notes in PT_NOTE or in SHT_NOTE sections), hostile notes and headers,
 * every truncation, random corruption, plans (start info, module list,
 * memory map and strings decoded and checked; placement disjoint and in
 * free RAM) and, when one has been extracted, a real Linux vmlinux.
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

#include "vmm/load/pvh_guest.h"

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

/* ---- images ---- */

/*
 * Layout: ELF header and program headers at 0, notes at NOTES, text
 * (0x800 bytes at 1 MiB) at 0x1000, data (0x100 bytes, then bss to
 * 0x3000) at 0x2000 for 1 MiB + 4 KiB, optional section headers at 0x2100.
 */
#define NOTES     0x400u
#define TEXT_OFF  0x1000u
#define DATA_OFF  0x2000u
#define BODY_SIZE 0x2100u
#define TEXT_PA   0x100000u
#define DATA_PA   0x101000u
#define ENTRY_PA  0x100040u
#define VIRT_OFF  0xc0000000u /* vaddr = paddr + this: e_entry is virtual */

struct opts {
	int c32;          /* ELF32 i386, else ELF64 x86_64 */
	unsigned descsz;  /* of the PHYS32_ENTRY note: 4 or 8 */
	int sections;     /* add section headers (.text, .notes as SHT_NOTE) */
	int no_ptnote;    /* leave out the PT_NOTE program header */
	uint64_t entry;   /* PHYS32_ENTRY value */
};

struct built {
	uint8_t *b;
	size_t size;
	size_t phoff, phent;      /* program headers */
	size_t note_phys32;       /* file offset of the PHYS32 note header */
	size_t notes_len;
};

/* One note, 4-byte aligned; returns its header's offset. */
static size_t add_note(uint8_t *b, size_t *at, const char *name, uint32_t type,
		       const void *desc, uint32_t descsz)
{
	size_t h = *at, namesz = strlen(name) + 1;

	put(b, h, namesz, 4);
	put(b, h + 4, descsz, 4);
	put(b, h + 8, type, 4);
	memcpy(b + h + 12, name, namesz);
	memcpy(b + h + 12 + ((namesz + 3) & ~3u), desc, descsz);
	*at = h + 12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
	return h;
}

static void put_phdr(const struct built *im, int c32, unsigned i, const uint64_t v[8])
{
	/* v: type, flags, offset, vaddr, paddr, filesz, memsz, align */
	size_t o = im->phoff + i * im->phent;

	if (c32) {
		static const unsigned at[8] = { 0, 24, 4, 8, 12, 16, 20, 28 };
		for (unsigned j = 0; j < 8; j++)
			put(im->b, o + at[j], v[j], 4);
	} else {
		static const unsigned at[8] = { 0, 4, 8, 16, 24, 32, 40, 48 };
		for (unsigned j = 0; j < 8; j++)
			put(im->b, o + at[j], v[j], j < 2 ? 4 : 8);
	}
}

static void put_shdr(uint8_t *b, int c32, size_t o, uint32_t type, uint64_t off, uint64_t len,
		     uint64_t align)
{
	put(b, o + 4, type, 4);
	put(b, o + (c32 ? 16 : 24), off, c32 ? 4 : 8);
	put(b, o + (c32 ? 20 : 32), len, c32 ? 4 : 8);
	put(b, o + (c32 ? 32 : 48), align, c32 ? 4 : 8);
}

static struct built make(const struct opts *o)
{
	static const uint8_t gnu_id[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	int c32 = o->c32;
	unsigned shent = c32 ? 40 : 64, phnum = o->no_ptnote ? 2 : 3;
	struct built im = { .phoff = c32 ? 52 : 64, .phent = c32 ? 32 : 56 };
	size_t at = NOTES;
	uint8_t entry[8];

	im.size = BODY_SIZE + (o->sections ? 3 * shent : 0);
	im.b = calloc(1, im.size);
	assert_non_null(im.b);
	memcpy(im.b, "\x7f" "ELF", 4);
	im.b[4] = c32 ? 1 : 2;
	im.b[5] = 1;
	im.b[6] = 1;
	put(im.b, 16, 2, 2);                     /* ET_EXEC */
	put(im.b, 18, c32 ? 3 : 62, 2);          /* EM_386 / EM_X86_64 */
	put(im.b, 20, 1, 4);
	put(im.b, 24, ENTRY_PA + VIRT_OFF + 0x10, c32 ? 4 : 8); /* e_entry: native, unused */
	put(im.b, c32 ? 28 : 32, im.phoff, c32 ? 4 : 8);
	put(im.b, c32 ? 40 : 52, c32 ? 52 : 64, 2); /* e_ehsize */
	put(im.b, c32 ? 42 : 54, im.phent, 2);
	put(im.b, c32 ? 44 : 56, phnum, 2);
	/* Notes: an unrelated GNU note, a Xen string note, then PHYS32_ENTRY. */
	add_note(im.b, &at, "GNU", 3, gnu_id, sizeof(gnu_id));
	add_note(im.b, &at, "Xen", XEN_ELFNOTE_GUEST_OS, "linux", 6);
	put(entry, 0, o->entry, 8);
	im.note_phys32 = add_note(im.b, &at, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, entry, o->descsz);
	im.notes_len = at - NOTES;
	const uint64_t ph[3][8] = {
		{ 1, 5, TEXT_OFF, TEXT_PA + VIRT_OFF, TEXT_PA, 0x800, 0x800, 0x1000 },
		{ 1, 6, DATA_OFF, DATA_PA + VIRT_OFF, DATA_PA, 0x100, 0x3000, 0x1000 },
		{ 4, 4, NOTES, 0, 0, im.notes_len, im.notes_len, 4 },
	};
	for (unsigned i = 0; i < phnum; i++)
		put_phdr(&im, c32, i, ph[i]);
	for (unsigned i = 0; i < 0x800; i++)
		im.b[TEXT_OFF + i] = (uint8_t)(i * 7 + 3);
	memset(im.b + DATA_OFF, 0xda, 0x100);
	if (o->sections) {
		put(im.b, c32 ? 32 : 40, BODY_SIZE, c32 ? 4 : 8);  /* e_shoff */
		put(im.b, c32 ? 46 : 58, shent, 2);
		put(im.b, c32 ? 48 : 60, 3, 2);
		put_shdr(im.b, c32, BODY_SIZE + shent, 1, TEXT_OFF, 0x800, 16); /* PROGBITS */
		put_shdr(im.b, c32, BODY_SIZE + 2 * shent, 7, NOTES, im.notes_len, 4);
	}
	return im;
}

static struct built make64(void)
{
	return make(&(struct opts){ .descsz = 8, .entry = ENTRY_PA });
}

static struct gload_image parse_ok(const uint8_t *b, size_t size)
{
	struct gload_image k;
	char err[200] = "";

	if (pvh_parse(b, size, &k, err, sizeof(err)))
		fail_msg("unexpected refusal: %s", err);
	return k;
}

static void parse_refused(const uint8_t *b, size_t size, const char *want)
{
	struct gload_image k;
	char err[200] = "";

	assert_int_equal(pvh_parse(b, size, &k, err, sizeof(err)), -ENOEXEC);
	assert_null(k.img);
	if (!strstr(err, want))
		fail_msg("error '%s' does not mention '%s'", err, want);
}

/* Checks an accepted image against the file: what the planner relies on. */
static void check_image(const struct gload_image *k)
{
	int entry_ok = 0;

	for (unsigned i = 0; i < k->nr_segs; i++) {
		const struct gseg *s = &k->segs[i];
		assert_true(s->offset + s->filesz <= k->size && s->offset + s->filesz >= s->offset);
		assert_true(s->filesz <= s->memsz && s->memsz);
		assert_true(s->paddr + s->memsz <= (1ull << 32));
		assert_true(s->paddr >= k->load_lo && s->paddr + s->memsz <= k->load_hi);
		for (unsigned j = 0; j < i; j++)
			assert_false(s->paddr < k->segs[j].paddr + k->segs[j].memsz &&
				     k->segs[j].paddr < s->paddr + s->memsz);
		entry_ok |= k->entry >= s->paddr && k->entry < s->paddr + s->filesz;
	}
	assert_true(k->nr_segs > 0);
	assert_true(entry_ok);
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

/* Block bytes at guest address gpa (n of them must be inside). */
static const uint8_t *at_gpa(const struct gload_plan *p, uint64_t gpa, uint64_t n)
{
	assert_true(gpa >= p->info_gpa && gpa + n <= p->info_gpa + p->info_len);
	return p->info + (gpa - p->info_gpa);
}

static void check_str(const struct gload_plan *p, uint64_t gpa, const char *want)
{
	const uint8_t *s;

	if (!want) {
		assert_int_equal(gpa, 0);
		return;
	}
	s = at_gpa(p, gpa, 1);
	assert_non_null(memchr(s, 0, p->info_gpa + p->info_len - gpa));
	assert_string_equal((const char *)s, want);
}

/* Decodes the start info block byte-wise, as the guest will. */
static void check_info(const struct gload_cfg *c, const struct gload_plan *p)
{
	const uint8_t *si = at_gpa(p, p->info_gpa, 56);

	assert_int_equal(get(si, 0, 4), 0x336ec578);
	assert_memory_equal(si, "\x78\xc5\x6e\x33", 4); /* "xEn3", 0x80 set in the E */
	assert_int_equal(get(si, 4, 4), 1);
	assert_int_equal(get(si, 8, 4), 0);
	assert_int_equal(get(si, 12, 4), c->nr_mods);
	check_str(p, get(si, 24, 8), c->cmdline);
	assert_int_equal(get(si, 32, 8), c->rsdp_paddr);
	assert_int_equal(get(si, 48, 4), c->e820_n);
	assert_int_equal(get(si, 52, 4), 0);
	if (!c->nr_mods)
		assert_int_equal(get(si, 16, 8), 0);
	for (unsigned i = 0; i < c->nr_mods; i++) {
		const uint8_t *m = at_gpa(p, get(si, 16, 8) + i * 32, 32);
		assert_int_equal(get(m, 0, 8), p->mod_gpa[i]);
		assert_int_equal(get(m, 0, 8) % 4096, 0);
		assert_true(get(m, 0, 8) != 0);
		assert_int_equal(get(m, 8, 8), c->mods[i].size);
		check_str(p, get(m, 16, 8), c->mods[i].cmdline);
		assert_int_equal(get(m, 24, 8), 0);
	}
	for (unsigned i = 0; i < c->e820_n; i++) {
		const uint8_t *e = at_gpa(p, get(si, 40, 8) + i * 24, 24);
		assert_int_equal(get(e, 0, 8), c->e820[i].base);
		assert_int_equal(get(e, 8, 8), c->e820[i].size);
		assert_int_equal(get(e, 16, 4), c->e820[i].type);
		assert_int_equal(get(e, 20, 4), 0);
	}
}

static void check_plan(const struct gload_image *k, const struct gload_cfg *c,
		       const struct gload_plan *p)
{
	const struct gplace *g = &p->mem;
	uint64_t kernel_bytes = 0;

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
	}
	for (unsigned i = 0; i < k->nr_segs; i++)
		kernel_bytes -= k->segs[i].memsz;
	assert_int_equal(kernel_bytes, 0); /* every segment byte written once */
	assert_true(p->info_len <= GLOAD_INFO_MAX);
	assert_int_equal(p->info_gpa % 4096, 0);
	/* The entry state of pvh.pandoc. */
	assert_int_equal(p->entry.eip, k->entry);
	assert_int_equal(p->entry.ebx, p->info_gpa);
	assert_int_equal(p->entry.cr0, 0x11);
	assert_int_equal(p->entry.cr4, 0);
	assert_int_equal(p->entry.efer, 0);
	assert_int_equal(p->entry.eflags & 0x20300, 0); /* VM, IF, TF */
	assert_int_equal(p->entry.cs_attr, 0xc9b);
	assert_int_equal(p->entry.ds_attr, 0xc93);
	assert_int_equal(p->entry.tr_attr, 0x8b);
	assert_int_equal(p->entry.tr_limit, 0x67);
	check_info(c, p);
}

static struct gload_plan *plan_ok(const struct gload_image *k, const struct gload_cfg *c)
{
	struct gload_plan *p = malloc(sizeof(*p));
	char err[200] = "";

	assert_non_null(p);
	if (pvh_plan(k, c, p, err, sizeof(err)))
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
	assert_int_equal(pvh_plan(k, c, p, err, sizeof(err)), rc);
	if (!strstr(err, want))
		fail_msg("error '%s' does not mention '%s'", err, want);
	free(p);
}

/* ---- parse ---- */

static void test_parse(void **state)
{
	for (unsigned v = 0; v < 4; v++) {
		struct opts o = { .c32 = v & 1, .descsz = v & 2 ? 8 : 4, .entry = ENTRY_PA };
		struct built im = make(&o);
		struct gload_image k = parse_ok(im.b, im.size);

		assert_int_equal(k.elf32, o.c32);
		assert_int_equal(k.entry, ENTRY_PA);
		assert_false(k.notes_from_sections);
		assert_int_equal(k.nr_segs, 2);
		assert_int_equal(k.segs[0].offset, TEXT_OFF);
		assert_int_equal(k.segs[0].paddr, TEXT_PA);
		assert_int_equal(k.segs[0].filesz, 0x800);
		assert_int_equal(k.segs[1].paddr, DATA_PA);
		assert_int_equal(k.segs[1].filesz, 0x100);
		assert_int_equal(k.segs[1].memsz, 0x3000);
		assert_int_equal(k.load_lo, TEXT_PA);
		assert_int_equal(k.load_hi, DATA_PA + 0x3000);
		check_image(&k);
		free(im.b);
	}
}

static void test_section_notes(void **state)
{
	for (unsigned c32 = 0; c32 < 2; c32++) {
		struct opts o = { .c32 = c32, .descsz = 4, .entry = ENTRY_PA, .sections = 1,
				  .no_ptnote = 1 };
		struct built im = make(&o);
		struct gload_image k = parse_ok(im.b, im.size);

		assert_true(k.notes_from_sections);
		assert_int_equal(k.entry, ENTRY_PA);
		/* A section header table past the end, a note section past the end. */
		put(im.b, c32 ? 32 : 40, im.size - 8, c32 ? 4 : 8);
		parse_refused(im.b, im.size, "section header table (e_shoff");
		put(im.b, c32 ? 32 : 40, BODY_SIZE, c32 ? 4 : 8);
		put_shdr(im.b, c32, BODY_SIZE + 2 * (c32 ? 40 : 64), 7, im.size - 4, 8, 4);
		parse_refused(im.b, im.size, "truncated: SHT_NOTE section 2");
		/* A non-note section may point anywhere: not read. */
		put_shdr(im.b, c32, BODY_SIZE + 2 * (c32 ? 40 : 64), 1, im.size - 4, 8, 4);
		parse_refused(im.b, im.size, "not a PVH kernel: no XEN_ELFNOTE_PHYS32_ENTRY");
		free(im.b);
	}
	/* With a PT_NOTE, the sections are not looked at. */
	struct opts o = { .descsz = 8, .entry = ENTRY_PA, .sections = 1 };
	struct built im = make(&o);
	put_shdr(im.b, 0, BODY_SIZE + 2 * 64, 7, im.size, 0x1000, 4); /* would be refused */
	struct gload_image k = parse_ok(im.b, im.size);
	assert_false(k.notes_from_sections);
	free(im.b);
}

static void test_not_pvh(void **state)
{
	struct built im = make64();

	/* The type, the name, the name's length: each makes it another note. */
	put(im.b, im.note_phys32 + 8, XEN_ELFNOTE_ENTRY, 4);
	parse_refused(im.b, im.size, "not a PVH kernel: no XEN_ELFNOTE_PHYS32_ENTRY");
	put(im.b, im.note_phys32 + 8, XEN_ELFNOTE_PHYS32_ENTRY, 4);
	im.b[im.note_phys32 + 12] = 'x';
	parse_refused(im.b, im.size, "not a PVH kernel");
	im.b[im.note_phys32 + 12] = 'X';
	put(im.b, im.note_phys32, 3, 4); /* namesz 3: "Xen" without its NUL */
	parse_refused(im.b, im.size, "not a PVH kernel");
	put(im.b, im.note_phys32, 4, 4);
	parse_ok(im.b, im.size);
	/* No PT_NOTE and no sections. */
	free(im.b);
	im = make(&(struct opts){ .descsz = 8, .entry = ENTRY_PA, .no_ptnote = 1 });
	parse_refused(im.b, im.size, "no XEN_ELFNOTE_PHYS32_ENTRY (type 18, name \"Xen\") in its section");
	free(im.b);
}

static void test_hostile_notes(void **state)
{
	struct built im = make64();
	size_t n = im.note_phys32, ph_note = im.phoff + 2 * im.phent;

	/* Huge namesz or descsz: no read past the note segment. */
	put(im.b, n, 0xffffffff, 4);
	parse_refused(im.b, im.size, "namesz 0xffffffff + descsz 0x8 pass the end");
	put(im.b, n, 4, 4);
	put(im.b, n + 4, 0xfffffffd, 4);
	parse_refused(im.b, im.size, "descsz 0xfffffffd pass the end");
	put(im.b, n + 4, 9, 4); /* one byte more than the segment holds */
	parse_refused(im.b, im.size, "pass the end");
	put(im.b, n + 4, 2, 4);
	parse_refused(im.b, im.size, "PHYS32_ENTRY note has descsz 2, not 4 or 8");
	put(im.b, n + 4, 8, 4);
	/* An 8-byte value above 4 GiB. */
	put(im.b, n + 16, 1ull << 32 | ENTRY_PA, 8);
	parse_refused(im.b, im.size, "XEN_ELFNOTE_PHYS32_ENTRY 0x100100040 is above 4 GiB");
	put(im.b, n + 16, ENTRY_PA, 8);
	/* The note segment ends inside a note header. */
	put(im.b, ph_note + 32, im.notes_len + 4, 8);
	parse_refused(im.b, im.size, "truncated: note 3 of program header 2 has 4 bytes");
	/* The note segment passes the end of the file. */
	put(im.b, ph_note + 32, im.size, 8);
	parse_refused(im.b, im.size, "truncated: PT_NOTE program header 2");
	put(im.b, ph_note + 8, UINT64_MAX - 4, 8);
	put(im.b, ph_note + 32, 0x10, 8);
	parse_refused(im.b, im.size, "truncated: PT_NOTE program header 2");
	free(im.b);
}

/* 8-byte aligned note entries (p_align 8, as GNU property notes use). */
static void test_note_align8(void **state)
{
	struct built im = make64();
	uint8_t *b = im.b;
	size_t ph_note = im.phoff + 2 * im.phent;

	memset(b + NOTES, 0, im.notes_len);
	put(b, NOTES, 4, 4);               /* GNU, descsz 4, type 5 */
	put(b, NOTES + 4, 4, 4);
	put(b, NOTES + 8, 5, 4);
	memcpy(b + NOTES + 12, "GNU", 4);  /* desc at 16..20, next note at 24 */
	put(b, NOTES + 24, 4, 4);          /* Xen PHYS32_ENTRY, descsz 8 */
	put(b, NOTES + 28, 8, 4);
	put(b, NOTES + 32, 18, 4);
	memcpy(b + NOTES + 36, "Xen", 4);
	put(b, NOTES + 40, ENTRY_PA + 8, 8);
	put(b, ph_note + 32, 48, 8);
	put(b, ph_note + 48, 8, 8);
	struct gload_image k = parse_ok(b, im.size);
	assert_int_equal(k.entry, ENTRY_PA + 8);
	/* Read with 4-byte alignment, the same bytes are garbage. */
	put(b, ph_note + 48, 4, 8);
	parse_refused(b, im.size, "note 2 of program header 2: namesz 0x6e6558");
	free(b);
}

/* Two PHYS32_ENTRY notes: the same value is fine, different ones are
 * refused (Xen would take the last, others the first). */
static void test_two_entries(void **state)
{
	struct built im = make64();
	size_t at = NOTES + im.notes_len, ph_note = im.phoff + 2 * im.phent;
	uint8_t v[8];

	put(v, 0, ENTRY_PA, 8);
	add_note(im.b, &at, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, v, 8); /* in the gap before the text */
	put(im.b, ph_note + 32, at - NOTES, 8);
	struct gload_image k = parse_ok(im.b, im.size);
	assert_int_equal(k.entry, ENTRY_PA);
	put(im.b, at - 8, ENTRY_PA + 4, 8);
	parse_refused(im.b, im.size,
		      "two XEN_ELFNOTE_PHYS32_ENTRY notes disagree: 0x100040 and 0x100044");
	free(im.b);
}

static void test_hostile_elf(void **state)
{
	struct built im = make64();
	uint8_t *b = im.b;
	size_t ph1 = im.phoff + im.phent;

	parse_refused(NULL, 0, "no image");
	parse_refused(b, 0, "truncated: 0 bytes");
	parse_refused(b, 63, "truncated: 63 bytes");
	b[0] = 0x7e;
	parse_refused(b, im.size, "bad ELF magic");
	b[0] = 0x7f;
	b[4] = 3;
	parse_refused(b, im.size, "e_ident[EI_CLASS] is 3");
	b[4] = 2;
	put(b, 18, 0xb7, 2);
	parse_refused(b, im.size, "e_machine is 183: not EM_386 (3) or EM_X86_64 (62)");
	put(b, 18, 3, 2); /* ELF64 with EM_386: Xen boots it as PVH */
	parse_ok(b, im.size);
	put(b, 18, 62, 2);
	put(b, 56, 65, 2); /* e_phnum */
	parse_refused(b, im.size, "program header table");
	put(b, 56, 3, 2);
	/* Data overlapping text; data out of the file; data above 4 GiB. */
	put(b, ph1 + 24, TEXT_PA + 0x400, 8);
	parse_refused(b, im.size, "program header 1: segments overlap");
	put(b, ph1 + 24, DATA_PA, 8);
	put(b, ph1 + 32, im.size - DATA_OFF + 1, 8);
	parse_refused(b, im.size, "program header 1: segment data beyond end of file");
	put(b, ph1 + 32, 0x100, 8);
	put(b, ph1 + 24, 0xfffff000, 8);
	parse_refused(b, im.size, "program header 1: segment address out of range");
	put(b, ph1 + 24, DATA_PA, 8);
	/* The entry: in the bss, beyond it, below everything. */
	put(b, im.note_phys32 + 16, DATA_PA + 0x100, 8);
	parse_refused(b, im.size,
		      "PHYS32_ENTRY 0x101100 is in the bss of the segment at 0x101000..0x104000");
	put(b, im.note_phys32 + 16, DATA_PA + 0x3000, 8);
	parse_refused(b, im.size, "PHYS32_ENTRY 0x104000 is outside every loaded segment");
	put(b, im.note_phys32 + 16, 0, 8);
	parse_refused(b, im.size, "PHYS32_ENTRY 0x0 is outside every loaded segment");
	put(b, im.note_phys32 + 16, DATA_PA + 0xff, 8); /* the data's last file byte */
	parse_ok(b, im.size);
	free(b);
	/* ELF32 with EM_X86_64 (objcopy -O elf32-x86-64): a PVH kernel. */
	im = make(&(struct opts){ .c32 = 1, .descsz = 4, .entry = ENTRY_PA });
	put(im.b, 18, 62, 2);
	parse_ok(im.b, im.size);
	put(im.b, 18, 0x28, 2);
	parse_refused(im.b, im.size, "e_machine is 40: not EM_386 (3) or EM_X86_64 (62)");
	free(im.b);
}

static void check_cut(const uint8_t *full, size_t size, const char *what)
{
	for (size_t n = 0; n <= size; n++) {
		uint8_t *b = malloc(n ? n : 1);
		struct gload_image k;
		char err[200] = "";
		memcpy(b, full, n);
		if (!pvh_parse(b, n, &k, err, sizeof(err))) {
			check_image(&k);
			if (n < size)
				fail_msg("%s cut at %zu accepted", what, n);
		} else if (strlen(err) < 10) {
			fail_msg("%s cut at %zu: '%s'", what, n, err);
		}
		free(b);
	}
}

static void test_every_truncation(void **state)
{
	for (unsigned v = 0; v < 8; v++) {
		struct opts o = { .c32 = v & 1, .descsz = v & 2 ? 8 : 4, .entry = ENTRY_PA,
				  .sections = !!(v & 4), .no_ptnote = !!(v & 4) };
		struct built im = make(&o);
		char what[40];
		snprintf(what, sizeof(what), "variant %u", v);
		check_cut(im.b, im.size, what);
		free(im.b);
	}
}

/* ---- plan ---- */

static void test_plan(void **state)
{
	struct built im = make64();
	struct gload_image k = parse_ok(im.b, im.size);
	struct map m = pc_map(64 * MIB);
	static const char d0[5000], d2[3];
	const struct gmodule mods[3] = {
		{ d0, sizeof(d0), "initrd arg=1" }, { NULL, 0, NULL }, { d2, sizeof(d2), "" },
	};
	struct gload_cfg c = { 64 * MIB, m.e, m.n, "console=ttyS0 root=/dev/ram0", mods, 3, 0xfe000 };
	struct gload_plan *p = plan_ok(&k, &c);

	/* Text, data, bss where the kernel asked, modules high, the block just
	 * above the kernel. */
	assert_int_equal(p->copies[0].gpa, TEXT_PA);
	assert_int_equal(p->copies[0].src, GSRC_IMAGE);
	assert_int_equal(p->copies[0].offset, TEXT_OFF);
	assert_int_equal(p->copies[1].gpa, DATA_PA);
	assert_int_equal(p->copies[1].offset, DATA_OFF);
	assert_int_equal(p->copies[2].gpa, DATA_PA + 0x100);
	assert_int_equal(p->copies[2].src, GSRC_ZERO);
	assert_int_equal(p->copies[2].len, 0x2f00);
	assert_int_equal(p->mod_gpa[0], 64 * MIB - 0x2000);
	assert_int_equal(p->mod_gpa[1], 64 * MIB - 0x3000);
	assert_int_equal(p->mod_gpa[2], 64 * MIB - 0x4000);
	assert_int_equal(p->info_gpa, DATA_PA + 0x3000);
	assert_int_equal(p->nr_copies, 3 + 2 + 1); /* the empty module copies nothing */
	assert_int_equal(p->entry.eip, ENTRY_PA);
	assert_int_equal(p->entry.ebx, DATA_PA + 0x3000);
	/* The block's layout: structure, module list, memory map, strings. */
	assert_int_equal(get(p->info, 16, 8), p->info_gpa + 64);
	assert_int_equal(get(p->info, 40, 8), p->info_gpa + 64 + 3 * 32);
	assert_int_equal(get(p->info, 24, 8), p->info_gpa + 64 + 3 * 32 + 4 * 24);
	assert_int_equal(p->info_len, 64 + 3 * 32 + 4 * 24 + sizeof("console=ttyS0 root=/dev/ram0") +
				      sizeof("initrd arg=1") + 1);
	free(p);
	/* No command line, no modules, no RSDP: all "not present". */
	struct gload_cfg c2 = { 64 * MIB, m.e, m.n, NULL, NULL, 0, 0 };
	p = plan_ok(&k, &c2);
	assert_int_equal(get(p->info, 24, 8), 0);
	assert_int_equal(get(p->info, 16, 8), 0);
	assert_int_equal(get(p->info, 32, 8), 0);
	assert_int_equal(p->nr_copies, 3 + 1);
	free(p);
	free(im.b);
	/* An ELF32 kernel plans the same. */
	im = make(&(struct opts){ .c32 = 1, .descsz = 4, .entry = ENTRY_PA });
	k = parse_ok(im.b, im.size);
	free(plan_ok(&k, &c));
	free(im.b);
}

static void test_plan_placement(void **state)
{
	struct built im = make64();
	struct gload_image k = parse_ok(im.b, im.size);
	struct map m = pc_map(DATA_PA + 0x3000);
	struct gload_cfg c = { DATA_PA + 0x3000, m.e, m.n, "x", NULL, 0, 0 };
	struct gload_plan *p;

	/* The kernel fills RAM above 1 MiB: the block goes low. */
	p = plan_ok(&k, &c);
	assert_int_equal(p->info_gpa, 0x1000);
	free(p);
	/* One page short for the bss. */
	m = pc_map(DATA_PA + 0x2000);
	c.ram_size = DATA_PA + 0x2000;
	plan_refused(&k, &c, -ENOSPC, "kernel segment 0x101000..0x104000 is not free guest RAM");
	/* A segment where the low block would go: the block goes around it. */
	size_t ph1 = im.phoff + im.phent;
	put(im.b, ph1 + 24, 0x1000, 8);
	put(im.b, ph1 + 40, 0x1000, 8);
	k = parse_ok(im.b, im.size);
	m = pc_map(TEXT_PA + 0x1000);
	c = (struct gload_cfg){ TEXT_PA + 0x1000, m.e, m.n, "x", NULL, 0, 0 };
	p = plan_ok(&k, &c);
	assert_int_equal(p->copies[1].gpa, 0x1000);
	assert_int_equal(p->info_gpa, 0x2000);
	free(p);
	/* A segment in a reserved range. */
	put(im.b, ph1 + 24, 0xf0000, 8);
	k = parse_ok(im.b, im.size);
	plan_refused(&k, &c, -ENOSPC, "kernel segment 0xf0000..0xf1000");
	free(im.b);
	/* Modules: too big, bigger than 4 GiB, or squeezed below the kernel. */
	im = make64();
	k = parse_ok(im.b, im.size);
	static const char big[1];
	struct gmodule mod = { big, 2 * MIB, "big" };
	m = pc_map(2 * MIB);
	c = (struct gload_cfg){ 2 * MIB, m.e, m.n, "", &mod, 1, 0 };
	plan_refused(&k, &c, -ENOSPC, "module 0 (2097152 bytes) does not fit");
	mod.size = 5ull << 32;
	plan_refused(&k, &c, -ENOSPC, "module 0");
	mod.size = 0x1000;
	m = pc_map(DATA_PA + 0x3000);
	c = (struct gload_cfg){ DATA_PA + 0x3000, m.e, m.n, "", &mod, 1, 0 };
	plan_refused(&k, &c, -ENOSPC, "module 0 (4096 bytes) does not fit in free guest RAM between 1 MiB");
	free(im.b);
}

static void test_plan_limits(void **state)
{
	struct built im = make64();
	struct gload_image k = parse_ok(im.b, im.size);
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
	plan_refused(&k, &c, -EINVAL, "do not fit in the 16384-byte start info block");
	/* The largest command line that fits (module strings NULL: none). */
	size_t fixed = 64 + GLOAD_MAX_MODS * 32 + m.n * 24;
	line[GLOAD_INFO_MAX - fixed - 1] = 0;
	p = plan_ok(&k, &c);
	assert_int_equal(p->info_len, GLOAD_INFO_MAX);
	free(p);
	line[GLOAD_INFO_MAX - fixed - 1] = 'q';
	line[GLOAD_INFO_MAX - fixed] = 0;
	plan_refused(&k, &c, -EINVAL, "do not fit");
	/* Module strings count too. */
	line[GLOAD_INFO_MAX - fixed] = 'q';
	line[GLOAD_INFO_MAX - fixed - 2] = 0;
	mods[3].cmdline = "ab";
	plan_refused(&k, &c, -EINVAL, "do not fit");
	free(line);
	free(im.b);
}

static void test_random_corruption(void **state)
{
	struct map m = pc_map(32 * MIB);
	static const char d[100];
	const struct gmodule mod = { d, sizeof(d), "m" };
	struct gload_cfg c = { 32 * MIB, m.e, m.n, "cmd", &mod, 1, 0 };
	struct gload_plan *p = malloc(sizeof(*p));
	unsigned accepted = 0;

	srand(11);
	for (int iter = 0; iter < 10000; iter++) {
		struct opts o = { .c32 = iter & 1, .descsz = iter & 2 ? 8 : 4, .entry = ENTRY_PA,
				  .sections = !!(iter & 4), .no_ptnote = !!(iter & 8) };
		struct built im = make(&o);
		struct gload_image k;
		char err[200];
		/* Mostly the headers and notes; sometimes the section table. */
		size_t lo = 0, span = NOTES + im.notes_len;

		if (o.sections && rand() % 3 == 0) {
			lo = BODY_SIZE;
			span = im.size - BODY_SIZE;
		}
		for (int f = 1 + rand() % 4; f > 0; f--)
			im.b[lo + (size_t)rand() % span] = (uint8_t)(rand() % 3 ? rand() : 0xff);
		if (!pvh_parse(im.b, im.size, &k, err, sizeof(err))) {
			accepted++;
			check_image(&k);
			if (!pvh_plan(&k, &c, p, err, sizeof(err)))
				check_plan(&k, &c, p);
			else
				assert_true(strlen(err) > 10);
		} else {
			assert_true(strlen(err) > 10);
		}
		free(im.b);
	}
	print_message("%u of 10000 corrupted images accepted\n", accepted);
	assert_true(accepted > 100);
	free(p);
}

/* ---- a real PVH kernel, when one is there ---- */

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

/* build/linux/vmlinux: the ELF inside Debian's vmlinuz, when extracted
 * (scripts/extract-vmlinux). Linux has PHYS32_ENTRY with CONFIG_PVH. */
static void test_real_vmlinux(void **state)
{
	size_t size = 0;
	uint8_t *img = read_file("build/linux/vmlinux", &size);
	struct map m = pc_map(256 * MIB);
	static const char initrd[4096];
	const struct gmodule mod = { initrd, sizeof(initrd), NULL };
	struct gload_cfg c = { 256 * MIB, m.e, m.n, "console=ttyS0", &mod, 1, 0 };
	struct gload_image k;
	char err[200];

	if (!img) {
		print_message("no build/linux/vmlinux: skipped\n");
		skip();
	}
	if (pvh_parse(img, size, &k, err, sizeof(err)))
		fail_msg("vmlinux refused: %s", err);
	check_image(&k);
	print_message("vmlinux: ELF%s, PHYS32_ENTRY 0x%x, loads 0x%lx..0x%lx in %u segments\n",
		      k.elf32 ? "32" : "64", k.entry, (unsigned long)k.load_lo,
		      (unsigned long)k.load_hi, k.nr_segs);
	free(plan_ok(&k, &c));
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_section_notes),
		cmocka_unit_test(test_not_pvh),
		cmocka_unit_test(test_hostile_notes),
		cmocka_unit_test(test_note_align8),
		cmocka_unit_test(test_two_entries),
		cmocka_unit_test(test_hostile_elf),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_plan_placement),
		cmocka_unit_test(test_plan_limits),
		cmocka_unit_test(test_random_corruption),
		cmocka_unit_test(test_real_vmlinux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
