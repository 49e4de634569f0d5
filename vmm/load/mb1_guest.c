/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot 1 loader for HVM guests (see mb1_guest.h). Written from the
 * Multiboot Specification 0.6.96: the OS image format (header, flags,
 * address fields), the machine state, the boot information format.
 */
#include "vmm/load/mb1_guest.h"
#include "kernel/elf.h"
#include "kernel/bytes.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/string.h"

/* Header field offsets. */
#define H_FLAGS       4u
#define H_CHECKSUM    8u
#define H_HEADER_ADDR 12u
#define H_LOAD_ADDR   16u
#define H_LOAD_END    20u
#define H_BSS_END     24u
#define H_ENTRY_ADDR  28u
#define H_AOUT_LEN    32u

/* Flags this loader understands; other bits in 0-15 are requirements it
 * cannot meet. Bits 16-31 are optional features. */
#define F_KNOWN_REQUIRED (MB1G_F_PAGE_ALIGN | MB1G_F_MEMINFO | MB1G_F_VIDEO)

/* Information block: flags, field offsets, sub-structure sizes. */
#define I_MEM         (1u << 0)
#define I_CMDLINE     (1u << 2)
#define I_MODS        (1u << 3)
#define I_MMAP        (1u << 6)
#define I_LOADER_NAME (1u << 9)
#define I_OFF_FLAGS       0u
#define I_OFF_MEM_LOWER   4u
#define I_OFF_MEM_UPPER   8u
#define I_OFF_CMDLINE     16u
#define I_OFF_MODS_COUNT  20u
#define I_OFF_MODS_ADDR   24u
#define I_OFF_MMAP_LENGTH 44u
#define I_OFF_MMAP_ADDR   48u
#define I_OFF_LOADER_NAME 64u
#define I_FIXED_LEN   0x80u /* 116 bytes defined, rounded up */
#define I_MMAP_ENTRY  24u   /* size (20) + base + length + type */
#define I_MOD_ENTRY   16u   /* mod_start, mod_end, string, reserved */

#define MIB 0x100000ull
#define LIMIT_4G (1ull << 32)


/* ---- parse ---- */

/* First 4-byte aligned magic with a valid checksum in the first 8 KiB. */
static int find_header(const uint8_t *p, size_t size, struct gload_image *k, char *err,
		       size_t errlen)
{
	size_t end = size < MB1G_SEARCH_LEN ? size : MB1G_SEARCH_LEN;
	long bad = -1;

	for (size_t off = 0; off + 12 <= end; off += 4) {
		uint32_t magic = (uint32_t)get_le(p + off, 4);
		uint32_t flags = (uint32_t)get_le(p + off + H_FLAGS, 4);
		uint32_t sum = (uint32_t)get_le(p + off + H_CHECKSUM, 4);
		if (magic != MB1G_HEADER_MAGIC)
			continue;
		if ((uint32_t)(magic + flags + sum)) {
			if (bad < 0)
				bad = (long)off;
			continue;
		}
		k->header_offset = (uint32_t)off;
		k->flags = flags;
		return 0;
	}
	if (bad >= 0)
		return errorf(-ENOEXEC, err, errlen,
			     "multiboot header at offset 0x%lx has a bad checksum (magic + flags + "
			     "checksum must be 0)", bad);
	return errorf(-ENOEXEC, err, errlen,
		     "no multiboot header (magic 0x1badb002, 4-byte aligned) in the first %zu bytes",
		     end);
}

