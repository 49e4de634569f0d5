/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest MSR policy: every rule of the allow list, with hostile values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "vmm/emul/msr.h"

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define EFER_SVME (1ull << 12)
#define CR0_PE 1ull
#define CR0_PG (1ull << 31)

static const struct msr_guest base = {
	.efer = 0, .cr0 = CR0_PE, .long_mode_capable = true, .nx_capable = true,
	.bsp = true,
};

static int rd(uint32_t index, const struct msr_guest *g, struct msr_action *act)
{
	memset(act, 0xa5, sizeof(*act));
	return msr_decide(index, false, 0, g, act);
}

static int wr(uint32_t index, uint64_t v, const struct msr_guest *g, struct msr_action *act)
{
	memset(act, 0xa5, sizeof(*act));
	return msr_decide(index, true, v, g, act);
}

static void expect_vstate(uint32_t index, enum vstate vs, uint64_t ok_value)
{
	struct msr_action act;

	assert_int_equal(rd(index, &base, &act), 0);
	assert_int_equal(act.kind, MSR_VSTATE);
	assert_int_equal(act.vstate, vs);
	assert_int_equal(wr(index, ok_value, &base, &act), 0);
	assert_int_equal(act.kind, MSR_VSTATE);
	assert_int_equal(act.vstate, vs);
	assert_int_equal(act.value, ok_value);
}

static void expect_const(uint32_t index, const struct msr_guest *g, uint64_t value)
{
	struct msr_action act;

	assert_int_equal(rd(index, g, &act), 0);
	assert_int_equal(act.kind, MSR_CONST);
	assert_int_equal(act.value, value);
}

static void test_unknown(void **state)
{
	static const uint32_t refused[] = { 0, 1, 0x3b, 0x48, 0x49, 0x10a, 0x179, 0x1d8, 0x200,
					    0x6e0, 0x80b, 0xda0, 0xc0010008,
					    0xc0010114, 0xc0010117, 0xc00101ff, 0xc001020c,
					    0x40000000, 0xffffffff };
	struct msr_action act;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(rd(refused[i], &base, &act), -EPERM);
		assert_int_equal(wr(refused[i], 0, &base, &act), -EPERM);
	}
}

static void test_tsc(void **state)
{
	struct msr_action act;

	assert_int_equal(rd(0x10, &base, &act), 0);
	assert_int_equal(act.kind, MSR_TSC);
	assert_int_equal(wr(0x10, 0xffffffffffffffffull, &base, &act), 0);
	assert_int_equal(act.kind, MSR_TSC);
	assert_int_equal(act.value, 0xffffffffffffffffull);
}

static void test_apic_base(void **state)
{
	struct msr_guest ap = base;
	struct msr_action act;

	ap.bsp = false;
	expect_const(0x1b, &base, 0xfee00900);
	expect_const(0x1b, &ap, 0xfee00800);
	assert_int_equal(wr(0x1b, 0xfee00900, &base, &act), 0);
	assert_int_equal(act.kind, MSR_CONST);
	assert_int_equal(wr(0x1b, 0xfee00800, &ap, &act), 0);
	/* No relocation, no disabling, no x2APIC mode, no BSP flag change. */
	assert_int_equal(wr(0x1b, 0xfed00900, &base, &act), -EPERM);
	assert_int_equal(wr(0x1b, 0xfee00100, &base, &act), -EPERM);
	assert_int_equal(wr(0x1b, 0xfee00d00, &base, &act), -EPERM);
	assert_int_equal(wr(0x1b, 0xfee00800, &base, &act), -EPERM);
	assert_int_equal(wr(0x1b, 0xfee00900, &ap, &act), -EPERM);
	assert_int_equal(wr(0x1b, 0xfee00900 | (1ull << 40), &base, &act), -EPERM);
}

