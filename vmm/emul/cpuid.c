/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest CPUID policy. Every feature bit a guest sees is on an allow
 * list below (or computed): a bit a future CPU defines stays hidden until
 * someone decides to show it. Hidden are features the hypervisor does not
 * virtualize (VMX/SVM, MONITOR/MWAIT, performance counters, debug stores,
 * thermal and power control, SGX, PT, x2APIC and the TSC deadline timer
 * until a virtual LAPIC has them), features that need MSRs the MSR policy
 * refuses (speculation control, TSC_AUX, TSC_ADJUST, machine check), and
 * features that need state the backends do not switch (PKRU, CET, AMX,
 * supervisor XSAVE components). Bit positions: Intel SDM vol. 2 CPUID,
 * AMD APM vol. 3 appendix E. docs/vmm-policy.md has the tables.
 */
#include <stdbool.h>
#include <stddef.h>

#include "vmm/emul/cpuid.h"

enum { EAX, EBX, ECX, EDX };

#define B(n) (1u << (n))

/* Leaf 1 ECX: SSE3, PCLMULQDQ, SSSE3, FMA, CX16, PCID, SSE4.1, SSE4.2,
 * MOVBE, POPCNT, AES, XSAVE, AVX, F16C, RDRAND. Computed: OSXSAVE (27),
 * hypervisor (31). */
#define L1_ECX_ALLOW (B(0) | B(1) | B(9) | B(12) | B(13) | B(17) | B(19) | B(20) | \
		      B(22) | B(23) | B(25) | B(26) | B(28) | B(29) | B(30))
#define L1_ECX_XSAVE   B(26)
/* What hide_xsave removes: state the XSAVE area holds beyond x87/SSE. */
#define L1_ECX_XSTATE  (B(12) | B(26) | B(27) | B(28) | B(29)) /* FMA XSAVE OSXSAVE AVX F16C */
#define L7_EBX_XSTATE  (B(5) | B(16) | B(17) | B(21) | B(26) | B(27) | B(28) | B(30) | B(31))
#define L7_ECX_XSTATE  (B(1) | B(6) | B(9) | B(10) | B(11) | B(12) | B(14))
#define L7_EDX_XSTATE  (B(2) | B(3) | B(8) | B(23))
#define L7_1_EAX_XSTATE (B(4) | B(5))
#define E1_ECX_XSTATE  (B(11) | B(16)) /* XOP, FMA4 */
#define L1_ECX_OSXSAVE B(27)
#define L1_ECX_HV      B(31)
/* Leaf 1 EDX: FPU, VME, DE, PSE, TSC, MSR, PAE, CX8, APIC, SEP, MTRR, PGE,
 * CMOV, PAT, PSE-36, CLFSH, MMX, FXSR, SSE, SSE2, SS. Computed: HTT (28). */
#define L1_EDX_ALLOW (B(0) | B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(8) | B(9) | \
		      B(11) | B(12) | B(13) | B(15) | B(16) | B(17) | B(19) | B(23) | \
		      B(24) | B(25) | B(26) | B(27))
#define L1_EDX_HTT B(28)

/* Leaf 7.0 EBX: FSGSBASE, BMI1, AVX2, FDP_EXCPTN_ONLY, SMEP, BMI2, ERMS,
 * ZERO_FCS_FDS, AVX512F, AVX512DQ, RDSEED, ADX, SMAP, AVX512_IFMA,
 * CLFLUSHOPT, CLWB, AVX512PF, AVX512ER, AVX512CD, SHA, AVX512BW, AVX512VL. */
#define L7_EBX_ALLOW (B(0) | B(3) | B(5) | B(6) | B(7) | B(8) | B(9) | B(13) | B(16) | \
		      B(17) | B(18) | B(19) | B(20) | B(21) | B(23) | B(24) | B(26) | \
		      B(27) | B(28) | B(29) | B(30) | B(31))
/* Leaf 7.0 ECX: PREFETCHWT1, AVX512_VBMI, UMIP, AVX512_VBMI2, GFNI, VAES,
 * VPCLMULQDQ, AVX512_VNNI, AVX512_BITALG, AVX512_VPOPCNTDQ, RDPID,
 * CLDEMOTE, MOVDIRI, MOVDIR64B. */
