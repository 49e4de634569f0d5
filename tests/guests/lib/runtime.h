/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test-guest runtime: console on port 0xE9, Xen-style hypercalls
 * (VMMCALL or VMCALL, picked once from the CPUID vendor), guest system
 * time, the timer callback, check helpers and shutdown. 32-bit guests also
 * get an IDT whose handlers record faults (x86.h's *_safe wrappers) and
 * count callback interrupts; the 64-bit part of `modes` uses only the
 * console and hypercalls. See docs/guests.md.
 */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"

#define CONSOLE_PORT 0xe9
/* Bare QEMU's isa-debug-exit (-device isa-debug-exit,iobase=0xf4): ends a
 * smoke run when no hypervisor answers the shutdown hypercall. */
#define DEBUG_EXIT_PORT 0xf4
/* The vector the hypervisor delivers events (timer expiry) on. */
#define CALLBACK_VECTOR 0xf0
/* A second vector for device interrupts, counted apart (vector2_count). */
#define VECTOR2 0xf1

/* Each guest defines its name: the prefix of its PASS/FAIL/DONE lines. */
extern const char guest_name[];

/* console.c */
void con_putc(char c);
void con_write(const char *s, size_t n);
int gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf_(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf_(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* string.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* hypercall.c: the raw call (number, up to 5 arguments). 32-bit guests
 * pass arguments in EBX, ECX, EDX, ESI, EDI; 64-bit guests in RDI, RSI,
 * RDX, R10, R8. On a CPU where the instruction faults (no hypervisor),
 * 32-bit guests get -ENOSYS and hc_fault_vector says which fault. */
extern bool hc_amd;            /* VMMCALL (AMD, Hygon) rather than VMCALL */
extern int hc_fault_vector;    /* -1, or the vector the last call raised */
void hc_init(void);
long hypercall(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
	       unsigned long a4, unsigned long a5);
/* The other vendor's instruction (for the #UD test). */
long hypercall_other(unsigned long nr, unsigned long a1);

long hc_xen_version(void);
long hc_console_write(const char *buf, unsigned long count);
long hc_sched_op(unsigned long cmd, void *arg);
long hc_set_timer(uint64_t deadline_ns);
long hc_hvm_param(unsigned op, uint16_t domid, uint32_t index, uint64_t *value);
/* sched_op(block) with STI right before the hypercall instruction: the
 * STI shadow covers it, so no callback can slip in between and leave the
 * vcpu blocked with its wakeup already consumed. Returns with IF set. */
long hc_block_sti(void);
bool hv_is_eyrie(void);        /* the CPUID signature is Eyrie's */

/* time.c: guest system time (ns) = guest TSC * 1e6 / tsc_khz. */
extern uint32_t tsc_khz;       /* CPUID 0x40000010 EAX (a guess on bare metal) */
void time_init(void);
uint64_t now_ns(void);
uint64_t ticks_to_ns(uint64_t ticks);
/* Spins (exits only if `exiting`) until now_ns() >= t. */
void spin_until(uint64_t t, bool exiting);
/* The ACPI PM timer against the TSC: its ticks over about ms milliseconds
 * and the shortest and longest TSC time between its two reads (each read
 * bracketed by TSC readings; the tightest of up to 4 tries). */
#define PM_TMR_HZ 3579545ull
struct pm_span { uint32_t ticks; uint64_t min_ns, max_ns; };
void pm_timer_span(uint16_t port, uint64_t ms, struct pm_span *s);
bool pm_span_agrees(const struct pm_span *s); /* the ticks fit the spans */

/* vcpu.c (32-bit): another vcpu. vcpu_flat32 fills Xen's 32-bit HVM
 * context for flat protected mode (PE, 4 GiB segments, interrupts off) at
 * entry with stack_top; vcpu_start_flat32 initialises vcpu id with it,
 * brings it up (VCPUOP_initialise, VCPUOP_up) and waits up to 30 s, yielding,
 * until the new vcpu sets *flag to want: false if a call failed or it
 * did not. */
struct vcpu_hvm_context;
void vcpu_flat32(struct vcpu_hvm_context *c, void (*entry)(void), void *stack_top);
bool vcpu_start_flat32(unsigned id, void (*entry)(void), void *stack_top,
		       volatile uint32_t *flag, uint32_t want);

/* idt.c (32-bit): callbacks (and VECTOR2) counted here; hook called from
 * the handler of either. */
extern volatile uint32_t callback_count, vector2_count;
extern void (*callback_hook)(void);
void idt_init(void);
long callback_setup(void);     /* HVM_PARAM_CALLBACK_IRQ = CALLBACK_VECTOR */

/* check.c */
extern unsigned checks_passed, checks_failed;
bool check(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pass(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "DONE name: N passed, N failed" and powers off. */
__attribute__((noreturn)) void done(void);
/* sched_op shutdown with this reason; on bare QEMU isa-debug-exit. */
__attribute__((noreturn)) void guest_exit(uint32_t reason);

/* The guest's entry point, after the runtime set up the stack, bss, GDT,
 * IDT and hypercalls. Returning calls done(). */
void guest_main(void);
/* EBX at entry: the hvm_start_info address when booted as PVH (multiboot:
 * the information block; flat32: 0). */
extern uint32_t boot_ebx;

/* Linker symbols (guest.ld). */
extern char __image_start[], __image_end[], __bss_start[], __bss_end[];

#endif
