/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channels, 2-level ABI (see evtchn.h and include/public/
 * event_channel.h).
 *
 * Bitmap ordering follows Xen's 2-level code: the pending bit is set first,
 * then, only if it was clear and the port is not masked, the vcpu's
 * selector bit and then upcall_pending. The guest clears upcall_pending,
 * then swaps the selector to 0, then clears pending bits; with this order
 * every 0 -> 1 pending edge on an unmasked port is seen by a scan. Unmask
 * clears the mask bit before testing pending, so an edge that raced with
 * the mask is re-raised here or by the sender. All accesses to guest words
 * are atomic read-modify-writes (LOCK-prefixed), sequentially consistent.
 */
#include <stddef.h>
#include "kernel/evtchn.h"
#include "kernel/errno.h"
#include "kernel/string.h"

#define WORD_BITS 64u

/* ---- the 2-level bitmaps ---- */

static bool test_and_set(uint64_t *w, unsigned bit)
{
	uint64_t m = 1ull << bit;

	return __atomic_fetch_or(w, m, __ATOMIC_SEQ_CST) & m;
}

static bool test_and_clear(uint64_t *w, unsigned bit)
{
	uint64_t m = 1ull << bit;

	return __atomic_fetch_and(w, ~m, __ATOMIC_SEQ_CST) & m;
}

static bool test(const uint64_t *w, unsigned bit)
{
	return (__atomic_load_n(w, __ATOMIC_SEQ_CST) >> bit) & 1;
}

/* Selector bit for the port's word, then the vcpu's upcall flag: true when
 * the flag went 0 -> 1 (an upcall is due). */
static bool mark_vcpu(struct vcpu_info *v, uint32_t port)
{
	if (test_and_set(&v->evtchn_pending_sel, port / WORD_BITS))
		return false;
	return !(__atomic_fetch_or(&v->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST) & 1);
}

bool evtchn_2l_set_pending(struct shared_info *s, struct vcpu_info *v, uint32_t port)
{
	if (port >= EVTCHN_2L_NR_CHANNELS ||
	    test_and_set(&s->evtchn_pending[port / WORD_BITS], port % WORD_BITS) ||
	    test(&s->evtchn_mask[port / WORD_BITS], port % WORD_BITS))
		return false;
	return mark_vcpu(v, port);
}

bool evtchn_2l_unmask(struct shared_info *s, struct vcpu_info *v, uint32_t port)
{
	if (port >= EVTCHN_2L_NR_CHANNELS ||
	    !test_and_clear(&s->evtchn_mask[port / WORD_BITS], port % WORD_BITS) ||
	    !test(&s->evtchn_pending[port / WORD_BITS], port % WORD_BITS))
		return false;
	return mark_vcpu(v, port);
}

void evtchn_2l_clear_pending(struct shared_info *s, uint32_t port)
{
	if (port < EVTCHN_2L_NR_CHANNELS)
		test_and_clear(&s->evtchn_pending[port / WORD_BITS], port % WORD_BITS);
}

bool evtchn_2l_is_pending(const struct shared_info *s, uint32_t port)
{
	return port < EVTCHN_2L_NR_CHANNELS &&
	       test(&s->evtchn_pending[port / WORD_BITS], port % WORD_BITS);
}

/* ---- the port table ---- */

int evtchn_table_init(struct evtchn_table *t, uint16_t domid, unsigned nr_vcpus)
{
	if (nr_vcpus == 0 || nr_vcpus > EVTCHN_MAX_VCPUS)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->domid = domid;
	t->nr_vcpus = (uint16_t)nr_vcpus;
	t->max_ports = EVTCHN_2L_NR_CHANNELS;
	t->ports[0].state = ECS_RESERVED;
	return 0;
}

bool evtchn_virq_is_per_vcpu(uint32_t virq)
{
	return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
	       virq == VIRQ_XENPMU;
}

static int free_port(const struct evtchn_table *t)
{
	for (unsigned p = 1; p < t->max_ports; p++)
		if (t->ports[p].state == ECS_FREE)
			return (int)p;
	return -ENOSPC;
}

