/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual local APIC: reset values, MMIO and x2APIC MSR access rules,
 * priority (TPR/PPR, nested ISR, EOI), IPIs through the ICR, and the timer
 * in its three modes at exact TSC times. The platform callbacks are a fake
 * that records EOIs and IPIs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "vmm/plat/vlapic.h"

#define TSC_HZ 2000000000ull   /* 2 TSC ticks per bus clock */
#define ID 3

struct ipi {
	uint32_t dest;
	bool logical, level;
	unsigned shorthand, mode;
	uint8_t vector;
};

struct fake {
	uint8_t eois[8];
	unsigned neoi;
	struct ipi ipis[8];
	unsigned nipi;
};

static void fake_eoi(void *ctx, uint8_t vector)
{
	struct fake *f = ctx;

	if (f->neoi < 8)
		f->eois[f->neoi++] = vector;
}

static void fake_ipi(void *ctx, uint32_t dest, bool logical, unsigned shorthand, unsigned mode,
		     uint8_t vector, bool level)
{
	struct fake *f = ctx;

	if (f->nipi < 8)
		f->ipis[f->nipi++] = (struct ipi){ dest, logical, level, shorthand, mode, vector };
}

static const struct vlapic_ops ops = { .eoi = fake_eoi, .ipi = fake_ipi };

static struct fake fk;

static uint32_t rd(struct vlapic *l, uint64_t now, uint32_t off)
{
	uint64_t v = ~0ull;

	assert_int_equal(vlapic_mmio_read(l, now, off, 4, &v), 0);
	return (uint32_t)v;
}

static void wr(struct vlapic *l, uint64_t now, uint32_t off, uint32_t val)
{
	assert_int_equal(vlapic_mmio_write(l, now, off, 4, val), 0);
}

/* A reset APIC, software-enabled unless raw. */
static void setup(struct vlapic *l, bool raw)
{
	memset(&fk, 0, sizeof(fk));
	vlapic_init(l, ID, true, TSC_HZ, &ops, &fk);
	if (!raw)
		wr(l, 0, 0xf0, 0x1ff);
}

static void to_x2apic(struct vlapic *l)
{
	assert_int_equal(vlapic_msr_write(l, 0, 0x1b, 0xfee00c00), 0);
	assert_true(vlapic_x2apic_mode(l));
}

static bool irr(struct vlapic *l, unsigned v) { return rd(l, 0, 0x200 + v / 32 * 16) >> (v % 32) & 1; }
static bool isr(struct vlapic *l, unsigned v) { return rd(l, 0, 0x100 + v / 32 * 16) >> (v % 32) & 1; }
static bool tmr(struct vlapic *l, unsigned v) { return rd(l, 0, 0x180 + v / 32 * 16) >> (v % 32) & 1; }

static void take(struct vlapic *l, int want)
{
	assert_int_equal(vlapic_pending(l), want);
	vlapic_ack(l, (uint8_t)want);
}

/* ---- Registers ---- */

static void test_reset(void **state)
{
	struct vlapic l;
	uint64_t v;

	setup(&l, true);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x1b, &v), 0);
	assert_int_equal(v, 0xfee00900);
	assert_true(vlapic_hw_enabled(&l));
	assert_false(vlapic_x2apic_mode(&l));
	assert_int_equal(rd(&l, 0, 0x20), ID << 24);
	assert_int_equal(rd(&l, 0, 0x30), 0x50014);
	assert_int_equal(rd(&l, 0, 0x80), 0);
	assert_int_equal(rd(&l, 0, 0xa0), 0);
	assert_int_equal(rd(&l, 0, 0xd0), 0);
	assert_int_equal(rd(&l, 0, 0xe0), 0xffffffff);
	assert_int_equal(rd(&l, 0, 0xf0), 0xff);
	for (uint32_t off = 0x320; off <= 0x370; off += 0x10)
		assert_int_equal(rd(&l, 0, off), 0x10000);
	for (uint32_t off = 0x100; off < 0x280; off += 0x10)
		assert_int_equal(rd(&l, 0, off), 0);
	assert_int_equal(rd(&l, 0, 0x3e0), 0);
	assert_int_equal(vlapic_next_event(&l), UINT64_MAX);
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_init(&l, 7, false, TSC_HZ, &ops, &fk);
	vlapic_msr_read(&l, 0, 0x1b, &v);
	assert_int_equal(v, 0xfee00800);
}

