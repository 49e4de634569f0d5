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
#include "kernel/string.h"

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

/* Computes a leaf's fields after the allow masks (see struct leaf_rule). */
typedef void (*leaf_fn)(uint32_t sub, const struct cpuid_guest *g, cpuid_host_fn host,
			uint32_t out[4]);

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

/* Leaf 0: the CPU's vendor string, the highest basic leaf capped (rule)
 * and with vlapic at least 0x15. */
static void leaf_0(uint32_t sub, const struct cpuid_guest *g, cpuid_host_fn host, uint32_t out[4])
{
	if (g->vlapic && out[EAX] < 0x15)
		out[EAX] = 0x15;
}

/* Leaf 1: signature as is; EBX bits 31:24 initial APIC id, 23:16 logical
 * processors per package (meaningful with HTT, set for more than one
 * vcpu), 15:0 brand index and CLFLUSH size as is. */
static void leaf_1(uint32_t sub, const struct cpuid_guest *g, cpuid_host_fn host, uint32_t out[4])
{
	uint32_t n = nr_vcpus(g);

	out[EBX] = (out[EBX] & 0xffff) | (g->apic_id << 24) | ((1u << order(n)) & 0xff) << 16;
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
static void leaf_4(uint32_t sub, const struct cpuid_guest *g, cpuid_host_fn host, uint32_t out[4])
{
	uint32_t ids = (1u << order(nr_vcpus(g))) - 1;

	if (!(out[EAX] & 0x1f)) {
		out[EAX] = out[EBX] = out[ECX] = out[EDX] = 0;
		return;
	}
	uint32_t level = (out[EAX] >> 5) & 7;
	out[EAX] &= 0x3fff;
	out[EAX] |= (ids & 0x3f) << 26;
	if (level >= 3)
		out[EAX] |= (ids & 0xfff) << 14;
}

/* Leaves 0xB and 0x1F: one thread per core, nr_vcpus cores in a package.
 * Subleaf 0 is the SMT level (shift 0, 1 thread), 1 the core level
 * (shift = bits of the core number), then an invalid level (type 0). */
static void topology(uint32_t sub, const struct cpuid_guest *g, cpuid_host_fn host, uint32_t out[4])
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
static void leaf_d(uint32_t sub, const struct cpuid_guest *g, cpuid_host_fn host, uint32_t out[4])
{
	uint32_t h[4];

	host(0xd, 0, h);
	/* The components of XCR0 a guest may enable. */
	uint64_t offered = (h[EAX] | (uint64_t)h[EDX] << 32) & XCR0_ALLOW;
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
		out[EAX] &= LD_1_EAX_ALLOW;
		out[EBX] = xsave_size(host, xcr0, true);
		out[ECX] = out[EDX] = 0;
	} else if (sub < 63 && (offered & (1ull << sub))) {
		host(0xd, sub, out);
	}
}

/* 0x80000008: physical address bits as is, linear address bits at most
 * 48, no nested-paging guest size (EAX 23:16, masked); EBX through its
 * allow list; ECX: NC (cores - 1) and ApicIdCoreIdSize from nr_vcpus. */
static void ext_8(uint32_t sub, const struct cpuid_guest *g, cpuid_host_fn host, uint32_t out[4])
{
	uint32_t n = nr_vcpus(g), lin = (out[EAX] >> 8) & 0xff;

	out[EAX] = (out[EAX] & 0xff) | (lin < LINEAR_BITS ? lin : LINEAR_BITS) << 8;
	out[ECX] = ((n - 1) & 0xff) | (order(n) & 0xf) << 12;
}

#define SUB_ASKED 0x40 /* the CPU's answer for the subleaf asked */
#define SUB_ONLY  0x80 /* | n: subleaf n only; the others are zeros */
#define ALL { ~0u, ~0u, ~0u, ~0u }

/*
 * A leaf derived from the CPU's: its answer for subleaf 0 whatever is
 * asked (sub 0), or as sub says; each register through allow (all zero:
 * the CPU is not asked, fix computes the leaf); EAX capped at cap (if
 * not 0); then fix, if any; with hide_xsave, less xstate.
 */
