/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables, v1 (pure core, host-tested): the rules of Xen's grant
 * table ABI without any hypervisor call. The caller owns the memory (the
 * granting guest's shared entries, the hypervisor-side use counts, the
 * mapping handles), the locking and the page tables; this module decides
 * what is allowed and keeps the books.
 *
 * Concurrency: a table's use counts and size change under its own lock
 * (struct gnttab.lock, taken inside gnttab_acquire*, gnttab_release and
 * gnttab_grow), so copies may run on several CPUs at once; the other
 * calls on one table, and all on one maptrack, must be serialised by the
 * caller. The granting guest is the
 * only other writer of its shared entries and may change them at any time:
 * they are read and updated only with atomic operations, and a use checks
 * flags and domid in the same compare-and-swap that marks the entry busy.
 *
 * Status: functions on guest requests return GNTST_* (include/public/
 * grant_table.h); on an error nothing has changed. Setup errors of the
 * caller's own making return a negative errno.
 */
#ifndef EYRIE_KERNEL_GNTTAB_H
#define EYRIE_KERNEL_GNTTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "include/public/grant_table.h"
#include "kernel/spin.h"

#define GNTTAB_PAGE_SIZE 4096u
#define GNTTAB_PER_FRAME (GNTTAB_PAGE_SIZE / sizeof(struct grant_entry_v1)) /* 512 */
#define GNTTAB_MAX_FRAMES 32u /* per domain (Xen's default was 32, now 64) */

/* Hypervisor-side state of one entry (Xen's "active" entry). */
struct gnttab_active {
	uint32_t readers;  /* live read-only uses */
	uint32_t writers;  /* live writable uses */
	uint32_t frame;    /* while in use: the frame read at the first use */
	domid_t domid;     /* while in use: the using domain */
};

/* One domain's grant table. */
struct gnttab {
	struct grant_entry_v1 *shared; /* nr_frames * 512 entries, guest-writable */
	struct gnttab_active *active;  /* max_frames * 512, hypervisor-only */
	uint32_t nr_frames, max_frames;
	domid_t domid;                 /* the owner */
	struct spinlock lock;          /* the use counts and nr_frames */
};

/* A use of an entry: GNTTAB_USE_WRITE for a writable one, GNTTAB_USE_MAP
 * for a mapping (which a sub-page grant does not permit). */
#define GNTTAB_USE_WRITE 1u
#define GNTTAB_USE_MAP   2u

/* How the core reaches the rest of the hypervisor (all three required). */
struct gnttab_env {
	void *opaque;
	domid_t self; /* the calling domain: DOMID_SELF means it */
	/* The grant table of domain domid, NULL if there is no such domain. */
	struct gnttab *(*table)(void *opaque, domid_t domid);
	/* A host pointer to RAM page gfn of domain domid (writable if write),
	 * or NULL if that is not a RAM page of that domain. */
	void *(*page)(void *opaque, domid_t domid, uint64_t gfn, bool write);
	/* self may map for its devices (GNTMAP_device_map): the privileged
	 * domain, trusted with DMA (there is no IOMMU). */
	bool device;
};

/* Empty table of domain domid, able to grow to max_frames (<= GNTTAB_MAX_
 * FRAMES): active must hold max_frames * 512 entries. -EINVAL otherwise. */
int gnttab_init(struct gnttab *gt, domid_t domid, struct gnttab_active *active,
		uint32_t max_frames);

/*
 * GNTTABOP_setup_table arithmetic: GNTST_general_error if nr_frames is
 * beyond the limit, else GNTST_okay and *grow_to = the size the table must
 * have (tables never shrink). The caller then provides that many zeroed
 * frames, mapped contiguously, through gnttab_grow.
 */
int gnttab_setup_check(const struct gnttab *gt, uint32_t nr_frames, uint32_t *grow_to);
/* Installs the (larger or equal) shared table. -EINVAL if smaller or over max. */
int gnttab_grow(struct gnttab *gt, struct grant_entry_v1 *shared, uint32_t nr_frames);
/* Fills the out fields of GNTTABOP_query_size. */
void gnttab_query_size(const struct gnttab *gt, struct gnttab_query_size *op);
/* GNTTABOP_set_version: only v1 exists here. Returns 0 (v1), -ENOSYS (v2,
 * as Xen with max version 1) or -EINVAL; op->version is 1 after. */
int gnttab_set_version(struct gnttab_set_version *op);

/*
 * Starts a use of entry ref by domain user (how: GNTTAB_USE_*). The first
 * use checks in the live entry: type GTF_permit_access (and, for a map, no
 * GTF_sub_page), domid == user; any writable use: no GTF_readonly. It sets
 * GTF_reading (and GTF_writing) with a compare-and-swap and records the
 * frame, which later uses share. Returns GNTST_okay and *frame, or
 * GNTST_bad_gntref (ref out of range), GNTST_general_error (not granted to
 * user, read-only, or the guest kept changing the entry).
 */
