/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `audit`: checks the ownership invariant of guest memory (docs/security.md)
 * over every domain and the whole frame table:
 *
 *  - every page a guest can reach is RAM it owns, a frame of a granter
 *    under an active grant with matching writability (or an orphan: its
 *    granter died while it was mapped), one of its own hypervisor frames,
 *    or device memory;
 *  - a frame is free only if nothing maps it: no p2m leaf, no grant
 *    mapping, no instruction cache entry points at a free frame, and a
 *    free frame has no owner and no mappings;
 *  - the books agree: each domain owns exactly the RAM frames its p2m and
 *    its pieces not yet populated hold, and the frames' mapping counts add
 *    up to the foreign leaves of all p2ms.
 */
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/shell.h"
#include "vmm/core/domain.h"
#include "vmm/core/p2m.h"
#include "vmm/xen/xen.h"

#define REPORT_MAX 20

struct audit {
	struct domain *d;
	uint64_t ram, foreign, refs, bad;
};

static void bad(struct audit *a, const char *what, uint64_t gfn, uint64_t hpa)
{
	if (a->bad++ < REPORT_MAX)
		printk("audit: domain %u: %s (gfn 0x%lx, frame 0x%lx)\n", a->d ? a->d->id : 0xffff,
		       what, gfn, hpa);
}

static void leaf(void *ctx, uint64_t gfn, uint64_t hpa, uint64_t pages, enum p2m_type t,
		 bool writable)
{
	struct audit *a = ctx;
	struct domain *d = a->d;

	for (uint64_t i = 0; i < pages; i++, gfn++, hpa += FRAME_SIZE) {
		const struct frame_info *f = frame_info(hpa);
		if (t != P2M_MMIO && (!f || frame_is_free(hpa)))
			bad(a, "maps a free frame, or none the allocator knows", gfn, hpa);
		else if (t == P2M_RAM && f->owner != d->id)
			bad(a, "RAM it does not own", gfn, hpa);
		else if (t == P2M_FOREIGN && (!f->refs || f->owner == FRAME_NOBODY ||
					      f->owner == FRAME_XEN ||
					      (f->owner != FRAME_ORPHAN && !domain_find(f->owner))))
			bad(a, "a foreign frame that is no live domain's (or uncounted)", gfn, hpa);
		else if (t == P2M_FRAME && (f->owner != FRAME_XEN || !xen_owns_frame(d, hpa)))
			bad(a, "a hypervisor frame that is not one of its own", gfn, hpa);
		else if (t == P2M_MMIO && f && f->owner != FRAME_NOBODY)
			bad(a, "device memory that is a guest's frame", gfn, hpa);
		a->ram += t == P2M_RAM;
		a->foreign += t == P2M_FOREIGN;
	}
}

static void check_domain(struct audit *a, struct domain *d)
{
	uint64_t ram = a->ram, foreign = a->foreign, mine;

	a->d = d;
	p2m_walk(d, 0, P2M_FRAME_MAX >> 12, leaf, a);
	if (a->ram - ram + p2m_unpopulated_pages(d) != d->ram_pages)
		bad(a, "its RAM pages do not add up to its reservation", a->ram - ram, d->ram_pages);
	mine = a->foreign - foreign;
	a->bad += xen_audit(d, &mine); /* adds d's device mappings */
	a->foreign = foreign + mine;
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		const struct insn_cache *c = &d->vcpus[i]->icache;
		if (c->valid && frame_is_free((uint64_t)(uintptr_t)c->code))
			bad(a, "its instruction cache points at a free frame", c->rip,
			    (uint64_t)(uintptr_t)c->code);
	}
	d->audit_pages = 0;
}

/* The frame table: owners that exist, no leaked orphans, free frames
 * clean; each domain's frames counted. */
static void check_frames(struct audit *a)
{
	const struct frame_alloc *fa = mm_frames();

	a->d = NULL;
	for (uint64_t pfn = fa->base_pfn; pfn < fa->base_pfn + fa->npfns; pfn++) {
		const struct frame_info *f = &fa->info[pfn - fa->base_pfn];
		struct domain *d = f->owner < FRAME_XEN ? domain_find(f->owner) : NULL;
		uint64_t hpa = pfn << FRAME_SHIFT;
		a->refs += f->refs;
		if (frames_is_free(fa, pfn) && (f->owner != FRAME_NOBODY || f->refs))
			bad(a, "a free frame with an owner or mappings", 0, hpa);
		else if (f->owner < FRAME_XEN && !d)
			bad(a, "a frame of a domain that does not exist (leaked)", 0, hpa);
		else if (f->owner == FRAME_ORPHAN && !f->refs)
			bad(a, "an orphan nobody maps (leaked)", 0, hpa);
		if (d)
			d->audit_pages++;
	}
}

static int cmd_audit(int argc, char **argv)
{
	struct audit a = { 0 };
	unsigned n = 0;

	check_frames(&a);
	for (struct domain *d = domain_list(); d; d = d->next, n++) {
		if (d->audit_pages != d->ram_pages) {
			a.d = d;
			bad(&a, "owns other frames than its RAM", d->audit_pages, d->ram_pages);
		}
		check_domain(&a, d);
	}
	if (a.refs != a.foreign) {
		a.d = NULL;
		bad(&a, "the frames' mapping counts differ from the foreign pages", a.refs, a.foreign);
	}
	printk("audit: %u domains, %lu RAM pages mapped, %lu foreign: %lu violations\n", n, a.ram,
	       a.foreign, a.bad);
	return 0;
}
SHELL_COMMAND(audit, "", "check that guests reach only memory they may (see docs/security.md)",
	      cmd_audit);
