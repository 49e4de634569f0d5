/* SPDX-License-Identifier: GPL-2.0-only */
/* Xen's hvm_op: a domain's HVM parameters (HVMOP_set_param, get_param). */
#include "vmm/xen/xen_int.h"

long hc_hvm_op(struct vcpu *v, uint64_t *a)
{
	struct xen_hvm_param p;

	if (a[0] != HVMOP_set_param && a[0] != HVMOP_get_param)
		return -ENOSYS;
	long err;
	struct domain *d;
	if (copy_from_guest_virt(v, &p, a[1], sizeof(p), NULL))
		return -EFAULT;
	/* Another domain's: domain 0 building it (PVH domains). */
	if (p.domid == DOMID_SELF || p.domid == v->dom->id)
		d = v->dom;
	else if (!(d = xen_target(v, p.domid, &err)))
		return err == -EPERM ? -ESRCH : err;
	if (p.index >= HVM_NR_PARAMS)
		return -EINVAL;
	if (a[0] == HVMOP_get_param) {
		/* No console ring until a builder gives one: an error, as Xen's
		 * ABI allows (hvc_xen takes it as "none"), not page 0. */
		if ((p.index == HVM_PARAM_CONSOLE_PFN || p.index == HVM_PARAM_CONSOLE_EVTCHN) &&
		    !d->xen.hvm_params[p.index])
			return -ENOENT;
		p.value = d->xen.hvm_params[p.index];
		return copy_to_guest_virt(v, a[1], &p, sizeof(p), NULL) ? -EFAULT : 0;
	}
	if ((p.index == HVM_PARAM_CONSOLE_PFN || p.index == HVM_PARAM_STORE_PFN) && d != v->dom &&
	    xen_seed_grant(d, p.index == HVM_PARAM_STORE_PFN ? GNTTAB_RESERVED_XENSTORE
			   : GNTTAB_RESERVED_CONSOLE, p.value))
		return -EINVAL;
	if (p.index == HVM_PARAM_CALLBACK_IRQ && p.value &&
	    ((p.value >> 56) != HVM_PARAM_CALLBACK_TYPE_VECTOR || (p.value & 0xff) < 32 ||
	     (p.value & 0x00ffffffffffff00ull)))
		return -EINVAL; /* only "deliver as a vector >= 32" is supported */
	d->xen.hvm_params[p.index] = p.value;
	return 0;
}
