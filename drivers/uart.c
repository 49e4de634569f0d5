/* SPDX-License-Identifier: GPL-2.0-only */
/* 16550 UART driver (see uart.h). */
#include "drivers/uart.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "drivers/pci.h"
#include "kernel/errno.h"
#include "kernel/log.h"

#define FIFO     16   /* bytes the transmit FIFO takes at once */
#define RX_RING  1024 /* powers of two */
#define TX_RING  (64u << 10)

static enum { PENDING, ON, OFF } state;
static struct uart_cfg cfg;
static bool (*is_device_memory)(uint64_t addr, uint64_t len);
static volatile uint8_t *mmio; /* the registers when memory-mapped */
static volatile uint8_t ring[RX_RING];
volatile uint32_t uart_rx_head, uart_rx_tail;
static uint64_t overruns;
static char tx[TX_RING];
static uint32_t tx_head, tx_tail; /* written at head, sent from tail */
static uint8_t ier;               /* what IER holds */
static bool irq_driven;
/* Written through until the transmit interrupt drains the ring: boot
 * messages show as they are printed (a hang shows where), and a UART with
 * no interrupt route is written through as before. */
static bool sync_out = true;

static uint8_t rd(unsigned reg)
{
	uint64_t off = (uint64_t)reg << cfg.shift;

	if (!mmio)
		return inb((uint16_t)(cfg.base + off));
	return cfg.width == 4 ? (uint8_t)*(volatile uint32_t *)(mmio + off) : mmio[off];
}

static void wr(unsigned reg, uint8_t v)
{
	uint64_t off = (uint64_t)reg << cfg.shift;

	if (!mmio)
		outb((uint16_t)(cfg.base + off), v);
	else if (cfg.width == 4)
		*(volatile uint32_t *)(mmio + off) = v;
	else
		mmio[off] = v;
}

static void rx(void)
{
	while (rd(UART_LSR) & UART_LSR_DR) {
		uint8_t c = rd(UART_THR);
		if (uart_rx_head - uart_rx_tail >= RX_RING) {
			overruns++;
			continue;
		}
		ring[uart_rx_head % RX_RING] = c;
		uart_rx_head++;
	}
}

static void set_ier(uint8_t v)
{
	if (v != ier)
		wr(UART_IER, ier = v);
}

/* Gives the transmit FIFO what it takes now; the transmit interrupt is on
 * while more waits. Returns whether the FIFO had room. */
static bool tx_push(void)
{
	bool room = tx_tail == tx_head || (rd(UART_LSR) & UART_LSR_THRE);

	for (unsigned i = 0; room && i < FIFO && tx_tail != tx_head; i++)
		wr(UART_THR, (uint8_t)tx[tx_tail++ % TX_RING]);
	if (irq_driven)
		set_ier(UART_IER_RX | (tx_tail != tx_head ? UART_IER_TX : 0));
	return room;
}

/* Sends until at most `left` bytes wait, reading input meanwhile so that
 * none is lost while interrupts are off. */
static void tx_drain(uint32_t left)
{
	/* A UART that takes nothing for a million polls is gone: drop. */
	for (int idle = 0; tx_head - tx_tail > left && idle < 1000000; idle++) {
		rx();
		if (tx_push())
			idle = 0;
		else
			pause();
	}
	if (tx_head - tx_tail > left)
		tx_tail = tx_head - left;
}

static void put(char c)
{
	if (tx_head - tx_tail == TX_RING && state == ON)
		tx_drain(TX_RING - FIFO);
	else if (tx_head - tx_tail == TX_RING)
		tx_tail++; /* no UART yet: the oldest goes */
	tx[tx_head++ % TX_RING] = c;
}

static void uart_write(const char *s, size_t n)
{
	if (state == OFF)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
	if (state == ON)
		tx_push();
	if (state == ON && sync_out)
		tx_drain(0);
}

static size_t uart_queued(void)
{
	return tx_head - tx_tail;
}

static size_t uart_room(void)
{
	return TX_RING - uart_queued();
}

static void uart_flush(bool forever)
{
	struct uart_cfg com1;

	/* Last words before the console was chosen: COM1, the PC's. */
	uartcfg_default(1, &com1);
	if (state == PENDING && forever && uart_start(&com1, NULL, 0))
		return;
	sync_out |= forever;
	if (state == ON)
		tx_drain(0);
}

static struct console_sink uart_sink = { .write = uart_write, .queued = uart_queued,
					 .room = uart_room, .flush = uart_flush };

void uart_early(bool (*device_memory)(uint64_t addr, uint64_t len))
{
	is_device_memory = device_memory;
	console_register(&uart_sink);
}

/* A PCI card: the function named, or the first with a 16550 class
 * (07/00, programming interface 02-06: 16550 to 16950), Intel's skipped
 * unless asked (the AMT serial-over-LAN of its management engine); its
 * BAR 0 unless the address is known; its decoding turned on. */
