/* SPDX-License-Identifier: GPL-2.0-only */
/* Line editor: echo, backspace, history, escapes, binary and over-long input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/lineedit.h"

static struct lineedit le;
static char echo_all[8192];
static size_t echo_n;

/* Feeds s; returns the last non-NONE result (or LE_NONE). */
static enum le_result feed(const char *s, size_t n)
{
	enum le_result last = LE_NONE;
	char echo[LINE_ECHO_MAX];
	size_t e;

	for (size_t i = 0; i < n; i++) {
		enum le_result r = le_feed(&le, (unsigned char)s[i], echo, &e);
		assert_true(e <= LINE_ECHO_MAX);
		if (echo_n + e < sizeof(echo_all)) {
			memcpy(echo_all + echo_n, echo, e);
			echo_n += e;
		}
		if (r != LE_NONE)
			last = r;
	}
	echo_all[echo_n] = 0;
	return last;
}
#define FEED(lit) feed(lit, sizeof(lit) - 1)

static int setup(void **state)
{
	le_init(&le);
	echo_n = 0;
	return 0;
}

static void test_plain_and_backspace(void **state)
{
	assert_int_equal(FEED("hepl\x7f\x7flp\r"), LE_LINE);
	assert_string_equal(le.line, "help");
	assert_string_equal(echo_all, "hepl\b \b\b \blp\n");
	/* CR LF counts as one Enter. */
	assert_int_equal(FEED("mem\r\n"), LE_LINE);
	assert_string_equal(le.line, "mem");
	assert_int_equal(FEED("\n"), LE_LINE); /* a lone LF is an Enter */
	assert_string_equal(le.line, "");
}

static void test_history(void **state)
{
	FEED("one\r");
	FEED("two\r");
	FEED("two\r"); /* repeated: kept once */
	echo_n = 0;
	assert_int_equal(FEED("\x1b[A\x1b[A\r"), LE_LINE);
	assert_string_equal(le.line, "one");
	/* History is now one, two, one: up, up, down recalls "one". */
	assert_int_equal(FEED("x\x1b[A\x1b[A\x1b[B\r"), LE_LINE);
	assert_string_equal(le.line, "one");
	/* Down past the newest entry gives an empty line. */
	assert_int_equal(FEED("\x1b[A\x1b[B\r"), LE_LINE);
	assert_string_equal(le.line, "");
}

static void test_binary(void **state)
{
	assert_int_equal(feed("ab\x00\x01\xff" "c\r", 7), LE_BINARY);
	/* Escape sequences other than arrows are ignored, not binary. */
	assert_int_equal(FEED("\x1b[Zls\x1b[1;5C\r"), LE_LINE);
	assert_string_equal(le.line, "ls");
	/* A lone ESC followed by a letter is binary. */
	assert_int_equal(FEED("\x1bq\r"), LE_BINARY);
	assert_int_equal(FEED("ok\r"), LE_LINE);
}

static void test_too_long_and_cancel(void **state)
{
	char buf[400];

	memset(buf, 'a', sizeof(buf));
	assert_int_equal(feed(buf, sizeof(buf)), LE_NONE);
	assert_int_equal(le.len, LINE_MAX);
	assert_int_equal(FEED("\r"), LE_TOO_LONG);
	assert_int_equal(FEED("abc\x03"), LE_CANCEL);
	assert_int_equal(FEED("x\x15y\r"), LE_LINE);
	assert_string_equal(le.line, "y");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_plain_and_backspace, setup),
		cmocka_unit_test_setup(test_history, setup),
		cmocka_unit_test_setup(test_binary, setup),
		cmocka_unit_test_setup(test_too_long_and_cancel, setup),
	};
	return cmocka_run_group_tests_name("lineedit", tests, NULL, NULL);
}
