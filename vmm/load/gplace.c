/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest memory map, placement and the loaders' shared steps (see gplace.h).
 */
#include "vmm/load/gplace.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/string.h"

unsigned e820_guest_map(uint64_t ram, unsigned top_pages, struct e820_entry map[4])
{
	uint64_t top = ram - top_pages * 4096ull;
	unsigned n = 0;

	map[n++] = (struct e820_entry){ 0, ram < 0x9fc00 ? ram : 0x9fc00, E820_RAM };
	if (top <= 0x100000)
		return n;
	map[n++] = (struct e820_entry){ 0x9fc00, 0x100000 - 0x9fc00, E820_RESERVED };
	map[n++] = (struct e820_entry){ 0x100000, top - 0x100000, E820_RAM };
	if (top_pages)
		map[n++] = (struct e820_entry){ top, ram - top, E820_RESERVED };
	return n;
}

static int overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

int gplace_init(struct gplace *g, const struct e820_entry *map, unsigned n,
		uint64_t ram_end, char *err, size_t errlen)
{
	memset(g, 0, sizeof(*g));
	if (!map || !n || n > E820_MAX_ENTRIES)
		return errorf(-EINVAL, err, errlen, "memory map has %u entries (1..%u allowed)",
			     map ? n : 0, E820_MAX_ENTRIES);
	for (unsigned i = 0; i < n; i++)
		if (!map[i].size || map[i].base + map[i].size < map[i].base)
			return errorf(-EINVAL, err, errlen,
				     "memory map entry %u (base 0x%lx, size 0x%lx) is empty or wraps",
				     i, map[i].base, map[i].size);
	g->map = map;
	g->n = n;
	g->ram_end = ram_end;
	g->limit = UINT64_MAX;
	return 0;
}

int gplace_is_free(const struct gplace *g, uint64_t base, uint64_t size)
{
	int in_ram = 0;

	if (!size || base + size < base || base + size > g->ram_end || base + size > g->limit)
		return 0;
	for (unsigned i = 0; i < g->n; i++) {
		const struct e820_entry *e = &g->map[i];
		if (e->type != E820_RAM) {
			if (overlap(base, size, e->base, e->size))
				return 0;
		} else if (base >= e->base && base + size <= e->base + e->size) {
			in_ram = 1;
		}
	}
	for (unsigned i = 0; i < g->nr_used; i++)
		if (overlap(base, size, g->used[i].base, g->used[i].size))
			return 0;
	return in_ram;
}

int gplace_claim(struct gplace *g, uint64_t base, uint64_t size, const char *what)
{
	if (g->nr_used == GPLACE_MAX_USED || !gplace_is_free(g, base, size))
		return -ENOSPC;
	g->used[g->nr_used++] = (struct grange){ base, size, what };
	return 0;
}

/*
 * Candidate boundary i: the lowest free start is min, or just after an
 * obstacle (a used range, a non-RAM entry), or a RAM entry's base, each
 * aligned up; the highest free end is max, ram_end, limit, a RAM entry's
 * end or an obstacle's base. Trying all of them finds the best fit.
 */
static uint64_t boundary(const struct gplace *g, int low, uint64_t edge, unsigned i)
{
	if (i == 0)
		return edge;
	if (i == 1)
		return low ? edge : g->ram_end;
	if (i == 2)
		return low ? edge : g->limit;
	i -= 3;
	if (i < g->n) {
		const struct e820_entry *e = &g->map[i];
		int ram = e->type == E820_RAM;
		return low == ram ? e->base : e->base + e->size;
	}
	i -= g->n;
	return low ? g->used[i].base + g->used[i].size : g->used[i].base;
}

static int place(struct gplace *g, int low, uint64_t size, uint64_t align, uint64_t min,
		 uint64_t max, const char *what, uint64_t *base)
{
	unsigned k = 3 + g->n + g->nr_used;
	uint64_t best = 0;
	int found = 0;

	if (!size || !align || (align & (align - 1)))
		return -EINVAL;
	for (unsigned i = 0; i < k; i++) {
		uint64_t c = boundary(g, low, low ? min : max, i);
		if (low ? c > UINT64_MAX - (align - 1) : c < size)
			continue;
		uint64_t a = (low ? c + align - 1 : c - size) & ~(align - 1);
		if (a < min || a + size < a || a + size > max || !gplace_is_free(g, a, size))
			continue;
		if (!found || (low ? a < best : a > best))
			best = a;
		found = 1;
	}
	if (!found)
		return -ENOSPC;
	*base = best;
	return gplace_claim(g, best, size, what);
}

int gplace_low(struct gplace *g, uint64_t size, uint64_t align, uint64_t min,
	       uint64_t max, const char *what, uint64_t *base)
{
	return place(g, 1, size, align, min, max, what, base);
}

int gplace_high(struct gplace *g, uint64_t size, uint64_t align, uint64_t min,
		uint64_t max, const char *what, uint64_t *base)
{
	return place(g, 0, size, align, min, max, what, base);
}

#define MIB 0x100000ull
#define LIMIT_4G (1ull << 32)
#define PAGE 0x1000ull

static void gload_copy(struct gload_plan *pl, uint64_t gpa, uint64_t len, enum gsrc src,
		       unsigned index, uint64_t offset)
{
	if (len)
		pl->copies[pl->nr_copies++] = (struct gcopy){ gpa, len, src, index, offset };
}

