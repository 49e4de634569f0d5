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
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	cld
	mov	%rsp, %rdi
	call	trap_dispatch
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp
	iretq
