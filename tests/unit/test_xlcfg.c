/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl.cfg parser: valid files in every accepted form, every error with its
 * line, every range limit, the console's key=value form, and hostile input
 * (NULs, 64 KiB lines, unterminated strings and lists, repeated keys, 10k
 * random mutations of a valid file). Inputs live in malloc'd buffers of their
 * exact length, without a terminating NUL, so ASan catches any read past
 * len. XLCFG_FUZZ_ITERS and XLCFG_FUZZ_SEED in the environment override the
 * mutation count and seed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt/xlcfg.h"

static struct xlcfg cfg;
static struct xlcfg_error err;

static unsigned lines_of(const char *s, size_t n)
{
	unsigned l = 1;

	for (size_t i = 0; i < n; i++)
		l += s[i] == '\n' && i + 1 < n;
	return l;
}

/* Parses n bytes from an exact-size copy and checks the error contract. */
static int parse_n(const char *text, size_t n)
{
	char *buf = malloc(n ? n : 1);
	int r;

	memcpy(buf, text, n);
	memset(&err, 0x55, sizeof(err));
	r = xlcfg_parse(buf, n, &cfg, &err);
	free(buf);
	assert_true(memchr(err.message, 0, sizeof(err.message)) != NULL);
	if (r == 0) {
		assert_int_equal(err.line, 0);
		assert_string_equal(err.message, "");
	} else {
		assert_true(r == -XLCFG_EINVAL || r == -XLCFG_ERANGE);
		assert_in_range(err.line, 1, lines_of(text, n));
		assert_true(!strncmp(err.message, "line ", 5));
	}
	return r;
}

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

#define MIN "name='m'\ntype='pvh'\nmemory=1\nkernel='k'\n"

/* Expects an error at line with msg inside the message. */
static void expect_err(const char *text, int rc, unsigned line, const char *msg)
{
	int r = parse(text);

	if (r != rc || err.line != line || !strstr(err.message, msg))
		fail_msg("%.200s\n-> %d line %u \"%s\"; wanted %d line %u \"%s\"", text, r, err.line,
			 err.message, rc, line, msg);
}

static void test_valid(void **state)
{
	static const char f[] =
		"# Eyrie domain\n"
		"\n"
		"name = \"web-1\"   # trailing comment\n"
		"type = 'hvm';\n"
		"memory = 512 ; maxmem = 0x400\n"
		"vcpus=4;;\n"
		"\t kernel = '/boot/vmlinuz'\n"
		"ramdisk = \"/boot/initrd.img\"\n"
		"cmdline = \"console=hvc0 root=\\\"/dev/xvda1\\\" quiet\"\n"
		"on_poweroff = 'preserve'\non_reboot = \"rename-restart\"\n"
		"on_crash = 'coredump-restart'\n"
		"autostart = 1\n"
		"disk = [ 'phy:/dev/sda,xvda,w',\n"
		"         # a comment inside the list\n"
		"\n"
		"         \"file:/img/d.raw,xvdb,r\", ]\n"
		"vif = [\n"
		"  'mac=00:16:3e:00:00:01,bridge=br0'\n"
		"]\n";

	assert_int_equal(parse(f), 0);
	assert_string_equal(cfg.name, "web-1");
	assert_int_equal(cfg.type, XLCFG_TYPE_HVM);
	assert_int_equal(cfg.memory_mib, 512);
	assert_int_equal(cfg.maxmem_mib, 1024);
	assert_int_equal(cfg.vcpus, 4);
	assert_string_equal(cfg.kernel, "/boot/vmlinuz");
	assert_string_equal(cfg.ramdisk, "/boot/initrd.img");
	assert_string_equal(cfg.cmdline, "console=hvc0 root=\"/dev/xvda1\" quiet");
	assert_int_equal(cfg.on_poweroff, XLCFG_PRESERVE);
	assert_int_equal(cfg.on_reboot, XLCFG_RENAME_RESTART);
	assert_int_equal(cfg.on_crash, XLCFG_COREDUMP_RESTART);
	assert_true(cfg.autostart);
	assert_int_equal(cfg.ndisk, 2);
	assert_string_equal(cfg.disk[0], "phy:/dev/sda,xvda,w");
	assert_string_equal(cfg.disk[1], "file:/img/d.raw,xvdb,r");
	assert_int_equal(cfg.nvif, 1);
	assert_string_equal(cfg.vif[0], "mac=00:16:3e:00:00:01,bridge=br0");
}

static void test_forms(void **state)
{
	/* CRLF, no final newline, all on one line, defaults. */
	assert_int_equal(parse("name='a'\r\ntype=\"pvh\"\r\n# c\r\nmemory=16\r\nkernel='k'"), 0);
	assert_string_equal(cfg.name, "a");
	assert_int_equal(cfg.memory_mib, 16);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.on_poweroff, XLCFG_DESTROY);
	assert_int_equal(cfg.on_reboot, XLCFG_RESTART);
	assert_int_equal(cfg.on_crash, XLCFG_DESTROY);
	assert_false(cfg.autostart);
	assert_int_equal(cfg.maxmem_mib, 0);
	assert_int_equal(cfg.ndisk + cfg.nvif, 0);
	assert_string_equal(cfg.ramdisk, "");
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(parse("name='a';type='pvh';memory=0x10;kernel='k';"), 0);
	assert_int_equal(cfg.memory_mib, 16);
	assert_int_equal(parse("name='a';type='pvh';memory=8;kernel='k' # end"), 0);
	/* xl's atoms are text: a quoted number is a number, a bare one a string. */
	assert_int_equal(parse(MIN "vcpus = \"3\"\nramdisk = 42\nautostart='true'\n"), 0);
	assert_int_equal(cfg.vcpus, 3);
	assert_string_equal(cfg.ramdisk, "42");
	assert_true(cfg.autostart);
	assert_int_equal(parse(MIN "autostart='false'\ndisk=[]\nvif=[\n]\n"), 0);
	assert_false(cfg.autostart);
	assert_int_equal(parse(MIN "autostart=0\ndisk=['a'\n,\n'b'\n]\n"), 0);
	assert_int_equal(cfg.ndisk, 2);
	assert_int_equal(parse(MIN "cmdline=''\n"), 0);
	assert_int_equal(parse("\n\n" MIN "\n\n"), 0);
	assert_int_equal(parse("name='a'\ntype='pvh'\nmemory=0X1f\nkernel='k'\n"), 0);
	assert_int_equal(cfg.memory_mib, 31);
}

static void test_escapes(void **state)
{
	assert_int_equal(parse(MIN "cmdline=\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\'|\\x41\\x7e\\101\\7\\60x\"\n"), 0);
	assert_string_equal(cfg.cmdline, "\a\b\f\n\r\t\v\\\"'|A~A\a0x");
	assert_int_equal(parse(MIN "cmdline='it\\'s \"q\"'\n"), 0);
	assert_string_equal(cfg.cmdline, "it's \"q\"");
	assert_int_equal(parse(MIN "cmdline='#not a comment;'\n"), 0);
	assert_string_equal(cfg.cmdline, "#not a comment;");
	assert_int_equal(parse(MIN "cmdline='\\377\\xfF'\n"), 0);
	assert_string_equal(cfg.cmdline, "\377\377");
	expect_err(MIN "cmdline='\\q'\n", -XLCFG_EINVAL, 5, "invalid escape");
	expect_err(MIN "cmdline='\\x4'\n", -XLCFG_EINVAL, 5, "invalid escape");
	expect_err(MIN "cmdline='\\xg0'\n", -XLCFG_EINVAL, 5, "invalid escape");
	expect_err(MIN "cmdline='\\400'\n", -XLCFG_EINVAL, 5, "invalid escape");
	expect_err(MIN "cmdline='\\8'\n", -XLCFG_EINVAL, 5, "invalid escape");
	expect_err(MIN "cmdline='a\\0'\n", -XLCFG_EINVAL, 5, "NUL byte in string");
	expect_err(MIN "cmdline='a\\x00b'\n", -XLCFG_EINVAL, 5, "NUL byte in string");
	expect_err(MIN "cmdline='a\\", -XLCFG_EINVAL, 5, "unterminated string");
	expect_err(MIN "cmdline='a\\\nb'\n", -XLCFG_EINVAL, 5, "unterminated string");
	assert_int_equal(err.column, 9);
}

