/* SPDX-License-Identifier: MIT */
/*
 * Grant tables, version 1: the guest-visible ABI of Xen's public
 * grant_table.h (numbers, layouts, flag meanings), written here as our own
 * definitions. A domain shares a page with another by filling an entry of
 * its grant table (an array of struct grant_entry_v1 in pages it shares
 * with the hypervisor); the other domain then names the page by
 * (granting domain, entry index) in GNTTABOP_map_grant_ref or
 * GNTTABOP_copy. Layouts are those of Xen's x86_64 ABI (checked below).
 */
#ifndef EYRIE_PUBLIC_GRANT_TABLE_H
#define EYRIE_PUBLIC_GRANT_TABLE_H

#include <stdint.h>

/* 64-bit fields 8-byte aligned: 32-bit guests get the x86_64 layout too. */
typedef uint64_t gnt_u64 __attribute__((aligned(8)));

/* Also in xen.h: identical typedefs may repeat in C11; macros are guarded. */
typedef uint16_t domid_t;
#ifndef DOMID_SELF
#define DOMID_SELF 0x7ff0
#endif
#ifndef DOMID_INVALID
#define DOMID_INVALID 0x7ff4
#endif

typedef uint32_t grant_ref_t;    /* index into the granting domain's table */
typedef uint32_t grant_handle_t; /* names one mapping, for its unmap */
#define GNTTAB_RESERVED_CONSOLE 0 /* the builder fills it: console page, to dom 0 */
#define GNTTAB_RESERVED_XENSTORE 1 /* the builder fills it: store page, to dom 0 */

/* Commands of HYPERVISOR_grant_table_op (hypercall 20). */
#define GNTTABOP_map_grant_ref     0
#define GNTTABOP_unmap_grant_ref   1
#define GNTTABOP_setup_table       2
#define GNTTABOP_dump_table        3
#define GNTTABOP_transfer          4
#define GNTTABOP_copy              5
#define GNTTABOP_query_size        6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version       8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version       10
#define GNTTABOP_swap_grant_ref    11
#define GNTTABOP_cache_flush       12

/*
 * One v1 entry, 8 bytes. The granting guest writes domid and frame, then
 * (after a write barrier) flags; the hypervisor sets and clears
 * GTF_reading/GTF_writing with atomic operations on the 32-bit word made
 * of flags and domid, so the guest must change an entry only with
 * compare-and-swap as well.
 */
struct grant_entry_v1 {
	uint16_t flags;  /* GTF_* */
	domid_t domid;   /* the domain allowed to use the entry */
	uint32_t frame;  /* the granted frame (guest frame number) */
};

/* Entry type, flags bits 0-1. */
#define GTF_invalid         0x0000u /* grants nothing */
#define GTF_permit_access   0x0001u /* domid may map/copy frame */
#define GTF_accept_transfer 0x0002u /* domid may transfer a page to us */
#define GTF_transitive      0x0003u /* v2 only */
#define GTF_type_mask       0x0003u
/* Subflags of GTF_permit_access. [G] written by the guest, [H] by us. */
#define GTF_readonly        0x0004u /* [G] read-only uses only */
#define GTF_reading         0x0008u /* [H] some use (read or write) is live */
#define GTF_writing         0x0010u /* [H] some writable use is live */
#define GTF_PWT             0x0020u /* [G] x86 cache attributes of the grant */
#define GTF_PCD             0x0040u
#define GTF_PAT             0x0080u
#define GTF_sub_page        0x0100u /* [G] v2 sub-page grant: copy only */
/* Subflags of GTF_accept_transfer (same bits as readonly/reading). */
#define GTF_transfer_committed 0x0004u
#define GTF_transfer_completed 0x0008u

/* gnttab_map_grant_ref.flags */
#define GNTMAP_device_map      0x01u /* for devices: dev_bus_addr */
#define GNTMAP_host_map        0x02u /* for CPUs: at host_addr */
#define GNTMAP_readonly        0x04u
#define GNTMAP_application_map 0x08u /* PV only: user-accessible mapping */
#define GNTMAP_contains_pte    0x10u /* PV only: host_addr is a PTE's address */
#define GNTMAP_can_fail        0x20u
#define GNTMAP_guest_avail_mask 0xffff0000u

/* Per-operation status codes (the status fields); all errors negative. */
#define GNTST_okay              0
#define GNTST_general_error     (-1)
#define GNTST_bad_domain        (-2)  /* no such domain */
#define GNTST_bad_gntref        (-3)  /* reference out of range or unusable */
#define GNTST_bad_handle        (-4)  /* unknown mapping handle */
#define GNTST_bad_virt_addr     (-5)
#define GNTST_bad_dev_addr      (-6)
#define GNTST_no_device_space   (-7)  /* out of mapping handles */
#define GNTST_permission_denied (-8)
#define GNTST_bad_page          (-9)  /* frame is not RAM of that domain */
#define GNTST_bad_copy_arg      (-10) /* copy crosses a page boundary */
#define GNTST_address_too_big   (-11)
#define GNTST_eagain            (-12)

