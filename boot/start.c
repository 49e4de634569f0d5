/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * From the entry stubs (boot/multiboot/entry.S) to kmain: turn whatever the
 * boot path handed over into the hypervisor's own copy of struct boot_info.
 * Runs on the boot page tables (identity map of the first 4 GiB).
 */
#include "boot/boot_info.h"
#include "boot/multiboot/mb.h"
#include "drivers/uart.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/main.h"
#include "kernel/string.h"

static struct boot_info boot_info;

/* Physical memory below 4 GiB is identity-mapped by the boot tables. */
static const void *boot_map(uint64_t phys, size_t len)
{
	if (!phys || phys + len < phys || phys + len > (1ull << 32))
		return NULL;
	return (const void *)(uintptr_t)phys;
}

void multiboot_start(uint32_t magic, uint32_t info);
void multiboot_start(uint32_t magic, uint32_t info)
{
	int err;

	uart_early(sys_device_memory);
	if (magic == MB1_BOOTLOADER_MAGIC)
		err = mb1_parse(info, boot_map, &boot_info);
	else if (magic == MB2_BOOTLOADER_MAGIC)
		err = mb2_parse(info, boot_map, &boot_info);
	else
		panic("boot: unknown boot loader magic 0x%x (not multiboot 1 or 2)", magic);
	if (err == -ENOSPC)
		pr_warn("boot: boot information truncated (a command line over %d bytes, or too many "
			"ranges or modules)\n", BOOT_CMDLINE_LEN - 1);
	else if (err)
		panic("boot: malformed multiboot information (error %d)", err);
	kmain(&boot_info);
}

void uefi_start(const struct boot_info *bi);
void uefi_start(const struct boot_info *bi)
{
	uart_early(sys_device_memory);
	if (!bi || bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION ||
	    bi->nr_mem > BOOT_MAX_MEM || bi->nr_modules > BOOT_MAX_MODULES)
		panic("boot: the UEFI loader passed no valid struct boot_info");
	memcpy(&boot_info, bi, sizeof(boot_info));
	boot_info.loader[BOOT_NAME_LEN - 1] = 0;
	boot_info.cmdline[BOOT_CMDLINE_LEN - 1] = 0;
	for (uint32_t i = 0; i < boot_info.nr_modules; i++)
		boot_info.modules[i].name[BOOT_NAME_LEN - 1] = 0;
	kmain(&boot_info);
}
