/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest CPUID policy against fake CPUs: an Intel-like one (which repeats
 * its highest basic leaf above the maximum, as Intel CPUs do) and an
 * AMD-like one (zeros), each with every host-only feature bit set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/emul/cpuid.h"

#define B(n) (1u << (n))

struct fake_leaf {
	uint32_t leaf, sub;
	uint32_t r[4];
};

static const struct fake_leaf intel[] = {
	{ 0, 0, { 0x20, 0x756e6547, 0x6c65746e, 0x49656e69 } }, /* GenuineIntel */
	{ 1, 0, { 0x50654, 0x07100800, 0xffffffff, 0xffffffff } },
	{ 2, 0, { 0x00feff01, 0xf0, 0, 0 } },
	{ 3, 0, { 1, 2, 3, 4 } },
	{ 4, 0, { 0x7c004121, 0x01c0003f, 0x3f, 0 } },          /* L1d, 16 threads */
	{ 4, 1, { 0x7c004122, 0x01c0003f, 0x3f, 0 } },
	{ 4, 2, { 0x7c004143, 0x03c0003f, 0x3ff, 0 } },         /* L2 */
	{ 4, 3, { 0x7c0fc163, 0x0280003f, 0xdfff, 4 } },        /* L3 */
	{ 5, 0, { 0x40, 0x40, 3, 0x2020 } },
	{ 6, 0, { 0x77, 2, 9, 0 } },
	{ 7, 0, { 2, 0xffffffff, 0xffffffff, 0xffffffff } },
	{ 7, 1, { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff } },
	{ 7, 2, { 0xffffffff, 0, 0, 0xffffffff } },
	{ 0xa, 0, { 0x07300404, 0, 0, 0x603 } },
	{ 0xb, 0, { 1, 2, 0x100, 0x21 } },
	{ 0xb, 1, { 6, 32, 0x201, 0x21 } },
	/* XSAVE: x87, SSE, AVX, MPX, AVX-512, PKRU, AMX */
	{ 0xd, 0, { 0x602ff, 0xa88, 0x2b00, 0 } },
	{ 0xd, 1, { 0x1f, 0xa08, 0x1900, 0 } },
	{ 0xd, 2, { 256, 576, 0, 0 } },
	{ 0xd, 3, { 64, 960, 0, 0 } },
	{ 0xd, 4, { 64, 1024, 0, 0 } },
	{ 0xd, 5, { 64, 1088, 0, 0 } },
	{ 0xd, 6, { 512, 1152, 0, 0 } },
	{ 0xd, 7, { 1024, 1664, 0, 0 } },
	{ 0xd, 9, { 8, 2688, 0, 0 } },
	{ 0xd, 17, { 64, 2752, 2, 0 } },
	{ 0xd, 18, { 8192, 2816, 6, 0 } },
	{ 0x14, 0, { 1, 0xf, 7, 0 } },
	{ 0x15, 0, { 2, 0x11c, 0, 0 } },
	{ 0x16, 0, { 0x834, 0xfa0, 0x64, 0 } },
	{ 0x20, 0, { 0x5a5a, 0x5a5a, 0x5a5a, 0x5a5a } },          /* the highest */
	{ 0x80000000, 0, { 0x80000008, 0, 0, 0 } },
	{ 0x80000001, 0, { 0, 0, 0x121, 0x2c100800 } },
	{ 0x80000002, 0, { 0x65746e49, 0x2952286c, 0x6f655820, 0x2952286e } },
	{ 0x80000006, 0, { 0, 0, 0x01006040, 0 } },
	{ 0x80000007, 0, { 0, 0, 0, 0x100 } },
	{ 0x80000008, 0, { 0x392e, 0, 0, 0 } },                 /* 57 linear bits */
};

