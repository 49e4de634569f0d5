/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry points of the hypervisor image.
 *  - mb_entry32: multiboot1 (QEMU -kernel) and multiboot2 (GRUB2, BIOS and
 *    UEFI) enter here in 32-bit protected mode, paging off, EAX = magic,
 *    EBX = physical address of the boot information.
 *  - uefi_entry64 (the ELF entry): our UEFI loader calls it in long mode on
 *    the firmware's identity page tables with RDI = struct boot_info *.
 * Both switch to the static boot page tables below (identity map of the
 * first 4 GiB with 2 MiB pages) and the boot stack, then call C.
 */
#define MB1_MAGIC  0x1BADB002
#define MB1_FLAGS  0x00010003 /* page-aligned modules, memory info, a.out kludge */
#define MB2_MAGIC  0xE85250D6
#define MSR_EFER   0xC0000080
#define PTE_P_W_PS 0x83       /* present, writable, 2 MiB page */

	.section .boot.header, "a"
	.balign 4
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb1_header          /* header_addr */
	.long _image_start        /* load_addr */
	.long _edata              /* load_end_addr */
	.long _image_end          /* bss_end_addr */
	.long mb_entry32          /* entry_addr */

	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long 0                   /* architecture: i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + (mb2_header_end - mb2_header))
	.balign 8                 /* entry address tag */
	.short 3, 0
	.long 12
	.long mb_entry32
	/* No framebuffer tag: with one, GRUB 2.06 on Bochs's BIOS corrupts its
	 * heap ("out of range pointer") before entering us. GRUB on UEFI sets
	 * a graphics mode and reports the framebuffer anyway; on BIOS the
	 * screen stays in VGA text mode and the console is the serial line. */
	.balign 8                 /* page-aligned modules */
	.short 6, 0
	.long 8
	.balign 8                 /* end tag */
	.short 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl mb_entry32
mb_entry32:
	cli
	cld
	mov	%eax, %edi
	mov	%ebx, %esi
	mov	$boot_stack_top, %esp

	/* Long mode present? Otherwise say so on COM1 and stop. */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	no_long_mode
	mov	$0x80000001, %eax
	cpuid
	bt	$29, %edx
	jnc	no_long_mode

	mov	%cr4, %eax
	or	$(1 << 5), %eax           /* PAE */
	mov	%eax, %cr4
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(1 << 8), %eax           /* LME */
	wrmsr
	mov	%cr0, %eax
	or	$0x80010001, %eax         /* PG | WP | PE */
	mov	%eax, %cr0
	lgdt	boot_gdt_ptr
	ljmp	$0x08, $mb_entry64

no_long_mode:
	mov	$msg_no_lm, %esi
1:	lodsb
	test	%al, %al
	jz	2f
	mov	$0x3f8, %dx
	out	%al, %dx
	jmp	1b
2:	hlt
	jmp	2b

	.code64
mb_entry64:
	mov	$boot_stack_top, %rsp
	call	load_data_segments
	mov	%edi, %edi                /* upper halves are undefined after the switch */
	mov	%esi, %esi
	xor	%ebp, %ebp
	call	multiboot_start
	jmp	halt_forever

/* The boot GDT's data segment in DS, ES and SS; FS and GS null. */
load_data_segments:
	mov	$0x10, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	ret

	.text
	.globl uefi_entry64
uefi_entry64:
	cli
	cld
	mov	$boot_stack_top, %rsp
	xor	%ebp, %ebp
	mov	%rdi, %rbx
	lgdt	boot_gdt_ptr
	call	load_data_segments
	pushq	$0x08
	lea	1f(%rip), %rax
	pushq	%rax
	lretq
1:	mov	$boot_pml4, %eax
	mov	%rax, %cr3
	mov	%rbx, %rdi
	call	uefi_start
halt_forever:
	cli
	hlt
	jmp	halt_forever

	.section .rodata
msg_no_lm:
	.asciz "Eyrie: this CPU has no 64-bit long mode; stopping.\r\n"

	.data
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff      /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff      /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	/* Identity map of 0-4 GiB: PML4[0] -> PDPT, PDPT[0..3] -> 4 PDs of 2 MiB pages. */
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.quad boot_pdpt + 3
	.fill 511, 8, 0
boot_pdpt:
	.quad boot_pd + 0x0000 + 3
	.quad boot_pd + 0x1000 + 3
	.quad boot_pd + 0x2000 + 3
	.quad boot_pd + 0x3000 + 3
	.fill 508, 8, 0
boot_pd:
	.set i, 0
	.rept 2048
	.quad (i << 21) + PTE_P_W_PS
	.set i, i + 1
	.endr

	.bss
	.balign 4096
	.globl boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:
