/* SPDX-License-Identifier: GPL-2.0-only */
/* Xen's grant tables: GNTTABOP_* and the audit of grant mappings. */
#include "vmm/xen/xen_int.h"
#include "kernel/smp.h"

/* Grows the grant table to nr frames (the frames exist already). */
int gnt_grow(struct domain *d, uint32_t nr)
{
	struct xen_gnttab *g = d->xen.gnttab;
	uint32_t to;

	if (gnttab_setup_check(&g->gt, nr, &to))
		return GNTST_general_error;
	return gnttab_grow(&g->gt, phys_to_virt(g->frames_hpa), to) ? GNTST_general_error : 0;
}

int xen_seed_grant(struct domain *d, grant_ref_t ref, uint64_t gfn)
{
	if (!d->xen.gnttab || gfn >= d->ram_bytes >> 12 || gnt_grow(d, 1))
		return -EINVAL;
	struct grant_entry_v1 *e = &d->xen.gnttab->gt.shared[ref];
	e->frame = (uint32_t)gfn;
	e->domid = 0;
	__atomic_store_n(&e->flags, GTF_permit_access, __ATOMIC_RELEASE);
	return 0;
}

struct gnttab *gnt_table(void *opaque, domid_t domid)
{
	struct domain *d = domain_find(domid);

	return d && d->xen.gnttab ? &d->xen.gnttab->gt : NULL;
}

/* Only the domain's own RAM: never a page it maps from another domain or
 * from the hypervisor, so a grant cannot pass on what is not the
 * granter's to give. */
void *gnt_page(void *opaque, domid_t domid, uint64_t gfn, bool write)
{
	struct domain *d = domain_find(domid);
	uint64_t hpa = d ? p2m_ram_frame(d, gfn) : 0;

	return hpa ? phys_to_virt(hpa) : NULL;
}

/* x86_32 layouts (xen_pfn_t and handles are 32-bit there). */
struct gnt_copy32 {
	struct { uint32_t ref_or_gmfn; domid_t domid; uint16_t offset; } source, dest;
	uint16_t len, flags;
	int16_t status;
	uint16_t pad;
};
_Static_assert(sizeof(struct gnt_copy32) == 24, "x86_32 gnttab_copy");

/* Ops done per entry: a longer list continues (-ERESTART). A map or unmap
 * does no more than a page-table change, a copy moves up to a page: a
 * backend's 1 MiB request (256 segments) maps in two entries. */
#define GNT_OPS_PER_CALL 32
#define GNT_MAPS_PER_CALL 128
#define GNT_MAP_BATCH 16

/* The rest of a list of count ops of sz bytes at a[1], of which done
 * were done now: the call runs again for them. */
static long gnt_continue(uint64_t *a, uint64_t done, size_t sz)
{
	a[1] += done * sz;
	a[2] -= done;
	return -ERESTART;
}

/* GNTTABOP_copy: each op read, done, and its status written back; 0, or
 * -EFAULT for an unreadable op array. Also without the big lock (the
 * granters' tables have their own locks, kernel/gnttab.h): there an op
 * that meets memory not populated yet ends the call before it, with a
 * continuation for the locked path (hypercall_fast). */
static long gnt_copy(struct vcpu *v, uint64_t *a)
{
	bool wide = vcpu_is_64bit(v);
	size_t sz = wide ? sizeof(struct gnttab_copy) : sizeof(struct gnt_copy32);
	size_t status = wide ? __builtin_offsetof(struct gnttab_copy, status)
			     : __builtin_offsetof(struct gnt_copy32, status);
	struct gnttab_env env = { NULL, v->dom->id, gnt_table, gnt_page, false };
	struct gnttab_copy op;
	struct gnt_copy32 c32;

	for (uint64_t done = 0; done < a[2]; done++) {
		uint64_t at = a[1] + done * sz;
		if (done == GNT_OPS_PER_CALL)
			return gnt_continue(a, done, sz);
		if (copy_from_guest_virt(v, wide ? (void *)&op : &c32, at, sz, NULL))
			return nolock_missed() ? gnt_continue(a, done, sz) : -EFAULT;
		if (!wide) {
			op = (struct gnttab_copy){ .len = c32.len, .flags = c32.flags };
			op.source.u.gmfn = c32.source.ref_or_gmfn;
			op.source.domid = c32.source.domid;
			op.source.offset = c32.source.offset;
			op.dest.u.gmfn = c32.dest.ref_or_gmfn;
			op.dest.domid = c32.dest.domid;
			op.dest.offset = c32.dest.offset;
		}
		gnttab_copy_batch(&env, &op, 1);
		if (nolock_missed())
			return gnt_continue(a, done, sz); /* nothing of this op happened */
		/* The op was read whole: its status is on a page that is there. */
		if (copy_to_guest_virt(v, at + status, &op.status, sizeof(op.status), NULL))
			return -EFAULT;
	}
	return 0;
}

