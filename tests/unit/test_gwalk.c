/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest page-table walker: tables built in a buffer standing for guest RAM,
 * in every paging mode, with large pages, permission faults and their #PF
 * error codes, reserved bits, non-canonical addresses, unreadable tables.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "vmm/core/gwalk.h"

#define MEM_SIZE 0x40000 /* guest RAM: 64 pages at guest-physical 0 */

#define CR0_PE (1ull << 0)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define P 1ull
#define RW 2ull
#define US 4ull
#define PS 0x80ull
#define XD (1ull << 63)

static uint8_t mem[MEM_SIZE];
static uint64_t next_table;
static unsigned reads;

static int read_entry(void *ctx, uint64_t gpa, uint64_t *val, unsigned size)
{
	assert_ptr_equal(ctx, mem);
	assert_true(size == 4 || size == 8);
	assert_int_equal(gpa % size, 0);
	reads++;
	if (gpa >= MEM_SIZE || MEM_SIZE - gpa < size)
		return -EFAULT;
	*val = 0;
	memcpy(val, mem + gpa, size);
	return 0;
}

static void put(uint64_t gpa, uint64_t v, unsigned size)
{
	memcpy(mem + gpa, &v, size);
}

static uint64_t get(uint64_t gpa, unsigned size)
{
	uint64_t v = 0;

	memcpy(&v, mem + gpa, size);
	return v;
}

static uint64_t new_table(void)
{
	uint64_t t = next_table;

	next_table += 0x1000;
	assert_true(next_table <= MEM_SIZE);
	return t;
}

static int setup(void **state)
{
	memset(mem, 0, sizeof(mem));
	next_table = 0x1000;
	reads = 0;
	return 0;
}

/* A paging layout, as the test builds it. */
struct layout {
	unsigned levels, esize, bits, top_bits;
	uint64_t top;        /* top table (CR3 base) */
};

/*
 * Maps la to pa with a leaf at level leaf (0 = PT, 1 = PD, ...); tables on
 * the way get P|RW|US, the leaf gets flags (PS added for large leaves).
 * ent[l] receives the address of the entry at level l, to tweak.
 */
static void map(const struct layout *lay, uint64_t la, unsigned leaf, uint64_t pa,
		uint64_t flags, uint64_t ent[5])
{
	uint64_t table = lay->top;
	uint64_t amask = lay->esize == 4 ? 0xfffff000ull : 0x000ffffffffff000ull;

	for (unsigned l = lay->levels - 1;; l--) {
		unsigned bits = l == lay->levels - 1 ? lay->top_bits : lay->bits;
		uint64_t idx = (la >> (12 + lay->bits * l)) & ((1ull << bits) - 1);
		uint64_t at = table + idx * lay->esize;
		ent[l] = at;
		if (l == leaf) {
			put(at, pa | flags | (leaf ? PS : 0), lay->esize);
			return;
		}
		uint64_t e = get(at, lay->esize);
		if (!(e & P)) {
			e = new_table() | P | RW | US;
			/* PAE PDPTEs: only P (bits 2:1 are reserved there). */
			if (lay->top_bits == 2 && l == lay->levels - 1)
				e &= ~(RW | US);
			put(at, e, lay->esize);
		}
		table = e & amask;
	}
}

static int walk(const struct gwalk_regs *r, uint64_t la, unsigned access, uint64_t *gpa,
		uint32_t *err)
{
	*err = 0xdead;
	return gwalk(r, la, access, read_entry, mem, gpa, err);
}

static void test_paging_off(void **state)
{
	struct gwalk_regs r = { .cr0 = CR0_PE };
	uint64_t gpa;
	uint32_t err;

	assert_int_equal(walk(&r, 0x123456789ull, GW_WRITE, &gpa, &err), 0);
	assert_int_equal(gpa, 0x23456789);
	assert_int_equal(reads, 0);
	r.cr0 = 0;
	assert_int_equal(walk(&r, 0xfffff, GW_FETCH | GW_USER, &gpa, &err), 0);
	assert_int_equal(gpa, 0xfffff);
}

static const struct layout l32 = { 2, 4, 10, 10, 0x1000 };

