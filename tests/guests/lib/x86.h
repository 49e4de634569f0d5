/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One static inline wrapper per privileged instruction the test guests use.
 * The *_safe variants (32-bit guests only) arm the runtime's fault fixup:
 * a fault in the instruction resumes after it and they return the vector
 * (-1 when nothing faulted).
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void pause(void) { __asm__ volatile("pause" ::: "memory"); }

static inline unsigned long read_cr0(void)
{
	unsigned long v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr4(void)
{
	unsigned long v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(unsigned long v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

#ifndef __x86_64__
/* Set by the trap handler when fault_fixup is armed (see idt.c). */
extern volatile uint32_t fault_fixup;
extern volatile int fault_vector;
extern volatile uint32_t fault_error;

static inline int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	fault_vector = -1;
	__asm__ volatile("movl $1f, %[fx]\n\t"
			 "rdmsr\n"
			 "1:\tmovl $0, %[fx]"
			 : "+a"(lo), "+d"(hi), [fx] "=m"(fault_fixup) : "c"(msr) : "memory");
	*val = ((uint64_t)hi << 32) | lo;
	return fault_vector;
}

/* XSETBV / XGETBV of extended control register xcr: -1 or the vector. */
static inline int xsetbv_safe(uint32_t xcr, uint64_t v)
{
	fault_vector = -1;
	__asm__ volatile("movl $1f, %[fx]\n\t"
			 "xsetbv\n"
			 "1:\tmovl $0, %[fx]"
			 : [fx] "=m"(fault_fixup)
			 : "c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
	return fault_vector;
}

static inline int xgetbv_safe(uint32_t xcr, uint64_t *v)
{
	uint32_t lo = 0, hi = 0;

	fault_vector = -1;
	__asm__ volatile("movl $1f, %[fx]\n\t"
			 "xgetbv\n"
			 "1:\tmovl $0, %[fx]"
			 : "+a"(lo), "+d"(hi), [fx] "=m"(fault_fixup) : "c"(xcr) : "memory");
	*v = (uint64_t)hi << 32 | lo;
	return fault_vector;
}

static inline int wrmsr_safe(uint32_t msr, uint64_t v)
{
	fault_vector = -1;
	__asm__ volatile("movl $1f, %[fx]\n\t"
			 "wrmsr\n"
			 "1:\tmovl $0, %[fx]"
			 : [fx] "=m"(fault_fixup)
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
	return fault_vector;
}

static inline int write_cr0_safe(uint32_t v)
{
	fault_vector = -1;
	__asm__ volatile("movl $1f, %[fx]\n\t"
			 "mov %[v], %%cr0\n"
			 "1:\tmovl $0, %[fx]"
			 : [fx] "=m"(fault_fixup) : [v] "r"(v) : "memory");
	return fault_vector;
}

static inline int write_cr4_safe(uint32_t v)
{
	fault_vector = -1;
	__asm__ volatile("movl $1f, %[fx]\n\t"
			 "mov %[v], %%cr4\n"
			 "1:\tmovl $0, %[fx]"
			 : [fx] "=m"(fault_fixup) : [v] "r"(v) : "memory");
	return fault_vector;
}
#endif

#endif
