/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers that build a struct boot_info (boot/boot_info.h). Pure code: no
 * arch includes, used by the multiboot parsers in the hypervisor, by the
 * UEFI loader and by host unit tests alike.
 */
#ifndef EYRIE_BOOT_BOOTINFO_H
#define EYRIE_BOOT_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>

#include "boot/boot_info.h"
#include "kernel/bytes.h" /* phys_map_fn */

/* Zeroes *bi and sets magic, version and source. */
void bootinfo_init(struct boot_info *bi, enum boot_source src);

/*
 * Appends the range [base, base + len) of the given enum boot_mem_type
 * (unknown types are recorded as BOOT_MEM_RESERVED). Empty ranges are
 * ignored; a range running past 2^64 is clipped. When the table is full it
 * is normalized first; if still full the range is dropped and -ENOSPC
 * returned. Call bootinfo_normalize() once all ranges are in.
 */
int bootinfo_add_mem(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type);

/* Appends a multiboot (E820) memory map entry at e: u64 base, u64 length,
 * u32 type (1 available, 3 ACPI, 4 NVS, 5 bad, anything else reserved);
 * returns as bootinfo_add_mem. */
int bootinfo_add_e820(struct boot_info *bi, const uint8_t *e);

/* Appends the multiboot basic memory information as usable: lower KiB from
 * 0, upper KiB from 1 MiB. 0, or -ENOSPC when either did not fit. */
int bootinfo_add_meminfo(struct boot_info *bi, uint32_t lower_kib, uint32_t upper_kib);

/* A multiboot module [start, end) with its module string of at most srclen
 * bytes: recorded (named by bootinfo_module_name) and its pages added as
 * BOOT_MEM_LOADED. -EINVAL when end < start; -ENOSPC when either did not
 * fit (the rest still done). */
int bootinfo_add_mb_module(struct boot_info *bi, uint32_t start, uint32_t end, const char *str,
			   size_t srclen);

/*
 * Appends the ranges of a UEFI memory map (EFI_MEMORY_DESCRIPTOR version
 * 1, boot/efi/memmap.h) of size bytes, descriptors desc_size bytes apart
 * (at least 40; read byte-wise, any alignment): Conventional and
 * BootServices -> USABLE, Loader -> LOADED, RuntimeServices and any range
 * with EFI_MEMORY_RUNTIME -> FIRMWARE, ACPIReclaim -> ACPI, ACPINVS ->
 * ACPI_NVS, MMIO and MMIOPortSpace -> MMIO, Unusable -> BAD, anything else
 * RESERVED. Returns 0, -EINVAL for a short desc_size, or -ENOSPC as
 * bootinfo_add_mem (the other ranges still added).
 */
int bootinfo_add_efi_map(struct boot_info *bi, const uint8_t *map, size_t size, size_t desc_size);

/*
 * Sorts bi->mem by base, resolves overlaps so that the more restrictive type
 * wins (BAD > FIRMWARE > MMIO > RESERVED > ACPI_NVS > ACPI > LOADED >
 * USABLE), merges touching ranges of equal type and drops empty ones.
 * Afterwards the ranges are sorted and disjoint. Returns 0, or -ENOSPC if
 * splitting a range would overflow BOOT_MAX_MEM: the piece that did not fit
 * is then given the more restrictive type instead (never less safe).
 */
int bootinfo_normalize(struct boot_info *bi);

/*
 * Records [base, base + len) rounded out to 4 KiB pages as BOOT_MEM_LOADED
 * (loader data that must not be handed out as free memory).
 */
int bootinfo_add_loaded(struct boot_info *bi, uint64_t base, uint64_t len);

/*
 * Appends a module; name may be NULL and is truncated to BOOT_NAME_LEN - 1
 * bytes. Returns -ENOSPC when BOOT_MAX_MODULES are already recorded.
 */
int bootinfo_add_module(struct boot_info *bi, uint64_t start, uint64_t size, const char *name);

/*
 * Writes the module name for a loader's module string of at most srclen
 * bytes (stops at NUL): its first word (up to a space), without directory.
 * "conf/hypervisor.conf" -> "hypervisor.conf"; "dom0 console=hvc0" -> "dom0".
 */
void bootinfo_module_name(char *dst, size_t dstlen, const char *src, size_t srclen);

/*
 * The framebuffer description both multiboot versions share: f points at
 * u64 address, u32 pitch, u32 width, u32 height, u8 bpp, u8 type; colour at
 * the six red/green/blue position/size bytes. Only direct RGB at 16, 24 or
 * 32 bpp is taken; anything else leaves bi->fb.addr 0 (not an error).
 */
void bootinfo_set_fb(struct boot_info *bi, const uint8_t *f, const uint8_t *colour);

/* Copies at most srclen bytes of src (stopping at NUL) into dst,
 * NUL-terminated and truncated to dstlen - 1. */
void bootinfo_copy_str(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
