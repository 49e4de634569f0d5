/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GUID partition tables (mgmt/gpt.c): disks built here in memory, as
 * sgdisk lays them out (protective MBR, primary header at LBA 1 and its
 * 128-entry array at LBA 2, the backup array and header at the end), then
 * broken in one place at a time: the parser uses the primary, falls back
 * to the backup, or refuses with a reason that names what is wrong.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt/gpt.h"

#define ENTRIES 128u
#define ENTRY 128u

struct disk {
	uint8_t *b;
	uint32_t block;
	uint64_t blocks;     /* what the parser is told */
	uint64_t readable;   /* blocks a read may reach (a truncated image: fewer) */
	unsigned reads;
};

struct spec {
	uint64_t first, last;
	const uint16_t *name; /* UTF-16 units, NUL-terminated; NULL: "part" */
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static int disk_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct disk *d = ctx;

	d->reads++;
	if (lba > d->readable || count > d->readable - lba)
		return -EIO;
	memcpy(buf, d->b + lba * d->block, (size_t)count * d->block);
	return 0;
}

static uint64_t array_blocks(uint32_t block)
{
	return (ENTRIES * ENTRY + block - 1) / block;
}

/* A header at `at` whose array is at `arr`, its CRC over the array. */
static void write_header(struct disk *d, uint64_t at, uint64_t alt, uint64_t arr)
{
	uint8_t *h = d->b + at * d->block;
	uint64_t nb = array_blocks(d->block);

	memset(h, 0, d->block);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, at);
	put64(h + 32, alt);
	put64(h + 40, 2 + nb);
	put64(h + 48, d->blocks - 2 - nb);
	for (int i = 0; i < 16; i++)
		h[56 + i] = (uint8_t)(0xd0 + i);
	put64(h + 72, arr);
	put32(h + 80, ENTRIES);
	put32(h + 84, ENTRY);
	put32(h + 88, gpt_crc32(d->b + arr * d->block, ENTRIES * ENTRY));
	put32(h + 16, gpt_crc32(h, 92));
}

static void fix_header_crc(struct disk *d, uint64_t at)
{
	uint8_t *h = d->b + at * d->block;

	put32(h + 16, 0);
	put32(h + 16, gpt_crc32(h, 92));
}

static const uint16_t name_data[] = { 'd', 'a', 't', 'a', 0 };

/* A disk of `blocks` blocks with the partitions of sp (n of them). */
static struct disk make(uint32_t block, uint64_t blocks, const struct spec *sp, unsigned n)
{
	struct disk d = { calloc(blocks, block), block, blocks, blocks, 0 };
	uint64_t nb = array_blocks(block);

	assert_non_null(d.b);
	d.b[446 + 4] = 0xee;
	put32(d.b + 446 + 8, 1);
	put32(d.b + 446 + 12, (uint32_t)(blocks - 1 > 0xffffffffu ? 0xffffffffu : blocks - 1));
	d.b[510] = 0x55, d.b[511] = 0xaa;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = d.b + 2 * block + i * ENTRY;
		const uint16_t *name = sp[i].name ? sp[i].name : name_data;
		memset(e, 0xaf, 16); /* a type GUID that is not zero */
		memset(e + 16, 0x10 + i, 16);
		put64(e + 32, sp[i].first);
		put64(e + 40, sp[i].last);
		for (unsigned k = 0; name[k] && k < 36; k++)
			e[56 + 2 * k] = (uint8_t)name[k], e[57 + 2 * k] = (uint8_t)(name[k] >> 8);
	}
	memcpy(d.b + (blocks - 1 - nb) * block, d.b + 2 * block, nb * block);
	write_header(&d, 1, blocks - 1, 2);
	write_header(&d, blocks - 1, 1, blocks - 1 - nb);
	return d;
}

static int parse(struct disk *d, struct gpt *t, char *why)
{
	why[0] = 0;
	return gpt_parse(disk_read, d, d->block, d->blocks, t, why, GPT_WHY_LEN);
}

