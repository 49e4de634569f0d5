/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual disks backed by the machine's disks (see blkstore.h,
 * docs/block.md): a whole disk of mgmt/blkdev.h, or one of its GPT
 * partitions (mgmt/gpt.c), by number or by label.
 *
 * Data path. Zero-copy first: the backend maps the guest's pages for the
 * device and gives their machine addresses (io->mach), which go to the
 * device as they are (blk_req.machine). Otherwise (a request the backend
 * could not map) the data passes through the DMA pool: buffers() gives a
 * request bounce pages of the pool (at physical = virtual addresses in
 * mgmt, so the backend's grant copies name their frames directly), the
 * device reads into them or writes from them, and release() takes them
 * back. Pages are kept in a cache of our own once
 * taken from the pool (dma_alloc zeroes and searches: too slow for every
 * request), and the cache goes back to the pool after a second without
 * I/O, so that the console's disk-read and disk-bench find room again.
 *
 * A request that finds too few pages waits (-EAGAIN: the backend tries
 * again after a completion); one that could never get them (the pool is
 * smaller than it) fails instead of waiting forever.
 *
 * Completions arrive from blk_poll (the device's interrupt woke the main
 * loop), are queued on their store, and are handed to the backend by the
 * store's poll (never from inside submit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/blkdev.h"
#include "mgmt/blkstore.h"
#include "mgmt/gpt.h"
#include "mgmt/sys.h"

#define BOUNCE_MAX 448u               /* pages the cache may hold (of a 512-page pool) */
#define POOL_RESERVE 24u              /* pool pages the cache leaves to others */
#define TRIM_NS 1000000000ull         /* idle this long: the cache goes back */
#define GPT_WAIT_NS 10000000000ull    /* a partition table read waits this long */
#define DISCARD_PIECE (1u << 30)      /* sectors per device discard (blk_req: 32 bits) */

/* ---- bounce pages ---- */

static uint8_t *cache[BOUNCE_MAX];
static unsigned cached;               /* free pages in cache[] */
static unsigned held;                 /* pages taken from the pool, free or lent */

/* n pages into pages[]: 0, -EAGAIN (not now), -ENOSPC (never: the pool
 * cannot give that many even with all of ours free). */
static int take_pages(uint8_t **pages, unsigned n)
{
	while (cached < n && held < BOUNCE_MAX && dma_free_pages() > POOL_RESERVE) {
		uint8_t *p = dma_alloc(DMA_PAGE);
		if (!p)
			break;
		cache[cached++] = p;
		held++;
	}
	if (cached < n)
		return cached == held ? -ENOSPC : -EAGAIN;
	for (unsigned i = 0; i < n; i++)
		pages[i] = cache[--cached];
	return 0;
}

static void give_pages(uint8_t **pages, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		cache[cached++] = pages[i];
}

/* Back to the pool, when no store has had I/O for TRIM_NS. */
static void trim(uint64_t now)
{
	for (unsigned i = 0; blkstore_get(i); i++) {
		const struct blkstore *s = blkstore_get(i);
		if (s->dev && (s->inflight || now - s->last_busy < TRIM_NS))
			return;
	}
	if (cached != held)
		return;
	while (cached) {
		dma_free(cache[--cached], DMA_PAGE);
		held--;
	}
}

/* ---- requests ---- */

/* What a request holds while it is the store's. */
struct dio {
	struct blk_req req;
	struct blkstore *s;
	struct blkstore_io *io;
	uint64_t left;          /* a discard's sectors not yet sent */
	bool flush_next;        /* a write whose FLUSH follows it */
	unsigned npages;
	struct blk_seg *segs;   /* one per page: after pages[] */
	uint8_t *pages[];
};

static struct dio *dio_new(struct blkstore *s, struct blkstore_io *io, unsigned npages)
{
	struct dio *d = malloc(sizeof(*d) + npages * (sizeof(uint8_t *) + sizeof(struct blk_seg)));

	if (d) {
		memset(d, 0, sizeof(*d));
		d->s = s, d->io = io, d->npages = npages;
		d->segs = (struct blk_seg *)(void *)&d->pages[npages];
	}
	return d;
}

static bool in_poll; /* blk_poll called from disk_poll: its completions are taken now */

/* The request is over: queued for the store's poll, which tells the backend. */
static void complete(struct blkstore *s, struct blkstore_io *io, int status)
{
	io->status = status;
	io->next = NULL;
	*s->tail = io;
	s->tail = &io->next;
	if (!in_poll)
		sys_busy(); /* the main loop's own blk_poll: come round before sleeping */
}

static void dio_done(struct blk_req *r, int status);

/* The next device command of d: 0 or blk_submit's refusal. */
static int send(struct dio *d, enum blk_op op)
{
	struct blkstore *s = d->s;
	struct blkstore_io *io = d->io;

	memset(&d->req, 0, sizeof(d->req));
	d->req.op = op;
	d->req.done = dio_done;
	d->req.priv = d;
	if (op == BLK_READ || op == BLK_WRITE) {
		d->req.sector = s->start + io->sector;
		d->req.nr_sectors = (uint32_t)io->count;
		d->req.nr_segs = io->mach ? io->nr_mach : d->npages;
		d->req.segs = io->mach ? io->mach : d->segs;
		d->req.machine = io->mach != NULL;
	} else if (op == BLK_DISCARD) {
		uint32_t piece = DISCARD_PIECE - DISCARD_PIECE % (s->sector_size / 512);
		uint32_t n = d->left > piece ? piece : (uint32_t)d->left;
		d->req.sector = s->start + io->sector + (io->count - d->left);
		d->req.nr_sectors = n;
		d->left -= n;
	}
	return blk_submit(s->dev, &d->req);
}

/* A device command ended (from blk_poll): the next one, or the end. */
static void dio_done(struct blk_req *r, int status)
{
	struct dio *d = r->priv;
	int rc = status;

	if (!rc && d->flush_next) {
		d->flush_next = false;
		rc = send(d, BLK_FLUSH);
		if (!rc)
			return;
	} else if (!rc && r->op == BLK_DISCARD && d->left) {
		if (!(rc = send(d, BLK_DISCARD)))
			return;
	}
	complete(d->s, d->io, rc);
}

static int disk_buffers(struct blkstore *s, struct blkstore_io *io)
{
	uint64_t bytes = io->count * 512;
	unsigned n = (unsigned)((bytes + DMA_PAGE - 1) / DMA_PAGE);

	if (!n || n > BLK_MAX_SEGS)
		return -EINVAL;
	struct dio *d = dio_new(s, io, n);
	if (!d)
		return -EAGAIN; /* the heap: after completions free some */
	int rc = take_pages(d->pages, n);
	if (rc) {
		free(d);
		return rc;
	}
	for (unsigned i = 0; i < n; i++) {
		d->segs[i].buf = d->pages[i];
		d->segs[i].len = bytes - (uint64_t)i * DMA_PAGE < DMA_PAGE ?
				 (uint32_t)(bytes - (uint64_t)i * DMA_PAGE) : DMA_PAGE;
	}
	io->pages = d->pages;
	io->base = NULL;
	io->offset = 0;
	io->store_priv = d;
	return 0;
}

static void disk_release(struct blkstore *s, struct blkstore_io *io)
{
	struct dio *d = io->store_priv;

	if (!d)
		return;
	give_pages(d->pages, d->npages);
	free(d);
	io->store_priv = NULL;
	io->pages = NULL;
}

static void disk_submit(struct blkstore *s, struct blkstore_io *io)
{
	struct dio *d = io->store_priv;
	int rc = 0;

	s->inflight++;
	s->last_busy = now_ns();
	if (io->op != BLKSTORE_FLUSH && (io->sector > s->sectors || io->count > s->sectors - io->sector))
		rc = -EINVAL; /* the ring checked it already: never past the partition */
	else if ((io->op == BLKSTORE_READ || io->op == BLKSTORE_WRITE) && !io->mach)
		rc = d ? 0 : -EINVAL;
	else if (!(d = dio_new(s, io, 0)))
		rc = -ENOMEM;
	else
		io->store_priv = d; /* freed by poll */
	if (rc) {
		complete(s, io, rc);
		return;
	}
	switch (io->op) {
	case BLKSTORE_READ: rc = send(d, BLK_READ); break;
	case BLKSTORE_WRITE:
		d->flush_next = io->flush_after;
		rc = send(d, BLK_WRITE);
		break;
	case BLKSTORE_FLUSH: rc = send(d, BLK_FLUSH); break;
	case BLKSTORE_DISCARD:
		d->left = io->count;
		rc = send(d, BLK_DISCARD);
		break;
	}
	if (rc)
		complete(s, io, rc);
}

/* The device's completions, then ours to the backend. A dio without
 * bounce pages (flush, discard, zero-copy) goes here, others at release. */
static bool disk_poll(struct blkstore *s)
{
	uint64_t now = now_ns();

	in_poll = true;
	blk_poll();
	in_poll = false;
	struct blkstore_io *io = s->queue;
	s->queue = NULL;
	s->tail = &s->queue;
	while (io) {
		struct blkstore_io *next = io->next;
		switch (io->op) {
		case BLKSTORE_READ: s->reads++; break;
		case BLKSTORE_WRITE: s->writes++; break;
		case BLKSTORE_FLUSH: s->flushes++; break;
		case BLKSTORE_DISCARD: s->discards++; break;
		}
		struct dio *d = io->store_priv;
		if (d && !d->npages) {
			io->store_priv = NULL;
			free(d);
		}
		s->inflight--;
		s->last_busy = now;
		io->done(io); /* may submit again */
		io = next;
	}
	trim(now);
	return s->queue != NULL;
}

static const struct blkstore_ops disk_ops = { disk_buffers, disk_release, disk_submit, disk_poll };

/* ---- targets ---- */

static struct gpt table; /* one at a time: parsed at attach */

struct reader {
	struct blkdev *dev;
	uint8_t *page;        /* one DMA page */
	bool lost;            /* a read timed out: the page stays the device's */
};

/* gpt_read_fn over blkdev, a page at a time, waiting for each. */
static int read_blocks(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct reader *rd = ctx;
	uint32_t bs = rd->dev->block_size, per = DMA_PAGE / bs;

	while (count) {
		uint32_t n = count < per ? count : per;
		struct blk_seg seg = { rd->page, n * bs };
		struct blk_req r = { .op = BLK_READ, .sector = lba * (bs / 512),
				     .nr_sectors = n * bs / 512, .nr_segs = 1, .segs = &seg };
		int rc = blk_wait(rd->dev, &r, GPT_WAIT_NS);
		if (rc == -ETIMEDOUT)
			rd->lost = true;
		if (rc)
			return rc;
		memcpy(buf, rd->page, (size_t)n * bs);
		buf = (uint8_t *)buf + (size_t)n * bs;
		lba += n, count -= n;
	}
	return 0;
}

/* dev's partition table into `table`: 0, or why not. */
static int read_table(struct blkdev *dev, char *why, size_t len)
{
	struct reader rd = { dev, dma_alloc(DMA_PAGE), false };

	if (!rd.page)
		return snprintf(why, len, "%s: no room in the DMA pool to read its partition table",
				dev->name), -ENOMEM;
	char reason[GPT_WHY_LEN];
	int rc = gpt_parse(read_blocks, &rd, dev->block_size, dev->sectors / (dev->block_size / 512),
			   &table, reason, sizeof(reason));
	if (!rd.lost)
		dma_free(rd.page, DMA_PAGE);
	if (rc)
		snprintf(why, len, "%s: %s", dev->name, reason);
	else if (table.from_backup)
		printf("mgmt: %s: the primary GPT header is bad (%s): using the backup\n", dev->name,
		       table.primary_why);
	return rc;
}

/* Linux's name of partition n of dev: vda1, nvme0n1p1. */
static void part_name(char *out, size_t len, const struct blkdev *dev, unsigned n)
{
	size_t l = strlen(dev->name);
	bool digit = l && dev->name[l - 1] >= '0' && dev->name[l - 1] <= '9';

	snprintf(out, len, "%s%s%u", dev->name, digit ? "p" : "", n);
}

/* The store of sectors [start, start + sectors) of dev, called name. */
static struct blkstore *make_store(struct blkdev *dev, uint64_t start, uint64_t sectors,
				   const char *name, char *why, size_t len)
{
	for (unsigned i = 0; blkstore_get(i); i++) {
		struct blkstore *s = blkstore_get(i);
		if (s->dev == dev && s->start == start && s->sectors == sectors)
			return s;
	}
	struct blkstore *s = blkstore_new();
	if (!s)
		return snprintf(why, len, "no room for another backing store"), NULL;
	*s = (struct blkstore){ .ops = &disk_ops, .sectors = sectors, .sector_size = dev->block_size,
				.physical_sector_size = dev->block_size, .can_flush = true,
				.can_discard = dev->discard && !dev->read_only,
				.discard_granularity = dev->block_size, .read_only = dev->read_only,
				.dma = true, .dev = dev, .start = start };
	s->tail = &s->queue;
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

static struct blkstore *part_store(struct blkdev *dev, const struct gpt_part *p, char *why,
				   size_t len)
{
	char name[32];
	uint64_t k = dev->block_size / 512;

	part_name(name, sizeof(name), dev, p->number);
	return make_store(dev, p->first * k, (p->last - p->first + 1) * k, name, why, len);
}

/* label:NAME: the one partition of all the disks' GPTs that has it. */
static struct blkstore *by_label(const char *label, char *why, size_t len)
{
	struct blkdev *found = NULL;
	struct gpt_part part;
	char names[96] = "", broken[96] = "";
	unsigned count = 0;

	if (!*label)
		return snprintf(why, len, "an empty partition label"), NULL;
	for (unsigned i = 0; blk_get(i); i++) {
		struct blkdev *dev = blk_get(i);
		char reason[GPT_WHY_LEN + 32];
		unsigned n;
		int rc = read_table(dev, reason, sizeof(reason));
		if (rc && rc != -ENOENT) {
			size_t at = strlen(broken);
			snprintf(broken + at, sizeof(broken) - at, "; %s", reason);
			continue;
		}
		const struct gpt_part *p = rc ? NULL : gpt_by_label(&table, label, &n);
		for (unsigned k = 0; p && k < table.nr; k++) {
			if (strcmp(table.part[k].name, label))
				continue;
			char pn[32];
			size_t at = strlen(names);
			part_name(pn, sizeof(pn), dev, table.part[k].number);
			snprintf(names + at, sizeof(names) - at, "%s%s", count ? ", " : "", pn);
			if (!count++)
				found = dev, part = table.part[k];
		}
	}
	if (!count)
		return snprintf(why, len, "no GPT partition labelled '%s' on any disk%s", label,
				broken), NULL;
	if (count > 1)
		return snprintf(why, len, "label '%s' names %u partitions (%s): give one by name",
				label, count, names), NULL;
	return part_store(found, &part, why, len);
}

/* NAME or NAME + partition number (vda1, nvme0n1p2). */
static struct blkstore *by_name(const char *name, char *why, size_t len)
{
	struct blkdev *dev = blk_find(name);
	size_t l = strlen(name), k = l;

	if (dev)
		return make_store(dev, 0, dev->sectors, dev->name, why, len);
	while (k && name[k - 1] >= '0' && name[k - 1] <= '9')
		k--;
	char disk[sizeof(dev->name) + 2];
	size_t dl = k && k < l && name[k - 1] == 'p' && k >= 2 && name[k - 2] >= '0' &&
		    name[k - 2] <= '9' ? k - 1 : k;
	unsigned long n = k < l && l - k < 4 ? strtoul(name + k, NULL, 10) : 0;
	if (dl < sizeof(disk)) {
		memcpy(disk, name, dl);
		disk[dl] = 0;
		dev = blk_find(disk);
	}
	if (!dev || !n || name[k] == '0')
		return snprintf(why, len, "no boot module, disk or partition named %s (see disks)",
				name), NULL;
	if (read_table(dev, why, len))
		return NULL;
	const struct gpt_part *p = gpt_by_number(&table, (unsigned)n);
	if (!p)
		return snprintf(why, len, "%s has no partition %lu in its GPT", dev->name, n), NULL;
	return part_store(dev, p, why, len);
}

struct blkstore *blkstore_disk(const char *target, char *why, size_t len)
{
	if (!strncmp(target, "label:", 6))
		return by_label(target + 6, why, len);
	if (!strncmp(target, "/dev/disk/by-partlabel/", 23))
		return by_label(target + 23, why, len);
	return by_name(!strncmp(target, "/dev/", 5) ? target + 5 : target, why, len);
}
