/*
 * Guest physical memory: RAM slots backed by host frames and the nested
 * page tables (NPT or EPT, in the backend's format) that map them.
 */
#ifndef EYRIE_VMM_P2M_H
#define EYRIE_VMM_P2M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct domain;

/* Allocates `bytes` of guest RAM at guest-physical 0 (mapped read/write/
 * execute on first use, see p2m_populate); 0 or -ENOMEM (nothing left
 * allocated). */
int p2m_init(struct domain *d, uint64_t bytes);
/* Zeroes and maps the 2 MiB region of guest RAM holding gpa, on its first
 * use (a nested page fault, or the hypervisor's access): 0, -ENOENT when
 * gpa is not RAM or already mapped, -ENOMEM for the tables. */
int p2m_populate(struct domain *d, uint64_t gpa);
/* Unmaps and frees all guest RAM and the tables. */
void p2m_destroy(struct domain *d);
/* Maps the 4 KiB guest page at gpa (RAM, or above RAM) to host frame hpa
 * (the shared info page, a grant mapping; read-only unless writable), or
 * back to its RAM (or to nothing) when hpa is 0; flushes the vcpus' nested translations. 0,
 * -EINVAL (not a RAM page), -ENOSPC (DOM_MAX_REMAPS), -ENOMEM. */
int p2m_remap_page(struct domain *d, uint64_t gpa, uint64_t hpa, bool writable);
/* Frames may be mapped this far: over RAM, or above it (then unmapping
 * leaves nothing there). */
#define P2M_REMAP_MAX (1ull << 40)
/* Maps host device frames [mfn, mfn+nr) uncached at guest frames [gfn,
 * gfn+nr) (above RAM), or unmaps that range (mfn ignored) when !map;
 * flushes the vcpus' nested translations. 0, -EINVAL, -ENOMEM. */
int p2m_map_mmio(struct domain *d, uint64_t gfn, uint64_t mfn, uint64_t nr, bool map);
/* Ballooning, one 4 KiB RAM page: out unmaps gfn and frees its frame
 * (0, -EINVAL not RAM, -EBUSY a frame is mapped over it, -ENOENT given
 * back already, -ENOMEM); in backs a page given back with a new zeroed
 * frame (0, also when it is there; -EINVAL, -ENOMEM). */
int p2m_balloon_out(struct domain *d, uint64_t gfn);
int p2m_balloon_in(struct domain *d, uint64_t gfn);
/* Host pointer to guest-physical [gpa, gpa+len) when it lies inside one
 * RAM slot of d, else NULL. */
void *gpa_ptr(struct domain *d, uint64_t gpa, size_t len);

#endif