static const uint16_t name_root[] = { 'r', 'o', 'o', 't', 0 };
/* "é" and U+1F600 (a surrogate pair): UTF-8 c3 a9 and f0 9f 98 80 */
static const uint16_t name_utf[] = { 0xe9, '-', 0xd83d, 0xde00, 0 };
static const uint16_t name_lone[] = { 'x', 0xdc00, 'y', 0 };

static const struct spec two[] = { { 34, 2081, name_root }, { 2082, 4000, NULL } };

static void test_valid(void **state)
{
	struct disk d = make(512, 8192, two, 2);
	struct gpt t;
	char why[GPT_WHY_LEN];
	unsigned count;

	assert_int_equal(parse(&d, &t, why), 0);
	assert_false(t.from_backup);
	assert_int_equal(t.nr, 2);
	assert_int_equal(t.first_usable, 34);
	assert_int_equal(t.last_usable, 8192 - 34);
	assert_int_equal(t.part[0].number, 1);
	assert_int_equal(t.part[0].first, 34);
	assert_int_equal(t.part[0].last, 2081);
	assert_string_equal(t.part[0].name, "root");
	assert_string_equal(t.part[1].name, "data");
	assert_ptr_equal(gpt_by_number(&t, 2), &t.part[1]);
	assert_null(gpt_by_number(&t, 3));
	assert_ptr_equal(gpt_by_label(&t, "root", &count), &t.part[0]);
	assert_int_equal(count, 1);
	assert_null(gpt_by_label(&t, "Root", &count));
	assert_int_equal(count, 0);
	free(d.b);
}

/* 4 KiB blocks: the array takes 4 blocks, usable from LBA 6. */
static void test_valid_4k(void **state)
{
	const struct spec sp[] = { { 6, 1000, name_root } };
	struct disk d = make(4096, 4096, sp, 1);
	struct gpt t;
	char why[GPT_WHY_LEN];

	assert_int_equal(parse(&d, &t, why), 0);
	assert_int_equal(t.block, 4096);
	assert_int_equal(t.first_usable, 6);
	assert_int_equal(t.nr, 1);
	assert_int_equal(t.part[0].last, 1000);
	free(d.b);
}

/* Entries need not be packed: a hole at entry 2 keeps partition 3 its number. */
static void test_numbers_and_names(void **state)
{
	const struct spec sp[] = { { 34, 99, name_utf }, { 0, 0, NULL }, { 100, 199, name_lone },
				   { 200, 299, name_root }, { 300, 399, name_root } };
	struct disk d = make(512, 4096, sp, 5);
	struct gpt t;
	char why[GPT_WHY_LEN];
	unsigned count;

	memset(d.b + 2 * 512 + ENTRY, 0, ENTRY); /* entry 2 unused */
	memcpy(d.b + (4096 - 1 - 32) * 512, d.b + 2 * 512, 32 * 512);
	write_header(&d, 1, 4095, 2);
	write_header(&d, 4095, 1, 4095 - 32);
	assert_int_equal(parse(&d, &t, why), 0);
	assert_int_equal(t.nr, 4);
	assert_string_equal(t.part[0].name, "\xc3\xa9-\xf0\x9f\x98\x80");
	assert_string_equal(t.part[1].name, "x?y");
	assert_int_equal(t.part[1].number, 3);
	assert_int_equal(gpt_by_number(&t, 3)->first, 100);
	assert_null(gpt_by_number(&t, 2));
	assert_ptr_equal(gpt_by_label(&t, "root", &count), &t.part[2]);
	assert_int_equal(count, 2); /* two have it: the caller refuses the label */
	free(d.b);
}

static void test_hybrid_mbr(void **state)
{
	struct disk d = make(512, 8192, two, 2);
	struct gpt t;
	char why[GPT_WHY_LEN];

	memcpy(d.b + 446 + 16, d.b + 446, 16); /* 0xee moves to the second slot */
	memset(d.b + 446, 0, 16);
	d.b[446 + 4] = 0x83;
	assert_int_equal(parse(&d, &t, why), 0);
	free(d.b);
}

