/* Xen's ABI for PVH domains: shared info and event channels (see xen.h). */
#include "vmm/xen.h"
#include "include/public/event_channel.h"
#include "include/public/hvm.h"
#include "include/public/memory.h"
#include "include/public/xen.h"
#include "kernel/errno.h"
#include "kernel/evtchn.h"
#include "kernel/heap.h"
#include "kernel/mm.h"
#include "vmm/domain.h"
#include "vmm/guest_mem.h"
#include "vmm/p2m.h"
#include "vmm/vmm.h"

static struct evtchn_table *lookup(void *ctx, uint16_t domid)
{
	struct domain *d = domain_find(domid);

	return d ? d->evtchn : NULL;
}

static const struct evtchn_domains doms = { lookup, NULL };

static struct shared_info *shinfo(const struct domain *d)
{
	return phys_to_virt(d->shinfo_hpa);
}

/* The callback vector (HVM_PARAM_CALLBACK_IRQ), or a wake-up from block. */
static void upcall(struct vcpu *v)
{
	uint64_t cb = v->dom->hvm_params[HVM_PARAM_CALLBACK_IRQ];

	if (cb)
		vcpu_raise_irq(v, (uint8_t)cb);
	else if (v->state == VCPU_BLOCKED)
		v->state = VCPU_RUNNABLE;
}

/* Sets the port pending in its domain's shared info; raises the upcall. */
static void deliver(const struct evtchn_notify *n)
{
	struct domain *d = domain_find(n->domid);

	if (!d || !d->evtchn || n->vcpu >= d->nr_vcpus)
		return;
	struct shared_info *s = shinfo(d);
	if (evtchn_2l_set_pending(s, &s->vcpu_info[n->vcpu], n->port))
		upcall(d->vcpus[n->vcpu]);
}

int xen_domain_init(struct domain *d)
{
	d->evtchn = kzalloc(sizeof(*d->evtchn));
	d->shinfo_hpa = frame_get(FRAME_GUEST);
	if (!d->evtchn || !d->shinfo_hpa || evtchn_table_init(d->evtchn, (uint16_t)d->id, d->nr_vcpus)) {
		xen_domain_destroy(d);
		return -ENOMEM;
	}
	return 0;
}

void xen_domain_destroy(struct domain *d)
{
	if (d->evtchn)
		evtchn_reset(&doms, d->evtchn);
	kfree(d->evtchn);
	d->evtchn = NULL;
	if (d->shinfo_hpa)
		frame_put(d->shinfo_hpa, FRAME_GUEST);
	d->shinfo_hpa = 0;
}

/* DOMID_SELF or the caller's own id: the caller; anything else needs
 * privileges no domain has yet. */
static int self(struct vcpu *v, domid_t dom)
{
	return dom == DOMID_SELF || dom == v->dom->id ? 0 : -EPERM;
}

/* ---- memory_op ---- */

/* XENMEM_add_to_physmap of the shared info page (64-bit and compat layouts). */
static long add_to_physmap(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->dom;
	struct xen_add_to_physmap x;
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } c; /* x86_32 */

	if (vcpu_is_64bit(v)) {
		if (copy_from_guest_virt(v, &x, arg, sizeof(x), NULL))
			return -EFAULT;
	} else {
		if (copy_from_guest_virt(v, &c, arg, sizeof(c), NULL))
			return -EFAULT;
		x = (struct xen_add_to_physmap){ c.domid, c.size, c.space, c.idx, c.gpfn };
	}
	if (self(v, x.domid))
		return -EPERM;
	if (x.space != XENMAPSPACE_shared_info)
		return -ENOSYS; /* grant table frames come with the grant table */
	if (x.idx != 0 || x.gpfn >= d->ram_bytes >> 12)
		return -EINVAL;
	uint64_t old = d->shinfo_gpa;
	bool was = d->shinfo_mapped;
	int rc = p2m_remap_page(d, x.gpfn << 12, d->shinfo_hpa);
	if (rc)
		return rc;
	d->shinfo_gpa = x.gpfn << 12;
	d->shinfo_mapped = true;
	if (was && old != d->shinfo_gpa)
		p2m_remap_page(d, old, 0); /* the old place is RAM again */
	return 0;
}

long xen_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	if (!v->dom->evtchn)
		return -ENOSYS;
	if (cmd == XENMEM_add_to_physmap)
		return add_to_physmap(v, arg);
	return -ENOSYS;
}

/* ---- event_channel_op ---- */

#define IN(x)  (copy_from_guest_virt(v, &(x), arg, sizeof(x), NULL) ? -EFAULT : 0)
#define OUT(x) (copy_to_guest_virt(v, arg, &(x), sizeof(x), NULL) ? -EFAULT : 0)

long xen_event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	struct domain *d = v->dom;
	struct evtchn_table *t = d->evtchn;
	struct shared_info *s;
	struct evtchn_notify n;
	union {
		struct evtchn_alloc_unbound alloc;
		struct evtchn_bind_interdomain inter;
		struct evtchn_bind_virq virq;
		struct evtchn_bind_ipi ipi;
		struct evtchn_bind_vcpu bvcpu;
		struct evtchn_close close;
		struct evtchn_send send;
		struct evtchn_status status;
		struct evtchn_unmask unmask;
		struct evtchn_reset reset;
	} op;
	int rc;

	if (!t)
		return -ENOSYS;
	s = shinfo(d);
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		if ((rc = IN(op.alloc)) || (rc = self(v, op.alloc.dom)))
			return rc;
		rc = evtchn_alloc_unbound(t, op.alloc.remote_dom == DOMID_SELF ? (uint16_t)d->id
									: op.alloc.remote_dom);
		if (rc < 0)
			return rc;
		op.alloc.port = (uint32_t)rc;
		return OUT(op.alloc);
	case EVTCHNOP_bind_interdomain:
		if ((rc = IN(op.inter)))
			return rc;
		rc = evtchn_bind_interdomain(&doms, t, op.inter.remote_dom == DOMID_SELF ?
					     (uint16_t)d->id : op.inter.remote_dom,
					     op.inter.remote_port, &n);
		if (rc < 0)
			return rc;
		op.inter.local_port = (uint32_t)rc;
		deliver(&n); /* the peer may have sent while unbound */
		return OUT(op.inter);
	case EVTCHNOP_bind_virq:
		if ((rc = IN(op.virq)) || (rc = evtchn_bind_virq(t, op.virq.virq, op.virq.vcpu)) < 0)
			return rc;
		op.virq.port = (uint32_t)rc;
		return OUT(op.virq);
	case EVTCHNOP_bind_ipi:
		if ((rc = IN(op.ipi)) || (rc = evtchn_bind_ipi(t, op.ipi.vcpu)) < 0)
			return rc;
		op.ipi.port = (uint32_t)rc;
		return OUT(op.ipi);
	case EVTCHNOP_bind_vcpu:
		return (rc = IN(op.bvcpu)) ? rc : evtchn_bind_vcpu(t, op.bvcpu.port, op.bvcpu.vcpu);
	case EVTCHNOP_close:
		if ((rc = IN(op.close)) || (rc = evtchn_close(&doms, t, op.close.port)))
			return rc;
		evtchn_2l_clear_pending(s, op.close.port);
		return 0;
	case EVTCHNOP_send:
		if ((rc = IN(op.send)) || (rc = evtchn_send(&doms, t, op.send.port, &n)) <= 0)
			return rc;
		deliver(&n);
		return 0;
	case EVTCHNOP_status:
		if ((rc = IN(op.status)) || (rc = self(v, op.status.dom)) ||
		    (rc = evtchn_status(t, op.status.port, &op.status)))
			return rc;
		return OUT(op.status);
	case EVTCHNOP_unmask:
		if ((rc = IN(op.unmask)) || (rc = evtchn_port_vcpu(t, op.unmask.port)) < 0)
			return rc;
		if ((unsigned)rc < d->nr_vcpus &&
		    evtchn_2l_unmask(s, &s->vcpu_info[rc], op.unmask.port))
			upcall(d->vcpus[rc]);
		return 0;
	case EVTCHNOP_reset:
		if ((rc = IN(op.reset)) || (rc = self(v, op.reset.dom)))
			return rc;
		evtchn_reset(&doms, t);
		for (uint32_t p = 0; p < EVTCHN_MAX_PORTS; p++)
			evtchn_2l_clear_pending(s, p);
		return 0;
	default:
		return -ENOSYS; /* PIRQs, the FIFO ABI */
	}
}