struct gnttab_map_grant_ref {
	gnt_u64 host_addr;      /* in: where to map (HVM/PVH: guest-physical) */
	uint32_t flags;          /* in: GNTMAP_* */
	grant_ref_t ref;         /* in */
	domid_t dom;             /* in: the granting domain */
	int16_t status;          /* out: GNTST_* */
	grant_handle_t handle;   /* out */
	gnt_u64 dev_bus_addr;   /* out, with GNTMAP_device_map */
};

struct gnttab_unmap_grant_ref {
	gnt_u64 host_addr;      /* in: 0 or the mapping's address */
	gnt_u64 dev_bus_addr;   /* in: 0 or the mapping's device address */
	grant_handle_t handle;   /* in */
	int16_t status;          /* out */
};

struct gnttab_setup_table {
	domid_t dom;             /* in: DOMID_SELF or (privileged) another */
	uint32_t nr_frames;      /* in: grow the table to at least this */
	int16_t status;          /* out */
	gnt_u64 frame_list;     /* in: guest handle of nr_frames frame numbers */
};

struct gnttab_dump_table {
	domid_t dom;
	int16_t status;
};

struct gnttab_transfer {
	gnt_u64 mfn;
	domid_t domid;
	grant_ref_t ref;
	int16_t status;
};

/* gnttab_copy.flags: which sides name a grant instead of a frame. */
#define GNTCOPY_source_gref 0x1u
#define GNTCOPY_dest_gref   0x2u
#define GNTCOPY_can_fail    0x4u

struct gnttab_copy_ptr {
	union {
		grant_ref_t ref;  /* with GNTCOPY_*_gref */
		gnt_u64 gmfn;    /* otherwise: a frame of the caller (DOMID_SELF) */
	} u;
	domid_t domid;
	uint16_t offset;          /* byte offset in the frame */
};

struct gnttab_copy {
	struct gnttab_copy_ptr source, dest; /* in */
	uint16_t len;                        /* in: bytes */
	uint16_t flags;                      /* in: GNTCOPY_* */
	int16_t status;                      /* out */
};

struct gnttab_query_size {
	domid_t dom;             /* in */
	uint32_t nr_frames;      /* out: current size */
	uint32_t max_nr_frames;  /* out: limit */
	int16_t status;          /* out */
};

struct gnttab_unmap_and_replace {
	gnt_u64 host_addr;
	gnt_u64 new_addr;
	grant_handle_t handle;
	int16_t status;
};

struct gnttab_set_version {
	uint32_t version;        /* in: wanted; out: in effect */
};

struct gnttab_get_status_frames {
	uint32_t nr_frames;
	domid_t dom;
	int16_t status;
	gnt_u64 frame_list;
};

struct gnttab_get_version {
	domid_t dom;             /* in */
	uint16_t pad;
	uint32_t version;        /* out */
};

struct gnttab_swap_grant_ref {
	grant_ref_t ref_a;
	grant_ref_t ref_b;
	int16_t status;
};

#define GNTTAB_CACHE_CLEAN       0x1u
#define GNTTAB_CACHE_INVAL       0x2u
#define GNTTAB_CACHE_SOURCE_GREF 0x80000000u

struct gnttab_cache_flush {
	union {
		gnt_u64 dev_bus_addr;
		grant_ref_t ref;
	} a;
	uint16_t offset;
	uint16_t length;
	uint32_t op;             /* GNTTAB_CACHE_* */
};

/* Xen's x86_64 sizes: guests were compiled against these. */
_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1");
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "map_grant_ref");
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "unmap_grant_ref");
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "setup_table");
_Static_assert(sizeof(struct gnttab_dump_table) == 4, "dump_table");
_Static_assert(sizeof(struct gnttab_transfer) == 24, "transfer");
_Static_assert(sizeof(struct gnttab_copy) == 40, "copy");
_Static_assert(sizeof(struct gnttab_query_size) == 16, "query_size");
_Static_assert(sizeof(struct gnttab_unmap_and_replace) == 24, "unmap_and_replace");
_Static_assert(sizeof(struct gnttab_set_version) == 4, "set_version");
_Static_assert(sizeof(struct gnttab_get_status_frames) == 16, "get_status_frames");
_Static_assert(sizeof(struct gnttab_get_version) == 8, "get_version");
_Static_assert(sizeof(struct gnttab_swap_grant_ref) == 12, "swap_grant_ref");
_Static_assert(sizeof(struct gnttab_cache_flush) == 16, "cache_flush");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, handle) == 20, "map");
_Static_assert(__builtin_offsetof(struct gnttab_setup_table, frame_list) == 16, "setup");
_Static_assert(__builtin_offsetof(struct gnttab_copy, dest) == 16, "copy dest");
_Static_assert(__builtin_offsetof(struct gnttab_copy, status) == 36, "copy status");
_Static_assert(__builtin_offsetof(struct gnttab_query_size, status) == 12, "query");

#endif
