/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The disks of the management domain (see blkdev.h): requests checked,
 * queued per disk in order, cut into device commands (blksplit.c) as the
 * driver has room, and ended from blk_poll.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/blkdev.h"
#include "mgmt/pci.h"
#include "mgmt/sys.h"

#define BLK_MAX_DISKS 16
#define POLLED_WAIT_NS 1000000ull /* 1 ms while a disk without interrupts works */

static struct blkdev *disks[BLK_MAX_DISKS];
static unsigned nr_disks;
/* Requests whose done has to run (from blk_poll), in order. */
static struct blk_req *done_head, **done_tail = &done_head;

unsigned blk_count(void)
{
	return nr_disks;
}

struct blkdev *blk_get(unsigned i)
{
	return i < nr_disks ? disks[i] : NULL;
}

struct blkdev *blk_find(const char *name)
{
	for (unsigned i = 0; i < nr_disks; i++)
		if (!strcmp(disks[i]->name, name))
			return disks[i];
	return NULL;
}

struct blkdev *blk_add(const struct blk_ops *ops, void *drv, uint32_t nr_parts)
{
	if (nr_disks == BLK_MAX_DISKS || !nr_parts)
		return NULL;
	struct blkdev *d = calloc(1, sizeof(*d));
	struct blk_part *parts = calloc(nr_parts, sizeof(*parts));
	if (!d || !parts) {
		free(d);
		free(parts);
		return NULL;
	}
	d->ops = ops;
	d->drv = drv;
	d->nr_parts = nr_parts;
	for (uint32_t i = 0; i < nr_parts; i++) {
		parts[i].next = d->free_parts;
		d->free_parts = &parts[i];
	}
	d->queue_tail = &d->queue;
	disks[nr_disks++] = d;
	return d;
}

static void finish(struct blk_req *r)
{
	r->next = NULL;
	*done_tail = r;
	done_tail = &r->next;
}

/* What a request covers, in the unit `dispatched` counts. */
static uint64_t total(const struct blk_req *r)
{
	return r->op == BLK_FLUSH ? 1 : r->op == BLK_DISCARD ? r->nr_sectors
							       : (uint64_t)r->nr_sectors * BLK_SECTOR;
}

static int check_range(const struct blkdev *d, const struct blk_req *r)
{
	uint32_t bs = d->block_size / BLK_SECTOR;

	if (!r->nr_sectors || r->sector % bs || r->nr_sectors % bs || r->sector > d->sectors ||
	    r->nr_sectors > d->sectors - r->sector)
		return -EINVAL;
	return 0;
}

/* The segments: in the DMA pool (or machine addresses), 512-byte aligned,
 * adding up. */
static int check_segs(const struct blk_req *r)
{
	uint64_t sum = 0;

	if (!r->segs || !r->nr_segs || r->nr_segs > BLK_MAX_SEGS)
		return -EINVAL;
	for (uint32_t i = 0; i < r->nr_segs; i++) {
		const struct blk_seg *s = &r->segs[i];
		if (!s->len || s->len % BLK_SECTOR || (uintptr_t)s->buf % BLK_SECTOR ||
		    (!r->machine && !dma_contains(s->buf, s->len)))
			return -EINVAL;
		sum += s->len;
	}
	return sum == (uint64_t)r->nr_sectors * BLK_SECTOR ? 0 : -EINVAL;
}

static int check(const struct blkdev *d, const struct blk_req *r)
{
	if (!r->done)
		return -EINVAL;
	switch (r->op) {
	case BLK_READ:
	case BLK_WRITE:
		if (r->op == BLK_WRITE && d->read_only)
			return -EROFS;
		return check_range(d, r) ? -EINVAL : check_segs(r);
	case BLK_FLUSH:
		return 0;
	case BLK_DISCARD:
		if (!d->discard)
			return -EOPNOTSUPP;
		return d->read_only ? -EROFS : check_range(d, r);
	}
	return -EINVAL;
}

static void pump(struct blkdev *d);

int blk_submit(struct blkdev *d, struct blk_req *r)
{
	int rc = check(d, r);

	if (rc)
		return rc;
	r->dev = d;
	r->dispatched = 0;
	r->parts_out = 0;
	r->all_out = false;
	r->status = 0;
	d->reqs++;
	if (r->op == BLK_FLUSH && !d->flush) {
		r->all_out = true; /* no volatile cache: nothing to do */
		finish(r);
		return 0;
	}
	r->next = NULL;
	*d->queue_tail = r;
	d->queue_tail = &r->next;
	pump(d); /* started now; it ends in a later blk_poll */
	return 0;
}

static void dequeue(struct blkdev *d)
{
	struct blk_req *r = d->queue;

	d->queue = r->next;
	if (!d->queue)
		d->queue_tail = &d->queue;
	r->all_out = true;
}

/* A machine-address segment's address (blk_req.machine). */
static uint64_t machine_addr(const void *p)
{
	return (uintptr_t)p;
}

/* The next command of the request at the head of d's queue, not yet
 * counted as handed out; false if its buffer cannot be expressed. */
