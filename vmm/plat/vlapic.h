/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual local APIC (pure, host-tested): one per vcpu, xAPIC (MMIO page)
 * and x2APIC (MSRs 0x800-0x8ff) register sets, interrupt acceptance
 * (IRR/ISR/TMR, TPR/PPR), ICR IPIs and the timer in one-shot, periodic and
 * TSC-deadline mode (Intel SDM vol. 3 ch. 11). Time is the guest TSC.
 * Everything that leaves this APIC goes through struct vlapic_ops.
 */
#ifndef EYRIE_VMM_VLAPIC_H
#define EYRIE_VMM_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VLAPIC_BASE 0xfee00000ull
#define VLAPIC_BUS_HZ 1000000000ull   /* timer input clock before the divider: 1 GHz */
#define VLAPIC_NLVT 6                 /* timer, thermal, perf, LINT0, LINT1, error */

#define MSR_IA32_APIC_BASE    0x1bu
#define MSR_IA32_TSC_DEADLINE 0x6e0u
#define MSR_X2APIC_FIRST      0x800u
#define MSR_X2APIC_LAST       0x8ffu

/* Callbacks to the platform; ctx is the opaque pointer given at init. */
struct vlapic_ops {
	/* EOI of a level-triggered vector (TMR set): the IOAPIC clears remote IRR. */
	void (*eoi)(void *ctx, uint8_t vector);
	/*
	 * An ICR write that reaches other APICs: shorthand 2 (all including
	 * self; this APIC has already taken a fixed vector) or 3 (all
	 * excluding self), or shorthand 0 with a logical destination or a
	 * physical one that is not our own ID. Non-fixed delivery modes
	 * (NMI, INIT, SIPI, ...) always come here, also for ourselves, except
	 * an INIT level de-assert, which is dropped. dest is the 8-bit xAPIC
	 * or 32-bit x2APIC destination, level the trigger mode (bit 15).
	 */
	void (*ipi)(void *ctx, uint32_t dest, bool dest_logical, unsigned shorthand,
		    unsigned delivery_mode, uint8_t vector, bool level);
};

struct vlapic {
	uint64_t apic_base;          /* IA32_APIC_BASE */
	uint32_t init_id;            /* initial APIC ID, the x2APIC ID */
	uint32_t id;                 /* xAPIC ID register (ID in bits 31:24) */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t esr, esr_pending;   /* ESR as read; errors since its last write */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[VLAPIC_NLVT];
	uint32_t irr[8], isr[8], tmr[8];
	/* Timer: tmict/tdcr are the registers; a one-shot/periodic count-down
	 * started at t_start and lasts t_period TSC ticks (0: not counting). */
	uint32_t tmict, tdcr;
	uint64_t t_start, t_period;
	uint64_t t_next;             /* next expiry (TSC), UINT64_MAX if none */
	uint64_t tsc_deadline;       /* IA32_TSC_DEADLINE, 0 when disarmed */
	uint64_t tsc_hz;
	const struct vlapic_ops *ops;
	void *ctx;
};

/* Reset state: APIC_BASE 0xfee00900 (bsp) / 0xfee00800 (enabled xAPIC),
 * SVR 0xff (software-disabled), all LVTs masked, version 0x50014. */
void vlapic_init(struct vlapic *l, uint32_t apic_id, bool bsp, uint64_t tsc_hz,
		 const struct vlapic_ops *ops, void *ctx);

/* The xAPIC page: offset within it, size 1, 2, 4 or 8. A read inside a
 * 32-bit register returns that part of it, anything else reads 0; writes
 * other than 32 bits at a register's offset are dropped. In x2APIC mode or
 * hardware-disabled the page reads 0 and ignores writes. Return 0. */
int vlapic_mmio_read(struct vlapic *l, uint64_t now, uint32_t offset, unsigned size, uint64_t *val);
int vlapic_mmio_write(struct vlapic *l, uint64_t now, uint32_t offset, unsigned size, uint64_t val);

/*
 * IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC MSRs (0x800 + xAPIC
 * offset / 16). Return 0, or -EPERM when the guest must get #GP: an x2APIC
 * MSR outside x2APIC mode or not implemented, reading a write-only or
 * writing a read-only register, reserved bits, an invalid APIC_BASE
 * transition (x2APIC -> xAPIC, disabled -> x2APIC, EXTD without EN), or an
 * MSR not handled here.
 */
int vlapic_msr_read(struct vlapic *l, uint64_t now, uint32_t msr, uint64_t *val);
int vlapic_msr_write(struct vlapic *l, uint64_t now, uint32_t msr, uint64_t val);

bool vlapic_x2apic_mode(const struct vlapic *l);
bool vlapic_hw_enabled(const struct vlapic *l);   /* IA32_APIC_BASE bit 11 */

/* A fixed interrupt arrives (IOAPIC, IPI, LVT): sets IRR, and TMR when
 * level-triggered (clears it for edge). Returns false when dropped: the
 * APIC is hardware- or software-disabled, or the vector is illegal (0-15,
 * which sets ESR bit 6 and raises the LVT error interrupt instead). */
bool vlapic_set_irq(struct vlapic *l, uint8_t vector, bool level);

/* The highest vector in IRR whose priority class is above PPR's, or -1. */
int vlapic_pending(const struct vlapic *l);

/* The CPU took vector (as returned by vlapic_pending): IRR -> ISR. */
void vlapic_ack(struct vlapic *l, uint8_t vector);

/* The 8259's INTR reaches the CPU: LINT0 unmasked with delivery mode
 * ExtINT, or the APIC hardware-disabled. */
bool vlapic_accepts_pic(const struct vlapic *l);

/* Is this APIC a target of an interrupt to dest? xAPIC: 8-bit physical ID
 * or logical (flat or cluster model, per DFR), 0xFF = all; x2APIC: 32-bit
 * ID or cluster logical (LDR derived from the ID), 0xFFFFFFFF = all. */
bool vlapic_match(const struct vlapic *l, uint32_t dest, bool logical);

/* Guest TSC of the next timer expiry, UINT64_MAX if none. */
uint64_t vlapic_next_event(const struct vlapic *l);

/* Fires what is due at now (the timer sets IRR unless its LVT is masked;
 * a periodic timer that missed several periods interrupts once). Returns
 * true when a vector newly became pending in IRR. */
bool vlapic_advance(struct vlapic *l, uint64_t now);

#endif
