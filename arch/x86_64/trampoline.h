/* SPDX-License-Identifier: GPL-2.0-only */
/* The application processors' real-mode entry blob (trampoline.S). */
#ifndef EYRIE_ARCH_TRAMPOLINE_H
#define EYRIE_ARCH_TRAMPOLINE_H

#include <stdint.h>

/* At trampoline_params in the copy, filled before each startup IPI. */
struct trampoline_params {
	uint64_t cr3;    /* the hypervisor's tables, below 4 GiB */
	uint64_t efer;   /* EFER bits set before paging: LME, NXE */
	uint64_t stack;  /* the CPU's stack top */
	uint64_t percpu; /* its struct percpu *, passed to entry */
	uint64_t entry;  /* void entry(struct percpu *), 64-bit */
};

extern const char trampoline_start[], trampoline_params[], trampoline_end[];

#endif
