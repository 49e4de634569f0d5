/* Option tokenizer (see options.h). */
#include "kernel/options.h"
#include "kernel/errno.h"
#include "kernel/string.h"

#include <stdbool.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int opt_next(const char **p, const char *end, char *key, char *val)
{
	const char *s = *p;

	for (;;) {
		while (s < end && blank(*s))
			s++;
		if (s < end && *s == '#') {
			while (s < end && *s != '\n')
				s++;
			continue;
		}
		break;
	}
	if (s >= end || !*s) {
		*p = s;
		return 0;
	}
	const char *w = s;
	while (s < end && *s && !blank(*s) && *s != '#')
		s++;
	*p = s;
	const char *eq = w;
	while (eq < s && *eq != '=')
		eq++;
	size_t klen = (size_t)(eq - w), vlen = eq < s ? (size_t)(s - eq - 1) : 0;
	if (!klen || klen >= OPT_KEY_MAX || vlen >= OPT_VAL_MAX)
		return -EINVAL;
	memcpy(key, w, klen);
	key[klen] = 0;
	memcpy(val, eq < s ? eq + 1 : eq, vlen);
	val[vlen] = 0;
	return 1;
}
