/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host tests of kernel/elf.c: valid images, every truncation, corrupted and
 * hostile headers, and random corruption (run under ASan/UBSan, so any
 * read outside the buffer fails the test).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/elf.h"

#define IMG_MAX 0x3000

/* A two-segment image like the hypervisor's: text (R X) and data (R W, bss). */
struct image {
	uint8_t *buf; /* malloc'd with exactly `size` bytes, so ASan sees overreads */
	size_t size;
};

static struct elf64_ehdr base_ehdr(void)
{
	struct elf64_ehdr eh = {
		.ident = { 0x7f, 'E', 'L', 'F', 2, 1, 1 },
		.type = ELF_ET_EXEC,
		.machine = ELF_EM_X86_64,
		.version = 1,
		.entry = 0x200010,
		.phoff = ELF_EHDR_SIZE,
		.ehsize = ELF_EHDR_SIZE,
		.phentsize = ELF_PHDR_SIZE,
		.phnum = 2,
	};
	return eh;
}

static struct elf64_phdr seg(uint32_t flags, uint64_t off, uint64_t addr,
			     uint64_t filesz, uint64_t memsz)
{
	struct elf64_phdr ph = { ELF_PT_LOAD, flags, off, addr, addr, filesz, memsz, 0x1000 };
	return ph;
}

/* Builds eh + phdrs into a buffer of `size` bytes (file bytes beyond the headers are 0xcc). */
static struct image make(const struct elf64_ehdr *eh, const struct elf64_phdr *ph,
			 unsigned n, size_t size)
{
	uint8_t tmp[IMG_MAX];
	struct image im = { malloc(size ? size : 1), size };

	assert_true(size <= IMG_MAX);
	memset(tmp, 0xcc, sizeof(tmp));
	memcpy(tmp, eh, sizeof(*eh));
	for (unsigned i = 0; i < n; i++)
		memcpy(tmp + eh->phoff + i * ELF_PHDR_SIZE, &ph[i], sizeof(ph[i]));
	memcpy(im.buf, tmp, size);
	return im;
}

static struct image good(void)
{
	struct elf64_ehdr eh = base_ehdr();
	struct elf64_phdr ph[2] = {
		seg(ELF_PF_R | ELF_PF_X, 0x1000, 0x200000, 0x800, 0x800),
		seg(ELF_PF_R | ELF_PF_W, 0x2000, 0x201000, 0x100, 0x3000),
	};
	return make(&eh, ph, 2, 0x2100);
}

static enum elf_reason check(struct image im)
{
	struct elf64_info info;
	int r = elf64_check(im.buf, im.size, &info);

	assert_int_equal(r == 0, info.reason == ELF_OK);
	if (r)
		assert_int_equal(r, -ENOEXEC);
	free(im.buf);
	return info.reason;
}

static void test_valid(void **state)
{
	struct image im = good();
	struct elf64_info info;
	struct elf64_phdr ph;

	assert_int_equal(elf64_check(im.buf, im.size, &info), 0);
	assert_int_equal(info.nr_load, 2);
	assert_int_equal(info.phnum, 2);
	assert_int_equal(info.entry, 0x200010);
	assert_int_equal(info.entry_paddr, 0x200010);
	assert_int_equal(info.paddr_lo, 0x200000);
	assert_int_equal(info.paddr_hi, 0x204000);
	assert_int_equal(elf64_phdr(im.buf, im.size, 1, &ph), 0);
	assert_int_equal(ph.memsz, 0x3000);
	assert_int_equal(elf64_phdr(im.buf, im.size, 2, &ph), -EINVAL);
	free(im.buf);
}

/* Linked high, loaded low: the entry is translated through its segment. */
static void test_entry_translated(void **state)
{
	struct elf64_ehdr eh = base_ehdr();
	struct elf64_phdr ph = seg(ELF_PF_R | ELF_PF_X, 0x1000, 0x200000, 0x100, 0x100);
	struct elf64_info info;
	struct image im;

	ph.vaddr = 0xffffffff80000000ull;
	eh.entry = 0xffffffff80000040ull;
	eh.phnum = 1;
	im = make(&eh, &ph, 1, 0x1100);
	assert_int_equal(elf64_check(im.buf, im.size, &info), 0);
	assert_int_equal(info.entry_paddr, 0x200040);
	free(im.buf);
}

