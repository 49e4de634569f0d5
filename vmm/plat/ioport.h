/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Port I/O: the platform's device models (vplat.h) and the debug console
 * port 0xE9. A read of an unclaimed port returns all ones, a write to one
 * is dropped.
 */
#ifndef EYRIE_VMM_IOPORT_H
#define EYRIE_VMM_IOPORT_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* Emulates one IN or OUT of the vcpu (value in/out of RAX). */
void ioport_access(struct vcpu *v, uint16_t port, unsigned size, bool in);
/* Emulates INS/OUTS (with REP); true when the instruction is complete and
 * RIP may advance, false when it must run again (more iterations left, or
 * a #PF was injected). */
bool ioport_string(struct vcpu *v, uint16_t port, unsigned size, bool in, bool rep);

#endif
