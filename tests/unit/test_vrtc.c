/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MC146818 RTC: the time registers in BCD and binary, 12- and 24-hour format, UIP, the clock
 * running with the TSC and being set as Linux sets it, and the periodic,
 * update and alarm interrupts with register C lowering IRQ 8.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "vmm/plat/vrtc.h"

#define HZ  2000000000ull       /* a 2 GHz guest TSC */
#define N0  7000000000ull       /* TSC at init */
#define T24 1710510330ull       /* 2024-03-15 13:45:30 UTC, a Friday */

struct log { unsigned raised, lowered; bool level; };

static void irq(void *ctx, unsigned isa_irq, bool level)
{
	struct log *l = ctx;

	assert_int_equal(isa_irq, 8);
	assert_true(level != l->level);
	l->level = level;
	if (level)
		l->raised++;
	else
		l->lowered++;
}

static uint8_t rd(struct vrtc *r, uint64_t now, uint8_t i)
{
	uint8_t v = 0;

	vrtc_io(r, now, 0x70, false, &i);
	vrtc_io(r, now, 0x71, true, &v);
	return v;
}

static void wr(struct vrtc *r, uint64_t now, uint8_t i, uint8_t v)
{
	vrtc_io(r, now, 0x70, false, &i);
	vrtc_io(r, now, 0x71, false, &v);
}

static void setup(struct vrtc *r, struct log *l, uint64_t t)
{
	*l = (struct log){ 0 };
	vrtc_init(r, t, N0, HZ, irq, l);
}

static void test_bcd_registers(void **s)
{
	struct vrtc r;
	struct log l;

	setup(&r, &l, T24);
	assert_int_equal(rd(&r, N0, 0x00), 0x30);
	assert_int_equal(rd(&r, N0, 0x02), 0x45);
	assert_int_equal(rd(&r, N0, 0x04), 0x13);
	assert_int_equal(rd(&r, N0, 0x06), 0x06);   /* Friday: Sunday is 1 */
	assert_int_equal(rd(&r, N0, 0x07), 0x15);
	assert_int_equal(rd(&r, N0, 0x08), 0x03);
	assert_int_equal(rd(&r, N0, 0x09), 0x24);
	assert_int_equal(rd(&r, N0, 0x32), 0x20);
	assert_int_equal(rd(&r, N0, 0x0a), 0x26);
	assert_int_equal(rd(&r, N0, 0x0b), 0x02);
	assert_int_equal(rd(&r, N0, 0x0d), 0x80);
}

static void test_binary_registers(void **s)
{
	struct vrtc r;
	struct log l;

	setup(&r, &l, T24);
	wr(&r, N0, 0x0b, 0x06);
	assert_int_equal(rd(&r, N0, 0x00), 30);
	assert_int_equal(rd(&r, N0, 0x02), 45);
	assert_int_equal(rd(&r, N0, 0x04), 13);
	assert_int_equal(rd(&r, N0, 0x09), 24);
	assert_int_equal(rd(&r, N0, 0x32), 20);
}

