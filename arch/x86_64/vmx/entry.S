/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * int vmx_enter(uint64_t *gprs, uint64_t *host_rsp, bool launched)
 * runs the guest once (vmx.h). gprs as in vmentry.h; the guest's RSP is
 * in the VMCS (GUEST_RSP) instead.
 * Returns 0 after a VM exit, 1 after VMfailInvalid, 2 after VMfailValid.
 *
 * The hardware contract (Intel SDM vol. 3, 26.3.2.3, 27.5, 31.2):
 * - VM entry and exit switch RSP, RIP and RFLAGS but no other general
 *   register: we load the guest's right before VMLAUNCH/VMRESUME and
 *   store them right after the exit.
 * - At a VM exit the CPU continues at HOST_RIP = vmx_exit_stub with
 *   RSP = HOST_RSP and RFLAGS = 0x2 (interrupts off, DF clear), host
 *   segment and control registers loaded from the VMCS host area.
 * - HOST_RSP is where this function leaves the gprs pointer on its
 *   stack, so the exit path finds it at (%rsp). It is written (VMWRITE to
 *   field 0x6c14) only when the caller's stack depth changed since the
 *   last entry: *host_rsp caches the last value written.
 * - VMLAUNCH for a VMCS in the "clear" launch state, VMRESUME once it is
 *   "launched"; the test of `launched` is done before the guest registers
 *   are loaded, and MOV leaves ZF alone.
 * - A failed VMLAUNCH/VMRESUME falls through with CF (VMfailInvalid) or
 *   ZF (VMfailValid) set and the guest's registers loaded: the host's
 *   callee-saved registers come back from the stack, the others are
 *   caller-saved anyway.
 */
#include "arch/x86_64/vmentry.h"

#define HOST_RSP_FIELD 0x6c14

	.text
	.globl	vmx_enter
	.type	vmx_enter, @function
vmx_enter:
	.irp	r, rbp, rbx, r12, r13, r14, r15
	push	%\r
	.endr
	push	%rdi			/* gprs, at (HOST_RSP) while the guest runs */
	cmp	%rsp, (%rsi)
	je	1f
	mov	%rsp, (%rsi)
	mov	$HOST_RSP_FIELD, %eax
	vmwrite	%rsp, %rax
	jbe	3f
1:	test	%dl, %dl
	GPRS	load, %rdi
	mov	0(%rdi), %rax
	mov	7*8(%rdi), %rdi
	jnz	2f
	vmlaunch
	jmp	3f
2:	vmresume
3:	mov	$2, %eax		/* VMfailValid, unless CF says VMfailInvalid */
	jnc	4f
	mov	$1, %eax
4:	add	$8, %rsp
	jmp	5f

	.globl	vmx_exit_stub
vmx_exit_stub:
	push	%rdi
	mov	8(%rsp), %rdi
	mov	%rax, 0(%rdi)
	GPRS	store, %rdi
	popq	7*8(%rdi)
	add	$8, %rsp
	xor	%eax, %eax
5:	.irp	r, r15, r14, r13, r12, rbx, rbp
	pop	%\r
	.endr
	ret
	.size	vmx_enter, . - vmx_enter
