/* 16550 UART driver (see uart.h). */
#include "drivers/uart.h"
#include "arch/x86_64/cpu.h"
#include "kernel/log.h"

#define THR 0 /* transmit holding (write) / receive buffer (read) */
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define SCR 7
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define RX_RING  1024 /* a power of two */

static uint16_t base;
static volatile uint8_t ring[RX_RING];
volatile uint32_t uart_rx_head, uart_rx_tail;
static uint64_t overruns;

static void putc_raw(char c)
{
	for (int spin = 0; !(inb(base + LSR) & LSR_THRE) && spin < 100000; spin++)
		pause();
	outb(base + THR, (uint8_t)c);
}

static void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
}

static struct console_sink uart_sink = { .write = uart_write };

bool uart_init(uint16_t port)
{
	base = port;
	/* A 16550 keeps what we write in its scratch register. */
	outb(base + SCR, 0x5a);
	if (inb(base + SCR) != 0x5a)
		return false;
	outb(base + IER, 0);
	outb(base + LCR, 0x80);  /* DLAB: divisor follows */
	outb(base + THR, 1);     /* 115200 = 115200 / 1 */
	outb(base + IER, 0);
	outb(base + LCR, 0x03);  /* 8N1 */
	outb(base + FCR, 0xc5);  /* FIFOs on, 14-byte trigger; keep received bytes */
	outb(base + MCR, 0x0b);  /* DTR, RTS, OUT2 (IRQ line enabled) */
	console_register(&uart_sink);
	return true;
}

void uart_enable_rx_irq(void)
{
	outb(base + IER, 0x01); /* received data available */
}

void uart_irq(void)
{
	while (inb(base + LSR) & LSR_DR) {
		uint8_t c = inb(base + THR);
		if (uart_rx_head - uart_rx_tail >= RX_RING) {
			overruns++;
			continue;
		}
		ring[uart_rx_head % RX_RING] = c;
		uart_rx_head++;
	}
}

int uart_getc(void)
{
	if (uart_rx_tail == uart_rx_head) {
		/* Also poll: input that arrived before interrupts were on. */
		uint64_t f = irq_save();
		uart_irq();
		irq_restore(f);
		if (uart_rx_tail == uart_rx_head)
			return -1;
	}
	int c = ring[uart_rx_tail % RX_RING];
	uart_rx_tail++;
	return c;
}

uint64_t uart_rx_overruns(void)
{
	return overruns;
}