static void test_mmio_narrow(void **state)
{
	struct vlapic l;
	uint64_t v;

	setup(&l, false);
	vlapic_mmio_read(&l, 0, 0x30, 1, &v);
	assert_int_equal(v, 0x14);
	vlapic_mmio_read(&l, 0, 0x32, 1, &v);
	assert_int_equal(v, 0x05);
	vlapic_mmio_read(&l, 0, 0x32, 2, &v);
	assert_int_equal(v, 0x0005);
	vlapic_mmio_read(&l, 0, 0x23, 1, &v);
	assert_int_equal(v, ID);
	vlapic_mmio_read(&l, 0, 0x30, 8, &v);
	assert_int_equal(v, 0x50014);
	vlapic_mmio_read(&l, 0, 0x34, 4, &v);   /* the unused 12 bytes */
	assert_int_equal(v, 0);
	vlapic_mmio_read(&l, 0, 0x3f0, 4, &v);  /* SELF IPI: x2APIC only */
	assert_int_equal(v, 0);
	vlapic_mmio_read(&l, 0, 0xb0, 4, &v);   /* EOI: write-only */
	assert_int_equal(v, 0);
	/* writes other than 32 bits at the register are dropped */
	vlapic_mmio_write(&l, 0, 0x80, 1, 0x20);
	vlapic_mmio_write(&l, 0, 0x80, 8, 0x20);
	vlapic_mmio_write(&l, 0, 0x84, 4, 0x20);
	assert_int_equal(rd(&l, 0, 0x80), 0);
	wr(&l, 0, 0x80, 0x12345);   /* TPR: bits 7:0 */
	assert_int_equal(rd(&l, 0, 0x80), 0x45);
	wr(&l, 0, 0x30, 0);         /* version: read-only */
	assert_int_equal(rd(&l, 0, 0x30), 0x50014);
}

static void test_xapic_id_ldr_dfr(void **state)
{
	struct vlapic l;

	setup(&l, false);
	wr(&l, 0, 0x20, 0x09ffffff);
	assert_int_equal(rd(&l, 0, 0x20), 0x09000000);
	wr(&l, 0, 0xd0, 0x81ffffff);
	assert_int_equal(rd(&l, 0, 0xd0), 0x81000000);
	wr(&l, 0, 0xe0, 0x0);   /* cluster model; bits 27:0 stay 1 */
	assert_int_equal(rd(&l, 0, 0xe0), 0x0fffffff);
	/* a physical IPI to the new ID is to ourselves */
	wr(&l, 0, 0x310, 0x09000000);
	wr(&l, 0, 0x300, 0x40);
	assert_true(irr(&l, 0x40));
	assert_int_equal(fk.nipi, 0);
}

static void test_lvt_masks(void **state)
{
	struct vlapic l;

	setup(&l, false);
	wr(&l, 0, 0x320, 0xffffffff);   /* timer: vector, mask, mode 18:17 */
	assert_int_equal(rd(&l, 0, 0x320), 0x300ff);   /* mode 3 reserved */
	wr(&l, 0, 0x340, 0xffffffff);   /* perf */
	assert_int_equal(rd(&l, 0, 0x340), 0x107ff);
	wr(&l, 0, 0x350, 0xffffffff);   /* LINT0: no delivery status, remote IRR */
	assert_int_equal(rd(&l, 0, 0x350), 0x1a7ff);
	wr(&l, 0, 0x370, 0xffffffff);   /* error */
	assert_int_equal(rd(&l, 0, 0x370), 0x100ff);
	wr(&l, 0, 0x3e0, 0xff);
	assert_int_equal(rd(&l, 0, 0x3e0), 0xb);
}

static void test_tpr_cr8(void **state)
{
	struct vlapic l;

	setup(&l, false);
	l.tpr = 0x50;
	assert_int_equal(rd(&l, 0, 0x80), 0x50);
	wr(&l, 0, 0x80, 0x37);
	assert_int_equal(l.tpr, 0x37);
	assert_int_equal(rd(&l, 0, 0xa0), 0x37);   /* PPR = TPR with nothing in service */
}

/* ---- Priority and acceptance ---- */

static void test_tpr_masks(void **state)
{
	struct vlapic l;

	setup(&l, false);
	assert_true(vlapic_set_irq(&l, 0x45, false));
	assert_true(irr(&l, 0x45));
	l.tpr = 0x40;   /* same class: blocked */
	assert_int_equal(vlapic_pending(&l), -1);
	l.tpr = 0x5f;
	assert_int_equal(vlapic_pending(&l), -1);
	l.tpr = 0x3f;
	assert_int_equal(vlapic_pending(&l), 0x45);
	vlapic_set_irq(&l, 0x44, false);   /* highest first */
	assert_int_equal(vlapic_pending(&l), 0x45);
}

static void test_nested_isr_eoi(void **state)
{
	struct vlapic l;

	setup(&l, false);
	vlapic_set_irq(&l, 0x50, false);
	take(&l, 0x50);
	assert_true(isr(&l, 0x50));
	assert_false(irr(&l, 0x50));
	assert_int_equal(rd(&l, 0, 0xa0), 0x50);
	vlapic_set_irq(&l, 0x55, false);   /* same class as in service */
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_set_irq(&l, 0x61, false);   /* higher class nests */
	take(&l, 0x61);
	assert_int_equal(rd(&l, 0, 0xa0), 0x60);
	l.tpr = 0x70;          /* TPR above ISR class: PPR = TPR */
	assert_int_equal(rd(&l, 0, 0xa0), 0x70);
	l.tpr = 0x6a;          /* same class: still TPR */
	assert_int_equal(rd(&l, 0, 0xa0), 0x6a);
	l.tpr = 0x5f;          /* below: the ISR class */
	assert_int_equal(rd(&l, 0, 0xa0), 0x60);
	l.tpr = 0;
	wr(&l, 0, 0xb0, 0);                /* EOI clears the highest: 0x61 */
	assert_false(isr(&l, 0x61));
	assert_true(isr(&l, 0x50));
	assert_int_equal(vlapic_pending(&l), -1);
	wr(&l, 0, 0xb0, 0);
	assert_int_equal(rd(&l, 0, 0xa0), 0);
	take(&l, 0x55);
	wr(&l, 0, 0xb0, 0);
	wr(&l, 0, 0xb0, 0);                /* nothing in service: no effect */
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(fk.neoi, 0);      /* all edge */
}

static void test_level_eoi_callback(void **state)
{
	struct vlapic l;

	setup(&l, false);
	vlapic_set_irq(&l, 0x70, true);
	vlapic_set_irq(&l, 0x80, false);
	assert_true(tmr(&l, 0x70));
	assert_false(tmr(&l, 0x80));
	take(&l, 0x80);
	assert_int_equal(vlapic_pending(&l), -1);
	wr(&l, 0, 0xb0, 0);
	assert_int_equal(fk.neoi, 0);
	take(&l, 0x70);
	wr(&l, 0, 0xb0, 0);
	assert_int_equal(fk.neoi, 1);
	assert_int_equal(fk.eois[0], 0x70);
	vlapic_set_irq(&l, 0x70, false);   /* now edge: TMR cleared */
	assert_false(tmr(&l, 0x70));
}

static void test_illegal_vector_esr(void **state)
{
	struct vlapic l;

	setup(&l, false);
	assert_false(vlapic_set_irq(&l, 15, false));
	assert_false(irr(&l, 15));
	assert_int_equal(rd(&l, 0, 0x280), 0);   /* latched only by a write */
	wr(&l, 0, 0x280, 0);
	assert_int_equal(rd(&l, 0, 0x280), 0x40);
	wr(&l, 0, 0x280, 0);
	assert_int_equal(rd(&l, 0, 0x280), 0);
	/* with LVT error unmasked, an error raises its vector */
	wr(&l, 0, 0x370, 0xfe);
	wr(&l, 0, 0x300, 0x4003);   /* send fixed vector 3 to... */
	assert_int_equal(fk.nipi, 0);
	assert_int_equal(vlapic_pending(&l), 0xfe);
	wr(&l, 0, 0x280, 0);
	assert_int_equal(rd(&l, 0, 0x280), 0x20);   /* send illegal vector */
	/* an illegal error vector does not loop */
	wr(&l, 0, 0x370, 0x02);
	vlapic_set_irq(&l, 1, false);
	wr(&l, 0, 0x280, 0);
	assert_int_equal(rd(&l, 0, 0x280), 0x40);
}

