/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The scheduler loop: one per CPU. It serves the debug shell and calls the
 * runner the vcpu layer registered (vmm/core/run.h: guest timers, reaping, the
 * next vcpu's slice); when the runner has nothing to run, the CPU halts
 * until the next interrupt. The kernel knows nothing of vcpus: the arrow
 * from here to vmm/ is this callback.
 */
#ifndef EYRIE_KERNEL_SCHED_H
#define EYRIE_KERNEL_SCHED_H

#include <stdbool.h>

/* fn: runs something and says whether it did (false: idle). */
void sched_set_runner(bool (*fn)(void));
_Noreturn void sched_loop(void);

#endif
