/* SPDX-License-Identifier: GPL-2.0-only */
/* Option tokenizer (see options.h). */
#include "kernel/options.h"
#include "kernel/errno.h"

#include <stdbool.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int opt_next(const char **p, const char *end, char *key, char *val)
{
	const char *s = *p;

	for (;;) { /* blanks and # comments */
		while (s < end && blank(*s))
			s++;
		if (s >= end || *s != '#')
			break;
		while (s < end && *s != '\n')
			s++;
	}
	if (s >= end || !*s) {
		*p = s;
		return 0;
	}
	/* A word ends at a blank or '#' outside double quotes; the quotes are
	 * dropped, so a value may hold blanks: domain="...,cmdline=a b". GRUB
	 * passes a quote as \" (its loaders escape them): the same. */
	const char *w = s;
	bool quoted = false;
	while (s < end && *s && (quoted || (!blank(*s) && *s != '#'))) {
		if (*s == '"')
			quoted = !quoted;
		s++;
	}
	*p = s;
	size_t n = 0, klen = 0;
	bool in_val = false;
	for (const char *c = w; c < s; c++) {
		if (*c == '"' || (*c == '\\' && c[1] == '"'))
			continue;
		if (!in_val && *c == '=') {
			in_val = true;
			continue;
		}
		size_t *len = in_val ? &n : &klen;
		if (*len + 1 >= (in_val ? OPT_VAL_MAX : OPT_KEY_MAX))
			return -EINVAL;
		(in_val ? val : key)[(*len)++] = *c;
	}
	if (!klen || quoted)
		return -EINVAL;
	key[klen] = 0;
	val[n] = 0;
	return 1;
}
