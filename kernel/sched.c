/* SPDX-License-Identifier: GPL-2.0-only */
/* The scheduler loop (see sched.h). */
#include "kernel/sched.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "kernel/shell.h"
#include "kernel/smp.h"

static bool (*run_next)(void);

void sched_set_runner(bool (*fn)(void))
{
	run_next = fn;
}

/* Every CPU's: the boot CPU also serves the shell. Under the big lock
 * but while idle. */
_Noreturn void sched_loop(void)
{
	bool boot = this_cpu()->id == 0;

	cli();
	for (bool first = true;; first = false) {
		big_lock();
		if (boot && first)
			shell_start();
		if (boot)
			shell_poll();
		bool ran = run_next && run_next();
		big_unlock();
		if (!ran) {
			sti_hlt(); /* idle until the tick, a kick or input */
			cli();
		}
	}
}
