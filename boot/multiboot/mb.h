/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot 1 and 2 boot information -> struct boot_info. Pure parsers:
 * all memory is read through a phys_map_fn, so they run on the host.
 *
 * Both return 0 on success, -EINVAL for a malformed block, -EFAULT when a
 * referenced range cannot be mapped, -ENODATA when the loader gave no memory
 * information at all. -ENOSPC means the block was parsed but some memory
 * ranges or modules did not fit in struct boot_info: bi is still valid and
 * safe to use (never less restrictive than the loader's map).
 * On other errors *bi is unspecified.
 *
 * Common semantics:
 * - bi->mem is normalized. Each module is also recorded as BOOT_MEM_LOADED
 *   (rounded out to 4 KiB pages) so the frame allocator does not hand out
 *   module memory the firmware map calls available. The hypervisor image
 *   itself is not added: the core knows its own extent.
 * - Module names: the first word of the loader's module string, without
 *   directory ("conf/hypervisor.conf" -> "hypervisor.conf"). Module
 *   arguments after the first word are not kept. GRUB's `module2 /x.conf`
 *   without arguments yields an empty name.
 */
#ifndef EYRIE_BOOT_MULTIBOOT_MB_H
#define EYRIE_BOOT_MULTIBOOT_MB_H

#include <stdint.h>

#include "boot/bootinfo.h"

#define MB1_BOOTLOADER_MAGIC 0x2BADB002u
#define MB2_BOOTLOADER_MAGIC 0x36D76289u

/* Upper bound accepted for a multiboot2 information block. */
#define MB2_MAX_INFO_SIZE (1u << 20)

/*
 * Multiboot2 (GRUB2). info_phys is the physical address the loader passed
 * in EBX (8-byte aligned). The command line tag holds only the arguments
 * (GRUB drops the kernel path) and is copied unchanged.
 *
 * RSDP: bi->rsdp is the physical address of the RSDP copy inside the ACPI
 * tag (new RSDP tag 15 preferred over old tag 14), as the firmware's own
 * address is not given. To keep it valid, the whole information block is
 * recorded in bi->mem as BOOT_MEM_LOADED (rounded out to pages): the core
 * must not reuse LOADED memory before it has parsed ACPI.
 * The EFI memory map tag (17) is used only when there is no memory map tag
 * (6); the basic meminfo tag (4) only when there is neither. The EFI system
 * table (tags 11/12) goes to bi->efi_system_table. Framebuffer: RGB only.
 */
int mb2_parse(uint64_t info_phys, phys_map_fn map, struct boot_info *bi);

/*
 * Multiboot1 (QEMU -kernel, or GRUB's `multiboot`). Strings are copied, so
 * nothing in the information structure is needed afterwards.
 *
 * Command line: QEMU prepends the kernel path ("build/eyrie.elf loglevel=
 * debug"), GRUB does not. The first word is dropped when the loader name
 * starts with "qemu", or when the first word has no '=' and ends in ".elf".
 */
int mb1_parse(uint32_t info_phys, phys_map_fn map, struct boot_info *bi);

#endif
