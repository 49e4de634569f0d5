/* SPDX-License-Identifier: GPL-2.0-only */
/* Xen's xen_version: the version, features and fixed strings a guest reads. */
#include "vmm/xen/xen_int.h"

static long xen_version_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	static const char extra[16] = "-eyrie";
	static const char caps[] = "hvm-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p";
	static const char changeset[64] = "eyrie";
	/* Fixed strings, no build date: the image stays reproducible. */
	static const struct xen_compile_info ci = { __VERSION__, "eyrie", "eyrie", "unknown" };
	uint8_t handle[16] = { 0 };
	uint64_t none = 0;

	switch (cmd) {
	case XENVER_extraversion:
		return copy_to_guest_virt(v, arg, extra, sizeof(extra), NULL) ? -EFAULT : 0;
	case XENVER_capabilities:
		return copy_to_guest_virt(v, arg, caps, sizeof(caps), NULL) ? -EFAULT : 0;
	case XENVER_changeset:
		return copy_to_guest_virt(v, arg, changeset, sizeof(changeset), NULL) ? -EFAULT : 0;
	case XENVER_compile_info:
		return copy_to_guest_virt(v, arg, &ci, sizeof(ci), NULL) ? -EFAULT : 0;
	case XENVER_platform_parameters: /* virt_start: 0 for HVM guests, as Xen; a
					  * xen_ulong_t, 4 bytes for 32-bit callers */
		return copy_to_guest_virt(v, arg, &none, vcpu_is_64bit(v) ? 8 : 4, NULL) ? -EFAULT : 0;
	case XENVER_get_features: {
		struct xen_feature_info fi;
		if (copy_from_guest_virt(v, &fi, arg, sizeof(fi), NULL))
			return -EFAULT;
		fi.submap = fi.submap_idx ? 0 :
			(1u << XENFEAT_writable_page_tables) | (1u << XENFEAT_auto_translated_physmap) |
			(1u << XENFEAT_hvm_callback_vector) | (1u << XENFEAT_hvm_safe_pvclock);
		return copy_to_guest_virt(v, arg, &fi, sizeof(fi), NULL) ? -EFAULT : 0;
	}
	case XENVER_pagesize:
		return 4096;
	case XENVER_guest_handle: /* the domain's handle: its id, big endian */
		handle[14] = (uint8_t)(v->dom->id >> 8);
		handle[15] = (uint8_t)v->dom->id;
		return copy_to_guest_virt(v, arg, handle, sizeof(handle), NULL) ? -EFAULT : 0;
	case XENVER_commandline:
	case XENVER_build_id:
		return -EPERM; /* as Xen's default policy answers an unprivileged domain */
	default:
		return -ENOSYS;
	}
}

long hc_xen_version(struct vcpu *v, uint64_t *a)
{
	if (a[0] == XENVER_version)
		return (4 << 16) | 17;
	return v->dom->xen.evtchn ? xen_version_op(v, a[0], a[1]) : -ENOSYS;
}
