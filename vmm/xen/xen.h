/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen's ABI for PVH domains (type=pvh): the shared info page and event
 * channels (the 2-level core of kernel/evtchn.c), reached through
 * memory_op and event_channel_op. See docs/abi.md.
 */
#ifndef EYRIE_VMM_XEN_H
#define EYRIE_VMM_XEN_H

#include <stdbool.h>
#include <stdint.h>

#include "include/public/grant_table.h"
#include "include/public/hvm.h"
#include "kernel/spin.h"

struct domain;
struct vcpu;
struct evtchn_table;
struct xen_gnttab;

/* A vcpu's state in Xen's ABI (struct vcpu's xen). */
struct xen_vcpu {
	uint64_t vinfo_gpa;       /* VCPUOP_register_vcpu_info: where, 0 = shared info */
	bool polling;             /* blocked in SCHEDOP_poll: any event wakes it */
	/* VCPUOP_register_runstate_memory_area: where the guest reads its
	 * runstate (a guest virtual address, 0 = none), and the runstate. */
	uint64_t runstate_gva;
	bool runstate_compat;     /* registered by 32-bit code: the x86_32 layout */
	int32_t rs_state;
	uint64_t rs_entry, rs_time[4];
};

/* A domain's state in Xen's ABI (type=pvh, or hvm with Xen's ABI; struct
 * domain's xen): the port table, the shared info frame and the grant
 * table, whose frames the guest maps into its physical space (P2M_FRAME
 * pages, see vmm/core/p2m.h), NULL and 0 for a domain without the ABI;
 * the physical IRQs passed through to it (any domain: vmm/xen/pirq.c). */
struct xen_domain {
	/* Guards evtchn (docs/vmm.md, the lock plan): vmm/xen/evtchn.c. */
	struct spinlock evlock;
	struct evtchn_table *evtchn;
	uint64_t shinfo_hpa;
	struct xen_gnttab *gnttab;
	unsigned nr_pirqs;
	uint64_t hvm_params[HVM_NR_PARAMS];
};

/* The domain's shared info frame and port table; 0 or -ENOMEM. */
int xen_domain_init(struct domain *d);
/* Closes its ports (peers go back to unbound) and frees both. */
void xen_domain_destroy(struct domain *d);
/* EVTCHNOP_reset, and a dying domain's (nothing pending is cleared in
 * its gone memory): closes every port of d, back to the 2-level ABI. */
void xen_evtchn_close_all(struct domain *d, bool dying);

/* The hypercall families: each takes the hypercall's arguments a[0..4],
 * which it updates when it continues (-ERESTART, see vmm/xen/hypercall.c). */
long xen_memory_op(struct vcpu *v, uint64_t *a);
long xen_event_channel_op(struct vcpu *v, uint64_t *a);
long xen_grant_table_op(struct vcpu *v, uint64_t *a);
long xen_vcpu_op(struct vcpu *v, uint64_t *a);
/* Ctrl-A x3 on the serial line switches input to domain 0 (if privileged):
 * CONSOLEIO_read returns it; VIRQ_CONSOLE says it is there. */
void xen_console_init(void);
/* Raises VIRQ virq (on vcpu, for a per-vcpu one) in d if d bound it:
 * true, else false. */
bool xen_virq(struct domain *d, uint32_t virq, unsigned vcpu);
/* The vcpu_info of d's vcpu: where it registered it, else in the shared
 * info. */
struct vcpu_info *xen_vinfo(struct domain *d, unsigned vcpu);
/* The vcpu's timer fired: VIRQ_TIMER if bound, else the domain's
 * callback vector (HVM_PARAM_CALLBACK_IRQ), else a wake-up from block. */
void xen_timer_fired(struct vcpu *v);
/* The vcpu enters RUNSTATE_* state: the times, and the guest's copy
 * (nothing while the guest registered no runstate area). */
void xen_runstate(struct vcpu *v, int32_t state);
/* A granted physical IRQ (pirq = gsi) for d: true when d bound a port to
 * it and the event went there (vmm/xen/pirq.c). */
bool xen_pirq_event(struct domain *d, uint32_t gsi);
/* SCHEDOP_poll's check: 1 if one of ports[n] is pending in d's shared
 * info, 0 if none, -EINVAL for a port out of range. */
int xen_any_pending(struct domain *d, const uint32_t *ports, unsigned n);
/* VIRQ_DOM_EXC to domain 0: a domain it built shut down or crashed. */
void xen_dom_exc(void);
/* Domain 0 set d's console or store page (HVM_PARAM_CONSOLE_PFN,
 * STORE_PFN): grant ref GNTTAB_RESERVED_CONSOLE / _XENSTORE now grants
 * domain 0 that page, as Xen's domain builder seeds them. 0 or -EINVAL
 * (no grant table, not a RAM page). */
int xen_seed_grant(struct domain *d, grant_ref_t ref, uint64_t gfn);
/* The domain a hypercall names (DOMID_SELF, the caller's id, or for the
 * privileged domain any other with Xen's ABI); NULL and *err otherwise. */
struct domain *xen_target(struct vcpu *v, uint16_t dom, long *err);

/* For the audit (vmm/core/audit.c): whether hpa is d's shared info or grant
 * table frame; the violations of d's grant mappings (each must be a
 * foreign page of d as granted, under a live grant of its granter, or an
 * orphan's), printed, given in *foreign the foreign pages d's p2m has, to
 * which it adds d's device-only mappings (each holds its frame too). */
bool xen_owns_frame(const struct domain *d, uint64_t hpa);
unsigned xen_audit(struct domain *d, uint64_t *foreign);

#endif
