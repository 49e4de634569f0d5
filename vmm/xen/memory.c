/* SPDX-License-Identifier: GPL-2.0-only */
/* Xen's memory_op: the frames a guest maps, its memory map, its reservation. */
#include "vmm/xen/xen_int.h"

/* Where a guest may have a frame mapped (shared info, grant frames, a
 * grant mapping): over a page of its RAM (which it gives back), or above
 * its RAM below P2M_FRAME_MAX, off the PC platform's APIC window. */
bool frame_gfn_ok(const struct domain *d, uint64_t gfn)
{
	return gfn < d->ram_bytes >> 12 ||
	       (gfn < P2M_FRAME_MAX >> 12 && (!d->plat || gfn < 0xfec00 || gfn > 0xfee00));
}

/* XENMEM_add_to_physmap of the shared info page (64-bit and compat layouts). */
static long add_to_physmap(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->dom;
	struct xen_add_to_physmap x;
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } c; /* x86_32 */
	bool wide = vcpu_is_64bit(v);

	if (copy_from_guest_virt(v, wide ? (void *)&x : &c, arg, wide ? sizeof(x) : sizeof(c),
				 NULL))
		return -EFAULT;
	if (!wide)
		x = (struct xen_add_to_physmap){ c.domid, c.size, c.space, c.idx, c.gpfn };
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
	uint64_t hpa = f ? d->xen.gnttab->frames_hpa + (f - 1) * 4096ull : d->xen.shinfo_hpa;
	uint64_t *at = &d->xen.gnttab->frame_gfn[f];
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
		/* A page given back is RAM only. */
		if (op != XENMEM_decrease_reservation ? p2m_populate_page(v->dom, gfn) :
		    !p2m_ram_frame(v->dom, gfn) || p2m_remove(v->dom, gfn))
			break;
	}
	return (long)i;
}

long xen_memory_op(struct vcpu *v, uint64_t *a)
{
	struct domain *d = v->dom;
	uint64_t cmd = a[0] & MEMOP_CMD_MASK, arg = a[1];
	uint16_t dom;

	if (!d->xen.evtchn)
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
