/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor heap: size classes of 32..2048 bytes carved from 4 KiB
 * slab pages, and larger blocks as whole runs of pages. Pure (pages come
 * from callbacks) and host-tested; kernel/mm.c wires it to the frames.
 */
#ifndef EYRIE_KERNEL_HEAP_H
#define EYRIE_KERNEL_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_CLASSES 7 /* 32, 64, ..., 2048 */

struct heap_ops {
	/* Returns npages contiguous, 4 KiB-aligned pages, or NULL. */
	void *(*alloc_pages)(void *ctx, size_t npages);
	void (*free_pages)(void *ctx, void *p, size_t npages);
	void *ctx;
};

struct slab;

struct heap {
	const struct heap_ops *ops;
	struct slab *partial[HEAP_CLASSES]; /* slabs with free objects */
	size_t bytes_in_use;  /* bytes of live allocations (slab objects count their class size) */
	size_t allocations;   /* live allocations */
	size_t pages;         /* pages held */
	size_t failures;
};

void heap_init(struct heap *h, const struct heap_ops *ops);
void *heap_alloc(struct heap *h, size_t size);
void *heap_zalloc(struct heap *h, size_t size);
/* Frees p (NULL is fine); a pointer the heap did not hand out is a bug
 * that panics in the hypervisor (heap_free returns -EINVAL to the caller
 * on the host). */
int heap_free(struct heap *h, void *p);


/* The hypervisor's heap (kernel/mm.c). */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

#endif
