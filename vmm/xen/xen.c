/* Xen's ABI for PVH domains: shared info and event channels (see xen.h). */
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
	else
		vcpu_wake(v);
}

/* A vcpu's vcpu_info: in the shared info, or where it registered it. */
static struct vcpu_info *vinfo(struct domain *d, unsigned vcpu)
{
	struct vcpu *v = d->vcpus[vcpu];
	struct vcpu_info *vi = v->vinfo_gpa ? gpa_ptr(d, v->vinfo_gpa, sizeof(*vi), true) : NULL;

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
	    !__atomic_fetch_or(&vinfo(d, (unsigned)vcpu)->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
		upcall(d->vcpus[vcpu]);
}

/* Sets the port pending in its domain's ABI; raises the upcall. */
static void deliver(const struct evtchn_notify *n)
{
	struct domain *d = domain_find(n->domid);

	if (!d || !d->evtchn || n->vcpu >= d->nr_vcpus)
		return;
	struct vcpu *v = d->vcpus[n->vcpu];
	if (d->evtchn->fifo.on)
		mark(d, evtchn_fifo_raise(d->evtchn, FIFO_MEM(d), n->port));
	else if (evtchn_2l_set_pending(shinfo(d), vinfo(d, n->vcpu), n->port))
		upcall(v);
	if (v->polling) /* SCHEDOP_poll: even masked */
		vcpu_wake(v);
}

int xen_any_pending(struct domain *d, const uint32_t *ports, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (ports[i] >= d->evtchn->max_ports)
			return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (d->evtchn->fifo.on ? evtchn_fifo_is_pending(d->evtchn, FIFO_MEM(d), ports[i])
				       : evtchn_2l_is_pending(shinfo(d), ports[i]))
			return 1;
	return 0;
}

bool xen_virq(struct domain *d, uint32_t virq, unsigned vcpu)
{
	struct evtchn_notify n;

	if (!d || !d->evtchn || !evtchn_virq_target(d->evtchn, virq, vcpu, &n))
		return false;
	deliver(&n);
	return true;
}

void xen_dom_exc(void)
{
	xen_virq(domain_find(0), VIRQ_DOM_EXC, 0);
}

bool xen_timer_virq(struct vcpu *v)
{
	return xen_virq(v->dom, VIRQ_TIMER, v->id);
}

struct vcpu_info *xen_vinfo(struct domain *d, unsigned vcpu)
{
	return vinfo(d, vcpu);
}

/* The shared info's times: each vcpu's and the wall clock at system time 0. */
static void fill_shared_times(struct domain *d)
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

	d->gnttab = g;
	d->evtchn = kzalloc(sizeof(*d->evtchn));
	d->shinfo_hpa = frame_get(FRAME_GUEST);
	if (g)
		g->frames_hpa = frames_get(XEN_GNT_FRAMES, 1, FRAME_GUEST);
	if (!d->evtchn || !d->shinfo_hpa || !g || !g->frames_hpa ||
	    evtchn_table_init(d->evtchn, d->id, d->nr_vcpus) ||
	    gnttab_init(&g->gt, d->id, g->active, XEN_GNT_FRAMES)) {
		xen_domain_destroy(d);
		return -ENOMEM;
	}
	frames_set_owner(d->shinfo_hpa, 1, FRAME_XEN);
	frames_set_owner(g->frames_hpa, XEN_GNT_FRAMES, FRAME_XEN);
	for (unsigned i = 0; i < XEN_FRAMES; i++)
		g->frame_gfn[i] = NO_GFN;
	fill_shared_times(d);
	return 0;
}

static struct gnttab *gnt_table(void *opaque, domid_t domid);
static void *gnt_page(void *opaque, domid_t domid, uint64_t gfn, bool write);

/* d is dying: what other domains still hold of it stays theirs, but no
 * longer names d's id, which a new domain may get at once. Their mappings
 * of its frames stay (the frames outlive d as orphans, see p2m_destroy)
 * and name no granter; their ports to d accept no one. */
