/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 16550A model: reset values, divisor latch, loopback wiring, interrupt
 * identification and the THRE interrupt sequence Linux's 8250 driver
 * runs at startup, OUT2 gating of the IRQ line, FIFO limits and clears.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/plat/vuart.h"

enum { RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR };
#define FCR IIR
#define THR RBR

static struct {
	uint8_t tx[64];
	unsigned ntx, nirq;
	bool level;
	unsigned irq;
} f;

static void fake_tx(void *ctx, uint8_t b) { f.tx[f.ntx++ % 64] = b; }

static void fake_irq(void *ctx, unsigned irq, bool level)
{
	assert_true(level != f.level); /* only called on changes */
	f.irq = irq;
	f.level = level;
	f.nirq++;
}

static const struct vuart_ops ops = { fake_tx, fake_irq };
static struct vuart u;

static uint8_t rd(unsigned reg)
{
	uint8_t v = 0x5a;
	vuart_io(&u, reg, true, &v);
	return v;
}

static void wr(unsigned reg, uint8_t v) { vuart_io(&u, reg, false, &v); }

static int setup(void **state)
{
	memset(&f, 0, sizeof(f));
	vuart_init(&u, 4, &ops, &f);
	return 0;
}

static void test_reset(void **state)
{
	assert_int_equal(rd(IER), 0);
	assert_int_equal(rd(IIR), 0x01);
	assert_int_equal(rd(LCR), 0);
	assert_int_equal(rd(MCR), 0);
	assert_int_equal(rd(LSR), 0x60);
	assert_int_equal(rd(MSR), 0xb0);
	assert_int_equal(rd(SCR), 0);
	assert_int_equal(rd(RBR), 0);
	assert_int_equal(f.nirq, 0);
	wr(SCR, 0xa5);
	assert_int_equal(rd(SCR), 0xa5);
	wr(IER, 0xff);
	assert_int_equal(rd(IER), 0x0f); /* Linux's autoconfig checks this */
}

static void test_divisor(void **state)
{
	wr(LCR, 0x83);
	assert_int_equal(rd(RBR), 12);
	assert_int_equal(rd(IER), 0);
	wr(RBR, 0x01);
	wr(IER, 0x02);
	assert_int_equal(rd(RBR), 0x01);
	assert_int_equal(rd(IER), 0x02);
	assert_int_equal(f.ntx, 0); /* DLL writes are not data */
	wr(LCR, 0x03);
	assert_int_equal(rd(LCR), 0x03);
	assert_int_equal(rd(IER), 0); /* IER untouched by DLM writes */
	wr(THR, 'x');
	assert_int_equal(f.ntx, 1);
	assert_int_equal(f.tx[0], 'x');
	assert_int_equal(rd(LSR) & 0x60, 0x60);
}

static void test_loopback(void **state)
{
	/* Linux autoconfig: MCR = LOOP | OUT2 | RTS -> MSR status 0x90 */
	wr(MCR, 0x1a);
	assert_int_equal(rd(MSR) & 0xf0, 0x90);
	wr(MCR, 0x10);
	assert_int_equal(rd(MSR), 0x08 | 0x01); /* DDCD, DCTS; all low */
	assert_int_equal(rd(MSR), 0);
	wr(MCR, 0x11); /* DTR -> DSR */
	assert_int_equal(rd(MSR), 0x22);
	wr(MCR, 0x14); /* OUT1 -> RI; DTR dropped */
	assert_int_equal(rd(MSR), 0x42);
	wr(MCR, 0x10); /* RI trailing edge -> TERI */
	assert_int_equal(rd(MSR), 0x04);
	wr(MCR, 0x1f);
	assert_int_equal(rd(MSR) & 0xf0, 0xf0);
	/* data loops back instead of leaving */
	wr(THR, 'a');
	wr(THR, 'b');
	assert_int_equal(f.ntx, 0);
	assert_int_equal(rd(LSR), 0x63); /* FIFOs off: 'b' overran 'a' */
	assert_false(vuart_rx(&u, 'z')); /* input disconnected */
	assert_int_equal(rd(RBR), 'b');
	wr(MCR, 0x00);
	assert_int_equal(rd(MSR), 0xb0 | 0x04); /* from 0xf0: only RI fell */
	assert_int_equal(rd(RBR), 0);
}

static void test_iir_priority(void **state)
{
	wr(MCR, 0x08);
	wr(IER, 0x0f);
	assert_int_equal(rd(IIR), 0x02); /* THRE (ETBEI 0->1, THR empty) */
	assert_int_equal(rd(IIR), 0x01); /* cleared by that read */
	wr(MCR, 0x0b); /* DTR, RTS: no input change -> nothing */
	assert_int_equal(rd(IIR), 0x01);
	wr(THR, 'x');
	assert_true(vuart_rx(&u, 'r'));
	assert_int_equal(rd(IIR), 0x04); /* data over THRE */
	wr(MCR, 0x1b); /* loopback with RTS, DTR, OUT2: same MSR lines */
	assert_int_equal(rd(IIR), 0x04);
	wr(MCR, 0x19); /* RTS off -> CTS off -> DCTS */
	assert_int_equal(rd(RBR), 'r');
	wr(THR, 'y'); /* looped back into the empty RBR */
	wr(THR, 'z'); /* RBR full: overrun */
	assert_int_equal(rd(IIR), 0x06); /* line status first */
	assert_int_equal(rd(LSR), 0x63);
	assert_int_equal(rd(IIR), 0x04);
	assert_int_equal(rd(RBR), 'z'); /* a lone RBR is overwritten */
	assert_int_equal(rd(IIR), 0x02);
	assert_int_equal(rd(IIR), 0x00); /* modem status last */
	assert_int_equal(rd(MSR) & 0x0f, 0x01);
	assert_int_equal(rd(IIR), 0x01);
}

