/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Port I/O device models: one dispatch table of port ranges. A read of an
 * unclaimed port returns all ones, a write to one is dropped.
 */
#ifndef EYRIE_VMM_IOPORT_H
#define EYRIE_VMM_IOPORT_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

struct ioport_model {
	const char *name;
	uint16_t first, last; /* inclusive */
	/* size is 1, 2 or 4; a read stores into *val. */
	void (*io)(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val);
};

/* Emulates one IN or OUT of the vcpu (value in/out of RAX). */
void ioport_access(struct vcpu *v, uint16_t port, unsigned size, bool in);
/* Emulates INS/OUTS (with REP); true when the instruction is complete and
 * RIP may advance, false when it must run again (more iterations left, or
 * a #PF was injected). */
bool ioport_string(struct vcpu *v, uint16_t port, unsigned size, bool in, bool rep);

#endif
