/*
 * 16550 UART: once its interrupt is routed, output goes through a 64 KiB
 * ring the transmit interrupt drains (a writer waits only when the ring is
 * full; console_flush makes it synchronous for last words); before that,
 * and where no interrupt is routed, output is written through. Input by
 * interrupt into a ring (or polled by uart_getc).
 */
#ifndef EYRIE_DRIVERS_UART_H
#define EYRIE_DRIVERS_UART_H

#include <stdbool.h>
#include <stdint.h>

#define COM1_PORT 0x3f8
#define COM1_IRQ  4

/* Programs 115200 8N1 with FIFOs and registers the UART as a console sink.
 * Returns false (and registers nothing) when no UART answers at the port. */
bool uart_init(uint16_t port);
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
