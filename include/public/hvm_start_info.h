/* SPDX-License-Identifier: MIT */
/*
 * The PVH (x86/HVM direct boot) ABI: the ELF notes a kernel carries and
 * the start-of-day structure a loader passes in EBX. Our own definitions
 * of Xen's public elfnote.h, arch-x86/hvm/start_info.h (version 1) and
 * docs/misc/pvh.pandoc. Shared by the hypervisor and guests.
 *
 * Every address and size is a little-endian integer; an address field of
 * 0 means "not present" (nothing is ever loaded at physical address 0).
 */
#ifndef EYRIE_PUBLIC_HVM_START_INFO_H
#define EYRIE_PUBLIC_HVM_START_INFO_H

#include <stdint.h>

/*
 * ELF notes: name "Xen" (namesz 4, with its NUL), in a PT_NOTE segment.
 * Numeric values are 4 or 8 bytes, as descsz says.
 */
#define XEN_ELFNOTE_NAME           "Xen"
#define XEN_ELFNOTE_INFO           0  /* string: NAME=VALUE pairs (legacy) */
#define XEN_ELFNOTE_ENTRY          1  /* PV entry point, virtual */
#define XEN_ELFNOTE_HYPERCALL_PAGE 2  /* virtual address of the hypercall page */
#define XEN_ELFNOTE_VIRT_BASE      3  /* where the PV image is mapped */
#define XEN_ELFNOTE_PADDR_OFFSET   4
#define XEN_ELFNOTE_XEN_VERSION    5  /* string */
#define XEN_ELFNOTE_GUEST_OS       6  /* string: "linux", "FreeBSD", ... */
#define XEN_ELFNOTE_GUEST_VERSION  7  /* string */
#define XEN_ELFNOTE_LOADER         8  /* string: "generic" */
#define XEN_ELFNOTE_PAE_MODE       9  /* string */
#define XEN_ELFNOTE_FEATURES       10 /* string: '|'-separated feature names */
#define XEN_ELFNOTE_BSD_SYMTAB     11 /* string: "yes" to get the symbol table */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17 /* numeric bitmap */
/* 32-bit physical entry point: its presence says "boots as PVH", entered
 * in the state below with EBX = the start info's physical address. */
#define XEN_ELFNOTE_PHYS32_ENTRY   18
/* Up to three 32-bit values (alignment, min start, max end): the kernel
 * can be loaded elsewhere than its paddrs. Eyrie loads at the paddrs. */
#define XEN_ELFNOTE_PHYS32_RELOC   19

/*
 * The entry state (pvh.pandoc): 32-bit protected mode, paging off;
 * CR0 PE (ET is read-only 1), every other writable bit clear; CR4 0;
 * CS a flat 4 GiB 32-bit execute/read segment, DS and ES flat 4 GiB
 * read/write (selector values unspecified); TR a busy 32-bit TSS with base
 * 0 and limit 0x67; EFLAGS IF, TF and VM clear. The kernel brings its own
 * stack, GDT and IDT.
 */

/* "xEn3" with the 0x80 bit of the 'E' set, as a little-endian word. */
#define XEN_HVM_START_MAGIC_VALUE 0x336ec578u
#define XEN_HVM_START_VERSION     1u /* adds memmap_paddr/memmap_entries */

/* The memory map's types: ACPI address range types. */
#define XEN_HVM_MEMMAP_TYPE_RAM      1u
#define XEN_HVM_MEMMAP_TYPE_RESERVED 2u
#define XEN_HVM_MEMMAP_TYPE_ACPI     3u
#define XEN_HVM_MEMMAP_TYPE_NVS      4u
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE 5u
#define XEN_HVM_MEMMAP_TYPE_DISABLED 6u
#define XEN_HVM_MEMMAP_TYPE_PMEM     7u

struct hvm_start_info {
	uint32_t magic;           /* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;         /* 0, or 1 with the memory map fields */
	uint32_t flags;           /* SIF_* (0 for an unprivileged guest) */
	uint32_t nr_modules;
	uint64_t modlist_paddr;   /* struct hvm_modlist_entry[nr_modules] */
	uint64_t cmdline_paddr;   /* NUL-terminated */
	uint64_t rsdp_paddr;      /* ACPI RSDP, 0: let the kernel search */
	/* Version 1: */
	uint64_t memmap_paddr;    /* struct hvm_memmap_table_entry[memmap_entries] */
	uint32_t memmap_entries;  /* 0: no map given */
	uint32_t reserved;        /* 0 */
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;            /* bytes */
	uint64_t cmdline_paddr;   /* NUL-terminated, 0: none */
	uint64_t reserved;        /* 0 */
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;            /* XEN_HVM_MEMMAP_TYPE_* */
	uint32_t reserved;        /* 0 */
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");
_Static_assert(__builtin_offsetof(struct hvm_start_info, nr_modules) == 12, "nr_modules");
_Static_assert(__builtin_offsetof(struct hvm_start_info, modlist_paddr) == 16, "modlist_paddr");
_Static_assert(__builtin_offsetof(struct hvm_start_info, cmdline_paddr) == 24, "cmdline_paddr");
_Static_assert(__builtin_offsetof(struct hvm_start_info, rsdp_paddr) == 32, "rsdp_paddr");
_Static_assert(__builtin_offsetof(struct hvm_start_info, memmap_paddr) == 40, "memmap_paddr");
_Static_assert(__builtin_offsetof(struct hvm_start_info, memmap_entries) == 48, "memmap_entries");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry layout");
_Static_assert(__builtin_offsetof(struct hvm_modlist_entry, cmdline_paddr) == 16, "mod cmdline");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm_memmap_table_entry layout");
_Static_assert(__builtin_offsetof(struct hvm_memmap_table_entry, type) == 16, "memmap type");

#endif
