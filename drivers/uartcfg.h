/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which 16550 is the console and how it is set up, from the options
 * (Xen's com1=/com2= and console=, a subset: docs/boot.md) or the ACPI
 * SPCR table. Pure, host-tested; drivers/uart.c applies a struct uart_cfg.
 */
#ifndef EYRIE_DRIVERS_UARTCFG_H
#define EYRIE_DRIVERS_UARTCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/acpi.h"

#define UART_CLOCK 1843200 /* the PC's: base baud 115200 */

/* The 16550's registers (register n at base + (n << shift); with LCR.DLAB
 * set, 0 and 1 are the divisor latch) and the bits that both the driver
 * and the virtual UART (vmm/plat/vuart.c) use. */
enum uart_reg { UART_THR, UART_IER, UART_FCR, UART_LCR, UART_MCR, UART_LSR, UART_MSR, UART_SCR };
#define UART_LCR_DLAB 0x80
#define UART_LSR_DR   0x01 /* data ready */
#define UART_LSR_THRE 0x20 /* THR empty (with the FIFO on: the transmit FIFO is empty) */
#define UART_IER_RX   0x01 /* interrupt when data is available */
#define UART_IER_TX   0x02 /* interrupt when THR (the transmit FIFO) empties */

enum uart_pci {
	UART_PCI_NO,
	UART_PCI_AT,       /* the function at sbdf */
	UART_PCI_SCAN,     /* the first 16550-class function, Intel's (AMT) skipped */
	UART_PCI_SCAN_AMT, /* the first 16550-class function */
};

struct uart_cfg {
	uint64_t base;  /* I/O port, or physical address (mmio); 0 on a PCI card: its BAR 0 */
	bool mmio;
	uint8_t shift;  /* register n at base + (n << shift) */
	uint8_t width;  /* bytes per MMIO access: 1 or 4 */
	uint8_t lcr;    /* framing: the line control register's bits 0-5 (8n1 = 0x03) */
	uint32_t baud;  /* 0: keep the divisor the firmware set ("auto") */
	uint32_t clock; /* input clock in Hz: divisor = clock / 16 / baud */
	int32_t irq;    /* -1: polled; below 16 an ISA IRQ, else a GSI */
	enum uart_pci pci;
	uint32_t sbdf;  /* the PCI function (segment << 16 | bus << 8 | dev << 3 | fn) */
};

/* The divisor latch value for c's baud (0 for "auto": keep the firmware's). */
uint32_t uartcfg_divisor(const struct uart_cfg *c);

/* COMn's legacy port (1: 0x3F8 IRQ 4, 2: 0x2F8 IRQ 3), 115200 8n1. */
void uartcfg_default(unsigned com, struct uart_cfg *c);

/* Parses a com1=/com2= value (com 1 or 2) over COMn's defaults:
 *   BAUD|auto[/BASE-BAUD][,DPS[,IO-BASE|MMIO-BASE|pci|amt[,IRQ[,BB:DD.F]]]]
 * then NAME=VALUE pairs (baud, data-bits, parity, stop-bits, io-base,
 * irq, reg-shift, reg-width, dev=pci|amt, port=BB:DD.F); a base of
 * 0x10000 or more is a physical address; IRQ 0 means polled. 0, or
 * -EINVAL with the reason in err (*c undefined). */
int uartcfg_parse(const char *val, unsigned com, struct uart_cfg *c, char *err, size_t errlen);

#define CONSOLE_GIVEN 1 /* set for any valid console= (alone: none) */
#define CONSOLE_COM1  2
#define CONSOLE_COM2  4
#define CONSOLE_VGA   8
/* Parses a console= value, a comma list of com1, com2, vga, none: 0 with
 * CONSOLE_* bits in *mask, or -EINVAL with the reason in err. */
int uartcfg_console(const char *val, unsigned *mask, char *err, size_t errlen);

/* The UART the ACPI SPCR table names: 0; -ENOENT without an SPCR table
 * ("no SPCR table"); -EBADMSG for a table the parser refused ("table
 * refused (bad checksum)"); -ENODEV for one describing no usable 16550;
 * with the reason in err. */
int uartcfg_spcr(const struct acpi_info *ai, struct uart_cfg *c, char *err, size_t errlen);

/* "PCI 00:03.0 I/O 0xc000, 115200 8n1" and the like. */
void uartcfg_describe(const struct uart_cfg *c, char *buf, size_t len);

#endif
