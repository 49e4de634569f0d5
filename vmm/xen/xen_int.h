/* SPDX-License-Identifier: GPL-2.0-only */
/* What the files of the Xen ABI room (vmm/xen/) share, and no other room
 * uses: the grant-table state behind struct domain's gnttab, the event
 * channels' domain lookup, and helpers one family's file takes from
 * another's. */
#ifndef EYRIE_VMM_XEN_INT_H
#define EYRIE_VMM_XEN_INT_H

#include "vmm/xen/xen.h"
#include "vmm/xen/pirq.h"
#include "include/public/event_channel.h"
#include "include/public/grant_table.h"
#include "include/public/hvm.h"
#include "include/public/memory.h"
#include "include/public/xen.h"
#include "kernel/errno.h"
#include "kernel/evtchn.h"
#include "kernel/gnttab.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "vmm/core/domain.h"
#include "vmm/core/guest_mem.h"
#include "vmm/xen/hcop.h"
#include "vmm/core/p2m.h"
#include "vmm/core/vmm.h"

/* The grant table: XEN_GNT_FRAMES frames taken at creation (the table
 * grows over them), the hypervisor-side state of their entries. */
#define XEN_GNT_FRAMES 8u
/* Grant mappings a domain may hold at once (the maptrack is allocated at
 * its first mapping: 24 KiB). */
#define XEN_MAPTRACK 1024u
/* The frames a domain may map with add_to_physmap: its shared info page,
 * then its grant table frames. */
#define XEN_FRAMES (1 + XEN_GNT_FRAMES)
#define NO_GFN UINT64_MAX
struct xen_gnttab {
	struct gnttab gt;
	uint64_t frames_hpa;
	uint64_t frame_gfn[XEN_FRAMES]; /* where each is mapped, NO_GFN: nowhere */
	struct gnttab_maptrack mt;
	struct gnttab_active active[XEN_GNT_FRAMES * GNTTAB_PER_FRAME];
};

/* Event channels (evtchn.c): finds a domain's table by id. */
static inline struct shared_info *shinfo(const struct domain *d)
{
	return phys_to_virt(d->xen.shinfo_hpa);
}

/* DOMID_SELF or the caller's own id: the caller; anything else needs
 * privileges no domain has yet. */
static inline int self(struct vcpu *v, domid_t dom)
{
	return dom == DOMID_SELF || dom == v->dom->id ? 0 : -EPERM;
}

/* xen.c: the shared info's times. */
void fill_shared_times(struct domain *d);
/* memory.c: where a guest may map a frame (see there). */
bool frame_gfn_ok(const struct domain *d, uint64_t gfn);
/* grant.c: the grant table's growth, and its gnttab_env lookups. */
int gnt_grow(struct domain *d, uint32_t nr);
struct gnttab *gnt_table(void *opaque, domid_t domid);
void *gnt_page(void *opaque, domid_t domid, uint64_t gfn, bool write);
void gnt_drop(void *opaque, const struct gnttab_mapping *m);
/* The hypercall table's rows (hypercall.c), each in its family's file. */
long hc_xen_version(struct vcpu *v, uint64_t *a);
long hc_console_io(struct vcpu *v, uint64_t *a);
long hc_sched_op(struct vcpu *v, uint64_t *a);
long hc_set_timer_op(struct vcpu *v, uint64_t *a);
long hc_hvm_op(struct vcpu *v, uint64_t *a);

#endif
