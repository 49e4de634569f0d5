/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical frame allocator: a bitmap over the page frames of the machine
 * (1 = free), with accounting by owner, and a frame table: for each frame
 * the domain that owns it (guest frames) and how many foreign (grant)
 * mappings of it exist. A frame with mappings cannot be freed: that is
 * what lets a frame go back to the free list only when nothing maps it.
 * Pure and host-tested; kernel/mm.c sets it up from the boot memory map.
 */
#ifndef EYRIE_KERNEL_FRAMES_H
#define EYRIE_KERNEL_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_SHIFT 12
#define FRAME_SIZE  (1ull << FRAME_SHIFT)

enum frame_owner {
	FRAME_PAGETABLE, /* the hypervisor's page tables */
	FRAME_HEAP,      /* the hypervisor heap */
	FRAME_OTHER,     /* anything else the hypervisor took */
	FRAME_VCPU,      /* per-vcpu VMCBs, VMCSs, I/O and MSR bitmaps */
	FRAME_P2M,       /* nested page tables (NPT/EPT) */
	FRAME_GUEST,     /* guest RAM */
	FRAME_OWNERS
};

/* One frame's entry in the frame table. */
struct frame_info {
	uint16_t owner; /* a domain id, or FRAME_NOBODY / FRAME_XEN / FRAME_ORPHAN */
	uint16_t refs;  /* foreign mappings of it (other p2ms, grant maps) */
};
#define FRAME_NOBODY 0xffffu /* free, or not a guest's */
#define FRAME_ORPHAN 0xfffeu /* its dead owner's, kept while mappings remain */
#define FRAME_XEN    0xfffdu /* the hypervisor's, mapped into a guest (shared info) */
#define FRAME_MAX_REFS 0xffffu

struct frame_alloc {
	uint64_t *bitmap;
	struct frame_info *info;  /* npfns entries */
	uint64_t base_pfn, npfns; /* frames [base_pfn, base_pfn + npfns) */
	uint64_t total;           /* frames handed to the allocator */
	uint64_t free;
	uint64_t used[FRAME_OWNERS];
	uint64_t hint;            /* search starts here (index) */
	uint64_t allocs, frees, failures;
};

/* Bytes of bitmap needed for npfns frames. */
size_t frames_bitmap_bytes(uint64_t npfns);
/* Starts with every frame unavailable, owned by nobody; info holds npfns
 * entries. */
void frames_init(struct frame_alloc *fa, uint64_t *bitmap, struct frame_info *info,
		 uint64_t base_pfn, uint64_t npfns);
/* The frame table entry of pfn, NULL outside the covered range. */
struct frame_info *frames_info(struct frame_alloc *fa, uint64_t pfn);
/* Whether pfn is in the pool and free. */
int frames_is_free(const struct frame_alloc *fa, uint64_t pfn);
/* Adds frames to the pool (those outside the covered range are ignored). */
void frames_add(struct frame_alloc *fa, uint64_t pfn, uint64_t count);
/* Takes frames out of the pool for good (image, modules, firmware data). */
void frames_reserve(struct frame_alloc *fa, uint64_t pfn, uint64_t count);
/* Allocates count contiguous frames whose first pfn is a multiple of align
 * (a power of two, in frames). Returns 0 and *pfn, or -ENOMEM / -EINVAL. */
int frames_alloc(struct frame_alloc *fa, uint64_t count, uint64_t align,
		 enum frame_owner owner, uint64_t *pfn);
/* Returns frames (their owner becomes FRAME_NOBODY); -EINVAL (and nothing
 * changes) if any of them is not allocated or outside the range — a double
 * free is caught, not absorbed — and -EBUSY if one is still mapped (refs). */
int frames_free(struct frame_alloc *fa, uint64_t pfn, uint64_t count, enum frame_owner owner);
const char *frame_owner_name(enum frame_owner o);

#endif
