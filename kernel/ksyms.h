/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypervisor's own text symbols, for symbolized backtraces. The table is
 * generated at link time (tools/ksyms.py); it is empty in the first link. */
#ifndef EYRIE_KERNEL_KSYMS_H
#define EYRIE_KERNEL_KSYMS_H

#include <stdint.h>

struct ksym {
	uint64_t addr;
	const char *name;
};

extern const struct ksym ksym_table[];
extern const unsigned ksym_count;

/* Name of the function containing addr and the offset into it, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif
