/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Dual 8259A: Linux's probe and init_8259A sequence, priority, cascade
 * through IR2, the EOI forms, AEOI, spurious vectors, ELCR level inputs,
 * poll mode and the rotation commands.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm/plat/vpic.h"

static void out(struct vpic *p, uint16_t port, uint8_t v) { vpic_io(p, port, false, &v); }
static uint8_t in(struct vpic *p, uint16_t port) { uint8_t v = 0; vpic_io(p, port, true, &v); return v; }

/* arch/x86/kernel/i8259.c: init_8259A(0) with the 6.1 vector layout. */
static void linux_init(struct vpic *p, bool aeoi)
{
	vpic_init(p);
	out(p, 0x21, 0xff);
	out(p, 0xa1, 0xff);
	out(p, 0x20, 0x11);
	out(p, 0x21, 0x30);
	out(p, 0x21, 0x04);
	out(p, 0x21, aeoi ? 0x03 : 0x01);
	out(p, 0xa0, 0x11);
	out(p, 0xa1, 0x38);
	out(p, 0xa1, 0x02);
	out(p, 0xa1, 0x01);
	out(p, 0x21, 0x00);
	out(p, 0xa1, 0x00);
}

static void test_probe(void **s)
{
	struct vpic p;

	vpic_init(&p);
	assert_int_equal(in(&p, 0x21), 0);
	out(&p, 0x21, 0xff);
	assert_int_equal(in(&p, 0x21), 0xff);
	out(&p, 0xa1, 0xfb);
	assert_int_equal(in(&p, 0xa1), 0xfb);
	assert_int_equal(in(&p, 0x4d0), 0);
	assert_int_equal(in(&p, 0x60), 0xff); /* not ours */
	assert_int_equal(vpic_pending(&p), -1);
}

static void test_init_vectors(void **s)
{
	struct vpic p;

	linux_init(&p, false);
	assert_int_equal(in(&p, 0x21), 0);
	vpic_set_irq(&p, 1, true);
	assert_int_equal(vpic_pending(&p), 0x31);
	assert_int_equal(in(&p, 0x20), 0x02);   /* IRR */
	assert_int_equal(vpic_ack(&p), 0x31);
	assert_int_equal(vpic_pending(&p), -1);
	out(&p, 0x20, 0x0b);                    /* OCW3: read ISR */
	assert_int_equal(in(&p, 0x20), 0x02);
	out(&p, 0x20, 0x20);                    /* non-specific EOI */
	assert_int_equal(in(&p, 0x20), 0x00);
	out(&p, 0x20, 0x0a);                    /* back to IRR */
	assert_int_equal(in(&p, 0x20), 0x00);
}

static void test_init_masks_pending(void **s)
{
	struct vpic p;

	vpic_init(&p);
	vpic_set_irq(&p, 0, true);
	out(&p, 0x20, 0x11);                    /* ICW1 clears edge latches */
	out(&p, 0x21, 0x30);
	out(&p, 0x21, 0x04);
	out(&p, 0x21, 0x01);
	assert_int_equal(vpic_pending(&p), -1);
	vpic_set_irq(&p, 0, false);
	vpic_set_irq(&p, 0, true);
	assert_int_equal(vpic_pending(&p), 0x30);
}

static void test_edge(void **s)
{
	struct vpic p;

	linux_init(&p, false);
	vpic_set_irq(&p, 4, true);
	assert_int_equal(vpic_ack(&p), 0x34);
	out(&p, 0x20, 0x20);
	vpic_set_irq(&p, 4, true);              /* still high: no new edge */
	assert_int_equal(vpic_pending(&p), -1);
	vpic_set_irq(&p, 4, false);
	vpic_set_irq(&p, 4, true);
	assert_int_equal(vpic_pending(&p), 0x34);
	vpic_set_irq(&p, 4, false);             /* edge latched: stays */
	assert_int_equal(vpic_pending(&p), 0x34);
}

