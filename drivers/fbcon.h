/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Framebuffer text console: mirrors the console output (every byte the log
 * prints) onto a linear RGB framebuffer with the 8x16 font of drivers/font.h,
 * light grey on black. Output only: no cursor is drawn.
 */
#ifndef EYRIE_DRIVERS_FBCON_H
#define EYRIE_DRIVERS_FBCON_H

#include "boot/boot_info.h"

/*
 * Takes over the framebuffer described by fb, already mapped at base by the
 * caller (fb->addr is not used), clears it and registers the console sink
 * (once, however often this is called). Supports 32, 24 and 16 bpp with the
 * colour positions of fb (0 sizes mean x8r8g8b8 / r5g6b5). Returns 0, or
 * -EINVAL (nothing registered) for a missing or unsupported framebuffer.
 */
int fbcon_init(void *base, const struct boot_framebuffer *fb);

#endif
