/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Console output on port 0xE9 (the hypervisor line-buffers it and prints
 * "(dN) text") and a small printf: %d %i %u %x %X %p %c %s %%, with the
 * flags '-' and '0', a width, and the length modifiers l, ll and z.
 */
#include "runtime.h"
#include "x86.h"

void con_putc(char c)
{
	outb(CONSOLE_PORT, (uint8_t)c);
}

void con_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		con_putc(s[i]);
}

struct out {
	char *buf;
	size_t size, len;
};

static void emit(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void emit_num(struct out *o, uint64_t v, unsigned base, bool neg, bool upper,
		     int width, bool zero, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	int pad = width > n ? width - n : 0;
	if (!left && zero && neg) {
		emit(o, '-');
		n--;
	}
	for (; !left && pad > 0; pad--)
		emit(o, zero ? '0' : ' ');
	while (n)
		emit(o, tmp[--n]);
	for (; pad > 0; pad--)
		emit(o, ' ');
}

static void emit_str(struct out *o, const char *s, int width, bool left)
{
	int n = (int)strlen(s);
	int pad = width > n ? width - n : 0;

	for (; !left && pad > 0; pad--)
		emit(o, ' ');
	while (*s)
		emit(o, *s++);
	for (; pad > 0; pad--)
		emit(o, ' ');
}

/* One conversion starting after '%'; returns the position after it. */
static const char *convert(struct out *o, const char *f, va_list *ap)
{
	bool left = false, zero = false;
	int width = 0, lng = 0;

	for (;; f++) {
		if (*f == '-')
			left = true;
		else if (*f == '0')
			zero = true;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		width = width * 10 + (*f++ - '0');
	for (; *f == 'l' || *f == 'z'; f++)
		lng += *f == 'z' ? (sizeof(size_t) == 8 ? 2 : 1) : 1;
	uint64_t u;
	int64_t s;
	switch (*f) {
	case 'd':
	case 'i':
		s = lng >= 2 ? va_arg(*ap, long long) : lng ? va_arg(*ap, long) : va_arg(*ap, int);
		emit_num(o, s < 0 ? 0 - (uint64_t)s : (uint64_t)s, 10, s < 0, false, width, zero,
			 left);
		break;
	case 'u':
	case 'x':
	case 'X':
		u = lng >= 2 ? va_arg(*ap, unsigned long long)
		    : lng ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned int);
		emit_num(o, u, *f == 'u' ? 10 : 16, false, *f == 'X', width, zero, left);
		break;
	case 'p':
		emit(o, '0');
		emit(o, 'x');
		emit_num(o, (uintptr_t)va_arg(*ap, void *), 16, false, false, width, zero, left);
		break;
	case 'c':
		emit(o, (char)va_arg(*ap, int));
		break;
	case 's': {
		const char *str = va_arg(*ap, const char *);
		emit_str(o, str ? str : "(null)", width, left);
		break;
	}
	case '%':
		emit(o, '%');
		break;
	default: /* unknown: print it as written */
		emit(o, '%');
		if (*f)
			emit(o, *f);
		break;
	}
	return *f ? f + 1 : f;
}

int vsnprintf_(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%')
			emit(&o, *fmt++);
		else
			fmt = convert(&o, fmt + 1, &aq);
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf_(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf_(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int gprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf_(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	con_write(buf, strlen(buf));
	return n;
}
