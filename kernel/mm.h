/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypervisor's physical memory: frames from the boot map, and the heap. */
#ifndef EYRIE_KERNEL_MM_H
#define EYRIE_KERNEL_MM_H

#include <stdbool.h>

#include "boot/boot_info.h"
#include "kernel/frames.h"
#include "kernel/heap.h"

/* Memory is identity-mapped: a physical address is its virtual address. */
static inline void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)pa; }
static inline uint64_t virt_to_phys(const void *va) { return (uint64_t)(uintptr_t)va; }

/* Builds the frame allocator from the boot memory map: every usable range
 * except the first MiB, the hypervisor image and the boot modules. */
void mm_init(const struct boot_info *bi);
/* One zeroed 4 KiB frame; returns its physical address or 0. */
uint64_t frame_get(enum frame_owner owner);
void frame_put(uint64_t pa, enum frame_owner owner);
/* count contiguous frames aligned to align frames; 0 on failure. */
uint64_t frames_get(uint64_t count, uint64_t align, enum frame_owner owner);
/* The same without zeroing: the caller must zero (frames_zero) each part
 * before anything but the hypervisor sees it. Guest RAM is taken so and
 * zeroed on first use (vmm/core/p2m.c). */
uint64_t frames_get_unzeroed(uint64_t count, uint64_t align, enum frame_owner owner);
void frames_zero(void *p, uint64_t bytes);
void frames_put(uint64_t pa, uint64_t count, enum frame_owner owner);

/* The frame table (kernel/frames.h): a frame's owner and its foreign
 * mappings; NULL outside the allocator's range. */
struct frame_info *frame_info(uint64_t pa);
bool frame_is_free(uint64_t pa);
void frames_set_owner(uint64_t pa, uint64_t count, uint16_t owner);
/* Counts one more foreign mapping of frame pa (one a device is given):
 * 0, or -EBUSY (not a frame of the allocator, or mapped too often). */
int frame_ref(uint64_t pa);
/* Drops one foreign mapping of frame pa; the last one frees an orphan (a
 * frame whose owner died while it was mapped). */
void frame_unref(uint64_t pa);

const struct frame_alloc *mm_frames(void);
const struct heap *mm_heap(void);

#endif
