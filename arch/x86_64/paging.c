/* SPDX-License-Identifier: GPL-2.0-only */
/* Hypervisor paging (see paging.h), built with kernel/pt. */
#include "arch/x86_64/paging.h"
#include "arch/x86_64/cpu.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pt.h"
#include "kernel/string.h"

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_NX  (1ull << 63)
/* PAT entry 1 (selected by PWT alone) is reprogrammed from WT to WC. */
#define PAT_VALUE 0x0007040600070106ull

extern char _image_start[], _text_end[], _rodata_end[], _image_end[];

static struct pt hv_pt;
static uint64_t nx;
/* Page 0 stays unmapped to catch NULL; its BIOS data (the EBDA pointer at
 * 0x40E) is read from this copy taken before the switch. */
static uint8_t page0_copy[PT_SIZE_4K];

static void *pt_alloc(void *ctx, uint64_t *phys)
{
	*phys = frame_get(FRAME_PAGETABLE);
	return *phys ? phys_to_virt(*phys) : NULL;
}

static void pt_free(void *ctx, void *t, uint64_t phys)
{
	frame_put(phys, FRAME_PAGETABLE);
}

static void *pt_virt(void *ctx, uint64_t phys)
{
	return phys_to_virt(phys);
}

static const struct pt_ops hv_pt_ops = { pt_alloc, pt_free, pt_virt, NULL };

static void map(uint64_t lo, uint64_t hi, uint64_t flags)
{
	lo &= ~(PT_SIZE_4K - 1);
	hi = (hi + PT_SIZE_4K - 1) & ~(PT_SIZE_4K - 1);
	if (hi > lo && pt_map(&hv_pt, lo, lo, hi - lo, flags))
		panic("paging: out of memory mapping 0x%lx-0x%lx", lo, hi);
}

void paging_init(const struct boot_info *bi)
{
	nx = boot_cpu.nx ? PTE_NX : 0;
	wrmsr(MSR_PAT, PAT_VALUE);
	if (pt_init(&hv_pt, &pt_format_x86, &hv_pt_ops))
		panic("paging: no memory for the root table");

	map(PT_SIZE_4K, 0x100000, PTE_P | PTE_W | nx);
	for (uint32_t i = 0; i < bi->nr_mem; i++) {
		const struct boot_mem_range *m = &bi->mem[i];
		uint64_t lo = m->base < PT_SIZE_4K ? PT_SIZE_4K : m->base;
		if (m->type == BOOT_MEM_BAD)
			continue;
		map(lo, m->base + m->length, PTE_P | PTE_W | nx |
		    (m->type == BOOT_MEM_MMIO ? PTE_PCD | PTE_PWT : 0));
	}
	map((uint64_t)_image_start, (uint64_t)_text_end, PTE_P);
	map((uint64_t)_text_end, (uint64_t)_rodata_end, PTE_P | nx);
	map((uint64_t)_rodata_end, (uint64_t)_image_end, PTE_P | PTE_W | nx);
	memcpy(page0_copy, (const void *)(uintptr_t)0, sizeof(page0_copy));
	write_cr3(hv_pt.root_phys);
	pr_info("paging: identity map in %lu tables, text RX, rodata R, data RW+NX\n",
		hv_pt.tables);
}

uint64_t paging_trampoline(uint64_t pa, bool exec)
{
	map(pa, pa + PT_SIZE_4K, PTE_P | PTE_W | (exec ? 0 : nx));
	invlpg(pa);
	return hv_pt.root_phys;
}

void paging_init_ap(void)
{
	wrmsr(MSR_PAT, PAT_VALUE);
}

void *ioremap(uint64_t phys, size_t size, enum cache_mode mode)
{
	static const uint64_t cache[] = { 0, PTE_PWT, PTE_PCD | PTE_PWT };
	uint64_t lo = phys & ~(PT_SIZE_4K - 1);
	uint64_t hi = (phys + size + PT_SIZE_4K - 1) & ~(PT_SIZE_4K - 1);

	if (!size || phys + size < phys || pt_map(&hv_pt, lo, lo, hi - lo,
						  PTE_P | PTE_W | nx | cache[mode]))
		return NULL;
	write_cr3(read_cr3()); /* no global pages: this flushes everything */
	return phys_to_virt(phys);
}

const void *paging_map_firmware(uint64_t phys, size_t len)
{
	uint64_t pa, flags;
	uint64_t lo = phys & ~(PT_SIZE_4K - 1);

	if (!len || phys + len < phys || phys + len > (1ull << boot_cpu.phys_addr_bits))
		return NULL;
	if (phys + len <= PT_SIZE_4K)
		return page0_copy + phys;
	if (phys < PT_SIZE_4K)
		return NULL;
	for (uint64_t p = lo; p < phys + len; p += PT_SIZE_4K)
		if (pt_lookup(&hv_pt, p, &pa, &flags) &&
		    pt_map(&hv_pt, p, p, PT_SIZE_4K, PTE_P | nx))
			return NULL;
	write_cr3(read_cr3());
	return phys_to_virt(phys);
}

unsigned long paging_tables(void)
{
	return hv_pt.tables;
}