static void forget_peer(struct domain *d)
{
	for (struct domain *x = domain_list(); x; x = x->next) {
		if (x == d || !x->gnttab)
			continue;
		for (uint32_t h = 0; h < x->gnttab->mt.size; h++)
			if (x->gnttab->mt.map[h].flags && x->gnttab->mt.map[h].domid == d->id)
				x->gnttab->mt.map[h].domid = DOMID_INVALID;
		for (uint32_t p = 1; p < EVTCHN_MAX_PORTS; p++)
			if (x->evtchn->ports[p].state == ECS_UNBOUND &&
			    x->evtchn->ports[p].remote_dom == d->id)
				x->evtchn->ports[p].remote_dom = DOMID_INVALID;
	}
}

bool xen_pirq_event(struct domain *d, uint32_t gsi)
{
	struct evtchn_notify n;

	if (!d->evtchn || !evtchn_pirq_target(d->evtchn, gsi, &n))
		return false;
	deliver(&n);
	return true;
}

void xen_domain_destroy(struct domain *d)
{
	pirq_release_all(d);
	if (d->evtchn)
		evtchn_reset(&doms, d->evtchn);
	/* A copy holds its grant uses only within the hypercall. d's own
	 * mappings left its p2m with it: the granters' uses end here. */
	if (d->gnttab) {
		struct gnttab_env env = { NULL, d->id, gnt_table, gnt_page };
		gnttab_maptrack_sweep(&env, &d->gnttab->mt, NULL);
		kfree(d->gnttab->mt.map);
	}
	if (d->evtchn && d->gnttab)
		forget_peer(d);
	kfree(d->evtchn);
	d->evtchn = NULL;
	if (d->shinfo_hpa)
		frame_put(d->shinfo_hpa, FRAME_GUEST);
	d->shinfo_hpa = 0;
	if (d->gnttab && d->gnttab->frames_hpa)
		frames_put(d->gnttab->frames_hpa, XEN_GNT_FRAMES, FRAME_GUEST);
	kfree(d->gnttab);
	d->gnttab = NULL;
}

/* Grows the grant table to nr frames (the frames exist already). */
static int gnt_grow(struct domain *d, uint32_t nr)
{
	struct gnttab *gt = &d->gnttab->gt;
	uint32_t to;

	if (gnttab_setup_check(gt, nr, &to))
		return GNTST_general_error;
	return gnttab_grow(gt, phys_to_virt(d->gnttab->frames_hpa), to) ? GNTST_general_error : 0;
}

/* DOMID_SELF or the caller's own id: the caller; anything else needs
 * privileges no domain has yet. */
static int self(struct vcpu *v, domid_t dom)
{
	return dom == DOMID_SELF || dom == v->dom->id ? 0 : -EPERM;
}

/* The domain a call names: the caller itself, or (for the privileged
 * domain only, as Xen's domain 0) any other with Xen's ABI. */
struct domain *xen_target(struct vcpu *v, uint16_t dom, long *err)
{
	struct domain *d = !self(v, dom) ? v->dom : v->dom->cfg.privileged ? domain_find(dom) : NULL;

	*err = d && d->evtchn ? 0 : v->dom->cfg.privileged ? -ESRCH : -EPERM;
	return *err ? NULL : d;
}

int xen_seed_grant(struct domain *d, grant_ref_t ref, uint64_t gfn)
{
	if (!d->gnttab || gfn >= d->ram_bytes >> 12 || gnt_grow(d, 1))
		return -EINVAL;
	struct grant_entry_v1 *e = &d->gnttab->gt.shared[ref];
	e->frame = (uint32_t)gfn;
	e->domid = 0;
	__atomic_store_n(&e->flags, GTF_permit_access, __ATOMIC_RELEASE);
	return 0;
}

/* ---- memory_op ---- */

/* Where a guest may have a frame mapped (shared info, grant frames, a
 * grant mapping): over a page of its RAM (which it gives back), or above
 * its RAM below P2M_FRAME_MAX, off the PC platform's APIC window. */
