/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pattern: the bystander. Fills all of its RAM except its own image with a
 * pattern that depends on the address, then forever: sleep (timer +
 * sched_op block, so it does not hog the CPU), verify every word, print
 * "pattern ok N". Another guest or the hypervisor writing into this
 * domain's memory shows up as a FAIL line with the address.
 *
 * The RAM size is fixed at build time: the domain must be configured with
 * memory=PATTERN_MIB.
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "pattern";

#define PATTERN_MIB 4
#define PERIOD_NS 500000000ull  /* one check and line every 0.5 s of guest time */

static inline uint32_t expect(uintptr_t a)
{
	return (uint32_t)a * 0x9e3779b1u ^ 0xa5a5a5a5u;
}

static bool in_image(uintptr_t a)
{
	return a >= (uintptr_t)__image_start && a < (uintptr_t)__image_end;
}

static void fill(void)
{
	for (uintptr_t a = 0; a < (uintptr_t)PATTERN_MIB << 20; a += 4)
		if (!in_image(a))
			*(volatile uint32_t *)a = expect(a);
}

/* Returns the number of wrong words (repairing them, reporting a few). */
static unsigned verify(void)
{
	static unsigned reported;
	unsigned bad = 0;

	for (uintptr_t a = 0; a < (uintptr_t)PATTERN_MIB << 20; a += 4) {
		if (in_image(a))
			continue;
		uint32_t v = *(volatile uint32_t *)a;
		if (v != expect(a)) {
			if (reported++ < 16)
				fail("memory", "word at 0x%x is 0x%08x, expected 0x%08x",
				     (unsigned)a, v, expect(a));
			*(volatile uint32_t *)a = expect(a);
			bad++;
		}
	}
	return bad;
}

/* Sleeps until `deadline`: timer + block, or a busy wait without them. */
static void sleep_until(uint64_t deadline, bool have_timer)
{
	while (now_ns() < deadline) {
		if (!have_timer) {
			pause();
			continue;
		}
		cli();
		if (hc_set_timer(deadline) != 0 || hc_block_sti() != 0) {
			sti();
			spin_until(deadline, false);
		}
	}
}

void guest_main(void)
{
	bool have_timer = callback_setup() == 0;
	unsigned long round = 0;

	gprintf("pattern: filling %u MiB (image 0x%x-0x%x), timer %s\n", PATTERN_MIB,
		(unsigned)(uintptr_t)__image_start, (unsigned)(uintptr_t)__image_end,
		have_timer ? "on" : "off");
	fill();
	sti();
	for (uint64_t next = now_ns();; ) {
		next += PERIOD_NS;
		sleep_until(next, have_timer);
		unsigned bad = verify();
		round++;
		if (bad)
			gprintf("pattern BAD %lu: %u words changed\n", round, bad);
		else
			gprintf("pattern ok %lu\n", round);
	}
}
