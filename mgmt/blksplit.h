/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How a read or write is cut into what one device command can carry
 * (mgmt/blksplit.c, pure: host-tested in tests/unit/test_blksplit.c).
 * The caller's buffer is a list of segments; a device command gets a list
 * of pieces, each within one 4 KiB page and given by machine address.
 */
#ifndef EYRIE_MGMT_BLKSPLIT_H
#define EYRIE_MGMT_BLKSPLIT_H

#include <stdbool.h>
#include <stdint.h>

#define BLK_SECTOR 512u
#define BLK_PAGE 4096u
#define BLK_PART_PIECES 128u /* pieces per device command, at most */

/* A piece of a caller's buffer: len bytes at buf (virtual). */
struct blk_seg {
	void *buf;
	uint32_t len;
};

/* What a device is given: len bytes at machine address addr, within one
 * page. */
struct blk_piece {
	uint64_t addr;
	uint32_t len;
};

/* What one command of the device can carry. */
struct blk_limits {
	uint32_t block_sectors; /* the logical block, in 512-byte sectors */
	uint32_t max_sectors;   /* per command: a multiple of block_sectors */
	uint32_t max_pieces;    /* per command, 1 .. BLK_PART_PIECES */
	bool prp;               /* NVMe's PRP lists: every piece but the first
				 * starts a page, every piece but the last
				 * ends one */
};

/*
 * The next command's pieces of a transfer over segs[0..nr_segs), from
 * byte `done` of it on: fills pieces[] (*nr_pieces of them) and returns
 * the bytes they cover, always whole logical blocks; 0 when not even one
 * block fits the limits (a buffer these limits cannot express) or nothing
 * is left. maddr translates a buffer address to a machine address.
 */
uint32_t blk_split(const struct blk_seg *segs, unsigned nr_segs, uint64_t done,
		   const struct blk_limits *lim, uint64_t (*maddr)(const void *),
		   struct blk_piece *pieces, unsigned *nr_pieces);

#endif
