/* SPDX-License-Identifier: GPL-2.0-only */
/* Host SMP bring-up (see smp.h). */
#include "kernel/smp.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/trampoline.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/sched.h"
#include "kernel/string.h"

#define STACK_PAGES 4
#define SIPI_PAGE_MAX 0x9f /* below the EBDA and VGA holes */

static int (*cpu_up_hook)(void);
static uint32_t lock_next, lock_owner; /* the big lock's tickets */
static volatile int lock_cpu = -1;     /* its holder */
static uint32_t napper[MAX_CPUS];      /* by ticket: the CPU + 1 halted for it */
#define NAP_SPINS 2000                 /* spins before halting (tens of us) */

static void nothing(void *arg)
{
}

/* The call the lock's holder left for this CPU, if any. */
static void service(void)
{
	struct percpu *c = this_cpu();
	void (*fn)(void *) = __atomic_load_n(&c->call, __ATOMIC_ACQUIRE);

	if (fn) {
		fn(c->call_arg);
		__atomic_store_n(&c->call, NULL, __ATOMIC_RELEASE);
	}
}

/*
 * A waiter that spun NAP_SPINS times halts until the unlock that makes
 * its ticket the owner kicks it: on a host that shares its cores among
 * more CPUs than it has (an emulator, a nested hypervisor), spinning
 * waiters take the time the holder needs, and a ticket handed to a CPU
 * the host does not run stops every CPU behind it. The task priority
 * lets only the kick's class (0xf0-0xff) in: a handler that takes the
 * lock cannot run while this CPU holds a ticket.
 */
static void nap(uint32_t t)
{
	uint32_t *slot = &napper[t % MAX_CPUS]; /* at most MAX_CPUS tickets are out */

	__atomic_store_n(slot, this_cpu()->id + 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&lock_owner, __ATOMIC_SEQ_CST) != t) {
		lapic_set_tpr((VEC_KICK & 0xf0) - 0x10);
		sti_hlt(); /* a kick sent meanwhile ends the halt: STI's shadow */
		cli();
		lapic_set_tpr(0);
	}
	__atomic_store_n(slot, 0, __ATOMIC_RELAXED);
}

static void take(bool may_nap)
{
	struct percpu *c = this_cpu();
	uint32_t t = __atomic_fetch_add(&lock_next, 1, __ATOMIC_RELAXED);

	c->lock.taken++;
	if (__atomic_load_n(&lock_owner, __ATOMIC_ACQUIRE) != t) { /* the clock only then */
		uint64_t start = rdtsc();
		c->lock.waited++;
		for (unsigned spins = 0; __atomic_load_n(&lock_owner, __ATOMIC_ACQUIRE) != t;
		     spins++) {
			service();
			pause();
			if (may_nap && spins >= NAP_SPINS)
				nap(t);
		}
		c->lock.wait_tsc += rdtsc() - start;
	}
	lock_cpu = (int)c->id;
}

void big_lock(void)
{
	take(true);
}

void big_unlock(void)
{
	uint32_t next = lock_owner + 1;

	lock_cpu = -1;
	__atomic_store_n(&lock_owner, next, __ATOMIC_SEQ_CST);
	uint32_t c = __atomic_load_n(&napper[next % MAX_CPUS], __ATOMIC_SEQ_CST);
	if (c)
		smp_kick(c - 1);
}

bool big_lock_irq(void)
{
	if (lock_cpu == (int)this_cpu()->id)
		return false;
	take(false);
	return true;
}

void smp_guest_enter_smp(void)
{
	if (lock_cpu == (int)this_cpu()->id) /* not again after a fast exit */
		big_unlock();
}

bool smp_guest_exit_smp(void)
{
	big_lock();
	return !this_cpu()->abandon;
}

void smp_kick(unsigned cpu)
{
	struct percpu *c = percpu_get(cpu);

	if (c && c != this_cpu()) {
		/* What the kick announces, stored before it: an x2APIC ICR
		 * write (WRMSR) is not ordered after earlier stores. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		lapic_ipi(c->apic_id, ICR_FIXED | VEC_KICK);
	}
}

void smp_call(unsigned cpu, void (*fn)(void *), void *arg)
{
	struct percpu *c = percpu_get(cpu);

	if (c == this_cpu()) {
		if (fn)
			fn(arg);
		return;
	}
	if (!c)
		return; /* not online: nothing of ours is there */
	c->call_arg = arg;
	__atomic_store_n(&c->call, fn ? fn : nothing, __ATOMIC_RELEASE);
	smp_kick(cpu);
	while (__atomic_load_n(&c->call, __ATOMIC_ACQUIRE))
		pause();
}

void smp_quiesce(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < nr_cpus; i++) {
		struct percpu *c = percpu_get(i);
		uint64_t n = c && c != this_cpu() ? __atomic_load_n(&c->nolock, __ATOMIC_ACQUIRE) : 0;
		while ((n & 1) && __atomic_load_n(&c->nolock, __ATOMIC_ACQUIRE) == n)
			pause();
	}
}

static void kick_irq(struct trap_frame *f)
{
	service();
	lapic_eoi();
}

static void *ap_tables; /* the starting CPU's GDT, TSS and IST stacks */
static volatile int ap_hook_err;

/* The first CPU code of an application processor (from the trampoline,
 * on its own stack): the boot CPU's state, the hook, then the scheduler
 * loop. */
static _Noreturn void ap_main(struct percpu *p)
{
	percpu_enter(p);
	traps_init_cpu(ap_tables);
	cpu_enable_protections(&boot_cpu);
	paging_init_ap();
	lapic_init_ap();
	timer_init_ap();
	ap_hook_err = cpu_up_hook ? cpu_up_hook() : 0;
	__atomic_store_n(&p->online, true, __ATOMIC_RELEASE);
	sched_loop();
}