static bool frame_gfn_ok(const struct domain *d, uint64_t gfn)
{
	if (gfn < d->ram_bytes >> 12)
		return true;
	if (gfn >= P2M_FRAME_MAX >> 12)
		return false;
	return !d->plat || gfn < 0xfec00 || gfn > 0xfee00;
}

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
	unsigned f; /* which of the domain's frames */
	if (x.space == XENMAPSPACE_shared_info && x.idx == 0)
		f = 0;
	else if (x.space == XENMAPSPACE_grant_table && x.idx < XEN_GNT_FRAMES)
		f = 1 + (unsigned)x.idx; /* grows the table to it */
	else if (x.space == XENMAPSPACE_shared_info || x.space == XENMAPSPACE_grant_table)
		return -EINVAL;
	else
		return -ENOSYS;
	uint64_t hpa = f ? d->gnttab->frames_hpa + (f - 1) * 4096ull : d->shinfo_hpa;
	uint64_t *at = &d->gnttab->frame_gfn[f];
	if (!frame_gfn_ok(d, x.gpfn))
		return -EINVAL;
	if (*at == x.gpfn)
		return 0;
	if (f && gnt_grow(d, f))
		return -EINVAL;
	/* The frame moves: its old place becomes a hole, as in Xen. */
	int rc = p2m_add(d, x.gpfn, hpa, P2M_FRAME, true);
	if (rc)
		return rc;
	if (*at != NO_GFN)
		p2m_remove(d, *at);
	*at = x.gpfn;
	if (!f)
		fill_shared_times(d);
	return 0;
}

/* XENMEM_memory_map (the caller's, as its builder set it) and
 * XENMEM_set_memory_map (the privileged domain, for a domain it builds):
 * 64-bit and x86_32 layouts. */
static long memory_map(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	bool wide = vcpu_is_64bit(v), set = cmd == XENMEM_set_memory_map;
	uint32_t in[6] = { 0 }; /* [domid,] nr_entries, buffer */
	unsigned at = set ? (wide ? 2 : 1) : 0; /* where nr_entries is, in words */
	size_t len = (at + (wide ? 4 : 2)) * 4;
	struct domain *d = v->dom;
	long err;

	if (copy_from_guest_virt(v, in, arg, len, NULL))
		return -EFAULT;
	uint32_t nr = in[at];
	uint64_t buf = wide ? in[at + 2] | (uint64_t)in[at + 3] << 32 : in[at + 1];
	if (set) {
		if (!(d = xen_target(v, (domid_t)in[0], &err)))
			return err;
		if (d == v->dom && !v->dom->cfg.privileged)
			return -EPERM;
		if (nr > DOM_E820_MAX)
			return -EINVAL;
		if (nr && copy_from_guest_virt(v, d->e820, buf, nr * sizeof(d->e820[0]), NULL))
			return -EFAULT;
		d->nr_e820 = nr;
		return 0;
	}
	if (!d->nr_e820)
		return -ENOSYS; /* no builder said */
	nr = nr < d->nr_e820 ? nr : d->nr_e820;
	if (copy_to_guest_virt(v, buf, d->e820, nr * sizeof(d->e820[0]), NULL))
		return -EFAULT;
	return copy_to_guest_virt(v, arg, &nr, sizeof(nr), NULL) ? -EFAULT : 0;
}

/* A page of RAM given back (decrease_reservation): RAM only. */
static int give_back(struct domain *d, uint64_t gfn)
{
	uint64_t hpa;
	bool w;

	return p2m_lookup(d, gfn, &hpa, &w) == P2M_RAM ? p2m_remove(d, gfn) : -EINVAL;
}

/* Extents done per entry: a longer list continues (-ERESTART), so one
 * call never runs long whatever the guest asks. */
#define BALLOON_BATCH 64

/* XENMEM_decrease_reservation (pages given back; not one another domain
 * maps), increase_reservation and populate_physmap (holes backed again;
 * for a translated guest both take gfns, as populate_physmap does in
 * Xen): order-0 extents of the caller's own memory, from the start extent
 * in cmd's bits MEMOP_EXTENT_SHIFT up. Returns the extents done in all,
 * stopping at the first that fails. */
