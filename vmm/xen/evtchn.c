/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen's event channels: delivery (2-level and FIFO) and EVTCHNOP_*.
 *
 * Each domain's port table is guarded by its event channel lock
 * (xen_domain.evlock); what touches two domains takes both, the lower id
 * first. EVTCHNOP_send also runs without the big lock (the exit fast
 * path, in a section of kernel/smp.h): so every reader and writer of a
 * table takes its lock, big lock or not. A holder only sets bits, marks
 * vcpus pending and kicks CPUs: it never waits for the big lock, another
 * CPU or the platform lock.
 */
#include "vmm/xen/xen_int.h"

/* The locks of a and b (b NULL or a: a's alone), the lower id first. */
static void lock2(struct domain *a, struct domain *b)
{
	struct domain *lo = b && b->id < a->id ? b : a, *hi = lo == a ? b : a;

	spin_lock(&lo->xen.evlock);
	if (hi && hi != lo)
		spin_lock(&hi->xen.evlock);
}

static void unlock2(struct domain *a, struct domain *b)
{
	if (b && b != a)
		spin_unlock(&b->xen.evlock);
	spin_unlock(&a->xen.evlock);
}

/* The domain port is bound to, for the locks to take: read without them
 * (the caller checks under them, or holds the big lock, under which no
 * binding changes). */
static struct domain *peer(struct domain *d, uint32_t port)
{
	const struct evtchn *c = port < EVTCHN_MAX_PORTS ? &d->xen.evtchn->ports[port] : NULL;

	return c && c->state == ECS_INTERDOMAIN ? domain_find(c->remote_dom) : NULL;
}

static struct evtchn_table *lookup(void *ctx, uint16_t domid)
{
	struct domain *d = domain_find(domid);

	return d ? d->xen.evtchn : NULL;
}

static const struct evtchn_domains xen_doms = { lookup, NULL };

/* The callback vector (HVM_PARAM_CALLBACK_IRQ), or a wake-up from block. */
static void upcall(struct vcpu *v)
{
	uint64_t cb = v->dom->xen.hvm_params[HVM_PARAM_CALLBACK_IRQ];

	if (cb)
		vcpu_raise_irq(v, (uint8_t)cb);
	else
		vcpu_wake(v);
}

/* A vcpu's vcpu_info: in the shared info, or where it registered it. */
struct vcpu_info *xen_vinfo(struct domain *d, unsigned vcpu)
{
	uint64_t gpa = d->vcpus[vcpu]->xen.vinfo_gpa;
	struct vcpu_info *vi = gpa ? gpa_ptr(d, gpa, sizeof(*vi), true) : NULL;

	return vi ? vi : &shinfo(d)->vcpu_info[vcpu];
}

/* The FIFO ABI's guest pages, looked up in the p2m at each access: only
 * while they are the domain's own RAM (a page given back or replaced
 * just stops being used; nothing is pinned, so nothing can leak). */
static void *fifo_page(struct domain *d, uint64_t gfn, uint32_t offset)
{
	uint64_t hpa = p2m_ram_frame(d, gfn);

	return hpa ? (char *)phys_to_virt(hpa) + offset : NULL;
}

static uint32_t *fifo_word(void *ctx, const struct evtchn_table *t, uint32_t port)
{
	unsigned pg = port / EVTCHN_FIFO_WORDS_PER_PAGE;

	return pg < t->fifo.nr_pages ? fifo_page(ctx, t->fifo.page_gfn[pg],
						 port % EVTCHN_FIFO_WORDS_PER_PAGE * 4) : NULL;
}

static struct evtchn_fifo_control_block *fifo_cb(void *ctx, const struct evtchn_table *t,
						 unsigned vcpu)
{
	const struct evtchn_fifo_vcpu *fv = &t->fifo.vcpu[vcpu];

	return fv->cb_gfn ? fifo_page(ctx, fv->cb_gfn, fv->cb_offset) : NULL;
}

#define FIFO_MEM(d) (&(struct evtchn_fifo_mem){ fifo_word, fifo_cb, (d) })

/* Marks vcpu's events pending (the FIFO ABI) and raises its upcall. */
static void mark(struct domain *d, int vcpu)
{
	if (vcpu >= 0 && (unsigned)vcpu < d->nr_vcpus &&
	    !__atomic_fetch_or(&xen_vinfo(d, (unsigned)vcpu)->evtchn_upcall_pending, 1,
			       __ATOMIC_SEQ_CST))
		upcall(d->vcpus[vcpu]);
}

/* Sets the port pending in d's ABI (n names d, whose lock is held);
 * raises the upcall. True: the event had a port (for the callers that
 * looked one up). */
