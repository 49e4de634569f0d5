/*
 * UEFI memory map -> boot_info ranges (see memmap.h). Sorting, merging and
 * overlap resolution are boot/bootinfo.c's, shared with the multiboot paths.
 */
#include "boot/efi/memmap.h"
#include "boot/bootinfo.h"
#include "kernel/errno.h"

#define PAGE_SHIFT 12

uint32_t memmap_type_from_efi(uint32_t efi_type)
{
	switch (efi_type) {
	case EFIMT_CONVENTIONAL:
	case EFIMT_BS_CODE:
	case EFIMT_BS_DATA:
		return BOOT_MEM_USABLE;
	case EFIMT_LOADER_CODE:
	case EFIMT_LOADER_DATA:
		return BOOT_MEM_LOADED;
	case EFIMT_RT_CODE:
	case EFIMT_RT_DATA:
		return BOOT_MEM_FIRMWARE;
	case EFIMT_ACPI_RECLAIM:
		return BOOT_MEM_ACPI;
	case EFIMT_ACPI_NVS:
		return BOOT_MEM_ACPI_NVS;
	case EFIMT_MMIO:
	case EFIMT_MMIO_PORT:
		return BOOT_MEM_MMIO;
	case EFIMT_UNUSABLE:
		return BOOT_MEM_BAD;
	default:
		return BOOT_MEM_RESERVED;
	}
}

int memmap_from_efi(const void *map, size_t map_size, size_t desc_size,
		    struct boot_info *bi)
{
	int err = 0;

	if (desc_size < sizeof(struct efi_mem_desc) || desc_size % 8)
		return -EINVAL;
	bi->nr_mem = 0;
	for (size_t off = 0; desc_size <= map_size - off; off += desc_size) {
		const struct efi_mem_desc *d =
			(const struct efi_mem_desc *)((const char *)map + off);
		/* A page count past 2^64 bytes is clipped by bootinfo_add_mem. */
		uint64_t len = d->pages > UINT64_MAX >> PAGE_SHIFT ? UINT64_MAX
								  : d->pages << PAGE_SHIFT;

		if (bootinfo_add_mem(bi, d->phys_start, len, memmap_type_from_efi(d->type)))
			err = -ENOSPC;
	}
	if (bootinfo_normalize(bi))
		err = -ENOSPC;
	return err;
}
