/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest physical memory: the nested page tables (NPT or EPT, in the
 * backend's format) are the one record of what each guest page is. Every
 * leaf carries its type in software bits the hardware ignores:
 *
 *   P2M_RAM      a frame the domain owns (frame table owner = its id)
 *   P2M_FOREIGN  another domain's frame under a grant mapping (counted in
 *                the frame's refs; read-only unless the grant allows)
 *   P2M_FRAME    a hypervisor frame (shared info, grant table)
 *   P2M_MMIO     device memory, uncached; never touched by the hypervisor
 *
 * and a page with no leaf is a hole (RAM given back, or nothing). RAM is
 * taken at creation in large contiguous pieces and zeroed and mapped 2 MiB
 * at a time on first use (p2m_populate). Whatever replaces a RAM page
 * gives its frame back; a frame is freed only when no p2m maps it (its
 * refs are 0), else it outlives its dead owner as an orphan.
 *
 * Every change that removes or narrows a leaf flushes the domain's vcpus
 * (nested TLBs and the instruction cache) before the frame can be reused.
 */
#ifndef EYRIE_VMM_P2M_H
#define EYRIE_VMM_P2M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct domain;

enum p2m_type { P2M_RAM, P2M_FOREIGN, P2M_FRAME, P2M_MMIO, P2M_HOLE };

/* Allocates `bytes` of guest RAM at guest-physical 0, owned by d->id
 * (mapped on first use, see p2m_populate); 0 or -ENOMEM (nothing left
 * allocated). */
int p2m_init(struct domain *d, uint64_t bytes);
/* Zeroes and maps the 2 MiB region of guest RAM holding gpa, on its first
 * use (a nested page fault, or the hypervisor's access): 0 (also when the
 * region is populated already and gpa is mapped: another vcpu of the
 * domain got there first, the access may run again), -ENOENT when gpa is
 * not RAM or a hole in a populated region (a page given back), -ENOMEM
 * for the tables. */
int p2m_populate(struct domain *d, uint64_t gpa);
/* Frees the domain's RAM (frames other domains still map become orphans),
 * drops its foreign mappings, frees the tables. */
void p2m_destroy(struct domain *d);
/* What guest page gfn is now (RAM populated first, but not in a section
 * without the big lock: kernel/smp.h): the type, and for
 * anything but a hole the host frame and (writable not NULL) whether the
 * guest may write it. */
enum p2m_type p2m_lookup(struct domain *d, uint64_t gfn, uint64_t *hpa, bool *writable);
/* Puts host frame hpa at gfn as a P2M_FOREIGN (counted) or P2M_FRAME
 * page. The page must be a hole or RAM, which is given back first. 0,
 * -EINVAL (gfn beyond P2M_FRAME_MAX), -EBUSY (something else is there, or
 * the RAM is mapped by another domain), -ENOMEM. */
int p2m_add(struct domain *d, uint64_t gfn, uint64_t hpa, enum p2m_type t, bool writable);
/* Frames may be mapped below this guest-physical address. */
#define P2M_FRAME_MAX (1ull << 40)
/* Makes gfn a hole: RAM is given back (-EBUSY while another domain maps
 * its frame), a foreign mapping ends. 0, -ENOENT (a hole already),
 * -EINVAL (device memory), -ENOMEM. */
int p2m_remove(struct domain *d, uint64_t gfn);
/* Backs the hole gfn (below the domain's RAM size) with a new zeroed
 * frame: 0, also when it is RAM already; -EINVAL, -EBUSY (a frame is
 * there), -ENOMEM. */
int p2m_populate_page(struct domain *d, uint64_t gfn);
/* Maps host device frames [mfn, mfn+nr) uncached at guest frames [gfn,
 * gfn+nr) above RAM, or unmaps that range (mfn ignored) when !map; the
 * range must hold nothing else. 0, -EINVAL, -EBUSY, -ENOMEM. */
int p2m_map_mmio(struct domain *d, uint64_t gfn, uint64_t mfn, uint64_t nr, bool map);
/* The host frame of gfn when it is the domain's own RAM, else 0: what a
 * grant or a copy may use as "a page of this domain". */
uint64_t p2m_ram_frame(struct domain *d, uint64_t gfn);
/* Host pointer to guest-physical [gpa, gpa+len) when that lies in one
 * page the hypervisor may access for the guest (RAM, foreign, frame; for
 * write, a writable one), else NULL. */
void *gpa_ptr(struct domain *d, uint64_t gpa, size_t len, bool write);
/* Every leaf of d's p2m in [gfn, end) (pages), for the audit. */
typedef void p2m_leaf_fn(void *ctx, uint64_t gfn, uint64_t hpa, uint64_t pages,
			 enum p2m_type t, bool writable);
void p2m_walk(struct domain *d, uint64_t gfn, uint64_t end, p2m_leaf_fn *fn, void *ctx);
/* Frames of RAM still in pieces not yet populated (for the audit). */
uint64_t p2m_unpopulated_pages(const struct domain *d);

#endif
