/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupt and exception entry: one stub per vector pushes a zero error
 * code where the CPU pushes none, then the vector; trap_common saves the
 * general registers as struct trap_frame (traps.h), calls trap_dispatch and
 * returns with iretq.
 */
	.text
/* Vectors for which the CPU pushes an error code: 8, 10-14, 17, 21, 29, 30. */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.balign 16
	.globl trap_stubs
trap_stubs:
	.set v, 0
	.rept 256
	.balign 16
	.if !HAS_ERR(v)
	pushq	$0
	.endif
	pushq	$v
	jmp	trap_common
	.set v, v + 1
	.endr

trap_common:
	.irp	r, rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
	push	%\r
	.endr
	cld
	mov	%rsp, %rdi
	call	trap_dispatch
	.irp	r, r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax
	pop	%\r
	.endr
	add	$16, %rsp
	iretq
