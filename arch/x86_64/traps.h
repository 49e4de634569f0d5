/* SPDX-License-Identifier: GPL-2.0-only */
/* Descriptor tables, exception handling and interrupt vectors. */
#ifndef EYRIE_ARCH_TRAPS_H
#define EYRIE_ARCH_TRAPS_H

#include <stdint.h>

/* Saved by the trap stubs (traps.S); the layout is fixed by them. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define VEC_TIMER    0x20
#define VEC_IRQ_BASE 0x30 /* GSI n -> vector VEC_IRQ_BASE + n ... */
#define VEC_IRQ_END  0xf0 /* ... below this: class 0xf is the kick's alone */
#define VEC_KICK     0xfe /* host SMP: leave guest mode, look (kernel/smp.c) */
#define VEC_SPURIOUS 0xff

typedef void (*irq_handler_t)(struct trap_frame *f);

/* Builds the IDT and loads it with the boot CPU's GDT, TSS and IST stacks. */
void traps_init(void);
/* Another CPU's: its GDT, TSS and IST stacks in mem (TRAPS_CPU_BYTES,
 * zeroed, 16-byte aligned, kept for good), loaded with the shared IDT. */
#define TRAPS_CPU_BYTES (7 * 4096)
void traps_init_cpu(void *mem);
void irq_register(uint8_t vector, irq_handler_t fn);
/* Prints a frame-pointer backtrace starting at rbp. */
void backtrace_print(uint64_t rbp);

#endif
