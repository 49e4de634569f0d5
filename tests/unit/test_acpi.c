/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for drivers/acpi.c on tables built in fake physical memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/acpi.h"
#include "drivers/uartcfg.h"
#include "kernel/errno.h"

#define MEM_SIZE (1u << 20)
static uint8_t phys[MEM_SIZE];
static struct acpi_info ai;

static const void *map(uint64_t p, size_t len)
{
	if (p > MEM_SIZE || len > MEM_SIZE - p)
		return NULL;
	return phys + p;
}

#define RSDP  0xe0010u
#define XSDT  0x10000u
#define RSDT  0x11000u
#define FADT  0x12000u
#define MADT  0x13000u
#define MCFG  0x14000u
#define HPET  0x15000u
#define SSDT  0x16000u
#define SPCR  0x17000u
#define DSDT  0x20000u

static void put8(uint32_t p, uint8_t v) { phys[p] = v; }
static void put16(uint32_t p, uint16_t v) { memcpy(phys + p, &v, 2); }
static void put32(uint32_t p, uint32_t v) { memcpy(phys + p, &v, 4); }
static void put64(uint32_t p, uint64_t v) { memcpy(phys + p, &v, 8); }
static uint32_t get32(uint32_t p) { uint32_t v; memcpy(&v, phys + p, 4); return v; }

static void fix(uint32_t p, uint32_t len, uint32_t csum_off)
{
	uint8_t s = 0;
	phys[p + csum_off] = 0;
	for (uint32_t i = 0; i < len; i++)
		s += phys[p + i];
	phys[p + csum_off] = (uint8_t)-s;
}

static void fix_table(uint32_t p)
{
	if (get32(p + 4) <= 0x8000) /* the fuzzer may have broken it */
		fix(p, get32(p + 4), 9);
}

static void hdr(uint32_t p, const char *sig, uint32_t len, uint8_t rev)
{
	memset(phys + p, 0, len);
	memcpy(phys + p, sig, 4);
	put32(p + 4, len);
	put8(p + 8, rev);
	memcpy(phys + p + 10, "EYRIE ", 6);
}

static void rsdp(uint32_t p, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(phys + p, 0, 36);
	memcpy(phys + p, "RSD PTR ", 8);
	memcpy(phys + p + 9, "BOCHS ", 6);
	put8(p + 15, rev);
	put32(p + 16, rsdt);
	if (rev >= 2) {
		put32(p + 20, 36);
		put64(p + 24, xsdt);
	}
	fix(p, 20, 8);
	if (rev >= 2)
		fix(p, 36, 32);
}

static void root(uint32_t p, bool x, const uint32_t *t, unsigned n)
{
	uint32_t es = x ? 8 : 4;
	hdr(p, x ? "XSDT" : "RSDT", 36 + es * n, 1);
	for (unsigned i = 0; i < n; i++) {
		if (x)
			put64(p + 36 + 8 * i, t[i]);
		else
			put32(p + 36 + 4 * i, t[i]);
	}
	fix_table(p);
}

static void fadt(uint32_t dsdt)
{
	hdr(FADT, "FACP", 276, 6);
	put32(FADT + 40, 0xdead000); /* ignored: X_DSDT wins */
	put16(FADT + 46, 9);
	put32(FADT + 48, 0xb2);
	put8(FADT + 52, 0xf1);
	put32(FADT + 64, 0x604);
	put32(FADT + 76, 0x608);
	put16(FADT + 109, 0x2);
	put32(FADT + 112, (1u << 8) | (1u << 10));
	put8(FADT + 116, 1);   /* reset: I/O 0xcf9 */
	put8(FADT + 117, 8);
	put64(FADT + 120, 0xcf9);
	put8(FADT + 128, 0x6);
	put64(FADT + 140, dsdt);
	put8(FADT + 172, 1);   /* X_PM1a_CNT_BLK in I/O space */
	put64(FADT + 176, 0xb004);
	fix_table(FADT);
}

static uint32_t madt_off;

static void madt_begin(void)
{
	hdr(MADT, "APIC", 44, 3);
	put32(MADT + 36, 0xfee00000);
	put32(MADT + 40, 1);
	madt_off = 44;
}

