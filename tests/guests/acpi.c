/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acpi: the ACPI tables against the platform that answers (issue 15, run
 * with platform=pc and any vcpus=N). It reads the tables as an OS does,
 * from the RSDP found by the BIOS-area scan (0xE0000-0xFFFFF, 16-byte
 * steps), and checks each promise against the device itself: the MADT's
 * local APICs against the vcpus the hypervisor says it has (VCPUOP_is_up)
 * and the ID each one reads from its own local APIC, the IOAPIC entry
 * against the IOAPIC's ID and version registers, the IRQ 0 override
 * against where the PIT's interrupt really arrives; the FADT's PM blocks,
 * PM timer (rate and width), reset register, SCI, boot flags (8042,
 * legacy devices, VGA, CMOS) against the ports; the DSDT's \_S5 against
 * the sleep type the platform honours: the guest powers off with exactly
 * that value (the boot test expects the poweroff). No HPET table, and
 * nothing at the HPET's address. A table advertising what the platform
 * does not answer, or the reverse, is a FAIL.
 *
 * Booted as PVH (type=pvh, entered in flat32 mode) for Xen's ABI: every
 * table must lie in memory the hypervisor's map (XENMEM_memory_map) calls
 * reserved, below 1 MiB, and hvm_start_info's rsdp_paddr must be the RSDP
 * the scan finds. The guest prints `acpi: N vcpus` (VCPUOP_is_up) so that
 * the boot test can compare N with the domain's vcpus=.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/hvm_start_info.h"
#include "include/public/memory.h"
#include "include/public/vcpu.h"
#include "include/public/xen.h"

const char guest_name[] = "acpi";

#define MS 1000000ull
#define MAX_CPUS 8

static uint32_t le16(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const uint8_t *p) { return le16(p) | le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }
static const uint8_t *ptr(uint64_t a) { return (const uint8_t *)(uintptr_t)a; }

static uint8_t sum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* ---- the memory map ---- */

static struct xen_e820_entry map[8];
static uint32_t nr_map;

/* [a, a + len) inside one reserved entry of the map, below 1 MiB. */
static bool reserved(uint64_t a, uint64_t len)
{
	for (uint32_t i = 0; i < nr_map; i++)
		if (map[i].type == 2 && a >= map[i].addr && a + len <= map[i].addr + map[i].size)
			return a + len <= 0x100000;
	return false;
}

/* A table at a: its signature, a sane length, checksum 0, reserved memory. */
static bool table_ok(uint64_t a, const char *sig)
{
	if (!a || a >= 0x100000 || !reserved(a, 36))
		return false;
	uint32_t len = le32(ptr(a) + 4);
	return !memcmp(ptr(a), sig, 4) && len >= 36 && len < 0x10000 && reserved(a, len) &&
	       sum(ptr(a), len) == 0;
}

/* ---- the local and I/O APICs ---- */

#define LAPIC_MSR 0x1b
#define IOAPIC_DEFAULT 0xfec00000u

static uint32_t lapic_base(void)
{
	return (uint32_t)rdmsr(LAPIC_MSR) & 0xfffff000u;
}

static uint32_t lapic_id(void)
{
	return *(volatile uint32_t *)(uintptr_t)(lapic_base() + 0x20) >> 24;
}

static uint32_t ioapic_read(uint32_t base, uint32_t reg)
{
	*(volatile uint32_t *)(uintptr_t)base = reg;
	return *(volatile uint32_t *)(uintptr_t)(base + 0x10);
}

static void ioapic_write(uint32_t base, uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)base = reg;
	*(volatile uint32_t *)(uintptr_t)(base + 0x10) = v;
}

/* vcpu i (from 1) started with VCPUOP_initialise: it reads its APIC ID
 * into ids[i] and halts with interrupts off for good. */
static struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gdtr, idtr;
static volatile uint32_t ids[MAX_CPUS], ap_cur, ap_done;
static uint8_t ap_stack[4096] __attribute__((aligned(16)));

static __attribute__((noreturn, used)) void ap_main(void)
{
	__asm__ volatile("lgdt %0; lidt %1" : : "m"(gdtr), "m"(idtr));
	ids[ap_cur] = lapic_id();
	ap_done = ap_cur;
	for (;;)
		__asm__ volatile("cli; hlt");
}

