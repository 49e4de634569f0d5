/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PVH loader for HVM guests (pure, host-tested): the x86/HVM direct boot
 * ABI of Xen's docs/misc/pvh.pandoc. pvh_parse() checks an ELF32 or ELF64
 * kernel and finds its XEN_ELFNOTE_PHYS32_ENTRY note; pvh_plan() places
 * the segments at their physical addresses, the modules and the start info
 * block (struct hvm_start_info, module list, memory map, command lines) in
 * guest RAM below 4 GiB, and returns what to copy where and the entry
 * state. The hypervisor executes the plan. See docs/hvm-loaders.md.
 */
#ifndef EYRIE_VMM_PVH_GUEST_H
#define EYRIE_VMM_PVH_GUEST_H

#include <stddef.h>

#include "include/public/hvm_start_info.h"
#include "vmm/load/gplace.h" /* the loaders' shared shape */

/*
 * Checks a PVH kernel img[0..size) and fills *out. Returns 0, or -ENOEXEC
 * with a one-line reason in err: not an ELF32 i386 / ELF64 x86_64
 * executable, headers or segments outside the file, segments above 4 GiB
 * or overlapping, a malformed or truncated note, no PHYS32_ENTRY note
 * ("not a PVH kernel: ..."), two PHYS32_ENTRY notes that disagree, or an
 * entry outside the file bytes of every segment (in bss or nowhere).
 * Notes come from the PT_NOTE segments, or from SHT_NOTE sections when the
 * image has no PT_NOTE. e_entry is not used. Reads byte-wise.
 */
int pvh_parse(const void *img, size_t size, struct gload_image *out, char *err, size_t errlen);

/*
 * Claims the kernel's own addresses (they must be free RAM), places each
 * module (page aligned, as high as possible below 4 GiB, from 1 MiB) and
 * the start info block (page aligned, first fit above the kernel, else
 * from 4 KiB), and builds the block: hvm_start_info version 1, module
 * list, memory map (the caller's e820, unchanged), command lines. The
 * entry state (pvh.pandoc) is struct gentry's with EBX = the start info,
 * the selectors of the hypervisor's flat32 start and TR a busy 32-bit TSS
 * (base 0, limit 0x67); the kernel loads its own GDT, IDT and stack.
 * Returns 0, -EINVAL (bad map, too many modules, strings too long) or
 * -ENOSPC (the kernel not in free RAM, something does not fit), reason in
 * err. The caller copies the plan (gload_copy_src).
 */
int pvh_plan(const struct gload_image *k, const struct gload_cfg *cfg, struct gload_plan *plan,
	     char *err, size_t errlen);

#endif
