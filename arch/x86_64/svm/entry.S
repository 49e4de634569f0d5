/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * void svm_enter(uint64_t *gprs, uint64_t vmcb_pa, uint64_t host_vmcb_pa)
 * runs the guest once (svm.h). gprs as in vmentry.h; RAX and RSP are
 * taken from the VMCB by VMRUN instead.
 *
 * The hardware contract (AMD APM vol. 2, 15.5, 15.17, 15.21, VMLOAD/VMSAVE):
 * - CLGI first. With GIF = 0 no interrupt, NMI or SMI is taken while guest
 *   registers are live in the CPU: the guest's RBP would break backtraces,
 *   and from VMLOAD on the CPU holds the guest's TR, FS, GS, so a host NMI
 *   or #DF would look for its IST stack in a guest TSS.
 * - STI early. VMRUN saves the host RFLAGS, and with V_INTR_MASKING it is
 *   the saved host IF that lets physical interrupts exit the guest: it
 *   must be 1. GIF = 0 keeps them pending in the meantime. The STI stays
 *   away from VMRUN because AMD CPUs leak an STI shadow into the guest's
 *   interrupt shadow field when the exit comes during event injection.
 * - VMRUN takes the VMCB address in RAX. #VMEXIT restores host RAX (that
 *   address again), RSP, RIP and RFLAGS (IF = 1) and leaves GIF = 0.
 * - VMRUN does not switch FS, GS, TR, LDTR (with their hidden parts),
 *   KernelGSBase, STAR, LSTAR, CSTAR, SFMASK and SYSENTER_*: VMLOAD loads
 *   the guest's before VMRUN, VMSAVE stores them after, and VMLOAD of the
 *   host VMCB (VMSAVEd once by cpu_enable) puts the host's back.
 * - CLI before STGI, so that pending host interrupts wait for the caller;
 *   a pending NMI is taken right at STGI, on host state.
 */
#include "arch/x86_64/vmentry.h"

	.text
	.globl	svm_enter
	.type	svm_enter, @function
svm_enter:
	push	%rbp
	mov	%rsp, %rbp
	.irp	r, rbx, r12, r13, r14, r15
	push	%\r
	.endr
	push	%rdx			/* 8(%rsp): host VMCB */
	push	%rdi			/* 0(%rsp): gprs */
	clgi
	sti
	mov	%rsi, %rax
	GPRS	load, %rdi
	mov	7*8(%rdi), %rdi
	vmload	%rax
	vmrun	%rax
	cli
	vmsave	%rax
	mov	8(%rsp), %rax
	vmload	%rax
	mov	(%rsp), %rax
	GPRS	store, %rax
	mov	%rdi, 7*8(%rax)
	add	$16, %rsp
	.irp	r, r15, r14, r13, r12, rbx, rbp
	pop	%\r
	.endr
	stgi
	ret
	.size	svm_enter, . - svm_enter
