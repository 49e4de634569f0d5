/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Intel VMX backend's private interface: per-CPU state, per-vcpu state,
 * the VMX instructions and the functions its files share. Only
 * vmm/core/vcpu.h's struct vcpu_ops (vmx_backend()) is visible outside
 * arch/x86_64/vmx/.
 *
 *   cpu.c    discovery and the controls used, per-CPU enable, VPIDs
 *   vcpu.c   the backend choice and ops, a vcpu's VMCS, I/O bitmaps, EPTP
 *   exit.c   VM entry and the exit decode (a table indexed by exit reason),
 *            the control-register accesses the backend emulates
 *   event.c  event injection, the interrupt and NMI windows
 *   state.c  guest register access, dump
 *   entry.S  the VMLAUNCH/VMRESUME stub
 * (svm/ has the same files for the same jobs.)
 */
#ifndef EYRIE_ARCH_VMX_VMX_H
#define EYRIE_ARCH_VMX_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/percpu.h"
#include "arch/x86_64/vmx/vmcs.h"
#include "kernel/log.h"
#include "vmm/core/vcpu.h"

#define MSR_VMX_BASIC         0x480
#define MSR_VMX_PINBASED      0x481
#define MSR_VMX_PROCBASED     0x482
#define MSR_VMX_CR0_FIXED0    0x486
#define MSR_VMX_CR0_FIXED1    0x487
#define MSR_VMX_CR4_FIXED0    0x488
#define MSR_VMX_CR4_FIXED1    0x489
#define MSR_VMX_PROCBASED2    0x48b
#define MSR_VMX_EPT_VPID_CAP  0x48c
#define MSR_VMX_TRUE_PINBASED 0x48d /* TRUE_*: 0x48d-0x490, valid if BASIC bit 55 */

/* IA32_FEATURE_CONTROL: once the lock bit is set, the MSR cannot change
 * until reset; VMXON outside SMX then needs bit 2. */
#define FC_LOCKED          (1u << 0)
#define FC_VMX_OUTSIDE_SMX (1u << 2)

/*
 * One static inline wrapper per VMX instruction. Every VMX instruction
 * reports its outcome in RFLAGS (SDM vol. 3, 31.2): CF=1 "VMfailInvalid"
 * (no current VMCS, or a bad operand), ZF=1 "VMfailValid" (the reason is in
 * the current VMCS's VM-instruction error field), both 0 = success.
 *
 * Cold paths (cpu.c): log the failure with the VM-instruction error (read
 * only after VMfailValid) and return -EIO; the VMREAD/VMWRITE variant
 * panics, since a bad field or a missing current VMCS is a broken invariant
 * of this backend, not a guest's doing.
 */
int vmx_insn_failed(const char *insn, bool valid, uint64_t operand);
_Noreturn void vmx_access_failed(const char *insn, uint32_t field);

static inline int vmx_result(const char *insn, bool cf, bool zf, uint64_t operand)
{
	if (__builtin_expect(cf || zf, 0))
		return vmx_insn_failed(insn, zf, operand);
	return 0;
}

