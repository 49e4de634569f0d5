/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * devices: hostile to the virtual PC platform (run with platform=pc).
 * Thousands of random port accesses (every port, the platform's most),
 * random MMIO to the local APIC and IOAPIC pages in every width and
 * alignment, random platform MSRs (APIC base, TSC deadline, x2APIC, KVM's
 * clock) -- all with interrupts off. Then it checks that the platform
 * still works: the PM timer counts at its rate, the RTC ticks, the LAPIC
 * timer and the PIT through the IOAPIC interrupt, the UART answers; and
 * it powers off through ACPI S5 (PM1a_CNT), which the boot test expects.
 *
 * Writes that would end the domain early are left out of the random part:
 * PM1a_CNT (0x604), the reset ports (0xCF9, 0x92, 0x64), the debug console
 * (0xE9) and the UART's transmit register (0x3F8). MSRs that make the
 * hypervisor write guest memory (KVM's clock) only get addresses of a
 * scratch area or outside RAM. Configure memory=DEVICES_MIB.
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "devices";
extern unsigned checks_passed, checks_failed; /* lib/check.c */

#define DEVICES_MIB 2
#define SCRATCH 0x10000u
#define LAPIC 0xfee00000u
#define IOAPIC 0xfec00000u
#define PM_TMR 0x608
#define PM1_CNT 0x604
#define MS 1000000ull
#define NPORTS 6000u
#define NMMIO 3000u
#define NMSRS 800u

static uint32_t seed = 0x6d2b79f5;

static uint32_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

/* The platform's ports, tried more often than the rest. */
static const uint16_t ports[] = {
	0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71,
	0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x600, 0x601, 0x602, 0x603, 0x608,
	0x609, 0x60a, 0x60b, 0x60, 0xcf8, 0xcfa, 0xcfb, 0xcfc, 0xcfd, 0xcfe, 0xcff, 0x80,
};

static bool ends_domain(uint16_t port, unsigned size)
{
	uint16_t last = (uint16_t)(port + size - 1);

	return (port <= PM1_CNT + 1 && last >= PM1_CNT) || (port <= 0xcf9 && last >= 0xcf9) ||
	       (port <= 0x92 && last >= 0x92) || (port <= 0x64 && last >= 0x64) ||
	       (port <= 0xe9 && last >= 0xe9) || (port <= 0x3f8 && last >= 0x3f8);
}

static void random_ports(void)
{
	unsigned reads = 0, writes = 0;

	for (unsigned i = 0; i < NPORTS; i++) {
		uint32_t r = rnd();
		uint16_t port = r & 1 ? ports[(r >> 1) % (sizeof(ports) / sizeof(ports[0]))]
				      : (uint16_t)(r >> 8);
		unsigned size = 1u << ((r >> 4) % 3);
		uint32_t v = rnd();

		if ((r & 2) || ends_domain(port, size)) {
			(void)(size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port));
			reads++;
		} else {
			if (size == 1)
				outb(port, (uint8_t)v);
			else if (size == 2)
				outw(port, (uint16_t)v);
			else
				outl(port, v);
			writes++;
		}
	}
	pass("ports-random", "%u reads, %u writes", reads, writes);
}

static void random_mmio(void)
{
	for (unsigned i = 0; i < NMMIO; i++) {
		uint32_t r = rnd(), v = rnd();
		uint32_t base = r & 1 ? LAPIC : IOAPIC;
		uint32_t off = (r >> 1) % 0x1000;
		unsigned size = 1u << ((r >> 13) % 3);

		if (off + size > 0x1000)
			off = 0x1000 - size;
		volatile void *p = (volatile void *)(uintptr_t)(base + off);
		if (r & 0x10000) {
			if (size == 1)
				*(volatile uint8_t *)p = (uint8_t)v;
			else if (size == 2)
				*(volatile uint16_t *)p = (uint16_t)v;
			else
				*(volatile uint32_t *)p = v;
		} else {
			(void)(size == 1 ? *(volatile uint8_t *)p : size == 2 ? *(volatile uint16_t *)p
									 : *(volatile uint32_t *)p);
		}
	}
	pass("mmio-random", "%u accesses to the LAPIC and IOAPIC pages", NMMIO);
}

static uint32_t msr_index(uint32_t r)
{
	switch (r % 5) {
	case 0: return 0x1b;
	case 1: return 0x6e0;
	case 2: return 0x4b564d00u + (r >> 3) % 2;
	default: return 0x800 + (r >> 3) % 0x100;
	}
}

static void random_msrs(void)
{
	unsigned gp = 0, ok = 0, odd = 0;

	for (unsigned i = 0; i < NMSRS; i++) {
		uint32_t r = rnd(), msr = msr_index(r);
		uint64_t v = (uint64_t)rnd() << 32 | rnd();
		int vec;

		if (msr >= 0x4b564d00u) /* the hypervisor writes there: scratch, or not RAM */
			v = r & 8 ? (SCRATCH + (r & 0xff0)) | (r & 1) : 0x80000000ull | (r & 1);
		vec = r & 16 ? rdmsr_safe(msr, &v) : wrmsr_safe(msr, v);
		if (vec < 0)
			ok++;
		else if (vec == VEC_GP)
			gp++;
		else
			odd++;
	}
	check("msrs-random", odd == 0, "%u accepted, %u #GP, %u odd vectors", ok, gp, odd);
}

static volatile uint32_t *lapic_reg(uint32_t off)
{
	return (volatile uint32_t *)(uintptr_t)(LAPIC + off);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)IOAPIC = reg;
	*(volatile uint32_t *)(uintptr_t)(IOAPIC + 0x10) = v;
}

