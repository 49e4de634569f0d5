/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the scheduler loop (kernel/sched.c) runs on behalf of the vcpus:
 * due guest timers fired, shut-down domains reaped, every 30 ms the caps'
 * budgets renewed, then this CPU's next vcpu (a woken one first, else the
 * one furthest behind in virtual time; with none, one taken from a busier
 * CPU) run for at most one slice: until the next timer interrupt (the 100 Hz
 * tick, a guest timer's wake-up, its cap's end), it blocks or stops, or
 * the shell has input. docs/scheduling.md tells the rules.
 */
#ifndef EYRIE_VMM_RUN_H
#define EYRIE_VMM_RUN_H

#include <stdbool.h>
#include <stdint.h>

/* false: nothing was runnable (the caller idles until an interrupt). */
bool vmm_run_next(void);

/* The controls, shared by the management ops and the debug shell; the
 * caller validated d and v. Under the big lock. */
struct domain;
struct vcpu;
#define SCHED_WEIGHT_DEFAULT 256 /* as Xen's */
/* The domain's weight (1..65535) and cap (percent of one CPU, 0 = none,
 * at most 100 per vcpu): 0, or -EINVAL with nothing changed. */
int sched_set(struct domain *d, unsigned weight, unsigned cap);
unsigned sched_weight(const struct domain *d);
/* The CPUs v may run on (bit n: CPU n); it moves now if it waits, at the
 * end of its slice if it runs. -EINVAL (nothing changed) if mask names no
 * online CPU. */
int vcpu_pin(struct vcpu *v, uint64_t mask);

#endif
