/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-CPU areas (see percpu.h). */
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/cpu.h"

static struct percpu cpus[MAX_CPUS];
unsigned nr_cpus;

void percpu_init_boot(void)
{
	cpus[0].self = &cpus[0];
	cpus[0].id = 0;
	nr_cpus = 1;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&cpus[0]);
}

struct percpu *percpu_get(unsigned i)
{
	return i < nr_cpus ? &cpus[i] : 0;
}
