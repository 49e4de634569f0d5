/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Framebuffer text console. The cursor is a (column, row) cell position;
 * a column equal to the column count means "wrap before the next glyph", so
 * a line of exactly full width followed by '\n' does not leave a blank line.
 */
#include <stdbool.h>
#include <stdint.h>

#include "drivers/fbcon.h"
#include "drivers/font.h"
#include "kernel/bytes.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/string.h"

#define GLYPH_W  8  /* font_glyphs is [256][16]: 8 pixels, 16 rows */
#define GLYPH_H  16
#define TAB      8
#define GREY     0xaa /* VGA light grey, per channel */

enum esc_state { ESC_NONE, ESC_START, ESC_CSI };

struct fbcon {
	uint8_t *base;
	uint32_t pitch, width, height;
	uint32_t bytespp;
	uint32_t fg, bg; /* pixel values in the framebuffer's format */
	uint32_t cols, rows;
	uint32_t cx, cy;
	enum esc_state esc;
};

static struct fbcon con;
static bool registered;

/* Scales an 8-bit channel value to a field of `size` bits at `pos`. */
static uint32_t chan(uint32_t v, uint32_t pos, uint32_t size)
{
	if (size == 0 || pos >= 32)
		return 0;
	if (size > 32)
		size = 32;
	v = size >= 8 ? v << (size - 8) : v >> (8 - size);
	return v << pos;
}

static uint32_t pixel(const struct boot_framebuffer *fb, uint32_t v)
{
	if (!fb->red_size && !fb->green_size && !fb->blue_size) {
		if (fb->bpp == 16)
			return chan(v, 11, 5) | chan(v, 5, 6) | chan(v, 0, 5);
		return chan(v, 16, 8) | chan(v, 8, 8) | chan(v, 0, 8);
	}
	return chan(v, fb->red_pos, fb->red_size) | chan(v, fb->green_pos, fb->green_size) |
	       chan(v, fb->blue_pos, fb->blue_size);
}

/* Writes n pixels of one colour starting at p (4 bytes a store where it can). */
static void fill_pixels(const struct fbcon *c, uint8_t *p, uint32_t n, uint32_t v)
{
	for (uint32_t i = 0; i < n; i++, p += c->bytespp)
		if (c->bytespp == 4)
			*(uint32_t *)(void *)p = v;
		else
			put_le(p, v, c->bytespp);
}

static void draw_glyph(const struct fbcon *c, uint32_t col, uint32_t row, uint8_t ch)
{
	const unsigned char *g = font_glyphs[ch];
	uint8_t *line = c->base + (size_t)row * GLYPH_H * c->pitch +
			(size_t)col * GLYPH_W * c->bytespp;

	for (uint32_t y = 0; y < GLYPH_H; y++, line += c->pitch)
		for (uint32_t x = 0; x < GLYPH_W; x++)
			fill_pixels(c, line + x * c->bytespp, 1, g[y] & (0x80u >> x) ? c->fg : c->bg);
}

static void clear_lines(const struct fbcon *c, uint32_t first, uint32_t n)
{
	uint8_t *line = c->base + (size_t)first * c->pitch;

	for (uint32_t y = 0; y < n; y++, line += c->pitch)
		fill_pixels(c, line, c->width, c->bg);
}

static void newline(struct fbcon *c)
{
	size_t row_bytes = (size_t)GLYPH_H * c->pitch;

	c->cx = 0;
	if (c->cy + 1 < c->rows) {
		c->cy++;
		return;
	}
	memmove(c->base, c->base + row_bytes, row_bytes * (c->rows - 1));
	clear_lines(c, (c->rows - 1) * GLYPH_H, GLYPH_H);
}

/* Returns true when ch belonged to an escape sequence. */
static bool escape(struct fbcon *c, uint8_t ch)
{
	switch (c->esc) {
	case ESC_START:
		c->esc = ch == '[' ? ESC_CSI : ESC_NONE;
		return true;
	case ESC_CSI:
		if (ch >= 0x20 && ch <= 0x3f) /* parameter/intermediate bytes */
			return true;
		c->esc = ESC_NONE;
		return ch >= 0x40 && ch <= 0x7e; /* final byte; else abort */
	default:
		if (ch != 0x1b)
			return false;
		c->esc = ESC_START;
		return true;
	}
}

static void put_char(struct fbcon *c, uint8_t ch)
{
	if (escape(c, ch))
		return;
	switch (ch) {
	case '\n':
		newline(c);
		return;
	case '\r':
		c->cx = 0;
		return;
	case '\b':
		if (c->cx > 0)
			c->cx--;
		return;
	case '\t':
		c->cx = (c->cx + TAB) & ~(uint32_t)(TAB - 1);
		if (c->cx > c->cols)
			c->cx = c->cols;
		return;
	}
	if (ch < 0x20 || ch == 0x7f)
		return;
	if (c->cx >= c->cols)
		newline(c);
	draw_glyph(c, c->cx, c->cy, ch);
	c->cx++;
}

/*
 * Renders n bytes (the console sink's write): printable Latin-1 is drawn;
 * '\n' moves to the start of the next line (it implies '\r'), '\r', '\b'
 * and '\t' (8 columns) move the cursor; other control bytes and ANSI escape
 * sequences (ESC [ params final, or ESC + one byte) are skipped. Lines wrap
 * at the right edge and the screen scrolls up at the bottom. Not reentrant:
 * the log layer serializes its sinks. A no-op before fbcon_init.
 */
static void fbcon_write(const char *s, size_t n)
{
	if (!con.base)
		return;
	for (size_t i = 0; i < n; i++)
		put_char(&con, (uint8_t)s[i]);
}

static struct console_sink fbcon_sink = { .write = fbcon_write };

int fbcon_init(void *base, const struct boot_framebuffer *fb)
{
	if (!base || !fb || (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32))
		return -EINVAL;
	uint32_t bytespp = fb->bpp / 8;
	if (fb->width < GLYPH_W || fb->height < GLYPH_H ||
	    fb->pitch < (uint64_t)fb->width * bytespp ||
	    fb->pitch % (bytespp == 3 ? 1 : bytespp) != 0 ||
	    (uintptr_t)base % (bytespp == 3 ? 1 : bytespp) != 0)
		return -EINVAL;
	con = (struct fbcon){
		.base = base, .pitch = fb->pitch, .width = fb->width,
		.height = fb->height, .bytespp = bytespp,
		.fg = pixel(fb, GREY), .bg = pixel(fb, 0),
		.cols = fb->width / GLYPH_W, .rows = fb->height / GLYPH_H,
	};
	clear_lines(&con, 0, con.height);
	if (!registered) {
		registered = true;
		console_register(&fbcon_sink);
	}
	return 0;
}
