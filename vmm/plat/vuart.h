/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual 16550A UART (pure, host-tested): the guest's ttyS0 (0x3F8, IRQ 4).
 * Transmission is instantaneous: a THR write goes straight to ops->tx (or,
 * in loopback, into the receive FIFO), so THR and the shifter always read
 * empty. The IRQ output follows the PC wiring: asserted only while an
 * interrupt is pending and MCR.OUT2 is set.
 */
#ifndef EYRIE_VMM_VUART_H
#define EYRIE_VMM_VUART_H

#include <stdbool.h>
#include <stdint.h>

#define VUART_FIFO 16u

struct vuart_ops {
	void (*tx)(void *ctx, uint8_t byte);                  /* a byte the guest transmitted (not in loopback) */
	void (*irq)(void *ctx, unsigned isa_irq, bool level); /* level of the IRQ line (called on changes) */
};

struct vuart {
	uint8_t ier, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
	uint8_t fifo[VUART_FIFO], head, count;
	bool thr_ipending; /* THRE interrupt latched (see vuart.c) */
	bool irq_level;    /* what ops->irq was last told */
	unsigned isa_irq;
	const struct vuart_ops *ops;
	void *ctx;
};

/* Resets the UART to its power-on state; the IRQ line starts low. */
void vuart_init(struct vuart *u, unsigned isa_irq, const struct vuart_ops *ops, void *ctx);

/* A one-byte register access at offset 0-7 from the base port: *val is read
 * into (in) or written from. */
void vuart_io(struct vuart *u, unsigned offset, bool in, uint8_t *val);

/* Input from the console. Returns false, leaving the byte with the caller,
 * if the receive FIFO is full (16 bytes; 1 with FIFOs disabled) or the UART
 * is in loopback mode (its input is disconnected then). */
bool vuart_rx(struct vuart *u, uint8_t byte);

#endif
