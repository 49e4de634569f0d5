/* SPDX-License-Identifier: MIT */
/*
 * Event channels (Xen's public event_channel.h), our own definitions.
 * HYPERVISOR_event_channel_op(cmd, guest handle to the struct named).
 * Two ABIs: 2-level (the bitmaps in struct shared_info, xen.h) until the
 * first EVTCHNOP_init_control, FIFO (event words and per-vcpu control
 * blocks in guest pages, below) after it.
 */
#ifndef EYRIE_PUBLIC_EVENT_CHANNEL_H
#define EYRIE_PUBLIC_EVENT_CHANNEL_H

#include <stdint.h>
#include "include/public/xen.h"

#define EVTCHNOP_bind_interdomain 0  /* struct evtchn_bind_interdomain */
#define EVTCHNOP_bind_virq        1  /* struct evtchn_bind_virq */
#define EVTCHNOP_bind_pirq        2  /* struct evtchn_bind_pirq */
#define EVTCHNOP_close            3  /* struct evtchn_close */
#define EVTCHNOP_send             4  /* struct evtchn_send */
#define EVTCHNOP_status           5  /* struct evtchn_status */
#define EVTCHNOP_alloc_unbound    6  /* struct evtchn_alloc_unbound */
#define EVTCHNOP_bind_ipi         7  /* struct evtchn_bind_ipi */
#define EVTCHNOP_bind_vcpu        8  /* struct evtchn_bind_vcpu */
#define EVTCHNOP_unmask           9  /* struct evtchn_unmask */
#define EVTCHNOP_reset           10  /* struct evtchn_reset */
#define EVTCHNOP_init_control    11  /* FIFO ABI */
#define EVTCHNOP_expand_array    12  /* FIFO ABI */
#define EVTCHNOP_set_priority    13  /* FIFO ABI */

typedef uint32_t evtchn_port_t;

/* 64 words of 64 bits: ports 0..4095 in the 2-level ABI on x86_64. */
#define EVTCHN_2L_NR_CHANNELS 4096

/* A new port of <dom> that <remote_dom> (DOMID_SELF: the caller) may bind.
 * Only a privileged caller may name a <dom> other than DOMID_SELF. */
struct evtchn_alloc_unbound {
	domid_t dom, remote_dom;  /* in */
	evtchn_port_t port;       /* out */
};

/* Connect a new local port to <remote_dom, remote_port>, which must be
 * unbound and accept the caller. The new local port is set pending. */
struct evtchn_bind_interdomain {
	domid_t remote_dom;        /* in */
	evtchn_port_t remote_port; /* in */
	evtchn_port_t local_port;  /* out */
};

/* A new port for VIRQ <virq> on <vcpu> (vcpu 0 for non-per-vcpu VIRQs). */
struct evtchn_bind_virq {
	uint32_t virq;      /* in: VIRQ_* */
	uint32_t vcpu;      /* in */
	evtchn_port_t port; /* out */
};

#define BIND_PIRQ__WILL_SHARE 1
struct evtchn_bind_pirq {
	uint32_t pirq;      /* in */
	uint32_t flags;     /* in: BIND_PIRQ__* */
	evtchn_port_t port; /* out */
};

/* A new port that notifies <vcpu> when the domain sends on it. */
struct evtchn_bind_ipi {
	uint32_t vcpu;      /* in */
	evtchn_port_t port; /* out */
};

/* Close a port; an interdomain peer goes back to unbound (accepting us). */
struct evtchn_close {
	evtchn_port_t port;
};

/* Notify the other end of <port> (the port itself for IPIs). */
struct evtchn_send {
	evtchn_port_t port;
};

#define EVTCHNSTAT_closed      0 /* free */
#define EVTCHNSTAT_unbound     1 /* waiting for u.unbound.dom to bind */
#define EVTCHNSTAT_interdomain 2 /* connected to u.interdomain */
#define EVTCHNSTAT_pirq        3
#define EVTCHNSTAT_virq        4 /* bound to u.virq */
#define EVTCHNSTAT_ipi         5

struct evtchn_status {
	domid_t dom;        /* in: DOMID_SELF, or another if privileged */
	evtchn_port_t port; /* in */
	uint32_t status;    /* out: EVTCHNSTAT_* */
	uint32_t vcpu;      /* out: the vcpu notified */
	union {
		struct {
			domid_t dom;
		} unbound;
		struct {
			domid_t dom;
			uint16_t pad;
			evtchn_port_t port;
		} interdomain;
		uint32_t pirq;
		uint32_t virq;
	} u;
};

/* Notify <vcpu> from now on; not for IPIs and per-vcpu VIRQs. */
struct evtchn_bind_vcpu {
	evtchn_port_t port;
	uint32_t vcpu;
};

/* Clear the mask bit; if the port is pending, raise the upcall again. */
struct evtchn_unmask {
	evtchn_port_t port;
};

/* Close every port of <dom> (DOMID_SELF, or another if privileged). */
struct evtchn_reset {
	domid_t dom;
};

struct evtchn_init_control {
	xen_u64_aligned control_gfn;
	uint32_t offset;
	uint32_t vcpu;
	uint8_t link_bits; /* out */
	uint8_t pad[7];
};

struct evtchn_expand_array {
	xen_u64_aligned array_gfn;
};

struct evtchn_set_priority {
	evtchn_port_t port;
	uint32_t priority;
};

/* FIFO ABI: one 32-bit event word per port in the event array pages
 * (1024 a page), a control block per vcpu; priorities 0 (highest) to 15. */
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_MAX_QUEUES 16
#define EVTCHN_FIFO_PENDING 31
#define EVTCHN_FIFO_MASKED  30
#define EVTCHN_FIFO_LINKED  29
#define EVTCHN_FIFO_BUSY    28
#define EVTCHN_FIFO_LINK_BITS 17
#define EVTCHN_FIFO_LINK_MASK ((1u << EVTCHN_FIFO_LINK_BITS) - 1)

struct evtchn_fifo_control_block {
	uint32_t ready; /* bit q: queue q may hold events */
	uint32_t rsvd;
	uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
};

_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "alloc_unbound");
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "bind_interdomain");
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "bind_virq");
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "bind_ipi");
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "bind_vcpu");
_Static_assert(sizeof(struct evtchn_status) == 24, "status");
_Static_assert(sizeof(struct evtchn_init_control) == 24, "init_control");
XEN_OFFSET_CHECK(struct evtchn_bind_interdomain, remote_port, 4);
XEN_OFFSET_CHECK(struct evtchn_status, port, 4);
XEN_OFFSET_CHECK(struct evtchn_status, u, 16);
XEN_OFFSET_CHECK(struct evtchn_status, u.interdomain.port, 20);

#endif
