/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest page-table walker. One loop serves all paging modes; each mode is
 * a table of per-level facts (Intel SDM vol. 3 chapter 4, AMD APM vol. 2
 * chapter 5), so a level costs a read and a few lookups:
 *
 *   mode     levels  entry  index bits (top .. PT)   large pages
 *   32-bit   2       4 B    10, 10                   4 MiB PDE (CR4.PSE)
 *   PAE      3       8 B    2, 9, 9                  2 MiB PDE
 *   4-level  4       8 B    9, 9, 9, 9               1 GiB PDPTE, 2 MiB PDE
 *   5-level  5       8 B    9 x 5                    1 GiB PDPTE, 2 MiB PDE
 *
 * Permissions combine over the levels: a write needs R/W = 1 and a user
 * access U/S = 1 in every entry; XD in any entry forbids fetches. PAE's
 * PDPTEs carry no permissions.
 *
 * Reserved bits (a present entry with one set faults with RSVD) follow
 * the vendor's rules (r->amd):
 * - XD (bit 63) unless EFER.NXE; PS in a PML4E or PML5E; bits 29:13 of a
 *   1 GiB leaf and 20:13 of a 2 MiB leaf (bit 12 of those is PAT); bit 21
 *   of a 4 MiB PDE (bits 20:13 are physical-address bits 39:32, PSE-36);
 *   bits 62:52 of PAE PDEs and PTEs (PAE has no ignored high bits).
 * - PAE PDPTEs, Intel: bits 63:52, 8:5 and 2:1 (SDM 4.4.1; the CPU checks
 *   them when it loads the PDPTE registers at a CR3 write, and never sets
 *   A there). AMD: bits 63:52 only; the processor may set Accessed (bit
 *   5) in a legacy PAE PDPE it walks, and neither AMD parts with nested
 *   paging nor QEMU's model of them fault on bits 8:5 or 2:1 there.
 * - AMD only: bit 8 (G) of a PML4E or PML5E must be zero (APM vol. 2,
 *   "Long-Mode Page Translation"); Intel ignores it.
 * MAXPHYADDR is taken as 52: entry bits between the guest's real
 * physical-address width and 51 are not reported as reserved; an entry
 * pointing there is simply not guest RAM (-EIO).
 */
#include <stdbool.h>
#include <stddef.h>

#include "kernel/errno.h"
#include "vmm/core/gwalk.h"

#define CR0_WP   (1ull << 16)
#define CR0_PG   (1ull << 31)
#define CR4_PSE  (1ull << 4)
#define CR4_PAE  (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define E_P    (1ull << 0)
#define E_RW   (1ull << 1)
#define E_US   (1ull << 2)
#define E_PS   (1ull << 7)
#define E_XD   (1ull << 63)
#define ADDR52 0x000ffffffffff000ull /* bits 51:12 of an 8-byte entry */
#define ADDR32 0xfffff000ull         /* bits 31:12 of a 4-byte entry */
#define RSVD_1G 0x3fffe000ull        /* bits 29:13 */
#define RSVD_2M 0x1fe000ull          /* bits 20:13 */
#define E_G    (1ull << 8)
#define RSVD_PAE_HI 0x7ff0000000000000ull     /* bits 62:52 */
#define RSVD_PDPTE_AMD 0xfff0000000000000ull  /* bits 63:52 */
#define RSVD_PDPTE_INTEL (RSVD_PDPTE_AMD | 0x1e6ull) /* and 8:5, 2:1 */

struct mode {
	uint8_t levels;       /* level levels-1 is the top (CR3), level 0 the PT */
	uint8_t esize;        /* entry bytes */
	uint8_t large;        /* levels (bit n = level n) where PS = 1 makes a leaf */
	uint8_t noperm;       /* levels whose entries carry no R/W, U/S (PDPTEs) */
	uint8_t shift[5];     /* the lowest linear-address bit of each level's index */
	uint16_t index[5];    /* index mask of each level */
	uint64_t addr;        /* address bits of an entry */
	uint64_t rsvd[5][2];  /* reserved bits (Intel's): [level][0 table, 1 leaf] */
};

static const struct mode mode_32 = {
	.levels = 2, .esize = 4, .shift = { 12, 22 }, .index = { 0x3ff, 0x3ff },
	.addr = ADDR32,
};
static const struct mode mode_32_pse = {
	.levels = 2, .esize = 4, .large = 1u << 1, .shift = { 12, 22 },
	.index = { 0x3ff, 0x3ff }, .addr = ADDR32, .rsvd = { [1] = { 0, 1ull << 21 } },
};
static const struct mode mode_pae = {
	.levels = 3, .esize = 8, .large = 1u << 1, .noperm = 1u << 2,
	.shift = { 12, 21, 30 }, .index = { 0x1ff, 0x1ff, 0x3 }, .addr = ADDR52,
	.rsvd = { { RSVD_PAE_HI, RSVD_PAE_HI }, { RSVD_PAE_HI, RSVD_PAE_HI | RSVD_2M },
		  { RSVD_PDPTE_INTEL, RSVD_PDPTE_INTEL } },
};
static const struct mode mode_4lvl = {
	.levels = 4, .esize = 8, .large = (1u << 1) | (1u << 2),
	.shift = { 12, 21, 30, 39 }, .index = { 0x1ff, 0x1ff, 0x1ff, 0x1ff }, .addr = ADDR52,
	.rsvd = { [1] = { 0, RSVD_2M }, [2] = { 0, RSVD_1G }, [3] = { E_PS, E_PS } },
};
static const struct mode mode_5lvl = {
	.levels = 5, .esize = 8, .large = (1u << 1) | (1u << 2),
	.shift = { 12, 21, 30, 39, 48 }, .index = { 0x1ff, 0x1ff, 0x1ff, 0x1ff, 0x1ff },
	.addr = ADDR52,
	.rsvd = { [1] = { 0, RSVD_2M }, [2] = { 0, RSVD_1G }, [3] = { E_PS, E_PS },
		  [4] = { E_PS, E_PS } },
};

