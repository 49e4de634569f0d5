/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Conversion of a UEFI memory map (GetMemoryMap) into boot_info ranges.
 * Pure: no firmware calls, no allocation, so it may run after
 * ExitBootServices and on the host in unit tests.
 */
#ifndef EYRIE_BOOT_EFI_MEMMAP_H
#define EYRIE_BOOT_EFI_MEMMAP_H

#include <stddef.h>
#include <stdint.h>
#include "boot/boot_info.h"

/* EFI_MEMORY_TYPE values (UEFI 2.10, section 7.2). */
enum efi_memtype {
	EFIMT_RESERVED = 0,
	EFIMT_LOADER_CODE = 1,
	EFIMT_LOADER_DATA = 2,
	EFIMT_BS_CODE = 3,
	EFIMT_BS_DATA = 4,
	EFIMT_RT_CODE = 5,
	EFIMT_RT_DATA = 6,
	EFIMT_CONVENTIONAL = 7,
	EFIMT_UNUSABLE = 8,
	EFIMT_ACPI_RECLAIM = 9,
	EFIMT_ACPI_NVS = 10,
	EFIMT_MMIO = 11,
	EFIMT_MMIO_PORT = 12,
	EFIMT_PAL_CODE = 13,
	EFIMT_PERSISTENT = 14,
};

/*
 * EFI_MEMORY_DESCRIPTOR version 1. Firmware may return larger descriptors
 * (DescriptorSize): always step through a map by that size, never by
 * sizeof(struct efi_mem_desc).
 */
struct efi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t pages; /* 4 KiB pages */
	uint64_t attribute;
};

/*
 * Replaces bi->mem with the converted map[0..map_size), descriptors
 * desc_size bytes apart, through bootinfo_add_efi_map() and
 * bootinfo_normalize() (boot/bootinfo.h): sorted, disjoint, touching
 * ranges of one type merged, the more restrictive type winning overlaps.
 * Returns 0; -ENOSPC when ranges had to be dropped or coarsened to fit
 * BOOT_MAX_MEM (the map is still safe to use); -EINVAL when desc_size is
 * smaller than a version-1 descriptor or not a multiple of 8.
 */
int memmap_from_efi(const void *map, size_t map_size, size_t desc_size, struct boot_info *bi);

#endif
