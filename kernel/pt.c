/* SPDX-License-Identifier: GPL-2.0-only */
/* 4-level radix page tables (see kernel/pt.h). */
#include "kernel/pt.h"
#include "kernel/errno.h"
#include "kernel/string.h"

#include <stdbool.h>

#define ADDR_MASK 0x000ffffffffff000ull

const struct pt_format pt_format_x86 = {
	.present = 1ull << 0,
	.table_flags = (1ull << 0) | (1ull << 1),
	.large = 1ull << 7,
	.addr_mask = ADDR_MASK,
	.perm_r = 1ull << 0, .perm_w = 1ull << 1, .perm_nx = 1ull << 63,
	.uc = (1ull << 4) | (1ull << 3), /* PCD, PWT */
};

const struct pt_format pt_format_npt = {
	.present = 1ull << 0,
	.table_flags = 7, /* P, R/W, U */
	.large = 1ull << 7,
	.addr_mask = ADDR_MASK,
	.perm_r = 1ull << 0, .perm_w = 1ull << 1, .perm_nx = 1ull << 63,
	.leaf_extra = 1ull << 2, /* U */
	.uc = (1ull << 4) | (1ull << 3), /* PCD, PWT */
};

const struct pt_format pt_format_ept = {
	.present = 7,     /* any of R, W, X */
	.table_flags = 7,
	.large = 1ull << 7,
	.addr_mask = ADDR_MASK,
	.perm_r = 1, .perm_w = 2, .perm_x = 4,
	.leaf_extra = 6ull << 3, /* memory type WB */
	.memtype_mask = 7ull << 3, .uc = 0, /* memory type UC */
};

uint64_t pt_leaf_flags(const struct pt_format *fmt, unsigned perms)
{
	uint64_t f = fmt->leaf_extra;

	if (perms & PT_R)
		f |= fmt->perm_r;
	if (perms & PT_W)
		f |= fmt->perm_w;
	if (perms & PT_X)
		f |= fmt->perm_x;
	else
		f |= fmt->perm_nx;
	if (perms & PT_UC)
		f = (f & ~fmt->memtype_mask) | fmt->uc;
	return f;
}

static unsigned idx(uint64_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

static bool is_present(const struct pt *pt, uint64_t e)
{
	return (e & pt->fmt->present) != 0;
}

static uint64_t *table_of(const struct pt *pt, uint64_t e)
{
	return pt->ops->to_virt(pt->ops->ctx, e & pt->fmt->addr_mask);
}

static uint64_t *new_table(struct pt *pt, uint64_t *phys)
{
	uint64_t *t = pt->ops->alloc(pt->ops->ctx, phys);

	if (t)
		pt->tables++;
	return t;
}

int pt_init(struct pt *pt, const struct pt_format *fmt, const struct pt_ops *ops)
{
	pt->fmt = fmt;
	pt->ops = ops;
	pt->tables = 0;
	pt->root = new_table(pt, &pt->root_phys);
	return pt->root ? 0 : -ENOMEM;
}

static void free_subtree(struct pt *pt, uint64_t e, int level)
{
	uint64_t *t = table_of(pt, e);

	if (level > 1)
		for (int i = 0; i < 512; i++)
			if (is_present(pt, t[i]) && !(t[i] & pt->fmt->large))
				free_subtree(pt, t[i], level - 1);
	pt->ops->free(pt->ops->ctx, t, e & pt->fmt->addr_mask);
	pt->tables--;
}

/* Returns the level-`level` table covering va, creating (or splitting a
 * 2 MiB leaf into) tables on the way down. */
static uint64_t *walk_create(struct pt *pt, uint64_t va, int level)
{
	uint64_t *t = pt->root;

	for (int l = 3; l > level; l--) {
		uint64_t *e = &t[idx(va, l)];
		if (!is_present(pt, *e)) {
			uint64_t phys;
			if (!new_table(pt, &phys))
				return NULL;
			*e = phys | pt->fmt->table_flags;
		} else if (*e & pt->fmt->large) {
			/* Split a 2 MiB leaf into 512 4 KiB leaves, same flags. */
			uint64_t phys, base = *e & pt->fmt->addr_mask & ~(PT_SIZE_2M - 1);
			uint64_t flags = *e & ~pt->fmt->addr_mask & ~pt->fmt->large;
			uint64_t *nt = new_table(pt, &phys);
			if (!nt)
				return NULL;
			for (uint64_t i = 0; i < 512; i++)
				nt[i] = (base + i * PT_SIZE_4K) | flags;
			*e = phys | pt->fmt->table_flags;
		}
		t = table_of(pt, *e);
	}
	return t;
}

int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	if ((va | pa | size) & (PT_SIZE_4K - 1) || va + size < va)
		return -EINVAL;
	flags &= ~pt->fmt->addr_mask;
	while (size) {
		bool big = !((va | pa) & (PT_SIZE_2M - 1)) && size >= PT_SIZE_2M;
		uint64_t *t = walk_create(pt, va, big ? 1 : 0);
		if (!t)
			return -ENOMEM;
		uint64_t *e = &t[idx(va, big ? 1 : 0)];
		if (big) {
			if (is_present(pt, *e) && !(*e & pt->fmt->large))
				free_subtree(pt, *e, 1);
			*e = pa | flags | pt->fmt->large;
		} else {
			*e = pa | flags;
		}
		uint64_t step = big ? PT_SIZE_2M : PT_SIZE_4K;
		va += step;
		pa += step;
		size -= step;
	}
	return 0;
}