static bool build_part(struct blkdev *d, struct blk_req *r, struct blk_part *p)
{
	p->req = r;
	p->op = r->op;
	p->nr_pieces = 0;
	p->sector = 0;
	p->nr_sectors = 0;
	if (r->op == BLK_DISCARD) {
		uint64_t left = r->nr_sectors - r->dispatched, max = d->max_discard_sectors;
		max -= max % d->lim.block_sectors;
		p->sector = r->sector + r->dispatched;
		p->nr_sectors = (uint32_t)(max && left > max ? max : left);
	} else if (r->op != BLK_FLUSH) {
		unsigned n;
		uint32_t bytes = blk_split(r->segs, r->nr_segs, r->dispatched, &d->lim,
					   r->machine ? machine_addr : dma_maddr, p->piece, &n);
		if (!bytes)
			return false;
		p->nr_pieces = n;
		p->sector = r->sector + r->dispatched / BLK_SECTOR;
		p->nr_sectors = bytes / BLK_SECTOR;
	}
	return true;
}

static void advance(struct blk_req *r, const struct blk_part *p)
{
	r->dispatched += r->op == BLK_FLUSH ? 1 : r->op == BLK_DISCARD ? p->nr_sectors
							     : (uint64_t)p->nr_sectors * BLK_SECTOR;
}

/* Hands out commands while the driver takes them. */
static void pump(struct blkdev *d)
{
	while (d->queue && d->free_parts) {
		struct blk_req *r = d->queue;
		struct blk_part *p = d->free_parts;
		if (!build_part(d, r, p)) {
			r->status = -EINVAL; /* e.g. gaps NVMe's PRPs cannot carry */
			dequeue(d);
			if (!r->parts_out)
				finish(r);
			continue;
		}
		if (d->ops->start(d, p))
			return; /* -EBUSY: after the next completion */
		d->free_parts = p->next;
		r->parts_out++;
		d->parts_out++;
		d->parts++;
		advance(r, p);
		if (r->dispatched == total(r))
			dequeue(d);
	}
}

void blk_part_done(struct blkdev *d, struct blk_part *p, int status)
{
	struct blk_req *r = p->req;

	if (status) {
		d->errors++;
		if (!r->status)
			r->status = status;
	} else if (p->op == BLK_READ) {
		d->bytes_read += (uint64_t)p->nr_sectors * BLK_SECTOR;
	} else if (p->op == BLK_WRITE) {
		d->bytes_written += (uint64_t)p->nr_sectors * BLK_SECTOR;
	}
	p->next = d->free_parts;
	d->free_parts = p;
	d->parts_out--;
	if (!--r->parts_out && r->all_out)
		finish(r);
}

uint64_t blk_poll(void)
{
	uint64_t wait = UINT64_MAX;

	for (unsigned i = 0; i < nr_disks; i++)
		if (disks[i]->parts_out || !disks[i]->polled)
			disks[i]->ops->poll(disks[i]);
	for (unsigned i = 0; i < nr_disks; i++)
		pump(disks[i]);
	/* Callbacks may submit (and a FLUSH without cache ends at once):
	 * run until the list stays empty. */
	while (done_head) {
		struct blk_req *r = done_head;
		done_head = r->next;
		if (!done_head)
			done_tail = &done_head;
		r->done(r, r->status);
	}
	for (unsigned i = 0; i < nr_disks; i++)
		if (disks[i]->polled && (disks[i]->parts_out || disks[i]->queue))
			wait = POLLED_WAIT_NS;
	return wait;
}

bool blk_spin(bool (*cond)(void *), void *ctx, uint64_t timeout_ns)
{
	uint64_t end = now_ns() + timeout_ns;

	for (;;) {
		if (cond(ctx))
			return true;
		if (now_ns() > end)
			return false;
		sys_wait(50000); /* 50 us: lets the device's emulation run */
	}
}

/* blk_wait's state: on the heap, since a request that times out may still
 * end later. */
struct waiter {
	bool done;
	int status;
};

static void wake(struct blk_req *r, int status)
{
	struct waiter *w = r->priv;

	w->done = true;
	w->status = status;
}

int blk_wait(struct blkdev *d, struct blk_req *r, uint64_t timeout_ns)
{
	struct waiter *w = calloc(1, sizeof(*w));
	uint64_t end = now_ns() + timeout_ns;

	if (!w)
		return -ENOMEM;
	r->done = wake;
	r->priv = w;
	int rc = blk_submit(d, r);
	while (!rc && !w->done) {
		uint64_t sleep = blk_poll();
		if (w->done)
			break;
		if (now_ns() > end)
			return -ETIMEDOUT; /* w stays: r may still end */
		sys_wait(sleep < 10000000ull ? sleep : 10000000ull);
	}
	if (!rc)
		rc = w->status;
	free(w);
	return rc;
}

void blk_init(void)
{
	unsigned n = pci_scan();
	for (unsigned i = 0; i < n; i++) {
		struct pci_func *f = pci_get(i);
		if (!virtio_blk_probe(f))
			nvme_probe(f);
	}
	for (unsigned i = 0; i < nr_disks; i++) {
		struct blkdev *d = disks[i];
		printf("mgmt: disk %s: %s at %s, %llu sectors (%llu MiB), %u-byte blocks%s%s%s\n",
		       d->name, d->driver, d->where, (unsigned long long)d->sectors,
		       (unsigned long long)(d->sectors >> 11), d->block_size,
		       d->read_only ? ", read-only" : "", d->flush ? ", write cache" : "",
		       d->discard ? ", discard" : "");
	}
}
