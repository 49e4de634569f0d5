/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Linux x86 boot protocol, 64-bit entry (see linux_boot.h and
 * docs/hvm-loaders.md). Written from Documentation/arch/x86/boot.rst and
 * zero-page.rst: header fields are read byte-wise at their documented
 * offsets, never through a struct overlay of the image.
 */
#include "mgmt/linux_boot.h"
#include "kernel/bytes.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/string.h"

#include <stdarg.h>

/* Setup header offsets in the image and in boot_params (boot.rst). */
#define HDR_START          0x1f1u
#define HDR_SETUP_SECTS    0x1f1u
#define HDR_SYSSIZE        0x1f4u
#define HDR_VID_MODE       0x1fau
#define HDR_BOOT_FLAG      0x1feu
#define HDR_JUMP           0x200u
#define HDR_MAGIC          0x202u
#define HDR_VERSION        0x206u
#define HDR_KERNEL_VERSION 0x20eu
#define HDR_TYPE_OF_LOADER 0x210u
#define HDR_LOADFLAGS      0x211u
#define HDR_CODE32_START   0x214u
#define HDR_RAMDISK_IMAGE  0x218u
#define HDR_RAMDISK_SIZE   0x21cu
#define HDR_CMD_LINE_PTR   0x228u
#define HDR_INITRD_MAX     0x22cu
#define HDR_KERNEL_ALIGN   0x230u
#define HDR_RELOCATABLE    0x234u
#define HDR_MIN_ALIGN      0x235u
#define HDR_XLOADFLAGS     0x236u
#define HDR_CMDLINE_SIZE   0x238u
#define HDR_PAYLOAD_OFFSET 0x248u
#define HDR_PAYLOAD_LENGTH 0x24cu
#define HDR_SETUP_DATA     0x250u
#define HDR_PREF_ADDRESS   0x258u
#define HDR_INIT_SIZE      0x260u
#define HDR_END_MIN        0x268u /* a 2.12 header reaches handover_offset */
#define HDR_END_MAX        0x290u /* boot_params hole for the header */

#define BOOT_FLAG_MAGIC    0xaa55u
#define HDRS_MAGIC         0x53726448u /* "HdrS" */

/* boot_params (zero page) fields outside the setup header (zero-page.rst). */
#define BP_ACPI_RSDP       0x070u
#define BP_EXT_RAMDISK_IMG 0x0c0u
#define BP_EXT_RAMDISK_SZ  0x0c4u
#define BP_EXT_CMD_LINE    0x0c8u
#define BP_E820_ENTRIES    0x1e8u
#define BP_E820_TABLE      0x2d0u
#define BP_E820_ENTRY_SIZE 20u

#define MIB 0x100000ull
#define GIB (1ull << 30)
#define IDENT_LIMIT (4 * GIB) /* the identity map, and where we place things */

/* Page-table entry bits; GDT descriptors of the 64-bit entry. */
#define PTE_P  0x001ull
#define PTE_RW 0x002ull
#define PTE_PS 0x080ull
#define GDT_CODE64 0x00af9b000000ffffull /* G, L, P, S, exec/read, accessed */
#define GDT_DATA   0x00cf93000000ffffull /* G, B, P, S, read/write, accessed */
#define ATTR_CODE64 0xa9bu
#define ATTR_DATA   0xc93u
#define CR0_PE 0x00000001ull
#define CR0_ET 0x00000010ull
#define CR0_NE 0x00000020ull
#define CR0_PG 0x80000000ull
#define CR4_PAE 0x20ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

/* The decompressor's 5-level paging trampoline (pgtable_64.c): two pages
 * just under the end of low RAM, written while the CPU still runs on our
 * page tables. With the BIOS data area zero (as in our guests) the end is
 * at most 0x9f000. */
#define TRAMPOLINE_SIZE 0x2000ull
#define TRAMPOLINE_TOP  0x9f000ull

/* ---- parse ---- */

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* The kernel_version string (offset + 0x200, inside the setup), printable
 * characters only. Optional: a bad pointer just leaves it empty. */
static void read_version_str(const uint8_t *p, struct linux_image *k)
{
	uint32_t off = (uint32_t)get_le(p + HDR_KERNEL_VERSION, 2);
	unsigned n = 0;

	k->version_str[0] = 0;
	if (!off)
		return;
	off += 0x200;
	while (off + n < k->setup_size && n < sizeof(k->version_str) - 1) {
		uint8_t c = p[off + n];
		if (c < 0x20 || c > 0x7e)
			break;
		k->version_str[n++] = (char)c;
	}
	k->version_str[n] = 0;
}