static void test_constants(void **state)
{
	struct msr_action act;

	expect_const(0x17, &base, 0);
	assert_int_equal(wr(0x17, 0, &base, &act), -EPERM);
	expect_const(0x3a, &base, 1);
	assert_int_equal(wr(0x3a, 1, &base, &act), -EPERM);
	assert_int_equal(wr(0x3a, 5, &base, &act), -EPERM);
	expect_const(0x8b, &base, 0);
	assert_int_equal(wr(0x8b, 0, &base, &act), 0);
	assert_int_equal(act.kind, MSR_CONST);
	assert_int_equal(wr(0x8b, 0x100000000ull, &base, &act), -EPERM);
	expect_const(0xfe, &base, 0);
	assert_int_equal(wr(0xfe, 0, &base, &act), -EPERM);
	expect_const(0x1a0, &base, 0x1801);
	assert_int_equal(wr(0x1a0, 0x1801, &base, &act), 0);
	assert_int_equal(wr(0x1a0, 0x1800, &base, &act), -EPERM);
	assert_int_equal(wr(0x1a0, 0x1801 | (1ull << 34), &base, &act), -EPERM);
	/* TSC_AUX: the vcpu's, only with RDTSCP; bits 63:32 reserved. */
	struct msr_guest aux = base;
	assert_int_equal(rd(0xc0000103, &base, &act), -EPERM);
	aux.tsc_aux_capable = true;
	assert_int_equal(rd(0xc0000103, &aux, &act), 0);
	assert_int_equal(act.kind, MSR_AUX);
	assert_int_equal(wr(0xc0000103, 0xffffffff, &aux, &act), 0);
	assert_int_equal(act.value, 0xffffffff);
	assert_int_equal(wr(0xc0000103, 1ull << 32, &aux, &act), -EPERM);
	/* DEBUGCTL: 0, and only 0 written. */
	expect_const(0x1d9, &base, 0);
	assert_int_equal(wr(0x1d9, 0, &base, &act), 0);
	assert_int_equal(wr(0x1d9, 1, &base, &act), -EPERM);
	/* No PMU: AMD's counters and controls, legacy (C001_0000-7) and
	 * core extension (C001_0200-B), read 0 and drop any write. */
	for (uint32_t i = 0; i < 12; i++) {
		if (i < 8) {
			expect_const(0xc0010000 + i, &base, 0);
			assert_int_equal(wr(0xc0010000 + i, 0x430076, &base, &act), 0);
			assert_int_equal(act.kind, MSR_CONST);
		}
		expect_const(0xc0010200 + i, &base, 0);
		assert_int_equal(wr(0xc0010200 + i, ~0ull, &base, &act), 0);
		assert_int_equal(act.kind, MSR_CONST);
		assert_int_equal(act.value, 0);
	}
	expect_const(0xc001001f, &base, 0); /* NB_CFG: any write dropped */
	assert_int_equal(wr(0xc001001f, 1ull << 46, &base, &act), 0);
	assert_int_equal(act.kind, MSR_CONST);
}

static void test_mtrr_def_type(void **state)
{
	static const uint64_t ok[] = { 0x806, 0x6, 0x0, 0x800, 0x801, 0x804, 0x805, 0x1 };
	static const uint64_t bad[] = { 0x807, 0x802, 0x803, 0x808, 0x8ff, 0xc06, 0x906,
					0x1806, 1ull << 63, 0xffffffffffffffffull };
	struct msr_action act;

	expect_const(0x2ff, &base, 0x806);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(wr(0x2ff, ok[i], &base, &act), 0);
		assert_int_equal(act.kind, MSR_CONST); /* ignored: reads stay 0x806 */
		assert_int_equal(act.value, 0x806);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(wr(0x2ff, bad[i], &base, &act), -EPERM);
}

static void test_pat(void **state)
{
	struct msr_action act;

	expect_vstate(0x277, VS_PAT, 0x0007040600070406ull);   /* the reset value */
	assert_int_equal(wr(0x277, 0, &base, &act), 0);
	assert_int_equal(wr(0x277, 0x0707070707070707ull, &base, &act), 0);
	assert_int_equal(wr(0x277, 0x0001040506070001ull, &base, &act), 0);
	/* Types 2, 3 and >= 8 in every byte position. */
	for (int byte = 0; byte < 8; byte++) {
		static const uint64_t bad[] = { 2, 3, 8, 0x10, 0x46, 0x80, 0xff };
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			uint64_t v = 0x0606060606060606ull & ~(0xffull << (8 * byte));
			v |= bad[i] << (8 * byte);
			if (wr(0x277, v, &base, &act) != -EPERM)
				fail_msg("PAT %#llx accepted", (unsigned long long)v);
		}
	}
	assert_int_equal(wr(0x277, 0xffffffffffffffffull, &base, &act), -EPERM);
}

