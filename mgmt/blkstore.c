/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Backing stores of virtual disks (see blkstore.h): the table of stores,
 * sharing, and images among mgmt's boot modules, served from memory
 * (writes change that memory only: they are gone when the machine powers
 * off; docs/block.md). Disks and partitions: blkstore_disk.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/blkstore.h"
#include "mgmt/dom.h"

#define MAX_STORES 32

static struct blkstore stores[MAX_STORES];
static unsigned nr_stores;

/* The data of a memory image is the image itself. */
static int mem_buffers(struct blkstore *s, struct blkstore_io *io)
{
	io->base = s->image + io->sector * 512;
	io->pages = NULL;
	io->offset = 0;
	return 0;
}

static void mem_release(struct blkstore *s, struct blkstore_io *io)
{
}

/* Queued; poll() finishes it. A read or write needs nothing more (the
 * backend's copies went straight to or from the image); a discard zeroes
 * the range (a later read may return anything: zeros it is). */
static void mem_submit(struct blkstore *s, struct blkstore_io *io)
{
	io->next = NULL;
	io->status = 0;
	*s->tail = io;
	s->tail = &io->next;
}

static bool mem_poll(struct blkstore *s)
{
	struct blkstore_io *io = s->queue;

	s->queue = NULL;
	s->tail = &s->queue;
	while (io) {
		struct blkstore_io *next = io->next;
		switch (io->op) {
		case BLKSTORE_READ: s->reads++; break;
		case BLKSTORE_WRITE: s->writes++; break;
		case BLKSTORE_FLUSH: s->flushes++; break;
		case BLKSTORE_DISCARD:
			memset(s->image + io->sector * 512, 0, io->count * 512);
			s->discards++;
			break;
		}
		io->done(io); /* may submit again: onto the fresh queue */
		io = next;
	}
	return s->queue != NULL;
}

static const struct blkstore_ops mem_ops = { mem_buffers, mem_release, mem_submit, mem_poll };

struct blkstore *blkstore_module(const char *name)
{
	const char *mname;
	const void *data;
	uint64_t size;

	for (unsigned i = 0; i < nr_stores; i++)
		if (stores[i].ops == &mem_ops && !strcmp(stores[i].name, name))
			return &stores[i];
	for (unsigned i = 0; dom_modules(&mname, &data, &size, i); i++) {
		if (strcmp(mname, name) || size < 512 || strlen(name) >= sizeof(stores[0].name))
			continue;
		struct blkstore *s = blkstore_new();
		if (!s)
			return NULL;
		*s = (struct blkstore){ .ops = &mem_ops, .sectors = size / 512, .sector_size = 512,
					.physical_sector_size = 512, .can_flush = true,
					.can_discard = true, .discard_granularity = 512,
					.image = (uint8_t *)(uintptr_t)data };
		s->tail = &s->queue;
		snprintf(s->name, sizeof(s->name), "%s", name);
		return s;
	}
	return NULL;
}

struct blkstore *blkstore_new(void)
{
	for (unsigned i = 0; i < nr_stores; i++) {
		struct blkstore *s = &stores[i];
		if (s->dev && !s->writers && !s->readers && !s->inflight && !s->queue) {
			memset(s, 0, sizeof(*s));
			return s;
		}
	}
	if (nr_stores == MAX_STORES)
		return NULL;
	memset(&stores[nr_stores], 0, sizeof(stores[0]));
	return &stores[nr_stores++];
}

struct blkstore *blkstore_get(unsigned i)
{
	return i < nr_stores ? &stores[i] : NULL;
}

struct blkstore *blkstore_open(const char *target, char *why, size_t len)
{
	bool path = !strncmp(target, "/dev/", 5) || !strncmp(target, "label:", 6);
	struct blkstore *s = path ? NULL : blkstore_module(target);

	return s ? s : blkstore_disk(target, why, len);
}

/* Whether a and b share sectors: the same store, or ranges of one disk. */
static bool overlap(const struct blkstore *a, const struct blkstore *b)
{
	if (a == b)
		return true;
	return a->dev && a->dev == b->dev && a->start < b->start + b->sectors &&
	       b->start < a->start + a->sectors;
}

int blkstore_attach(struct blkstore *s, bool writable)
{
	for (unsigned i = 0; i < nr_stores; i++)
		if (stores[i].ops && overlap(s, &stores[i]) &&
		    (stores[i].writers || (writable && stores[i].readers)))
			return -EBUSY;
	*(writable ? &s->writers : &s->readers) += 1;
	return 0;
}

void blkstore_detach(struct blkstore *s, bool writable)
{
	unsigned *n = writable ? &s->writers : &s->readers;

	if (*n)
		(*n)--;
}

bool blkstore_poll_all(void)
{
	bool busy = false;

	for (unsigned i = 0; i < nr_stores; i++)
		if (stores[i].ops)
			busy |= stores[i].ops->poll(&stores[i]);
	return busy;
}
