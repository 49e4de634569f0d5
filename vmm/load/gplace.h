/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest memory map, placement and the loaders' one shape (pure,
 * host-tested): the E820-style map Eyrie gives an HVM guest, the helper
 * (gplace_*) the loaders use to find free guest RAM for what they place,
 * and the image, configuration and plan types (gload_*) that the multiboot
 * and PVH loaders (mb1_guest.c, pvh_guest.c) share: a format's parser
 * fills a struct gload_image, its planner a struct gload_plan, and the
 * caller copies the plan's pieces. Used by the hypervisor and by the
 * management domain, which also plans Linux bzImages with gplace
 * (mgmt/linux_boot.c). See docs/hvm-loaders.md.
 */
#ifndef EYRIE_VMM_GPLACE_H
#define EYRIE_VMM_GPLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* E820 range types (ACPI address range types, as Linux and multiboot use). */
#define E820_RAM      1u
#define E820_RESERVED 2u

#define E820_MAX_ENTRIES 128u /* what boot_params.e820_table holds */

struct e820_entry {
	uint64_t base, size;
	uint32_t type;
};

/* The memory map Eyrie's loaders give a guest of ram bytes: RAM below
 * 0x9FC00, the legacy hole (BIOS area, ACPI tables) reserved, RAM from
 * 1 MiB; RAM's last top_pages pages reserved (a PVH guest's console
 * and store pages). Returns the number of entries (at most 4). */
unsigned e820_guest_map(uint64_t ram, unsigned top_pages, struct e820_entry map[4]);

struct grange {
	uint64_t base, size;
	const char *what; /* "kernel", "initrd", ... for error messages */
};

#define GPLACE_MAX_USED 96u

/*
 * Free guest RAM: inside one E820_RAM entry, below ram_end and limit, not
 * in any other-typed entry, and not yet used. Entries must not need
 * merging: a range spanning two adjacent RAM entries is not found.
 */
struct gplace {
	const struct e820_entry *map;
	unsigned n;
	uint64_t ram_end; /* guest RAM size: nothing is placed at or above it */
	uint64_t limit;   /* nor at or above this (4 GiB for both loaders) */
	unsigned nr_used;
	struct grange used[GPLACE_MAX_USED];
};

/* Starts a placement over map[0..n). Returns -EINVAL (with err) for an
 * empty or oversized map, a zero-sized entry or one that wraps. */
int gplace_init(struct gplace *g, const struct e820_entry *map, unsigned n,
		uint64_t ram_end, char *err, size_t errlen);

/* Is [base, base + size) free guest RAM? */
int gplace_is_free(const struct gplace *g, uint64_t base, uint64_t size);

/* Records [base, base + size) as used; returns -ENOSPC if it is not free
 * (or the table is full), 0 otherwise. */
int gplace_claim(struct gplace *g, uint64_t base, uint64_t size, const char *what);

/* Lowest (gplace_low) or highest (gplace_high) free, align-aligned
 * (a power of two) range of size bytes within [min, max); claims it and
 * stores its base. Returns -ENOSPC when there is none. */
int gplace_low(struct gplace *g, uint64_t size, uint64_t align, uint64_t min,
	       uint64_t max, const char *what, uint64_t *base);
int gplace_high(struct gplace *g, uint64_t size, uint64_t align, uint64_t min,
		uint64_t max, const char *what, uint64_t *base);

/* The loaders' policy and shape. */
#define GLOAD_MAX_SEGS   64u    /* ELF_MAX_PHNUM */
#define GLOAD_MAX_MODS   16u
#define GLOAD_INFO_MAX   16384u /* the boot information block with all its strings */
#define GLOAD_MAX_COPIES (2 * GLOAD_MAX_SEGS + GLOAD_MAX_MODS + 1)

/* One piece of the kernel: filesz bytes from offset at paddr, then zeros to memsz. */
struct gseg {
	uint64_t offset, paddr, filesz, memsz;
};