struct leaf_rule {
	uint32_t leaf;
	uint8_t sub;
	uint32_t cap;
	leaf_fn fix;
	uint32_t allow[4], xstate[4];
};

/* Passed as is: 2 (cache descriptors), 0x15 (TSC/crystal ratio: the guest
 * TSC runs at the host's rate), 0x16 (nominal frequencies), 0x80000002-4
 * (brand string), 5 and 6 (AMD cache and TLB geometry). */
static const struct leaf_rule rules[] = {
	{ .leaf = 0, .cap = CPUID_MAX_BASIC, .fix = leaf_0, .allow = ALL },
	{ .leaf = 1, .fix = leaf_1, .allow = { ~0u, ~0u, L1_ECX_ALLOW, L1_EDX_ALLOW },
	  .xstate = { 0, 0, L1_ECX_XSTATE, 0 } },
	{ .leaf = 2, .sub = SUB_ASKED, .allow = ALL },
	{ .leaf = 4, .sub = SUB_ASKED, .fix = leaf_4, .allow = ALL },
	{ .leaf = 7, .sub = SUB_ONLY | 0, .cap = 1,
	  .allow = { ~0u, L7_EBX_ALLOW, L7_ECX_ALLOW, L7_EDX_ALLOW },
	  .xstate = { 0, L7_EBX_XSTATE, L7_ECX_XSTATE, L7_EDX_XSTATE } },
	{ .leaf = 7, .sub = SUB_ONLY | 1, .allow = { L7_1_EAX_ALLOW },
	  .xstate = { L7_1_EAX_XSTATE } },
	{ .leaf = 0xb, .fix = topology },
	{ .leaf = 0xd, .fix = leaf_d, .xstate = ALL },
	{ .leaf = 0x15, .sub = SUB_ASKED, .allow = ALL },
	{ .leaf = 0x16, .sub = SUB_ASKED, .allow = ALL },
	{ .leaf = 0x1f, .fix = topology },
	{ .leaf = 0x80000000, .cap = CPUID_MAX_EXT, .allow = ALL },
	{ .leaf = 0x80000001, .allow = { ~0u, ~0u, E1_ECX_ALLOW, E1_EDX_ALLOW },
	  .xstate = { 0, 0, E1_ECX_XSTATE, 0 } },
	{ .leaf = 0x80000002, .sub = SUB_ASKED, .allow = ALL },
	{ .leaf = 0x80000003, .sub = SUB_ASKED, .allow = ALL },
	{ .leaf = 0x80000004, .sub = SUB_ASKED, .allow = ALL },
	{ .leaf = 0x80000005, .sub = SUB_ASKED, .allow = ALL },
	{ .leaf = 0x80000006, .sub = SUB_ASKED, .allow = ALL },
	{ .leaf = 0x80000007, .allow = { 0, 0, 0, E7_EDX_ALLOW } },
	{ .leaf = 0x80000008, .fix = ext_8, .allow = { 0xffff, E8_EBX_ALLOW, 0, 0 } },
};

static const struct leaf_rule *rule_of(uint32_t leaf, uint32_t sub)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct leaf_rule *r = &rules[i];
		if (r->leaf == leaf && (!(r->sub & SUB_ONLY) || sub == (r->sub & ~SUB_ONLY)))
			return r;
	}
	return NULL;
}

enum hv_set { HV_NONE, HV_EYRIE, HV_XEN, HV_KVM };

/* The hypervisor leaves' constant answers: EAX, EBX and the signature
 * (12 characters in EBX, ECX, EDX). Xen's for PVH domains: one hypercall
 * page, no TSC or PV features. */