static const struct fake_leaf amd[] = {
	{ 0, 0, { 0x10, 0x68747541, 0x444d4163, 0x69746e65 } }, /* AuthenticAMD */
	{ 1, 0, { 0x830f10, 0x00800800, 0xffffffff, 0xffffffff } },
	{ 7, 0, { 0, 0xffffffff, 0xffffffff, 0xffffffff } },
	{ 0xd, 0, { 0x207, 0x340, 0x988, 0 } },                 /* x87, SSE, AVX, PKRU */
	{ 0xd, 1, { 0xf, 0x340, 0, 0 } },
	{ 0xd, 2, { 256, 576, 0, 0 } },
	{ 0xd, 9, { 8, 2432, 0, 0 } },
	{ 0x10, 0, { 0, 0, 0, 0 } },
	{ 0x80000000, 0, { 0x80000021, 0x68747541, 0x444d4163, 0x69746e65 } },
	{ 0x80000001, 0, { 0x830f10, 0x40000000, 0xffffffff, 0xffffffff } },
	{ 0x80000005, 0, { 0xff40ff40, 0xff40ff40, 0x20080140, 0x20020140 } },
	{ 0x80000007, 0, { 0, 0x3b, 0, 0xffffffff } },
	{ 0x80000008, 0, { 0x3030, 0xffffffff, 0x703f, 0xffffffff } },
	{ 0x8000000a, 0, { 1, 0x8000, 0, 0x1ebfbff } },
	{ 0x8000001f, 0, { 0x1, 0, 0, 0 } },
};

static const struct fake_leaf *cpu;
static size_t cpu_len;
static unsigned host_calls;

static void use(const struct fake_leaf *t, size_t n)
{
	cpu = t;
	cpu_len = n;
	host_calls = 0;
}
#define USE(t) use(t, sizeof(t) / sizeof(t[0]))

static const struct fake_leaf *find(uint32_t leaf, uint32_t sub)
{
	for (size_t i = 0; i < cpu_len; i++)
		if (cpu[i].leaf == leaf && cpu[i].sub == sub)
			return &cpu[i];
	return NULL;
}

/* Leaves with subleaves answer 0 for unknown subleaves; leaves above the
 * maximum give Intel's highest basic leaf, AMD's zeros. */
static void host(uint32_t leaf, uint32_t sub, uint32_t regs[4])
{
	const struct fake_leaf *f = find(leaf, sub);
	uint32_t max = find(leaf & 0x80000000u, 0)->r[0];

	host_calls++;
	if (!f && leaf > max && cpu == intel)
		f = find(find(0, 0)->r[0], 0);
	if (!f)
		f = find(leaf, 0);
	if (f && (leaf == 4 || leaf == 7 || leaf == 0xb || leaf == 0xd) && f->sub != sub)
		f = NULL;
	memcpy(regs, f ? f->r : (const uint32_t[4]){ 0, 0, 0, 0 }, 16);
}

static const struct cpuid_guest guest1 = { .apic_id = 0, .nr_vcpus = 1, .tsc_khz = 2100000 };

static void ask(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g, uint32_t out[4])
{
	memset(out, 0xcc, 16);
	cpuid_policy(leaf, sub, g, host, out);
}

static void expect(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g, uint32_t a,
		   uint32_t b, uint32_t c, uint32_t d)
{
	uint32_t out[4];

	ask(leaf, sub, g, out);
	if (out[0] != a || out[1] != b || out[2] != c || out[3] != d)
		fail_msg("leaf %#x.%u: got %08x %08x %08x %08x, want %08x %08x %08x %08x", leaf,
			 sub, out[0], out[1], out[2], out[3], a, b, c, d);
}