static void madt_add(const uint8_t *e)
{
	memcpy(phys + MADT + madt_off, e, e[1]);
	madt_off += e[1];
	put32(MADT + 4, madt_off);
}

static void madt_std(void)
{
	static const uint8_t cpu0[] = { 0, 8, 0, 0, 1, 0, 0, 0 };
	static const uint8_t cpu1[] = { 0, 8, 1, 1, 1, 0, 0, 0 };
	static const uint8_t cpu2[] = { 0, 8, 2, 2, 0, 0, 0, 0 };  /* unusable */
	static const uint8_t cpu3[] = { 0, 8, 3, 3, 2, 0, 0, 0 };  /* hotplug */
	static const uint8_t x2[] = { 9, 16, 0, 0, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0 };
	static const uint8_t x2dup[] = { 9, 16, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0 };
	static const uint8_t io[] = { 1, 12, 5, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 };
	static const uint8_t iso0[] = { 2, 10, 0, 0, 2, 0, 0, 0, 0, 0 };
	static const uint8_t iso9[] = { 2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0 };
	static const uint8_t nmi[] = { 4, 6, 0xff, 5, 0, 1 };
	static const uint8_t unknown[] = { 0x7f, 3, 0 };
	madt_begin();
	madt_add(cpu0); madt_add(cpu1); madt_add(cpu2); madt_add(cpu3);
	madt_add(x2); madt_add(x2dup); madt_add(io); madt_add(iso0);
	madt_add(iso9); madt_add(nmi); madt_add(unknown);
	fix_table(MADT);
}

/* DSDT holding `aml` after the header. */
static void dsdt(const uint8_t *aml, uint32_t n)
{
	hdr(DSDT, "DSDT", 36 + n, 2);
	memcpy(phys + DSDT + 36, aml, n);
	fix_table(DSDT);
}

static const uint8_t s5_std[] = {
	0x10, 0x05, '\\', 'S', '_', 'S', 'B', /* noise: Scope(\_SB) */
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
};

static void build_all(void)
{
	static const uint32_t tabs[] = { FADT, MADT, MCFG, HPET, SSDT };
	memset(phys, 0, MEM_SIZE);
	rsdp(RSDP, 2, RSDT, XSDT);
	root(XSDT, true, tabs, 5);
	root(RSDT, false, tabs, 5);
	fadt(DSDT);
	madt_std();
	hdr(MCFG, "MCFG", 60, 1);
	put64(MCFG + 44, 0xb0000000);
	put8(MCFG + 55, 0xff);
	fix_table(MCFG);
	hdr(HPET, "HPET", 56, 1);
	put64(HPET + 44, 0xfed00000);
	fix_table(HPET);
	hdr(SSDT, "SSDT", 40, 1);
	fix_table(SSDT);
	dsdt(s5_std, sizeof(s5_std));
}

