/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the scheduler loop (kernel/sched.c) runs on behalf of the vcpus:
 * due guest timers fired, shut-down domains reaped, then the next runnable
 * vcpu (round robin, domain order) run for at most one slice: until the
 * next timer interrupt (the 100 Hz tick or a guest timer's wake-up), it
 * blocks or stops, or the shell has input.
 */
#ifndef EYRIE_VMM_RUN_H
#define EYRIE_VMM_RUN_H

#include <stdbool.h>

/* false: nothing was runnable (the caller idles until an interrupt). */
bool vmm_run_next(void);

#endif