/* The a.out kludge: one range of the file at load_addr, then bss. */
static int parse_aout(const uint8_t *p, size_t size, struct gload_image *k, char *err,
		      size_t errlen)
{
	const uint8_t *h = p + k->header_offset;

	if (k->header_offset + H_AOUT_LEN > size || k->header_offset + H_AOUT_LEN > MB1G_SEARCH_LEN)
		return errorf(-ENOEXEC, err, errlen,
			     "truncated: the address fields of the header at 0x%x pass the end of "
			     "the file or of the first 8 KiB", k->header_offset);
	uint64_t header_addr = get_le(h + H_HEADER_ADDR, 4), load = get_le(h + H_LOAD_ADDR, 4);
	uint64_t load_end = get_le(h + H_LOAD_END, 4), bss_end = get_le(h + H_BSS_END, 4);
	uint64_t entry = get_le(h + H_ENTRY_ADDR, 4);
	if (load > header_addr)
		return errorf(-ENOEXEC, err, errlen, "load_addr 0x%lx is above header_addr 0x%lx",
			     load, header_addr);
	if (header_addr - load > k->header_offset)
		return errorf(-ENOEXEC, err, errlen,
			     "load_addr 0x%lx starts 0x%lx bytes before the header, which is only at "
			     "file offset 0x%x", load, header_addr - load, k->header_offset);
	uint64_t start = k->header_offset - (header_addr - load);
	if (!load_end)
		load_end = load + (size - start);
	else if (load_end <= header_addr)
		return errorf(-ENOEXEC, err, errlen,
			     "load_end_addr 0x%lx does not cover the header at 0x%lx", load_end,
			     header_addr);
	if (load_end - load > size - start)
		return errorf(-ENOEXEC, err, errlen,
			     "truncated: load_addr..load_end_addr is 0x%lx bytes from file offset "
			     "0x%lx, the file has 0x%zx", load_end - load, start, size);
	if (bss_end && bss_end < load_end)
		return errorf(-ENOEXEC, err, errlen, "bss_end_addr 0x%lx is below load_end_addr 0x%lx",
			     bss_end, load_end);
	uint64_t top = bss_end ? bss_end : load_end;
	if (top > LIMIT_4G)
		return errorf(-ENOEXEC, err, errlen, "the image ends at 0x%lx, above 4 GiB", top);
	if (entry < load || entry >= top)
		return errorf(-ENOEXEC, err, errlen,
			     "entry_addr 0x%lx is outside the loaded image 0x%lx..0x%lx", entry, load,
			     top);
	k->segs[0] = (struct gseg){ start, load, load_end - load, top - load };
	k->nr_segs = 1;
	k->load_lo = load;
	k->load_hi = top;
	k->entry = (uint32_t)entry;
	return 0;
}

static int parse_elf(const uint8_t *p, size_t size, struct gload_image *k, char *err, size_t errlen)
{
	struct elf64_info info;
	struct elf64_phdr ph;

	if (elf_check_guest(p, size, &info))
		return errorf(-ENOEXEC, err, errlen,
			     "no address fields (flag 16) and not a loadable ELF: %s",
			     elf_reason_str(info.reason));
	for (unsigned i = 0; i < info.phnum; i++) {
		if (elf64_phdr(p, size, i, &ph) || ph.type != ELF_PT_LOAD || !ph.memsz)
			continue;
		k->segs[k->nr_segs++] = (struct gseg){ ph.offset, ph.paddr, ph.filesz, ph.memsz };
	}
	k->entry = (uint32_t)info.entry_paddr; /* elf_check_guest: below 4 GiB */
	k->load_lo = info.paddr_lo;
	k->load_hi = info.paddr_hi;
	return 0;
}

int mb1g_parse(const void *img, size_t size, struct gload_image *out, char *err, size_t errlen)
{
	const uint8_t *p = img;

	memset(out, 0, sizeof(*out));
	if (!p)
		return errorf(-ENOEXEC, err, errlen, "no image");
	int rc = find_header(p, size, out, err, errlen);
	if (rc)
		return rc;
	if (out->flags & 0xffffu & ~F_KNOWN_REQUIRED)
		return errorf(-ENOEXEC, err, errlen,
			     "header flags 0x%x require features this loader does not know (bits "
			     "0x%x)", out->flags, out->flags & 0xffffu & ~F_KNOWN_REQUIRED);
	out->wants_video = !!(out->flags & MB1G_F_VIDEO);
	out->aout = !!(out->flags & MB1G_F_AOUT);
	rc = out->aout ? parse_aout(p, size, out, err, errlen) : parse_elf(p, size, out, err, errlen);
	if (rc)
		return rc;
	out->img = p;
	out->size = size;
	return 0;
}