static void test_sw_disable(void **state)
{
	struct vlapic l;

	setup(&l, false);
	wr(&l, 0, 0x320, 0x20);
	wr(&l, 0, 0x350, 0x700);
	wr(&l, 0, 0x370, 0x21);
	vlapic_set_irq(&l, 0x40, false);
	wr(&l, 0, 0xf0, 0xff);   /* software disable masks every LVT */
	assert_int_equal(rd(&l, 0, 0x320), 0x10020);
	assert_int_equal(rd(&l, 0, 0x350), 0x10700);
	assert_int_equal(rd(&l, 0, 0x370), 0x10021);
	wr(&l, 0, 0x320, 0x20);  /* and they cannot be unmasked */
	assert_int_equal(rd(&l, 0, 0x320), 0x10020);
	assert_false(vlapic_set_irq(&l, 0x41, false));
	assert_int_equal(vlapic_pending(&l), 0x40);   /* held IRR stays */
	wr(&l, 0, 0xf0, 0x1ff);
	wr(&l, 0, 0x320, 0x20);
	assert_int_equal(rd(&l, 0, 0x320), 0x20);
}

static void test_hw_disable(void **state)
{
	struct vlapic l;
	uint64_t v;

	setup(&l, false);
	wr(&l, 0, 0x80, 0x20);
	vlapic_set_irq(&l, 0x40, false);
	assert_false(vlapic_accepts_pic(&l));
	assert_int_equal(vlapic_msr_write(&l, 0, 0x1b, 0xfee00100), 0);
	assert_false(vlapic_hw_enabled(&l));
	assert_true(vlapic_accepts_pic(&l));
	assert_false(vlapic_set_irq(&l, 0x41, false));
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_mmio_read(&l, 0, 0x30, 4, &v);
	assert_int_equal(v, 0);
	vlapic_msr_read(&l, 0, 0x1b, &v);
	assert_int_equal(v, 0xfee00100);
	/* re-enabled: as after power-up */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x1b, 0xfee00800), 0);
	vlapic_msr_read(&l, 0, 0x1b, &v);
	assert_int_equal(v, 0xfee00900);   /* BSP flag is not writable */
	assert_int_equal(rd(&l, 0, 0xf0), 0xff);
	assert_int_equal(rd(&l, 0, 0x80), 0);
	assert_false(irr(&l, 0x40));
}

static void test_accepts_pic(void **state)
{
	struct vlapic l;

	setup(&l, false);
	assert_false(vlapic_accepts_pic(&l));
	wr(&l, 0, 0x350, 0x10700);   /* ExtINT, masked */
	assert_false(vlapic_accepts_pic(&l));
	wr(&l, 0, 0x350, 0x700);
	assert_true(vlapic_accepts_pic(&l));
	wr(&l, 0, 0x350, 0x400);     /* NMI */
	assert_false(vlapic_accepts_pic(&l));
}

/* ---- IPIs ---- */

static void test_icr_self_and_others(void **state)
{
	struct vlapic l;

	setup(&l, false);
	wr(&l, 0, 0x300, 0x40041);   /* shorthand self */
	assert_true(irr(&l, 0x41));
	assert_int_equal(rd(&l, 0, 0x300), 0x40041);   /* delivery status 0 */
	wr(&l, 0, 0x310, ID << 24);  /* physical, our ID */
	wr(&l, 0, 0x300, 0x42);
	assert_true(irr(&l, 0x42));
	assert_int_equal(fk.nipi, 0);
	wr(&l, 0, 0x310, 5u << 24);  /* another APIC */
	wr(&l, 0, 0x300, 0x43);
	assert_false(irr(&l, 0x43));
	assert_int_equal(fk.nipi, 1);
	assert_int_equal(fk.ipis[0].dest, 5);
	assert_false(fk.ipis[0].logical);
	assert_int_equal(fk.ipis[0].shorthand, 0);
	assert_int_equal(fk.ipis[0].vector, 0x43);
	wr(&l, 0, 0x300, 0x80044);   /* all including self */
	assert_true(irr(&l, 0x44));
	assert_int_equal(fk.nipi, 2);
	assert_int_equal(fk.ipis[1].shorthand, 2);
	wr(&l, 0, 0x300, 0xc0045);   /* all excluding self */
	assert_false(irr(&l, 0x45));
	assert_int_equal(fk.nipi, 3);
	assert_int_equal(fk.ipis[2].shorthand, 3);
	wr(&l, 0, 0x310, ID << 24);  /* logical: the platform decides */
	wr(&l, 0, 0x300, 0xc846);
	assert_int_equal(fk.nipi, 4);
	assert_true(fk.ipis[3].logical);
	assert_true(fk.ipis[3].level);
	assert_int_equal(fk.ipis[3].dest, ID);
	assert_false(irr(&l, 0x46));
}