/* One GNTTABOP_map_grant_ref. With GNTMAP_host_map the granted frame goes
 * to the caller's page at host_addr (a hole, or RAM it gives back),
 * read-only for a read-only mapping. With GNTMAP_device_map (the
 * privileged domain only) dev_bus_addr is the frame's machine address for
 * its devices: a device-only mapping changes no page table and holds the
 * frame by a count of its own, as a p2m leaf does (docs/abi.md). */
static int16_t gnt_map_one(struct domain *d, const struct gnttab_env *env,
			   struct gnttab_map_grant_ref *mo)
{
	struct gnttab_maptrack *mt = &d->xen.gnttab->mt;
	bool host = mo->flags & GNTMAP_host_map;
	struct gnttab_mapping m;
	uint64_t hpa;

	if (!mt->map) { /* the first mapping */
		struct gnttab_mapping *map = kmalloc(XEN_MAPTRACK * sizeof(*map));
		if (!map)
			return GNTST_no_device_space;
		gnttab_maptrack_init(mt, map, XEN_MAPTRACK);
	}
	enum p2m_type t = !host ? P2M_HOLE : frame_gfn_ok(d, mo->host_addr >> 12) ?
		p2m_lookup(d, mo->host_addr >> 12, &hpa, NULL) : P2M_MMIO;
	if (t != P2M_RAM && t != P2M_HOLE)
		return GNTST_bad_virt_addr;
	int16_t st = (int16_t)gnttab_map(env, mt, mo, &m);
	if (st != GNTST_okay)
		return st;
	hpa = virt_to_phys(m.host);
	if (host ? p2m_add(d, m.gfn, hpa, P2M_FOREIGN, !(m.flags & GNTMAP_readonly))
		 : frame_ref(hpa)) {
		gnttab_unmap_done(env, mt, mo->handle);
		return GNTST_general_error; /* its RAM there is mapped by another, or too often */
	}
	mo->dev_bus_addr = m.flags & GNTMAP_device_map ? hpa : 0;
	return GNTST_okay;
}

/* The mapping's own hold on its frame goes: the count of a device-only
 * mapping, or its p2m leaf in domain opaque (flushed before the grant use
 * ends; a dying mapper's leaves go with its p2m: opaque NULL). */
void gnt_drop(void *opaque, const struct gnttab_mapping *m)
{
	if (!(m->flags & GNTMAP_host_map))
		frame_unref(virt_to_phys(m->host));
	else if (opaque)
		p2m_remove(opaque, m->gfn);
}

/* GNTTABOP_unmap_grant_ref: the handle's mapping, named by its host_addr
 * (with host_map) and its dev_bus_addr (required for a device-only
 * mapping, else 0 or right: GNTST_bad_dev_addr), ends whole. */
static int16_t gnt_unmap_one(struct domain *d, const struct gnttab_env *env,
			     const struct gnttab_unmap_grant_ref *uo)
{
	struct gnttab_maptrack *mt = &d->xen.gnttab->mt;
	struct gnttab_mapping m;
	int16_t st = (int16_t)gnttab_unmap_check(mt, uo, &m);

	if (st != GNTST_okay)
		return st;
	if ((m.flags & GNTMAP_device_map) && uo->dev_bus_addr != virt_to_phys(m.host) &&
	    (uo->dev_bus_addr || !(m.flags & GNTMAP_host_map)))
		return GNTST_bad_dev_addr;
	gnt_drop(d, &m);
	gnttab_unmap_done(env, mt, uo->handle);
	return GNTST_okay;
}

/* GNTTABOP_map_grant_ref / unmap_grant_ref: GNT_MAP_BATCH ops read and
 * written back at a time (a guest page walk per batch, not per op); an
 * op array that cannot be written back loses its batch's handles, as the
 * caller's own mistake. */
static long gnt_map(struct vcpu *v, uint64_t cmd, uint64_t *a)
{
	struct domain *d = v->dom;
	struct gnttab_env env = { NULL, d->id, gnt_table, gnt_page, d->cfg.privileged };
	union {
		struct gnttab_map_grant_ref m[GNT_MAP_BATCH];
		struct gnttab_unmap_grant_ref u[GNT_MAP_BATCH];
	} op;
	bool map = cmd == GNTTABOP_map_grant_ref;
	size_t sz = map ? sizeof(op.m[0]) : sizeof(op.u[0]);

	for (uint64_t done = 0, n; done < a[2]; done += n) {
		if (done == GNT_MAPS_PER_CALL)
			return gnt_continue(a, done, sz);
		n = a[2] - done < GNT_MAP_BATCH ? a[2] - done : GNT_MAP_BATCH;
		if (copy_from_guest_virt(v, &op, a[1] + done * sz, n * sz, NULL))
			return -EFAULT;
		for (unsigned i = 0; i < n; i++) {
			if (map)
				op.m[i].status = gnt_map_one(d, &env, &op.m[i]);
			else
				op.u[i].status = gnt_unmap_one(d, &env, &op.u[i]);
		}
		if (copy_to_guest_virt(v, a[1] + done * sz, &op, n * sz, NULL))
			return -EFAULT;
	}
	return 0;
}

