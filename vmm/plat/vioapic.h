/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual IOAPIC (pure, host-tested): 24 input pins, each routed through a
 * 64-bit redirection entry to the local APICs (82093AA datasheet). The
 * guest programs it through IOREGSEL/IOWIN; device models drive its pins.
 */
#ifndef EYRIE_VMM_VIOAPIC_H
#define EYRIE_VMM_VIOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VIOAPIC_BASE 0xfec00000ull
#define VIOAPIC_PINS 24

struct vioapic_ops {
	/* Delivers an interrupt to the local APIC(s): dest is the destination
	 * field (entry bits 63:56), dest_logical its mode, level the trigger
	 * mode. Returns true if some APIC accepted it. */
	bool (*deliver)(void *ctx, uint8_t dest, bool dest_logical, unsigned delivery_mode,
			uint8_t vector, bool level);
};

struct vioapic {
	uint32_t id;                        /* ID register (ID in bits 27:24) */
	uint32_t sel;                       /* IOREGSEL */
	uint32_t lines;                     /* electrical level of each input */
	uint64_t redir[VIOAPIC_PINS];
	const struct vioapic_ops *ops;
	void *ctx;
};

/* Reset: all pins masked, version 0x00170011 (24 entries, version 0x11). */
void vioapic_init(struct vioapic *io, uint8_t id, const struct vioapic_ops *ops, void *ctx);

/* The register page: IOREGSEL at 0x00, IOWIN at 0x10 (32-bit registers;
 * narrower reads return part of one), other offsets read 0 and ignore
 * writes. Writes to IOWIN must be 32 bits. Return 0. */
int vioapic_mmio_read(struct vioapic *io, uint32_t offset, unsigned size, uint64_t *val);
int vioapic_mmio_write(struct vioapic *io, uint32_t offset, unsigned size, uint64_t val);

/* The electrical level of pin's input changes (an active-low entry,
 * bit 13, is asserted while the level is false). Edge-triggered entries
 * deliver on the assertion, level-triggered ones while asserted and
 * remote IRR is clear, setting remote IRR when accepted. Masked pins do
 * not deliver; unmasking an asserted level pin delivers. Pins beyond
 * VIOAPIC_PINS are ignored. */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level);

/* An EOI broadcast from a local APIC: clears remote IRR of the level-
 * triggered entries with vector, re-delivering those still asserted. */
void vioapic_eoi(struct vioapic *io, uint8_t vector);

#endif