static void test_12_hour(void **s)
{
	struct vrtc r;
	struct log l;
	uint64_t midnight = T24 - (13 * 3600 + 45 * 60 + 30);

	setup(&r, &l, T24);
	wr(&r, N0, 0x0b, 0x00);                     /* 12 hour, BCD */
	assert_int_equal(rd(&r, N0, 0x04), 0x81);   /* 1 PM */
	wr(&r, N0, 0x0b, 0x04);                     /* 12 hour, binary */
	assert_int_equal(rd(&r, N0, 0x04), 0x81);
	setup(&r, &l, midnight);
	wr(&r, N0, 0x0b, 0x00);
	assert_int_equal(rd(&r, N0, 0x04), 0x12);   /* 12 AM */
	setup(&r, &l, midnight + 12 * 3600 + 59);
	wr(&r, N0, 0x0b, 0x00);
	assert_int_equal(rd(&r, N0, 0x04), 0x92);   /* 12 PM */
	setup(&r, &l, midnight + 23 * 3600);
	wr(&r, N0, 0x0b, 0x04);
	assert_int_equal(rd(&r, N0, 0x04), 0x8b);   /* 11 PM, binary */
	wr(&r, N0, 0x0b, 0x84);                     /* SET, 12 hour, binary */
	wr(&r, N0, 0x04, 0x8c);                     /* 12 PM */
	wr(&r, N0, 0x0b, 0x04);                     /* run */
	wr(&r, N0, 0x0b, 0x06);                     /* 24 hour */
	assert_int_equal(rd(&r, N0, 0x04), 12);
	wr(&r, N0, 0x0b, 0x84);
	wr(&r, N0, 0x04, 0x0c);                     /* 12 AM */
	wr(&r, N0, 0x0b, 0x04);
	wr(&r, N0, 0x0b, 0x06);
	assert_int_equal(rd(&r, N0, 0x04), 0);
}

static void test_time_advances(void **s)
{
	struct vrtc r;
	struct log l;

	setup(&r, &l, T24);
	assert_int_equal(rd(&r, N0 + HZ - 1, 0x00), 0x30);
	assert_int_equal(rd(&r, N0 + HZ, 0x00), 0x31);
	assert_int_equal(rd(&r, N0 + 30 * HZ, 0x00), 0x00);
	assert_int_equal(rd(&r, N0 + 30 * HZ, 0x02), 0x46);
	/* 10 h 14 min 30 s later: midnight, Saturday the 16th */
	assert_int_equal(rd(&r, N0 + 36870 * HZ, 0x04), 0x00);
	assert_int_equal(rd(&r, N0 + 36870 * HZ, 0x07), 0x16);
	assert_int_equal(rd(&r, N0 + 36870 * HZ, 0x06), 0x07);
}

static void test_uip(void **s)
{
	struct vrtc r;
	struct log l;
	uint64_t w = HZ * 244 / 1000000;

	setup(&r, &l, T24);
	assert_int_equal(rd(&r, N0, 0x0a) & 0x80, 0);
	assert_int_equal(rd(&r, N0 + HZ - w - 1, 0x0a) & 0x80, 0);
	assert_int_equal(rd(&r, N0 + HZ - w, 0x0a) & 0x80, 0x80);
	assert_int_equal(rd(&r, N0 + 5 * HZ - 1, 0x0a) & 0x80, 0x80);
	assert_int_equal(rd(&r, N0 + 5 * HZ, 0x0a) & 0x80, 0);
	wr(&r, N0 + 6 * HZ, 0x0b, 0x82);            /* SET: no updates, no UIP */
	assert_int_equal(rd(&r, N0 + 7 * HZ - 10, 0x0a) & 0x80, 0);
}

/* drivers/rtc/rtc-mc146818-lib.c: mc146818_set_time(). */
static void test_set_time_linux(void **s)
{
	struct vrtc r;
	struct log l;
	uint64_t t = N0 + HZ / 4;

	setup(&r, &l, T24);
	wr(&r, t, 0x0b, rd(&r, t, 0x0b) | 0x80);     /* SET */
	wr(&r, t, 0x0a, rd(&r, t, 0x0a) | 0x70);     /* divider reset */
	wr(&r, t, 0x09, 0x31);                      /* 2031-12-31 23:59:58 */
	wr(&r, t, 0x08, 0x12);
	wr(&r, t, 0x07, 0x31);
	wr(&r, t, 0x04, 0x23);
	wr(&r, t, 0x02, 0x59);
	wr(&r, t, 0x00, 0x58);
	assert_int_equal(rd(&r, t + 3 * HZ, 0x00), 0x58); /* stopped */
	wr(&r, t + 3 * HZ, 0x0b, 0x02);
	wr(&r, t + 3 * HZ, 0x0a, 0x26);             /* first update in 500 ms */
	assert_int_equal(rd(&r, t + 3 * HZ + HZ / 2 - 1, 0x00), 0x58);
	assert_int_equal(rd(&r, t + 3 * HZ + HZ / 2, 0x00), 0x59);
	assert_int_equal(rd(&r, t + 4 * HZ + HZ / 2, 0x09), 0x32);
	assert_int_equal(rd(&r, t + 4 * HZ + HZ / 2, 0x08), 0x01);
	assert_int_equal(rd(&r, t + 4 * HZ + HZ / 2, 0x04), 0x00);
	assert_int_equal(rd(&r, t + 4 * HZ + HZ / 2, 0x06), 0x05); /* Thursday */
}

