/*
 * What backs a virtual disk (mgmt/blkback.c serves it to a guest): an
 * asynchronous block interface, so that a physical disk driver fits
 * behind it as well as an image in memory.
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
 *  - a disk driver (mgmt/blkdev.h: submit(read|write|flush, sector,
 *    count, DMA pages, completion) + poll()) gives DMA-able bounce pages
 *    (io->pages, 4 KiB each, the data starting io->offset into the first)
 *    and fills or drains them in submit(); -EAGAIN from buffers() when it
 *    has none free holds the request back (the ring waits).
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
#include <stdint.h>

enum blkstore_op { BLKSTORE_READ, BLKSTORE_WRITE, BLKSTORE_FLUSH, BLKSTORE_DISCARD };

struct blkstore_io {
	enum blkstore_op op;
	uint64_t sector, count;          /* 512-byte units; count 0 for a flush */
	/* The data, count * 512 bytes (filled by ops->buffers): contiguous at
	 * base, or else byte b at pages[(offset + b) >> 12] + ((offset + b) & 4095). */
	uint8_t *base;
	uint8_t **pages;
	uint32_t offset;
	int status;                      /* 0, or negative: what done() is told */
	void (*done)(struct blkstore_io *io);
	void *opaque;                    /* the backend's */
	struct blkstore_io *next;        /* the store's queue while in flight */
};

struct blkstore;
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
	uint32_t discard_granularity;    /* bytes */
	unsigned int writers, readers;   /* attachments */
	uint64_t reads, writes, flushes, discards; /* requests completed */
	/* the memory store's */
	uint8_t *image;
	struct blkstore_io *queue, **tail;
};

/* The store of the boot module called name (an image in mgmt's memory,
 * at physical = virtual addresses), made at the first use; NULL if there
 * is no such module (or it is smaller than one sector). */
struct blkstore *blkstore_module(const char *name);

/* Attach (writable or not) or detach one user. -EBUSY: see above. */
int blkstore_attach(struct blkstore *s, bool writable);
void blkstore_detach(struct blkstore *s, bool writable);

/* Every store's poll(); true if one has I/O in flight. */
bool blkstore_poll_all(void);

#endif