static void test_full(void **state)
{
	build_all();
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_string_equal(ai.oem_id, "BOCHS ");
	assert_true(ai.xsdt);
	assert_int_equal(ai.root_phys, XSDT);
	assert_int_equal(ai.nr_errors, 0);
	assert_int_equal(ai.nr_tables, 7);
	assert_string_equal(ai.tables[0].sig, "XSDT");
	assert_string_equal(ai.tables[1].sig, "FACP");
	assert_string_equal(ai.tables[6].sig, "DSDT");
	/* MADT */
	assert_true(ai.have_madt);
	assert_true(ai.pcat_compat);
	assert_int_equal(ai.lapic_addr, 0xfee00000);
	assert_int_equal(ai.nr_cpus, 4);
	assert_true(ai.cpus[0].enabled);
	assert_int_equal(ai.cpus[1].apic_id, 1);
	assert_false(ai.cpus[2].enabled);
	assert_true(ai.cpus[2].online_capable);
	assert_int_equal(ai.cpus[3].apic_id, 0x100);
	assert_true(ai.cpus[3].x2apic);
	assert_int_equal(ai.cpus[3].uid, 4);
	assert_int_equal(ai.nr_ioapics, 1);
	assert_int_equal(ai.ioapics[0].id, 5);
	assert_int_equal(ai.ioapics[0].addr, 0xfec00000);
	assert_int_equal(ai.nr_overrides, 2);
	/* FADT */
	assert_true(ai.have_fadt);
	assert_int_equal(ai.dsdt_phys, DSDT);
	assert_int_equal(ai.sci_irq, 9);
	assert_int_equal(ai.smi_cmd, 0xb2);
	assert_int_equal(ai.acpi_enable, 0xf1);
	assert_int_equal(ai.pm1a_cnt, 0xb004);
	assert_int_equal(ai.pm1b_cnt, 0);
	assert_int_equal(ai.pm_tmr, 0x608);
	assert_true(ai.pm_tmr_32bit);
	assert_true(ai.reset_supported);
	assert_int_equal(ai.reset_reg.space_id, ACPI_GAS_IO);
	assert_int_equal(ai.reset_reg.address, 0xcf9);
	assert_int_equal(ai.reset_value, 6);
	assert_int_equal(ai.boot_arch, ACPI_BOOT_8042);
	/* DSDT, MCFG (the HPET table is listed, not read) */
	assert_true(ai.have_s5);
	assert_int_equal(ai.slp_typa, 5);
	assert_int_equal(ai.slp_typb, 5);
	assert_int_equal(ai.nr_mcfg, 1);
	assert_int_equal(ai.mcfg[0].base, 0xb0000000);
	assert_int_equal(ai.mcfg[0].bus_end, 0xff);
}

static void test_irq_to_gsi(void **state)
{
	uint32_t gsi;
	bool low, level;

	build_all();
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_int_equal(acpi_irq_to_gsi(&ai, 0, &gsi, &low, &level), 0);
	assert_int_equal(gsi, 2);
	assert_false(low);
	assert_false(level);
	assert_int_equal(acpi_irq_to_gsi(&ai, 9, &gsi, &low, &level), 0);
	assert_int_equal(gsi, 9);
	assert_false(low); /* polarity 01: active high */
	assert_true(level);
	assert_int_equal(acpi_irq_to_gsi(&ai, 4, &gsi, &low, &level), 0);
	assert_int_equal(gsi, 4);
	assert_int_equal(acpi_irq_to_gsi(&ai, 16, &gsi, &low, &level), -EINVAL);
}

static void test_bios_scan(void **state)
{
	build_all();
	assert_int_equal(acpi_find_rsdp_bios(map), RSDP);
	/* a candidate with a bad checksum earlier in the area is skipped */
	memcpy(phys + 0xe0000, "RSD PTR ", 8);
	assert_int_equal(acpi_find_rsdp_bios(map), RSDP);
	/* the EBDA comes first */
	put16(0x40e, 0x9fc0);
	rsdp(0x9fc00 + 0x40, 0, RSDT, 0);
	assert_int_equal(acpi_find_rsdp_bios(map), 0x9fc40);
	/* v2 with a bad extended checksum is not accepted by the scan */
	memset(phys + 0x9fc40, 0, 36);
	phys[RSDP + 32] ^= 1;
	assert_int_equal(acpi_find_rsdp_bios(map), 0);
	memset(phys, 0, MEM_SIZE);
	assert_int_equal(acpi_find_rsdp_bios(map), 0);
}

static void test_rsdp_errors(void **state)
{
	build_all();
	assert_int_equal(acpi_parse(MEM_SIZE - 4, map, &ai), -EFAULT);
	phys[RSDP + 8] ^= 1; /* v1 checksum */
	assert_int_equal(acpi_parse(RSDP, map, &ai), -EINVAL);
	build_all();
	memcpy(phys + RSDP, "RSD PTX ", 8);
	assert_int_equal(acpi_parse(RSDP, map, &ai), -EINVAL);

	/* bad extended checksum: the RSDT is used */
	build_all();
	phys[RSDP + 32] ^= 1;
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_false(ai.xsdt);
	assert_int_equal(ai.root_phys, RSDT);
	assert_int_equal(ai.nr_errors, 1);
	assert_true(ai.have_madt);

	/* corrupt XSDT: the RSDT is used */
	build_all();
	phys[XSDT + 40] ^= 1;
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_false(ai.xsdt);
	assert_int_equal(ai.tables[0].status, ACPI_TABLE_BAD_CHECKSUM);
	assert_true(ai.have_fadt);

	/* no valid root at all */
	phys[RSDT + 40] ^= 1;
	assert_int_equal(acpi_parse(RSDP, map, &ai), -EBADMSG);
	/* root with the wrong signature */
	build_all();
	rsdp(RSDP, 0, MADT, 0);
	assert_int_equal(acpi_parse(RSDP, map, &ai), -EBADMSG);
}

