/* Guest RAM and nested page tables (see p2m.h). */
#include "vmm/p2m.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/string.h"
#include "vmm/domain.h"

#include <stdbool.h>

#define CHUNK_MAX (64ull << 20) /* largest contiguous piece we ask for */

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
	while (gpa < bytes) {
		uint64_t got;
		if (d->nr_slots == DOM_MAX_SLOTS)
			goto fail;
		uint64_t hpa = alloc_piece(bytes - gpa, &got);
		if (!hpa)
			goto fail;
		d->slots[d->nr_slots++] = (struct mem_slot){ gpa, got, hpa };
		gpa += got;
	}
	d->ram_bytes = bytes;
	return 0;
fail:
	p2m_destroy(d);
	return -ENOMEM;
}

int p2m_populate(struct domain *d, uint64_t gpa)
{
	uint64_t r = gpa / PT_SIZE_2M, start = r * PT_SIZE_2M, end = start + PT_SIZE_2M;
	uint64_t flags = pt_leaf_flags(vcpu_ops->p2m_format, PT_R | PT_W | PT_X);

	if (gpa >= d->ram_bytes || (d->populated[r / 64] >> (r % 64) & 1))
		return -ENOENT;
	if (end > d->ram_bytes)
		end = d->ram_bytes;
	for (unsigned i = 0; i < d->nr_slots; i++) {
		const struct mem_slot *s = &d->slots[i];
		uint64_t lo = s->gpa > start ? s->gpa : start;
		uint64_t hi = s->gpa + s->size < end ? s->gpa + s->size : end;
		if (lo >= hi)
			continue;
		frames_zero(phys_to_virt(s->hpa + (lo - s->gpa)), hi - lo);
		if (pt_map(&d->p2m, lo, s->hpa + (lo - s->gpa), hi - lo, flags))
			return -ENOMEM;
	}
	d->populated[r / 64] |= 1ull << (r % 64);
	return 0;
}

/* ---- ballooning ---- */