int gnttab_acquire(struct gnttab *gt, grant_ref_t ref, domid_t user, unsigned how, uint32_t *frame);
/* gnttab_acquire checking the entry's flags+domid word as it was seen at
 * some earlier moment (gnttab_acquire reads it right before): the CAS
 * catches a guest change since. Lets tests stage that race. */
int gnttab_acquire_from(struct gnttab *gt, grant_ref_t ref, domid_t user, unsigned how,
			uint32_t seen, uint32_t *frame);
/* Ends one use started with the same ref and how: the last writable use
 * clears GTF_writing, the last use GTF_reading. -EINVAL if no such use. */
int gnttab_release(struct gnttab *gt, grant_ref_t ref, unsigned how);

/* One checked side of a copy. */
struct gnttab_copy_side {
	uint8_t *ptr;           /* host address of the first byte */
	struct gnttab *gt;      /* set when a grant use is held */
	grant_ref_t ref;
};

/* A checked GNTTABOP_copy: copy len bytes from src.ptr to dst.ptr. */
struct gnttab_copy_plan {
	struct gnttab_copy_side src, dst;
	uint16_t len;
};

/*
 * Checks one copy op for env->self, in Xen's order: each side within one
 * page (GNTST_bad_copy_arg), a frame only of DOMID_SELF
 * (GNTST_permission_denied), domains exist (GNTST_bad_domain), source
 * grant readable and destination grant writable by the caller (see
 * gnttab_acquire), frames are RAM (GNTST_bad_page). len 0 is allowed. On
 * GNTST_okay the grants are in use until gnttab_copy_done(plan).
 */
int gnttab_copy_check(const struct gnttab_env *env, const struct gnttab_copy *op,
		      struct gnttab_copy_plan *plan);
void gnttab_copy_done(struct gnttab_copy_plan *plan);
/* Checks, copies and releases count ops (already in hypervisor memory),
 * writing each status. Returns the number that failed. */
unsigned gnttab_copy_batch(const struct gnttab_env *env, struct gnttab_copy *ops, unsigned count);

/* One mapping held by the (HVM/PVH) management domain; flags 0 = free,
 * then ref links the free list. */
struct gnttab_mapping {
	uint64_t gfn;      /* where it is mapped in the mapper's physical space */
	void *host;        /* host address of the granted page */
	grant_ref_t ref;
	domid_t domid;     /* the granting domain */
	uint16_t flags;    /* GNTMAP_host_map and/or GNTMAP_device_map
			    * [| GNTMAP_readonly]; gfn is 0 without host_map */
};

struct gnttab_maptrack {
	struct gnttab_mapping *map; /* size entries; handle = index */
	uint32_t size, used, free;  /* free: head of the free list */
};

/* Empty maptrack over map[size]. */
void gnttab_maptrack_init(struct gnttab_maptrack *mt, struct gnttab_mapping *map, uint32_t size);
/* Takes a free handle: 0.. or -ENOSPC. */
int64_t gnttab_handle_alloc(struct gnttab_maptrack *mt);

/*
 * GNTTABOP_map_grant_ref for env->self: flags must hold GNTMAP_host_map or
 * GNTMAP_device_map (GNTST_bad_gntref) and none of application_map/
 * contains_pte, device_map only with env->device (GNTST_general_error, as
 * Xen answers an HVM mapper), host_addr page-aligned with host_map
 * (GNTST_bad_virt_addr; ignored without), dom exists
 * (GNTST_bad_domain), a handle free (GNTST_no_device_space), then the
 * grant use and its frame (gnttab_acquire, GNTST_bad_page). On GNTST_okay
 * op->handle is set and *m describes the mapping the caller now installs
 * at m->gfn; if that fails, it calls gnttab_unmap_done(handle).
 */
int gnttab_map(const struct gnttab_env *env, struct gnttab_maptrack *mt,
	       struct gnttab_map_grant_ref *op, struct gnttab_mapping *m);
/*
 * GNTTABOP_unmap_grant_ref, first half: the handle must be live
 * (GNTST_bad_handle) and host_addr its address if it has host_map
 * (GNTST_general_error); the caller checks dev_bus_addr, which this core
 * does not know. Changes nothing: the caller removes the mapping at m->gfn
 * (with host_map) and flushes
 * the TLBs, and only then calls gnttab_unmap_done, so the granter never
 * sees its page free while a stale translation can still reach it.
 */
int gnttab_unmap_check(const struct gnttab_maptrack *mt,
		       const struct gnttab_unmap_grant_ref *op, struct gnttab_mapping *m);
/* Second half: ends the grant use (if the granter still exists) and frees
 * the handle. -EINVAL for a handle not in use. */
int gnttab_unmap_done(const struct gnttab_env *env, struct gnttab_maptrack *mt,
		      grant_handle_t handle);
/* The mapper dies: for every live mapping calls drop (if not NULL) to
 * remove it, then ends it as gnttab_unmap_done. Returns how many. */
uint32_t gnttab_maptrack_sweep(const struct gnttab_env *env, struct gnttab_maptrack *mt,
			       void (*drop)(void *opaque, const struct gnttab_mapping *m));

#endif
