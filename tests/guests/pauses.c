/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pauses: PAUSE as a kernel uses it, for pause-loop exiting. First 1000
 * PAUSEs each alone (a few thousand instructions of other work between
 * two: far more than the 128 TSC ticks that make a loop), then one spin
 * of 100000 PAUSEs back to back, at CPL 0 (VMX's PAUSE-loop exiting
 * watches ring 0 only). Prints
 *   pauses: 1000 alone, 100000 in one spin
 * and idles (interrupts on, halted). The test reads the domain's PAUSE
 * exits from the shell's `exits`: with a pause filter (SVM) or PAUSE-loop
 * exiting (VMX) the spin exits a few times and the lone ones never; a CPU
 * with neither (QEMU TCG's SVM) exits at every PAUSE.
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "pauses";

#define ALONE 1000u
#define SPIN 100000u
#define APART 2000u /* loop iterations between two lone PAUSEs */

static volatile uint32_t sink;

void guest_main(void)
{
	for (uint32_t i = 0; i < ALONE; i++) {
		pause();
		for (uint32_t j = 0; j < APART; j++)
			sink++;
	}
	for (uint32_t i = 0; i < SPIN; i++)
		pause();
	gprintf("pauses: %u alone, %u in one spin\n", ALONE, SPIN);
	for (;;)
		__asm__ volatile("sti; hlt");
}
