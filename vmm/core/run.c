/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vcpus' side of the scheduler loop (see run.h): guest timers, the
 * virtual platforms' host-time work, reaping, the caps' periods, the
 * choice by weight (virtual time) with the boost for woken vcpus, load
 * balancing, and a vcpu's slice with its Xen runstate. kernel/sched.c
 * calls vmm_run_next and knows nothing of vcpus. docs/scheduling.md tells
 * how it works.
 */
#include "vmm/core/run.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "drivers/uart.h"
#include "kernel/errno.h"
#include "kernel/smp.h"
#include "include/public/vcpu.h"
#include "vmm/core/domain.h"
#include "vmm/core/exit.h"
#include "vmm/core/vmm.h"
#include "vmm/plat/vplat.h"
#include "vmm/xen/xen.h"

#define ACCT_MS 30 /* the caps' period: 3 ticks (Xen's credit: 30 ms, 10 ms ticks) */

static uint64_t next_acct; /* TSC of the next accounting (all CPUs', under the big lock) */
static bool parked;        /* some domain is parked by its cap */

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
	uint64_t due = __atomic_load_n(&v->timer_deadline, __ATOMIC_RELAXED);
	if (!due || now < due)
		return;
	/* A periodic timer re-arms, skipping periods missed. The vcpu may set
	 * a new deadline meanwhile without the big lock (set_timer_op from
	 * the exit fast path): then that one stands and this one is gone. */
	uint64_t next = v->timer_period ? now + v->timer_period - (now - due) % v->timer_period : 0;
	if (__atomic_compare_exchange_n(&v->timer_deadline, &due, next, false, __ATOMIC_SEQ_CST,
					__ATOMIC_RELAXED))
		xen_timer_fired(v);
}

/* Fires what is due (any CPU fires any vcpu's timer: vcpu_wake kicks
 * the vcpu's CPU) and asks this CPU's timer for the next wake-up of each
 * of its vcpus (a domain's platform timers: vcpu 0's CPU). */
