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

#endif