#define L7_ECX_ALLOW (B(0) | B(1) | B(2) | B(6) | B(8) | B(9) | B(10) | B(11) | B(12) | \
		      B(14) | B(22) | B(25) | B(27) | B(28))
/* Leaf 7.0 EDX: AVX512_4VNNIW, AVX512_4FMAPS, FSRM, AVX512_VP2INTERSECT,
 * MD_CLEAR, SERIALIZE, AVX512_FP16. */
#define L7_EDX_ALLOW (B(2) | B(3) | B(4) | B(8) | B(10) | B(14) | B(23))
/* Leaf 7.1 EAX: AVX-VNNI, AVX512_BF16, fast zero-length MOVSB, fast short
 * STOSB, fast short CMPSB/SCASB. */
#define L7_1_EAX_ALLOW (B(4) | B(5) | B(10) | B(11) | B(12))

/* XSAVE components offered (XCR0 bits): x87, SSE, AVX, AVX-512 opmask,
 * ZMM_Hi256, Hi16_ZMM. Not MPX (3, 4), PKRU (9), AMX (17, 18). */
#define XCR0_ALLOW 0xe7ull
/* Leaf 0xD.1 EAX: XSAVEOPT, XSAVEC, XGETBV with ECX = 1. Not XSAVES (it
 * needs IA32_XSS) nor XFD. */
#define LD_1_EAX_ALLOW (B(0) | B(1) | B(2))
#define XSAVE_LEGACY 576u /* legacy region (512) + XSAVE header (64) */

/* 0x80000001 ECX: LAHF/SAHF in 64-bit mode, ABM (LZCNT), SSE4A,
 * misaligned SSE, 3DNow! PREFETCH, XOP, FMA4, TBM. */
#define E1_ECX_ALLOW (B(0) | B(5) | B(6) | B(7) | B(8) | B(11) | B(16) | B(21))
/* 0x80000001 EDX: AMD's copies of leaf 1 EDX bits (same allow list minus
 * bits AMD defines differently) plus SYSCALL, NX, MMXEXT, 1 GiB pages,
 * RDTSCP (each vcpu has its TSC_AUX), long mode, 3DNow!Ext, 3DNow!. Not
 * FFXSR (EFER.FFXSR is refused). */
#define E1_EDX_ALLOW (B(0) | B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(8) | B(9) | \
		      B(11) | B(12) | B(13) | B(15) | B(16) | B(17) | B(20) | B(22) | \
		      B(23) | B(24) | B(26) | B(27) | B(29) | B(30) | B(31))
/* 0x80000007 EDX: invariant TSC only. */
#define E7_EDX_ALLOW B(8)
/* 0x80000008 EBX: CLZERO, XSAVEERPTR, WBNOINVD. */
#define E8_EBX_ALLOW (B(0) | B(2) | B(9))
#define LINEAR_BITS 48u /* no LA57 */

typedef void (*leaf_fn)(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
			cpuid_host_fn host, uint32_t out[4]);

static uint32_t nr_vcpus(const struct cpuid_guest *g)
{
	return g->nr_vcpus ? g->nr_vcpus : 1;
}

/* Bits needed to number n things: ceil(log2(n)). */
static uint32_t order(uint32_t n)
{
	uint32_t bits = 0;

	while ((1ull << bits) < n)
		bits++;
	return bits;
}

static void pass(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g, cpuid_host_fn host,
		 uint32_t out[4])
{
	host(leaf, sub, out);
}

static void mask(uint32_t out[4], uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	out[EAX] &= a;
	out[EBX] &= b;
	out[ECX] &= c;
	out[EDX] &= d;
}

/* Leaf 0: the highest basic leaf (capped) and the CPU's vendor string. */
static void leaf_0(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
		   cpuid_host_fn host, uint32_t out[4])
{
	host(0, 0, out);
	if (out[EAX] > CPUID_MAX_BASIC)
		out[EAX] = CPUID_MAX_BASIC;
	if (g->vlapic && out[EAX] < 0x15)
		out[EAX] = 0x15;
}

/* Leaf 0x15 with vlapic: TSC = ECX * EBX / EAX = crystal * tsc_khz / 1e6. */
static void leaf_15(const struct cpuid_guest *g, uint32_t out[4])
{
	out[EAX] = 1000000;
	out[EBX] = g->tsc_khz;
	out[ECX] = CPUID_CRYSTAL_HZ;
}

