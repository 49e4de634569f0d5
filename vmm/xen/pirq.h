/* SPDX-License-Identifier: GPL-2.0-only */
/* Physical IRQs passed through to domains (vmm/xen/pirq.c). */
#ifndef EYRIE_VMM_PIRQ_H
#define EYRIE_VMM_PIRQ_H

#include <stdbool.h>
#include <stdint.h>

struct domain;
struct vcpu;

/* Grants (allow) domain d the physical IRQ irq (an ISA IRQ below 16,
 * through the ACPI overrides, else a GSI), or takes it back. A domain
 * with Xen's ABI binds it as pirq = the GSI; one with the PC platform
 * sees it on its IOAPIC pin (and PIC line) of that GSI. 0, -EINVAL,
 * -EPERM (the hypervisor's own), -EBUSY (another domain's), -ENODEV (no
 * IOAPIC pin). */
int pirq_grant(struct domain *d, uint32_t irq, bool allow);
/* A new MSI for d (which has Xen's ABI): *pirq to bind with
 * EVTCHNOP_bind_pirq, and the address and data its device writes. 0,
 * -EINVAL, -ENOSPC. Freed with the domain (or pirq_grant(d, pirq, 0)). */
int pirq_msi(struct domain *d, uint32_t *pirq, uint64_t *addr, uint32_t *data);
/* Whether d was granted GSI gsi (EVTCHNOP_bind_pirq may bind it). */
bool pirq_owned(const struct domain *d, uint32_t gsi);
/* Unmasks GSI gsi's pin if a level interrupt masked it. */
void pirq_unmask(uint32_t gsi);
/* HYPERVISOR_physdev_op: irq_status_query and eoi of a granted IRQ. */
long pirq_physdev_op(struct vcpu *v, uint64_t *a);
/* An EOI in d's virtual platform: its level-triggered physical IRQs
 * delivered there are deasserted and unmasked (asserted again if the
 * device still is). */
void pirq_eoi(struct domain *d);
/* d is dying: its IRQs are masked and free again. */
void pirq_release_all(struct domain *d);

#endif