static void test_rsdt_only(void **state)
{
	build_all();
	rsdp(RSDP, 0, RSDT, 0);
	memset(phys + XSDT, 0, 100);
	/* ACPI 1.0 FADT: 116 bytes, 32-bit DSDT, no X_ fields */
	put32(FADT + 4, 116);
	put32(FADT + 40, DSDT);
	fix_table(FADT);
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_false(ai.xsdt);
	assert_int_equal(ai.dsdt_phys, DSDT);
	assert_int_equal(ai.pm1a_cnt, 0x604);
	assert_false(ai.reset_supported); /* RESET_REG beyond 116 bytes */
	assert_true(ai.have_s5);
	assert_int_equal(ai.nr_cpus, 4);
}

static void test_bad_tables(void **state)
{
	/* corrupt MADT checksum: skipped, everything else parsed */
	build_all();
	phys[MADT + 50] ^= 0x40;
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_false(ai.have_madt);
	assert_int_equal(ai.nr_cpus, 0);
	assert_int_equal(ai.nr_errors, 1);
	assert_int_equal(ai.tables[2].status, ACPI_TABLE_BAD_CHECKSUM);
	assert_string_equal(acpi_table_status_name(ai.tables[2].status), "bad checksum");
	assert_true(ai.have_fadt);
	assert_true(ai.have_s5);

	/* truncated MADT: the last entry runs past the table */
	build_all();
	put32(MADT + 4, get32(MADT + 4) - 12);
	fix_table(MADT);
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_true(ai.have_madt);
	assert_int_equal(ai.tables[2].status, ACPI_TABLE_MALFORMED);
	assert_int_equal(ai.nr_cpus, 4);
	assert_int_equal(ai.nr_overrides, 1);

	/* zero-length MADT entry: no endless loop */
	build_all();
	phys[MADT + 44 + 8 + 1] = 0;
	fix_table(MADT);
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_int_equal(ai.nr_cpus, 1);
	assert_int_equal(ai.tables[2].status, ACPI_TABLE_MALFORMED);

	/* entry shorter than its type needs: that entry skipped */
	build_all();
	madt_begin();
	static const uint8_t short_io[] = { 1, 8, 5, 0, 0, 0, 0xc0, 0xfe };
	static const uint8_t cpu0[] = { 0, 8, 0, 0, 1, 0, 0, 0 };
	madt_add(short_io);
	madt_add(cpu0);
	fix_table(MADT);
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_int_equal(ai.nr_ioapics, 0);
	assert_int_equal(ai.nr_cpus, 1);

	/* bogus lengths */
	build_all();
	put32(MCFG + 4, 10);
	put32(HPET + 4, 0x7fffffff);
	put32(SSDT + 4, MEM_SIZE);
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_int_equal(ai.tables[3].status, ACPI_TABLE_BAD_LENGTH);
	assert_int_equal(ai.tables[4].status, ACPI_TABLE_BAD_LENGTH);
	assert_int_equal(ai.tables[5].status, ACPI_TABLE_UNMAPPED);
	assert_int_equal(ai.nr_errors, 3);
	assert_int_equal(ai.nr_mcfg, 0);

	/* root entry pointing outside memory; DSDT with a wrong signature */
	build_all();
	static const uint32_t bad[] = { 0x7fffffff, FADT };
	root(XSDT, true, bad, 2);
	memcpy(phys + DSDT, "SSDT", 4);
	fix_table(DSDT);
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_int_equal(ai.tables[1].status, ACPI_TABLE_UNMAPPED);
	assert_int_equal(ai.tables[3].status, ACPI_TABLE_MALFORMED);
	assert_false(ai.have_s5);
}