static void check_timers(void)
{
	uint64_t now = rdtsc();
	unsigned self = this_cpu()->id;

	if (parked)
		timer_wake_at(next_acct); /* a parked domain runs again then */
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

/* Runnable and not parked: its CPU may pick it. */
static bool can_run(const struct vcpu *v)
{
	return runnable(v) && !v->dom->parked;
}

unsigned sched_weight(const struct domain *d)
{
	return d->cfg.weight ? d->cfg.weight : SCHED_WEIGHT_DEFAULT;
}

static uint64_t period(void)
{
	return timer_info()->tsc_hz / 1000 * ACCT_MS;
}

/* The cap's budget of one period (0: no cap). */
static uint64_t cap_budget(const struct domain *d, uint64_t period)
{
	return d->cfg.cap * period / 100;
}

/* Every period: a capped domain's budget renews, less what it overran. */
static void account(uint64_t now)
{
	uint64_t p = period();

	next_acct = now - next_acct > p ? now + p : next_acct + p;
	parked = false;
	for (struct domain *d = domain_list(); d; d = d->next) {
		uint64_t budget = cap_budget(d, p);
		d->cap_used = d->cap_used > budget ? d->cap_used - budget : 0;
		d->parked = budget && d->cap_used >= budget;
		parked |= d->parked;
	}
}

/* t TSC cycles that v ran, in its virtual time: times 256 over its part of
 * its domain's weight, the weight shared among the domain's vcpus that
 * want to run (as Xen: a domain's share, not each vcpu's). */
static void charge(struct vcpu *v, uint64_t t)
{
	const struct domain *d = v->dom;
	unsigned n = 0;

	for (unsigned i = 0; i < d->nr_vcpus; i++)
		n += d->vcpus[i] == v || runnable(d->vcpus[i]);
	v->vtime += t * n * SCHED_WEIGHT_DEFAULT / sched_weight(d);
}

/* How far v's virtual time is past ref (wraps safely). */
static int64_t ahead(const struct vcpu *v, uint64_t ref)
{
	return (int64_t)(v->vtime - ref);
}

/* A woken vcpu (vcpu_wake) goes first while boosts count, unless its
 * domain ran more than a tick beyond its share: neither it nor a vcpu of
 * its domain that waits here (one that spins for its answer) is within a
 * tick of the CPU's floor. */
static bool boosted(const struct vcpu *v, bool boost, uint64_t floor)
{
	const struct domain *d = v->dom;

	for (unsigned i = 0; boost && v->boost && i < d->nr_vcpus; i++) {
		const struct vcpu *w = d->vcpus[i];
		if ((w == v || (w->cpu == v->cpu && can_run(w))) &&
		    ahead(w, floor) <= (int64_t)(timer_info()->tsc_hz / TIMER_HZ))
			return true;
	}
	return false;
}

/* Whether v goes before best: a boosted vcpu first, in round-robin order
 * (after: v comes after the last one run); then the least virtual time,
 * ties in round-robin order. */
static bool better(const struct vcpu *v, bool after, const struct vcpu *best, bool best_after,
		   bool boost, uint64_t floor)
{
	bool vb = boosted(v, boost, floor), bb = boosted(best, boost, floor);

	if (vb != bb)
		return vb;
	if (!vb && v->vtime != best->vtime)
		return ahead(v, best->vtime) < 0;
	return after && !best_after;
}

/* This CPU's next vcpu: the one furthest behind in virtual time, so that
 * CPU time goes by weight (two vcpus of weights 256 and 512 run 1:2). A
 * vcpu that slept (or is new) is put at most a period behind the CPU's
 * floor (the virtual time of its last pick): it runs soon but cannot
 * claim what it did not use. A woken vcpu runs first (boosted); but once
 * a timer interrupt came since the last plain pick, virtual time decides:
 * vcpus waking each other all the time (a frontend and its backend)
 * leave the CPU to the others within a tick. last_run is only compared,
 * never dereferenced: its domain may have been destroyed. */
static struct vcpu *pick_next(void)
{
	struct percpu *c = this_cpu();
	bool boost = c->rr_events == c->timer.events, after = false, best_after = false;
	uint64_t floor = c->vfloor, slack = period();
	struct vcpu *best = NULL, *again = NULL;

	for (struct domain *d = domain_list(); d; d = d->next)
		for (unsigned i = 0; i < d->nr_vcpus; i++) {
			struct vcpu *v = d->vcpus[i];
			bool mine = v->cpu == c->id && can_run(v);
			if (mine && ahead(v, floor) < -(int64_t)slack)
				v->vtime = floor - slack;
			if (mine && v == c->last_run && c->yielded) {
				again = v; /* it yields: the others first */
			} else if (mine && (!best || better(v, after, best, best_after, boost, floor))) {
				best = v;
				best_after = after;
			}
			after |= v == c->last_run;
		}
	best = best ? best : again;
	if (best && ahead(best, floor) > 0 && !boosted(best, boost, floor))
		c->vfloor = best->vtime;
	if (!best || !boosted(best, boost, floor))
		c->rr_events = c->timer.events;
	return best;
}

/* v to CPU cpu's run queue (v is not running), and that CPU told. */
static void move(struct vcpu *v, unsigned cpu)
{
	v->cpu = cpu; /* its FPU and vendor state follow at its next entry there */
	v->vtime = percpu_get(cpu)->vfloor; /* another CPU's virtual time means nothing here */
	smp_kick(cpu); /* none to this CPU */
}

/* Load balancing: this CPU has nothing to run and takes a vcpu that waits
 * (runnable, not running) on a CPU with more than one to run, if its
 * affinity allows. */
static struct vcpu *steal(void)
{
	unsigned n[MAX_CPUS] = { 0 }, self = this_cpu()->id;

	for (struct domain *d = domain_list(); d; d = d->next)
		for (unsigned i = 0; i < d->nr_vcpus; i++)
			n[d->vcpus[i]->cpu] += can_run(d->vcpus[i]);
	for (struct domain *d = domain_list(); d; d = d->next)
		for (unsigned i = 0; i < d->nr_vcpus; i++) {
			struct vcpu *v = d->vcpus[i];
			if (can_run(v) && n[v->cpu] > 1 && (v->affinity >> self & 1) &&
			    percpu_get(v->cpu)->current != v) {
				move(v, self);
				return v;
			}
		}
	return NULL;
}

int vcpu_pin(struct vcpu *v, uint64_t mask)
{
	unsigned cpu = vcpu_place(v->dom, mask);

	if (cpu == MAX_CPUS)
		return -EINVAL;
	v->affinity = mask;
	if (v->affinity >> v->cpu & 1)
		return 0;
	if (percpu_get(v->cpu)->current == v) { /* it moves at the end of that slice */
		v->yield = true;
		smp_kick(v->cpu);
	} else {
		move(v, cpu);
	}
	return 0;
}

int sched_set(struct domain *d, unsigned weight, unsigned cap)
{
	if (!weight || weight > 65535 || cap > 100 * d->nr_vcpus)
		return -EINVAL;
	d->cfg.weight = weight;
	d->cfg.cap = cap;
	d->cap_used = 0;
	d->parked = false;
	return 0;
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
	struct domain *d = v->dom;

	this_cpu()->last_run = v;
	this_cpu()->current = v;
	v->boost = v->halt_nmi_only = false;
	xen_runstate(v, RUNSTATE_running);
	vcpu_load_cpu_state(v);
	if (d->cfg.cap) /* the slice ends when the cap's budget is used up */
		timer_wake_at(start + cap_budget(d, period()) - d->cap_used);
	while (runnable(v)) {
		vplat_check(v->dom);
		vcpu_deliver_irqs(v);
		bool fast;
		do
			vcpu_ops->run(v, &v->last_exit);
		while ((fast = vmexit_fast(v, &v->last_exit)) && vmexit_fast_again(v));
		if (!smp_guest_exit()) { /* destroyed while this CPU waited */
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
		if (!fast)
			vmexit_handle(v, &v->last_exit);
		if (v->timer_deadline)
			fire_timer(v, rdtsc());
		if (this_cpu()->timer.events != events || uart_rx_pending() || v->yield ||
		    this_cpu()->preempt)
			break;
	}
	this_cpu()->yielded = v->yield || this_cpu()->preempt;
	v->yield = false;
	this_cpu()->current = NULL;
	uint64_t t = rdtsc() - start;
	v->run_tsc += t;
	charge(v, t);
	d->cap_used += d->cfg.cap ? t : 0;
	d->parked |= d->cfg.cap && d->cap_used >= cap_budget(d, period());
	parked |= d->parked;
	if (!(v->affinity >> this_cpu()->id & 1)) /* vcpu_pin moved it away */
		move(v, vcpu_place(d, v->affinity));
	xen_runstate(v, v->state == VCPU_RUNNABLE  ? RUNSTATE_runnable :
			v->state == VCPU_BLOCKED ? RUNSTATE_blocked : RUNSTATE_offline);
}

bool vmm_run_next(void)
{
	if (rdtsc() >= next_acct)
		account(rdtsc());
	check_timers();
	reap();
	if (!vcpu_ops)
		return false;
	this_cpu()->preempt = false; /* the pick sees every vcpu woken so far */
	struct vcpu *v = pick_next();
	if (!v && !(v = steal()))
		return false;
	run_slice(v);
	return true;
}
