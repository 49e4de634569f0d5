/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host tests of boot/efi/manifest.c (the UEFI loader's eyrie.cfg parser).
 * Inputs are copied into exactly-sized heap buffers without a NUL, so ASan
 * catches any read past the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/efi/manifest.h"

static struct manifest m;
static struct manifest_error err;

static int parse_n(const char *text, size_t len)
{
	char *buf = malloc(len ? len : 1);
	int r;

	memcpy(buf, text, len);
	r = manifest_parse(buf, len, &m, &err);
	free(buf);
	assert_true(r == 0 || r == -EINVAL);
	assert_int_equal(r == 0, err.reason == MANIFEST_OK);
	return r;
}

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* Expects a failure with this reason on this line. */
static void refuse(const char *text, enum manifest_reason reason, unsigned line)
{
	assert_int_equal(parse(text), -EINVAL);
	assert_int_equal(err.reason, reason);
	assert_int_equal(err.line, line);
}

static void test_shipped_manifest(void **state)
{
	/* conf/eyrie.cfg as shipped. */
	assert_int_equal(parse("# Eyrie UEFI loader manifest\n"
			       "# hypervisor PATH [command line]\n"
			       "hypervisor eyrie.elf loglevel=info\n"
			       "module hypervisor.conf\n"), 0);
	assert_string_equal(m.hv_path, "eyrie.elf");
	assert_string_equal(m.cmdline, "loglevel=info");
	assert_int_equal(m.nr_modules, 1);
	assert_string_equal(m.modules[0].path, "hypervisor.conf");
	assert_string_equal(m.modules[0].name, "hypervisor.conf");
}

static void test_syntax_variants(void **state)
{
	assert_int_equal(parse("\xef\xbb\xbf" /* BOM */
			       "  # indented comment\r\n"
			       "\r\n"
			       "\t hypervisor \t /boot/eyrie.elf   a=1  b=\"x y\" \t\r\n"
			       "module dir/sub/dom0.elf dom0\r\n"
			       "module \\EFI\\BOOT\\guest.img\r\n"
			       "module plain"), 0); /* no final newline */
	assert_string_equal(m.hv_path, "/boot/eyrie.elf");
	assert_string_equal(m.cmdline, "a=1  b=\"x y\""); /* inner blanks kept */
	assert_int_equal(m.nr_modules, 3);
	assert_string_equal(m.modules[0].path, "dir/sub/dom0.elf");
	assert_string_equal(m.modules[0].name, "dom0");
	assert_string_equal(m.modules[1].name, "guest.img"); /* basename after '\' */
	assert_string_equal(m.modules[2].path, "plain");
	assert_string_equal(m.modules[2].name, "plain");
}

static void test_hypervisor_without_cmdline(void **state)
{
	assert_int_equal(parse("hypervisor eyrie.elf\n"), 0);
	assert_string_equal(m.cmdline, "");
	assert_int_equal(m.nr_modules, 0);
	assert_int_equal(err.line, 0);
}

static void test_order_free(void **state)
{
	assert_int_equal(parse("module a\nhypervisor h\nmodule b\n"), 0);
	assert_int_equal(m.nr_modules, 2);
	assert_string_equal(m.modules[1].name, "b");
}

static void test_missing_and_duplicate_hypervisor(void **state)
{
	refuse("", MANIFEST_ERR_NO_HYPERVISOR, 0);
	refuse("# only comments\n\n", MANIFEST_ERR_NO_HYPERVISOR, 0);
	refuse("module a\n", MANIFEST_ERR_NO_HYPERVISOR, 0);
	refuse("hypervisor a\n# c\nhypervisor b\n", MANIFEST_ERR_DUP_HYPERVISOR, 3);
}

static void test_bad_directives(void **state)
{
	refuse("hypervisor h\n\nkernel foo\n", MANIFEST_ERR_UNKNOWN, 3);
	refuse("Hypervisor h\n", MANIFEST_ERR_UNKNOWN, 1); /* case matters */
	refuse("hypervisorx h\n", MANIFEST_ERR_UNKNOWN, 1);
	refuse("hyper\n", MANIFEST_ERR_UNKNOWN, 1);
	refuse("hypervisor\n", MANIFEST_ERR_NO_PATH, 1);
	refuse("hypervisor h\nmodule   \t\n", MANIFEST_ERR_NO_PATH, 2);
	refuse("hypervisor h\nmodule dir/\n", MANIFEST_ERR_NO_PATH, 2);
	refuse("hypervisor h\nmodule a.bin name extra\n", MANIFEST_ERR_NAME_WORDS, 2);
}

static void test_garbage(void **state)
{
	static const char nul[] = "hypervisor h\nmodule a\0b\n";
	static const char binary[] = "\x7f" "ELF\x02\x01\x01\x00\x00\x00";

	assert_int_equal(parse_n(nul, sizeof(nul) - 1), -EINVAL);
	assert_int_equal(err.reason, MANIFEST_ERR_BAD_CHAR);
	assert_int_equal(err.line, 2);
	assert_int_equal(parse_n(binary, sizeof(binary) - 1), -EINVAL);
	assert_int_equal(err.reason, MANIFEST_ERR_BAD_CHAR);
	assert_int_equal(err.line, 1);
	refuse("hypervisor h caf\xc3\xa9\n", MANIFEST_ERR_BAD_CHAR, 1); /* UTF-8 */
	refuse("hypervisor h\rmodule x\n", MANIFEST_ERR_BAD_CHAR, 1);   /* lone CR */
	refuse("# \x1b[31m escape in a comment\n", MANIFEST_ERR_BAD_CHAR, 1);

	/* Random bytes: never a crash, and an accepted parse is consistent. */
	srand(777);
	for (int iter = 0; iter < 5000; iter++) {
		char buf[200];
		size_t len = (size_t)rand() % sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = (char)(rand() % 4 ? "hypervisor module #\n\t x/"[rand() % 25]
						   : rand());
		if (parse_n(buf, len) == 0) {
			assert_true(m.hv_path[0] != '\0');
			assert_true(m.nr_modules <= BOOT_MAX_MODULES);
		}
	}
}

static void test_line_lengths(void **state)
{
	char text[4096];
	int n;

	/* A line of exactly MANIFEST_LINE_MAX characters is fine... */
	n = snprintf(text, sizeof(text), "hypervisor h\n#%0*d\n", MANIFEST_LINE_MAX - 1, 0);
	assert_int_equal(parse_n(text, (size_t)n), 0);
	/* ...one more is not, comment or not. */
	n = snprintf(text, sizeof(text), "hypervisor h\n#%0*d\n", MANIFEST_LINE_MAX, 0);
	assert_int_equal(parse_n(text, (size_t)n), -EINVAL);
	assert_int_equal(err.reason, MANIFEST_ERR_LINE_TOO_LONG);
	assert_int_equal(err.line, 2);
	/* CR of a CRLF does not count. */
	n = snprintf(text, sizeof(text), "hypervisor h\r\n#%0*d\r\n", MANIFEST_LINE_MAX - 1, 0);
	assert_int_equal(parse_n(text, (size_t)n), 0);
}

static void test_field_lengths(void **state)
{
	char text[4096];
	int n;

	n = snprintf(text, sizeof(text), "hypervisor %0*d\n", MANIFEST_PATH_LEN - 1, 0);
	assert_int_equal(parse_n(text, (size_t)n), 0);
	assert_int_equal(strlen(m.hv_path), MANIFEST_PATH_LEN - 1);
	n = snprintf(text, sizeof(text), "hypervisor %0*d\n", MANIFEST_PATH_LEN, 0);
	assert_int_equal(parse_n(text, (size_t)n), -EINVAL);
	assert_int_equal(err.reason, MANIFEST_ERR_PATH_TOO_LONG);

	n = snprintf(text, sizeof(text), "hypervisor h %0*d\n", BOOT_CMDLINE_LEN - 1, 0);
	assert_int_equal(parse_n(text, (size_t)n), 0);
	assert_int_equal(strlen(m.cmdline), BOOT_CMDLINE_LEN - 1);
	n = snprintf(text, sizeof(text), "hypervisor h %0*d\n", BOOT_CMDLINE_LEN, 0);
	assert_int_equal(parse_n(text, (size_t)n), -EINVAL);
	assert_int_equal(err.reason, MANIFEST_ERR_CMDLINE_TOO_LONG);

	n = snprintf(text, sizeof(text), "hypervisor h\nmodule m %0*d\n", BOOT_NAME_LEN - 1, 0);
	assert_int_equal(parse_n(text, (size_t)n), 0);
	n = snprintf(text, sizeof(text), "hypervisor h\nmodule m %0*d\n", BOOT_NAME_LEN, 0);
	assert_int_equal(parse_n(text, (size_t)n), -EINVAL);
	assert_int_equal(err.reason, MANIFEST_ERR_NAME_TOO_LONG);
	assert_int_equal(err.line, 2);
	/* A default name from a long basename is checked too. */
	n = snprintf(text, sizeof(text), "hypervisor h\nmodule d/%0*d\n", BOOT_NAME_LEN, 0);
	assert_int_equal(parse_n(text, (size_t)n), -EINVAL);
	assert_int_equal(err.reason, MANIFEST_ERR_NAME_TOO_LONG);
}

static void test_module_limit(void **state)
{
	char text[4096];
	size_t n = (size_t)snprintf(text, sizeof(text), "hypervisor h\n");

	for (int i = 0; i < BOOT_MAX_MODULES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "module m%d\n", i);
	assert_int_equal(parse_n(text, n), 0);
	assert_int_equal(m.nr_modules, BOOT_MAX_MODULES);
	assert_string_equal(m.modules[BOOT_MAX_MODULES - 1].name, "m15");
	n += (size_t)snprintf(text + n, sizeof(text) - n, "# still fine\nmodule one-too-many\n");
	assert_int_equal(parse_n(text, n), -EINVAL);
	assert_int_equal(err.reason, MANIFEST_ERR_TOO_MANY_MODULES);
	assert_int_equal(err.line, BOOT_MAX_MODULES + 3);
}

static void test_reason_strings(void **state)
{
	for (int r = MANIFEST_OK; r <= MANIFEST_ERR_NO_HYPERVISOR; r++)
		assert_string_not_equal(manifest_reason_str((enum manifest_reason)r),
					"unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_manifest),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_hypervisor_without_cmdline),
		cmocka_unit_test(test_order_free),
		cmocka_unit_test(test_missing_and_duplicate_hypervisor),
		cmocka_unit_test(test_bad_directives),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_line_lengths),
		cmocka_unit_test(test_field_lengths),
		cmocka_unit_test(test_module_limit),
		cmocka_unit_test(test_reason_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