static void test_priority_nesting(void **s)
{
	struct vpic p;

	linux_init(&p, false);
	vpic_set_irq(&p, 5, true);
	vpic_set_irq(&p, 3, true);
	assert_int_equal(vpic_ack(&p), 0x33);
	assert_int_equal(vpic_pending(&p), -1); /* 5 is below 3 in service */
	vpic_set_irq(&p, 0, true);
	assert_int_equal(vpic_ack(&p), 0x30);   /* 0 nests over 3 */
	out(&p, 0x20, 0x0b);
	assert_int_equal(in(&p, 0x20), 0x09);
	out(&p, 0x20, 0x20);                    /* EOIs the highest: 0 */
	assert_int_equal(in(&p, 0x20), 0x08);
	out(&p, 0x20, 0x20);
	assert_int_equal(vpic_ack(&p), 0x35);
}

static void test_mask(void **s)
{
	struct vpic p;

	linux_init(&p, false);
	out(&p, 0x21, 0x01);
	vpic_set_irq(&p, 0, true);
	assert_int_equal(vpic_pending(&p), -1);
	out(&p, 0x21, 0x00);
	assert_int_equal(vpic_pending(&p), 0x30);
}

static void test_cascade(void **s)
{
	struct vpic p;

	linux_init(&p, false);
	vpic_set_irq(&p, 8, true);
	vpic_set_irq(&p, 14, true);
	assert_int_equal(vpic_pending(&p), 0x38);
	assert_int_equal(vpic_ack(&p), 0x38);
	assert_int_equal(vpic_pending(&p), -1);
	vpic_set_irq(&p, 3, true);              /* below IR2 in service */
	assert_int_equal(vpic_pending(&p), -1);
	out(&p, 0xa0, 0x20);
	out(&p, 0x20, 0x20);
	assert_int_equal(vpic_ack(&p), 0x3e);   /* slave's 14 before master's 3 */
	out(&p, 0xa0, 0x66);                    /* specific EOI 6 */
	out(&p, 0x20, 0x62);                    /* specific EOI 2 */
	assert_int_equal(vpic_ack(&p), 0x33);
}

static void test_slave_masked(void **s)
{
	struct vpic p;

	linux_init(&p, false);
	out(&p, 0x21, 0x04);                    /* cascade masked */
	vpic_set_irq(&p, 12, true);
	assert_int_equal(vpic_pending(&p), -1);
	out(&p, 0x21, 0x00);
	assert_int_equal(vpic_ack(&p), 0x3c);
}

static void test_specific_eoi(void **s)
{
	struct vpic p;

	linux_init(&p, false);
	vpic_set_irq(&p, 6, true);
	vpic_ack(&p);
	vpic_set_irq(&p, 1, true);
	vpic_ack(&p);
	out(&p, 0x20, 0x0b);
	assert_int_equal(in(&p, 0x20), 0x42);
	out(&p, 0x20, 0x66);
	assert_int_equal(in(&p, 0x20), 0x02);
	out(&p, 0x20, 0x40);                    /* OCW2 no-op */
	assert_int_equal(in(&p, 0x20), 0x02);
}

static void test_aeoi(void **s)
{
	struct vpic p;

	linux_init(&p, true);
	vpic_set_irq(&p, 0, true);
	vpic_set_irq(&p, 1, true);
	assert_int_equal(vpic_ack(&p), 0x30);
	out(&p, 0x20, 0x0b);
	assert_int_equal(in(&p, 0x20), 0);      /* nothing in service */
	assert_int_equal(vpic_ack(&p), 0x31);
}

static void test_spurious(void **s)
{
	struct vpic p;

	linux_init(&p, false);
	assert_int_equal(vpic_ack(&p), 0x37);
	out(&p, 0x20, 0x0b);
	assert_int_equal(in(&p, 0x20), 0);      /* spurious sets no ISR bit */
	/* A slave request that went away between INTR and INTA. */
	out(&p, 0x4d1, 0x02);                   /* IRQ9 level */
	vpic_set_irq(&p, 9, true);
	assert_int_equal(vpic_pending(&p), 0x39);
	out(&p, 0xa1, 0x02);                    /* masked after the master saw it */
	assert_int_equal(vpic_ack(&p), 0x3f);
	out(&p, 0xa0, 0x0b);
	assert_int_equal(in(&p, 0xa0), 0);
}

