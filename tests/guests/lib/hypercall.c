/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen-style hypercalls: number in EAX/RAX, result in EAX/RAX; arguments in
 * EBX, ECX, EDX, ESI, EDI (32-bit) or RDI, RSI, RDX, R10, R8 (64-bit).
 * AMD (and Hygon) CPUs take VMMCALL, Intel VMCALL; the vendor is read once
 * from CPUID leaf 0. Argument registers are declared clobbered: the ABI
 * does not promise to preserve them.
 *
 * 32-bit guests arm the runtime's fault fixup around the instruction, so
 * on a CPU with no hypervisor (the bare-QEMU smoke runs) or with the wrong
 * instruction the #UD is caught and the call returns -ENOSYS.
 */
#include "runtime.h"
#include "x86.h"

bool hc_amd;
int hc_fault_vector = -1;

void hc_init(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	/* "AuthenticAMD" / "HygonGenuine": EBX holds the first four letters. */
	hc_amd = r[1] == 0x68747541u || r[1] == 0x6f677948u;
}

bool hv_is_eyrie(void)
{
	uint32_t r[4];
	char sig[13];

	cpuid(CPUID_HV_BASE, 0, r);
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	sig[12] = 0;
	return memcmp(sig, EYRIE_SIGNATURE, 12) == 0;
}

#ifdef __x86_64__
#define HC_ASM(insn)                                                                    \
	__asm__ volatile(insn                                                           \
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8) \
			 : : "memory", "rcx", "r11")

static long hc_raw(bool amd, unsigned long nr, unsigned long a1, unsigned long a2,
		   unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long r10 __asm__("r10") = a4;
	register unsigned long r8 __asm__("r8") = a5;
	unsigned long rax = nr, rdi = a1, rsi = a2, rdx = a3;

	if (amd)
		HC_ASM("vmmcall");
	else
		HC_ASM("vmcall");
	return (long)rax;
}
#else
#define HC_ASM(insn)                                                                \
	__asm__ volatile("movl $1f, %[fx]\n\t" insn "\n1:\tmovl $0, %[fx]"          \
			 : "+a"(eax), "+b"(ebx), "+c"(ecx), "+d"(edx), "+S"(esi),   \
			   "+D"(edi), [fx] "=m"(fault_fixup) : : "memory")

static long hc_raw(bool amd, unsigned long nr, unsigned long a1, unsigned long a2,
		   unsigned long a3, unsigned long a4, unsigned long a5)
{
	unsigned long eax = nr, ebx = a1, ecx = a2, edx = a3, esi = a4, edi = a5;

	fault_vector = -1;
	if (amd)
		HC_ASM("vmmcall");
	else
		HC_ASM("vmcall");
	hc_fault_vector = fault_vector;
	return hc_fault_vector >= 0 ? -ENOSYS : (long)eax;
}
#endif

long hypercall(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
	       unsigned long a4, unsigned long a5)
{
	return hc_raw(hc_amd, nr, a1, a2, a3, a4, a5);
}

long hypercall_other(unsigned long nr, unsigned long a1)
{
	return hc_raw(!hc_amd, nr, a1, 0, 0, 0, 0);
}

long hc_xen_version(void)
{
	return hypercall(HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
}

long hc_console_write(const char *buf, unsigned long count)
{
	return hypercall(HYPERVISOR_console_io, CONSOLEIO_write, count, (uintptr_t)buf, 0, 0);
}

long hc_sched_op(unsigned long cmd, void *arg)
{
	return hypercall(HYPERVISOR_sched_op, cmd, (uintptr_t)arg, 0, 0, 0);
}

long hc_set_timer(uint64_t deadline_ns)
{
#ifdef __x86_64__
	return hypercall(HYPERVISOR_set_timer_op, deadline_ns, 0, 0, 0, 0);
#else
	/* 32-bit guests: the deadline's low half in EBX, the high half in ECX. */
	return hypercall(HYPERVISOR_set_timer_op, (uint32_t)deadline_ns,
			 (uint32_t)(deadline_ns >> 32), 0, 0, 0);
#endif
}

long hc_hvm_param(unsigned op, uint16_t domid, uint32_t index, uint64_t *value)
{
	static struct xen_hvm_param p;
	long rc;

	p.domid = domid;
	p.pad = 0;
	p.index = index;
	p.value = *value;
	rc = hypercall(HYPERVISOR_hvm_op, op, (uintptr_t)&p, 0, 0, 0);
	*value = p.value;
	return rc;
}

#ifndef __x86_64__
long hc_block_sti(void)
{
	unsigned long eax = HYPERVISOR_sched_op, ebx = SCHEDOP_block, ecx = 0, edx = 0, esi = 0,
		      edi = 0;

	fault_vector = -1;
	if (hc_amd)
		HC_ASM("sti; vmmcall");
	else
		HC_ASM("sti; vmcall");
	hc_fault_vector = fault_vector;
	return hc_fault_vector >= 0 ? -ENOSYS : (long)eax;
}
#endif
