/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GUID partition tables (UEFI 2.x, chapter 5), read by mgmt/gpt.c: pure
 * (no I/O of its own: the caller gives a function that reads blocks),
 * host-tested in tests/unit/test_gpt.c. The block backend uses it to
 * serve one partition of a disk to a guest (docs/block.md).
 *
 * What is checked, and refused with a reason (gpt_parse's `why`):
 *  - the protective MBR: the 0x55AA signature and a partition of type
 *    0xEE (a hybrid MBR with others beside it is accepted);
 *  - a header: "EFI PART", revision 1.0, a size from 92 bytes to one
 *    block, its CRC32, where it says it is (MyLBA), the usable range
 *    inside the disk and past the header, the entry array (entry size a
 *    power of two from 128, at most GPT_MAX_ARRAY bytes) outside the
 *    usable range, and the array's CRC32;
 *  - the entries in use (a type GUID that is not zero): first <= last,
 *    inside the usable range, no two overlapping.
 * The primary header (LBA 1) is used when it is good; when it is not, the
 * backup at the disk's last block is (from_backup, and primary_why says
 * what was wrong with the primary). Both bad: refused, with both reasons.
 */
#ifndef EYRIE_MGMT_GPT_H
#define EYRIE_MGMT_GPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GPT_MAX_PARTS 128          /* entries in use we keep */
#define GPT_MAX_ARRAY (64u << 10)  /* bytes of entry array we read at most */
#define GPT_NAME_MAX 109           /* 36 UTF-16 units as UTF-8, and a NUL */
#define GPT_WHY_LEN 160

struct gpt_part {
	unsigned number;           /* 1-based index in the entry array (Linux's pN) */
	uint64_t first, last;      /* LBAs, inclusive */
	uint8_t type[16], guid[16];
	uint64_t attrs;
	char name[GPT_NAME_MAX];   /* UTF-8; '?' for a broken UTF-16 unit */
};

struct gpt {
	uint32_t block;            /* bytes per LBA */
	uint64_t blocks;           /* the disk's */
	uint64_t first_usable, last_usable;
	uint8_t disk_guid[16];
	uint32_t entries, entry_size;
	bool from_backup;          /* the primary was bad */
	char primary_why[GPT_WHY_LEN];
	unsigned nr;
	struct gpt_part part[GPT_MAX_PARTS]; /* in entry order */
};

/* Reads count blocks from lba into buf: 0, or a negative errno. */
typedef int gpt_read_fn(void *ctx, uint64_t lba, uint32_t count, void *buf);

/* The table of a disk of `blocks` blocks of `block` bytes (512 to 4096, a
 * power of two). 0, or a negative errno with the reason in why: -ENOENT
 * (no GPT: no protective MBR), -EINVAL (a GPT that is broken or
 * inconsistent), -EIO (a read failed), -ENOMEM. */
int gpt_parse(gpt_read_fn *read, void *ctx, uint32_t block, uint64_t blocks, struct gpt *t,
	      char *why, size_t whylen);

/* The partition numbered n, or NULL. */
const struct gpt_part *gpt_by_number(const struct gpt *t, unsigned n);
/* The partition whose name is label: NULL and *count 0 if none, or the
 * first and *count > 1 if several have it. */
const struct gpt_part *gpt_by_label(const struct gpt *t, const char *label, unsigned *count);

/* zlib's CRC-32 (reflected 0xEDB88320), as GPT uses it. */
uint32_t gpt_crc32(const void *p, size_t n);

#endif
