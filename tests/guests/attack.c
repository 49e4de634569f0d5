/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attack: a hostile PVH guest that tries, one check each, the ways a
 * guest could reach memory that is not its own through the grant table
 * and the memory_op calls (docs/guests.md, vmm/core/p2m.h): every attack must
 * be refused and the guest checks that it was, and that nothing changed.
 *
 *  1. re-grant aliasing: a grant of its own page P mapped at X (allowed),
 *     then X, the shared info page or a grant-table frame granted and
 *     mapped, or named in GNTTABOP_copy: refused; P given back only once
 *     X is unmapped, and it comes back zeroed;
 *  2. freed while mapped: P (mapped at X) and X cannot be given back,
 *     nothing can be put over P, writes through X show at P;
 *  3. a grant of P mapped over P itself: refused, P intact;
 *  4. read-only stays read-only: with a read-only grant of P mapped
 *     read-only at X, no hypercall writes its output there (-EFAULT), not
 *     a grant copy, not a writable map of the grant or a writable grant
 *     of X; the runstate area and the vcpu_info registered on pages that
 *     then become read-only mappings of P are not written either;
 *  5. bounded work: 4160-extent balloon lists in one call each, taking
 *     timer interrupts between their batches (the hypervisor continues
 *     them), a bad entry stops a list there, grant lists longer than a
 *     batch, a full maptrack;
 *  6. domain ids: its own and its peer's below 0x7ff0, every call that
 *     names a reserved id, its peer or domain 0 as its target refused;
 *  7. a dying granter (two instances, cmdline "a:B" and "b:A", each the
 *     other's id; B is started first): A grants B pages (one read-only,
 *     two in regions A never touched: zero) and its aliases (refused to
 *     B), and maps a page of B's (which B then cannot give back); A
 *     writes its last data and powers off with all its mappings; B still
 *     reads that data (the frame is an orphan now), writes it, cannot
 *     re-grant, copy, give back or replace it, gets its own page back,
 *     says "holding", waits for the boot test to create a new domain with
 *     A's id, reads the same data again, unmaps, and dies with the
 *     read-only orphan still mapped. The boot test runs `audit` while B
 *     holds the orphans and checks that the frames come back.
 *
 * cmdline "a:ID" (attacks 1-6 and the granter), "b:ID" (attack 6, then
 * the mapper), anything else: attacks 1-6 alone. Needs 32 MiB for the
 * granter and alone (attack 5 gives back 16 MiB at once), 8 MiB for "b".
 * The guest never writes to a read-only mapping itself: that would crash
 * it (the nested page tables refuse the write).
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/grant_table.h"
#include "include/public/hvm_start_info.h"
#include "include/public/memory.h"
#include "include/public/vcpu.h"
#include "include/public/xen.h"

const char guest_name[] = "attack";

#define MS 1000000ull
#define EPERM 1
#define XEN_MSR 0x40000000u
#define PAGE(gfn) ((volatile uint32_t *)(uintptr_t)((uint32_t)(gfn) << 12))
#define GFN(p) ((uint32_t)(uintptr_t)(p) >> 12)

/* Pages the attacks use, by guest frame (above the image and the start
 * info, which sit just above 1 MiB). */
#define P1 0x400u /* attack 1: the granted page, its alias, a victim, scratch */
#define X1 0x401u
#define Y1 0x402u
#define Z1 0x403u
#define P2 0x410u /* attack 2 */
#define X2 0x411u
#define Q2 0x412u
#define P3 0x420u /* attack 3 */
#define P4 0x430u /* attack 4: granted read-only, mapped at X4, V4, W4 */
#define X4 0x431u
#define V4 0x432u
#define W4 0x433u
#define Y4 0x434u
#define Z4 0x435u
#define G5 0x440u /* attack 5: granted source, copy destination */
#define Z5 0x441u
#define T6 0x450u /* attack 6: a page the refused calls must leave alone */
#define H6 0x451u /* a hole they must not fill */
#define LP 0x470u /* attack 5: a list whose second half lies in a hole */
#define LH 0x471u
#define M5 0x500u /* attack 5: 40 mappings of one grant, 0x500..0x527 */
#define NMAP 40u
#define BAL 0x800u /* attack 5: the balloon list, BAL..BAL+NBAL */
#define NBAL 4160u
#define BAD5 0x1900u /* a 200-extent list with a bad entry at 150 */
#define CROSS5 0x1a00u /* the list crossing into a hole */
/* attack 7 */
#define DA 0x600u  /* A: the page granted to B (ref 1) */
#define PA 0x601u  /* A: a page granted to itself and mapped at XA */
#define XA 0x602u  /* ... which A grants to B (ref 2): B must be refused */
#define SA 0x603u  /* A: its own mapping of DA (it dies with it) */
#define DB 0x604u  /* A: a page granted read-only to B (ref 5) */
#define AB 0x605u  /* A: where it maps B's page (B's ref 7; it dies with it) */
#define UA1 0x1c00u /* A: pages in 2 MiB regions it never touches, granted to */
#define UA2 0x1e00u /* B (refs 6 and 8): never-used RAM must read zero */
#define MB 0x480u  /* B: where it maps A's page */
#define YB 0x481u  /* B: the victim of the refused maps */
#define ZB 0x482u  /* B: scratch copy destination */
#define RB 0x483u  /* B: where it maps A's read-only page (it dies with it) */
#define BG 0x484u  /* B: its page granted to A (ref 7), which A maps */
#define UB 0x485u  /* B: where it maps A's never-touched page */
static const char a_here[] = "A was here";

/* Offsets in A's granted page. */
#define A_MSG 0
#define B_MSG 64
#define DATA 256
static const char a_ready[] = "A:ready";
static const char a_last[] = "A:last words";
static const char b_mapped[] = "B:mapped";

static uint16_t self_id, peer;
static char role; /* 'a', 'b' or 0 (alone) */
static char cmdline[64];
static struct grant_entry_v1 gt[512] __attribute__((aligned(4096)));
static union {
	struct shared_info s;
	uint8_t page[4096];
} shpage __attribute__((aligned(4096)));
#define SHINFO GFN(&shpage)
#define GT GFN(gt)

/* ---- hypercall helpers (x86_32 layouts) ---- */

struct copy32 {
	struct { uint32_t ref_or_gmfn; uint16_t domid, offset; } src, dst;
	uint16_t len, flags;
	int16_t status;
	uint16_t pad;
};
_Static_assert(sizeof(struct copy32) == 24, "copy32");

struct resv32 {
	uint32_t start, nr, order, flags;
	uint16_t domid, pad;
};

