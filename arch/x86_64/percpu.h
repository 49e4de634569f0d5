/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU state: one struct percpu for each physical CPU, reached through
 * this_cpu(). The hypervisor's GS base points at the running CPU's (gs:0
 * holds its own address); both vendors give the host's GS base back at
 * every VM exit (SVM: VMLOAD of the host VMCB saved after this is set;
 * VMX: the VMCS's host GS base, read from the MSR). Everything a CPU
 * calls "current" lives here, and the vendor's per-CPU data hangs off it.
 *
 * The boot CPU's is set first thing in kmain (percpu_init_boot); the SMP
 * bring-up (kernel/smp.c) adds one per application processor and the
 * processor sets its GS base (percpu_enter) before any C code that uses
 * it. What stays global, and the lock each global will take, is in
 * docs/vmm.md ("Per-CPU state and the lock plan").
 */
#ifndef EYRIE_ARCH_PERCPU_H
#define EYRIE_ARCH_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct vcpu;
struct svm_cpu;
struct vmx_cpu;

struct percpu {
	struct percpu *self;      /* gs:0 */
	unsigned id;              /* 0: the boot CPU */
	uint32_t apic_id;         /* its local APIC's (x2APIC) id */
	volatile bool online;     /* set by the CPU itself once it is up */
	/* A call the big lock's holder asks this CPU to make (kernel/smp.h). */
	void (*volatile call)(void *arg);
	void *call_arg;
	volatile bool abandon;    /* the vcpu it ran went away meanwhile */
	struct vcpu *current;     /* the vcpu whose slice this CPU runs, NULL between */
	struct vcpu *last_run;    /* the round robin's place (compared, never followed) */
	uint64_t rr_events;       /* timer.events at the round robin's last plain pick */
	uint64_t vfloor;          /* the scheduler's virtual time at its last plain pick */
	bool yielded;             /* its last slice ended in a yield */
	volatile bool preempt;    /* a vcpu woke here: the slice ends (vcpu_wake) */
	uint64_t irqs;            /* host interrupts taken (the exit fast path looks) */
	/* Odd while this CPU runs a section without the big lock that may
	 * reach other domains (kernel/smp.h, nolock_begin). */
	volatile uint64_t nolock;
	bool nolock_miss;         /* a section met a page it may not populate */
	/* This CPU's LAPIC timer (arch/x86_64/timer.c): one-shot, armed for
	 * the earlier of its next tick and its earliest wake-up (TSC). */
	struct {
		uint64_t next_tick, wake, armed;
		volatile uint64_t events; /* its interrupts: ticks and wake-ups */
	} timer;
	/* The big lock as this CPU saw it (kernel/smp.c; the shell's `cpus`):
	 * how often it took it, how often it had to wait, TSC ticks waited
	 * (read only when it waits: the exit path takes it every time). */
	struct {
		uint64_t taken, waited, wait_tsc;
	} lock;
	struct vcpu *fpu_owner;   /* whose FPU, SSE and debug registers this CPU holds */
	struct svm_cpu *svm;      /* the vendor's state on this CPU, once enabled */
	struct vmx_cpu *vmx;
};

#define MAX_CPUS 64

/* Not volatile: a CPU's area never changes under the code running on it,
 * so the compiler may keep the pointer. */
static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* One pointer field of this CPU's area in one instruction (the exit path
 * reads the vendor's state this way). */
#define PERCPU_PTR(type, field) __extension__ ({ \
	type *p_; \
	__asm__("mov %%gs:%c1, %0" : "=r"(p_) : "i"(offsetof(struct percpu, field))); \
	p_; })

/* The boot CPU's area, its GS base set. */
void percpu_init_boot(void);
/* A new area for the CPU with that APIC id (NULL when MAX_CPUS are in
 * use); the bring-up counts it in nr_cpus once it is online. */
struct percpu *percpu_add(uint32_t apic_id);
/* On the CPU itself: GS base at p. */
void percpu_enter(struct percpu *p);
/* CPU i's area (i < nr_cpus), for work that must reach every CPU. */
struct percpu *percpu_get(unsigned i);
extern unsigned nr_cpus;

#endif
