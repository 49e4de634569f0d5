/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry of the 32-bit test guests. Eyrie starts a flat32 domain at e_entry
 * in 32-bit protected mode, paging off, flat segments, GPRs 0. The
 * multiboot 1 header lets bare QEMU (-kernel) run the same image for smoke
 * tests. Either way: load our own GDT (the IDT gates name its code
 * selector 0x08), set a stack, clear bss, set up the runtime, run
 * guest_main, then report DONE and power off.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	/* Xen's ELF note: name "Xen", type 18 (XEN_ELFNOTE_PHYS32_ENTRY). */
	.section .note.Xen, "a"
	.align 4
	.long 4, 4, 18
	.asciz "Xen"
	.long _start

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	cli
	movl %ebx, boot_ebx	/* before bss is cleared: boot_ebx lives in .data */
	lgdt gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl $stack_top, %esp
	xorl %ebp, %ebp
	cld
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	call rt_init
	call guest_main
	call done
2:	hlt
	jmp 2b

	.section .data
	.align 4
	.globl boot_ebx
boot_ebx:
	.long 0

	.section .rodata
	.align 8
	.globl gdt
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: code, 32-bit, 4 GiB, accessed */
	.quad 0x00cf93000000ffff	/* 0x10: data, 4 GiB, accessed */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.section .bss
	.align 16
	.globl stack_top
	.space 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
