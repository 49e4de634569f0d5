/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A 4-level x86-style radix page-table builder, pure and host-tested.
 * The entry bit layout is described by struct pt_format, so the same code
 * builds the hypervisor's own tables now and nested (NPT/EPT) tables later.
 * It does not flush TLBs: the caller invalidates after changing live tables.
 */
#ifndef EYRIE_KERNEL_PT_H
#define EYRIE_KERNEL_PT_H

#include <stdint.h>

#define PT_SIZE_4K 0x1000ull
#define PT_SIZE_2M 0x200000ull

struct pt_format {
	uint64_t present;     /* bits that make an entry valid */
	uint64_t table_flags; /* flags of a non-leaf entry */
	uint64_t large;       /* the page-size bit of a 2 MiB leaf */
	uint64_t addr_mask;   /* address bits of an entry */
	/* Leaf permission encoding, for pt_leaf_flags(). */
	uint64_t perm_r, perm_w, perm_x; /* bits set to allow */
	uint64_t perm_nx;     /* bit set to forbid execution */
	uint64_t leaf_extra;  /* always set in a leaf (e.g. EPT memory type) */
	uint64_t memtype_mask, uc; /* PT_UC: these bits replaced by uc */
};

/* x86 long-mode paging: P, R/W, PS. */
extern const struct pt_format pt_format_x86;
/* AMD nested paging: x86 entries with the U bit set everywhere (guest
 * accesses are user accesses in the nested walk). */
extern const struct pt_format pt_format_npt;
/* Intel EPT: R/W/X bits 0-2, memory type write-back in leaves. */
extern const struct pt_format pt_format_ept;

#define PT_R 1u
#define PT_W 2u
#define PT_X 4u
#define PT_UC 8u /* uncached (device memory) */
/* Leaf flags granting perms (PT_R|PT_W|PT_X) in the given format. */
uint64_t pt_leaf_flags(const struct pt_format *fmt, unsigned perms);

struct pt_ops {
	/* Returns a zeroed 4 KiB table and its physical address, or NULL. */
	void *(*alloc)(void *ctx, uint64_t *phys);
	void (*free)(void *ctx, void *table, uint64_t phys);
	void *(*to_virt)(void *ctx, uint64_t phys);
	void *ctx;
};

struct pt {
	const struct pt_format *fmt;
	const struct pt_ops *ops;
	uint64_t *root;
	uint64_t root_phys;
	unsigned long tables; /* table pages in use, root included */
};

int pt_init(struct pt *pt, const struct pt_format *fmt, const struct pt_ops *ops);
/* Maps [va, va+size) to [pa, ...) with the leaf flags (present bits
 * included), 2 MiB pages where both are aligned and the size allows, 4 KiB
 * elsewhere; replaces existing mappings, splitting 2 MiB leaves as needed.
 * va, pa and size must be 4 KiB aligned. Returns 0 or -ENOMEM / -EINVAL. */
int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);
int pt_unmap(struct pt *pt, uint64_t va, uint64_t size);
/* Translates va; returns 0 and the physical address and leaf entry flags,
 * or -ENOENT. */
int pt_lookup(const struct pt *pt, uint64_t va, uint64_t *pa, uint64_t *flags);
/* Calls fn for each present leaf (4 KiB or 2 MiB, given whole) that
 * overlaps [va, end), in address order; fn must not change the tables. */
typedef void pt_leaf_fn(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);
void pt_walk(const struct pt *pt, uint64_t va, uint64_t end, pt_leaf_fn *fn, void *ctx);
/* Frees every table page. */
void pt_destroy(struct pt *pt);

#endif
