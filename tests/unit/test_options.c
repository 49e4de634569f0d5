/* SPDX-License-Identifier: GPL-2.0-only */
/* Option tokenizer, printf and CRC-32. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/crc32.h"
#include "kernel/errno.h"
#include "kernel/options.h"

int eyrie_snprintf(char *buf, size_t size, const char *fmt, ...);

static void test_options(void **state)
{
	const char text[] = "  loglevel=debug # comment fb=off\n\tfb=off flag\n#x=y\nnoeq";
	const char *p = text, *end = text + sizeof(text) - 1;
	char k[OPT_KEY_MAX], v[OPT_VAL_MAX];

	assert_int_equal(opt_next(&p, end, k, v), 1);
	assert_string_equal(k, "loglevel");
	assert_string_equal(v, "debug");
	assert_int_equal(opt_next(&p, end, k, v), 1);
	assert_string_equal(k, "fb");
	assert_string_equal(v, "off");
	assert_int_equal(opt_next(&p, end, k, v), 1);
	assert_string_equal(k, "flag");
	assert_string_equal(v, "");
	assert_int_equal(opt_next(&p, end, k, v), 1);
	assert_string_equal(k, "noeq");
	assert_int_equal(opt_next(&p, end, k, v), 0);
}

static void test_options_quoted(void **state)
{
	const char text[] = "domain=\"name=a,cmdline=console=ttyS0 quiet\" x=\"#not comment\" y=\"open";
	const char *p = text, *end = text + sizeof(text) - 1;
	char k[OPT_KEY_MAX], v[OPT_VAL_MAX];

	assert_int_equal(opt_next(&p, end, k, v), 1);
	assert_string_equal(k, "domain");
	assert_string_equal(v, "name=a,cmdline=console=ttyS0 quiet");
	assert_int_equal(opt_next(&p, end, k, v), 1);
	assert_string_equal(k, "x");
	assert_string_equal(v, "#not comment");
	assert_int_equal(opt_next(&p, end, k, v), -EINVAL); /* unterminated quote */
	assert_int_equal(opt_next(&p, end, k, v), 0);
	/* As GRUB passes them: each quote escaped with a backslash. */
	const char grub[] = "domain=\\\"name=b,module=m.bin a b,cmdline=x y\\\" z=1";
	p = grub;
	end = grub + sizeof(grub) - 1;
	assert_int_equal(opt_next(&p, end, k, v), 1);
	assert_string_equal(v, "name=b,module=m.bin a b,cmdline=x y");
	assert_int_equal(opt_next(&p, end, k, v), 1);
	assert_string_equal(k, "z");
}

static void test_options_bad(void **state)
{
	char text[300];
	const char *p;
	char k[OPT_KEY_MAX], v[OPT_VAL_MAX];

	memset(text, 'k', sizeof(text));
	memcpy(text + 250, " a=b", 4);
	p = text;
	assert_int_equal(opt_next(&p, text + 254, k, v), -EINVAL); /* over-long key */
	assert_int_equal(opt_next(&p, text + 254, k, v), 1);
	assert_string_equal(k, "a");
	p = "=x";
	assert_int_equal(opt_next(&p, p + 2, k, v), -EINVAL);
	/* Stops at NUL even when end is further. */
	const char z[] = "a=1\0b=2";
	p = z;
	assert_int_equal(opt_next(&p, z + sizeof(z), k, v), 1);
	assert_int_equal(opt_next(&p, z + sizeof(z), k, v), 0);
}

static void test_printf(void **state)
{
	char b[64];

	eyrie_snprintf(b, sizeof(b), "%d|%5u|%-4s|%05x|%lx|%c|%%|%s", -42, 7u, "ab", 0xbeefu,
		       0x123456789abcull, 'z', (char *)NULL);
	assert_string_equal(b, "-42|    7|ab  |0beef|123456789abc|z|%|(null)");
	eyrie_snprintf(b, sizeof(b), "%08x %.3s %zu %03d %ld", 0xabcu, "abcdef", (size_t)9, -5,
		       (long)INT64_MIN);
	assert_string_equal(b, "00000abc abc 9 -05 -9223372036854775808");
	assert_int_equal(eyrie_snprintf(b, 4, "%s", "truncated"), 9);
	assert_string_equal(b, "tru");
	eyrie_snprintf(b, sizeof(b), "%p %X", (void *)0x1000, 0xabu);
	assert_string_equal(b, "0x1000 AB");
}

static void test_crc32(void **state)
{
	assert_int_equal(crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(crc32(0, "", 0), 0);
	assert_int_equal(crc32(crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_options_quoted),
		cmocka_unit_test(test_options_bad),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_crc32),
	};
	return cmocka_run_group_tests_name("options/printf/crc32", tests, NULL, NULL);
}
