/*
 * Xen's ABI for PVH domains (type=pvh): the shared info page and event
 * channels (the 2-level core of kernel/evtchn.c), reached through
 * memory_op and event_channel_op. See docs/abi.md.
 */
#ifndef EYRIE_VMM_XEN_H
#define EYRIE_VMM_XEN_H

#include <stdbool.h>
#include <stdint.h>

struct domain;
struct vcpu;

/* The domain's shared info frame and port table; 0 or -ENOMEM. */
int xen_domain_init(struct domain *d);
/* Closes its ports (peers go back to unbound) and frees both. */
void xen_domain_destroy(struct domain *d);

long xen_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg);
long xen_event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg);
long xen_grant_table_op(struct vcpu *v, uint64_t cmd, uint64_t arg, uint64_t count);
long xen_vcpu_op(struct vcpu *v, uint64_t cmd, uint64_t vcpuid, uint64_t arg);
long xen_version_op(struct vcpu *v, uint64_t cmd, uint64_t arg);
/* Ctrl-A x3 on the serial line switches input to domain 0 (if privileged):
 * CONSOLEIO_read returns it; VIRQ_CONSOLE says it is there. */
void xen_console_init(void);
long xen_console_read(struct vcpu *v, uint64_t count, uint64_t gva);
/* The vcpu's timer fired: VIRQ_TIMER if bound (true), else false. */
bool xen_timer_virq(struct vcpu *v);
/* The vcpu enters RUNSTATE_* state: the times, and the guest's copy. */
void xen_runstate(struct vcpu *v, int32_t state);
/* Grants (allow) domain d the physical IRQ irq (an ISA IRQ below 16,
 * through the ACPI overrides, else a GSI), or takes it back. A domain
 * with Xen's ABI binds it as pirq = the GSI; one with the PC platform
 * sees it on its IOAPIC pin (and PIC line) of that GSI. 0, -EINVAL, -EPERM (the hypervisor's
 * own), -EBUSY (another domain's), -ENODEV (no IOAPIC pin). */
int xen_irq_grant(struct domain *d, uint32_t irq, bool allow);
long xen_physdev_op(struct vcpu *v, uint64_t cmd, uint64_t arg);
/* An EOI in d's virtual platform: its level-triggered physical IRQs are
 * deasserted there and unmasked (asserted again if the device still is). */
void xen_pirq_eoi(struct domain *d);
/* SCHEDOP_poll's check: 1 if one of ports[n] is pending in d's shared
 * info, 0 if none, -EINVAL for a port out of range. */
int xen_any_pending(struct domain *d, const uint32_t *ports, unsigned n);
/* VIRQ_DOM_EXC to domain 0: a domain it built shut down or crashed. */
void xen_dom_exc(void);
/* Domain 0 set d's console page (HVM_PARAM_CONSOLE_PFN): grant ref
 * GNTTAB_RESERVED_CONSOLE now grants domain 0 that page, as Xen's domain
 * builder seeds it. 0 or -EINVAL (no grant table, not a RAM page). */
int xen_console_seed(struct domain *d, uint64_t gfn);
/* The domain a hypercall names (DOMID_SELF, the caller's id, or for the
 * privileged domain any other with Xen's ABI); NULL and *err otherwise. */
struct domain *xen_target(struct vcpu *v, uint16_t dom, long *err);

#endif
