/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How the block backend moves a request's data (see blkback_int.h,
 * docs/block.md): grant copies between the guest's pages and ours,
 * batched, or, on a disk, the guest's pages mapped for the device
 * (GNTMAP_device_map) and unmapped, batched, after the completion.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "include/public/xen.h"
#include "mgmt/blkback_int.h"
#include "mgmt/gntcopy.h"
#include "mgmt/sys.h"

#define COPY_BATCH  32                   /* grant copies per hypercall */
#define UNMAP_BATCH 256                  /* device mappings ended per hypercall */

/* The grant copies waiting for their hypercall, and whose they are. */
static struct gnttab_copy cops[COPY_BATCH];
static struct slot *cown[COPY_BATCH];
static unsigned int ncops;
static uint64_t copy_calls, copy_ops;

/* Device mappings waiting to end, and the counts. */
static struct gnttab_unmap_grant_ref uops[UNMAP_BATCH];
static unsigned int nuops;
static uint64_t map_calls, map_ops, unmap_calls, unmap_errors;

/* ---- grant copies ---- */

void copy_flush(void)
{
	if (!ncops)
		return;
	long rc = hypercall(HYPERVISOR_grant_table_op, GNTTABOP_copy, (unsigned long)cops, ncops);
	copy_calls++;
	copy_ops += ncops;
	for (unsigned i = 0; i < ncops; i++)
		if (rc || cops[i].status != GNTST_okay) {
			cown[i]->status = BLKIF_RSP_ERROR;
			cown[i]->v->copy_errors++;
		}
	ncops = 0;
}

/* len bytes between the guest's page gref (at goff) and ours at local,
 * which stay within their pages. */
static void copy_add(struct slot *s, bool to_guest, grant_ref_t gref, uint32_t goff,
		     uint8_t *local, uint32_t len)
{
	if (ncops == COPY_BATCH)
		copy_flush();
	gntcopy_set(&cops[ncops], to_guest, (domid_t)s->v->domid, gref, goff, local, len);
	cown[ncops++] = s;
}

/* Byte b of a request's data in our memory. */
static uint8_t *data_at(const struct blkstore_io *io, uint64_t b)
{
	if (!io->pages)
		return io->base + b;
	b += io->offset;
	return io->pages[b >> 12] + (b & 4095);
}

/* The copies of a request's data: out to the guest (a read) or in. */
void copy_data(struct slot *s, bool to_guest)
{
	uint64_t off = 0;

	for (unsigned i = 0; i < s->q.nr_segs; i++) {
		const struct blkif_request_segment *g = &s->q.seg[i];
		uint32_t goff = g->first_sect * 512u, len = (g->last_sect - g->first_sect + 1u) * 512u;
		while (len) {
			uint8_t *local = data_at(&s->io, off);
			uint32_t room = 4096 - (uint32_t)((uintptr_t)local & 4095);
			uint32_t n = len < room ? len : room;
			copy_add(s, to_guest, g->gref, goff, local, n);
			goff += n, off += n, len -= n;
		}
	}
	*(to_guest ? &s->v->bytes_out : &s->v->bytes_in) += off;
}

/* An indirect request's descriptors, into its own seg[] (never used in
 * the guest's page, which it can change at any time). */
void fetch_indirect(struct slot *s)
{
	uint32_t left = s->q.nr_indirect_bytes, off = 0;

	for (unsigned p = 0; left; p++) {
		uint32_t chunk = left < 4096 ? left : 4096;
		for (uint32_t done = 0; done < chunk;) {
			uint8_t *local = (uint8_t *)s->q.seg + off;
			uint32_t room = 4096 - (uint32_t)((uintptr_t)local & 4095);
			uint32_t n = chunk - done < room ? chunk - done : room;
			copy_add(s, false, s->q.indirect[p], done, local, n);
			done += n, off += n;
		}
		left -= chunk;
	}
}

/* ---- zero-copy ---- */

/* Ends the device mappings waiting: before any response is pushed. */
void unmap_flush(void)
{
	if (!nuops)
		return;
	hypercall(HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, (unsigned long)uops, nuops);
	unmap_calls++;
	for (unsigned i = 0; i < nuops; i++)
		unmap_errors += uops[i].status != GNTST_okay;
	nuops = 0;
}

/* The request's device mappings are to end (at the next unmap_flush). */
void zc_end(struct slot *s)
{
	struct zc *z = s->zc;

	for (unsigned i = 0; z && i < z->nr; i++) {
		if (z->handle[i] == NO_HANDLE)
			continue;
		if (nuops == UNMAP_BATCH)
			unmap_flush();
		uops[nuops++] = (struct gnttab_unmap_grant_ref){
			.dev_bus_addr = (uintptr_t)z->seg[i].buf & ~4095ull, .handle = z->handle[i],
			.status = GNTST_general_error };
		z->handle[i] = NO_HANDLE;
	}
	if (z)
		z->nr = 0;
	s->io.mach = NULL;
}

/* Maps s's grants for the device, a read's writable, a write's read-only:
 * true if all mapped (io.mach set); else the mappings made end and the
 * data is copied. A status not written stays an error. */
bool zc_map(struct slot *s)
{
	static struct gnttab_map_grant_ref mops[BLKRING_MAX_INDIRECT];
	const struct blkreq *q = &s->q;
	struct zc *z = s->zc;
	uint32_t bs = s->v->store->sector_size;
	bool rd = s->io.op == BLKSTORE_READ, all = true;

	for (unsigned i = 0; z && i < q->nr_segs; i++) {
		const struct blkif_request_segment *g = &q->seg[i];
		if ((g->first_sect * 512u) % bs || ((g->last_sect + 1u) * 512u) % bs)
			return false; /* a logical block of the disk would span two pages */
		mops[i] = (struct gnttab_map_grant_ref){
			.flags = GNTMAP_device_map | (rd ? 0 : GNTMAP_readonly), .ref = g->gref,
			.dom = (domid_t)s->v->domid, .status = GNTST_general_error };
	}
	if (!z || !q->nr_segs)
		return false;
	hypercall(HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, (unsigned long)mops, q->nr_segs);
	map_calls++;
	map_ops += q->nr_segs;
	for (z->nr = 0; z->nr < q->nr_segs; z->nr++) {
		const struct blkif_request_segment *g = &q->seg[z->nr];
		bool ok = mops[z->nr].status == GNTST_okay;
		z->handle[z->nr] = ok ? mops[z->nr].handle : NO_HANDLE;
		z->seg[z->nr] = (struct blk_seg){
			(void *)(uintptr_t)(mops[z->nr].dev_bus_addr + g->first_sect * 512u),
			(g->last_sect - g->first_sect + 1u) * 512u };
		all &= ok;
	}
	if (!all) {
		zc_end(s);
		return false;
	}
	s->io.mach = z->seg;
	s->io.nr_mach = z->nr;
	*(rd ? &s->v->bytes_out : &s->v->bytes_in) += s->io.count * 512;
	return true;
}

void blkdata_list(void)
{
	printf("grant copies: %llu in %llu hypercalls; maps for devices: %llu in %llu "
	       "hypercalls, %llu unmap hypercalls (%llu errors)\n",
	       (unsigned long long)copy_ops, (unsigned long long)copy_calls,
	       (unsigned long long)map_ops, (unsigned long long)map_calls,
	       (unsigned long long)unmap_calls, (unsigned long long)unmap_errors);
}
