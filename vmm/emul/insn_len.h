/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 instruction length decoder (pure, host-tested). It runs on every VM
 * exit whose instruction length the CPU did not report (AMD without NRIP
 * save, e.g. QEMU TCG), so it is a handful of table lookups, no search.
 * Coverage and the few decisions it makes are in docs/vmm-policy.md.
 */
#ifndef EYRIE_VMM_INSN_LEN_H
#define EYRIE_VMM_INSN_LEN_H

#include <stddef.h>
#include <stdint.h>

/*
 * The code-segment mode an instruction is decoded in. REAL and PROT16 have
 * 16-bit default operand and address sizes, PROT32 32-bit ones. LONG64 is
 * 64-bit mode: 32-bit default operand size, 64-bit addresses, REX prefixes,
 * and some one-byte opcodes invalid (32-bit compatibility mode is PROT32).
 */
enum cpu_mode { CPU_MODE_REAL, CPU_MODE_PROT16, CPU_MODE_PROT32, CPU_MODE_LONG64 };

/*
 * Length in bytes (1..15) of the instruction at buf, of which avail bytes
 * are readable. -EAGAIN: the instruction needs more than avail bytes (fetch
 * the next page and retry); -EINVAL: an undefined or invalid encoding in
 * this mode, or one longer than the architectural 15-byte limit.
 */
int insn_length(const uint8_t *buf, size_t avail, enum cpu_mode mode);

/* The general register (0-15) a MOV to CR4 (0F 22 /r, ModRM.reg 4, after
 * legacy prefixes and, in 64-bit mode, a REX) at buf reads, or -1 when the
 * avail bytes there are not one. */
int insn_mov_to_cr4_gpr(const uint8_t *buf, size_t avail, enum cpu_mode mode);

#endif
