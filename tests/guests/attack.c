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
 *  3. a grant of P mapped over P itself: refused, P intact; mapped for a
 *     device (GNTMAP_device_map, with or without host_map): refused, as
 *     to any domain but domain 0;
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
#include "attack.h"

const char guest_name[] = "attack";

#define EPERM 1

const char a_here[] = "A was here";

const char a_ready[] = "A:ready";
const char a_last[] = "A:last words";
const char b_mapped[] = "B:mapped";

uint16_t self_id, peer;
char role; /* 'a', 'b' or 0 (alone) */
static char cmdline[64];
struct grant_entry_v1 gt[512] __attribute__((aligned(4096)));
union shpage shpage __attribute__((aligned(4096)));

/* ---- hypercall helpers (x86_32 layouts) ---- */

_Static_assert(sizeof(struct copy32) == 24, "copy32");

struct resv32 {
	uint32_t start, nr, order, flags;
	uint16_t domid, pad;
};

long memop(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_memory_op, cmd, (unsigned long)arg, 0, 0, 0);
}

long gntop(unsigned cmd, void *arg, unsigned count)
{
	return hypercall(HYPERVISOR_grant_table_op, cmd, (unsigned long)arg, count, 0, 0);
}

long evtop(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_event_channel_op, cmd, (unsigned long)arg, 0, 0, 0);
}

long vcpuop(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_vcpu_op, cmd, 0, (unsigned long)arg, 0, 0);
}

long resv_dom(unsigned cmd, const uint32_t *gfns, uint32_t n, uint16_t dom)
{
	static struct resv32 r;

	r = (struct resv32){ (uint32_t)(uintptr_t)gfns, n, 0, 0, dom, 0 };
	return memop(cmd, &r);
}

long resv(unsigned cmd, const uint32_t *gfns, uint32_t n)
{
	return resv_dom(cmd, gfns, n, DOMID_SELF);
}

/* decrease_reservation / populate_physmap of one page. */
long give1(uint32_t gfn)
{
	static uint32_t g;

	g = gfn;
	return resv(XENMEM_decrease_reservation, &g, 1);
}

long take1(uint32_t gfn)
{
	static uint32_t g;

	g = gfn;
	return resv(XENMEM_populate_physmap, &g, 1);
}

long reservation_of(unsigned cmd, uint16_t dom)
{
	static uint16_t d;

	d = dom;
	return memop(cmd, &d);
}

long cur(void)
{
	return reservation_of(XENMEM_current_reservation, DOMID_SELF);
}

long add_to_physmap(uint16_t dom, uint32_t space, uint32_t idx, uint32_t gfn)
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
void grant(unsigned ref, uint32_t gfn, uint16_t dom, uint16_t flags)
{
	gt[ref].domid = dom;
	gt[ref].frame = gfn;
	__atomic_store_n(&gt[ref].flags, (uint16_t)(GTF_permit_access | flags), __ATOMIC_SEQ_CST);
}

void ungrant(unsigned ref)
{
	__atomic_store_n(&gt[ref].flags, 0, __ATOMIC_SEQ_CST);
}

bool in_use(unsigned ref)
{
	return __atomic_load_n(&gt[ref].flags, __ATOMIC_SEQ_CST) & (GTF_reading | GTF_writing);
}

/* GNTTABOP_map_grant_ref of (dom, ref) at gfn: the status, *h the handle. */
int map(uint16_t dom, unsigned ref, uint32_t gfn, uint32_t flags, uint32_t *h)
{
	static struct gnttab_map_grant_ref op;

	op = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)gfn << 12,
		.flags = GNTMAP_host_map | flags, .ref = ref, .dom = dom };
	long rc = gntop(GNTTABOP_map_grant_ref, &op, 1);
	*h = op.handle;
	return rc ? RC_STATUS(rc) : op.status;
}

int unmap(uint32_t gfn, uint32_t h)
{
	static struct gnttab_unmap_grant_ref op;

	op = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)gfn << 12, .handle = h };
	long rc = gntop(GNTTABOP_unmap_grant_ref, &op, 1);
	return rc ? RC_STATUS(rc) : op.status;
}

/* Ends a mapping that should never have been made, and puts RAM back
 * there (zeroed): the checks that follow then read a page, not a hole
 * (where a read gives all ones), and fail on its content. */
void undo(uint32_t gfn, uint32_t h)
{
	unmap(gfn, h);
	take1(gfn);
}

/* One GNTTABOP_copy; flags say which side is a grant reference. */
int copy(uint32_t src, uint16_t sdom, uint16_t soff, uint32_t dst, uint16_t ddom,
		uint16_t doff, uint16_t len, uint16_t flags)
{
	static struct copy32 op;

	op = (struct copy32){ { src, sdom, soff }, { dst, ddom, doff }, len, flags, 1, 0 };
	long rc = gntop(GNTTABOP_copy, &op, 1);
	return rc ? RC_STATUS(rc) : op.status;
}

/* From our own frame (gmfn) or grant (ref), to our own frame. */
int copy_from_frame(uint32_t gfn, uint32_t to)
{
	return copy(gfn, DOMID_SELF, 0, to, DOMID_SELF, 0, 64, 0);
}

int copy_to_frame(uint32_t from, uint32_t gfn)
{
	return copy(from, DOMID_SELF, 0, gfn, DOMID_SELF, 0, 64, 0);
}

int copy_from_ref(uint16_t dom, unsigned ref, uint32_t to)
{
	return copy(ref, dom, 0, to, DOMID_SELF, 0, 64, GNTCOPY_source_gref);
}

int copy_to_ref(uint32_t from, uint16_t dom, unsigned ref)
{
	return copy(from, DOMID_SELF, 0, ref, dom, 0, 64, GNTCOPY_dest_gref);
}

/* Sleeps ms of guest time: SCHEDOP_poll of port 0 (never pending) with a
 * timeout; any event wakes it early, so it polls again. */
void sleep_ms(unsigned ms)
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

uint32_t word(uint32_t seed, unsigned i)
{
	return seed * 0x9e3779b1u ^ (i * 0x85ebca6bu + 0x5bd1e995u);
}

void fill(uint32_t gfn, uint32_t seed)
{
	for (unsigned i = 0; i < 1024; i++)
		PAGE(gfn)[i] = word(seed, i);
}

/* The page holds seed's pattern (from word `from` on). */
bool holds(uint32_t gfn, uint32_t seed, unsigned from)
{
	for (unsigned i = from; i < 1024; i++)
		if (PAGE(gfn)[i] != word(seed, i))
			return false;
	return true;
}

bool zeroed(uint32_t gfn)
{
	for (unsigned i = 0; i < 1024; i++)
		if (PAGE(gfn)[i])
			return false;
	return true;
}

/* Two mappings show the same bytes. */
bool same(uint32_t a, uint32_t b)
{
	for (unsigned i = 0; i < 1024; i++)
		if (PAGE(a)[i] != PAGE(b)[i])
			return false;
	return true;
}

void put_str(uint32_t gfn, unsigned off, const char *s)
{
	volatile char *p = (volatile char *)PAGE(gfn) + off;

	while (*s)
		*p++ = *s++;
	*p = 0;
}

bool has_str(uint32_t gfn, unsigned off, const char *s)
{
	volatile const char *p = (volatile const char *)PAGE(gfn) + off;

	for (; *s; s++, p++)
		if (*p != *s)
			return false;
	return *p == 0;
}

/* The shared info page is still the hypervisor's frame (a RAM page put
 * in its place would read zero). */
bool shinfo_live(void)
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
