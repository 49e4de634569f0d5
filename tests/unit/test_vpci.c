/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI mechanism #1: the host bridge's ids through every access width,
 * empty slots, CONFIG_ADDRESS rules (Linux's type-1/type-2 probes), and
 * the command register as the only writable field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/plat/vpci.h"

static struct vpci pci;

static uint32_t in(uint16_t port, unsigned size)
{
	uint32_t v = 0xdeadbeef;
	vpci_io(&pci, port, size, true, &v);
	return v;
}

static void out(uint16_t port, unsigned size, uint32_t v) { vpci_io(&pci, port, size, false, &v); }

static uint32_t cfg(unsigned bus, unsigned dev, unsigned fn, unsigned reg, unsigned size)
{
	out(0xcf8, 4, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
	return in((uint16_t)(0xcfc + (reg & 3)), size);
}

static int setup(void **state)
{
	vpci_init(&pci, false);
	return 0;
}

static void test_bridge(void **state)
{
	assert_int_equal(cfg(0, 0, 0, 0x00, 4), 0x12378086);
	assert_int_equal(cfg(0, 0, 0, 0x04, 4), 0x02800006);
	assert_int_equal(cfg(0, 0, 0, 0x08, 4), 0x06000002);
	assert_int_equal(cfg(0, 0, 0, 0x0c, 4), 0); /* header type 0 */
	assert_int_equal(cfg(0, 0, 0, 0x2c, 4), 0); /* subsystem ids */
	for (unsigned r = 0x10; r < 0x28; r += 4) /* no BARs */
		assert_int_equal(cfg(0, 0, 0, r, 4), 0);
	assert_int_equal(cfg(0, 0, 0, 0xfc, 4), 0);
	/* pci_sanity_check: class at 0x0a (word), vendor at 0 (word) */
	assert_int_equal(cfg(0, 0, 0, 0x0a, 2), 0x0600);
	assert_int_equal(cfg(0, 0, 0, 0x00, 2), 0x8086);
	assert_int_equal(cfg(0, 0, 0, 0x02, 2), 0x1237);
	assert_int_equal(cfg(0, 0, 0, 0x0b, 1), 0x06);
	assert_int_equal(cfg(0, 0, 0, 0x0e, 1), 0x00);
	assert_int_equal(cfg(0, 0, 0, 0x01, 1), 0x80);
	assert_int_equal(cfg(0, 0, 0, 0x03, 1), 0x12);
}

static void test_absent(void **state)
{
	assert_int_equal(cfg(0, 1, 0, 0, 4), 0xffffffff);
	assert_int_equal(cfg(0, 0, 1, 0, 4), 0xffffffff);
	assert_int_equal(cfg(0, 31, 7, 0, 2), 0xffff);
	assert_int_equal(cfg(1, 0, 0, 0, 4), 0xffffffff);
	assert_int_equal(cfg(255, 0, 0, 0x0e, 1), 0xff);
	/* enable bit clear: nothing */
	out(0xcf8, 4, 0x00000000);
	assert_int_equal(in(0xcfc, 4), 0xffffffff);
	/* writes to absent devices change nothing */
	out(0xcf8, 4, 0x80000804);
	out(0xcfc, 4, 0);
	assert_int_equal(cfg(0, 0, 0, 4, 2), 0x0006);
}

static void test_address(void **state)
{
	assert_int_equal(in(0xcf8, 4), 0);
	/* pci_check_type1 */
	out(0xcfb, 1, 0x01);
	uint32_t tmp = in(0xcf8, 4);
	assert_int_equal(tmp, 0);
	out(0xcf8, 4, 0x80000000);
	assert_int_equal(in(0xcf8, 4), 0x80000000);
	out(0xcf8, 4, tmp);
	/* pci_check_type2: byte writes leave it alone */
	out(0xcf8, 4, 0x80001234 & ~3u);
	out(0xcfb, 1, 0x00);
	out(0xcf8, 1, 0x00);
	out(0xcfa, 1, 0x00);
	out(0xcf8, 2, 0x0000);
	assert_int_equal(in(0xcf8, 4), 0x80001234);
	assert_int_equal(in(0xcf8, 1), 0xff);
	assert_int_equal(in(0xcfa, 2), 0xffff);
	/* reserved bits read 0 */
	out(0xcf8, 4, 0xffffffff);
	assert_int_equal(in(0xcf8, 4), 0x80fffffc);
}

static void test_data_widths(void **state)
{
	out(0xcf8, 4, 0x80000000);
	assert_int_equal(in(0xcfc, 1), 0x86);
	assert_int_equal(in(0xcfd, 1), 0x80);
	assert_int_equal(in(0xcfe, 1), 0x37);
	assert_int_equal(in(0xcff, 1), 0x12);
	assert_int_equal(in(0xcfd, 2), 0x3780);
	assert_int_equal(in(0xcfe, 2), 0x1237);
	/* the command register: only its existing bits */
	out(0xcf8, 4, 0x80000004);
	out(0xcfc, 2, 0xffff);
	assert_int_equal(in(0xcfc, 4), 0x02800146);
	out(0xcfd, 1, 0x00);
	assert_int_equal(in(0xcfc, 2), 0x0046);
	out(0xcfc, 4, 0xffff0000); /* status is read-only */
	assert_int_equal(in(0xcfc, 4), 0x02800000);
	out(0xcfc, 1, 0x07);
	assert_int_equal(in(0xcfc, 2), 0x0006);
	/* ids are read-only */
	out(0xcf8, 4, 0x80000000);
	out(0xcfc, 4, 0);
	out(0xcfe, 2, 0);
	assert_int_equal(in(0xcfc, 4), 0x12378086);
}

static int setup_xen(void **state)
{
	vpci_init(&pci, true);
	return 0;
}

/* Xen's platform device at 00:02.0: ids, class, BARs and their sizing,
 * the interrupt pin, the magic ports; absent without xen. */
static void test_xen_platform(void **state)
{
	assert_int_equal(cfg(0, 2, 0, 0x00, 4), 0x00015853);
	assert_int_equal(cfg(0, 2, 0, 0x08, 4), 0xff800001);
	assert_int_equal(cfg(0, 2, 0, 0x2c, 4), 0x00015853);
	assert_int_equal(cfg(0, 2, 0, 0x3d, 1), 1); /* INTA */
	assert_int_equal(cfg(0, 2, 0, 0x10, 4), VPCI_XEN_IO | 1);
	assert_int_equal(cfg(0, 2, 0, 0x14, 4), VPCI_XEN_MMIO | 8);
	/* sizing: all ones reads back the size, then the base is restored */
	out(0xcf8, 4, 0x80001010);
	out(0xcfc, 4, 0xffffffff);
	assert_int_equal(in(0xcfc, 4), 0xffffff01); /* 256 ports */
	out(0xcfc, 4, VPCI_XEN_IO);
	assert_int_equal(in(0xcfc, 4), VPCI_XEN_IO | 1);
	out(0xcf8, 4, 0x80001014);
	out(0xcfc, 4, 0xffffffff);
	assert_int_equal(in(0xcfc, 4), 0xff000008); /* 16 MiB, prefetchable */
	out(0xcfc, 4, VPCI_XEN_MMIO);
	assert_int_equal(in(0xcfc, 4), VPCI_XEN_MMIO | 8);
	/* the interrupt line is the guest's; ids stay */
	out(0xcf8, 4, 0x8000103c);
	out(0xcfc, 1, 11);
	assert_int_equal(cfg(0, 2, 0, 0x3c, 2), 0x010b);
	out(0xcf8, 4, 0x80001000);
	out(0xcfc, 4, 0);
	assert_int_equal(cfg(0, 2, 0, 0x00, 4), 0x00015853);
	uint32_t v = 0;
	assert_true(vpci_xen_io(&pci, 0x10, 2, true, &v));
	assert_int_equal(v, 0x49d2);
	assert_true(vpci_xen_io(&pci, 0x12, 1, true, &v));
	assert_int_equal(v, 1);
	v = 0xf;
	assert_true(vpci_xen_io(&pci, 0x10, 2, false, &v)); /* unplug: taken */
	assert_false(vpci_xen_io(&pci, 0x14, 1, true, &v));
	vpci_init(&pci, false);
	assert_int_equal(cfg(0, 2, 0, 0x00, 4), 0xffffffff);
	assert_false(vpci_xen_io(&pci, 0x10, 2, true, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bridge, setup),
		cmocka_unit_test_setup(test_absent, setup),
		cmocka_unit_test_setup(test_address, setup),
		cmocka_unit_test_setup(test_data_widths, setup),
		cmocka_unit_test_setup(test_xen_platform, setup_xen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