/* The paging mode r selects; NULL when paging is off. */
static const struct mode *paging_mode(const struct gwalk_regs *r)
{
	if (!(r->cr0 & CR0_PG))
		return NULL;
	if (!(r->cr4 & CR4_PAE))
		return r->cr4 & CR4_PSE ? &mode_32_pse : &mode_32;
	if (!(r->efer & EFER_LMA))
		return &mode_pae;
	return r->cr4 & CR4_LA57 ? &mode_5lvl : &mode_4lvl;
}

/* The physical address of la in the page a leaf at level lvl maps. */
static uint64_t leaf_address(const struct mode *m, unsigned lvl, uint64_t e, uint64_t la)
{
	uint64_t offset = (1ull << m->shift[lvl]) - 1;
	uint64_t pa = e & m->addr & ~offset;

	if (m->esize == 4 && lvl == 1) /* PSE-36: bits 39:32 in PDE bits 20:13 */
		pa |= ((e >> 13) & 0xff) << 32;
	return pa | (la & offset);
}

/* May the access go ahead, given the combined R/W and U/S bits (perm) and
 * whether any level had XD? */
static bool allowed(const struct gwalk_regs *r, unsigned access, uint64_t perm, bool xd)
{
	bool user_page = perm & E_US;
	bool write = access & GW_WRITE, fetch = access & GW_FETCH;

	if (fetch && xd)
		return false;
	if (access & GW_USER)
		return user_page && (!write || (perm & E_RW));
	/* Supervisor: read-only pages are writable unless CR0.WP; user pages
	 * are off limits to fetches under SMEP and to data accesses under
	 * SMAP (unless RFLAGS.AC allowed an explicit access). */
	if (write && !(perm & E_RW) && (r->cr0 & CR0_WP))
		return false;
	if (user_page && fetch && (r->cr4 & CR4_SMEP))
		return false;
	if (user_page && !fetch && (r->cr4 & CR4_SMAP) && !(access & GW_AC))
		return false;
	return true;
}

/* A #PF error code: P for a present entry, W/U from the access, RSVD, and
 * I/D for fetches only when SMEP or PAE-style NX is on (the CPU's rule). */
static int fault(const struct gwalk_regs *r, unsigned access, bool present, bool rsvd,
		 uint32_t *pf_error)
{
	uint32_t err = access & (PF_W | PF_U);

	if (present)
		err |= PF_P;
	if (rsvd)
		err |= PF_RSVD;
	if ((access & GW_FETCH) &&
	    ((r->cr4 & CR4_SMEP) || ((r->cr4 & CR4_PAE) && (r->efer & EFER_NXE))))
		err |= PF_I;
	if (pf_error)
		*pf_error = err;
	return -EFAULT;
}

static bool canonical(uint64_t la, unsigned bits)
{
	return (uint64_t)((int64_t)(la << (64 - bits)) >> (64 - bits)) == la;
}

int gwalk(const struct gwalk_regs *r, uint64_t la, unsigned access, gwalk_read_fn read,
	  void *ctx, uint64_t *gpa, uint32_t *pf_error)
{
	const struct mode *m = paging_mode(r);
	uint64_t table, e = 0, all = ~0ull, any = 0, xd_rsvd;
	unsigned lvl;

	if (!m) {
		*gpa = r->efer & EFER_LMA ? la : (uint32_t)la;
		return 0;
	}
	/* Outside long mode the index and offset masks use only bits 31:0. */
	if (m->levels >= 4 && !canonical(la, m->levels == 5 ? 57 : 48))
		return -EINVAL;
	xd_rsvd = m->esize == 8 && !(r->efer & EFER_NXE) ? E_XD : 0;
	/* The top-level table: CR3 bits 31:12 (32-bit), 31:5 (PAE), 51:12
	 * (long mode; bits 11:0 may hold a PCID). */
	table = r->cr3 & (m->noperm ? 0xffffffe0ull : m->addr);
	for (lvl = m->levels - 1u;; lvl--) {
		uint64_t idx = (la >> m->shift[lvl]) & m->index[lvl];
		if (read(ctx, table + idx * m->esize, &e, m->esize))
			return -EIO;
		if (!(e & E_P))
			return fault(r, access, false, false, pf_error);
		bool leaf = lvl == 0 || (((m->large >> lvl) & 1) && (e & E_PS));
		uint64_t rsvd = m->rsvd[lvl][leaf] | xd_rsvd;
		if (r->amd) /* PAE PDPEs: only 63:52; PML4E/PML5E: G too */
			rsvd = (m->noperm >> lvl) & 1 ? RSVD_PDPTE_AMD : rsvd | (lvl >= 3 ? E_G : 0);
		if (e & rsvd)
			return fault(r, access, true, true, pf_error);
		/* R/W and U/S must be set at every level, XD at any. 4-byte
		 * entries come zero-extended: no bit 63 there. */
		all &= (m->noperm >> lvl) & 1 ? ~0ull : e;
		any |= e;
		if (leaf)
			break;
		table = e & m->addr;
	}
	if (!allowed(r, access, all, any & E_XD))
		return fault(r, access, true, false, pf_error);
	*gpa = leaf_address(m, lvl, e, la);
	return 0;
}
