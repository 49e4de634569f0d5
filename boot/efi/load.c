/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Loading the manifest, the hypervisor ELF and the modules.
 *
 * The hypervisor's PT_LOAD segments go to their physical addresses in
 * EfiLoaderCode pages (OVMF may map EfiLoaderData non-executable, and we
 * jump there on the firmware's page tables). Modules go to page-aligned
 * EfiLoaderData pages below 4 GiB.
 */
#include "boot/efi/loader.h"
#include "kernel/elf.h"
#include "boot/bootinfo.h"

EFI_STATUS load_manifest(struct loader *ld, struct manifest *m)
{
	struct manifest_error err;
	struct file_buf f;

	EFI_STATUS st = source_load(ld, LOADER_MANIFEST, DEST_POOL, LOADER_MANIFEST_MAX, &f);
	if (EFI_ERROR(st))
		return st;
	int r = manifest_parse(f.data, (size_t)f.size, m, &err);
	mem_free(ld, f.data);
	if (r && err.line)
		return fail(ld, EFI_LOAD_ERROR, LOADER_MANIFEST, L"line %ld: %a",
			    (UINT64)err.line, manifest_reason_str(err.reason));
	if (r)
		return fail(ld, EFI_LOAD_ERROR, LOADER_MANIFEST, L"%a",
			    manifest_reason_str(err.reason));
	say(L"%a: %ld bytes, hypervisor %a, %ld module(s)", LOADER_MANIFEST, f.size,
	    m->hv_path, (UINT64)m->nr_modules);
	return EFI_SUCCESS;
}

static EFI_STATUS elf_refused(struct loader *ld, const char *path, const struct elf64_info *info)
{
	if (info->reason >= ELF_ERR_SEG_FILE && info->reason <= ELF_ERR_SEG_OVERLAP)
		return fail(ld, EFI_LOAD_ERROR, path, L"%a (program header %ld)", /* a segment's */
			    elf_reason_str(info->reason), (UINT64)info->bad_phdr);
	return fail(ld, EFI_LOAD_ERROR, path, L"%a", elf_reason_str(info->reason));
}

/* Copies every PT_LOAD of a checked image to its (already allocated) paddr. */
static void place_segments(const struct file_buf *f, const struct elf64_info *info)
{
	struct elf64_phdr ph;

	for (unsigned i = 0; i < info->phnum; i++) {
		elf64_phdr(f->data, (size_t)f->size, i, &ph);
		if (ph.type == ELF_PT_LOAD && ph.filesz)
			CopyMem((void *)(UINTN)ph.paddr, (UINT8 *)f->data + ph.offset,
				(UINTN)ph.filesz);
	}
}

EFI_STATUS load_hypervisor(struct loader *ld, const struct manifest *m, UINT64 *entry)
{
	const char *path = m->hv_path;
	struct elf64_info info;
	struct file_buf f;

	EFI_STATUS st = source_load(ld, path, DEST_POOL, 0, &f);
	if (EFI_ERROR(st))
		return st;
	if (elf64_check(f.data, (size_t)f.size, &info))
		return elf_refused(ld, path, &info);
	/*
	 * One allocation for the page-rounded span of all segments: segments
	 * may share a page, and the gaps between them cost little.
	 */
	EFI_PHYSICAL_ADDRESS base = info.paddr_lo & ~(UINT64)EFI_PAGE_MASK;
	UINT64 end = (info.paddr_hi + EFI_PAGE_MASK) & ~(UINT64)EFI_PAGE_MASK;
	st = mem_pages(ld, AllocateAddress, EfiLoaderCode, EFI_SIZE_TO_PAGES(end - base),
		       &base, path);
	if (EFI_ERROR(st))
		return st;
	SetMem((void *)(UINTN)base, (UINTN)(end - base), 0);
	place_segments(&f, &info);
	mem_free(ld, f.data);
	*entry = info.entry_paddr;
	say(L"%a: %ld bytes, %ld segment(s) at 0x%lx-0x%lx, entry 0x%lx", path, f.size,
	    (UINT64)info.nr_load, (UINT64)base, end - 1, *entry);
	return EFI_SUCCESS;
}

EFI_STATUS load_modules(struct loader *ld, const struct manifest *m, struct boot_info *bi)
{
	for (unsigned i = 0; i < m->nr_modules; i++) {
		const struct manifest_module *mod = &m->modules[i];
		struct file_buf f;

		EFI_STATUS st = source_load(ld, mod->path, DEST_PAGES_4G, 0, &f);
		if (EFI_ERROR(st))
			return st;
		/* The manifest parser allows at most BOOT_MAX_MODULES. */
		bootinfo_add_module(bi, (UINT64)(UINTN)f.data, f.size, mod->name);
		say(L"%a: %ld bytes at 0x%lx, module \"%a\"", mod->path, f.size,
		    (UINT64)(UINTN)f.data, mod->name);
	}
	return EFI_SUCCESS;
}
