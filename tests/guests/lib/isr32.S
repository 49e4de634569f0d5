/* SPDX-License-Identifier: GPL-2.0-only */
/* Exception and callback entry stubs of the 32-bit guests: push a dummy
 * error code where the CPU pushes none, the vector, all registers; call
 * trap(frame) (idt.c), which may change the saved EIP; return with iret. */
	.text
	.code32

.macro ISR vec, err
isr_\vec:
	.if \err == 0
	pushl $0
	.endif
	pushl $\vec
	jmp isr_common
.endm

/* Vectors whose exceptions push an error code: 8, 10-14, 17, 21, 29, 30. */
ISR 0, 0
ISR 1, 0
ISR 2, 0
ISR 3, 0
ISR 4, 0
ISR 5, 0
ISR 6, 0
ISR 7, 0
ISR 8, 1
ISR 9, 0
ISR 10, 1
ISR 11, 1
ISR 12, 1
ISR 13, 1
ISR 14, 1
ISR 15, 0
ISR 16, 0
ISR 17, 1
ISR 18, 0
ISR 19, 0
ISR 20, 0
ISR 21, 1
ISR 22, 0
ISR 23, 0
ISR 24, 0
ISR 25, 0
ISR 26, 0
ISR 27, 0
ISR 28, 0
ISR 29, 1
ISR 30, 1
ISR 31, 0
ISR 0xf0, 0
ISR 0xf1, 0

isr_common:
	pushal
	cld
	pushl %esp
	call trap
	addl $4, %esp
	popal
	addl $8, %esp
	iret

	.section .rodata
	.globl isr_table
	.align 4
isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,0xf0,0xf1
	.long isr_\v
	.endr

	.section .note.GNU-stack, "", @progbits
