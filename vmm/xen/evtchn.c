/* SPDX-License-Identifier: GPL-2.0-only */
/* Xen's event channels: delivery (2-level and FIFO) and EVTCHNOP_*. */
#include "vmm/xen/xen_int.h"

static struct evtchn_table *lookup(void *ctx, uint16_t domid)
{
	struct domain *d = domain_find(domid);

	return d ? d->xen.evtchn : NULL;
}

const struct evtchn_domains xen_doms = { lookup, NULL };

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

/* Sets the port pending in its domain's ABI; raises the upcall. True:
 * the event had a port (for the callers that looked one up). */
static bool deliver(const struct evtchn_notify *n)
{
	struct domain *d = domain_find(n->domid);

	if (!d || !d->xen.evtchn || n->vcpu >= d->nr_vcpus)
		return true;
	struct vcpu *v = d->vcpus[n->vcpu];
	if (d->xen.evtchn->fifo.on)
		mark(d, evtchn_fifo_raise(d->xen.evtchn, FIFO_MEM(d), n->port));
	else if (evtchn_2l_set_pending(shinfo(d), xen_vinfo(d, n->vcpu), n->port))
		upcall(v);
	if (v->xen.polling) /* SCHEDOP_poll: even masked */
		vcpu_wake(v);
	return true;
}

int xen_any_pending(struct domain *d, const uint32_t *ports, unsigned n)
{
	struct evtchn_table *t = d->xen.evtchn;

	for (unsigned i = 0; i < n; i++)
		if (ports[i] >= t->max_ports)
			return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (t->fifo.on ? evtchn_fifo_is_pending(t, FIFO_MEM(d), ports[i])
			       : evtchn_2l_is_pending(shinfo(d), ports[i]))
			return 1;
	return 0;
}

bool xen_virq(struct domain *d, uint32_t virq, unsigned vcpu)
{
	struct evtchn_notify n;

	return d && d->xen.evtchn && evtchn_virq_target(d->xen.evtchn, virq, vcpu, &n) &&
	       deliver(&n);
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
	struct evtchn_notify n;

	return d->xen.evtchn && evtchn_pirq_target(d->xen.evtchn, gsi, &n) && deliver(&n);
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
	return port_out(&op->port, evtchn_alloc_unbound(owner->xen.evtchn,
				op->remote_dom == DOMID_SELF ? v->dom->id : op->remote_dom));
}

static long ev_bind_interdomain(struct vcpu *v, void *arg)
{
	struct evtchn_bind_interdomain *op = arg;
	struct evtchn_notify n;
	int rc = evtchn_bind_interdomain(&xen_doms, v->dom->xen.evtchn,
					 op->remote_dom == DOMID_SELF ? v->dom->id : op->remote_dom,
					 op->remote_port, &n);

	if (rc >= 0)
		deliver(&n); /* the peer may have sent while unbound */
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

static long ev_close(struct vcpu *v, void *arg)
{
	const struct evtchn_close *op = arg;
	struct domain *d = v->dom;

	if (op->port < EVTCHN_MAX_PORTS && d->xen.evtchn->fifo.on)
		evtchn_fifo_clear(d->xen.evtchn, FIFO_MEM(d), op->port);
	else
		evtchn_2l_clear_pending(shinfo(d), op->port);
	return evtchn_close(&xen_doms, d->xen.evtchn, op->port);
}

static long ev_send(struct vcpu *v, void *arg)
{
	const struct evtchn_send *op = arg;
	struct evtchn_notify n;
	int rc = evtchn_send(&xen_doms, v->dom->xen.evtchn, op->port, &n);

	if (rc > 0)
		deliver(&n);
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

	if (rc)
		return rc;
	evtchn_reset(&xen_doms, v->dom->xen.evtchn); /* back to 2-level */
	for (uint32_t p = 0; p < EVTCHN_2L_NR_CHANNELS; p++)
		evtchn_2l_clear_pending(shinfo(v->dom), p);
	return 0;
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

long xen_event_channel_op(struct vcpu *v, uint64_t *a)
{
	if (!v->dom->xen.evtchn)
		return -ENOSYS;
	return hcop_call(v, ev_ops, HCOP_COUNT(ev_ops), a[0], a[1]);
}
