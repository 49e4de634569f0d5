/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual IOAPIC: registers through IOREGSEL/IOWIN, and pin delivery
 * (edge, level with remote IRR and EOI, masking, polarity) against a fake
 * local APIC that records each delivery and can refuse them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/plat/vioapic.h"

struct delivery {
	uint8_t dest, vector;
	bool logical, level;
	unsigned mode;
};

struct fake {
	struct delivery log[16];
	unsigned n;
	bool refuse;
};

static bool fake_deliver(void *ctx, uint8_t dest, bool logical, unsigned mode, uint8_t vector,
			 bool level)
{
	struct fake *f = ctx;

	if (f->n < 16)
		f->log[f->n++] = (struct delivery){ dest, vector, logical, level, mode };
	return !f->refuse;
}

static const struct vioapic_ops ops = { .deliver = fake_deliver };

static uint32_t rd(struct vioapic *io, uint32_t reg)
{
	uint64_t v;

	vioapic_mmio_write(io, 0, 4, reg);
	assert_int_equal(vioapic_mmio_read(io, 0x10, 4, &v), 0);
	return (uint32_t)v;
}

static void wr(struct vioapic *io, uint32_t reg, uint32_t val)
{
	vioapic_mmio_write(io, 0, 4, reg);
	assert_int_equal(vioapic_mmio_write(io, 0x10, 4, val), 0);
}

static void entry(struct vioapic *io, unsigned pin, uint64_t e)
{
	wr(io, 0x11 + 2 * pin, (uint32_t)(e >> 32));
	wr(io, 0x10 + 2 * pin, (uint32_t)e);
}

static void setup(struct vioapic *io, struct fake *f)
{
	memset(f, 0, sizeof(*f));
	vioapic_init(io, 2, &ops, f);
}

#define LEVEL (1u << 15)
#define LOW   (1u << 13)
#define MASK  (1u << 16)
#define RIRR  (1u << 14)

static void test_reset_registers(void **state)
{
	struct vioapic io;
	struct fake f;
	uint64_t v;

	setup(&io, &f);
	assert_int_equal(rd(&io, 0), 0x02000000);
	assert_int_equal(rd(&io, 1), 0x00170011);
	assert_int_equal(rd(&io, 2), 0x02000000);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		assert_int_equal(rd(&io, 0x10 + 2 * pin), MASK);
		assert_int_equal(rd(&io, 0x11 + 2 * pin), 0);
	}
	assert_int_equal(rd(&io, 0x40), 0);   /* past the table */
	/* IOREGSEL reads back; other offsets read 0; narrow reads of IOWIN */
	vioapic_mmio_write(&io, 0, 4, 0x1234);
	vioapic_mmio_read(&io, 0, 4, &v);
	assert_int_equal(v, 0x34);
	vioapic_mmio_read(&io, 0x20, 4, &v);
	assert_int_equal(v, 0);
	vioapic_mmio_write(&io, 0, 4, 1);
	vioapic_mmio_read(&io, 0x12, 1, &v);
	assert_int_equal(v, 0x17);
	vioapic_mmio_read(&io, 0x10, 2, &v);
	assert_int_equal(v, 0x0011);
	/* ID: bits 27:24 writable only; version read-only */
	wr(&io, 0, 0xffffffff);
	assert_int_equal(rd(&io, 0), 0x0f000000);
	wr(&io, 1, 0);
	assert_int_equal(rd(&io, 1), 0x00170011);
}

static void test_entry_rw(void **state)
{
	struct vioapic io;
	struct fake f;

	setup(&io, &f);
	/* delivery status (12) and remote IRR (14) are read-only, 13 writable */
	wr(&io, 0x10 + 2 * 5, 0xffffffff);
	assert_int_equal(rd(&io, 0x10 + 2 * 5), 0x1afff);
	wr(&io, 0x11 + 2 * 5, 0xffffffff);
	assert_int_equal(rd(&io, 0x11 + 2 * 5), 0xff000000);
	assert_int_equal(rd(&io, 0x10 + 2 * 5), 0x1afff);
	/* a narrow write to IOWIN is dropped */
	vioapic_mmio_write(&io, 0, 4, 0x10 + 2 * 6);
	vioapic_mmio_write(&io, 0x10, 2, 0x30);
	assert_int_equal(rd(&io, 0x10 + 2 * 6), MASK);
	assert_int_equal(f.n, 0);
}