static void test_no_mbr(void **state)
{
	struct disk d = make(512, 8192, two, 2);
	struct gpt t;
	char why[GPT_WHY_LEN];

	d.b[511] = 0;
	assert_int_equal(parse(&d, &t, why), -ENOENT);
	assert_non_null(strstr(why, "no protective MBR"));
	d.b[511] = 0xaa;
	d.b[446 + 4] = 0x83; /* an MBR disk, not GPT */
	assert_int_equal(parse(&d, &t, why), -ENOENT);
	assert_int_equal(t.nr, 0);
	free(d.b);
}

static void test_bad_header_crc(void **state)
{
	struct disk d = make(512, 8192, two, 2);
	struct gpt t;
	char why[GPT_WHY_LEN];

	d.b[512 + 40] ^= 1; /* first_usable changed, CRC not */
	assert_int_equal(parse(&d, &t, why), 0);
	assert_true(t.from_backup);
	assert_non_null(strstr(t.primary_why, "header CRC32"));
	assert_int_equal(t.nr, 2);
	assert_string_equal(t.part[0].name, "root");
	free(d.b);
}

static void test_bad_array_crc(void **state)
{
	struct disk d = make(512, 8192, two, 2);
	struct gpt t;
	char why[GPT_WHY_LEN];

	d.b[2 * 512 + 32] ^= 1; /* partition 1's first LBA in the primary array */
	assert_int_equal(parse(&d, &t, why), 0);
	assert_true(t.from_backup);
	assert_non_null(strstr(t.primary_why, "entry array CRC32"));
	assert_int_equal(t.part[0].first, 34);
	free(d.b);
}

/* Only the backup: the primary's block zeroed (as a wiped start of disk
 * that kept its MBR). */
static void test_backup_only(void **state)
{
	struct disk d = make(512, 8192, two, 2);
	struct gpt t;
	char why[GPT_WHY_LEN];

	memset(d.b + 512, 0, 512 * 33);
	assert_int_equal(parse(&d, &t, why), 0);
	assert_true(t.from_backup);
	assert_non_null(strstr(t.primary_why, "signature"));
	assert_int_equal(t.nr, 2);
	free(d.b);
}

static void test_both_bad(void **state)
{
	struct disk d = make(512, 8192, two, 2);
	struct gpt t;
	char why[GPT_WHY_LEN];

	d.b[512 + 40] ^= 1;
	d.b[8191 * 512 + 40] ^= 1;
	assert_int_equal(parse(&d, &t, why), -EINVAL);
	assert_non_null(strstr(why, "primary GPT header: header CRC32"));
	assert_non_null(strstr(why, "backup: header CRC32"));
	assert_int_equal(t.nr, 0);
	free(d.b);
}

/* An image cut short: the disk is smaller than its table says. */
static void test_truncated(void **state)
{
	struct disk d = make(512, 8192, two, 2);
	struct gpt t;
	char why[GPT_WHY_LEN];

	d.blocks = 4096; /* the backup and the usable range lie past the end */
	d.readable = 4096;
	assert_int_equal(parse(&d, &t, why), -EINVAL);
	assert_non_null(strstr(why, "alternate header LBA 8191"));
	assert_non_null(strstr(why, "backup: no \"EFI PART\""));
	/* Told the right size, but the reads past 4096 fail. */
	d.blocks = 8192;
	memset(d.b + 512, 0, 512);
	assert_int_equal(parse(&d, &t, why), -EIO);
	assert_non_null(strstr(why, "backup: cannot read LBA 8191"));
	/* Smaller than anything. */
	d.blocks = 3;
	assert_int_equal(parse(&d, &t, why), -ENOENT);
	free(d.b);
}