static long memop(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_memory_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static long gntop(unsigned cmd, void *arg, unsigned count)
{
	return hypercall(HYPERVISOR_grant_table_op, cmd, (unsigned long)arg, count, 0, 0);
}

static long evtop(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_event_channel_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static long vcpuop(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_vcpu_op, cmd, 0, (unsigned long)arg, 0, 0);
}

static long resv_dom(unsigned cmd, const uint32_t *gfns, uint32_t n, uint16_t dom)
{
	static struct resv32 r;

	r = (struct resv32){ (uint32_t)(uintptr_t)gfns, n, 0, 0, dom, 0 };
	return memop(cmd, &r);
}

static long resv(unsigned cmd, const uint32_t *gfns, uint32_t n)
{
	return resv_dom(cmd, gfns, n, DOMID_SELF);
}

/* decrease_reservation / populate_physmap of one page. */
static long give1(uint32_t gfn)
{
	static uint32_t g;

	g = gfn;
	return resv(XENMEM_decrease_reservation, &g, 1);
}

static long take1(uint32_t gfn)
{
	static uint32_t g;

	g = gfn;
	return resv(XENMEM_populate_physmap, &g, 1);
}

static long reservation_of(unsigned cmd, uint16_t dom)
{
	static uint16_t d;

	d = dom;
	return memop(cmd, &d);
}

static long cur(void)
{
	return reservation_of(XENMEM_current_reservation, DOMID_SELF);
}

static long add_to_physmap(uint16_t dom, uint32_t space, uint32_t idx, uint32_t gfn)
{
	static struct { uint16_t domid, size; uint32_t space, idx, gpfn; } m;

	m.domid = dom;
	m.size = 0;
	m.space = space;
	m.idx = idx;
	m.gpfn = gfn;
	return memop(XENMEM_add_to_physmap, &m);
}

/* Entry ref of our grant table: grants gfn to dom. */
static void grant(unsigned ref, uint32_t gfn, uint16_t dom, uint16_t flags)
{
	gt[ref].domid = dom;
	gt[ref].frame = gfn;
	__atomic_store_n(&gt[ref].flags, (uint16_t)(GTF_permit_access | flags), __ATOMIC_SEQ_CST);
}

static void ungrant(unsigned ref)
{
	__atomic_store_n(&gt[ref].flags, 0, __ATOMIC_SEQ_CST);
}

static bool in_use(unsigned ref)
{
	return __atomic_load_n(&gt[ref].flags, __ATOMIC_SEQ_CST) & (GTF_reading | GTF_writing);
}

/* A failed hypercall as a status: rc - 100 (-114 is -EFAULT), so that it
 * never reads as a GNTST_* code. */
#define RC_STATUS(rc) ((int)(rc) - 100)

/* GNTTABOP_map_grant_ref of (dom, ref) at gfn: the status, *h the handle. */
static int map(uint16_t dom, unsigned ref, uint32_t gfn, uint32_t flags, uint32_t *h)
{
	static struct gnttab_map_grant_ref op;

	op = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)gfn << 12,
		.flags = GNTMAP_host_map | flags, .ref = ref, .dom = dom };
	long rc = gntop(GNTTABOP_map_grant_ref, &op, 1);
	*h = op.handle;
	return rc ? RC_STATUS(rc) : op.status;
}

static int unmap(uint32_t gfn, uint32_t h)
{
	static struct gnttab_unmap_grant_ref op;

	op = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)gfn << 12, .handle = h };
	long rc = gntop(GNTTABOP_unmap_grant_ref, &op, 1);
	return rc ? RC_STATUS(rc) : op.status;
}

/* Ends a mapping that should never have been made, and puts RAM back
 * there (zeroed): the checks that follow then read a page, not a hole
 * (where a read gives all ones), and fail on its content. */
static void undo(uint32_t gfn, uint32_t h)
{
	unmap(gfn, h);
	take1(gfn);
}

/* One GNTTABOP_copy; flags say which side is a grant reference. */
static int copy(uint32_t src, uint16_t sdom, uint16_t soff, uint32_t dst, uint16_t ddom,
		uint16_t doff, uint16_t len, uint16_t flags)
{
	static struct copy32 op;

	op = (struct copy32){ { src, sdom, soff }, { dst, ddom, doff }, len, flags, 1, 0 };
	long rc = gntop(GNTTABOP_copy, &op, 1);
	return rc ? RC_STATUS(rc) : op.status;
}

/* From our own frame (gmfn) or grant (ref), to our own frame. */
static int copy_from_frame(uint32_t gfn, uint32_t to)
{
	return copy(gfn, DOMID_SELF, 0, to, DOMID_SELF, 0, 64, 0);
}

static int copy_to_frame(uint32_t from, uint32_t gfn)
{
	return copy(from, DOMID_SELF, 0, gfn, DOMID_SELF, 0, 64, 0);
}

static int copy_from_ref(uint16_t dom, unsigned ref, uint32_t to)
{
	return copy(ref, dom, 0, to, DOMID_SELF, 0, 64, GNTCOPY_source_gref);
}

static int copy_to_ref(uint32_t from, uint16_t dom, unsigned ref)
{
	return copy(from, DOMID_SELF, 0, ref, dom, 0, 64, GNTCOPY_dest_gref);
}

/* Sleeps ms of guest time: SCHEDOP_poll of port 0 (never pending) with a
 * timeout; any event wakes it early, so it polls again. */
static void sleep_ms(unsigned ms)
{
	static uint32_t port0;
	static struct { uint32_t ports, nr; uint64_t timeout; } p;
	uint64_t end = now_ns() + ms * MS;

	while (now_ns() < end) {
		p.ports = (uint32_t)(uintptr_t)&port0;
		p.nr = 1;
		p.timeout = end;
		if (hypercall(HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&p, 0, 0, 0) < 0)
			spin_until(end, true);
	}
}

/* ---- pages: an address- and seed-dependent pattern ---- */

static uint32_t word(uint32_t seed, unsigned i)
{
	return seed * 0x9e3779b1u ^ (i * 0x85ebca6bu + 0x5bd1e995u);
}

static void fill(uint32_t gfn, uint32_t seed)
{
	for (unsigned i = 0; i < 1024; i++)
		PAGE(gfn)[i] = word(seed, i);
}

/* The page holds seed's pattern (from word `from` on). */
static bool holds(uint32_t gfn, uint32_t seed, unsigned from)
{
	for (unsigned i = from; i < 1024; i++)
		if (PAGE(gfn)[i] != word(seed, i))
			return false;
	return true;
}

static bool zeroed(uint32_t gfn)
{
	for (unsigned i = 0; i < 1024; i++)
		if (PAGE(gfn)[i])
			return false;
	return true;
}

/* Two mappings show the same bytes. */
static bool same(uint32_t a, uint32_t b)
{
	for (unsigned i = 0; i < 1024; i++)
		if (PAGE(a)[i] != PAGE(b)[i])
			return false;
	return true;
}

static void put_str(uint32_t gfn, unsigned off, const char *s)
{
	volatile char *p = (volatile char *)PAGE(gfn) + off;

	while (*s)
		*p++ = *s++;
	*p = 0;
}

static bool has_str(uint32_t gfn, unsigned off, const char *s)
{
	volatile const char *p = (volatile const char *)PAGE(gfn) + off;

	for (; *s; s++, p++)
		if (*p != *s)
			return false;
	return *p == 0;
}

/* The shared info page is still the hypervisor's frame (a RAM page put
 * in its place would read zero). */
static bool shinfo_live(void)
{
	return *(volatile uint32_t *)&shpage.s.vcpu_info[0].time.tsc_to_system_mul != 0;
}

/* ---- set-up ---- */

static void setup(void)
{
	uint32_t r[4];

	cpuid(0x40000004, 0, r);
	self_id = (uint16_t)r[2];
	long rs = add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0, SHINFO);
	long rg = add_to_physmap(DOMID_SELF, XENMAPSPACE_grant_table, 0, GT);
	check("setup", (r[0] & 0x10) && rs == 0 && rg == 0 && shinfo_live(),
	      "domain %u (cpuid 0x%x), role %c, peer %u; shared info at 0x%x: %ld, grant table "
	      "frame 0 at 0x%x: %ld", self_id, r[0], role ? role : '-', peer, SHINFO, rs, GT, rg);
}

/* ---- 1. re-grant aliasing ---- */

