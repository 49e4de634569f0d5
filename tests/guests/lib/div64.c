/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 64-bit division for the 32-bit guests (the compiler calls these for
 * uint64_t / and %; the toolchain has no 32-bit libgcc). Shift-subtract:
 * slow but only used for printing and time conversion.
 */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = 0;

	if (d == 0) {           /* what the hardware would do: no answer */
		__asm__ volatile("ud2");
		return 0;
	}
	if (n >> 32 == 0 && d >> 32 == 0) {
		uint32_t nl = (uint32_t)n, dl = (uint32_t)d;

		if (rem)
			*rem = nl % dl;
		return nl / dl;
	}
	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << i;
		}
	}
	if (rem)
		*rem = r;
	return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	return __udivmoddi4(n, d, 0);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	__udivmoddi4(n, d, &r);
	return r;
}

int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t un = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
	uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
	uint64_t q = __udivmoddi4(un, ud, 0);

	return (n < 0) != (d < 0) ? (int64_t)(0 - q) : (int64_t)q;
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t un = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
	uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
	uint64_t r;

	__udivmoddi4(un, ud, &r);
	return n < 0 ? (int64_t)(0 - r) : (int64_t)r;
}