static void test_leaf0_and_max(void **state)
{
	USE(intel);
	expect(0, 0, &guest1, 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69);
	USE(amd);
	expect(0, 0, &guest1, 0x10, 0x68747541, 0x444d4163, 0x69746e65);
	/* AMD's max is 0x10: 0x15 and 0x16 are above it. */
	expect(0x15, 0, &guest1, 0, 0, 0, 0);
	USE(intel);
	expect(0x15, 0, &guest1, 2, 0x11c, 0, 0);
	expect(0x16, 0, &guest1, 0x834, 0xfa0, 0x64, 0);
	expect(0x2, 0, &guest1, 0x00feff01, 0xf0, 0, 0);
	/* Above our maximum: zeros, not Intel's repeated highest leaf. */
	expect(0x20, 0, &guest1, 0, 0, 0, 0);
	expect(0x21, 0, &guest1, 0, 0, 0, 0);
	expect(0x7fffffff, 0, &guest1, 0, 0, 0, 0);
	expect(0xc0000000, 0, &guest1, 0, 0, 0, 0);
	/* Leaves we hide although the CPU has them. */
	static const uint32_t hidden[] = { 3, 5, 6, 8, 9, 0xa, 0xc, 0xe, 0xf, 0x10, 0x12, 0x14,
					   0x17, 0x1a, 0x1d };
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		expect(hidden[i], 0, &guest1, 0, 0, 0, 0);
}

static void test_leaf1(void **state)
{
	struct cpuid_guest g = { .apic_id = 3, .nr_vcpus = 3, .cr4 = 1u << 18 };
	uint32_t out[4];

	USE(intel);
	ask(1, 0, &guest1, out);
	assert_int_equal(out[0], 0x50654);
	assert_int_equal(out[1], 0x00010800); /* APIC id 0, 1 logical, CLFLUSH 64 */
	/* Host ECX all ones: the allow list, the hypervisor bit, no OSXSAVE
	 * (guest CR4.OSXSAVE clear), none of VMX, SMX, MONITOR, x2APIC, ... */
	assert_int_equal(out[2], 0x76da3203u | B(31));
	assert_int_equal(out[2] & (B(3) | B(4) | B(5) | B(6) | B(7) | B(8) | B(15) | B(21) |
				   B(24) | B(27)), 0);
	/* EDX: no MCE, MCA, PSN, DS, ACPI, TM, PBE, IA64 and no HTT for one. */
	assert_int_equal(out[3], 0x0f8bbb7fu);
	ask(1, 0, &g, out);
	assert_int_equal(out[1], 0x03040800);  /* APIC id 3, 4 addressable ids */
	assert_true(out[2] & B(27));           /* OSXSAVE mirrors CR4 */
	assert_true(out[3] & B(28));           /* HTT */
	USE(amd);
	ask(1, 0, &g, out);
	assert_int_equal(out[0], 0x830f10);
	assert_int_equal(out[1], 0x03040800);
	assert_int_equal(out[2] & B(5), 0);
}

static void test_leaf7(void **state)
{
	USE(intel);
	expect(7, 0, &guest1, 1, 0xfdbf23e9, 0x1a405f47, 0x0080451c);
	expect(7, 1, &guest1, 0x1c30, 0, 0, 0);
	expect(7, 2, &guest1, 0, 0, 0, 0);
	expect(7, 100, &guest1, 0, 0, 0, 0);
	/* Spot checks: no SGX, HLE, RTM, INVPCID, MPX, PT; no WAITPKG, PKU,
	 * LA57; no PCONFIG, IBRS/IBPB, STIBP, ARCH_CAPABILITIES, AMX. RDPID
	 * (22) shows: each vcpu has its TSC_AUX. */
	uint32_t out[4];
	ask(7, 0, &guest1, out);
	assert_int_equal(out[1] & (B(2) | B(4) | B(10) | B(11) | B(14) | B(25)), 0);
	assert_int_equal(out[2] & (B(3) | B(4) | B(5) | B(16)), 0);
	assert_int_equal(out[3] & (B(18) | B(24) | B(26) | B(27) | B(29)), 0);
	USE(amd);
	expect(7, 0, &guest1, 0, 0xfdbf23e9, 0x1a405f47, 0x0080451c);
}