static void attack_regrant(void)
{
	long r0 = cur();
	uint32_t h, h2;

	fill(P1, 1);
	fill(Y1, 2);
	fill(Z1, 3);
	grant(10, P1, self_id, 0);
	int st = map(self_id, 10, X1, 0, &h);
	if (!check("regrant-first-map", st == 0 && same(X1, P1) && cur() == r0 - 1,
		   "own page 0x%x granted to itself, mapped at 0x%x: status %d (its RAM there given "
		   "back: reservation %ld -> %ld)", P1, X1, st, r0, cur()))
		return;
	/* X is a mapping, not the domain's RAM: not its to grant. */
	grant(11, X1, self_id, 0);
	int st2 = map(self_id, 11, Y1, 0, &h2);
	if (st2 == 0)
		undo(Y1, h2);
	check("regrant-map-refused", st2 != 0 && holds(Y1, 2, 0) && !in_use(11) &&
				     cur() == r0 - 1,
	      "a grant of the alias 0x%x mapped at 0x%x: status %d (want GNTST_bad_page %d); the "
	      "page there intact %d", X1, Y1, st2, GNTST_bad_page, holds(Y1, 2, 0));
	int c1 = copy_from_frame(X1, Z1), c2 = copy_to_frame(Z1, X1);
	int c3 = copy_from_ref(self_id, 11, Z1), c4 = copy_to_ref(Z1, self_id, 11);
	check("regrant-copy-refused", c1 && c2 && c3 && c4 && holds(Z1, 3, 0) && holds(P1, 1, 0) &&
				      !in_use(11),
	      "GNTTABOP_copy from the alias as a frame %d, into it %d, from its grant %d, into its "
	      "grant %d; pages intact %d %d", c1, c2, c3, c4, holds(Z1, 3, 0), holds(P1, 1, 0));
	int c5 = copy_from_ref(self_id, 10, Z1);
	check("regrant-copy-control", c5 == 0 && PAGE(Z1)[0] == word(1, 0) && PAGE(Z1)[15] == word(1, 15),
	      "the same copy from the grant of the page itself: %d", c5);
	fill(Z1, 3);
	/* Freed while mapped: P cannot go; once unmapped it can, and comes back zeroed. */
	long g1 = give1(P1);
	int u = unmap(X1, h);
	long g2 = give1(P1), t1 = take1(P1), tx = take1(X1);
	check("regrant-unmap-give-back", g1 == 0 && u == 0 && !in_use(10) && g2 == 1 && t1 == 1 &&
					 tx == 1 && zeroed(P1) && zeroed(X1) && cur() == r0,
	      "give back while mapped %ld; unmap %d; give back %ld, populate it %ld and the "
	      "alias %ld: zeroed %d %d; reservation %ld (was %ld)", g1, u, g2, t1, tx,
	      zeroed(P1), zeroed(X1), cur(), r0);
	ungrant(10);
	ungrant(11);

	/* The hypervisor's frames are not the domain's to grant or copy. */
	grant(12, SHINFO, self_id, 0);
	grant(13, GT, self_id, 0);
	int s1 = map(self_id, 12, Y1, 0, &h2);
	if (s1 == 0)
		undo(Y1, h2);
	int s2 = map(self_id, 12, Y1, GNTMAP_readonly, &h2);
	if (s2 == 0)
		undo(Y1, h2);
	int s3 = copy_from_ref(self_id, 12, Z1), s4 = copy_from_frame(SHINFO, Z1);
	int s5 = copy_to_frame(Z1, SHINFO), s6 = copy_to_ref(Z1, self_id, 12);
	check("regrant-shared-info", s1 && s2 && s3 && s4 && s5 && s6 && holds(Y1, 2, 0) &&
				     holds(Z1, 3, 0) && shinfo_live() && !in_use(12),
	      "shared info 0x%x granted: map %d, read-only %d; copy from its grant %d, from the "
	      "frame %d, into the frame %d, into its grant %d", SHINFO, s1, s2, s3, s4, s5, s6);
	int f1 = map(self_id, 13, Y1, 0, &h2);
	if (f1 == 0)
		undo(Y1, h2);
	int f2 = map(self_id, 13, Y1, GNTMAP_readonly, &h2);
	if (f2 == 0)
		undo(Y1, h2);
	int f3 = copy_from_ref(self_id, 13, Z1), f4 = copy_from_frame(GT, Z1);
	int f5 = copy_to_frame(Z1, GT), f6 = copy_to_ref(Z1, self_id, 13);
	check("regrant-grant-frame", f1 && f2 && f3 && f4 && f5 && f6 && holds(Y1, 2, 0) &&
				     holds(Z1, 3, 0) && !in_use(13) && gt[13].frame == GT,
	      "grant frame 0x%x granted: map %d, read-only %d; copy from its grant %d, from the "
	      "frame %d, into it %d, into its grant %d", GT, f1, f2, f3, f4, f5, f6);
	ungrant(12);
	ungrant(13);

	/* Nor can a grant mapping, a give-back or a populate take their place. */
	fill(P1, 4);
	grant(14, P1, self_id, 0);
	int o1 = map(self_id, 14, SHINFO, 0, &h2);
	if (o1 == 0)
		undo(SHINFO, h2);
	int o2 = map(self_id, 14, GT, 0, &h2);
	if (o2 == 0)
		undo(GT, h2);
	long o3 = give1(SHINFO), o4 = give1(GT), o5 = take1(SHINFO), o6 = take1(GT);
	check("regrant-over-frames", o1 && o2 && o3 == 0 && o4 == 0 && o5 == 0 && o6 == 0 &&
				     shinfo_live() && !in_use(14) && gt[14].frame == P1 &&
				     cur() == r0,
	      "a grant mapped over the shared info %d, over the grant frame %d; given back %ld "
	      "%ld, populated %ld %ld; reservation %ld (was %ld)", o1, o2, o3, o4, o5, o6, cur(), r0);
	ungrant(14);
}

/* ---- 2. freed while mapped ---- */

static void attack_freed_while_mapped(void)
{
	long r0 = cur();
	uint32_t h, h2;

	fill(P2, 21);
	fill(Q2, 22);
	grant(20, P2, self_id, 0);
	int st = map(self_id, 20, X2, 0, &h);
	if (!check("freed-map", st == 0 && same(X2, P2), "own page 0x%x mapped at 0x%x: %d", P2, X2,
		   st))
		return;
	long r1 = cur();
	put_str(X2, 100, "written through the alias");
	bool shows = has_str(P2, 100, "written through the alias");
	long gp = give1(P2), gx = give1(X2), tx = take1(X2);
	check("freed-give-back-refused", gp == 0 && gx == 0 && tx == 0 && shows && same(X2, P2) &&
					 cur() == r1,
	      "give back the page %ld, the mapping %ld; populate the mapping %ld; a write through "
	      "it shows at the page %d; reservation %ld (was %ld)", gp, gx, tx,
	      shows, cur(), r1);
	/* Nothing may replace the page while another mapping holds its frame. */
	long a1 = add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0, P2);
	long a2 = add_to_physmap(DOMID_SELF, XENMAPSPACE_grant_table, 1, P2);
	grant(21, Q2, self_id, 0);
	int m1 = map(self_id, 21, P2, 0, &h2);
	if (m1 == 0)
		undo(P2, h2);
	check("freed-replace-refused", a1 < 0 && a2 < 0 && m1 != 0 && shinfo_live() &&
				       has_str(P2, 100, "written through the alias") &&
				       same(X2, P2) && !in_use(21) && cur() == r1,
	      "shared info moved over it %ld, grant frame 1 %ld, another grant mapped over it %d",
	      a1, a2, m1);
	ungrant(21);
	int wrong = unmap(P2, h);
	check("freed-unmap-wrong-address", wrong != 0 && same(X2, P2) && in_use(20),
	      "the mapping's handle with another address: %d; still mapped", wrong);
	int u = unmap(X2, h);
	long g = give1(P2), t = take1(P2), t2 = take1(X2);
	check("freed-after-unmap", u == 0 && !in_use(20) && g == 1 && t == 1 && t2 == 1 &&
				   zeroed(P2) && zeroed(X2) && cur() == r0,
	      "unmap %d; give back %ld, populate %ld %ld: zeroed %d; reservation %ld (was %ld)",
	      u, g, t, t2, zeroed(P2), cur(), r0);
	ungrant(20);
}

/* ---- 3. a page mapped over itself ---- */

static void attack_self_map(void)
{
	long r0 = cur();
	uint32_t h;

	fill(P3, 31);
	grant(30, P3, self_id, 0);
	int st = map(self_id, 30, P3, 0, &h);
	if (st == 0)
		undo(P3, h);
	int ro = map(self_id, 30, P3, GNTMAP_readonly, &h);
	if (ro == 0)
		undo(P3, h);
	bool intact = holds(P3, 31, 0);
	PAGE(P3)[7] = 0x12345678u; /* still its own writable RAM */
	bool writable = PAGE(P3)[7] == 0x12345678u;
	check("self-map-refused", st != 0 && ro != 0 && intact && writable && !in_use(30) &&
				  cur() == r0,
	      "own page 0x%x mapped over itself: %d, read-only %d; intact %d, writable %d; "
	      "reservation %ld (was %ld)", P3, st, ro, intact, writable, cur(), r0);
	ungrant(30);
}

