/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 8254 PIT: channel 0's interrupt instants in modes 2, 3, 0 and 4 at exact
 * guest TSC values, the counter latch, the LSB/MSB flip-flop, read-back,
 * and channel 2 driven through port 0x61 as Linux's TSC calibration does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm/plat/vpit.h"

#define HZ 3000000000ull   /* a 3 GHz guest TSC */
#define T0 1000000ull      /* when the tests program the PIT */

struct log { unsigned n, raised, lowered, bad; };

static void irq(void *ctx, unsigned isa_irq, bool level)
{
	struct log *l = ctx;

	l->n++;
	if (isa_irq != 0 || (level ? l->raised != l->lowered : l->raised != l->lowered + 1))
		l->bad++;
	if (level)
		l->raised++;
	else
		l->lowered++;
}

static void out(struct vpit *t, uint64_t now, uint16_t port, uint8_t v) { vpit_io(t, now, port, false, &v); }
static uint8_t in(struct vpit *t, uint64_t now, uint16_t port) { uint8_t v = 0; vpit_io(t, now, port, true, &v); return v; }

/* TSC of tick k after T0: the first instant at which k ticks have passed. */
static uint64_t at(uint64_t k) { return T0 + (uint64_t)(((unsigned __int128)k * HZ + VPIT_HZ - 1) / VPIT_HZ); }

static void program(struct vpit *t, struct log *l, uint8_t cw, uint16_t count)
{
	*l = (struct log){ 0 };
	vpit_init(t, HZ, irq, l);
	out(t, T0, 0x43, cw);
	out(t, T0, 0x40, count & 0xff);
	out(t, T0, 0x40, count >> 8);
}

static uint16_t read16(struct vpit *t, uint64_t now, uint16_t port)
{
	uint8_t lo = in(t, now, port);

	return (uint16_t)(lo | in(t, now, port) << 8);
}

static void test_idle(void **s)
{
	struct vpit t;
	struct log l = { 0 };

	vpit_init(&t, HZ, irq, &l);
	assert_true(vpit_next_event(&t) == UINT64_MAX);
	assert_false(vpit_advance(&t, 1ull << 40));
	assert_int_equal(in(&t, 0, 0x43), 0xff);
	assert_int_equal(in(&t, 0, 0x80), 0xff);
	assert_int_equal(l.n, 0);
}

static void test_mode2_periods(void **s)
{
	struct vpit t;
	struct log l;

	program(&t, &l, 0x34, 4773);            /* Linux, HZ 250 */
	assert_true(vpit_next_event(&t) == at(4773));
	assert_false(vpit_advance(&t, at(4773) - 1));
	assert_true(vpit_advance(&t, at(4773)));
	assert_int_equal(l.raised, 1);
	assert_int_equal(l.lowered, 1);
	assert_int_equal(l.bad, 0);
	assert_false(vpit_advance(&t, at(4773)));
	assert_true(vpit_next_event(&t) == at(2 * 4773));
	assert_true(vpit_advance(&t, at(2 * 4773) + 5));
	assert_true(vpit_next_event(&t) == at(3 * 4773));
}

static void test_missed_collapse(void **s)
{
	struct vpit t;
	struct log l;

	program(&t, &l, 0x34, 1000);
	assert_true(vpit_advance(&t, at(5500)));
	assert_int_equal(l.raised, 1);
	assert_true(vpit_next_event(&t) == at(6000));
	assert_false(vpit_advance(&t, at(6000) - 1));
}

static void test_mode2_counter(void **s)
{
	struct vpit t;
	struct log l;

	program(&t, &l, 0x34, 1000);
	assert_int_equal(read16(&t, T0, 0x40), 1000);
	assert_int_equal(read16(&t, at(1), 0x40), 999);
	assert_int_equal(read16(&t, at(999), 0x40), 1);
	assert_int_equal(read16(&t, at(1000), 0x40), 1000);  /* reloaded */
	assert_int_equal(read16(&t, at(1250), 0x40), 750);
}

static void test_mode3_square(void **s)
{
	struct vpit t;
	struct log l;

	program(&t, &l, 0x36, 1000);
	assert_true(vpit_next_event(&t) == at(1000));
	assert_int_equal(read16(&t, at(100), 0x40), 800);    /* by two */
	out(&t, at(499), 0x43, 0xe2);                       /* status of ch 0 */
	assert_int_equal(in(&t, at(499), 0x40) & 0x80, 0x80);
	out(&t, at(500), 0x43, 0xe2);
	assert_int_equal(in(&t, at(500), 0x40) & 0x80, 0);   /* second half low */
	assert_true(vpit_advance(&t, at(1000)));
	assert_true(vpit_next_event(&t) == at(2000));
}

