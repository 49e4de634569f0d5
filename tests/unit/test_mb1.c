/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for boot/multiboot/mb1.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/multiboot/mb.h"
#include "kernel/errno.h"

/* Fake physical memory [0, MEM_SIZE). */
#define MEM_SIZE (1u << 20)
static uint8_t phys[MEM_SIZE];
static struct boot_info bi;

static const void *map(uint64_t p, size_t len)
{
	if (p > MEM_SIZE || len > MEM_SIZE - p)
		return NULL;
	return phys + p;
}

#define INFO  0x9000u
#define MODS  0xa000u
#define MMAP  0xb000u
#define STRS  0xc000u

static uint32_t str_next;

static void put32(uint32_t p, uint32_t v) { memcpy(phys + p, &v, 4); }
static void put64(uint32_t p, uint64_t v) { memcpy(phys + p, &v, 8); }

static uint32_t put_str(const char *s)
{
	uint32_t p = str_next;
	memcpy(phys + p, s, strlen(s) + 1);
	str_next += strlen(s) + 1;
	return p;
}

static uint32_t mmap_len;

static void mmap_add(uint64_t base, uint64_t len, uint32_t type)
{
	put32(MMAP + mmap_len, 20);
	put64(MMAP + mmap_len + 4, base);
	put64(MMAP + mmap_len + 12, len);
	put32(MMAP + mmap_len + 20, type);
	mmap_len += 24;
}

