/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ELF64 validation (see elf.h). Every field is read byte-wise in
 * little-endian order, so a hostile image can cause neither an unaligned
 * access nor a read past the buffer; all offset arithmetic is checked for
 * overflow before it is used.
 */
#include "kernel/elf.h"
#include "kernel/bytes.h"
#include "kernel/errno.h"

/* ELF32 images are accepted for guests only (elf_check_guest): their
 * headers are read into the same 64-bit structs. */
static int is32(const uint8_t *p)
{
	return p[4] == 1; /* ELFCLASS32 */
}

/* Reads the fields the checks use (not flags nor the section headers'). */
static void read_ehdr(const uint8_t *p, struct elf64_ehdr *eh)
{
	for (unsigned i = 0; i < 16; i++)
		eh->ident[i] = p[i];
	eh->type = (uint16_t)get_le(p + 16, 2);
	eh->machine = (uint16_t)get_le(p + 18, 2);
	eh->version = (uint32_t)get_le(p + 20, 4);
	eh->entry = get_le(p + 24, is32(p) ? 4 : 8);
	eh->phoff = get_le(p + (is32(p) ? 28 : 32), is32(p) ? 4 : 8);
	p += is32(p) ? 36 - 48 : 0; /* the rest sits 12 bytes earlier than in ELF64 */
	eh->ehsize = (uint16_t)get_le(p + 52, 2);
	eh->phentsize = (uint16_t)get_le(p + 54, 2);
	eh->phnum = (uint16_t)get_le(p + 56, 2);
}

/* ELF64: type, flags, then six 8-byte fields from offset 8. ELF32: type,
 * then offset..memsz as 4-byte fields from offset 4, flags, align. */
static void read_phdr(const uint8_t *p, int c32, struct elf64_phdr *ph)
{
	unsigned o = c32 ? 4 : 8, w = c32 ? 4 : 8;

	ph->type = (uint32_t)get_le(p, 4);
	ph->flags = (uint32_t)get_le(p + (c32 ? 24 : 4), 4);
	ph->offset = get_le(p + o, w);
	ph->vaddr = get_le(p + o + w, w);
	ph->paddr = get_le(p + o + 2 * w, w);
	ph->filesz = get_le(p + o + 3 * w, w);
	ph->memsz = get_le(p + o + 4 * w, w);
	ph->align = get_le(p + (c32 ? 28 : 48), w);
}

static enum elf_reason check_ehdr(const uint8_t *p, size_t size, int allow32, struct elf64_ehdr *eh)
{
	int c32 = size >= 5 && is32(p) && allow32;

	if (size < (c32 ? ELF32_EHDR_SIZE : ELF_EHDR_SIZE))
		return ELF_ERR_TRUNCATED;
	read_ehdr(p, eh);
	if (eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[2] != 'L' ||
	    eh->ident[3] != 'F')
		return ELF_ERR_MAGIC;
	if (eh->ident[4] != 2 && !c32) /* ELFCLASS64 */
		return ELF_ERR_CLASS;
	if (eh->ident[5] != 1) /* ELFDATA2LSB */
		return ELF_ERR_DATA;
	if (eh->ident[6] != 1 || eh->version != 1) /* EV_CURRENT */
		return ELF_ERR_VERSION;
	if (eh->type != ELF_ET_EXEC)
		return ELF_ERR_TYPE;
	/* A guest's container class and machine need not agree: Xen boots
	 * PVH kernels from any x86 ELF (elf32-x86-64 images are common) since
	 * the entry note, not the header, says how it starts. */
	if (eh->machine != ELF_EM_X86_64 && (!allow32 || eh->machine != ELF_EM_386))
		return ELF_ERR_MACHINE;
	/* phnum 0xffff means "extended numbering": never in a loadable image. */
	if (eh->ehsize < (c32 ? ELF32_EHDR_SIZE : ELF_EHDR_SIZE) ||
	    eh->phentsize < (c32 ? ELF32_PHDR_SIZE : ELF_PHDR_SIZE) ||
	    eh->phnum == 0 || eh->phnum > ELF_MAX_PHNUM ||
	    !fits(eh->phoff, (uint64_t)eh->phentsize * eh->phnum, size))
		return ELF_ERR_PHDR;
	return ELF_OK;
}

static enum elf_reason check_load(const struct elf64_phdr *ph, size_t size)
{
	if (!fits(ph->offset, ph->filesz, size))
		return ELF_ERR_SEG_FILE;
	if (ph->memsz < ph->filesz)
		return ELF_ERR_SEG_SIZE;
	if (!fits(ph->paddr, ph->memsz, ELF_PADDR_LIMIT) || !fits(ph->vaddr, ph->memsz, UINT64_MAX))
		return ELF_ERR_SEG_ADDR;
	return ELF_OK;
}

