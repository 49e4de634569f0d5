/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PVH loader for HVM guests (see pvh_guest.h). Written from Xen's public
 * elfnote.h, arch-x86/hvm/start_info.h and docs/misc/pvh.pandoc, and the
 * ELF gABI (program headers, section headers, note entries). The ELF
 * header and PT_LOAD checks are elf_check_guest()'s; the notes are ours.
 */
#include "vmm/load/pvh_guest.h"
#include "kernel/elf.h"
#include "kernel/bytes.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/string.h"

#define ELF_PT_NOTE  4u
#define ELF_SHT_NOTE 7u
#define NOTE_HDR     12u /* namesz, descsz, type; then name and desc, each padded */
/* The start info block: the structure, then the lists, then the strings. */
#define I_MODS_OFF 64u   /* sizeof(struct hvm_start_info) rounded up */
#define LIMIT_4G (1ull << 32)

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1); /* callers' v < 2^63: no overflow */
}

/* ---- parse ---- */

/* One line for what elf_check_guest() refused, naming the field. */
static int elf_refusal(const uint8_t *p, size_t size, const struct elf64_info *info,
		       char *err, size_t errlen)
{
	switch (info->reason) {
	case ELF_ERR_TRUNCATED:
		return errorf(-ENOEXEC, err, errlen,
			     "truncated: %zu bytes, shorter than the ELF header (52 bytes for ELF32, "
			     "64 for ELF64)", size);
	case ELF_ERR_CLASS:
		return errorf(-ENOEXEC, err, errlen,
			     "e_ident[EI_CLASS] is %u, not ELFCLASS32 (1) or ELFCLASS64 (2)", p[4]);
	case ELF_ERR_MACHINE:
		return errorf(-ENOEXEC, err, errlen,
			     "e_machine is %u: not EM_386 (3) or EM_X86_64 (62)",
			     (unsigned)get_le(p + 18, 2));
	case ELF_ERR_SEG_FILE:
	case ELF_ERR_SEG_SIZE:
	case ELF_ERR_SEG_ADDR:
	case ELF_ERR_SEG_OVERLAP:
		return errorf(-ENOEXEC, err, errlen, "program header %u: %s", info->bad_phdr,
			     elf_reason_str(info->reason));
	default: /* magic, data, version, type, program header table, no PT_LOAD */
		return errorf(-ENOEXEC, err, errlen, "not a loadable ELF executable: %s",
			     elf_reason_str(info->reason));
	}
}

/* A PHYS32_ENTRY note's value: 4 or 8 bytes, below 4 GiB. Two notes must
 * agree (Xen takes the last, a firmware might take the first: refusing
 * the ambiguity keeps both right). */
static int take_entry(const uint8_t *desc, uint64_t descsz, struct gload_image *k,
		      unsigned *found, char *err, size_t errlen)
{
	if (descsz != 4 && descsz != 8)
		return errorf(-ENOEXEC, err, errlen,
			     "XEN_ELFNOTE_PHYS32_ENTRY note has descsz %lu, not 4 or 8", descsz);
	uint64_t v = get_le(desc, (unsigned)descsz);
	if (v >= LIMIT_4G)
		return errorf(-ENOEXEC, err, errlen, "XEN_ELFNOTE_PHYS32_ENTRY 0x%lx is above 4 GiB", v);
	if (*found && v != k->entry)
		return errorf(-ENOEXEC, err, errlen,
			     "two XEN_ELFNOTE_PHYS32_ENTRY notes disagree: 0x%x and 0x%lx", k->entry, v);
	k->entry = (uint32_t)v;
	++*found;
	return 0;
}

/* Walks the note entries in p[off, off + len) (inside the file). Each
 * starts align-aligned (4, or 8 when the segment or section says so), its
 * name follows the 12-byte header, its desc starts at the next aligned
 * offset. */