static void test_elcr_level(void **s)
{
	struct vpic p;

	linux_init(&p, false);
	out(&p, 0x4d0, 0xff);
	assert_int_equal(in(&p, 0x4d0), 0xf8);  /* IRQ 0-2 are edge only */
	out(&p, 0x4d1, 0xff);
	assert_int_equal(in(&p, 0x4d1), 0xde);  /* IRQ 8 and 13 too */
	vpic_set_irq(&p, 11, true);
	assert_int_equal(vpic_ack(&p), 0x3b);
	out(&p, 0xa0, 0x20);
	out(&p, 0x20, 0x20);
	assert_int_equal(vpic_pending(&p), 0x3b); /* still high: again */
	vpic_set_irq(&p, 11, false);            /* level dropped, IRR too */
	out(&p, 0xa0, 0x0a);
	assert_int_equal(in(&p, 0xa0), 0);
	/* The master latched the slave's INT edge: INTA gets the slave's
	 * spurious IR7, and the master's IR2 goes in service, as on a PC. */
	assert_int_equal(vpic_ack(&p), 0x3f);
	out(&p, 0x20, 0x0b);
	assert_int_equal(in(&p, 0x20), 0x04);
	out(&p, 0x20, 0x20);
	assert_int_equal(vpic_pending(&p), -1);
	vpic_set_irq(&p, 5, true);
	vpic_set_irq(&p, 5, false);
	assert_int_equal(vpic_pending(&p), -1);
}

static void test_ltim(void **s)
{
	struct vpic p;

	vpic_init(&p);
	out(&p, 0x20, 0x19);                    /* ICW1 with LTIM */
	out(&p, 0x21, 0x30);
	out(&p, 0x21, 0x04);
	out(&p, 0x21, 0x01);
	vpic_set_irq(&p, 1, true);
	vpic_set_irq(&p, 1, false);
	assert_int_equal(vpic_pending(&p), -1);
}

static void test_poll(void **s)
{
	struct vpic p;

	linux_init(&p, false);
	out(&p, 0x20, 0x0c);
	assert_int_equal(in(&p, 0x20), 0x00);   /* nothing: 0 */
	vpic_set_irq(&p, 5, true);
	out(&p, 0x20, 0x0c);
	assert_int_equal(in(&p, 0x20), 0x85);
	assert_int_equal(vpic_pending(&p), -1);
	out(&p, 0x20, 0x0b);
	assert_int_equal(in(&p, 0x20), 0x20);   /* polled = acknowledged */
}

static void test_rotate(void **s)
{
	struct vpic p;

	linux_init(&p, false);
	vpic_set_irq(&p, 0, true);
	vpic_ack(&p);
	out(&p, 0x20, 0xa0);                    /* rotate on non-specific EOI */
	vpic_set_irq(&p, 0, false);
	vpic_set_irq(&p, 0, true);
	vpic_set_irq(&p, 1, true);
	assert_int_equal(vpic_pending(&p), 0x31); /* 0 is now the lowest */
	out(&p, 0x20, 0xc4);                    /* set priority: 4 lowest */
	assert_int_equal(vpic_pending(&p), 0x30);
	out(&p, 0x20, 0xc7);                    /* back to the default */
	vpic_set_irq(&p, 7, true);
	assert_int_equal(vpic_ack(&p), 0x30);
	out(&p, 0x20, 0xe0);                    /* rotate on specific EOI 0 */
	assert_int_equal(vpic_ack(&p), 0x31);   /* 1 now the highest */
}

static void test_special_mask(void **s)
{
	struct vpic p;

	linux_init(&p, false);
	vpic_set_irq(&p, 1, true);
	vpic_ack(&p);
	vpic_set_irq(&p, 6, true);
	assert_int_equal(vpic_pending(&p), -1);
	out(&p, 0x21, 0x02);
	out(&p, 0x20, 0x68);                    /* set special mask */
	assert_int_equal(vpic_pending(&p), 0x36);
	out(&p, 0x20, 0x48);                    /* reset special mask */
	assert_int_equal(vpic_pending(&p), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_init_vectors),
		cmocka_unit_test(test_init_masks_pending),
		cmocka_unit_test(test_edge),
		cmocka_unit_test(test_priority_nesting),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_cascade),
		cmocka_unit_test(test_slave_masked),
		cmocka_unit_test(test_specific_eoi),
		cmocka_unit_test(test_aeoi),
		cmocka_unit_test(test_spurious),
		cmocka_unit_test(test_elcr_level),
		cmocka_unit_test(test_ltim),
		cmocka_unit_test(test_poll),
		cmocka_unit_test(test_rotate),
		cmocka_unit_test(test_special_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
