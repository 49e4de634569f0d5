/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypercall dispatcher (VMMCALL/VMCALL): decode, validate, then act. */
#ifndef EYRIE_VMM_HYPERCALL_H
#define EYRIE_VMM_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "include/public/xen.h"

struct vcpu;

/* Runs the hypercall in RAX with the mode's argument registers and puts
 * the result in RAX. */
void hypercall(struct vcpu *v);
/* From the exit fast path, without the big lock: runs the hypercall if it
 * is one of those that need only the event channel and grant table locks
 * (set_timer_op, a vcpu's own one-shot timer, EVTCHNOP_send,
 * GNTTABOP_copy), in a section of kernel/smp.h. HC_DONE: RIP goes past the
 * call; HC_AGAIN: a continuation, RIP stays on it; HC_LOCKED: any other
 * call, or one that met memory not populated yet, for the locked path
 * (nothing changed, or its registers hold the continuation). */
enum hc_fast { HC_LOCKED, HC_DONE, HC_AGAIN };
enum hc_fast hypercall_fast(struct vcpu *v);
/* Whether RAX names a family hypercall_fast may run, so that every other
 * call pays only this compare on the exit path. */
static inline bool hypercall_maybe_fast(uint64_t rax)
{
	uint32_t nr = (uint32_t)rax;

	return nr == HYPERVISOR_set_timer_op || nr == HYPERVISOR_grant_table_op ||
	       nr == HYPERVISOR_vcpu_op || nr == HYPERVISOR_event_channel_op;
}

/* A PVH domain's write of the hypercall-page MSR (CPUID 0x40000002 EBX):
 * fills the guest-physical page in `value` (bits 11:0, the page index, must
 * be 0) with 32-byte stubs "mov $nr, %eax; vmcall|vmmcall; ret", as Xen
 * does. 0, or -EINVAL when the guest must get #GP. */
int hypercall_page(struct vcpu *v, uint64_t value);

/* The vcpu's one-shot timer at guest system time deadline_ns (0: off);
 * set_timer_op and VCPUOP_set_singleshot_timer. Returns 0. */
int vcpu_set_timer(struct vcpu *v, uint64_t deadline_ns);

/* HYPERVISOR_eyrie_op (vmm/core/domop.c): the privileged domain's management
 * operations; -EPERM for any other domain. */
long eyrie_op(struct vcpu *v, uint64_t *a);

#endif
