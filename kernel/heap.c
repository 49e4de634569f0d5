/* SPDX-License-Identifier: GPL-2.0-only */
/* Slab + page-run heap (see kernel/heap.h). */
#include "kernel/heap.h"
#include "kernel/errno.h"
#include "kernel/string.h"

#define PAGE 4096u
#define SLAB_MAGIC  0x534c4142u /* "SLAB" */
#define LARGE_MAGIC 0x4c524745u /* "LRGE" */
#define HDR 64u /* header size; keeps objects 64-byte aligned */

struct free_obj {
	struct free_obj *next;
};

/* Header at the start of every heap page run. */
struct slab {
	uint32_t magic;
	uint32_t cls;        /* size class, or the page count for LARGE */
	uint32_t nfree, nobj;
	size_t req;          /* LARGE: requested size */
	struct free_obj *free;
	struct slab *next, *prev; /* in heap->partial[cls] */
};

_Static_assert(sizeof(struct slab) <= HDR, "slab header too large");

static size_t class_size(unsigned c)
{
	return 32u << c;
}

void heap_init(struct heap *h, const struct heap_ops *ops)
{
	memset(h, 0, sizeof(*h));
	h->ops = ops;
}

static void list_remove(struct heap *h, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		h->partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void list_push(struct heap *h, struct slab *s)
{
	s->prev = NULL;
	s->next = h->partial[s->cls];
	if (s->next)
		s->next->prev = s;
	h->partial[s->cls] = s;
}

static struct slab *new_slab(struct heap *h, unsigned c)
{
	struct slab *s = h->ops->alloc_pages(h->ops->ctx, 1);

	if (!s)
		return NULL;
	h->pages++;
	size_t sz = class_size(c);
	*s = (struct slab){ .magic = SLAB_MAGIC, .cls = c };
	s->nobj = (uint32_t)((PAGE - HDR) / sz);
	for (uint32_t i = s->nobj; i-- > 0;) {
		struct free_obj *o = (struct free_obj *)((char *)s + HDR + i * sz);
		o->next = s->free;
		s->free = o;
	}
	s->nfree = s->nobj;
	list_push(h, s);
	return s;
}

static void *alloc_large(struct heap *h, size_t size)
{
	size_t npages = (size + HDR + PAGE - 1) / PAGE;
	struct slab *s = h->ops->alloc_pages(h->ops->ctx, npages);

	if (!s)
		return NULL;
	h->pages += npages;
	*s = (struct slab){ .magic = LARGE_MAGIC, .cls = (uint32_t)npages, .req = size };
	return (char *)s + HDR;
}

void *heap_alloc(struct heap *h, size_t size)
{
	void *p = NULL;

	if (!size || size > (1ull << 40))
		goto out;
	unsigned c = 0;
	while (c < HEAP_CLASSES && class_size(c) < size)
		c++;
	if (c == HEAP_CLASSES) {
		p = alloc_large(h, size);
		goto out;
	}
	size = class_size(c); /* account what the object really takes */
	struct slab *s = h->partial[c];
	if (!s && !(s = new_slab(h, c)))
		goto out;
	struct free_obj *o = s->free;
	s->free = o->next;
	if (--s->nfree == 0)
		list_remove(h, s);
	p = o;
out:
	if (p) {
		h->bytes_in_use += size;
		h->allocations++;
	} else {
		h->failures++;
	}
	return p;
}

void *heap_zalloc(struct heap *h, size_t size)
{
	void *p = heap_alloc(h, size);

	if (p)
		memset(p, 0, size);
	return p;
}

int heap_free(struct heap *h, void *p)
{
	if (!p)
		return 0;
	struct slab *s = (struct slab *)((uintptr_t)p & ~(uintptr_t)(PAGE - 1));
	uintptr_t off = (uintptr_t)p - (uintptr_t)s;

	if (s->magic == LARGE_MAGIC && off == HDR) {
		h->bytes_in_use -= s->req;
		h->allocations--;
		h->pages -= s->cls;
		s->magic = 0;
		h->ops->free_pages(h->ops->ctx, s, s->cls);
		return 0;
	}
	if (s->magic != SLAB_MAGIC || s->cls >= HEAP_CLASSES || off < HDR ||
	    (off - HDR) % class_size(s->cls) || s->nfree >= s->nobj)
		return -EINVAL;
	/* Catch a double free: the object must not be on the free list. */
	for (struct free_obj *f = s->free; f; f = f->next)
		if (f == p)
			return -EINVAL;
	struct free_obj *o = p;
	o->next = s->free;
	s->free = o;
	if (s->nfree++ == 0)
		list_push(h, s);
	h->bytes_in_use -= class_size(s->cls);
	h->allocations--;
	/* Give an empty slab back unless it is its class's only one. */
	if (s->nfree == s->nobj && (s->next || s->prev)) {
		list_remove(h, s);
		s->magic = 0;
		h->pages--;
		h->ops->free_pages(h->ops->ctx, s, 1);
	}
	return 0;
}


