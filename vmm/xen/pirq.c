/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical IRQs a domain was granted (EYRIE_OP_irq, see pirq.h): the
 * hypervisor routes the IOAPIC pin to itself and passes each interrupt
 * on: as an event on the port the domain bound (EVTCHNOP_bind_pirq, pirq
 * = the GSI), or on its virtual platform's IOAPIC pin. A level-triggered
 * one stays masked until the domain's EOI (PHYSDEVOP_eoi, or its virtual
 * IOAPIC's).
 */
#include "vmm/xen/pirq.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/traps.h"
#include "drivers/acpi.h"
#include "include/public/xen.h"
#include "kernel/smp.h"
#include "kernel/errno.h"
#include "kernel/main.h"
#include "vmm/core/domain.h"
#include "vmm/core/guest_mem.h"
#include "vmm/plat/vplat.h"
#include "vmm/xen/xen.h"

#define MAX_GSI (VEC_IRQ_END - VEC_IRQ_BASE)
/* Pirqs from here on are MSIs (no IOAPIC pin): a device writes their
 * vector to the local APIC itself. */
#define MSI_FIRST 64
static struct pirq {
	uint16_t owner;   /* domain id + 1, 0 = the hypervisor's */
	bool level;       /* masked at each interrupt until PHYSDEVOP_eoi */
	bool masked;
	bool via_plat;    /* the last one went to the platform's IOAPIC: its EOI unmasks */
	bool msi;
} gsis[MAX_GSI];

static struct pirq *owned(const struct domain *d, uint32_t gsi)
{
	return gsi < MAX_GSI && gsis[gsi].owner == d->id + 1 ? &gsis[gsi] : NULL;
}

void pirq_unmask(uint32_t gsi)
{
	if (gsis[gsi].masked && !gsis[gsi].msi && !ioapic_mask(gsi, false))
		gsis[gsi].masked = false;
}

/* The interrupt: an event on the owner's port (a level one stays masked
 * until the owner's EOI). */
static void pirq_irq(struct trap_frame *f)
{
	bool locked = big_lock_irq();
	uint32_t gsi = (uint32_t)(f->vector - VEC_IRQ_BASE);
	struct domain *d = gsi < MAX_GSI && gsis[gsi].owner ? domain_find(gsis[gsi].owner - 1u) : NULL;

	if (gsi < MAX_GSI && !gsis[gsi].msi && (gsis[gsi].level || !d)) {
		ioapic_mask(gsi, true);
		gsis[gsi].masked = true;
	}
	/* A port bound to it (EVTCHNOP_bind_pirq) first, else the platform's
	 * IOAPIC pin. */
	if (d && xen_pirq_event(d, gsi)) {
		gsis[gsi].via_plat = false;
	} else if (d && d->plat) {
		gsis[gsi].via_plat = true;
		vplat_gsi(d, gsi, true);
		if (!gsis[gsi].level)
			vplat_gsi(d, gsi, false); /* an edge */
	}
	lapic_eoi();
	if (locked)
		big_unlock();
}

void pirq_eoi(struct domain *d)
{
	if (!d->xen.nr_pirqs)
		return;
	for (uint32_t gsi = 0; gsi < MAX_GSI; gsi++)
		if (owned(d, gsi) && gsis[gsi].level && gsis[gsi].masked && gsis[gsi].via_plat) {
			vplat_gsi(d, gsi, false);
			pirq_unmask(gsi);
		}
}

static void pirq_release(struct domain *d, uint32_t gsi)
{
	if (!gsis[gsi].msi)
		ioapic_mask(gsi, true);
	gsis[gsi] = (struct pirq){ 0, false, true, false, false };
	d->xen.nr_pirqs--;
}

void pirq_release_all(struct domain *d)
{
	for (uint32_t gsi = 0; d->xen.nr_pirqs && gsi < MAX_GSI; gsi++)
		if (owned(d, gsi))
			pirq_release(d, gsi);
}

bool pirq_owned(const struct domain *d, uint32_t gsi)
{
	return owned(d, gsi) != NULL;
}

int pirq_grant(struct domain *d, uint32_t irq, bool allow)
{
	uint32_t gsi = irq;
	bool low = true, level = true; /* a PCI interrupt */

	if ((irq < 16 && acpi_irq_to_gsi(&sys()->acpi, (uint8_t)irq, &gsi, &low, &level)) ||
	    gsi >= MAX_GSI)
		return -EINVAL;
	if (!allow) {
		if (owned(d, gsi))
			pirq_release(d, gsi);
		return 0;
	}
	if (!d->xen.evtchn && !d->plat)
		return -EINVAL; /* nowhere to deliver it */
	if (gsi == sys()->serial_gsi || gsi == 0 || gsi == 2)
		return -EPERM; /* the hypervisor's serial port and timer */
	if (owned(d, gsi))
		return 0;
	if (gsis[gsi].owner)
		return -EBUSY;
	irq_register((uint8_t)(VEC_IRQ_BASE + gsi), pirq_irq);
	gsis[gsi] = (struct pirq){ (uint16_t)(d->id + 1), level, false, false, false };
	if (ioapic_route(gsi, (uint8_t)(VEC_IRQ_BASE + gsi), low, level, lapic_id())) {
		gsis[gsi].owner = 0;
		return -ENODEV;
	}
	d->xen.nr_pirqs++;
	return 0;
}

int pirq_msi(struct domain *d, uint32_t *pirq, uint64_t *addr, uint32_t *data)
{
	uint32_t p = MSI_FIRST;

	if (!d->xen.evtchn)
		return -EINVAL;
	while (p < MAX_GSI && gsis[p].owner)
		p++;
	if (p == MAX_GSI)
		return -ENOSPC;
	irq_register((uint8_t)(VEC_IRQ_BASE + p), pirq_irq);
	gsis[p] = (struct pirq){ (uint16_t)(d->id + 1), false, false, false, true };
	d->xen.nr_pirqs++;
	*pirq = p;
	*addr = 0xfee00000ull | (uint64_t)lapic_id() << 12; /* fixed, physical destination */
	*data = VEC_IRQ_BASE + p;                            /* edge, fixed delivery */
	return 0;
}

long pirq_physdev_op(struct vcpu *v, uint64_t *a)
{
	uint64_t cmd = a[0], arg = a[1];
	struct physdev_irq_status_query q;
	struct pirq *p;

	if (!v->dom->xen.evtchn || (cmd != PHYSDEVOP_eoi && cmd != PHYSDEVOP_irq_status_query))
		return -ENOSYS;
	if (copy_from_guest_virt(v, &q, arg, cmd == PHYSDEVOP_eoi ? 4 : sizeof(q), NULL))
		return -EFAULT;
	if (!(p = owned(v->dom, q.irq)))
		return -EINVAL;
	if (cmd == PHYSDEVOP_eoi) {
		pirq_unmask(q.irq);
		return 0;
	}
	q.flags = p->level ? XENIRQSTAT_needs_eoi : 0;
	return copy_to_guest_virt(v, arg, &q, sizeof(q), NULL) ? -EFAULT : 0;
}
