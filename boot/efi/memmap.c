/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * UEFI memory map -> boot_info ranges (see memmap.h). The conversion
 * (bootinfo_add_efi_map), sorting, merging and overlap resolution are
 * boot/bootinfo.c's, shared with the multiboot2 path.
 */
#include "boot/efi/memmap.h"
#include "boot/bootinfo.h"
#include "kernel/errno.h"

int memmap_from_efi(const void *map, size_t map_size, size_t desc_size, struct boot_info *bi)
{
	if (desc_size % 8)
		return -EINVAL;
	bi->nr_mem = 0;
	int err = bootinfo_add_efi_map(bi, map, map_size, desc_size);
	if (err == -EINVAL)
		return err;
	if (bootinfo_normalize(bi))
		err = -ENOSPC;
	return err;
}
