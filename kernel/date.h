/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unix time and the calendar, for the host's RTC driver (drivers/rtc.c)
 * and the guests' RTC model (vmm/plat/vrtc.c). Pure.
 */
#ifndef EYRIE_KERNEL_DATE_H
#define EYRIE_KERNEL_DATE_H

#include <stdbool.h>
#include <stdint.h>

/* Unix time to the proleptic Gregorian calendar: year (>= 1970), month
 * 1-12, day 1-31, weekday 0-6 (0 = Sunday). */
void date_from_unix(uint64_t t, unsigned *year, unsigned *mon, unsigned *day, unsigned *hour,
		    unsigned *min, unsigned *sec, unsigned *wday);
/* The inverse; UINT64_MAX if a field is out of range or before 1970. */
uint64_t date_to_unix(unsigned year, unsigned mon, unsigned day, unsigned hour, unsigned min,
		      unsigned sec);

#endif