static long reservation(struct vcpu *v, uint64_t *cmd, uint64_t arg)
{
	bool wide = vcpu_is_64bit(v);
	struct xen_memory_reservation r;
	struct { uint32_t start, nr, order, flags; uint16_t domid; } r32;
	uint64_t op = *cmd & MEMOP_CMD_MASK, i = *cmd >> MEMOP_EXTENT_SHIFT;

	if (wide ? copy_from_guest_virt(v, &r, arg, sizeof(r), NULL)
		 : copy_from_guest_virt(v, &r32, arg, 18, NULL))
		return -EFAULT;
	if (!wide)
		r = (struct xen_memory_reservation){ r32.start, r32.nr, r32.order, r32.flags, r32.domid };
	if (self(v, r.domid))
		return -EPERM;
	if (r.extent_order || i > r.nr_extents)
		return -EINVAL; /* 4 KiB extents only */
	if (!wide && r.nr_extents > UINT32_MAX >> MEMOP_EXTENT_SHIFT)
		return -EINVAL; /* its continuation would not fit in a 32-bit cmd */
	for (uint64_t stop = i + BALLOON_BATCH; i < r.nr_extents; i++) {
		uint64_t gfn = 0;
		if (i == stop) {
			*cmd = op | i << MEMOP_EXTENT_SHIFT;
			return -ERESTART;
		}
		if (copy_from_guest_virt(v, &gfn, r.extent_start + i * (wide ? 8 : 4), wide ? 8 : 4, NULL))
			return i ? (long)i : -EFAULT;
		if (op == XENMEM_decrease_reservation ? give_back(v->dom, gfn)
						      : p2m_populate_page(v->dom, gfn))
			break;
	}
	return (long)i;
}

long xen_memory_op(struct vcpu *v, uint64_t *a)
{
	struct domain *d = v->dom;
	uint64_t cmd = a[0] & MEMOP_CMD_MASK, arg = a[1];
	uint16_t dom;

	if (!d->evtchn)
		return -ENOSYS;
	if (cmd == XENMEM_decrease_reservation || cmd == XENMEM_increase_reservation ||
	    cmd == XENMEM_populate_physmap)
		return reservation(v, &a[0], arg);
	if (a[0] != cmd)
		return -ENOSYS; /* no start extent for the others */
	if (cmd == XENMEM_current_reservation || cmd == XENMEM_maximum_reservation) {
		if (copy_from_guest_virt(v, &dom, arg, sizeof(dom), NULL))
			return -EFAULT;
		if (self(v, dom))
			return -EPERM;
		return (long)(cmd == XENMEM_current_reservation ? d->ram_pages : d->ram_bytes >> 12);
	}
	if (cmd == XENMEM_add_to_physmap)
		return add_to_physmap(v, arg);
	if (cmd == XENMEM_memory_map || cmd == XENMEM_set_memory_map)
		return memory_map(v, cmd, arg);
	return -ENOSYS;
}

/* ---- grant_table_op ---- */

static struct gnttab *gnt_table(void *opaque, domid_t domid)
{
	struct domain *d = domain_find(domid);

	return d && d->gnttab ? &d->gnttab->gt : NULL;
}

/* Only the domain's own RAM: never a page it maps from another domain or
 * from the hypervisor, so a grant cannot pass on what is not the
 * granter's to give. */
static void *gnt_page(void *opaque, domid_t domid, uint64_t gfn, bool write)
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

#define GNT_COPY_BATCH 8
/* Ops done per entry: a longer list continues (-ERESTART). */
#define GNT_OPS_PER_CALL 32

/* The rest of a list of count ops of sz bytes at a[1], of which done
 * were done now: the call runs again for them. */
static long gnt_continue(uint64_t *a, uint64_t done, size_t sz)
{
	a[1] += done * sz;
	a[2] -= done;
	return -ERESTART;
}

/* GNTTABOP_copy: GNT_COPY_BATCH ops at a time; each op's status is
 * written back; 0, or -EFAULT for an unreadable op array. */