static void test_every_truncation(void **state)
{
	struct image full = good();

	for (size_t n = 0; n < full.size; n++) {
		struct image im = { malloc(n ? n : 1), n };
		enum elf_reason want = n < ELF_EHDR_SIZE ? ELF_ERR_TRUNCATED
				       : n < ELF_EHDR_SIZE + 2 * ELF_PHDR_SIZE ? ELF_ERR_PHDR
									       : ELF_ERR_SEG_FILE;
		memcpy(im.buf, full.buf, n);
		assert_int_equal(check(im), want);
	}
	free(full.buf);
}

static void test_ident_and_header(void **state)
{
	static const struct {
		unsigned off;
		uint8_t val;
		enum elf_reason want;
	} cases[] = {
		{ 0, 0x7e, ELF_ERR_MAGIC }, { 1, 'e', ELF_ERR_MAGIC }, { 3, 'G', ELF_ERR_MAGIC },
		{ 4, 1, ELF_ERR_CLASS },    /* ELFCLASS32 */
		{ 4, 0, ELF_ERR_CLASS },
		{ 5, 2, ELF_ERR_DATA },     /* big-endian */
		{ 6, 0, ELF_ERR_VERSION },
		{ 16, 3, ELF_ERR_TYPE },    /* ET_DYN */
		{ 16, 1, ELF_ERR_TYPE },    /* ET_REL */
		{ 18, 3, ELF_ERR_MACHINE }, /* EM_386 */
		{ 18, 0xb7, ELF_ERR_MACHINE }, /* EM_AARCH64 */
		{ 20, 2, ELF_ERR_VERSION },
		{ 52, 32, ELF_ERR_PHDR },   /* ehsize */
		{ 54, 32, ELF_ERR_PHDR },   /* phentsize too small */
		{ 56, 0, ELF_ERR_PHDR },    /* phnum 0 */
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct image im = good();

		im.buf[cases[i].off] = cases[i].val;
		assert_int_equal(check(im), cases[i].want);
	}
}

/* Overwrites n little-endian bytes of a good image at off. */
static struct image patched(unsigned off, uint64_t val, unsigned n)
{
	struct image im = good();

	memcpy(im.buf + off, &val, n);
	return im;
}

static void test_phdr_table_hostile(void **state)
{
	struct elf64_ehdr eh = base_ehdr();
	struct elf64_phdr ph[2] = {
		seg(ELF_PF_R | ELF_PF_X, 0x1000, 0x200000, 0x800, 0x800),
		seg(ELF_PF_R | ELF_PF_W, 0x2000, 0x201000, 0x100, 0x3000),
	};
	uint8_t tmp[0x2100];
	struct image im;

	assert_int_equal(check(patched(56, 0xffff, 2)), ELF_ERR_PHDR); /* PN_XNUM */
	assert_int_equal(check(patched(56, ELF_MAX_PHNUM + 1, 2)), ELF_ERR_PHDR);
	assert_int_equal(check(patched(32, UINT64_MAX - 8, 8)), ELF_ERR_PHDR); /* wraps */
	assert_int_equal(check(patched(32, 0x2100 - ELF_PHDR_SIZE, 8)), ELF_ERR_PHDR);
	assert_int_equal(check(patched(32, 0x2100, 8)), ELF_ERR_PHDR);
	/* A larger phentsize is allowed: the table is strided by it. */
	eh.phentsize = 64;
	memset(tmp, 0, sizeof(tmp));
	memcpy(tmp, &eh, sizeof(eh));
	memcpy(tmp + 64, &ph[0], sizeof(ph[0]));
	memcpy(tmp + 128, &ph[1], sizeof(ph[1]));
	im = (struct image){ malloc(sizeof(tmp)), sizeof(tmp) };
	memcpy(im.buf, tmp, sizeof(tmp));
	assert_int_equal(check(im), ELF_OK);
}

