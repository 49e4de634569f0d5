/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Linux x86 boot protocol loader of the management domain (pure,
 * host-tested): a bzImage is checked by linux_parse() and turned by
 * linux_plan() into a load plan -- what to copy where in guest-physical
 * memory, and the CPU state of the 64-bit entry. The toolstack (dom.c)
 * executes the plan through EYRIE_OP_mem_write and set_context, as Xen's
 * toolstack builds HVM guests: the hypervisor itself loads no bzImage.
 * Layout and entry state: docs/hvm-loaders.md.
 */
#ifndef EYRIE_MGMT_LINUX_BOOT_H
#define EYRIE_MGMT_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "include/public/eyrie.h"
#include "vmm/load/gplace.h" /* struct e820_entry, struct gplace */

/* Setup header facts (Documentation/arch/x86/boot.rst). */
#define LINUX_MIN_PROTOCOL   0x020cu /* 2.12: xloadflags, the 64-bit entry */
#define LINUX_LOADED_HIGH    0x01u   /* loadflags */
#define LINUX_XLF_KERNEL_64  0x01u   /* xloadflags: 64-bit entry at +0x200 */
#define LINUX_XLF_ABOVE_4G   0x02u   /* xloadflags: may be loaded above 4 GiB */
#define LINUX_ENTRY64_OFFSET 0x200u
#define LINUX_ZERO_PAGE_SIZE 4096u

/* Loader policy. */
#define LINUX_CMDLINE_MAX    4096u   /* bytes with the NUL; Linux takes 2048 */
#define LINUX_LOADER_TYPE    0xffu   /* "undefined": Eyrie has no assigned id */

struct linux_image {
	const uint8_t *img;      /* the image (not copied: keep it alive) */
	size_t size;
	uint16_t version;        /* boot protocol, 0x020f = 2.15 */
	uint8_t setup_sects;     /* 0 already replaced by 4 */
	uint8_t loadflags;
	uint16_t xloadflags;
	uint8_t relocatable;
	uint8_t min_alignment;   /* log2, 0 if not given */
	uint32_t hdr_end;        /* offset just past the setup header */
	uint32_t setup_size;     /* (setup_sects + 1) * 512 */
	uint64_t pm_offset;      /* protected-mode kernel in the file */
	uint64_t pm_size;        /* bytes of it to load */
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t cmdline_size;   /* longest command line, without the NUL */
	uint32_t initrd_addr_max;/* highest byte an initrd may occupy */
	char version_str[64];    /* kernel_version string, "" if none */
};

/*
 * Checks a bzImage img[0..size) for the 64-bit boot protocol and fills
 * *out. Returns 0, or -ENOEXEC with a one-line reason in err naming the
 * field and its value (truncated file, bad magic, protocol < 2.12, no
 * 64-bit entry, ...). Reads byte-wise, never past size.
 */
int linux_parse(const void *img, size_t size, struct linux_image *out, char *err,
		size_t errlen);

struct linux_boot_cfg {
	uint64_t ram_size;             /* guest RAM size in bytes */
	const struct e820_entry *e820; /* the guest's memory map, given to Linux as is */
	unsigned e820_n;               /* 1..E820_MAX_ENTRIES */
	const char *cmdline;           /* NULL means "" */
	const void *initrd;            /* not read by the planner */
	uint64_t initrd_size;          /* 0: no initrd */
	uint64_t acpi_rsdp;            /* 0: Linux searches the BIOS area */
};

/*
 * The boot block: one page-aligned guest range built by linux_plan(),
 * holding the identity page tables, boot_params, the GDT (and a small
 * stack under it) and the command line, at these offsets.
 */
#define LINUX_BB_PML4     0x0000u
#define LINUX_BB_PDPT     0x1000u
#define LINUX_BB_PD       0x2000u /* 4 tables: 0-4 GiB in 2 MiB pages */
#define LINUX_BB_ZERO     0x6000u /* boot_params */
#define LINUX_BB_GDT      0x7000u
#define LINUX_BB_STACK    0x8000u /* top of the stack (grows down to the GDT) */
#define LINUX_BB_CMDLINE  0x8000u
#define LINUX_BB_MAX      (LINUX_BB_CMDLINE + LINUX_CMDLINE_MAX)
#define LINUX_BB_MIN_ADDR 0x10000u /* first-fit from here (see hvm-loaders.md) */

/* GDT of the 64-bit entry: __BOOT_CS 0x10 and __BOOT_DS 0x18, flat. */
#define LINUX_BOOT_CS     0x10u
#define LINUX_BOOT_DS     0x18u
#define LINUX_GDT_ENTRIES 4u

enum linux_src {
	LINUX_SRC_IMAGE,  /* offset into the bzImage */
	LINUX_SRC_INITRD, /* offset into cfg->initrd */
	LINUX_SRC_BOOT,   /* offset into plan->boot */
};

struct linux_copy {
	uint64_t gpa, len;
	enum linux_src src;
	uint64_t offset;
};

/*
 * The 64-bit entry state. Segment attributes use the packed 12-bit VMCB
 * layout of struct vseg (vmm/core/vcpu.h): 0xa9b = 64-bit code, 0xc93 = flat
 * data. Every other general register is 0, IDTR is 0/0, TR and LDTR are
 * the hypervisor's choice (the kernel loads its own before using them).
 */

struct linux_plan {
	uint64_t kernel_gpa;          /* load address of the protected-mode kernel */
	uint64_t kernel_size;         /* reserved from kernel_gpa: max(init_size, pm_size) */
	uint64_t boot_gpa, boot_len;  /* the boot block */
	uint64_t zero_page_gpa, cmdline_gpa;
	uint64_t initrd_gpa, initrd_size;
	/* The 64-bit entry (mode EYRIE_CTX_LONG64), for the toolstack to
	 * hand to the vcpu. */
	struct eyrie_vcpu_context entry;
	unsigned nr_copies;
	struct linux_copy copies[3];
	struct gplace mem;            /* what was placed where ("kernel", ...) */
	uint64_t boot64[LINUX_BB_MAX / 8]; /* the boot block's bytes */
};

/* The boot block as bytes (for copies with src LINUX_SRC_BOOT). */
static inline const uint8_t *linux_plan_boot(const struct linux_plan *p)
{
	return (const uint8_t *)p->boot64;
}

/*
 * Places the kernel, the boot block and the initrd in the guest's free RAM
 * (all below 4 GiB) and builds the boot block. Returns 0, -EINVAL for a
 * bad configuration (map, command line too long) or -ENOSPC when something
 * does not fit, with the reason in err.
 */
int linux_plan(const struct linux_image *k, const struct linux_boot_cfg *cfg,
	       struct linux_plan *plan, char *err, size_t errlen);

/* The bytes copy c reads: inside the image, cfg->initrd or plan's boot block. */
const void *linux_copy_src(const struct linux_image *k, const struct linux_boot_cfg *cfg,
			   const struct linux_plan *plan, const struct linux_copy *c);

#endif
