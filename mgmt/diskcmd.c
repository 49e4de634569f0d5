/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management console's disk commands (see docs/disks.md): disks,
 * disk-read, disk-write, disk-bench, pci. They use the same asynchronous
 * interface a block backend does (blkdev.h), waiting for each request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/blkdev.h"
#include "mgmt/diskcmd.h"
#include "mgmt/pci.h"
#include "mgmt/sys.h"

#define WAIT_NS 10000000000ull   /* 10 s for one request */
#define CHUNK (64u << 10)        /* disk-read's buffer comes in pieces of this */
#define READ_MAX 2048u           /* sectors disk-read reads at most (1 MiB) */

/* zlib's CRC-32 (reflected 0xEDB88320), what the tests compute. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static const char *errname(int rc)
{
	switch (rc) {
	case -EIO: return "I/O error";
	case -EROFS: return "read-only";
	case -EINVAL: return "invalid request";
	case -EOPNOTSUPP: return "not supported";
	case -ETIMEDOUT: return "timed out";
	case -ENOMEM: return "out of memory";
	}
	return "error";
}

static struct blkdev *disk_arg(const char *name)
{
	struct blkdev *d = blk_find(name);

	if (!d)
		printf("error: no disk '%s' (see disks)\n", name);
	return d;
}

static bool number_arg(const char *s, const char *what, uint64_t *v)
{
	char *end;

	*v = strtoull(s, &end, 0);
	if (!*s || *end || *s == '-') {
		printf("error: %s: expected a number, got '%s'\n", what, s);
		return false;
	}
	return true;
}

void cmd_disks(int argc, char **argv)
{
	if (!blk_count()) {
		printf("no disks\n");
		return;
	}
	printf("%-9s %12s %9s %5s %-10s %-15s %s\n", "disk", "sectors", "size", "block", "driver",
	       "pci", "flags");
	for (unsigned i = 0; i < blk_count(); i++) {
		struct blkdev *d = blk_get(i);
		printf("%-9s %12llu %5llu MiB %5u %-10s %-15s %s%s%s\n", d->name,
		       (unsigned long long)d->sectors, (unsigned long long)(d->sectors >> 11),
		       d->block_size, d->driver, d->where, d->read_only ? "ro" : "rw",
		       d->flush ? ",flush" : "", d->discard ? ",discard" : "");
		printf("          model \"%s\" serial \"%s\"; %llu requests, %llu commands, %llu "
		       "interrupts, %llu errors; %llu bytes read, %llu written\n", d->model, d->serial,
		       (unsigned long long)d->reqs, (unsigned long long)d->parts,
		       (unsigned long long)d->irqs, (unsigned long long)d->errors,
		       (unsigned long long)d->bytes_read, (unsigned long long)d->bytes_written);
	}
}

/* A buffer of n bytes in CHUNK pieces of the DMA pool: its segments, or
 * 0 (nothing kept) when the pool is short. */
static unsigned get_buffer(struct blk_seg *segs, unsigned max, uint32_t n)
{
	unsigned k = 0;

	for (uint32_t at = 0; at < n; at += CHUNK, k++) {
		uint32_t len = n - at < CHUNK ? n - at : CHUNK;
		if (k == max || !(segs[k].buf = dma_alloc(len))) {
			while (k--)
				dma_free(segs[k].buf, segs[k].len);
			return 0;
		}
		segs[k].len = len;
	}
	return k;
}

static void put_buffer(struct blk_seg *segs, unsigned k)
{
	while (k--)
		dma_free(segs[k].buf, segs[k].len);
}

static int rw(struct blkdev *d, enum blk_op op, uint64_t sector, uint32_t count,
	      struct blk_seg *segs, unsigned nsegs)
{
	struct blk_req r = { .op = op, .sector = sector, .nr_sectors = count, .nr_segs = nsegs,
			     .segs = segs };
	return blk_wait(d, &r, WAIT_NS);
}

/* disk-read's scattered buffer: sector i alone in page i, at a varying
 * offset, as blkif segments may be (NVMe then needs a command wherever a
 * gap is: many more commands than it has room for at once). */
#define SCATTER_MAX 128u

static unsigned get_scattered(struct blk_seg *segs, uint32_t count)
{
	uint8_t *pages = dma_alloc((size_t)count * DMA_PAGE);

	if (!pages)
		return 0;
	for (uint32_t i = 0; i < count; i++)
		segs[i] = (struct blk_seg){ pages + (size_t)i * DMA_PAGE + (i * 3 % 8) * BLK_SECTOR,
					    BLK_SECTOR };
	return count;
}

