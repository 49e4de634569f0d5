/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channels, 2-level and FIFO ABIs (Xen's semantics, see include/
 * public/event_channel.h): a pure core with no hypervisor calls.
 *
 * Three parts:
 *  - the bitmap half works on a guest's shared info page and vcpu_info,
 *    mapped by the caller, with atomic operations since the guest changes
 *    the same words concurrently;
 *  - the FIFO half works on the guest's event words and control blocks,
 *    reached through the caller's struct evtchn_fifo_mem at each access;
 *  - the port-table half keeps each domain's ports (struct evtchn_table)
 *    and implements the EVTCHNOP_* operations. Every operation validates
 *    all its arguments first and changes nothing when it fails.
 *
 * Domains are reached through struct evtchn_domains (domid -> table), so
 * the module has no global state. Locking is the caller's: hold the lock(s)
 * of the table(s) involved (both for interdomain operations).
 *
 * After an operation the caller does what needs the hypervisor: set a port
 * pending in the right shared info (evtchn_2l_set_pending) and, if that
 * returns true, raise the vcpu's upcall.
 */
#ifndef EYRIE_KERNEL_EVTCHN_H
#define EYRIE_KERNEL_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>
#include "include/public/xen.h"
#include "include/public/event_channel.h"

/* Ports per domain: 4096 under the 2-level ABI (its limit on x86_64),
 * EVTCHN_MAX_PORTS under FIFO (8 event array pages; the table, sized for
 * it either way, is about 100 KiB). Port 0 is reserved and never allocated. */
#define EVTCHN_MAX_PORTS 8192
#define EVTCHN_FIFO_WORDS_PER_PAGE 1024
#define EVTCHN_FIFO_PAGES (EVTCHN_MAX_PORTS / EVTCHN_FIFO_WORDS_PER_PAGE)
/* Vcpus per domain the table can address. */
#define EVTCHN_MAX_VCPUS XEN_LEGACY_MAX_VCPUS
#define EVTCHN_MAX_PIRQS 256 /* pirq = the GSI */

_Static_assert(EVTCHN_MAX_PORTS <= 1u << EVTCHN_FIFO_LINK_BITS, "FIFO ABI limit");

/* ---- the 2-level bitmaps ---- */

/* Set port pending. If it was not pending and is not masked, set the
 * selector bit (port / 64) and evtchn_upcall_pending of the vcpu notified;
 * true when upcall_pending went 0 -> 1, i.e. an upcall must be raised.
 * Ports outside the 2-level range are ignored (false). */
bool evtchn_2l_set_pending(struct shared_info *s, struct vcpu_info *v, uint32_t port);

/* Clear the mask bit; if the port was masked and is pending, re-raise as
 * set_pending does. Returns true when an upcall must be raised. */
bool evtchn_2l_unmask(struct shared_info *s, struct vcpu_info *v, uint32_t port);

/* Clear the pending bit (after a close, so a reused port starts clean). */
void evtchn_2l_clear_pending(struct shared_info *s, uint32_t port);

bool evtchn_2l_is_pending(const struct shared_info *s, uint32_t port);

/* ---- the port table ---- */

/* Below ECS_UNBOUND: no binding (the code compares with it). */
enum evtchn_state {
	ECS_FREE,
	ECS_RESERVED,    /* port 0 */
	ECS_UNBOUND,     /* remote_dom may bind to it */
	ECS_INTERDOMAIN, /* connected to remote_dom:remote_port */
	ECS_VIRQ,        /* delivers VIRQ virq */
	ECS_IPI,         /* the domain notifies itself */
	ECS_PIRQ,        /* a physical IRQ (pirq) the domain was granted */
};

struct evtchn {
	uint8_t state;        /* enum evtchn_state */
	uint8_t virq;         /* ECS_VIRQ */
	uint16_t remote_dom;  /* ECS_UNBOUND, ECS_INTERDOMAIN */
	uint16_t remote_port; /* ECS_INTERDOMAIN */
	uint16_t notify_vcpu; /* the vcpu whose upcall the port raises */
	uint16_t pirq;        /* ECS_PIRQ */
	/* FIFO: the priority (its xor with the default, so that a new port,
	 * all zero, has the default); the queue it was last linked on; a
	 * raise that found no event word yet (given when its page comes). */
	uint16_t prio_x : 4, last_prio : 4, last_vcpu : 5, early : 1;
};

