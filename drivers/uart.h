/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The console's 16550 UART: at an I/O port, memory-mapped (register
 * spacing and access width), or on a PCI card (drivers/uartcfg.h says
 * which). Output printed before the UART is chosen (the choice waits for
 * the options and ACPI's SPCR table) is kept in the transmit ring and sent
 * once it is; a panic before that sends it to COM1. Once its interrupt is
 * routed, output goes through the 64 KiB ring the transmit interrupt
 * drains (a writer waits only when the ring is full; console_flush makes
 * it synchronous for last words); before that, and where no interrupt is
 * routed, output is written through. Input by interrupt into a ring (or
 * polled by uart_getc).
 */
#ifndef EYRIE_DRIVERS_UART_H
#define EYRIE_DRIVERS_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/uartcfg.h"

/* Registers the console sink, which keeps output until uart_start, and
 * the test uart_start makes of a memory-mapped UART's registers: whether
 * [addr, addr + len) is device memory (not RAM, firmware data or the
 * hypervisor's own devices; the kernel knows, from the boot facts). */
void uart_early(bool (*device_memory)(uint64_t addr, uint64_t len));
/* Takes the UART *c describes as the console: finds a PCI card's BAR
 * (into c->base) and turns its decoding on, maps MMIO registers, checks
 * that a 16550 answers (its scratch register), programs the line and
 * sends what was kept. 0, or -ENODEV/-EINVAL with the reason in err
 * (nothing taken: another may be tried). */
int uart_start(struct uart_cfg *c, char *err, size_t errlen);
/* No serial console: what was kept and all later output is dropped. */
void uart_off(void);
/* The console UART, or NULL when there is none (yet). */
const struct uart_cfg *uart_console(void);
/* Whether the console UART uses any of I/O ports [first, last]
 * (UART_CLAIM_IO), physical addresses [first, last] (UART_CLAIM_MEM) or
 * is the PCI function first (UART_CLAIM_PCI): none of it is lent out. */
enum uart_claim { UART_CLAIM_IO, UART_CLAIM_MEM, UART_CLAIM_PCI };
bool uart_claims(enum uart_claim what, uint64_t first, uint64_t last);
/* Enables the receive and transmit interrupts; the caller routes the IRQ
 * to uart_irq. */
void uart_enable_irq(void);
void uart_irq(void);
/* Reads what the UART received into the input ring: for long work with
 * interrupts off (zeroing guest memory), so no typed key is lost. */
void uart_rx_poll(void);
/* Next received byte, or -1 when none is waiting. */
int uart_getc(void);
/* Ring indexes: the IRQ handler advances the head, readers the tail. */
extern volatile uint32_t uart_rx_head, uart_rx_tail;
/* True when received bytes wait in the ring (no hardware access; inline:
 * the scheduler asks on every exit). */
static inline bool uart_rx_pending(void)
{
	return uart_rx_head != uart_rx_tail;
}
/* Bytes dropped because the receive ring was full. */
uint64_t uart_rx_overruns(void);

#endif
