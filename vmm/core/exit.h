/* SPDX-License-Identifier: GPL-2.0-only */
/* Generic VM-exit handling: one handler per neutral exit reason. */
#ifndef EYRIE_VMM_EXIT_H
#define EYRIE_VMM_EXIT_H

#include "vmm/core/vcpu.h"

/* Handles one exit of v (counted in v->exits). */
void vmexit_handle(struct vcpu *v, struct vmexit *e);
const char *exit_reason_name(enum exit_reason r);
/* The real CPUID, as the CPUID policy (vmm/emul/cpuid.h) asks for it. */
void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t regs[4]);

#endif