static void test_repeats(void **state)
{
	/* xl keeps the last of a repeated key; a repeated list replaces. */
	assert_int_equal(parse(MIN "memory=2\nmemory=3\ndisk=['a','b']\ndisk=['c']\nname='z'\n"), 0);
	assert_int_equal(cfg.memory_mib, 3);
	assert_int_equal(cfg.ndisk, 1);
	assert_string_equal(cfg.disk[0], "c");
	assert_string_equal(cfg.name, "z");
	/* cmdline= beats extra= in either order. */
	assert_int_equal(parse(MIN "extra='e'\n"), 0);
	assert_string_equal(cfg.cmdline, "e");
	assert_int_equal(parse(MIN "extra='e'\ncmdline='c'\n"), 0);
	assert_string_equal(cfg.cmdline, "c");
	assert_int_equal(parse(MIN "cmdline='c'\nextra='e'\n"), 0);
	assert_string_equal(cfg.cmdline, "c");
}

static void test_errors(void **state)
{
	static const struct { const char *text; int rc; unsigned line; const char *msg; } t[] = {
		{ MIN "memory = 'abc'\n", -XLCFG_EINVAL, 5, "line 5: memory: expected an integer, got \"abc\"" },
		{ MIN "memory = 12abc\n", -XLCFG_EINVAL, 5, "memory: expected an integer, got \"12abc\"" },
		{ MIN "memory = 0x\n", -XLCFG_EINVAL, 5, "expected an integer" },
		{ MIN "memory = ''\n", -XLCFG_EINVAL, 5, "expected an integer" },
		{ MIN "memory = '-1'\n", -XLCFG_EINVAL, 5, "expected an integer" },
		{ MIN "memory = ' 1'\n", -XLCFG_EINVAL, 5, "expected an integer" },
		{ MIN "memory = 010\n", -XLCFG_EINVAL, 5, "memory: leading 0 (octal in xl)" },
		{ MIN "memory = -1\n", -XLCFG_EINVAL, 5, "unexpected character" },
		{ MIN "memory = 1.5\n", -XLCFG_EINVAL, 5, "unexpected character" },
		{ MIN "colour = 'red'\n", -XLCFG_EINVAL, 5, "line 5: unknown key \"colour\"" },
		{ MIN "Name = 'x'\n", -XLCFG_EINVAL, 5, "unknown key \"Name\"" },
		{ MIN "builder = 'hvm'\n", -XLCFG_EINVAL, 5, "unknown key \"builder\"" },
		{ "\n\nname 'x'\n", -XLCFG_EINVAL, 3, "expected '=' after the key, got \"'x'\"" },
		{ "name =\ntype='pvh'\n", -XLCFG_EINVAL, 1, "expected a value, got end of line" },
		{ "name =", -XLCFG_EINVAL, 1, "expected a value, got end of file" },
		{ "name = ;", -XLCFG_EINVAL, 1, "expected a value, got \";\"" },
		{ "name == 'a'", -XLCFG_EINVAL, 1, "expected a value, got \"=\"" },
		{ "name += 'a'", -XLCFG_EINVAL, 1, "unexpected character" },
		{ "name = 'a' 'b'\n", -XLCFG_EINVAL, 1, "expected a new line or ';' after the value, got \"'b'\"" },
		{ "name = 'a' type = 'pvh'\n", -XLCFG_EINVAL, 1, "after the value, got \"type\"" },
		{ "= 'a'\n", -XLCFG_EINVAL, 1, "expected a key, got \"=\"" },
		{ "'name' = 'a'\n", -XLCFG_EINVAL, 1, "expected a key, got \"'name'\"" },
		{ "42 = 'a'\n", -XLCFG_EINVAL, 1, "expected a key, got \"42\"" },
		{ "name = a\n", -XLCFG_EINVAL, 1, "expected a value, got \"a\"" },
		{ "name = true\n", -XLCFG_EINVAL, 1, "expected a value, got \"true\"" },
		{ "name = 'a\n", -XLCFG_EINVAL, 1, "unterminated string" },
		{ "name = \"a'\n", -XLCFG_EINVAL, 1, "unterminated string" },
		{ "\nname = 'a", -XLCFG_EINVAL, 2, "unterminated string" },
		{ MIN "disk = [ 'a',\n 'b'\n\n", -XLCFG_EINVAL, 5, "unterminated list" },
		{ MIN "disk = [", -XLCFG_EINVAL, 5, "unterminated list" },
		{ MIN "disk = [ 'a' 'b' ]\n", -XLCFG_EINVAL, 5, "expected ',' or ']', got \"'b'\"" },
		{ MIN "disk = [ , ]\n", -XLCFG_EINVAL, 5, "expected a list entry or ']', got \",\"" },
		{ MIN "disk = [ 'a',, ]\n", -XLCFG_EINVAL, 5, "expected a list entry" },
		{ MIN "disk = [ 'a'; ]\n", -XLCFG_EINVAL, 5, "expected ',' or ']', got \";\"" },
		{ MIN "disk = [ ['a'] ]\n", -XLCFG_EINVAL, 5, "nested lists are not supported" },
		{ MIN "disk = [ '' ]\n", -XLCFG_EINVAL, 5, "disk: empty entry" },
		{ MIN "disk = 'a'\n", -XLCFG_EINVAL, 5, "disk: expected a list [ ... ]" },
		{ MIN "vif = 1\n", -XLCFG_EINVAL, 5, "vif: expected a list" },
		{ MIN "memory = [ 1 ]\n", -XLCFG_EINVAL, 5, "memory: expected a single value, not a list" },
		{ MIN "] = 1\n", -XLCFG_EINVAL, 5, "expected a key, got \"]\"" },
		{ MIN "type = 'pv'\n", -XLCFG_EINVAL, 5, "type: expected \"pvh\", \"hvm\" or \"multiboot\", got \"pv\"" },
		{ MIN "type = 'PVH'\n", -XLCFG_EINVAL, 5, "type: expected" },
		{ MIN "on_crash = 'soft-reset'\n", -XLCFG_EINVAL, 5, "on_crash: expected an action such as destroy or restart, got \"soft-reset\"" },
		{ MIN "on_reboot = 'Restart'\n", -XLCFG_EINVAL, 5, "on_reboot: expected" },
		{ MIN "on_poweroff = 1\n", -XLCFG_EINVAL, 5, "on_poweroff: expected" },
		{ MIN "autostart = 2\n", -XLCFG_EINVAL, 5, "autostart: expected 0, 1, true or false, got \"2\"" },
		{ MIN "autostart = 'yes'\n", -XLCFG_EINVAL, 5, "autostart: expected" },
		{ MIN "name = 'a b'\n", -XLCFG_EINVAL, 5, "name: expected 1-31 of [A-Za-z0-9_.-], got \"a b\"" },
		{ MIN "name = ''\n", -XLCFG_EINVAL, 5, "name: expected 1-31" },
		{ MIN "name = 'a/b'\n", -XLCFG_EINVAL, 5, "name: expected 1-31" },
		{ MIN "kernel = ''\n", -XLCFG_EINVAL, 5, "kernel: empty" },
		{ MIN "name = 'a'\x01\n", -XLCFG_EINVAL, 5, "unexpected character" },
		{ MIN "name = 'a'\r\r\n", -XLCFG_EINVAL, 5, "unexpected character" },
		{ MIN "memory\n= 1\n", -XLCFG_EINVAL, 5, "expected '=' after the key, got end of line" },
		{ "type='pvh'\nmemory=1\nkernel='k'\n", -XLCFG_EINVAL, 3, "line 3: missing required key name" },
		{ "name='a'\nmemory=1\nkernel='k'\n\n", -XLCFG_EINVAL, 4, "missing required key type" },
		{ "name='a'\ntype='hvm'\nkernel='k'", -XLCFG_EINVAL, 3, "missing required key memory" },
		{ "name='a'\ntype='hvm'\nmemory=1\n# no kernel\n", -XLCFG_EINVAL, 4, "missing required key kernel" },
		{ "", -XLCFG_EINVAL, 1, "line 1: missing required key name" },
		{ "\n", -XLCFG_EINVAL, 1, "missing required key name" },
		{ "# only a comment", -XLCFG_EINVAL, 1, "missing required key name" },
		{ MIN "memory=8\nmaxmem=7\n", -XLCFG_EINVAL, 6, "maxmem (7) is less than memory (8)" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		expect_err(t[i].text, t[i].rc, t[i].line, t[i].msg);
	/* Columns: 1-based bytes, of the offending token. */
	expect_err("name = 'a' 'b'\n", -XLCFG_EINVAL, 1, "after the value");
	assert_int_equal(err.column, 12);
	expect_err(MIN "\tmemory = 'x'\n", -XLCFG_EINVAL, 5, "expected an integer");
	assert_int_equal(err.column, 11);
	expect_err(MIN "disk = [\n  'a',\n  '']\n", -XLCFG_EINVAL, 7, "empty entry");
	assert_int_equal(err.column, 3);
	expect_err(MIN "disk = [\n", -XLCFG_EINVAL, 5, "unterminated list");
	assert_int_equal(err.column, 8);
	expect_err("type='pvh'\nmemory=1\nkernel='k'\n", -XLCFG_EINVAL, 3, "name");
	assert_int_equal(err.column, 0);
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	memset(s, c, n);
	s[n] = 0;
	return s;
}

/* MIN plus "key = VALUE" where VALUE is n copies of c inside q quotes. */
static int parse_long(const char *key, char c, size_t n, const char *q)
{
	char *v = repeat(c, n), *f = malloc(n + 256);
	int r;

	sprintf(f, MIN "%s = %s%s%s\n", key, q, v, q);
	r = parse(f);
	free(v);
	free(f);
	return r;
}

static void test_ranges(void **state)
{
	static const struct { const char *key, *val; int rc; uint32_t got; } t[] = {
		{ "memory", "0", -XLCFG_ERANGE, 0 }, { "memory", "1", 0, 1 },
		{ "memory", "65536", 0, 65536 }, { "memory", "65537", -XLCFG_ERANGE, 0 },
		{ "memory", "0x10000", 0, 65536 }, { "memory", "0x10001", -XLCFG_ERANGE, 0 },
		{ "memory", "4294967296", -XLCFG_ERANGE, 0 }, { "memory", "0xffffffffffffffffffff", -XLCFG_ERANGE, 0 },
		{ "memory", "99999999999999999999999999999", -XLCFG_ERANGE, 0 },
		{ "maxmem", "1", 0, 1 }, { "maxmem", "65536", 0, 65536 }, { "maxmem", "0", -XLCFG_ERANGE, 0 },
		{ "maxmem", "65537", -XLCFG_ERANGE, 0 },
		{ "vcpus", "0", -XLCFG_ERANGE, 0 }, { "vcpus", "1", 0, 1 }, { "vcpus", "64", 0, 64 },
		{ "vcpus", "65", -XLCFG_ERANGE, 0 }, { "vcpus", "0x40", 0, 64 },
	};
	char f[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(f, sizeof(f), "name='a'\ntype='pvh'\nkernel='k'\n%s%s = %s\n",
			 strcmp(t[i].key, "memory") ? "memory=1\n" : "", t[i].key, t[i].val);
		if (parse(f) != t[i].rc)
			fail_msg("%s = %s: %s", t[i].key, t[i].val, err.message);
		if (t[i].rc) {
			assert_true(strstr(err.message, "is out of range") != NULL);
			continue;
		}
		assert_int_equal(!strcmp(t[i].key, "memory") ? cfg.memory_mib :
				 !strcmp(t[i].key, "maxmem") ? cfg.maxmem_mib : cfg.vcpus, t[i].got);
	}
	expect_err(MIN "memory = 65537\n", -XLCFG_ERANGE, 5, "memory: \"65537\" is out of range 1..65536");
	expect_err(MIN "vcpus = 65\n", -XLCFG_ERANGE, 5, "vcpus: \"65\" is out of range 1..64");
	assert_int_equal(parse(MIN "memory=64\nmaxmem=64\n"), 0);
	/* Lengths: names 31, paths and entries 255, cmdline 1023 bytes. */
	assert_int_equal(parse_long("name", 'n', 31, "'"), 0);
	assert_int_equal(strlen(cfg.name), 31);
	assert_int_equal(parse_long("name", 'n', 32, "'"), -XLCFG_EINVAL);
	assert_int_equal(parse_long("kernel", 'k', 255, "\""), 0);
	assert_int_equal(strlen(cfg.kernel), 255);
	assert_int_equal(parse_long("kernel", 'k', 256, "\""), -XLCFG_ERANGE);
	assert_string_equal(err.message, "line 5: kernel: longer than 255 bytes");
	assert_int_equal(parse_long("ramdisk", 'r', 255, "'"), 0);
	assert_int_equal(parse_long("ramdisk", 'r', 256, "'"), -XLCFG_ERANGE);
	assert_int_equal(parse_long("cmdline", 'c', 1023, "'"), 0);
	assert_int_equal(strlen(cfg.cmdline), 1023);
	assert_int_equal(parse_long("cmdline", 'c', 1024, "'"), -XLCFG_EINVAL);
	assert_true(strstr(err.message, "string longer than 1023 bytes") != NULL);
	assert_int_equal(parse_long("extra", 'c', 1023, "'"), 0);
	assert_int_equal(parse_long("memory", '1', 1023, ""), -XLCFG_ERANGE);
	assert_int_equal(parse_long("memory", '1', 1024, ""), -XLCFG_EINVAL);
	assert_true(strstr(err.message, "number too long") != NULL);
	/* Lists: 8 entries of 255 bytes. */
	char *e255 = repeat('d', 255), *list = malloc(9 * 300 + 64);
	for (int n = 0; n <= 9; n++) {
		strcpy(list, MIN "disk = [");
		for (int i = 0; i < n; i++)
			sprintf(list + strlen(list), "'%s',\n", e255);
		strcat(list, "]\n");
		assert_int_equal(parse(list), n <= 8 ? 0 : -XLCFG_ERANGE);
		if (n <= 8) {
			assert_int_equal(cfg.ndisk, n);
			if (n)
				assert_string_equal(cfg.disk[n - 1], e255);
		} else {
			assert_true(strstr(err.message, "disk: more than 8 entries") != NULL);
			assert_int_equal(err.line, 5 + 8);
		}
	}
	free(e255);
	free(list);
	assert_int_equal(parse(MIN "vif=['" "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
			       "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
			       "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv']\n"),
			 -XLCFG_ERANGE);
	assert_true(strstr(err.message, "vif: longer than 255 bytes") != NULL);
}

/* ioports and iomem: xl's hex forms, their errors, the console's form. */
/* Eyrie's multiboot type: module = [ "NAME ARGS", ... ], in order. */
static void test_multiboot(void **state)
{
	assert_int_equal(parse("name='mb'\ntype='multiboot'\nmemory=4\nkernel='k.elf'\n"
			       "module = [ 'mod1.bin alpha beta', \"mod2.txt\" ]\n"), 0);
	assert_int_equal(cfg.type, XLCFG_TYPE_MULTIBOOT);
	assert_int_equal(cfg.nmodule, 2);
	assert_string_equal(cfg.module[0], "mod1.bin alpha beta");
	assert_string_equal(cfg.module[1], "mod2.txt");
	struct xlcfg_error e;
	assert_int_equal(xlcfg_set(&cfg, "module", "m3.bin x", &e), 0);
	assert_int_equal(cfg.nmodule, 3);
	expect_err(MIN "module = [ '' ]\n", -XLCFG_EINVAL, 5, "module: expected \"NAME [ARGS]\"");
	expect_err(MIN "module = 'a'\n", -XLCFG_EINVAL, 5, "expected a list");
}

/* cpus: where the vcpus may run, xl's list syntax. */
static void test_cpus(void **state)
{
	assert_int_equal(parse(MIN "cpus = \"0-1,3\"\n"), 0);
	assert_true(cfg.cpumask == 0xb);
	assert_int_equal(parse(MIN "cpus = 'all'\n"), 0);
	assert_true(cfg.cpumask == ~0ull);
	assert_int_equal(parse(MIN), 0);
	assert_true(cfg.cpumask == 0);
	expect_err(MIN "cpus = '64'\n", -XLCFG_EINVAL, 5, "cpus: expected \"all\" or CPUs 0-63");
	expect_err(MIN "cpus = '2-1'\n", -XLCFG_EINVAL, 5, "cpus: expected");
	expect_err(MIN "cpus = ''\n", -XLCFG_EINVAL, 5, "cpus: expected");
	expect_err(MIN "cpus = '1,,2'\n", -XLCFG_EINVAL, 5, "cpus: expected");
	expect_err(MIN "cpus = '1,'\n", -XLCFG_EINVAL, 5, "cpus: expected");
}

/* weight and cap: the credit scheduler's, xl's ranges. */
static void test_sched(void **state)
{
	assert_int_equal(parse(MIN), 0);
	assert_true(cfg.weight == 0 && cfg.cap == 0);
	assert_int_equal(parse(MIN "weight = 512\ncap = 150\n"), 0);
	assert_true(cfg.weight == 512 && cfg.cap == 150);
	assert_int_equal(parse(MIN "weight = 65535\ncap = 0\n"), 0);
	assert_true(cfg.weight == 65535 && cfg.cap == 0);
	expect_err(MIN "weight = 0\n", -XLCFG_ERANGE, 5, "weight: \"0\" is out of range 1..65535");
	expect_err(MIN "weight = 65536\n", -XLCFG_ERANGE, 5, "weight: \"65536\" is out of range");
	expect_err(MIN "cap = -1\n", -XLCFG_EINVAL, 5, "line 5: unexpected character");
	expect_err(MIN "cap = 6401\n", -XLCFG_ERANGE, 5, "cap: \"6401\" is out of range 0..6400");
	expect_err(MIN "weight = 'x'\n", -XLCFG_EINVAL, 5, "weight: expected an integer");
}

static void test_io(void **state)
{
	assert_int_equal(parse(MIN "ioports = [ \"402\", '2F8-2ff' ]\n"
			       "iomem = [ \"fed00,1@10000\", 'e0000,10' ]\n"), 0);
	assert_int_equal(cfg.nioports, 2);
	assert_int_equal(cfg.ioports[0].first, 0x402);
	assert_int_equal(cfg.ioports[0].last, 0x402);
	assert_int_equal(cfg.ioports[1].first, 0x2f8);
	assert_int_equal(cfg.ioports[1].last, 0x2ff);
	assert_int_equal(cfg.niomem, 2);
	assert_int_equal(cfg.iomem[0].start, 0xfed00);
	assert_int_equal(cfg.iomem[0].pages, 1);
	assert_int_equal(cfg.iomem[0].gfn, 0x10000);
	assert_int_equal(cfg.iomem[1].gfn, 0xe0000); /* identity by default */
	assert_int_equal(cfg.iomem[1].pages, 0x10);
	static const char *const bad_ports[] = { "", "3g", "10-5", "10000", "1-", "-1", "0x10", "1 " };
	for (unsigned i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), MIN "ioports = [ '%s' ]\n", bad_ports[i]);
		assert_int_equal(parse(text), -XLCFG_EINVAL);
		assert_non_null(strstr(err.message, "line 5: ioports: expected a hex port"));
	}
	static const char *const bad_mem[] = { "fed00", "fed00,0", "fed00,1@", "fed00,,1", "x,1",
					       "fed00,100001", "1000000000,1", "fed00,1@g" };
	for (unsigned i = 0; i < sizeof(bad_mem) / sizeof(bad_mem[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), MIN "iomem = [ '%s' ]\n", bad_mem[i]);
		assert_int_equal(parse(text), -XLCFG_EINVAL);
		assert_non_null(strstr(err.message, "iomem: expected hex START,PAGES[@GFN]"));
	}
	assert_int_equal(parse(MIN "ioports = [ '1','2','3','4','5','6','7','8','9' ]\n"),
			 -XLCFG_ERANGE);
	/* A repeated key replaces; the console's key=value appends. */
	assert_int_equal(parse(MIN "ioports = [ '1', '2' ]\nioports = [ '3' ]\n"), 0);
	assert_int_equal(cfg.nioports, 1);
	assert_int_equal(cfg.ioports[0].first, 3);
	assert_int_equal(xlcfg_set(&cfg, "ioports", "80-8f", &err), 0);
	assert_int_equal(cfg.nioports, 2);
	assert_int_equal(cfg.ioports[1].last, 0x8f);
	assert_int_equal(xlcfg_set(&cfg, "iomem", "fed00", &err), -XLCFG_EINVAL);
	assert_int_equal(cfg.niomem, 0);
	assert_int_equal(parse(MIN "irqs = [ 3, 0x20, '255' ]\n"), 0);
	assert_int_equal(cfg.nirqs, 3);
	assert_int_equal(cfg.irqs[1], 0x20);
	assert_int_equal(cfg.irqs[2], 255);
	assert_int_equal(parse(MIN "irqs = [ 256 ]\n"), -XLCFG_ERANGE);
	assert_int_equal(parse(MIN "irqs = [ 'com2' ]\n"), -XLCFG_EINVAL);
	assert_int_equal(parse(MIN "irqs = 3\n"), -XLCFG_EINVAL);
}