/* First fit above the kernel (and 1 MiB), else from 4 KiB. */
static int place_above(struct gload_plan *pl, const struct gload_image *k, uint64_t size,
		       const char *what, uint64_t *base)
{
	uint64_t min = ((k->load_hi > MIB ? k->load_hi : MIB) + PAGE - 1) & ~(PAGE - 1);

	if (!gplace_low(&pl->mem, size, PAGE, min, LIMIT_4G, what, base))
		return 0;
	return gplace_low(&pl->mem, size, PAGE, PAGE, LIMIT_4G, what, base);
}

static int place_kernel(const struct gload_image *k, const struct gload_cfg *cfg,
			struct gload_plan *pl, char *err, size_t errlen)
{
	for (unsigned i = 0; i < k->nr_segs; i++) {
		const struct gseg *s = &k->segs[i];
		if (gplace_claim(&pl->mem, s->paddr, s->memsz, "kernel"))
			return errorf(-ENOSPC, err, errlen,
				     "kernel segment 0x%lx..0x%lx is not free guest RAM (RAM ends at "
				     "0x%lx)", s->paddr, s->paddr + s->memsz, cfg->ram_size);
		gload_copy(pl, s->paddr, s->filesz, GSRC_IMAGE, 0, s->offset);
		gload_copy(pl, s->paddr + s->filesz, s->memsz - s->filesz, GSRC_ZERO, 0, 0);
	}
	return 0;
}

/* Bytes f's block needs for cfg, or 0 if more than GLOAD_INFO_MAX. */
static size_t info_size(const struct gload_cfg *cfg, const struct gload_format *f)
{
	size_t n = f->fixed + cfg->e820_n * f->map_entry + cfg->nr_mods * f->mod_entry;

	n += cfg->cmdline ? strnlen(cfg->cmdline, GLOAD_INFO_MAX) + 1 : f->null_len;
	for (unsigned i = 0; i < cfg->nr_mods && n <= GLOAD_INFO_MAX; i++)
		n += cfg->mods[i].cmdline ? strnlen(cfg->mods[i].cmdline, GLOAD_INFO_MAX) + 1
					  : f->null_len;
	return n <= GLOAD_INFO_MAX ? n : 0;
}

uint64_t gload_add_string(struct gload_plan *pl, size_t *at, const char *s)
{
	uint64_t gpa = pl->info_gpa + *at;
	size_t n = s ? strlen(s) + 1 : 0;

	memcpy(pl->info + *at, s ? s : "", n);
	*at += n;
	return s ? gpa : 0;
}

int gload_place(const struct gload_image *k, const struct gload_cfg *cfg,
		const struct gload_format *f, struct gload_plan *pl, char *err, size_t errlen)
{
	memset(pl, 0, sizeof(*pl));
	if (!k->img)
		return errorf(-EINVAL, err, errlen, "no parsed kernel image");
	if (cfg->nr_mods > GLOAD_MAX_MODS)
		return errorf(-EINVAL, err, errlen, "%u modules: at most %u are supported",
			     cfg->nr_mods, GLOAD_MAX_MODS);
	if (cfg->nr_mods && !cfg->mods)
		return errorf(-EINVAL, err, errlen, "%u modules but no module list", cfg->nr_mods);
	int rc = gplace_init(&pl->mem, cfg->e820, cfg->e820_n, cfg->ram_size, err, errlen);
	if (rc)
		return rc;
	pl->mem.limit = LIMIT_4G;
	pl->info_len = info_size(cfg, f);
	if (!pl->info_len)
		return errorf(-EINVAL, err, errlen,
			     "command line and module strings do not fit in the %u-byte %s",
			     GLOAD_INFO_MAX, f->block);
	rc = place_kernel(k, cfg, pl, err, errlen);
	for (unsigned i = 0; i < cfg->nr_mods && !rc; i++) {
		uint64_t sz = cfg->mods[i].size, *at = &pl->mod_gpa[i];
		/* An empty module still gets an address: 0 would mean "none". */
		if (sz > LIMIT_4G || (f->mods_high ? gplace_high(&pl->mem, sz ? sz : 1, PAGE, MIB,
							      LIMIT_4G, "module", at)
						: place_above(pl, k, sz ? sz : 1, "module", at)))
			return errorf(-ENOSPC, err, errlen,
				     "module %u (%lu bytes) does not fit in free guest RAM %s 4 GiB", i,
				     sz, f->mods_high ? "between 1 MiB and" : "below");
		gload_copy(pl, *at, sz, GSRC_MODULE, i, 0);
	}
	if (rc)
		return rc;
	if (place_above(pl, k, pl->info_len, f->block, &pl->info_gpa))
		return errorf(-ENOSPC, err, errlen, "no free guest RAM for the %lu-byte %s",
			     pl->info_len, f->block);
	gload_copy(pl, pl->info_gpa, pl->info_len, GSRC_INFO, 0, 0);
	return 0;
}

const void *gload_copy_src(const struct gload_image *k, const struct gload_cfg *cfg,
			   const struct gload_plan *pl, const struct gcopy *c)
{
	switch (c->src) {
	case GSRC_IMAGE:
		return k->img + c->offset;
	case GSRC_MODULE:
		return (const uint8_t *)cfg->mods[c->index].data + c->offset;
	case GSRC_INFO:
		return pl->info + c->offset;
	case GSRC_ZERO:
		break;
	}
	return NULL;
}