static int pci_locate(struct uart_cfg *c, char *err, size_t el)
{
	uint32_t id = ~0u, cls = 0, bar = 0, hi = 0, cmd = 0;
	uint32_t bdf = c->pci == UART_PCI_AT ? c->sbdf : 0;

	for (; bdf <= 0xffff; bdf++) {
		if (pci_cfg(bdf, 0, 4, false, &id) || c->pci == UART_PCI_AT)
			break;
		if ((id & 0xffff) == 0xffff) {
			bdf |= 7; /* no function 0, no device */
			continue;
		}
		pci_cfg(bdf, 8, 4, false, &cls);
		if (cls >> 16 == 0x0700 && (cls >> 8 & 0xff) - 2 <= 4 &&
		    (c->pci == UART_PCI_SCAN_AMT || (id & 0xffff) != 0x8086))
			break;
	}
	if (bdf > 0xffff)
		return errorf(-ENODEV, err, el, "no 16550 PCI serial card");
	if ((id & 0xffff) == 0xffff)
		return errorf(-ENODEV, err, el, "no PCI function at %02x:%02x.%u", bdf >> 8 & 0xff,
			      bdf >> 3 & 31, bdf & 7);
	c->sbdf = bdf;
	if (!c->base) {
		pci_cfg(bdf, 0x10, 4, false, &bar);
		c->mmio = !(bar & 1);
		if (c->mmio && (bar & 6) == 4) /* 64-bit */
			pci_cfg(bdf, 0x14, 4, false, &hi);
		c->base = (bar & (c->mmio ? ~0xfu : ~3u)) | (uint64_t)hi << 32;
		if (!c->base)
			return errorf(-ENODEV, err, el, "PCI %02x:%02x.%u: BAR 0 unassigned", bdf >> 8,
				      bdf >> 3 & 31, bdf & 7);
	}
	pci_cfg(bdf, 4, 2, false, &cmd);
	cmd |= c->mmio ? 2 : 1;
	pci_cfg(bdf, 4, 2, true, &cmd);
	return 0;
}

int uart_start(struct uart_cfg *c, char *err, size_t el)
{
	uint32_t div = uartcfg_divisor(c);
	uint64_t len = 8ull << c->shift;
	int rc;

	if (state != PENDING)
		return errorf(-EINVAL, err, el, "a console UART is already chosen");
	if (c->pci && (rc = pci_locate(c, err, el)))
		return rc;
	if (c->mmio && !is_device_memory(c->base, len))
		return errorf(-EINVAL, err, el, "MMIO 0x%lx is not device memory", c->base);
	if (!c->mmio && c->base + len > 0x10000)
		return errorf(-EINVAL, err, el, "I/O 0x%lx: beyond the I/O ports", c->base);
	mmio = c->mmio ? ioremap(c->base, len, CACHE_UC) : NULL;
	if (c->mmio && !mmio)
		return errorf(-EINVAL, err, el, "MMIO 0x%lx cannot be mapped", c->base);
	cfg = *c;
	/* A 16550 keeps what we write in its scratch register; no device
	 * (an empty I/O port, an unclaimed address) reads as all ones. */
	wr(UART_SCR, 0x5a);
	bool found = rd(UART_SCR) == 0x5a;
	wr(UART_SCR, 0xa5);
	if (!found || rd(UART_SCR) != 0xa5)
		return errorf(-ENODEV, err, el, "no UART answers at %s 0x%lx", c->mmio ? "MMIO" : "I/O",
			      c->base);
	wr(UART_IER, 0);
	if (div) {
		wr(UART_LCR, UART_LCR_DLAB);
		wr(UART_THR, (uint8_t)div);
		wr(UART_IER, (uint8_t)(div >> 8));
	}
	wr(UART_LCR, c->lcr);
	wr(UART_FCR, 0xc5); /* FIFOs on, 14-byte trigger; keep received bytes */
	wr(UART_MCR, 0x0b); /* DTR, RTS, OUT2 (IRQ line enabled) */
	state = ON;
	tx_drain(0);   /* what was printed before */
	return 0;
}

void uart_off(void)
{
	state = OFF;
	tx_tail = tx_head;
}

const struct uart_cfg *uart_console(void)
{
	return state == ON ? &cfg : NULL;
}

bool uart_claims(enum uart_claim what, uint64_t first, uint64_t last)
{
	if (state != ON)
		return false;
	if (what == UART_CLAIM_PCI)
		return cfg.pci && first == cfg.sbdf;
	return (what == UART_CLAIM_MEM) == cfg.mmio && first < cfg.base + (8ull << cfg.shift) &&
	       last >= cfg.base;
}

void uart_enable_irq(void)
{
	irq_driven = true;
	sync_out = false;
	set_ier(UART_IER_RX);
	tx_push();
}

void uart_rx_poll(void)
{
	console_lock();
	if (state == ON)
		rx();
	console_unlock();
}

void uart_irq(void)
{
	console_lock();
	if (state == ON) {
		rx();
		tx_push();
	}
	console_unlock();
}

int uart_getc(void)
{
	if (uart_rx_tail == uart_rx_head) {
		/* Also poll: input that arrived before interrupts were on, or
		 * with none routed (output goes on too). */
		uint64_t f = irq_save();
		uart_irq();
		irq_restore(f);
		if (uart_rx_tail == uart_rx_head)
			return -1;
	}
	console_lock(); /* rx() adds to the ring while output waits */
	int c = ring[uart_rx_tail % RX_RING];
	uart_rx_tail++;
	console_unlock();
	return c;
}

uint64_t uart_rx_overruns(void)
{
	return overruns;
}