static void test_set(void **state)
{
	struct xlcfg c, before;

	xlcfg_init(&c);
	assert_int_equal(xlcfg_check(&c, &err), -XLCFG_EINVAL);
	assert_string_equal(err.message, "missing required key name");
	assert_int_equal(err.line, 0);
	assert_int_equal(xlcfg_set(&c, "name", "dom-1", &err), 0);
	assert_int_equal(xlcfg_set(&c, "type", "pvh", &err), 0);
	assert_int_equal(xlcfg_set(&c, "memory", "0x100", &err), 0);
	assert_int_equal(xlcfg_set(&c, "kernel", "/k with blanks 'and' \"quotes\"", &err), 0);
	assert_int_equal(xlcfg_check(&c, &err), 0);
	assert_string_equal(err.message, "");
	assert_int_equal(xlcfg_set(&c, "disk", "phy:/dev/sda,xvda,w", &err), 0);
	assert_int_equal(xlcfg_set(&c, "disk", "file:/x,xvdb,r", &err), 0);
	assert_int_equal(xlcfg_set(&c, "autostart", "true", &err), 0);
	assert_int_equal(xlcfg_set(&c, "on_crash", "coredump-destroy", &err), 0);
	assert_int_equal(c.memory_mib, 256);
	assert_string_equal(c.kernel, "/k with blanks 'and' \"quotes\"");
	assert_int_equal(c.ndisk, 2);
	assert_string_equal(c.disk[1], "file:/x,xvdb,r");
	assert_true(c.autostart);
	assert_int_equal(c.on_crash, XLCFG_COREDUMP_DESTROY);
	assert_int_equal(xlcfg_set(&c, "maxmem", "255", NULL), 0);
	assert_int_equal(xlcfg_check(&c, NULL), -XLCFG_EINVAL);
	assert_int_equal(xlcfg_set(&c, "maxmem", "256", NULL), 0);
	assert_int_equal(xlcfg_check(&c, &err), 0);

	/* Errors leave the configuration as it was. */
	static const struct { const char *k, *v; int rc; const char *msg; } bad[] = {
		{ "memory", "abc", -XLCFG_EINVAL, "memory: expected an integer, got \"abc\"" },
		{ "memory", "0", -XLCFG_ERANGE, "memory: \"0\" is out of range 1..65536" },
		{ "memory", "", -XLCFG_EINVAL, "memory: expected an integer, got \"\"" },
		{ "vcpus", "65", -XLCFG_ERANGE, "vcpus: \"65\" is out of range 1..64" },
		{ "colour", "red", -XLCFG_EINVAL, "unknown key \"colour\"" },
		{ "", "x", -XLCFG_EINVAL, "unknown key \"\"" },
		{ "name", "a b", -XLCFG_EINVAL, "name: expected 1-31 of [A-Za-z0-9_.-], got \"a b\"" },
		{ "name", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", -XLCFG_EINVAL,
		  "name: expected 1-31 of [A-Za-z0-9_.-], got \"aaaaaaaaaaaaaaaaaaaaaaaa...\"" },
		{ "type", "pv", -XLCFG_EINVAL, "type: expected \"pvh\", \"hvm\" or \"multiboot\", got \"pv\"" },
		{ "kernel", "", -XLCFG_EINVAL, "kernel: empty" },
		{ "disk", "", -XLCFG_EINVAL, "disk: empty entry" },
		{ "autostart", "yes", -XLCFG_EINVAL, "autostart: expected 0, 1, true or false, got \"yes\"" },
		{ "on_reboot", "reboot\x01", -XLCFG_EINVAL, "on_reboot: expected an action such as destroy or restart, got \"reboot?\"" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		before = c;
		assert_int_equal(xlcfg_set(&c, bad[i].k, bad[i].v, &err), bad[i].rc);
		assert_string_equal(err.message, bad[i].msg);
		assert_int_equal(err.line, 0);
		assert_memory_equal(&c, &before, sizeof(c));
	}
	char *big = repeat('x', 2000);
	before = c;
	assert_int_equal(xlcfg_set(&c, "cmdline", big, &err), -XLCFG_ERANGE);
	assert_string_equal(err.message, "cmdline: longer than 1023 bytes");
	assert_int_equal(xlcfg_set(&c, "extra", big, &err), -XLCFG_ERANGE);
	assert_int_equal(xlcfg_set(&c, "ramdisk", big, &err), -XLCFG_ERANGE);
	assert_int_equal(xlcfg_set(&c, "vif", big, &err), -XLCFG_ERANGE);
	assert_memory_equal(&c, &before, sizeof(c));
	free(big);
	for (int i = 0; i < 6; i++)
		assert_int_equal(xlcfg_set(&c, "disk", "d", &err), 0);
	before = c;
	assert_int_equal(xlcfg_set(&c, "disk", "d", &err), -XLCFG_ERANGE);
	assert_string_equal(err.message, "disk: more than 8 entries");
	assert_memory_equal(&c, &before, sizeof(c));
	/* extra= after cmdline= is ignored here too. */
	assert_int_equal(xlcfg_set(&c, "extra", "e", &err), 0);
	assert_string_equal(c.cmdline, "e");
	assert_int_equal(xlcfg_set(&c, "cmdline", "c", &err), 0);
	assert_int_equal(xlcfg_set(&c, "extra", "e", &err), 0);
	assert_string_equal(c.cmdline, "c");
}

static void test_action_name(void **state)
{
	assert_string_equal(xlcfg_action_name(XLCFG_DESTROY), "destroy");
	assert_string_equal(xlcfg_action_name(XLCFG_RESTART), "restart");
	assert_string_equal(xlcfg_action_name(XLCFG_PRESERVE), "preserve");
	assert_string_equal(xlcfg_action_name(XLCFG_RENAME_RESTART), "rename-restart");
	assert_string_equal(xlcfg_action_name(XLCFG_COREDUMP_DESTROY), "coredump-destroy");
	assert_string_equal(xlcfg_action_name(XLCFG_COREDUMP_RESTART), "coredump-restart");
	assert_string_equal(xlcfg_action_name((enum xlcfg_action)6), "?");
	assert_string_equal(xlcfg_action_name((enum xlcfg_action)-1), "?");
	/* Every name parses back to itself. */
	for (int a = 0; a < 6; a++) {
		char f[128];
		snprintf(f, sizeof(f), MIN "on_reboot='%s'\n", xlcfg_action_name((enum xlcfg_action)a));
		assert_int_equal(parse(f), 0);
		assert_int_equal(cfg.on_reboot, a);
	}
}

static void test_hostile(void **state)
{
	enum { BIG = 64 * 1024 };
	char *f = malloc(BIG + 256);

	/* Embedded NULs: in a value, between tokens, in a comment (skipped). */
	assert_int_equal(parse_n(MIN "name='a\0b'\n", sizeof(MIN) + 10), -XLCFG_EINVAL);
	assert_true(strstr(err.message, "line 5: NUL byte in string") != NULL);
	assert_int_equal(parse_n(MIN "\0name='a'\n", sizeof(MIN) + 9), -XLCFG_EINVAL);
	assert_string_equal(err.message, "line 5: NUL byte");
	assert_int_equal(parse_n(MIN "# \0 comment\n", sizeof(MIN) + 11), 0);
	assert_int_equal(parse_n("\0", 1), -XLCFG_EINVAL);
	/* Bytes past len are never looked at: a prefix parses as itself. */
	assert_int_equal(parse_n(MIN "memory=123", sizeof(MIN) + 8), 0);
	assert_int_equal(cfg.memory_mib, 12);

	/* 64 KiB single lines. */
	memset(f, ' ', BIG);
	memcpy(f + BIG, "#\n" MIN, sizeof(MIN) + 2);
	assert_int_equal(parse(f), 0);
	memset(f, '#', BIG);
	assert_int_equal(parse(f), 0);
	memset(f, 'a', BIG);
	expect_err(f, -XLCFG_EINVAL, 1, "unknown key \"aaaaaaaaaaaaaaaaaaaaaaaa...\"");
	memset(f, '9', BIG);
	expect_err(f, -XLCFG_EINVAL, 1, "number too long");
	strcpy(f, MIN "cmdline='");
	memset(f + strlen(f), 'x', BIG);
	f[sizeof(MIN) + 8 + BIG] = 0;
	expect_err(f, -XLCFG_EINVAL, 5, "string longer than 1023 bytes"); /* seen first */
	strcat(f, "'");
	expect_err(f, -XLCFG_EINVAL, 5, "string longer than 1023 bytes");
	strcpy(f, MIN "disk=[");
	for (size_t n = strlen(f); n < BIG; n += 4)
		memcpy(f + n, "'a',", 5);
	expect_err(f, -XLCFG_ERANGE, 5, "disk: more than 8 entries"); /* before the missing ] */
	strcpy(f, MIN "disk=[");
	memset(f + strlen(f), '\n', BIG);
	f[sizeof(MIN) + 5 + BIG] = 0;
	expect_err(f, -XLCFG_EINVAL, 5, "unterminated list"); /* where it opened */
	strcat(f, "]");
	assert_int_equal(parse(f), 0);
	for (size_t n = 0; n < BIG; n++)
		f[n] = ";\n"[n & 1];
	memcpy(f + BIG, MIN, sizeof(MIN));
	assert_int_equal(parse(f), 0);
	strcpy(f, MIN "memory = 0x");
	memset(f + strlen(f), '0', 1000);
	strcpy(f + sizeof(MIN) + 10 + 1000, "41");
	assert_int_equal(parse(f), 0);
	assert_int_equal(cfg.memory_mib, 0x41);

	/* A key repeated 20000 times: the last value stays. */
	size_t n = 0;
	for (int i = 0; i < 20000 && n < BIG; i++)
		n += (size_t)sprintf(f + n, "memory=%d\n", i % 4096 + 1);
	strcpy(f + n, "name='a'\ntype='pvh'\nkernel='k'\n");
	assert_int_equal(parse(f), 0);
	free(f);
}

/* A valid file, mutated: every result is 0 with a sane config, or an error
 * with a line inside the file. */
static const char base[] =
	"# guest\nname = \"web-1\"   # c\ntype = 'hvm';\nmemory = 512 ; maxmem = 0x400\r\n"
	"vcpus=4\nkernel = '/boot/vmlinuz'\nramdisk=\"/i\\x41\\101\\n\"\ncmdline = \"a \\\"b\\\"\"\n"
	"extra='e'\non_poweroff='preserve'\non_reboot='restart'\non_crash='destroy'\nautostart=1\n"
	"disk = [ 'phy:/dev/sda,xvda,w',\n  # x\n  \"file:/d,xvdb,r\", ]\nvif=['mac=1']\n";

static void check_cfg(void)
{
	assert_true(memchr(cfg.name, 0, sizeof(cfg.name)) && strlen(cfg.name) >= 1);
	assert_in_range(cfg.type, XLCFG_TYPE_PVH, XLCFG_TYPE_HVM);
	assert_in_range(cfg.memory_mib, 1, XLCFG_MEMORY_MAX);
	assert_true(!cfg.maxmem_mib || (cfg.maxmem_mib >= cfg.memory_mib && cfg.maxmem_mib <= XLCFG_MEMORY_MAX));
	assert_in_range(cfg.vcpus, 1, XLCFG_VCPUS_MAX);
	assert_true(memchr(cfg.kernel, 0, sizeof(cfg.kernel)) && cfg.kernel[0]);
	assert_true(memchr(cfg.ramdisk, 0, sizeof(cfg.ramdisk)) != NULL);
	assert_true(memchr(cfg.cmdline, 0, sizeof(cfg.cmdline)) != NULL);
	assert_in_range(cfg.on_poweroff, 0, 5);
	assert_in_range(cfg.on_reboot, 0, 5);
	assert_in_range(cfg.on_crash, 0, 5);
	assert_in_range(cfg.ndisk, 0, XLCFG_LIST_MAX);
	assert_in_range(cfg.nvif, 0, XLCFG_LIST_MAX);
	for (unsigned i = 0; i < cfg.ndisk; i++)
		assert_true(memchr(cfg.disk[i], 0, XLCFG_PATH_LEN) && cfg.disk[i][0]);
	for (unsigned i = 0; i < cfg.nvif; i++)
		assert_true(memchr(cfg.vif[i], 0, XLCFG_PATH_LEN) && cfg.vif[i][0]);
}

static void test_fuzz(void **state)
{
	static const char interesting[] = "\"'\\[],;=#\n\r\0 \t0x9aZ_-";
	const char *e;
	unsigned iters = (e = getenv("XLCFG_FUZZ_ITERS")) ? (unsigned)atoi(e) : 10000;
	unsigned seed = (e = getenv("XLCFG_FUZZ_SEED")) ? (unsigned)atoi(e) : 1;
	unsigned ok = 0;
	char buf[2 * sizeof(base)];

	assert_int_equal(parse(base), 0);
	check_cfg();
	assert_string_equal(cfg.ramdisk, "/iAA\n");
	srand(seed);
	for (unsigned it = 0; it < iters; it++) {
		size_t n = sizeof(base) - 1;
		memcpy(buf, base, n);
		for (int m = rand() % 4 + 1; m > 0; m--) {
			size_t at = n ? (size_t)rand() % n : 0;
			char c = rand() % 2 ? interesting[rand() % (sizeof(interesting) - 1)] : (char)rand();
			switch (rand() % 5) {
			case 0: case 1: if (n) buf[at] = c; break;           /* replace */
			case 2: if (n < sizeof(buf) - 1) {                  /* insert */
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = c; n++;
				}
				break;
			case 3: if (n) { memmove(buf + at, buf + at + 1, n - at - 1); n--; } break;
			case 4: n = at; break;                              /* truncate */
			}
		}
		if (parse_n(buf, n) == 0) {
			check_cfg();
			ok++;
		}
	}
	print_message("xlcfg fuzz: %u variants, %u still valid\n", iters, ok);
	/* Pure random bytes too. */
	for (unsigned it = 0; it < iters; it++) {
		size_t n = (size_t)rand() % 200;
		for (size_t i = 0; i < n; i++)
			buf[i] = rand() % 2 ? interesting[rand() % (sizeof(interesting) - 1)] : (char)rand();
		if (parse_n(buf, n) == 0)
			check_cfg();
	}
}

/* Disk specs: xl's forms, vdev numbers, what Eyrie refuses and why. */
static void disk_ok(const char *spec, const char *target, uint32_t devid, bool ro)
{
	struct xlcfg_disk d;
	int r = xlcfg_disk(spec, &d, &err);

	if (r || strcmp(d.target, target) || d.devid != devid || d.readonly != ro)
		fail_msg("%s -> %d \"%s\" target \"%s\" devid %u ro %d; wanted \"%s\" %u %d", spec, r,
			 err.message, d.target, d.devid, d.readonly, target, devid, ro);
	assert_string_equal(err.message, "");
}

static void disk_bad(const char *spec, const char *msg)
{
	struct xlcfg_disk d;
	int r = xlcfg_disk(spec, &d, &err);

	if (r != -XLCFG_EINVAL || !strstr(err.message, msg) || strncmp(err.message, "disk: ", 6))
		fail_msg("%s -> %d \"%s\"; wanted \"%s\"", spec, r, err.message, msg);
}

static void test_disk(void **state)
{
	uint32_t id;
	struct xlcfg_disk d;

	/* xen-vbd-interface(7)'s numbers. */
	static const struct { const char *name; uint32_t devid; } vdevs[] = {
		{ "xvda", 51712 }, { "xvdb", 51728 }, { "xvda1", 51713 }, { "xvdp15", 202 << 8 | 15 << 4 | 15 },
		{ "xvdq", 1 << 28 | 16 << 8 }, { "xvdz", 1 << 28 | 25 << 8 }, { "xvdaa", 1 << 28 | 26 << 8 },
		{ "xvdb16", 1 << 28 | 1 << 8 | 16 }, { "xvdtq37", 1 << 28 | 536 << 8 | 37 },
		{ "d0", 51712 }, { "d0p0", 51712 }, { "d1p2", 51730 }, { "d536p37", 1 << 28 | 536 << 8 | 37 },
		{ "hda", 3 << 8 }, { "hdb3", 3 << 8 | 1 << 6 | 3 }, { "hdc2", 22 << 8 | 2 },
		{ "hdd63", 22 << 8 | 1 << 6 | 63 }, { "sda", 8 << 8 }, { "sdb3", 8 << 8 | 1 << 4 | 3 },
		{ "51712", 51712 }, { "0xca00", 51712 }, { "0145000", 51712 },
	};
	for (unsigned i = 0; i < sizeof(vdevs) / sizeof(vdevs[0]); i++) {
		assert_int_equal(xlcfg_vdev(vdevs[i].name, &id), 0);
		if (id != vdevs[i].devid)
			fail_msg("%s: %u, wanted %u", vdevs[i].name, id, vdevs[i].devid);
	}
	static const char *const bad_vdevs[] = {
		"", "xvd", "xvdA", "xvda0", "xvda01", "xvda256", "xvd1", "hde", "hda64", "sdq", "sda16",
		"d", "dp1", "d1p", "d1p256", "d1048576", "vda", "xvda-1", "0x", "08", "4294967296",
		"xvdaaaaaaaaaaaaaaaaaaa",
	};
	for (unsigned i = 0; i < sizeof(bad_vdevs) / sizeof(bad_vdevs[0]); i++)
		if (xlcfg_vdev(bad_vdevs[i], &id) != -XLCFG_EINVAL)
			fail_msg("vdev %s accepted as %u", bad_vdevs[i], id);

	/* The man page's equivalent forms. */
	disk_ok("/dev/vg/guest-volume,,hda", "/dev/vg/guest-volume", 3 << 8, false);
	disk_ok("/dev/vg/guest-volume,raw,hda,rw", "/dev/vg/guest-volume", 3 << 8, false);
	disk_ok("format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume",
		"/dev/vg/guest-volume", 3 << 8, false);
	disk_ok("raw:/dev/vg/guest-volume,hda,w", "/dev/vg/guest-volume", 3 << 8, false);
	disk_ok("format=raw, vdev=xvda, access=rw, target=disk.img", "disk.img", 51712, false);
	disk_ok("vdev=xvdb,access=ro,target=a,b c ", "a,b c ", 51728, true);
	disk_ok("disk.img,,xvdc,r", "disk.img", 51744, true);
	disk_ok("disk.img,raw,xvdc,ro", "disk.img", 51744, true);
	disk_ok("  disk.img , , xvdc", "disk.img ", 51744, false);
	disk_bad("img,,xvdc ", "vdev: not a device name");   /* as xl: blanks only before */
	disk_ok("phy:/dev/sda,xvda,w", "/dev/sda", 51712, false);
	disk_ok("file:/img/d.raw,xvdb,r", "/img/d.raw", 51728, true);
	disk_ok("tap:aio:/img/d.raw,xvdb:disk,r", "/img/d.raw", 51728, true);
	disk_ok("img,,xvda,,", "img", 51712, false);
	disk_ok("backendtype=phy,backend=0,specification=xen,devtype=disk,img,,xvda", "img", 51712,
		false);
	disk_ok("direct-io-safe,no-discard,untrusted,img,,xvda", "img", 51712, false);
	assert_int_equal(xlcfg_disk("no-discard,untrusted,img,,xvda", &d, &err), 0);
	assert_false(d.discard);
	assert_false(d.trusted);
	assert_string_equal(d.vdev, "xvda");
	assert_int_equal(xlcfg_disk("img,,xvda", &d, &err), 0);
	assert_true(d.discard && d.trusted && !d.readonly);

	/* Refusals, each with its reason. */
	disk_bad("img,qcow2,xvda", "only raw images are served");
	disk_bad("format=vhd,vdev=xvda,target=img", "only raw images are served");
	disk_bad("qcow2:/img,xvda,w", "only raw images are served");
	disk_bad("img,bogus,xvda", "unknown format");
	disk_bad("img,,xvda,cdrom", "cdrom devices are not supported");
	disk_bad("devtype=cdrom,img,,xvda", "cdrom devices are not supported");
	disk_bad("raw:/img,hdc:cdrom,ro", "cdrom devices are not supported");
	disk_bad("raw:/img,hdc:floppy,ro", "unknown deprecated device type");
	disk_bad("devtype=tape,img,,xvda", "unknown value for devtype");
	disk_bad("img,,xvda,rx", "access: expected rw or ro");
	disk_bad("img,,", "vdev: missing");
	disk_bad("img", "vdev: missing");
	disk_bad("img,,vda", "vdev: not a device name");
	disk_bad("vdev=xvda", "target: missing");
	disk_bad(",,xvda", "target: missing");
	disk_bad("", "vdev: missing");
	disk_bad("img,,xvda,rw,extra", "too many positional parameters");
	disk_bad("img,,xvda,vdev=xvdb", "vdev given twice");
	disk_bad("format=raw,img,raw,xvda", "access: expected rw or ro"); /* raw is the vdev */
	disk_bad("img,raw,xvda,format=raw", "format given twice");
	disk_bad("img,,xvda,colour=red", "unknown parameter");
	disk_bad("script=block-iscsi,img,,xvda", "block scripts are not supported");
	disk_bad("iscsi:iqn,xvda,w", "block scripts are not supported");
	disk_bad("foo:/img,xvda,w", "unknown deprecated disk prefix");
	disk_bad("backend=dd,img,,xvda", "only domain 0 serves disks");
	disk_bad("backendtype=qdisk,img,,xvda", "backendtype: only phy");
	disk_bad("specification=virtio,img,,xvda", "specification: only xen");
	disk_bad("colo,img,,xvda", "not supported here");

	/* A config's disks: each checked, no vdev twice. */
	assert_int_equal(parse(MIN "disk = [ 'a.img,,xvda', 'vdev=xvdb,access=ro,target=b.img' ]\n"), 0);
	assert_int_equal(xlcfg_check_disks(&cfg, &err), 0);
	assert_int_equal(parse(MIN "disk = [ 'a.img,,xvda', 'b.img,,d0' ]\n"), 0);
	assert_int_equal(xlcfg_check_disks(&cfg, &err), -XLCFG_EINVAL);
	assert_true(strstr(err.message, "two disks with the same vdev") != NULL);
	assert_int_equal(parse(MIN "disk = [ 'a.img,,xvda', 'b.img,vhd,xvdb' ]\n"), 0);
	assert_int_equal(xlcfg_check_disks(&cfg, &err), -XLCFG_EINVAL);
	assert_true(strstr(err.message, "only raw") != NULL);

	/* Random specs: no crash, a terminated message, a sane result. */
	static const char alphabet[] = "xvda,=:/ tgrw01prohy";
	char spec[64];
	srand(7);
	for (unsigned it = 0; it < 20000; it++) {
		size_t n = (size_t)rand() % (sizeof(spec) - 1);
		for (size_t i = 0; i < n; i++)
			spec[i] = alphabet[rand() % (sizeof(alphabet) - 1)];
		spec[n] = 0;
		memset(&err, 0x55, sizeof(err));
		int r = xlcfg_disk(spec, &d, &err);
		assert_true(memchr(err.message, 0, sizeof(err.message)) != NULL);
		assert_true(r == 0 || r == -XLCFG_EINVAL);
		if (r == 0)
			assert_true(d.target[0] && d.vdev[0] && d.devid &&
				    !xlcfg_vdev(d.vdev, &id) && id == d.devid);
	}
}

/* Vif specs (xl-network-configuration(5)): keys kept, accepted, refused. */
static void vif_bad(const char *spec, const char *msg)
{
	struct xlcfg_vif v;
	int r = xlcfg_vif(spec, &v, &err);

	if (r != -XLCFG_EINVAL || !strstr(err.message, msg) || strncmp(err.message, "vif: ", 5))
		fail_msg("%s -> %d \"%s\"; wanted \"%s\"", spec, r, err.message, msg);
}

static void test_vif(void **state)
{
	struct xlcfg_vif v, vs[XLCFG_LIST_MAX];
	static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x74, 0x3d, 0x76 };

	/* the man page's examples, and the empty string */
	assert_int_equal(xlcfg_vif("mac=00:16:3E:74:3d:76,model=rtl8139,bridge=xenbr0", &v, &err), 0);
	assert_true(v.mac_given);
	assert_memory_equal(v.mac, mac, 6);
	assert_string_equal(v.bridge, "xenbr0");
	assert_int_equal(xlcfg_vif("", &v, &err), 0);
	assert_false(v.mac_given);
	assert_string_equal(v.bridge, "xenbr0");
	assert_int_equal(v.devid, -1);
	assert_true(v.antispoof && v.trusted);
	assert_string_equal(v.vifname, "");
	/* every key */
	assert_int_equal(xlcfg_vif(" mac=00:16:3e:00:00:01 , bridge=lan.1, vifname=web-eth0, devid=3,"
				   "ip=10.0.0.2 10.0.0.3, type=vif, script=/etc/xen/scripts/vif-bridge,"
				   "backend=Domain-0, mtu=1500, antispoof=no, untrusted,", &v, &err), 0);
	assert_string_equal(v.bridge, "lan.1");
	assert_string_equal(v.vifname, "web-eth0");
	assert_int_equal(v.devid, 3);
	assert_string_equal(v.ip, "10.0.0.2 10.0.0.3");
	assert_false(v.antispoof);
	assert_false(v.trusted);
	assert_int_equal(xlcfg_vif("antispoof=1,type=ioemu,script=vif-bridge,backend=0,trusted", &v,
				   &err), 0);
	assert_true(v.antispoof && v.trusted);
	/* refusals with their reasons */
	vif_bad("mac=00:16:3e:00:00", "mac: expected six hex pairs");
	vif_bad("mac=00-16-3e-00-00-01", "mac: expected six hex pairs");
	vif_bad("mac=00:16:3e:00:00:0g", "mac: expected six hex pairs");
	vif_bad("mac=01:00:5e:00:00:01", "multicast or zero");
	vif_bad("mac=00:00:00:00:00:00", "multicast or zero");
	vif_bad("bridge=", "bridge: expected");
	vif_bad("bridge=a/b", "bridge: expected");
	vif_bad("bridge=sixteen-chars-xx", "bridge: expected");
	vif_bad("vifname=x y", "vifname: expected");
	vif_bad("devid=1024", "devid: expected a number 0 to 1023");
	vif_bad("devid=01", "devid: expected");
	vif_bad("devid=-1", "devid: expected");
	vif_bad("type=pv", "type: expected ioemu or vif");
	vif_bad("script=vif-route", "script: only vif-bridge");
	vif_bad("script=/etc/xen/scripts/vif-nat", "script: only vif-bridge");
	vif_bad("backend=2", "backend: only domain 0");
	vif_bad("mtu=9000", "mtu: only 1500");
	vif_bad("antispoof=maybe", "antispoof: expected yes or no");
	vif_bad("rate=10Mb/s", "rate limiting is not supported");
	vif_bad("vlan=10", "VLANs are not supported");
	vif_bad("gatewaydev=eth0", "vif-route");
	vif_bad("netdev=eth0", "vif-route");
	vif_bad("accel=x", "unknown parameter");
	vif_bad("bridge=xenbr0,promisc", "unknown flag");
	vif_bad("ip=0123456789012345678901234567890123456789012345678901234567890123", "ip: longer");
	/* a config's vifs: devids by index unless given, none twice, no MAC twice */
	assert_int_equal(parse(MIN "vif = [ '', 'bridge=xenbr1', 'devid=5', '' ]\n"), 0);
	assert_int_equal(cfg.nvif, 4);
	assert_int_equal(xlcfg_vifs(&cfg, vs, &err), 0);
	assert_int_equal(vs[0].devid, 0);
	assert_int_equal(vs[1].devid, 1);
	assert_string_equal(vs[1].bridge, "xenbr1");
	assert_int_equal(vs[2].devid, 5);
	assert_int_equal(vs[3].devid, 3);
	assert_int_equal(parse(MIN "vif = [ '', 'devid=0' ]\n"), 0);
	assert_int_equal(xlcfg_vifs(&cfg, vs, &err), -XLCFG_EINVAL);
	assert_true(strstr(err.message, "two vifs with the same devid") != NULL);
	assert_int_equal(parse(MIN "vif = [ 'mac=00:16:3e:00:00:01', 'mac=00:16:3E:00:00:01' ]\n"), 0);
	assert_int_equal(xlcfg_vifs(&cfg, vs, &err), -XLCFG_EINVAL);
	assert_true(strstr(err.message, "two vifs with the same mac") != NULL);
	assert_int_equal(parse(MIN "vif = [ 'rate=1MB/s' ]\n"), 0);
	assert_int_equal(xlcfg_vifs(&cfg, vs, &err), -XLCFG_EINVAL);
	/* the console's form */
	struct xlcfg c;
	xlcfg_init(&c);
	assert_int_equal(xlcfg_set(&c, "vif", "", &err), 0);
	assert_int_equal(xlcfg_set(&c, "vif", "bridge=b", &err), 0);
	assert_int_equal(c.nvif, 2);

	/* derived MACs: Xen's OUI, stable, different per name, devid, try */
	uint8_t m1[6], m2[6];
	xlcfg_vif_mac("web", 0, 0, m1);
	xlcfg_vif_mac("web", 0, 0, m2);
	assert_memory_equal(m1, m2, 6);
	assert_memory_equal(m1, "\x00\x16\x3e", 3);
	assert_int_equal(m1[3] & 0x80, 0);
	xlcfg_vif_mac("web", 1, 0, m2);
	assert_memory_not_equal(m1, m2, 6);
	xlcfg_vif_mac("web", 0, 1, m2);
	assert_memory_not_equal(m1, m2, 6);
	xlcfg_vif_mac("weba", 0, 0, m2);
	assert_memory_not_equal(m1, m2, 6);
	unsigned same = 0;
	for (unsigned i = 0; i < 1000; i++) {
		char nm[16];
		snprintf(nm, sizeof(nm), "guest%u", i);
		xlcfg_vif_mac(nm, 0, 0, m2);
		same += !memcmp(m1, m2, 6);
		assert_int_equal(m2[3] & 0x80, 0);
	}
	assert_true(same <= 1);

	/* random specs: no crash, a terminated message, a sane result */
	static const char alphabet[] = "mac=0:16e,bridgxnvfi ";
	char spec[64];
	srand(11);
	for (unsigned it = 0; it < 20000; it++) {
		size_t n = (size_t)rand() % (sizeof(spec) - 1);
		for (size_t i = 0; i < n; i++)
			spec[i] = alphabet[rand() % (sizeof(alphabet) - 1)];
		spec[n] = 0;
		memset(&err, 0x55, sizeof(err));
		int r = xlcfg_vif(spec, &v, &err);
		assert_true(memchr(err.message, 0, sizeof(err.message)) != NULL);
		assert_true(r == 0 || r == -XLCFG_EINVAL);
		if (r == 0)
			assert_true(v.bridge[0] && strlen(v.bridge) < 16);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_sched),
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_multiboot),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_action_name),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_disk),
		cmocka_unit_test(test_vif),
	};
	return cmocka_run_group_tests_name("xlcfg", tests, NULL, NULL);
}