/* ---- 4. read-only is read-only for the hypervisor too ---- */

static uint32_t p4_want[1024];

static bool p4_intact(void)
{
	for (unsigned i = 0; i < 1024; i++)
		if (PAGE(P4)[i] != p4_want[i])
			return false;
	return true;
}

static void attack_read_only(void)
{
	long r0 = cur();
	uint32_t hx, hv, hw, h;

	fill(P4, 41);
	/* The first words double as an alloc_unbound / query_size request
	 * the hypervisor reads from the read-only mapping. */
	static const struct evtchn_alloc_unbound req = { DOMID_SELF, DOMID_SELF, 0 };
	memcpy((void *)PAGE(P4), &req, sizeof(req));
	for (unsigned i = 0; i < 1024; i++)
		p4_want[i] = PAGE(P4)[i];
	fill(Y4, 42);
	fill(Z4, 43);
	/* The runstate area and the vcpu_info on pages that become read-only
	 * mappings below. */
	static struct { uint64_t addr; } area;
	area.addr = (uint64_t)V4 << 12;
	long rr = vcpuop(VCPUOP_register_runstate_memory_area, &area);
	static struct vcpu_register_vcpu_info vi;
	vi = (struct vcpu_register_vcpu_info){ W4, 0, 0 };
	long rv = vcpuop(VCPUOP_register_vcpu_info, &vi);
	static struct evtchn_bind_virq bv;
	bv = (struct evtchn_bind_virq){ VIRQ_TIMER, 0, 0 };
	long rb = evtop(EVTCHNOP_bind_virq, &bv);

	grant(40, P4, self_id, GTF_readonly);
	int sx = map(self_id, 40, X4, GNTMAP_readonly, &hx);
	int sv = map(self_id, 40, V4, GNTMAP_readonly, &hv);
	int sw = map(self_id, 40, W4, GNTMAP_readonly, &hw);
	if (!check("ro-map", rr == 0 && rv == 0 && rb == 0 && sx == 0 && sv == 0 && sw == 0 &&
			     same(X4, P4) && same(V4, P4),
		   "runstate area at 0x%x %ld, vcpu_info at 0x%x %ld, VIRQ_TIMER %ld; 0x%x granted "
		   "read-only, mapped so at 0x%x %d, 0x%x %d, 0x%x %d", V4, rr, W4, rv, rb, P4, X4,
		   sx, V4, sv, W4, sw)) {
		if (sx == 0)
			undo(X4, hx);
		if (sv == 0)
			undo(V4, hv);
		if (sw == 0)
			undo(W4, hw);
		return;
	}
	/* A timer event (VIRQ_TIMER: written into the vcpu_info) and the
	 * scheduler's runstate updates while those pages are read-only. */
	static struct vcpu_set_singleshot_timer st;
	st = (struct vcpu_set_singleshot_timer){ now_ns() + 1 * MS, 0 };
	long rt = vcpuop(VCPUOP_set_singleshot_timer, &st);
	sleep_ms(30);
	uint32_t pend = ((volatile uint32_t *)shpage.s.evtchn_pending)[bv.port / 32] >> (bv.port % 32) & 1;
	check("ro-registered-areas", rt == 0 && pend && p4_intact(),
	      "vcpu_info and runstate area now read-only mappings: a timer event (pending in the "
	      "shared info %u) and 30 ms of runstate updates; page intact %d", pend, p4_intact());

	/* Hypercall outputs aimed at the read-only mapping. */
	uint32_t x = X4 << 12;
	long e[14];
	e[0] = hypercall(HYPERVISOR_xen_version, XENVER_extraversion, x, 0, 0, 0);
	e[1] = hypercall(HYPERVISOR_xen_version, XENVER_capabilities, x, 0, 0, 0);
	e[2] = hypercall(HYPERVISOR_xen_version, XENVER_changeset, x, 0, 0, 0);
	e[3] = hypercall(HYPERVISOR_xen_version, XENVER_guest_handle, x, 0, 0, 0);
	e[4] = hypercall(HYPERVISOR_xen_version, XENVER_get_features, x, 0, 0, 0);
	static struct { uint32_t nr, buffer; } mm;
	mm.nr = 8;
	mm.buffer = x;
	e[5] = memop(XENMEM_memory_map, &mm);
	e[6] = hypercall(HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 0, x, 0, 0);
	area.addr = x;
	e[7] = vcpuop(VCPUOP_register_runstate_memory_area, &area);
	e[8] = vcpuop(VCPUOP_register_vcpu_time_memory_area, &area);
	e[9] = evtop(EVTCHNOP_alloc_unbound, (void *)x);
	e[10] = gntop(GNTTABOP_query_size, (void *)x, 1);
	e[11] = gntop(GNTTABOP_setup_table, (void *)x, 1);
	e[12] = hypercall(HYPERVISOR_hvm_op, HVMOP_get_param, x, 0, 0, 0);
	e[13] = wrmsr_safe(XEN_MSR, x); /* the hypercall page: #GP */
	bool all = e[13] == VEC_GP;
	for (unsigned i = 0; i < 13; i++)
		all &= e[i] == -EFAULT;
	/* xen_version extraversion, capabilities, changeset, guest_handle,
	 * get_features; memory_map; vcpu_op get_runstate_info, register
	 * runstate, time area; alloc_unbound, query_size, setup_table,
	 * get_param; the hypercall page MSR (a vector). */
	check("ro-hypercall-outputs", all && p4_intact(),
	      "outputs into the mapping: version ops %ld %ld %ld %ld %ld, memory_map %ld, vcpu_op "
	      "%ld %ld %ld, %ld %ld %ld %ld, hypercall page vector %ld; page intact %d", e[0],
	      e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8], e[9], e[10], e[11], e[12], e[13],
	      p4_intact());

	/* Grant copies into it, a writable grant of it, a writable map of the grant. */
	int c1 = copy_to_frame(Z4, X4), c2 = copy_to_ref(Z4, self_id, 40);
	int c3 = copy_from_ref(self_id, 40, Z4);
	bool read = PAGE(Z4)[0] == p4_want[0] && PAGE(Z4)[15] == p4_want[15];
	fill(Z4, 43);
	grant(41, X4, self_id, 0);
	int m1 = map(self_id, 41, Y4, 0, &h);
	if (m1 == 0)
		undo(Y4, h);
	int m2 = map(self_id, 41, Y4, GNTMAP_readonly, &h);
	if (m2 == 0)
		undo(Y4, h);
	int m3 = map(self_id, 40, Y4, 0, &h);
	if (m3 == 0)
		undo(Y4, h);
	check("ro-copy-and-map", c1 && c2 && c3 == 0 && read && m1 && m2 && m3 && holds(Y4, 42, 0) &&
				 !in_use(41) && p4_intact() &&
				 !(gt[40].flags & GTF_writing),
	      "copy into the mapping %d, into the grant %d (from it %d, reads %d); the mapping "
	      "granted and mapped %d, read-only %d; the grant mapped writable %d", c1, c2, c3,
	      read, m1, m2, m3);
	ungrant(41);
	long g = give1(X4), t = take1(X4);
	long a = add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0, X4);
	check("ro-replace-refused", g == 0 && t == 0 && a < 0 && shinfo_live() && p4_intact() &&
				    same(X4, P4),
	      "give back the mapping %ld, populate it %ld, shared info over it %ld", g, t, a);

	int u1 = unmap(X4, hx), u2 = unmap(V4, hv), u3 = unmap(W4, hw);
	static uint32_t back[3] = { X4, V4, W4 };
	long tb = resv(XENMEM_populate_physmap, back, 3);
	bool z = zeroed(X4);
	static struct evtchn_close cl;
	cl.port = bv.port;
	evtop(EVTCHNOP_close, &cl);
	check("ro-unmapped", u1 == 0 && u2 == 0 && u3 == 0 && !in_use(40) && tb == 3 && z &&
			     p4_intact() && cur() == r0,
	      "unmaps %d %d %d, populated %ld (zeroed %d); reservation %ld (was %ld)", u1, u2, u3,
	      tb, z, cur(), r0);
	ungrant(40);
}

