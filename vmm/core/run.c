/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vcpus' side of the scheduler loop (see run.h): guest timers, the
 * virtual platforms' host-time work, reaping, round-robin choice, and a
 * vcpu's slice with its Xen runstate. kernel/sched.c calls vmm_run_next
 * and knows nothing of vcpus.
 */
#include "vmm/core/run.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "drivers/uart.h"
#include "include/public/vcpu.h"
#include "vmm/core/domain.h"
#include "vmm/core/exit.h"
#include "vmm/core/vmm.h"
#include "vmm/plat/vplat.h"
#include "vmm/xen/xen.h"

static bool runnable(const struct vcpu *v)
{
	return v->dom->state == DOM_RUNNING && v->state == VCPU_RUNNABLE;
}

/* An expired one-shot timer raises the domain's callback vector (or, with
 * none set, just wakes a blocked vcpu). */
static void fire_timer(struct vcpu *v, uint64_t now)
{
	if (v->wake_deadline && now >= v->wake_deadline) { /* a blocking call timed out */
		v->wake_deadline = 0;
		vcpu_wake(v);
	}
	if (!v->timer_deadline || now < v->timer_deadline)
		return;
	/* A periodic timer re-arms, skipping
	 * periods missed. */
	uint64_t due = v->timer_deadline;
	v->timer_deadline = 0;
	if (v->timer_period)
		v->timer_deadline = now + v->timer_period - (now - due) % v->timer_period;
	xen_timer_fired(v);
}

/* Fires what is due (any CPU fires any vcpu's timer: vcpu_wake kicks
 * the vcpu's CPU) and asks this CPU's timer for the next wake-up of each
 * of its vcpus (a domain's platform timers: vcpu 0's CPU). */
static void check_timers(void)
{
	uint64_t now = rdtsc();
	unsigned self = this_cpu()->id;

	for (struct domain *d = domain_list(); d; d = d->next) {
		for (unsigned i = 0; i < d->nr_vcpus; i++) {
			struct vcpu *v = d->vcpus[i];
			fire_timer(v, now);
			if (v->cpu != self)
				continue;
			if (v->timer_deadline)
				timer_wake_at(v->timer_deadline);
			if (v->wake_deadline)
				timer_wake_at(v->wake_deadline);
		}
		if (d->plat && d->state == DOM_RUNNING) {
			if (now >= d->plat->next_host)
				vplat_poll(d, now); /* re-arms the wake-up */
			else if (d->vcpus[0]->cpu == self)
				timer_wake_at(d->plat->next_host);
		}
	}
}

/* Frees domains that shut themselves down (those domain 0 built are its
 * to reap). */
static void reap(void)
{
	for (struct domain *d = domain_list(), *next; d; d = next) {
		next = d->next;
		if (d->state != DOM_SHUTDOWN || d->cfg.managed)
			continue;
		domain_reap(d);
	}
}

/* The next runnable vcpu (a boosted one if boost) after the last one
 * run, in domain order, else the first one (possibly the last one
 * again). last_run is only compared, never dereferenced: its domain may
 * have been destroyed. */
static struct vcpu *next_after_last(bool boost)
{
	struct vcpu *first = NULL;
	bool after = false;

	for (struct domain *d = domain_list(); d; d = d->next)
		for (unsigned i = 0; i < d->nr_vcpus; i++) {
			struct vcpu *v = d->vcpus[i];
			if (runnable(v) && v->cpu == this_cpu()->id && (!boost || v->boost)) {
				if (after)
					return v;
				if (!first)
					first = v;
			}
			if (v == this_cpu()->last_run)
				after = true;
		}
	return first;
}

/* A vcpu woken from blocked (vcpu_wake) runs first, taken in the round
 * robin's order so that no domain's wake-ups outrank another's. But once
 * a timer interrupt came since the last plain pick, the round robin
 * picks: vcpus waking each other all the time (a frontend and its
 * backend) leave the CPU to each runnable vcpu within a few ticks. */
static struct vcpu *pick_next(void)
{
	struct percpu *c = this_cpu();

	if (c->rr_events == c->timer.events) {
		struct vcpu *b = next_after_last(true);
		if (b)
			return b;
	}
	c->rr_events = c->timer.events;
	return next_after_last(false);
}

/* Runs v until its slice ends (the next timer interrupt: the 100 Hz tick
 * or a guest timer's wake-up), it blocks or stops, it yields (a vcpu it
 * woke runs first), or the shell has input. Host interrupts are taken
 * between exits.
 * The time is counted once per slice, exits included: the exit path is
 * the hot path and reads the TSC only while a vcpu timer is armed. */
static void run_slice(struct vcpu *v)
{
	uint64_t events = this_cpu()->timer.events, start = rdtsc();

	this_cpu()->last_run = v;
	this_cpu()->current = v;
	v->boost = v->halt_nmi_only = false;
	xen_runstate(v, RUNSTATE_running);
	vcpu_load_cpu_state(v);
	while (runnable(v)) {
		vplat_check(v->dom);
		vcpu_deliver_irqs(v);
		vcpu_ops->run(v, &v->last_exit);
		if (this_cpu()->abandon) { /* destroyed while this CPU waited */
			this_cpu()->abandon = false;
			this_cpu()->current = NULL;
			return;
		}
		/* A host interrupt (tick, kick, serial) is taken here, after any
		 * exit: STI's one-instruction shadow covers the first NOP. One
		 * that came while the last exit was handled (IF = 0) should make
		 * the next entry exit at once, but Bochs enters and runs the
		 * guest on with it pending (a CPUID-bound guest kept the CPU
		 * 4.7 s past its tick); four instructions an exit. */
		__asm__ volatile("sti; nop; nop; cli" ::: "memory");
		vmexit_handle(v, &v->last_exit);
		if (v->timer_deadline)
			fire_timer(v, rdtsc());
		if (this_cpu()->timer.events != events || uart_rx_pending() || v->yield)
			break;
	}
	v->yield = false;
	this_cpu()->current = NULL;
	v->run_tsc += rdtsc() - start;
	xen_runstate(v, v->state == VCPU_RUNNABLE  ? RUNSTATE_runnable :
			v->state == VCPU_BLOCKED ? RUNSTATE_blocked : RUNSTATE_offline);
}

bool vmm_run_next(void)
{
	check_timers();
	reap();
	struct vcpu *v = vcpu_ops ? pick_next() : NULL;
	if (!v)
		return false;
	run_slice(v);
	return true;
}