static void test_edge(void **state)
{
	struct vioapic io;
	struct fake f;

	setup(&io, &f);
	entry(&io, 4, 0x0300000000000000ull | 0x834);   /* logical dest 3, lowest prio */
	vioapic_set_irq(&io, 4, true);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.log[0].dest, 3);
	assert_true(f.log[0].logical);
	assert_int_equal(f.log[0].mode, 0);
	assert_int_equal(f.log[0].vector, 0x34);
	assert_false(f.log[0].level);
	vioapic_set_irq(&io, 4, true);   /* no new edge */
	assert_int_equal(f.n, 1);
	vioapic_set_irq(&io, 4, false);
	assert_int_equal(f.n, 1);
	vioapic_set_irq(&io, 4, true);
	assert_int_equal(f.n, 2);
	assert_int_equal(rd(&io, 0x10 + 2 * 4) & RIRR, 0);   /* no remote IRR for edge */
	vioapic_eoi(&io, 0x34);
	assert_int_equal(f.n, 2);
	/* physical destination, fixed mode */
	entry(&io, 1, 0x0100000000000000ull | 0x41);
	vioapic_set_irq(&io, 1, true);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.log[2].dest, 1);
	assert_false(f.log[2].logical);
	assert_int_equal(f.log[2].mode, 0);
}

static void test_edge_masked_lost(void **state)
{
	struct vioapic io;
	struct fake f;

	setup(&io, &f);
	entry(&io, 3, MASK | 0x40);
	vioapic_set_irq(&io, 3, true);
	entry(&io, 3, 0x40);   /* unmasking does not replay an edge */
	assert_int_equal(f.n, 0);
	vioapic_set_irq(&io, 3, false);
	vioapic_set_irq(&io, 3, true);
	assert_int_equal(f.n, 1);
}

static void test_level_eoi(void **state)
{
	struct vioapic io;
	struct fake f;

	setup(&io, &f);
	entry(&io, 10, LEVEL | 0x50);
	vioapic_set_irq(&io, 10, true);
	assert_int_equal(f.n, 1);
	assert_true(f.log[0].level);
	assert_int_equal(rd(&io, 0x10 + 2 * 10), LEVEL | RIRR | 0x50);
	vioapic_set_irq(&io, 10, true);   /* remote IRR set: held */
	assert_int_equal(f.n, 1);
	vioapic_eoi(&io, 0x51);           /* other vector */
	assert_int_equal(f.n, 1);
	vioapic_eoi(&io, 0x50);           /* still asserted: again */
	assert_int_equal(f.n, 2);
	assert_true(rd(&io, 0x10 + 2 * 10) & RIRR);
	vioapic_set_irq(&io, 10, false);
	vioapic_eoi(&io, 0x50);           /* deasserted: just clears */
	assert_int_equal(f.n, 2);
	assert_int_equal(rd(&io, 0x10 + 2 * 10) & RIRR, 0);
	/* remote IRR cannot be written, and writing the entry keeps it */
	vioapic_set_irq(&io, 10, true);
	assert_int_equal(f.n, 3);
	wr(&io, 0x10 + 2 * 10, LEVEL | 0x50);
	assert_true(rd(&io, 0x10 + 2 * 10) & RIRR);
	assert_int_equal(f.n, 3);
	/* switching to edge clears it */
	wr(&io, 0x10 + 2 * 10, 0x50);
	assert_int_equal(rd(&io, 0x10 + 2 * 10) & RIRR, 0);
}

