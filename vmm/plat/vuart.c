/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 16550A UART model (see vuart.h). Register map (DLAB = LCR bit 7):
 *   0 RBR (in) / THR (out) / DLL (DLAB)    4 MCR
 *   1 IER / DLM (DLAB)                     5 LSR (writes ignored)
 *   2 IIR (in) / FCR (out)                 6 MSR (writes ignored)
 *   3 LCR                                  7 SCR
 * Interrupt priorities (IIR bits 3:0): line status 0x6 > data available
 * 0x4 > THR empty 0x2 > modem status 0x0; 0x1 = none. A receive timeout
 * (0xC) is never reported: received data always reads as "available",
 * whatever the FIFO trigger level.
 *
 * The THRE interrupt is an edge latched into thr_ipending, as on a real
 * 16550 (and QEMU's hw/char/serial.c): set when a THR write completes and
 * when IER.ETBEI goes 0->1 while THR is empty; cleared by writing THR or
 * by reading IIR while IIR reports it. Linux's serial8250_do_startup tests
 * for exactly this (IER=THRI, read IIR, IER=0, IER=THRI: THRE again).
 */
#include "vmm/plat/vuart.h"
#include "drivers/uartcfg.h"
#include "kernel/string.h"

#define IER_ELSI  0x04 /* line status */
#define IER_EDSSI 0x08 /* modem status */

#define IIR_NONE  0x01
#define IIR_MSI   0x00
#define IIR_THRI  0x02
#define IIR_RDI   0x04
#define IIR_RLSI  0x06
#define IIR_FIFO  0xc0

#define FCR_FE    0x01
#define FCR_RFR   0x02 /* clear the receive FIFO */

#define MCR_DTR   0x01
#define MCR_RTS   0x02
#define MCR_OUT1  0x04
#define MCR_OUT2  0x08
#define MCR_LOOP  0x10

#define LSR_OE    0x02
#define LSR_ERR   0x1e /* OE, PE, FE, BI: the line status interrupt */
#define LSR_TEMT  0x40

#define MSR_DELTA 0x0f
#define MSR_TERI  0x04
#define MSR_RI    0x40
/* Outside loopback the console side asserts CTS, DSR and DCD. */
#define MSR_LINES 0xb0

static uint8_t iir_id(const struct vuart *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr & LSR_ERR))
		return IIR_RLSI;
	if ((u->ier & UART_IER_RX) && (u->lsr & UART_LSR_DR))
		return IIR_RDI;
	if ((u->ier & UART_IER_TX) && u->thr_ipending)
		return IIR_THRI;
	if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTA))
		return IIR_MSI;
	return IIR_NONE;
}

static void update_irq(struct vuart *u)
{
	bool level = iir_id(u) != IIR_NONE && (u->mcr & MCR_OUT2);

	if (level != u->irq_level) {
		u->irq_level = level;
		u->ops->irq(u->ctx, u->isa_irq, level);
	}
}

static unsigned fifo_cap(const struct vuart *u)
{
	return (u->fcr & FCR_FE) ? VUART_FIFO : 1;
}

static void fifo_push(struct vuart *u, uint8_t byte)
{
	u->fifo[(u->head + u->count++) % VUART_FIFO] = byte;
	u->lsr |= UART_LSR_DR;
}

static void fifo_clear(struct vuart *u)
{
	u->head = u->count = 0;
	u->lsr &= (uint8_t)~UART_LSR_DR;
}

/* Modem status inputs: in loopback the outputs are wired back (CTS=RTS,
 * DSR=DTR, RI=OUT1, DCD=OUT2); each change sets its delta bit (for RI,
 * TERI only on the trailing edge). */
