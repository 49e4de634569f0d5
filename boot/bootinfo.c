/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building struct boot_info: memory map normalization and module records.
 */
#include "boot/bootinfo.h"
#include "boot/efi/memmap.h"
#include "kernel/bytes.h"
#include "kernel/errno.h"
#include "kernel/string.h"

void bootinfo_init(struct boot_info *bi, enum boot_source src)
{
	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->source = (uint32_t)src;
}

/* Higher rank wins an overlap. Types of equal restrictiveness still get
 * distinct ranks so the result does not depend on input order; unknown
 * types rank as RESERVED. */
static int mem_rank(uint32_t type)
{
	static const uint8_t rank[] = {
		[BOOT_MEM_USABLE] = 1, [BOOT_MEM_LOADED] = 2, [BOOT_MEM_ACPI] = 3,
		[BOOT_MEM_ACPI_NVS] = 4, [BOOT_MEM_RESERVED] = 5, [BOOT_MEM_MMIO] = 6,
		[BOOT_MEM_FIRMWARE] = 7, [BOOT_MEM_BAD] = 8,
	};

	return type < sizeof(rank) && rank[type] ? rank[type] : 5;
}

static uint64_t mem_end(const struct boot_mem_range *r)
{
	return r->base + r->length;
}

static void mem_remove(struct boot_info *bi, uint32_t i)
{
	memmove(&bi->mem[i], &bi->mem[i + 1], (bi->nr_mem - i - 1) * sizeof(bi->mem[0]));
	bi->nr_mem--;
}

/* Moves entry i towards the end until the order by base holds again. */
static void mem_sift_up(struct boot_info *bi, uint32_t i)
{
	while (i + 1 < bi->nr_mem && bi->mem[i + 1].base < bi->mem[i].base) {
		struct boot_mem_range t = bi->mem[i];
		bi->mem[i] = bi->mem[i + 1];
		bi->mem[i + 1] = t;
		i++;
	}
}

/* Inserts keeping the order by base, searching from index `from`. */
static int mem_insert(struct boot_info *bi, uint32_t from, uint64_t base,
		      uint64_t len, uint32_t type)
{
	uint32_t i = from;

	if (bi->nr_mem >= BOOT_MAX_MEM)
		return -ENOSPC;
	while (i < bi->nr_mem && bi->mem[i].base <= base)
		i++;
	memmove(&bi->mem[i + 1], &bi->mem[i], (bi->nr_mem - i) * sizeof(bi->mem[0]));
	bi->mem[i] = (struct boot_mem_range){ base, len, type, 0 };
	bi->nr_mem++;
	return 0;
}

/*
 * Resolves entries i and i + 1 (sorted, they touch or overlap). Returns the
 * index to examine next, and sets *full when a split did not fit.
 */
static uint32_t mem_resolve(struct boot_info *bi, uint32_t i, int *full)
{
	struct boot_mem_range *a = &bi->mem[i], *b = &bi->mem[i + 1];
	uint64_t aend = mem_end(a), bend = mem_end(b);

	if (a->type == b->type) {
		if (bend > aend)
			a->length = bend - a->base;
		mem_remove(bi, i + 1);
		return i;
	}
	if (mem_rank(a->type) > mem_rank(b->type)) {
		if (bend <= aend) {
			mem_remove(bi, i + 1);
		} else {
			b->base = aend;
			b->length = bend - aend;
			mem_sift_up(bi, i + 1);
		}
		return i;
	}
	/* b wins: a keeps what lies before b, and what lies after b. */
	/* The tail goes in after b: a and b stay where they are. */
	if (aend > bend && mem_insert(bi, i + 2, bend, aend - bend, a->type) < 0) {
		/* No room for the tail: cover it by b's type. */
		*full = 1;
		b->length = aend - b->base;
	}
	a->length = b->base - a->base;
	if (a->length == 0) {
		mem_remove(bi, i);
		return i > 0 ? i - 1 : 0;
	}
	return i;
}

int bootinfo_add_e820(struct boot_info *bi, const uint8_t *e)
{
	static const uint8_t t[] = { [1] = BOOT_MEM_USABLE, [3] = BOOT_MEM_ACPI,
				     [4] = BOOT_MEM_ACPI_NVS, [5] = BOOT_MEM_BAD };
	uint32_t type = rd32(e + 16);

	return bootinfo_add_mem(bi, rd64(e), rd64(e + 8),
				type < sizeof(t) && t[type] ? t[type] : BOOT_MEM_RESERVED);
}

int bootinfo_add_meminfo(struct boot_info *bi, uint32_t lower_kib, uint32_t upper_kib)
{
	int lo = bootinfo_add_mem(bi, 0, (uint64_t)lower_kib << 10, BOOT_MEM_USABLE);
	int hi = bootinfo_add_mem(bi, 1ull << 20, (uint64_t)upper_kib << 10, BOOT_MEM_USABLE);

	return lo || hi ? -ENOSPC : 0;
}

#define EFI_DESC_MIN       40 /* type, pad, phys, virt, pages, attribute */
#define EFI_MEMORY_RUNTIME (1ull << 63)