/* The single-struct grant operations (count 1): argument in, status out. */
static long gnt_query_size(struct vcpu *v, void *arg)
{
	struct gnttab_query_size *q = arg;

	if (self(v, q->dom))
		q->status = GNTST_permission_denied;
	else
		gnttab_query_size(&v->dom->xen.gnttab->gt, q);
	return 0;
}

/* setup_table grows the table; the guest maps its frames with
 * add_to_physmap (frame_list is not written). */
struct gnt_setup { domid_t dom; uint16_t pad; uint32_t nr_frames; int16_t status; };

static long gnt_setup_table(struct vcpu *v, void *arg)
{
	struct gnt_setup *st = arg;

	st->status = self(v, st->dom) ? GNTST_permission_denied
				      : (int16_t)gnt_grow(v->dom, st->nr_frames);
	return 0;
}

static long gnt_set_version(struct vcpu *v, void *arg)
{
	return gnttab_set_version(arg);
}

static const struct hcop gnt_ops[] = {
	[GNTTABOP_query_size] = HCOP(struct gnttab_query_size, HC_OUT, gnt_query_size),
	[GNTTABOP_setup_table] = HCOP(struct gnt_setup, HC_OUT, gnt_setup_table),
	[GNTTABOP_set_version] = HCOP(struct gnttab_set_version, HC_OUT_ALWAYS, gnt_set_version),
};

long xen_grant_table_op(struct vcpu *v, uint64_t *a)
{
	uint64_t cmd = a[0], count = a[2];

	if (!v->dom->xen.gnttab)
		return -ENOSYS;
	if (count > UINT32_MAX)
		return -EINVAL;
	if (cmd == GNTTABOP_copy)
		return gnt_copy(v, a);
	if (cmd == GNTTABOP_map_grant_ref || cmd == GNTTABOP_unmap_grant_ref)
		return gnt_map(v, cmd, a);
	if (cmd < HCOP_COUNT(gnt_ops) && gnt_ops[cmd].fn && count != 1)
		return -EINVAL;
	return hcop_call(v, gnt_ops, HCOP_COUNT(gnt_ops), cmd, a[1]);
}

/* For the audit (vmm/core/audit.c). */
bool xen_owns_frame(const struct domain *d, uint64_t hpa)
{
	return d->xen.gnttab && (hpa == d->xen.shinfo_hpa || hpa - d->xen.gnttab->frames_hpa <
			     XEN_GNT_FRAMES * 4096ull);
}

static unsigned audit_bad(const struct domain *d, const char *what, uint64_t gfn)
{
	printk("audit: domain %u: %s (gfn 0x%lx)\n", d->id, what, gfn);
	return 1;
}

/* A live mapping of d: its leaf (a device-only mapping has none, only its
 * count), and its granter's use of the grant. */
static unsigned audit_mapping(struct domain *d, const struct gnttab_mapping *m)
{
	uint64_t hpa = virt_to_phys(m->host), at;
	bool w, ro = m->flags & GNTMAP_readonly;
	struct domain *g = domain_find(m->domid);

	if (!(m->flags & GNTMAP_host_map) ? !frame_info(hpa)->refs :
	    p2m_lookup(d, m->gfn, &at, &w) != P2M_FOREIGN || at != hpa || w == ro)
		return audit_bad(d, "a grant mapping whose page is not mapped as granted", m->gfn);
	if (!g)
		return m->domid == DOMID_INVALID && frame_info(hpa)->owner == FRAME_ORPHAN ? 0 :
		       audit_bad(d, "a grant mapping of no domain's frame", m->gfn);
	const struct gnttab *gt = &g->xen.gnttab->gt;
	const struct gnttab_active *act = m->ref < gt->nr_frames * GNTTAB_PER_FRAME
					  ? &gt->active[m->ref] : NULL;
	if (!act || act->domid != d->id || !(act->readers + act->writers) ||
	    (!ro && !act->writers) || p2m_ram_frame(g, act->frame) != hpa)
		return audit_bad(d, "a grant mapping its granter's grant does not cover", m->gfn);
	return 0;
}

unsigned xen_audit(struct domain *d, uint64_t *foreign)
{
	const struct gnttab_maptrack *mt = d->xen.gnttab ? &d->xen.gnttab->mt : NULL;
	uint64_t host = 0, dev = 0;
	unsigned n = 0;

	for (uint32_t h = 0; mt && h < mt->size; h++) {
		if (!mt->map[h].flags)
			continue;
		n += audit_mapping(d, &mt->map[h]);
		*(mt->map[h].flags & GNTMAP_host_map ? &host : &dev) += 1;
	}
	if (*foreign != host)
		n += audit_bad(d, "foreign pages that no grant mapping accounts for", *foreign);
	*foreign += dev;
	return n;
}
