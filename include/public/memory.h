/* SPDX-License-Identifier: MIT */
/*
 * Memory reservation and physmap operations (Xen's public memory.h), our
 * own definitions. HYPERVISOR_memory_op(cmd, guest handle to the struct).
 */
#ifndef EYRIE_PUBLIC_MEMORY_H
#define EYRIE_PUBLIC_MEMORY_H

#include <stdint.h>
#include "include/public/xen.h"

#define XENMEM_increase_reservation  0 /* struct xen_memory_reservation */
#define XENMEM_decrease_reservation  1 /* struct xen_memory_reservation */
#define XENMEM_maximum_ram_page      2 /* no argument */
#define XENMEM_current_reservation   3 /* struct xen_memory_domain */
#define XENMEM_maximum_reservation   4 /* struct xen_memory_domain */
#define XENMEM_machphys_mfn_list     5
#define XENMEM_populate_physmap      6 /* struct xen_memory_reservation */
#define XENMEM_add_to_physmap        7 /* struct xen_add_to_physmap */
#define XENMEM_memory_map            9 /* struct xen_memory_map */
#define XENMEM_machine_memory_map   10 /* struct xen_memory_map */
#define XENMEM_exchange             11
#define XENMEM_machphys_mapping     12
#define XENMEM_set_memory_map       13 /* struct xen_foreign_memory_map */
#define XENMEM_maximum_gpfn         14 /* struct xen_memory_domain */
#define XENMEM_remove_from_physmap  15 /* struct xen_remove_from_physmap */
#define XENMEM_add_to_physmap_batch 23 /* struct xen_add_to_physmap_batch */
/* The reservation operations take a start extent in cmd's bits 6 and up
 * (the hypervisor continues a long list so). */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1u << MEMOP_EXTENT_SHIFT) - 1)

/* mem_flags of struct xen_memory_reservation. */
#define XENMEMF_address_bits(x)     (x)            /* 0 = no limit */
#define XENMEMF_get_address_bits(x) ((x) & 0xffu)
#define XENMEMF_node(x)             (((x) + 1) << 8)
#define XENMEMF_get_node(x)         ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand  (1u << 16)
#define XENMEMF_exact_node_request  (1u << 17)
#define XENMEMF_vnode               (1u << 18)

/*
 * nr_extents extents of 2^extent_order pages each. extent_start is a guest
 * handle to an array of frame numbers: the guest frames to populate
 * (populate_physmap), to release (decrease_reservation), or filled with the
 * frames allocated (increase_reservation). The result is the number of
 * extents done.
 */
struct xen_memory_reservation {
	xen_guest_handle_t extent_start;
	xen_ulong_t nr_extents;
	uint32_t extent_order;
	uint32_t mem_flags;  /* XENMEMF_* */
	domid_t domid;       /* DOMID_SELF unless privileged */
};

struct xen_memory_domain {
	domid_t domid;
};

/* Where add_to_physmap takes the page from. */
#define XENMAPSPACE_shared_info  0 /* the shared info page (idx 0) */
#define XENMAPSPACE_grant_table  1 /* grant table frame idx */
#define XENMAPSPACE_gmfn         2 /* move guest frame idx */
#define XENMAPSPACE_gmfn_range   3 /* size frames from idx */
#define XENMAPSPACE_gmfn_foreign 4 /* batch only: another domain's frame */
#define XENMAPSPACE_dev_mmio     5 /* Arm only */
#define XENMAPIDX_grant_table_status 0x80000000u /* idx flag: status frames */

/* Make the page <space, idx> appear at guest frame gpfn of domid. */
struct xen_add_to_physmap {
	domid_t domid;
	uint16_t size;  /* pages, for XENMAPSPACE_gmfn_range */
	uint32_t space; /* XENMAPSPACE_* */
	xen_ulong_t idx;
	xen_pfn_t gpfn;
};

struct xen_add_to_physmap_batch {
	domid_t domid;
	uint16_t space;
	uint16_t size;
	domid_t foreign_domid;   /* XENMAPSPACE_gmfn_foreign, else 0 */
	xen_guest_handle_t idxs;  /* xen_ulong_t[size] */
	xen_guest_handle_t gpfns; /* xen_pfn_t[size] */
	xen_guest_handle_t errs;  /* out: int32_t[size] */
};

struct xen_remove_from_physmap {
	domid_t domid;
	xen_pfn_t gpfn;
};

/* In: room in buffer (entries); out: entries written. buffer is a guest
 * handle to an array of struct xen_e820_entry. */
struct xen_memory_map {
	uint32_t nr_entries;
	xen_guest_handle_t buffer;
};

struct xen_foreign_memory_map {
	domid_t domid;
	struct xen_memory_map map;
};

/* The BIOS INT 15h E820 entry: 20 bytes, packed. */
struct xen_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* XEN_E820_* */
} __attribute__((packed));
#define XEN_E820_RAM      1
#define XEN_E820_RESERVED 2
#define XEN_E820_ACPI     3
#define XEN_E820_NVS      4
#define XEN_E820_UNUSABLE 5

_Static_assert(sizeof(struct xen_memory_reservation) == 32, "reservation");
_Static_assert(sizeof(struct xen_add_to_physmap) == 24, "add_to_physmap");
_Static_assert(sizeof(struct xen_add_to_physmap_batch) == 32, "add_to_physmap_batch");
_Static_assert(sizeof(struct xen_remove_from_physmap) == 16, "remove_from_physmap");
_Static_assert(sizeof(struct xen_memory_map) == 16, "memory_map");
_Static_assert(sizeof(struct xen_foreign_memory_map) == 24, "foreign_memory_map");
_Static_assert(sizeof(struct xen_e820_entry) == 20, "e820 entry");
XEN_OFFSET_CHECK(struct xen_memory_reservation, extent_order, 16);
XEN_OFFSET_CHECK(struct xen_memory_reservation, domid, 24);
XEN_OFFSET_CHECK(struct xen_add_to_physmap, idx, 8);
XEN_OFFSET_CHECK(struct xen_memory_map, buffer, 8);

#endif
