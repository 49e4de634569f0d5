/* SPDX-License-Identifier: MIT */
/*
 * The paravirtual block interface (Xen's public io/blkif.h), our own
 * definitions with Xen's numbers and layouts, in both x86 ABIs.
 *
 * A guest's block frontend (Linux's xen-blkfront) and its backend (the
 * management domain, mgmt/blkback.c) share a ring (io/ring.h) of requests
 * and responses. A request names the guest's data pages by grant
 * references (grant_table.h); the backend copies to and from them with
 * GNTTABOP_copy. Sector numbers are always in 512-byte units, whatever
 * the disk's "sector-size" node says; a request's offset and length must
 * still be multiples of that logical sector size.
 *
 * Negotiation through the store (docs/block.md lists every node):
 *  - backend directory: mode, params, type, sectors, info (VDISK_*),
 *    sector-size, physical-sector-size, feature-flush-cache,
 *    feature-discard (discard-granularity, discard-alignment),
 *    feature-max-indirect-segments, max-ring-page-order, state;
 *  - frontend directory: ring-ref (one page) or ring-page-order and
 *    ring-ref0 .. ring-refN-1, event-channel, protocol
 *    (XEN_IO_PROTO_ABI_*, io/protocols.h: which of the two layouts
 *    below it uses; the backend's native one if absent), state.
 *
 * The layouts: a 64-bit frontend's entries ("x86_64-abi") have 64-bit
 * fields 8-byte aligned; a 32-bit frontend's ("x86_32-abi") have them
 * 4-byte aligned, which moves every field after the first 64-bit one.
 * The blkif_x86_32_* structs below are that layout (blk_u64_x86_32).
 */
#ifndef EYRIE_PUBLIC_IO_BLKIF_H
#define EYRIE_PUBLIC_IO_BLKIF_H

#include <stdint.h>

#include "include/public/grant_table.h"
#include "include/public/io/ring.h"

typedef uint16_t blkif_vdev_t;    /* the frontend's handle, its device number */
typedef uint64_t blk_u64 __attribute__((aligned(8)));         /* x86_64 ABI */
typedef uint64_t blk_u64_x86_32 __attribute__((aligned(4)));  /* x86_32 ABI */

/* Operations (a request's first byte, echoed in its response). */
#define BLKIF_OP_READ            0
#define BLKIF_OP_WRITE           1
#define BLKIF_OP_WRITE_BARRIER   2 /* ordered write: not offered here (feature-barrier) */
#define BLKIF_OP_FLUSH_DISKCACHE 3 /* commit the volatile cache; with segments, a write first */
#define BLKIF_OP_RESERVED_1      4
#define BLKIF_OP_DISCARD         5 /* blkif_request_discard: a range is unused */
#define BLKIF_OP_INDIRECT        6 /* blkif_request_indirect: segments in granted pages */

/* Segments a plain request carries: chosen so that 32 entries fit one page. */
#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
/* Granted pages an indirect request may name; each holds
 * BLKIF_SEGS_PER_INDIRECT_FRAME segment descriptors. */
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8
#define BLKIF_SEGS_PER_INDIRECT_FRAME (4096 / sizeof(struct blkif_request_segment))

/*
 * One segment: sectors first_sect..last_sect (inclusive, 512-byte units,
 * so at most 0..7) of the 4 KiB page granted as gref. The same layout in
 * both ABIs, also in indirect pages.
 */
struct blkif_request_segment {
	grant_ref_t gref;
	uint8_t first_sect, last_sect;
};

/* READ, WRITE, FLUSH_DISKCACHE (x86_64): nr_segments segments of data
 * starting at disk sector sector_number. */
