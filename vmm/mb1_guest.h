/*
 * Multiboot 1 loader for HVM test kernels (pure, host-tested). The GNU
 * Multiboot Specification 0.6.96: mb1g_parse() finds and checks the header
 * of an image (a.out-kludge address fields, or an ELF), mb1g_plan() places
 * the kernel, the modules and the multiboot information block in guest RAM
 * and returns what to copy where and the entry state. The hypervisor
 * executes the plan. See docs/hvm-loaders.md.
 */
#ifndef EYRIE_VMM_MB1_GUEST_H
#define EYRIE_VMM_MB1_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/gplace.h" /* struct e820_entry, struct gplace */

/* Facts from the specification. */
#define MB1G_HEADER_MAGIC  0x1badb002u
#define MB1G_BOOT_MAGIC    0x2badb002u /* in EAX at entry */
#define MB1G_SEARCH_LEN    8192u       /* the header lies in the first 8 KiB */
#define MB1G_F_PAGE_ALIGN  (1u << 0)   /* modules on 4 KiB boundaries */
#define MB1G_F_MEMINFO     (1u << 1)   /* mem_* (and the memory map) required */
#define MB1G_F_VIDEO       (1u << 2)   /* video mode table wanted */
#define MB1G_F_AOUT        (1u << 16)  /* the address fields are valid */

/* Loader policy. */
#define MB1G_MAX_SEGS  64u    /* ELF_MAX_PHNUM */
#define MB1G_MAX_MODS  16u
#define MB1G_INFO_MAX  16384u /* the information block with all its strings */
#define MB1G_LOADER_NAME "Eyrie"

/* One piece of the kernel: filesz bytes from offset, then zeros to memsz. */
struct mb1g_seg {
	uint64_t offset, paddr, filesz, memsz;
};

struct mb1g_image {
	const uint8_t *img;     /* the image (not copied: keep it alive) */
	size_t size;
	uint32_t header_offset; /* where the multiboot header is in the file */
	uint32_t flags;         /* the header's flags */
	int aout;               /* loaded through the address fields (bit 16) */
	int wants_video;        /* bit 2: not provided (no framebuffer), ignored */
	uint32_t entry;         /* physical entry point */
	uint64_t load_lo, load_hi; /* all segments, bss included: [lo, hi) */
	unsigned nr_segs;
	struct mb1g_seg segs[MB1G_MAX_SEGS];
};

/*
 * Checks a multiboot 1 image img[0..size) and fills *out. Returns 0, or
 * -ENOEXEC with a one-line reason in err (no header, bad checksum,
 * unsupported required feature, inconsistent address fields, truncated
 * file, or an ELF that elf_check_guest() refuses). Reads byte-wise.
 */
int mb1g_parse(const void *img, size_t size, struct mb1g_image *out, char *err,
	       size_t errlen);

struct mb1g_module {
	const void *data;   /* not read by the planner */
	uint64_t size;
	const char *string; /* the module's command line, NULL means "" */
};

struct mb1g_cfg {
	uint64_t ram_size;
	const struct e820_entry *e820; /* the guest map: also the info block's mmap */
	unsigned e820_n;
	const char *cmdline;           /* given to the kernel as is; NULL means "" */
	const struct mb1g_module *mods;
	unsigned nr_mods;
};

enum mb1g_src {
	MB1G_SRC_IMAGE,  /* offset into the image */
	MB1G_SRC_ZERO,   /* len zero bytes (bss): needless if RAM is zeroed */
	MB1G_SRC_MODULE, /* offset into cfg->mods[index].data */
	MB1G_SRC_INFO,   /* offset into plan->info */
};

struct mb1g_copy {
	uint64_t gpa, len;
	enum mb1g_src src;
	unsigned index;
	uint64_t offset;
};

/*
 * The entry state (the specification's "machine state"): 32-bit protected
 * mode, paging off, flat 4 GiB code (attr 0xc9b) and data (0xc93)
 * segments, interrupts off; the rest of the registers are 0. This is the
 * hypervisor's flat32 start (vmm/vmm.c) plus EAX and EBX.
 */
struct mb1g_entry {
	uint32_t eip, eax, ebx, eflags, cr0;
	uint16_t cs_attr, ds_attr;
};

#define MB1G_MAX_COPIES (2 * MB1G_MAX_SEGS + MB1G_MAX_MODS + 1)

struct mb1g_plan {
	uint64_t info_gpa, info_len;
	uint64_t mod_gpa[MB1G_MAX_MODS];
	struct mb1g_entry entry;
	unsigned nr_copies;
	struct mb1g_copy copies[MB1G_MAX_COPIES];
	struct gplace mem;            /* what was placed where */
	uint8_t info[MB1G_INFO_MAX];  /* the information block's bytes */
};

/*
 * Claims the kernel's own addresses, places the modules (page aligned)
 * and then the information block above the kernel (else anywhere from
 * 4 KiB), all below 4 GiB, and builds the information block. Returns 0,
 * -EINVAL (bad map, too many modules, strings too long) or -ENOSPC (the
 * kernel is not in free RAM, something does not fit), reason in err.
 */
int mb1g_plan(const struct mb1g_image *k, const struct mb1g_cfg *cfg, struct mb1g_plan *plan,
	      char *err, size_t errlen);

/* The bytes copy c reads (image, module or information block), or NULL
 * for MB1G_SRC_ZERO: fill c->len bytes with zeros. */
const void *mb1g_copy_src(const struct mb1g_image *k, const struct mb1g_cfg *cfg,
			  const struct mb1g_plan *plan, const struct mb1g_copy *c);

#endif
