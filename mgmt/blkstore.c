/*
 * Backing stores of virtual disks (see blkstore.h). Today: images among
 * mgmt's boot modules, served from memory. Writes change that memory
 * only: they are gone when the machine powers off (docs/block.md).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/blkstore.h"
#include "mgmt/dom.h"

#define MAX_STORES 16

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
		if (!strcmp(stores[i].name, name))
			return &stores[i];
	for (unsigned i = 0; dom_modules(&mname, &data, &size, i); i++) {
		if (strcmp(mname, name) || size < 512 || nr_stores == MAX_STORES ||
		    strlen(name) >= sizeof(stores[0].name))
			continue;
		struct blkstore *s = &stores[nr_stores++];
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

int blkstore_attach(struct blkstore *s, bool writable)
{
	if (s->writers || (writable && s->readers))
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
		busy |= stores[i].ops->poll(&stores[i]);
	return busy;
}