static void test_efer(void **state)
{
	struct msr_guest g = base;
	struct msr_action act;

	expect_vstate(0xc0000080, VS_EFER, EFER_SCE | EFER_LME | EFER_NXE);
	/* SVME and every other bit: #GP. */
	for (int bit = 0; bit < 64; bit++) {
		uint64_t v = 1ull << bit;
		int want = (v & (EFER_SCE | EFER_LME | EFER_NXE)) ? 0 : -EPERM;
		assert_int_equal(wr(0xc0000080, v, &g, &act), want);
	}
	assert_int_equal(wr(0xc0000080, EFER_SVME | EFER_SCE, &g, &act), -EPERM);
	/* LMA is read-only: it can be neither set nor cleared. */
	assert_int_equal(wr(0xc0000080, EFER_LME | EFER_LMA, &g, &act), -EPERM);
	g.efer = EFER_LME | EFER_LMA;
	g.cr0 = CR0_PE | CR0_PG;
	assert_int_equal(wr(0xc0000080, EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE, &g, &act), 0);
	assert_int_equal(act.value, EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE);
	assert_int_equal(wr(0xc0000080, EFER_LME, &g, &act), -EPERM);
	/* LME may not change while paging is on, either way. */
	assert_int_equal(wr(0xc0000080, EFER_LMA, &g, &act), -EPERM);
	g.efer = 0;
	assert_int_equal(wr(0xc0000080, EFER_LME, &g, &act), -EPERM);
	g.cr0 = CR0_PE;
	assert_int_equal(wr(0xc0000080, EFER_LME, &g, &act), 0);
	g.efer = EFER_LME;
	assert_int_equal(wr(0xc0000080, 0, &g, &act), 0);
	/* Paging on in legacy mode: NXE and SCE may change, LME not. */
	g.efer = EFER_NXE;
	g.cr0 = CR0_PE | CR0_PG;
	assert_int_equal(wr(0xc0000080, EFER_SCE, &g, &act), 0);
	/* CPUs without NX or long mode. */
	g = base;
	g.nx_capable = false;
	assert_int_equal(wr(0xc0000080, EFER_NXE, &g, &act), -EPERM);
	g.long_mode_capable = false;
	assert_int_equal(wr(0xc0000080, EFER_LME, &g, &act), -EPERM);
	assert_int_equal(wr(0xc0000080, EFER_SCE, &g, &act), 0);
}

static void test_addresses(void **state)
{
	static const struct { uint32_t index; enum vstate vs; } addr[] = {
		{ 0x175, VS_SYSENTER_ESP }, { 0x176, VS_SYSENTER_EIP },
		{ 0xc0000082, VS_LSTAR }, { 0xc0000083, VS_CSTAR },
		{ 0xc0000100, VS_FS_BASE }, { 0xc0000101, VS_GS_BASE },
		{ 0xc0000102, VS_KERNEL_GS_BASE },
	};
	static const uint64_t bad[] = { 0x0000800000000000ull, 0x8000000000000000ull,
					0xffff7fffffffffffull, 0x00ff800000000000ull,
					0x7fffffffffffffffull };
	struct msr_action act;

	for (size_t i = 0; i < sizeof(addr) / sizeof(addr[0]); i++) {
		expect_vstate(addr[i].index, addr[i].vs, 0xffffffff81000000ull);
		assert_int_equal(wr(addr[i].index, 0x00007fffffffffffull, &base, &act), 0);
		assert_int_equal(wr(addr[i].index, 0xffff800000000000ull, &base, &act), 0);
		assert_int_equal(wr(addr[i].index, 0, &base, &act), 0);
		for (size_t j = 0; j < sizeof(bad) / sizeof(bad[0]); j++)
			assert_int_equal(wr(addr[i].index, bad[j], &base, &act), -EPERM);
	}
}

static void test_syscall_sysenter(void **state)
{
	struct msr_guest legacy = base;
	struct msr_action act;

	expect_vstate(0xc0000081, VS_STAR, 0x0023001000000000ull);
	assert_int_equal(wr(0xc0000081, 0xffffffffffffffffull, &base, &act), 0);
	expect_vstate(0xc0000084, VS_SFMASK, 0x47700);
	assert_int_equal(wr(0xc0000084, 1ull << 32, &base, &act), -EPERM);
	expect_vstate(0x174, VS_SYSENTER_CS, 0x10);
	assert_int_equal(wr(0x174, 0xffffffff, &base, &act), 0);
	assert_int_equal(wr(0x174, 1ull << 32, &base, &act), -EPERM);
	/* The 64-bit MSRs do not exist without long mode; STAR does. */
	legacy.long_mode_capable = false;
	static const uint32_t lm_only[] = { 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000100,
					    0xc0000101, 0xc0000102 };
	for (size_t i = 0; i < sizeof(lm_only) / sizeof(lm_only[0]); i++) {
		assert_int_equal(rd(lm_only[i], &legacy, &act), -EPERM);
		assert_int_equal(wr(lm_only[i], 0, &legacy, &act), -EPERM);
	}
	assert_int_equal(rd(0xc0000081, &legacy, &act), 0);
	assert_int_equal(rd(0x174, &legacy, &act), 0);
}

