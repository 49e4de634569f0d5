/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GUID partition tables (see gpt.h). Every multi-byte field on the disk is
 * little-endian; it is read byte by byte, so the code is the same on any
 * host and never reads unaligned words.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/gpt.h"

#define MBR_SIG_AT 510
#define MBR_PARTS_AT 446
#define MBR_TYPE_GPT 0xee
#define HDR_MIN 92u
#define ENTRY_MIN 128u
#define REVISION_1_0 0x00010000u

/* A header as read (only what we use). */
struct hdr {
	uint32_t size, crc;
	uint64_t my_lba, alt_lba, first_usable, last_usable, array_lba;
	uint32_t entries, entry_size, array_crc;
	uint8_t guid[16];
};

/* The CRC register carried over n more bytes (p NULL: zeroes). */
static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n--) {
		crc ^= p ? *p++ : 0;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
	}
	return crc;
}

uint32_t gpt_crc32(const void *p, size_t n)
{
	return ~crc_update(~0u, p, n);
}

/* A header's CRC: over its size, its own CRC field taken as zero. */
static uint32_t header_crc(const uint8_t *b, uint32_t size)
{
	uint32_t crc = crc_update(~0u, b, 16);

	crc = crc_update(crc, NULL, 4);
	return ~crc_update(crc, b + 20, size - 20);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int fail(char *why, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return rc;
}

/* A protective MBR in the first 512 bytes of block 0. */
static bool protective_mbr(const uint8_t *b)
{
	if (b[MBR_SIG_AT] != 0x55 || b[MBR_SIG_AT + 1] != 0xaa)
		return false;
	for (int i = 0; i < 4; i++)
		if (b[MBR_PARTS_AT + 16 * i + 4] == MBR_TYPE_GPT)
			return true;
	return false;
}

/* The header in block b (block bytes) that should sit at LBA `at`:
 * everything about it alone, not yet its entry array. */
static int check_header(const uint8_t *b, uint32_t block, uint64_t blocks, uint64_t at,
			struct hdr *h, char *why, size_t len)
{
	if (memcmp(b, "EFI PART", 8))
		return fail(why, len, -EINVAL, "no \"EFI PART\" signature");
	if (le32(b + 8) != REVISION_1_0)
		return fail(why, len, -EINVAL, "revision %#x, not 1.0", le32(b + 8));
	h->size = le32(b + 12);
	if (h->size < HDR_MIN || h->size > block)
		return fail(why, len, -EINVAL, "header size %u (92 to %u)", h->size, block);
	h->crc = le32(b + 16);
	if (header_crc(b, h->size) != h->crc)
		return fail(why, len, -EINVAL, "header CRC32 %08x, computed %08x", h->crc,
			    header_crc(b, h->size));
	h->my_lba = le64(b + 24);
	h->alt_lba = le64(b + 32);
	h->first_usable = le64(b + 40);
	h->last_usable = le64(b + 48);
	memcpy(h->guid, b + 56, 16);
	h->array_lba = le64(b + 72);
	h->entries = le32(b + 80);
	h->entry_size = le32(b + 84);
	h->array_crc = le32(b + 88);
	if (h->my_lba != at)
		return fail(why, len, -EINVAL, "it says it is at LBA %llu, read at %llu",
			    (unsigned long long)h->my_lba, (unsigned long long)at);
	if (h->alt_lba >= blocks || h->alt_lba == at || !h->alt_lba)
		return fail(why, len, -EINVAL, "alternate header LBA %llu (disk of %llu blocks)",
			    (unsigned long long)h->alt_lba, (unsigned long long)blocks);
	return 0;
}

/* Where the header says things are: inside the disk, the usable range
 * clear of both headers' blocks and of the entry array. */
static int check_layout(const struct hdr *h, uint32_t block, uint64_t blocks, char *why,
			size_t len)
{
	uint32_t es = h->entry_size;

	if (es < ENTRY_MIN || (es & (es - 1)) || es > GPT_MAX_ARRAY)
		return fail(why, len, -EINVAL, "entry size %u (a power of two from 128)", es);
	uint64_t bytes = (uint64_t)h->entries * es;
	if (!h->entries || bytes > GPT_MAX_ARRAY)
		return fail(why, len, -EINVAL, "%u entries of %u bytes (1 to %u KiB in all)",
			    h->entries, es, GPT_MAX_ARRAY >> 10);
	uint64_t nblk = (bytes + block - 1) / block;
	if (h->first_usable > h->last_usable || h->last_usable >= blocks - 1 || h->first_usable < 2)
		return fail(why, len, -EINVAL, "usable LBAs %llu..%llu on a disk of %llu blocks",
			    (unsigned long long)h->first_usable, (unsigned long long)h->last_usable,
			    (unsigned long long)blocks);
	if (h->array_lba < 2 || h->array_lba >= blocks - 1 || nblk > blocks - 1 - h->array_lba)
		return fail(why, len, -EINVAL, "entry array at LBA %llu (%llu blocks) is not on the disk",
			    (unsigned long long)h->array_lba, (unsigned long long)nblk);
	if (h->array_lba <= h->last_usable && h->array_lba + nblk > h->first_usable)
		return fail(why, len, -EINVAL, "entry array at LBA %llu overlaps the usable LBAs %llu..%llu",
			    (unsigned long long)h->array_lba, (unsigned long long)h->first_usable,
			    (unsigned long long)h->last_usable);
	if (h->my_lba >= h->first_usable && h->my_lba <= h->last_usable)
		return fail(why, len, -EINVAL, "the header's LBA %llu is among the usable LBAs",
			    (unsigned long long)h->my_lba);
	return 0;
}

/* UTF-16LE (n units, up to the first NUL) to UTF-8 in out (GPT_NAME_MAX). */
static void utf16_name(const uint8_t *p, unsigned n, char *out)
{
	size_t o = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t c = p[2 * i] | (uint32_t)p[2 * i + 1] << 8;
		if (!c)
			break;
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
			uint32_t lo = p[2 * i + 2] | (uint32_t)p[2 * i + 3] << 8;
			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			}
		}
		if (c >= 0xd800 && c < 0xe000)
			c = '?'; /* a lone surrogate */
		if (c < 0x80) {
			out[o++] = (char)c;
		} else if (c < 0x800) {
			out[o++] = (char)(0xc0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			out[o++] = (char)(0xe0 | c >> 12);
			out[o++] = (char)(0x80 | (c >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | c >> 18);
			out[o++] = (char)(0x80 | (c >> 12 & 0x3f));
			out[o++] = (char)(0x80 | (c >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	out[o] = 0;
}

static bool zero16(const uint8_t *g)
{
	for (int i = 0; i < 16; i++)
		if (g[i])
			return false;
	return true;
}

/* The entries in use, into t: each inside the usable range, none
 * overlapping another. */
static int take_entries(const uint8_t *arr, const struct hdr *h, struct gpt *t, char *why,
			size_t len)
{
	t->nr = 0;
	for (uint32_t i = 0; i < h->entries; i++) {
		const uint8_t *e = arr + (size_t)i * h->entry_size;
		if (zero16(e))
			continue;
		if (t->nr == GPT_MAX_PARTS)
			return fail(why, len, -EINVAL, "more than %u partitions", GPT_MAX_PARTS);
		struct gpt_part *p = &t->part[t->nr];
		p->number = i + 1;
		memcpy(p->type, e, 16);
		memcpy(p->guid, e + 16, 16);
		p->first = le64(e + 32);
		p->last = le64(e + 40);
		p->attrs = le64(e + 48);
		utf16_name(e + 56, 36, p->name);
		if (p->first > p->last || p->first < h->first_usable || p->last > h->last_usable)
			return fail(why, len, -EINVAL, "partition %u (LBAs %llu..%llu) is not within "
				    "the usable LBAs %llu..%llu", p->number,
				    (unsigned long long)p->first, (unsigned long long)p->last,
				    (unsigned long long)h->first_usable,
				    (unsigned long long)h->last_usable);
		for (unsigned k = 0; k < t->nr; k++)
			if (p->first <= t->part[k].last && t->part[k].first <= p->last)
				return fail(why, len, -EINVAL, "partitions %u and %u overlap",
					    t->part[k].number, p->number);
		t->nr++;
	}
	return 0;
}

/* One header and its array, at LBA `at`: 0 and t filled, or why not. */
static int try_header(gpt_read_fn *read, void *ctx, uint8_t *blk, uint64_t at, struct gpt *t,
		      char *why, size_t len)
{
	struct hdr h;
	int rc;

	if ((rc = read(ctx, at, 1, blk)))
		return fail(why, len, -EIO, "cannot read LBA %llu (%d)", (unsigned long long)at, rc);
	if ((rc = check_header(blk, t->block, t->blocks, at, &h, why, len)) ||
	    (rc = check_layout(&h, t->block, t->blocks, why, len)))
		return rc;
	uint32_t bytes = h.entries * h.entry_size, nblk = (bytes + t->block - 1) / t->block;
	uint8_t *arr = malloc((size_t)nblk * t->block);
	if (!arr)
		return fail(why, len, -ENOMEM, "no memory for the entry array");
	if ((rc = read(ctx, h.array_lba, nblk, arr))) {
		free(arr);
		return fail(why, len, -EIO, "cannot read the entry array at LBA %llu (%d)",
			    (unsigned long long)h.array_lba, rc);
	}
	if (gpt_crc32(arr, bytes) != h.array_crc) {
		rc = fail(why, len, -EINVAL, "entry array CRC32 %08x, computed %08x", h.array_crc,
			  gpt_crc32(arr, bytes));
	} else {
		t->first_usable = h.first_usable;
		t->last_usable = h.last_usable;
		t->entries = h.entries;
		t->entry_size = h.entry_size;
		memcpy(t->disk_guid, h.guid, 16);
		rc = take_entries(arr, &h, t, why, len);
	}
	free(arr);
	return rc;
}

int gpt_parse(gpt_read_fn *read, void *ctx, uint32_t block, uint64_t blocks, struct gpt *t,
	      char *why, size_t whylen)
{
	char backup_why[GPT_WHY_LEN];
	int rc;

	memset(t, 0, sizeof(*t));
	if (block < 512 || block > 4096 || (block & (block - 1)))
		return fail(why, whylen, -EINVAL, "block size %u (512 to 4096)", block);
	if (blocks < 4)
		return fail(why, whylen, -ENOENT, "no GPT: a disk of %llu blocks",
			    (unsigned long long)blocks);
	uint8_t *blk = malloc(block);
	if (!blk)
		return fail(why, whylen, -ENOMEM, "no memory");
	t->block = block;
	t->blocks = blocks;
	if ((rc = read(ctx, 0, 1, blk)))
		rc = fail(why, whylen, -EIO, "cannot read LBA 0 (%d)", rc);
	else if (!protective_mbr(blk))
		rc = fail(why, whylen, -ENOENT, "no GPT (no protective MBR)");
	else if ((rc = try_header(read, ctx, blk, 1, t, t->primary_why, sizeof(t->primary_why)))) {
		rc = try_header(read, ctx, blk, blocks - 1, t, backup_why, sizeof(backup_why));
		if (!rc)
			t->from_backup = true;
		else
			fail(why, whylen, rc, "primary GPT header: %s; backup: %s", t->primary_why,
			     backup_why);
	}
	free(blk);
	if (rc)
		t->nr = 0;
	return rc;
}

const struct gpt_part *gpt_by_number(const struct gpt *t, unsigned n)
{
	for (unsigned i = 0; i < t->nr; i++)
		if (t->part[i].number == n)
			return &t->part[i];
	return NULL;
}

const struct gpt_part *gpt_by_label(const struct gpt *t, const char *label, unsigned *count)
{
	const struct gpt_part *first = NULL;

	*count = 0;
	for (unsigned i = 0; i < t->nr; i++)
		if (!strcmp(t->part[i].name, label)) {
			if (!first)
				first = &t->part[i];
			++*count;
		}
	return first;
}