static bool start_ap(unsigned i)
{
	ap_cur = i; /* one at a time: they share the stack */
	return vcpu_start_flat32(i, ap_main, ap_stack + sizeof(ap_stack), &ap_done, i);
}

/* ---- the tables ---- */

static uint64_t rsdp, fadt, madt, dsdt;
static unsigned nr_vcpus;
static uint32_t io_base, io_pins, io_gsi_base;
static int pit_gsi = -1, sci_gsi = -1;
static uint16_t sci_flags;

static void find_rsdp(void)
{
	for (uint32_t a = 0xe0000; a < 0x100000 && !rsdp; a += 16)
		if (!memcmp(ptr(a), "RSD PTR ", 8) && sum(ptr(a), 20) == 0)
			rsdp = a;
	if (!check("rsdp", rsdp != 0, "at 0x%x", (uint32_t)rsdp))
		return;
	const uint8_t *r = ptr(rsdp);
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;
	uint64_t told = boot_ebx && si->magic == XEN_HVM_START_MAGIC_VALUE ? si->rsdp_paddr : 0;
	check("rsdp-start-info", told == rsdp, "hvm_start_info says 0x%llx",
	      (unsigned long long)told);
	check("rsdp-checksums", r[15] == 2 && le32(r + 20) == 36 && sum(r, 36) == 0 &&
	      reserved(rsdp, 36), "revision %u, length %u, extended checksum %s, %s memory",
	      r[15], le32(r + 20), sum(r, 36) ? "bad" : "good",
	      reserved(rsdp, 36) ? "reserved" : "NOT reserved");
}

static void check_xsdt(void)
{
	uint64_t x = le64(ptr(rsdp) + 24);
	bool hpet = false, all = true;
	char list[64] = "";
	size_t at = 0;

	if (!check("xsdt", table_ok(x, "XSDT") && (le32(ptr(x) + 4) - 36) % 8 == 0,
		   "at 0x%llx", (unsigned long long)x))
		return;
	uint32_t n = (le32(ptr(x) + 4) - 36) / 8;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t t = le64(ptr(x) + 36 + 8 * i);
		bool ok = t && t < 0x100000 && reserved(t, 36);
		const char *sig = ok ? (const char *)ptr(t) : "????";
		ok = ok && table_ok(t, (const char[5]){ sig[0], sig[1], sig[2], sig[3], 0 });
		all = all && ok;
		if (at + 6 < sizeof(list))
			at += (size_t)snprintf_(list + at, sizeof(list) - at, "%s%c%c%c%c", i ? " " : "",
						sig[0], sig[1], sig[2], sig[3]);
		if (ok && !memcmp(sig, "FACP", 4))
			fadt = t;
		else if (ok && !memcmp(sig, "APIC", 4))
			madt = t;
		else if (ok && !memcmp(sig, "HPET", 4))
			hpet = true;
	}
	check("xsdt-tables", all && fadt && madt, "%u: %s (each checksummed, in reserved memory "
	      "below 1 MiB)", n, list);
	/* No HPET: no table, and its usual address reads all ones. */
	uint32_t h0 = *(volatile uint32_t *)0xfed00000u, h1 = *(volatile uint32_t *)0xfed000f0u;
	check("hpet-absent", !hpet && h0 == 0xffffffffu && h1 == 0xffffffffu,
	      "table %s, 0xFED00000 reads 0x%x, its counter 0x%x", hpet ? "present" : "absent",
	      h0, h1);
}

