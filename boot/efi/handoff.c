/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * struct boot_info, leaving boot services, and the jump to the hypervisor.
 *
 * Entry contract (System V call `void entry(struct boot_info *bi)`):
 * long mode on the firmware's identity page tables, interrupts disabled,
 * DF clear, RDI = physical address of boot_info (below 4 GiB, in
 * BOOT_MEM_LOADED memory), RSP = top of a LOADER_STACK_PAGES stack of
 * BOOT_MEM_LOADED memory, aligned as after a call (RSP + 8 is a multiple of
 * 16, with a zero return address). The firmware's GDT, IDT and page tables
 * live in memory the map reports as BOOT_MEM_USABLE: the hypervisor must
 * install its own before it allocates.
 */
#include "boot/efi/loader.h"
#include "boot/efi/memmap.h"
#include "boot/bootinfo.h"
#include "kernel/errno.h"

#define MAP_SLACK_DESCS 32 /* room for the map to grow after we sized it */
#define EBS_TRIES       8

struct efi_map {
	void *buf;
	UINTN cap, size, key, desc_size;
	UINT32 desc_version;
};

EFI_STATUS handoff_alloc(struct loader *ld, struct boot_info **bi, UINT64 *stack_top)
{
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G;

	EFI_STATUS st = mem_pages(ld, AllocateMaxAddress, EfiLoaderData,
				  EFI_SIZE_TO_PAGES(sizeof(**bi)), &addr, "boot_info");
	if (EFI_ERROR(st))
		return st;
	*bi = (struct boot_info *)(UINTN)addr;
	bootinfo_init(*bi, BOOT_SRC_UEFI);
	addr = BELOW_4G;
	st = mem_pages(ld, AllocateMaxAddress, EfiLoaderData, LOADER_STACK_PAGES, &addr,
		       "hypervisor stack");
	*stack_top = addr + LOADER_STACK_PAGES * EFI_PAGE_SIZE;
	return st;
}

static int guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	return CompareMem(a, b, sizeof(*a)) == 0;
}

/* The ACPI 2.0+ RSDP (XSDT) if the firmware has one, else the ACPI 1.0 one. */
static UINT64 find_rsdp(const EFI_SYSTEM_TABLE *st)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	UINT64 v1 = 0;

	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		const EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];

		if (guid_eq(&t->VendorGuid, &acpi20))
			return (UINT64)(UINTN)t->VendorTable;
		if (guid_eq(&t->VendorGuid, &acpi10))
			v1 = (UINT64)(UINTN)t->VendorTable;
	}
	return v1;
}

/* Position and width of the (lowest) contiguous bit field in mask. */
static void mask_field(UINT32 mask, UINT8 *pos, UINT8 *size)
{
	*pos = mask ? (UINT8)__builtin_ctz(mask) : 0;
	*size = mask ? (UINT8)__builtin_ctzll(~(UINT64)(mask >> *pos)) : 0;
}

/* The firmware's current GOP mode, left as it is. Its two 8-bit formats
 * are read as the bit masks they amount to. */
static void fill_fb(struct loader *ld, struct boot_framebuffer *fb)
{
	static const EFI_PIXEL_BITMASK rgb = { 0xff, 0xff00, 0xff0000, 0xff000000 };
	static const EFI_PIXEL_BITMASK bgr = { 0xff0000, 0xff00, 0xff, 0xff000000 };
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	const EFI_PIXEL_BITMASK *px;

	if (EFI_ERROR(ld->bs->LocateProtocol(&GraphicsOutputProtocol, NULL, (void **)&gop)) ||
	    !gop->Mode || !gop->Mode->Info) {
		say(L"no framebuffer (no graphics output protocol)");
		return;
	}
	const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = gop->Mode->Info;
	px = info->PixelFormat == PixelRedGreenBlueReserved8BitPerColor ? &rgb :
	     info->PixelFormat == PixelBlueGreenRedReserved8BitPerColor ? &bgr :
	     info->PixelFormat == PixelBitMask ? &info->PixelInformation : NULL;
	if (!px) {
		say(L"no framebuffer (graphics output is blt-only)");
		return;
	}
	UINT32 all = px->RedMask | px->GreenMask | px->BlueMask | px->ReservedMask;
	fb->bpp = all ? (UINT8)((32 - __builtin_clz(all) + 7) & ~7) : 0; /* whole bytes */
	mask_field(px->RedMask, &fb->red_pos, &fb->red_size);
	mask_field(px->GreenMask, &fb->green_pos, &fb->green_size);
	mask_field(px->BlueMask, &fb->blue_pos, &fb->blue_size);
	fb->addr = gop->Mode->FrameBufferBase;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->pitch = info->PixelsPerScanLine * (fb->bpp / 8);
	say(L"framebuffer %ldx%ld, %ld bpp, pitch %ld at 0x%lx", (UINT64)fb->width,
	    (UINT64)fb->height, (UINT64)fb->bpp, (UINT64)fb->pitch, fb->addr);
}

