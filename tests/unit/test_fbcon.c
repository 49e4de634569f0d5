/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for drivers/fbcon.c rendering into a malloc'd framebuffer.
 * The test font draws every glyph as its own code repeated on all 16 rows,
 * so a cell can be decoded back to the character drawn in it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/fbcon.h"
#include "drivers/font.h"
#include "kernel/errno.h"
#include "kernel/log.h"

#define G(c) { c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c }
#define G16(b) G(b + 0), G(b + 1), G(b + 2), G(b + 3), G(b + 4), G(b + 5), \
	G(b + 6), G(b + 7), G(b + 8), G(b + 9), G(b + 10), G(b + 11), \
	G(b + 12), G(b + 13), G(b + 14), G(b + 15)
const unsigned char font_glyphs[256][16] = {
	G16(0x00), G16(0x10), G16(0x20), G16(0x30), G16(0x40), G16(0x50),
	G16(0x60), G16(0x70), G16(0x80), G16(0x90), G16(0xa0), G16(0xb0),
	G16(0xc0), G16(0xd0), G16(0xe0), G16(0xf0),
};
const unsigned font_width = 8, font_height = 16;

static struct console_sink *sink;
static int registrations;

void console_register(struct console_sink *s)
{
	sink = s;
	registrations++;
}

static uint8_t *fbmem;
static struct boot_framebuffer fb;

/* 10 columns x 3 rows of text, pitch with padding. */
static void setup(uint8_t bpp, uint32_t pad)
{
	free(fbmem);
	memset(&fb, 0, sizeof(fb));
	fb.width = 80 + 7; /* partial cell ignored */
	fb.height = 48 + 5;
	fb.bpp = bpp;
	fb.pitch = fb.width * (bpp / 8) + pad;
	if (bpp == 32) {
		fb.red_pos = 16; fb.red_size = 8;
		fb.green_pos = 8; fb.green_size = 8;
		fb.blue_pos = 0; fb.blue_size = 8;
	}
	fbmem = malloc((size_t)fb.pitch * fb.height);
	memset(fbmem, 0x55, (size_t)fb.pitch * fb.height);
	assert_int_equal(fbcon_init(fbmem, &fb), 0);
}

static uint32_t px(uint32_t x, uint32_t y)
{
	uint32_t v = 0, b = fb.bpp / 8;
	memcpy(&v, fbmem + (size_t)y * fb.pitch + (size_t)x * b, b);
	return v;
}

/* Decodes the character in a cell; -1 if rows differ or colours are off. */
static int cell(uint32_t col, uint32_t row, uint32_t fg)
{
	int ch = -1;
	for (uint32_t y = 0; y < 16; y++) {
		int bits = 0;
		for (uint32_t x = 0; x < 8; x++) {
			uint32_t v = px(col * 8 + x, row * 16 + y);
			if (v == fg)
				bits |= 0x80 >> x;
			else if (v != 0)
				return -1;
		}
		if (ch >= 0 && bits != ch)
			return -1;
		ch = bits;
	}
	return ch;
}

static void out(const char *s)
{
	sink->write(s, strlen(s));
}

/* The line `row` as text ('.' for an empty cell). */
static void row_text(uint32_t row, char *buf, uint32_t fg)
{
	for (uint32_t c = 0; c < 10; c++) {
		int ch = cell(c, row, fg);
		assert_true(ch >= 0);
		buf[c] = ch ? (char)ch : '.';
	}
	buf[10] = '\0';
}

#define GREY32 0xaaaaaau

static void assert_row(uint32_t row, const char *want)
{
	char buf[11];
	row_text(row, buf, fb.bpp == 32 ? GREY32 : fb.bpp == 24 ? GREY32 : 0xad55);
	assert_string_equal(buf, want);
}

static void test_init(void **state)
{
	struct boot_framebuffer bad = { .width = 100, .height = 100, .pitch = 400, .bpp = 8 };
	uint8_t buf[16];

	assert_int_equal(fbcon_init(buf, &bad), -EINVAL);
	bad.bpp = 32;
	assert_int_equal(fbcon_init(NULL, &bad), -EINVAL);
	bad.pitch = 399;
	assert_int_equal(fbcon_init(buf, &bad), -EINVAL);
	bad.pitch = 400;
	bad.height = 15;
	assert_int_equal(fbcon_init(buf, &bad), -EINVAL);
	setup(32, 12);
	assert_int_equal(registrations, 1);
	setup(32, 0);
	assert_int_equal(registrations, 1); /* registered once */
	/* cleared to black, including the partial cells */
	assert_int_equal(px(86, 52), 0);
	/* padding bytes of the pitch are left alone */
	setup(32, 12);
	assert_int_equal(fbmem[fb.width * 4], 0x55);
}

static void test_text(void **state)
{
	setup(32, 12);
	out("AB");
	assert_row(0, "AB........");
	assert_int_equal(px(8 * 0 + 1, 0), GREY32); /* 'A' = 0x41: bit 0x40 */
	out("\rC\nxy\bz\tT");
	assert_row(0, "CB........");
	assert_row(1, "xz......T.");
	out("\n\x7f\x01\xe9");
	assert_row(2, "\xe9.........");
}

static void test_wrap_scroll(void **state)
{
	setup(32, 0);
	out("0123456789ab");
	assert_row(0, "0123456789");
	assert_row(1, "ab........");
	/* exactly a full line then '\n': no blank line in between */
	setup(32, 0);
	out("0123456789\nX");
	assert_row(1, "X.........");
	/* tab past the end wraps at the next glyph */
	setup(32, 0);
	out("012345678\tY");
	assert_row(1, "Y.........");
	/* scrolling */
	setup(32, 4);
	out("l1\nl2\nl3\nl4");
	assert_row(0, "l2........");
	assert_row(1, "l3........");
	assert_row(2, "l4........");
	out("\n");
	assert_row(0, "l3........");
	assert_row(2, "..........");
	out("0123456789abcdefghijklmnopq");
	assert_row(0, "0123456789");
	assert_row(1, "abcdefghij");
	assert_row(2, "klmnopq...");
	/* the rows below the last full text row are never written */
	assert_int_equal(px(0, 52), 0);
}

static void test_escapes(void **state)
{
	setup(32, 0);
	out("\x1b[1;31mR\x1b[0m-\x1b[2J\x1b[H");
	assert_row(0, "R-........");
	/* ESC + one byte (e.g. ESC c) */
	out("\x1b" "cQ");
	assert_row(0, "R-Q.......");
	/* sequence split across writes */
	out("\x1b[");
	out("32");
	out("mZ");
	assert_row(0, "R-QZ......");
	/* broken sequence: a newline aborts it and still takes effect */
	out("\x1b[12\nW");
	assert_row(1, "W.........");
}

static void test_16bpp(void **state)
{
	setup(16, 2);
	out("Hi");
	/* r5g6b5 grey 0xaa: 21 << 11 | 42 << 5 | 21 */
	assert_int_equal(px(1, 0), 0xad55);
	assert_row(0, "Hi........");
}

static void test_24bpp(void **state)
{
	setup(24, 3);
	out("ok\nyes");
	assert_row(0, "ok........");
	assert_row(1, "yes.......");
	out("\n\n");
	assert_row(0, "yes.......");
	assert_row(1, "..........");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_wrap_scroll),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_16bpp),
		cmocka_unit_test(test_24bpp),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	free(fbmem);
	return r;
}