static bool deliver(struct domain *d, const struct evtchn_notify *n)
{
	if (!d->xen.evtchn || n->vcpu >= d->nr_vcpus)
		return true;
	struct vcpu *v = d->vcpus[n->vcpu];
	if (d->xen.evtchn->fifo.on)
		mark(d, evtchn_fifo_raise(d->xen.evtchn, FIFO_MEM(d), n->port));
	else if (evtchn_2l_set_pending(shinfo(d), xen_vinfo(d, n->vcpu), n->port))
		upcall(v);
	/* SCHEDOP_poll, even masked; read after the pending bit's locked
	 * write (sched_poll's side: see there). */
	if (__atomic_load_n(&v->xen.polling, __ATOMIC_SEQ_CST))
		vcpu_wake(v);
	return true;
}

int xen_any_pending(struct domain *d, const uint32_t *ports, unsigned n)
{
	struct evtchn_table *t = d->xen.evtchn;
	int rc = 0;

	for (unsigned i = 0; i < n; i++)
		if (ports[i] >= t->max_ports)
			return -EINVAL;
	lock2(d, NULL);
	for (unsigned i = 0; i < n && !rc; i++)
		rc = t->fifo.on ? evtchn_fifo_is_pending(t, FIFO_MEM(d), ports[i])
				: evtchn_2l_is_pending(shinfo(d), ports[i]);
	unlock2(d, NULL);
	return rc;
}

/* What a VIRQ or a physical IRQ raises: the port found by target under
 * d's lock, if any (false: none). */
static bool raise_local(struct domain *d, int (*target)(const struct evtchn_table *t,
							uint32_t what, uint32_t vcpu,
							struct evtchn_notify *out),
			uint32_t what, uint32_t vcpu)
{
	struct evtchn_notify n;

	if (!d || !d->xen.evtchn)
		return false;
	lock2(d, NULL);
	bool found = target(d->xen.evtchn, what, vcpu, &n) && deliver(d, &n);
	unlock2(d, NULL);
	return found;
}

static int pirq_target(const struct evtchn_table *t, uint32_t pirq, uint32_t vcpu,
		       struct evtchn_notify *out)
{
	return evtchn_pirq_target(t, pirq, out);
}

bool xen_virq(struct domain *d, uint32_t virq, unsigned vcpu)
{
	return raise_local(d, evtchn_virq_target, virq, vcpu);
}

void xen_dom_exc(void)
{
	xen_virq(domain_find(0), VIRQ_DOM_EXC, 0);
}

void xen_timer_fired(struct vcpu *v)
{
	if (!xen_virq(v->dom, VIRQ_TIMER, v->id))
		upcall(v);
}

bool xen_pirq_event(struct domain *d, uint32_t gsi)
{
	return raise_local(d, pirq_target, gsi, 0);
}

/* One function per operation, its argument copied in (and out) by
 * hcop_call. A send or a bind may make the peer's port pending: deliver()
 * raises its upcall. */

/* A call that returns a port (rc >= 0) or an error: the port goes out. */
static long port_out(uint32_t *port, int rc)
{
	if (rc >= 0)
		*port = (uint32_t)rc;
	return rc < 0 ? rc : 0;
}

static long ev_alloc_unbound(struct vcpu *v, void *arg)
{
	struct evtchn_alloc_unbound *op = arg;
	struct domain *owner;
	long e;

	if (!(owner = xen_target(v, op->dom, &e)))
		return e; /* in another domain: for domain 0 building it */
	lock2(owner, NULL);
	int rc = evtchn_alloc_unbound(owner->xen.evtchn,
				      op->remote_dom == DOMID_SELF ? v->dom->id : op->remote_dom);
	unlock2(owner, NULL);
	return port_out(&op->port, rc);
}

static long ev_bind_interdomain(struct vcpu *v, void *arg)
{
	struct evtchn_bind_interdomain *op = arg;
	struct evtchn_notify n;
	struct domain *d = v->dom, *r = domain_find(op->remote_dom);

	lock2(d, r && r->xen.evtchn ? r : NULL);
	int rc = evtchn_bind_interdomain(&xen_doms, d->xen.evtchn,
					 op->remote_dom == DOMID_SELF ? d->id : op->remote_dom,
					 op->remote_port, &n);
	if (rc >= 0)
		deliver(d, &n); /* the peer may have sent while unbound */
	unlock2(d, r && r->xen.evtchn ? r : NULL);
	return port_out(&op->local_port, rc);
}

