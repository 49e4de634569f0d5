/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The debug shell's line editor: a pure state machine fed one input byte at
 * a time; it produces the echo to send back and, on Enter, the line.
 * Printable ASCII is kept, Backspace/DEL erase, Ctrl-U kills the line,
 * Ctrl-C cancels it, Up/Down (ESC [ A / ESC [ B) walk the history; other
 * escape sequences are ignored; other control and non-ASCII bytes are
 * counted as binary input and make the line an error.
 */
#ifndef EYRIE_KERNEL_LINEEDIT_H
#define EYRIE_KERNEL_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINE_MAX 255
#define LINE_HISTORY 16
/* The most echo one byte can produce: erase a line and draw another. */
#define LINE_ECHO_MAX (4 * LINE_MAX + 8)

enum le_result {
	LE_NONE,         /* keep feeding */
	LE_LINE,         /* a line is ready in le->line */
	LE_CANCEL,       /* Ctrl-C */
	LE_TOO_LONG,     /* Enter on a line of more than LINE_MAX characters */
	LE_BINARY,       /* Enter on a line that had non-printable bytes */
};

struct lineedit {
	char buf[LINE_MAX + 1];
	size_t len;
	bool overflow, last_cr;
	unsigned binary;  /* non-printable bytes in this line */
	int esc;          /* 0 none, 1 after ESC, 2 in CSI, 3 after ESC O */
	char line[LINE_MAX + 1]; /* the finished line */
	char hist[LINE_HISTORY][LINE_MAX + 1];
	unsigned hist_len, hist_next, browse; /* browse: steps back in history */
};

void le_init(struct lineedit *le);
/* Feeds one byte; echo (LINE_ECHO_MAX bytes) receives what to print. */
enum le_result le_feed(struct lineedit *le, unsigned char c, char *echo, size_t *echo_len);

#endif