static void update_msr(struct vuart *u)
{
	uint8_t m = u->mcr, lines = MSR_LINES, chg;

	if (m & MCR_LOOP)
		lines = (uint8_t)((m & MCR_RTS) << 3 | (m & MCR_DTR) << 5 |
				  (m & (MCR_OUT1 | MCR_OUT2)) << 4);
	chg = (uint8_t)((u->msr ^ lines) & 0xf0);
	u->msr = (uint8_t)(lines | (u->msr & MSR_DELTA) | ((chg >> 4) & 0x0b));
	if ((chg & MSR_RI) && !(lines & MSR_RI))
		u->msr |= MSR_TERI;
}

void vuart_init(struct vuart *u, unsigned isa_irq, const struct vuart_ops *ops, void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->isa_irq = isa_irq;
	u->ops = ops;
	u->ctx = ctx;
	u->lsr = UART_LSR_THRE | LSR_TEMT;
	u->msr = MSR_LINES;
	u->dll = 12; /* 9600 baud, what a PC BIOS leaves */
}

static void write_thr(struct vuart *u, uint8_t byte)
{
	u->thr_ipending = false;
	if (!(u->mcr & MCR_LOOP)) {
		u->ops->tx(u->ctx, byte);
	} else if (u->count < fifo_cap(u)) {
		fifo_push(u, byte);
	} else { /* overrun: the FIFO keeps its bytes, a lone RBR is overwritten */
		if (!(u->fcr & FCR_FE))
			u->fifo[u->head] = byte;
		u->lsr |= LSR_OE;
	}
	u->thr_ipending = true; /* the (instant) transmission completed */
}

static void write_fcr(struct vuart *u, uint8_t val)
{
	/* Toggling FIFO enable clears both FIFOs. The transmit side is always
	 * empty, so only the receive FIFO has anything to clear. */
	if (((val ^ u->fcr) & FCR_FE) || (val & FCR_RFR))
		fifo_clear(u);
	u->fcr = val & 0xc9; /* FE, DMA mode, trigger level */
}

static void write_ier(struct vuart *u, uint8_t val)
{
	uint8_t old = u->ier;

	u->ier = val & 0x0f;
	if (!(old & UART_IER_TX) && (u->ier & UART_IER_TX) && (u->lsr & UART_LSR_THRE))
		u->thr_ipending = true;
}

static void io_write(struct vuart *u, unsigned reg, uint8_t val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0: if (dlab) u->dll = val; else write_thr(u, val); break;
	case 1: if (dlab) u->dlm = val; else write_ier(u, val); break;
	case 2: write_fcr(u, val); break;
	case 3: u->lcr = val; break;
	case 4: u->mcr = val & 0x1f; update_msr(u); break;
	case 7: u->scr = val; break;
	}
}

static uint8_t read_rbr(struct vuart *u)
{
	uint8_t byte = 0;

	if (u->count) {
		byte = u->fifo[u->head];
		u->head = (uint8_t)((u->head + 1) % VUART_FIFO);
		if (!--u->count)
			u->lsr &= (uint8_t)~UART_LSR_DR;
	}
	return byte;
}

static uint8_t io_read(struct vuart *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v, id;

	switch (reg) {
	case 0: return dlab ? u->dll : read_rbr(u);
	case 1: return dlab ? u->dlm : u->ier;
	case 2:
		id = iir_id(u);
		if (id == IIR_THRI)
			u->thr_ipending = false;
		return (uint8_t)(id | ((u->fcr & FCR_FE) ? IIR_FIFO : 0));
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5:
		v = u->lsr;
		u->lsr &= (uint8_t)~LSR_ERR; /* error bits clear on read */
		return v;
	case 6:
		v = u->msr;
		u->msr &= (uint8_t)~MSR_DELTA;
		return v;
	default: return u->scr;
	}
}

void vuart_io(struct vuart *u, unsigned offset, bool in, uint8_t *val)
{
	if (in)
		*val = io_read(u, offset & 7);
	else
		io_write(u, offset & 7, *val);
	update_irq(u);
}

bool vuart_rx(struct vuart *u, uint8_t byte)
{
	if ((u->mcr & MCR_LOOP) || u->count >= fifo_cap(u))
		return false;
	fifo_push(u, byte);
	update_irq(u);
	return true;
}
