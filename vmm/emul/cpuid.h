/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest CPUID policy (pure, host-tested): what a guest sees for each
 * CPUID leaf, derived from the real CPU through allow lists. The tables
 * of what is shown, changed and hidden are in docs/vmm-policy.md.
 */
#ifndef EYRIE_VMM_CPUID_H
#define EYRIE_VMM_CPUID_H

#include <stdbool.h>
#include <stdint.h>

/* What the policy needs to know about the asking vcpu. */
struct cpuid_guest {
	uint32_t apic_id;   /* initial APIC id (leaf 1 EBX, 0xB/0x1F EDX) */
	uint32_t nr_vcpus;  /* vcpus of the domain, one thread per core (0 = 1) */
	uint64_t cr4;       /* guest CR4: OSXSAVE (bit 18) is mirrored in leaf 1 */
	uint32_t tsc_khz;   /* guest TSC frequency, for leaf 0x40000010 */
	/* Guest XCR0, for the XSAVE area sizes of leaf 0xD (EBX of subleaves
	 * 0 and 1). 0 = not known: the sizes cover every offered component,
	 * an upper bound that is always safe to allocate. */
	uint64_t xcr0;
	/* Hide XSAVE and everything that needs XSAVE-managed state (AVX,
	 * AVX-512, FMA, F16C, XOP, ...): set on a CPU without XSAVE, where the
	 * hypervisor switches only the legacy x87/SSE state (FXSAVE). */
	bool hide_xsave;
	/* The domain has the virtual PC platform (vmm/plat/vplat.c): its local APIC
	 * offers x2APIC and the TSC-deadline timer (leaf 1 ECX 21, 24), and
	 * leaf 0x15 gives the TSC rate on a 1 GHz "crystal", the clock of the
	 * LAPIC timer (0x40000010 EBX in kHz). Leaf 0 then reaches 0x15.
	 * It also offers KVM's paravirtual clock at 0x40000100 (see below). */
	bool vlapic;
	/* A PVH domain (Xen's ABI): 0x40000000-0x40000004 are Xen's leaves
	 * (XenVMMXenVMM, version, the hypercall-page MSR, HVM features with
	 * the vcpu and domain ids) instead of Eyrie's. */
	bool xen;
	uint32_t domid;
};

/* Executes the real CPUID: regs = { EAX, EBX, ECX, EDX }. */
typedef void (*cpuid_host_fn)(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

/* Eyrie's hypervisor leaves (0x40000000-0x400000FF). */
#define CPUID_HV_BASE    0x40000000u
#define CPUID_HV_MAX     0x40000010u /* EAX of 0x40000000 */
#define CPUID_HV_VERSION 0x00000001u /* 0x40000001 EAX: major << 16 | minor */
#define CPUID_HV_TIMING  0x40000010u /* EAX: TSC kHz, EBX: LAPIC bus kHz (0 without) */
#define CPUID_CRYSTAL_HZ 1000000000u /* leaf 0x15 ECX with vlapic */

/* Xen's leaves for PVH domains (xen/include/public/arch-x86/cpuid.h). */
#define CPUID_XEN_MAX        0x40000004u
#define CPUID_XEN_VERSION    ((4u << 16) | 17u)  /* the interface of Xen 4.17 */
#define XEN_HYPERCALL_MSR    0x40000000u         /* 0x40000002 EBX */
#define XEN_HVM_CPUID_VCPU_ID_PRESENT (1u << 3)  /* 0x40000004 EAX */
#define XEN_HVM_CPUID_DOMID_PRESENT   (1u << 4)

/* With vlapic: KVM's leaves at 0x40000100, offering only the paravirtual
 * clock (MSRs 0x4b564d00/01, vmm/plat/vplat.c), the one way Linux on AMD CPUs
 * learns the TSC rate without calibrating it against the PIT. */
#define CPUID_KVM_BASE     0x40000100u
#define CPUID_KVM_FEATURES ((1u << 3) | (1u << 24)) /* CLOCKSOURCE2, STABLE_BIT */

/* The highest basic and extended leaves a guest is shown (or less, when
 * the CPU has less). */
#define CPUID_MAX_BASIC 0x1fu
#define CPUID_MAX_EXT   0x80000008u

/*
 * What the guest's CPUID(leaf, subleaf) returns: out = { EAX, EBX, ECX,
 * EDX }. Calls host for the real values it derives from (at most twice,
 * more only for leaf 0xD). Unknown leaves and leaves above the maximum
 * return zeros (AMD's behaviour; Intel CPUs repeat their highest basic leaf).
 */
void cpuid_policy(uint32_t leaf, uint32_t subleaf, const struct cpuid_guest *g,
		  cpuid_host_fn host, uint32_t out[4]);

/* The CR4 bits a guest may set: those whose feature its CPUID (the policy
 * above) offers, and PCE. A MOV to CR4 setting any other bit raises #GP. */
uint64_t cpuid_cr4_allowed(const struct cpuid_guest *g, cpuid_host_fn host);
/* The EFER bits it may set, the same way (SCE, LME and LMA, NXE). */
uint64_t cpuid_efer_allowed(const struct cpuid_guest *g, cpuid_host_fn host);
/* The XCR0 bits it may set: the components leaf 0xD offers. */
uint64_t cpuid_xcr0_allowed(const struct cpuid_guest *g, cpuid_host_fn host);
/* Whether XSETBV may load val into XCR0 (else #GP): within allowed, x87
 * set, AVX only with SSE, AVX-512's three components all or none and only
 * with AVX. */
bool cpuid_xcr0_valid(uint64_t val, uint64_t allowed);

#endif