/* Binds the first free port as c: the port, or -ENOSPC. */
static int take_port(struct evtchn_table *t, struct evtchn c)
{
	int p = free_port(t);

	if (p > 0)
		t->ports[p] = c;
	return p;
}

/* take_port, the port also recorded in *slot (which records none yet:
 * -EEXIST otherwise). */
static int take_slot(struct evtchn_table *t, struct evtchn c, uint16_t *slot)
{
	int p = *slot ? -EEXIST : take_port(t, c);

	if (p > 0)
		*slot = (uint16_t)p;
	return p;
}

/* Where port p of t is delivered. */
static int target(const struct evtchn_table *t, uint16_t p, struct evtchn_notify *out)
{
	if (!p)
		return 0;
	*out = (struct evtchn_notify){ t->domid, p, t->ports[p].notify_vcpu };
	return 1;
}

/* The row of virq_port a VIRQ port is recorded in. */
static unsigned virq_row(const struct evtchn *c)
{
	return evtchn_virq_is_per_vcpu(c->virq) ? c->notify_vcpu : 0;
}

int evtchn_alloc_unbound(struct evtchn_table *t, uint16_t remote_dom)
{
	return take_port(t, (struct evtchn){ .state = ECS_UNBOUND, .remote_dom = remote_dom });
}

int evtchn_bind_interdomain(const struct evtchn_domains *doms, struct evtchn_table *t,
			    uint16_t remote_dom, uint32_t remote_port,
			    struct evtchn_notify *local)
{
	uint16_t rdom = remote_dom == DOMID_SELF ? t->domid : remote_dom;
	struct evtchn_table *r = doms->lookup(doms->ctx, rdom);

	if (!r)
		return -ESRCH;
	int lport = free_port(t);
	if (lport < 0)
		return lport;
	if (remote_port >= r->max_ports)
		return -EINVAL;
	struct evtchn *rc = &r->ports[remote_port];
	if (rc->state != ECS_UNBOUND || rc->remote_dom != t->domid)
		return -EINVAL;

	/* The remote port keeps its notify vcpu; the local one starts on 0. */
	t->ports[lport] = (struct evtchn){ .state = ECS_INTERDOMAIN, .remote_dom = r->domid,
					   .remote_port = (uint16_t)remote_port };
	rc->state = ECS_INTERDOMAIN;
	rc->remote_port = (uint16_t)lport;
	*local = (struct evtchn_notify){ t->domid, (uint32_t)lport, 0 };
	return lport;
}

int evtchn_bind_virq(struct evtchn_table *t, uint32_t virq, uint32_t vcpu)
{
	if (virq >= NR_VIRQS || (!evtchn_virq_is_per_vcpu(virq) && vcpu != 0))
		return -EINVAL;
	if (vcpu >= t->nr_vcpus)
		return -ENOENT;
	return take_slot(t, (struct evtchn){ .state = ECS_VIRQ, .virq = (uint8_t)virq,
					     .notify_vcpu = (uint16_t)vcpu },
			 &t->virq_port[vcpu][virq]);
}

int evtchn_bind_ipi(struct evtchn_table *t, uint32_t vcpu)
{
	if (vcpu >= t->nr_vcpus)
		return -ENOENT;
	return take_port(t, (struct evtchn){ .state = ECS_IPI, .notify_vcpu = (uint16_t)vcpu });
}

int evtchn_bind_pirq(struct evtchn_table *t, uint32_t pirq)
{
	if (pirq >= EVTCHN_MAX_PIRQS)
		return -EINVAL;
	return take_slot(t, (struct evtchn){ .state = ECS_PIRQ, .pirq = (uint16_t)pirq },
			 &t->pirq_port[pirq]);
}

int evtchn_pirq_target(const struct evtchn_table *t, uint32_t pirq, struct evtchn_notify *out)
{
	return target(t, pirq < EVTCHN_MAX_PIRQS ? t->pirq_port[pirq] : 0, out);
}