static void test_32bit(void **state)
{
	struct gwalk_regs r = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000 };
	uint64_t gpa, ent[5];
	uint32_t err;

	next_table = 0x2000;
	map(&l32, 0xc0123000, 0, 0xabcde000, P | RW | US, ent);
	assert_int_equal(walk(&r, 0xc0123456, GW_WRITE | GW_USER, &gpa, &err), 0);
	assert_int_equal(gpa, 0xabcde456);
	assert_int_equal(reads, 2);
	/* Upper bits of a linear address are dropped outside long mode. */
	assert_int_equal(walk(&r, 0x77000000c0123456ull, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0xabcde456);
	/* Not present: the PT entry, then the PDE. */
	assert_int_equal(walk(&r, 0xc0124000, GW_WRITE, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_W);
	assert_int_equal(walk(&r, 0x00400000, GW_USER, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_U);
	/* No NX and no SMEP: a fetch fault has no I/D bit. */
	assert_int_equal(walk(&r, 0x00400000, GW_FETCH, &gpa, &err), -EFAULT);
	assert_int_equal(err, 0);
	r.efer = EFER_NXE; /* NXE means nothing to 32-bit paging */
	assert_int_equal(walk(&r, 0x00400000, GW_FETCH, &gpa, &err), -EFAULT);
	assert_int_equal(err, 0);
	/* A read-only PDE makes the whole 4 MiB read-only for users, and for
	 * the supervisor once CR0.WP is set. */
	put(ent[1], get(ent[1], 4) & ~RW, 4);
	assert_int_equal(walk(&r, 0xc0123000, GW_WRITE | GW_USER, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_W | PF_U);
	assert_int_equal(walk(&r, 0xc0123000, GW_WRITE, &gpa, &err), 0);
	r.cr0 |= CR0_WP;
	assert_int_equal(walk(&r, 0xc0123000, GW_WRITE, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_W);
	assert_int_equal(walk(&r, 0xc0123000, GW_USER, &gpa, &err), 0);
}

static void test_32bit_pse(void **state)
{
	struct gwalk_regs r = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PSE };
	uint64_t gpa, ent[5];
	uint32_t err;

	next_table = 0x2000;
	/* A 4 MiB page with PSE-36 address bits 39:32 = 0x12 in PDE bits 20:13. */
	map(&l32, 0x80400000, 1, 0x00800000 | (0x12ull << 13), P | RW, ent);
	assert_int_equal(walk(&r, 0x80754321, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x1200800000ull + 0x354321);
	assert_int_equal(reads, 1);
	/* Bit 21 is reserved in a 4 MiB PDE. */
	put(ent[1], get(ent[1], 4) | (1u << 21), 4);
	assert_int_equal(walk(&r, 0x80400000, GW_WRITE, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_W | PF_RSVD);
	/* Without CR4.PSE the PS bit is ignored: the PDE points to a table. */
	put(ent[1], 0x3000 | PS | P | RW, 4);
	put(0x3000 + 4 * 0x3, 0x55555000 | P, 4);
	r.cr4 = 0;
	assert_int_equal(walk(&r, 0x80403abc, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x55555abc);
}

static const struct layout lpae = { 3, 8, 9, 2, 0x1020 };

static void test_pae(void **state)
{
	struct gwalk_regs r = { .cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = 0x1020,
				.cr4 = CR4_PAE, .efer = EFER_NXE };
	uint64_t gpa, ent[5], ent2[5];
	uint32_t err;

	next_table = 0x2000;
	map(&lpae, 0xc0000000, 0, 0x123456789000ull, P | RW, ent);
	map(&lpae, 0xc0200000, 1, 0x40000000ull, P | XD, ent2);
	assert_int_equal(ent[2], 0x1020 + 3 * 8);
	assert_int_equal(walk(&r, 0xc0000abc, GW_WRITE, &gpa, &err), 0);
	assert_int_equal(gpa, 0x123456789abcull);
	assert_int_equal(walk(&r, 0xc0312345, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x40112345);
	/* XD on the 2 MiB leaf: a fetch faults with I/D (PAE and NXE). */
	assert_int_equal(walk(&r, 0xc0312345, GW_FETCH, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_I);
	assert_int_equal(walk(&r, 0xc0312345, GW_WRITE, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_W);
	/* Without NXE, XD is a reserved bit. */
	r.efer = 0;
	assert_int_equal(walk(&r, 0xc0312345, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_RSVD);
	/* PDPTE: R/W and XD are reserved there, whatever NXE says. */
	r.efer = EFER_NXE;
	put(ent[2], get(ent[2], 8) | RW, 8);
	assert_int_equal(walk(&r, 0xc0000000, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_RSVD);
	put(ent[2], (get(ent[2], 8) & ~RW) | XD, 8);
	assert_int_equal(walk(&r, 0xc0000000, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_RSVD);
	/* A not-present PDPTE. */
	assert_int_equal(walk(&r, 0x00001000, GW_FETCH | GW_USER, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_U | PF_I);
	/* 2 MiB leaf bits 20:13 are reserved. */
	put(ent2[1], get(ent2[1], 8) | (1ull << 13), 8);
	assert_int_equal(walk(&r, 0xc0200000, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_RSVD);
}

/*
 * PAE PDPTEs by vendor. Intel: bits 63:52, 8:5 and 2:1 are reserved.
 * AMD: only 63:52; the CPU may set Accessed (bit 5) in the PDPE it walks
 * (QEMU's AMD model does, and the first decoded exit of a PAE guest
 * crashed on it), and a PDPE with R/W set must walk too. PDEs and PTEs:
 * bits 62:52 reserved under both.
 */
static void test_pae_vendors(void **state)
{
	struct gwalk_regs r = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1020, .cr4 = CR4_PAE,
				.efer = EFER_NXE };
	const uint64_t A = 1ull << 5, D = 1ull << 6, G = 1ull << 8;
	uint64_t gpa, ent[5], pdpte;
	uint32_t err;

	next_table = 0x2000;
	map(&lpae, 0x40001000, 0, 0x9000, P | RW, ent);
	pdpte = get(ent[2], 8);
	for (int amd = 0; amd <= 1; amd++) {
		r.amd = amd;
		const uint64_t bits[] = { A, RW, US, D, PS, G, 1ull << 52, 1ull << 62, XD };
		for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
			put(ent[2], pdpte | bits[i], 8);
			bool rsvd = !amd || bits[i] >= (1ull << 52);
			assert_int_equal(walk(&r, 0x40001234, 0, &gpa, &err), rsvd ? -EFAULT : 0);
			if (rsvd)
				assert_int_equal(err, PF_P | PF_RSVD);
			else
				assert_int_equal(gpa, 0x9234);
		}
		put(ent[2], pdpte, 8);
		/* Bits 11:9 are ignored under both. */
		put(ent[2], pdpte | (7ull << 9), 8);
		assert_int_equal(walk(&r, 0x40001234, 0, &gpa, &err), 0);
		put(ent[2], pdpte, 8);
		/* PDE and PTE: 62:52 reserved, 11:9 and A/D not. */
		put(ent[0], get(ent[0], 8) | (1ull << 52), 8);
		assert_int_equal(walk(&r, 0x40001234, 0, &gpa, &err), -EFAULT);
		assert_int_equal(err, PF_P | PF_RSVD);
		put(ent[0], (get(ent[0], 8) & ~(1ull << 52)) | A | D | (7ull << 9), 8);
		put(ent[1], get(ent[1], 8) | A | (1ull << 62), 8);
		assert_int_equal(walk(&r, 0x40001234, 0, &gpa, &err), -EFAULT);
		put(ent[1], get(ent[1], 8) & ~(1ull << 62), 8);
		assert_int_equal(walk(&r, 0x40001234, GW_WRITE, &gpa, &err), 0);
		assert_int_equal(gpa, 0x9234);
	}
}

static const struct layout l4 = { 4, 8, 9, 9, 0x1000 };

/* Long mode: G (bit 8) in a PML4E is reserved on AMD, ignored on Intel;
 * in a PDPTE pointing to a directory it is ignored on both. */
static void test_long_vendors(void **state)
{
	struct gwalk_regs r = { .cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = 0x1000,
				.cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA | EFER_NXE };
	const uint64_t G = 1ull << 8;
	uint64_t gpa, ent[5];
	uint32_t err;

	next_table = 0x2000;
	map(&l4, 0x400000, 0, 0x7000, P | RW, ent);
	put(ent[3], get(ent[3], 8) | G, 8);
	put(ent[2], get(ent[2], 8) | G, 8);
	assert_int_equal(walk(&r, 0x400010, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x7010);
	r.amd = true;
	assert_int_equal(walk(&r, 0x400010, GW_WRITE, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_W | PF_RSVD);
	put(ent[3], get(ent[3], 8) & ~G, 8);
	assert_int_equal(walk(&r, 0x400010, 0, &gpa, &err), 0);
	/* 5-level: the PML5E's G too. */
	r.cr4 |= CR4_LA57;
	r.cr3 = 0x1000;
	next_table = 0x20000;
	static const struct layout l5v = { 5, 8, 9, 9, 0x1000 };
	memset(mem, 0, 0x2000);
	map(&l5v, 0x400000, 0, 0x7000, P | RW, ent);
	assert_int_equal(walk(&r, 0x400010, 0, &gpa, &err), 0);
	put(ent[4], get(ent[4], 8) | G, 8);
	assert_int_equal(walk(&r, 0x400010, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_RSVD);
	r.amd = false;
	assert_int_equal(walk(&r, 0x400010, 0, &gpa, &err), 0);
}

static struct gwalk_regs long_regs(void)
{
	struct gwalk_regs r = { .cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = 0x1000,
				.cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA | EFER_NXE };
	return r;
}

static void test_4level_pages(void **state)
{
	struct gwalk_regs r = long_regs();
	uint64_t gpa, ent[5];
	uint32_t err;

	next_table = 0x2000;
	map(&l4, 0xffffffff81000000ull, 0, 0x1000000, P | RW, ent);
	map(&l4, 0xffff888000000000ull, 2, 0x80000000, P | RW | XD, ent);  /* 1 GiB */
	map(&l4, 0x00007f0000200000ull, 1, 0x12345600000ull, P | RW | US, ent); /* 2 MiB */
	reads = 0;
	assert_int_equal(walk(&r, 0xffffffff81000123ull, GW_FETCH, &gpa, &err), 0);
	assert_int_equal(gpa, 0x1000123);
	assert_int_equal(reads, 4);
	assert_int_equal(walk(&r, 0xffff888012345678ull, GW_WRITE, &gpa, &err), 0);
	assert_int_equal(gpa, 0x92345678);
	assert_int_equal(walk(&r, 0x00007f00002fffffull, GW_WRITE | GW_USER, &gpa, &err), 0);
	assert_int_equal(gpa, 0x123456fffffull);
	/* PCID bits in CR3 are not part of the table address. */
	r.cr3 = 0x1000 | 0x7;
	assert_int_equal(walk(&r, 0xffffffff81000123ull, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x1000123);
	/* Non-canonical: #GP, not #PF, and no table is read. */
	reads = 0;
	assert_int_equal(walk(&r, 0x0000800000000000ull, 0, &gpa, &err), -EINVAL);
	assert_int_equal(walk(&r, 0xffff7fffffffffffull, 0, &gpa, &err), -EINVAL);
	assert_int_equal(reads, 0);
	assert_int_equal(err, 0xdead);
}

static void test_4level_faults(void **state)
{
	struct gwalk_regs r = long_regs();
	uint64_t gpa, ent[5], big[5];
	uint32_t err;

	next_table = 0x2000;
	map(&l4, 0x400000, 0, 0x7000, P | RW | US, ent);
	map(&l4, 0x40000000, 2, 0x40000000, P | RW | US, big);
	/* U/S clear in the PDE only: user accesses fault, I/D set for fetches. */
	put(ent[1], get(ent[1], 8) & ~US, 8);
	assert_int_equal(walk(&r, 0x400000, GW_USER, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_U);
	assert_int_equal(walk(&r, 0x400000, GW_USER | GW_FETCH, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_U | PF_I);
	put(ent[1], get(ent[1], 8) | US, 8);
	/* XD in the PML4E forbids fetches below it. */
	put(ent[3], get(ent[3], 8) | XD, 8);
	assert_int_equal(walk(&r, 0x400000, GW_FETCH | GW_USER, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_U | PF_I);
	assert_int_equal(walk(&r, 0x400000, GW_USER, &gpa, &err), 0);
	/* ... and without EFER.NXE it is a reserved bit. */
	r.efer &= ~EFER_NXE;
	assert_int_equal(walk(&r, 0x400000, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_RSVD);
	r.efer |= EFER_NXE;
	put(ent[3], get(ent[3], 8) & ~XD, 8);
	/* PS in a PML4E is reserved. */
	put(ent[3], get(ent[3], 8) | PS, 8);
	assert_int_equal(walk(&r, 0x400000, GW_WRITE, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_W | PF_RSVD);
	put(ent[3], get(ent[3], 8) & ~PS, 8);
	/* 1 GiB leaf bits 29:13 are reserved; bit 12 (PAT) is not. */
	put(big[2], get(big[2], 8) | (1ull << 12), 8);
	assert_int_equal(walk(&r, 0x40000000, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x40000000);
	put(big[2], get(big[2], 8) | (1ull << 29), 8);
	assert_int_equal(walk(&r, 0x40000000, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_RSVD);
	/* A table outside guest RAM. */
	put(ent[1], 0x7fff0000ull | P | RW | US, 8);
	assert_int_equal(walk(&r, 0x400000, 0, &gpa, &err), -EIO);
	r.cr3 = 0x100000000ull;
	assert_int_equal(walk(&r, 0x400000, 0, &gpa, &err), -EIO);
	/* pf_error may be NULL. */
	r.cr3 = 0x1000;
	assert_int_equal(gwalk(&r, 0x800000, 0, read_entry, mem, &gpa, NULL), -EFAULT);
}

static void test_smep_smap(void **state)
{
	struct gwalk_regs r = long_regs();
	uint64_t gpa, ent[5];
	uint32_t err;

	next_table = 0x2000;
	map(&l4, 0x400000, 0, 0x7000, P | RW | US, ent);   /* a user page */
	map(&l4, 0x600000, 0, 0x8000, P | RW, ent);        /* a supervisor page */
	assert_int_equal(walk(&r, 0x400000, GW_FETCH, &gpa, &err), 0);
	assert_int_equal(walk(&r, 0x400000, GW_WRITE, &gpa, &err), 0);
	r.cr4 |= CR4_SMEP | CR4_SMAP;
	/* SMEP: no supervisor fetch from a user page. */
	assert_int_equal(walk(&r, 0x400000, GW_FETCH, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_I);
	/* SMAP: no supervisor data access to a user page, unless AC. */
	assert_int_equal(walk(&r, 0x400000, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P);
	assert_int_equal(walk(&r, 0x400000, GW_WRITE, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_W);
	assert_int_equal(walk(&r, 0x400000, GW_AC, &gpa, &err), 0);
	assert_int_equal(walk(&r, 0x400000, GW_WRITE | GW_AC, &gpa, &err), 0);
	assert_int_equal(gpa, 0x7000);
	/* User-mode accesses are not affected; supervisor pages still are
	 * closed to them. */
	assert_int_equal(walk(&r, 0x400000, GW_USER | GW_FETCH, &gpa, &err), 0);
	assert_int_equal(walk(&r, 0x600000, GW_FETCH, &gpa, &err), 0);
	assert_int_equal(walk(&r, 0x600000, GW_USER, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_U);
	/* SMEP alone gives fetch faults the I/D bit, even without NXE. */
	r.efer &= ~EFER_NXE;
	assert_int_equal(walk(&r, 0x800000, GW_FETCH, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_I);
	r.cr4 &= ~CR4_SMEP;
	assert_int_equal(walk(&r, 0x800000, GW_FETCH, &gpa, &err), -EFAULT);
	assert_int_equal(err, 0);
}

static const struct layout l5 = { 5, 8, 9, 9, 0x1000 };

static void test_5level(void **state)
{
	struct gwalk_regs r = long_regs();
	uint64_t gpa, ent[5];
	uint32_t err;

	r.cr4 |= CR4_LA57;
	next_table = 0x2000;
	map(&l5, 0x00ff800000001000ull, 0, 0x9000, P | RW, ent);
	map(&l5, 0xff11000000000000ull, 1, 0x200000, P, ent);
	reads = 0;
	assert_int_equal(walk(&r, 0x00ff800000001234ull, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x9234);
	assert_int_equal(reads, 5);
	assert_int_equal(walk(&r, 0xff11000000012345ull, 0, &gpa, &err), 0);
	assert_int_equal(gpa, 0x212345);
	assert_int_equal(walk(&r, 0xff11000000012345ull, GW_WRITE, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_W);
	/* 57-bit canonical: bits 63:57 copy bit 56. */
	assert_int_equal(walk(&r, 0x0100000000000000ull, 0, &gpa, &err), -EINVAL);
	assert_int_equal(walk(&r, 0xfe00000000000000ull, 0, &gpa, &err), -EINVAL);
	/* PS in a PML5E is reserved. */
	put(ent[4], get(ent[4], 8) | PS, 8);
	assert_int_equal(walk(&r, 0xff11000000012345ull, 0, &gpa, &err), -EFAULT);
	assert_int_equal(err, PF_P | PF_RSVD);
	/* The same tables read with LA57 off: 4 levels from the PML5 page. */
	r.cr4 &= ~CR4_LA57;
	assert_int_equal(walk(&r, 0x00ff800000001234ull, 0, &gpa, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_paging_off, setup),
		cmocka_unit_test_setup(test_32bit, setup),
		cmocka_unit_test_setup(test_32bit_pse, setup),
		cmocka_unit_test_setup(test_pae, setup),
		cmocka_unit_test_setup(test_pae_vendors, setup),
		cmocka_unit_test_setup(test_long_vendors, setup),
		cmocka_unit_test_setup(test_4level_pages, setup),
		cmocka_unit_test_setup(test_4level_faults, setup),
		cmocka_unit_test_setup(test_smep_smap, setup),
		cmocka_unit_test_setup(test_5level, setup),
	};
	return cmocka_run_group_tests_name("gwalk", tests, NULL, NULL);
}
