/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The block backend's own shared parts (mgmt/blkback.c, the rings and the
 * store; mgmt/blkdata.c, how a request's data moves: grant copies and
 * zero-copy device mappings). Not an interface: see blkback.h.
 */
#ifndef EYRIE_MGMT_BLKBACK_INT_H
#define EYRIE_MGMT_BLKBACK_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "include/public/grant_table.h"
#include "include/public/io/xenbus.h"
#include "mgmt/blksplit.h"
#include "mgmt/blkring.h"
#include "mgmt/blkstore.h"
#include "mgmt/xlcfg.h"

#define RING_PAGES  (1u << BLKRING_MAX_ORDER)
#define SLOTS       32                   /* requests in flight per disk */
#define DETACH_NS   5000000000ull        /* block-detach waits this long */
#define SAY_MAX     8                    /* lines about one disk, at most */
#define PATH_LEN    96

enum phase { FREE, TAKEN, WAIT_BUFFERS, SUBMITTED, DONE };

struct vbd;

/* A request in flight. */
struct slot {
	struct vbd *v;
	enum phase phase;
	uint32_t conn;           /* the connection it came on: a later one never answers it */
	int16_t status;          /* copy failures and the store's verdict */
	struct blkstore_io io;
	struct blkreq q;         /* its descriptors too (indirect ones copied in here) */
	struct zc *zc;           /* a disk's: its mappings for the device */
};

/* A request's grants mapped for the device (zero-copy): io.mach points at
 * seg[]; a handle is NO_HANDLE where nothing is mapped. */
#define NO_HANDLE UINT32_MAX
struct zc {
	unsigned nr;
	grant_handle_t handle[BLKRING_MAX_INDIRECT];
	struct blk_seg seg[BLKRING_MAX_INDIRECT];
};

struct vbd {
	bool used;
	bool zombie;             /* released, waiting for its requests in flight */
	uint32_t domid;
	struct xlcfg_disk d;
	struct blkstore *store;
	char be[PATH_LEN], fe[PATH_LEN], token[32];
	enum xenbus_state state; /* ours, as written to be/state */
	bool fe_changed;         /* its watch fired */
	bool detaching;
	uint64_t deadline;
	/* the connection */
	bool connected;
	uint32_t conn;           /* connections made */
	unsigned int nr_pages;
	unsigned int first_page;     /* its run in ring_pool[] */
	grant_handle_t handle[RING_PAGES];
	uint32_t port;           /* ours */
	struct blkring ring;
	bool more;               /* taken requests or a full ring left for later */
	bool starved;            /* requests wait for the store's buffers */
	bool answered;           /* responses made since the last push */
	bool served;             /* the ring was looked at: a final check is due */
	struct slot *slots;      /* SLOTS of them, from the first connection on */
	struct zc *zc;           /* SLOTS of them, for a store with a device */
	unsigned int inflight;
	/* told on the console, and counted */
	unsigned int said;
	uint64_t kicks, reads, writes, bytes_in, bytes_out, copy_errors;
	uint64_t zero_copy, copied; /* reads and writes, by how their data moved */
	struct blkring_stats past; /* the ring's counts of earlier connections */
	unsigned int broken_rings;
};

/* mgmt/blkdata.c. Copies wait in a batch for copy_flush (one hypercall for
 * up to 32); a failed one makes its request's status an error. */
void copy_flush(void);
/* A request's data, out to the guest's pages (a read) or in. */
void copy_data(struct slot *s, bool to_guest);
/* An indirect request's descriptors, into its own seg[] (never used in
 * the guest's page, which it can change at any time). */
void fetch_indirect(struct slot *s);
/* Maps s's grants for the device, a read's writable, a write's read-only:
 * true if all mapped (io.mach set); else the mappings made end and the
 * data is copied. */
bool zc_map(struct slot *s);
/* The request's device mappings are to end, at the next unmap_flush. */
void zc_end(struct slot *s);
/* Ends the device mappings waiting: before any response is pushed. */
void unmap_flush(void);
/* The copies and device mappings made, for block-list. */
void blkdata_list(void);

#endif
