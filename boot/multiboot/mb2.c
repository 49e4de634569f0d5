/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot2 boot information parser (Multiboot2 specification 1.0/2.0,
 * section 3.6). The block is `u32 total_size, u32 reserved` followed by
 * tags `u32 type, u32 size, payload`, each starting 8-byte aligned, ending
 * with a tag of type 0 and size 8. Nothing is read outside the block.
 */
#include "boot/multiboot/mb.h"
#include "kernel/bytes.h"
#include "kernel/errno.h"
#include "kernel/string.h"

enum {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FB = 8,
	MB2_TAG_EFI32 = 11,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_EFI_MMAP = 17,
	MB2_TAGS
};

/* The smallest size of each tag this parser reads (header included); a
 * smaller one makes the block malformed. */
static const uint8_t tag_min[MB2_TAGS] = {
	[MB2_TAG_CMDLINE] = 8, [MB2_TAG_LOADER] = 8, [MB2_TAG_MODULE] = 16,
	[MB2_TAG_MEMINFO] = 16, [MB2_TAG_MMAP] = 16, [MB2_TAG_EFI32] = 12, [MB2_TAG_EFI64] = 16,
	[MB2_TAG_ACPI_OLD] = 8 + 20, [MB2_TAG_ACPI_NEW] = 8 + 36, [MB2_TAG_EFI_MMAP] = 16,
};

#define MB2_FB_TAG_MIN     38  /* common part (32) + RGB colour info (6) */
#define MB2_MMAP_ENTRY_MIN 24  /* base, length, type, reserved */

struct mb2_state {
	const uint8_t *blk;
	uint32_t total;
	uint32_t off[MB2_TAGS]; /* where the last tag of each type is; 0: none */
	int have_mmap;
	int overflow;
};

static void note(struct mb2_state *st, int ret)
{
	if (ret < 0)
		st->overflow = 1;
}

static int tag_mmap(struct mb2_state *st, struct boot_info *bi, const uint8_t *t, uint32_t size)
{
	uint32_t esize = rd32(t + 8), off;

	if (esize < MB2_MMAP_ENTRY_MIN)
		return -EINVAL;
	for (off = 16; size - off >= esize; off += esize)
		note(st, bootinfo_add_e820(bi, t + off));
	st->have_mmap = 1;
	return 0;
}

/* Tags read once the walk is done (memory information, RSDPs, the EFI
 * map) are only remembered here. */
static int mb2_tag(struct mb2_state *st, struct boot_info *bi, uint32_t off,
		   uint32_t type, uint32_t size)
{
	const uint8_t *t = st->blk + off;

	if (type >= MB2_TAGS)
		return 0; /* tags we do not use */
	if (size < tag_min[type])
		return -EINVAL;
	st->off[type] = off;
	switch (type) {
	case MB2_TAG_CMDLINE:
		if (strnlen((const char *)t + 8, size - 8) >= sizeof(bi->cmdline))
			st->overflow = 1;
		bootinfo_copy_str(bi->cmdline, sizeof(bi->cmdline), (const char *)t + 8, size - 8);
		return 0;
	case MB2_TAG_LOADER:
		bootinfo_copy_str(bi->loader, sizeof(bi->loader), (const char *)t + 8, size - 8);
		return 0;
	case MB2_TAG_MODULE: {
		int ret = bootinfo_add_mb_module(bi, rd32(t + 8), rd32(t + 12), (const char *)t + 16,
						 size - 16);
		note(st, ret);
		return ret == -EINVAL ? ret : 0;
	}
	case MB2_TAG_MMAP:
		return tag_mmap(st, bi, t, size);
	case MB2_TAG_FB: /* only direct RGB at 16/24/32 bpp is taken */
		if (size >= MB2_FB_TAG_MIN)
			bootinfo_set_fb(bi, t + 8, t + 32);
		return 0;
	case MB2_TAG_EFI32:
		bi->efi_system_table = rd32(t + 8);
		return 0;
	case MB2_TAG_EFI64:
		bi->efi_system_table = rd64(t + 8);
		return 0;
	default:
		return 0;
	}
}

/* Walks the tag list, validating every tag header before use. */
static int mb2_walk(struct mb2_state *st, struct boot_info *bi)
{
	uint32_t off = 8;

	for (;;) {
		if (off > st->total || st->total - off < 8)
			return -EINVAL; /* ran off the end: no end tag */
		uint32_t type = rd32(st->blk + off), size = rd32(st->blk + off + 4);
		if (size < 8 || size > st->total - off)
			return -EINVAL;
		if (type == MB2_TAG_END)
			return 0;
		int ret = mb2_tag(st, bi, off, type, size);
		if (ret < 0)
			return ret;
		off += (size + 7) & ~7u;
	}
}

int mb2_parse(uint64_t info_phys, phys_map_fn map, struct boot_info *bi)
{
	struct mb2_state st = { 0 };
	int ret = 0;

	bootinfo_init(bi, BOOT_SRC_MULTIBOOT2);
	bootinfo_copy_str(bi->loader, sizeof(bi->loader), "multiboot2", 16);
	if (info_phys & 7)
		return -EINVAL;
	const uint8_t *hdr = map(info_phys, 8);
	if (!hdr)
		return -EFAULT;
	st.total = rd32(hdr);
	if (st.total < 16 || st.total > MB2_MAX_INFO_SIZE)
		return -EINVAL;
	st.blk = map(info_phys, st.total);
	if (!st.blk)
		return -EFAULT;
	ret = mb2_walk(&st, bi);
	if (ret < 0)
		return ret;

	if (!st.have_mmap && st.off[MB2_TAG_EFI_MMAP]) {
		const uint8_t *t = st.blk + st.off[MB2_TAG_EFI_MMAP];
		ret = bootinfo_add_efi_map(bi, t + 16, rd32(t + 4) - 16, rd32(t + 8));
		if (ret == -EINVAL)
			return ret;
		note(&st, ret);
	} else if (!st.have_mmap && st.off[MB2_TAG_MEMINFO]) {
		note(&st, bootinfo_add_meminfo(bi, rd32(st.blk + st.off[MB2_TAG_MEMINFO] + 8),
					       rd32(st.blk + st.off[MB2_TAG_MEMINFO] + 12)));
	}
	if (!st.have_mmap && !st.off[MB2_TAG_EFI_MMAP] && !st.off[MB2_TAG_MEMINFO])
		ret = -ENODATA;
	if (st.off[MB2_TAG_ACPI_NEW] || st.off[MB2_TAG_ACPI_OLD])
		bi->rsdp = info_phys + 8 + (st.off[MB2_TAG_ACPI_NEW] ? st.off[MB2_TAG_ACPI_NEW]
								    : st.off[MB2_TAG_ACPI_OLD]);
	note(&st, bootinfo_add_loaded(bi, info_phys, st.total));
	note(&st, bootinfo_normalize(bi));
	return ret < 0 ? ret : st.overflow ? -ENOSPC : 0;
}