static void test_cpu_overflow(void **state)
{
	static const uint32_t two[] = { FADT, MADT };

	build_all();
	root(XSDT, true, two, 2); /* the big MADT overwrites MCFG..SSDT */
	madt_begin();
	for (uint32_t i = 0; i < 300; i++) {
		uint8_t x2[16] = { 9, 16 };
		memcpy(x2 + 4, &i, 4);
		x2[8] = 1;
		memcpy(x2 + 12, &i, 4);
		madt_add(x2);
	}
	for (uint32_t i = 0; i < 20; i++) {
		static const uint8_t io[] = { 1, 12, 5, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 };
		madt_add(io);
	}
	for (uint32_t i = 0; i < 50; i++) {
		static const uint8_t iso[] = { 2, 10, 0, 0, 2, 0, 0, 0, 0, 0 };
		madt_add(iso);
	}
	fix_table(MADT);
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_int_equal(ai.nr_cpus, ACPI_MAX_CPUS);
	assert_int_equal(ai.nr_ioapics, ACPI_MAX_IOAPICS);
	assert_int_equal(ai.nr_overrides, ACPI_MAX_OVERRIDES);

	/* more tables than the record list holds */
	uint32_t many[80];
	for (int i = 0; i < 80; i++)
		many[i] = FADT;
	root(XSDT, true, many, 80);
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_int_equal(ai.nr_tables, ACPI_MAX_TABLES);
}

/* Parses a DSDT body; returns have_s5 and the values. */
static bool s5_of(const uint8_t *aml, uint32_t n, uint8_t *a, uint8_t *b)
{
	build_all();
	dsdt(aml, n);
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	*a = ai.slp_typa;
	*b = ai.slp_typb;
	return ai.have_s5;
}