static void test_set_keeps_phase(void **s)
{
	struct vrtc r;
	struct log l;

	setup(&r, &l, T24);
	wr(&r, N0 + HZ / 4, 0x0b, 0x82);
	wr(&r, N0 + HZ / 4, 0x02, 0x10);
	wr(&r, N0 + 10 * HZ, 0x0b, 0x02);           /* restarts at 13:10:30 */
	assert_int_equal(rd(&r, N0 + 10 * HZ, 0x02), 0x10);
	assert_int_equal(rd(&r, N0 + 11 * HZ - 1, 0x00), 0x30);
	assert_int_equal(rd(&r, N0 + 11 * HZ, 0x00), 0x31);
}

static void test_write_while_running(void **s)
{
	struct vrtc r;
	struct log l;

	setup(&r, &l, T24);
	wr(&r, N0 + 5, 0x04, 0x07);                 /* hour only */
	assert_int_equal(rd(&r, N0 + 5, 0x04), 0x07);
	assert_int_equal(rd(&r, N0 + 5, 0x02), 0x45);
	assert_int_equal(rd(&r, N0 + HZ, 0x00), 0x31);
	wr(&r, N0 + HZ, 0x08, 0x02);                /* 2024-02-15 */
	wr(&r, N0 + HZ, 0x07, 0x30);                /* Feb 30: ignored */
	assert_int_equal(rd(&r, N0 + HZ, 0x07), 0x15);
}

static void test_periodic(void **s)
{
	struct vrtc r;
	struct log l;
	uint64_t first = N0 + (32 * HZ + 32767) / 32768;   /* 1024 Hz */

	setup(&r, &l, T24);
	assert_true(vrtc_next_event(&r) == UINT64_MAX);
	wr(&r, N0, 0x0b, 0x42);                     /* PIE */
	assert_true(vrtc_next_event(&r) == first);
	assert_false(vrtc_advance(&r, first - 1));
	assert_true(vrtc_advance(&r, first));
	assert_int_equal(l.raised, 1);
	assert_true(vrtc_next_event(&r) == UINT64_MAX);  /* high until C read */
	assert_false(vrtc_advance(&r, first + HZ));
	assert_int_equal(rd(&r, first + HZ, 0x0c), 0xd0); /* UF too, not enabled */
	assert_int_equal(l.lowered, 1);
	assert_int_equal(rd(&r, first + HZ, 0x0c), 0x00);
	wr(&r, first + HZ, 0x0a, 0x2f);             /* 2 Hz */
	assert_true(vrtc_next_event(&r) == N0 + HZ + HZ / 2);
}

static void test_update_interrupt(void **s)
{
	struct vrtc r;
	struct log l;

	setup(&r, &l, T24);
	wr(&r, N0, 0x0a, 0x20);                     /* no periodic */
	wr(&r, N0 + HZ / 3, 0x0b, 0x12);            /* UIE */
	assert_true(vrtc_next_event(&r) == N0 + HZ);
	assert_true(vrtc_advance(&r, N0 + HZ));
	assert_int_equal(rd(&r, N0 + HZ, 0x0c), 0x90);
	assert_false(l.level);
	assert_true(vrtc_next_event(&r) == N0 + 2 * HZ);
	wr(&r, N0 + HZ, 0x0b, 0x92);                /* SET clears UIE */
	assert_int_equal(rd(&r, N0 + HZ, 0x0b), 0x82);
	assert_true(vrtc_next_event(&r) == UINT64_MAX);
	assert_int_equal(rd(&r, N0 + 3 * HZ, 0x0c), 0x00); /* no updates */
}