/* ---- 5. bounded work ---- */

static uint32_t bal[NBAL], bad5[200], back5[50];
static struct copy32 cops[100];
static struct gnttab_map_grant_ref mops[NMAP];
static struct gnttab_unmap_grant_ref uops[100];
/* A full maptrack: 1024 mappings (Xen's default per domain here), one more. */
#define MAPTRACK 1024u
#define ABOVE 0x10000u /* above its RAM: holes, no RAM given back */
static struct gnttab_map_grant_ref fops[MAPTRACK + 1];
static struct gnttab_unmap_grant_ref fuops[MAPTRACK];

/* A long list is continued, not done in one go: a timer interrupt (the
 * callback vector, re-armed every 50 us) lands between its batches, and
 * the handler's own hypercall sees the reservation part-way. */
static volatile bool in_call;
static volatile unsigned mid_irqs, mid_seen;
static long mid_a, mid_b; /* the reservation before and after the call */

static void mid_hook(void)
{
	if (!in_call)
		return;
	long c = cur();
	mid_irqs++;
	if ((c > mid_a && c < mid_b) || (c > mid_b && c < mid_a))
		mid_seen++;
	hc_set_timer(now_ns() + 50000);
}

static long preempted(unsigned cmd, const uint32_t *list, uint32_t n, long before, long after)
{
	mid_a = before;
	mid_b = after;
	in_call = true;
	hc_set_timer(now_ns() + 50000);
	sti();
	long r = resv(cmd, list, n);
	in_call = false;
	hc_set_timer(0);
	hc_xen_version(); /* an interrupt still pending is taken now */
	cli();
	return r;
}

static void attack_bounded(void)
{
	long max = reservation_of(XENMEM_maximum_reservation, DOMID_SELF);

	if (max < (long)(BAL + NBAL + 64)) {
		fail("bounded", "needs %u pages of RAM, has %ld (memory=32)", BAL + NBAL + 64, max);
		return;
	}
	long r0 = cur();
	for (unsigned i = 0; i < NBAL; i++) {
		bal[i] = BAL + i;
		if (i % 64 == 0)
			PAGE(bal[i])[5] = 0xdeadbeefu;
	}
	callback_hook = mid_hook;
	long cb = callback_setup();
	uint64_t t0 = now_ns();
	long d = preempted(XENMEM_decrease_reservation, bal, NBAL, r0, r0 - (long)NBAL);
	unsigned seen_d = mid_seen, irqs_d = mid_irqs;
	uint64_t t1 = now_ns();
	long r1 = cur();
	long p = preempted(XENMEM_populate_physmap, bal, NBAL, r0 - (long)NBAL, r0);
	unsigned seen_p = mid_seen - seen_d, irqs_p = mid_irqs - irqs_d;
	uint64_t t2 = now_ns();
	long r2 = cur();
	uint64_t off = 0;
	hc_hvm_param(HVMOP_set_param, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, &off);
	callback_hook = 0;
	bool z = true;
	for (unsigned i = 0; i < NBAL; i += 64)
		z &= PAGE(bal[i])[5] == 0;
	check("bounded-balloon", d == NBAL && p == NBAL && r1 == r0 - (long)NBAL && r2 == r0 && z,
	      "%u extents given back in one call: %ld (%llu ms), reservation %ld -> %ld; populated "
	      "again: %ld (%llu ms), reservation %ld, zeroed %d", NBAL, d,
	      (unsigned long long)((t1 - t0) / MS), r0, r1, p, (unsigned long long)((t2 - t1) / MS),
	      r2, z);
	check("bounded-preemptible", cb == 0 && seen_d > 0 && seen_p > 0,
	      "timer interrupts taken inside those calls that saw the reservation part-way: %u "
	      "of %u giving back, %u of %u populating", seen_d, irqs_d, seen_p, irqs_p);

	/* A bad entry (beyond RAM) at 150, past the first continuation. */
	for (unsigned i = 0; i < 200; i++)
		bad5[i] = BAD5 + i;
	bad5[150] = 0x100000; /* 4 GiB */
	long bd = resv(XENMEM_decrease_reservation, bad5, 200), rb = cur();
	long bp = resv(XENMEM_populate_physmap, bad5, 200);
	/* A page given back twice: the second is a hole. */
	static uint32_t twice[3] = { BAD5 + 250, BAD5 + 250, BAD5 + 251 };
	long tw = resv(XENMEM_decrease_reservation, twice, 3);
	long tb = resv(XENMEM_populate_physmap, twice, 1);
	check("bounded-bad-entry", bd == 150 && rb == r0 - 150 && bp == 150 && tw == 1 && tb == 1 &&
				   cur() == r0,
	      "200 extents, a bad one at 150: given back %ld (reservation %ld), populated %ld; "
	      "a page twice: %ld, back %ld; reservation %ld (was %ld)", bd, rb, bp, tw, tb,
	      cur(), r0);

	/* A list whose second half lies in a page given back: stops there. */
	uint32_t *list = (uint32_t *)(uintptr_t)((LP << 12) + 4096 - 50 * 4);
	for (unsigned i = 0; i < 100; i++)
		list[i] = CROSS5 + i;
	long gh = give1(LH), r3 = cur();
	long cd = resv(XENMEM_decrease_reservation, list, 100);
	for (unsigned i = 0; i < 50; i++)
		back5[i] = CROSS5 + i;
	long cp = resv(XENMEM_populate_physmap, back5, 50), th = take1(LH);
	long bptr = resv(XENMEM_decrease_reservation, (const uint32_t *)0xfffff000u, 10);
	check("bounded-list-in-hole", gh == 1 && cd == 50 && cp == 50 && th == 1 && bptr == -EFAULT &&
				      r3 == r0 - 1 && cur() == r0,
	      "a 100-extent list whose last 50 lie in a hole: %ld, populated %ld; a list at a bad "
	      "address %ld; reservation %ld (was %ld)", cd, cp, bptr, cur(), r0);

	/* Grant lists longer than a batch: 100 copies, 40 maps and unmaps of
	 * one grant, 100 unmaps of handles that do not exist. */
	fill(G5, 51);
	fill(Z5, 52);
	grant(50, G5, self_id, 0);
	for (unsigned i = 0; i < 100; i++)
		cops[i] = (struct copy32){ { 50, DOMID_SELF, (uint16_t)(i * 40) },
			{ Z5, DOMID_SELF, (uint16_t)(i * 40) }, 40, GNTCOPY_source_gref, 1, 0 };
	long rc = gntop(GNTTABOP_copy, cops, 100);
	unsigned ok = 0;
	for (unsigned i = 0; i < 100; i++)
		ok += cops[i].status == GNTST_okay;
	bool copied = true;
	for (unsigned i = 0; i < 1000; i++)
		copied &= PAGE(Z5)[i] == word(51, i);
	check("bounded-grant-copy", rc == 0 && ok == 100 && copied && !in_use(50),
	      "100 copies in one call: %ld, %u okay, copied %d", rc, ok, copied);
	grant(51, G5, self_id, GTF_readonly);
	for (unsigned i = 0; i < NMAP; i++)
		mops[i] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)(M5 + i) << 12,
			.flags = GNTMAP_host_map | GNTMAP_readonly, .ref = 51, .dom = self_id };
	long rm = gntop(GNTTABOP_map_grant_ref, mops, NMAP);
	unsigned mapped = 0;
	for (unsigned i = 0; i < NMAP; i++)
		mapped += mops[i].status == GNTST_okay && PAGE(M5 + i)[9] == word(51, 9);
	long give_mapped = give1(G5);
	for (unsigned i = 0; i < NMAP; i++)
		uops[i] = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)(M5 + i) << 12,
			.handle = mops[i].handle };
	long ru = gntop(GNTTABOP_unmap_grant_ref, uops, NMAP);
	unsigned unmapped = 0;
	for (unsigned i = 0; i < NMAP; i++)
		unmapped += uops[i].status == GNTST_okay;
	static uint32_t m5[NMAP];
	for (unsigned i = 0; i < NMAP; i++)
		m5[i] = M5 + i;
	long rp = resv(XENMEM_populate_physmap, m5, NMAP);
	check("bounded-grant-maps", rm == 0 && mapped == NMAP && give_mapped == 0 && ru == 0 &&
				    unmapped == NMAP && !in_use(51) && rp == NMAP && cur() == r0,
	      "%u maps of one grant in one call: %ld, %u mapped (the page given back %ld); "
	      "unmapped in one call %ld, %u; populated %ld; reservation %ld (was %ld)",
	      NMAP, rm, mapped, give_mapped, ru, unmapped, rp, cur(), r0);
	for (unsigned i = 0; i < 100; i++)
		uops[i] = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)(M5 + i) << 12,
			.handle = 5000 + i };
	long rx = gntop(GNTTABOP_unmap_grant_ref, uops, 100);
	unsigned bad = 0;
	for (unsigned i = 0; i < 100; i++)
		bad += uops[i].status == GNTST_bad_handle;
	check("bounded-bad-handles", rx == 0 && bad == 100, "100 unmaps of no mapping: %ld, %u "
	      "GNTST_bad_handle", rx, bad);

	/* The maptrack filled in one call: those too many are refused (the
	 * granter holds three mappings already). */
	unsigned held = role == 'a' ? 3 : 0; /* XA, SA, AB */
	for (unsigned i = 0; i <= MAPTRACK; i++)
		fops[i] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)(ABOVE + i) << 12,
			.flags = GNTMAP_host_map | GNTMAP_readonly, .ref = 51, .dom = self_id };
	long rf = gntop(GNTTABOP_map_grant_ref, fops, MAPTRACK + 1);
	unsigned fm = 0, full = 0;
	while (fm <= MAPTRACK && fops[fm].status == GNTST_okay)
		fm++;
	for (unsigned i = fm; i <= MAPTRACK; i++)
		full += fops[i].status == GNTST_no_device_space;
	bool reads = fm && PAGE(ABOVE)[3] == word(51, 3) && PAGE(ABOVE + fm - 1)[3] == word(51, 3);
	for (unsigned i = 0; i < fm; i++)
		fuops[i] = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)(ABOVE + i) << 12,
			.handle = fops[i].handle };
	long rfu = gntop(GNTTABOP_unmap_grant_ref, fuops, fm);
	unsigned fu = 0;
	for (unsigned i = 0; i < fm; i++)
		fu += fuops[i].status == GNTST_okay;
	check("bounded-maptrack-full", rf == 0 && fm == MAPTRACK - held && reads &&
				       full == MAPTRACK + 1 - fm && rfu == 0 && fu == fm &&
				       !in_use(51) && cur() == r0,
	      "%u maps above its RAM in one call (%u held): %ld, %u mapped (read %d), %u "
	      "GNTST_no_device_space; unmapped in one call %ld, %u", MAPTRACK + 1, held, rf, fm,
	      reads, full, rfu, fu);
	ungrant(50);
	ungrant(51);
}