static void put_scattered(struct blk_seg *segs, uint32_t count)
{
	dma_free((uint8_t *)segs[0].buf - (uintptr_t)segs[0].buf % DMA_PAGE, (size_t)count * DMA_PAGE);
}

static void print_read(struct blkdev *d, uint64_t sector, uint64_t count, uint64_t us,
		       const struct blk_seg *segs, unsigned n)
{
	uint32_t crc = 0;

	for (unsigned i = 0; i < n; i++)
		crc = crc32_update(crc, segs[i].buf, segs[i].len);
	printf("%s: sectors %llu+%llu (%llu bytes, %llu us): crc32 %08x\n", d->name,
	       (unsigned long long)sector, (unsigned long long)count,
	       (unsigned long long)count * BLK_SECTOR, (unsigned long long)us, crc);
	printf("%s: first bytes:", d->name);
	for (unsigned i = 0; i < 32; i++)
		printf(" %02x", ((const uint8_t *)segs[0].buf)[i]); /* (a segment: 512 bytes or more) */
	printf("\n");
}

/* disk-read DISK SECTOR [COUNT [scatter]]: CRC-32 of the bytes, the
 * first 32. */
void cmd_disk_read(int argc, char **argv)
{
	static struct blk_seg segs[READ_MAX * BLK_SECTOR / CHUNK + SCATTER_MAX];
	uint64_t sector, count = 1;
	struct blkdev *d;
	bool scatter = argc == 5 && !strcmp(argv[4], "scatter");

	if (argc < 3 || argc > 5 || (argc == 5 && !scatter)) {
		printf("error: usage: disk-read DISK SECTOR [COUNT [scatter]]\n");
		return;
	}
	if (!(d = disk_arg(argv[1])) || !number_arg(argv[2], "SECTOR", &sector) ||
	    (argc >= 4 && !number_arg(argv[3], "COUNT", &count)))
		return;
	if (!count || count > (scatter ? SCATTER_MAX : READ_MAX)) {
		printf("error: COUNT: 1 to %u sectors\n", scatter ? SCATTER_MAX : READ_MAX);
		return;
	}
	unsigned n = scatter ? get_scattered(segs, (uint32_t)count)
			     : get_buffer(segs, sizeof(segs) / sizeof(segs[0]), (uint32_t)count * BLK_SECTOR);
	if (!n) {
		printf("error: no room in the DMA pool for %llu sectors\n", (unsigned long long)count);
		return;
	}
	uint64_t t0 = now_ns();
	int rc = rw(d, BLK_READ, sector, (uint32_t)count, segs, n);
	uint64_t us = (now_ns() - t0) / 1000;
	if (rc)
		printf("error: %s: read of sectors %llu+%llu: %s (%d)\n", d->name,
		       (unsigned long long)sector, (unsigned long long)count, errname(rc), rc);
	else
		print_read(d, sector, count, us, segs, n);
	if (rc == -ETIMEDOUT)
		return; /* the buffer stays the device's */
	if (scatter)
		put_scattered(segs, (uint32_t)count);
	else
		put_buffer(segs, n);
}

/* disk-write DISK SECTOR TEXT...: one block holding TEXT (the words
 * joined by blanks, zeroes after), then FLUSH. */
void cmd_disk_write(int argc, char **argv)
{
	uint64_t sector;
	struct blkdev *d;

	if (argc < 4) {
		printf("error: usage: disk-write DISK SECTOR TEXT\n");
		return;
	}
	if (!(d = disk_arg(argv[1])) || !number_arg(argv[2], "SECTOR", &sector))
		return;
	struct blk_seg seg = { dma_alloc(d->block_size), d->block_size };
	if (!seg.buf) {
		printf("error: no room in the DMA pool\n");
		return;
	}
	char *p = seg.buf;
	size_t at = 0;
	for (int i = 3; i < argc; i++) {
		size_t len = strlen(argv[i]);
		if (at + len + 1 > seg.len)
			len = seg.len - at - 1;
		memcpy(p + at, argv[i], len);
		at += len;
		if (i + 1 < argc && at + 1 < seg.len)
			p[at++] = ' ';
	}
	int rc = rw(d, BLK_WRITE, sector, d->block_size / BLK_SECTOR, &seg, 1);
	if (rc) {
		printf("error: %s: write of sector %llu: %s (%d)\n", d->name, (unsigned long long)sector,
		       errname(rc), rc);
	} else {
		struct blk_req f = { .op = BLK_FLUSH };
		rc = blk_wait(d, &f, WAIT_NS);
		if (rc)
			printf("error: %s: flush: %s (%d)\n", d->name, errname(rc), rc);
		else
			printf("%s: wrote %u bytes at sector %llu, flushed%s\n", d->name, d->block_size,
			       (unsigned long long)sector, d->flush ? "" : " (no write cache)");
	}
	if (rc != -ETIMEDOUT)
		dma_free(seg.buf, seg.len);
}