/* Leaf 1: signature as is; EBX bits 31:24 initial APIC id, 23:16 logical
 * processors per package (meaningful with HTT, set for more than one
 * vcpu), 15:0 brand index and CLFLUSH size as is. */
static void leaf_1(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
		   cpuid_host_fn host, uint32_t out[4])
{
	uint32_t n = nr_vcpus(g);

	host(1, 0, out);
	out[EBX] = (out[EBX] & 0xffff) | (g->apic_id << 24) | ((1u << order(n)) & 0xff) << 16;
	mask(out, ~0u, ~0u, L1_ECX_ALLOW, L1_EDX_ALLOW);
	out[ECX] |= L1_ECX_HV;
	if (g->vlapic)
		out[ECX] |= B(21) | B(24); /* x2APIC, TSC-deadline */
	if ((out[ECX] & L1_ECX_XSAVE) && (g->cr4 & (1u << 18)))
		out[ECX] |= L1_ECX_OSXSAVE;
	if (n > 1)
		out[EDX] |= L1_EDX_HTT;
}

/* Leaf 4 (Intel caches): the geometry as is; EAX 31:26 (cores per
 * package - 1) from nr_vcpus; EAX 25:14 (threads sharing - 1): none for
 * L1/L2, the whole package for L3 and beyond. */
static void leaf_4(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
		   cpuid_host_fn host, uint32_t out[4])
{
	uint32_t ids = (1u << order(nr_vcpus(g))) - 1;

	host(4, sub, out);
	if (!(out[EAX] & 0x1f)) {
		mask(out, 0, 0, 0, 0);
		return;
	}
	uint32_t level = (out[EAX] >> 5) & 7;
	out[EAX] &= 0x3fff;
	out[EAX] |= (ids & 0x3f) << 26;
	if (level >= 3)
		out[EAX] |= (ids & 0xfff) << 14;
}

/* Leaf 7: subleaf 0 and 1 through their allow lists, no others. */
static void leaf_7(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
		   cpuid_host_fn host, uint32_t out[4])
{
	if (sub > 1)
		return;
	host(7, sub, out);
	if (sub == 0) {
		if (out[EAX] > 1)
			out[EAX] = 1;
		mask(out, ~0u, L7_EBX_ALLOW, L7_ECX_ALLOW, L7_EDX_ALLOW);
	} else {
		mask(out, L7_1_EAX_ALLOW, 0, 0, 0);
	}
}

/* Leaves 0xB and 0x1F: one thread per core, nr_vcpus cores in a package.
 * Subleaf 0 is the SMT level (shift 0, 1 thread), 1 the core level
 * (shift = bits of the core number), then an invalid level (type 0). */
static void topology(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
		     cpuid_host_fn host, uint32_t out[4])
{
	uint32_t n = nr_vcpus(g);

	out[ECX] = sub & 0xff;
	out[EDX] = g->apic_id;
	if (sub == 0) {
		out[EBX] = 1;
		out[ECX] |= 1u << 8;
	} else if (sub == 1) {
		out[EAX] = order(n);
		out[EBX] = n & 0xffff;
		out[ECX] |= 2u << 8;
	}
}

/* The components of XCR0 a guest may enable. */
static uint64_t xcr0_offered(cpuid_host_fn host)
{
	uint32_t r[4];

	host(0xd, 0, r);
	return (r[EAX] | (uint64_t)r[EDX] << 32) & XCR0_ALLOW;
}

/* XSAVE area size for the components in xcr0, standard (offsets fixed by
 * the CPU: the end of the last component) or compacted (each component
 * after the previous, 64-byte aligned when subleaf ECX bit 1 says so). */
static uint32_t xsave_size(cpuid_host_fn host, uint64_t xcr0, bool compacted)
{
	uint32_t size = XSAVE_LEGACY, r[4];

	for (uint32_t i = 2; i < 63; i++) {
		if (!(xcr0 & (1ull << i)))
			continue;
		host(0xd, i, r);
		if (!compacted) {
			if (r[EBX] + r[EAX] > size)
				size = r[EBX] + r[EAX];
			continue;
		}
		if (r[ECX] & 2)
			size = (size + 63) & ~63u;
		size += r[EAX];
	}
	return size;
}

