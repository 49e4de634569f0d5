/* SPDX-License-Identifier: GPL-2.0-only */
/* The host's MC146818 CMOS clock, read once to date the guests' clocks. */
#ifndef EYRIE_DRIVERS_RTC_H
#define EYRIE_DRIVERS_RTC_H

#include <stdint.h>

/* Reads the CMOS clock (assumed UTC, as Linux keeps it) into seconds since
 * 1970. Returns 0, or -EIO when the clock never leaves its update cycle or
 * holds no valid date. */
int rtc_read_unix(uint64_t *unix_time);

#endif
