/* SPDX-License-Identifier: GPL-2.0-only */
/* CPU lists (see cpulist.h). */
#include "vmm/load/cpulist.h"

/* A CPU number at *s (1-2 digits, below CPULIST_MAX); advances *s. */
static int number(const char **s)
{
	int n = -1;

	for (int digits = 0; **s >= '0' && **s <= '9'; (*s)++) {
		if (++digits > 2)
			return -1;
		n = (n < 0 ? 0 : n * 10) + (**s - '0');
	}
	return n < CPULIST_MAX ? n : -1;
}

int cpulist_parse(const char *s, uint64_t *mask)
{
	uint64_t m = 0;

	if (s[0] == 'a' && s[1] == 'l' && s[2] == 'l' && !s[3]) {
		*mask = ~0ull;
		return 0;
	}
	for (;;) {
		int lo = number(&s), hi = lo;
		if (*s == '-') {
			s++;
			hi = number(&s);
		}
		if (lo < 0 || hi < lo)
			return -1;
		for (int c = lo; c <= hi; c++)
			m |= 1ull << c;
		if (!*s)
			break;
		if (*s != ',' && *s != ';')
			return -1;
		s++;
	}
	*mask = m;
	return 0;
}
