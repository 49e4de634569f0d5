/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * burn: CPU-bound for ever, for the scheduler's tests (weights, caps,
 * pinning, more vcpus than CPUs). A dependent xorshift chain with no
 * exits, and after every 2^26 steps a line "burn N" (N counting up): the
 * sign it still makes progress. Its CPU time is read from the hypervisor
 * (the shell's `vcpus`), not from the guest.
 *
 * While it loops, xmm0 holds a value of its own (from its start TSC and
 * N): a vcpu moved to another CPU must find its SSE state there (the CPU
 * it left saves it first). A wrong value prints "burn BAD".
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "burn";

#define STEPS (1u << 26)
#define CR4_OSFXSR (1u << 9)

static volatile uint32_t sink;

void guest_main(void)
{
	uint32_t x = 2463534242u, seed = (uint32_t)rdtsc() | 1;

	write_cr4_safe((uint32_t)read_cr4() | CR4_OSFXSR);
	/* IF = 1 (nothing is ever sent to it): Bochs 2.7's VMX does not exit
	 * on a host interrupt while the guest runs with IF = 0, so the CPU
	 * running such a spinning guest takes no tick or kick there, and a
	 * shell command that needs that CPU (`vcpus` reads the vcpu's RIP:
	 * its VMCS is VMCLEARed there first) waits for ever. QEMU's SVM exits. */
	__asm__ volatile("sti");
	for (uint32_t n = 1;; n++) {
		uint32_t want = seed * n, got;
		__asm__ volatile("movd %0, %%xmm0" :: "r"(want));
		for (uint32_t i = 0; i < STEPS; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			__asm__ volatile("" : "+r"(x));
		}
		__asm__ volatile("movd %%xmm0, %0" : "=r"(got));
		sink = x;
		if (got != want)
			gprintf("burn BAD: xmm0 0x%x, want 0x%x\n", got, want);
		gprintf("burn %u\n", n);
	}
}
