/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI fixed hardware: PM timer rate and wrap at exact TSC instants,
 * write-1-to-clear status, SCI only for enabled status, S5 power-off,
 * and the reset ports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/plat/vpm.h"

#define B VPM_PORT_BASE
#define TMR (B + 8)
#define CNT (B + 4)

static struct vpm pm;
static struct { unsigned n, irq; bool level; } sci;

static void fake_irq(void *ctx, unsigned irq, bool level)
{
	assert_true(level != sci.level);
	sci.irq = irq;
	sci.level = level;
	sci.n++;
}

static uint32_t in(uint64_t now, uint16_t port, unsigned size)
{
	uint32_t v = 0xdeadbeef;
	assert_int_equal(vpm_io(&pm, now, port, size, true, &v), VPM_NONE);
	return v;
}

static enum vpm_event out(uint64_t now, uint16_t port, unsigned size, uint32_t v)
{
	return vpm_io(&pm, now, port, size, false, &v);
}

static void init(uint64_t hz)
{
	memset(&sci, 0, sizeof(sci));
	vpm_init(&pm, hz, fake_irq, NULL);
}

static void test_timer(void **state)
{
	const uint64_t hz = 3579545ull * 1000; /* 1000 TSC cycles a tick */

	init(hz);
	assert_int_equal(in(0, TMR, 4), 0);
	assert_int_equal(in(999, TMR, 4), 0);
	assert_int_equal(in(1000, TMR, 4), 1);
	assert_int_equal(in(hz, TMR, 4), VPM_TMR_HZ);
	/* 2^32 ticks: wraps to 0 */
	uint64_t wrap = (1ull << 32) * 1000;
	assert_int_equal(in(wrap - 1, TMR, 4), 0xffffffffu);
	assert_int_equal(in(wrap, TMR, 4), 0);
	assert_int_equal(in(wrap + 5000, TMR, 4), 5);
	/* byte and word reads of the counter */
	assert_int_equal(in(0x12345678ull * 1000, TMR, 2), 0x5678);
	assert_int_equal(in(0x12345678ull * 1000, TMR + 2, 2), 0x1234);
	assert_int_equal(in(0x12345678ull * 1000, TMR + 3, 1), 0x12);
	/* writes are ignored */
	out(0, TMR, 4, 0x1000);
	assert_int_equal(in(1000, TMR, 4), 1);

	/* a TSC rate that is no multiple: 2.5 GHz, floor(now * f / hz) */
	init(2500000000ull);
	assert_int_equal(in(2500000000ull, TMR, 4), VPM_TMR_HZ);
	assert_int_equal(in(698, TMR, 4), 0);  /* 698 * 3579545 / 2.5e9 = 0.9994 */
	assert_int_equal(in(699, TMR, 4), 1);  /* 1.0008 */
	/* one hour: 12886362000 ticks mod 2^32 */
	assert_int_equal(in(3600ull * 2500000000ull, TMR, 4),
			 (uint32_t)(3600ull * VPM_TMR_HZ));
}

static void test_status_sci(void **state)
{
	const uint64_t hz = 3579545ull; /* one TSC cycle a tick */

	init(hz);
	assert_int_equal(in(0, B, 4), 0);
	assert_int_equal(in(0, CNT, 2), 1); /* SCI_EN */
	/* bit 31 toggles at 2^31 ticks: TMR_STS, no SCI while TMR_EN = 0 */
	assert_int_equal(in((1ull << 31) - 1, B, 2), 0);
	assert_int_equal(in(1ull << 31, B, 2), 1);
	assert_int_equal(sci.n, 0);
	out(1ull << 31, B, 2, 0xfffe); /* writing 0 to it keeps it */
	assert_int_equal(in(1ull << 31, B, 2), 1);
	out(1ull << 31, B + 2, 2, 0x0001); /* TMR_EN: SCI */
	assert_true(sci.level);
	assert_int_equal(sci.irq, 9);
	assert_int_equal(in(0, B + 2, 2), 1);
	assert_int_equal(in(0, B, 4), 0x00010001);
	out(1ull << 31, B, 1, 0x01); /* W1C */
	assert_false(sci.level);
	assert_int_equal(in(1ull << 31, B, 2), 0);
	/* next toggle (1 -> 0 at 2^32) sets it again */
	assert_int_equal(in((1ull << 32) - 1, B, 2), 0);
	assert_true(vpm_io(&pm, 1ull << 32, TMR, 4, true, &(uint32_t){0}) == VPM_NONE);
	assert_true(sci.level);
	out(1ull << 32, B + 2, 2, 0); /* masking drops the SCI, status stays */
	assert_false(sci.level);
	assert_int_equal(in(1ull << 32, B, 2), 1);
	out(1ull << 32, B, 4, 0xffffffff); /* dword: clears STS, writes EN */
	assert_int_equal(in(1ull << 32, B, 4), 0x07210000);
	assert_true(!sci.level);
	assert_int_equal(sci.n, 4);
}

