/* SPDX-License-Identifier: GPL-2.0-only */
/* Symbol lookup (see ksyms.h): binary search over the sorted table. */
#include "kernel/ksyms.h"

#include <stddef.h>

/* Empty stand-ins for the first link; the generated table overrides them. */
__attribute__((weak)) const struct ksym ksym_table[1];
__attribute__((weak)) const unsigned ksym_count;

extern char _text_end[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	unsigned lo = 0, hi = ksym_count;

	if (!hi || addr < ksym_table[0].addr || addr >= (uint64_t)_text_end)
		return NULL;
	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;
		if (ksym_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksym_table[lo].addr;
	return ksym_table[lo].name;
}
