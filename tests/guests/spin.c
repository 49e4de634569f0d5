/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spin: CPU-bound work on both vcpus of one PVH domain (type=pvh,vcpus=2),
 * for make bench's parallel speedup. Each vcpu runs the same fixed loop
 * (no exits; about 2.5 s of QEMU TCG alone: shorter runs measured
 * mostly the start-up); vcpu 0 times both from before it starts vcpu 1 until both
 * are done, by its TSC (under QEMU TCG the host's clock), and prints
 *   spin: 2 vcpus x N iterations in T us
 * With the vcpus on two CPUs the loops run side by side, on one CPU they
 * take turns. Checks only that both finished (no timings in pass/fail).
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "spin";

#define ITERATIONS 1500000000u

static volatile uint32_t ap_state; /* 1: started, 2: its loop is done */
static uint8_t ap_stack[4096] __attribute__((aligned(16)));

/* A dependent chain the compiler cannot fold (xorshift). */
static uint32_t work(void)
{
	uint32_t x = 2463534242u;

	for (uint32_t i = 0; i < ITERATIONS; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

static volatile uint32_t sink[2];
static volatile uint64_t ap_ns; /* vcpu 1's loop */

static __attribute__((noreturn, used)) void ap_main(void)
{
	ap_state = 1;
	uint64_t t = now_ns();
	sink[1] = work();
	ap_ns = now_ns() - t;
	ap_state = 2;
	for (;;)
		__asm__ volatile("cli; hlt");
}

void guest_main(void)
{
	uint64_t t0 = now_ns();
	bool up = vcpu_start_flat32(1, ap_main, ap_stack + sizeof(ap_stack), &ap_state, 1);

	if (!check("vcpu1-up", up, "vcpu 1 did not start"))
		return;
	uint64_t t1 = now_ns();
	sink[0] = work();
	uint64_t own = now_ns() - t1;
	uint64_t end = now_ns() + 60000 * 1000000ull;
	while (ap_state != 2 && now_ns() < end)
		pause();
	uint64_t us = (now_ns() - t0) / 1000;
	if (check("both-done", ap_state == 2, "vcpu 1's loop %s",
		  ap_state == 2 ? "done" : "not done in 60 s"))
		gprintf("spin: 2 vcpus x %u iterations in %llu us (loops: vcpu 0 %llu us, "
			"vcpu 1 %llu us)\n", ITERATIONS, (unsigned long long)us,
			(unsigned long long)(own / 1000), (unsigned long long)(ap_ns / 1000));
}
