/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsnprintf for the hypervisor: pure, no allocation, host-tested
 * (tests/unit/test_printf.c). Supports %d %i %u %x %X %p %s %c %% with the
 * '-' and '0' flags, a width (or '*'), a precision for %s, and l, ll, z.
 */
#include "kernel/log.h"

#include <stdint.h>
#include <stdbool.h>

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (fill-- > 0)
			put(o, pad);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

static void put_number(struct out *o, uint64_t v, bool neg, unsigned base,
		       bool upper, int width, bool left, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = sizeof(tmp); /* digits are written from the end */

	do {
		tmp[--n] = digits[v % base];
		v /= base;
	} while (v);
	if (neg && pad == '0') { /* the sign goes before the zeros */
		put(o, '-');
		width--;
	} else if (neg) {
		tmp[--n] = '-';
	}
	put_padded(o, tmp + n, sizeof(tmp) - (size_t)n, width, left, pad);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		bool left = false;
		char pad = ' ';
		int width = 0, prec = -1, lng = 0;

		for (;; fmt++) {
			if (fmt[1] == '-')
				left = true;
			else if (fmt[1] == '0')
				pad = '0';
			else
				break;
		}
		if (fmt[1] == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (fmt[1] >= '0' && fmt[1] <= '9')
			width = width * 10 + (*++fmt - '0');
		if (fmt[1] == '.') {
			fmt++;
			prec = 0;
			if (fmt[1] == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (fmt[1] >= '0' && fmt[1] <= '9')
				prec = prec * 10 + (*++fmt - '0');
		}
		while (fmt[1] == 'l' || fmt[1] == 'z') {
			lng = fmt[1] == 'z' ? 2 : lng + 1;
			fmt++;
		}
		if (left)
			pad = ' ';
		char c = *++fmt;
		switch (c) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
			put_number(&o, mag, v < 0, 10, false, width, left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			put_number(&o, v, false, c == 'u' ? 10 : 16, c == 'X', width, left, pad);
			break;
		}
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_number(&o, (uintptr_t)va_arg(ap, void *), false, 16,
				   false, width > 2 ? width - 2 : 0, left, pad);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t n = 0;
			while (s[n] && (prec < 0 || n < (size_t)prec))
				n++;
			put_padded(&o, s, n, width, left, ' ');
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case 0:
			fmt--; /* lone '%' at the end */
			break;
		default:
			put(&o, '%');
			put(&o, c);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
