/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The application processors' way in (see smp.h). kernel/smp.c copies
 * this blob to a page below 1 MiB and fills its parameters at its end;
 * a startup IPI starts a CPU in real mode at that page's CS:0. The blob
 * is position independent: it learns its base from CS and patches its
 * own GDT pointer and far-jump targets, then goes straight to long mode
 * on the hypervisor's page tables and jumps to the parameters' entry with
 * the parameters' stack, the CPU's per-CPU area in RDI. The hypervisor's
 * tables map this page executable while CPUs come up (smp.c).
 */
	.section .rodata
	.balign 16
	.globl trampoline_start, trampoline_end
trampoline_start:
	.code16
	cli
	cld
	xorl %ebx, %ebx
	movw %cs, %bx
	movw %bx, %ds
	shll $4, %ebx                        /* the blob's linear base */
	leal (gdt - trampoline_start)(%ebx), %eax
	movl %eax, (gdt_ptr + 2 - trampoline_start)
	leal (prot32 - trampoline_start)(%ebx), %eax
	movl %eax, (jump32 - trampoline_start)
	leal (long64 - trampoline_start)(%ebx), %eax
	movl %eax, (jump64 - trampoline_start)
	lgdtl (gdt_ptr - trampoline_start)
	movl %cr0, %eax
	orl $1, %eax                         /* PE */
	movl %eax, %cr0
	ljmpl *(jump32 - trampoline_start)

	.code32
prot32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $0x20, %eax                      /* PAE */
	movl %eax, %cr4
	movl (p_cr3 - trampoline_start)(%ebx), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx               /* EFER: LME, and NXE as the BSP has it */
	rdmsr
	orl (p_efer - trampoline_start)(%ebx), %eax
	wrmsr
	movl %cr0, %eax
	andl $0x9fffffff, %eax               /* caches on: INIT left CD and NW set */
	orl $0x80010001, %eax                /* PG, WP, PE */
	movl %eax, %cr0
	ljmpl *(jump64 - trampoline_start)(%ebx)

	.code64
long64:
	movq (p_stack - trampoline_start)(%rbx), %rsp
	movq (p_percpu - trampoline_start)(%rbx), %rdi
	movq (p_entry - trampoline_start)(%rbx), %rax
	xorl %ebp, %ebp
	jmpq *%rax

	.balign 8
gdt:	.quad 0
	.quad 0x00cf9a000000ffff             /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff             /* 0x10: data */
	.quad 0x00af9a000000ffff             /* 0x18: 64-bit code */
gdt_ptr:
	.word gdt_ptr - gdt - 1
	.long 0
jump32:	.long 0
	.word 0x08
jump64:	.long 0
	.word 0x18

	/* Parameters, in the order of struct trampoline_params (smp.h). */
	.balign 8
	.globl trampoline_params
trampoline_params:
p_cr3:	.quad 0
p_efer:	.quad 0
p_stack: .quad 0
p_percpu: .quad 0
p_entry: .quad 0
trampoline_end:

	.section .note.GNU-stack, "", @progbits
