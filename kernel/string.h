/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The C string/memory functions the hypervisor provides (kernel/string.c).
 * Prototypes match ISO C so that pure modules including this header also
 * build unchanged on the host against the host's libc.
 */
#ifndef EYRIE_KERNEL_STRING_H
#define EYRIE_KERNEL_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Copies at most size-1 bytes and always NUL-terminates (when size > 0).
 * Returns strlen(src), so truncation is detectable. Named apart from BSD's
 * strlcpy to avoid clashing with a host libc that has one. */
static inline size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = 0;
	}
	return len;
}

#endif
