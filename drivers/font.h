/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The framebuffer console font: 256 glyphs of 8x16 pixels indexed by
 * Latin-1 code point, one byte per row, most significant bit leftmost.
 * Generated at build time by tools/psf2c.py (build/gen/font.c).
 */
#ifndef EYRIE_DRIVERS_FONT_H
#define EYRIE_DRIVERS_FONT_H

extern const unsigned char font_glyphs[256][16];
extern const unsigned font_width, font_height;

#endif