/* Leaf 0xD: XSAVE, restricted to the offered user components. EBX of
 * subleaves 0 and 1 is computed for the guest's XCR0: the CPU's own value
 * would describe the hypervisor's XCR0. */
static void leaf_d(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
		   cpuid_host_fn host, uint32_t out[4])
{
	uint64_t offered = xcr0_offered(host);
	uint64_t xcr0 = g->xcr0 ? g->xcr0 & offered : offered;

	if (!offered)
		return; /* no XSAVE */
	if (sub == 0) {
		out[EAX] = (uint32_t)offered;
		out[EDX] = (uint32_t)(offered >> 32);
		out[EBX] = xsave_size(host, xcr0, false);
		out[ECX] = xsave_size(host, offered, false);
	} else if (sub == 1) {
		host(0xd, 1, out);
		mask(out, LD_1_EAX_ALLOW, 0, 0, 0);
		out[EBX] = xsave_size(host, xcr0, true);
	} else if (sub < 63 && (offered & (1ull << sub))) {
		host(0xd, sub, out);
	}
}

static void ext_0(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
		  cpuid_host_fn host, uint32_t out[4])
{
	host(leaf, 0, out);
	if (out[EAX] > CPUID_MAX_EXT)
		out[EAX] = CPUID_MAX_EXT;
}

static void ext_1(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
		  cpuid_host_fn host, uint32_t out[4])
{
	host(leaf, 0, out);
	mask(out, ~0u, ~0u, E1_ECX_ALLOW, E1_EDX_ALLOW);
}

static void ext_7(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
		  cpuid_host_fn host, uint32_t out[4])
{
	host(leaf, 0, out);
	mask(out, 0, 0, 0, E7_EDX_ALLOW);
}

/* 0x80000008: physical address bits as is, linear address bits at most
 * 48, no nested-paging guest size (EAX 23:16); EBX through its allow
 * list; ECX: NC (cores - 1) and ApicIdCoreIdSize from nr_vcpus. */
static void ext_8(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
		  cpuid_host_fn host, uint32_t out[4])
{
	uint32_t n = nr_vcpus(g);

	host(leaf, 0, out);
	uint32_t lin = (out[EAX] >> 8) & 0xff;
	out[EAX] = (out[EAX] & 0xff) | (lin < LINEAR_BITS ? lin : LINEAR_BITS) << 8;
	out[EBX] &= E8_EBX_ALLOW;
	out[ECX] = ((n - 1) & 0xff) | (order(n) & 0xf) << 12;
	out[EDX] = 0;
}

/* Basic leaves; NULL = all zeros. Passed as is: 2 (cache descriptors),
 * 0x15 (TSC/crystal ratio: the guest TSC runs at the host's rate), 0x16
 * (nominal frequencies). */
static const leaf_fn basic[CPUID_MAX_BASIC + 1] = {
	[0x0] = leaf_0, [0x1] = leaf_1, [0x2] = pass, [0x4] = leaf_4, [0x7] = leaf_7,
	[0xb] = topology, [0xd] = leaf_d, [0x15] = pass, [0x16] = pass, [0x1f] = topology,
};

/* Extended leaves from 0x80000000; 2-4 (brand string), 5 and 6 (AMD
 * cache and TLB geometry) as is. */
static const leaf_fn extended[CPUID_MAX_EXT - 0x80000000u + 1] = {
	ext_0, ext_1, pass, pass, pass, pass, pass, ext_7, ext_8,
};