static void test_icr_init_sipi(void **state)
{
	struct vlapic l;

	setup(&l, false);
	wr(&l, 0, 0x310, 1u << 24);
	wr(&l, 0, 0x300, 0xc500);    /* INIT assert, level */
	wr(&l, 0, 0x300, 0x8500);    /* INIT de-assert: dropped */
	wr(&l, 0, 0x300, 0x0608);    /* SIPI, vector 8 (page 0x8000) */
	assert_int_equal(fk.nipi, 2);
	assert_int_equal(fk.ipis[0].mode, 5);
	assert_int_equal(fk.ipis[1].mode, 6);
	assert_int_equal(fk.ipis[1].vector, 8);
	assert_int_equal(fk.ipis[1].dest, 1);
	wr(&l, 0, 0x310, ID << 24);  /* NMI to ourselves also goes out */
	wr(&l, 0, 0x300, 0x400);
	assert_int_equal(fk.nipi, 3);
	assert_int_equal(fk.ipis[2].dest, ID);
	assert_int_equal(vlapic_pending(&l), -1);
}

/* ---- x2APIC ---- */

static void test_x2apic_transitions(void **state)
{
	struct vlapic l;
	uint64_t v;

	setup(&l, false);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x802, &v), -EPERM);   /* not yet */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x808, 0), -EPERM);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x1b, 0xfee00500), -EPERM);  /* EXTD w/o EN */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x1b, 0xfee00801), -EPERM);  /* reserved */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x1b, 0xfee00a00), -EPERM);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x1b, 0xfee00800ull | 1ull << 60), -EPERM);
	to_x2apic(&l);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x1b, &v), 0);
	assert_int_equal(v, 0xfee00d00);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x80f, &v), 0);
	assert_int_equal(v, 0x1ff);   /* state carries over */
	assert_int_equal(rd(&l, 0, 0x30), 0);   /* the page is gone */
	wr(&l, 0, 0x80, 0x30);
	assert_int_equal(l.tpr, 0);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x1b, 0xfee00800), -EPERM);  /* x2 -> xAPIC */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x1b, 0xfee00000), 0);       /* -> disabled */
	assert_false(vlapic_x2apic_mode(&l));
	assert_int_equal(vlapic_msr_write(&l, 0, 0x1b, 0xfee00c00), -EPERM);  /* disabled -> x2 */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x1b, 0xfee00800), 0);
	assert_int_equal(rd(&l, 0, 0x20), ID << 24);
	to_x2apic(&l);
}

/* Interrupt destinations: physical, flat and cluster logical, broadcast,
 * x2APIC physical and cluster. */
static void test_match(void **state)
{
	struct vlapic l;

	memset(&fk, 0, sizeof(fk));
	vlapic_init(&l, 0x13, false, TSC_HZ, &ops, &fk);
	assert_true(vlapic_match(&l, 0x13, false));
	assert_false(vlapic_match(&l, 0x12, false));
	assert_true(vlapic_match(&l, 0xff, false));
	assert_true(vlapic_match(&l, 0xffffffffu, false));
	wr(&l, 0, 0xd0, 0x04000000);            /* LDR: logical id bit 2 */
	assert_true(vlapic_match(&l, 0x0c, true));
	assert_false(vlapic_match(&l, 0x03, true));
	wr(&l, 0, 0xe0, 0x0fffffff);            /* DFR: cluster model */
	wr(&l, 0, 0xd0, 0x32000000);            /* cluster 3, member bit 1 */
	assert_true(vlapic_match(&l, 0x36, true));
	assert_false(vlapic_match(&l, 0x26, true));
	assert_false(vlapic_match(&l, 0x35, true));
	to_x2apic(&l);                          /* LDR = 1 << 16 | 1 << 3 */
	assert_true(vlapic_match(&l, 0x13, false));
	assert_false(vlapic_match(&l, 0x113, false));
	assert_true(vlapic_match(&l, 0x00010008, true));
	assert_false(vlapic_match(&l, 0x00020008, true));
	assert_false(vlapic_match(&l, 0x00010004, true));
	assert_true(vlapic_match(&l, 0xffffffffu, true));
}