/* The highest usable page in [0x1000, 0xa0000) of the memory map. */
static uint64_t low_page(const struct boot_info *bi)
{
	uint64_t best = 0;

	for (uint32_t i = 0; i < bi->nr_mem; i++) {
		const struct boot_mem_range *m = &bi->mem[i];
		uint64_t top = m->base + m->length;
		if (m->type != BOOT_MEM_USABLE)
			continue;
		if (top > (SIPI_PAGE_MAX + 1ull) << 12)
			top = (SIPI_PAGE_MAX + 1ull) << 12;
		top &= ~0xfffull;
		if (top >= m->base + 0x1000 && top - 0x1000 >= 0x1000 && top - 0x1000 > best)
			best = top - 0x1000;
	}
	return best;
}

/* INIT, 10 ms, then startup IPIs (two at most, 200 us apart) until the CPU
 * is online; a second to come up. */
static bool start_cpu(struct percpu *p, uint64_t page)
{
	lapic_ipi(p->apic_id, ICR_INIT);
	timer_udelay(10000);
	for (int i = 0; i < 2 && !p->online; i++) {
		lapic_ipi(p->apic_id, ICR_SIPI | (uint32_t)(page >> 12));
		timer_udelay(200);
	}
	for (uint64_t end = rdtsc() + ns_to_tsc(1000000000); rdtsc() < end;)
		if (__atomic_load_n(&p->online, __ATOMIC_ACQUIRE))
			return true;
	lapic_ipi(p->apic_id, ICR_INIT); /* back to waiting: it must not wake later */
	return false;
}

/* A CPU's stack and tables (the one starting; freed if it did not). */
static uint64_t stack_pa, tables_pa;

static void unprepare(void)
{
	if (stack_pa)
		frames_put(stack_pa, STACK_PAGES, FRAME_OTHER);
	if (tables_pa)
		frames_put(tables_pa, TRAPS_CPU_BYTES >> 12, FRAME_OTHER);
}

/* A new CPU's memory and parameters; false when memory ran out. */
static bool prepare(struct trampoline_params *tp, struct percpu *p)
{
	stack_pa = frames_get(STACK_PAGES, 1, FRAME_OTHER);
	tables_pa = frames_get(TRAPS_CPU_BYTES >> 12, 1, FRAME_OTHER);
	if (!stack_pa || !tables_pa) {
		unprepare();
		return false;
	}
	ap_tables = phys_to_virt(tables_pa);
	tp->stack = (uint64_t)phys_to_virt(stack_pa) + STACK_PAGES * 4096ull;
	tp->percpu = (uint64_t)p;
	return true;
}

static unsigned start_all(const struct acpi_info *a, unsigned limit, uint64_t page,
			  struct trampoline_params *tp)
{
	uint32_t self = lapic_id();

	for (uint32_t i = 0; i < a->nr_cpus && nr_cpus < limit; i++) {
		const struct acpi_cpu *c = &a->cpus[i];
		struct percpu *p;
		if (!c->enabled || c->apic_id == self)
			continue;
		if (c->apic_id > 0xff && !lapic_x2apic()) {
			pr_warn("smp: CPU with x2APIC id %u: not reachable in xAPIC mode\n",
				c->apic_id);
			continue;
		}
		if (!(p = percpu_add(c->apic_id)) || !prepare(tp, p)) {
			pr_warn("smp: no room for CPU %u (APIC id %u)\n", nr_cpus, c->apic_id);
			break;
		}
		if (!start_cpu(p, page)) {
			unprepare();
			pr_warn("smp: CPU %u (APIC id %u) did not answer INIT-SIPI-SIPI; not used\n",
				p->id, c->apic_id);
			continue;
		}
		if (ap_hook_err)
			pr_warn("smp: CPU %u (APIC id %u) is up but its set-up failed (error %d)\n",
				p->id, c->apic_id, ap_hook_err);
		nr_cpus++;
	}
	return nr_cpus;
}

unsigned smp_init(const struct boot_info *bi, const struct acpi_info *a, unsigned limit,
		  int (*cpu_up)(void))
{
	uint64_t page = low_page(bi);
	uint64_t size = (uint64_t)(trampoline_end - trampoline_start);
	struct trampoline_params *tp;

	percpu_get(0)->apic_id = lapic_id();
	irq_register(VEC_KICK, kick_irq);
	if (!limit || limit > MAX_CPUS)
		limit = MAX_CPUS;
	if (a->nr_cpus <= 1 || limit == 1)
		goto out;
	if (!page) {
		pr_warn("smp: no low page for the start-up code: one CPU\n");
		goto out;
	}
	uint64_t cr3 = paging_trampoline(page, true);
	if (cr3 >> 32) {
		paging_trampoline(page, false);
		pr_warn("smp: page tables above 4 GiB, out of the start-up code's reach: one CPU\n");
		goto out;
	}
	memcpy(phys_to_virt(page), trampoline_start, size);
	tp = (struct trampoline_params *)((char *)phys_to_virt(page) +
					  (trampoline_params - trampoline_start));
	*tp = (struct trampoline_params){ .cr3 = cr3, .entry = (uint64_t)ap_main,
		.efer = rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE) };
	cpu_up_hook = cpu_up;
	start_all(a, limit, page, tp);
	paging_trampoline(page, false);
out:
	pr_info("smp: %u CPU(s) in the MADT, %u online%s\n", a->nr_cpus ? a->nr_cpus : 1,
		nr_cpus, limit < MAX_CPUS ? " (limited by cpus=)" : "");
	return nr_cpus;
}