static void test_topology(void **state)
{
	struct cpuid_guest g = { .apic_id = 5, .nr_vcpus = 6 };

	USE(intel);
	for (uint32_t leaf = 0xb; leaf <= 0x1f; leaf += 0x14) {
		expect(leaf, 0, &g, 0, 1, 0x100, 5);
		expect(leaf, 1, &g, 3, 6, 0x201, 5);
		expect(leaf, 2, &g, 0, 0, 2, 5);
		expect(leaf, 0x1234, &g, 0, 0, 0x34, 5);
	}
	expect(0xb, 1, &guest1, 0, 1, 0x201, 0);
	/* Intel caches: cores per package and sharing from nr_vcpus. */
	expect(4, 0, &g, 0x1c000121, 0x01c0003f, 0x3f, 0);
	expect(4, 2, &g, 0x1c000143, 0x03c0003f, 0x3ff, 0);
	expect(4, 3, &g, 0x1c01c163, 0x0280003f, 0xdfff, 4);
	expect(4, 4, &g, 0, 0, 0, 0);
	struct cpuid_guest zero = { 0 };
	expect(4, 3, &zero, 0x00000163, 0x0280003f, 0xdfff, 4);
	/* AMD: leaf 4 is reserved (zeros); 0x80000008 ECX has the cores. */
	USE(amd);
	expect(4, 0, &g, 0, 0, 0, 0);
	expect(0x80000008, 0, &g, 0x3030, 0x205, 0x3005, 0);
	expect(0x80000008, 0, &guest1, 0x3030, 0x205, 0, 0);
}

static void test_xsave(void **state)
{
	struct cpuid_guest g = guest1;

	USE(intel);
	/* Offered: x87, SSE, AVX, AVX-512 (0xe7); not MPX, PKRU, AMX. With
	 * XCR0 unknown, EBX covers all offered; ECX always does. */
	expect(0xd, 0, &g, 0xe7, 2688, 2688, 0);
	g.xcr0 = 0x7;
	expect(0xd, 0, &g, 0xe7, 832, 2688, 0);
	g.xcr0 = 0x207; /* PKRU is not offered: not counted */
	expect(0xd, 0, &g, 0xe7, 832, 2688, 0);
	/* Subleaf 1: XSAVEOPT, XSAVEC, XGETBV1; not XSAVES, XFD; no XSS. */
	g.xcr0 = 0xe7;
	expect(0xd, 1, &g, 0x7, 576 + 256 + 64 + 512 + 1024, 0, 0);
	expect(0xd, 2, &g, 256, 576, 0, 0);
	expect(0xd, 7, &g, 1024, 1664, 0, 0);
	expect(0xd, 3, &g, 0, 0, 0, 0);
	expect(0xd, 9, &g, 0, 0, 0, 0);
	expect(0xd, 18, &g, 0, 0, 0, 0);
	expect(0xd, 63, &g, 0, 0, 0, 0);
	expect(0xd, 1000, &g, 0, 0, 0, 0);
	USE(amd);
	g.xcr0 = 0;
	expect(0xd, 0, &g, 0x7, 832, 832, 0);
}

/* A CPU with odd XSAVE sizes: AVX 200 bytes, opmask 64-byte aligned. */
static void odd_host(uint32_t leaf, uint32_t sub, uint32_t regs[4])
{
	memset(regs, 0, 16);
	if (leaf == 0)
		regs[0] = 0xd;
	else if (leaf == 0xd && sub == 0)
		regs[0] = 0x27;
	else if (leaf == 0xd && sub == 1)
		regs[0] = 0x2;
	else if (leaf == 0xd && sub == 2)
		regs[0] = 200, regs[1] = 576;
	else if (leaf == 0xd && sub == 5)
		regs[0] = 64, regs[1] = 1088, regs[2] = 2;
}

static void test_xsave_compacted(void **state)
{
	struct cpuid_guest g = { .nr_vcpus = 1, .xcr0 = 0x27 };
	uint32_t out[4];

	cpuid_policy(0xd, 1, &g, odd_host, out);
	assert_int_equal(out[1], 896); /* 576 + 200 -> 832 aligned, + 64 */
	cpuid_policy(0xd, 0, &g, odd_host, out);
	assert_int_equal(out[1], 1152);
	/* No XSAVE at all: leaf 0xD is empty. */
	USE(intel);
	static const struct fake_leaf noxsave[] = {
		{ 0, 0, { 0xd, 0, 0, 0 } }, { 0x80000000, 0, { 0x80000001, 0, 0, 0 } } };
	USE(noxsave);
	expect(0xd, 0, &g, 0, 0, 0, 0);
	expect(0xd, 1, &g, 0, 0, 0, 0);
}