static void test_x2apic_registers(void **state)
{
	struct vlapic l;
	uint64_t v;

	memset(&fk, 0, sizeof(fk));
	vlapic_init(&l, 0x123, false, TSC_HZ, &ops, &fk);
	wr(&l, 0, 0x20, 0x05000000);   /* xAPIC ID write does not carry over */
	to_x2apic(&l);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x802, &v), 0);
	assert_int_equal(v, 0x123);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x803, &v), 0);
	assert_int_equal(v, 0x50014);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x80d, &v), 0);
	assert_int_equal(v, 0x00120008);   /* cluster 0x12, bit 3 */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x80f, 0x1ff), 0);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x808, 0x20), 0);
	assert_int_equal(l.tpr, 0x20);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x80a, &v), 0);
	assert_int_equal(v, 0x20);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x83f, 0x51), 0);   /* SELF IPI */
	assert_int_equal(vlapic_pending(&l), 0x51);
	vlapic_ack(&l, 0x51);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x810 + 2, &v), 0);  /* ISR[2] */
	assert_int_equal(v, 1u << (0x51 - 64));
	assert_int_equal(vlapic_msr_write(&l, 0, 0x80b, 0), 0);      /* EOI */
	assert_int_equal(vlapic_msr_read(&l, 0, 0x812, &v), 0);
	assert_int_equal(v, 0);
	/* ICR: one 64-bit register, 32-bit destination */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x830, 0x0000045600000052ull), 0);
	assert_int_equal(fk.nipi, 1);
	assert_int_equal(fk.ipis[0].dest, 0x456);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x830, &v), 0);
	assert_int_equal(v, 0x0000045600000052ull);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x830, 0x0000012300000053ull), 0);
	assert_int_equal(fk.nipi, 1);   /* our own x2APIC ID */
	assert_int_equal(vlapic_pending(&l), 0x53);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x838, 1000), 0);
	assert_int_equal(vlapic_msr_read(&l, 10, 0x839, &v), 0);
	assert_true(v < 1000);
	/* LVT: the read-only delivery status / remote IRR bits may be written
	 * back (Linux's shutdown writes LINT0 0x5700); reserved bits #GP. */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x835, 0x5700), 0);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x835, &v), 0);
	assert_int_equal(v, 0x700);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x835, 0x80000700), -EPERM);
}

static void test_x2apic_gp(void **state)
{
	struct vlapic l;
	uint64_t v;

	setup(&l, false);
	to_x2apic(&l);
	/* write-only registers */
	assert_int_equal(vlapic_msr_read(&l, 0, 0x80b, &v), -EPERM);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x83f, &v), -EPERM);
	/* read-only registers */
	static const uint32_t ro[] = { 0x802, 0x803, 0x80a, 0x80d, 0x810, 0x818, 0x827, 0x839 };
	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		assert_int_equal(vlapic_msr_write(&l, 0, ro[i], 0), -EPERM);
	/* not in x2APIC mode: APR, DFR, ICR high, CMCI (not implemented), holes */
	static const uint32_t none[] = { 0x800, 0x809, 0x80c, 0x80e, 0x82f, 0x831, 0x83a, 0x840, 0x8ff };
	for (unsigned i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		assert_int_equal(vlapic_msr_read(&l, 0, none[i], &v), -EPERM);
		assert_int_equal(vlapic_msr_write(&l, 0, none[i], 0), -EPERM);
	}
	/* reserved bits */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x808, 0x100), -EPERM);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x808, 1ull << 32), -EPERM);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x80b, 1), -EPERM);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x828, 1), -EPERM);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x828, 0), 0);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x83f, 0x100), -EPERM);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x832, 0x80000), -EPERM);   /* timer bit 19 */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x832, 0x60000), -EPERM);   /* mode 3 */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x835, 0x1000), 0);         /* delivery status: RO, not reserved */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x83e, 0x4), -EPERM);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x830, 0x1000), -EPERM);
	assert_int_equal(fk.nipi, 0);
	assert_int_equal(l.tpr, 0);
	/* MSRs that are not the APIC's */
	assert_int_equal(vlapic_msr_read(&l, 0, 0x10, &v), -EPERM);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x7ff, 0), -EPERM);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x900, 0), -EPERM);
}

/* ---- Timer ---- */

