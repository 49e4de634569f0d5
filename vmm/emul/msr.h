/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest MSR policy (pure, host-tested): every RDMSR/WRMSR a guest
 * makes is decided against one explicit allow list; anything else is #GP.
 * The list and the rule of each MSR are in docs/vmm-policy.md.
 */
#ifndef EYRIE_VMM_MSR_H
#define EYRIE_VMM_MSR_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/core/vcpu.h"

/* What the caller does for an allowed access. */
enum msr_kind {
	/* Read: return ops->get(act->vstate). Write: ops->set(act->vstate,
	 * act->value) (act->value is the value written, already checked). */
	MSR_VSTATE,
	/* IA32_TIME_STAMP_COUNTER. Read: host TSC + VS_TSC_OFFSET. Write:
	 * set VS_TSC_OFFSET so that the guest now reads act->value. */
	MSR_TSC,
	/* Read: return act->value. Write: nothing to do (the policy accepted
	 * it as a no-op: the value equals the constant, or the MSR ignores
	 * valid writes). */
	MSR_CONST,
	/* IA32_TSC_AUX (RDTSCP, RDPID): the vcpu's own, v->tsc_aux. Write:
	 * act->value, checked (bits 63:32 reserved). */
	MSR_AUX,
};

struct msr_action {
	enum msr_kind kind;
	enum vstate vstate;  /* MSR_VSTATE only (VS_COUNT otherwise) */
	uint64_t value;
};

/* The guest state the checks need. */
struct msr_guest {
	uint64_t efer, cr0;      /* current guest EFER and CR0 */
	bool long_mode_capable;  /* EFER.LME and the 64-bit MSRs exist */
	bool nx_capable;         /* EFER.NXE exists */
	bool tsc_aux_capable;    /* RDTSCP, and so IA32_TSC_AUX, exists */
	bool bsp;                /* IA32_APIC_BASE.BSP */
};

/*
 * Decides a guest RDMSR (write false) or WRMSR of value (write true) of
 * MSR index: 0 with *act filled, or -EPERM when the guest gets #GP (an MSR
 * not on the list, a write to a read-only one, reserved bits, a
 * non-canonical address, a bad PAT memory type, an invalid EFER change).
 */
int msr_decide(uint32_t index, bool write, uint64_t value, const struct msr_guest *g,
	       struct msr_action *act);

/* A name for logs: "IA32_EFER", ..., or "unknown". */
const char *msr_name(uint32_t index);

#endif
