/* SPDX-License-Identifier: GPL-2.0-only */
/* Unaligned little-endian reads from byte buffers (firmware tables, boot
 * information, images): read byte by byte (get_le), free of alignment and
 * aliasing traps. */
#ifndef EYRIE_KERNEL_BYTES_H
#define EYRIE_KERNEL_BYTES_H

#include <stddef.h>
#include <stdint.h>

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

static inline uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)get_le(p, 2);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)get_le(p, 4);
}

static inline uint64_t rd64(const uint8_t *p)
{
	return get_le(p, 8);
}

/* n-byte (1..8) little-endian fields, byte by byte: any alignment. */
static inline void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* [a, a + b) lies within [0, limit): a + b <= limit, without overflow. */
static inline int fits(uint64_t a, uint64_t b, uint64_t limit)
{
	return a <= limit && b <= limit - a;
}

/* The low size bytes' bits set (size 1..8). */
static inline uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* The sum of n bytes mod 256: ACPI's tables and RSDP sum to 0. */
static inline uint8_t byte_sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

#endif