static long gnt_copy(struct vcpu *v, uint64_t *a)
{
	bool wide = vcpu_is_64bit(v);
	size_t sz = wide ? sizeof(struct gnttab_copy) : sizeof(struct gnt_copy32);
	struct gnttab_env env = { NULL, v->dom->id, gnt_table, gnt_page };
	struct gnttab_copy ops[GNT_COPY_BATCH];
	struct gnt_copy32 c32;
	uint64_t arg = a[1], count = a[2];

	for (uint64_t done = 0; done < count;) {
		if (done == GNT_OPS_PER_CALL)
			return gnt_continue(a, done, sz);
		unsigned n = count - done < GNT_COPY_BATCH ? (unsigned)(count - done) : GNT_COPY_BATCH;
		for (unsigned i = 0; i < n; i++) {
			uint64_t at = arg + (done + i) * sz;
			if (wide) {
				if (copy_from_guest_virt(v, &ops[i], at, sz, NULL))
					return -EFAULT;
				continue;
			}
			if (copy_from_guest_virt(v, &c32, at, sz, NULL))
				return -EFAULT;
			ops[i] = (struct gnttab_copy){ .len = c32.len, .flags = c32.flags };
			ops[i].source.u.gmfn = c32.source.ref_or_gmfn;
			ops[i].source.domid = c32.source.domid;
			ops[i].source.offset = c32.source.offset;
			ops[i].dest.u.gmfn = c32.dest.ref_or_gmfn;
			ops[i].dest.domid = c32.dest.domid;
			ops[i].dest.offset = c32.dest.offset;
		}
		gnttab_copy_batch(&env, ops, n);
		for (unsigned i = 0; i < n; i++) {
			uint64_t at = arg + (done + i) * sz + (wide ? __builtin_offsetof(struct gnttab_copy, status)
								     : __builtin_offsetof(struct gnt_copy32, status));
			if (copy_to_guest_virt(v, at, &ops[i].status, sizeof(ops[i].status), NULL))
				return -EFAULT;
		}
		done += n;
	}
	return 0;
}

/* One GNTTABOP_map_grant_ref: the granted frame goes to the caller's page
 * at host_addr (a hole, or RAM it gives back), read-only for a read-only
 * mapping. */
static int16_t gnt_map_one(struct domain *d, const struct gnttab_env *env,
			   struct gnttab_map_grant_ref *mo)
{
	struct gnttab_maptrack *mt = &d->gnttab->mt;
	struct gnttab_mapping m;
	uint64_t hpa;
	bool w;

	if (!mt->map) { /* the first mapping */
		struct gnttab_mapping *map = kmalloc(XEN_MAPTRACK * sizeof(*map));
		if (!map)
			return GNTST_no_device_space;
		gnttab_maptrack_init(mt, map, XEN_MAPTRACK);
	}
	enum p2m_type t = frame_gfn_ok(d, mo->host_addr >> 12) ?
		p2m_lookup(d, mo->host_addr >> 12, &hpa, &w) : P2M_MMIO;
	if (t != P2M_RAM && t != P2M_HOLE)
		return GNTST_bad_virt_addr;
	int16_t st = (int16_t)gnttab_map(env, mt, mo, &m);
	if (st == GNTST_okay && p2m_add(d, m.gfn, virt_to_phys(m.host), P2M_FOREIGN,
					!(m.flags & GNTMAP_readonly))) {
		gnttab_unmap_done(env, mt, mo->handle);
		st = GNTST_general_error; /* its RAM there is mapped by another domain */
	}
	return st;
}

