/*
 * The scheduler: one loop per CPU that serves the debug shell, fires vcpu
 * timers, reaps shut-down domains and runs runnable vcpus round robin,
 * each for at most one timer tick (10 ms) at a time.
 */
#ifndef EYRIE_KERNEL_SCHED_H
#define EYRIE_KERNEL_SCHED_H

_Noreturn void sched_loop(void);

#endif
