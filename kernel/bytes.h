/* SPDX-License-Identifier: GPL-2.0-only */
/* Unaligned little-endian reads from byte buffers (firmware tables, boot
 * information, images): memcpy keeps them free of alignment and aliasing
 * traps, and compiles to one load on x86. */
#ifndef EYRIE_KERNEL_BYTES_H
#define EYRIE_KERNEL_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/string.h"

/*
 * Physical-memory accessor used by every pure parser: returns a pointer
 * through which [phys, phys + len) can be read, or NULL when that range is
 * not accessible. The hypervisor identity-maps memory, so its accessor
 * returns (const void *)phys after a range check; host tests map into a
 * buffer. Parsers read only through pointers returned for the exact range,
 * and may keep using a returned pointer until the parse call returns (so
 * a single reused mapping window would not do).
 */
typedef const void *(*phys_map_fn)(uint64_t phys, size_t len);

static inline uint16_t rd16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* n-byte (1..8) little-endian fields, byte by byte: any alignment. */
static inline uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static inline void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

#endif
