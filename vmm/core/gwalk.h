/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest page-table walker (pure, host-tested): translates a guest-linear
 * address through the guest's own paging structures the way the CPU would,
 * for the hypervisor's reads of guest instructions and hypercall buffers.
 *
 * It never sets Accessed/Dirty bits: the hypervisor's accesses are not the
 * guest's, and the instructions it reads were fetched by the guest already
 * (which set A). Nor does it cache PAE PDPTEs as the CPU does at a CR3
 * load: it reads them from memory, as if CR3 had just been reloaded.
 */
#ifndef EYRIE_VMM_GWALK_H
#define EYRIE_VMM_GWALK_H

#include <stdbool.h>
#include <stdint.h>

/* Guest control registers that select and steer the paging mode, and
 * whose reserved-bit rules apply (amd: AMD's, else Intel's). */
struct gwalk_regs {
	uint64_t cr0, cr3, cr4, efer;
	bool amd;
};

/*
 * The access to check. The flags sit at their #PF error-code positions:
 * GW_WRITE = W (bit 1), GW_USER = U/S (bit 2), GW_FETCH = I/D (bit 4).
 * GW_USER: the access is made at CPL 3 (else supervisor).
 * GW_AC: a supervisor data access with RFLAGS.AC = 1, which SMAP allows
 * on user pages (e.g. Linux's privcmd hypercalls pass user buffers inside
 * stac/clac). Without it, CR4.SMAP forbids supervisor data accesses to
 * user pages, as for the CPU's implicit accesses.
 */
#define GW_WRITE 0x02u
#define GW_USER  0x04u
#define GW_FETCH 0x10u
#define GW_AC    0x100u

/* #PF error-code bits written to *pf_error on a fault. */
#define PF_P    0x01u  /* 0: not present; 1: protection or reserved bit */
#define PF_W    0x02u
#define PF_U    0x04u
#define PF_RSVD 0x08u
#define PF_I    0x10u

/* Reads the size-byte (4 or 8) table entry at guest-physical gpa into
 * *val (zero-extended): 0, or -EFAULT when gpa is not guest RAM. */
typedef int (*gwalk_read_fn)(void *ctx, uint64_t gpa, uint64_t *val, unsigned size);

/*
 * Translates linear address la for the access (GW_* flags) under the
 * paging mode given by r: none (CR0.PG = 0), 32-bit (with CR4.PSE 4 MiB
 * pages and PSE-36), PAE, 4-level or 5-level (CR4.LA57) long mode.
 * Returns 0 with *gpa set; -EFAULT with the #PF error code in *pf_error
 * (the guest should see #PF with CR2 = la); -EINVAL for a non-canonical
 * address in long mode (the guest should see #GP, or #SS for stack
 * accesses); -EIO when a paging-structure entry is not in guest RAM.
 */
int gwalk(const struct gwalk_regs *r, uint64_t la, unsigned access, gwalk_read_fn read,
	  void *ctx, uint64_t *gpa, uint32_t *pf_error);

#endif
