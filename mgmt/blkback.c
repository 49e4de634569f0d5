/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The block backend (see blkback.h, docs/block.md).
 *
 * A request's life: the ring is served when its channel fired or work
 * was left over; each request is taken (mgmt/blkring.c copies and checks
 * it), an indirect one's descriptors are copied in (GNTTABOP_copy, into
 * the request itself), the store gives its data buffers (for an image:
 * the image itself), a write's data is copied in from the guest's pages,
 * the request is submitted to the store, and completes later (the store's
 * poll); a read's data is then copied out to the guest's pages, and the
 * response is written. Grant copies of many requests go out together, up
 * to COPY_BATCH a hypercall.
 *
 * Zero-copy: on a store with a device (a disk: blkstore.dma) the data of
 * a read or write is not copied at all. The request's grants are mapped
 * for the device (GNTMAP_device_map, one hypercall a request; a write's
 * read-only, as the device only reads them), the device is given their
 * machine addresses, and the mappings end after its completion, together
 * for all the requests that completed, before their responses are
 * pushed. A request that does not map whole (a read-only grant for a
 * read, the hypervisor's mapping handles all taken, a segment that is not
 * whole logical blocks of the disk) ends the mappings it got and is
 * copied instead. Responses are published together, and the
 * guest is notified only if its rsp_event asks for it.
 *
 * What the guest can break only hurts its own disk: nonsense in a
 * request gets an error response; a broken ring disconnects the disk
 * (said once) and the backend goes Closing, from where the frontend may
 * start over (Closed, then Initialising). The ring's pages are mapped
 * over pages of ring_pool[] below; after an unmap such a page is a hole
 * in our memory (Xen's semantics), so nothing touches a ring that is not
 * connected.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "include/public/event_channel.h"
#include "include/public/grant_table.h"
#include "include/public/io/blkif.h"
#include "include/public/io/protocols.h"
#include "include/public/io/xenbus.h"
#include "include/public/xen.h"
#include "mgmt/blkback.h"
#include "mgmt/blkback_int.h"
#include "mgmt/blkdev.h"
#include "mgmt/blkring.h"
#include "mgmt/blkstore.h"
#include "mgmt/store.h"
#include "mgmt/sys.h"
#include "mgmt/xlcfg.h"
#include "mgmt/xs.h"

static struct vbd vbds[BLKBACK_MAX_VBDS];

/*
 * The pages rings are mapped over (grant maps): a pool shared by the
 * disks, a ring of 2^k pages taking an aligned run of them while it is
 * connected (64 one-page rings, Linux's default, or 16 of 4 pages). A
 * page once mapped over is a hole in our memory (the RAM under it went
 * back to the hypervisor): only a mapping may be there again. Kept small:
 * mgmt's image must leave room for the kernels and images it holds.
 */
#define POOL_PAGES 64
static union {
	uint8_t b[4096];
} ring_pool[POOL_PAGES] __attribute__((aligned(4096)));
static uint64_t pool_used; /* bit i: page i belongs to a ring */

static uint64_t run_mask(unsigned n, unsigned first)
{
	return (n >= 64 ? ~0ull : (1ull << n) - 1) << first;
}

/* An aligned run of n (1, 2, 4) pages: its first page, or -1. */
static int pool_take(unsigned n)
{
	for (unsigned i = 0; i < POOL_PAGES; i += n)
		if (!(pool_used & run_mask(n, i))) {
			pool_used |= run_mask(n, i);
			return (int)i;
		}
	return -1;
}

static const char *const state_names[] = { "Unknown", "Initialising", "InitWait", "Initialised",
					   "Connected", "Closing", "Closed", "Reconfiguring",
					   "Reconfigured" };

static const char *state_name(unsigned s)
{
	return s < 9 ? state_names[s] : "?";
}

/* A line about v on the console: at most SAY_MAX per disk, so that a
 * frontend going round in circles cannot flood it. */
static void say(struct vbd *v, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (v->said >= SAY_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("mgmt: domain %u: vbd %s: %s%s\n", v->domid, v->d.vdev, line,
	       ++v->said == SAY_MAX ? " (no more lines about this disk)" : "");
}

/* ---- the store ---- */

static int put(uint32_t tx, const char *dir, const char *name, const char *fmt, ...)
{
	char path[PATH_LEN + 40], value[PATH_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return store_write(xs_store(), tx, path, value, strlen(value));
}

/* A node of dir as an unsigned number: 0 and *out, -ENOENT if absent,
 * -EINVAL if not plain decimal digits (or over max). */
static int get_uint(const char *dir, const char *name, uint32_t max, uint32_t *out)
{
	char path[PATH_LEN + 40], *value;
	size_t len;
	uint64_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int rc = store_read(xs_store(), 0, path, &value, &len);
	if (rc)
		return -ENOENT;
	rc = len && len <= 10 ? 0 : -EINVAL;
	for (size_t i = 0; !rc && i < len; i++) {
		if (value[i] < '0' || value[i] > '9')
			rc = -EINVAL;
		n = n * 10 + (unsigned)(value[i] - '0');
	}
	free(value);
	if (!rc && n > max)
		rc = -EINVAL;
	*out = (uint32_t)n;
	return rc;
}

static void set_state(struct vbd *v, enum xenbus_state s)
{
	v->state = s;
	put(0, v->be, "state", "%u", s);
}

static enum xenbus_state fe_state(struct vbd *v)
{
	uint32_t s;

	return get_uint(v->fe, "state", 0xffffffffu, &s) ? XenbusStateUnknown : (enum xenbus_state)s;
}

static void fe_watch(void *opaque, const char *path, const char *token)
{
	((struct vbd *)opaque)->fe_changed = true; /* acted on in blkback_poll */
}

/* Both directories, as xl writes them: the backend's owned by domain 0
 * and readable by the guest, the frontend's owned by the guest and
 * readable by domain 0. */
static int write_nodes(struct vbd *v, uint32_t tx)
{
	const struct blkstore *s = v->store;
	struct store_perm be_perm[2] = { { 0, STORE_PERM_NONE }, { (uint16_t)v->domid, STORE_PERM_READ } };
	struct store_perm fe_perm[2] = { { (uint16_t)v->domid, STORE_PERM_NONE }, { 0, STORE_PERM_READ } };
	struct store *st = xs_store();
	int rc = store_mkdir(st, tx, v->be);

	rc = rc ? rc : store_set_perms(st, tx, v->be, be_perm, 2);
	rc = rc ? rc : put(tx, v->be, "frontend", "%s", v->fe);
	rc = rc ? rc : put(tx, v->be, "frontend-id", "%u", v->domid);
	rc = rc ? rc : put(tx, v->be, "online", "1");
	rc = rc ? rc : put(tx, v->be, "removable", "0");
	rc = rc ? rc : put(tx, v->be, "bootable", "1");
	rc = rc ? rc : put(tx, v->be, "mode", v->d.readonly ? "r" : "w");
	rc = rc ? rc : put(tx, v->be, "type", "phy");
	rc = rc ? rc : put(tx, v->be, "params", "%s", v->d.target);
	rc = rc ? rc : put(tx, v->be, "dev", "%s", v->d.vdev);
	rc = rc ? rc : put(tx, v->be, "device-type", "disk");
	rc = rc ? rc : put(tx, v->be, "sectors", "%llu", (unsigned long long)s->sectors);
	rc = rc ? rc : put(tx, v->be, "sector-size", "%u", s->sector_size);
	rc = rc ? rc : put(tx, v->be, "physical-sector-size", "%u", s->physical_sector_size);
	rc = rc ? rc : put(tx, v->be, "info", "%u", v->d.readonly ? VDISK_READONLY : 0);
	rc = rc ? rc : put(tx, v->be, "feature-flush-cache", "%u", s->can_flush);
	if (s->can_discard && v->d.discard) {
		rc = rc ? rc : put(tx, v->be, "feature-discard", "1");
		rc = rc ? rc : put(tx, v->be, "discard-granularity", "%u", s->discard_granularity);
		rc = rc ? rc : put(tx, v->be, "discard-alignment", "0");
	}
	rc = rc ? rc : put(tx, v->be, "feature-max-indirect-segments", "%u", BLKRING_MAX_INDIRECT);
	rc = rc ? rc : put(tx, v->be, "max-ring-page-order", "%u", BLKRING_MAX_ORDER);
	rc = rc ? rc : put(tx, v->be, "state", "%u", XenbusStateInitWait);
	rc = rc ? rc : store_mkdir(st, tx, v->fe);
	rc = rc ? rc : store_set_perms(st, tx, v->fe, fe_perm, 2);
	rc = rc ? rc : put(tx, v->fe, "backend", "%s", v->be);
	rc = rc ? rc : put(tx, v->fe, "backend-id", "0");
	rc = rc ? rc : put(tx, v->fe, "virtual-device", "%u", v->d.devid);
	rc = rc ? rc : put(tx, v->fe, "device-type", "disk");
	rc = rc ? rc : put(tx, v->fe, "trusted", "%u", v->d.trusted);
	rc = rc ? rc : put(tx, v->fe, "state", "%u", XenbusStateInitialising);
	return rc;
}

/* Removes dir if it has no children left. */
static void rm_if_empty(const char *dir)
{
	char *names;
	size_t len;
	unsigned n;

	if (!store_directory(xs_store(), 0, dir, &names, &len, &n)) {
		free(names);
		if (!n)
			store_rm(xs_store(), 0, dir);
	}
}

/* Writes or removes both directories as one change: the guest's xenbus
 * sees a whole device appear or go. */
static int nodes(struct vbd *v, bool add)
{
	int rc = -EAGAIN;

	for (unsigned tries = 0; rc == -EAGAIN && tries < 8; tries++) {
		uint32_t tx;
		if ((rc = store_tx_start(xs_store(), &tx)))
			return rc;
		if (add)
			rc = write_nodes(v, tx);
		else if (!(rc = store_rm(xs_store(), tx, v->be)))
			rc = store_rm(xs_store(), tx, v->fe);
		int end = store_tx_end(xs_store(), tx, rc == 0);
		rc = rc ? rc : end;
	}
	return rc;
}

/* ---- requests ---- */

static void notify(struct vbd *v)
{
	struct evtchn_send sd = { v->port };

	hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&sd, 0);
}

/* The request is over: its response (if its connection still stands)
 * and its slot back. */
static void finish(struct slot *s, int16_t status)
{
	struct vbd *v = s->v;

	zc_end(s);
	if (s->io.base || s->io.pages)
		v->store->ops->release(v->store, &s->io);
	if (v->connected && s->conn == v->conn && !v->ring.broken) {
		blkring_respond(&v->ring, s->q.id, s->q.op, status);
		v->answered = true;
	}
	s->phase = FREE;
	v->inflight--;
}

static void io_done(struct blkstore_io *io)
{
	struct slot *s = io->opaque;

	if (io->status)
		s->status = BLKIF_RSP_ERROR;
	s->phase = DONE;
}

static struct slot *free_slot(struct vbd *v)
{
	for (unsigned i = 0; i < SLOTS; i++)
		if (v->slots[i].phase == FREE)
			return &v->slots[i];
	return NULL;
}

/* Its data buffers from the store; a write's data copied in. false if
 * the store has none free now (it waits in WAIT_BUFFERS). */
static bool stage(struct slot *s)
{
	struct blkreq *q = &s->q;
	bool data = q->op == BLKIF_OP_READ || q->op == BLKIF_OP_WRITE ||
		    (q->op == BLKIF_OP_FLUSH_DISKCACHE && q->nr_segs);

	s->io = (struct blkstore_io){ .sector = q->sector, .done = io_done, .opaque = s };
	s->io.op = q->op == BLKIF_OP_READ ? BLKSTORE_READ : q->op == BLKIF_OP_DISCARD ?
		   BLKSTORE_DISCARD : q->nr_segs ? BLKSTORE_WRITE : BLKSTORE_FLUSH;
	s->io.count = q->nr_sectors;
	s->io.flush_after = q->op == BLKIF_OP_FLUSH_DISKCACHE && q->nr_segs;
	int rc = !data || zc_map(s) ? 0 : s->v->store->ops->buffers(s->v->store, &s->io);
	if (rc) {
		s->io.base = NULL, s->io.pages = NULL;
		if (rc == -EAGAIN) {
			s->phase = WAIT_BUFFERS;
			return false;
		}
		s->status = BLKIF_RSP_ERROR; /* never: submit() answers it */
	} else if (s->io.op == BLKSTORE_WRITE && !s->io.mach) {
		copy_data(s, false);
	}
	s->phase = TAKEN;
	return true;
}

/* Submits what was staged (its copies done), or answers its failure. */
static void submit(struct slot *s)
{
	if (s->status != BLKIF_RSP_OKAY) {
		finish(s, s->status);
		return;
	}
	s->phase = SUBMITTED;
	*(s->io.op == BLKSTORE_READ ? &s->v->reads : &s->v->writes) += s->io.op <= BLKSTORE_WRITE;
	*(s->io.mach ? &s->v->zero_copy : &s->v->copied) += s->io.op <= BLKSTORE_WRITE;
	s->v->store->ops->submit(s->v->store, &s->io);
}

static void disconnect(struct vbd *v);

static void broken(struct vbd *v)
{
	say(v, "its ring is broken (producer index %u, %u requests taken); disconnected",
	    __atomic_load_n((uint32_t *)(void *)v->ring.sring, __ATOMIC_RELAXED), v->ring.req_cons);
	disconnect(v);
	set_state(v, XenbusStateClosing);
}

/* Takes what waits in the ring (within the budget and our slots), checks
 * it, copies indirect descriptors and write data in, submits. */
static void service(struct vbd *v)
{
	struct slot *taken[SLOTS], *ready[SLOTS];
	unsigned n = 0, nready = 0;

	v->more = false;
	v->starved = false;
	v->served = true;
	for (unsigned i = 0; i < SLOTS; i++) /* held back by the store before */
		if (v->slots[i].phase == WAIT_BUFFERS) {
			if (stage(&v->slots[i]))
				ready[nready++] = &v->slots[i];
			else
				v->starved = true;
		}
	if (blkring_begin(&v->ring) == BLKRING_BROKEN) {
		copy_flush();
		for (unsigned i = 0; i < nready; i++)
			finish(ready[i], BLKIF_RSP_ERROR);
		broken(v);
		return;
	}
	for (struct slot *s; (s = free_slot(v));) {
		int rc = blkring_take(&v->ring, &s->q);
		if (rc != BLKRING_TOOK) {
			v->more |= rc == BLKRING_BUDGET_LEFT;
			break;
		}
		s->v = v;
		s->phase = TAKEN;
		s->conn = v->conn;
		s->status = BLKIF_RSP_OKAY;
		memset(&s->io, 0, sizeof(s->io));
		v->inflight++;
		taken[n++] = s;
		if (s->q.status == BLKIF_RSP_OKAY && s->q.nr_indirect)
			fetch_indirect(s);
	}
	if (!free_slot(v))
		v->more = true; /* the ring may hold more: after completions */
	copy_flush();
	for (unsigned i = 0; i < n; i++) {
		struct slot *s = taken[i];
		if (s->q.status == BLKIF_RSP_OKAY && s->q.nr_indirect) {
			if (s->status == BLKIF_RSP_OKAY)
				blkring_indirect(&v->ring, &s->q, s->q.seg);
			else
				s->q.status = BLKIF_RSP_ERROR; /* its indirect page did not copy */
		}
		if (s->q.status != BLKIF_RSP_OKAY)
			finish(s, s->q.status);
		else if (stage(s))
			ready[nready++] = s;
		else
			v->starved = true;
	}
	copy_flush();
	for (unsigned i = 0; i < nready; i++)
		submit(ready[i]);
}

/* What the stores finished: reads' data out to the guests first, all
 * together, then the answers. */
static void complete_all(void)
{
	for (unsigned i = 0; i < BLKBACK_MAX_VBDS; i++) {
		struct vbd *v = &vbds[i];
		for (unsigned j = 0; v->used && v->slots && j < SLOTS; j++) {
			struct slot *s = &v->slots[j];
			if (s->phase == DONE && v->connected && s->conn == v->conn &&
			    s->status == BLKIF_RSP_OKAY && s->io.op == BLKSTORE_READ && !s->io.mach)
				copy_data(s, true);
		}
	}
	copy_flush();
	for (unsigned i = 0; i < BLKBACK_MAX_VBDS; i++) {
		struct vbd *v = &vbds[i];
		for (unsigned j = 0; v->used && v->slots && j < SLOTS; j++)
			if (v->slots[j].phase == DONE)
				finish(&v->slots[j], v->slots[j].status);
		if (v->used && v->zombie && !v->inflight) {
			free(v->slots);
			free(v->zc);
			memset(v, 0, sizeof(*v));
		}
	}
}

/* ---- connecting ---- */

/* The ring-ref(s), event channel and protocol the frontend wrote. */
static int read_frontend(struct vbd *v, uint32_t *order, grant_ref_t *refs, uint32_t *port,
			 enum blkring_abi *abi, const char **why)
{
	uint32_t nq = 1;
	char path[PATH_LEN + 16], *proto;
	size_t len;

	*order = 0;
	int rc = get_uint(v->fe, "ring-page-order", BLKRING_MAX_ORDER, order);
	if (rc == -EINVAL)
		return *why = "ring-page-order: not a number up to max-ring-page-order", rc;
	bool paged = rc == 0;
	for (unsigned i = 0; i < (1u << *order); i++) {
		char name[20];
		snprintf(name, sizeof(name), paged ? "ring-ref%u" : "ring-ref", i);
		if (get_uint(v->fe, name, 0xffffffffu, &refs[i]))
			return *why = "ring-ref: missing or not a number", -EINVAL;
	}
	if (get_uint(v->fe, "event-channel", 0xffffffffu, port))
		return *why = "event-channel: missing or not a number", -EINVAL;
	if (get_uint(v->fe, "multi-queue-num-queues", 0xffffffffu, &nq) != -ENOENT && nq != 1)
		return *why = "multi-queue-num-queues: more than one queue was not offered", -EINVAL;
	snprintf(path, sizeof(path), "%s/protocol", v->fe);
	*abi = BLKRING_ABI_X86_64;
	if (!store_read(xs_store(), 0, path, &proto, &len)) {
		rc = !strcmp(proto, XEN_IO_PROTO_ABI_X86_32) ? (*abi = BLKRING_ABI_X86_32, 0) :
		     !strcmp(proto, XEN_IO_PROTO_ABI_X86_64) ? 0 : -EINVAL;
		free(proto);
		if (rc)
			return *why = "protocol: neither x86_32-abi nor x86_64-abi", rc;
	}
	return 0;
}

/* Unmaps the first `pages` of v's run (mapped) and gives the run of
 * `run` pages back to the pool. */
static void unmap(struct vbd *v, unsigned pages, unsigned run)
{
	for (unsigned i = 0; i < pages; i++) {
		struct gnttab_unmap_grant_ref uo = { (uintptr_t)&ring_pool[v->first_page + i], 0,
						     v->handle[i], 0 };
		hypercall(HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, (unsigned long)&uo, 1);
	}
	pool_used &= ~run_mask(run, v->first_page);
}

/* Maps the ring, binds the channel, starts serving. */
static int connect(struct vbd *v)
{
	grant_ref_t refs[RING_PAGES];
	uint32_t order, fe_port;
	enum blkring_abi abi;
	const char *why = "";
	long rc;

	if (read_frontend(v, &order, refs, &fe_port, &abi, &why)) {
		say(v, "cannot connect: %s", why);
		return -EINVAL;
	}
	if (!v->slots && !(v->slots = calloc(SLOTS, sizeof(struct slot)))) {
		say(v, "cannot connect: no memory");
		return -ENOMEM;
	}
	if (v->store->dma && !v->zc) /* without it (no memory) the data is copied */
		v->zc = calloc(SLOTS, sizeof(struct zc));
	for (unsigned k = 0; k < SLOTS; k++)
		v->slots[k].zc = v->zc ? &v->zc[k] : NULL;
	int first = pool_take(1u << order);
	if (first < 0) {
		say(v, "cannot connect: no room for a ring of %u pages (%u of %u pages in use)",
		    1u << order, (unsigned)__builtin_popcountll(pool_used), POOL_PAGES);
		return -ENOSPC;
	}
	v->first_page = (unsigned)first;
	unsigned i;
	for (i = 0; i < (1u << order); i++) {
		struct gnttab_map_grant_ref mo = { .host_addr = (uintptr_t)&ring_pool[first + i],
						   .flags = GNTMAP_host_map, .ref = refs[i],
						   .dom = (domid_t)v->domid };
		rc = hypercall(HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, (unsigned long)&mo, 1);
		if (rc || mo.status != GNTST_okay) {
			say(v, "cannot connect: ring-ref %u (page %u) does not map (%ld)", refs[i], i,
			    rc ? rc : mo.status);
			unmap(v, i, 1u << order);
			return -EINVAL;
		}
		v->handle[i] = mo.handle;
	}
	struct evtchn_bind_interdomain bi = { (domid_t)v->domid, fe_port, 0 };
	if ((rc = hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain,
			    (unsigned long)&bi, 0))) {
		say(v, "cannot connect: event-channel %u does not bind (%ld)", fe_port, rc);
		unmap(v, i, 1u << order);
		return -EINVAL;
	}
	struct blkring_disk disk = { v->store->sectors, v->store->sector_size, BLKRING_MAX_INDIRECT,
				     v->d.readonly, v->store->can_flush,
				     v->store->can_discard && v->d.discard };
	v->nr_pages = i;
	v->port = bi.local_port;
	v->connected = true;
	v->conn++;
	v->more = false;
	sys_watch(v->port, true);
	if (blkring_init(&v->ring, ring_pool[first].b, order, abi, &disk) == BLKRING_BROKEN) {
		broken(v);
		return -EINVAL;
	}
	return 0;
}

static void disconnect(struct vbd *v)
{
	if (!v->connected)
		return;
	unmap_flush();
	if (v->answered && !v->ring.broken && blkring_push(&v->ring))
		notify(v);
	v->answered = false;
	v->connected = false; /* requests still in flight will not be answered */
	for (unsigned i = 0; v->slots && i < SLOTS; i++)
		if (v->slots[i].phase == WAIT_BUFFERS) /* never submitted: nothing to wait for */
			finish(&v->slots[i], BLKIF_RSP_ERROR);
	const struct blkring_stats *st = &v->ring.st;
	v->past.requests += st->requests, v->past.refused += st->refused;
	v->past.notifies += st->notifies, v->past.pushes += st->pushes;
	v->past.responses += st->responses, v->past.begins += st->begins;
	v->past.budget_stops += st->budget_stops;
	v->broken_rings += v->ring.broken;
	memset(&v->ring.st, 0, sizeof(v->ring.st));
	unmap(v, v->nr_pages, v->nr_pages);
	v->nr_pages = 0;
	struct evtchn_close cl = { v->port };
	sys_watch(v->port, false);
	hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_close, (unsigned long)&cl, 0);
	v->port = 0;
}