/* A kernel as its format's parser found it. */
struct gload_image {
	const uint8_t *img;     /* the image (not copied: keep it alive) */
	size_t size;
	uint32_t entry;         /* physical entry point */
	uint64_t load_lo, load_hi; /* all segments, bss included: [lo, hi) */
	unsigned nr_segs;
	struct gseg segs[GLOAD_MAX_SEGS];
	/* Multiboot: where the header is, its flags, loaded through the
	 * address fields (bit 16), video wanted (bit 2: not provided). */
	uint32_t header_offset, flags;
	int aout, wants_video;
	/* PVH: ELFCLASS32 rather than ELF64; no PT_NOTE, notes from sections. */
	int elf32, notes_from_sections;
};

struct gmodule {
	const void *data;    /* not read by the planners */
	uint64_t size;
	const char *cmdline; /* its string; NULL: multiboot "", PVH none (0) */
};

struct gload_cfg {
	uint64_t ram_size;
	const struct e820_entry *e820; /* the guest map: also the one the kernel is given */
	unsigned e820_n;
	const char *cmdline;           /* as is; NULL: multiboot "", PVH none (0) */
	const struct gmodule *mods;    /* in order: Linux takes PVH's mods[0] as initrd */
	unsigned nr_mods;
	uint64_t rsdp_paddr;           /* PVH: 0 for none, the kernel searches */
};

enum gsrc {
	GSRC_IMAGE,  /* offset into the image */
	GSRC_ZERO,   /* len zero bytes (bss): needless if RAM is zeroed */
	GSRC_MODULE, /* offset into cfg->mods[index].data */
	GSRC_INFO,   /* offset into plan->info */
};

struct gcopy {
	uint64_t gpa, len;
	enum gsrc src;
	unsigned index;
	uint64_t offset;
};

/*
 * The entry state both formats give: 32-bit protected mode, paging off,
 * flat 4 GiB code (attr 0xc9b) and data (0xc93) segments, interrupts off,
 * other registers 0. Multiboot sets EAX and EBX; PVH sets EBX and gives
 * selectors and a busy 32-bit TSS (pvh.pandoc).
 */
struct gentry {
	uint32_t eip, eax, ebx, eflags, cr0, cr4, efer;
	uint16_t cs, ds, tr;          /* ds also for es, ss, fs, gs */
	uint16_t cs_attr, ds_attr, tr_attr; /* struct vseg layout */
	uint32_t tr_limit;
};

struct gload_plan {
	uint64_t info_gpa, info_len;  /* the information block; EBX = info_gpa */
	uint64_t mod_gpa[GLOAD_MAX_MODS];
	struct gentry entry;
	unsigned nr_copies;
	struct gcopy copies[GLOAD_MAX_COPIES];
	struct gplace mem;            /* what was placed where */
	uint8_t info[GLOAD_INFO_MAX]; /* the information block's bytes */
};

/* A format's information block: fixed bytes, an entry per memory map
 * range and per module, then the command line and each module's string
 * with its NUL (a NULL string takes null_len bytes: multiboot's "" 1,
 * PVH's none 0). It is named `block` in messages and plan->mem. */
struct gload_format {
	const char *block;
	size_t fixed, map_entry, mod_entry, null_len;
	bool mods_high; /* modules as high as possible from 1 MiB (initrds) */
};

/*
 * The placement both planners make; the caller then builds the block at
 * plan->info_gpa. Clears *pl; checks the module list and the map, and that
 * the block fits in GLOAD_INFO_MAX bytes (plan->info_len). Claims the
 * kernel's own segments (free RAM below 4 GiB), then places each module
 * page aligned (f->mods_high: as high as possible from 1 MiB, where an
 * initrd usually goes; else first fit above the kernel), an empty one
 * still at its own address, and the block first fit above the kernel (and
 * 1 MiB), else anywhere from 4 KiB; all below 4 GiB. Plans every copy. 0,
 * -EINVAL or -ENOSPC with the reason in err.
 */
int gload_place(const struct gload_image *k, const struct gload_cfg *cfg,
		const struct gload_format *f, struct gload_plan *pl, char *err, size_t errlen);

/* Copies s into the block at *at (advancing it): its guest address, or 0
 * ("none") for NULL. */
uint64_t gload_add_string(struct gload_plan *pl, size_t *at, const char *s);

/* The bytes copy c reads (image, module or information block), or NULL
 * for GSRC_ZERO: fill c->len bytes with zeros. */
const void *gload_copy_src(const struct gload_image *k, const struct gload_cfg *cfg,
			   const struct gload_plan *pl, const struct gcopy *c);

#endif
