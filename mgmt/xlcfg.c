/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl.cfg parser (see xlcfg.h). A hand-written lexer over a bounded buffer and
 * a loop over statements; no recursion (lists do not nest), no allocation.
 * The grammar is xl's (tools/libs/util/libxlu_cfg_y.y): statements end at a
 * newline or ';', the last one may end at end of file; newlines are allowed
 * anywhere inside [ ]. Deliberate differences: CRLF accepted, numeric escapes
 * work (xl's drop the character), unknown keys and octal are errors.
 */
#include "xlcfg.h" /* beside it: builds with or without -I. */
#include "../vmm/load/cpulist.h"

#include <string.h>

enum key {
	K_NAME, K_TYPE, K_MEMORY, K_MAXMEM, K_VCPUS, K_KERNEL, K_RAMDISK, K_CMDLINE,
	K_EXTRA, K_ON_POWEROFF, K_ON_REBOOT, K_ON_CRASH, K_AUTOSTART, K_XEN_PCI, K_DISK, K_VIF,
	K_IOPORTS, K_IOMEM, K_IRQS, K_MODULE, K_CPUS, K_WEIGHT, K_CAP,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"name", "type", "memory", "maxmem", "vcpus", "kernel", "ramdisk", "cmdline",
	"extra", "on_poweroff", "on_reboot", "on_crash", "autostart", "xen_platform_pci", "disk", "vif",
	"ioports", "iomem", "irqs", "module", "cpus", "weight", "cap",
};

static const char *const action_names[] = {
	"destroy", "restart", "preserve", "rename-restart", "coredump-destroy",
	"coredump-restart",
};
#define NACTIONS (sizeof(action_names) / sizeof(action_names[0]))
#define NONE ((uint64_t)-1)

/* ---- error messages, without stdio ---- */

static void emit(struct xlcfg_error *e, const char *s, size_t n)
{
	size_t at = strlen(e->message);

	while (n-- && at + 1 < sizeof(e->message))
		e->message[at++] = *s++;
	e->message[at] = 0;
}

/* Appends a and b (NULL: nothing), then the number u unless it is NONE. */
static void say(struct xlcfg_error *e, const char *a, const char *b, uint64_t u)
{
	char d[20];
	size_t i = sizeof(d);

	emit(e, a ? a : "", a ? strlen(a) : 0);
	emit(e, b ? b : "", b ? strlen(b) : 0);
	if (u == NONE)
		return;
	do
		d[--i] = (char)('0' + u % 10);
	while (u /= 10);
	emit(e, d + i, sizeof(d) - i);
}

/* Appends a value as "text": at most 24 bytes, unprintable ones as '?'. */
static void say_q(struct xlcfg_error *e, const char *s, size_t n)
{
	say(e, "\"", NULL, NONE);
	for (size_t i = 0; i < n && i < 24; i++) {
		char c = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"') ? s[i] : '?';
		emit(e, &c, 1);
	}
	say(e, n > 24 ? "...\"" : "\"", NULL, NONE);
}

/* Starts a message: "line N: " when in a file (line > 0). */
static void where(struct xlcfg_error *e, unsigned line, unsigned col)
{
	e->line = line;
	e->column = col;
	e->message[0] = 0;
	if (line)
		say(e, "line ", NULL, line), say(e, ": ", NULL, NONE);
}

/* "KEY: why" plus, when v is given, ", got \"v\"". */
static int bad(struct xlcfg_error *e, int rc, enum key k, const char *why, const char *v, size_t n)
{
	say(e, key_names[k], ": ", NONE);
	say(e, why, v ? ", got " : NULL, NONE);
	if (v)
		say_q(e, v, n);
	return rc;
}

/* ---- values ---- */

static bool is(const char *v, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(v, s, n);
}

static int copy(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, v, n);
	dst[n] = 0;
	return 0;
}

