/* SPDX-License-Identifier: GPL-2.0-only */
/* Cutting a transfer into device commands (see blksplit.h). */
#include "mgmt/blksplit.h"

/* May the piece at p follow the pieces already taken? Only NVMe's PRP
 * rule says no: a gap inside a page cannot be expressed. */
static bool may_follow(const struct blk_limits *lim, const struct blk_piece *prev, uintptr_t p)
{
	if (!lim->prp || !prev)
		return true;
	return p % BLK_PAGE == 0 && (prev->addr + prev->len) % BLK_PAGE == 0;
}

/* Drops bytes from the end until the pieces cover whole logical blocks. */
static uint32_t trim_to_blocks(const struct blk_limits *lim, struct blk_piece *pieces,
			       unsigned *n, uint32_t total)
{
	uint32_t excess = total % (lim->block_sectors * BLK_SECTOR);

	while (excess && *n) {
		struct blk_piece *last = &pieces[*n - 1];
		uint32_t cut = excess < last->len ? excess : last->len;
		last->len -= cut;
		total -= cut;
		excess -= cut;
		if (!last->len)
			(*n)--;
	}
	return total;
}

uint32_t blk_split(const struct blk_seg *segs, unsigned nr_segs, uint64_t done,
		   const struct blk_limits *lim, uint64_t (*maddr)(const void *),
		   struct blk_piece *pieces, unsigned *nr_pieces)
{
	unsigned si = 0, n = 0;
	uint64_t off = done;
	uint32_t total = 0, cap = lim->max_sectors * BLK_SECTOR;
	unsigned max = lim->max_pieces < BLK_PART_PIECES ? lim->max_pieces : BLK_PART_PIECES;

	while (si < nr_segs && off >= segs[si].len)
		off -= segs[si++].len;
	while (si < nr_segs && total < cap && n < max) {
		uintptr_t p = (uintptr_t)segs[si].buf + (uintptr_t)off;
		uint64_t len = segs[si].len - off;
		if (len > BLK_PAGE - p % BLK_PAGE)
			len = BLK_PAGE - p % BLK_PAGE;
		if (len > cap - total)
			len = cap - total;
		if (!may_follow(lim, n ? &pieces[n - 1] : 0, p))
			break;
		pieces[n++] = (struct blk_piece){ maddr((const void *)p), (uint32_t)len };
		total += (uint32_t)len;
		off += len;
		if (off == segs[si].len) {
			si++;
			off = 0;
		}
	}
	total = trim_to_blocks(lim, pieces, &n, total);
	*nr_pieces = n;
	return total;
}
