/* SPDX-License-Identifier: GPL-2.0-only */
/* TSC and LAPIC timer calibration and the tick (see timer.h). */
#include "arch/x86_64/timer.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/traps.h"
#include "kernel/log.h"

#define PM_HZ  3579545u
#define PIT_HZ 1193182u
#define CAL_MS 10u

static struct timer_info info;
volatile uint64_t timer_tick_count;
static uint64_t tsc_start;
/* Each CPU's LAPIC timer runs one-shot, armed for the earlier of its next
 * tick and the earliest wake-up asked for on it (TSC values, percpu.h). */
static uint64_t tick_period;

/* Waits CAL_MS on the PM timer (24 or 32 bits wide). */
static void wait_pm(uint16_t port, bool wide)
{
	uint32_t mask = wide ? 0xffffffffu : 0xffffffu;
	uint32_t start = inl(port) & mask, want = PM_HZ / 1000 * CAL_MS;

	while (((inl(port) - start) & mask) < want)
		pause();
}

/* Waits CAL_MS with PIT channel 2 in mode 0, polling its output bit. */
static void wait_pit(void)
{
	uint16_t count = PIT_HZ / 1000 * CAL_MS;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* gate on, speaker off */
	outb(0x43, 0xb0);                        /* ch2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	for (uint32_t spin = 0; !(inb(0x61) & 0x20) && spin < 100000000u; spin++)
		pause();
}

static void arm(uint64_t now)
{
	struct percpu *c = this_cpu();
	uint64_t at = c->timer.wake < c->timer.next_tick ? c->timer.wake : c->timer.next_tick;
	uint64_t delta = at > now ? at - now : 0;
	unsigned __int128 count = (unsigned __int128)delta * info.lapic_hz / info.tsc_hz;

	c->timer.armed = at;
	lapic_timer_oneshot(count < 1 ? 1 : count > 0xffffffffu ? 0xffffffffu : (uint32_t)count);
}

static void tick(struct trap_frame *f)
{
	struct percpu *c = this_cpu();
	uint64_t now = rdtsc();

	c->timer.events++;
	if (now >= c->timer.next_tick) {
		if (!c->id)
			timer_tick_count++;
		c->timer.next_tick += tick_period;
		if (c->timer.next_tick <= now) /* ticks were missed (interrupts off): no burst */
			c->timer.next_tick = now + tick_period;
	}
	if (c->timer.wake <= now)
		c->timer.wake = UINT64_MAX;
	arm(now);
	lapic_eoi();
}

/* Wake-ups come at least TIMER_MIN_WAKE_US apart: a guest that sets its
 * timers ever closer (a PIT count of 1, a tiny LAPIC period) gets them
 * late rather than interrupting the host into a livelock. */
void timer_wake_at(uint64_t tsc)
{
	uint64_t now = rdtsc(), soonest = now + info.tsc_hz / 1000000 * TIMER_MIN_WAKE_US;

	struct percpu *c = this_cpu();

	if (tsc < soonest)
		tsc = soonest;
	if (tsc >= c->timer.armed || tsc >= c->timer.wake)
		return;
	c->timer.wake = tsc;
	arm(now);
}

void timer_init(uint16_t pm_port, bool pm_32bit)
{
	info.reference = pm_port ? "ACPI PM timer" : "PIT";
	lapic_timer_start(VEC_TIMER, 0xffffffffu, false);
	/* Masked one-shot: counts down without interrupting. */
	uint64_t t0 = rdtsc();
	uint32_t l0 = lapic_timer_current();
	if (pm_port)
		wait_pm(pm_port, pm_32bit);
	else
		wait_pit();
	uint32_t l1 = lapic_timer_current();
	uint64_t t1 = rdtsc();
	lapic_timer_stop();

	info.tsc_hz = (t1 - t0) * (1000 / CAL_MS);
	info.lapic_hz = (uint64_t)(l0 - l1) * (1000 / CAL_MS);
	tsc_start = t1;
	irq_register(VEC_TIMER, tick);
	if (info.lapic_hz < TIMER_HZ)
		panic("timer: LAPIC timer calibration failed (%lu Hz)", info.lapic_hz);
	tick_period = info.tsc_hz / TIMER_HZ;
	timer_init_ap();
	pr_info("timer: TSC %lu.%03lu MHz, LAPIC timer %lu kHz (calibrated on %s), tick %u Hz, "
		"one-shot\n",
		info.tsc_hz / 1000000, info.tsc_hz / 1000 % 1000, info.lapic_hz / 1000,
		info.reference, TIMER_HZ);
}

void timer_init_ap(void)
{
	struct percpu *c = this_cpu();

	c->timer.next_tick = c->timer.armed = rdtsc() + tick_period;
	c->timer.wake = UINT64_MAX;
	lapic_timer_start(VEC_TIMER, (uint32_t)(info.lapic_hz / TIMER_HZ), false);
}

const struct timer_info *timer_info(void)
{
	return &info;
}


uint64_t ns_to_tsc(uint64_t ns)
{
	uint64_t khz = info.tsc_hz / 1000;

	if (ns > 31536000ull * 1000000000ull)
		ns = 31536000ull * 1000000000ull;
	return ns / 1000000 * khz + ns % 1000000 * khz / 1000000;
}

uint64_t tsc_to_ns(uint64_t tsc)
{
	uint64_t khz = info.tsc_hz / 1000;

	/* tsc * 1e6 / khz without overflowing for years of uptime. */
	return khz ? tsc / khz * 1000000 + tsc % khz * 1000000 / khz : 0;
}

uint64_t timer_uptime_ms(void)
{
	return info.tsc_hz ? (rdtsc() - tsc_start) / (info.tsc_hz / 1000) : 0;
}

void timer_udelay(uint64_t us)
{
	uint64_t end = rdtsc() + info.tsc_hz / 1000000 * us;

	while (rdtsc() < end)
		pause();
}