int evtchn_bind_vcpu(struct evtchn_table *t, uint32_t port, uint32_t vcpu)
{
	if (vcpu >= t->nr_vcpus)
		return -ENOENT;
	if (port >= t->max_ports)
		return -EINVAL;
	struct evtchn *c = &t->ports[port];
	/* Free, reserved, IPI and per-vcpu VIRQ ports have a fixed vcpu. */
	if (c->state < ECS_UNBOUND || c->state == ECS_IPI ||
	    (c->state == ECS_VIRQ && evtchn_virq_is_per_vcpu(c->virq)))
		return -EINVAL;
	c->notify_vcpu = (uint16_t)vcpu;
	return 0;
}

/* Unlink the peer of t's interdomain port: it goes back to unbound,
 * accepting t's domain. A peer that is gone, or no longer points back
 * (cannot happen while callers keep both tables locked), is left alone. */
static void unlink_peer(const struct evtchn_domains *doms, struct evtchn_table *t, uint32_t port)
{
	const struct evtchn *c = &t->ports[port];
	struct evtchn_table *r = doms->lookup(doms->ctx, c->remote_dom);

	if (!r || c->remote_port >= EVTCHN_MAX_PORTS)
		return;
	struct evtchn *rc = &r->ports[c->remote_port];
	if (rc->state != ECS_INTERDOMAIN || rc->remote_dom != t->domid || rc->remote_port != port)
		return;
	rc->state = ECS_UNBOUND;
	rc->remote_port = 0;
}

int evtchn_close(const struct evtchn_domains *doms, struct evtchn_table *t, uint32_t port)
{
	if (port >= t->max_ports || t->ports[port].state < ECS_UNBOUND)
		return -EINVAL; /* free or reserved */
	struct evtchn *c = &t->ports[port];
	if (c->state == ECS_VIRQ && t->virq_port[virq_row(c)][c->virq] == port)
		t->virq_port[virq_row(c)][c->virq] = 0;
	if (c->state == ECS_PIRQ && t->pirq_port[c->pirq] == port)
		t->pirq_port[c->pirq] = 0;
	if (c->state == ECS_INTERDOMAIN)
		unlink_peer(doms, t, port);
	*c = (struct evtchn){ .state = ECS_FREE };
	return 0;
}

int evtchn_send(const struct evtchn_domains *doms, const struct evtchn_table *t,
		uint32_t port, struct evtchn_notify *out)
{
	const struct evtchn_table *r;

	if (port >= t->max_ports)
		return -EINVAL;
	const struct evtchn *c = &t->ports[port];
	switch (c->state) {
	case ECS_INTERDOMAIN:
		r = doms->lookup(doms->ctx, c->remote_dom);
		if (!r)
			return 0; /* the peer is being torn down */
		*out = (struct evtchn_notify){ r->domid, c->remote_port,
					       r->ports[c->remote_port].notify_vcpu };
		return 1;
	case ECS_IPI:
		return target(t, (uint16_t)port, out);
	case ECS_UNBOUND:
		return 0;
	default:
		return -EINVAL;
	}
}

int evtchn_status(const struct evtchn_table *t, uint32_t port, struct evtchn_status *st)
{
	static const uint8_t status[] = { /* ECS_FREE, ECS_RESERVED: closed */
		[ECS_UNBOUND] = EVTCHNSTAT_unbound, [ECS_INTERDOMAIN] = EVTCHNSTAT_interdomain,
		[ECS_VIRQ] = EVTCHNSTAT_virq, [ECS_IPI] = EVTCHNSTAT_ipi, [ECS_PIRQ] = EVTCHNSTAT_pirq,
	};

	if (port >= t->max_ports)
		return -EINVAL;
	const struct evtchn *c = &t->ports[port];
	memset(&st->u, 0, sizeof(st->u));
	st->status = status[c->state];
	st->vcpu = c->notify_vcpu;
	if (c->state == ECS_UNBOUND || c->state == ECS_INTERDOMAIN)
		st->u.interdomain.dom = c->remote_dom; /* u.unbound.dom too */
	if (c->state == ECS_INTERDOMAIN)
		st->u.interdomain.port = c->remote_port;
	if (c->state == ECS_VIRQ)
		st->u.virq = c->virq;
	if (c->state == ECS_PIRQ)
		st->u.pirq = c->pirq;
	return 0;
}