struct blkif_request {
	uint8_t operation;
	uint8_t nr_segments;
	blkif_vdev_t handle;
	blk_u64 id;                  /* the frontend's, echoed in the response */
	blk_u64 sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

/* DISCARD (x86_64): nr_sectors sectors from sector_number are unused. */
struct blkif_request_discard {
	uint8_t operation;
	uint8_t flag;                /* BLKIF_DISCARD_SECURE */
	blkif_vdev_t handle;
	blk_u64 id;
	blk_u64 sector_number;
	blk_u64 nr_sectors;
};
#define BLKIF_DISCARD_SECURE 1u      /* only with discard-secure = 1 (not offered) */

/* INDIRECT (x86_64): a READ or WRITE (indirect_op) whose nr_segments
 * segment descriptors are in the pages granted as indirect_grefs. */
struct blkif_request_indirect {
	uint8_t operation;
	uint8_t indirect_op;
	uint16_t nr_segments;
	blk_u64 id;
	blk_u64 sector_number;
	blkif_vdev_t handle;
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};

struct blkif_response {
	blk_u64 id;                  /* the request's */
	uint8_t operation;           /* the request's (an indirect one's indirect_op) */
	int16_t status;              /* BLKIF_RSP_* */
};

#define BLKIF_RSP_EOPNOTSUPP (-2)    /* operation not supported */
#define BLKIF_RSP_ERROR      (-1)    /* failed (an EIO) */
#define BLKIF_RSP_OKAY       0

/* The same requests and response in the x86_32 layout. */
struct blkif_x86_32_request {
	uint8_t operation;
	uint8_t nr_segments;
	blkif_vdev_t handle;
	blk_u64_x86_32 id;
	blk_u64_x86_32 sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

struct blkif_x86_32_request_discard {
	uint8_t operation;
	uint8_t flag;
	blkif_vdev_t handle;
	blk_u64_x86_32 id;
	blk_u64_x86_32 sector_number;
	blk_u64_x86_32 nr_sectors;
};

struct blkif_x86_32_request_indirect {
	uint8_t operation;
	uint8_t indirect_op;
	uint16_t nr_segments;
	blk_u64_x86_32 id;
	blk_u64_x86_32 sector_number;
	blkif_vdev_t handle;
	uint16_t pad0;
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	blk_u64_x86_32 pad;          /* makes it 64 bytes, as on i386 */
};

struct blkif_x86_32_response {
	blk_u64_x86_32 id;
	uint8_t operation;
	int16_t status;
};

/* A ring entry: a request, or the response written over it. */
union blkif_sring_entry {
	struct blkif_request req;
	struct blkif_response rsp;
};
union blkif_x86_32_sring_entry {
	struct blkif_x86_32_request req;
	struct blkif_x86_32_response rsp;
};

/* Entries in a ring of 2^order pages: 32 << order in both ABIs. */
#define BLKIF_RING_ENTRIES(order) \
	XEN_RING_ENTRIES(4096u << (order), sizeof(union blkif_sring_entry))
#define BLKIF_X86_32_RING_ENTRIES(order) \
	XEN_RING_ENTRIES(4096u << (order), sizeof(union blkif_x86_32_sring_entry))

/* The backend's "info" bits. */
#define VDISK_CDROM     0x1u
#define VDISK_REMOVABLE 0x2u
#define VDISK_READONLY  0x4u

/* Xen's layouts, which frontends were compiled against. */
_Static_assert(sizeof(struct blkif_request_segment) == 8, "segment");
_Static_assert(sizeof(struct blkif_request) == 112, "request");
_Static_assert(__builtin_offsetof(struct blkif_request, id) == 8, "request id");
_Static_assert(__builtin_offsetof(struct blkif_request, sector_number) == 16, "request sector");
_Static_assert(__builtin_offsetof(struct blkif_request, seg) == 24, "request seg");
_Static_assert(sizeof(struct blkif_request_discard) == 32, "discard");
_Static_assert(__builtin_offsetof(struct blkif_request_discard, nr_sectors) == 24, "discard n");
_Static_assert(sizeof(struct blkif_request_indirect) == 64, "indirect");
_Static_assert(__builtin_offsetof(struct blkif_request_indirect, handle) == 24, "ind handle");
_Static_assert(__builtin_offsetof(struct blkif_request_indirect, indirect_grefs) == 28, "ind grefs");
_Static_assert(sizeof(struct blkif_response) == 16, "response");
_Static_assert(__builtin_offsetof(struct blkif_response, status) == 10, "response status");
_Static_assert(sizeof(union blkif_sring_entry) == 112, "entry");

_Static_assert(sizeof(struct blkif_x86_32_request) == 108, "x86_32 request");
_Static_assert(__builtin_offsetof(struct blkif_x86_32_request, id) == 4, "x86_32 id");
_Static_assert(__builtin_offsetof(struct blkif_x86_32_request, sector_number) == 12, "x86_32 sector");
_Static_assert(__builtin_offsetof(struct blkif_x86_32_request, seg) == 20, "x86_32 seg");
_Static_assert(sizeof(struct blkif_x86_32_request_discard) == 28, "x86_32 discard");
_Static_assert(__builtin_offsetof(struct blkif_x86_32_request_discard, nr_sectors) == 20, "x86_32 n");
_Static_assert(sizeof(struct blkif_x86_32_request_indirect) == 64, "x86_32 indirect");
_Static_assert(__builtin_offsetof(struct blkif_x86_32_request_indirect, handle) == 20, "x86_32 h");
_Static_assert(__builtin_offsetof(struct blkif_x86_32_request_indirect, indirect_grefs) == 24,
	       "x86_32 grefs");
_Static_assert(sizeof(struct blkif_x86_32_response) == 12, "x86_32 response");
_Static_assert(__builtin_offsetof(struct blkif_x86_32_response, status) == 10, "x86_32 status");
_Static_assert(sizeof(union blkif_x86_32_sring_entry) == 108, "x86_32 entry");

_Static_assert(BLKIF_RING_ENTRIES(0) == 32 && BLKIF_RING_ENTRIES(2) == 128 &&
	       BLKIF_RING_ENTRIES(4) == 512, "ring entries");
_Static_assert(BLKIF_X86_32_RING_ENTRIES(0) == 32 && BLKIF_X86_32_RING_ENTRIES(4) == 512,
	       "x86_32 ring entries");

#endif
