/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host CMOS clock (see rtc.h). The registers may be read mid-update, so
 * wait for UIP (register A bit 7) to clear, read everything, and accept
 * the values only when a second read agrees (as Linux's mc146818_get_time
 * does). Format per register B: BCD unless DM (bit 2), 12-hour unless
 * bit 1, where hour bit 7 means PM. The century byte at 0x32 is not
 * standard; it is used only when it reads 19-21.
 */
#include "drivers/rtc.h"
#include "arch/x86_64/cpu.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "kernel/date.h"

#define RTC_INDEX 0x70
#define RTC_DATA  0x71
#define REG_A_UIP 0x80
#define REG_B_DM  0x04
#define REG_B_24H 0x02
#define SPINS     10000000u /* far beyond the 2 ms an update takes */

/* The registers read, and their CMOS indexes. */
enum { R_SEC, R_MIN, R_HOUR, R_DAY, R_MON, R_YEAR, R_CENT, R_B, NREG };
static const uint8_t reg_index[NREG] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32, 0x0b };

static uint8_t cmos_read(uint8_t index)
{
	outb(RTC_INDEX, index);     /* bit 7 clear: NMIs stay enabled */
	return inb(RTC_DATA);
}

static int snapshot(uint8_t v[NREG])
{
	unsigned spin = 0;

	while (cmos_read(0x0a) & REG_A_UIP)
		if (++spin == SPINS)
			return -EIO;
		else
			pause();
	for (unsigned i = 0; i < NREG; i++)
		v[i] = cmos_read(reg_index[i]);
	return 0;
}

/* A bad BCD digit decodes to 100+, which the range checks reject. */
static unsigned dec(uint8_t v, bool binary)
{
	return binary ? v : (v & 0x0f) > 9 ? 100 : (v >> 4) * 10u + (v & 0x0f);
}

int rtc_read_unix(uint64_t *unix_time)
{
	uint8_t a[NREG], b[NREG];
	unsigned tries = 0, hour, year, cent;

	do {
		if (++tries > 10 || snapshot(a) || snapshot(b))
			return -EIO;
	} while (memcmp(a, b, NREG));   /* an update fell between */
	bool bin = a[R_B] & REG_B_DM;
	hour = dec(a[R_HOUR] & 0x7f, bin);
	if (!(a[R_B] & REG_B_24H)) {
		if (hour < 1 || hour > 12)
			return -EIO;
		hour = hour % 12 + (a[R_HOUR] & 0x80 ? 12 : 0);
	}
	year = dec(a[R_YEAR], bin);
	cent = dec(a[R_CENT], bin);
	if (year > 99)
		return -EIO;
	year += (cent >= 19 && cent <= 21 ? cent : 20) * 100;
	uint64_t t = date_to_unix(year, dec(a[R_MON], bin), dec(a[R_DAY], bin), hour,
				     dec(a[R_MIN], bin), dec(a[R_SEC], bin));
	if (t == UINT64_MAX)
		return -EIO;
	*unix_time = t;
	return 0;
}