static void test_hypervisor_leaves(void **state)
{
	uint32_t out[4];
	char id[13] = { 0 };

	USE(intel);
	ask(0x40000000, 0, &guest1, out);
	assert_int_equal(out[0], 0x40000010);
	memcpy(id, &out[1], 12);
	assert_string_equal(id, "EyrieEyrieHV");
	expect(0x40000001, 0, &guest1, 0x00000001, 0, 0, 0);
	expect(0x40000010, 0, &guest1, 2100000, 0, 0, 0);
	expect(0x40000002, 0, &guest1, 0, 0, 0, 0);
	expect(0x4000000f, 0, &guest1, 0, 0, 0, 0);
	expect(0x40000011, 0, &guest1, 0, 0, 0, 0);
	expect(0x400000ff, 0, &guest1, 0, 0, 0, 0);
	expect(0x40000100, 0, &guest1, 0, 0, 0, 0); /* KVM's: with the platform only */
	expect(0x40000200, 0, &guest1, 0, 0, 0, 0);
	expect(0x3fffffff, 0, &guest1, 0, 0, 0, 0);
	assert_int_equal(host_calls, 0);
	/* The hypervisor bit is set even when the CPU runs bare. */
	ask(1, 0, &guest1, out);
	assert_true(out[2] & B(31));
}

static void test_extended(void **state)
{
	uint32_t out[4];

	USE(amd);
	expect(0x80000000, 0, &guest1, 0x80000008, 0x68747541, 0x444d4163, 0x69746e65);
	ask(0x80000001, 0, &guest1, out);
	assert_int_equal(out[0], 0x830f10);
	assert_int_equal(out[1], 0x40000000);
	/* ECX: LAHF, ABM, SSE4A, MISALIGNSSE, PREFETCHW, XOP, FMA4, TBM only:
	 * no SVM, SKINIT, WDT, IBS, LWP, TOPOEXT, perf counters, MWAITX. */
	assert_int_equal(out[2], 0x002109e1);
	/* EDX: no FFXSR, MCE, MCA; RDTSCP, LM, NX, 1 GiB pages stay. */
	assert_int_equal(out[3], 0xedd3bb7f);
	expect(0x80000005, 0, &guest1, 0xff40ff40, 0xff40ff40, 0x20080140, 0x20020140);
	expect(0x80000007, 0, &guest1, 0, 0, 0, 0x100);
	expect(0x8000000a, 0, &guest1, 0, 0, 0, 0); /* SVM: above our maximum */
	expect(0x8000001f, 0, &guest1, 0, 0, 0, 0);
	expect(0xffffffff, 0, &guest1, 0, 0, 0, 0);
	USE(intel);
	expect(0x80000000, 0, &guest1, 0x80000008, 0, 0, 0);
	expect(0x80000001, 0, &guest1, 0, 0, 0x121, 0x2c100800); /* RDTSCP too */
	expect(0x80000002, 0, &guest1, 0x65746e49, 0x2952286c, 0x6f655820, 0x2952286e);
	expect(0x80000008, 0, &guest1, 0x302e, 0, 0, 0); /* 57 -> 48 linear bits */
}

static void test_cost(void **state)
{
	uint32_t out[4];

	/* The common leaves ask the CPU at most twice. */
	USE(intel);
	ask(0, 0, &guest1, out);
	assert_int_equal(host_calls, 1);
	host_calls = 0;
	ask(1, 0, &guest1, out);
	assert_int_equal(host_calls, 1);
	host_calls = 0;
	ask(7, 0, &guest1, out);
	assert_int_equal(host_calls, 2);
}