static void test_sleep(void **state)
{
	init(1000000);
	/* Linux: SLP_TYP first, then SLP_TYP | SLP_EN */
	assert_int_equal(out(0, CNT, 2, 5u << 10 | 1), VPM_NONE);
	assert_int_equal(in(0, CNT, 2), 5u << 10 | 1);
	assert_int_equal(out(0, CNT, 2, 5u << 10 | 1u << 13 | 1), VPM_POWEROFF);
	assert_int_equal(in(0, CNT, 2), 5u << 10 | 1); /* SLP_EN reads 0 */
	/* byte write of the high half */
	assert_int_equal(out(0, CNT + 1, 1, (5u << 2) | 0x20), VPM_POWEROFF);
	/* other sleep types: ignored */
	for (uint32_t t = 0; t < 8; t++)
		if (t != VPM_SLP_TYP_S5)
			assert_int_equal(out(0, CNT, 2, t << 10 | 1u << 13), VPM_NONE);
	/* SLP_TYP = 5 without SLP_EN, or a low-byte write: nothing */
	assert_int_equal(out(0, CNT, 2, 5u << 10), VPM_NONE);
	assert_int_equal(out(0, CNT, 1, 0xff), VPM_NONE);
	assert_int_equal(in(0, CNT, 2), 5u << 10 | 0x3); /* BM_RLD stuck */
	assert_int_equal(out(0, CNT, 4, 5u << 10 | 1u << 13), VPM_POWEROFF);
	assert_int_equal(in(0, B + 6, 2), 0xffff); /* reserved */
}

static void test_reset(void **state)
{
	init(1000000);
	/* 0xCF9: Linux writes 0x02 then 0x06 */
	assert_int_equal(in(0, 0xcf9, 1), 0);
	assert_int_equal(out(0, 0xcf9, 1, 0x02), VPM_NONE);
	assert_int_equal(in(0, 0xcf9, 1), 0x02);
	assert_int_equal(out(0, 0xcf9, 1, 0x06), VPM_RESET);
	assert_int_equal(out(0, 0xcf9, 1, 0x04), VPM_RESET); /* soft reset */
	/* port 0x92: bit 0 rising */
	assert_int_equal(in(0, 0x92, 1), 0x02);
	assert_int_equal(out(0, 0x92, 1, 0x02), VPM_NONE);
	assert_int_equal(out(0, 0x92, 1, 0x03), VPM_RESET);
	assert_int_equal(out(0, 0x92, 1, 0x03), VPM_NONE);
	assert_int_equal(out(0, 0x92, 1, 0x02), VPM_NONE);
	assert_int_equal(out(0, 0x92, 1, 0x01), VPM_RESET);
	/* 8042 */
	assert_int_equal(in(0, 0x64, 1), 0x1c);
	assert_int_equal(in(0, 0x60, 1), 0);
	assert_int_equal(out(0, 0x64, 1, 0xad), VPM_NONE);
	assert_int_equal(out(0, 0x60, 1, 0xfe), VPM_NONE);
	assert_int_equal(out(0, 0x64, 1, 0xfe), VPM_RESET);
	/* elsewhere: all ones */
	assert_int_equal(in(0, 0x80, 1), 0xff);
	assert_int_equal(in(0, 0x700, 4), 0xffffffff);
	assert_int_equal(in(0, B + 0xb, 2), 0xff00 | (in(0, TMR, 4) >> 24));
	assert_int_equal(sci.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer),
		cmocka_unit_test(test_status_sci),
		cmocka_unit_test(test_sleep),
		cmocka_unit_test(test_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
