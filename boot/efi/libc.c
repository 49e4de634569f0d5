/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The C library functions the loader needs beyond what gnu-efi's libefi
 * provides (memset and memcpy, in the same object as InitializeLib, so
 * kernel/string.c cannot be linked in): memmove, used by boot/bootinfo.c.
 */
#include "kernel/string.h"

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s)
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	else
		while (n--)
			d[n] = s[n];
	return dst;
}
