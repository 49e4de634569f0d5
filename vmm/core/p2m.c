/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest RAM and nested page tables (see p2m.h). */
#include "vmm/core/p2m.h"
#include "drivers/uart.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/mm.h"
#include "vmm/core/domain.h"
#include "vmm/core/vmm.h"
#include "kernel/smp.h"

#define CHUNK_MAX (64ull << 20) /* largest contiguous piece we ask for */
#define ZERO_STEP (256u << 10)   /* zeroed between two reads of the serial line */
/* The type lives in leaf bits 52-54: ignored by NPT (AMD64 "available"
 * bits) and by EPT alike. */
#define TYPE_SHIFT 52
#define TYPE_MASK (7ull << TYPE_SHIFT)

static void *tab_alloc(void *ctx, uint64_t *phys)
{
	*phys = frame_get(FRAME_P2M);
	return *phys ? phys_to_virt(*phys) : NULL;
}

static void tab_free(void *ctx, void *t, uint64_t phys)
{
	frame_put(phys, FRAME_P2M);
}

static void *tab_virt(void *ctx, uint64_t phys)
{
	return phys_to_virt(phys);
}

static const struct pt_ops p2m_ops = { tab_alloc, tab_free, tab_virt, NULL };

static uint64_t leaf_flags(enum p2m_type t, bool writable)
{
	unsigned perms = t == P2M_MMIO ? PT_R | PT_W | PT_UC
			 : PT_R | PT_X | (writable ? PT_W : 0);

	return pt_leaf_flags(vcpu_ops->p2m_format, perms) | (uint64_t)t << TYPE_SHIFT;
}

static enum p2m_type leaf_type(uint64_t flags)
{
	return (enum p2m_type)((flags & TYPE_MASK) >> TYPE_SHIFT);
}

/* No vcpu keeps a translation, or the instruction cache a pointer, into a
 * page whose leaf just went away or narrowed. */
static void flush_all(struct domain *d)
{
	vmm_sync(d, false); /* none runs on another CPU meanwhile */
	for (unsigned v = 0; v < d->nr_vcpus; v++) {
		vcpu_ops->flush_p2m(d->vcpus[v]);
		d->vcpus[v]->icache.valid = false;
	}
}

/* Takes the largest contiguous piece of at most `want` bytes the frame
 * allocator still has: 2 MiB-aligned runs of 2 MiB pages (so the nested
 * tables can use 2 MiB entries), halving on failure, down to 4 KiB. The
 * frames are not zeroed yet: p2m_populate zeroes and maps each 2 MiB
 * region on its first use, so no data of an earlier owner reaches the
 * guest and creating a domain does not touch all of its memory. */
static uint64_t alloc_piece(uint64_t want, uint64_t *got)
{
	uint64_t size = want < CHUNK_MAX ? want : CHUNK_MAX;

	while (size >= FRAME_SIZE) {
		bool big = size >= PT_SIZE_2M;
		if (big)
			size &= ~(PT_SIZE_2M - 1);
		uint64_t hpa = frames_get_unzeroed(size / FRAME_SIZE,
						   big ? PT_SIZE_2M / FRAME_SIZE : 1, FRAME_GUEST);
		if (hpa) {
			*got = size;
			return hpa;
		}
		size = (size / 2) & ~(FRAME_SIZE - 1);
	}
	return 0;
}

int p2m_init(struct domain *d, uint64_t bytes)
{
	uint64_t gpa = 0;
	int err = pt_init(&d->p2m, vcpu_ops->p2m_format, &p2m_ops);

	if (err)
		return err;
	d->populated = kzalloc(((bytes + PT_SIZE_2M - 1) / PT_SIZE_2M + 63) / 64 * 8);
	if (!d->populated)
		goto fail;
	d->ram_bytes = bytes;
	while (gpa < bytes) {
		uint64_t got;
		if (d->nr_slots == DOM_MAX_SLOTS)
			goto fail;
		uint64_t hpa = alloc_piece(bytes - gpa, &got);
		if (!hpa)
			goto fail;
		frames_set_owner(hpa, got / FRAME_SIZE, d->id);
		d->slots[d->nr_slots++] = (struct mem_slot){ gpa, got, hpa };
		d->ram_pages += got / FRAME_SIZE;
		gpa += got;
	}
	return 0;
fail:
	p2m_destroy(d);
	return -ENOMEM;
}

static bool populated(const struct domain *d, uint64_t region)
{
	return d->populated[region / 64] >> (region % 64) & 1;
}

