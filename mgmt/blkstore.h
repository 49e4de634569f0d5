/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What backs a virtual disk (mgmt/blkback.c serves it to a guest): an
 * asynchronous block interface, behind which sit images in memory
 * (blkstore.c) and the machine's disks and their GPT partitions
 * (blkstore_disk.c, over mgmt/blkdev.h).
 *
 * A request (struct blkstore_io) is read, write, flush or discard of
 * count 512-byte sectors from sector. Its data lives in mgmt's memory,
 * described by the store itself when the backend asks for it
 * (ops->buffers):
 *  - an image among mgmt's boot modules (blkstore_module) points the data
 *    straight into the image (io->base), so the backend's grant copies
 *    move the guest's pages to and from the image with no copy between;
 *    read and write then have nothing left to do, and complete at the
 *    next poll;
 *  - a disk (blkstore_disk.c) gives bounce pages of the DMA pool
 *    (io->pages, 4 KiB each, the data starting io->offset into the first)
 *    that the device reads into or writes from; -EAGAIN from buffers()
 *    when none are free holds the request back (it is tried again after
 *    a completion), another negative errno fails it.
 * Or else, on a store whose device takes machine addresses (`dma`: a disk),
 * the backend does not ask for buffers and gives the data as machine
 * addresses (io->mach): a guest's pages it mapped for the device
 * (GNTMAP_device_map, zero-copy), which the device reads or writes
 * itself; a read never asks the device to write into a page mapped
 * read-only (the backend maps a read's pages writable).
 * submit() never completes a request by itself: io->done() runs later,
 * from poll(), so the backend never sees a completion in the middle of
 * submitting.
 *
 * Sharing: an attachment is writable or read-only; a store attached
 * writable has no other attachment, and a store attached read-only may
 * have several but no writable one (what xl's "w" mode enforces with
 * its hotplug scripts): blkstore_attach() says -EBUSY otherwise.
 */
#ifndef EYRIE_MGMT_BLKSTORE_H
#define EYRIE_MGMT_BLKSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum blkstore_op { BLKSTORE_READ, BLKSTORE_WRITE, BLKSTORE_FLUSH, BLKSTORE_DISCARD };

struct blkstore_io {
	enum blkstore_op op;
	uint64_t sector, count;          /* 512-byte units; count 0 for a flush */
	bool flush_after;                /* a WRITE that must be durable when done
					  * (blkif's FLUSH_DISKCACHE with data) */
	/* The data, count * 512 bytes (filled by ops->buffers): contiguous at
	 * base, or else byte b at pages[(offset + b) >> 12] + ((offset + b) & 4095). */
	uint8_t *base;
	uint8_t **pages;
	uint32_t offset;
	const struct blk_seg *mach;      /* or: nr_mach segments at machine addresses */
	uint32_t nr_mach;
	int status;                      /* 0, or negative: what done() is told */
	void (*done)(struct blkstore_io *io);
	void *opaque;                    /* the backend's */
	void *store_priv;                /* the store's, from buffers() to release() */
	struct blkstore_io *next;        /* the store's queue while in flight */
};

struct blkstore;
struct blk_seg;
struct blkstore_ops {
	/* Data buffers for io (io->op, sector, count set): 0, or -EAGAIN
	 * (none free now: try again after a poll). */
	int (*buffers)(struct blkstore *s, struct blkstore_io *io);
	/* The buffers of a finished io are no longer used. */
	void (*release)(struct blkstore *s, struct blkstore_io *io);
	/* Starts io (a write's data is in its buffers already). */
	void (*submit)(struct blkstore *s, struct blkstore_io *io);
	/* Completes what finished: io->done() of each. Returns whether I/O
	 * is still in flight. */
	bool (*poll)(struct blkstore *s);
};

struct blkstore {
	const struct blkstore_ops *ops;
	char name[64];
	uint64_t sectors;                /* 512-byte units */
	uint32_t sector_size;            /* logical */
	uint32_t physical_sector_size;
	bool can_flush, can_discard;
	bool read_only;                  /* the medium: only read-only attachments */
	bool dma;                        /* takes io->mach (a disk: zero-copy) */
	uint32_t discard_granularity;    /* bytes */
	unsigned int writers, readers;   /* attachments */
	uint64_t reads, writes, flushes, discards; /* requests completed */
	/* the memory store's */
	uint8_t *image;
	struct blkstore_io *queue, **tail; /* and the disk store's completions */
	/* the disk store's: sectors [start, start + sectors) of dev */
	struct blkdev *dev;
	uint64_t start;
	unsigned inflight;               /* submitted, done() not yet run */
	uint64_t last_busy;              /* ns: when it last had I/O */
};

/* The store of the boot module called name (an image in mgmt's memory,
 * at physical = virtual addresses), made at the first use; NULL if there
 * is no such module (or it is smaller than one sector). */
struct blkstore *blkstore_module(const char *name);

/* The store a disk spec's target names, made at the first use: a boot
 * module of that name (blkstore_module), else a disk or partition
 * (blkstore_disk, unless the target is plainly a path or label). NULL
 * with the reason in why. */
struct blkstore *blkstore_open(const char *target, char *why, size_t len);

/* The disk or GPT partition `target` names (docs/block.md): vda,
 * /dev/vda, nvme0n1p2, vda1, label:NAME, /dev/disk/by-partlabel/NAME.
 * Reads the partition table (synchronously: at attach time). NULL with
 * the reason in why. */
struct blkstore *blkstore_disk(const char *target, char *why, size_t len);

/* For the stores' files: a free store (zeroed), or NULL (all in use);
 * a disk store nobody has attached and with nothing in flight is reused. */
struct blkstore *blkstore_new(void);
/* Store i, for the stores' files to look through (NULL past the end). */
struct blkstore *blkstore_get(unsigned i);

/* Attach (writable or not) or detach one user. -EBUSY: see above; on a
 * disk, a store overlapping another (the whole disk and a partition of
 * it) counts as the same. */
int blkstore_attach(struct blkstore *s, bool writable);
void blkstore_detach(struct blkstore *s, bool writable);

/* Every store's poll(); true if one has I/O in flight. */
bool blkstore_poll_all(void);

#endif
