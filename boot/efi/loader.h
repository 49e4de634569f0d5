/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Eyrie's UEFI loader (BOOTX64.EFI): shared state and the pieces main.c
 * strings together. Built with gnu-efi and GNU_EFI_USE_MS_ABI, so firmware
 * function pointers are called directly (they are declared ms_abi).
 *
 *   source.c   where files come from: the loader's own directory on a FAT
 *              volume, or its TFTP server after a PXE boot
 *   load.c     the manifest, the hypervisor ELF, the modules
 *   handoff.c  struct boot_info, ExitBootServices, the jump
 */
#ifndef EYRIE_BOOT_EFI_LOADER_H
#define EYRIE_BOOT_EFI_LOADER_H

#include <efi.h>
#include <efilib.h>
#include "boot/boot_info.h"
#include "boot/efi/manifest.h"

#define LOADER_MANIFEST     "eyrie.cfg"
#define LOADER_MANIFEST_MAX (64u * 1024) /* bytes */
#define LOADER_STACK_PAGES  16           /* the hypervisor's first stack */
#define LOADER_ERROR_STALL  3000000      /* µs to show an error before returning */
#define LOADER_PATH_MAX     512          /* characters of a resolved path */
#define BELOW_4G            0xFFFFFFFFull
#define LOADER_MAX_ALLOCS   (BOOT_MAX_MODULES + 8)

enum source_kind { SOURCE_DISK, SOURCE_PXE };

struct loader {
	EFI_HANDLE image;
	EFI_SYSTEM_TABLE *st;
	EFI_BOOT_SERVICES *bs;
	enum source_kind kind;
	/* The loader's directory: on disk "\EFI\BOOT\", by TFTP the boot
	 * file's ("" or "x/"). */
	CHAR16 dir[LOADER_PATH_MAX];
	EFI_FILE_HANDLE root;             /* SOURCE_DISK: the volume */
	EFI_PXE_BASE_CODE_PROTOCOL *pxe;  /* SOURCE_PXE: the TFTP server */
	EFI_IP_ADDRESS server;
	int debug; /* "loglevel=debug" on the hypervisor command line */
	/* Every allocation, so a failed boot hands all memory back. */
	unsigned nr_allocs;
	struct loader_alloc {
		EFI_PHYSICAL_ADDRESS addr;
		UINTN pages; /* 0: a pool allocation */
	} allocs[LOADER_MAX_ALLOCS];
};

/* Where a loaded file goes. */
enum file_dest {
	DEST_POOL,      /* AllocatePool(EfiLoaderData); free with FreePool */
	DEST_PAGES_4G,  /* EfiLoaderData pages below 4 GiB, kept for the hypervisor */
};

struct file_buf {
	void *data;
	UINT64 size;
};

/* "Eyrie loader: " + fmt + CRLF on ConOut. */
void say(const CHAR16 *fmt, ...);
/*
 * "Eyrie loader: error: " + what + ": " + fmt + CRLF, then a pause so the
 * line can be read on a screen. Returns status, for `return fail(...)`.
 */
EFI_STATUS fail(struct loader *ld, EFI_STATUS status, const char *what, const CHAR16 *fmt, ...);

/*
 * Allocation wrappers that remember what they allocated (main.c).
 * mem_pages: how is AllocateAnyPages, AllocateMaxAddress or AllocateAddress
 * with *addr as the limit or the address. Both report failures themselves.
 */
EFI_STATUS mem_pages(struct loader *ld, EFI_ALLOCATE_TYPE how, EFI_MEMORY_TYPE type,
		     UINTN pages, EFI_PHYSICAL_ADDRESS *addr, const char *what);
EFI_STATUS mem_pool(struct loader *ld, UINTN size, void **p, const char *what);
void mem_free(struct loader *ld, void *p);
/* Frees every tracked allocation (after a failure). */
void mem_release_all(struct loader *ld);

/* source.c */
EFI_STATUS source_open(struct loader *ld);
/*
 * Reads the whole file at path (manifest syntax: relative to the loader's
 * directory unless it starts with '/' or '\') into newly allocated memory.
 * max_size 0 means no limit. Reports failures itself.
 */
EFI_STATUS source_load(struct loader *ld, const char *path, enum file_dest dest,
		       UINT64 max_size, struct file_buf *out);

/* load.c */
EFI_STATUS load_manifest(struct loader *ld, struct manifest *m);
EFI_STATUS load_hypervisor(struct loader *ld, const struct manifest *m, UINT64 *entry);
EFI_STATUS load_modules(struct loader *ld, const struct manifest *m, struct boot_info *bi);

/* handoff.c */
EFI_STATUS handoff_alloc(struct loader *ld, struct boot_info **bi, UINT64 *stack_top);
void handoff_fill(struct loader *ld, const struct manifest *m, struct boot_info *bi);
/* Leaves boot services and jumps; returns only if ExitBootServices failed. */
EFI_STATUS handoff_start(struct loader *ld, struct boot_info *bi, UINT64 entry, UINT64 stack_top);

#endif