int evtchn_port_vcpu(const struct evtchn_table *t, uint32_t port)
{
	if (port >= t->max_ports)
		return -EINVAL;
	return t->ports[port].notify_vcpu;
}

int evtchn_virq_target(const struct evtchn_table *t, uint32_t virq, uint32_t vcpu,
		       struct evtchn_notify *out)
{
	unsigned row = virq < NR_VIRQS && evtchn_virq_is_per_vcpu(virq) ? vcpu : 0;

	if (virq >= NR_VIRQS || row >= t->nr_vcpus)
		return 0;
	return target(t, t->virq_port[row][virq], out);
}

void evtchn_reset(const struct evtchn_domains *doms, struct evtchn_table *t)
{
	for (uint32_t p = 1; p < EVTCHN_MAX_PORTS; p++)
		if (t->ports[p].state != ECS_FREE)
			evtchn_close(doms, t, p);
	memset(&t->fifo, 0, sizeof(t->fifo));
	t->max_ports = EVTCHN_2L_NR_CHANNELS;
}

/* ---- the FIFO ABI ----
 *
 * The guest consumes a queue from its head: it clears LINKED (and the
 * link) of the head's word with one compare-and-swap, reading the link,
 * the next port; at a link of 0 it clears the queue's READY bit and reads
 * head[] again next time. The hypervisor appends: it sets the link of the
 * tail it recorded, only while that word is still LINKED (else the guest
 * has passed it, and the new event becomes the head). It never follows
 * links, so a guest that corrupts its words or heads only loses or
 * repeats its own events. */

#define FIFO_BIT(b) (1u << EVTCHN_FIFO_##b)
/* Compare-and-swap attempts on a tail word the guest keeps changing. */
#define FIFO_LINK_TRIES 4

int evtchn_fifo_init_control(struct evtchn_table *t, uint64_t gfn, uint32_t offset,
			     uint32_t vcpu, const struct shared_info *s)
{
	if (vcpu >= t->nr_vcpus)
		return -ENOENT;
	if (offset % 8 || offset > 4096 - sizeof(struct evtchn_fifo_control_block) ||
	    t->fifo.vcpu[vcpu].cb_gfn || !gfn)
		return -EINVAL;
	if (!t->fifo.on) {
		for (uint32_t p = 1; p < EVTCHN_2L_NR_CHANNELS; p++)
			t->ports[p].early = t->ports[p].state != ECS_FREE &&
					    evtchn_2l_is_pending(s, p);
		t->fifo.on = true;
		t->max_ports = EVTCHN_MAX_PORTS;
	}
	t->fifo.vcpu[vcpu] = (struct evtchn_fifo_vcpu){ .cb_gfn = gfn, .cb_offset = offset };
	return 0;
}

int evtchn_fifo_expand(struct evtchn_table *t, uint64_t gfn)
{
	if (!t->fifo.on)
		return -EOPNOTSUPP;
	if (t->fifo.nr_pages == EVTCHN_FIFO_PAGES)
		return -ENOSPC;
	t->fifo.page_gfn[t->fifo.nr_pages++] = gfn;
	return 0;
}

int evtchn_fifo_set_priority(struct evtchn_table *t, uint32_t port, uint32_t prio)
{
	if (!t->fifo.on)
		return -ENOSYS; /* as Xen's 2-level ABI */
	if (port >= t->max_ports || t->ports[port].state < ECS_UNBOUND ||
	    prio >= EVTCHN_FIFO_MAX_QUEUES)
		return -EINVAL;
	t->ports[port].prio_x = (prio ^ EVTCHN_FIFO_PRIORITY_DEFAULT) & 15;
	return 0;
}

/* Sets the link of the tail word w to port while w is LINKED: false when
 * it is not (any more), or the guest changed it under every attempt. */