static void test_flags_without_enable(void **s)
{
	struct vrtc r;
	struct log l;

	setup(&r, &l, T24);
	assert_false(vrtc_advance(&r, N0 + 2 * HZ));
	assert_int_equal(rd(&r, N0 + 2 * HZ, 0x0c), 0x50);
	wr(&r, N0 + 2 * HZ, 0x0b, 0x12);
	assert_int_equal(l.raised, 0);
	vrtc_advance(&r, N0 + 3 * HZ);
	assert_int_equal(l.raised, 1);
	wr(&r, N0 + 3 * HZ, 0x0b, 0x02);            /* IRQF is PF.PIE | ... */
	assert_int_equal(l.lowered, 1);
}

static void test_alarm(void **s)
{
	struct vrtc r;
	struct log l;

	setup(&r, &l, T24);
	wr(&r, N0, 0x0a, 0x20);
	wr(&r, N0, 0x01, 0x35);                     /* 13:45:35 */
	wr(&r, N0, 0x03, 0x45);
	wr(&r, N0, 0x05, 0x13);
	wr(&r, N0, 0x0b, 0x22);                     /* AIE */
	assert_true(vrtc_next_event(&r) == N0 + 5 * HZ);
	assert_false(vrtc_advance(&r, N0 + 5 * HZ - 1));
	assert_true(vrtc_advance(&r, N0 + 5 * HZ));
	assert_int_equal(rd(&r, N0 + 5 * HZ, 0x0c), 0xb0);
	assert_true(vrtc_next_event(&r) == N0 + (5 + 86400) * HZ);
	wr(&r, N0 + 5 * HZ, 0x05, 0xc0);            /* any hour */
	assert_true(vrtc_next_event(&r) == N0 + (5 + 3600) * HZ);
	wr(&r, N0 + 5 * HZ, 0x03, 0xff);            /* any minute */
	wr(&r, N0 + 5 * HZ, 0x01, 0xc0);            /* any second */
	assert_true(vrtc_next_event(&r) == N0 + 6 * HZ);
}

static void test_cmos_ram(void **s)
{
	struct vrtc r;
	struct log l;
	uint8_t v;

	setup(&r, &l, T24);
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != 0x32)
			wr(&r, N0, (uint8_t)i, (uint8_t)(i ^ 0x5a));
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != 0x32)
			assert_int_equal(rd(&r, N0, (uint8_t)(i | 0x80)), i ^ 0x5a); /* NMI bit */
	wr(&r, N0, 0x0d, 0x00);
	assert_int_equal(rd(&r, N0, 0x0d), 0x80);
	wr(&r, N0, 0x0a, 0xa6);                     /* UIP is read-only */
	assert_int_equal(rd(&r, N0, 0x0a), 0x26);
	vrtc_io(&r, N0, 0x70, true, &v);
	assert_int_equal(v, 0xff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bcd_registers),
		cmocka_unit_test(test_binary_registers),
		cmocka_unit_test(test_12_hour),
		cmocka_unit_test(test_time_advances),
		cmocka_unit_test(test_uip),
		cmocka_unit_test(test_set_time_linux),
		cmocka_unit_test(test_set_keeps_phase),
		cmocka_unit_test(test_write_while_running),
		cmocka_unit_test(test_periodic),
		cmocka_unit_test(test_update_interrupt),
		cmocka_unit_test(test_flags_without_enable),
		cmocka_unit_test(test_alarm),
		cmocka_unit_test(test_cmos_ram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
