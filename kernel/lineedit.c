/* SPDX-License-Identifier: GPL-2.0-only */
/* Line editor (see lineedit.h). */
#include "kernel/lineedit.h"
#include "kernel/string.h"

void le_init(struct lineedit *le)
{
	memset(le, 0, sizeof(*le));
}

static void emit(char *echo, size_t *n, const char *s)
{
	size_t len = strlen(s);

	memcpy(echo + *n, s, len);
	*n += len;
}

static void erase_line(struct lineedit *le, char *echo, size_t *n)
{
	for (size_t i = 0; i < le->len; i++)
		emit(echo, n, "\b \b");
	le->len = 0;
}

static void reset_line(struct lineedit *le)
{
	le->len = le->binary = le->browse = 0;
	le->overflow = false;
}

/* Replaces the line with the history entry `back` steps back (0: empty). */
static void recall(struct lineedit *le, unsigned back, char *echo, size_t *n)
{
	erase_line(le, echo, n);
	le->browse = back;
	if (!back)
		return;
	const char *h = le->hist[(le->hist_next + LINE_HISTORY - back) % LINE_HISTORY];
	le->len = str_copy(le->buf, h, sizeof(le->buf));
	emit(echo, n, le->buf);
}

static void remember(struct lineedit *le)
{
	const char *last = le->hist[(le->hist_next + LINE_HISTORY - 1) % LINE_HISTORY];

	if (!le->line[0] || (le->hist_len && !strcmp(last, le->line)))
		return;
	str_copy(le->hist[le->hist_next], le->line, LINE_MAX + 1);
	le->hist_next = (le->hist_next + 1) % LINE_HISTORY;
	if (le->hist_len < LINE_HISTORY)
		le->hist_len++;
}

static enum le_result finish(struct lineedit *le, char *echo, size_t *n)
{
	enum le_result r = le->overflow ? LE_TOO_LONG : le->binary ? LE_BINARY : LE_LINE;

	emit(echo, n, "\n");
	le->buf[le->len] = 0;
	str_copy(le->line, le->buf, sizeof(le->line));
	if (r == LE_LINE)
		remember(le);
	reset_line(le);
	return r;
}

static enum le_result feed(struct lineedit *le, unsigned char c, char *echo, size_t *n);

static enum le_result escape(struct lineedit *le, unsigned char c, char *echo, size_t *n)
{
	if (le->esc == 1) {
		le->esc = c == '[' ? 2 : c == 'O' ? 3 : 0;
		if (!le->esc) { /* a lone ESC: binary; the byte counts on its own */
			le->binary++;
			return feed(le, c, echo, n);
		}
		return LE_NONE;
	}
	if (le->esc == 2 && c >= 0x20 && c < 0x40)
		return LE_NONE; /* CSI parameter and intermediate bytes */
	le->esc = 0;
	if (c == 'A' && le->browse < le->hist_len)
		recall(le, le->browse + 1, echo, n);
	else if (c == 'B' && le->browse > 0)
		recall(le, le->browse - 1, echo, n);
	return LE_NONE;
}

static enum le_result feed(struct lineedit *le, unsigned char c, char *echo, size_t *echo_len)
{
	bool was_cr = le->last_cr;

	le->last_cr = c == '\r';
	if (le->esc)
		return escape(le, c, echo, echo_len);
	switch (c) {
	case '\r':
		return finish(le, echo, echo_len);
	case '\n':
		return was_cr ? LE_NONE : finish(le, echo, echo_len);
	case 0x08:
	case 0x7f:
		if (le->len) {
			le->len--;
			emit(echo, echo_len, "\b \b");
		}
		return LE_NONE;
	case 0x03:
		emit(echo, echo_len, "^C\n");
		reset_line(le);
		return LE_CANCEL;
	case 0x15:
		erase_line(le, echo, echo_len);
		le->overflow = false;
		return LE_NONE;
	case 0x1b:
		le->esc = 1;
		return LE_NONE;
	case '\t':
		c = ' ';
		break;
	}
	if (c < 0x20 || c >= 0x7f) {
		le->binary++;
		return LE_NONE;
	}
	if (le->len == LINE_MAX) {
		le->overflow = true;
		return LE_NONE;
	}
	le->buf[le->len++] = (char)c;
	echo[(*echo_len)++] = (char)c;
	return LE_NONE;
}

enum le_result le_feed(struct lineedit *le, unsigned char c, char *echo, size_t *echo_len)
{
	*echo_len = 0;
	return feed(le, c, echo, echo_len);
}
