/* SPDX-License-Identifier: GPL-2.0-only */
/* Generic VM-exit handling: one handler per neutral exit reason. */
#ifndef EYRIE_VMM_EXIT_H
#define EYRIE_VMM_EXIT_H

#include "vmm/core/vcpu.h"

/* Handles one exit of v (counted in v->exits). */
void vmexit_handle(struct vcpu *v, struct vmexit *e);
/* Before the big lock is taken again: true if the exit touched only v and
 * is handled (counted in v->exits and v->exits_fast too); else nothing
 * changed. The reason is looked at inline: the other exits pay a test. */
#define EXIT_FAST_REASONS (1u << EXIT_CPUID | 1u << EXIT_MSR_READ | 1u << EXIT_MSR_WRITE | \
			   1u << EXIT_HYPERCALL | 1u << EXIT_IO)
bool vmexit_fast_handle(struct vcpu *v, struct vmexit *e);
static inline bool vmexit_fast(struct vcpu *v, struct vmexit *e)
{
	return (unsigned)e->reason < 32 && (EXIT_FAST_REASONS >> e->reason & 1) &&
	       vmexit_fast_handle(v, e);
}
/* After a fast exit: takes the host interrupts that came meanwhile (a
 * tick, a kick, a call); true if none came, no vcpu woke on this CPU and
 * neither v's timer nor its platform's is due, so v may enter again with
 * nothing new to look at. */
bool vmexit_fast_again(struct vcpu *v);
const char *exit_reason_name(enum exit_reason r);
/* The real CPUID, as the CPUID policy (vmm/emul/cpuid.h) asks for it. */
void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t regs[4]);

#endif
