/* SPDX-License-Identifier: GPL-2.0-only */
/* Time: the TSC and local APIC timer, calibrated at boot; a periodic tick. */
#ifndef EYRIE_ARCH_TIMER_H
#define EYRIE_ARCH_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_HZ 100 /* the scheduler's tick; timer_wake_at is finer */
#define TIMER_MIN_WAKE_US 100 /* but wakes at most every 100 us */

struct timer_info {
	uint64_t tsc_hz;
	uint64_t lapic_hz;       /* timer input clock after the divide-by-16 */
	const char *reference;   /* "ACPI PM timer" or "PIT" */
};

/* Calibrates against the ACPI PM timer when pm_port != 0, else the PIT,
 * and starts the periodic tick. Interrupts must still be off. */
void timer_init(uint16_t pm_port, bool pm_32bit);
const struct timer_info *timer_info(void);
/* Another CPU's tick, with the boot CPU's calibration. */
void timer_init_ap(void);
extern volatile uint64_t timer_tick_count; /* the boot CPU's ticks since timer_init */
/* Also interrupt this CPU at (or just after) TSC value tsc, for guest
 * timers; the request lapses once that time has come. Interrupts off. */
void timer_wake_at(uint64_t tsc);
/* Milliseconds since timer_init, from the TSC. */
uint64_t timer_uptime_ms(void);
/* TSC ticks in ns nanoseconds, the span capped at a year (no overflow). */
uint64_t ns_to_tsc(uint64_t ns);
/* Nanoseconds in tsc TSC ticks. */
uint64_t tsc_to_ns(uint64_t tsc);
/* Busy-waits (TSC based); works with interrupts off. */
void timer_udelay(uint64_t us);

#endif