/* Magic numbers, protocol version and the header's own extent. */
static int check_header(const uint8_t *p, size_t size, struct linux_image *k, char *err,
			size_t errlen)
{
	if (size < 0x200)
		return errorf(-ENOEXEC, err, errlen,
			     "truncated: %zu bytes, shorter than the 512-byte boot sector", size);
	if (get_le(p + HDR_BOOT_FLAG, 2) != BOOT_FLAG_MAGIC)
		return errorf(-ENOEXEC, err, errlen,
			     "boot_flag at 0x1fe is 0x%04x, not 0xaa55: not a Linux kernel",
			     (unsigned)get_le(p + HDR_BOOT_FLAG, 2));
	if (size < HDR_VERSION + 2)
		return errorf(-ENOEXEC, err, errlen,
			     "truncated: %zu bytes, the setup header is cut off", size);
	if (get_le(p + HDR_MAGIC, 4) != HDRS_MAGIC)
		return errorf(-ENOEXEC, err, errlen,
			     "header at 0x202 is 0x%08x, not \"HdrS\": not a bzImage (protocol < 2.00)",
			     (unsigned)get_le(p + HDR_MAGIC, 4));
	k->version = (uint16_t)get_le(p + HDR_VERSION, 2);
	if (k->version < LINUX_MIN_PROTOCOL)
		return errorf(-ENOEXEC, err, errlen,
			     "boot protocol %u.%02u is too old: 2.12 or later is needed for the 64-bit entry",
			     k->version >> 8, k->version & 0xff);
	/* The jump at 0x200 (0xeb, rel8 from 0x202) doubles as the header length. */
	if (p[HDR_JUMP] != 0xeb || p[HDR_JUMP + 1] >= 0x80)
		return errorf(-ENOEXEC, err, errlen,
			     "jump at 0x200 is %02x %02x, not a forward short jmp: header length unknown",
			     p[HDR_JUMP], p[HDR_JUMP + 1]);
	k->hdr_end = 0x202u + p[HDR_JUMP + 1];
	if (k->hdr_end < HDR_END_MIN || k->hdr_end > HDR_END_MAX)
		return errorf(-ENOEXEC, err, errlen,
			     "setup header ends at 0x%x: a protocol %u.%02u header ends in 0x%x..0x%x",
			     k->hdr_end, k->version >> 8, k->version & 0xff, HDR_END_MIN, HDR_END_MAX);
	if (size < k->hdr_end)
		return errorf(-ENOEXEC, err, errlen,
			     "truncated: %zu bytes, the setup header ends at 0x%x", size, k->hdr_end);
	/* At least 2 sectors: always longer than the header (<= 0x290). */
	k->setup_sects = p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : 4;
	k->setup_size = (k->setup_sects + 1u) * 512u;
	if (k->setup_size >= size)
		return errorf(-ENOEXEC, err, errlen,
			     "setup_sects %u puts the kernel at 0x%x, the file has only 0x%zx bytes",
			     k->setup_sects, k->setup_size, size);
	return 0;
}

/* Where the protected-mode kernel is and how much of it to load. */
static int check_payload(const uint8_t *p, size_t size, struct linux_image *k, char *err,
			 size_t errlen)
{
	uint64_t sys = get_le(p + HDR_SYSSIZE, 4) * 16;
	uint64_t in_file = size - k->setup_size;
	uint64_t poff = get_le(p + HDR_PAYLOAD_OFFSET, 4);
	uint64_t plen = get_le(p + HDR_PAYLOAD_LENGTH, 4);

	k->loadflags = p[HDR_LOADFLAGS];
	k->xloadflags = (uint16_t)get_le(p + HDR_XLOADFLAGS, 2);
	if (!(k->loadflags & LINUX_LOADED_HIGH))
		return errorf(-ENOEXEC, err, errlen,
			     "loadflags 0x%02x: LOADED_HIGH not set (a zImage, not a bzImage)",
			     k->loadflags);
	if (!(k->xloadflags & LINUX_XLF_KERNEL_64))
		return errorf(-ENOEXEC, err, errlen,
			     "xloadflags 0x%04x: XLF_KERNEL_64 not set, the kernel has no 64-bit entry",
			     k->xloadflags);
	/* syssize (16-byte paragraphs) covers the kernel and its CRC; build.c
	 * pads the file to it. A signed image has more bytes after it. */
	if (!sys)
		return errorf(-ENOEXEC, err, errlen, "syssize is 0: no protected-mode kernel");
	if (sys > in_file)
		return errorf(-ENOEXEC, err, errlen,
			     "truncated: syssize says 0x%lx bytes of kernel, the file has 0x%lx after the setup",
			     sys, in_file);
	k->pm_offset = k->setup_size;
	k->pm_size = sys;
	if (k->pm_size <= LINUX_ENTRY64_OFFSET)
		return errorf(-ENOEXEC, err, errlen,
			     "protected-mode kernel is 0x%lx bytes: no room for the 64-bit entry at 0x200",
			     k->pm_size);
	if (!plen || poff + plen > k->pm_size)
		return errorf(-ENOEXEC, err, errlen,
			     "payload (offset 0x%lx, length 0x%lx) is empty or beyond the kernel's 0x%lx bytes",
			     poff, plen, k->pm_size);
	return 0;
}