static void test_level_shared_vector_eoi(void **state)
{
	struct vioapic io;
	struct fake f;

	setup(&io, &f);
	entry(&io, 16, LEVEL | 0x60);
	entry(&io, 17, LEVEL | 0x60);
	vioapic_set_irq(&io, 16, true);
	vioapic_set_irq(&io, 17, true);
	assert_int_equal(f.n, 2);
	vioapic_set_irq(&io, 16, false);
	vioapic_eoi(&io, 0x60);   /* both cleared, only 17 still asserted */
	assert_int_equal(f.n, 3);
	assert_int_equal(rd(&io, 0x10 + 2 * 16) & RIRR, 0);
	assert_true(rd(&io, 0x10 + 2 * 17) & RIRR);
}

static void test_level_refused(void **state)
{
	struct vioapic io;
	struct fake f;

	setup(&io, &f);
	entry(&io, 9, LEVEL | 0x70);
	f.refuse = true;
	vioapic_set_irq(&io, 9, true);
	assert_int_equal(f.n, 1);
	assert_int_equal(rd(&io, 0x10 + 2 * 9) & RIRR, 0);   /* not accepted */
	f.refuse = false;
	vioapic_set_irq(&io, 9, true);   /* retried while asserted */
	assert_int_equal(f.n, 2);
	assert_true(rd(&io, 0x10 + 2 * 9) & RIRR);
}

static void test_unmask_asserted_level(void **state)
{
	struct vioapic io;
	struct fake f;

	setup(&io, &f);
	entry(&io, 11, MASK | LEVEL | 0x80);
	vioapic_set_irq(&io, 11, true);
	assert_int_equal(f.n, 0);
	wr(&io, 0x10 + 2 * 11, LEVEL | 0x80);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.log[0].vector, 0x80);
	/* masked again with remote IRR set: EOI clears but does not deliver */
	wr(&io, 0x10 + 2 * 11, MASK | LEVEL | 0x80);
	vioapic_eoi(&io, 0x80);
	assert_int_equal(f.n, 1);
	assert_int_equal(rd(&io, 0x10 + 2 * 11) & RIRR, 0);
	wr(&io, 0x10 + 2 * 11, LEVEL | 0x80);
	assert_int_equal(f.n, 2);
}

static void test_polarity(void **state)
{
	struct vioapic io;
	struct fake f;

	setup(&io, &f);
	vioapic_set_irq(&io, 20, true);   /* idle high */
	entry(&io, 20, LOW | LEVEL | 0x90);
	assert_int_equal(f.n, 0);
	vioapic_set_irq(&io, 20, false);  /* active low: asserted */
	assert_int_equal(f.n, 1);
	vioapic_set_irq(&io, 20, true);
	vioapic_eoi(&io, 0x90);
	assert_int_equal(f.n, 1);
	/* active-low edge: delivers on the falling edge */
	vioapic_set_irq(&io, 21, true);
	entry(&io, 21, LOW | 0x91);
	vioapic_set_irq(&io, 21, true);
	assert_int_equal(f.n, 1);
	vioapic_set_irq(&io, 21, false);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.log[1].vector, 0x91);
	vioapic_set_irq(&io, 21, true);
	assert_int_equal(f.n, 2);
}

static void test_bad_pin(void **state)
{
	struct vioapic io;
	struct fake f;
	struct vioapic before;

	setup(&io, &f);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
		entry(&io, pin, 0x30 + pin);
	before = io;
	vioapic_set_irq(&io, VIOAPIC_PINS, true);
	vioapic_set_irq(&io, 1000, true);
	vioapic_set_irq(&io, ~0u, true);
	assert_int_equal(f.n, 0);
	assert_memory_equal(&io, &before, sizeof(io));
	/* registers past the last entry are ignored */
	wr(&io, 0x10 + 2 * VIOAPIC_PINS, 0);
	assert_memory_equal(&io.redir, &before.redir, sizeof(io.redir));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_registers),
		cmocka_unit_test(test_entry_rw),
		cmocka_unit_test(test_edge),
		cmocka_unit_test(test_edge_masked_lost),
		cmocka_unit_test(test_level_eoi),
		cmocka_unit_test(test_level_shared_vector_eoi),
		cmocka_unit_test(test_level_refused),
		cmocka_unit_test(test_unmask_asserted_level),
		cmocka_unit_test(test_polarity),
		cmocka_unit_test(test_bad_pin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