static uint32_t ioapic_read(uint32_t reg)
{
	*(volatile uint32_t *)(uintptr_t)IOAPIC = reg;
	return *(volatile uint32_t *)(uintptr_t)(IOAPIC + 0x10);
}

static void eoi(void)
{
	*lapic_reg(0xb0) = 0;
}

/* Back to a known state: LAPIC reset through IA32_APIC_BASE, IOAPIC pins
 * masked, PICs initialised and masked, PIT channel 0 stopped. */
static void reset_platform(void)
{
	wrmsr_safe(0x1b, 0xfee00000ull);           /* disable: the LAPIC resets */
	wrmsr_safe(0x1b, 0xfee00900ull);           /* xAPIC, enabled, BSP */
	for (unsigned pin = 0; pin < 24; pin++) {
		ioapic_write(0x10 + 2 * pin, 0x10000);
		ioapic_write(0x11 + 2 * pin, 0);
	}
	static const uint8_t icw[2][4] = { { 0x11, 0x20, 0x04, 0x01 }, { 0x11, 0x28, 0x02, 0x01 } };
	for (unsigned i = 0; i < 4; i++) {
		outb(i ? 0x21 : 0x20, icw[0][i]);
		outb(i ? 0xa1 : 0xa0, icw[1][i]);
	}
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	outb(0x43, 0x30);                          /* ch0 mode 0, count 0: one slow shot */
	outb(0x40, 0);
	outb(0x40, 0);
	outb(0x70, 0x0a);                          /* RTC: running, 24 h, BCD */
	outb(0x71, 0x26);
	outb(0x70, 0x0b);
	outb(0x71, 0x02);
}

static void check_pm_timer(void)
{
	struct pm_span s;

	pm_timer_span(PM_TMR, 20, &s);
	check("pm-timer", pm_span_agrees(&s), "%u ticks between reads %llu-%llu us apart by the TSC",
	      s.ticks, (unsigned long long)(s.min_ns / 1000), (unsigned long long)(s.max_ns / 1000));
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void check_rtc(void)
{
	uint8_t s0 = cmos(0), d = cmos(0x0d);
	spin_until(now_ns() + 1100 * MS, false);
	uint8_t s1 = cmos(0);
	check("rtc", d == 0x80 && s1 != s0 && (s1 & 0xf) < 10 && s1 < 0x60,
	      "seconds 0x%02x -> 0x%02x, register D 0x%02x", s0, s1, d);
}

static void check_lapic_timer(void)
{
	uint32_t c0 = callback_count;

	*lapic_reg(0xf0) = 0x1ff;                  /* enabled, spurious 0xff */
	*lapic_reg(0x3e0) = 0xb;                   /* divide by 1 */
	*lapic_reg(0x320) = CALLBACK_VECTOR;       /* one-shot */
	*lapic_reg(0x380) = 2000000;               /* 2 ms on the 1 GHz bus */
	uint64_t deadline = now_ns() + 10000 * MS;
	sti();
	while (callback_count == c0 && now_ns() < deadline)
		pause();
	spin_until(now_ns() + 10 * MS, false);      /* no second one: one-shot */
	cli();
	uint32_t isr = *lapic_reg(0x100 + 0x10 * (CALLBACK_VECTOR / 32));
	eoi();
	check("lapic-timer", callback_count == c0 + 1 && (isr >> (CALLBACK_VECTOR % 32) & 1),
	      "%u interrupt(s), ISR bit %u", callback_count - c0, isr >> (CALLBACK_VECTOR % 32) & 1);
}

static void pit_hook(void)
{
	eoi();
}

static void check_pit_ioapic(void)
{
	uint32_t c0 = callback_count;

	callback_hook = pit_hook;
	ioapic_write(0x10 + 2 * 2, CALLBACK_VECTOR); /* pin 2 (IRQ 0): edge, fixed, to APIC 0 */
	outb(0x43, 0x34);                           /* ch0 mode 2 */
	outb(0x40, 0xa9);                           /* 1193 ticks: 1 kHz */
	outb(0x40, 0x04);
	uint64_t t0 = now_ns();
	sti();
	while (callback_count - c0 < 20 && now_ns() - t0 < 10000 * MS)
		pause();
	cli();
	uint64_t ms = (now_ns() - t0) / MS;
	ioapic_write(0x10 + 2 * 2, 0x10000);
	callback_hook = 0;
	uint32_t n = callback_count - c0;
	/* At most one per period of the time between the STI and the CLI (the
	 * TSC's: a host stall stretches both alike); 20 within 10 s, though
	 * the vcpu may get only a share of the CPU (the Bochs runs share it
	 * among ten domains, the host among other emulators): missed edges
	 * merge, as on hardware. */
	check("pit-ioapic", n >= 20 && n <= ms + 2, "%u interrupts in %llu ms at 1 kHz", n,
	      (unsigned long long)ms);
	check("ioapic-version", (ioapic_read(1) & 0xff) == 0x11 && (ioapic_read(1) >> 16) == 23,
	      "version register 0x%x", ioapic_read(1));
}

void guest_main(void)
{
	gprintf("devices: seed 0x%x, RAM %u MiB\n", seed, DEVICES_MIB);
	cli();
	random_ports();
	random_mmio();
	random_msrs();
	reset_platform();
	check_pm_timer();
	check_rtc();
	check_lapic_timer();
	check_pit_ioapic();
	check("uart", (inb(0x3fd) & 0x60) == 0x60, "LSR 0x%02x", inb(0x3fd));
	gprintf("DONE %s: %u passed, %u failed\n", guest_name, checks_passed, checks_failed);
	outw(PM1_CNT, (5 << 10) | (1 << 13));      /* ACPI S5 */
	fail("acpi-s5", "still running after SLP_TYP=5 | SLP_EN");
	done();
}
