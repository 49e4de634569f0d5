/* SPDX-License-Identifier: GPL-2.0-only */
/* The largest free run of RAM (see memgap.h). */
#include "mgmt/memgap.h"

#define PAGE 4096ull

static uint64_t down(uint64_t a) { return a & ~(PAGE - 1); }
static uint64_t up(uint64_t a) { return a > UINT64_MAX - (PAGE - 1) ? UINT64_MAX & ~(PAGE - 1)
								 : (a + PAGE - 1) & ~(PAGE - 1); }

/* Where a free run starting at s ends: the RAM range's end or the first
 * used range after s; s itself must not be used (else returns s). */
static uint64_t run_end(uint64_t s, uint64_t limit, const struct mrange *used, unsigned nused)
{
	uint64_t end = limit;

	for (unsigned i = 0; i < nused; i++) {
		uint64_t us = down(used[i].start), ue = up(used[i].end);
		if (used[i].end <= used[i].start)
			continue;
		if (us <= s && s < ue)
			return s;
		if (us > s && us < end)
			end = us;
	}
	return end;
}

static void consider(uint64_t s, uint64_t limit, const struct mrange *used, unsigned nused,
		     struct mrange *best)
{
	uint64_t e = run_end(s, limit, used, nused);

	if (e > s && e - s > best->end - best->start)
		*best = (struct mrange){ s, e };
}

bool memgap_largest(const struct mrange *ram, unsigned nram, const struct mrange *used,
		    unsigned nused, uint64_t lo, uint64_t hi, struct mrange *out)
{
	struct mrange best = { 0, 0 };

	for (unsigned r = 0; r < nram; r++) {
		uint64_t rs = up(ram[r].start > lo ? ram[r].start : lo);
		uint64_t re = down(ram[r].end < hi ? ram[r].end : hi);
		if (rs >= re)
			continue;
		/* A free run starts at the RAM range's start or where a used
		 * range ends. */
		consider(rs, re, used, nused, &best);
		for (unsigned i = 0; i < nused; i++) {
			uint64_t ue = up(used[i].end);
			if (used[i].end > used[i].start && ue > rs && ue < re)
				consider(ue, re, used, nused, &best);
		}
	}
	*out = best;
	return best.end > best.start;
}