/* The entry of gfn, or where it would go. */
static uint32_t bp_index(const struct domain *d, uint64_t gfn)
{
	uint32_t lo = 0, hi = d->nr_balloon;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (d->balloon[mid].gfn < gfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct balloon_page *bp_find(const struct domain *d, uint64_t gfn)
{
	uint32_t i = bp_index(d, gfn);

	return i < d->nr_balloon && d->balloon[i].gfn == gfn ? &d->balloon[i] : NULL;
}

/* The slot frame behind RAM page gpa (0: none). */
static uint64_t slot_frame(const struct domain *d, uint64_t gpa)
{
	for (unsigned s = 0; s < d->nr_slots; s++)
		if (gpa - d->slots[s].gpa < d->slots[s].size)
			return d->slots[s].hpa + (gpa - d->slots[s].gpa);
	return 0;
}

/* The frame backing RAM page gpa now: its slot's, a new one, or 0. */
static uint64_t ram_frame(const struct domain *d, uint64_t gpa)
{
	const struct balloon_page *b = d->nr_balloon ? bp_find(d, gpa >> 12) : NULL;

	return b ? b->hpa : slot_frame(d, gpa & ~(FRAME_SIZE - 1));
}

static void flush_all(struct domain *d)
{
	for (unsigned v = 0; v < d->nr_vcpus; v++)
		vcpu_ops->flush_p2m(d->vcpus[v]);
}

int p2m_balloon_out(struct domain *d, uint64_t gfn)
{
	uint64_t gpa = gfn << 12;

	if (gfn >= d->ram_bytes >> 12)
		return -EINVAL;
	for (unsigned i = 0; i < d->nr_remaps; i++)
		if (d->remaps[i].gpa == gpa)
			return -EBUSY;
	if (p2m_populate(d, gpa) == -ENOMEM)
		return -ENOMEM;
	struct balloon_page *b = bp_find(d, gfn);
	if (b && !b->hpa)
		return -ENOENT;
	if (!b) {
		if (d->nr_balloon == d->balloon_cap) {
			uint32_t cap = d->balloon_cap ? d->balloon_cap * 2 : 64;
			struct balloon_page *n = kmalloc(cap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			memcpy(n, d->balloon, d->nr_balloon * sizeof(*n));
			kfree(d->balloon);
			d->balloon = n;
			d->balloon_cap = cap;
		}
		uint32_t i = bp_index(d, gfn);
		memmove(&d->balloon[i + 1], &d->balloon[i], (d->nr_balloon - i) * sizeof(*b));
		d->nr_balloon++;
		b = &d->balloon[i];
		*b = (struct balloon_page){ gfn, slot_frame(d, gpa) };
	}
	if (pt_unmap(&d->p2m, gpa, FRAME_SIZE))
		return -ENOMEM;
	flush_all(d); /* no stale translation reaches the frame once it is free */
	frame_put(b->hpa, FRAME_GUEST);
	b->hpa = 0;
	d->absent_pages++;
	return 0;
}

int p2m_balloon_in(struct domain *d, uint64_t gfn)
{
	uint64_t flags = pt_leaf_flags(vcpu_ops->p2m_format, PT_R | PT_W | PT_X);
	struct balloon_page *b = gfn < d->ram_bytes >> 12 ? bp_find(d, gfn) : NULL;

	if (gfn >= d->ram_bytes >> 12)
		return -EINVAL;
	if (!b || b->hpa)
		return 0; /* backed */
	uint64_t hpa = frame_get(FRAME_GUEST);
	if (!hpa)
		return -ENOMEM;
	bool remapped = false;
	for (unsigned i = 0; i < d->nr_remaps; i++)
		remapped |= d->remaps[i].gpa == gfn << 12;
	if (!remapped && pt_map(&d->p2m, gfn << 12, hpa, FRAME_SIZE, flags)) {
		frame_put(hpa, FRAME_GUEST);
		return -ENOMEM;
	}
	b->hpa = hpa;
	d->absent_pages--;
	flush_all(d);
	return 0;
}

void p2m_destroy(struct domain *d)
{
	/* Slot frames but those given back, then the new ones. */
	for (unsigned i = 0; i < d->nr_slots; i++) {
		const struct mem_slot *s = &d->slots[i];
		uint64_t pfn = s->gpa >> 12, end = (s->gpa + s->size) >> 12;
		for (uint32_t j = bp_index(d, pfn); j < d->nr_balloon && d->balloon[j].gfn < end; j++) {
			uint64_t g = d->balloon[j].gfn;
			if (g > pfn)
				frames_put(s->hpa + ((pfn << 12) - s->gpa), g - pfn, FRAME_GUEST);
			pfn = g + 1;
		}
		if (end > pfn)
			frames_put(s->hpa + ((pfn << 12) - s->gpa), end - pfn, FRAME_GUEST);
	}
	for (uint32_t j = 0; j < d->nr_balloon; j++)
		if (d->balloon[j].hpa)
			frame_put(d->balloon[j].hpa, FRAME_GUEST);
	kfree(d->balloon);
	d->balloon = NULL;
	d->nr_balloon = d->balloon_cap = 0;
	d->absent_pages = 0;
	d->nr_slots = 0;
	if (d->p2m.root)
		pt_destroy(&d->p2m);
	kfree(d->populated);
	d->populated = NULL;
	d->ram_bytes = 0;
}

static bool remapped(const struct domain *d, uint64_t gpa)
{
	for (unsigned i = 0; i < d->nr_remaps; i++)
		if (d->remaps[i].gpa == gpa)
			return true;
	return false;
}

int p2m_remap_page(struct domain *d, uint64_t gpa, uint64_t hpa, bool writable)
{
	uint64_t flags = pt_leaf_flags(vcpu_ops->p2m_format,
				       PT_R | PT_X | (writable || !hpa ? PT_W : 0)), ram = 0;
	unsigned i = 0;

	if ((gpa & (FRAME_SIZE - 1)) || gpa >= P2M_REMAP_MAX || (gpa >= d->ram_bytes && !hpa &&
								   !remapped(d, gpa)))
		return -EINVAL;
	while (i < d->nr_remaps && d->remaps[i].gpa != gpa)
		i++;
	if (hpa && i == d->nr_remaps && i == DOM_MAX_REMAPS)
		return -ENOSPC;
	if (gpa < d->ram_bytes && p2m_populate(d, gpa) == -ENOMEM)
		return -ENOMEM;
	/* What the page is without the frame: RAM (0: given back), or
	 * nothing above RAM, where a guest may put frames (Linux's PVH grant
	 * frames go to such unpopulated addresses). */
	ram = gpa < d->ram_bytes ? ram_frame(d, gpa) : 0;
	if (hpa || ram ? pt_map(&d->p2m, gpa, hpa ? hpa : ram, FRAME_SIZE, flags)
		       : pt_unmap(&d->p2m, gpa, FRAME_SIZE))
		return -ENOMEM;
	if (hpa) {
		d->remaps[i] = (struct page_remap){ gpa, hpa };
		d->nr_remaps += i == d->nr_remaps;
	} else if (i < d->nr_remaps) {
		d->remaps[i] = d->remaps[--d->nr_remaps];
	}
	for (unsigned v = 0; v < d->nr_vcpus; v++)
		vcpu_ops->flush_p2m(d->vcpus[v]);
	return 0;
}

int p2m_map_mmio(struct domain *d, uint64_t gfn, uint64_t mfn, uint64_t nr, bool map)
{
	uint64_t flags = pt_leaf_flags(vcpu_ops->p2m_format, PT_R | PT_W | PT_UC);

	if (gfn < d->ram_bytes >> 12 || !nr || nr > (1ull << 27) - gfn || mfn >= (1ull << 40))
		return -EINVAL;
	int rc = map ? pt_map(&d->p2m, gfn << 12, mfn << 12, nr << 12, flags)
		     : pt_unmap(&d->p2m, gfn << 12, nr << 12);
	for (unsigned v = 0; v < d->nr_vcpus; v++)
		vcpu_ops->flush_p2m(d->vcpus[v]);
	return rc;
}

void *gpa_ptr(struct domain *d, uint64_t gpa, size_t len)
{
	/* Frames mapped over RAM pages (shared info, grant table): the
	 * hypervisor sees what the guest sees. */
	for (unsigned i = 0; i < d->nr_remaps; i++)
		if ((gpa & ~(FRAME_SIZE - 1)) == d->remaps[i].gpa)
			return len <= FRAME_SIZE - (gpa & (FRAME_SIZE - 1))
				       ? (char *)phys_to_virt(d->remaps[i].hpa) + (gpa & (FRAME_SIZE - 1))
				       : NULL;
	if (d->nr_balloon) { /* pages given back or backed anew */
		uint32_t j = bp_index(d, gpa >> 12);
		if (j < d->nr_balloon && d->balloon[j].gfn <= (gpa + len - 1) >> 12) {
			const struct balloon_page *b = &d->balloon[j];
			bool one = len <= FRAME_SIZE - (gpa & (FRAME_SIZE - 1)) && b->gfn == gpa >> 12;
			return one && b->hpa ? (char *)phys_to_virt(b->hpa) + (gpa & (FRAME_SIZE - 1))
					     : NULL;
		}
	}
	for (unsigned i = 0; i < d->nr_slots; i++) {
		const struct mem_slot *s = &d->slots[i];
		if (gpa >= s->gpa && gpa - s->gpa < s->size && len <= s->size - (gpa - s->gpa)) {
			/* The hypervisor's own accesses populate too. */
			for (uint64_t a = gpa & ~(PT_SIZE_2M - 1); a < gpa + len; a += PT_SIZE_2M)
				if (p2m_populate(d, a) == -ENOMEM)
					return NULL;
			return phys_to_virt(s->hpa + (gpa - s->gpa));
		}
	}
	return NULL;
}
