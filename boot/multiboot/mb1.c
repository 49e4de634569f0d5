/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot (version 1, specification 0.6.96 section 3.3) boot information
 * parser. The information structure holds 32-bit physical pointers to the
 * command line, module list, memory map and strings; each is mapped with
 * its own length before use.
 */
#include "boot/multiboot/mb.h"
#include "kernel/bytes.h"
#include "kernel/errno.h"
#include "kernel/string.h"

/* flags bits: which fields of the information structure are valid. */
#define MB1_F_MEM     (1u << 0)
#define MB1_F_CMDLINE (1u << 2)
#define MB1_F_MODS    (1u << 3)
#define MB1_F_MMAP    (1u << 6)
#define MB1_F_LOADER  (1u << 9)
#define MB1_F_FB      (1u << 12)

#define MB1_INFO_LEN    68  /* flags .. boot_loader_name */
#define MB1_INFO_FB_LEN 116 /* .. framebuffer colour info */
#define MB1_MOD_SIZE    16  /* mod_start, mod_end, string, reserved */
#define MB1_MAX_MODS    4096
#define MB1_MAX_MMAP    (1u << 20)
#define MB1_MMAP_MIN    20  /* base_addr, length, type after the size */

/*
 * Copies the NUL-terminated string at phys into dst (truncating to
 * dstlen - 1), mapping at most up to each 4 KiB boundary so that a string
 * ending just before unmapped memory is still readable. Address 0 reads as
 * "". Returns 0, 1 when truncated, -EFAULT when unmapped.
 */
static int read_str(phys_map_fn map, uint64_t phys, char *dst, size_t dstlen)
{
	size_t n = 0;

	dst[0] = '\0';
	if (phys == 0)
		return 0;
	while (n + 1 < dstlen) {
		size_t chunk = 4096 - ((phys + n) & 4095);

		if (chunk > dstlen - 1 - n)
			chunk = dstlen - 1 - n;
		const char *p = map(phys + n, chunk);
		if (!p) {
			dst[n] = '\0';
			return -EFAULT;
		}
		for (size_t i = 0; i < chunk; i++, n++) {
			dst[n] = p[i];
			if (p[i] == '\0')
				return 0;
		}
	}
	dst[n] = '\0';
	return 1;
}

/* QEMU passes "<kernel path> <args>"; GRUB passes only the args. */
static int mb1_cmdline(struct boot_info *bi, phys_map_fn map, uint32_t addr)
{
	char raw[BOOT_CMDLINE_LEN + BOOT_NAME_LEN];
	const char *p = raw, *q;
	int ret = read_str(map, addr, raw, sizeof(raw));

	if (ret < 0)
		return ret;
	while (*p == ' ')
		p++;
	for (q = p; *q && *q != ' '; q++)
		;
	int strip = strncmp(bi->loader, "qemu", 4) == 0;
	if (!strip && q - p >= 4 && memcmp(q - 4, ".elf", 4) == 0) {
		strip = 1;
		for (const char *c = p; c < q; c++)
			if (*c == '=')
				strip = 0;
	}
	if (strip) {
		for (p = q; *p == ' '; p++)
			;
	}
	if (strlen(p) >= sizeof(bi->cmdline))
		ret = 1;
	bootinfo_copy_str(bi->cmdline, sizeof(bi->cmdline), p, strlen(p));
	return ret;
}

static int mb1_mods(struct boot_info *bi, phys_map_fn map, uint32_t count,
		    uint32_t addr, int *overflow)
{
	if (count == 0)
		return 0;
	if (count > MB1_MAX_MODS)
		return -EINVAL;
	const uint8_t *m = map(addr, (size_t)count * MB1_MOD_SIZE);
	if (!m)
		return -EFAULT;
	for (uint32_t i = 0; i < count; i++, m += MB1_MOD_SIZE) {
		char str[BOOT_CMDLINE_LEN];
		int ret = rd32(m + 4) < rd32(m) ? -EINVAL : read_str(map, rd32(m + 8), str, sizeof(str));

		if (ret >= 0)
			ret = bootinfo_add_mb_module(bi, rd32(m), rd32(m + 4), str, sizeof(str));
		if (ret == -ENOSPC)
			*overflow = 1;
		else if (ret < 0)
			return ret;
	}
	return 0;
}

/* Entries are `u32 size` followed by size bytes: base u64, length u64,
 * type u32 (1 available, 3 ACPI, 4 NVS, 5 bad, other reserved). */
static int mb1_mmap(struct boot_info *bi, phys_map_fn map, uint32_t len,
		    uint32_t addr, int *overflow)
{
	uint32_t off = 0;

	if (len > MB1_MAX_MMAP)
		return -EINVAL;
	if (len == 0)
		return 0;
	const uint8_t *p = map(addr, len);
	if (!p)
		return -EFAULT;
	while (len - off >= 4) {
		uint32_t size = rd32(p + off);
		const uint8_t *e = p + off + 4;

		if (size < MB1_MMAP_MIN || size > len - off - 4)
			return -EINVAL;
		if (bootinfo_add_e820(bi, e) < 0)
			*overflow = 1;
		off += size + 4;
	}
	return 0;
}

static int mb1_memory(struct boot_info *bi, phys_map_fn map,
		      const uint8_t *mi, uint32_t flags, int *overflow)
{
	if (flags & MB1_F_MMAP)
		return mb1_mmap(bi, map, rd32(mi + 44), rd32(mi + 48), overflow);
	if (!(flags & MB1_F_MEM))
		return -ENODATA;
	if (bootinfo_add_meminfo(bi, rd32(mi + 4), rd32(mi + 8)) < 0)
		*overflow = 1;
	return 0;
}

int mb1_parse(uint32_t info_phys, phys_map_fn map, struct boot_info *bi)
{
	int overflow = 0, ret, mem_ret;

	bootinfo_init(bi, BOOT_SRC_MULTIBOOT1);
	bootinfo_copy_str(bi->loader, sizeof(bi->loader), "multiboot1", 16);
	const uint8_t *mi = map(info_phys, MB1_INFO_LEN);
	if (!mi)
		return -EFAULT;
	uint32_t flags = rd32(mi);
	if (flags & MB1_F_LOADER) {
		ret = read_str(map, rd32(mi + 64), bi->loader, sizeof(bi->loader));
		if (ret < 0)
			return ret;
	}
	if (flags & MB1_F_CMDLINE) {
		ret = mb1_cmdline(bi, map, rd32(mi + 16));
		if (ret < 0)
			return ret;
		overflow |= ret;
	}
	if (flags & MB1_F_MODS) {
		ret = mb1_mods(bi, map, rd32(mi + 20), rd32(mi + 24), &overflow);
		if (ret < 0)
			return ret;
	}
	mem_ret = mb1_memory(bi, map, mi, flags, &overflow);
	if (mem_ret < 0 && mem_ret != -ENODATA)
		return mem_ret;
	if (flags & MB1_F_FB) {
		mi = map(info_phys, MB1_INFO_FB_LEN);
		if (!mi)
			return -EFAULT;
		bootinfo_set_fb(bi, mi + 88, mi + 110);
	}
	if (bootinfo_normalize(bi) < 0)
		overflow = 1;
	return mem_ret < 0 ? mem_ret : overflow ? -ENOSPC : 0;
}