static int digit(char c, unsigned base)
{
	unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
		     (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (unsigned)((c | 0x20) - 'a' + 10) : 99;
	return d < base ? (int)d : -1;
}

static bool word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Decimal or 0x hex into lo..hi. xl reads a leading 0 as octal; refused so
 * that "memory = 0512" cannot silently mean 330. */
static int number(struct xlcfg_error *e, enum key k, const char *v, size_t n,
		  uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t x = 0;
	size_t i = n > 2 && v[0] == '0' && (v[1] | 0x20) == 'x' ? 2 : 0;
	unsigned base = i ? 16 : 10;

	if (!i && n > 1 && v[0] == '0' && digit(v[1], 10) >= 0)
		return bad(e, -XLCFG_EINVAL, k, "leading 0 (octal in xl): write decimal or 0x", v, n);
	if (i == n || (!i && n > 1 && v[0] == '0'))
		return bad(e, -XLCFG_EINVAL, k, "expected an integer", v, n);
	for (; i < n; i++) {
		if (digit(v[i], base) < 0)
			return bad(e, -XLCFG_EINVAL, k, "expected an integer", v, n);
		x = x * base + (unsigned)digit(v[i], base);
		x = x > 0xffffffffull ? 0x100000000ull : x; /* saturate */
	}
	if (x < lo || x > hi) {
		say(e, key_names[k], ": ", NONE);
		say_q(e, v, n);
		say(e, " is out of range ", NULL, lo);
		say(e, "..", NULL, hi);
		return -XLCFG_ERANGE;
	}
	*out = (uint32_t)x;
	return 0;
}

static int action(struct xlcfg_error *e, enum key k, const char *v, size_t n, enum xlcfg_action *out)
{
	for (size_t i = 0; i < NACTIONS; i++)
		if (is(v, n, action_names[i]))
			return *out = (enum xlcfg_action)i, 0;
	return bad(e, -XLCFG_EINVAL, k, "expected an action such as destroy or restart", v, n);
}

static int text(struct xlcfg_error *e, enum key k, char *dst, size_t cap, const char *v, size_t n)
{
	if (copy(dst, cap, v, n))
		return bad(e, -XLCFG_ERANGE, k, cap == XLCFG_CMDLINE_LEN ?
			   "longer than 1023 bytes" : "longer than 255 bytes", NULL, 0);
	return 0;
}

/* Appends one disk or vif entry. */
static int entry(struct xlcfg_error *e, enum key k, char (*list)[XLCFG_PATH_LEN],
		 unsigned *count, const char *v, size_t n)
{
	if (*count == XLCFG_LIST_MAX)
		return bad(e, -XLCFG_ERANGE, k, "more than 8 entries", NULL, 0);
	if (!n && k == K_DISK) /* an empty vif is one with every default (xl's '') */
		return bad(e, -XLCFG_EINVAL, k, "empty entry", NULL, 0);
	if (text(e, k, list[*count], XLCFG_PATH_LEN, v, n))
		return -XLCFG_ERANGE;
	(*count)++;
	return 0;
}

/* A hex number (no 0x, as xl writes these) at v[*i..n) up to max; moves
 * *i past it. */
static bool hex(const char *v, size_t n, size_t *i, uint64_t max, uint64_t *out)
{
	size_t start = *i;

	for (*out = 0; *i < n && digit(v[*i], 16) >= 0 && *out <= max; (*i)++)
		*out = *out * 16 + (unsigned)digit(v[*i], 16);
	return *i > start && *i - start <= 16 && *out <= max;
}

/* One ioports entry ("402", "2f8-2ff") or iomem entry ("fed00,1[@10000]"). */
static int io_entry(struct xlcfg_error *e, enum key k, struct xlcfg *c, const char *v, size_t n)
{
	uint64_t a, b, g;
	size_t i = 0;
	unsigned *count = k == K_IOPORTS ? &c->nioports : &c->niomem;

	if (*count == XLCFG_LIST_MAX)
		return bad(e, -XLCFG_ERANGE, k, "more than 8 entries", NULL, 0);
	if (k == K_IOPORTS) {
		bool ok = hex(v, n, &i, 0xffff, &a);
		b = a;
		if (ok && i < n && v[i] == '-') {
			i++;
			ok = hex(v, n, &i, 0xffff, &b);
		}
		if (!ok || i != n || b < a)
			return bad(e, -XLCFG_EINVAL, k, "expected a hex port or FIRST-LAST", v, n);
		c->ioports[(*count)++] = (struct xlcfg_ioports){ (uint32_t)a, (uint32_t)b };
		return 0;
	}
	bool ok = hex(v, n, &i, 0xfffffffffull, &a) && i < n && v[i++] == ',' &&
		  hex(v, n, &i, 0x100000, &b) && b > 0;
	g = a;
	if (ok && i < n && v[i] == '@') {
		i++;
		ok = hex(v, n, &i, 0xfffffffffull, &g);
	}
	if (!ok || i != n)
		return bad(e, -XLCFG_EINVAL, k, "expected hex START,PAGES[@GFN]", v, n);
	c->iomem[(*count)++] = (struct xlcfg_iomem){ a, b, g };
	return 0;
}

/* Checks v (n bytes) for key k, then stores it: nothing changes on error. */
static int store(struct xlcfg *c, enum key k, const char *v, size_t n, struct xlcfg_error *e)
{
	size_t i = 0;

	switch (k) {
	case K_NAME:
		while (i < n && (word(v[i]) || v[i] == '.' || v[i] == '-'))
			i++;
		if (!n || i < n || copy(c->name, sizeof(c->name), v, n))
			return bad(e, -XLCFG_EINVAL, k, "expected 1-31 of [A-Za-z0-9_.-]", v, n);
		return 0;
	case K_TYPE:
		if (!is(v, n, "pvh") && !is(v, n, "hvm") && !is(v, n, "multiboot"))
			return bad(e, -XLCFG_EINVAL, k, "expected \"pvh\", \"hvm\" or \"multiboot\"", v, n);
		c->type = v[0] == 'p' ? XLCFG_TYPE_PVH : v[0] == 'h' ? XLCFG_TYPE_HVM
			: XLCFG_TYPE_MULTIBOOT;
		return 0;
	case K_MEMORY: return number(e, k, v, n, 1, XLCFG_MEMORY_MAX, &c->memory_mib);
	case K_MAXMEM: return number(e, k, v, n, 1, XLCFG_MEMORY_MAX, &c->maxmem_mib);
	case K_VCPUS:  return number(e, k, v, n, 1, XLCFG_VCPUS_MAX, &c->vcpus);
	case K_WEIGHT: return number(e, k, v, n, 1, 65535, &c->weight);
	case K_CAP:    return number(e, k, v, n, 0, 100 * XLCFG_VCPUS_MAX, &c->cap);
	case K_CPUS: {
		char list[64];
		uint64_t mask;
		if (copy(list, sizeof(list), v, n) || cpulist_parse(list, &mask) || !mask)
			return bad(e, -XLCFG_EINVAL, k, "expected \"all\" or CPUs 0-63 and "
				   "ranges, e.g. \"0-3,6\"", v, n);
		c->cpumask = mask;
		return 0;
	}
	case K_KERNEL:
		if (!n)
			return bad(e, -XLCFG_EINVAL, k, "empty", NULL, 0);
		return text(e, k, c->kernel, sizeof(c->kernel), v, n);
	case K_RAMDISK: return text(e, k, c->ramdisk, sizeof(c->ramdisk), v, n);
	case K_CMDLINE:
		if (text(e, k, c->cmdline, sizeof(c->cmdline), v, n))
			return -XLCFG_ERANGE;
		c->cmdline_given = true;
		return 0;
	case K_EXTRA: /* xl: "when cmdline= is set, extra= is ignored" */
		if (n >= sizeof(c->cmdline) || !c->cmdline_given)
			return text(e, k, c->cmdline, sizeof(c->cmdline), v, n);
		return 0;
	case K_ON_POWEROFF: return action(e, k, v, n, &c->on_poweroff);
	case K_ON_REBOOT:   return action(e, k, v, n, &c->on_reboot);
	case K_ON_CRASH:    return action(e, k, v, n, &c->on_crash);
	case K_AUTOSTART:
	case K_XEN_PCI:
		if (!is(v, n, "0") && !is(v, n, "false") && !is(v, n, "1") && !is(v, n, "true"))
			return bad(e, -XLCFG_EINVAL, k, "expected 0, 1, true or false", v, n);
		*(k == K_AUTOSTART ? &c->autostart : &c->xen_platform_pci) = v[0] == '1' || v[0] == 't';
		return 0;
	case K_DISK: return entry(e, k, c->disk, &c->ndisk, v, n);
	case K_VIF:  return entry(e, k, c->vif, &c->nvif, v, n);
	case K_MODULE:
		if (!n || v[0] == ' ')
			return bad(e, -XLCFG_EINVAL, k, "expected \"NAME [ARGS]\"", v, n);
		return entry(e, k, c->module, &c->nmodule, v, n);
	case K_IOPORTS:
	case K_IOMEM: return io_entry(e, k, c, v, n);
	case K_IRQS: {
		if (c->nirqs == XLCFG_LIST_MAX)
			return bad(e, -XLCFG_ERANGE, k, "more than 8 entries", NULL, 0);
		int r = number(e, k, v, n, 0, 255, &c->irqs[c->nirqs]);
		c->nirqs += r == 0;
		return r;
	}
	default:     return -XLCFG_EINVAL;
	}
}

static int find_key(const char *s, size_t n)
{
	for (int k = 0; k < K_COUNT; k++)
		if (is(s, n, key_names[k]))
			return k;
	return -1;
}

/* ---- lexer ---- */

enum tok { T_EOF, T_NL, T_SEMI, T_EQ, T_COMMA, T_LBR, T_RBR, T_IDENT, T_NUM, T_STR, T_ERR };

struct lex {
	const char *s;
	size_t len, pos, bol;           /* bol: offset of the current line */
	unsigned line, tline, tcol;     /* tline, tcol: where the last token starts */
	size_t tstart;
	char val[XLCFG_CMDLINE_LEN];    /* a string's (unescaped) or a number's text */
	size_t vlen;
	struct xlcfg_error *err;
};

static enum tok lerr(struct lex *x, size_t at, const char *why)
{
	where(x->err, x->line, (unsigned)(at - x->bol + 1));
	say(x->err, why, NULL, NONE);
	return T_ERR;
}

/* One escape after a backslash at x->pos - 1; returns the byte or -1. */
static int escape(struct lex *x)
{
	static const char from[] = "abfnrtv\"'\\", to[] = "\a\b\f\n\r\t\v\"'\\";
	unsigned v = 0, i = 0, max = 3, base = 8;
	char c = x->s[x->pos++];

	for (const char *p = from; *p; p++)
		if (*p == c)
			return (unsigned char)to[p - from];
	if (c == 'x')
		base = 16, max = 2;
	else if (c >= '0' && c <= '7')
		x->pos--;
	else
		return -1;
	for (; i < max && x->pos < x->len && digit(x->s[x->pos], base) >= 0; i++)
		v = v * base + (unsigned)digit(x->s[x->pos++], base);
	return (base == 16 && i < 2) || v > 255 ? -1 : (int)v;
}

static enum tok string(struct lex *x, char quote)
{
	for (x->vlen = 0;;) {
		size_t at = x->pos;
		int c;

		if (at >= x->len || x->s[at] == '\n')
			return lerr(x, x->tstart, "unterminated string");
		if ((c = (unsigned char)x->s[x->pos++]) == quote)
			return T_STR;
		if (c == '\\' && (x->pos >= x->len || x->s[x->pos] == '\n'))
			return lerr(x, x->tstart, "unterminated string");
		if (c == '\\' && (c = escape(x)) < 0)
			return lerr(x, at, "invalid escape in string");
		if (!c)
			return lerr(x, at, "NUL byte in string");
		if (x->vlen + 1 >= sizeof(x->val))
			return lerr(x, x->tstart, "string longer than 1023 bytes");
		x->val[x->vlen++] = (char)c;
	}
}

static enum tok next(struct lex *x)
{
	const char *s = x->s;
	char c;

	while (x->pos < x->len && (s[x->pos] == ' ' || s[x->pos] == '\t' ||
	       (s[x->pos] == '\r' && x->pos + 1 < x->len && s[x->pos + 1] == '\n')))
		x->pos++;
	if (x->pos < x->len && s[x->pos] == '#')
		while (x->pos < x->len && s[x->pos] != '\n')
			x->pos++;
	x->tline = x->line;
	x->tcol = (unsigned)(x->pos - x->bol + 1);
	x->tstart = x->pos;
	if (x->pos >= x->len) {
		if (x->pos == x->bol && x->line > 1) /* past the last newline */
			x->tline--, x->tcol = 0;
		return T_EOF;
	}
	switch ((c = s[x->pos++])) {
	case '\n': x->line++; x->bol = x->pos; return T_NL;
	case ';':  return T_SEMI;
	case '=':  return T_EQ;
	case ',':  return T_COMMA;
	case '[':  return T_LBR;
	case ']':  return T_RBR;
	case '"': case '\'': return string(x, c);
	}
	if (!word(c))
		return lerr(x, x->tstart, c ? "unexpected character" : "NUL byte");
	while (x->pos < x->len && word(s[x->pos]))
		x->pos++;
	if (c < '0' || c > '9')
		return T_IDENT;
	if (copy(x->val, sizeof(x->val), s + x->tstart, x->pos - x->tstart))
		return lerr(x, x->tstart, "number too long");
	x->vlen = x->pos - x->tstart;
	return T_NUM;
}

static enum tok next_nl(struct lex *x)
{
	enum tok t;

	while ((t = next(x)) == T_NL)
		;
	return t;
}

/* "why" and what was found instead, at the token just read. */
static int syntax(struct lex *x, const char *why, enum tok t)
{
	if (t == T_ERR)
		return -XLCFG_EINVAL;
	where(x->err, x->tline, x->tcol);
	say(x->err, why, ", got ", NONE);
	if (t == T_EOF || t == T_NL)
		say(x->err, t == T_EOF ? "end of file" : "end of line", NULL, NONE);
	else
		say_q(x->err, x->s + x->tstart, x->pos - x->tstart);
	return -XLCFG_EINVAL;
}

/* ---- parser ---- */

static int list(struct lex *x, struct xlcfg *c, enum key k)
{
	unsigned line = x->tline, col = x->tcol;
	enum tok t;
	int r;

	/* a repeated key replaces */
	*(k == K_DISK ? &c->ndisk : k == K_VIF ? &c->nvif : k == K_IOPORTS ? &c->nioports
	  : k == K_IOMEM ? &c->niomem : k == K_MODULE ? &c->nmodule : &c->nirqs) = 0;
	while ((t = next_nl(x)) != T_RBR && t != T_EOF) {
		if (t != T_STR && t != T_NUM)
			return syntax(x, t == T_LBR ? "nested lists are not supported" :
				      "expected a list entry or ']'", t);
		where(x->err, x->tline, x->tcol);
		if ((r = store(c, k, x->val, x->vlen, x->err)))
			return r;
		if ((t = next_nl(x)) == T_RBR || t == T_EOF)
			break;
		if (t != T_COMMA)
			return syntax(x, "expected ',' or ']'", t);
	}
	if (t == T_RBR)
		return 0;
	where(x->err, line, col);
	say(x->err, "unterminated list", NULL, NONE);
	return -XLCFG_EINVAL;
}

/* KEY = VALUE with the key just read, up to and including the end. */
static int setting(struct lex *x, struct xlcfg *c)
{
	int k = find_key(x->s + x->tstart, x->pos - x->tstart);
	bool is_list = k == K_DISK || k == K_VIF || k == K_IOPORTS || k == K_IOMEM || k == K_IRQS ||
		       k == K_MODULE;
	enum tok t;
	int r;

	if (k < 0) {
		where(x->err, x->tline, x->tcol);
		say(x->err, "unknown key ", NULL, NONE);
		say_q(x->err, x->s + x->tstart, x->pos - x->tstart);
		return -XLCFG_EINVAL;
	}
	if ((t = next(x)) != T_EQ)
		return syntax(x, "expected '=' after the key", t);
	if ((t = next(x)) == T_ERR)
		return -XLCFG_EINVAL;
	where(x->err, x->tline, x->tcol);
	if (t == T_LBR && is_list)
		r = list(x, c, (enum key)k);
	else if (t == T_LBR)
		r = bad(x->err, -XLCFG_EINVAL, (enum key)k, "expected a single value, not a list", NULL, 0);
	else if ((t == T_STR || t == T_NUM) && is_list)
		r = bad(x->err, -XLCFG_EINVAL, (enum key)k, "expected a list [ ... ]", NULL, 0);
	else if (t == T_STR || t == T_NUM)
		r = store(c, (enum key)k, x->val, x->vlen, x->err);
	else
		r = syntax(x, "expected a value", t);
	if (r)
		return r;
	if ((t = next(x)) == T_NL || t == T_SEMI || t == T_EOF)
		return 0;
	return syntax(x, "expected a new line or ';' after the value", t);
}

static int check(const struct xlcfg *c, struct xlcfg_error *e)
{
	const char *missing = !c->name[0] ? "name" : c->type == XLCFG_TYPE_NONE ? "type" :
			      !c->memory_mib ? "memory" : !c->kernel[0] ? "kernel" : NULL;

	if (missing) {
		say(e, "missing required key ", missing, NONE);
		return -XLCFG_EINVAL;
	}
	if (c->maxmem_mib && c->maxmem_mib < c->memory_mib) {
		say(e, "maxmem (", NULL, c->maxmem_mib);
		say(e, ") is less than memory (", NULL, c->memory_mib);
		say(e, ")", NULL, NONE);
		return -XLCFG_EINVAL;
	}
	return 0;
}

void xlcfg_init(struct xlcfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->vcpus = 1;
	cfg->on_poweroff = XLCFG_DESTROY;
	cfg->on_reboot = XLCFG_RESTART;
	cfg->on_crash = XLCFG_DESTROY;
	cfg->xen_platform_pci = true;
}

int xlcfg_parse(const char *text, size_t len, struct xlcfg *out, struct xlcfg_error *err)
{
	struct xlcfg_error dummy;
	struct lex x = { .s = text, .len = len, .line = 1, .err = err ? err : &dummy };
	enum tok t;
	int r;

	xlcfg_init(out);
	while ((t = next(&x)) != T_EOF) {
		if (t != T_NL && t != T_SEMI && t != T_IDENT)
			return syntax(&x, "expected a key", t);
		if (t == T_IDENT && (r = setting(&x, out)))
			return r;
	}
	where(x.err, x.tline, 0); /* about the file as a whole: its last line */
	if ((r = check(out, x.err)))
		return r;
	where(x.err, 0, 0);
	return 0;
}

int xlcfg_set(struct xlcfg *cfg, const char *key, const char *value, struct xlcfg_error *err)
{
	struct xlcfg_error dummy;
	int k = find_key(key, strlen(key));

	where(err = err ? err : &dummy, 0, 0);
	if (k >= 0)
		return store(cfg, (enum key)k, value, strlen(value), err);
	say(err, "unknown key ", NULL, NONE);
	say_q(err, key, strlen(key));
	return -XLCFG_EINVAL;
}

int xlcfg_check(const struct xlcfg *cfg, struct xlcfg_error *err)
{
	struct xlcfg_error dummy;

	where(err = err ? err : &dummy, 0, 0);
	return check(cfg, err);
}

const char *xlcfg_action_name(enum xlcfg_action a)
{
	return (unsigned)a < NACTIONS ? action_names[a] : "?";
}

/* ---- disk specs (xl-disk-configuration(5), xen-vbd-interface(7)) ---- */

/* "disk: why, got \"v\"" (v NULL: no value). */
static int dbad(struct xlcfg_error *e, const char *why, const char *v, size_t n)
{
	where(e, 0, 0);
	return bad(e, -XLCFG_EINVAL, K_DISK, why, v, n);
}

static bool prefix(const char *s, size_t n, const char *p)
{
	size_t l = strlen(p);

	return n >= l && !memcmp(s, p, l);
}

/* Decimal digits at s[*i..n) up to max; moves *i past them. false if none
 * or too big. */
static bool decimal(const char *s, size_t n, size_t *i, uint32_t max, uint32_t *out)
{
	size_t start = *i;
	uint64_t v = 0;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9' && v <= max)
		v = v * 10 + (unsigned)(s[(*i)++] - '0');
	*out = (uint32_t)v;
	return *i > start && v <= max;
}

/* xvd, dN: disk and partition into Xen's two xvd encodings. */
static int xvd_number(uint32_t disk, uint32_t part, uint32_t *devid)
{
	if (disk < 16 && part < 16)
		*devid = 202u << 8 | disk << 4 | part;
	else if (disk < (1u << 20) && part < 256)
		*devid = 1u << 28 | disk << 8 | part;
	else
		return -XLCFG_EINVAL;
	return 0;
}

/* Letters a-z as a bijective base-26 number: a = 0, z = 25, aa = 26. */
static bool letters(const char *s, size_t n, size_t *i, uint32_t *out)
{
	size_t start = *i;
	uint64_t v = 0;

	while (*i < n && s[*i] >= 'a' && s[*i] <= 'z' && v < (1u << 20))
		v = v * 26 + (unsigned)(s[(*i)++] - 'a') + 1;
	*out = (uint32_t)v - 1;
	return *i > start && v <= (1u << 20);
}

int xlcfg_vdev(const char *name, uint32_t *devid)
{
	size_t n = strlen(name), i;
	uint32_t disk, part = 0;

	if (n && name[0] >= '0' && name[0] <= '9') { /* a number: decimal, 0x hex, 0 octal */
		unsigned base = n > 2 && name[0] == '0' && (name[1] | 0x20) == 'x' ? 16 :
				name[0] == '0' && n > 1 ? 8 : 10;
		uint64_t v = 0;
		for (i = base == 16 ? 2 : base == 8 ? 1 : 0; i < n; i++) {
			if (digit(name[i], base) < 0 || (v = v * base + (unsigned)digit(name[i], base)) >
			    0xfffffffful)
				return -XLCFG_EINVAL;
		}
		*devid = (uint32_t)v;
		return 0;
	}
	if (prefix(name, n, "xvd")) {
		i = 3;
		/* A partition number has no leading 0 ("xvda" is the disk). */
		if (!letters(name, n, &i, &disk) || (i < n && name[i] == '0') ||
		    (i < n && !decimal(name, n, &i, 255, &part)) || i != n)
			return -XLCFG_EINVAL;
		return xvd_number(disk, part, devid);
	}
	if (name[0] == 'd') {
		i = 1;
		if (!decimal(name, n, &i, (1u << 20) - 1, &disk))
			return -XLCFG_EINVAL;
		if (i < n && name[i] == 'p') {
			i++;
			if (!decimal(name, n, &i, 255, &part))
				return -XLCFG_EINVAL;
		}
		return i == n ? xvd_number(disk, part, devid) : -XLCFG_EINVAL;
	}
	if ((prefix(name, n, "hd") || prefix(name, n, "sd")) && n >= 3 && name[2] >= 'a') {
		bool hd = name[0] == 'h';
		disk = (uint32_t)(name[2] - 'a');
		i = 3;
		if (disk >= (hd ? 4u : 16u) || (i < n && !decimal(name, n, &i, hd ? 63 : 15, &part)) ||
		    i != n)
			return -XLCFG_EINVAL;
		*devid = !hd ? 8u << 8 | disk << 4 | part
			     : disk < 2 ? 3u << 8 | disk << 6 | part : 22u << 8 | (disk - 2) << 6 | part;
		return 0;
	}
	return -XLCFG_EINVAL;
}

enum { D_TARGET, D_FORMAT, D_VDEV, D_ACCESS, D_COUNT };
static const char *const dparam[D_COUNT] = { "target", "format", "vdev", "access" };

struct dparse {
	char val[D_COUNT][XLCFG_PATH_LEN];
	bool set[D_COUNT];
	bool depr;                  /* a deprecated prefix: no format positional */
	struct xlcfg_error *e;
};

static int dset(struct dparse *p, int which, const char *v, size_t n)
{
	if (p->set[which])
		return dbad(p->e, which == D_TARGET ? "target given twice" : which == D_FORMAT ?
			    "format given twice" : which == D_VDEV ? "vdev given twice" :
			    "access given twice", v, n);
	if (n >= XLCFG_PATH_LEN)
		return dbad(p->e, "a parameter longer than 255 bytes", NULL, 0);
	memcpy(p->val[which], v, n);
	p->val[which][n] = 0;
	p->set[which] = true;
	return 0;
}

/* vdev[:devtype], the deprecated way to say a cdrom. */
static int dvdev(struct dparse *p, const char *v, size_t n)
{
	const char *colon = memchr(v, ':', n);

	if (colon && is(colon + 1, n - (size_t)(colon + 1 - v), "cdrom"))
		return dbad(p->e, "cdrom devices are not supported", v, n);
	if (colon && !is(colon + 1, n - (size_t)(colon + 1 - v), "disk"))
		return dbad(p->e, "unknown deprecated device type", v, n);
	return dset(p, D_VDEV, v, colon ? (size_t)(colon - v) : n);
}

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* WORD: at the start of a positional, not followed by a letter or digit
 * ("hdc:cdrom" is a vdev, "foo:/x" an unknown prefix, as xl reads them). */
static int dunknown_prefix(struct dparse *p, const char *v, size_t n)
{
	size_t i = 0;

	if (!n || v[0] < 'a' || v[0] > 'z')
		return 0;
	while (i < n && lower_alnum(v[i]))
		i++;
	if (i < n && v[i] == ':' && (i + 1 == n || !lower_alnum(v[i + 1])))
		return dbad(p->e, "unknown deprecated disk prefix", v, n);
	return 0;
}

/* Deprecated prefixes at the start of the target: strips them. */
static int dprefixes(struct dparse *p, const char **v, size_t *n)
{
	static const char *const fmt[] = { "raw:", "qcow:", "qcow2:", "vhd:" };
	static const char *const plain[] = { "tapdisk:", "tap:", "tap2:", "aio:", "ioemu:",
					     "file:", "phy:" };
	static const char *const script[] = { "iscsi:", "nbd:", "enbd:", "drbd:" };

	for (bool again = true; again;) {
		again = false;
		for (size_t k = 0; k < sizeof(fmt) / sizeof(fmt[0]) && !again; k++)
			if (prefix(*v, *n, fmt[k])) {
				size_t l = strlen(fmt[k]);
				if (dset(p, D_FORMAT, *v, l - 1))
					return -XLCFG_EINVAL;
				*v += l, *n -= l, again = p->depr = true;
			}
		for (size_t k = 0; k < sizeof(plain) / sizeof(plain[0]) && !again; k++)
			if (prefix(*v, *n, plain[k])) {
				*v += strlen(plain[k]), *n -= strlen(plain[k]);
				again = p->depr = true;
			}
		for (size_t k = 0; k < sizeof(script) / sizeof(script[0]); k++)
			if (prefix(*v, *n, script[k]))
				return dbad(p->e, "block scripts are not supported", *v, *n);
	}
	return dunknown_prefix(p, *v, *n);
}

/* A positional parameter: the next one not yet given (xl's order). */
static int dpositional(struct dparse *p, const char *v, size_t n)
{
	if (!p->set[D_TARGET]) {
		if (dprefixes(p, &v, &n))
			return -XLCFG_EINVAL;
		return dset(p, D_TARGET, v, n);
	}
	if (dunknown_prefix(p, v, n))
		return -XLCFG_EINVAL;
	if (!p->depr && !p->set[D_FORMAT])
		return dset(p, D_FORMAT, v, n);
	if (!p->set[D_VDEV])
		return dvdev(p, v, n);
	if (!p->set[D_ACCESS])
		return dset(p, D_ACCESS, v, n);
	return dbad(p->e, "too many positional parameters", v, n);
}

/* KEY=VALUE (other than target=, which ends the spec). */
static int dkey(struct dparse *p, struct xlcfg_disk *d, const char *t, size_t n, size_t eq)
{
	const char *v = t + eq + 1;
	size_t vn = n - eq - 1;

	for (int k = D_FORMAT; k < D_COUNT; k++)
		if (is(t, eq, dparam[k]))
			return k == D_VDEV ? dvdev(p, v, vn) : dset(p, k, v, vn);
	if (is(t, eq, "devtype")) {
		if (is(v, vn, "cdrom"))
			return dbad(p->e, "cdrom devices are not supported", t, n);
		return is(v, vn, "disk") ? 0 : dbad(p->e, "unknown value for devtype", t, n);
	}
	if (is(t, eq, "backend"))
		return !vn || is(v, vn, "0") || is(v, vn, "Domain-0") ? 0 :
		       dbad(p->e, "backend: only domain 0 serves disks", t, n);
	if (is(t, eq, "backendtype"))
		return is(v, vn, "phy") ? 0 : dbad(p->e, "backendtype: only phy (mgmt's own backend)",
						   t, n);
	if (is(t, eq, "specification"))
		return is(v, vn, "xen") ? 0 : dbad(p->e, "specification: only xen", t, n);
	if (is(t, eq, "script"))
		return dbad(p->e, "block scripts are not supported", t, n);
	if (is(t, eq, "grant_usage") || is(t, eq, "colo-host") || is(t, eq, "colo-port") ||
	    is(t, eq, "colo-export") || is(t, eq, "active-disk") || is(t, eq, "hidden-disk"))
		return dbad(p->e, "not supported here", t, n);
	(void)d;
	return dbad(p->e, "unknown parameter", t, n);
}

static int dflag(struct xlcfg_disk *d, struct dparse *p, const char *t, size_t n)
{
	if (is(t, n, "cdrom"))
		return dbad(p->e, "cdrom devices are not supported", t, n);
	if (is(t, n, "discard") || is(t, n, "no-discard"))
		d->discard = t[0] == 'd';
	else if (is(t, n, "trusted") || is(t, n, "untrusted"))
		d->trusted = t[0] == 't';
	else if (is(t, n, "colo"))
		return dbad(p->e, "not supported here", t, n);
	else if (!is(t, n, "direct-io-safe") && !is(t, n, "no-colo"))
		return 1; /* not a flag */
	return 0;
}

/* The values given, checked and stored. */
static int dfinish(struct dparse *p, struct xlcfg_disk *d)
{
	const char *f = p->val[D_FORMAT], *a = p->val[D_ACCESS];

	if (*f && strcmp(f, "raw"))
		return dbad(p->e, strcmp(f, "qcow") && strcmp(f, "qcow2") && strcmp(f, "vhd") &&
			    strcmp(f, "qed") ? "unknown format" : "only raw images are served",
			    f, strlen(f));
	if (!strcmp(a, "r") || !strcmp(a, "ro"))
		d->readonly = true;
	else if (*a && strcmp(a, "w") && strcmp(a, "rw"))
		return dbad(p->e, "access: expected rw or ro", a, strlen(a));
	if (!p->val[D_VDEV][0])
		return dbad(p->e, "vdev: missing (such as xvda)", NULL, 0);
	if (strlen(p->val[D_VDEV]) >= XLCFG_VDEV_LEN || xlcfg_vdev(p->val[D_VDEV], &d->devid) ||
	    d->devid == 0)
		return dbad(p->e, "vdev: not a device name such as xvda", p->val[D_VDEV],
			    strlen(p->val[D_VDEV]));
	memcpy(d->vdev, p->val[D_VDEV], strlen(p->val[D_VDEV]) + 1);
	if (!p->val[D_TARGET][0])
		return dbad(p->e, "target: missing (a boot module, a disk or a partition)", NULL, 0);
	memcpy(d->target, p->val[D_TARGET], sizeof(d->target));
	return 0;
}

int xlcfg_disk(const char *spec, struct xlcfg_disk *d, struct xlcfg_error *err)
{
	struct dparse p;
	struct xlcfg_error dummy;
	size_t n = strlen(spec), i = 0;

	memset(&p, 0, sizeof(p));
	p.e = err ? err : &dummy;
	where(p.e, 0, 0);
	memset(d, 0, sizeof(*d));
	d->discard = d->trusted = true;
	while (i < n) {
		while (i < n && (spec[i] == ' ' || spec[i] == '\t' || spec[i] == '\n'))
			i++;
		if (i == n)
			break;
		const char *t = spec + i;
		if (prefix(t, n - i, "target=")) { /* the rest, commas and all */
			if (dset(&p, D_TARGET, t + 7, n - i - 7))
				return -XLCFG_EINVAL;
			break;
		}
		const char *comma = memchr(t, ',', n - i);
		size_t tn = comma ? (size_t)(comma - t) : n - i;
		const char *eq = memchr(t, '=', tn);
		int r;
		i += tn + (comma != NULL);
		if (eq)
			r = dkey(&p, d, t, tn, (size_t)(eq - t));
		else if ((r = dflag(d, &p, t, tn)) == 1)
			r = dpositional(&p, t, tn);
		if (r)
			return -XLCFG_EINVAL;
	}
	return dfinish(&p, d);
}

int xlcfg_check_disks(const struct xlcfg *cfg, struct xlcfg_error *err)
{
	struct xlcfg_disk d[XLCFG_LIST_MAX];

	for (unsigned i = 0; i < cfg->ndisk && i < XLCFG_LIST_MAX; i++) {
		if (xlcfg_disk(cfg->disk[i], &d[i], err))
			return -XLCFG_EINVAL;
		for (unsigned j = 0; j < i; j++)
			if (d[j].devid == d[i].devid)
				return dbad(err, "two disks with the same vdev", d[i].vdev, strlen(d[i].vdev));
	}
	return 0;
}
