/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One static inline wrapper per privileged instruction, plus the CPU facts
 * found at boot (arch/x86_64/cpu.c).
 */
#ifndef EYRIE_ARCH_CPU_H
#define EYRIE_ARCH_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_APIC_BASE      0x0000001B
#define MSR_FEATURE_CONTROL 0x0000003A
#define MSR_PAT            0x00000277
#define MSR_EFER           0xC0000080
#define MSR_TSC_AUX        0xC0000103
#define MSR_STAR           0xC0000081 /* STAR .. SFMASK: SYSCALL */
#define MSR_LSTAR          0xC0000082
#define MSR_CSTAR          0xC0000083
#define MSR_SFMASK         0xC0000084
#define MSR_FS_BASE        0xC0000100
#define MSR_GS_BASE        0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102 /* SWAPGS */
#define EFER_SCE  (1u << 0)
#define EFER_LME  (1u << 8)
#define EFER_NXE  (1u << 11)
#define EFER_SVME (1u << 12)
#define EFER_LMA  (1ull << 10)

#define CR0_PE   (1ull << 0)
#define CR0_ET   (1ull << 4)
#define CR0_NW   (1ull << 29)
#define CR0_CD   (1ull << 30)
#define CR0_PG   (1ull << 31)

#define CR0_WP   (1ul << 16)
#define CR4_PAE  (1ul << 5)
#define CR4_PGE  (1ul << 7)
#define CR4_OSFXSR (1ul << 9)
#define CR4_VMXE (1ul << 13)
#define CR4_OSXSAVE (1ul << 18)
#define CR4_SMEP (1ul << 20)
#define CR4_SMAP (1ul << 21)
#define RFLAGS_TF (1ul << 8)
#define RFLAGS_IF (1ul << 9)
#define DR6_BS    (1ul << 14) /* single step */

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(sub));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

#define DEFINE_CR(n) \
	static inline uint64_t read_cr##n(void) { uint64_t v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); return v; } \
	static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

/* Debug registers n = 0-3, 6. */
#define read_dr(n) ({ uint64_t v_; __asm__ volatile("mov %%db" #n ", %0" : "=r"(v_)); v_; })
#define write_dr(n, v) __asm__ volatile("mov %0, %%db" #n : : "r"((uint64_t)(v)))

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* Atomically enable interrupts and wait for one. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void pause(void) { __asm__ volatile("pause"); }
/* The legacy 512-byte x87/SSE state (64-bit form: full FPU IP/DP). */
static inline void fxsave(void *area) { __asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory"); }
static inline void fxrstor(const void *area) { __asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory"); }
/* XSAVE area (64-byte aligned) for the components in mask & XCR0,
 * standard form; XSETBV with CR4.OSXSAVE set. The only instructions of the
 * hypervisor that touch vector registers, with FXSAVE/FXRSTOR above. */
static inline void xsave(void *area, uint64_t mask)
{
	__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32))
			 : "memory");
}
static inline void xrstor(const void *area, uint64_t mask)
{
	__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32))
			 : "memory");
}
static inline void xsetbv(uint32_t xcr, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline uint64_t xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return (uint64_t)hi << 32 | lo;
}
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

/* Saves and disables interrupts; irq_restore puts IF back. */
static inline uint64_t irq_save(void) { uint64_t f = read_rflags(); cli(); return f; }
static inline void irq_restore(uint64_t f) { if (f & RFLAGS_IF) sti(); }

enum cpu_vendor { VENDOR_OTHER, VENDOR_INTEL, VENDOR_AMD };

/* CPU facts read once from CPUID at boot. */
struct cpu_info {
	enum cpu_vendor vendor;
	char vendor_id[13];
	char brand[49];
	uint32_t family, model, stepping;
	uint32_t max_leaf, max_ext_leaf;
	uint8_t phys_addr_bits, virt_addr_bits;
	bool nx, pge, pdpe1gb, smep, smap, x2apic, invariant_tsc, tsc_deadline, rdtscp;
	bool svm, vmx, hypervisor;
};

extern struct cpu_info boot_cpu;

void cpu_identify(struct cpu_info *c);
/* Enables NX, WP, SMEP and SMAP as available on this CPU. */
void cpu_enable_protections(const struct cpu_info *c);
_Noreturn void cpu_halt_forever(void);

#endif
