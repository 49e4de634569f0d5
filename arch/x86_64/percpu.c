/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-CPU areas (see percpu.h). */
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/cpu.h"

static struct percpu cpus[MAX_CPUS];
unsigned nr_cpus;

void percpu_enter(struct percpu *p)
{
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
}

void percpu_init_boot(void)
{
	cpus[0].self = &cpus[0];
	cpus[0].online = true;
	nr_cpus = 1;
	percpu_enter(&cpus[0]);
}

/* The next free slot: a CPU that did not come up (and was stopped with
 * INIT) leaves it to the next, so ids stay dense. */
struct percpu *percpu_add(uint32_t apic_id)
{
	struct percpu *p = nr_cpus < MAX_CPUS ? &cpus[nr_cpus] : 0;

	if (p)
		*p = (struct percpu){ .self = p, .id = nr_cpus, .apic_id = apic_id };
	return p;
}

struct percpu *percpu_get(unsigned i)
{
	return i < nr_cpus ? &cpus[i] : 0;
}