static void check_madt(void)
{
	const uint8_t *m = ptr(madt);
	uint32_t len = le32(m + 4), lapics = 0, ioapics = 0, isos = 0, gsi_max = 0;
	uint32_t madt_ids[MAX_CPUS];
	bool sane = true, isa = true;

	check("madt-lapic-address", le32(m + 36) == lapic_base(),
	      "0x%x, the APIC base MSR says 0x%x", le32(m + 36), lapic_base());
	for (uint32_t off = 44; off < len; off += m[off + 1]) {
		const uint8_t *e = m + off;
		if (off + 2 > len || e[1] < 2 || off + e[1] > len) {
			sane = false;
			break;
		}
		if (e[0] == 0 && e[1] == 8 && (le32(e + 4) & 1)) {
			if (lapics < MAX_CPUS)
				madt_ids[lapics] = e[3];
			lapics++;
		} else if (e[0] == 1 && e[1] == 12) {
			uint32_t ver;
			ioapics++;
			io_base = le32(e + 4);
			io_gsi_base = le32(e + 8);
			ver = ioapic_read(io_base, 1);
			io_pins = ((ver >> 16) & 0xff) + 1;
			uint32_t id = ioapic_read(io_base, 0) >> 24 & 0xf;
			check("madt-ioapic", id == e[2] && (ver & 0xff) >= 0x10 && ver != 0xffffffffu &&
			      io_gsi_base == 0, "id %u at 0x%x, GSI base %u; the IOAPIC there answers "
			      "id %u, version 0x%x (%u pins)", e[2], io_base, io_gsi_base, id, ver,
			      io_pins);
		} else if (e[0] == 2 && e[1] == 10) {
			uint32_t gsi = le32(e + 4);
			isos++;
			isa = isa && e[2] == 0;
			gsi_max = gsi > gsi_max ? gsi : gsi_max;
			if (e[3] == 0)
				pit_gsi = (int)gsi;
			if (e[3] == 9) {
				sci_gsi = (int)gsi;
				sci_flags = (uint16_t)le16(e + 8);
			}
			gprintf("acpi: override ISA IRQ %u -> GSI %u, flags 0x%x\n", e[3], gsi,
				le16(e + 8));
		}
	}
	check("madt-entries", sane && ioapics == 1, "%u enabled local APIC(s), %u IOAPIC(s), "
	      "%u override(s), entries %s", lapics, ioapics, isos, sane ? "well formed" : "BROKEN");
	check("madt-cpus", lapics == nr_vcpus, "%u enabled local APICs, the hypervisor gave %u "
	      "vcpus", lapics, nr_vcpus);
	/* Each vcpu's own APIC ID is in the MADT exactly once. */
	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	ids[0] = lapic_id();
	bool up = true, match = lapics == nr_vcpus;
	for (unsigned i = 1; i < nr_vcpus && i < MAX_CPUS; i++)
		up = up && start_ap(i);
	for (unsigned i = 0; up && match && i < nr_vcpus; i++) {
		unsigned seen = 0;
		for (unsigned j = 0; j < lapics && j < MAX_CPUS; j++)
			seen += madt_ids[j] == ids[i];
		match = seen == 1;
	}
	char list[48] = "";
	for (unsigned i = 0, at = 0; i < nr_vcpus && i < MAX_CPUS && at + 4 < sizeof(list); i++)
		at += (unsigned)snprintf_(list + at, sizeof(list) - at, "%s%u", i ? "," : "", ids[i]);
	check("madt-apic-ids", up && match, "vcpus %s, their local APICs read IDs %s",
	      up ? "all up" : "NOT all up", list);
	check("madt-overrides", isa && io_gsi_base == 0 && gsi_max < io_pins && pit_gsi >= 0,
	      "%u, each ISA to a GSI below the IOAPIC's %u pins; IRQ 0 -> GSI %d", isos, io_pins,
	      pit_gsi);
	/* PCAT_COMPAT: the 8259s are there (a mask written reads back). */
	outb(0x21, 0xa5);
	uint8_t imr = inb(0x21);
	outb(0x21, 0xff);
	check("madt-pcat-compat", (le32(m + 40) & 1) == (imr == 0xa5),
	      "flag %u, the master 8259's mask reads back 0x%02x", le32(m + 40) & 1, imr);
}

static void eoi(void)
{
	*(volatile uint32_t *)(uintptr_t)(lapic_base() + 0xb0) = 0;
}

/* Unmasks IOAPIC pin `pin` on `vector` (edge, high, fixed, to vcpu 0). */
static void pin_route(uint32_t pin, uint8_t vector)
{
	ioapic_write(io_base, 0x11 + 2 * pin, ids[0] << 24);
	ioapic_write(io_base, 0x10 + 2 * pin, vector);
}

/* IRQ 0 arrives on the override's pin, not on pin 0: the PIT runs at
 * 1 kHz with both pins unmasked, each on its own vector (a late interrupt
 * of one cannot count for the other), until 20 interrupts came on the
 * override's pin (10 s at most: the vcpu may get little of a loaded
 * host). Pin 0 must have had none in that window, whatever its length. */