static long ev_bind_virq(struct vcpu *v, void *arg)
{
	struct evtchn_bind_virq *op = arg;

	return port_out(&op->port, evtchn_bind_virq(v->dom->xen.evtchn, op->virq, op->vcpu));
}

static long ev_bind_ipi(struct vcpu *v, void *arg)
{
	struct evtchn_bind_ipi *op = arg;

	return port_out(&op->port, evtchn_bind_ipi(v->dom->xen.evtchn, op->vcpu));
}

static long ev_bind_pirq(struct vcpu *v, void *arg)
{
	struct evtchn_bind_pirq *op = arg;

	if (!pirq_owned(v->dom, op->pirq))
		return -EPERM; /* not granted to this domain */
	int rc = evtchn_bind_pirq(v->dom->xen.evtchn, op->pirq);
	if (rc >= 0)
		pirq_unmask(op->pirq);
	return port_out(&op->port, rc);
}

static long ev_bind_vcpu(struct vcpu *v, void *arg)
{
	const struct evtchn_bind_vcpu *op = arg;

	return evtchn_bind_vcpu(v->dom->xen.evtchn, op->port, op->vcpu);
}

/* Closes d's port (its peer's lock taken too), its pending bit cleared
 * unless d is dying (its memory is gone by then). */
static int close_port(struct domain *d, uint32_t port, bool dying)
{
	struct domain *r = peer(d, port); /* under the big lock: stays */

	lock2(d, r);
	if (!dying && port < EVTCHN_MAX_PORTS && d->xen.evtchn->fifo.on)
		evtchn_fifo_clear(d->xen.evtchn, FIFO_MEM(d), port);
	else if (!dying)
		evtchn_2l_clear_pending(shinfo(d), port);
	int rc = evtchn_close(&xen_doms, d->xen.evtchn, port);
	unlock2(d, r);
	return rc;
}

static long ev_close(struct vcpu *v, void *arg)
{
	return close_port(v->dom, ((const struct evtchn_close *)arg)->port, false);
}

void xen_evtchn_close_all(struct domain *d, bool dying)
{
	for (uint32_t p = 1; p < EVTCHN_MAX_PORTS; p++)
		if (d->xen.evtchn->ports[p].state != ECS_FREE)
			close_port(d, p, dying);
	lock2(d, NULL);
	evtchn_reset(&xen_doms, d->xen.evtchn); /* back to 2-level */
	for (uint32_t p = 0; !dying && p < EVTCHN_2L_NR_CHANNELS; p++)
		evtchn_2l_clear_pending(shinfo(d), p);
	unlock2(d, NULL);
}

/* Also without the big lock: the peer is read unlocked, then the port is
 * looked at again under both locks (a few tries while the binding keeps
 * changing under a racing close and bind; then the event is dropped, as
 * one sent to a port being closed). */
static long ev_send(struct vcpu *v, void *arg)
{
	const struct evtchn_send *op = arg;
	struct evtchn_notify n;
	struct domain *d = v->dom, *r = peer(d, op->port);
	int rc;

	for (int tries = 0;; tries++) {
		lock2(d, r);
		rc = evtchn_send(&xen_doms, d->xen.evtchn, op->port, &n);
		if (rc <= 0 || n.domid == (r ? r : d)->id || tries == 3)
			break;
		unlock2(d, r);
		r = peer(d, op->port);
	}
	if (rc > 0 && n.domid == (r ? r : d)->id)
		deliver(r ? r : d, &n);
	unlock2(d, r);
	return rc < 0 ? rc : 0;
}

static long ev_status(struct vcpu *v, void *arg)
{
	struct evtchn_status *op = arg;
	int rc = self(v, op->dom);

	return rc ? rc : evtchn_status(v->dom->xen.evtchn, op->port, op);
}

static long ev_unmask(struct vcpu *v, void *arg)
{
	const struct evtchn_unmask *op = arg;
	struct domain *d = v->dom;
	int rc = evtchn_port_vcpu(d->xen.evtchn, op->port);

	if (rc < 0)
		return rc;
	if (d->xen.evtchn->fifo.on)
		mark(d, evtchn_fifo_unmask(d->xen.evtchn, FIFO_MEM(d), op->port));
	else if ((unsigned)rc < d->nr_vcpus &&
		 evtchn_2l_unmask(shinfo(d), xen_vinfo(d, (unsigned)rc), op->port))
		upcall(d->vcpus[rc]);
	return 0;
}

static long ev_reset(struct vcpu *v, void *arg)
{
	const struct evtchn_reset *op = arg;
	int rc = self(v, op->dom);

	if (!rc)
		xen_evtchn_close_all(v->dom, false);
	return rc;
}

