/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host tests of mgmt/linux_boot.c: a synthetic bzImage (header fields set by
 * hand), every truncation, corrupted fields, random header corruption,
 * plans for small and large guests with their invariants
 * checked (disjoint, in free RAM, identity-mapped, boot_params contents),
 * and, when one is readable, a real Debian kernel (LINUX_BZIMAGE, else
 * /boot/vmlinuz-*). Runs under ASan/UBSan: images are malloc'd to their
 * exact size, so any read past the end fails the test.
 */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt/linux_boot.h"

#define MIB 0x100000ull
#define GIB (1ull << 30)

/* ---- the synthetic image ---- */

#define SETUP_SECTS 4
#define SETUP_SIZE  ((SETUP_SECTS + 1) * 512)
#define PM_SIZE     0x1000
#define BZ_SIZE     (SETUP_SIZE + PM_SIZE)
#define HDR_END     0x26c
#define VERSION_STR "6.1.0-eyrie-test (unit@host) #1 SMP"

static void put(uint8_t *p, unsigned off, uint64_t v, unsigned n)
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

static uint8_t *make_bz(void)
{
	uint8_t *b = malloc(BZ_SIZE);

	assert_non_null(b);
	for (unsigned i = 0; i < BZ_SIZE; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	memset(b + 0x1f1, 0, HDR_END - 0x1f1);
	put(b, 0x1f1, SETUP_SECTS, 1);
	put(b, 0x1f4, PM_SIZE / 16, 4);          /* syssize */
	put(b, 0x1fa, 0xffff, 2);                /* vid_mode */
	put(b, 0x1fe, 0xaa55, 2);
	put(b, 0x200, 0xeb, 1);
	put(b, 0x201, HDR_END - 0x202, 1);
	put(b, 0x202, 0x53726448, 4);            /* "HdrS" */
	put(b, 0x206, 0x020f, 2);
	put(b, 0x20e, 0x300 - 0x200, 2);         /* kernel_version */
	memcpy(b + 0x300, VERSION_STR, sizeof(VERSION_STR));
	put(b, 0x211, 0x01, 1);                  /* LOADED_HIGH */
	put(b, 0x214, 0x100000, 4);              /* code32_start */
	put(b, 0x22c, 0x7fffffff, 4);            /* initrd_addr_max */
	put(b, 0x230, 0x200000, 4);              /* kernel_alignment */
	put(b, 0x234, 1, 1);                     /* relocatable */
	put(b, 0x235, 21, 1);                    /* min_alignment */
	put(b, 0x236, 0x03, 2);                  /* XLF_KERNEL_64 | above 4G */
	put(b, 0x238, 2047, 4);                  /* cmdline_size */
	put(b, 0x248, 0x100, 4);                 /* payload_offset */
	put(b, 0x24c, 0xe00, 4);                 /* payload_length */
	put(b, 0x258, 0x1000000, 8);             /* pref_address */
	put(b, 0x260, 0x400000, 4);              /* init_size */
	return b;
}

static struct linux_image parse_ok(const uint8_t *b, size_t size)
{
	struct linux_image k;
	char err[160] = "";

	if (linux_parse(b, size, &k, err, sizeof(err)))
		fail_msg("unexpected refusal: %s", err);
	return k;
}

static void parse_refused(const uint8_t *b, size_t size, const char *want)
{
	struct linux_image k;
	char err[160] = "";

	assert_int_equal(linux_parse(b, size, &k, err, sizeof(err)), -ENOEXEC);
	if (!strstr(err, want))
		fail_msg("error '%s' does not mention '%s'", err, want);
}

/* ---- guest memory maps ---- */

struct map {
	struct e820_entry e[E820_MAX_ENTRIES + 2];
	unsigned n;
};

static void add(struct map *m, uint64_t base, uint64_t size, uint32_t type)
{
	m->e[m->n++] = (struct e820_entry){ base, size, type };
}

/* A PC-like map: low RAM, EBDA and BIOS holes, RAM from 1 MiB to ram. */
static struct map pc_map(uint64_t ram)
{
	struct map m = { .n = 0 };

	add(&m, 0, 0x9fc00, E820_RAM);
	add(&m, 0x9fc00, 0x400, E820_RESERVED);
	add(&m, 0xe0000, 0x20000, E820_RESERVED);
	add(&m, MIB, ram - MIB, E820_RAM);
	return m;
}

static struct linux_boot_cfg cfg_for(const struct map *m, uint64_t ram, const char *cmdline,
				     uint64_t initrd_size)
{
	static const char initrd_dummy[1];
	struct linux_boot_cfg c = {
		.ram_size = ram, .e820 = m->e, .e820_n = m->n, .cmdline = cmdline,
		.initrd = initrd_dummy, .initrd_size = initrd_size,
	};
	return c;
}

/* ---- plan invariants ---- */

static int in_ram(const struct linux_boot_cfg *c, uint64_t base, uint64_t len)
{
	int ok = 0;

	if (base + len > c->ram_size || base + len > 4 * GIB)
		return 0;
	for (unsigned i = 0; i < c->e820_n; i++) {
		const struct e820_entry *e = &c->e820[i];
		int inside = base >= e->base && base + len <= e->base + e->size;
		int touches = base < e->base + e->size && e->base < base + len;
		if (e->type == E820_RAM && inside)
			ok = 1;
		if (e->type != E820_RAM && touches)
			return 0;
	}
	return ok;
}

/* Walks the plan's identity map (4-level, 2 MiB pages) for va. */
static uint64_t translate(const struct linux_plan *p, uint64_t va)
{
	const uint8_t *bb = linux_plan_boot(p);
	uint64_t pml4e = get(bb, p->entry.cr3 - p->boot_gpa + ((va >> 39) & 511) * 8, 8);
	uint64_t pdpte, pde;

	assert_true(pml4e & 1);
	pdpte = get(bb, (pml4e & ~0xfffull) - p->boot_gpa + ((va >> 30) & 511) * 8, 8);
	assert_true(pdpte & 1);
	pde = get(bb, (pdpte & ~0xfffull) - p->boot_gpa + ((va >> 21) & 511) * 8, 8);
	assert_int_equal(pde & 0x83, 0x83); /* present, writable, 2 MiB */
	return (pde & ~0x1fffffull) + (va & 0x1fffff);
}

static void check_mapped(const struct linux_plan *p, uint64_t base, uint64_t len)
{
	if (!len)
		return;
	assert_int_equal(translate(p, base), base);
	assert_int_equal(translate(p, base + len - 1), base + len - 1);
}

static void check_zero_page(const struct linux_image *k, const struct linux_boot_cfg *c,
			    const struct linux_plan *p)
{
	const uint8_t *zp = linux_plan_boot(p) + LINUX_BB_ZERO;
	static const unsigned written[] = { 0x1fa, 0x1fb, 0x210, 0x214, 0x215, 0x216, 0x217,
					    0x218, 0x219, 0x21a, 0x21b, 0x21c, 0x21d, 0x21e,
					    0x21f, 0x228, 0x229, 0x22a, 0x22b };
	const char *cmd = c->cmdline ? c->cmdline : "";

	for (unsigned off = 0x1f1; off < k->hdr_end; off++) {
		int w = off >= 0x250 && off < 0x258; /* setup_data */
		for (unsigned i = 0; i < sizeof(written) / sizeof(written[0]); i++)
			w |= written[i] == off;
		if (!w && zp[off] != k->img[off])
			fail_msg("boot_params byte 0x%x differs from the image's header", off);
	}
	for (unsigned off = k->hdr_end; off < 0x290; off++)
		assert_int_equal(zp[off], 0);
	assert_int_equal(zp[0x1ef], 0);           /* sentinel */
	for (unsigned off = 0; off < 0x40; off++) /* screen_info: no VGA, no framebuffer */
		assert_int_equal(zp[off], 0);
	assert_int_equal(zp[0x210], 0xff);        /* type_of_loader */
	assert_int_equal(get(zp, 0x1fa, 2), 0xffff);
	assert_int_equal(get(zp, 0x214, 4), p->kernel_gpa);
	assert_int_equal(get(zp, 0x228, 4) | get(zp, 0xc8, 4) << 32, p->cmdline_gpa);
	assert_int_equal(get(zp, 0x218, 4) | get(zp, 0xc0, 4) << 32, p->initrd_gpa);
	assert_int_equal(get(zp, 0x21c, 4) | get(zp, 0xc4, 4) << 32, c->initrd_size);
	assert_int_equal(get(zp, 0x70, 8), c->acpi_rsdp);
	assert_int_equal(get(zp, 0x250, 8), 0);
	assert_int_equal(zp[0x1e8], c->e820_n);
	for (unsigned i = 0; i < c->e820_n; i++) {
		const uint8_t *e = zp + 0x2d0 + i * 20;
		assert_int_equal(get(e, 0, 8), c->e820[i].base);
		assert_int_equal(get(e, 8, 8), c->e820[i].size);
		assert_int_equal(get(e, 16, 4), c->e820[i].type);
	}
	assert_string_equal((const char *)linux_plan_boot(p) + LINUX_BB_CMDLINE, cmd);
}

static void check_plan(const struct linux_image *k, const struct linux_boot_cfg *c,
		       const struct linux_plan *p)
{
	const struct gplace *g = &p->mem;
	const uint8_t *bb = linux_plan_boot(p);

	/* Everything placed is disjoint free RAM below 4 GiB. */
	for (unsigned i = 0; i < g->nr_used; i++) {
		assert_true(in_ram(c, g->used[i].base, g->used[i].size));
		for (unsigned j = 0; j < i; j++)
			assert_false(g->used[i].base < g->used[j].base + g->used[j].size &&
				     g->used[j].base < g->used[i].base + g->used[i].size);
	}
	/* The kernel: aligned, at or above pref_address, init_size of room. */
	if (k->relocatable) {
		assert_int_equal(p->kernel_gpa % k->kernel_alignment, 0);
		assert_true(p->kernel_gpa >= k->pref_address);
	} else {
		assert_int_equal(p->kernel_gpa, k->pref_address);
	}
	assert_int_equal(p->kernel_size, k->init_size);
	assert_true(in_ram(c, p->kernel_gpa, p->kernel_size));
	/* Copies: inside their reserved ranges, sources inside their buffers. */
	assert_int_equal(p->nr_copies, c->initrd_size ? 3 : 2);
	assert_int_equal(p->copies[0].src, LINUX_SRC_IMAGE);
	assert_int_equal(p->copies[0].gpa, p->kernel_gpa);
	assert_int_equal(p->copies[0].offset, k->setup_size);
	assert_true(p->copies[0].offset + p->copies[0].len <= k->size);
	assert_true(p->copies[0].len <= p->kernel_size);
	assert_ptr_equal(linux_copy_src(k, c, p, &p->copies[0]), k->img + k->setup_size);
	assert_ptr_equal(linux_copy_src(k, c, p, &p->copies[1]), linux_plan_boot(p));
	assert_int_equal(p->copies[1].src, LINUX_SRC_BOOT);
	assert_int_equal(p->copies[1].gpa, p->boot_gpa);
	assert_int_equal(p->copies[1].len, p->boot_len);
	assert_true(p->boot_len <= LINUX_BB_MAX);
	assert_int_equal(p->boot_gpa % 4096, 0);
	assert_true(in_ram(c, p->boot_gpa, p->boot_len));
	if (c->initrd_size) {
		assert_int_equal(p->copies[2].src, LINUX_SRC_INITRD);
		assert_ptr_equal(linux_copy_src(k, c, p, &p->copies[2]), c->initrd);
		assert_int_equal(p->copies[2].gpa, p->initrd_gpa);
		assert_int_equal(p->copies[2].len, c->initrd_size);
		assert_true(in_ram(c, p->initrd_gpa, p->initrd_size));
		assert_true(p->initrd_gpa + p->initrd_size - 1 <= k->initrd_addr_max);
	}
	/* The boot block stays clear of the decompressor's trampoline. */
	if (in_ram(c, 0x9d000, 0x2000))
		assert_false(p->boot_gpa < 0x9f000 && 0x9d000 < p->boot_gpa + p->boot_len);
	/* Entry state. */
	assert_int_equal(p->entry.rip, p->kernel_gpa + 0x200);
	assert_int_equal(p->entry.rsi, p->zero_page_gpa);
	assert_int_equal(p->zero_page_gpa, p->boot_gpa + LINUX_BB_ZERO);
	assert_int_equal(p->entry.cr3, p->boot_gpa);
	assert_int_equal(p->entry.rflags & 0x200, 0);
	assert_int_equal(p->entry.cr0 & 0x80000001u, 0x80000001u);
	assert_int_equal(p->entry.cr4 & 0x20, 0x20);
	assert_int_equal(p->entry.efer & 0x500, 0x500);
	assert_int_equal(p->entry.cs, 0x10);
	assert_int_equal(p->entry.ds, 0x18);
	assert_int_equal(p->entry.gdt_base, p->boot_gpa + LINUX_BB_GDT);
	assert_int_equal(p->entry.gdt_limit, 31);
	assert_int_equal(get(bb, LINUX_BB_GDT + 0x10, 8), 0x00af9b000000ffffull);
	assert_int_equal(get(bb, LINUX_BB_GDT + 0x18, 8), 0x00cf93000000ffffull);
	assert_true(p->entry.rsp > p->entry.gdt_base + 32 && p->entry.rsp <= p->boot_gpa + 0x8000);
	/* Identity-mapped: kernel (init_size), boot block, initrd, all of 4 GiB. */
	check_mapped(p, p->kernel_gpa, p->kernel_size);
	check_mapped(p, p->boot_gpa, p->boot_len);
	check_mapped(p, p->initrd_gpa, p->initrd_size);
	check_mapped(p, 0, 4 * GIB);
	check_zero_page(k, c, p);
}

static struct linux_plan *plan_ok(const struct linux_image *k, const struct linux_boot_cfg *c)
{
	struct linux_plan *p = malloc(sizeof(*p));
	char err[200] = "";

	assert_non_null(p);
	if (linux_plan(k, c, p, err, sizeof(err)))
		fail_msg("plan refused: %s", err);
	check_plan(k, c, p);
	return p;
}

static void plan_refused(const struct linux_image *k, const struct linux_boot_cfg *c, int rc,
			 const char *want)
{
	struct linux_plan *p = malloc(sizeof(*p));
	char err[200] = "";

	assert_non_null(p);
	assert_int_equal(linux_plan(k, c, p, err, sizeof(err)), rc);
	if (!strstr(err, want))
		fail_msg("error '%s' does not mention '%s'", err, want);
	free(p);
}

/* ---- parse ---- */

static void test_parse_synthetic(void **state)
{
	uint8_t *b = make_bz();
	struct linux_image k = parse_ok(b, BZ_SIZE);

	assert_ptr_equal(k.img, b);
	assert_int_equal(k.size, BZ_SIZE);
	assert_int_equal(k.version, 0x020f);
	assert_int_equal(k.setup_sects, SETUP_SECTS);
	assert_int_equal(k.setup_size, SETUP_SIZE);
	assert_int_equal(k.hdr_end, HDR_END);
	assert_int_equal(k.pm_offset, SETUP_SIZE);
	assert_int_equal(k.pm_size, PM_SIZE);
	assert_int_equal(k.kernel_alignment, 0x200000);
	assert_int_equal(k.relocatable, 1);
	assert_int_equal(k.min_alignment, 21);
	assert_int_equal(k.xloadflags, 3);
	assert_int_equal(k.pref_address, 0x1000000);
	assert_int_equal(k.init_size, 0x400000);
	assert_int_equal(k.cmdline_size, 2047);
	assert_int_equal(k.initrd_addr_max, 0x7fffffff);
	assert_string_equal(k.version_str, VERSION_STR);
	/* setup_sects 0 means 4. */
	put(b, 0x1f1, 0, 1);
	k = parse_ok(b, BZ_SIZE);
	assert_int_equal(k.setup_sects, 4);
	/* A signed image carries bytes after syssize: they are not loaded. */
	put(b, 0x1f4, (PM_SIZE - 0x200) / 16, 4);
	put(b, 0x24c, 0xc00, 4); /* payload_length */
	k = parse_ok(b, BZ_SIZE);
	assert_int_equal(k.pm_size, PM_SIZE - 0x200);
	free(b);
}

static void test_every_truncation(void **state)
{
	uint8_t *full = make_bz();

	for (size_t n = 0; n < BZ_SIZE; n++) {
		uint8_t *b = malloc(n ? n : 1);
		struct linux_image k;
		char err[160] = "";

		memcpy(b, full, n);
		assert_int_equal(linux_parse(b, n, &k, err, sizeof(err)), -ENOEXEC);
		if (!strstr(err, "truncated") && !strstr(err, "file has only"))
			fail_msg("cut at %zu: '%s'", n, err);
		free(b);
	}
	free(full);
}

static void test_bad_fields(void **state)
{
	static const struct {
		unsigned off, width;
		uint64_t val;
		const char *want;
	} cases[] = {
		{ 0x1fe, 2, 0x55aa, "boot_flag at 0x1fe is 0x55aa" },
		{ 0x202, 4, 0x53726449, "not \"HdrS\"" },
		{ 0x206, 2, 0x020b, "2.11 is too old" },
		{ 0x206, 2, 0x0200, "2.00 is too old" },
		{ 0x200, 1, 0xe9, "jump at 0x200 is e9" },
		{ 0x201, 1, 0x90, "not a forward short jmp" },
		{ 0x201, 1, 0x50, "setup header ends at 0x252" },
		{ 0x1f1, 1, 0xff, "setup_sects 255" },
		{ 0x1f1, 1, 12, "setup_sects 12 puts the kernel at 0x1a00" },
		{ 0x211, 1, 0x00, "LOADED_HIGH" },
		{ 0x236, 2, 0x02, "XLF_KERNEL_64" },
		{ 0x1f4, 4, 0, "syssize is 0" },
		{ 0x1f4, 4, 0x10000000, "syssize says 0x100000000 bytes" },
		{ 0x1f4, 4, 0x20, "no room for the 64-bit entry" },
		{ 0x24c, 2, 0, "payload (offset 0x100, length 0x0)" },
		{ 0x248, 4, 0xffffffff, "payload (offset 0xffffffff" },
		{ 0x24c, 4, 0x1000, "beyond the kernel's 0x1000 bytes" },
		{ 0x230, 4, 0, "kernel_alignment 0x0 is not" },
		{ 0x230, 4, 0x300000, "kernel_alignment 0x300000" },
		{ 0x230, 4, 0x100, "kernel_alignment 0x100" },
		{ 0x230, 4, 0x80000000, "kernel_alignment 0x80000000" },
		{ 0x260, 4, 0x800, "init_size 0x800 is smaller" },
		{ 0x258, 8, 0x1000, "pref_address 0x1000" },
		{ 0x258, 8, 0x100000000ull, "pref_address 0x100000000" },
		{ 0x258, 8, 0xfff00000, "pref_address 0xfff00000 (init_size 0x400000)" },
		{ 0x238, 4, 0, "cmdline_size is 0" },
		{ 0x22c, 4, 0xfffff, "initrd_addr_max 0xfffff" },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *b = make_bz();
		put(b, cases[i].off, cases[i].val, cases[i].width);
		parse_refused(b, BZ_SIZE, cases[i].want);
		free(b);
	}
}

static void test_version_string(void **state)
{
	uint8_t *b = make_bz();
	struct linux_image k;

	put(b, 0x20e, 0, 2); /* none */
	k = parse_ok(b, BZ_SIZE);
	assert_string_equal(k.version_str, "");
	put(b, 0x20e, SETUP_SIZE, 2); /* outside the setup: ignored */
	k = parse_ok(b, BZ_SIZE);
	assert_string_equal(k.version_str, "");
	put(b, 0x20e, SETUP_SIZE - 0x200 - 3, 2); /* runs into the end of the setup */
	memcpy(b + SETUP_SIZE - 3, "abc", 3);
	k = parse_ok(b, BZ_SIZE);
	assert_string_equal(k.version_str, "abc");
	put(b, 0x20e, 0x100, 2);
	memset(b + 0x300, 'x', 200); /* long: cut to the buffer */
	k = parse_ok(b, BZ_SIZE);
	assert_int_equal(strlen(k.version_str), sizeof(k.version_str) - 1);
	b[0x302] = 0x07; /* control bytes end it */
	k = parse_ok(b, BZ_SIZE);
	assert_string_equal(k.version_str, "xx");
	free(b);
}

static void test_parse_null_and_errlen(void **state)
{
	uint8_t *b = make_bz();
	struct linux_image k;
	char err[8];

	assert_int_equal(linux_parse(NULL, 0, &k, err, sizeof(err)), -ENOEXEC);
	put(b, 0x1fe, 0, 2);
	assert_int_equal(linux_parse(b, BZ_SIZE, &k, NULL, 0), -ENOEXEC);
	assert_int_equal(linux_parse(b, BZ_SIZE, &k, err, sizeof(err)), -ENOEXEC);
	assert_int_equal(strlen(err), sizeof(err) - 1); /* cut, terminated */
	free(b);
}

/* Random corruption of the header: refused cleanly, or accepted and then
 * planned (or refused) with every invariant intact. */
static void test_random_corruption(void **state)
{
	struct map m = pc_map(512 * MIB);
	struct linux_boot_cfg c = cfg_for(&m, 512 * MIB, "console=ttyS0", 3 * MIB);
	struct linux_plan *p = malloc(sizeof(*p));
	unsigned accepted = 0;

	srand(4);
	for (int iter = 0; iter < 20000; iter++) {
		uint8_t *b = make_bz();
		struct linux_image k;
		char err[200];
		int flips = 1 + rand() % 4;

		for (int f = 0; f < flips; f++)
			b[0x1f1 + rand() % (HDR_END - 0x1f1)] = (uint8_t)rand();
		if (!linux_parse(b, BZ_SIZE, &k, err, sizeof(err))) {
			accepted++;
			if (!linux_plan(&k, &c, p, err, sizeof(err)))
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

/* ---- plans ---- */

static void test_plan_basic(void **state)
{
	uint8_t *b = make_bz();
	struct linux_image k = parse_ok(b, BZ_SIZE);
	struct map m = pc_map(256 * MIB);
	struct linux_boot_cfg c = cfg_for(&m, 256 * MIB, "console=ttyS0 quiet", MIB + 123);
	struct linux_plan *p;

	c.acpi_rsdp = 0xe0000;
	p = plan_ok(&k, &c);
	assert_int_equal(p->kernel_gpa, 0x1000000);
	assert_int_equal(p->boot_gpa, LINUX_BB_MIN_ADDR);
	assert_int_equal(p->boot_len, LINUX_BB_CMDLINE + strlen("console=ttyS0 quiet") + 1);
	assert_int_equal(p->initrd_gpa, (256 * MIB - (MIB + 123)) & ~0xfffull);
	assert_int_equal(p->entry.rip, 0x1000200);
	assert_int_equal(p->entry.rsi, LINUX_BB_MIN_ADDR + LINUX_BB_ZERO);
	free(p);
	/* No initrd, no command line. */
	c = cfg_for(&m, 256 * MIB, NULL, 0);
	p = plan_ok(&k, &c);
	assert_int_equal(p->nr_copies, 2);
	assert_int_equal(p->initrd_gpa, 0);
	assert_int_equal(p->boot_len, LINUX_BB_CMDLINE + 1);
	free(p);
	free(b);
}

static void test_plan_small_ram(void **state)
{
	uint8_t *b = make_bz();
	struct linux_image k = parse_ok(b, BZ_SIZE);
	struct map m = pc_map(20 * MIB);
	struct linux_boot_cfg c = cfg_for(&m, 20 * MIB, "x", 8 * MIB);
	struct linux_plan *p;

	/* Exactly room for the kernel at 16 MiB; the initrd goes below it. */
	p = plan_ok(&k, &c);
	assert_int_equal(p->kernel_gpa, 16 * MIB);
	assert_int_equal(p->initrd_gpa, 8 * MIB);
	free(p);
	/* One byte more of initrd than 1..16 MiB holds. */
	c.initrd_size = 15 * MIB + 1;
	plan_refused(&k, &c, -ENOSPC, "initrd of 15728641 bytes does not fit");
	/* Too little RAM for init_size above pref_address. */
	m = pc_map(19 * MIB);
	c = cfg_for(&m, 19 * MIB, "", 0);
	plan_refused(&k, &c, -ENOSPC, "kernel needs 0x400000 bytes (init_size) of free RAM at 0x1000000");
	/* ram_size smaller than the map says: ram_size wins. */
	m = pc_map(64 * MIB);
	c = cfg_for(&m, 18 * MIB, "", 0);
	plan_refused(&k, &c, -ENOSPC, "guest RAM ends at 0x1200000");
	free(b);
}

static void test_plan_pref_blocked(void **state)
{
	uint8_t *b = make_bz();
	struct linux_image k = parse_ok(b, BZ_SIZE);
	struct map m = { .n = 0 };
	struct linux_boot_cfg c;
	struct linux_plan *p;

	add(&m, 0, 0x9fc00, E820_RAM);
	add(&m, MIB, 15 * MIB, E820_RAM);
	add(&m, 16 * MIB, MIB, E820_RESERVED);
	add(&m, 17 * MIB, 111 * MIB, E820_RAM);
	c = cfg_for(&m, 128 * MIB, "root=/dev/vda", 2 * MIB);
	p = plan_ok(&k, &c);
	assert_int_equal(p->kernel_gpa, 18 * MIB); /* next 2 MiB boundary in RAM */
	free(p);
	/* Not relocatable: pref_address or nothing. */
	put(b, 0x234, 0, 1);
	k = parse_ok(b, BZ_SIZE);
	plan_refused(&k, &c, -ENOSPC, "(not relocatable)");
	m.e[2] = (struct e820_entry){ 16 * MIB, 112 * MIB, E820_RAM };
	m.n = 3;
	c = cfg_for(&m, 128 * MIB, "root=/dev/vda", 2 * MIB);
	p = plan_ok(&k, &c);
	assert_int_equal(p->kernel_gpa, 16 * MIB);
	free(p);
	/* A 4 MiB alignment is honoured. */
	put(b, 0x234, 1, 1);
	put(b, 0x230, 0x400000, 4);
	put(b, 0x258, 0x1200000, 8);
	k = parse_ok(b, BZ_SIZE);
	p = plan_ok(&k, &c);
	assert_int_equal(p->kernel_gpa, 20 * MIB);
	free(p);
	free(b);
}

static void test_plan_large_ram(void **state)
{
	uint8_t *b = make_bz();
	struct linux_image k;
	struct map m = pc_map(3 * GIB);
	struct linux_boot_cfg c;
	struct linux_plan *p;

	add(&m, 3 * GIB, GIB, E820_RESERVED);  /* PCI hole */
	add(&m, 4 * GIB, 5 * GIB, E820_RAM);  /* above 4 GiB: never used */
	k = parse_ok(b, BZ_SIZE);
	c = cfg_for(&m, 9 * GIB, "console=ttyS0", 100 * MIB);
	p = plan_ok(&k, &c);
	assert_int_equal(p->initrd_gpa + p->initrd_size, 2 * GIB); /* initrd_addr_max */
	free(p);
	put(b, 0x22c, 0xffffffff, 4);
	k = parse_ok(b, BZ_SIZE);
	p = plan_ok(&k, &c);
	assert_int_equal(p->initrd_gpa + p->initrd_size, 3 * GIB); /* under the hole */
	free(p);
	/* An initrd bigger than all RAM below 4 GiB. */
	c.initrd_size = 3 * GIB;
	plan_refused(&k, &c, -ENOSPC, "initrd of 3221225472 bytes does not fit");
	/* A low initrd_addr_max leaves too little room. */
	put(b, 0x22c, 0x1ffffff, 4);
	k = parse_ok(b, BZ_SIZE);
	c.initrd_size = 20 * MIB;
	plan_refused(&k, &c, -ENOSPC, "initrd_addr_max 0x1ffffff");
	free(b);
}

/* Without low RAM the boot block goes above 1 MiB, clear of the kernel. */
static void test_plan_no_low_ram(void **state)
{
	uint8_t *b = make_bz();
	struct linux_image k = parse_ok(b, BZ_SIZE);
	struct map m = { .n = 0 };
	struct linux_boot_cfg c;
	struct linux_plan *p;

	add(&m, 0, MIB, E820_RESERVED);
	add(&m, MIB, 63 * MIB, E820_RAM);
	c = cfg_for(&m, 64 * MIB, "a=b", MIB);
	p = plan_ok(&k, &c);
	assert_int_equal(p->boot_gpa, MIB);
	free(p);
	/* Low RAM too small for the trampoline and the block: block goes high. */
	m.e[0] = (struct e820_entry){ 0, 0xa000, E820_RAM };
	p = plan_ok(&k, &c);
	assert_int_equal(p->boot_gpa, MIB);
	free(p);
	/* Low RAM that holds both. */
	m.e[0] = (struct e820_entry){ 0, 0x1b000, E820_RAM };
	p = plan_ok(&k, &c);
	assert_int_equal(p->boot_gpa, LINUX_BB_MIN_ADDR);
	free(p);
	/* One page less: the trampoline would sit on the block's last page. */
	m.e[0] = (struct e820_entry){ 0, 0x1a000, E820_RAM };
	p = plan_ok(&k, &c);
	assert_int_equal(p->boot_gpa, MIB);
	free(p);
	free(b);
}

static void test_plan_cmdline(void **state)
{
	uint8_t *b = make_bz();
	struct linux_image k = parse_ok(b, BZ_SIZE);
	struct map m = pc_map(128 * MIB);
	char *line = malloc(LINUX_CMDLINE_MAX + 10);
	struct linux_boot_cfg c;
	struct linux_plan *p;

	memset(line, 'a', LINUX_CMDLINE_MAX + 9);
	line[LINUX_CMDLINE_MAX + 9] = 0;
	line[2047] = 0;
	c = cfg_for(&m, 128 * MIB, line, 0);
	p = plan_ok(&k, &c); /* exactly cmdline_size */
	assert_int_equal(p->boot_len, LINUX_BB_CMDLINE + 2048);
	free(p);
	line[2047] = 'a';
	line[2048] = 0;
	plan_refused(&k, &c, -EINVAL, "command line is 2048 bytes; the kernel takes at most 2047");
	line[2048] = 'a';
	plan_refused(&k, &c, -EINVAL, "command line is 4096+ bytes; the kernel takes at most 2047");
	/* A kernel that takes more than our buffer: our limit applies. */
	put(b, 0x238, 100000, 4);
	k = parse_ok(b, BZ_SIZE);
	plan_refused(&k, &c, -EINVAL, "at most 4095");
	line[4095] = 0;
	p = plan_ok(&k, &c);
	assert_int_equal(p->boot_len, LINUX_BB_MAX);
	free(p);
	free(line);
	free(b);
}

static void test_plan_bad_cfg(void **state)
{
	uint8_t *b = make_bz();
	struct linux_image k = parse_ok(b, BZ_SIZE);
	struct linux_image none = { .img = NULL };
	struct map m = pc_map(128 * MIB);
	struct linux_boot_cfg c = cfg_for(&m, 128 * MIB, "", 0);

	plan_refused(&none, &c, -EINVAL, "no parsed kernel");
	c.e820_n = 0;
	plan_refused(&k, &c, -EINVAL, "memory map has 0 entries");
	c.e820_n = E820_MAX_ENTRIES + 1;
	plan_refused(&k, &c, -EINVAL, "129 entries");
	/* The map is passed through as given: 128 entries fit boot_params. */
	m.n = 0;
	for (unsigned i = 0; i < E820_MAX_ENTRIES - 1; i++)
		add(&m, i * 0x1000, 0x1000, i & 1 ? E820_RESERVED : E820_RAM);
	add(&m, MIB, 127 * MIB, E820_RAM);
	c = cfg_for(&m, 128 * MIB, "", 0);
	free(plan_ok(&k, &c));
	free(b);
}

/* ---- a real kernel ---- */

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static uint8_t *find_real_kernel(size_t *size, char *path, size_t pathlen)
{
	const char *env = getenv("LINUX_BZIMAGE");
	uint8_t *img = NULL;
	glob_t gl;

	if (env && *env) {
		snprintf(path, pathlen, "%s", env);
		return read_file(env, size);
	}
	/* Debian's kernel as `make linux-guest` fetched it (tests run from the
	 * top of the tree), else the build machine's own. */
	if ((img = read_file("build/linux/vmlinuz", size))) {
		snprintf(path, pathlen, "build/linux/vmlinuz");
		return img;
	}
	if (glob("/boot/vmlinuz-*", 0, NULL, &gl))
		return NULL;
	for (size_t i = 0; i < gl.gl_pathc && !img; i++) {
		img = read_file(gl.gl_pathv[i], size);
		snprintf(path, pathlen, "%s", gl.gl_pathv[i]);
	}
	globfree(&gl);
	return img;
}

static void test_real_kernel(void **state)
{
	char path[512] = "";
	size_t size = 0;
	uint8_t *img = find_real_kernel(&size, path, sizeof(path));
	struct linux_image k;
	struct linux_plan *p;
	char err[200];

	if (!img) {
		print_message("no readable bzImage (LINUX_BZIMAGE, build/linux/vmlinuz or "
			      "/boot/vmlinuz-*): skipped\n");
		skip();
	}
	print_message("real kernel: %s (%zu bytes)\n", path, size);
	if (linux_parse(img, size, &k, err, sizeof(err)))
		fail_msg("%s refused: %s", path, err);
	print_message("  Linux %s, protocol %u.%02u, init_size 0x%x, pref 0x%lx\n", k.version_str,
		      k.version >> 8, k.version & 0xff, k.init_size, (unsigned long)k.pref_address);
	assert_true(k.version_str[0] >= '2' && k.version_str[0] <= '9');
	assert_true(k.pm_offset + k.pm_size <= size);
	/* A 512 MiB guest with a 30 MiB initrd. */
	struct map m = pc_map(512 * MIB);
	struct linux_boot_cfg c = cfg_for(&m, 512 * MIB, "console=ttyS0 panic=-1", 30 * MIB);
	p = plan_ok(&k, &c);
	assert_int_equal(p->kernel_gpa, k.pref_address);
	free(p);
	/* Too small for init_size above pref_address. */
	m = pc_map(48 * MIB);
	c = cfg_for(&m, 48 * MIB, "", 0);
	if (k.pref_address + k.init_size > 48 * MIB)
		plan_refused(&k, &c, -ENOSPC, "kernel needs");
	/* Truncations: the header region byte by byte, then the rest sampled
	 * (bytes past syssize, e.g. a signature, may be cut: not loaded). */
	size_t need = k.pm_offset + k.pm_size;
	for (size_t n = 0; n < need; n = n < 0x1000 ? n + 1 : n + need / 997 + 1) {
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, img, n);
		assert_int_equal(linux_parse(cut, n, &k, err, sizeof(err)), -ENOEXEC);
		free(cut);
	}
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_synthetic),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_version_string),
		cmocka_unit_test(test_parse_null_and_errlen),
		cmocka_unit_test(test_random_corruption),
		cmocka_unit_test(test_plan_basic),
		cmocka_unit_test(test_plan_small_ram),
		cmocka_unit_test(test_plan_pref_blocked),
		cmocka_unit_test(test_plan_large_ram),
		cmocka_unit_test(test_plan_no_low_ram),
		cmocka_unit_test(test_plan_cmdline),
		cmocka_unit_test(test_plan_bad_cfg),
		cmocka_unit_test(test_real_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