static void check_pit_routing(void)
{
	if (pit_gsi < 0 || !io_pins)
		return;
	uint32_t pin = (uint32_t)pit_gsi - io_gsi_base;
	wrmsr(LAPIC_MSR, rdmsr(LAPIC_MSR) | 0x800);
	*(volatile uint32_t *)(uintptr_t)(lapic_base() + 0xf0) = 0x1ff; /* enabled */
	for (uint32_t i = 0; i < io_pins; i++)
		ioapic_write(io_base, 0x10 + 2 * i, 0x10000);
	uint32_t c0 = callback_count, v0 = vector2_count;
	callback_hook = eoi;
	pin_route(pin, CALLBACK_VECTOR);
	if (pin != 0)
		pin_route(0, VECTOR2);
	outb(0x43, 0x34); /* ch0 mode 2, 1193 ticks: 1 kHz */
	outb(0x40, 0xa9);
	outb(0x40, 0x04);
	uint64_t t0 = now_ns();
	sti();
	while (callback_count - c0 < 20 && now_ns() - t0 < 10000 * MS)
		pause();
	cli();
	uint64_t ms = (now_ns() - t0) / MS;
	ioapic_write(io_base, 0x10 + 2 * pin, 0x10000);
	ioapic_write(io_base, 0x10, 0x10000);
	outb(0x43, 0x30); /* ch0 mode 0, count 0: one slow shot */
	outb(0x40, 0);
	outb(0x40, 0);
	/* An edge a pin took between the CLI and the mask waits in the
	 * LAPIC: let it in, on its own pin's vector. */
	uint64_t end = now_ns() + MS;
	sti();
	while (now_ns() < end)
		pause();
	cli();
	callback_hook = 0;
	uint32_t there = callback_count - c0, pin0 = pin != 0 ? vector2_count - v0 : 0;
	check("madt-irq0-routing", there >= 20 && pin0 == 0, "the PIT at 1 kHz: %u interrupts in "
	      "%llu ms on pin %d (the override's), %u on pin 0", there,
	      (unsigned long long)ms, pit_gsi, pin0);
}

