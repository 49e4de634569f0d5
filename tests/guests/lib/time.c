/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest system time: guest TSC * 1e6 / tsc_khz nanoseconds (the Xen PVH
 * convention Eyrie follows; the guest TSC starts at 0 at domain creation). */
#include "runtime.h"
#include "x86.h"

uint32_t tsc_khz;

void time_init(void)
{
	uint32_t r[4];

	if (hv_is_eyrie()) {
		cpuid(CPUID_HV_TSC, 0, r);
		tsc_khz = r[0];
	} else {                /* PVH: Xen's time leaf, subleaf 0 ECX */
		cpuid(0x40000000, 0, r);
		if (r[1] == 0x566e6558 && r[0] >= 0x40000003) { /* "XenV" */
			cpuid(0x40000003, 0, r);
			tsc_khz = r[2];
		}
	}
	if (tsc_khz == 0)       /* bare metal (smoke runs): any sane guess */
		tsc_khz = 1000000;
}

uint64_t ticks_to_ns(uint64_t t)
{
	/* Split so that t * 1e6 cannot overflow. */
	return t / tsc_khz * 1000000u + t % tsc_khz * 1000000u / tsc_khz;
}

uint64_t now_ns(void)
{
	return ticks_to_ns(rdtsc());
}

void spin_until(uint64_t t, bool exiting)
{
	uint32_t r[4];

	while (now_ns() < t) {
		if (exiting)
			cpuid(0, 0, r);
		else
			pause();
	}
}

/* The two reads of a port clock, each between two TSC readings: whatever
 * delays the reads (an exit, the host descheduling the emulator), the
 * clock's ticks must lie between the TSC's inner and outer spans. */
void pm_timer_span(uint16_t port, uint64_t ms, struct pm_span *s)
{
	s->ticks = 0;
	s->min_ns = 0;
	s->max_ns = ~0ull;
	for (int i = 0; i < 4 && s->max_ns - s->min_ns > 200000; i++) {
		uint64_t a0 = now_ns();
		uint32_t p0 = inl(port);
		uint64_t b0 = now_ns();
		spin_until(b0 + ms * 1000000u, false);
		uint64_t a1 = now_ns();
		uint32_t p1 = inl(port);
		uint64_t b1 = now_ns();
		if (b1 - a0 - (a1 - b0) < s->max_ns - s->min_ns) {
			s->ticks = p1 - p0;
			s->min_ns = a1 - b0;
			s->max_ns = b1 - a0;
		}
	}
}

bool pm_span_agrees(const struct pm_span *s)
{
	uint64_t lo = s->min_ns * PM_TMR_HZ / 1000000000u, hi = s->max_ns * PM_TMR_HZ / 1000000000u;

	/* Rounding: a tick either side, and tsc_khz's truncation (< 0.1%). */
	return s->ticks + 2 >= lo - lo / 1000 && s->ticks <= hi + hi / 1000 + 2;
}