static void test_mode0_oneshot(void **s)
{
	struct vpit t;
	struct log l;

	program(&t, &l, 0x30, 500);
	assert_true(vpit_next_event(&t) == at(500));
	assert_true(vpit_advance(&t, at(700)));
	assert_true(vpit_next_event(&t) == UINT64_MAX);
	assert_false(vpit_advance(&t, at(70000)));
	assert_int_equal(read16(&t, at(501), 0x40), 0xffff); /* keeps counting */
	out(&t, at(800), 0x43, 0x30);                       /* Linux shutdown */
	out(&t, at(800), 0x40, 0);
	out(&t, at(800), 0x40, 0);
	assert_true(vpit_next_event(&t) != UINT64_MAX);      /* 65536 ticks */
}

static void test_mode4_strobe(void **s)
{
	struct vpit t;
	struct log l;

	program(&t, &l, 0x38, 100);
	assert_true(vpit_next_event(&t) == at(101));
	assert_true(vpit_advance(&t, at(101)));
	assert_true(vpit_next_event(&t) == UINT64_MAX);
}

static void test_control_word_stops(void **s)
{
	struct vpit t;
	struct log l;

	program(&t, &l, 0x34, 100);
	out(&t, at(50), 0x43, 0x34);
	assert_true(vpit_next_event(&t) == UINT64_MAX);
	out(&t, at(50), 0x40, 10);                          /* LSB only: waits */
	assert_true(vpit_next_event(&t) == UINT64_MAX);
	out(&t, at(50), 0x40, 0);
	assert_true(vpit_next_event(&t) == at(50) + (10 * HZ + VPIT_HZ - 1) / VPIT_HZ);
}

static void test_count_zero(void **s)
{
	struct vpit t;
	struct log l;

	program(&t, &l, 0x34, 0);
	assert_true(vpit_next_event(&t) == at(65536));
	assert_int_equal(read16(&t, T0, 0x40), 0);
	assert_int_equal(read16(&t, at(1), 0x40), 65535);
}

static void test_latch(void **s)
{
	struct vpit t;
	struct log l;

	program(&t, &l, 0x34, 1000);
	out(&t, at(100), 0x43, 0x00);                       /* latch ch 0 */
	out(&t, at(200), 0x43, 0x00);                       /* ignored: held */
	assert_int_equal(in(&t, at(300), 0x40), 900 & 0xff);
	assert_int_equal(in(&t, at(400), 0x40), 900 >> 8);
	assert_int_equal(read16(&t, at(500), 0x40), 500);   /* live again */
}

static void test_flipflop(void **s)
{
	struct vpit t;
	struct log l;

	program(&t, &l, 0x34, 0x1234);
	assert_int_equal(in(&t, T0, 0x40), 0x34);
	assert_int_equal(in(&t, T0, 0x40), 0x12);
	assert_int_equal(in(&t, T0, 0x40), 0x34);           /* LSB again */
	out(&t, T0, 0x43, 0x34);                            /* resets it */
	out(&t, T0, 0x40, 0x78);
	out(&t, T0, 0x40, 0x56);
	assert_int_equal(read16(&t, T0, 0x40), 0x5678);
}

static void test_lsb_msb_only(void **s)
{
	struct vpit t;
	struct log l;

	vpit_init(&t, HZ, irq, &l);
	out(&t, T0, 0x43, 0x14);                            /* LSB only */
	out(&t, T0, 0x40, 200);
	assert_true(vpit_next_event(&t) == at(200));
	assert_int_equal(in(&t, at(50), 0x40), 150);
	assert_int_equal(in(&t, at(50), 0x40), 150);
	out(&t, T0, 0x43, 0x24);                            /* MSB only */
	out(&t, T0, 0x40, 2);
	assert_true(vpit_next_event(&t) == at(512));
	assert_int_equal(in(&t, at(256), 0x40), 1);
}

static void test_readback(void **s)
{
	struct vpit t;
	struct log l;

	vpit_init(&t, HZ, irq, &l);
	out(&t, T0, 0x43, 0xb1);                            /* ch 2, both, mode 0, BCD */
	out(&t, T0, 0x43, 0xe8);                            /* status of ch 2 */
	assert_int_equal(in(&t, T0, 0x42), 0x71);           /* OUT 0, null count */
	out(&t, T0, 0x42, 0x10);
	out(&t, T0, 0x42, 0x00);
	out(&t, T0, 0x43, 0xc8);                            /* status and count */
	assert_int_equal(in(&t, T0, 0x42), 0x31);           /* loaded */
	assert_int_equal(in(&t, T0, 0x42), 0x10);
	assert_int_equal(in(&t, T0, 0x42), 0x00);
	out(&t, T0, 0x43, 0xd8);                            /* count only */
	out(&t, T0, 0x43, 0xe8);                            /* then status */
	assert_int_equal(in(&t, T0, 0x42), 0x31);           /* status first */
	assert_int_equal(read16(&t, T0, 0x42), 0x10);
}