int bootinfo_add_efi_map(struct boot_info *bi, const uint8_t *map, size_t size, size_t desc_size)
{
	static const uint8_t t[] = {
		[EFIMT_LOADER_CODE] = BOOT_MEM_LOADED, [EFIMT_LOADER_DATA] = BOOT_MEM_LOADED,
		[EFIMT_BS_CODE] = BOOT_MEM_USABLE, [EFIMT_BS_DATA] = BOOT_MEM_USABLE,
		[EFIMT_RT_CODE] = BOOT_MEM_FIRMWARE, [EFIMT_RT_DATA] = BOOT_MEM_FIRMWARE,
		[EFIMT_CONVENTIONAL] = BOOT_MEM_USABLE, [EFIMT_UNUSABLE] = BOOT_MEM_BAD,
		[EFIMT_ACPI_RECLAIM] = BOOT_MEM_ACPI, [EFIMT_ACPI_NVS] = BOOT_MEM_ACPI_NVS,
		[EFIMT_MMIO] = BOOT_MEM_MMIO, [EFIMT_MMIO_PORT] = BOOT_MEM_MMIO,
	};
	int err = 0;

	if (desc_size < EFI_DESC_MIN)
		return -EINVAL;
	for (size_t off = 0; desc_size <= size - off; off += desc_size) {
		const uint8_t *d = map + off;
		uint32_t type = rd32(d);
		uint64_t pages = rd64(d + 24);
		uint32_t bt = rd64(d + 32) & EFI_MEMORY_RUNTIME ? BOOT_MEM_FIRMWARE :
			      type < sizeof(t) && t[type] ? t[type] : BOOT_MEM_RESERVED;
		/* A page count past 2^64 bytes is clipped by bootinfo_add_mem. */
		if (bootinfo_add_mem(bi, rd64(d + 8), pages > UINT64_MAX >> 12 ? UINT64_MAX
								       : pages << 12, bt))
			err = -ENOSPC;
	}
	return err;
}

int bootinfo_normalize(struct boot_info *bi)
{
	int full = 0;
	uint32_t i;

	for (i = 0; i < bi->nr_mem;) {
		if (bi->mem[i].length == 0)
			mem_remove(bi, i);
		else
			i++;
	}
	/* Insertion sort (firmware maps are short and nearly sorted): each
	 * entry joins the sorted ones after it. */
	for (i = bi->nr_mem; i-- > 1;)
		mem_sift_up(bi, i - 1);
	i = 0;
	while (i + 1 < bi->nr_mem) {
		const struct boot_mem_range *a = &bi->mem[i], *b = &bi->mem[i + 1];
		uint64_t aend = mem_end(a);

		if (b->base > aend || (b->base == aend && a->type != b->type)) {
			i++;
			continue;
		}
		i = mem_resolve(bi, i, &full);
	}
	return full ? -ENOSPC : 0;
}

int bootinfo_add_mem(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type)
{
	if (len == 0)
		return 0;
	if (len > UINT64_MAX - base)
		len = UINT64_MAX - base;
	if (mem_rank(type) == 5 && type != BOOT_MEM_RESERVED)
		type = BOOT_MEM_RESERVED;
	if (bi->nr_mem >= BOOT_MAX_MEM) {
		bootinfo_normalize(bi);
		if (bi->nr_mem >= BOOT_MAX_MEM)
			return -ENOSPC;
	}
	bi->mem[bi->nr_mem++] = (struct boot_mem_range){ base, len, type, 0 };
	return 0;
}

int bootinfo_add_loaded(struct boot_info *bi, uint64_t base, uint64_t len)
{
	uint64_t start = base & ~0xfffull, end;

	if (len == 0)
		return 0;
	end = len > UINT64_MAX - base ? UINT64_MAX : base + len;
	if (end <= UINT64_MAX - 0xfff)
		end = (end + 0xfff) & ~0xfffull;
	return bootinfo_add_mem(bi, start, end - start, BOOT_MEM_LOADED);
}

void bootinfo_copy_str(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t n = 0;

	if (dstlen == 0)
		return;
	while (src && n < srclen && n + 1 < dstlen && src[n] != '\0') {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
}

void bootinfo_module_name(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t start = 0, end = 0;

	src = src ? src : ""; /* no string: an empty name */
	while (start < srclen && src[start] == ' ')
		start++;
	end = start;
	while (end < srclen && src[end] != '\0' && src[end] != ' ') {
		if (src[end] == '/')
			start = end + 1;
		end++;
	}
	bootinfo_copy_str(dst, dstlen, src + start, end - start);
}

int bootinfo_add_module(struct boot_info *bi, uint64_t start, uint64_t size, const char *name)
{
	if (bi->nr_modules >= BOOT_MAX_MODULES)
		return -ENOSPC;
	struct boot_module *m = &bi->modules[bi->nr_modules++];
	m->start = start;
	m->size = size;
	bootinfo_copy_str(m->name, sizeof(m->name), name, BOOT_NAME_LEN);
	return 0;
}

int bootinfo_add_mb_module(struct boot_info *bi, uint32_t start, uint32_t end, const char *str,
			   size_t srclen)
{
	char name[BOOT_NAME_LEN];

	if (end < start)
		return -EINVAL;
	bootinfo_module_name(name, sizeof(name), str, srclen);
	int rec = bootinfo_add_module(bi, start, end - start, name);
	int mem = bootinfo_add_loaded(bi, start, end - start);
	return rec || mem ? -ENOSPC : 0;
}

void bootinfo_set_fb(struct boot_info *bi, const uint8_t *f, const uint8_t *colour)
{
	struct boot_framebuffer *fb = &bi->fb;
	uint64_t addr = rd64(f);
	uint32_t pitch = rd32(f + 8), w = rd32(f + 12), h = rd32(f + 16);
	uint8_t bpp = f[20];

	if (f[21] != 1 /* direct RGB */ || !addr || (bpp != 16 && bpp != 24 && bpp != 32) ||
	    !w || !h || pitch < (uint64_t)w * (bpp / 8))
		return;
	*fb = (struct boot_framebuffer){
		.addr = addr, .pitch = pitch, .width = w, .height = h, .bpp = bpp,
		.red_pos = colour[0], .red_size = colour[1], .green_pos = colour[2],
		.green_size = colour[3], .blue_pos = colour[4], .blue_size = colour[5],
	};
}
