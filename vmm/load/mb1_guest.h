/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot 1 loader for HVM test kernels (pure, host-tested). The GNU
 * Multiboot Specification 0.6.96: mb1g_parse() finds and checks the header
 * of an image (a.out-kludge address fields, or an ELF), mb1g_plan() places
 * the kernel, the modules and the multiboot information block in guest RAM
 * and returns what to copy where and the entry state. The hypervisor
 * executes the plan. See docs/hvm-loaders.md.
 */
#ifndef EYRIE_VMM_MB1_GUEST_H
#define EYRIE_VMM_MB1_GUEST_H

#include <stddef.h>

#include "vmm/load/gplace.h" /* the loaders' shared shape */

/* Facts from the specification. */
#define MB1G_HEADER_MAGIC  0x1badb002u
#define MB1G_BOOT_MAGIC    0x2badb002u /* in EAX at entry */
#define MB1G_SEARCH_LEN    8192u       /* the header lies in the first 8 KiB */
#define MB1G_F_PAGE_ALIGN  (1u << 0)   /* modules on 4 KiB boundaries */
#define MB1G_F_MEMINFO     (1u << 1)   /* mem_* (and the memory map) required */
#define MB1G_F_VIDEO       (1u << 2)   /* video mode table wanted */
#define MB1G_F_AOUT        (1u << 16)  /* the address fields are valid */

#define MB1G_LOADER_NAME "Eyrie"

/*
 * Checks a multiboot 1 image img[0..size) and fills *out. Returns 0, or
 * -ENOEXEC with a one-line reason in err (no header, bad checksum,
 * unsupported required feature, inconsistent address fields, truncated
 * file, or an ELF that elf_check_guest() refuses). Reads byte-wise.
 */
int mb1g_parse(const void *img, size_t size, struct gload_image *out, char *err, size_t errlen);

/*
 * Claims the kernel's own addresses, places the modules (page aligned)
 * and then the information block above the kernel (else anywhere from
 * 4 KiB), all below 4 GiB, and builds the information block (command
 * line and module strings as given, NULL meaning ""). The entry state is
 * struct gentry's with EAX = MB1G_BOOT_MAGIC and EBX = the block, as the
 * hypervisor's flat32 start (vmm/core/vmm.c) plus EAX and EBX. Returns 0,
 * -EINVAL (bad map, too many modules, strings too long) or -ENOSPC (the
 * kernel is not in free RAM, something does not fit), reason in err.
 * The caller copies the plan (gload_copy_src).
 */
int mb1g_plan(const struct gload_image *k, const struct gload_cfg *cfg, struct gload_plan *plan,
	      char *err, size_t errlen);

#endif