/* Relocation and memory fields. */
static int check_layout(const uint8_t *p, struct linux_image *k, char *err, size_t errlen)
{
	k->kernel_alignment = (uint32_t)get_le(p + HDR_KERNEL_ALIGN, 4);
	k->relocatable = p[HDR_RELOCATABLE];
	k->min_alignment = p[HDR_MIN_ALIGN];
	k->cmdline_size = (uint32_t)get_le(p + HDR_CMDLINE_SIZE, 4);
	k->initrd_addr_max = (uint32_t)get_le(p + HDR_INITRD_MAX, 4);
	k->pref_address = get_le(p + HDR_PREF_ADDRESS, 8);
	k->init_size = (uint32_t)get_le(p + HDR_INIT_SIZE, 4);

	if (!is_pow2(k->kernel_alignment) || k->kernel_alignment < 0x1000 ||
	    k->kernel_alignment > GIB)
		return errorf(-ENOEXEC, err, errlen,
			     "kernel_alignment 0x%x is not a power of two in 4 KiB..1 GiB",
			     k->kernel_alignment);
	if (k->init_size < k->pm_size)
		return errorf(-ENOEXEC, err, errlen,
			     "init_size 0x%x is smaller than the protected-mode kernel (0x%lx bytes)",
			     k->init_size, k->pm_size);
	/* x86_64 decompresses at pref_address or above even when loaded lower. */
	if (k->pref_address < MIB || k->pref_address > IDENT_LIMIT ||
	    k->init_size > IDENT_LIMIT - k->pref_address)
		return errorf(-ENOEXEC, err, errlen,
			     "pref_address 0x%lx (init_size 0x%x) is not within 1 MiB..4 GiB",
			     k->pref_address, k->init_size);
	if (!k->cmdline_size)
		return errorf(-ENOEXEC, err, errlen, "cmdline_size is 0");
	if (k->initrd_addr_max < MIB)
		return errorf(-ENOEXEC, err, errlen, "initrd_addr_max 0x%x is below 1 MiB",
			     k->initrd_addr_max);
	return 0;
}

int linux_parse(const void *img, size_t size, struct linux_image *out, char *err,
		size_t errlen)
{
	const uint8_t *p = img;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!p)
		return errorf(-ENOEXEC, err, errlen, "no image");
	rc = check_header(p, size, out, err, errlen);
	if (!rc)
		rc = check_payload(p, size, out, err, errlen);
	if (!rc)
		rc = check_layout(p, out, err, errlen);
	if (rc)
		return rc;
	out->img = p;
	out->size = size;
	read_version_str(p, out);
	return 0;
}

/* ---- plan ---- */

/* Claims the two pages Linux's decompressor will use below the end of low
 * RAM (see TRAMPOLINE_*), so the boot block stays clear of them. */
static void reserve_trampoline(struct gplace *g)
{
	uint64_t top = 0;

	for (unsigned i = 0; i < g->n; i++) {
		const struct e820_entry *e = &g->map[i];
		uint64_t end = e->base + e->size;
		if (e->type != E820_RAM || e->base >= TRAMPOLINE_TOP)
			continue;
		end = (end < TRAMPOLINE_TOP ? end : TRAMPOLINE_TOP) & ~0xfffull;
		if (end >= e->base + TRAMPOLINE_SIZE && end > top)
			top = end;
	}
	if (top)
		gplace_claim(g, top - TRAMPOLINE_SIZE, TRAMPOLINE_SIZE, "trampoline");
}