int p2m_populate(struct domain *d, uint64_t gpa)
{
	uint64_t r = gpa / PT_SIZE_2M, start = r * PT_SIZE_2M, end = start + PT_SIZE_2M, hpa, fl;

	if (gpa >= d->ram_bytes)
		return -ENOENT;
	if (populated(d, r)) /* maybe by another vcpu since this one faulted */
		return pt_lookup(&d->p2m, gpa & ~(FRAME_SIZE - 1), &hpa, &fl) ? -ENOENT : 0;
	if (end > d->ram_bytes)
		end = d->ram_bytes;
	for (unsigned i = 0; i < d->nr_slots; i++) {
		const struct mem_slot *s = &d->slots[i];
		uint64_t lo = s->gpa > start ? s->gpa : start;
		uint64_t hi = s->gpa + s->size < end ? s->gpa + s->size : end;
		if (lo >= hi)
			continue;
		for (uint64_t z = lo; z < hi; z += ZERO_STEP) { /* reading typed keys meanwhile */
			frames_zero(phys_to_virt(s->hpa + (z - s->gpa)), hi - z < ZERO_STEP ? hi - z : ZERO_STEP);
			uart_rx_poll();
		}
		if (pt_map(&d->p2m, lo, s->hpa + (lo - s->gpa), hi - lo, leaf_flags(P2M_RAM, true))) {
			/* All or nothing: the pieces stay the slots' (unmapping
			 * what was mapped here splits nothing). */
			pt_unmap(&d->p2m, start, end - start);
			return -ENOMEM;
		}
	}
	d->populated[r / 64] |= 1ull << (r % 64);
	return 0;
}

/* Frees RAM frames [hpa, +n pages) of a dying domain; those still mapped
 * elsewhere become orphans, freed with their last mapping. */
static void release_ram(uint64_t hpa, uint64_t n)
{
	for (uint64_t i = 0, run = 0; i <= n; i++) {
		struct frame_info *f = i < n ? frame_info(hpa + (i << 12)) : NULL;
		if (f && !f->refs) {
			run++;
			continue;
		}
		if (run)
			frames_put(hpa + ((i - run) << 12), run, FRAME_GUEST);
		run = 0;
		if (f)
			f->owner = FRAME_ORPHAN;
	}
}

static void destroy_leaf(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	if (leaf_type(flags) == P2M_RAM)
		release_ram(pa, size >> 12);
	else if (leaf_type(flags) == P2M_FOREIGN)
		frame_unref(pa);
}

void p2m_destroy(struct domain *d)
{
	if (d->p2m.root)
		pt_walk(&d->p2m, 0, UINT64_MAX, destroy_leaf, d);
	/* The pieces of regions never populated were never mapped. */
	for (unsigned i = 0; i < d->nr_slots; i++) {
		const struct mem_slot *s = &d->slots[i];
		for (uint64_t a = s->gpa; a < s->gpa + s->size;) {
			uint64_t end = (a / PT_SIZE_2M + 1) * PT_SIZE_2M;
			end = end < s->gpa + s->size ? end : s->gpa + s->size;
			if (!d->populated || !populated(d, a / PT_SIZE_2M))
				frames_put(s->hpa + (a - s->gpa), (end - a) >> 12, FRAME_GUEST);
			a = end;
		}
	}
	d->nr_slots = 0;
	d->ram_pages = 0;
	if (d->p2m.root)
		pt_destroy(&d->p2m);
	kfree(d->populated);
	d->populated = NULL;
	d->ram_bytes = 0;
}

enum p2m_type p2m_lookup(struct domain *d, uint64_t gfn, uint64_t *hpa, bool *writable)
{
	uint64_t flags;

	if (gfn < d->ram_bytes >> 12 && !populated(d, gfn / 512)) {
		if (nolock_in())
			this_cpu()->nolock_miss = true; /* the locked path will */
		else
			p2m_populate(d, gfn << 12); /* (no tables: it stays a hole) */
	}
	if (pt_lookup(&d->p2m, gfn << 12, hpa, &flags))
		return P2M_HOLE;
	if (writable)
		*writable = flags & vcpu_ops->p2m_format->perm_w;
	return leaf_type(flags);
}

uint64_t p2m_ram_frame(struct domain *d, uint64_t gfn)
{
	uint64_t hpa;

	return p2m_lookup(d, gfn, &hpa, NULL) == P2M_RAM ? hpa : 0;
}

void *gpa_ptr(struct domain *d, uint64_t gpa, size_t len, bool write)
{
	uint64_t hpa;
	bool w;
	enum p2m_type t = p2m_lookup(d, gpa >> 12, &hpa, &w);

	if (t >= P2M_MMIO || (write && !w) || len > FRAME_SIZE - (gpa & (FRAME_SIZE - 1)))
		return NULL;
	return (char *)phys_to_virt(hpa) + (gpa & (FRAME_SIZE - 1));
}