static void test_names(void **state)
{
	/* Every entry is found: the table is sorted. */
	static const struct { uint32_t index; const char *name; } names[] = {
		{ 0x10, "IA32_TIME_STAMP_COUNTER" }, { 0x17, "IA32_PLATFORM_ID" },
		{ 0x1b, "IA32_APIC_BASE" }, { 0x3a, "IA32_FEATURE_CONTROL" },
		{ 0x3b, "IA32_TSC_ADJUST" }, { 0x48, "IA32_SPEC_CTRL" },
		{ 0x49, "IA32_PRED_CMD" }, { 0x8b, "IA32_BIOS_SIGN_ID" }, { 0xe7, "IA32_MPERF" },
		{ 0xe8, "IA32_APERF" }, { 0xfe, "IA32_MTRRCAP" },
		{ 0x10a, "IA32_ARCH_CAPABILITIES" }, { 0x174, "IA32_SYSENTER_CS" },
		{ 0x175, "IA32_SYSENTER_ESP" }, { 0x176, "IA32_SYSENTER_EIP" },
		{ 0x179, "IA32_MCG_CAP" }, { 0x17a, "IA32_MCG_STATUS" },
		{ 0x1a0, "IA32_MISC_ENABLE" }, { 0x1d9, "IA32_DEBUGCTL" }, { 0x277, "IA32_PAT" },
		{ 0x2ff, "IA32_MTRR_DEF_TYPE" }, { 0x6e0, "IA32_TSC_DEADLINE" },
		{ 0xda0, "IA32_XSS" }, { 0xc0000080, "IA32_EFER" }, { 0xc0000081, "STAR" },
		{ 0xc0000082, "LSTAR" }, { 0xc0000083, "CSTAR" }, { 0xc0000084, "SFMASK" },
		{ 0xc0000100, "FS_BASE" }, { 0xc0000101, "GS_BASE" },
		{ 0xc0000102, "KERNEL_GS_BASE" }, { 0xc0000103, "TSC_AUX" },
		{ 0xc0010010, "AMD_SYSCFG" }, { 0xc0010015, "AMD_HWCR" },
		{ 0xc001001f, "AMD_NB_CFG" }, { 0xc0010005, "AMD_PERF_CTL0-3, PERF_CTR0-3" },
		{ 0xc001020b, "AMD_PERF_CTL0-5, PERF_CTR0-5" },
		{ 0xc0010114, "AMD_VM_CR" }, { 0xc0010117, "AMD_VM_HSAVE_PA" },
		{ 0x830, "x2APIC" }, { 0x401, "IA32_MCi bank" }, { 0x20f, "MTRR range" },
		{ 0x12345678, "unknown" }, { 0, "unknown" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_string_equal(msr_name(names[i].index), names[i].name);
}

/* Hostile indices and values: only 0 or -EPERM, and -EPERM for every
 * index not on the list. */
static void test_hostile(void **state)
{
	uint64_t x = 88172645463325252ull;
	struct msr_action act;

	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint32_t index = (uint32_t)x;
		if (i & 1)
			index = (index & 0xc0000000u) | (index & 0x1ff); /* near the known ones */
		int r = msr_decide(index, (x >> 40) & 1, x * 0x9e3779b97f4a7c15ull, &base, &act);
		assert_true(r == 0 || r == -EPERM);
		if (!strcmp(msr_name(index), "unknown"))
			assert_int_equal(r, -EPERM);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_tsc),
		cmocka_unit_test(test_apic_base),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_mtrr_def_type),
		cmocka_unit_test(test_pat),
		cmocka_unit_test(test_efer),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_syscall_sysenter),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests_name("msr", tests, NULL, NULL);
}
