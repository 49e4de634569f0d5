/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * struct boot_info: the one hand-off from every boot path (our UEFI loader,
 * GRUB2 multiboot2 on BIOS or UEFI, QEMU -kernel multiboot1) to the
 * hypervisor. Plain fixed-size data, no pointers: every address is a 64-bit
 * physical address, so the loader and the hypervisor need not agree on
 * anything but this layout. Documented in docs/boot.md.
 */
#ifndef EYRIE_BOOT_INFO_H
#define EYRIE_BOOT_INFO_H

#include <stdint.h>

#define BOOT_INFO_MAGIC   0x4559524945424931ull /* "EYRIEBI1" */
#define BOOT_INFO_VERSION 2 /* 2: 2048-byte command line */

#define BOOT_MAX_MEM      512
#define BOOT_MAX_MODULES  16
#define BOOT_CMDLINE_LEN  2048 /* as Linux's COMMAND_LINE_SIZE */
#define BOOT_NAME_LEN     128

enum boot_source {
	BOOT_SRC_MULTIBOOT1 = 1, /* QEMU -kernel fast path */
	BOOT_SRC_MULTIBOOT2 = 2, /* GRUB2, BIOS or UEFI */
	BOOT_SRC_UEFI = 3,       /* boot/efi loader (disk, USB or PXE) */
};

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,       /* free RAM */
	BOOT_MEM_RESERVED = 2,     /* never touch */
	BOOT_MEM_ACPI = 3,         /* ACPI tables, reclaimable after parsing */
	BOOT_MEM_ACPI_NVS = 4,     /* firmware-owned across sleep */
	BOOT_MEM_BAD = 5,          /* defective RAM */
	BOOT_MEM_LOADED = 6,       /* loader data: hypervisor image, modules, this struct */
	BOOT_MEM_FIRMWARE = 7,     /* UEFI runtime code/data, must stay mapped */
	BOOT_MEM_MMIO = 8,         /* firmware-declared device memory */
};

struct boot_mem_range {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* enum boot_mem_type */
	uint32_t reserved;
};

struct boot_module {
	uint64_t start; /* physical address, page aligned */
	uint64_t size;  /* bytes */
	char name[BOOT_NAME_LEN]; /* file name / GRUB module string, NUL-terminated */
};

struct boot_framebuffer {
	uint64_t addr; /* physical; 0 when there is no linear framebuffer */
	uint32_t width, height; /* pixels */
	uint32_t pitch;         /* bytes per scan line */
	uint8_t bpp;            /* bits per pixel: 32 (or 24, 16) */
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
	uint8_t reserved;
};

struct boot_info {
	uint64_t magic;   /* BOOT_INFO_MAGIC */
	uint32_t version; /* BOOT_INFO_VERSION */
	uint32_t source;  /* enum boot_source */
	char loader[BOOT_NAME_LEN];       /* e.g. "GRUB 2.06", "Eyrie UEFI loader (PXE)" */
	char cmdline[BOOT_CMDLINE_LEN];   /* hypervisor command line */
	uint64_t rsdp;                    /* ACPI RSDP physical address, 0 if unknown */
	uint64_t efi_system_table;        /* physical, 0 if not booted from UEFI */
	struct boot_framebuffer fb;
	uint32_t nr_mem;
	uint32_t nr_modules;
	struct boot_mem_range mem[BOOT_MAX_MEM]; /* sorted by base, non-overlapping */
	struct boot_module modules[BOOT_MAX_MODULES];
};

#endif