/* ---- plan ---- */

/* KiB of RAM in the map entry holding addr, from addr up to min(end, cap). */
static uint32_t ram_kib_at(const struct gload_cfg *cfg, uint64_t addr, uint64_t cap)
{
	for (unsigned i = 0; i < cfg->e820_n; i++) {
		const struct e820_entry *e = &cfg->e820[i];
		uint64_t end = e->base + e->size;
		if (e->type != E820_RAM || addr < e->base || addr >= end)
			continue;
		end = end < cap ? end : cap;
		end = end < cfg->ram_size ? end : cfg->ram_size;
		return end > addr ? (uint32_t)((end - addr) >> 10) : 0;
	}
	return 0;
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

static void build_info(const struct gload_cfg *cfg, struct gload_plan *pl)
{
	uint8_t *b = pl->info;
	size_t mmap = I_FIXED_LEN, mods = mmap + cfg->e820_n * I_MMAP_ENTRY;
	size_t str = mods + cfg->nr_mods * I_MOD_ENTRY;

	put_le(b + I_OFF_FLAGS, I_MEM | I_CMDLINE | I_MODS | I_MMAP | I_LOADER_NAME, 4);
	put_le(b + I_OFF_MEM_LOWER, ram_kib_at(cfg, 0, 640 * 1024), 4);
	put_le(b + I_OFF_MEM_UPPER, ram_kib_at(cfg, MIB, LIMIT_4G), 4);
	put_le(b + I_OFF_CMDLINE, gload_add_string(pl, &str, str_or_empty(cfg->cmdline)), 4);
	put_le(b + I_OFF_MODS_COUNT, cfg->nr_mods, 4);
	put_le(b + I_OFF_MODS_ADDR, pl->info_gpa + mods, 4);
	put_le(b + I_OFF_MMAP_LENGTH, cfg->e820_n * I_MMAP_ENTRY, 4);
	put_le(b + I_OFF_MMAP_ADDR, pl->info_gpa + mmap, 4);
	put_le(b + I_OFF_LOADER_NAME, gload_add_string(pl, &str, MB1G_LOADER_NAME), 4);
	for (unsigned i = 0; i < cfg->e820_n; i++) {
		uint8_t *e = b + mmap + i * I_MMAP_ENTRY;
		put_le(e, I_MMAP_ENTRY - 4, 4); /* size excludes the size field itself */
		put_le(e + 4, cfg->e820[i].base, 8);
		put_le(e + 12, cfg->e820[i].size, 8);
		put_le(e + 20, cfg->e820[i].type, 4);
	}
	for (unsigned i = 0; i < cfg->nr_mods; i++) {
		uint8_t *m = b + mods + i * I_MOD_ENTRY;
		put_le(m, pl->mod_gpa[i], 4);
		put_le(m + 4, pl->mod_gpa[i] + cfg->mods[i].size, 4); /* exclusive end */
		put_le(m + 8, gload_add_string(pl, &str, str_or_empty(cfg->mods[i].cmdline)), 4);
	}
}

int mb1g_plan(const struct gload_image *k, const struct gload_cfg *cfg, struct gload_plan *pl,
	      char *err, size_t errlen)
{
	static const struct gload_format f = { "multiboot information block",
		I_FIXED_LEN + sizeof(MB1G_LOADER_NAME), I_MMAP_ENTRY, I_MOD_ENTRY, 1, false };
	int rc = gload_place(k, cfg, &f, pl, err, errlen);

	if (rc)
		return rc;
	build_info(cfg, pl);
	pl->entry = (struct gentry){
		.eip = k->entry, .eax = MB1G_BOOT_MAGIC, .ebx = (uint32_t)pl->info_gpa,
		.eflags = 0x2, .cr0 = 0x11, /* PE, ET; paging off */
		.cs_attr = 0xc9b, .ds_attr = 0xc93,
	};
	return 0;
}
