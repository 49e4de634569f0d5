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
