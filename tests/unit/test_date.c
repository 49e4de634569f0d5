/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Calendar arithmetic (kernel/date.c): known dates, a round trip against
 * the host's gmtime every 3 days and 1 h 1 min 11 s from 1970 to 2200, and
 * fields out of range.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "kernel/date.h"

#define T24 1710510330ull       /* 2024-03-15 13:45:30 UTC, a Friday */

static void test_unix_to_tm_known(void **s)
{
	unsigned y, mo, d, h, mi, se, wd;

	date_from_unix(0, &y, &mo, &d, &h, &mi, &se, &wd);
	assert_true(y == 1970 && mo == 1 && d == 1 && h == 0 && mi == 0 && se == 0 && wd == 4);
	date_from_unix(951782400, &y, &mo, &d, &h, &mi, &se, &wd);
	assert_true(y == 2000 && mo == 2 && d == 29 && wd == 2);
	date_from_unix(4107542399, &y, &mo, &d, &h, &mi, &se, &wd);
	assert_true(y == 2100 && mo == 2 && d == 28 && h == 23 && mi == 59 && se == 59);
	date_from_unix(4107542400, &y, &mo, &d, &h, &mi, &se, &wd);
	assert_true(y == 2100 && mo == 3 && d == 1 && wd == 1);
	date_from_unix(T24, &y, &mo, &d, &h, &mi, &se, &wd);
	assert_true(y == 2024 && mo == 3 && d == 15 && h == 13 && mi == 45 && se == 30 && wd == 5);
}

static void test_tm_round_trip_gmtime(void **s)
{
	unsigned y, mo, d, h, mi, se, wd, n = 0;

	for (uint64_t t = 0; t < 7258118400ull; t += 86400 * 3 + 3671, n++) { /* to 2200 */
		time_t tt = (time_t)t;
		struct tm g;

		gmtime_r(&tt, &g);
		date_from_unix(t, &y, &mo, &d, &h, &mi, &se, &wd);
		assert_int_equal(y, g.tm_year + 1900);
		assert_int_equal(mo, g.tm_mon + 1);
		assert_int_equal(d, g.tm_mday);
		assert_true(h == (unsigned)g.tm_hour && mi == (unsigned)g.tm_min && se == (unsigned)g.tm_sec);
		assert_int_equal(wd, g.tm_wday);
		assert_int_equal(date_to_unix(y, mo, d, h, mi, se), t);
	}
	assert_true(n > 20000);
}

static void test_tm_to_unix_invalid(void **s)
{
	assert_int_equal(date_to_unix(2000, 2, 29, 0, 0, 0), 951782400);
	assert_true(date_to_unix(2024, 2, 29, 12, 0, 0) != UINT64_MAX);
	assert_true(date_to_unix(2023, 2, 29, 0, 0, 0) == UINT64_MAX);
	assert_true(date_to_unix(2100, 2, 29, 0, 0, 0) == UINT64_MAX);
	assert_true(date_to_unix(1969, 12, 31, 23, 59, 59) == UINT64_MAX);
	assert_true(date_to_unix(2024, 13, 1, 0, 0, 0) == UINT64_MAX);
	assert_true(date_to_unix(2024, 6, 31, 0, 0, 0) == UINT64_MAX);
	assert_true(date_to_unix(2024, 1, 0, 0, 0, 0) == UINT64_MAX);
	assert_true(date_to_unix(2024, 1, 1, 24, 0, 0) == UINT64_MAX);
	assert_true(date_to_unix(2024, 1, 1, 0, 60, 0) == UINT64_MAX);
	assert_int_equal(date_to_unix(1970, 1, 1, 0, 0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unix_to_tm_known),
		cmocka_unit_test(test_tm_round_trip_gmtime),
		cmocka_unit_test(test_tm_to_unix_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