/* disk-discard DISK SECTOR COUNT */
void cmd_disk_discard(int argc, char **argv)
{
	uint64_t sector, count;
	struct blkdev *d;

	if (argc != 4) {
		printf("error: usage: disk-discard DISK SECTOR COUNT\n");
		return;
	}
	if (!(d = disk_arg(argv[1])) || !number_arg(argv[2], "SECTOR", &sector) ||
	    !number_arg(argv[3], "COUNT", &count))
		return;
	struct blk_req r = { .op = BLK_DISCARD, .sector = sector, .nr_sectors = (uint32_t)count };
	int rc = count >> 32 ? -EINVAL : blk_wait(d, &r, WAIT_NS);
	if (rc)
		printf("error: %s: discard of sectors %llu+%llu: %s (%d)\n", d->name,
		       (unsigned long long)sector, (unsigned long long)count, errname(rc), rc);
	else
		printf("%s: discarded sectors %llu+%llu\n", d->name, (unsigned long long)sector,
		       (unsigned long long)count);
}

/* disk-bench DISK [MIB [DEPTH [KIB [write]]]]: sequential reads (or
 * writes of zeroes) of the first MIB MiB (16) in requests of KIB KiB
 * (128, 4 to 1024), DEPTH (8) in flight: MiB/s, interrupts per request.
 * Each request's buffer is pool pages, one segment each (as a block
 * backend's bounce pages are), so 1 MiB requests need no contiguous MiB. */
#define BENCH_KIB 128u
#define BENCH_MAX_PAGES 256u     /* 1 MiB */
#define BENCH_DEPTH 8u

struct bench {
	struct blk_req r[BENCH_DEPTH];
	struct blk_seg seg[BENCH_DEPTH][BENCH_MAX_PAGES];
	enum blk_op op;
	uint32_t pages, req_sectors;
	uint64_t next, end;          /* sectors */
	unsigned out, errors;
};

static void bench_issue(struct blkdev *d, struct bench *b, struct blk_req *r);

static void bench_done(struct blk_req *r, int status)
{
	struct bench *b = r->priv;

	b->out--;
	if (status)
		b->errors++;
	bench_issue(r->dev, b, r);
}

static void bench_issue(struct blkdev *d, struct bench *b, struct blk_req *r)
{
	if (b->next >= b->end || b->errors)
		return;
	uint32_t n = b->req_sectors, k = (uint32_t)(r - b->r);
	if (n > b->end - b->next)
		n = (uint32_t)(b->end - b->next);
	*r = (struct blk_req){ .op = b->op, .sector = b->next, .nr_sectors = n,
			       .nr_segs = (n * BLK_SECTOR + DMA_PAGE - 1) / DMA_PAGE,
			       .segs = b->seg[k], .done = bench_done, .priv = b };
	for (uint32_t i = 0; i < r->nr_segs; i++) {
		uint32_t left = n * BLK_SECTOR - i * DMA_PAGE;
		b->seg[k][i].len = left < DMA_PAGE ? left : DMA_PAGE;
	}
	if (blk_submit(d, r)) {
		b->errors++;
		return;
	}
	b->next += n;
	b->out++;
}

static void bench_free(struct bench *b, unsigned depth)
{
	for (unsigned k = 0; k < depth; k++)
		for (unsigned i = 0; i < b->pages; i++)
			if (b->seg[k][i].buf)
				dma_free(b->seg[k][i].buf, DMA_PAGE);
}

