/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one way into guest memory: every copy checks that each byte lies in
 * the domain's own RAM (and, for guest-virtual addresses, that the guest's
 * page tables allow the access). No code dereferences a guest address
 * directly. All return 0 or a negative errno: -EFAULT for memory the guest
 * does not own or cannot access (a #PF error code is stored through
 * pf_error when a translation failed and pf_error is not NULL), -E2BIG for
 * a length over GUEST_COPY_MAX.
 */
#ifndef EYRIE_VMM_GUEST_MEM_H
#define EYRIE_VMM_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/emul/decode.h"

struct domain;
struct vcpu;
struct vmexit;

#define GUEST_COPY_MAX (1u << 20)

int copy_from_guest_phys(struct domain *d, void *dst, uint64_t gpa, size_t len);
int copy_to_guest_phys(struct domain *d, uint64_t gpa, const void *src, size_t len);
int copy_from_guest_virt(struct vcpu *v, void *dst, uint64_t gva, size_t len, uint32_t *pf_error);
int copy_to_guest_virt(struct vcpu *v, uint64_t gva, const void *src, size_t len,
		       uint32_t *pf_error);

/*
 * Copies len bytes between buf and guest-linear *la as the guest's own
 * access (GW_* flags, vmm/core/gwalk.h) through v's page tables, advancing *la
 * as it goes: 0; -EFAULT for a translation fault at *la (#PF error code
 * in *pf_error, if not NULL); -EINVAL for a non-canonical address; -EIO
 * when a table or the memory is not the domain's RAM; -E2BIG over
 * GUEST_COPY_MAX. The copies above are this with every failure -EFAULT.
 */
int guest_copy_linear(struct vcpu *v, uint64_t *la, void *buf, size_t len, unsigned access,
		      uint32_t *pf_error);

/* The vcpu's execution mode, from CR0, EFER and CS. */
enum cpu_mode guest_mode(struct vcpu *v);
/* Reads up to 15 instruction bytes at CS:RIP; returns how many could be
 * read (fewer when the next page is not accessible), or a negative errno. */
int guest_fetch_insn(struct vcpu *v, uint8_t *buf, size_t max);
/* Length of the instruction that caused exit e, at CS:e->rip (1..15),
 * decoded from guest memory or taken from v->icache when nothing it
 * depends on changed (the registers from e->regs when the backend took
 * them); a negative errno when it cannot be read or decoded. */
int guest_insn_length(struct vcpu *v, const struct vmexit *e);

#endif
