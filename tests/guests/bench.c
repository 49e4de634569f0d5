/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench: the cost of an exit round trip, measured with RDTSC in the guest.
 * For each exit kind a loop of N iterations with the exiting instruction
 * and the same loop without it (the overhead); the difference divided by
 * N is the round trip in TSC ticks. A calibration loop of known
 * instruction count gives ticks per instruction: under QEMU -icount
 * shift=0 the TSC counts executed instructions (1 tick each), so the
 * figures are instructions, hypervisor included. Then WALL iterations
 * per kind between "begin"/"end" lines, which tools/bench.py times on the
 * serial line (wall clock under any emulator). Output:
 *
 *   bench tsc_khz K
 *   bench calib INSNS TICKS
 *   bench raw KIND N LOOP_TICKS BASE_TICKS
 *   bench KIND TICKS_PER_EXIT          (KIND: cpuid, out, hypercall)
 *   bench wall KIND begin N / bench wall KIND end
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "bench";

#define N 10000
#define WALL 100000
#define BENCH_PORT 0x2f0   /* unclaimed */

enum kind { K_CPUID, K_OUT, K_HYPERCALL, K_BASE, K_CALIB };

/* The loops, in asm so their instruction counts are exact. Each iteration:
 * set up registers, the exiting instruction (not in K_BASE), dec, jnz. */
static uint64_t run(enum kind k, uint32_t n)
{
	uint64_t t0 = rdtsc();

	switch (k) {
	case K_CPUID:
		__asm__ volatile("1: xorl %%eax, %%eax; xorl %%ecx, %%ecx; cpuid;"
				 "decl %%esi; jnz 1b"
				 : "+S"(n) : : "eax", "ebx", "ecx", "edx", "memory");
		break;
	case K_OUT:
		__asm__ volatile("1: xorl %%eax, %%eax; movl %[p], %%edx; outb %%al, %%dx;"
				 "decl %%esi; jnz 1b"
				 : "+S"(n) : [p] "i"(BENCH_PORT) : "eax", "edx", "memory");
		break;
	case K_HYPERCALL:
		if (hc_amd)
			__asm__ volatile("1: movl %[nr], %%eax; xorl %%ebx, %%ebx; vmmcall;"
					 "decl %%esi; jnz 1b"
					 : "+S"(n) : [nr] "i"(HYPERVISOR_xen_version)
					 : "eax", "ebx", "ecx", "edx", "edi", "memory");
		else
			__asm__ volatile("1: movl %[nr], %%eax; xorl %%ebx, %%ebx; vmcall;"
					 "decl %%esi; jnz 1b"
					 : "+S"(n) : [nr] "i"(HYPERVISOR_xen_version)
					 : "eax", "ebx", "ecx", "edx", "edi", "memory");
		break;
	case K_BASE:    /* as the loops above, without the exiting instruction */
		__asm__ volatile("1: xorl %%eax, %%eax; xorl %%ecx, %%ecx;"
				 "decl %%esi; jnz 1b"
				 : "+S"(n) : : "eax", "ecx", "memory");
		break;
	case K_CALIB:   /* 2 instructions per iteration */
		__asm__ volatile("1: decl %%esi; jnz 1b" : "+S"(n) : : "memory");
		break;
	}
	return rdtsc() - t0;
}

void guest_main(void)
{
	static const char *const names[] = { "cpuid", "out", "hypercall" };

	if (hc_xen_version() != EYRIE_XEN_VERSION) {
		fail("hypercall", "xen_version does not answer: no figures");
		return;
	}
	cli();
	gprintf("bench tsc_khz %u\n", tsc_khz);
	run(K_CALIB, 1000);    /* warm up */
	uint64_t calib = run(K_CALIB, 1000000);
	gprintf("bench calib %u %llu\n", 2000000u, (unsigned long long)calib);
	for (int k = K_CPUID; k <= K_HYPERCALL; k++) {
		run((enum kind)k, 100);
		uint64_t loop = run((enum kind)k, N), base = run(K_BASE, N);
		uint64_t per = loop > base ? (loop - base + N / 2) / N : 0;
		gprintf("bench raw %s %u %llu %llu\n", names[k], N, (unsigned long long)loop,
			(unsigned long long)base);
		gprintf("bench %s %llu\n", names[k], (unsigned long long)per);
	}
	for (int k = K_CPUID; k <= K_HYPERCALL; k++) {
		gprintf("bench wall %s begin %u\n", names[k], WALL);
		run((enum kind)k, WALL);
		gprintf("bench wall %s end\n", names[k]);
	}
	pass("figures", "N=%u, wall %u", N, WALL);
}