static bool fifo_set_link(uint32_t *w, uint32_t port)
{
	uint32_t old = __atomic_load_n(w, __ATOMIC_SEQ_CST);

	for (int i = 0; i < FIFO_LINK_TRIES && (old & FIFO_BIT(LINKED)); i++)
		if (__atomic_compare_exchange_n(w, &old, (old & ~(FIFO_BIT(BUSY) | EVTCHN_FIFO_LINK_MASK)) |
						port, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return true;
	return false;
}

/* Links port (its word now LINKED) on its queue: see evtchn_fifo_raise. */
static int fifo_link(struct evtchn_table *t, const struct evtchn_fifo_mem *m, uint32_t port,
		     uint32_t *w)
{
	struct evtchn *c = &t->ports[port];
	unsigned v = c->notify_vcpu, q = (c->prio_x ^ EVTCHN_FIFO_PRIORITY_DEFAULT) & 15;
	struct evtchn_fifo_control_block *cb = v < t->nr_vcpus ? m->cb(m->ctx, t, v) : NULL;

	if (!cb) { /* no queues on that vcpu: stays pending, unlinked */
		__atomic_fetch_and(w, ~FIFO_BIT(LINKED), __ATOMIC_SEQ_CST);
		return -1;
	}
	uint16_t *tail = &t->fifo.vcpu[v].tail[q];
	const struct evtchn *tc = &t->ports[*tail];
	uint32_t *tw = *tail && *tail != port && tc->last_vcpu == v && tc->last_prio == q ?
		       m->word(m->ctx, t, *tail) : NULL;
	bool appended = tw && fifo_set_link(tw, port);

	*tail = (uint16_t)port;
	c->last_vcpu = v & 31;
	c->last_prio = q & 15;
	if (appended)
		return -1;
	__atomic_store_n(&cb->head[q], port, __ATOMIC_SEQ_CST);
	return __atomic_fetch_or(&cb->ready, 1u << q, __ATOMIC_SEQ_CST) & (1u << q) ? -1 : (int)v;
}

int evtchn_fifo_raise(struct evtchn_table *t, const struct evtchn_fifo_mem *m, uint32_t port)
{
	uint32_t *w = port < EVTCHN_MAX_PORTS ? m->word(m->ctx, t, port) : NULL;

	if (!w) {
		if (port < EVTCHN_MAX_PORTS)
			t->ports[port].early = 1;
		return -1;
	}
	uint32_t old = __atomic_fetch_or(w, FIFO_BIT(PENDING), __ATOMIC_SEQ_CST);
	if (old & FIFO_BIT(MASKED))
		return -1;
	if (__atomic_fetch_or(w, FIFO_BIT(LINKED), __ATOMIC_SEQ_CST) & FIFO_BIT(LINKED))
		return -1;
	return fifo_link(t, m, port, w);
}

int evtchn_fifo_unmask(struct evtchn_table *t, const struct evtchn_fifo_mem *m, uint32_t port)
{
	uint32_t *w = port < EVTCHN_MAX_PORTS ? m->word(m->ctx, t, port) : NULL;

	if (!w)
		return -1;
	uint32_t old = __atomic_fetch_and(w, ~FIFO_BIT(MASKED), __ATOMIC_SEQ_CST);
	return old & FIFO_BIT(PENDING) ? evtchn_fifo_raise(t, m, port) : -1;
}

void evtchn_fifo_clear(struct evtchn_table *t, const struct evtchn_fifo_mem *m, uint32_t port)
{
	uint32_t *w = port < EVTCHN_MAX_PORTS ? m->word(m->ctx, t, port) : NULL;

	if (w)
		__atomic_fetch_and(w, ~FIFO_BIT(PENDING), __ATOMIC_SEQ_CST);
}

bool evtchn_fifo_is_pending(struct evtchn_table *t, const struct evtchn_fifo_mem *m, uint32_t port)
{
	uint32_t *w = port < EVTCHN_MAX_PORTS ? m->word(m->ctx, t, port) : NULL;

	return w ? __atomic_load_n(w, __ATOMIC_SEQ_CST) & FIFO_BIT(PENDING)
		 : port < EVTCHN_MAX_PORTS && t->ports[port].early;
}