static void test_overlap(void **state)
{
	const struct spec sp[] = { { 34, 2081, name_root }, { 2000, 4000, NULL } };
	struct disk d = make(512, 8192, sp, 2);
	struct gpt t;
	char why[GPT_WHY_LEN];

	assert_int_equal(parse(&d, &t, why), -EINVAL);
	assert_non_null(strstr(why, "partitions 1 and 2 overlap"));
	free(d.b);
}

static void test_outside_usable(void **state)
{
	const struct spec past[] = { { 34, 8180, name_root } };
	const struct spec inverted[] = { { 500, 400, name_root } };
	const struct spec early[] = { { 10, 400, name_root } };
	struct gpt t;
	char why[GPT_WHY_LEN];

	struct disk d = make(512, 8192, past, 1);
	assert_int_equal(parse(&d, &t, why), -EINVAL);
	assert_non_null(strstr(why, "partition 1 (LBAs 34..8180) is not within the usable LBAs "
				    "34..8158"));
	free(d.b);
	d = make(512, 8192, inverted, 1);
	assert_int_equal(parse(&d, &t, why), -EINVAL);
	free(d.b);
	d = make(512, 8192, early, 1);
	assert_int_equal(parse(&d, &t, why), -EINVAL);
	free(d.b);
}

/* Header fields that cannot be: each refused in both copies. */
static void bad_field(unsigned off, uint64_t value, bool wide, const char *reason)
{
	struct disk d = make(512, 8192, two, 2);
	struct gpt t;
	char why[GPT_WHY_LEN];

	for (uint64_t at = 1; at; at = at == 1 ? 8191 : 0) {
		uint8_t *h = d.b + at * 512;
		if (wide)
			put64(h + off, value);
		else
			put32(h + off, (uint32_t)value);
		fix_header_crc(&d, at);
	}
	assert_int_equal(parse(&d, &t, why), -EINVAL);
	if (!strstr(why, reason))
		fail_msg("%s: the reason given is '%s'", reason, why);
	free(d.b);
}

static void test_bad_fields(void **state)
{
	bad_field(8, 0x00020000, false, "revision 0x20000");
	bad_field(12, 60, false, "header size 60");
	bad_field(12, 600, false, "header size 600");
	bad_field(84, 96, false, "entry size 96");
	bad_field(84, 100, false, "entry size 100");
	bad_field(80, 0, false, "0 entries");
	bad_field(80, 100000, false, "100000 entries");
	bad_field(80, 0x40000000, false, "1073741824 entries");
	bad_field(24, 5, true, "it says it is at LBA 5");
	bad_field(32, 9000, true, "alternate header LBA 9000");
	bad_field(40, 1, true, "usable LBAs 1..");
	bad_field(48, 9000, true, "usable LBAs 34..9000");
	bad_field(40, 5000, true, "usable LBAs 5000..8158");
	bad_field(72, 9000, true, "is not on the disk");
	bad_field(72, 8191, true, "is not on the disk");
	bad_field(72, 40, true, "overlaps the usable LBAs");
}

static void test_read_error(void **state)
{
	struct disk d = make(512, 8192, two, 2);
	struct gpt t;
	char why[GPT_WHY_LEN];

	d.readable = 0;
	assert_int_equal(parse(&d, &t, why), -EIO);
	assert_non_null(strstr(why, "cannot read LBA 0"));
	assert_int_equal(parse(&d, &t, why) == 0, 0);
	free(d.b);
}

static void test_crc32(void **state)
{
	assert_int_equal(gpt_crc32("123456789", 9), 0xcbf43926); /* the check value */
	assert_int_equal(gpt_crc32("", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_valid_4k),
		cmocka_unit_test(test_numbers_and_names),
		cmocka_unit_test(test_hybrid_mbr),
		cmocka_unit_test(test_no_mbr),
		cmocka_unit_test(test_bad_header_crc),
		cmocka_unit_test(test_bad_array_crc),
		cmocka_unit_test(test_backup_only),
		cmocka_unit_test(test_both_bad),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_outside_usable),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_read_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