static int scan_notes(const uint8_t *p, uint64_t off, uint64_t len, uint64_t align,
		      const char *where, unsigned idx, struct gload_image *k, unsigned *found,
		      char *err, size_t errlen)
{
	uint64_t at = 0;

	for (unsigned n = 0; at < len; n++) {
		const uint8_t *h = p + off + at;
		uint64_t namesz, descsz, desc;
		int rc;

		if (len - at < NOTE_HDR)
			return errorf(-ENOEXEC, err, errlen,
				     "truncated: note %u of %s %u has %lu bytes, less than a note header",
				     n, where, idx, len - at);
		namesz = get_le(h, 4);
		descsz = get_le(h + 4, 4);
		desc = align_up(at + NOTE_HDR + namesz, align); /* < 2^48: no overflow */
		if (desc > len || descsz > len - desc)
			return errorf(-ENOEXEC, err, errlen,
				     "note %u of %s %u: namesz 0x%lx + descsz 0x%lx pass the end of its "
				     "0x%lx bytes", n, where, idx, namesz, descsz, len);
		if (namesz == sizeof(XEN_ELFNOTE_NAME) && !memcmp(h + NOTE_HDR, XEN_ELFNOTE_NAME, 4) &&
		    get_le(h + 8, 4) == XEN_ELFNOTE_PHYS32_ENTRY) {
			rc = take_entry(p + off + desc, descsz, k, found, err, errlen);
			if (rc)
				return rc;
		}
		at = align_up(desc + descsz, align);
	}
	return 0;
}

