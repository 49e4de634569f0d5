/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * burn: CPU-bound for ever, for the scheduler's tests (weights, caps,
 * pinning, more vcpus than CPUs). A dependent xorshift chain with no
 * exits, and after every 2^26 steps a line "burn N" (N counting up): the
 * sign it still makes progress. Its CPU time is read from the hypervisor
 * (the shell's `vcpus`), not from the guest.
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "burn";

#define STEPS (1u << 26)

static volatile uint32_t sink;

void guest_main(void)
{
	uint32_t x = 2463534242u;

	for (uint64_t n = 1;; n++) {
		for (uint32_t i = 0; i < STEPS; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			__asm__ volatile("" : "+r"(x));
		}
		sink = x;
		gprintf("burn %llu\n", (unsigned long long)n);
	}
}