void handoff_fill(struct loader *ld, const struct manifest *m, struct boot_info *bi)
{
	const char *name = ld->kind == SOURCE_PXE ? "Eyrie UEFI loader (PXE)"
						  : "Eyrie UEFI loader (disk)";

	bootinfo_copy_str(bi->loader, sizeof(bi->loader), name, sizeof(bi->loader));
	bootinfo_copy_str(bi->cmdline, sizeof(bi->cmdline), m->cmdline, sizeof(bi->cmdline));
	bi->rsdp = find_rsdp(ld->st);
	bi->efi_system_table = (UINT64)(UINTN)ld->st;
	if (!bi->rsdp)
		say(L"no ACPI RSDP in the configuration table");
	fill_fb(ld, &bi->fb);
}

static EFI_STATUS map_alloc(struct loader *ld, struct efi_map *m)
{
	EFI_STATUS st;

	m->size = 0;
	st = ld->bs->GetMemoryMap(&m->size, NULL, &m->key, &m->desc_size, &m->desc_version);
	if (st != EFI_BUFFER_TOO_SMALL)
		return fail(ld, st, "memory map", L"cannot size the memory map (%r)", st);
	m->cap = m->size + MAP_SLACK_DESCS * m->desc_size;
	return mem_pool(ld, m->cap, &m->buf, "memory map");
}

static EFI_STATUS map_get(struct loader *ld, struct efi_map *m)
{
	m->size = m->cap;
	return ld->bs->GetMemoryMap(&m->size, m->buf, &m->key, &m->desc_size, &m->desc_version);
}

static const CHAR16 *mem_type_name(UINT32 type)
{
	static const CHAR16 *const names[] = {
		L"?", L"usable", L"reserved", L"ACPI", L"ACPI NVS", L"bad",
		L"loaded", L"firmware", L"MMIO",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : names[0];
}

/* A trial conversion before the final map: errors can still be shown. */
static EFI_STATUS map_preflight(struct loader *ld, struct efi_map *m, struct boot_info *bi)
{
	EFI_STATUS st = map_get(ld, m);

	if (EFI_ERROR(st))
		return fail(ld, st, "memory map", L"GetMemoryMap failed (%r)", st);
	int r = memmap_from_efi(m->buf, m->size, m->desc_size, bi);
	if (r == -EINVAL)
		return fail(ld, EFI_UNSUPPORTED, "memory map", L"descriptor size %ld unsupported",
			    (UINT64)m->desc_size);
	if (r)
		say(L"warning: memory map has more than %ld ranges, some are dropped",
		    (UINT64)BOOT_MAX_MEM);
	for (UINT32 i = 0; ld->debug && i < bi->nr_mem; i++)
		say(L"mem 0x%016lx-0x%016lx %s", bi->mem[i].base,
		    bi->mem[i].base + bi->mem[i].length - 1, mem_type_name(bi->mem[i].type));
	return EFI_SUCCESS;
}

static void __attribute__((noreturn)) jump(UINT64 entry, UINT64 stack_top, UINT64 bi)
{
	__asm__ volatile("cli\n\t"
			 "cld\n\t"
			 "mov %0, %%rsp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "pushq $0\n\t"
			 "jmp *%1"
			 :
			 : "r"(stack_top), "r"(entry), "D"(bi)
			 : "memory");
	__builtin_unreachable();
}

EFI_STATUS handoff_start(struct loader *ld, struct boot_info *bi, UINT64 entry, UINT64 stack_top)
{
	struct efi_map m;

	EFI_STATUS st = map_alloc(ld, &m);
	if (!EFI_ERROR(st))
		st = map_preflight(ld, &m, bi);
	if (EFI_ERROR(st))
		return st;
	say(L"starting the hypervisor at 0x%lx, boot_info at 0x%lx", entry, (UINT64)(UINTN)bi);
	/* From here on: nothing that allocates (no Print) until ExitBootServices. */
	for (int i = 0; i < EBS_TRIES; i++) {
		st = map_get(ld, &m);
		if (st == EFI_BUFFER_TOO_SMALL) {
			/* Allocation is still allowed after a failed ExitBootServices. */
			mem_free(ld, m.buf);
			st = map_alloc(ld, &m);
			if (EFI_ERROR(st))
				return st;
			continue;
		}
		if (EFI_ERROR(st))
			break;
		st = ld->bs->ExitBootServices(ld->image, m.key);
		if (EFI_ERROR(st))
			continue; /* the map changed under us: fetch it again */
		/* Pure code only from here: boot services are gone. */
		memmap_from_efi(m.buf, m.size, m.desc_size, bi);
		jump(entry, stack_top, (UINT64)(UINTN)bi);
	}
	return fail(ld, st, "ExitBootServices", L"failed after %ld tries (%r)",
		    (UINT64)EBS_TRIES, st);
}
