/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest ACPI tables (ACPI 6.5 chapter 5; see vacpi.h). Layout in the
 * buffer, every table 16-byte aligned (FACS 64 as required):
 *   RSDP (36) | FACS (64) | XSDT -> FADT, MADT | FADT (rev 6, 276) |
 *   MADT | DSDT
 * The FADT gives both the 32-bit and the X_ forms of the DSDT pointer and
 * of every block, equal, which is what ACPICA checks them for; the FACS
 * only in FIRMWARE_CTRL, as the spec wants when it is below 4 GiB. All multi-byte
 * fields are little-endian at byte offsets: the tables are built bytewise.
 *
 * Platform choices: ACPI mode is permanent (SMI_CMD 0); no fixed power or
 * sleep buttons; C2/C3 not supported (latencies above the limits); a
 * 32-bit PM timer; reset by writing 6 to port 0xCF9; IAPC_BOOT_ARCH: legacy
 * devices (the UART at 0x3F8 needs a driver: ACPI 6.5 5.2.9.3), no 8042
 * and no VGA, a CMOS RTC is not ruled out. MADT: PCAT_COMPAT (8259s
 * present, Linux masks them), IRQ0 -> GSI2 edge and the SCI level/high.
 */
#include "vmm/plat/vacpi.h"
#include "drivers/acpi.h"
#include "kernel/bytes.h"
#include "kernel/errno.h"
#include "kernel/string.h"

#define HDR       36
#define RSDP_LEN  36
#define FACS_LEN  64
#define XSDT_LEN  (HDR + 2 * 8)
#define FADT_LEN  276
#define MADT_LEN(n) (HDR + 8 + 8 * (n) + 12 + 2 * 10)

#define FADT_WBINVD        (1u << 0)
#define FADT_PWR_BUTTON    (1u << 4)
#define FADT_SLP_BUTTON    (1u << 5)

/* Name (\_S5, Package (4) { 5, 5, 0, 0 }): NameOp, RootChar, NameSeg,
 * PackageOp, PkgLength (8: itself to the end), NumElements,
 * BytePrefix 5, BytePrefix 5, Zero, Zero.
 * Scope (\_SB) { Device (PCI0) { Name (_HID, EisaId ("PNP0A03"))
 * Name (_UID, Zero) } }: the PCI root bridge, so that an ACPI guest scans
 * bus 0 (ScopeOp, PkgLength 29, "\_SB_"; ExtOp DeviceOp, PkgLength 21,
 * "PCI0"; NameOp "_HID" DWordPrefix, PNP0A03 compressed (41 D0 0A 03);
 * NameOp "_UID" ZeroOp). */
static const uint8_t dsdt_aml[] = {
	0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04,
	0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
	0x10, 0x1d, '\\', '_', 'S', 'B', '_',
	0x5b, 0x82, 0x15, 'P', 'C', 'I', '0',
	0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03,
	0x08, '_', 'U', 'I', 'D', 0x00,
};

/* Generic Address Structure in system I/O space. */
static void gas_io(uint8_t *p, uint8_t bits, uint8_t access, uint16_t port)
{
	p[0] = ACPI_GAS_IO;
	p[1] = bits;
	p[3] = access;
	put_le(p + 4, port, 8);
}

/* Sets *field so that the len bytes at t sum to 0 mod 256. */
static void checksum(const uint8_t *t, size_t len, uint8_t *field)
{
	*field = 0;
	*field = (uint8_t)-byte_sum(t, len);
}

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put_le(t + 4, len, 4);
	t[8] = rev;
	memcpy(t + 10, "EYRIE ", 6);
	memcpy(t + 16, "EYRIEPLT", 8);
	put_le(t + 24, 1, 4);        /* OEM revision */
	memcpy(t + 28, "EYRI", 4); /* creator */
	put_le(t + 32, 1, 4);
}

static void build_fadt(uint8_t *t, const struct vacpi_cfg *c, uint64_t facs, uint64_t dsdt)
{
	uint16_t pm = c->pm_base;

	header(t, "FACP", FADT_LEN, 6);
	put_le(t + 36, facs, 4);
	put_le(t + 40, dsdt, 4);
	put_le(t + 46, c->sci_irq, 2);
	put_le(t + 56, pm, 4);      /* PM1a_EVT_BLK */
	put_le(t + 64, pm + 4u, 4); /* PM1a_CNT_BLK */
	put_le(t + 76, pm + 8u, 4); /* PM_TMR_BLK */
	t[88] = 4;                  /* PM1_EVT_LEN */
	t[89] = 2;                  /* PM1_CNT_LEN */
	t[91] = 4;                  /* PM_TMR_LEN */
	put_le(t + 96, 101, 2);     /* P_LVL2_LAT > 100: no C2 */
	put_le(t + 98, 1001, 2);    /* P_LVL3_LAT > 1000: no C3 */
	put_le(t + 109, ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_NO_VGA, 2);
	put_le(t + 112, FADT_WBINVD | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
	       ACPI_FADT_TMR_VAL_EXT | ACPI_FADT_RESET_REG_SUP, 4);
	gas_io(t + 116, 8, 1, 0xcf9); /* RESET_REG, byte access */
	t[128] = 0x06;                /* RESET_VALUE: full reset */
	/* X_FIRMWARE_CTRL (132) stays 0: it must be when FIRMWARE_CTRL is set */
	put_le(t + 140, dsdt, 8);
	gas_io(t + 148, 32, 0, pm);             /* X_PM1a_EVT_BLK */
	gas_io(t + 172, 16, 0, (uint16_t)(pm + 4)); /* X_PM1a_CNT_BLK */
	gas_io(t + 208, 32, 0, (uint16_t)(pm + 8)); /* X_PM_TMR_BLK */
	checksum(t, FADT_LEN, t + 9);
}

