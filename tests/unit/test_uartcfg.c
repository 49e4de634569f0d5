/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for drivers/uartcfg.c: com1=/com2= and console= (SPCR: test_acpi.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/uartcfg.h"
#include "kernel/errno.h"

static struct uart_cfg c;
static char err[128];

static int parse(const char *val, unsigned com)
{
	err[0] = 0;
	return uartcfg_parse(val, com, &c, err, sizeof(err));
}

static void refused(const char *val, const char *why)
{
	assert_int_equal(parse(val, 1), -EINVAL);
	assert_string_equal(err, why);
}

static void test_defaults(void **state)
{
	assert_int_equal(parse("", 1), 0);
	assert_int_equal(c.base, 0x3f8);
	assert_int_equal(c.irq, 4);
	assert_int_equal(c.baud, 115200);
	assert_int_equal(c.lcr, 0x03);
	assert_int_equal(uartcfg_divisor(&c), 1);
	assert_int_equal(parse("115200", 2), 0);
	assert_int_equal(c.base, 0x2f8);
	assert_int_equal(c.irq, 3);
	assert_false(c.mmio);
	assert_int_equal(c.pci, UART_PCI_NO);
	assert_int_equal(parse("115200,8n1,0x2f8,3", 2), 0);
	assert_int_equal(c.base, 0x2f8);
	assert_int_equal(c.irq, 3);
	/* empty fields keep the defaults; IRQ 0 polls */
	assert_int_equal(parse("115200,,0x3e8,0", 1), 0);
	assert_int_equal(c.base, 0x3e8);
	assert_int_equal(c.lcr, 0x03);
	assert_int_equal(c.irq, -1);
}

static void test_line(void **state)
{
	assert_int_equal(parse("9600,7e2", 1), 0);
	assert_int_equal(c.lcr, 0x02 | 0x18 | 0x04);
	assert_int_equal(uartcfg_divisor(&c), 12);
	assert_int_equal(parse("19200,5o1", 1), 0);
	assert_int_equal(c.lcr, 0x08);
	assert_int_equal(parse("57600,8m1", 1), 0);
	assert_int_equal(c.lcr, 0x2b);
	assert_int_equal(parse("57600,8s1", 1), 0);
	assert_int_equal(c.lcr, 0x3b);
	assert_int_equal(parse("auto", 1), 0);
	assert_int_equal(c.baud, 0);
	assert_int_equal(uartcfg_divisor(&c), 0);
	/* BAUD/BASE-BAUD: a faster clock (base baud 921600) */
	assert_int_equal(parse("115200/921600", 1), 0);
	assert_int_equal(c.clock, 921600 * 16);
	assert_int_equal(uartcfg_divisor(&c), 8);
	assert_int_equal(parse("50", 1), 0);
	assert_int_equal(uartcfg_divisor(&c), 2304);
	assert_int_equal(parse("baud=57600,data-bits=8,parity=n,stop-bits=1,io-base=0x3e8,irq=5", 1), 0);
	assert_int_equal(c.baud, 57600);
	assert_int_equal(c.base, 0x3e8);
	assert_int_equal(c.irq, 5);
	assert_int_equal(c.lcr, 0x03);
}

static void test_mmio_pci(void **state)
{
	/* beyond the I/O ports: an address; polled unless an IRQ is given */
	assert_int_equal(parse("115200,8n1,0xfe030000", 1), 0);
	assert_true(c.mmio);
	assert_int_equal(c.base, 0xfe030000);
	assert_int_equal(c.irq, -1);
	assert_int_equal(c.width, 1);
	assert_int_equal(parse("115200,8n1,0xfe030000,0,reg-shift=2,reg-width=4", 1), 0);
	assert_int_equal(c.shift, 2);
	assert_int_equal(c.width, 4);
	assert_int_equal(parse("115200,8n1,0xfe030000,40,reg-shift=2", 1), 0);
	assert_int_equal(c.irq, 40);
	assert_int_equal(c.width, 1);
	assert_int_equal(parse("115200,8n1,pci", 1), 0);
	assert_int_equal(c.pci, UART_PCI_SCAN);
	assert_int_equal(c.base, 0);
	assert_int_equal(c.irq, -1);
	assert_int_equal(parse("115200,8n1,amt", 2), 0);
	assert_int_equal(c.pci, UART_PCI_SCAN_AMT);
	assert_int_equal(parse("115200,8n1,pci,11,01:00.1", 1), 0);
	assert_int_equal(c.pci, UART_PCI_AT);
	assert_int_equal(c.sbdf, 0x101);
	assert_int_equal(c.irq, 11);
	assert_int_equal(parse("115200,dev=pci,port=ff:1f.7", 1), 0);
	assert_int_equal(c.pci, UART_PCI_AT);
	assert_int_equal(c.sbdf, 0xffff);
	assert_int_equal(parse("port=2:3.0,dev=amt", 1), 0);
	assert_int_equal(c.pci, UART_PCI_AT);
	assert_int_equal(c.sbdf, 0x218);
}

static void test_refused(void **state)
{
	refused("abc", "bad baud 'abc'");
	refused("0", "bad baud '0'");
	refused("115200/0", "bad base baud '0'");
	refused("115200,9n1", "bad data-bits '9'");
	refused("115200,8x1", "bad parity 'x'");
	refused("115200,8n3", "bad stop-bits '3'");
	refused("115200,8n", "bad dps '8n'");
	refused("115200,8n1,0x3f8,msi", "irq msi: not supported (an IRQ, or 0 to poll)");
	refused("115200,8n1,0x3f8,256", "bad irq '256'");
	refused("115200,8n1,pci,0,1:2", "bad port '1:2'");
	refused("115200,8n1,pci,0,100:00.0", "bad port '100:00.0'");
	refused("115200,8n1,pci,0,00:20.0", "bad port '00:20.0'");
	refused("115200,8n1,pci,0,00:1f.8", "bad port '00:1f.8'");
	refused("115200,8n1,pci,0,00:01.0,00:1e.0",
		"bridge: a UART behind a bridge to set up is not supported");
	refused("115200,8n1,0x", "bad io-base '0x'");
	refused("115200,8n1,0x10000000000000", "bad io-base '0x10000000000000'");
	refused("115200,8n1,0xfff9", "I/O base 0xfff9: registers beyond port 0xffff");
	refused("reg-width=4", "4-byte access to registers 1 byte(s) apart");
	refused("reg-shift=4", "bad reg-shift '4'");
	refused("reg-width=2", "bad reg-width '2'");
	refused("115200,8n1,0x3e8,dev=pci", "an io-base and a PCI card exclude each other");
	refused("frob=1", "unknown parameter 'frob'");
	refused("baud=9600,8n1", "'8n1' after a NAME=VALUE parameter");
	refused("1,8n1,,,,,7", "more than 6 positional parameters");
	refused("230400", "baud 230400: out of reach of a 1843200 Hz UART clock");
	refused("1", "baud 1: out of reach of a 1843200 Hz UART clock");
	refused("99999999999", "bad baud '99999999999'");
	refused("115200,8n1,0x3f8,4,01234567890123456789012345678901234",
		"parameter 5 is too long");
}

static void test_console(void **state)
{
	unsigned m = 0;

	assert_int_equal(uartcfg_console("com1", &m, err, sizeof(err)), 0);
	assert_int_equal(m, CONSOLE_GIVEN | CONSOLE_COM1);
	assert_int_equal(uartcfg_console("vga,com2", &m, err, sizeof(err)), 0);
	assert_int_equal(m, CONSOLE_GIVEN | CONSOLE_COM2 | CONSOLE_VGA);
	assert_int_equal(uartcfg_console("none", &m, err, sizeof(err)), 0);
	assert_int_equal(m, CONSOLE_GIVEN);
	assert_int_equal(uartcfg_console("com1,com2", &m, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "one serial console: com1 or com2");
	assert_int_equal(uartcfg_console("none,vga", &m, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "none goes alone");
	assert_int_equal(uartcfg_console("com1H", &m, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown console 'com1H' (com1, com2, vga, none)");
	assert_int_equal(uartcfg_console("com1,", &m, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown console '' (com1, com2, vga, none)");
	assert_int_equal(uartcfg_console("serial-console", &m, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown console '...' (com1, com2, vga, none)");
	assert_int_equal(m, CONSOLE_GIVEN); /* unchanged by refusals */
}

static void test_describe(void **state)
{
	char d[96];

	parse("", 2);
	uartcfg_describe(&c, d, sizeof(d));
	assert_string_equal(d, "I/O 0x2f8, 115200 8n1");
	parse("auto,7e2,0xfe030000,0,reg-shift=2,reg-width=4", 1);
	uartcfg_describe(&c, d, sizeof(d));
	assert_string_equal(d, "MMIO 0xfe030000 (reg-shift 2, reg-width 4), baud as set, 7e2");
	parse("9600,8o1,pci,0,03:00.1", 1);
	c.base = 0xe000;
	uartcfg_describe(&c, d, sizeof(d));
	assert_string_equal(d, "PCI 03:00.1 I/O 0xe000, 9600 8o1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_mmio_pci),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests_name("uartcfg", tests, NULL, NULL);
}