/* A Generic Address Structure in system I/O space at bits bits, or null. */
static bool gas_io(const uint8_t *g, uint32_t port, unsigned bits)
{
	return port ? g[0] == 1 && g[1] == bits && g[2] == 0 && le64(g + 4) == port
		    : le64(g + 4) == 0;
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void check_fadt(void)
{
	const uint8_t *f = ptr(fadt);
	uint32_t len = le32(f + 4);
	uint32_t evt = le32(f + 56), cnt = le32(f + 64), tmr = le32(f + 76), flags = le32(f + 112);

	if (!check("fadt", f[8] >= 5 && len >= 276, "revision %u, length %u", f[8], len))
		return;
	check("fadt-pm-blocks", evt && f[88] == 4 && cnt && f[89] == 2 && tmr && f[91] == 4 &&
	      gas_io(f + 148, evt, 32) && gas_io(f + 172, cnt, 16) && gas_io(f + 208, tmr, 32) &&
	      !le32(f + 60) && !le32(f + 68) && gas_io(f + 160, 0, 0) && gas_io(f + 184, 0, 0) &&
	      !le32(f + 72) && !le32(f + 80) && !le32(f + 84) && !f[92] && !f[93],
	      "PM1a_EVT 0x%x (%u), PM1a_CNT 0x%x (%u), PM_TMR 0x%x (%u), the X_ forms equal; "
	      "no PM1b, PM2, GPE blocks", evt, f[88], cnt, f[89], tmr, f[91]);
	/* ACPI mode is permanent: no SMI command port, SCI_EN reads 1. */
	uint16_t c = inw((uint16_t)cnt);
	check("pm1a-cnt", le32(f + 48) == 0 && (c & 1), "SMI_CMD 0x%x, PM1a_CNT reads 0x%x",
	      le32(f + 48), c);
	/* PM1a_EVT: status (no event pending), enable takes TMR_EN. */
	uint16_t sts = inw((uint16_t)evt);
	outw((uint16_t)(evt + 2), 1);
	uint16_t en1 = inw((uint16_t)(evt + 2));
	outw((uint16_t)(evt + 2), 0);
	uint16_t en0 = inw((uint16_t)(evt + 2));
	check("pm1a-evt", sts != 0xffff && en1 == 1 && en0 == 0,
	      "PM1a_STS 0x%x; PM1a_EN takes TMR_EN (0x%x) and clears (0x%x)", sts, en1, en0);

	/* The PM timer: 3.579545 MHz against the TSC, and 32 bits wide as
	 * TMR_VAL_EXT says: it counts from the domain's creation as the guest
	 * TSC does, so it equals the TSC's time in its ticks. */
	struct pm_span s;
	pm_timer_span((uint16_t)tmr, 20, &s);
	check("pm-timer-rate", pm_span_agrees(&s),
	      "%u ticks between reads %llu-%llu us apart by the TSC (%u kHz)", s.ticks,
	      (unsigned long long)(s.min_ns / 1000), (unsigned long long)(s.max_ns / 1000), tsc_khz);
	/* Past 2^24 ticks (4.7 s after creation) a 24-bit timer would have
	 * wrapped: waiting for that shows all 32 bits count. */
	spin_until(4800 * MS, true);
	uint64_t since = now_ns();
	uint32_t p = inl((uint16_t)tmr);
	uint64_t until = now_ns();
	uint32_t lo = (uint32_t)(since / 1000 * PM_TMR_HZ / 1000000ull);
	uint32_t hi = (uint32_t)(until / 1000 * PM_TMR_HZ / 1000000ull);
	uint32_t tol = lo / 50 + 36000;
	bool ext = flags & (1u << 8);
	check("pm-timer-width", ext && p >= 1u << 24 && p + tol >= lo && p <= hi + tol,
	      "TMR_VAL_EXT %u; reads %u, %llu-%llu ms after creation by the TSC want %u-%u",
	      ext, p, (unsigned long long)(since / MS), (unsigned long long)(until / MS), lo, hi);

	/* Reset: 0xCF9 = 6 in I/O space, and the port is there (its latch
	 * reads back; nothing there would read 0xFF). Not written: that ends
	 * the domain. */
	uint8_t cf9 = inb(0xcf9);
	check("reset-register", (flags & (1u << 10)) && gas_io(f + 116, 0xcf9, 8) && f[128] == 6 &&
	      cf9 != 0xff, "RESET_REG_SUP %u, space %u, %u bits at 0x%llx, value %u; 0xCF9 reads "
	      "0x%x", !!(flags & (1u << 10)), f[116], f[117], (unsigned long long)le64(f + 120),
	      f[128], cf9);
	/* The SCI: ISA IRQ 9, level-triggered active high to an IOAPIC pin,
	 * as the PM device drives it. */
	uint32_t sci = le16(f + 46);
	check("sci", sci == 9 && sci_gsi == 9 && (sci_flags & 0xf) == 0xd && (uint32_t)sci_gsi <
	      io_gsi_base + io_pins, "SCI_INT %u; the MADT routes it to GSI %d, flags 0x%x "
	      "(level, active high), %u pins", sci, sci_gsi, sci_flags, io_pins);

	/* IAPC_BOOT_ARCH against the ports. An 8042 answers its self-test
	 * (0xAA) with 0x55 in its output buffer; ours answers nothing. */
	uint32_t arch = le16(f + 109);
	uint8_t st0 = inb(0x64);
	outb(0x64, 0xaa);
	spin_until(now_ns() + MS, false);
	uint8_t st1 = inb(0x64), out = inb(0x60);
	bool kbc = (st1 & 1) && out == 0x55;
	check("boot-8042", !!(arch & 2) == kbc, "8042 flag %u; status 0x%02x, after a self-test "
	      "0x%02x, data 0x%02x", !!(arch & 2), st0, st1, out);
	/* A UART at 0x3F8 (scratch register) is a legacy device. */
	outb(0x3ff, 0x5a);
	bool uart = inb(0x3ff) == 0x5a;
	check("boot-legacy", !!(arch & 1) == uart, "LEGACY_DEVICES %u; a UART at 0x3F8 %s",
	      !!(arch & 1), uart ? "answers" : "is absent");
	uint8_t misc = inb(0x3cc);
	check("boot-vga", !!(arch & 4) == (misc == 0xff), "VGA Not Present %u; 0x3CC reads 0x%02x",
	      !!(arch & 4), misc);
	uint8_t regd = cmos(0x0d);
	check("boot-cmos", !(arch & 32) == (regd == 0x80), "CMOS RTC Not Present %u; register D "
	      "0x%02x", !!(arch & 32), regd);
	check("fadt-flags", (flags & 1) && !(flags & (1u << 20)), "0x%x: WBINVD, not hardware-"
	      "reduced", flags);
}

/* Finds Name(_Sn_, Package(){a, ...}) in the AML and returns a (a byte,
 * Zero or One), or -1. */
static int sleep_type(const uint8_t *aml, uint32_t n, char s)
{
	for (uint32_t i = 0; i + 9 < n; i++) {
		if (memcmp(aml + i, "_S", 2) || aml[i + 2] != s || aml[i + 3] != '_')
			continue;
		const uint8_t *p = aml + i + 4;
		if (p[0] != 0x12 || (p[1] & 0xc0)) /* PackageOp, a one-byte PkgLength */
			return -2;
		if (p[3] == 0x0a)
			return p[4];
		return p[3] <= 1 ? p[3] : -2;
	}
	return -1;
}

static int s5_type = -1;

static void check_dsdt(void)
{
	const uint8_t *f = ptr(fadt);
	uint64_t x = le64(f + 140);

	dsdt = le32(f + 40);
	if (!check("dsdt", table_ok(dsdt, "DSDT") && (!x || x == dsdt),
		   "DSDT 0x%x, X_DSDT 0x%llx", (uint32_t)dsdt, (unsigned long long)x))
		return;
	uint64_t facs = le32(f + 36), xf = le64(f + 132);
	check("facs", facs && !(facs & 63) && reserved(facs, 64) && !memcmp(ptr(facs), "FACS", 4) &&
	      le32(ptr(facs) + 4) >= 64 && (!xf || xf == facs),
	      "FIRMWARE_CTRL 0x%x, X_FIRMWARE_CTRL 0x%llx", (uint32_t)facs, (unsigned long long)xf);
	const uint8_t *aml = ptr(dsdt) + 36;
	uint32_t n = le32(ptr(dsdt) + 4) - 36;
	s5_type = sleep_type(aml, n, '5');
	/* The platform honours S5 only: no other sleep state on offer. */
	int others = 0;
	for (char s = '1'; s <= '4'; s++)
		others += sleep_type(aml, n, s) != -1;
	check("dsdt-s5", s5_type >= 0 && s5_type < 8 && !others, "\\_S5 SLP_TYP %d, %d other "
	      "sleep state(s)", s5_type, others);
	/* A PCI root bridge (PNP0A03) iff mechanism 1 finds a host bridge. */
	static const uint8_t hid[] = { '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03 };
	bool root = false;
	for (uint32_t i = 0; i + sizeof(hid) <= n && !root; i++)
		root = !memcmp(aml + i, hid, sizeof(hid));
	outl(0xcf8, 0x80000000u);
	uint32_t idr = inl(0xcfc);
	outl(0xcf8, 0x80000008u);
	uint32_t cls = inl(0xcfc) >> 16;
	check("dsdt-pci-root", root == (idr != 0xffffffffu && cls == 0x0600),
	      "PNP0A03 %s; 00:00.0 reads %04x:%04x class %04x", root ? "declared" : "absent",
	      idr & 0xffff, idr >> 16, cls);
}

void guest_main(void)
{
	struct { uint32_t nr, buffer; } mm = { 8, (uint32_t)(uintptr_t)map };

	cli();
	long rc = hypercall(HYPERVISOR_memory_op, XENMEM_memory_map, (unsigned long)&mm, 0, 0, 0);
	nr_map = rc ? 0 : mm.nr;
	check("memory-map", rc == 0 && reserved(0xe0000, 0x20000), "%ld, %u entries; "
	      "0xE0000-0xFFFFF %s", rc, nr_map, reserved(0xe0000, 0x20000) ? "reserved" : "NOT reserved");
	for (nr_vcpus = 0; nr_vcpus <= MAX_CPUS; nr_vcpus++)
		if (hypercall(HYPERVISOR_vcpu_op, VCPUOP_is_up, nr_vcpus, 0, 0, 0) < 0)
			break;
	gprintf("acpi: %u vcpus\n", nr_vcpus);
	find_rsdp();
	if (rsdp)
		check_xsdt();
	if (madt)
		check_madt();
	check_pit_routing();
	if (fadt) {
		check_fadt();
		check_dsdt();
	}
	gprintf("DONE %s: %u passed, %u failed\n", guest_name, checks_passed, checks_failed);
	if (fadt && s5_type >= 0) /* the sleep type the DSDT gives, and nothing else */
		outw((uint16_t)le32(ptr(fadt) + 64), (uint16_t)((s5_type & 7) << 10 | 1u << 13));
	fail("acpi-s5", "still running after SLP_TYP=%d | SLP_EN", s5_type);
	done();
}
