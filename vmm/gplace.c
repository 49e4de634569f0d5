/*
 * Guest memory map and placement (see gplace.h).
 */
#include "vmm/gplace.h"
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
		uint64_t c = boundary(g, low, low ? min : max, i), a;
		if (low) {
			if (c > UINT64_MAX - (align - 1))
				continue;
			a = (c + align - 1) & ~(align - 1);
		} else {
			if (c < size)
				continue;
			a = (c - size) & ~(align - 1);
		}
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