static int place_all(const struct linux_image *k, const struct linux_boot_cfg *cfg,
		     struct gplace *g, struct linux_plan *pl, char *err, size_t errlen)
{
	uint64_t top, initrd_end;
	int rc;

	pl->kernel_size = k->init_size;
	pl->kernel_gpa = k->pref_address;
	if (k->relocatable)
		rc = gplace_low(g, pl->kernel_size, k->kernel_alignment, k->pref_address,
				IDENT_LIMIT, "kernel", &pl->kernel_gpa);
	else
		rc = gplace_claim(g, pl->kernel_gpa, pl->kernel_size, "kernel");
	if (rc)
		return errorf(-ENOSPC, err, errlen,
			     "kernel needs 0x%lx bytes (init_size) of free RAM at 0x%lx%s below 4 GiB; "
			     "guest RAM ends at 0x%lx",
			     pl->kernel_size, k->pref_address,
			     k->relocatable ? " or above, aligned" : " (not relocatable)", cfg->ram_size);
	reserve_trampoline(g);
	if (gplace_low(g, pl->boot_len, 0x1000, LINUX_BB_MIN_ADDR, IDENT_LIMIT, "boot block",
		       &pl->boot_gpa))
		return errorf(-ENOSPC, err, errlen,
			     "no free guest RAM for the 0x%lx-byte boot block (page tables, "
			     "boot_params, command line)", pl->boot_len);
	if (!cfg->initrd_size)
		return 0;
	initrd_end = (uint64_t)k->initrd_addr_max + 1;
	top = initrd_end < IDENT_LIMIT ? initrd_end : IDENT_LIMIT;
	if (gplace_high(g, cfg->initrd_size, 0x1000, MIB, top, "initrd", &pl->initrd_gpa))
		return errorf(-ENOSPC, err, errlen,
			     "initrd of %lu bytes does not fit in free guest RAM between 1 MiB and "
			     "0x%lx (initrd_addr_max 0x%x, RAM ends at 0x%lx)",
			     cfg->initrd_size, top, k->initrd_addr_max, cfg->ram_size);
	pl->initrd_size = cfg->initrd_size;
	return 0;
}

static void build_page_tables(uint8_t *bb, uint64_t base)
{
	put_le(bb + LINUX_BB_PML4, base + LINUX_BB_PDPT + (PTE_P | PTE_RW), 8);
	for (unsigned i = 0; i < 4; i++) {
		uint8_t *pd = bb + LINUX_BB_PD + i * 0x1000u;
		put_le(bb + LINUX_BB_PDPT + i * 8, base + LINUX_BB_PD + i * 0x1000u + (PTE_P | PTE_RW), 8);
		for (unsigned j = 0; j < 512; j++)
			put_le(pd + j * 8, i * GIB + j * 2 * MIB + (PTE_P | PTE_RW | PTE_PS), 8);
	}
	put_le(bb + LINUX_BB_GDT + LINUX_BOOT_CS, GDT_CODE64, 8);
	put_le(bb + LINUX_BB_GDT + LINUX_BOOT_DS, GDT_DATA, 8);
}

static void build_zero_page(const struct linux_image *k, const struct linux_boot_cfg *cfg,
			    const struct linux_plan *pl, uint8_t *zp)
{
	memcpy(zp + HDR_START, k->img + HDR_START, k->hdr_end - HDR_START);
	put_le(zp + HDR_VID_MODE, 0xffff, 2); /* "normal": no video mode to set */
	zp[HDR_TYPE_OF_LOADER] = LINUX_LOADER_TYPE; /* 0 would make Linux ignore the initrd */
	put_le(zp + HDR_CODE32_START, pl->kernel_gpa, 4);
	put_le(zp + HDR_RAMDISK_IMAGE, pl->initrd_gpa, 4);
	put_le(zp + HDR_RAMDISK_SIZE, pl->initrd_size, 4);
	put_le(zp + BP_EXT_RAMDISK_IMG, pl->initrd_gpa >> 32, 4);
	put_le(zp + BP_EXT_RAMDISK_SZ, pl->initrd_size >> 32, 4);
	put_le(zp + HDR_CMD_LINE_PTR, pl->cmdline_gpa, 4);
	put_le(zp + BP_EXT_CMD_LINE, pl->cmdline_gpa >> 32, 4);
	put_le(zp + HDR_SETUP_DATA, 0, 8);
	put_le(zp + BP_ACPI_RSDP, cfg->acpi_rsdp, 8);
	/* screen_info (0x000) stays zero: no VGA, no framebuffer. */
	zp[BP_E820_ENTRIES] = (uint8_t)cfg->e820_n;
	for (unsigned i = 0; i < cfg->e820_n; i++) {
		uint8_t *e = zp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE;
		put_le(e, cfg->e820[i].base, 8);
		put_le(e + 8, cfg->e820[i].size, 8);
		put_le(e + 16, cfg->e820[i].type, 4);
	}
}

