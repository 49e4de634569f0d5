/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Dual 8259A (see vpic.h). Reference: Intel 8259A datasheet (231468);
 * QEMU's hw/intc/i8259.c for what PC software expects.
 *
 * Priority: IR n has rank (n - prio) & 7, 0 the highest; prio moves with
 * the rotate commands. A chip requests INTR when its best unmasked IRR bit
 * outranks its best ISR bit (in special mask mode masked ISR bits do not
 * count; in special fully nested mode the master ignores ISR bit 2 so a
 * slave can nest). The slave's INT output drives the master's IR2, which
 * is edge-triggered (ELCR bits 0-2 and the slave's 0 and 5 are fixed 0).
 * ICW1 resets a chip as the datasheet says: IMR, ISR and edge latches
 * cleared, IR7 lowest, special mask off, IRR selected for reading. The
 * 8080 call-address mode (ICW4 bit 0 clear) is treated as 8086 mode:
 * only the vector matters here. Buffered mode bits are ignored.
 */
#include "vmm/plat/vpic.h"
#include "kernel/string.h"

static const uint8_t elcr_mask[2] = { 0xf8, 0xde };

static int best(const struct vpic_chip *c, uint8_t mask)
{
	for (unsigned r = 0; r < 8; r++)
		if (mask & (1u << ((r + c->prio) & 7)))
			return (int)r;
	return 8;
}

/* The IR the chip would deliver now, or -1. */
static int chip_irq(const struct vpic_chip *c, bool master)
{
	int r = best(c, c->irr & ~c->imr);
	uint8_t in = c->isr;

	if (r == 8)
		return -1;
	if (c->smm)
		in &= ~c->imr;
	if (master && c->sfnm)
		in &= ~4u;
	return r < best(c, in) ? (int)((r + c->prio) & 7) : -1;
}

static uint8_t level_mask(const struct vpic_chip *c, bool master)
{
	return c->ltim ? 0xff : c->elcr & elcr_mask[master ? 0 : 1];
}

static void chip_set(struct vpic_chip *c, bool master, unsigned n, bool level)
{
	uint8_t m = (uint8_t)(1u << n);

	if (level_mask(c, master) & m)
		c->irr = level ? c->irr | m : c->irr & ~m;
	else if (level && !(c->line & m))
		c->irr |= m;
	c->line = level ? c->line | m : c->line & ~m;
}

static void cascade(struct vpic *p)
{
	chip_set(&p->c[0], true, 2, chip_irq(&p->c[1], false) >= 0);
}

void vpic_init(struct vpic *p)
{
	memset(p, 0, sizeof(*p));
}

static void intack(struct vpic_chip *c, bool master, int n)
{
	uint8_t m = (uint8_t)(1u << n);

	if (c->aeoi) {
		if (c->rotate_aeoi)
			c->prio = (uint8_t)((n + 1) & 7);
	} else {
		c->isr |= m;
	}
	/* An edge input's IRR bit is cleared by the acknowledge; a level
	 * one stays set while the line is high. */
	if (!(level_mask(c, master) & m))
		c->irr &= ~m;
}

static void eoi(struct vpic_chip *c, uint8_t v)
{
	unsigned cmd = v >> 5;
	int n = v & 7;

	switch (cmd) {
	case 0: case 4: /* clear / set rotate in AEOI mode */
		c->rotate_aeoi = cmd == 4;
		return;
	case 1: case 5: /* non-specific EOI, rotate on it */
		n = best(c, c->isr);
		if (n == 8)
			return;
		n = (n + c->prio) & 7;
		break;
	case 6: /* set priority: n becomes the lowest */
		c->prio = (uint8_t)((n + 1) & 7);
		return;
	case 2: /* no operation */
		return;
	}
	c->isr &= (uint8_t)~(1u << n);        /* 3: specific EOI, 7: rotate on it */
	if (cmd == 5 || cmd == 7)
		c->prio = (uint8_t)((n + 1) & 7);
}

static void chip_write(struct vpic_chip *c, bool master, bool odd, uint8_t v)
{
	if (!odd && (v & 0x10)) {           /* ICW1 */
		uint8_t elcr = c->elcr, line = c->line;

		memset(c, 0, sizeof(*c));
		c->elcr = elcr;
		c->icw4 = v & 1;
		c->single = v & 2;
		c->ltim = v & 8;
		c->line = c->irr = line & level_mask(c, master);
		c->init = 2;
	} else if (!odd && (v & 0x08)) {    /* OCW3 */
		if (v & 4)
			c->poll = true;
		if (v & 2)
			c->read_isr = v & 1;
		if (v & 0x40)
			c->smm = v & 0x20;
	} else if (!odd) {                  /* OCW2 */
		eoi(c, v);
	} else if (c->init == 2) {          /* ICW2 */
		c->base = v & 0xf8;
		c->init = c->single ? (c->icw4 ? 4 : 0) : 3;
	} else if (c->init == 3) {          /* ICW3: wiring, fixed here */
		c->init = c->icw4 ? 4 : 0;
	} else if (c->init == 4) {          /* ICW4 */
		c->aeoi = v & 2;
		c->sfnm = v & 0x10;
		c->init = 0;
	} else {                            /* OCW1 */
		c->imr = v;
	}
}

/* Poll command: the next read is an INTA that returns 0x80 | IR, or 0. */
static uint8_t poll_read(struct vpic *p, unsigned i)
{
	struct vpic_chip *c = &p->c[i];
	int n = chip_irq(c, i == 0);

	c->poll = false;
	if (n < 0)
		return 0;
	intack(c, i == 0, n);
	return (uint8_t)(0x80 | n);
}

void vpic_io(struct vpic *p, uint16_t port, bool in, uint8_t *val)
{
	unsigned i = (port >> 7) & 1;       /* 0x2x/0x4d0 master, 0xax/0x4d1 slave */
	struct vpic_chip *c;

	if (port == 0x4d0 || port == 0x4d1) {
		c = &p->c[port & 1];
		if (in)
			*val = c->elcr;
		else
			c->elcr = *val & elcr_mask[port & 1];
	} else if ((port & ~0x81u) == 0x20) {
		c = &p->c[i];
		if (!in)
			chip_write(c, i == 0, port & 1, *val);
		else if (c->poll)
			*val = poll_read(p, i);
		else if (port & 1)
			*val = c->imr;
		else
			*val = c->read_isr ? c->isr : c->irr;
	} else if (in) {
		*val = 0xff;
	}
	cascade(p);
}

void vpic_set_irq(struct vpic *p, unsigned irq, bool level)
{
	if (irq >= 16)
		return;
	chip_set(&p->c[irq >> 3], irq < 8, irq & 7, level);
	cascade(p);
}

/* The vector of the master's IR n (none: its spurious IR7), through the
 * slave's IR s when n is the cascade input (none: the slave's IR7). */
static int vector(const struct vpic *p, int n, int s)
{
	if (n >= 0 && (n != 2 || p->c[0].single))
		return p->c[0].base + n;
	return n < 0 ? p->c[0].base + 7 : p->c[1].base + (s < 0 ? 7 : s);
}

int vpic_pending(const struct vpic *p)
{
	int n = chip_irq(&p->c[0], true);

	return n < 0 ? -1 : vector(p, n, chip_irq(&p->c[1], false));
}

/* A request that went away before the acknowledge gets the spurious vector. */
int vpic_ack(struct vpic *p)
{
	int n = chip_irq(&p->c[0], true), s = chip_irq(&p->c[1], false), vec = vector(p, n, s);

	if (n >= 0)
		intack(&p->c[0], true, n);
	if (n == 2 && !p->c[0].single && s >= 0)
		intack(&p->c[1], false, s);
	cascade(p);
	return vec;
}