int p2m_remove(struct domain *d, uint64_t gfn)
{
	uint64_t hpa;
	enum p2m_type t = p2m_lookup(d, gfn, &hpa, NULL);

	if (t == P2M_HOLE)
		return -ENOENT;
	if (t == P2M_MMIO)
		return -EINVAL;
	if (t == P2M_RAM && frame_info(hpa)->refs)
		return -EBUSY; /* granted, and another domain maps it */
	if (pt_unmap(&d->p2m, gfn << 12, FRAME_SIZE))
		return -ENOMEM;
	flush_all(d);
	if (t == P2M_RAM) {
		frame_put(hpa, FRAME_GUEST);
		d->ram_pages--;
	} else if (t == P2M_FOREIGN) {
		frame_unref(hpa);
	}
	return 0;
}

int p2m_add(struct domain *d, uint64_t gfn, uint64_t hpa, enum p2m_type t, bool writable)
{
	uint64_t old;
	struct frame_info *f = t == P2M_FOREIGN ? frame_info(hpa) : NULL;

	if (gfn >= P2M_FRAME_MAX >> 12 || (t != P2M_FOREIGN && t != P2M_FRAME) ||
	    (t == P2M_FOREIGN && !f))
		return -EINVAL;
	enum p2m_type now = p2m_lookup(d, gfn, &old, NULL);
	/* Counted first: giving back the RAM below cannot free the frame
	 * itself (a page granted to oneself and mapped over itself). */
	if ((now != P2M_HOLE && now != P2M_RAM) || (f && frame_ref(hpa)))
		return -EBUSY;
	int rc = now == P2M_RAM ? p2m_remove(d, gfn) : 0;
	if (!rc && pt_map(&d->p2m, gfn << 12, hpa, FRAME_SIZE, leaf_flags(t, writable)))
		rc = -ENOMEM;
	if (rc && f)
		f->refs--;
	return rc;
}

int p2m_populate_page(struct domain *d, uint64_t gfn)
{
	uint64_t hpa;

	if (gfn >= d->ram_bytes >> 12)
		return -EINVAL;
	enum p2m_type t = p2m_lookup(d, gfn, &hpa, NULL);
	if (t != P2M_HOLE)
		return t == P2M_RAM ? 0 : -EBUSY;
	if (!(hpa = frame_get(FRAME_GUEST)))
		return -ENOMEM;
	frames_set_owner(hpa, 1, d->id);
	if (pt_map(&d->p2m, gfn << 12, hpa, FRAME_SIZE, leaf_flags(P2M_RAM, true))) {
		frame_put(hpa, FRAME_GUEST);
		return -ENOMEM;
	}
	d->ram_pages++;
	return 0;
}

static void not_mmio(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	*(bool *)ctx |= leaf_type(flags) != P2M_MMIO;
}

int p2m_map_mmio(struct domain *d, uint64_t gfn, uint64_t mfn, uint64_t nr, bool map)
{
	bool other = false;

	if (gfn < d->ram_bytes >> 12 || !nr || nr > (1ull << 27) - gfn || mfn >= (1ull << 40))
		return -EINVAL;
	pt_walk(&d->p2m, gfn << 12, (gfn + nr) << 12, not_mmio, &other);
	if (other)
		return -EBUSY; /* frames the guest mapped there */
	/* A 2 MiB leaf written over a table frees that table at once: no CPU
	 * may be walking it then (flush_all below comes after the free). */
	vmm_sync(d, false);
	int rc = map ? pt_map(&d->p2m, gfn << 12, mfn << 12, nr << 12, leaf_flags(P2M_MMIO, true))
		     : pt_unmap(&d->p2m, gfn << 12, nr << 12);
	flush_all(d);
	return rc;
}

struct walk_ctx {
	p2m_leaf_fn *fn;
	void *ctx;
};

static void walk_leaf(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	struct walk_ctx *w = ctx;

	w->fn(w->ctx, va >> 12, pa, size >> 12, leaf_type(flags),
	      flags & vcpu_ops->p2m_format->perm_w);
}

void p2m_walk(struct domain *d, uint64_t gfn, uint64_t end, p2m_leaf_fn *fn, void *ctx)
{
	struct walk_ctx w = { fn, ctx };

	pt_walk(&d->p2m, gfn << 12, end << 12, walk_leaf, &w);
}

uint64_t p2m_unpopulated_pages(const struct domain *d)
{
	uint64_t n = 0;

	for (uint64_t r = 0; r * PT_SIZE_2M < d->ram_bytes; r++)
		if (!populated(d, r)) {
			uint64_t end = (r + 1) * PT_SIZE_2M;
			n += ((end < d->ram_bytes ? end : d->ram_bytes) - r * PT_SIZE_2M) >> 12;
		}
	return n;
}