/* Notes in SHT_NOTE sections: for images linked without a PT_NOTE. */
static int scan_sections(const uint8_t *p, size_t size, struct gload_image *k, unsigned *found,
			 char *err, size_t errlen)
{
	int c32 = k->elf32;
	uint64_t shoff = c32 ? get_le(p + 32, 4) : get_le(p + 40, 8);
	unsigned shentsize = (unsigned)get_le(p + (c32 ? 46 : 58), 2);
	unsigned shnum = (unsigned)get_le(p + (c32 ? 48 : 60), 2);

	if (!shoff || !shnum)
		return 0; /* none (shnum 0 with shoff: extended numbering, not ours) */
	if (shentsize < (c32 ? 40u : 64u) || !fits(shoff, (uint64_t)shentsize * shnum, size))
		return errorf(-ENOEXEC, err, errlen,
			     "section header table (e_shoff 0x%lx, e_shentsize %u, e_shnum %u) is "
			     "malformed or passes the end of the file (%zu bytes)", shoff, shentsize,
			     shnum, size);
	for (unsigned i = 0; i < shnum; i++) {
		const uint8_t *sh = p + shoff + (uint64_t)i * shentsize;
		uint64_t off = c32 ? get_le(sh + 16, 4) : get_le(sh + 24, 8);
		uint64_t len = c32 ? get_le(sh + 20, 4) : get_le(sh + 32, 8);
		uint64_t align = c32 ? get_le(sh + 32, 4) : get_le(sh + 48, 8);
		int rc;

		if (get_le(sh + 4, 4) != ELF_SHT_NOTE)
			continue;
		if (!fits(off, len, size))
			return errorf(-ENOEXEC, err, errlen,
				     "truncated: SHT_NOTE section %u (sh_offset 0x%lx, sh_size 0x%lx) "
				     "passes the end of the file (%zu bytes)", i, off, len, size);
		rc = scan_notes(p, off, len, align == 8 ? 8 : 4, "section", i, k, found, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* The PT_LOAD segments (checked by elf_check_guest) and the PT_NOTE notes. */
static int scan_phdrs(const uint8_t *p, size_t size, unsigned phnum, struct gload_image *k,
		      unsigned *nr_note, unsigned *found, char *err, size_t errlen)
{
	struct elf64_phdr ph;
	int rc;

	for (unsigned i = 0; i < phnum; i++) {
		if (elf64_phdr(p, size, i, &ph))
			continue;
		if (ph.type == ELF_PT_LOAD && ph.memsz)
			k->segs[k->nr_segs++] = (struct gseg){ ph.offset, ph.paddr, ph.filesz,
								  ph.memsz };
		if (ph.type != ELF_PT_NOTE)
			continue;
		++*nr_note;
		if (!fits(ph.offset, ph.filesz, size))
			return errorf(-ENOEXEC, err, errlen,
				     "truncated: PT_NOTE program header %u (p_offset 0x%lx, p_filesz "
				     "0x%lx) passes the end of the file (%zu bytes)", i, ph.offset,
				     ph.filesz, size);
		rc = scan_notes(p, ph.offset, ph.filesz, ph.align == 8 ? 8 : 4, "program header", i,
				k, found, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* The entry must be in a segment's file bytes: bss holds only zeros. */
static int check_entry(const struct gload_image *k, char *err, size_t errlen)
{
	for (unsigned i = 0; i < k->nr_segs; i++) {
		const struct gseg *s = &k->segs[i];
		if (k->entry < s->paddr || k->entry - s->paddr >= s->memsz)
			continue;
		if (k->entry - s->paddr < s->filesz)
			return 0;
		return errorf(-ENOEXEC, err, errlen,
			     "XEN_ELFNOTE_PHYS32_ENTRY 0x%x is in the bss of the segment at "
			     "0x%lx..0x%lx (file bytes end at 0x%lx)", k->entry, s->paddr,
			     s->paddr + s->memsz, s->paddr + s->filesz);
	}
	return errorf(-ENOEXEC, err, errlen,
		     "XEN_ELFNOTE_PHYS32_ENTRY 0x%x is outside every loaded segment", k->entry);
}

int pvh_parse(const void *img, size_t size, struct gload_image *out, char *err, size_t errlen)
{
	const uint8_t *p = img;
	struct elf64_info info;
	unsigned nr_note = 0, found = 0;

	memset(out, 0, sizeof(*out));
	if (!p)
		return errorf(-ENOEXEC, err, errlen, "no image");
	/* e_entry is the native (virtual) entry: PVH ignores it. */
	if (elf_check_guest(p, size, &info) && info.reason != ELF_ERR_ENTRY)
		return elf_refusal(p, size, &info, err, errlen);
	out->elf32 = p[4] == 1;
	int rc = scan_phdrs(p, size, info.phnum, out, &nr_note, &found, err, errlen);
	if (!rc && !nr_note) {
		out->notes_from_sections = 1;
		rc = scan_sections(p, size, out, &found, err, errlen);
	}
	if (rc)
		return rc;
	if (!found)
		return errorf(-ENOEXEC, err, errlen,
			     "not a PVH kernel: no XEN_ELFNOTE_PHYS32_ENTRY (type 18, name \"Xen\") "
			     "in its %s notes", nr_note ? "PT_NOTE" : "section");
	rc = check_entry(out, err, errlen);
	if (rc)
		return rc;
	out->load_lo = info.paddr_lo;
	out->load_hi = info.paddr_hi;
	out->img = p;
	out->size = size;
	return 0;
}

/* ---- plan ---- */

static void build_info(const struct gload_cfg *cfg, struct gload_plan *pl)
{
	size_t mods = I_MODS_OFF;
	size_t map = mods + cfg->nr_mods * sizeof(struct hvm_modlist_entry);
	size_t str = map + cfg->e820_n * sizeof(struct hvm_memmap_table_entry);
	struct hvm_start_info si = {
		.magic = XEN_HVM_START_MAGIC_VALUE, .version = XEN_HVM_START_VERSION,
		.nr_modules = cfg->nr_mods,
		.modlist_paddr = cfg->nr_mods ? pl->info_gpa + mods : 0,
		.cmdline_paddr = gload_add_string(pl, &str, cfg->cmdline),
		.rsdp_paddr = cfg->rsdp_paddr,
		.memmap_paddr = pl->info_gpa + map, .memmap_entries = cfg->e820_n,
	};

	memcpy(pl->info, &si, sizeof(si)); /* x86: the ABI's little-endian layout */
	for (unsigned i = 0; i < cfg->nr_mods; i++) {
		struct hvm_modlist_entry m = {
			.paddr = pl->mod_gpa[i], .size = cfg->mods[i].size,
			.cmdline_paddr = gload_add_string(pl, &str, cfg->mods[i].cmdline),
		};
		memcpy(pl->info + mods + i * sizeof(m), &m, sizeof(m));
	}
	for (unsigned i = 0; i < cfg->e820_n; i++) {
		struct hvm_memmap_table_entry e = {
			.addr = cfg->e820[i].base, .size = cfg->e820[i].size, .type = cfg->e820[i].type,
		};
		memcpy(pl->info + map + i * sizeof(e), &e, sizeof(e));
	}
}

int pvh_plan(const struct gload_image *k, const struct gload_cfg *cfg, struct gload_plan *pl,
	     char *err, size_t errlen)
{
	static const struct gload_format f = { "start info block", I_MODS_OFF,
		sizeof(struct hvm_memmap_table_entry), sizeof(struct hvm_modlist_entry), 0, true };
	int rc = gload_place(k, cfg, &f, pl, err, errlen);

	if (rc)
		return rc;
	build_info(cfg, pl);
	pl->entry = (struct gentry){
		.eip = k->entry, .ebx = (uint32_t)pl->info_gpa, .eflags = 0x2,
		.cr0 = 0x11, /* PE, ET; paging off */
		.cs = 0x08, .ds = 0x10, .cs_attr = 0xc9b, .ds_attr = 0xc93,
		.tr = 0, .tr_attr = 0x08b, .tr_limit = 0x67, /* busy 32-bit TSS */
	};
	return 0;
}
