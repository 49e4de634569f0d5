/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management domain's disks (mgmt/blkdev.c): one asynchronous
 * interface over its disk drivers (mgmt/virtio_blk.c, mgmt/nvme.c), for
 * the block backends and the console. See docs/disks.md.
 *
 * Units. Sectors are always 512 bytes (as in Xen's blkif and Linux),
 * whatever the device's logical block (block_size: 512 or 4096 bytes);
 * a request's sector and length must be whole blocks of it.
 *
 * Buffers. Data moves by DMA straight to or from the caller's buffer,
 * which must lie in the DMA pool (mgmt/dma.h: dma_alloc): a list of
 * segments, each 512-byte aligned and a multiple of 512 bytes long,
 * anywhere in the pool (a blkif segment -- a part of a 4 KiB page -- is
 * one segment; a larger buffer from dma_alloc may be one segment too).
 * Or, with `machine`, segments given by machine address (buf holds it):
 * memory that is not ours, a guest's frames granted to us for devices
 * (GNTMAP_device_map, the block backend's zero-copy), checked only for
 * alignment. Nothing is copied. (On a 4 KiB-block NVMe disk, 512-byte pieces of
 * separate pages cannot make up a block in PRPs: such a request ends
 * with -EINVAL.)
 *
 * Requests. The caller owns struct blk_req and the segment list, fills
 * the first fields and calls blk_submit; from then until its done
 * callback has run, neither the request, its segments nor its buffer may
 * be touched. blk_submit never completes a request itself: done runs
 * later, from blk_poll, exactly once, for every accepted request, with 0
 * or a negative errno. Any number of requests may be submitted: what
 * the device cannot take yet waits in a queue, in order. A request too
 * big for one device command (NVMe's MDTS, virtio's segment limit) is
 * cut into several, transparently; done runs when all of them have.
 *
 * Ordering. Requests in flight complete in any order, as on a real disk
 * and in blkif. A FLUSH makes durable the writes that completed (whose
 * done ran) before it was submitted -- the semantics of virtio's FLUSH,
 * NVMe's Flush and blkif's FLUSH_DISKCACHE: to make a write durable,
 * wait for it, then flush (blkif's WRITE_BARRIER is that sequence). On a
 * disk without a volatile write cache (`flush` false) a write is durable
 * when it completes, and FLUSH completes at once.
 *
 * Main loop. blk_poll reaps the devices' completions and runs the done
 * callbacks (which may submit more). Interrupts arrive as events (MSI-X
 * or MSI bound to event channels that sys_wait watches): the main loop
 * calls blk_poll after each wake-up; it returns how long the loop may
 * sleep (short only while a disk without interrupts has work in flight).
 * Everything runs in mgmt's single thread: nothing here is called from
 * an interrupt, and blk_wait is not for done callbacks.
 */
#ifndef EYRIE_MGMT_BLKDEV_H
#define EYRIE_MGMT_BLKDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "mgmt/blksplit.h"
#include "mgmt/dma.h"

enum blk_op {
	BLK_READ,    /* device -> buffer */
	BLK_WRITE,   /* buffer -> device */
	BLK_FLUSH,   /* no sector, no data */
	BLK_DISCARD, /* sectors the device may forget (reads after: zeroes
		      * or old data); no data; only when `discard` */
};

struct blk_req;
struct blkdev;
struct pci_func;
typedef void blk_done_fn(struct blk_req *r, int status);

struct blk_req {
	/* Set by the caller. */
	enum blk_op op;
	uint64_t sector;            /* first 512-byte sector (not for FLUSH) */
	uint32_t nr_sectors;        /* READ/WRITE: the segments' total / 512 */
	uint32_t nr_segs;           /* READ/WRITE: 1 .. BLK_MAX_SEGS */
	const struct blk_seg *segs; /* READ/WRITE */
	bool machine;               /* segs[].buf are machine addresses */
	blk_done_fn *done;          /* 0, -EIO (the device said so), -EROFS
				     * (the medium refused a write),
				     * -EOPNOTSUPP (the device refused the
				     * command), -EINVAL (a buffer the device
				     * cannot be given: see blksplit.h) */
	void *priv;                 /* the caller's */

	/* blkdev's, while submitted. */
	struct blk_req *next;
	struct blkdev *dev;
	uint64_t dispatched;        /* bytes (or sectors for DISCARD) handed out */
	uint32_t parts_out;         /* device commands in flight */
	bool all_out;               /* nothing left to hand out */
	int status;
};

#define BLK_MAX_SEGS 1024u

struct blk_part;
/* What a driver provides (see the driver section below). */
struct blk_ops {
	/* Starts one command: 0, or -EBUSY (no room now: retried at the next
	 * blk_poll). Nothing else. */
	int (*start)(struct blkdev *d, struct blk_part *p);
	/* Reaps completions: blk_part_done for each. */
	void (*poll)(struct blkdev *d);
};

struct blkdev {
	/* What the disk is (read-only for users). */
	char name[16];            /* vda, vdb, ..., nvme0n1 */
	char model[41], serial[21];
	const char *driver;       /* "virtio-blk", "nvme" */
	char where[32];           /* "00:04.0 MSI-X" */
	uint32_t block_size;      /* logical block: 512, 4096 */
	uint64_t sectors;         /* capacity in 512-byte sectors */
	bool read_only;
	bool flush;               /* a volatile write cache: FLUSH matters */
	bool discard;
	/* Counters. */
	uint64_t reqs, parts, irqs, errors, bytes_read, bytes_written;

	/* The driver's. */
	const struct blk_ops *ops;
	void *drv;
	struct blk_limits lim;
	uint32_t max_discard_sectors; /* per command (0: no limit) */
	bool polled;                  /* no interrupt: blk_poll must be called often */
	uint32_t nr_parts;            /* commands it may have in flight */
	/* blkdev's. */
	struct blk_part *free_parts;
	struct blk_req *queue, **queue_tail; /* not yet handed out completely */
	uint32_t parts_out;
};

/* ---- For users (backends, the console) ---- */

/* Finds the PCI functions, probes the drivers (which place the DMA pool
 * when they find a device: dma_setup first); prints what it found. */
void blk_init(void);
unsigned blk_count(void);
struct blkdev *blk_get(unsigned i);
struct blkdev *blk_find(const char *name);
/* 0: accepted (done runs later, from blk_poll). Refused at once, done
 * never runs: -EINVAL (a bad request: range, alignment, a buffer outside
 * the DMA pool), -EROFS (a write or discard to a read-only disk),
 * -EOPNOTSUPP (discard on a disk without it). */
int blk_submit(struct blkdev *d, struct blk_req *r);
/* Reaps completions and runs done callbacks; the ns the caller may sleep
 * before calling it again (UINT64_MAX: until an event). */
uint64_t blk_poll(void);
/* For the console: submits r and waits (polling, sleeping in sys_wait)
 * up to timeout_ns for it; its status, or -ETIMEDOUT (then r stays
 * submitted: its buffer must not be reused). */
int blk_wait(struct blkdev *d, struct blk_req *r, uint64_t timeout_ns);

/* ---- For drivers ---- */

/* One device command: a piece of a request. */
struct blk_part {
	struct blk_req *req;
	enum blk_op op;
	uint64_t sector;           /* 512-byte sectors */
	uint32_t nr_sectors;
	uint32_t nr_pieces;
	struct blk_piece piece[BLK_PART_PIECES];
	struct blk_part *next;
	uint32_t tag;              /* the driver's */
};

/* A new disk (zeroed but for ops, drv, nr_parts); the driver fills in
 * the rest before its first blk_poll. NULL when out of memory. */
struct blkdev *blk_add(const struct blk_ops *ops, void *drv, uint32_t nr_parts);
/* The command is done (status 0 or a negative errno). */
void blk_part_done(struct blkdev *d, struct blk_part *p, int status);
/* Waits (sleeping in sys_wait) up to timeout_ns for cond(ctx); for
 * drivers' set-up. Whether it came true. */
bool blk_spin(bool (*cond)(void *), void *ctx, uint64_t timeout_ns);

/* The drivers' probes (called by blk_init for each PCI function):
 * whether they took it. */
bool virtio_blk_probe(struct pci_func *f);
bool nvme_probe(struct pci_func *f);

#endif
