/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ELF64 image validation for loaders (pure: no firmware, no allocation, no
 * libc). The UEFI loader checks the hypervisor image with it before it
 * touches memory; host unit tests feed it truncated and hostile images.
 *
 * An image is accepted only if everything a loader will do with it stays
 * inside the file and inside sane physical memory: after elf64_check()
 * succeeds, every PT_LOAD's file bytes lie within the buffer, its
 * [paddr, paddr + memsz) range lies below ELF_PADDR_LIMIT without overflow,
 * no two PT_LOAD ranges overlap, and the entry point falls in an executable
 * PT_LOAD.
 */
#ifndef EYRIE_KERNEL_ELF_H
#define EYRIE_KERNEL_ELF_H

#include <stddef.h>
#include <stdint.h>

/* Facts from the ELF64 specification (System V gABI, x86_64 psABI). */
#define ELF_EHDR_SIZE   64u
#define ELF_PHDR_SIZE   56u
#define ELF_ET_EXEC     2u
#define ELF_EM_X86_64   62u
#define ELF_EM_386      3u
#define ELF32_EHDR_SIZE 52u
#define ELF32_PHDR_SIZE 32u
#define ELF_PT_LOAD     1u
#define ELF_PF_X        1u
#define ELF_PF_W        2u
#define ELF_PF_R        4u

/* Loader policy. */
#define ELF_MAX_PHNUM   64u          /* more program headers: not our image */
#define ELF_PADDR_LIMIT (1ull << 32) /* every loaded byte below 4 GiB */

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

enum elf_reason {
	ELF_OK = 0,
	ELF_ERR_TRUNCATED,   /* smaller than the ELF header */
	ELF_ERR_MAGIC,       /* no \x7fELF */
	ELF_ERR_CLASS,       /* not ELFCLASS64 */
	ELF_ERR_DATA,        /* not little-endian */
	ELF_ERR_VERSION,     /* not EV_CURRENT */
	ELF_ERR_TYPE,        /* not ET_EXEC */
	ELF_ERR_MACHINE,     /* not EM_X86_64 (guests: nor EM_386) */
	ELF_ERR_PHDR,        /* program header table malformed or outside the file */
	ELF_ERR_NO_LOAD,     /* no PT_LOAD segment with memsz > 0 */
	/* From here to ELF_ERR_SEG_OVERLAP: about program header bad_phdr. */
	ELF_ERR_SEG_FILE,    /* a segment's file bytes lie outside the file */
	ELF_ERR_SEG_SIZE,    /* memsz < filesz */
	ELF_ERR_SEG_ADDR,    /* paddr/vaddr range overflows or is above the limit */
	ELF_ERR_SEG_OVERLAP, /* two PT_LOAD segments overlap in physical memory */
	ELF_ERR_ENTRY,       /* entry point not in an executable PT_LOAD */
};

struct elf64_info {
	enum elf_reason reason;  /* ELF_OK, or why elf64_check() refused */
	unsigned bad_phdr;       /* index of the offending program header */
	uint64_t entry;          /* e_entry (virtual) */
	uint64_t entry_paddr;    /* e_entry translated through its segment */
	uint64_t paddr_lo;       /* lowest PT_LOAD paddr */
	uint64_t paddr_hi;       /* highest PT_LOAD paddr + memsz (exclusive) */
	unsigned phnum;          /* program headers (all types) */
	unsigned nr_load;        /* PT_LOAD segments with memsz > 0 */
};

/*
 * Validates the image in img[0..size). Returns 0 and fills *info, or
 * returns -ENOEXEC with info->reason (and info->bad_phdr where it applies)
 * saying why. Reads the buffer byte-wise: img needs no alignment.
 */
int elf64_check(const void *img, size_t size, struct elf64_info *info);

/* The same checks for a guest image, which may also be ELF32 (its headers
 * are returned widened into the ELF64 structs), and of either class with
 * e_machine EM_386 or EM_X86_64. */
int elf_check_guest(const void *img, size_t size, struct elf64_info *info);

/*
 * Copies program header i (i < info->phnum of a checked image) into *ph.
 * Returns 0, or -EINVAL when i is out of range.
 */
int elf64_phdr(const void *img, size_t size, unsigned i, struct elf64_phdr *ph);

/* A short English phrase for a reason ("bad ELF magic"). */
const char *elf_reason_str(enum elf_reason reason);

#endif
