/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BOOTX64.EFI entry point: find the files, load the hypervisor and its
 * modules, describe the machine in struct boot_info, leave boot services
 * and jump. Any failure prints one "Eyrie loader: error:" line, pauses and
 * returns an error to the firmware, which then tries its next boot option.
 */
#include "boot/efi/loader.h"

void say(const CHAR16 *fmt, ...)
{
	va_list ap;

	Print(L"Eyrie loader: ");
	va_start(ap, fmt);
	VPrint(fmt, ap);
	va_end(ap);
	Print(L"\r\n");
}

EFI_STATUS fail(struct loader *ld, EFI_STATUS status, const char *what, const CHAR16 *fmt, ...)
{
	va_list ap;

	Print(L"Eyrie loader: error: %a: ", what);
	va_start(ap, fmt);
	VPrint(fmt, ap);
	va_end(ap);
	Print(L"\r\n");
	ld->bs->Stall(LOADER_ERROR_STALL);
	return EFI_ERROR(status) ? status : EFI_LOAD_ERROR;
}

/* Called only after the callers checked there is room. */
static EFI_STATUS track(struct loader *ld, EFI_PHYSICAL_ADDRESS addr, UINTN pages)
{
	ld->allocs[ld->nr_allocs++] = (struct loader_alloc){ addr, pages };
	return EFI_SUCCESS;
}

EFI_STATUS mem_pages(struct loader *ld, EFI_ALLOCATE_TYPE how, EFI_MEMORY_TYPE type,
		     UINTN pages, EFI_PHYSICAL_ADDRESS *addr, const char *what)
{
	EFI_PHYSICAL_ADDRESS want = *addr;
	EFI_STATUS st = EFI_OUT_OF_RESOURCES;

	if (ld->nr_allocs < LOADER_MAX_ALLOCS)
		st = ld->bs->AllocatePages(how, type, pages, addr);
	if (!EFI_ERROR(st))
		return track(ld, *addr, pages);
	if (how == AllocateAddress)
		return fail(ld, st, what, L"cannot allocate 0x%lx-0x%lx, in use by the firmware (%r)",
			    (UINT64)want, (UINT64)(want + pages * EFI_PAGE_SIZE - 1), st);
	return fail(ld, st, what, L"cannot allocate %ld KiB of memory%s (%r)",
		    (UINT64)pages * 4, how == AllocateMaxAddress ? L" below 4 GiB" : L"", st);
}

EFI_STATUS mem_pool(struct loader *ld, UINTN size, void **p, const char *what)
{
	EFI_STATUS st = EFI_OUT_OF_RESOURCES;

	if (ld->nr_allocs < LOADER_MAX_ALLOCS)
		st = ld->bs->AllocatePool(EfiLoaderData, size, p);
	if (!EFI_ERROR(st))
		return track(ld, (EFI_PHYSICAL_ADDRESS)(UINTN)*p, 0);
	return fail(ld, st, what, L"cannot allocate %ld bytes of memory (%r)", (UINT64)size, st);
}

static void release(struct loader *ld, unsigned i)
{
	struct loader_alloc *a = &ld->allocs[i];

	if (a->pages)
		ld->bs->FreePages(a->addr, a->pages);
	else
		ld->bs->FreePool((void *)(UINTN)a->addr);
	*a = ld->allocs[--ld->nr_allocs];
}

void mem_free(struct loader *ld, void *p)
{
	for (unsigned i = 0; i < ld->nr_allocs; i++)
		if (ld->allocs[i].addr == (EFI_PHYSICAL_ADDRESS)(UINTN)p) {
			release(ld, i);
			return;
		}
}

void mem_release_all(struct loader *ld)
{
	while (ld->nr_allocs)
		release(ld, ld->nr_allocs - 1);
}

/* Is word a blank-separated token of s? */
static int has_token(const char *s, const char *word)
{
	for (const char *p = s; *p; p++) {
		UINTN i = 0;

		if (p != s && p[-1] != ' ' && p[-1] != '\t')
			continue;
		while (word[i] && p[i] == word[i])
			i++;
		if (!word[i] && (p[i] == '\0' || p[i] == ' ' || p[i] == '\t'))
			return 1;
	}
	return 0;
}

static EFI_STATUS run(struct loader *ld)
{
	struct manifest *m;
	struct boot_info *bi;
	UINT64 entry, stack_top;
	EFI_STATUS st;

	say(L"started (firmware %s, UEFI %ld.%ld)", ld->st->FirmwareVendor,
	    (UINT64)(ld->st->Hdr.Revision >> 16), (UINT64)(ld->st->Hdr.Revision & 0xffff) / 10);
	st = source_open(ld);
	/* The manifest is ~10 KiB: keep it off the firmware's small stack. */
	if (!EFI_ERROR(st))
		st = mem_pool(ld, sizeof(*m), (void **)&m, LOADER_MANIFEST);
	if (!EFI_ERROR(st))
		st = load_manifest(ld, m);
	if (EFI_ERROR(st))
		return st;
	ld->debug = has_token(m->cmdline, "loglevel=debug");
	st = handoff_alloc(ld, &bi, &stack_top);
	if (!EFI_ERROR(st))
		st = load_hypervisor(ld, m, &entry);
	if (!EFI_ERROR(st))
		st = load_modules(ld, m, bi);
	if (EFI_ERROR(st))
		return st;
	handoff_fill(ld, m, bi);
	return handoff_start(ld, bi, entry, stack_top);
}

/* gnu-efi's crt0 calls this with the System V ABI: no EFIAPI here. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	struct loader ld = { .image = image, .st = systab, .bs = systab->BootServices };

	InitializeLib(image, systab);
	/* The firmware's 5-minute watchdog must not reset a slow TFTP load. */
	ld.bs->SetWatchdogTimer(0, 0, 0, NULL);
	EFI_STATUS st = run(&ld);
	/* Only failures return: give back the memory (the hypervisor's fixed
	 * address too), so the firmware's next boot option can use it. */
	mem_release_all(&ld);
	return st;
}
