/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the two VM-entry stubs (svm/entry.S, vmx/entry.S) share: moving the
 * guest's general registers between the CPU and struct vcpu's gprs array,
 * indexed in x86 encoding order (enum gpr: RAX 0, RCX 1, RDX 2, RBX 3,
 * RSP 4, RBP 5, RSI 6, RDI 7, R8..R15 8..15). RSP lives in the VMCB or
 * VMCS; RAX and RDI each stub moves itself (RAX is the VMCB address for
 * VMRUN, RDI holds the array's address until the last load).
 */
#ifndef EYRIE_ARCH_VMENTRY_H
#define EYRIE_ARCH_VMENTRY_H

#ifdef __ASSEMBLER__

/* One register: loaded from the array at \base (load) or stored to it. */
.macro GPR dir, reg, index, base
.ifc \dir, load
	mov	\index*8(\base), \reg
.else
	mov	\reg, \index*8(\base)
.endif
.endm

/* Every register but RAX, RSP and RDI. */
.macro GPRS dir, base
	GPR	\dir, %rcx, 1, \base
	GPR	\dir, %rdx, 2, \base
	GPR	\dir, %rbx, 3, \base
	GPR	\dir, %rbp, 5, \base
	GPR	\dir, %rsi, 6, \base
	.irp	n, 8, 9, 10, 11, 12, 13, 14, 15
	GPR	\dir, %r\n, \n, \base
	.endr
.endm

#endif

#endif