/* arch/x86/kernel/tsc.c: pit_calibrate_tsc(). */
static void test_ch2_mode0_calibrate(void **s)
{
	struct vpit t;
	struct log l = { 0 };
	uint16_t latch = VPIT_HZ / 20;              /* 50 ms */

	vpit_init(&t, HZ, irq, &l);
	out(&t, T0, 0x61, (uint8_t)((in(&t, T0, 0x61) & ~0x02) | 0x01));
	out(&t, T0, 0x43, 0xb0);
	out(&t, T0, 0x42, latch & 0xff);
	out(&t, T0, 0x42, latch >> 8);
	assert_int_equal(in(&t, at(latch) - 1, 0x61) & 0x23, 0x01);
	assert_int_equal(in(&t, at(latch), 0x61) & 0x23, 0x21);
	assert_int_equal(l.n, 0);                           /* ch 2 is not wired */
	assert_true(vpit_next_event(&t) == UINT64_MAX);
}

/* arch/x86/kernel/tsc.c: quick_pit_calibrate() reads LSB then MSB. */
static void test_ch2_quick_calibrate(void **s)
{
	struct vpit t;
	struct log l = { 0 };

	vpit_init(&t, HZ, irq, &l);
	out(&t, T0, 0x61, 0x01);
	out(&t, T0, 0x43, 0xb0);
	out(&t, T0, 0x42, 0xff);
	out(&t, T0, 0x42, 0xff);
	for (unsigned k = 0; k < 200; k++) {
		uint64_t now = at(256 * k + 1);

		in(&t, now, 0x42);
		assert_int_equal(in(&t, now, 0x42), 0xff - k);
		in(&t, at(256 * k + 255), 0x42);
		assert_int_equal(in(&t, at(256 * k + 255), 0x42), 0xff - k);
	}
}

static void test_ch2_gate(void **s)
{
	struct vpit t;
	struct log l = { 0 };

	vpit_init(&t, HZ, irq, &l);
	out(&t, T0, 0x43, 0xb0);                            /* gate still low */
	out(&t, T0, 0x42, 100);
	out(&t, T0, 0x42, 0);
	assert_int_equal(read16(&t, at(500), 0x42), 100);   /* not counting */
	assert_int_equal(in(&t, at(500), 0x61) & 0x20, 0);
	out(&t, at(500), 0x61, 1);
	assert_int_equal(read16(&t, at(540), 0x42), 60);
	out(&t, at(540), 0x61, 0);                          /* pause */
	assert_int_equal(read16(&t, at(900), 0x42), 60);
	out(&t, at(900), 0x61, 1);
	assert_int_equal(in(&t, at(959), 0x61) & 0x20, 0);
	assert_int_equal(in(&t, at(961), 0x61) & 0x20, 0x20);
}

static void test_ch2_mode1_trigger(void **s)
{
	struct vpit t;
	struct log l = { 0 };

	vpit_init(&t, HZ, irq, &l);
	out(&t, T0, 0x61, 1);
	out(&t, T0, 0x43, 0xb2);                            /* mode 1 */
	out(&t, T0, 0x42, 50);
	out(&t, T0, 0x42, 0);
	assert_int_equal(in(&t, at(100), 0x61) & 0x20, 0x20); /* waits for edge */
	out(&t, at(100), 0x61, 0);
	out(&t, at(100), 0x61, 1);                          /* trigger */
	assert_int_equal(in(&t, at(120), 0x61) & 0x20, 0);
	assert_int_equal(read16(&t, at(120), 0x42), 30);
	out(&t, at(130), 0x61, 0);                          /* no effect */
	assert_int_equal(read16(&t, at(100) + (40 * HZ + VPIT_HZ - 1) / VPIT_HZ, 0x42), 10);
	assert_int_equal(in(&t, at(151), 0x61) & 0x20, 0x20);
}

static void test_port61(void **s)
{
	struct vpit t;
	struct log l = { 0 };
	uint64_t us15 = HZ / 1000000 * 15085 / 1000;

	vpit_init(&t, HZ, irq, &l);
	out(&t, T0, 0x61, 0xf3);
	assert_int_equal(in(&t, 0, 0x61) & 0x0f, 0x03);
	assert_int_equal(in(&t, 0, 0x61) & 0x10, 0);
	assert_int_equal(in(&t, us15 + 1, 0x61) & 0x10, 0x10);
	assert_int_equal(in(&t, 2 * us15 + 1, 0x61) & 0x10, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_mode2_periods),
		cmocka_unit_test(test_missed_collapse),
		cmocka_unit_test(test_mode2_counter),
		cmocka_unit_test(test_mode3_square),
		cmocka_unit_test(test_mode0_oneshot),
		cmocka_unit_test(test_mode4_strobe),
		cmocka_unit_test(test_control_word_stops),
		cmocka_unit_test(test_count_zero),
		cmocka_unit_test(test_latch),
		cmocka_unit_test(test_flipflop),
		cmocka_unit_test(test_lsb_msb_only),
		cmocka_unit_test(test_readback),
		cmocka_unit_test(test_ch2_mode0_calibrate),
		cmocka_unit_test(test_ch2_quick_calibrate),
		cmocka_unit_test(test_ch2_gate),
		cmocka_unit_test(test_ch2_mode1_trigger),
		cmocka_unit_test(test_port61),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