static void test_s5(void **state)
{
	uint8_t a, b;

	/* QEMU: Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero }) */
	static const uint8_t qemu[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0 };
	assert_true(s5_of(qemu, sizeof(qemu), &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);

	/* root prefix, One and BytePrefix */
	static const uint8_t root_pfx[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x01, 0x0a, 0x07 };
	assert_true(s5_of(root_pfx, sizeof(root_pfx), &a, &b));
	assert_int_equal(a, 1);
	assert_int_equal(b, 7);

	/* two-byte PkgLength, WordPrefix */
	static const uint8_t long_pkg[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x48, 0x00, 0x02, 0x0b, 0x06, 0x00, 0x0a, 0x03,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	assert_true(s5_of(long_pkg, sizeof(long_pkg), &a, &b));
	assert_int_equal(a, 6);
	assert_int_equal(b, 3);

	/* single packed element: a in bits 0-7, b in 8-15 */
	static const uint8_t packed[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0b, 0x07, 0x05 };
	assert_true(s5_of(packed, sizeof(packed), &a, &b));
	assert_int_equal(a, 7);
	assert_int_equal(b, 5);

	/* a reference to _S5_ (no NameOp) before the real definition */
	static const uint8_t ref_first[] = { 0xa4, '_', 'S', '5', '_', 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x02, 0x00 };
	assert_true(s5_of(ref_first, sizeof(ref_first), &a, &b));
	assert_int_equal(a, 2);
	assert_int_equal(b, 0);

	/* malformed variants are rejected */
	static const uint8_t too_big[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x08, 0x00 };
	assert_false(s5_of(too_big, sizeof(too_big), &a, &b));
	static const uint8_t ones[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0x00 };
	assert_false(s5_of(ones, sizeof(ones), &a, &b));
	static const uint8_t truncated[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x02, 0x0a };
	assert_false(s5_of(truncated, sizeof(truncated), &a, &b));
	static const uint8_t cut_byte[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x0a, 0x01 };
	assert_false(s5_of(cut_byte, sizeof(cut_byte), &a, &b));
	static const uint8_t not_pkg[] = { 0x08, '_', 'S', '5', '_', 0x0a, 0x05 };
	assert_false(s5_of(not_pkg, sizeof(not_pkg), &a, &b));
	static const uint8_t empty[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00 };
	assert_false(s5_of(empty, sizeof(empty), &a, &b));
	static const uint8_t at_end[] = { 0x08, '_', 'S', '5', '_' };
	assert_false(s5_of(at_end, sizeof(at_end), &a, &b));
	static const uint8_t pkglen_huge[] = { 0x08, '_', 'S', '5', '_', 0x12, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0 };
	assert_false(s5_of(pkglen_huge, sizeof(pkglen_huge), &a, &b));

	/* \_S5 found in an SSDT when the DSDT has none */
	build_all();
	dsdt(not_pkg, sizeof(not_pkg));
	hdr(SSDT, "SSDT", 36 + sizeof(root_pfx), 1);
	memcpy(phys + SSDT + 36, root_pfx, sizeof(root_pfx));
	fix_table(SSDT);
	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_true(ai.have_s5);
	assert_int_equal(ai.slp_typb, 7);
}

/* An SPCR (revision rev, len bytes) beside the standard tables: a 16550
 * in address space `space` at addr, access size and bit width as given. */
static void spcr(uint8_t rev, uint32_t len, uint8_t type, uint8_t space, uint8_t bits,
		 uint8_t access, uint64_t addr)
{
	static const uint32_t tabs[] = { FADT, MADT, MCFG, HPET, SSDT, SPCR };

	build_all();
	root(XSDT, true, tabs, 6);
	hdr(SPCR, "SPCR", len, rev);
	put8(SPCR + 36, type);
	put8(SPCR + 40, space);
	put8(SPCR + 41, bits);
	put8(SPCR + 43, access);
	put64(SPCR + 44, addr);
	put8(SPCR + 58, 7);          /* 115200 */
	put16(SPCR + 64, 0xffff);    /* not PCI */
	put16(SPCR + 66, 0xffff);
	fix_table(SPCR);
}

static void spcr_cfg(struct uart_cfg *c, int want, const char *why)
{
	char err[128] = "";

	assert_int_equal(acpi_parse(RSDP, map, &ai), 0);
	assert_int_equal(uartcfg_spcr(&ai, c, err, sizeof(err)), want);
	if (why)
		assert_string_equal(err, why);
}

/* SPCR: I/O and memory-mapped 16550s, a PCI card; bad checksums,
 * truncated tables and what is no usable 16550 refused with the reason. */
static void test_spcr(void **state)
{
	struct uart_cfg c;

	/* COM2 by its I/O port, ISA IRQ 3 */
	spcr(2, 80, 0, ACPI_GAS_IO, 8, 1, 0x2f8);
	put8(SPCR + 52, 1);
	put8(SPCR + 53, 3);
	fix_table(SPCR);
	spcr_cfg(&c, 0, NULL);
	assert_true(ai.have_spcr);
	assert_int_equal(ai.spcr.baud, 115200);
	assert_false(c.mmio);
	assert_int_equal(c.base, 0x2f8);
	assert_int_equal(c.irq, 3);
	assert_int_equal(c.pci, UART_PCI_NO);
	assert_int_equal(c.baud, 115200);
	assert_int_equal(uartcfg_divisor(&c), 1);

	/* MMIO, 32-bit registers by dword access, IOAPIC GSI 40; revision 4:
	 * the clock and the precise baud rate; a PCI device */
	spcr(4, 88, 0x13, ACPI_GAS_MEMORY, 32, 3, 0xfe032000);
	put8(SPCR + 52, 2);
	put32(SPCR + 54, 40);
	put32(SPCR + 76, 48000000);
	put32(SPCR + 80, 1500000);
	put16(SPCR + 64, 0x9a0b);
	put16(SPCR + 66, 0x8086);
	put8(SPCR + 68, 0);
	put8(SPCR + 69, 0x1e);
	put8(SPCR + 70, 2);
	fix_table(SPCR);
	spcr_cfg(&c, 0, NULL);
	assert_true(c.mmio);
	assert_int_equal(c.base, 0xfe032000);
	assert_int_equal(c.shift, 2);
	assert_int_equal(c.width, 4);
	assert_int_equal(c.irq, 40);
	assert_int_equal(c.clock, 48000000);
	assert_int_equal(c.baud, 1500000);
	assert_int_equal(uartcfg_divisor(&c), 2);
	assert_int_equal(c.pci, UART_PCI_AT);
	assert_int_equal(c.sbdf, 0x1e << 3 | 2);
	/* revision 2: those fields are reserved, not read; baud code 0 keeps the line */
	put8(SPCR + 8, 2);
	put8(SPCR + 58, 0);
	fix_table(SPCR);
	spcr_cfg(&c, 0, NULL);
	assert_int_equal(c.clock, UART_CLOCK);
	assert_int_equal(c.baud, 0);
	assert_int_equal(uartcfg_divisor(&c), 0);

	/* MMIO, byte registers 4 bytes apart, byte access */
	spcr(2, 80, 0, ACPI_GAS_MEMORY, 32, 1, 0xfedc9000);
	spcr_cfg(&c, 0, NULL);
	assert_int_equal(c.shift, 2);
	assert_int_equal(c.width, 1);
	assert_int_equal(c.irq, -1);

	/* refused: bad checksum, truncated, not a 16550, odd widths, space */
	spcr(2, 80, 0, ACPI_GAS_IO, 8, 1, 0x3f8);
	phys[SPCR + 50] ^= 1;
	spcr_cfg(&c, -EBADMSG, "table refused (bad checksum)");
	assert_false(ai.have_spcr);
	spcr(2, 60, 0, ACPI_GAS_IO, 8, 1, 0x3f8);
	spcr_cfg(&c, -EBADMSG, "table refused (bad length)");
	spcr(2, 80, 3, ACPI_GAS_MEMORY, 32, 3, 0x9000000);
	spcr_cfg(&c, -ENODEV, "interface type 0x3 is not a 16550");
	spcr(2, 80, 0, ACPI_GAS_MEMORY, 32, 2, 0xfe032000);
	spcr_cfg(&c, -ENODEV, "access size 2 with 32-bit registers unsupported");
	spcr(2, 80, 0, ACPI_GAS_MEMORY, 8, 3, 0xfe032000);
	spcr_cfg(&c, -ENODEV, "4-byte access to registers 1 byte(s) apart");
	spcr(2, 80, 0, ACPI_GAS_PCI, 8, 1, 0x10);
	spcr_cfg(&c, -ENODEV, "address space 2 is neither memory nor I/O");
	spcr(2, 80, 0, ACPI_GAS_IO, 8, 1, 0xfffc);
	spcr_cfg(&c, -ENODEV, "I/O base 0xfffc: registers beyond port 0xffff");
	spcr(2, 80, 0, ACPI_GAS_IO, 8, 1, 0);
	spcr_cfg(&c, -ENODEV, "no address");
	build_all();
	spcr_cfg(&c, -ENOENT, "no SPCR table");
}

/* Random corruption of the table set never reads outside mapped memory. */
static void test_fuzz(void **state)
{
	static const uint32_t areas[][2] = {
		{ RSDP, 36 }, { XSDT, 76 }, { FADT, 276 }, { MADT, 120 },
		{ MCFG, 60 }, { DSDT, 60 },
	};
	uint32_t seed = 7;

	for (int i = 0; i < 5000; i++) {
		build_all();
		for (int k = 0; k < 1 + i % 6; k++) {
			seed = seed * 1103515245u + 12345u;
			const uint32_t *ar = areas[(seed >> 4) % 6];
			uint32_t off = ar[0] + (seed >> 9) % ar[1];
			phys[off] = (uint8_t)(seed >> 24);
			if (i & 1) { /* keep checksums right to reach the parsers */
				fix_table(MADT);
				fix_table(FADT);
				fix_table(DSDT);
				fix_table(XSDT);
			}
		}
		int r = acpi_parse(RSDP, map, &ai);
		assert_true(r == 0 || r == -EINVAL || r == -EBADMSG || r == -EFAULT);
		assert_true(ai.nr_cpus <= ACPI_MAX_CPUS);
		acpi_find_rsdp_bios(map);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_irq_to_gsi),
		cmocka_unit_test(test_bios_scan),
		cmocka_unit_test(test_rsdp_errors),
		cmocka_unit_test(test_rsdt_only),
		cmocka_unit_test(test_bad_tables),
		cmocka_unit_test(test_cpu_overflow),
		cmocka_unit_test(test_s5),
		cmocka_unit_test(test_spcr),
		cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