static void test_segments_hostile(void **state)
{
	struct elf64_ehdr eh = base_ehdr();
	struct elf64_phdr text = seg(ELF_PF_R | ELF_PF_X, 0x1000, 0x200000, 0x800, 0x800);
	struct elf64_phdr ph[2];
	static const struct {
		uint64_t off, addr, filesz, memsz;
		enum elf_reason want;
	} cases[] = {
		{ 0x2000, 0x201000, 0x101, 0x3000, ELF_ERR_SEG_FILE },      /* one byte past EOF */
		{ UINT64_MAX - 0x10, 0x201000, 0x100, 0x3000, ELF_ERR_SEG_FILE }, /* offset wraps */
		{ 0x2000, 0x201000, UINT64_MAX, UINT64_MAX, ELF_ERR_SEG_FILE },
		{ 0x2000, 0x201000, 0x100, 0xff, ELF_ERR_SEG_SIZE },        /* memsz < filesz */
		{ 0x2000, UINT64_MAX - 0x1000, 0x100, 0x3000, ELF_ERR_SEG_ADDR }, /* paddr wraps */
		{ 0x2000, 0xfffff000, 0x100, 0x2000, ELF_ERR_SEG_ADDR },     /* crosses 4 GiB */
		{ 0x2000, 0x100000000ull, 0x100, 0x100, ELF_ERR_SEG_ADDR },  /* above 4 GiB */
		{ 0x2000, 0x200400, 0x100, 0x100, ELF_ERR_SEG_OVERLAP },     /* inside text */
		{ 0x2000, 0x1ff000, 0x100, 0x1001, ELF_ERR_SEG_OVERLAP },    /* touches text by 1 */
		{ 0x2000, 0x1ff000, 0x100, 0x1000, ELF_OK },                 /* ends where text starts */
		{ 0x2000, 0x200800, 0x100, 0x100, ELF_OK },                  /* shares text's page */
		{ 0x2000, 0xfffff000, 0x100, 0x1000, ELF_OK },               /* ends at 4 GiB */
		{ 0, 0x300000, 0, 0, ELF_OK },                               /* empty: ignored */
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct elf64_info info;
		struct image im;

		if (cases[i].want == ELF_OK) {
			/* Accepted: the span covers the real segments only. */
			ph[0] = text;
			ph[1] = seg(ELF_PF_R | ELF_PF_W, cases[i].off, cases[i].addr,
				    cases[i].filesz, cases[i].memsz);
			im = make(&eh, ph, 2, 0x2100);
			assert_int_equal(elf64_check(im.buf, im.size, &info), 0);
			assert_int_equal(info.paddr_lo, cases[i].memsz && cases[i].addr < 0x200000
							     ? cases[i].addr : 0x200000);
			free(im.buf);
		}
		ph[0] = text;
		ph[1] = seg(ELF_PF_R | ELF_PF_W, cases[i].off, cases[i].addr, cases[i].filesz,
			    cases[i].memsz);
		im = make(&eh, ph, 2, 0x2100);
		elf64_check(im.buf, im.size, &info);
		if (cases[i].want != ELF_OK)
			assert_int_equal(info.bad_phdr, 1);
		assert_int_equal(check(im), cases[i].want);
	}
}

static void test_entry_and_load(void **state)
{
	struct elf64_ehdr eh = base_ehdr();
	struct elf64_phdr ph[2] = {
		seg(ELF_PF_R | ELF_PF_X, 0x1000, 0x200000, 0x800, 0x800),
		seg(ELF_PF_R | ELF_PF_W, 0x2000, 0x201000, 0x100, 0x3000),
	};

	eh.entry = 0x201000; /* in the data segment: not executable */
	assert_int_equal(check(make(&eh, ph, 2, 0x2100)), ELF_ERR_ENTRY);
	eh.entry = 0x200800; /* one past the end of text */
	assert_int_equal(check(make(&eh, ph, 2, 0x2100)), ELF_ERR_ENTRY);
	eh.entry = 0;
	assert_int_equal(check(make(&eh, ph, 2, 0x2100)), ELF_ERR_ENTRY);
	eh.entry = 0x2007ff;
	assert_int_equal(check(make(&eh, ph, 2, 0x2100)), ELF_OK);
	/* Only non-PT_LOAD headers, with garbage fields that must be ignored. */
	ph[0].type = 4; /* PT_NOTE */
	ph[0].offset = UINT64_MAX;
	ph[1].type = 0x6474e551; /* PT_GNU_STACK */
	ph[1].paddr = UINT64_MAX;
	assert_int_equal(check(make(&eh, ph, 2, 0x2100)), ELF_ERR_NO_LOAD);
}

static void test_unaligned_buffer(void **state)
{
	struct image g = good();
	uint8_t *raw = malloc(g.size + 1);
	struct elf64_info info;

	memcpy(raw + 1, g.buf, g.size);
	assert_int_equal(elf64_check(raw + 1, g.size, &info), 0);
	assert_int_equal(info.entry_paddr, 0x200010);
	free(raw);
	free(g.buf);
}

