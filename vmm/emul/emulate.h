/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MMIO instruction emulation (pure, host-tested). When a guest touches a
 * device page, the nested page fault gives the guest-physical address but
 * not the value or the register: this module decodes the one instruction
 * at RIP and performs it, with the device access going through a callback.
 * What is emulated, and why the rest is refused, is in
 * docs/mmio-emulation.md.
 */
#ifndef EYRIE_VMM_EMULATE_H
#define EYRIE_VMM_EMULATE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/errno.h"
#include "vmm/emul/decode.h"

/* Segment registers in their x86 encoding order (also enum vseg_id's). */
enum emu_seg { EMU_ES, EMU_CS, EMU_SS, EMU_DS, EMU_FS, EMU_GS, EMU_NSEG };

/* RFLAGS bits the emulator reads or writes. */
#define EMU_CF 0x001u
#define EMU_PF 0x004u
#define EMU_AF 0x010u
#define EMU_ZF 0x040u
#define EMU_SF 0x080u
#define EMU_DF 0x400u
#define EMU_OF 0x800u
#define EMU_ARITH (EMU_CF | EMU_PF | EMU_AF | EMU_ZF | EMU_SF | EMU_OF)

/* Result codes of emulate_mmio besides a length (see there). */
#define EMU_AGAIN    0           /* REP string op made progress; run it again */
#define EMU_UD       (-ENOSYS)   /* inject #UD */
#define EMU_GP       (-EPERM)    /* inject #GP(0) */
#define EMU_MISMATCH (-EINVAL)   /* the instruction does not match the fault */

struct emu_ctx {
	/* The instruction at CS:RIP, of which insn_avail bytes could be read. */
	uint8_t insn[15];
	unsigned insn_avail;
	enum cpu_mode mode;
	uint64_t rip;              /* for RIP-relative operands */
	uint64_t *gprs;            /* 16 registers in enum gpr order; updated */
	uint64_t rflags;           /* in; out: arithmetic flags */
	/* Bases of ES, CS, SS, DS, FS, GS (only FS and GS count in 64-bit
	 * mode), giving linear addresses: the MMIO operand's must match the
	 * fault's page offset, the RAM side of MOVS is accessed by it. */
	uint64_t seg_base[EMU_NSEG];
	bool la57;                 /* CR4.LA57: 57-bit canonical addresses */
	/* The fault: guest-physical address of the access and whether it was a
	 * write (for MOVS, the side that is MMIO: a read fault means the
	 * source, a write fault the destination). */
	uint64_t gpa;
	bool write;
	/*
	 * Callbacks, all returning 0 or a negative errno, which emulate_mmio
	 * returns unchanged. Device accesses are 1, 2, 4 or 8 bytes at a
	 * guest-physical address in the fault's page (an access that starts
	 * there may run past its end); a read stores the value zero-extended.
	 * mem_read/mem_write copy size bytes of guest-linear memory (the RAM
	 * operand of MOVS) with the guest's own paging and permissions.
	 */
	void *opaque;
	int (*mmio_read)(void *opaque, uint64_t gpa, unsigned size, uint64_t *val);
	int (*mmio_write)(void *opaque, uint64_t gpa, unsigned size, uint64_t val);
	int (*mem_read)(void *opaque, uint64_t gva, void *buf, unsigned size);
	int (*mem_write)(void *opaque, uint64_t gva, const void *buf, unsigned size);
};

/*
 * Decodes the instruction in c->insn and performs it: the device operand
 * through c->mmio_read/mmio_write at c->gpa, registers in c->gprs, flags in
 * c->rflags. Returns
 *   1..15         done: the instruction's length, RIP moves past it;
 *   EMU_AGAIN (0) a REP MOVS/STOS/LODS ran up to the end of the fault's
 *                 page, registers updated: leave RIP, the guest re-runs it;
 *   EMU_UD        not emulated or not valid (the guest should see #UD);
 *   EMU_GP        a non-canonical RAM address in MOVS (#GP(0));
 *   EMU_MISMATCH  the operand's linear address is not at the fault's page
 *                 offset (instruction changed since, or an access that
 *                 crosses into the device page from RAM);
 *   other < 0     a callback's error (device refused, RAM side faulted).
 * Registers and flags change only on success, except that a REP string op
 * keeps the iterations done before an error, as the CPU does.
 */
int emulate_mmio(struct emu_ctx *c);

#endif
