/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host SMP bring-up: the application processors the MADT lists are
 * started one at a time with INIT-SIPI-SIPI through a real-mode page
 * below 1 MiB (arch/x86_64/trampoline.S). Each gets its per-CPU area,
 * stack, GDT, TSS and IST stacks, the boot CPU's control-register
 * protections, PAT and local APIC mode, then runs the caller's per-CPU
 * hook (the vmm enables SVM or VMX there) and idles, halted with
 * interrupts on. A CPU that does not answer within a second is reported,
 * stopped with INIT, and not used.
 */
#ifndef EYRIE_KERNEL_SMP_H
#define EYRIE_KERNEL_SMP_H

#include "boot/boot_info.h"
#include "drivers/acpi.h"
#include "arch/x86_64/percpu.h"

/* Starts the enabled CPUs of the MADT, at most limit CPUs in all counting
 * the boot CPU (0: all). cpu_up runs on each new CPU (may be NULL); one
 * that fails it stays up but idle and is reported. Returns the number of
 * CPUs online. */
unsigned smp_init(const struct boot_info *bi, const struct acpi_info *a, unsigned limit,
		  int (*cpu_up)(void));

/*
 * The big lock: every CPU holds it while it runs hypervisor code on shared
 * state (the scheduler loop, exits, the shell) and lets it go only while
 * it runs a guest (smp_guest_enter / smp_guest_exit around VMRUN or VM
 * entry). A ticket lock: CPUs take it in the order they asked; one that
 * waited long halts until its turn (the unlock kicks it), so that a host
 * running more CPUs than it has cores gives its time to the holder.
 */
void big_lock(void);
void big_unlock(void);
/* For an interrupt handler that touches shared state: takes the lock
 * unless this CPU holds it (it was interrupted in a locked window); true
 * if it took it (the handler then unlocks). */
bool big_lock_irq(void);
void smp_guest_enter_smp(void);
bool smp_guest_exit_smp(void);

/* Around VMRUN / VM entry: the vendor's run lets the lock go if this CPU
 * holds it (not when it enters again after an exit handled without it),
 * the caller takes it after the exit. With one CPU there is nobody to
 * let in: the exit path then pays a load and a branch (nr_cpus is fixed
 * once the other CPUs are up, before any guest runs). */
static inline void smp_guest_enter(void)
{
	if (nr_cpus > 1)
		smp_guest_enter_smp();
}

/* False when the vcpu this CPU ran was destroyed while it waited for the
 * lock (percpu.abandon): the caller then touches nothing of it. */
static inline bool smp_guest_exit(void)
{
	return nr_cpus == 1 || smp_guest_exit_smp();
}

/*
 * A section without the big lock that may reach other domains (the exit
 * fast path's hypercalls: an event sent to another domain). It reads
 * domains, vcpus and p2m entries that holders of the big lock remove;
 * those wait with smp_quiesce() after the removal and before the free,
 * so nothing a section found can be freed under it (an RCU read side).
 * Interrupts stay off in it; it never waits for the big lock, and no
 * p2m region is populated in it (p2m_lookup leaves a hole and says so:
 * nolock_missed).
 */
static inline void nolock_begin(void)
{
	this_cpu()->nolock_miss = false;
	/* A locked add: the removal's side reads the counter after its
	 * store, this side reads shared state after this store. */
	__atomic_fetch_add(&this_cpu()->nolock, 1, __ATOMIC_SEQ_CST);
}

static inline void nolock_end(void)
{
	__atomic_store_n(&this_cpu()->nolock, this_cpu()->nolock + 1, __ATOMIC_RELEASE);
}

static inline bool nolock_in(void)
{
	return this_cpu()->nolock & 1;
}

/* In a section: whether a p2m look-up found a region it did not populate
 * (the locked path must do what depends on it). */
static inline bool nolock_missed(void)
{
	return nolock_in() && this_cpu()->nolock_miss;
}

/* Waits until every other CPU has left the section it ran, if any (a
 * section begun after the call sees what the caller removed before). */
void smp_quiesce(void);

/* With the big lock held: CPU cpu runs fn(arg) and this waits until it
 * has. A CPU runs such a call while it waits for the lock, while it idles
 * and from the kick interrupt; one running a guest is kicked out of it
 * first. So after the call, the CPU is not in guest mode and cannot enter
 * it before the caller lets the lock go. fn == NULL: only that. */
void smp_call(unsigned cpu, void (*fn)(void *), void *arg);
/* An IPI that makes the CPU leave guest mode and look at its vcpus. */
void smp_kick(unsigned cpu);

#endif
