/* SPDX-License-Identifier: GPL-2.0-only */
/* Frames and heap of the hypervisor (see kernel/mm.h). */
#include "kernel/mm.h"
#include "kernel/errno.h"
#include "kernel/log.h"

#define LOW_MEM_END 0x100000ull /* BIOS data, EBDA, option ROMs, AP trampolines */

static struct frame_alloc frames;
static struct heap kheap;
extern char _image_start[], _image_end[];

struct span { uint64_t lo, hi; };

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
static uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }

static int collect_reserved(const struct boot_info *bi, struct span *r)
{
	int n = 0;

	r[n++] = (struct span){ 0, LOW_MEM_END };
	r[n++] = (struct span){ virt_to_phys(_image_start), virt_to_phys(_image_end) };
	for (uint32_t i = 0; i < bi->nr_modules; i++)
		r[n++] = (struct span){ align_down(bi->modules[i].start, FRAME_SIZE),
					align_up(bi->modules[i].start + bi->modules[i].size, FRAME_SIZE) };
	return n;
}

/* Lowest place below 4 GiB in usable RAM for `size` bytes avoiding r[]. */
static uint64_t place_bitmap(const struct boot_info *bi, const struct span *r,
			     int nr, uint64_t size)
{
	for (uint32_t i = 0; i < bi->nr_mem; i++) {
		const struct boot_mem_range *m = &bi->mem[i];
		if (m->type != BOOT_MEM_USABLE)
			continue;
		uint64_t lo = align_up(m->base, FRAME_SIZE), end = m->base + m->length;
		for (int moved = 1; moved;) {
			moved = 0;
			for (int k = 0; k < nr; k++)
				if (lo < r[k].hi && lo + size > r[k].lo) {
					lo = align_up(r[k].hi, FRAME_SIZE);
					moved = 1;
				}
		}
		if (lo + size <= end && lo + size <= (1ull << 32))
			return lo;
	}
	return 0;
}

void mm_init(const struct boot_info *bi)
{
	struct span r[3 + BOOT_MAX_MODULES];
	int nr = collect_reserved(bi, r);
	uint64_t top = 0;

	for (uint32_t i = 0; i < bi->nr_mem; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE && bi->mem[i].base + bi->mem[i].length > top)
			top = bi->mem[i].base + bi->mem[i].length;
	uint64_t npfns = top >> FRAME_SHIFT;
	uint64_t map_bytes = align_up(frames_bitmap_bytes(npfns), 64);
	uint64_t bytes = align_up(map_bytes + npfns * sizeof(struct frame_info), FRAME_SIZE);
	uint64_t at = place_bitmap(bi, r, nr, bytes);
	if (!npfns || !at)
		panic("no usable memory for the frame bitmap and table (%lu frames)", npfns);

	frames_init(&frames, phys_to_virt(at), phys_to_virt(at + map_bytes), 0, npfns);
	for (uint32_t i = 0; i < bi->nr_mem; i++) {
		const struct boot_mem_range *m = &bi->mem[i];
		if (m->type != BOOT_MEM_USABLE)
			continue;
		uint64_t lo = align_up(m->base, FRAME_SIZE);
		uint64_t hi = align_down(m->base + m->length, FRAME_SIZE);
		if (hi > lo)
			frames_add(&frames, lo >> FRAME_SHIFT, (hi - lo) >> FRAME_SHIFT);
	}
	for (int k = 0; k < nr; k++)
		frames_reserve(&frames, r[k].lo >> FRAME_SHIFT, (r[k].hi - r[k].lo) >> FRAME_SHIFT);
	frames_reserve(&frames, at >> FRAME_SHIFT, bytes >> FRAME_SHIFT);
	pr_info("mm: %lu MiB usable in %lu frames, bitmap and frame table %lu KiB at 0x%lx\n",
		frames.total >> 8, frames.total, bytes >> 10, at);
}

/* Zeroes whole frames 64 bytes per iteration: a plain store loop runs
 * several times faster than REP STOS under emulators (guest RAM is zeroed
 * before every domain gets it). The empty asm hides p from the compiler
 * (GCC and clang alike), so the loop never becomes a memset call. */
void frames_zero(void *at, uint64_t bytes)
{
	for (uint64_t *p = at, *end = p + bytes / 8; p < end; p += 8) {
		__asm__("" : "+r"(p));
		p[0] = 0; p[1] = 0; p[2] = 0; p[3] = 0;
		p[4] = 0; p[5] = 0; p[6] = 0; p[7] = 0;
	}
}

uint64_t frames_get_unzeroed(uint64_t count, uint64_t align, enum frame_owner owner)
{
	uint64_t pfn;

	return frames_alloc(&frames, count, align, owner, &pfn) ? 0 : pfn << FRAME_SHIFT;
}

uint64_t frames_get(uint64_t count, uint64_t align, enum frame_owner owner)
{
	uint64_t pa = frames_get_unzeroed(count, align, owner);

	if (pa)
		frames_zero(phys_to_virt(pa), count << FRAME_SHIFT);
	return pa;
}

void frames_put(uint64_t pa, uint64_t count, enum frame_owner owner)
{
	int rc = frames_free(&frames, pa >> FRAME_SHIFT, count, owner);

	if (rc)
		panic("frames_put: bad free of %lu frame(s) at 0x%lx (%s)", count, pa,
		      rc == -EBUSY ? "still mapped" : "not allocated");
}

struct frame_info *frame_info(uint64_t pa)
{
	return frames_info(&frames, pa >> FRAME_SHIFT);
}

bool frame_is_free(uint64_t pa)
{
	return frames_is_free(&frames, pa >> FRAME_SHIFT);
}

void frames_set_owner(uint64_t pa, uint64_t count, uint16_t owner)
{
	for (uint64_t i = 0; i < count; i++)
		frame_info(pa + (i << FRAME_SHIFT))->owner = owner;
}

int frame_ref(uint64_t pa)
{
	struct frame_info *f = frame_info(pa);

	if (!f || f->refs == FRAME_MAX_REFS)
		return -EBUSY;
	f->refs++;
	return 0;
}

void frame_unref(uint64_t pa)
{
	struct frame_info *f = frame_info(pa);

	if (!f || !f->refs)
		panic("frame_unref: frame 0x%lx has no mapping to drop", pa);
	if (!--f->refs && f->owner == FRAME_ORPHAN)
		frame_put(pa, FRAME_GUEST); /* the last mapping of a dead domain's frame */
}

uint64_t frame_get(enum frame_owner owner)
{
	return frames_get(1, 1, owner);
}

void frame_put(uint64_t pa, enum frame_owner owner)
{
	frames_put(pa, 1, owner);
}

const struct frame_alloc *mm_frames(void)
{
	return &frames;
}

static void *heap_pages(void *ctx, size_t n)
{
	uint64_t pa = frames_get(n, 1, FRAME_HEAP);

	return pa ? phys_to_virt(pa) : NULL;
}

static void heap_unpages(void *ctx, void *p, size_t n)
{
	frames_put(virt_to_phys(p), n, FRAME_HEAP);
}

static const struct heap_ops kheap_ops = { heap_pages, heap_unpages, NULL };

const struct heap *mm_heap(void)
{
	if (!kheap.ops)
		heap_init(&kheap, &kheap_ops);
	return &kheap;
}

void *kmalloc(size_t size)
{
	mm_heap();
	return heap_alloc(&kheap, size);
}

void *kzalloc(size_t size)
{
	mm_heap();
	return heap_zalloc(&kheap, size);
}

void kfree(void *p)
{
	if (heap_free(&kheap, p))
		panic("kfree: %p was not allocated by the heap", p);
}