static int fail(struct elf64_info *info, enum elf_reason reason, unsigned phdr)
{
	info->reason = reason;
	info->bad_phdr = phdr;
	return -ENOEXEC;
}

int elf64_phdr(const void *img, size_t size, unsigned i, struct elf64_phdr *ph)
{
	const uint8_t *p = img;
	struct elf64_ehdr eh;

	if (check_ehdr(p, size, 1, &eh) != ELF_OK || i >= eh.phnum)
		return -EINVAL;
	read_phdr(p + eh.phoff + (uint64_t)i * eh.phentsize, is32(p), ph);
	return 0;
}

/* Is program header j a PT_LOAD that overlaps an earlier PT_LOAD? */
static int overlaps_earlier(const void *img, size_t size, unsigned j, const struct elf64_phdr *ph)
{
	struct elf64_phdr other;

	for (unsigned i = 0; i < j; i++) {
		elf64_phdr(img, size, i, &other);
		if (other.type == ELF_PT_LOAD && other.memsz &&
		    other.paddr < ph->paddr + ph->memsz && ph->paddr < other.paddr + other.memsz)
			return 1;
	}
	return 0;
}

static int check(const void *img, size_t size, int allow32, struct elf64_info *info)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	int entry_ok = 0;

	*info = (struct elf64_info){ .reason = ELF_OK, .paddr_lo = UINT64_MAX };
	enum elf_reason r = check_ehdr(img, size, allow32, &eh);
	if (r != ELF_OK)
		return fail(info, r, 0);
	info->entry = eh.entry;
	info->phnum = eh.phnum;
	for (unsigned i = 0; i < eh.phnum; i++) {
		elf64_phdr(img, size, i, &ph);
		if (ph.type != ELF_PT_LOAD)
			continue;
		r = check_load(&ph, size);
		if (r != ELF_OK)
			return fail(info, r, i);
		if (!ph.memsz)
			continue; /* occupies no memory: nothing to load */
		if (overlaps_earlier(img, size, i, &ph))
			return fail(info, ELF_ERR_SEG_OVERLAP, i);
		info->nr_load++;
		if (ph.paddr < info->paddr_lo)
			info->paddr_lo = ph.paddr;
		if (ph.paddr + ph.memsz > info->paddr_hi)
			info->paddr_hi = ph.paddr + ph.memsz;
		if (!entry_ok && (ph.flags & ELF_PF_X) && eh.entry >= ph.vaddr &&
		    eh.entry - ph.vaddr < ph.memsz) {
			info->entry_paddr = eh.entry - ph.vaddr + ph.paddr;
			entry_ok = 1;
		}
	}
	if (!info->nr_load)
		return fail(info, ELF_ERR_NO_LOAD, 0);
	if (!entry_ok)
		return fail(info, ELF_ERR_ENTRY, 0);
	return 0;
}

int elf64_check(const void *img, size_t size, struct elf64_info *info)
{
	return check(img, size, 0, info);
}

int elf_check_guest(const void *img, size_t size, struct elf64_info *info)
{
	return check(img, size, 1, info);
}

const char *elf_reason_str(enum elf_reason reason)
{
	switch (reason) {
	case ELF_OK: return "valid";
	case ELF_ERR_TRUNCATED: return "truncated (shorter than an ELF header)";
	case ELF_ERR_MAGIC: return "bad ELF magic (not an ELF file)";
	case ELF_ERR_CLASS: return "not a 64-bit ELF (wrong class)";
	case ELF_ERR_DATA: return "not a little-endian ELF";
	case ELF_ERR_VERSION: return "unknown ELF version";
	case ELF_ERR_TYPE: return "not an executable (ET_EXEC) ELF";
	case ELF_ERR_MACHINE: return "not an x86_64 ELF (wrong machine)";
	case ELF_ERR_PHDR: return "program header table malformed or truncated";
	case ELF_ERR_NO_LOAD: return "no loadable segment";
	case ELF_ERR_SEG_FILE: return "segment data beyond end of file (truncated)";
	case ELF_ERR_SEG_SIZE: return "segment memsz smaller than filesz";
	case ELF_ERR_SEG_ADDR: return "segment address out of range (must be below 4 GiB)";
	case ELF_ERR_SEG_OVERLAP: return "segments overlap";
	case ELF_ERR_ENTRY: return "entry point outside executable segments";
	}
	return "unknown error";
}
