/* SPDX-License-Identifier: GPL-2.0-only */
/* domain= option parser: valid specs, every refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "vmm/core/domcfg.h"

static void test_valid(void **state)
{
	struct domain_config c;
	char err[96];

	assert_int_equal(domcfg_parse("name=web-1,image=guest.elf,memory=16", &c, err, sizeof(err)), 0);
	assert_string_equal(c.name, "web-1");
	assert_string_equal(c.image, "guest.elf");
	assert_int_equal(c.memory_mib, 16);
	assert_int_equal(c.boot, DOM_BOOT_FLAT32);
	assert_int_equal(domcfg_parse("boot=real,memory=2M,image=m.elf,name=m", &c, err, sizeof(err)), 0);
	assert_int_equal(c.boot, DOM_BOOT_REAL);
	assert_int_equal(c.memory_mib, 2);
	assert_int_equal(c.type, DOM_TYPE_ELF);
	assert_int_equal(domcfg_parse("name=k,image=k.elf,memory=8,type=multiboot", &c, err,
				      sizeof(err)), 0);
	assert_int_equal(c.type, DOM_TYPE_MULTIBOOT);
	assert_int_equal(c.nr_modules, 0);
	assert_int_equal(domcfg_parse("name=k,image=k.elf,memory=8,type=multiboot,module=a.bin x y,"
				      "module=b,cmdline=one,two", &c, err, sizeof(err)), 0);
	assert_int_equal(c.nr_modules, 2);
	assert_string_equal(c.modules[0], "a.bin x y");
	assert_string_equal(c.modules[1], "b");
	assert_string_equal(c.cmdline, "one,two");
	assert_int_equal(domcfg_parse("name=l,type=pvh,image=vmlinux,initrd=initrd.img,memory=256,"
				      "cmdline=console=hvc0 quiet,x=1", &c, err, sizeof(err)), 0);
	assert_int_equal(c.type, DOM_TYPE_PVH);
	assert_true(c.xen);
	assert_string_equal(c.initrd, "initrd.img");
	assert_string_equal(c.cmdline, "console=hvc0 quiet,x=1");
	assert_int_equal(domcfg_parse("name=p,type=pvh,image=k,initrd=r,memory=8,cmdline=a b", &c, err,
				      sizeof(err)), 0);
	assert_int_equal(c.type, DOM_TYPE_PVH);
	assert_false(c.platform);
	assert_false(c.privileged);
	assert_string_equal(c.initrd, "r");
	assert_int_equal(domcfg_parse("name=m,type=pvh,image=k,memory=8,privileged=1", &c, err,
				      sizeof(err)), 0);
	assert_true(c.privileged);
	assert_false(c.restart_on_reboot);
	assert_int_equal(domcfg_parse("name=m,image=k,memory=8,on_reboot=restart", &c, err, sizeof(err)), 0);
	assert_true(c.restart_on_reboot);
	assert_int_equal(domcfg_parse("name=d,image=d.elf,memory=2,platform=pc", &c, err, sizeof(err)), 0);
	assert_true(c.platform);
	assert_int_equal(domcfg_parse("name=d,image=d.elf,memory=2,platform=pc,platform=none,"
				      "type=elf,boot=flat32", &c, err, sizeof(err)), 0);
	assert_false(c.platform);
	assert_int_equal(c.type, DOM_TYPE_ELF);
	assert_int_equal(c.boot, DOM_BOOT_FLAT32);
	assert_int_equal(domcfg_parse("name=d,image=d.elf,memory=2", &c, err, sizeof(err)), 0);
	assert_false(c.platform);
	assert_int_equal(c.vcpus, 0); /* one */
	assert_int_equal(domcfg_parse("name=s,type=pvh,image=k,memory=64,vcpus=2", &c, err,
				      sizeof(err)), 0);
	assert_int_equal(c.vcpus, 2);
	assert_int_equal(domcfg_parse("name=s,image=k,memory=64,vcpus=8", &c, err, sizeof(err)), 0);
	assert_int_equal(c.vcpus, 8);
	/* cpus=: xl.cfg's CPU list syntax (vmm/load/cpulist.c). */
	static const struct { const char *list; uint64_t mask; } cpus[] = {
		{ "0", 1 }, { "2-3", 0xc }, { "0;2-3;5", 0x2d }, { "63", 1ull << 63 },
		{ "0-63", ~0ull }, { "all", ~0ull }, { "1;1", 2 }, { "07", 0x80 },
	};
	for (unsigned i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		char spec[64];
		snprintf(spec, sizeof(spec), "name=s,image=k,memory=4,cpus=%s", cpus[i].list);
		assert_int_equal(domcfg_parse(spec, &c, err, sizeof(err)), 0);
		assert_true(c.cpumask == cpus[i].mask);
	}
	assert_int_equal(domcfg_parse("name=s,image=k,memory=4", &c, err, sizeof(err)), 0);
	assert_true(c.cpumask == 0); /* any */
	static const char *const bad_cpus[] = { "", "64", "3-1", "1;", ";1", "1;;2", "a", "1-",
						"-1", "100", "0-64", "al", "all;1", "1 2", "1:2" };
	for (unsigned i = 0; i < sizeof(bad_cpus) / sizeof(bad_cpus[0]); i++) {
		char spec[64];
		snprintf(spec, sizeof(spec), "name=s,image=k,memory=4,cpus=%s", bad_cpus[i]);
		assert_int_equal(domcfg_parse(spec, &c, err, sizeof(err)), -EINVAL);
	}
	static const char *const bad_vcpus[] = { "0", "9", "10", "", "x", "2x", "-1" };
	for (unsigned i = 0; i < sizeof(bad_vcpus) / sizeof(bad_vcpus[0]); i++) {
		char spec[64];
		snprintf(spec, sizeof(spec), "name=s,image=k,memory=64,vcpus=%s", bad_vcpus[i]);
		assert_int_equal(domcfg_parse(spec, &c, err, sizeof(err)), -EINVAL);
	}
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"", "name=a", "name=a,image=b", "name=a,image=b,memory=0",
		"name=a,image=b,memory=-4", "name=a,image=b,memory=65537",
		"name=a,image=b,memory=99999999999999999999", "name=a b,image=b,memory=1",
		"name=,image=b,memory=1", "name=a,image=,memory=1", "name=a,image=b,memory=1,boot=x",
		"name=a,image=b,memory=1,colour=red", "name=a,image=b,memory=1,,", "noequals",
		"name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,image=b,memory=1",
		"name=a,image=b,memory=4K", "name=a,image=b,memory=4,type=pe",
		"name=a,image=b,memory=4,type=multiboot,boot=real",
		"name=a,image=b,memory=4,initrd=i", "name=a,image=b,memory=4,type=multiboot,initrd=i",
		"name=a,image=b,memory=4,cmdline=x", "name=a,image=b,memory=4,type=pvh,initrd=",
		"name=a,image=b,memory=4,platform=isa", "name=a,image=b,memory=4,on_reboot=again",
		"name=a,image=b,memory=4,privileged=yes", "name=a,image=b,memory=4,type=pvh,boot=real",
		"name=a,image=b,memory=4,type=pvh,xen=1",
		"name=a,image=b,memory=4,module=m", "name=a,image=b,memory=4,type=pvh,module=m",
		"name=a,image=b,memory=4,type=multiboot,module=", "name=a,image=b,memory=4,type=multiboot,module= m",
		"name=a,image=b,memory=4,type=multiboot,module=1,module=2,module=3,module=4,module=5",
	};
	struct domain_config c;
	char err[96];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(domcfg_parse(bad[i], &c, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != 0);
	}
}

/* The hypervisor loads no Linux bzImage: type=linux (and hvm) are refused
 * with where to go instead, whatever else the spec says. */
static void test_linux_refused(void **state)
{
	static const char *const specs[] = {
		"name=l,type=linux,image=vmlinuz,initrd=initrd.img,memory=160",
		"type=linux,name=l,image=vmlinuz,memory=160,cmdline=console=ttyS0",
		"name=l,image=vmlinuz,memory=160,type=hvm",
	};
	struct domain_config c;
	char err[96];

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		err[0] = 0;
		assert_int_equal(domcfg_parse(specs[i], &c, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "build HVM Linux guests from the management domain "
					    "(xl.cfg type=\"hvm\")"));
		assert_non_null(strstr(err, i == 2 ? "type=hvm:" : "type=linux:"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_linux_refused),
	};
	return cmocka_run_group_tests_name("domcfg", tests, NULL, NULL);
}
