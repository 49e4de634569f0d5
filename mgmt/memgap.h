/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The largest run of RAM nothing uses (mgmt/memgap.c, pure: host-tested
 * in tests/unit/test_memgap.c): where domain 0 puts its DMA pool, in the
 * RAM its image, start info and boot modules leave free.
 */
#ifndef EYRIE_MGMT_MEMGAP_H
#define EYRIE_MGMT_MEMGAP_H

#include <stdbool.h>
#include <stdint.h>

struct mrange {
	uint64_t start, end; /* [start, end) */
};

/* The largest page-aligned run inside one of ram[] and [lo, hi) that
 * overlaps none of used[] (each widened to whole pages): *out, and
 * whether there is one. */
bool memgap_largest(const struct mrange *ram, unsigned nram, const struct mrange *used,
		    unsigned nused, uint64_t lo, uint64_t hi, struct mrange *out);

#endif