/* hide_xsave: no XSAVE, AVX-class features or leaf 0xD; the rest stays. */
/* The virtual PC platform: x2APIC and TSC-deadline shown, leaf 0x15 gives
 * the TSC rate on a 1 GHz crystal even where the CPU (AMD) has no 0x15. */
static void test_vlapic(void **state)
{
	const struct cpuid_guest g = { .nr_vcpus = 1, .tsc_khz = 2100000, .vlapic = true };
	uint32_t out[4];

	USE(amd);
	expect(0, 0, &g, 0x15, 0x68747541, 0x444d4163, 0x69746e65);
	expect(0x15, 0, &g, 1000000, 2100000, 1000000000, 0);
	expect(0x14, 0, &g, 0, 0, 0, 0);
	ask(1, 0, &g, out);
	assert_int_equal(out[2] & (B(21) | B(24)), B(21) | B(24));
	expect(0x40000010, 0, &g, 2100000, 1000000, 0, 0);
	expect(0x40000100, 0, &g, 0x40000101, 0x4b4d564b, 0x564b4d56, 0x4d);
	expect(0x40000101, 0, &g, (1u << 3) | (1u << 24), 0, 0, 0);
	expect(0x40000102, 0, &g, 0, 0, 0, 0);
	expect(0x40000100, 0, &guest1, 0, 0, 0, 0); /* not without the platform */
	USE(intel);
	expect(0, 0, &g, 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69);
	expect(0x15, 0, &g, 1000000, 2100000, 1000000000, 0);
	ask(1, 0, &guest1, out); /* without the platform: neither */
	assert_int_equal(out[2] & (B(21) | B(24)), 0);
}

/* PVH domains see Xen's leaves at 0x40000000. */
static void test_xen_leaves(void **state)
{
	const struct cpuid_guest g = { .apic_id = 2, .nr_vcpus = 4, .tsc_khz = 2100000, .xen = true,
				       .domid = 7 };
	uint32_t out[4];
	char id[13] = { 0 };

	USE(amd);
	ask(0x40000000, 0, &g, out);
	assert_int_equal(out[0], 0x40000004);
	memcpy(id, &out[1], 12);
	assert_string_equal(id, "XenVMMXenVMM");
	expect(0x40000001, 0, &g, 0x00040011, 0, 0, 0);
	expect(0x40000002, 0, &g, 1, 0x40000000, 0, 0);
	expect(0x40000003, 0, &g, 0, 0, 2100000, 0); /* guest TSC kHz */
	expect(0x40000003, 1, &g, 0, 0, 0, 0);
	expect(0x40000003, 2, &g, 2100000, 0, 0, 0);
	expect(0x40000004, 0, &g, (1u << 3) | (1u << 4), 2, 7, 0);
	expect(0x40000010, 0, &g, 0, 0, 0, 0); /* Eyrie's timing leaf is not there */
	expect(0x40000100, 0, &g, 0, 0, 0, 0);
	/* With the PC platform too: still no KVM leaves beside Xen's (Linux
	 * would take KVM for its platform and skip its Xen set-up). */
	const struct cpuid_guest gp = { .nr_vcpus = 1, .tsc_khz = 2100000, .xen = true, .vlapic = true };
	expect(0x40000100, 0, &gp, 0, 0, 0, 0);
	expect(0x40000101, 0, &gp, 0, 0, 0, 0);
	ask(0x40000000, 0, &gp, out);
	memcpy(id, &out[1], 12);
	assert_string_equal(id, "XenVMMXenVMM");
}

static void test_hide_xsave(void **state)
{
	struct cpuid_guest g = guest1;
	uint32_t out[4];

	USE(intel);
	g.hide_xsave = true;
	g.cr4 = 1u << 18;
	ask(1, 0, &g, out);
	assert_false(out[2] & (B(12) | B(26) | B(27) | B(28) | B(29)));
	assert_true(out[2] & B(31));        /* still a hypervisor */
	assert_true(out[3] & B(25));        /* SSE stays */
	ask(7, 0, &g, out);
	assert_false(out[1] & (B(5) | B(16) | B(30) | B(31))); /* AVX2, AVX-512 */
	ask(0xd, 0, &g, out);
	assert_int_equal(out[0] | out[1] | out[2] | out[3], 0);
	ask(0xd, 1, &g, out);
	assert_int_equal(out[0] | out[1] | out[2] | out[3], 0);
}

