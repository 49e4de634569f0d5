/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest ACPI tables: built into a fake BIOS area at 0xE0000, then read
 * back field by field (checksums, pointers, FADT, MADT, the \_S5 AML) and
 * cross-checked with the hypervisor's own parser (drivers/acpi.c), which
 * also has to find the RSDP by the BIOS-area scan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/acpi.h"
#include "kernel/errno.h"
#include "vmm/plat/vacpi.h"

#define AREA 0xe0000u
#define AREA_LEN 0x20000u
static uint8_t mem[AREA_LEN];
static struct acpi_info ai;

static const void *map(uint64_t p, size_t len)
{
	if (p < AREA || p - AREA > AREA_LEN || len > AREA_LEN - (p - AREA))
		return NULL;
	return mem + (p - AREA);
}

static uint64_t rd(uint64_t gpa, unsigned n)
{
	const uint8_t *p = map(gpa, n);
	uint64_t v = 0;

	assert_non_null(p);
	while (n--)
		v = v << 8 | p[n];
	return v;
}

static uint8_t sum(uint64_t gpa, size_t len)
{
	const uint8_t *p = map(gpa, len);
	uint8_t s = 0;

	assert_non_null(p);
	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Checks a table's header at gpa and returns its length. */
static uint32_t table(uint64_t gpa, const char *sig, uint8_t rev)
{
	uint32_t len = (uint32_t)rd(gpa + 4, 4);

	assert_memory_equal(map(gpa, 4), sig, 4);
	assert_int_equal(rd(gpa + 8, 1), rev);
	assert_memory_equal(map(gpa + 10, 6), "EYRIE ", 6);
	assert_memory_equal(map(gpa + 16, 8), "EYRIEPLT", 8);
	assert_int_equal(sum(gpa, len), 0);
	assert_int_equal(gpa & 15, 0);
	return len;
}

static struct vacpi_cfg cfg(uint64_t gpa, unsigned cpus)
{
	return (struct vacpi_cfg){ .gpa = gpa, .nr_cpus = cpus,
		.lapic_base = 0xfee00000, .ioapic_base = 0xfec00000,
		.ioapic_id = (uint8_t)cpus, .pm_base = 0x600, .sci_irq = 9 };
}

static int build(uint64_t gpa, unsigned cpus)
{
	struct vacpi_cfg c = cfg(gpa, cpus);

	memset(mem, 0, sizeof(mem));
	return vacpi_build(&c, mem + (gpa - AREA), AREA_LEN - (gpa - AREA));
}

static void gas(uint64_t p, uint8_t bits, uint8_t access, uint64_t port)
{
	assert_int_equal(rd(p, 1), 1); /* system I/O */
	assert_int_equal(rd(p + 1, 1), bits);
	assert_int_equal(rd(p + 2, 1), 0);
	assert_int_equal(rd(p + 3, 1), access);
	assert_int_equal(rd(p + 4, 8), port);
}

static void check_fadt(uint64_t f, uint64_t *dsdt)
{
	assert_int_equal(table(f, "FACP", 6), 276);
	uint64_t facs = rd(f + 36, 4);
	assert_int_equal(rd(f + 132, 8), 0); /* X_FIRMWARE_CTRL: 0 when FIRMWARE_CTRL is set */
	assert_int_equal(facs & 63, 0);
	assert_memory_equal(map(facs, 4), "FACS", 4);
	assert_int_equal(rd(facs + 4, 4), 64);
	*dsdt = rd(f + 40, 4);
	assert_int_equal(rd(f + 140, 8), *dsdt);
	assert_int_equal(rd(f + 46, 2), 9);      /* SCI_INT */
	assert_int_equal(rd(f + 48, 4), 0);      /* SMI_CMD */
	assert_int_equal(rd(f + 56, 4), 0x600);  /* PM1a_EVT */
	assert_int_equal(rd(f + 60, 4), 0);      /* PM1b_EVT */
	assert_int_equal(rd(f + 64, 4), 0x604);  /* PM1a_CNT */
	assert_int_equal(rd(f + 76, 4), 0x608);  /* PM_TMR */
	assert_int_equal(rd(f + 80, 4), 0);      /* GPE0 */
	assert_int_equal(rd(f + 88, 4), 0x04000204); /* EVT 4, CNT 2, PM2 0, TMR 4 */
	assert_int_equal(rd(f + 92, 2), 0);      /* no GPE blocks */
	assert_int_equal(rd(f + 109, 2), 0x0005); /* legacy devices, no 8042, no VGA */
	assert_int_equal(rd(f + 112, 4), 0x531);
	gas(f + 116, 8, 1, 0xcf9);
	assert_int_equal(rd(f + 128, 1), 6);
	gas(f + 148, 32, 0, 0x600);
	gas(f + 172, 16, 0, 0x604);
	gas(f + 208, 32, 0, 0x608);
	/* unused blocks: zero GAS */
	for (unsigned off = 160; off < 268; off += 12)
		if (off != 172 && off != 208)
			assert_int_equal(rd(f + off, 8) | rd(f + off + 8, 4), 0);
}

static void check_madt(uint64_t m, unsigned cpus)
{
	uint32_t len = table(m, "APIC", 4);
	uint64_t e = m + 44;

	assert_int_equal(len, 44 + 8 * cpus + 12 + 20);
	assert_int_equal(rd(m + 36, 4), 0xfee00000);
	assert_int_equal(rd(m + 40, 4), 1); /* PCAT_COMPAT */
	for (unsigned i = 0; i < cpus; i++, e += 8) {
		assert_int_equal(rd(e, 2), 0x0800);
		assert_int_equal(rd(e + 2, 1), i); /* UID */
		assert_int_equal(rd(e + 3, 1), i); /* APIC id */
		assert_int_equal(rd(e + 4, 4), 1); /* enabled */
	}
	assert_int_equal(rd(e, 2), 0x0c01);
	assert_int_equal(rd(e + 2, 1), cpus);
	assert_int_equal(rd(e + 4, 4), 0xfec00000);
	assert_int_equal(rd(e + 8, 4), 0);
	e += 12;
	/* type 2, len 10, bus 0, irq, gsi, flags */
	assert_int_equal(rd(e, 4), 0x00000a02);
	assert_int_equal(rd(e + 4, 4), 2);
	assert_int_equal(rd(e + 8, 2), 0x5); /* edge, active high */
	assert_int_equal(rd(e + 10, 4), 0x09000a02);
	assert_int_equal(rd(e + 14, 4), 9);
	assert_int_equal(rd(e + 18, 2), 0xd); /* level, active high */
	assert_int_equal(e + 20, m + len);
}

/* Walks RSDP -> XSDT -> FADT/MADT -> DSDT by hand. */
static void check_all(uint64_t gpa, unsigned cpus, int used)
{
	static const uint8_t s5[] = { 0x08, 0x5c, '_', 'S', '5', '_', 0x12,
		0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
	uint64_t xsdt, dsdt;

	assert_true(used > 0);
	assert_memory_equal(map(gpa, 8), "RSD PTR ", 8);
	assert_int_equal(sum(gpa, 20), 0);
	assert_int_equal(sum(gpa, 36), 0);
	assert_memory_equal(map(gpa + 9, 6), "EYRIE ", 6);
	assert_int_equal(rd(gpa + 15, 1), 2);
	assert_int_equal(rd(gpa + 20, 4), 36);
	xsdt = rd(gpa + 24, 8);
	assert_int_equal(table(xsdt, "XSDT", 1), 36 + 16);
	check_fadt(rd(xsdt + 36, 8), &dsdt);
	check_madt(rd(xsdt + 44, 8), cpus);
	/* \_S5, then Scope (\_SB) { Device (PCI0) { _HID PNP0A03, _UID 0 } } */
	static const uint8_t pci0[] = { 0x10, 0x1d, '\\', '_', 'S', 'B', '_', 0x5b, 0x82, 0x15,
		'P', 'C', 'I', '0', 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03,
		0x08, '_', 'U', 'I', 'D', 0x00 };
	assert_int_equal(table(dsdt, "DSDT", 2), 36 + sizeof(s5) + sizeof(pci0));
	assert_memory_equal(map(dsdt + 36, sizeof(s5)), s5, sizeof(s5));
	assert_memory_equal(map(dsdt + 36 + sizeof(s5), sizeof(pci0)), pci0, sizeof(pci0));
	assert_int_equal(dsdt + 36 + sizeof(s5) + sizeof(pci0), gpa + (unsigned)used);
}

/* The same tables through drivers/acpi.c. */
static void check_parser(uint64_t gpa, unsigned cpus)
{
	uint32_t gsi;
	bool low, level;

	assert_int_equal(acpi_find_rsdp_bios(map), gpa);
	assert_int_equal(acpi_parse(gpa, map, &ai), 0);
	assert_int_equal(ai.nr_errors, 0);
	assert_true(ai.xsdt);
	assert_string_equal(ai.oem_id, "EYRIE ");
	assert_int_equal(ai.nr_tables, 4); /* XSDT, FACP, APIC, DSDT */
	assert_true(ai.have_madt && ai.pcat_compat);
	assert_int_equal(ai.lapic_addr, 0xfee00000);
	assert_int_equal(ai.nr_cpus, cpus);
	for (unsigned i = 0; i < cpus; i++)
		assert_true(ai.cpus[i].apic_id == i && ai.cpus[i].enabled);
	assert_int_equal(ai.nr_ioapics, 1);
	assert_int_equal(ai.ioapics[0].id, cpus);
	assert_int_equal(ai.ioapics[0].addr, 0xfec00000);
	assert_true(ai.have_fadt);
	assert_int_equal(ai.sci_irq, 9);
	assert_int_equal(ai.smi_cmd, 0);
	assert_int_equal(ai.pm1a_cnt, 0x604);
	assert_int_equal(ai.pm_tmr, 0x608);
	assert_true(ai.pm_tmr_32bit);
	assert_int_equal(ai.boot_arch, ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_NO_VGA);
	assert_true(ai.reset_supported);
	assert_int_equal(ai.reset_reg.address, 0xcf9);
	assert_int_equal(ai.reset_value, 6);
	assert_true(ai.have_s5);
	assert_int_equal(ai.slp_typa, 5);
	assert_int_equal(ai.slp_typb, 5);
	assert_int_equal(acpi_irq_to_gsi(&ai, 0, &gsi, &low, &level), 0);
	assert_true(gsi == 2 && !low && !level);
	assert_int_equal(acpi_irq_to_gsi(&ai, 9, &gsi, &low, &level), 0);
	assert_true(gsi == 9 && !low && level);
	assert_int_equal(acpi_irq_to_gsi(&ai, 4, &gsi, &low, &level), 0);
	assert_true(gsi == 4 && !low && !level);
}

static void test_tables(void **state)
{
	static const struct { uint32_t gpa; unsigned cpus; } v[] = {
		{ 0xe0000, 4 }, { 0xe0010, 1 }, { 0xe0030, 2 }, { 0xf0000, 254 },
	};

	for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int used = build(v[i].gpa, v[i].cpus);

		check_all(v[i].gpa, v[i].cpus, used);
		check_parser(v[i].gpa, v[i].cpus);
	}
}

static void test_nospc(void **state)
{
	static uint8_t buf[4096];
	struct vacpi_cfg c = cfg(0xe0000, 8);
	int used = vacpi_build(&c, buf, sizeof(buf));

	assert_true(used > 0 && used < (int)sizeof(buf));
	for (size_t size = 0; size < (size_t)used; size++) {
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(vacpi_build(&c, buf, size), -ENOSPC);
		assert_int_equal(buf[0], 0xa5); /* nothing written */
	}
	assert_int_equal(vacpi_build(&c, buf, (size_t)used), used);
}

static void test_einval(void **state)
{
	static uint8_t buf[4096];
	struct vacpi_cfg c;

	c = cfg(0xe0008, 1);
	assert_int_equal(vacpi_build(&c, buf, sizeof(buf)), -EINVAL);
	c = cfg(0xe0000, 0);
	assert_int_equal(vacpi_build(&c, buf, sizeof(buf)), -EINVAL);
	c = cfg(0xe0000, 255);
	assert_int_equal(vacpi_build(&c, buf, sizeof(buf)), -EINVAL);
	c = cfg(0xffffff00, 1); /* tables would cross 4 GiB */
	assert_int_equal(vacpi_build(&c, buf, sizeof(buf)), -EINVAL);
	c = cfg(0xe0000, 1);
	c.lapic_base = 1ull << 32;
	assert_int_equal(vacpi_build(&c, buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_nospc),
		cmocka_unit_test(test_einval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