/* QEMU-style information: loader "qemu", path-prefixed command line. */
static void build_qemu(const char *cmdline, const char *loader)
{
	memset(phys, 0, MEM_SIZE);
	str_next = STRS;
	mmap_len = 0;
	mmap_add(0, 0x9fc00, 1);
	mmap_add(0x9fc00, 0x400, 2);
	mmap_add(0xf0000, 0x10000, 2);
	mmap_add(0x100000, 0x7ee0000, 1);
	mmap_add(0x7fe0000, 0x20000, 2);
	put32(INFO + 0, (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
	put32(INFO + 4, 639);
	put32(INFO + 8, 130048);
	put32(INFO + 16, put_str(cmdline));
	put32(INFO + 20, 2);
	put32(INFO + 24, MODS);
	put32(MODS + 0, 0x300000);
	put32(MODS + 4, 0x300100);
	put32(MODS + 8, put_str("conf/hypervisor.conf"));
	put32(MODS + 16, 0x301000);
	put32(MODS + 20, 0x401000);
	put32(MODS + 24, put_str("build/dom0.elf console=hvc0"));
	put32(INFO + 44, mmap_len);
	put32(INFO + 48, MMAP);
	put32(INFO + 64, put_str(loader));
}

static uint32_t find_type(uint64_t x)
{
	for (uint32_t i = 0; i < bi.nr_mem; i++)
		if (x >= bi.mem[i].base && x - bi.mem[i].base < bi.mem[i].length)
			return bi.mem[i].type;
	return 0;
}

static void test_qemu(void **state)
{
	build_qemu("build/eyrie.elf loglevel=debug", "qemu");
	assert_int_equal(mb1_parse(INFO, map, &bi), 0);
	assert_int_equal(bi.source, BOOT_SRC_MULTIBOOT1);
	assert_string_equal(bi.loader, "qemu");
	assert_string_equal(bi.cmdline, "loglevel=debug");
	assert_int_equal(bi.nr_modules, 2);
	assert_string_equal(bi.modules[0].name, "hypervisor.conf");
	assert_int_equal(bi.modules[0].start, 0x300000);
	assert_int_equal(bi.modules[0].size, 0x100);
	assert_string_equal(bi.modules[1].name, "dom0.elf");
	assert_int_equal(bi.modules[1].size, 0x100000);
	assert_int_equal(find_type(0x300000), BOOT_MEM_LOADED);
	assert_int_equal(find_type(0x400fff), BOOT_MEM_LOADED);
	assert_int_equal(find_type(0x401000), BOOT_MEM_USABLE);
	assert_int_equal(find_type(0x9fc00), BOOT_MEM_RESERVED);
	assert_int_equal(find_type(0x7fe0000), BOOT_MEM_RESERVED);
	assert_int_equal(bi.rsdp, 0);
	assert_int_equal(bi.fb.addr, 0);

	/* QEMU with only the kernel path */
	build_qemu("/tmp/eyrie.elf", "qemu");
	assert_int_equal(mb1_parse(INFO, map, &bi), 0);
	assert_string_equal(bi.cmdline, "");
}

static void test_cmdline_rules(void **state)
{
	/* another loader: keep the first word unless it is a *.elf path */
	build_qemu("loglevel=info x", "GRUB 2.06");
	assert_int_equal(mb1_parse(INFO, map, &bi), 0);
	assert_string_equal(bi.cmdline, "loglevel=info x");
	build_qemu("/boot/eyrie.elf  a=1", "GRUB 2.06");
	assert_int_equal(mb1_parse(INFO, map, &bi), 0);
	assert_string_equal(bi.cmdline, "a=1");
	build_qemu("file=x.elf a=1", "GRUB 2.06");
	assert_int_equal(mb1_parse(INFO, map, &bi), 0);
	assert_string_equal(bi.cmdline, "file=x.elf a=1");

	/* too long: truncated, reported */
	char longc[BOOT_CMDLINE_LEN + 300];
	memset(longc, 'a', sizeof(longc) - 1);
	longc[sizeof(longc) - 1] = '\0';
	longc[3] = ' ';
	build_qemu(longc, "qemu");
	assert_int_equal(mb1_parse(INFO, map, &bi), -ENOSPC);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_LEN - 1);
}

static void test_minimal(void **state)
{
	/* only mem_lower/mem_upper, no loader name */
	memset(phys, 0, MEM_SIZE);
	put32(INFO, 1u << 0);
	put32(INFO + 4, 639);
	put32(INFO + 8, 31 * 1024);
	assert_int_equal(mb1_parse(INFO, map, &bi), 0);
	assert_string_equal(bi.loader, "multiboot1");
	assert_int_equal(bi.nr_mem, 2);
	assert_int_equal(bi.mem[1].base, 0x100000);
	assert_int_equal(bi.mem[1].length, 31ull << 20);

	/* nothing */
	put32(INFO, 0);
	assert_int_equal(mb1_parse(INFO, map, &bi), -ENODATA);

	/* information structure not mapped */
	assert_int_equal(mb1_parse(MEM_SIZE - 10, map, &bi), -EFAULT);
}

static void test_framebuffer(void **state)
{
	build_qemu("k.elf", "qemu");
	put32(INFO, (1u << 6) | (1u << 12));
	put64(INFO + 88, 0xfd000000);
	put32(INFO + 96, 3200);
	put32(INFO + 100, 800);
	put32(INFO + 104, 600);
	phys[INFO + 108] = 32;
	phys[INFO + 109] = 1;
	phys[INFO + 110] = 16; phys[INFO + 111] = 8;
	phys[INFO + 112] = 8; phys[INFO + 113] = 8;
	phys[INFO + 114] = 0; phys[INFO + 115] = 8;
	assert_int_equal(mb1_parse(INFO, map, &bi), 0);
	assert_int_equal(bi.fb.addr, 0xfd000000);
	assert_int_equal(bi.fb.pitch, 3200);
	assert_int_equal(bi.fb.height, 600);
	assert_int_equal(bi.fb.green_pos, 8);
	/* pitch too small for the width: ignored */
	put32(INFO + 96, 3000);
	assert_int_equal(mb1_parse(INFO, map, &bi), 0);
	assert_int_equal(bi.fb.addr, 0);
}

static void test_errors(void **state)
{
	/* mmap entry size too small */
	build_qemu("a", "qemu");
	put32(MMAP + 24, 8);
	assert_int_equal(mb1_parse(INFO, map, &bi), -EINVAL);
	/* mmap entry running past mmap_length */
	build_qemu("a", "qemu");
	put32(MMAP + 24, 200);
	assert_int_equal(mb1_parse(INFO, map, &bi), -EINVAL);
	/* mmap outside memory */
	build_qemu("a", "qemu");
	put32(INFO + 48, MEM_SIZE - 16);
	assert_int_equal(mb1_parse(INFO, map, &bi), -EFAULT);
	/* absurd mmap_length and mods_count */
	build_qemu("a", "qemu");
	put32(INFO + 44, 0x80000000u);
	assert_int_equal(mb1_parse(INFO, map, &bi), -EINVAL);
	build_qemu("a", "qemu");
	put32(INFO + 20, 0x10000000u);
	assert_int_equal(mb1_parse(INFO, map, &bi), -EINVAL);
	/* module end before start */
	build_qemu("a", "qemu");
	put32(MODS + 4, 0x100);
	assert_int_equal(mb1_parse(INFO, map, &bi), -EINVAL);
	/* unterminated string at the end of memory */
	build_qemu("a", "qemu");
	memset(phys + MEM_SIZE - 64, 'x', 64);
	put32(INFO + 16, MEM_SIZE - 64);
	assert_int_equal(mb1_parse(INFO, map, &bi), -EFAULT);
	/* a string ending right at the end of memory is fine */
	phys[MEM_SIZE - 1] = '\0';
	assert_int_equal(mb1_parse(INFO, map, &bi), 0);
}

static void test_too_many_modules(void **state)
{
	build_qemu("a", "qemu");
	put32(INFO + 20, 20);
	for (uint32_t i = 0; i < 20; i++) {
		char n[16];
		snprintf(n, sizeof(n), "m%u", i);
		put32(MODS + i * 16, 0x300000 + i * 0x1000);
		put32(MODS + i * 16 + 4, 0x300000 + i * 0x1000 + 1);
		put32(MODS + i * 16 + 8, put_str(n));
	}
	assert_int_equal(mb1_parse(INFO, map, &bi), -ENOSPC);
	assert_int_equal(bi.nr_modules, BOOT_MAX_MODULES);
	assert_string_equal(bi.modules[15].name, "m15");
	assert_int_equal(find_type(0x300000 + 19 * 0x1000), BOOT_MEM_LOADED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu),
		cmocka_unit_test(test_cmdline_rules),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_framebuffer),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_too_many_modules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
