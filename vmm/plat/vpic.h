/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Dual Intel 8259A programmable interrupt controller of the PC (pure,
 * host-tested): master at 0x20/0x21, slave at 0xA0/0xA1 cascaded on the
 * master's IR2, and the PIIX edge/level control registers (ELCR) at
 * 0x4D0/0x4D1. Behaviour follows the 8259A datasheet; see vpic.c.
 */
#ifndef EYRIE_VMM_VPIC_H
#define EYRIE_VMM_VPIC_H

#include <stdbool.h>
#include <stdint.h>

struct vpic_chip {
	uint8_t irr, isr, imr;
	uint8_t line;        /* input levels, for edge detection */
	uint8_t elcr;        /* level-triggered inputs (PIIX ELCR) */
	uint8_t base;        /* vector base from ICW2 */
	uint8_t prio;        /* the IR with the highest priority (rotation) */
	uint8_t init;        /* next ICW expected: 0 none, 2, 3, 4 */
	bool icw4, single, ltim, aeoi, rotate_aeoi, sfnm, read_isr, poll, smm;
};

struct vpic {
	struct vpic_chip c[2]; /* master, slave */
};

/* Power-on state: uninitialised, IMR 0, nothing pending, ELCR 0. */
void vpic_init(struct vpic *p);
/* One byte access to 0x20, 0x21, 0xa0, 0xa1, 0x4d0 or 0x4d1; a read (in)
 * stores into *val. Other ports read 0xff. */
void vpic_io(struct vpic *p, uint16_t port, bool in, uint8_t *val);
/* Drives ISA IRQ line irq (0-15): a rising edge latches IRR for edge
 * inputs; level inputs (ELCR or ICW1.LTIM) follow the line. */
void vpic_set_irq(struct vpic *p, unsigned irq, bool level);
/* The vector INTR would deliver now, or -1 when INTR is low. */
int vpic_pending(const struct vpic *p);
/* The INTA cycle: returns the vector (base + 7 of the chip that has
 * nothing to deliver: spurious), moves IRR to ISR or applies AEOI. */
int vpic_ack(struct vpic *p);

#endif
