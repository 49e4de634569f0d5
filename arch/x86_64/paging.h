/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypervisor's own page tables: an identity map with W^X and NX. */
#ifndef EYRIE_ARCH_PAGING_H
#define EYRIE_ARCH_PAGING_H

#include "boot/boot_info.h"
#include <stdbool.h>
#include <stddef.h>

enum cache_mode { CACHE_WB, CACHE_WC, CACHE_UC };

/* Maps every range of the boot memory map read/write and never executable,
 * the image's text read-only + executable, its rodata read-only, its data
 * read/write; page 0 stays unmapped to catch NULL. Switches to it. */
void paging_init(const struct boot_info *bi);
/* Identity-maps a device range with the given caching; returns the pointer
 * or NULL. */
void *ioremap(uint64_t phys, size_t size, enum cache_mode mode);
/* Returns a pointer to firmware data (ACPI tables...) at phys, mapping any
 * page not yet mapped read-only; NULL past the physical address width. */
const void *paging_map_firmware(uint64_t phys, size_t len);
/* The low page the application processors start in: executable while
 * they come up (exec), never executable again after. Returns the tables'
 * root (their CR3). */
uint64_t paging_trampoline(uint64_t pa, bool exec);
/* An application processor: the boot CPU's PAT (the tables' caching). */
void paging_init_ap(void);
/* Page-table pages in use (for `mem`). */
unsigned long paging_tables(void);

#endif
