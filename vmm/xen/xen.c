/* SPDX-License-Identifier: GPL-2.0-only */
/* Xen's ABI for PVH domains: a domain's shared info, grant table and
 * event channels from creation to destruction (see xen.h). */
#include "vmm/xen/xen_int.h"

/* The shared info's times: each vcpu's and the wall clock at system time 0. */
void fill_shared_times(struct domain *d)
{
	struct shared_info *s = shinfo(d);

	for (unsigned i = 0; i < d->nr_vcpus && i < XEN_LEGACY_MAX_VCPUS; i++)
		vcpu_time_fill(&s->vcpu_info[i].time);
	s->wc_version++;
	s->wc_sec = (uint32_t)d->boot_unix;
	s->wc_sec_hi = (uint32_t)(d->boot_unix >> 32);
	s->wc_nsec = 0;
	s->wc_version++;
}

int xen_domain_init(struct domain *d)
{
	struct xen_gnttab *g = kzalloc(sizeof(*g));

	d->xen.gnttab = g;
	d->xen.evtchn = kzalloc(sizeof(*d->xen.evtchn));
	d->xen.shinfo_hpa = frame_get(FRAME_GUEST);
	if (g)
		g->frames_hpa = frames_get(XEN_GNT_FRAMES, 1, FRAME_GUEST);
	if (!d->xen.evtchn || !d->xen.shinfo_hpa || !g || !g->frames_hpa ||
	    evtchn_table_init(d->xen.evtchn, d->id, d->nr_vcpus) ||
	    gnttab_init(&g->gt, d->id, g->active, XEN_GNT_FRAMES)) {
		xen_domain_destroy(d);
		return -ENOMEM;
	}
	frames_set_owner(d->xen.shinfo_hpa, 1, FRAME_XEN);
	frames_set_owner(g->frames_hpa, XEN_GNT_FRAMES, FRAME_XEN);
	for (unsigned i = 0; i < XEN_FRAMES; i++)
		g->frame_gfn[i] = NO_GFN;
	fill_shared_times(d);
	return 0;
}

/* d is dying: what other domains still hold of it stays theirs, but no
 * longer names d's id, which a new domain may get at once. Their mappings
 * of its frames stay (the frames outlive d as orphans, see p2m_destroy)
 * and name no granter; their ports to d accept no one. */
static void forget_peer(struct domain *d)
{
	for (struct domain *x = domain_list(); x; x = x->next) {
		if (x == d || !x->xen.gnttab)
			continue;
		struct gnttab_maptrack *mt = &x->xen.gnttab->mt;
		for (uint32_t h = 0; h < mt->size; h++)
			if (mt->map[h].flags && mt->map[h].domid == d->id)
				mt->map[h].domid = DOMID_INVALID;
		spin_lock(&x->xen.evlock);
		for (uint32_t p = 1; p < EVTCHN_MAX_PORTS; p++)
			if (x->xen.evtchn->ports[p].state == ECS_UNBOUND &&
			    x->xen.evtchn->ports[p].remote_dom == d->id)
				x->xen.evtchn->ports[p].remote_dom = DOMID_INVALID;
		spin_unlock(&x->xen.evlock);
	}
}

void xen_domain_destroy(struct domain *d)
{
	pirq_release_all(d);
	if (d->xen.evtchn)
		xen_evtchn_close_all(d, true);
	/* A copy holds its grant uses only within the hypercall. d's own
	 * mappings left its p2m with it: the granters' uses end here. */
	if (d->xen.gnttab) {
		struct gnttab_env env = { NULL, d->id, gnt_table, gnt_page, false };
		gnttab_maptrack_sweep(&env, &d->xen.gnttab->mt, gnt_drop);
		kfree(d->xen.gnttab->mt.map);
	}
	if (d->xen.evtchn && d->xen.gnttab)
		forget_peer(d);
	kfree(d->xen.evtchn);
	d->xen.evtchn = NULL;
	if (d->xen.shinfo_hpa)
		frame_put(d->xen.shinfo_hpa, FRAME_GUEST);
	d->xen.shinfo_hpa = 0;
	if (d->xen.gnttab && d->xen.gnttab->frames_hpa)
		frames_put(d->xen.gnttab->frames_hpa, XEN_GNT_FRAMES, FRAME_GUEST);
	kfree(d->xen.gnttab);
	d->xen.gnttab = NULL;
}

/* The domain a call names: the caller itself, or (for the privileged
 * domain only, as Xen's domain 0) any other with Xen's ABI. */
struct domain *xen_target(struct vcpu *v, uint16_t dom, long *err)
{
	struct domain *d = !self(v, dom) ? v->dom : v->dom->cfg.privileged ? domain_find(dom) : NULL;

	*err = d && d->xen.evtchn ? 0 : v->dom->cfg.privileged ? -ESRCH : -EPERM;
	return *err ? NULL : d;
}