/* ---- 6. domain ids ---- */

/* Every call that names dom as its target domain: how many were NOT
 * refused (0 is right), the first such in *what; target_nr calls. A's
 * ref 9 is never granted (its peer's map of it must fail too). */
static unsigned target_nr;

static unsigned target_calls(uint16_t dom, const char **what)
{
	static uint32_t t6 = T6, h6 = H6;
	static struct evtchn_alloc_unbound au;
	static struct evtchn_bind_interdomain bi;
	static struct evtchn_status es;
	static struct evtchn_reset er;
	static struct gnttab_query_size qs;
	static struct gnttab_setup_table su;
	static struct sched_remote_shutdown rs;
	static struct { uint16_t domid, pad; uint32_t nr, buffer; } smm;
	static struct xen_e820_entry e820[1];
	unsigned n = 0;
	uint32_t h;
	uint64_t v = 0;
	static bool n_seen; /* the codes printed once */

	long c[24];
	unsigned k = 0;
	/* Refused for real: an error, and not -ENOSYS or -EFAULT, which would
	 * mean the call never got to the domain id (a layout bug here). */
#define REFUSED(name, expr)                                                        \
	do {                                                                        \
		long c_ = c[k++] = (expr);                                          \
		if (!(c_ < 0 && c_ != -ENOSYS && c_ != -EFAULT &&                   \
		      c_ != RC_STATUS(-ENOSYS) && c_ != RC_STATUS(-EFAULT)) && !n++) \
			*what = name;                                               \
	} while (0)
	REFUSED("current_reservation", reservation_of(XENMEM_current_reservation, dom));
	REFUSED("maximum_reservation", reservation_of(XENMEM_maximum_reservation, dom));
	REFUSED("decrease_reservation", resv_dom(XENMEM_decrease_reservation, &t6, 1, dom));
	REFUSED("populate_physmap", resv_dom(XENMEM_populate_physmap, &h6, 1, dom));
	REFUSED("increase_reservation", resv_dom(XENMEM_increase_reservation, &h6, 1, dom));
	REFUSED("add_to_physmap", add_to_physmap(dom, XENMAPSPACE_shared_info, 0, T6));
	smm.domid = dom;
	smm.nr = 1;
	smm.buffer = (uint32_t)(uintptr_t)e820;
	REFUSED("set_memory_map", memop(XENMEM_set_memory_map, &smm));
	int st = map(dom, 9, T6, 0, &h);
	if (st == 0)
		undo(T6, h);
	REFUSED("map_grant_ref", st);
	REFUSED("copy from a grant", copy_from_ref(dom, 9, T6));
	REFUSED("copy into a grant", copy_to_ref(T6, dom, 9));
	qs = (struct gnttab_query_size){ dom, 0, 0, 0 };
	long rq = gntop(GNTTABOP_query_size, &qs, 1);
	REFUSED("query_size", rq ? rq : qs.status);
	su = (struct gnttab_setup_table){ .dom = dom, .nr_frames = 1 };
	long rsu = gntop(GNTTABOP_setup_table, &su, 1);
	REFUSED("setup_table", rsu ? rsu : su.status);
	au = (struct evtchn_alloc_unbound){ dom, DOMID_SELF, 0 };
	REFUSED("alloc_unbound", evtop(EVTCHNOP_alloc_unbound, &au));
	bi = (struct evtchn_bind_interdomain){ dom, 1, 0 };
	REFUSED("bind_interdomain", evtop(EVTCHNOP_bind_interdomain, &bi));
	es = (struct evtchn_status){ .dom = dom, .port = 1 };
	REFUSED("evtchn status", evtop(EVTCHNOP_status, &es));
	er.dom = dom;
	REFUSED("evtchn reset", evtop(EVTCHNOP_reset, &er));
	REFUSED("hvm get_param", hc_hvm_param(HVMOP_get_param, dom, HVM_PARAM_CALLBACK_IRQ, &v));
	v = 0;
	REFUSED("hvm set_param", hc_hvm_param(HVMOP_set_param, dom, HVM_PARAM_CALLBACK_IRQ, &v));
	rs = (struct sched_remote_shutdown){ dom, SHUTDOWN_poweroff };
	REFUSED("remote_shutdown", hypercall(HYPERVISOR_sched_op, SCHEDOP_remote_shutdown,
					     (unsigned long)&rs, 0, 0, 0));
	if (!n_seen || dom == peer || dom == 0x8000) { /* what they said, for the log */
		char line[160];
		unsigned at = 0;
		for (unsigned i = 0; i < k && at < sizeof(line) - 8; i++)
			at += (unsigned)snprintf_(line + at, sizeof(line) - at, " %ld", c[i]);
		line[at] = 0;
		gprintf("attack: domain 0x%x as the target:%s\n", dom, line);
	}
	target_nr = k;
#undef REFUSED
	n_seen = true;
	return n;
}