/* Packs four characters the way CPUID returns strings in a register. */
static uint32_t chars(const char *s)
{
	return (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
}

/* Xen's leaves for PVH domains: one hypercall page, no TSC or PV
 * features; vcpu and domain ids in 0x40000004. */
static void xen_leaf(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g, uint32_t out[4])
{
	switch (leaf) {
	case CPUID_HV_BASE:
		out[EAX] = CPUID_XEN_MAX;
		out[EBX] = chars("XenV");
		out[ECX] = chars("MMXe");
		out[EDX] = chars("nVMM");
		break;
	case CPUID_HV_BASE + 1:
		out[EAX] = CPUID_XEN_VERSION;
		break;
	case CPUID_HV_BASE + 2:
		out[EAX] = 1;
		out[EBX] = XEN_HYPERCALL_MSR;
		break;
	case CPUID_HV_BASE + 3: /* time: subleaf 0 ECX and 2 EAX the TSC kHz */
		if (sub == 0)
			out[ECX] = g->tsc_khz;
		else if (sub == 2)
			out[EAX] = g->tsc_khz;
		break;
	case CPUID_HV_BASE + 4:
		out[EAX] = XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT;
		out[EBX] = g->apic_id;
		out[ECX] = g->domid;
		break;
	}
}

/* 0x40000000-0x400000FF: Eyrie's leaves (Xen's for PVH domains). */
static void hypervisor_leaf(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
			    uint32_t out[4])
{
	if (g->xen && leaf <= CPUID_HV_BASE + 0xff) {
		xen_leaf(leaf, sub, g, out);
		return;
	}
	switch (leaf) {
	case CPUID_HV_BASE:
		out[EAX] = CPUID_HV_MAX;
		out[EBX] = chars("Eyri");
		out[ECX] = chars("eEyr");
		out[EDX] = chars("ieHV");
		break;
	case CPUID_HV_BASE + 1:
		out[EAX] = CPUID_HV_VERSION;
		break;
	case CPUID_HV_TIMING:
		out[EAX] = g->tsc_khz;
		out[EBX] = g->vlapic ? CPUID_CRYSTAL_HZ / 1000 : 0;
		break;
	case CPUID_KVM_BASE: /* not beside Xen's: a guest would take KVM for its platform */
		if (!g->vlapic || g->xen)
			break;
		out[EAX] = CPUID_KVM_BASE + 1;
		out[EBX] = chars("KVMK");
		out[ECX] = chars("VMKV");
		out[EDX] = chars("M\0\0\0");
		break;
	case CPUID_KVM_BASE + 1:
		out[EAX] = g->vlapic && !g->xen ? CPUID_KVM_FEATURES : 0;
		break;
	}
}

/* Is leaf within the CPU's own range (base: 0 or 0x80000000)? Leaves 0,
 * 1, 0x80000000 and 0x80000001 exist on every x86-64 CPU: no need to ask. */
static bool host_has(uint32_t leaf, uint32_t base, cpuid_host_fn host)
{
	uint32_t r[4];

	if (leaf - base <= 1)
		return true;
	host(base, 0, r);
	return leaf <= r[EAX];
}

/* Removes XSAVE and the features whose state lives in the XSAVE area. */
static void hide_xstate(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	if (leaf == 1) {
		out[ECX] &= ~L1_ECX_XSTATE;
	} else if (leaf == 7 && sub == 0) {
		out[EBX] &= ~L7_EBX_XSTATE;
		out[ECX] &= ~L7_ECX_XSTATE;
		out[EDX] &= ~L7_EDX_XSTATE;
	} else if (leaf == 7 && sub == 1) {
		out[EAX] &= ~L7_1_EAX_XSTATE;
	} else if (leaf == 0xd) {
		out[EAX] = out[EBX] = out[ECX] = out[EDX] = 0;
	} else if (leaf == 0x80000001) {
		out[ECX] &= ~E1_ECX_XSTATE;
	}
}

void cpuid_policy(uint32_t leaf, uint32_t subleaf, const struct cpuid_guest *g,
		  cpuid_host_fn host, uint32_t out[4])
{
	uint32_t base = leaf & 0x80000000u;
	leaf_fn fn = NULL;

	out[EAX] = out[EBX] = out[ECX] = out[EDX] = 0;
	if (leaf - CPUID_HV_BASE <= 0x1ff) {
		hypervisor_leaf(leaf, subleaf, g, out);
		return;
	}
	if (leaf == 0x15 && g->vlapic) {
		if (g->tsc_khz)
			leaf_15(g, out);
		return;
	}
	if (leaf <= CPUID_MAX_BASIC)
		fn = basic[leaf];
	else if (leaf - 0x80000000u <= CPUID_MAX_EXT - 0x80000000u)
		fn = extended[leaf - 0x80000000u];
	if (fn && host_has(leaf, base, host))
		fn(leaf, subleaf, g, host, out);
	if (g->hide_xsave)
		hide_xstate(leaf, subleaf, out);
}

/*
 * CR4 bits whose feature the guest is shown (SDM vol. 3, 2.5; APM vol. 2,
 * 3.1.3): each bit with the CPUID flag that offers it. PCE has no flag
 * (RDPMC itself is always there); VMXE, SMXE, PKE, CET, PKS, KL, LA57 and
 * the rest have hidden flags or none: setting them must #GP.
 */
static const struct { uint8_t cr4_bit, leaf_idx, reg, flag; } cr4_flags[] = {
	{ 0, 0, EDX, 1 }, { 1, 0, EDX, 1 },     /* VME, PVI: VME */
	{ 2, 0, EDX, 4 }, { 3, 0, EDX, 2 },     /* TSD: TSC; DE */
	{ 4, 0, EDX, 3 }, { 5, 0, EDX, 6 },     /* PSE; PAE */
	{ 6, 0, EDX, 7 }, { 7, 0, EDX, 13 },    /* MCE; PGE */
	{ 9, 0, EDX, 24 }, { 10, 0, EDX, 25 },  /* OSFXSR: FXSR; OSXMMEXCPT: SSE */
	{ 11, 1, ECX, 2 }, { 12, 1, ECX, 16 },  /* UMIP; LA57 */
	{ 13, 0, ECX, 5 }, { 14, 0, ECX, 6 },   /* VMXE: VMX; SMXE: SMX */
	{ 16, 1, EBX, 0 }, { 17, 0, ECX, 17 },  /* FSGSBASE; PCIDE: PCID */
	{ 18, 0, ECX, 26 }, { 20, 1, EBX, 7 },  /* OSXSAVE: XSAVE; SMEP */
	{ 21, 1, EBX, 20 }, { 22, 1, ECX, 3 },  /* SMAP; PKE: PKU */
	{ 23, 1, ECX, 7 }, { 24, 1, ECX, 31 },  /* CET: CET_SS; PKS */
};

uint64_t cpuid_cr4_allowed(const struct cpuid_guest *g, cpuid_host_fn host)
{
	uint32_t r[2][4];
	uint64_t allowed = 1u << 8; /* PCE */

	cpuid_policy(1, 0, g, host, r[0]);
	cpuid_policy(7, 0, g, host, r[1]);
	for (unsigned i = 0; i < sizeof(cr4_flags) / sizeof(cr4_flags[0]); i++)
		if (r[cr4_flags[i].leaf_idx][cr4_flags[i].reg] & B(cr4_flags[i].flag))
			allowed |= 1ull << cr4_flags[i].cr4_bit;
	return allowed;
}

/* EFER: SCE with SYSCALL, LME (and LMA) with long mode, NXE with NX
 * (0x80000001 EDX 11, 29, 20); the rest (SVME, LMSLE, FFXSR, TCE) hidden. */
uint64_t cpuid_efer_allowed(const struct cpuid_guest *g, cpuid_host_fn host)
{
	uint32_t r[4];

	cpuid_policy(0x80000001, 0, g, host, r);
	return (r[EDX] & B(11) ? 1u : 0) | (r[EDX] & B(29) ? 0x500u : 0) | (r[EDX] & B(20) ? 0x800u : 0);
}

/* XCR0: the components leaf 0xD.0 EDX:EAX offers (none while XSAVE is
 * hidden: XSETBV then has nothing to accept). */
uint64_t cpuid_xcr0_allowed(const struct cpuid_guest *g, cpuid_host_fn host)
{
	uint32_t r[4];

	cpuid_policy(0xd, 0, g, host, r);
	return r[EAX] | (uint64_t)r[EDX] << 32;
}

/* SDM vol. 1 13.3, APM vol. 2 11.5.2: x87 always; AVX only with SSE; the
 * three AVX-512 components together and only with AVX; nothing else. */
bool cpuid_xcr0_valid(uint64_t val, uint64_t allowed)
{
	uint64_t avx512 = val & 0xe0;

	return (val & 1) && !(val & ~allowed) && (!(val & 4) || (val & 2)) &&
	       (!avx512 || (avx512 == 0xe0 && (val & 4)));
}