int pt_unmap(struct pt *pt, uint64_t va, uint64_t size)
{
	if ((va | size) & (PT_SIZE_4K - 1) || va + size < va)
		return -EINVAL;
	while (size) {
		uint64_t *t = pt->root, *e;
		int l = 3;

		for (;;) { /* find the entry that maps va, or the hole */
			e = &t[idx(va, l)];
			if (!is_present(pt, *e) || l == 0 || (l == 1 && (*e & pt->fmt->large)))
				break;
			t = table_of(pt, *e);
			l--;
		}
		uint64_t span = 1ull << (12 + 9 * l), off = va & (span - 1);
		if (is_present(pt, *e) && (off || size < span)) {
			/* Part of a 2 MiB leaf: split it, then unmap 4 KiB pages. */
			if (!walk_create(pt, va, 0))
				return -ENOMEM;
			continue;
		}
		*e = 0;
		uint64_t step = span - off < size ? span - off : size;
		va += step;
		size -= step;
	}
	return 0;
}

int pt_lookup(const struct pt *pt, uint64_t va, uint64_t *pa, uint64_t *flags)
{
	const uint64_t *t = pt->root;

	for (int l = 3; l >= 0; l--) {
		uint64_t e = t[idx(va, l)];
		if (!is_present(pt, e))
			return -ENOENT;
		if (l == 0 || (l == 1 && (e & pt->fmt->large))) {
			uint64_t page = l ? PT_SIZE_2M : PT_SIZE_4K;
			*pa = (e & pt->fmt->addr_mask & ~(page - 1)) | (va & (page - 1));
			*flags = e & ~pt->fmt->addr_mask;
			return 0;
		}
		t = table_of(pt, e);
	}
	return -ENOENT;
}

static void walk(const struct pt *pt, const uint64_t *t, int level, uint64_t base, uint64_t va,
		 uint64_t end, pt_leaf_fn *fn, void *ctx)
{
	uint64_t span = 1ull << (12 + 9 * level);

	for (unsigned i = 0; i < 512; i++) {
		uint64_t at = base + i * span, e = t[i];
		if (at + span <= va || !is_present(pt, e))
			continue;
		if (at >= end)
			return;
		if (level == 0 || (level == 1 && (e & pt->fmt->large)))
			fn(ctx, at, e & pt->fmt->addr_mask & ~(span - 1), span, e & ~pt->fmt->addr_mask);
		else
			walk(pt, table_of(pt, e), level - 1, at, va, end, fn, ctx);
	}
}

void pt_walk(const struct pt *pt, uint64_t va, uint64_t end, pt_leaf_fn *fn, void *ctx)
{
	walk(pt, pt->root, 3, 0, va, end, fn, ctx);
}

void pt_destroy(struct pt *pt)
{
	free_subtree(pt, pt->root_phys, 4); /* the root, as if an entry above it pointed at it */
	pt->root = NULL;
}