static const struct hv_leaf {
	uint32_t leaf;
	uint32_t set;
	uint32_t eax, ebx;
	const char *sig;
} hv_leaves[] = {
	{ CPUID_HV_BASE, HV_EYRIE, CPUID_HV_MAX, 0, "EyrieEyrieHV" },
	{ CPUID_HV_BASE + 1, HV_EYRIE, CPUID_HV_VERSION, 0, NULL },
	{ CPUID_HV_BASE, HV_XEN, CPUID_XEN_MAX, 0, "XenVMMXenVMM" },
	{ CPUID_HV_BASE + 1, HV_XEN, CPUID_XEN_VERSION, 0, NULL },
	{ CPUID_HV_BASE + 2, HV_XEN, 1, XEN_HYPERCALL_MSR, NULL },
	{ CPUID_KVM_BASE, HV_KVM, CPUID_KVM_BASE + 1, 0, "KVMKVMKVM\0\0\0" },
	{ CPUID_KVM_BASE + 1, HV_KVM, CPUID_KVM_FEATURES, 0, NULL },
};

/* 0x40000000-0x400000FF: Eyrie's leaves (Xen's for PVH domains); KVM's
 * at 0x40000100 with vlapic, not beside Xen's: a guest would take KVM for
 * its platform. */
static void hypervisor_leaf(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g,
			    uint32_t out[4])
{
	enum hv_set set = g->xen ? HV_XEN : HV_EYRIE;

	if (leaf >= CPUID_KVM_BASE)
		set = g->vlapic && !g->xen ? HV_KVM : HV_NONE;
	for (size_t i = 0; i < sizeof(hv_leaves) / sizeof(hv_leaves[0]); i++) {
		const struct hv_leaf *h = &hv_leaves[i];
		if (h->leaf != leaf || h->set != set)
			continue;
		out[EAX] = h->eax;
		out[EBX] = h->ebx;
		if (h->sig)
			memcpy(&out[EBX], h->sig, 12);
	}
	if (set == HV_EYRIE && leaf == CPUID_HV_TIMING) {
		out[EAX] = g->tsc_khz;
		out[EBX] = g->vlapic ? CPUID_CRYSTAL_HZ / 1000 : 0;
	} else if (set == HV_XEN && leaf == CPUID_HV_BASE + 3 && (sub == 0 || sub == 2)) {
		out[sub ? EAX : ECX] = g->tsc_khz; /* time: the TSC kHz in 0 ECX, 2 EAX */
	} else if (set == HV_XEN && leaf == CPUID_HV_BASE + 4) {
		/* the vcpu and domain ids */
		out[EAX] = XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT;
		out[EBX] = g->apic_id;
		out[ECX] = g->domid;
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

void cpuid_policy(uint32_t leaf, uint32_t subleaf, const struct cpuid_guest *g,
		  cpuid_host_fn host, uint32_t out[4])
{
	const struct leaf_rule *r = rule_of(leaf, subleaf);

	out[EAX] = out[EBX] = out[ECX] = out[EDX] = 0;
	if (leaf - CPUID_HV_BASE <= 0x1ff) {
		hypervisor_leaf(leaf, subleaf, g, out);
		return;
	}
	if (leaf == 0x15 && g->vlapic) { /* TSC = ECX * EBX / EAX = crystal * tsc_khz / 1e6 */
		out[EAX] = g->tsc_khz ? 1000000 : 0;
		out[EBX] = g->tsc_khz;
		out[ECX] = g->tsc_khz ? CPUID_CRYSTAL_HZ : 0;
		return;
	}
	if (!r || !host_has(leaf, leaf & 0x80000000u, host))
		return;
	if (r->allow[EAX] | r->allow[EBX] | r->allow[ECX] | r->allow[EDX])
		host(leaf, r->sub & SUB_ASKED ? subleaf : r->sub & ~SUB_ONLY, out);
	for (unsigned i = 0; i < 4; i++)
		out[i] &= r->allow[i];
	if (r->cap && out[EAX] > r->cap)
		out[EAX] = r->cap;
	if (r->fix)
		r->fix(subleaf, g, host, out);
	for (unsigned i = 0; g->hide_xsave && i < 4; i++)
		out[i] &= ~r->xstate[i];
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
