/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry of the management domain: a PVH kernel (Xen's PHYS32_ENTRY note),
 * started in 32-bit flat mode with paging off and EBX = hvm_start_info.
 * Maps the first 4 GiB with 2 MiB pages, enters long mode, turns on SSE
 * (newlib uses it), sets a stack and calls mgmt_main(start_info).
 */
#define EFER 0xc0000080

	.section .note.Xen, "a"
	.align 4
	.long 4, 4, 18		/* name "Xen", type XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long _start

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	cli
	movl %ebx, %esi			/* start info: kept for mgmt_main */
	lgdt gdt_desc
	/* PML4[0] -> PDPT; PDPT[0..3] -> 4 PDs of 512 x 2 MiB pages = 4 GiB. */
	movl $pdpt, %eax
	orl $3, %eax
	movl %eax, pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $pd, %eax
	orl $3, %eax
	movl %eax, pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jb 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax			/* present, writable, 2 MiB */
	movl %eax, pd(, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax			/* bits 32+ of the address: ecx >> 11 */
	movl %eax, pd + 4(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b
	movl %cr4, %eax
	orl $((1 << 5) | (1 << 9) | (1 << 10)), %eax	/* PAE, OSFXSR, OSXMMEXCPT */
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $EFER, %ecx
	rdmsr
	orl $(1 << 8), %eax		/* LME */
	wrmsr
	movl %cr0, %eax
	andl $~(1 << 2), %eax		/* EM off */
	orl $0x80000003, %eax		/* PG, MP, PE */
	movl %eax, %cr0
	ljmp $0x08, $long64

	.code64
long64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movq $stack_top, %rsp
	xorl %ebp, %ebp
	movl %esi, %edi			/* mgmt_main(start_info) */
	call mgmt_main
3:	cli
	hlt
	jmp 3b

	.section .rodata
	.align 8
gdt:
	.quad 0
	.quad 0x00af9b000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf93000000ffff	/* 0x10: data */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.section .bss
	.align 4096
pml4:	.space 4096
pdpt:	.space 4096
pd:	.space 4 * 4096
	.align 16
	.space 65536
stack_top:
	.section .note.GNU-stack, "", @progbits
