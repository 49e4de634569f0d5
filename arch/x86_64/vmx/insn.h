/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One static inline wrapper per VMX instruction. Every VMX instruction
 * reports its outcome in RFLAGS (SDM vol. 3, 31.2): CF=1 "VMfailInvalid"
 * (no current VMCS, or a bad operand), ZF=1 "VMfailValid" (the reason is in
 * the current VMCS's VM-instruction error field), both 0 = success.
 */
#ifndef EYRIE_ARCH_VMX_INSN_H
#define EYRIE_ARCH_VMX_INSN_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/vmx/vmcs.h"

/* Cold paths (cpu.c): log the failure with the VM-instruction error (read
 * only after VMfailValid) and return -EIO; the VMREAD/VMWRITE variant
 * panics, since a bad field or a missing current VMCS is a broken invariant
 * of this backend, not a guest's doing. */
int vmx_insn_failed(const char *insn, bool valid, uint64_t operand);
_Noreturn void vmx_access_failed(const char *insn, uint32_t field);

static inline int vmx_result(const char *insn, bool cf, bool zf, uint64_t operand)
{
	if (__builtin_expect(cf || zf, 0))
		return vmx_insn_failed(insn, zf, operand);
	return 0;
}

static inline int vmxon(uint64_t phys)
{
	bool cf, zf;
	__asm__ volatile("vmxon %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(phys) : "memory");
	return vmx_result("VMXON", cf, zf, phys);
}

static inline int vmclear(uint64_t phys)
{
	bool cf, zf;
	__asm__ volatile("vmclear %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(phys) : "memory");
	return vmx_result("VMCLEAR", cf, zf, phys);
}

static inline int vmptrld(uint64_t phys)
{
	bool cf, zf;
	__asm__ volatile("vmptrld %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(phys) : "memory");
	return vmx_result("VMPTRLD", cf, zf, phys);
}

/* VMREAD/VMWRITE run on every exit: one branch on CF|ZF ("be"). */
static inline uint64_t vmread(enum vmcs_field field)
{
	uint64_t v;
	bool fail;
	__asm__ volatile("vmread %2, %0" : "=r"(v), "=@ccbe"(fail) : "r"((uint64_t)field));
	if (__builtin_expect(fail, 0))
		vmx_access_failed("VMREAD", field);
	return v;
}

static inline void vmwrite(enum vmcs_field field, uint64_t value)
{
	bool fail;
	__asm__ volatile("vmwrite %2, %1" : "=@ccbe"(fail) : "r"((uint64_t)field), "rm"(value));
	if (__builtin_expect(fail, 0))
		vmx_access_failed("VMWRITE", field);
}

/* INVEPT types (SDM vol. 3, 30.3 "INVEPT"). */
#define INVEPT_SINGLE 1
#define INVEPT_ALL    2

static inline int invept(uint64_t type, uint64_t eptp)
{
	struct { uint64_t eptp, zero; } desc = { eptp, 0 };
	bool cf, zf;
	__asm__ volatile("invept %2, %3" : "=@ccc"(cf), "=@ccz"(zf)
			 : "m"(desc), "r"(type) : "memory");
	return vmx_result("INVEPT", cf, zf, eptp);
}

/* INVVPID types: 1 single context (one VPID), 2 all contexts. */
#define INVVPID_SINGLE 1
#define INVVPID_ALL    2

static inline int invvpid(uint64_t type, uint16_t vpid)
{
	struct { uint64_t vpid, gla; } desc = { vpid, 0 };
	bool cf, zf;
	__asm__ volatile("invvpid %2, %3" : "=@ccc"(cf), "=@ccz"(zf)
			 : "m"(desc), "r"(type) : "memory");
	return vmx_result("INVVPID", cf, zf, vpid);
}

#endif