static void build_entry(struct linux_plan *pl)
{
	struct eyrie_vcpu_context *e = &pl->entry;

	e->mode = EYRIE_CTX_LONG64;
	e->rip = pl->kernel_gpa + LINUX_ENTRY64_OFFSET;
	e->rsi = pl->zero_page_gpa;
	e->rsp = pl->boot_gpa + LINUX_BB_STACK;
	e->rflags = 0x2; /* IF = 0 */
	e->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	e->cr3 = pl->boot_gpa + LINUX_BB_PML4;
	e->cr4 = CR4_PAE;
	e->efer = EFER_LME | EFER_LMA;
	e->cs = LINUX_BOOT_CS;
	e->ds = LINUX_BOOT_DS;
	e->cs_attr = ATTR_CODE64;
	e->ds_attr = ATTR_DATA;
	e->gdt_base = pl->boot_gpa + LINUX_BB_GDT;
	e->gdt_limit = LINUX_GDT_ENTRIES * 8 - 1;
}

int linux_plan(const struct linux_image *k, const struct linux_boot_cfg *cfg,
	       struct linux_plan *pl, char *err, size_t errlen)
{
	const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
	size_t len = strnlen(cmdline, LINUX_CMDLINE_MAX);
	uint8_t *bb = (uint8_t *)pl->boot64;
	struct gplace *g = &pl->mem;
	int rc;

	memset(pl, 0, sizeof(*pl));
	if (!k->img)
		return errorf(-EINVAL, err, errlen, "no parsed kernel image");
	if (len > k->cmdline_size || len >= LINUX_CMDLINE_MAX)
		return errorf(-EINVAL, err, errlen,
			     "command line is %zu%s bytes; the kernel takes at most %u (cmdline_size)",
			     len, len >= LINUX_CMDLINE_MAX ? "+" : "",
			     k->cmdline_size < LINUX_CMDLINE_MAX - 1 ? k->cmdline_size
								   : LINUX_CMDLINE_MAX - 1);
	rc = gplace_init(g, cfg->e820, cfg->e820_n, cfg->ram_size, err, errlen);
	if (rc)
		return rc;
	g->limit = IDENT_LIMIT;
	pl->boot_len = LINUX_BB_CMDLINE + len + 1;
	rc = place_all(k, cfg, g, pl, err, errlen);
	if (rc)
		return rc;
	pl->zero_page_gpa = pl->boot_gpa + LINUX_BB_ZERO;
	pl->cmdline_gpa = pl->boot_gpa + LINUX_BB_CMDLINE;
	build_page_tables(bb, pl->boot_gpa);
	build_zero_page(k, cfg, pl, bb + LINUX_BB_ZERO);
	memcpy(bb + LINUX_BB_CMDLINE, cmdline, len);
	build_entry(pl);

	pl->copies[0] = (struct linux_copy){ pl->kernel_gpa, k->pm_size, LINUX_SRC_IMAGE, k->pm_offset };
	pl->copies[1] = (struct linux_copy){ pl->boot_gpa, pl->boot_len, LINUX_SRC_BOOT, 0 };
	pl->nr_copies = 2;
	if (pl->initrd_size)
		pl->copies[pl->nr_copies++] =
			(struct linux_copy){ pl->initrd_gpa, pl->initrd_size, LINUX_SRC_INITRD, 0 };
	return 0;
}

const void *linux_copy_src(const struct linux_image *k, const struct linux_boot_cfg *cfg,
			   const struct linux_plan *pl, const struct linux_copy *c)
{
	switch (c->src) {
	case LINUX_SRC_IMAGE:
		return k->img + c->offset;
	case LINUX_SRC_INITRD:
		return (const uint8_t *)cfg->initrd + c->offset;
	case LINUX_SRC_BOOT:
		return linux_plan_boot(pl) + c->offset;
	}
	return NULL;
}
