/* SPDX-License-Identifier: GPL-2.0-only */
/* APIC and PIC drivers (see apic.h). */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "kernel/errno.h"
#include "kernel/log.h"

#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)

#define LAPIC_ID     0x020
#define LAPIC_TPR    0x080
#define LAPIC_EOI    0x0b0
#define LAPIC_SVR    0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define ICR_PENDING  (1u << 12)
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR  0x390
#define LAPIC_TIMER_DIV  0x3e0
#define LVT_MASKED   (1u << 16)
#define LVT_PERIODIC (1u << 17)

#define MAX_IOAPICS 16

static volatile uint32_t *lapic;
static bool x2apic;

struct ioapic {
	volatile uint32_t *regs;
	uint64_t phys;
	uint32_t gsi_base, pins;
	uint8_t id;
};
static struct ioapic ioapics[MAX_IOAPICS];
static unsigned nr_ioapics;

void pic_disable(void)
{
	static const uint8_t init[2][4] = { { 0x11, 0x20, 0x04, 0x01 },
					    { 0x11, 0x28, 0x02, 0x01 } };
	for (int p = 0; p < 2; p++) {
		uint16_t cmd = p ? 0xa0 : 0x20;
		for (int i = 0; i < 4; i++)
			outb(i ? cmd + 1 : cmd, init[p][i]);
	}
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static uint32_t lapic_read(uint32_t reg)
{
	return x2apic ? (uint32_t)rdmsr(0x800 + (reg >> 4)) : lapic[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		lapic[reg / 4] = v;
}

/* An application processor: the same mode as the boot CPU's (x2APIC is
 * per CPU), software enabled, its timer masked; the boot CPU too. */
void lapic_init_ap(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

	wrmsr(MSR_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2APIC);
	lapic_write(LAPIC_SVR, 0x100 | 0xff); /* enabled, spurious vector 0xff */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
}

void lapic_init(uint64_t phys)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

	/* x2APIC when the CPU has it: 32-bit ids (servers with more than 255
	 * CPUs) and MSR access; xAPIC to x2APIC is a legal step while enabled. */
	x2apic = (base & APIC_BASE_X2APIC) || boot_cpu.x2apic;
	if (!x2apic) {
		if (!phys)
			phys = base & 0xffffff000ull;
		lapic = ioremap(phys, 4096, CACHE_UC);
		if (!lapic)
			panic("lapic: cannot map 0x%lx", phys);
	}
	lapic_init_ap();
}

/* x2APIC: one 64-bit write. xAPIC: destination first (the low write
 * sends), then wait until the APIC took the IPI. */
void lapic_ipi(uint32_t dest, uint32_t icr)
{
	if (x2apic) {
		wrmsr(0x800 + (LAPIC_ICR_LO >> 4), (uint64_t)dest << 32 | icr);
		return;
	}
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, icr);
	for (unsigned i = 0; i < 1000000 && (lapic_read(LAPIC_ICR_LO) & ICR_PENDING); i++)
		pause();
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);

	return x2apic ? id : id >> 24;
}

bool lapic_x2apic(void)
{
	return x2apic;
}

void lapic_set_tpr(uint32_t tpr)
{
	lapic_write(LAPIC_TPR, tpr);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void lapic_timer_start(uint8_t vector, uint32_t count, bool periodic)
{
	lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, vector | (periodic ? LVT_PERIODIC : 0));
	lapic_write(LAPIC_TIMER_INIT, count);
}

void lapic_timer_oneshot(uint32_t count)
{
	lapic_write(LAPIC_TIMER_INIT, count);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
}

uint32_t lapic_timer_current(void)
{
	return lapic_read(LAPIC_TIMER_CUR);
}

static uint32_t ioapic_read(struct ioapic *io, uint32_t reg)
{
	io->regs[0] = reg;
	return io->regs[4];
}

static void ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->regs[0] = reg;
	io->regs[4] = v;
}

int ioapic_add(uint8_t id, uint64_t phys, uint32_t gsi_base)
{
	if (nr_ioapics == MAX_IOAPICS)
		return -ENOSPC;
	struct ioapic *io = &ioapics[nr_ioapics];
	io->regs = ioremap(phys, 4096, CACHE_UC);
	if (!io->regs)
		return -ENOMEM;
	io->phys = phys;
	io->id = id;
	io->gsi_base = gsi_base;
	io->pins = ((ioapic_read(io, 1) >> 16) & 0xff) + 1;
	for (uint32_t i = 0; i < io->pins; i++) {
		ioapic_write(io, 0x10 + 2 * i, 1u << 16); /* masked */
		ioapic_write(io, 0x11 + 2 * i, 0);
	}
	nr_ioapics++;
	return 0;
}

int ioapic_route(uint32_t gsi, uint8_t vector, bool active_low, bool level, uint32_t dest)
{
	for (unsigned i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi < io->gsi_base || gsi >= io->gsi_base + io->pins)
			continue;
		uint32_t pin = gsi - io->gsi_base;
		ioapic_write(io, 0x11 + 2 * pin, dest << 24);
		ioapic_write(io, 0x10 + 2 * pin, vector | (active_low ? 1u << 13 : 0) |
			     (level ? 1u << 15 : 0));
		return 0;
	}
	return -ENOENT;
}

int ioapic_mask(uint32_t gsi, bool masked)
{
	for (unsigned i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi < io->gsi_base || gsi >= io->gsi_base + io->pins)
			continue;
		uint32_t reg = 0x10 + 2 * (gsi - io->gsi_base);
		uint32_t v = ioapic_read(io, reg);
		ioapic_write(io, reg, masked ? v | 1u << 16 : v & ~(1u << 16));
		return 0;
	}
	return -ENOENT;
}

bool ioapic_describe(unsigned i, uint8_t *id, uint64_t *phys, uint32_t *gsi_base, uint32_t *pins)
{
	if (i >= nr_ioapics)
		return false;
	*id = ioapics[i].id;
	*phys = ioapics[i].phys;
	*gsi_base = ioapics[i].gsi_base;
	*pins = ioapics[i].pins;
	return true;
}