/* GNTTABOP_map_grant_ref / unmap_grant_ref, one op at a time. */
static long gnt_map(struct vcpu *v, uint64_t cmd, uint64_t *a)
{
	struct domain *d = v->dom;
	struct gnttab_env env = { NULL, d->id, gnt_table, gnt_page };
	struct gnttab_maptrack *mt = &d->gnttab->mt;
	struct gnttab_map_grant_ref mo;
	struct gnttab_unmap_grant_ref uo;
	struct gnttab_mapping m;
	bool map = cmd == GNTTABOP_map_grant_ref;
	size_t sz = map ? sizeof(mo) : sizeof(uo);
	uint64_t arg = a[1];

	for (uint64_t i = 0; i < a[2]; i++, arg += sz) {
		if (i == GNT_OPS_PER_CALL)
			return gnt_continue(a, i, sz);
		if (copy_from_guest_virt(v, map ? (void *)&mo : (void *)&uo, arg, sz, NULL))
			return -EFAULT;
		if (map)
			mo.status = gnt_map_one(d, &env, &mo);
		else if ((uo.status = (int16_t)gnttab_unmap_check(mt, &uo, &m)) == GNTST_okay) {
			p2m_remove(d, m.gfn); /* flushed before the grant use ends */
			gnttab_unmap_done(&env, mt, uo.handle);
		}
		if (copy_to_guest_virt(v, arg, map ? (void *)&mo : (void *)&uo, sz, NULL))
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
		gnttab_query_size(&v->dom->gnttab->gt, q);
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

	if (!v->dom->gnttab)
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

/* ---- audit (vmm/core/audit.c) ---- */

bool xen_owns_frame(const struct domain *d, uint64_t hpa)
{
	return d->gnttab && (hpa == d->shinfo_hpa || hpa - d->gnttab->frames_hpa <
			     XEN_GNT_FRAMES * 4096ull);
}

static unsigned audit_bad(const struct domain *d, const char *what, uint64_t gfn)
{
	printk("audit: domain %u: %s (gfn 0x%lx)\n", d->id, what, gfn);
	return 1;
}

/* A live mapping of d: its leaf, and its granter's use of the grant. */
static unsigned audit_mapping(struct domain *d, const struct gnttab_mapping *m)
{
	uint64_t hpa, want = virt_to_phys(m->host);
	bool w, ro = m->flags & GNTMAP_readonly;
	struct domain *g = domain_find(m->domid);

	if (p2m_lookup(d, m->gfn, &hpa, &w) != P2M_FOREIGN || hpa != want || w == ro)
		return audit_bad(d, "a grant mapping whose page is not mapped as granted", m->gfn);
	if (!g)
		return m->domid == DOMID_INVALID && frame_info(hpa)->owner == FRAME_ORPHAN ? 0 :
		       audit_bad(d, "a grant mapping of no domain's frame", m->gfn);
	const struct gnttab *gt = &g->gnttab->gt;
	const struct gnttab_active *act = m->ref < gt->nr_frames * GNTTAB_PER_FRAME
					  ? &gt->active[m->ref] : NULL;
	if (!act || act->domid != d->id || !(act->readers + act->writers) ||
	    (!ro && !act->writers) || p2m_ram_frame(g, act->frame) != hpa)
		return audit_bad(d, "a grant mapping its granter's grant does not cover", m->gfn);
	return 0;
}

unsigned xen_audit(struct domain *d, uint64_t foreign)
{
	const struct gnttab_maptrack *mt = d->gnttab ? &d->gnttab->mt : NULL;
	unsigned n = 0;

	if (foreign != (mt ? mt->used : 0))
		n += audit_bad(d, "foreign pages that no grant mapping accounts for", foreign);
	for (uint32_t h = 0; mt && h < mt->size; h++)
		if (mt->map[h].flags)
			n += audit_mapping(d, &mt->map[h]);
	return n;
}

/* ---- event_channel_op ---- */

/* One function per operation, its argument copied in (and out) by
 * hcop_call. A send or a bind may make the peer's port pending: deliver()
 * raises its upcall. */
static long ev_alloc_unbound(struct vcpu *v, void *arg)
{
	struct evtchn_alloc_unbound *op = arg;
	struct domain *owner;
	long e;

	if (!(owner = xen_target(v, op->dom, &e)))
		return e; /* in another domain: for domain 0 building it */
	int rc = evtchn_alloc_unbound(owner->evtchn, op->remote_dom == DOMID_SELF ? v->dom->id
										  : op->remote_dom);
	if (rc >= 0)
		op->port = (uint32_t)rc;
	return rc < 0 ? rc : 0;
}

static long ev_bind_interdomain(struct vcpu *v, void *arg)
{
	struct evtchn_bind_interdomain *op = arg;
	struct evtchn_notify n;
	int rc = evtchn_bind_interdomain(&doms, v->dom->evtchn, op->remote_dom == DOMID_SELF ?
					 v->dom->id : op->remote_dom, op->remote_port, &n);

	if (rc < 0)
		return rc;
	op->local_port = (uint32_t)rc;
	deliver(&n); /* the peer may have sent while unbound */
	return 0;
}

static long ev_bind_virq(struct vcpu *v, void *arg)
{
	struct evtchn_bind_virq *op = arg;
	int rc = evtchn_bind_virq(v->dom->evtchn, op->virq, op->vcpu);

	if (rc >= 0)
		op->port = (uint32_t)rc;
	return rc < 0 ? rc : 0;
}

static long ev_bind_ipi(struct vcpu *v, void *arg)
{
	struct evtchn_bind_ipi *op = arg;
	int rc = evtchn_bind_ipi(v->dom->evtchn, op->vcpu);

	if (rc >= 0)
		op->port = (uint32_t)rc;
	return rc < 0 ? rc : 0;
}

static long ev_bind_pirq(struct vcpu *v, void *arg)
{
	struct evtchn_bind_pirq *op = arg;

	if (!pirq_owned(v->dom, op->pirq))
		return -EPERM; /* not granted to this domain */
	int rc = evtchn_bind_pirq(v->dom->evtchn, op->pirq);
	if (rc < 0)
		return rc;
	op->port = (uint32_t)rc;
	pirq_unmask(op->pirq);
	return 0;
}

static long ev_bind_vcpu(struct vcpu *v, void *arg)
{
	const struct evtchn_bind_vcpu *op = arg;

	return evtchn_bind_vcpu(v->dom->evtchn, op->port, op->vcpu);
}

static long ev_close(struct vcpu *v, void *arg)
{
	const struct evtchn_close *op = arg;
	struct domain *d = v->dom;

	if (op->port < EVTCHN_MAX_PORTS && d->evtchn->fifo.on)
		evtchn_fifo_clear(d->evtchn, FIFO_MEM(d), op->port);
	else
		evtchn_2l_clear_pending(shinfo(d), op->port);
	return evtchn_close(&doms, d->evtchn, op->port);
}

static long ev_send(struct vcpu *v, void *arg)
{
	const struct evtchn_send *op = arg;
	struct evtchn_notify n;
	int rc = evtchn_send(&doms, v->dom->evtchn, op->port, &n);

	if (rc > 0)
		deliver(&n);
	return rc < 0 ? rc : 0;
}

static long ev_status(struct vcpu *v, void *arg)
{
	struct evtchn_status *op = arg;
	int rc = self(v, op->dom);

	return rc ? rc : evtchn_status(v->dom->evtchn, op->port, op);
}

static long ev_unmask(struct vcpu *v, void *arg)
{
	const struct evtchn_unmask *op = arg;
	struct domain *d = v->dom;
	int rc = evtchn_port_vcpu(d->evtchn, op->port);

	if (rc < 0)
		return rc;
	if (d->evtchn->fifo.on)
		mark(d, evtchn_fifo_unmask(d->evtchn, FIFO_MEM(d), op->port));
	else if ((unsigned)rc < d->nr_vcpus && evtchn_2l_unmask(shinfo(d), vinfo(d, (unsigned)rc),
								op->port))
		upcall(d->vcpus[rc]);
	return 0;
}

static long ev_reset(struct vcpu *v, void *arg)
{
	const struct evtchn_reset *op = arg;
	int rc = self(v, op->dom);

	if (rc)
		return rc;
	evtchn_reset(&doms, v->dom->evtchn); /* back to 2-level */
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
	return evtchn_fifo_init_control(v->dom->evtchn, op->control_gfn, op->offset, op->vcpu,
					shinfo(v->dom));
}

static long ev_expand_array(struct vcpu *v, void *arg)
{
	const struct evtchn_expand_array *op = arg;
	struct evtchn_table *t = v->dom->evtchn;
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

	return evtchn_fifo_set_priority(v->dom->evtchn, op->port, op->priority);
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

long xen_event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	if (!v->dom->evtchn)
		return -ENOSYS;
	return hcop_call(v, ev_ops, HCOP_COUNT(ev_ops), cmd, arg);
}