/* The FIFO ABI's state: where the guest's pages are (guest frame numbers,
 * translated at each access, so nothing is pinned), and the tail of each
 * queue, which the hypervisor keeps and never reads back from the guest. */
struct evtchn_fifo {
	bool on;
	uint8_t nr_pages;                        /* event array pages */
	uint64_t page_gfn[EVTCHN_FIFO_PAGES];
	struct evtchn_fifo_vcpu {
		uint64_t cb_gfn;                 /* 0: no control block */
		uint32_t cb_offset;
		uint16_t tail[EVTCHN_FIFO_MAX_QUEUES];
	} vcpu[EVTCHN_MAX_VCPUS];
};

struct evtchn_table {
	uint16_t domid;
	uint16_t nr_vcpus;
	/* The port bound to each VIRQ (0: none); non-per-vcpu VIRQs on row 0. */
	uint16_t virq_port[EVTCHN_MAX_VCPUS][NR_VIRQS];
	uint16_t pirq_port[EVTCHN_MAX_PIRQS]; /* the port bound to each pirq, 0: none */
	uint32_t max_ports; /* the ABI's: 4096, or EVTCHN_MAX_PORTS under FIFO */
	struct evtchn_fifo fifo;
	struct evtchn ports[EVTCHN_MAX_PORTS];
};

/* The caller's domains: the table of domain domid, or NULL if none. */
struct evtchn_domains {
	struct evtchn_table *(*lookup)(void *ctx, uint16_t domid);
	void *ctx;
};

/* Who to notify: set `port` pending in domain `domid`'s shared info, on the
 * vcpu_info of `vcpu`. */
struct evtchn_notify {
	uint16_t domid;
	uint32_t port;
	uint32_t vcpu;
};

/* An empty table: all ports free but port 0. -EINVAL if nr_vcpus is 0 or
 * above EVTCHN_MAX_VCPUS. */
int evtchn_table_init(struct evtchn_table *t, uint16_t domid, unsigned nr_vcpus);

/* Whether VIRQ virq (< NR_VIRQS) is per vcpu (timer, debug, profiling). */
bool evtchn_virq_is_per_vcpu(uint32_t virq);

/* EVTCHNOP_alloc_unbound: a new port remote_dom may bind to. The caller
 * resolves DOMID_SELF to the calling domain. Returns the port, -ENOSPC. */
int evtchn_alloc_unbound(struct evtchn_table *t, uint16_t remote_dom);

/* EVTCHNOP_bind_interdomain from domain t to remote_dom:remote_port
 * (DOMID_SELF = t's own domain). Returns the new local port and sets
 * *local to it: the caller sets it pending, as Xen does, since the peer may
 * have sent while unbound. -ESRCH no such domain, -ENOSPC no free port,
 * -EINVAL remote port out of range, not unbound or not accepting t. */
int evtchn_bind_interdomain(const struct evtchn_domains *doms, struct evtchn_table *t,
			    uint16_t remote_dom, uint32_t remote_port,
			    struct evtchn_notify *local);

/* EVTCHNOP_bind_virq. Returns the port; -EINVAL bad virq or non-per-vcpu
 * VIRQ on vcpu != 0, -ENOENT no such vcpu, -EEXIST already bound, -ENOSPC.
 * (Which domain may bind a global VIRQ is the caller's policy.) */
int evtchn_bind_virq(struct evtchn_table *t, uint32_t virq, uint32_t vcpu);

/* EVTCHNOP_bind_ipi. Returns the port; -ENOENT no such vcpu, -ENOSPC. */
int evtchn_bind_ipi(struct evtchn_table *t, uint32_t vcpu);
/* EVTCHNOP_bind_pirq (the caller checked the domain may have it): a new
 * port for pirq on vcpu 0; -EINVAL (pirq out of range), -EEXIST (bound),
 * -ENOSPC. */
int evtchn_bind_pirq(struct evtchn_table *t, uint32_t pirq);
/* Where pirq's event goes: 1 and *out, or 0 if no port is bound to it. */
int evtchn_pirq_target(const struct evtchn_table *t, uint32_t pirq, struct evtchn_notify *out);

/* EVTCHNOP_bind_vcpu. -ENOENT no such vcpu; -EINVAL bad port, or a port
 * that is free, reserved, an IPI or a per-vcpu VIRQ. */
int evtchn_bind_vcpu(struct evtchn_table *t, uint32_t port, uint32_t vcpu);