/* Everything of v goes: connection, nodes, its store's attachment; its
 * slots when nothing is in flight any more. */
static void remove_vbd(struct vbd *v, bool nodes_too)
{
	char dir[PATH_LEN];

	disconnect(v);
	char fe_state[PATH_LEN + 8];
	snprintf(fe_state, sizeof(fe_state), "%s/state", v->fe);
	store_unwatch(xs_store(), fe_state, v->token);
	if (nodes_too) {
		nodes(v, false);
		snprintf(dir, sizeof(dir), "/local/domain/0/backend/vbd/%u", v->domid);
		rm_if_empty(dir);
		rm_if_empty("/local/domain/0/backend/vbd");
		rm_if_empty("/local/domain/0/backend");
		snprintf(dir, sizeof(dir), "/local/domain/%u/device/vbd", v->domid);
		rm_if_empty(dir);
	}
	blkstore_detach(v->store, !v->d.readonly);
	if (v->inflight) {
		v->zombie = true;
		return;
	}
	free(v->slots);
	free(v->zc);
	memset(v, 0, sizeof(*v));
}

/* The frontend's state moved: Xen's backend state machine. */
static void frontend_changed(struct vbd *v)
{
	enum xenbus_state fe = fe_state(v);

	v->fe_changed = false;
	switch (fe) {
	case XenbusStateInitialising:
		if (v->state == XenbusStateClosed) /* it starts over: a reconnection */
			set_state(v, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (v->state != XenbusStateInitWait || v->detaching)
			break;
		if (connect(v))
			set_state(v, XenbusStateClosing);
		else
			set_state(v, XenbusStateConnected);
		break;
	case XenbusStateClosing:
		if (v->state != XenbusStateClosed)
			set_state(v, XenbusStateClosing);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown: /* its node gone: as closed */
		disconnect(v);
		if (v->state != XenbusStateClosed)
			set_state(v, XenbusStateClosed);
		if (v->detaching) {
			printf("mgmt: domain %u: vbd %s detached\n", v->domid, v->d.vdev);
			remove_vbd(v, true);
		}
		break;
	default:
		break;
	}
}

/* ---- the interface ---- */

/* Requests of v in the store's hands. */
static unsigned submitted(const struct vbd *v)
{
	unsigned n = 0;

	for (unsigned i = 0; v->slots && i < SLOTS; i++)
		n += v->slots[i].phase == SUBMITTED;
	return n;
}

static struct vbd *find(uint32_t domid, uint32_t devid)
{
	for (unsigned i = 0; i < BLKBACK_MAX_VBDS; i++)
		if (vbds[i].used && !vbds[i].zombie && vbds[i].domid == domid &&
		    vbds[i].d.devid == devid)
			return &vbds[i];
	return NULL;
}

int blkback_attach(uint32_t domid, const char *spec, char *err, size_t errlen)
{
	struct xlcfg_error e;
	struct xlcfg_disk d;
	struct vbd *v = NULL;

	if (xlcfg_disk(spec, &d, &e))
		return snprintf(err, errlen, "%s", e.message), -EINVAL;
	if (find(domid, d.devid))
		return snprintf(err, errlen, "disk %s: the domain has that vdev already", d.vdev),
		       -EEXIST;
	char why[160];
	struct blkstore *s = blkstore_open(d.target, why, sizeof(why));
	if (!s)
		return snprintf(err, errlen, "disk %s: %s", d.vdev, why), -ENOENT;
	if (s->read_only && !d.readonly)
		return snprintf(err, errlen, "disk %s: %s is read-only: give it with access=ro",
				d.vdev, s->name), -EROFS;
	for (unsigned i = 0; i < BLKBACK_MAX_VBDS && !v; i++)
		if (!vbds[i].used)
			v = &vbds[i];
	if (!v || !xs_store())
		return snprintf(err, errlen, "disk %s: no room for another disk", d.vdev), -ENOSPC;
	if (blkstore_attach(s, !d.readonly))
		return snprintf(err, errlen, "disk %s: %s%s is attached to another disk already (%s)",
				d.vdev, s->name, s->dev ? " (or a partition or disk it overlaps)" : "",
				d.readonly ? "one writable: not shared"
				: "a writable one is not shared"), -EBUSY;
	*v = (struct vbd){ .used = true, .domid = domid, .d = d, .store = s,
			   .state = XenbusStateInitWait };
	snprintf(v->be, sizeof(v->be), "/local/domain/0/backend/vbd/%u/%u", domid, d.devid);
	snprintf(v->fe, sizeof(v->fe), "/local/domain/%u/device/vbd/%u", domid, d.devid);
	snprintf(v->token, sizeof(v->token), "vbd/%u/%u", domid, d.devid);
	char fe_state[PATH_LEN + 8];
	snprintf(fe_state, sizeof(fe_state), "%s/state", v->fe);
	int rc = nodes(v, true);
	if (!rc)
		rc = store_watch(xs_store(), fe_state, v->token, fe_watch, v);
	if (rc) {
		snprintf(err, errlen, "disk %s: cannot write its store nodes (%s)", d.vdev,
			 store_error_name(-rc));
		remove_vbd(v, true);
		return rc;
	}
	return 0;
}

int blkback_detach(uint32_t domid, const char *vdev)
{
	uint32_t devid;

	if (xlcfg_vdev(vdev, &devid))
		return -EINVAL;
	struct vbd *v = find(domid, devid);
	if (!v)
		return -ENOENT;
	if (!v->connected) { /* no frontend to wait for */
		printf("mgmt: domain %u: vbd %s detached\n", v->domid, v->d.vdev);
		remove_vbd(v, true);
		return 0;
	}
	v->detaching = true;
	v->deadline = now_ns() + DETACH_NS;
	set_state(v, XenbusStateClosing);
	return 0;
}

void blkback_release(uint32_t domid)
{
	for (unsigned i = 0; i < BLKBACK_MAX_VBDS; i++)
		if (vbds[i].used && !vbds[i].zombie && vbds[i].domid == domid)
			remove_vbd(&vbds[i], true);
}

bool blkback_poll(void)
{
	bool more = false;

	for (unsigned i = 0; i < BLKBACK_MAX_VBDS; i++) {
		struct vbd *v = &vbds[i];
		if (!v->used || v->zombie)
			continue;
		if (v->fe_changed)
			frontend_changed(v);
		if (!v->used || v->zombie)
			continue;
		if (v->detaching && now_ns() > v->deadline) {
			say(v, "its frontend did not close within 5 s: detached by force");
			remove_vbd(v, true);
			continue;
		}
		if (v->connected && sys_fired(v->port))
			v->kicks++, v->more = true;
		if (v->connected && (v->more || v->starved))
			service(v);
	}
	more |= blkstore_poll_all();
	complete_all();
	unmap_flush(); /* the devices are done with them: before the responses go */
	for (unsigned i = 0; i < BLKBACK_MAX_VBDS; i++) {
		struct vbd *v = &vbds[i];
		if (!v->used || v->zombie || !v->connected)
			continue;
		if (v->answered) {
			v->answered = false;
			if (blkring_push(&v->ring))
				notify(v);
		}
		/* Going idle after serving: ask for an event at the next request
		 * and look once more. Only then: a request published without the
		 * event we asked for waits for one (Xen's rule). */
		if (v->served && !v->more && !v->starved && v->inflight < SLOTS) {
			v->served = false;
			v->more = blkring_final_check(&v->ring);
		}
		/* Come round at once only for work that needs no event: not for
		 * a full set of slots or requests waiting for buffers while the
		 * store has others in flight (their completions wake the loop). */
		more |= (v->more && v->inflight < SLOTS) || (v->starved && !submitted(v));
	}
	return more;
}

void blkback_list(uint32_t domid)
{
	unsigned shown = 0;

	for (unsigned i = 0; i < BLKBACK_MAX_VBDS; i++) {
		struct vbd *v = &vbds[i];
		if (!v->used || v->zombie || (domid != UINT32_MAX && v->domid != domid))
			continue;
		if (!shown++)
			printf("%4s %-6s %6s %-16s %-2s %-11s %-11s %s\n", "dom", "vdev", "devid", "target",
			       "rw", "state", "frontend", "ring");
		struct blkring_stats st = v->past;
		if (v->connected)
			st.requests += v->ring.st.requests, st.refused += v->ring.st.refused,
			st.notifies += v->ring.st.notifies;
		char ring[64] = "-";
		if (v->connected)
			snprintf(ring, sizeof(ring), "%u pages, %s, port %u", v->nr_pages,
				 v->ring.abi == BLKRING_ABI_X86_32 ? "x86_32" : "x86_64", v->port);
		printf("%4u %-6s %6u %-16.16s %-2s %-11s %-11s %s\n", v->domid, v->d.vdev, v->d.devid,
		       v->d.target, v->d.readonly ? "ro" : "rw", state_name(v->state),
		       state_name(fe_state(v)), ring);
		printf("     %llu requests (%llu refused), %llu reads %llu KiB, %llu writes %llu KiB, "
		       "%llu events in, %llu out, %llu copy errors%s",
		       (unsigned long long)st.requests, (unsigned long long)st.refused,
		       (unsigned long long)v->reads, (unsigned long long)(v->bytes_out >> 10),
		       (unsigned long long)v->writes, (unsigned long long)(v->bytes_in >> 10),
		       (unsigned long long)v->kicks, (unsigned long long)st.notifies,
		       (unsigned long long)v->copy_errors, v->broken_rings ? ", broken rings: " : "");
		if (v->broken_rings)
			printf("%u", v->broken_rings);
		printf("\n     %llu reads and writes zero-copy, %llu copied\n",
		       (unsigned long long)v->zero_copy, (unsigned long long)v->copied);
		const struct blkstore *bs = v->store;
		if (bs->dev)
			printf("     on %s: sectors %llu+%llu of %s; %llu flushes, %llu discards\n",
			       bs->name, (unsigned long long)bs->start, (unsigned long long)bs->sectors,
			       bs->dev->name, (unsigned long long)bs->flushes,
			       (unsigned long long)bs->discards);
	}
	if (!shown)
		printf("no disks%s; ", domid == UINT32_MAX ? "" : " for that domain");
	blkdata_list();
}