/* Interrupt source override entry: ISA irq -> gsi. */
static uint8_t *madt_iso(uint8_t *e, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	e[0] = 2;
	e[1] = 10;
	e[2] = 0; /* bus: ISA */
	e[3] = irq;
	put_le(e + 4, gsi, 4);
	put_le(e + 8, flags, 2);
	return e + 10;
}

static void build_madt(uint8_t *t, const struct vacpi_cfg *c)
{
	uint32_t len = MADT_LEN(c->nr_cpus);
	uint8_t *e = t + HDR + 8;

	header(t, "APIC", len, 4);
	put_le(t + 36, c->lapic_base, 4);
	put_le(t + 40, 1, 4); /* PCAT_COMPAT */
	for (unsigned i = 0; i < c->nr_cpus; i++, e += 8) {
		e[0] = 0; /* processor local APIC: UID = APIC id = i, enabled */
		e[1] = 8;
		e[2] = e[3] = (uint8_t)i;
		put_le(e + 4, 1, 4);
	}
	e[0] = 1; /* I/O APIC, GSI base 0 */
	e[1] = 12;
	e[2] = c->ioapic_id;
	put_le(e + 4, c->ioapic_base, 4);
	e = madt_iso(e + 12, 0, 2, ACPI_INTI_EDGE | ACPI_INTI_ACTIVE_HIGH);
	madt_iso(e, c->sci_irq, c->sci_irq, ACPI_INTI_LEVEL | ACPI_INTI_ACTIVE_HIGH);
	checksum(t, len, t + 9);
}

static void build_rsdp(uint8_t *t, uint64_t xsdt)
{
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, "EYRIE ", 6);
	t[15] = 2;
	put_le(t + 20, RSDP_LEN, 4);
	put_le(t + 24, xsdt, 8); /* no RSDT: revision 2 guests use the XSDT */
	checksum(t, 20, t + 8);
	checksum(t, RSDP_LEN, t + 32);
}

static size_t align(uint64_t gpa, size_t off, unsigned a)
{
	return (size_t)(((gpa + off + a - 1) & ~(uint64_t)(a - 1)) - gpa);
}

int vacpi_build(const struct vacpi_cfg *c, void *buf, size_t size)
{
	uint8_t *b = buf;
	size_t facs = align(c->gpa, RSDP_LEN, 64);
	size_t xsdt = align(c->gpa, facs + FACS_LEN, 16);
	size_t fadt = align(c->gpa, xsdt + XSDT_LEN, 16);
	size_t madt = align(c->gpa, fadt + FADT_LEN, 16);
	size_t dsdt = align(c->gpa, madt + MADT_LEN(c->nr_cpus), 16);
	size_t end = dsdt + HDR + sizeof(dsdt_aml);

	if ((c->gpa & 15) || c->gpa + end > 0x100000000ull || !c->nr_cpus ||
	    c->nr_cpus > 254 || (c->lapic_base >> 32) || (c->ioapic_base >> 32))
		return -EINVAL;
	if (size < end)
		return -ENOSPC;
	memset(b, 0, end);
	build_rsdp(b, c->gpa + xsdt);
	memcpy(b + facs, "FACS", 4);
	put_le(b + facs + 4, FACS_LEN, 4);
	b[facs + 32] = 2; /* version */
	header(b + xsdt, "XSDT", XSDT_LEN, 1);
	put_le(b + xsdt + HDR, c->gpa + fadt, 8);
	put_le(b + xsdt + HDR + 8, c->gpa + madt, 8);
	checksum(b + xsdt, XSDT_LEN, b + xsdt + 9);
	build_fadt(b + fadt, c, c->gpa + facs, c->gpa + dsdt);
	build_madt(b + madt, c);
	header(b + dsdt, "DSDT", (uint32_t)(end - dsdt), 2);
	memcpy(b + dsdt + HDR, dsdt_aml, sizeof(dsdt_aml));
	checksum(b + dsdt, end - dsdt, b + dsdt + 9);
	return (int)end;
}
