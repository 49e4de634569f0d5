/*
 * PVH loader for HVM guests (pure, host-tested): the x86/HVM direct boot
 * ABI of Xen's docs/misc/pvh.pandoc. pvh_parse() checks an ELF32 or ELF64
 * kernel and finds its XEN_ELFNOTE_PHYS32_ENTRY note; pvh_plan() places
 * the segments at their physical addresses, the modules and the start info
 * block (struct hvm_start_info, module list, memory map, command lines) in
 * guest RAM below 4 GiB, and returns what to copy where and the entry
 * state. The hypervisor executes the plan. See docs/hvm-loaders.md.
 */
#ifndef EYRIE_VMM_PVH_GUEST_H
#define EYRIE_VMM_PVH_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "include/public/hvm_start_info.h"
#include "vmm/gplace.h" /* struct e820_entry, struct gplace */

/* Loader policy. */
#define PVH_MAX_SEGS  64u    /* ELF_MAX_PHNUM */
#define PVH_MAX_MODS  16u
#define PVH_INFO_MAX  16384u /* start info, lists and all strings */

/* One PT_LOAD: filesz bytes from offset at paddr, then zeros to memsz. */
struct pvh_seg {
	uint64_t offset, paddr, filesz, memsz;
};

struct pvh_image {
	const uint8_t *img;     /* the image (not copied: keep it alive) */
	size_t size;
	int elf32;              /* ELFCLASS32 (i386) rather than ELF64 (x86_64) */
	uint32_t entry;         /* XEN_ELFNOTE_PHYS32_ENTRY: physical */
	int notes_from_sections; /* no PT_NOTE: found through SHT_NOTE sections */
	uint64_t load_lo, load_hi; /* all segments, bss included: [lo, hi) */
	unsigned nr_segs;
	struct pvh_seg segs[PVH_MAX_SEGS];
};

/*
 * Checks a PVH kernel img[0..size) and fills *out. Returns 0, or -ENOEXEC
 * with a one-line reason in err: not an ELF32 i386 / ELF64 x86_64
 * executable, headers or segments outside the file, segments above 4 GiB
 * or overlapping, a malformed or truncated note, no PHYS32_ENTRY note
 * ("not a PVH kernel: ..."), two PHYS32_ENTRY notes that disagree, or an
 * entry outside the file bytes of every segment (in bss or nowhere).
 * Notes come from the PT_NOTE segments, or from SHT_NOTE sections when the
 * image has no PT_NOTE. e_entry is not used. Reads byte-wise.
 */
int pvh_parse(const void *img, size_t size, struct pvh_image *out, char *err,
	      size_t errlen);

struct pvh_module {
	const void *data;    /* not read by the planner */
	uint64_t size;
	const char *cmdline; /* NULL: cmdline_paddr 0 (none) */
};

struct pvh_cfg {
	uint64_t ram_size;
	const struct e820_entry *e820; /* the guest map: also the start info's memmap */
	unsigned e820_n;
	const char *cmdline;           /* NULL: cmdline_paddr 0 (none) */
	const struct pvh_module *mods; /* modlist order: Linux takes mods[0] as initrd */
	unsigned nr_mods;
	uint64_t rsdp_paddr;           /* 0: none, the kernel searches */
};

enum pvh_src {
	PVH_SRC_IMAGE,  /* offset into the image */
	PVH_SRC_ZERO,   /* len zero bytes (bss): needless if RAM is zeroed */
	PVH_SRC_MODULE, /* offset into cfg->mods[index].data */
	PVH_SRC_INFO,   /* offset into plan->info */
};

struct pvh_copy {
	uint64_t gpa, len;
	enum pvh_src src;
	unsigned index;
	uint64_t offset;
};

/*
 * The entry state (pvh.pandoc): 32-bit protected mode, paging off, EBX =
 * the start info, other general registers 0. CS and DS/ES/SS/FS/GS flat
 * 4 GiB (base 0, limit 0xffffffff) with the selectors of the hypervisor's
 * flat32 start; TR a busy 32-bit TSS, base 0, limit 0x67; CR4 and EFER 0;
 * interrupts off. The kernel loads its own GDT, IDT and stack.
 */
struct pvh_entry {
	uint32_t eip, ebx, eflags, cr0, cr4, efer;
	uint16_t cs, ds, tr;          /* ds also for es, ss, fs, gs */
	uint16_t cs_attr, ds_attr, tr_attr; /* struct vseg layout */
	uint32_t tr_limit;
};

#define PVH_MAX_COPIES (2 * PVH_MAX_SEGS + PVH_MAX_MODS + 1)

struct pvh_plan {
	uint64_t info_gpa, info_len;  /* the start info block; EBX = info_gpa */
	uint64_t mod_gpa[PVH_MAX_MODS];
	struct pvh_entry entry;
	unsigned nr_copies;
	struct pvh_copy copies[PVH_MAX_COPIES];
	struct gplace mem;            /* what was placed where */
	uint8_t info[PVH_INFO_MAX];   /* the start info block's bytes */
};

/*
 * Claims the kernel's own addresses (they must be free RAM), places each
 * module (page aligned, as high as possible below 4 GiB, from 1 MiB) and
 * the start info block (page aligned, first fit above the kernel, else
 * from 4 KiB), and builds the block: hvm_start_info version 1, module
 * list, memory map (the caller's e820, unchanged), command lines. Returns
 * 0, -EINVAL (bad map, too many modules, strings too long) or -ENOSPC
 * (the kernel not in free RAM, something does not fit), reason in err.
 */
int pvh_plan(const struct pvh_image *k, const struct pvh_cfg *cfg, struct pvh_plan *plan,
	     char *err, size_t errlen);

/* The bytes copy c reads (image, module or start info block), or NULL for
 * PVH_SRC_ZERO: fill c->len bytes with zeros. */
const void *pvh_copy_src(const struct pvh_image *k, const struct pvh_cfg *cfg,
			 const struct pvh_plan *plan, const struct pvh_copy *c);

#endif