/* A page the guest gives for the FIFO ABI: its own RAM (so writable, and
 * never a grant mapping or a hypervisor frame). */
static bool fifo_gfn_ok(struct vcpu *v, uint64_t gfn)
{
	return gfn < v->dom->ram_bytes >> 12 && p2m_ram_frame(v->dom, gfn);
}

static long ev_init_control(struct vcpu *v, void *arg)
{
	struct evtchn_init_control *op = arg;

	if (!fifo_gfn_ok(v, op->control_gfn))
		return -EINVAL;
	op->link_bits = EVTCHN_FIFO_LINK_BITS;
	return evtchn_fifo_init_control(v->dom->xen.evtchn, op->control_gfn, op->offset, op->vcpu,
					shinfo(v->dom));
}

static long ev_expand_array(struct vcpu *v, void *arg)
{
	const struct evtchn_expand_array *op = arg;
	struct evtchn_table *t = v->dom->xen.evtchn;
	int rc = fifo_gfn_ok(v, op->array_gfn) || !t->fifo.on ? evtchn_fifo_expand(t, op->array_gfn)
								: -EINVAL;

	/* Ports raised before their word existed (or pending at the switch). */
	for (uint32_t p = (t->fifo.nr_pages - 1u) * EVTCHN_FIFO_WORDS_PER_PAGE;
	     !rc && p < t->fifo.nr_pages * EVTCHN_FIFO_WORDS_PER_PAGE; p++)
		if (t->ports[p].early) {
			t->ports[p].early = 0;
			mark(v->dom, evtchn_fifo_raise(t, FIFO_MEM(v->dom), p));
		}
	return rc;
}

static long ev_set_priority(struct vcpu *v, void *arg)
{
	const struct evtchn_set_priority *op = arg;

	return evtchn_fifo_set_priority(v->dom->xen.evtchn, op->port, op->priority);
}

/* PIRQs beyond binding are not offered (-ENOSYS). */
static const struct hcop ev_ops[] = {
	[EVTCHNOP_bind_interdomain] = HCOP(struct evtchn_bind_interdomain, HC_OUT,
					   ev_bind_interdomain),
	[EVTCHNOP_bind_virq] = HCOP(struct evtchn_bind_virq, HC_OUT, ev_bind_virq),
	[EVTCHNOP_bind_pirq] = HCOP(struct evtchn_bind_pirq, HC_OUT, ev_bind_pirq),
	[EVTCHNOP_close] = HCOP(struct evtchn_close, HC_IN, ev_close),
	[EVTCHNOP_send] = HCOP(struct evtchn_send, HC_IN, ev_send),
	[EVTCHNOP_status] = HCOP(struct evtchn_status, HC_OUT, ev_status),
	[EVTCHNOP_alloc_unbound] = HCOP(struct evtchn_alloc_unbound, HC_OUT, ev_alloc_unbound),
	[EVTCHNOP_bind_ipi] = HCOP(struct evtchn_bind_ipi, HC_OUT, ev_bind_ipi),
	[EVTCHNOP_bind_vcpu] = HCOP(struct evtchn_bind_vcpu, HC_IN, ev_bind_vcpu),
	[EVTCHNOP_unmask] = HCOP(struct evtchn_unmask, HC_IN, ev_unmask),
	[EVTCHNOP_reset] = HCOP(struct evtchn_reset, HC_IN, ev_reset),
	[EVTCHNOP_init_control] = HCOP(struct evtchn_init_control, HC_OUT, ev_init_control),
	[EVTCHNOP_expand_array] = HCOP(struct evtchn_expand_array, HC_IN, ev_expand_array),
	[EVTCHNOP_set_priority] = HCOP(struct evtchn_set_priority, HC_IN, ev_set_priority),
};

/* The operations on the caller's table alone, run under its lock
 * (argument copies included); the others take their locks themselves. */
#define OWN(op) (1u << EVTCHNOP_##op)
static const uint32_t own_table = OWN(bind_virq) | OWN(bind_pirq) | OWN(status) |
				  OWN(bind_ipi) | OWN(bind_vcpu) | OWN(unmask) |
				  OWN(init_control) | OWN(expand_array) | OWN(set_priority);

long xen_event_channel_op(struct vcpu *v, uint64_t *a)
{
	bool own = a[0] < 32 && (own_table >> a[0] & 1);

	if (!v->dom->xen.evtchn)
		return -ENOSYS;
	if (own)
		lock2(v->dom, NULL);
	long rc = hcop_call(v, ev_ops, HCOP_COUNT(ev_ops), a[0], a[1]);
	if (own)
		unlock2(v->dom, NULL);
	return rc;
}