/* VMXON, VMCLEAR, VMPTRLD: the operand is a physical address in memory. */
#define VMX_PHYS_INSN(name, text) \
	static inline int name(uint64_t phys) \
	{ \
		bool cf, zf; \
		__asm__ volatile(#name " %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(phys) : "memory"); \
		return vmx_result(text, cf, zf, phys); \
	}
VMX_PHYS_INSN(vmxon, "VMXON")
VMX_PHYS_INSN(vmclear, "VMCLEAR")
VMX_PHYS_INSN(vmptrld, "VMPTRLD")

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

/* INVEPT and INVVPID (SDM vol. 3, 30.3): a type, 1 single context (one
 * EPTP / VPID) or 2 all contexts, and a 128-bit descriptor holding the
 * EPTP / VPID, then 0. */
#define INVEPT_SINGLE  1
#define INVEPT_ALL     2
#define INVVPID_SINGLE 1
#define INVVPID_ALL    2
#define VMX_INV_INSN(name, text) \
	static inline int name(uint64_t type, uint64_t operand) \
	{ \
		struct { uint64_t operand, zero; } desc = { operand, 0 }; \
		bool cf, zf; \
		__asm__ volatile(#name " %2, %3" : "=@ccc"(cf), "=@ccz"(zf) \
				 : "m"(desc), "r"(type) : "memory"); \
		return vmx_result(text, cf, zf, operand); \
	}
VMX_INV_INSN(invept, "INVEPT")
VMX_INV_INSN(invvpid, "INVVPID")

/* The control settings this backend uses, computed once per CPU from the
 * capability MSRs, plus the facts the VMCS set-up needs. */
struct vmx_caps {
	uint32_t revision;                 /* VMCS revision identifier */
	uint32_t pin, proc, proc2, exit, entry;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t cr0_mask, cr4_mask;       /* guest/host masks (see cpu.c) */
	uint64_t ept_vpid;                 /* IA32_VMX_EPT_VPID_CAP */
	uint64_t eptp_flags;               /* memory type + walk length */
	bool vpid;                         /* VPIDs with a usable INVVPID */
	bool io_bitmaps;                   /* "use I/O bitmaps" may be set */
	bool nmi_window;                   /* virtual NMIs and NMI-window exiting */
};

/* Returns 0 and the settings when this CPU can run our guests (VMX, EPT
 * with 4-level walks and INVEPT, unrestricted guest, EFER/PAT switching),
 * else -ENODEV (the reason is logged at debug level). */
int vmx_caps_read(struct vmx_caps *c);

#define VPID_COUNT 1024

/* Per physical CPU (vmx_this_cpu()). */
struct vmx_cpu {
	bool on;                     /* VMXON done */
	uint64_t vmxon_phys;
	uint64_t current_vmcs;       /* the VMCS VMPTRLD'd here, 0 = none */
	struct vcpu *msr_owner;      /* whose SYSCALL/SWAPGS MSRs are loaded */
	struct vmx_caps caps;
};

/* This CPU's state (its per-CPU area's, set by vmx_cpu_enable). Inline:
 * every exit and accessor goes through it. */
static inline struct vmx_cpu *vmx_this_cpu(void)
{
	return PERCPU_PTR(struct vmx_cpu, vmx);
}

/* cpu.c */
int vmx_cpu_enable(void);
/* A free VPID of this CPU (flushed), or 0 when none is left. */
uint16_t vmx_vpid_alloc(struct vmx_cpu *c);
void vmx_vpid_free(struct vmx_cpu *c, uint16_t vpid);
/* Drops the linear translations cached under vpid (none for 0). */
void vmx_flush_vpid(uint16_t vpid);
/* The SDM's name for a VM-instruction error number (vol. 3, 31.4). */
const char *vmx_insn_error_name(uint64_t err);

/* The MSRs the VMCS does not switch: the host never uses them (no SYSCALL,
 * no SWAPGS), so they hold the last guest's values (see state.c). In the
 * order of enum vstate. */
enum vmx_lazy_msr { LM_KERNEL_GS_BASE, LM_STAR, LM_LSTAR, LM_CSTAR, LM_SFMASK, LM_COUNT };

struct vmx_vcpu {
	uint64_t vmcs_phys;
	uint64_t eptp;
	bool launched;       /* VMRESUME next, not VMLAUNCH */
	bool event_queued;   /* the entry interruption field is valid */
	bool pdptes_stale;   /* reload PDPTEs before the next entry */
	int cpu;             /* where the VMCS is active (VMPTRLD), -1: nowhere */
	uint16_t vpid;
	uint32_t proc;       /* primary controls as written */
	uint64_t host_rsp;   /* HOST_RSP as written by vmx_enter */
	uint64_t guest_rsp;  /* GUEST_RSP as in the VMCS */
	uint64_t cr0_shadow, cr4_shadow; /* the guest's view of masked bits */
	uint64_t cr2;        /* not in the VMCS: swapped by hand */
	uint64_t cr8;        /* the guest's TPR (CR8 accesses exit) */
	uint64_t msrs[LM_COUNT];
	uint64_t io_phys;    /* I/O bitmaps A and B (2 frames) once a port is granted */
};

static inline struct vmx_vcpu *to_vmx(struct vcpu *v)
{
	return (struct vmx_vcpu *)v->hw;
}

/* Makes vx's VMCS current on this CPU (vcpu.c; the big lock held). */
void vmx_switch(struct vmx_cpu *c, struct vmx_vcpu *vx);

/* Makes v's VMCS current on this CPU (VMPTRLD only on a switch). */
static inline void vmx_load(struct vmx_cpu *c, struct vmx_vcpu *vx)
{
	if (__builtin_expect(c->current_vmcs != vx->vmcs_phys, 0))
		vmx_switch(c, vx);
}

/* The asm stub (entry.S): loads the guest GPRs from gprs (but RSP), does
 * VMRESUME if launched else VMLAUNCH, and on VM exit stores them back.
 * Writes HOST_RSP when it differs from *host_rsp. Returns 0 after a VM
 * exit, 1 after VMfailInvalid, 2 after VMfailValid. */
int vmx_enter(uint64_t *gprs, uint64_t *host_rsp, bool launched);

/* state.c */
uint64_t vmx_get(struct vcpu *v, enum vstate s);
void vmx_set(struct vcpu *v, enum vstate s, uint64_t value);
void vmx_get_seg(struct vcpu *v, enum vseg_id s, struct vseg *seg);
void vmx_set_seg(struct vcpu *v, enum vseg_id s, const struct vseg *seg);
/* Writes the guest's CR0 / CR4 (cr 0 or 4) / EFER as the guest means
 * them: the VMCS gets the value with the VMX-fixed bits forced, the read
 * shadow keeps the guest's own; EFER also sets the IA-32e-mode-guest
 * entry control. */
void vmx_write_cr(struct vmx_vcpu *vx, unsigned cr, uint64_t val);
void vmx_write_efer(struct vmx_vcpu *vx, uint64_t efer);
/* Puts v's lazily switched MSRs into the hardware (before an entry). */
void vmx_msrs_switch(struct vmx_cpu *c, struct vcpu *v);
void vmx_dump(struct vcpu *v);

/* exit.c */
void vmx_run(struct vcpu *v, struct vmexit *e);
/* The skip hook: RIP = next_rip, and the interrupt shadow ends. */
void vmx_skip(struct vcpu *v, uint64_t next_rip);

/* event.c */
void vmx_inject(struct vcpu *v, const struct vevent *ev);
bool vmx_can_inject_intr(struct vcpu *v);
bool vmx_nmi_ready(struct vcpu *v);
void vmx_intr_window(struct vcpu *v, bool on);
/* Queues a hardware exception raised by the backend itself. */
void vmx_inject_exc(struct vcpu *v, uint8_t vector, uint32_t error);
/* Re-queues the event whose delivery the last exit interrupted. */
void vmx_reinject(struct vcpu *v, uint32_t idt_info);

#endif