/* One-shot, divide by 1: 1000 counts = 1 us = 2000 TSC ticks. */
static void test_timer_oneshot(void **state)
{
	struct vlapic l;

	setup(&l, false);
	wr(&l, 0, 0x320, 0x30);
	wr(&l, 0, 0x3e0, 0xb);
	wr(&l, 100, 0x380, 1000);
	assert_int_equal(vlapic_next_event(&l), 2100);
	assert_int_equal(rd(&l, 0, 0x380), 1000);
	assert_int_equal(rd(&l, 100, 0x390), 1000);
	assert_int_equal(rd(&l, 1100, 0x390), 500);
	assert_int_equal(rd(&l, 2099, 0x390), 1);
	assert_false(vlapic_advance(&l, 2099));
	assert_int_equal(vlapic_pending(&l), -1);
	assert_true(vlapic_advance(&l, 2100));
	assert_int_equal(vlapic_pending(&l), 0x30);
	assert_int_equal(vlapic_next_event(&l), UINT64_MAX);
	assert_false(vlapic_advance(&l, 5000));
	assert_int_equal(rd(&l, 2100, 0x390), 0);
	assert_int_equal(rd(&l, 99999, 0x390), 0);
	/* a second expiry while the first is still in IRR is nothing new */
	wr(&l, 3000, 0x380, 1);
	assert_int_equal(vlapic_next_event(&l), 3002);
	assert_false(vlapic_advance(&l, 3002));
	/* writing 0 stops it */
	wr(&l, 4000, 0x380, 1000);
	wr(&l, 4001, 0x380, 0);
	assert_int_equal(vlapic_next_event(&l), UINT64_MAX);
	assert_int_equal(rd(&l, 4002, 0x390), 0);
}

static void test_timer_periodic(void **state)
{
	struct vlapic l;

	setup(&l, false);
	wr(&l, 0, 0x320, 0x20031);   /* periodic, vector 0x31 */
	wr(&l, 0, 0x3e0, 0x0);       /* divide by 2: 100 counts = 400 ticks */
	wr(&l, 1000, 0x380, 100);
	assert_int_equal(vlapic_next_event(&l), 1400);
	assert_int_equal(rd(&l, 1200, 0x390), 50);
	assert_false(vlapic_advance(&l, 1399));
	assert_true(vlapic_advance(&l, 1400));
	assert_int_equal(vlapic_next_event(&l), 1800);
	assert_int_equal(rd(&l, 1400, 0x390), 100);   /* reloaded */
	assert_int_equal(rd(&l, 1404, 0x390), 99);
	take(&l, 0x31);
	wr(&l, 0, 0xb0, 0);
	assert_false(vlapic_advance(&l, 1799));
	assert_true(vlapic_advance(&l, 1800));
	assert_int_equal(vlapic_next_event(&l), 2200);
}

static void test_timer_periodic_collapse(void **state)
{
	struct vlapic l;

	setup(&l, false);
	wr(&l, 0, 0x320, 0x20031);
	wr(&l, 0, 0x3e0, 0x0);
	wr(&l, 1000, 0x380, 100);
	assert_true(vlapic_advance(&l, 1000 + 5 * 400 + 123));   /* 5 missed */
	assert_int_equal(vlapic_next_event(&l), 1000 + 6 * 400);
	take(&l, 0x31);
	assert_int_equal(vlapic_pending(&l), -1);
	wr(&l, 0, 0xb0, 0);
	assert_int_equal(vlapic_pending(&l), -1);   /* once only */
	assert_int_equal(rd(&l, 1000 + 5 * 400 + 200, 0x390), 50);
}

static void test_timer_masked(void **state)
{
	struct vlapic l;

	setup(&l, false);
	wr(&l, 0, 0x320, 0x30031);   /* periodic, masked */
	wr(&l, 0, 0x3e0, 0xb);
	wr(&l, 0, 0x380, 10);        /* 20 ticks */
	assert_false(vlapic_advance(&l, 20));
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(vlapic_next_event(&l), 40);   /* keeps counting */
	wr(&l, 0, 0x320, 0x20031);   /* unmask, same mode: still armed */
	assert_true(vlapic_advance(&l, 40));
	assert_int_equal(vlapic_pending(&l), 0x31);
}

