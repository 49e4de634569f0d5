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
#define LSR_THRE 0x20 /* with the FIFO on: the transmit FIFO is empty */
#define IER_RX   0x01
#define IER_TX   0x02 /* interrupt when the transmit FIFO empties */
#define FIFO     16   /* bytes the transmit FIFO takes at once */
#define RX_RING  1024 /* powers of two */
#define TX_RING  (64u << 10)

static uint16_t base;
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

static void rx(void)
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

static void set_ier(uint8_t v)
{
	if (v != ier)
		outb(base + IER, ier = v);
}

/* Gives the transmit FIFO what it takes now; the transmit interrupt is on
 * while more waits. Returns whether the FIFO had room. */
static bool tx_push(void)
{
	bool room = tx_tail == tx_head || (inb(base + LSR) & LSR_THRE);

	for (unsigned i = 0; room && i < FIFO && tx_tail != tx_head; i++)
		outb(base + THR, (uint8_t)tx[tx_tail++ % TX_RING]);
	if (irq_driven)
		set_ier(IER_RX | (tx_tail != tx_head ? IER_TX : 0));
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
	if (tx_head - tx_tail == TX_RING)
		tx_drain(TX_RING - FIFO);
	tx[tx_head++ % TX_RING] = c;
}

static void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
	tx_push();
	if (sync_out)
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
	sync_out |= forever;
	tx_drain(0);
}

static struct console_sink uart_sink = { .write = uart_write, .queued = uart_queued,
					 .room = uart_room, .flush = uart_flush };

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

void uart_enable_irq(void)
{
	irq_driven = true;
	sync_out = false;
	set_ier(IER_RX);
	tx_push();
}

void uart_rx_poll(void)
{
	if (base)
		rx();
}

void uart_irq(void)
{
	rx();
	tx_push();
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
	int c = ring[uart_rx_tail % RX_RING];
	uart_rx_tail++;
	return c;
}

uint64_t uart_rx_overruns(void)
{
	return overruns;
}
