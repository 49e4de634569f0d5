/* SPDX-License-Identifier: GPL-2.0-only */
/* Bitmap frame allocator (see kernel/frames.h). */
#include "kernel/frames.h"
#include "kernel/errno.h"
#include "kernel/string.h"

#include <stdbool.h>

static bool test(const struct frame_alloc *fa, uint64_t i)
{
	return (fa->bitmap[i / 64] >> (i % 64)) & 1;
}

static void set(struct frame_alloc *fa, uint64_t i, bool v)
{
	if (v)
		fa->bitmap[i / 64] |= 1ull << (i % 64);
	else
		fa->bitmap[i / 64] &= ~(1ull << (i % 64));
}

size_t frames_bitmap_bytes(uint64_t npfns)
{
	return (size_t)((npfns + 63) / 64 * 8);
}

void frames_init(struct frame_alloc *fa, uint64_t *bitmap, struct frame_info *info,
		 uint64_t base_pfn, uint64_t npfns)
{
	memset(fa, 0, sizeof(*fa));
	fa->bitmap = bitmap;
	fa->info = info;
	fa->base_pfn = base_pfn;
	fa->npfns = npfns;
	memset(bitmap, 0, frames_bitmap_bytes(npfns));
	for (uint64_t i = 0; i < npfns; i++)
		info[i] = (struct frame_info){ FRAME_NOBODY, 0 };
}

struct frame_info *frames_info(struct frame_alloc *fa, uint64_t pfn)
{
	return pfn - fa->base_pfn < fa->npfns ? &fa->info[pfn - fa->base_pfn] : NULL;
}

int frames_is_free(const struct frame_alloc *fa, uint64_t pfn)
{
	return pfn - fa->base_pfn < fa->npfns && test(fa, pfn - fa->base_pfn);
}

/* Puts the frames of [pfn, pfn + count), clipped to the covered range, in
 * the pool (in) or takes them out. */
static void pool(struct frame_alloc *fa, uint64_t pfn, uint64_t count, bool in)
{
	uint64_t lo = pfn < fa->base_pfn ? fa->base_pfn : pfn;
	uint64_t hi = pfn + count < pfn ? UINT64_MAX : pfn + count;

	if (hi > fa->base_pfn + fa->npfns)
		hi = fa->base_pfn + fa->npfns;
	for (uint64_t i = lo - fa->base_pfn; lo < hi && i < hi - fa->base_pfn; i++)
		if (test(fa, i) != in) {
			set(fa, i, in);
			fa->total += in ? 1 : -1;
			fa->free += in ? 1 : -1;
		}
}

void frames_add(struct frame_alloc *fa, uint64_t pfn, uint64_t count)
{
	pool(fa, pfn, count, true);
}

void frames_reserve(struct frame_alloc *fa, uint64_t pfn, uint64_t count)
{
	pool(fa, pfn, count, false);
}

static bool search(struct frame_alloc *fa, uint64_t from, uint64_t to,
		   uint64_t count, uint64_t align, uint64_t *found)
{
	uint64_t i = from;

	while (i + count <= to) {
		uint64_t pfn = fa->base_pfn + i;
		if (pfn & (align - 1)) {
			i += align - (pfn & (align - 1));
			continue;
		}
		/* Skip whole empty bitmap words quickly. */
		if (!(i % 64) && !fa->bitmap[i / 64]) {
			i += 64;
			continue;
		}
		uint64_t run = 0; /* free frames from i, up to count */
		while (run < count && i + run < fa->npfns && test(fa, i + run))
			run++;
		if (run == count) {
			*found = i;
			return true;
		}
		i += run + 1;
	}
	return false;
}

int frames_alloc(struct frame_alloc *fa, uint64_t count, uint64_t align,
		 enum frame_owner owner, uint64_t *pfn)
{
	uint64_t i;

	if (!count || !align || (align & (align - 1)) || owner >= FRAME_OWNERS)
		return -EINVAL;
	if (count > fa->free || (!search(fa, fa->hint, fa->npfns, count, align, &i) &&
				 !search(fa, 0, fa->npfns, count, align, &i))) {
		fa->failures++;
		return -ENOMEM;
	}
	for (uint64_t k = 0; k < count; k++)
		set(fa, i + k, false);
	fa->free -= count;
	fa->used[owner] += count;
	fa->allocs++;
	fa->hint = count == 1 ? i + 1 : fa->hint;
	*pfn = fa->base_pfn + i;
	return 0;
}

int frames_free(struct frame_alloc *fa, uint64_t pfn, uint64_t count, enum frame_owner owner)
{
	if (owner >= FRAME_OWNERS || !count || pfn < fa->base_pfn ||
	    pfn + count > fa->base_pfn + fa->npfns || pfn + count < pfn ||
	    fa->used[owner] < count)
		return -EINVAL;
	uint64_t i = pfn - fa->base_pfn;
	for (uint64_t k = 0; k < count; k++)
		if (test(fa, i + k))
			return -EINVAL;
	for (uint64_t k = 0; k < count; k++)
		if (fa->info[i + k].refs)
			return -EBUSY;
	for (uint64_t k = 0; k < count; k++) {
		set(fa, i + k, true);
		fa->info[i + k].owner = FRAME_NOBODY;
	}
	fa->free += count;
	fa->used[owner] -= count;
	fa->frees++;
	if (i < fa->hint)
		fa->hint = i;
	return 0;
}

const char *frame_owner_name(enum frame_owner o)
{
	static const char *const names[FRAME_OWNERS] = { "pagetable", "heap", "other", "vcpu",
								   "p2m", "guest" };

	return o < FRAME_OWNERS ? names[o] : "?";
}