/* CR4 and EFER bits follow the leaves the guest is shown. */
static void test_control_bits(void **state)
{
	struct cpuid_guest g = guest1;
	/* VME, PVI, TSD, DE, PSE, PAE, PGE, PCE, OSFXSR, OSXMMEXCPT; UMIP,
	 * FSGSBASE, PCIDE, SMEP, SMAP from leaf 7 and 1; with XSAVE, OSXSAVE. */
	const uint64_t base = 0x7bfull | B(11) | B(16) | B(17) | B(20) | B(21);

	USE(intel);
	assert_int_equal(cpuid_cr4_allowed(&g, host), base | B(18));
	g.hide_xsave = true;
	assert_int_equal(cpuid_cr4_allowed(&g, host), base); /* no OSXSAVE */
	/* Never: MCE (bit 6: MCE hidden), VMXE, SMXE, LA57, PKE, CET, PKS. */
	assert_false(cpuid_cr4_allowed(&g, host) &
		     (B(6) | B(12) | B(13) | B(14) | B(22) | B(23) | B(24)));
	assert_int_equal(cpuid_efer_allowed(&g, host), 0xd01); /* SCE, LME, LMA, NXE */
	uint32_t out[4];
	ask(0x80000001, 0, &g, out);
	assert_true(out[3] & B(27)); /* RDTSCP: each vcpu has its TSC_AUX */
	ask(7, 0, &g, out);
	assert_true(out[2] & B(22)); /* RDPID */
	USE(amd);
	assert_int_equal(cpuid_cr4_allowed(&g, host), base);
	assert_int_equal(cpuid_efer_allowed(&g, host), 0xd01);
}

/* XSETBV's value: within the offer (leaf 0xD.0 EDX:EAX), x87 always,
 * AVX with SSE, AVX-512's three components together and with AVX. */
static void test_xcr0(void **state)
{
	struct cpuid_guest g = guest1;

	USE(intel);
	uint64_t all = cpuid_xcr0_allowed(&g, host);
	assert_int_equal(all, 0xe7); /* the CPU's 0x602ff without MPX, PKRU, AMX */
	static const uint64_t good[] = { 1, 3, 7, 0xe7 };
	static const uint64_t bad[] = { 0, 2, 4, 5, 6, 0xe3, 0x27, 0x67, 0xa7, 0xc7, 0x1f,
					0x207, 0x60007, 1ull << 63 | 7 };
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(cpuid_xcr0_valid(good[i], all));
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(cpuid_xcr0_valid(bad[i], all));
	assert_false(cpuid_xcr0_valid(0xe7, 7)); /* AVX-512 not offered */
	assert_false(cpuid_xcr0_valid(7, 3));    /* AVX not offered */
	g.hide_xsave = true;
	assert_int_equal(cpuid_xcr0_allowed(&g, host), 0);
	assert_false(cpuid_xcr0_valid(1, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hide_xsave),
		cmocka_unit_test(test_control_bits),
		cmocka_unit_test(test_xcr0),
		cmocka_unit_test(test_vlapic),
		cmocka_unit_test(test_xen_leaves),
		cmocka_unit_test(test_leaf0_and_max),
		cmocka_unit_test(test_leaf1),
		cmocka_unit_test(test_leaf7),
		cmocka_unit_test(test_topology),
		cmocka_unit_test(test_xsave),
		cmocka_unit_test(test_xsave_compacted),
		cmocka_unit_test(test_hypervisor_leaves),
		cmocka_unit_test(test_extended),
		cmocka_unit_test(test_cost),
	};
	return cmocka_run_group_tests_name("cpuid", tests, NULL, NULL);
}
