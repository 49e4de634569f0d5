/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * modes: boot=real entry. Eyrie starts the domain in 16-bit real mode with
 * CS = e_entry >> 4, IP = e_entry & 0xf (e_entry = 0x8000: CS 0x800, IP 0).
 * Real mode: print, CPUID and a hypercall (results kept for the 64-bit
 * part to check), then our own GDT -> 32-bit protected mode: print, build
 * 4-level page tables (identity map of the first GiB with 2 MiB pages,
 * aliased at 0xffff800000000000), PAE, EFER.LME, paging -> 64-bit mode,
 * where guest_main (modes64.c) runs.
 *
 * mb_entry is for bare QEMU smoke runs only (multiboot, a.out kludge, so
 * QEMU takes this 64-bit ELF): it leaves protected mode and enters
 * real_entry exactly as Eyrie would.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00010000	/* the address fields below are valid */

#define SEL_CODE32 0x08
#define SEL_DATA   0x10
#define SEL_CODE64 0x18
#define SEL_CODE16 0x20
#define SEL_DATA16 0x28

#define EFER 0xc0000080

	.section .text16, "ax"
	.code16
	.globl real_entry
real_entry:
	cli
	ljmp $0, $1f		/* CS:IP 0x800:0 -> 0:0x80xx, our link addresses */
1:	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $0x7000, %sp
	cld
	movw $msg_real, %si
	call rm_puts

	/* CPUID leaf 0x40000000 from real mode (EBX = "Eyri"). */
	movl $0x40000000, %eax
	xorl %ecx, %ecx
	cpuid
	movl %ebx, rm_cpuid_ebx

	/* xen_version from real mode: VMMCALL on AMD/Hygon, VMCALL otherwise;
	 * only under Eyrie (on bare metal the #UD would loop through the
	 * BIOS's handler). */
	cmpl $0x69727945, %ebx	/* "Eyri" */
	jne 4f
	xorl %eax, %eax
	cpuid
	movl $17, %eax
	xorl %ecx, %ecx
	cmpl $0x68747541, %ebx	/* "Auth" */
	je 2f
	cmpl $0x6f677948, %ebx	/* "Hygo" */
	je 2f
	xorl %ebx, %ebx
	vmcall
	jmp 3f
2:	xorl %ebx, %ebx
	vmmcall
3:	movl %eax, rm_hc_eax
4:

	lgdtl gdt_desc
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $pm32

/* Print the NUL-terminated string at DS:SI on port 0xE9. */
rm_puts:
	lodsb
	testb %al, %al
	jz 1f
	outb %al, $0xe9
	jmp rm_puts
1:	ret

msg_real:
	.asciz "modes: hello from real mode\n"

	.align 8
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: code 32-bit */
	.quad 0x00cf93000000ffff	/* 0x10: data */
	.quad 0x00af9b000000ffff	/* 0x18: code 64-bit (L=1, D=0) */
	.quad 0x00009b000000ffff	/* 0x20: code 16-bit, 64 KiB (smoke entry) */
	.quad 0x000093000000ffff	/* 0x28: data 16-bit, 64 KiB (smoke entry) */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	/* The multiboot header must lie in the file's first 8 KiB. */
	.align 4
mb_header:
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
	.long mb_header		/* header_addr */
	.long __image_start	/* load_addr */
	.long __data_end	/* load_end_addr */
	.long __bss_end		/* bss_end_addr */
	.long mb_entry		/* entry_addr */

	.code32
mb_entry:
	cli
	lgdt gdt_desc
	ljmp $SEL_CODE16, $1f
	.code16
1:	movw $SEL_DATA16, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl %cr0, %eax
	andl $~1, %eax
	movl %eax, %cr0
	ljmp $0x800, $0		/* = real_entry at 0x8000, as Eyrie starts it */

	.text
	.code32
pm32:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	/* Clear bss (page tables, stack) before using any of it. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $stack_top, %esp
	movl $msg_pm, %esi
1:	lodsb
	testb %al, %al
	jz 2f
	outb %al, $0xe9
	jmp 1b
2:	movl $0x40000000, %eax
	xorl %ecx, %ecx
	cpuid
	movl %ebx, pm_cpuid_ebx

	/* Page tables: PML4[0] and PML4[256] -> PDPT, PDPT[0] -> PD, PD maps
	 * the first GiB with 2 MiB pages (present, writable, PS). */
	movl $pdpt, %eax
	orl $3, %eax
	movl %eax, pml4
	movl %eax, pml4 + 256 * 8
	movl $pd, %eax
	orl $3, %eax
	movl %eax, pdpt
	xorl %ecx, %ecx
3:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax
	movl %eax, pd(, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jb 3b

	movl %cr4, %eax
	orl $(1 << 5), %eax	/* PAE */
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $EFER, %ecx
	rdmsr
	orl $(1 << 8), %eax	/* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax	/* PG, PE */
	movl %eax, %cr0
	ljmp $SEL_CODE64, $lm64

	.code64
lm64:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq $stack_top, %rsp
	xorl %ebp, %ebp
	call guest_main
	call done
4:	cli
	hlt
	jmp 4b

	.section .rodata
msg_pm:
	.asciz "modes: in 32-bit protected mode, enabling long mode\n"

	.data
	.align 4
	.globl rm_cpuid_ebx, rm_hc_eax, pm_cpuid_ebx
rm_cpuid_ebx:	.long 0
rm_hc_eax:	.long 0
pm_cpuid_ebx:	.long 0

	.bss
	.align 4096
	.globl pml4
pml4:	.space 4096
pdpt:	.space 4096
pd:	.space 4096
	.space 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