/* EVTCHNOP_close. An interdomain peer goes back to unbound, accepting t's
 * domain. -EINVAL bad, free or reserved port. The caller then clears the
 * port's pending bit (evtchn_2l_clear_pending). */
int evtchn_close(const struct evtchn_domains *doms, struct evtchn_table *t, uint32_t port);

/* EVTCHNOP_send. Returns 1 and fills *out (the peer's port, or the port
 * itself for an IPI), 0 when the event is dropped (unbound port, as Xen
 * does), -EINVAL bad port or a state one cannot send on. */
int evtchn_send(const struct evtchn_domains *doms, const struct evtchn_table *t,
		uint32_t port, struct evtchn_notify *out);

/* EVTCHNOP_status: fills st->status, st->vcpu and st->u. -EINVAL bad port. */
int evtchn_status(const struct evtchn_table *t, uint32_t port, struct evtchn_status *st);

/* The vcpu port notifies (for EVTCHNOP_unmask: the vcpu_info to pass to
 * evtchn_2l_unmask), or -EINVAL for a port out of range. */
int evtchn_port_vcpu(const struct evtchn_table *t, uint32_t port);

/* Where VIRQ virq raised on vcpu goes (non-per-vcpu VIRQs: the vcpu is
 * ignored). Returns 1 and fills *out, or 0 if nothing is bound. */
int evtchn_virq_target(const struct evtchn_table *t, uint32_t virq, uint32_t vcpu,
		       struct evtchn_notify *out);

/* EVTCHNOP_reset, and domain teardown: close every port of t and go back
 * to the 2-level ABI. The caller first clears t's pending bits. */
void evtchn_reset(const struct evtchn_domains *doms, struct evtchn_table *t);

/* ---- the FIFO ABI ---- */

/* The guest's pages as the caller reaches them now (NULL: not there, e.g.
 * given back): port's event word (its page is t->fifo.page_gfn[port /
 * 1024]), and vcpu's control block. */
struct evtchn_fifo_mem {
	uint32_t *(*word)(void *ctx, const struct evtchn_table *t, uint32_t port);
	struct evtchn_fifo_control_block *(*cb)(void *ctx, const struct evtchn_table *t,
						unsigned vcpu);
	void *ctx;
};

/* EVTCHNOP_init_control, the caller having checked that the control
 * block's page is the guest's own writable RAM. -ENOENT no such vcpu,
 * -EINVAL offset not 8-aligned or past the page, or the vcpu has one. The
 * first switches t to FIFO: ports pending in the 2-level bitmaps of s
 * stay pending, given when their event words exist. */
int evtchn_fifo_init_control(struct evtchn_table *t, uint64_t gfn, uint32_t offset,
			     uint32_t vcpu, const struct shared_info *s);

/* EVTCHNOP_expand_array (page checked by the caller as above): the next
 * event array page. -EOPNOTSUPP not FIFO, -ENOSPC all EVTCHN_FIFO_PAGES
 * there. The caller then raises the page's ports marked early. */
int evtchn_fifo_expand(struct evtchn_table *t, uint64_t gfn);

/* EVTCHNOP_set_priority: -ENOSYS not FIFO, -EINVAL bad port or
 * priority. Applies from the port's next linking. */
int evtchn_fifo_set_priority(struct evtchn_table *t, uint32_t port, uint32_t prio);

/* Raises port (FIFO): sets PENDING; unless it is masked or linked already,
 * links it at the tail of its priority's queue on its notify vcpu (O(1):
 * the tail is ours, no chain is followed; the tail's link word is changed
 * with a bounded compare-and-swap). A port with no event word yet is
 * marked early. Returns the vcpu whose evtchn_upcall_pending must be set
 * (the queue's READY bit went 0 -> 1), else -1. */
int evtchn_fifo_raise(struct evtchn_table *t, const struct evtchn_fifo_mem *m, uint32_t port);
/* EVTCHNOP_unmask under FIFO: clears MASKED; raises again if pending. */
int evtchn_fifo_unmask(struct evtchn_table *t, const struct evtchn_fifo_mem *m, uint32_t port);
/* Clears PENDING (close). */
void evtchn_fifo_clear(struct evtchn_table *t, const struct evtchn_fifo_mem *m, uint32_t port);
bool evtchn_fifo_is_pending(struct evtchn_table *t, const struct evtchn_fifo_mem *m, uint32_t port);

#endif
