/* SPDX-License-Identifier: GPL-2.0-only */
/* Calendar arithmetic (see date.h). */
#include "kernel/date.h"

#define DAY_S 86400u

/* Days from 1970-01-01 (H. Hinnant's civil calendar algorithms). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	y -= m <= 2;
	uint64_t era = y / 400, yoe = y - era * 400;
	uint64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

void date_from_unix(uint64_t t, unsigned *year, unsigned *mon, unsigned *day, unsigned *hour,
		    unsigned *min, unsigned *sec, unsigned *wday)
{
	uint64_t z = t / DAY_S + 719468, era = z / 146097, doe = z - era * 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	*day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*mon = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*year = (unsigned)(yoe + era * 400 + (*mon <= 2));
	*hour = (unsigned)(t % DAY_S / 3600);
	*min = (unsigned)(t % 3600 / 60);
	*sec = (unsigned)(t % 60);
	*wday = (unsigned)((t / DAY_S + 4) % 7);       /* 1970-01-01 was a Thursday */
}

uint64_t date_to_unix(unsigned year, unsigned mon, unsigned day, unsigned hour, unsigned min,
		      unsigned sec)
{
	static const uint8_t mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	if (year < 1970 || year > 9999 || mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] ||
	    (mon == 2 && day == 29 && !leap) || hour > 23 || min > 59 || sec > 59)
		return UINT64_MAX;
	return days_from_civil(year, mon, day) * DAY_S + hour * 3600u + min * 60u + sec;
}