/* Whatever random corruption does, an accepted image keeps its promises. */
static void test_random_corruption(void **state)
{
	srand(12345);
	for (int iter = 0; iter < 20000; iter++) {
		struct image im = good();
		struct elf64_info info;
		int flips = 1 + rand() % 4;

		for (int f = 0; f < flips; f++) {
			size_t pos = (size_t)rand() % 0x100; /* headers live in the first 176 bytes */
			im.buf[pos] = (uint8_t)rand();
		}
		if (elf64_check(im.buf, im.size, &info) == 0) {
			struct elf64_phdr ph;

			for (unsigned i = 0; i < info.phnum; i++) {
				assert_int_equal(elf64_phdr(im.buf, im.size, i, &ph), 0);
				if (ph.type != ELF_PT_LOAD)
					continue;
				assert_true(ph.offset <= im.size && ph.filesz <= im.size - ph.offset);
				assert_true(ph.filesz <= ph.memsz);
				assert_true(ph.paddr + ph.memsz <= ELF_PADDR_LIMIT);
			}
			assert_true(info.paddr_lo <= info.entry_paddr &&
				    info.entry_paddr < info.paddr_hi);
		}
		free(im.buf);
	}
}

/* A minimal ELF32 i386 executable: one RX segment at 0x100000. */
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

static void test_elf32_guest(void **state)
{
	uint8_t img[256] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };
	struct elf64_info info;
	struct elf64_phdr ph;

	put16(img + 16, 2);          /* ET_EXEC */
	put16(img + 18, 3);          /* EM_386 */
	put32(img + 20, 1);
	put32(img + 24, 0x100010);   /* entry */
	put32(img + 28, 52);         /* phoff */
	put16(img + 40, 52);         /* ehsize */
	put16(img + 42, 32);         /* phentsize */
	put16(img + 44, 1);          /* phnum */
	put32(img + 52, 1);          /* PT_LOAD */
	put32(img + 56, 0);          /* offset */
	put32(img + 60, 0x100000);   /* vaddr */
	put32(img + 64, 0x100000);   /* paddr */
	put32(img + 68, 256);        /* filesz */
	put32(img + 72, 0x2000);     /* memsz */
	put32(img + 76, 5);          /* R X */
	assert_int_equal(elf_check_guest(img, sizeof(img), &info), 0);
	assert_int_equal(info.entry_paddr, 0x100010);
	assert_int_equal(info.paddr_hi, 0x102000);
	assert_int_equal(elf64_phdr(img, sizeof(img), 0, &ph), 0);
	assert_int_equal(ph.memsz, 0x2000);
	/* The hypervisor loader takes ELF64 only. */
	assert_int_equal(elf64_check(img, sizeof(img), &info), -ENOEXEC);
	assert_int_equal(info.reason, ELF_ERR_CLASS);
	/* elf32-x86-64 (ELF32, EM_X86_64) is a guest image too; another
	 * machine, or a truncated image, is refused. */
	put16(img + 18, 62);
	assert_int_equal(elf_check_guest(img, sizeof(img), &info), 0);
	assert_int_equal(info.entry_paddr, 0x100010);
	put16(img + 18, 0x28); /* EM_ARM */
	assert_int_equal(elf_check_guest(img, sizeof(img), &info), -ENOEXEC);
	assert_int_equal(info.reason, ELF_ERR_MACHINE);
	put16(img + 18, 3);
	assert_int_equal(elf_check_guest(img, 100, &info), -ENOEXEC);
	assert_int_equal(info.reason, ELF_ERR_SEG_FILE);
	assert_int_equal(elf_check_guest(img, 40, &info), -ENOEXEC);
	assert_int_equal(info.reason, ELF_ERR_TRUNCATED);
}

static void test_reason_strings(void **state)
{
	for (int r = ELF_OK; r <= ELF_ERR_ENTRY; r++) {
		const char *s = elf_reason_str((enum elf_reason)r);
		assert_non_null(s);
		assert_true(strlen(s) > 4);
		assert_string_not_equal(s, "unknown error");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_entry_translated),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_ident_and_header),
		cmocka_unit_test(test_phdr_table_hostile),
		cmocka_unit_test(test_segments_hostile),
		cmocka_unit_test(test_entry_and_load),
		cmocka_unit_test(test_unaligned_buffer),
		cmocka_unit_test(test_random_corruption),
		cmocka_unit_test(test_reason_strings),
		cmocka_unit_test(test_elf32_guest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