static void test_timer_divide(void **state)
{
	static const struct { uint32_t tdcr, div; } enc[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	struct vlapic l;

	setup(&l, false);
	wr(&l, 0, 0x320, 0x30);
	for (unsigned i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		wr(&l, 0, 0x3e0, enc[i].tdcr);
		wr(&l, 0, 0x380, 1000);
		assert_int_equal(vlapic_next_event(&l), 1000 * enc[i].div * 2);
		assert_int_equal(rd(&l, 2 * enc[i].div * 10, 0x390), 990);
	}
	/* a large count at the largest divider does not overflow */
	wr(&l, 0, 0x3e0, 0xa);
	wr(&l, 0, 0x380, 0xffffffff);
	assert_int_equal(vlapic_next_event(&l), 0xffffffffull * 128 * 2);
	assert_int_equal(rd(&l, 0xffffffffull * 128, 0x390), 0x80000000);
}

static void test_timer_mode_change_disarms(void **state)
{
	struct vlapic l;

	setup(&l, false);
	wr(&l, 0, 0x320, 0x30);
	wr(&l, 0, 0x380, 1000);
	wr(&l, 10, 0x320, 0x20030);   /* -> periodic */
	assert_int_equal(vlapic_next_event(&l), UINT64_MAX);
	assert_int_equal(rd(&l, 20, 0x390), 0);
	assert_false(vlapic_advance(&l, 100000));
	wr(&l, 0, 0x380, 1000);
	wr(&l, 10, 0x320, 0x40030);   /* -> deadline */
	assert_int_equal(vlapic_next_event(&l), UINT64_MAX);
}

static void test_timer_deadline(void **state)
{
	struct vlapic l;
	uint64_t v;

	setup(&l, false);
	/* outside TSC-deadline mode the MSR reads 0 and ignores writes */
	assert_int_equal(vlapic_msr_write(&l, 0, 0x6e0, 5000), 0);
	assert_int_equal(vlapic_msr_read(&l, 0, 0x6e0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vlapic_next_event(&l), UINT64_MAX);
	wr(&l, 0, 0x320, 0x40032);
	assert_int_equal(vlapic_msr_write(&l, 0, 0x6e0, 5000), 0);
	assert_int_equal(vlapic_next_event(&l), 5000);
	vlapic_msr_read(&l, 0, 0x6e0, &v);
	assert_int_equal(v, 5000);
	wr(&l, 0, 0x380, 10);         /* initial count ignored */
	assert_int_equal(rd(&l, 0, 0x380), 0);
	assert_int_equal(rd(&l, 1, 0x390), 0);
	assert_int_equal(vlapic_next_event(&l), 5000);
	assert_false(vlapic_advance(&l, 4999));
	assert_true(vlapic_advance(&l, 5000));
	assert_int_equal(vlapic_pending(&l), 0x32);
	vlapic_msr_read(&l, 0, 0x6e0, &v);
	assert_int_equal(v, 0);
	assert_int_equal(vlapic_next_event(&l), UINT64_MAX);
	/* 0 disarms; a deadline in the past fires at once */
	vlapic_msr_write(&l, 0, 0x6e0, 9000);
	vlapic_msr_write(&l, 0, 0x6e0, 0);
	assert_int_equal(vlapic_next_event(&l), UINT64_MAX);
	vlapic_ack(&l, 0x32);
	vlapic_msr_write(&l, 10000, 0x6e0, 7000);
	assert_true(vlapic_advance(&l, 10000));
}

static void test_timer_stopped_by_hw_disable(void **state)
{
	struct vlapic l;

	setup(&l, false);
	wr(&l, 0, 0x320, 0x30);
	wr(&l, 0, 0x380, 1000);
	vlapic_msr_write(&l, 0, 0x1b, 0xfee00100);
	assert_int_equal(vlapic_next_event(&l), UINT64_MAX);
	assert_false(vlapic_advance(&l, 1ull << 40));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_mmio_narrow),
		cmocka_unit_test(test_xapic_id_ldr_dfr),
		cmocka_unit_test(test_lvt_masks),
		cmocka_unit_test(test_tpr_cr8),
		cmocka_unit_test(test_tpr_masks),
		cmocka_unit_test(test_nested_isr_eoi),
		cmocka_unit_test(test_level_eoi_callback),
		cmocka_unit_test(test_illegal_vector_esr),
		cmocka_unit_test(test_sw_disable),
		cmocka_unit_test(test_hw_disable),
		cmocka_unit_test(test_accepts_pic),
		cmocka_unit_test(test_icr_self_and_others),
		cmocka_unit_test(test_icr_init_sipi),
		cmocka_unit_test(test_x2apic_transitions),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_x2apic_registers),
		cmocka_unit_test(test_x2apic_gp),
		cmocka_unit_test(test_timer_oneshot),
		cmocka_unit_test(test_timer_periodic),
		cmocka_unit_test(test_timer_periodic_collapse),
		cmocka_unit_test(test_timer_masked),
		cmocka_unit_test(test_timer_divide),
		cmocka_unit_test(test_timer_mode_change_disarms),
		cmocka_unit_test(test_timer_deadline),
		cmocka_unit_test(test_timer_stopped_by_hw_disable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