static void attack_domain_ids(void)
{
	uint32_t r[4];

	cpuid(0x40000004, 0, r);
	check("ids-cpuid", (r[0] & 0x10) && r[2] == self_id && self_id > 0 && self_id < 0x7ff0 &&
			   (!role || (peer < 0x7ff0 && peer > 0 && peer != self_id)),
	      "own id %u, peer %u: below 0x7ff0 (DOMID_FIRST_RESERVED), not domain 0", r[2], peer);
	fill(T6, 61);
	take1(H6);
	give1(H6); /* a hole, whatever it was */
	long r0 = cur();
	/* A positive control: its own id works where DOMID_SELF does. */
	long own = reservation_of(XENMEM_current_reservation, self_id);
	unsigned reserved_bad = 0, reserved_ids = 0;
	const char *what = "";
	uint16_t first = 0;
	uint16_t ids[32];
	unsigned nids = 0;
	for (uint16_t d = DOMID_SELF + 1; d <= 0x7fff; d++)
		ids[nids++] = d;
	static const uint16_t extra[] = { 0x8000, 0x8001, 0xfff0, 0xfffe, 0xffff };
	for (unsigned i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		ids[nids++] = extra[i];
	for (unsigned i = 0; i < nids; i++) {
		const char *w = "";
		unsigned n = target_calls(ids[i], &w);
		reserved_ids++;
		if (n && !reserved_bad++) {
			first = ids[i];
			what = w;
		}
	}
	check("ids-reserved-refused", reserved_bad == 0 && own == r0 && holds(T6, 61, 0) &&
				      cur() == r0 && shinfo_live(),
	      "%u reserved ids (0x7ff1-0x7fff, 0x8000-1, 0xfff0, 0xfffe-f) as the target of %u "
	      "calls each: %u not refused%s%s; own id %ld; reservation %ld (was %ld)", reserved_ids,
	      target_nr, reserved_bad, reserved_bad ? ", first " : "", reserved_bad ? what : "",
	      own, cur(), r0);
	if (reserved_bad)
		gprintf("attack: the first not refused: domain 0x%x, %s\n", first, what);
	if (role) {
		const char *w = "";
		unsigned n = target_calls(peer, &w);
		check("ids-peer-refused", n == 0 && holds(T6, 61, 0) && cur() == r0,
		      "the peer (domain %u) as the target of %u calls: %u not refused%s%s", peer, target_nr, n,
		      n ? ", first " : "", n ? w : "");
	}
	/* Domain 0 (no management domain here, or not ours to name). */
	const char *w0 = "";
	unsigned n0 = target_calls(0, &w0);
	check("ids-dom0-refused", n0 == 0 && holds(T6, 61, 0) && cur() == r0 &&
				  hc_xen_version() == (long)EYRIE_XEN_VERSION,
	      "domain 0 as the target of %u calls: %u not refused%s%s; xen_version still answers",
	      target_nr, n0, n0 ? ", first " : "", n0 ? w0 : "");
	take1(H6);
}

/* ---- 7. a dying granter ---- */

/* A: grants B its page DA (ref 1), and the aliases B must be refused:
 * its own page PA mapped at XA (ref 2), the shared info (ref 3), the
 * grant-table frame (ref 4). */
static uint32_t a_handle, s_handle, b_handle;

static void granter_setup(void)
{
	fill(DA, 70);
	put_str(DA, A_MSG, a_ready);
	PAGE(DA)[B_MSG / 4] = 0;
	fill(PA, 71);
	fill(DB, 73);
	grant(60, PA, self_id, 0);
	int st = map(self_id, 60, XA, 0, &a_handle);
	grant(61, DA, self_id, 0);
	int st2 = map(self_id, 61, SA, 0, &s_handle);
	grant(2, XA, peer, 0);
	grant(3, SHINFO, peer, 0);
	grant(4, GT, peer, 0);
	grant(5, DB, peer, GTF_readonly);
	grant(6, UA1, peer, 0);
	grant(8, UA2, peer, GTF_readonly);
	grant(1, DA, peer, 0); /* last: B maps it, then tries the others */
	check("granter-setup", st == 0 && st2 == 0 && same(XA, PA) && same(SA, DA),
	      "0x%x granted to domain %u (ref 1), 0x%x read-only (5), its alias 0x%x (2), shared "
	      "info (3), grant frame (4); own pages mapped: %d %d", DA, peer, DB, XA, st, st2);
	/* The peer's page (its ref 7), mapped until A dies. */
	uint64_t end = now_ns() + 20000 * MS;
	int sb;
	while ((sb = map(peer, 7, AB, 0, &b_handle)) != 0 && now_ns() < end)
		sleep_ms(20);
	if (sb == 0)
		put_str(AB, 0, a_here);
	check("granter-maps-peer", sb == 0 && has_str(AB, 0, a_here), "domain %u's ref 7 mapped at "
	      "0x%x: %d", peer, AB, sb);
}

static void granter_finish(void)
{
	uint64_t end = now_ns() + 240000 * MS;

	while (!has_str(DA, B_MSG, b_mapped) && now_ns() < end)
		sleep_ms(20);
	bool mapped = has_str(DA, B_MSG, b_mapped);
	uint16_t f1 = gt[1].flags, f2 = gt[2].flags, f3 = gt[3].flags, f4 = gt[4].flags;
	uint16_t f5 = gt[5].flags;
	check("granter-peer-mapped", mapped && (f1 & GTF_reading) && (f1 & GTF_writing) &&
				     (f5 & GTF_reading) && !(f5 & GTF_writing) &&
				     !((f2 | f3 | f4) & (GTF_reading | GTF_writing)),
	      "domain %u says it mapped refs 1 and 5: %d; in use 0x%x 0x%x, refs 2-4 not 0x%x "
	      "0x%x 0x%x", peer, mapped, f1, f5, f2, f3, f4);
	/* The last data, then power off still granting it (and still mapping
	 * its own page at the alias). */
	fill(DB, 74);
	fill(DA, 72);
	put_str(DA, B_MSG, b_mapped);
	put_str(DA, A_MSG, a_last); /* last: B takes the page once it sees this */
	gprintf("attack: dying with 0x%x (also mapped at 0x%x) and 0x%x mapped by domain %u, "
		"0x%x mapped at 0x%x, domain %u's page at 0x%x\n", DA, SA, DB, peer, PA, XA, peer, AB);
}

/* B: the mapper. */
static uint32_t last[1024];

static void mapper(void)
{
	uint32_t h, h2;
	int st = 1;
	uint64_t t0 = now_ns(), end = t0 + 120000 * MS;

	fill(YB, 80);
	fill(ZB, 81);
	fill(BG, 82);
	grant(7, BG, peer, 0); /* A maps it, and dies with it */
	while (now_ns() < end && (st = map(peer, 1, MB, 0, &h)) != 0)
		sleep_ms(20);
	if (!check("mapper-map", st == 0 && has_str(MB, A_MSG, a_ready) && holds(MB, 70, DATA / 4),
		   "domain %u's ref 1 mapped at 0x%x after %llu ms: %d", peer, MB,
		   (unsigned long long)((now_ns() - t0) / MS), st))
		return;
	/* A's alias of its own page, its shared info, its grant frame: refused. */
	int a1 = map(peer, 2, YB, 0, &h2);
	if (a1 == 0)
		undo(YB, h2);
	int a2 = map(peer, 2, YB, GNTMAP_readonly, &h2);
	if (a2 == 0)
		undo(YB, h2);
	int a3 = copy_from_ref(peer, 2, ZB), a4 = copy_to_ref(ZB, peer, 2);
	check("mapper-alias-refused", a1 && a2 && a3 && a4 && holds(YB, 80, 0) && holds(ZB, 81, 0),
	      "domain %u's grant of its alias (a mapping of its own page): map %d (want "
	      "GNTST_bad_page %d), read-only %d, copy from %d, into %d", peer, a1, GNTST_bad_page, a2,
	      a3, a4);
	int s1 = map(peer, 3, YB, 0, &h2);
	if (s1 == 0)
		undo(YB, h2);
	int s2 = map(peer, 4, YB, 0, &h2);
	if (s2 == 0)
		undo(YB, h2);
	int s3 = copy_from_ref(peer, 3, ZB), s4 = copy_from_ref(peer, 4, ZB);
	int s5 = copy_to_ref(ZB, peer, 4);
	check("mapper-frames-refused", s1 && s2 && s3 && s4 && s5 && holds(YB, 80, 0) &&
				       holds(ZB, 81, 0),
	      "domain %u's shared info granted: map %d, copy %d; its grant frame: map %d, copy "
	      "from %d, into %d", peer, s1, s3, s2, s4, s5);
	uint32_t hr;
	int r1 = map(peer, 5, RB, 0, &h2);
	if (r1 == 0)
		undo(RB, h2);
	int r2 = map(peer, 5, RB, GNTMAP_readonly, &hr);
	long ro1 = r2 ? 0 : hypercall(HYPERVISOR_xen_version, XENVER_extraversion, RB << 12, 0, 0, 0);
	long ro2 = r2 ? 0 : hypercall(HYPERVISOR_xen_version, XENVER_capabilities, RB << 12, 0, 0, 0);
	int ro3 = copy_to_ref(ZB, peer, 5), ro4 = copy_to_frame(ZB, RB);
	check("mapper-read-only", r1 != 0 && r2 == 0 && ro1 == -EFAULT && ro2 == -EFAULT && ro3 &&
				  ro4 && holds(RB, 73, 0),
	      "domain %u's read-only grant: mapped writable %d, read-only %d; outputs into it "
	      "%ld %ld, copies into the grant %d and the mapping %d", peer, r1, r2, ro1, ro2, ro3,
	      ro4);
	/* Pages of regions A never used: populated (zeroed) for the grant,
	 * never an earlier owner's bytes. */
	int z1 = map(peer, 6, UB, 0, &h2);
	bool zb = z1 == 0 && zeroed(UB);
	if (z1 == 0)
		unmap(UB, h2);
	long zt = take1(UB);
	int z2 = copy(8, peer, 0, ZB, DOMID_SELF, 0, 4096, GNTCOPY_source_gref);
	bool zc = z2 == 0 && zeroed(ZB);
	fill(ZB, 81);
	check("mapper-untouched-zero", zb && zt == 1 && zc, "domain %u's never-used pages: mapped "
	      "%d, zero %d; copied whole %d, zero %d", peer, z1, zb, z2, zc);
	/* A maps B's page: B cannot give it back meanwhile. */
	end = now_ns() + 60000 * MS;
	while (!has_str(BG, 0, a_here) && now_ns() < end)
		sleep_ms(20);
	long gb = give1(BG);
	check("mapper-mapped-by-peer", has_str(BG, 0, a_here) && in_use(7) && gb == 0 &&
				       holds(BG, 82, 4),
	      "domain %u wrote into B's page through its mapping %d (ref 7 in use 0x%x); given "
	      "back meanwhile %ld", peer, has_str(BG, 0, a_here), gt[7].flags, gb);
	put_str(MB, B_MSG, b_mapped);

	/* Its last words, then its end. */
	end = now_ns() + 300000 * MS;
	while (!has_str(MB, A_MSG, a_last) && now_ns() < end)
		sleep_ms(20);
	for (unsigned i = 0; i < 1024; i++)
		last[i] = PAGE(MB)[i];
	bool said = has_str(MB, A_MSG, a_last) && holds(MB, 72, DATA / 4);
	int c = 0;
	end = now_ns() + 60000 * MS;
	while (now_ns() < end && (c = copy_from_ref(peer, 1, ZB)) != GNTST_bad_domain)
		sleep_ms(20);
	bool still = r2 == 0 && holds(RB, 74, 0);
	for (unsigned i = 0; i < 1024; i++)
		still &= PAGE(MB)[i] == last[i];
	if (!check("mapper-granter-gone", said && c == GNTST_bad_domain && still,
		   "domain %u's last data seen %d; then it is gone (a copy from its grant: %d, "
		   "want %d); the mapping still reads that data %d", peer, said, c,
		   GNTST_bad_domain, still))
		return;
	/* The dead domain's mapping of B's page ended with it. */
	long gb2 = in_use(7) ? -1 : give1(BG), tb2 = take1(BG);
	check("mapper-peer-mapping-gone", gb2 == 1 && tb2 == 1 && zeroed(BG),
	      "ref 7 no longer in use (0x%x), the page given back %ld and populated %ld, zeroed",
	      gt[7].flags, gb2, tb2);
	ungrant(7);
	put_str(MB, 2048, "B writes to the orphan");
	bool wrote = has_str(MB, 2048, "B writes to the orphan");
	for (unsigned i = 0; i < 1024; i++)
		last[i] = PAGE(MB)[i];
	check("mapper-orphan-writable", wrote, "a write to the dead granter's page reads back");
	/* The orphan is not B's to grant, copy, give back or replace. */
	fill(ZB, 81); /* (the copies above wrote into it) */
	grant(10, MB, self_id, 0);
	int o1 = map(self_id, 10, YB, 0, &h2);
	if (o1 == 0)
		undo(YB, h2);
	int o2 = copy_from_ref(self_id, 10, ZB), o3 = copy_from_frame(MB, ZB);
	int o4 = copy_to_frame(ZB, MB);
	long o5 = give1(MB), o6 = take1(MB);
	long o7 = add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0, MB);
	bool kept = shinfo_live();
	for (unsigned i = 0; i < 1024; i++)
		kept &= PAGE(MB)[i] == last[i];
	check("mapper-orphan-refused", o1 && o2 && o3 && o4 && o5 == 0 && o6 == 0 && o7 < 0 &&
				       kept && holds(YB, 80, 0) && holds(ZB, 81, 0) && !in_use(10),
	      "granted and mapped %d; copied from the grant %d, from it %d, into it %d; given "
	      "back %ld, populated %ld, shared info over it %ld; intact %d", o1, o2, o3, o4, o5,
	      o6, o7, kept && holds(YB, 80, 0) && holds(ZB, 81, 0));
	ungrant(10);

	/* The boot test audits now, then creates a domain that gets the id. */
	gprintf("attack: holding the orphan of domain %u at 0x%x; waiting for a new domain %u\n",
		peer, MB, peer);
	end = now_ns() + 120000 * MS;
	while (now_ns() < end && (c = copy_from_ref(peer, 1, ZB)) == GNTST_bad_domain)
		sleep_ms(20);
	still = holds(RB, 74, 0);
	for (unsigned i = 0; i < 1024; i++)
		still &= PAGE(MB)[i] == last[i];
	check("mapper-id-reused", c != GNTST_bad_domain && c != GNTST_okay && still,
	      "a new domain %u (a copy from its ref 1: %d, not granted); the orphan still reads "
	      "the old one's data %d", peer, c, still);
	int u = unmap(MB, h), u2 = unmap(MB, h);
	int again = map(peer, 1, MB, 0, &h2);
	if (again == 0)
		unmap(MB, h2);
	long t = take1(MB);
	check("mapper-unmapped", u == 0 && u2 == GNTST_bad_handle && again != 0 && t == 1 &&
				 zeroed(MB),
	      "unmap %d, a second time %d; the new domain %u's ref 1: %d; populated %ld, zeroed %d",
	      u, u2, peer, again, t, zeroed(MB));
	gprintf("attack: dying with the read-only orphan still mapped at 0x%x\n", RB);
}

void guest_main(void)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;
	const char *cmd = boot_ebx && si->magic == XEN_HVM_START_MAGIC_VALUE && si->cmdline_paddr
			  ? (const char *)(uintptr_t)si->cmdline_paddr : "";

	for (unsigned i = 0; i < sizeof(cmdline) - 1 && cmd[i]; i++)
		cmdline[i] = cmd[i];
	if ((cmdline[0] == 'a' || cmdline[0] == 'b') && cmdline[1] == ':') {
		role = cmdline[0];
		for (const char *p = cmdline + 2; *p >= '0' && *p <= '9'; p++)
			peer = (uint16_t)(peer * 10 + (*p - '0'));
	}
	gprintf("attack: \"%s\"\n", cmdline);
	setup();
	if (role == 'b') {
		attack_domain_ids();
		mapper();
		return;
	}
	if (role == 'a')
		granter_setup();
	attack_regrant();
	attack_freed_while_mapped();
	attack_self_map();
	attack_read_only();
	attack_bounded();
	attack_domain_ids();
	if (role == 'a')
		granter_finish();
}