/* serial8250_do_startup's THRE test, then interrupt-driven TX. */
static void test_thre(void **state)
{
	wr(MCR, 0x0b);
	assert_int_equal(rd(IIR), 0x01);
	wr(IER, 0x02);
	assert_true(f.level);
	assert_int_equal(rd(IIR), 0x02); /* iir1 */
	assert_false(f.level);
	wr(IER, 0x00);
	wr(IER, 0x02);
	assert_int_equal(rd(IIR), 0x02); /* iir: re-asserted */
	wr(IER, 0x00);
	assert_int_equal(rd(IIR), 0x01);
	/* ETBEI 1 -> 1 does not re-arm */
	wr(IER, 0x02);
	assert_int_equal(rd(IIR), 0x02);
	wr(IER, 0x03);
	assert_int_equal(rd(IIR), 0x01);
	/* THR write: pending again after the write; the write clears any
	 * pending one first */
	wr(THR, 'a');
	assert_true(f.level);
	wr(THR, 'b');
	assert_true(f.level);
	assert_int_equal(rd(IIR), 0x02);
	assert_false(f.level);
	/* a pending THRE stays pending while masked, unless IIR is read */
	wr(THR, 'c');
	wr(IER, 0x01);
	assert_false(f.level);
	assert_int_equal(f.ntx, 3);
	/* when IIR reports something else, reading it does not clear THRE */
	wr(IER, 0x03); /* 0->1: pending (it was anyway) */
	assert_true(vuart_rx(&u, 'r'));
	assert_int_equal(rd(IIR), 0x04);
	assert_int_equal(rd(RBR), 'r');
	assert_int_equal(rd(IIR), 0x02);
	assert_int_equal(rd(IIR), 0x01);
}

static void test_out2(void **state)
{
	wr(IER, 0x01);
	assert_true(vuart_rx(&u, 'a'));
	assert_int_equal(rd(IIR), 0x04);
	assert_int_equal(f.nirq, 0); /* OUT2 clear: line stays low */
	wr(MCR, 0x08);
	assert_true(f.level);
	assert_int_equal(f.irq, 4);
	wr(MCR, 0x00);
	assert_false(f.level);
	wr(MCR, 0x08);
	assert_true(f.level);
	rd(RBR);
	assert_false(f.level);
	assert_int_equal(f.nirq, 4);
}

static void test_fifo(void **state)
{
	/* FIFOs off: one byte */
	assert_true(vuart_rx(&u, 1));
	assert_false(vuart_rx(&u, 2));
	assert_int_equal(rd(IIR), 0x01);
	wr(FCR, 0xc1); /* enable (clears), trigger 14 */
	assert_int_equal(rd(IIR), 0xc1);
	assert_int_equal(rd(LSR), 0x60);
	for (unsigned i = 0; i < 16; i++)
		assert_true(vuart_rx(&u, (uint8_t)i));
	assert_false(vuart_rx(&u, 16));
	assert_int_equal(rd(LSR), 0x61); /* refused input is no overrun */
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(rd(RBR), i);
	for (unsigned i = 16; i < 24; i++) /* wraps around */
		assert_true(vuart_rx(&u, (uint8_t)i));
	assert_false(vuart_rx(&u, 99));
	for (unsigned i = 8; i < 24; i++)
		assert_int_equal(rd(RBR), i);
	assert_int_equal(rd(LSR), 0x60);
	/* loopback into a full FIFO: overrun, FIFO contents kept */
	wr(MCR, 0x10);
	for (unsigned i = 0; i < 17; i++)
		wr(THR, (uint8_t)(0x40 + i));
	assert_int_equal(rd(LSR), 0x63);
	assert_int_equal(rd(LSR), 0x61); /* OE clears on read */
	assert_int_equal(rd(RBR), 0x40);
	wr(FCR, 0xc3); /* clear RX */
	assert_int_equal(rd(LSR), 0x60);
	assert_int_equal(rd(RBR), 0);
	wr(THR, 0x55);
	wr(FCR, 0x00); /* FIFO disable clears too */
	assert_int_equal(rd(LSR), 0x60);
	assert_int_equal(rd(IIR) & 0xc0, 0);
	wr(FCR, 0x07); /* enable + clear RX/TX */
	assert_int_equal(rd(IIR), 0xc1);
	assert_int_equal(f.ntx, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_divisor, setup),
		cmocka_unit_test_setup(test_loopback, setup),
		cmocka_unit_test_setup(test_iir_priority, setup),
		cmocka_unit_test_setup(test_thre, setup),
		cmocka_unit_test_setup(test_out2, setup),
		cmocka_unit_test_setup(test_fifo, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