static bool bench_args(int argc, char **argv, struct blkdev **d, uint64_t *mib, uint64_t *depth,
		       uint64_t *kib, bool *wr)
{
	if (argc < 2 || argc > 6 || (argc == 6 && strcmp(argv[5], "write"))) {
		printf("error: usage: disk-bench DISK [MIB [DEPTH [KIB [write]]]]\n");
		return false;
	}
	*wr = argc == 6;
	if (!(*d = disk_arg(argv[1])) || (argc >= 3 && !number_arg(argv[2], "MIB", mib)) ||
	    (argc >= 4 && !number_arg(argv[3], "DEPTH", depth)) ||
	    (argc >= 5 && !number_arg(argv[4], "KIB", kib)))
		return false;
	if (!*depth || *depth > BENCH_DEPTH) {
		printf("error: DEPTH: 1 to %u\n", BENCH_DEPTH);
		return false;
	}
	if (*kib < 4 || *kib > BENCH_MAX_PAGES * 4 || *kib % 4 || (*kib * 2) % ((*d)->block_size / 512)) {
		printf("error: KIB: 4 to %u, a multiple of 4 KiB and of the block\n", BENCH_MAX_PAGES * 4);
		return false;
	}
	return true;
}

void cmd_disk_bench(int argc, char **argv)
{
	static struct bench b;
	uint64_t mib = 16, depth = BENCH_DEPTH, kib = BENCH_KIB;
	struct blkdev *d;
	bool wr;

	if (!bench_args(argc, argv, &d, &mib, &depth, &kib, &wr))
		return;
	memset(&b, 0, sizeof(b));
	b.op = wr ? BLK_WRITE : BLK_READ;
	b.req_sectors = (uint32_t)(kib * 2);
	b.pages = (uint32_t)(kib / 4);
	b.end = mib << 11 < d->sectors ? mib << 11 : d->sectors;
	for (unsigned k = 0; k < depth; k++)
		for (unsigned i = 0; i < b.pages; i++)
			if (!(b.seg[k][i].buf = dma_alloc(DMA_PAGE))) {
				printf("error: no room in the DMA pool (%llu pages wanted)\n",
				       (unsigned long long)(depth * b.pages));
				bench_free(&b, (unsigned)depth);
				return;
			}
	uint64_t irqs = d->irqs, reqs = d->reqs, parts = d->parts, t0 = now_ns();
	for (unsigned i = 0; i < depth; i++)
		bench_issue(d, &b, &b.r[i]);
	while (b.out) {
		uint64_t sleep = blk_poll();
		if (b.out)
			sys_wait(sleep < 10000000ull ? sleep : 10000000ull);
		if (now_ns() - t0 > 60000000000ull) {
			printf("error: %s: disk-bench stuck (%u requests out)\n", d->name, b.out);
			return; /* the buffers stay the device's */
		}
	}
	uint64_t ns = now_ns() - t0, bytes = b.next * BLK_SECTOR;
	char size[32] = "";
	if (kib != BENCH_KIB)
		snprintf(size, sizeof(size), ", %llu KiB requests", (unsigned long long)kib);
	reqs = d->reqs - reqs;
	printf("%s: %s %llu MiB in %llu ms (depth %llu%s): %llu MiB/s; %llu requests, %llu "
	       "commands, %llu interrupts (%llu.%02llu per request)%s\n", d->name,
	       wr ? "wrote" : "read", (unsigned long long)(bytes >> 20),
	       (unsigned long long)(ns / 1000000), (unsigned long long)depth, size,
	       (unsigned long long)(ns ? bytes * 1000000000ull / ns >> 20 : 0),
	       (unsigned long long)reqs, (unsigned long long)(d->parts - parts),
	       (unsigned long long)(d->irqs - irqs),
	       (unsigned long long)(reqs ? (d->irqs - irqs) / reqs : 0),
	       (unsigned long long)(reqs ? (d->irqs - irqs) * 100 / reqs % 100 : 0),
	       b.errors ? " (errors!)" : "");
	bench_free(&b, (unsigned)depth);
}

/* pci: the functions found, and who drives them. */
void cmd_pci(int argc, char **argv)
{
	for (unsigned i = 0; i < pci_count(); i++) {
		struct pci_func *f = pci_get(i);
		printf("%s %04x:%04x class %02x:%02x:%02x%s%s%s\n", pci_name(f), f->vendor, f->device,
		       f->class, f->subclass, f->progif, f->header == 1 ? " bridge" : "",
		       f->driver ? " driver " : "", f->driver ? f->driver : "");
		for (unsigned b = 0; b < 6; b++)
			if (f->bar[b].kind != PCI_BAR_NONE && f->bar[b].addr)
				printf("    bar %u: %s %#llx%s\n", b,
				       f->bar[b].kind == PCI_BAR_IO ? "io" : f->bar[b].kind == PCI_BAR_MEM64
				       ? "mem64" : "mem32", (unsigned long long)f->bar[b].addr,
				       f->bar[b].prefetch ? " prefetchable" : "");
	}
}
