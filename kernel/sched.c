/* SPDX-License-Identifier: GPL-2.0-only */
/* The scheduler loop (see sched.h). */
#include "kernel/sched.h"
#include "arch/x86_64/cpu.h"
#include "kernel/shell.h"

static bool (*run_next)(void);

void sched_set_runner(bool (*fn)(void))
{
	run_next = fn;
}

_Noreturn void sched_loop(void)
{
	cli();
	shell_start();
	for (;;) {
		shell_poll();
		if (!run_next || !run_next()) {
			sti_hlt(); /* idle until the tick or input */
			cli();
		}
	}
}
