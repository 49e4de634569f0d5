/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The AMD SVM backend's internals, shared by the files of this folder
 * only: the rest of Eyrie sees struct vcpu_ops (vmm/core/vcpu.h).
 *
 *   cpu.c    discovery, per-CPU enable, ASIDs
 *   vcpu.c   the backend choice and ops, a vcpu's VMCB and permission maps
 *   exit.c   VMRUN and the exit decode (a table indexed by exit code)
 *   event.c  event injection, the interrupt and NMI windows
 *   state.c  guest register access, dump
 *   entry.S  the VMRUN stub
 * (vmx/ has the same files for the same jobs.)
 */
#ifndef EYRIE_SVM_SVM_H
#define EYRIE_SVM_SVM_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/percpu.h"
#include "arch/x86_64/svm/vmcb.h"
#include "vmm/core/vcpu.h"

#define MSR_VM_CR       0xc0010114
#define VM_CR_SVMDIS    (1u << 4) /* firmware turned SVM off: EFER.SVME #GPs */
#define MSR_VM_HSAVE_PA 0xc0010117

/* CPUID 8000_000A EDX. */
#define SVM_FEAT_NPT           (1u << 0)
#define SVM_FEAT_NRIPS         (1u << 3)
#define SVM_FEAT_VMCB_CLEAN    (1u << 5)
#define SVM_FEAT_FLUSH_BY_ASID (1u << 6)
#define SVM_FEAT_PAUSE_FILTER  (1u << 10)
#define SVM_FEAT_PAUSE_THRESH  (1u << 12)
#define SVM_FEAT_VNMI          (1u << 25)

/* What this CPU's SVM offers (CPUID 8000_000A). */
struct svm_features {
	uint32_t nr_asids;  /* ASIDs 1 .. nr_asids - 1 are the guests' */
	bool nrips;         /* next_rip is filled on instruction intercepts */
	bool flush_by_asid; /* TLB_CONTROL_THIS_ASID works */
	bool vmcb_clean;    /* the CPU honours the clean bits */
	bool vnmi;          /* virtual NMIs: V_NMI pending, blocked until IRET */
	bool pause_filter;  /* PAUSE exits after pause_count of them */
	bool pause_thresh;  /* ... counted only while they come close together */
};

/*
 * Per physical CPU. ASIDs are handed out per CPU in generations: when
 * they run out, the generation moves on, the next VMRUN flushes every
 * ASID, and each vcpu takes a fresh ASID the next time it runs here.
 */
struct svm_cpu {
	bool enabled;
	struct svm_features feat;
	uint64_t hsave_pa;      /* VM_HSAVE_PA: where VMRUN keeps host state */
	uint64_t host_vmcb_pa;  /* host FS/GS/TR/LDTR/syscall MSRs, VMSAVEd once */
	uint64_t host_cr0;      /* as at cpu_enable, see svm_restore_host_cr0() */
	uint32_t clean_mask;    /* VMCB_CLEAN_USED, or 0 without clean bits */
	uint32_t next_asid;
	uint64_t asid_gen;      /* starts at 1: a new vcpu's 0 never matches */
};

/* The backend's part of a vcpu (vcpu->hw). */
struct svm_vcpu {
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	uint64_t iopm_pa;       /* 3 frames */
	uint64_t msrpm_pa;      /* 2 frames */
	struct svm_cpu *cpu;    /* where it last ran: ASID and cached VMCB state live there */
	uint64_t asid_gen;
	/* A software interrupt we injected ourselves (see svm_reinject). */
	bool soft_injected;
	uint64_t soft_rip;
	/* Without vNMI: NMIs are blocked, one was injected and no IRET has
	 * run since (svm_nmi_ready); nmi_step: that IRET runs single-stepped,
	 * guest_tf whether the guest's own TF was set then. */
	bool nmi_blocked, nmi_step, guest_tf;
};

static inline struct svm_vcpu *to_svm(struct vcpu *v)
{
	return v->hw;
}

static inline struct vmcb *vmcb_of(struct vcpu *v)
{
	return to_svm(v)->vmcb;
}

/* Lets the CPU reload a group of VMCB fields at the next VMRUN. */
static inline void vmcb_dirty(struct vmcb *vmcb, uint32_t clean_bit)
{
	vmcb->ctl.clean &= ~clean_bit;
}

/* This CPU's SVM state (its per-CPU area's, set by cpu_enable). */
static inline struct svm_cpu *svm_this_cpu(void)
{
	return PERCPU_PTR(struct svm_cpu, svm);
}

/* cpu.c */
int svm_cpu_enable(void);
/* Gives sv an ASID valid on cpu (flushing all when they ran out). */
void svm_assign_asid(struct svm_cpu *cpu, struct svm_vcpu *sv);
/* Retires every ASID of cpu: each vcpu takes a new one at its next run
 * here, and the first of those runs flushes the whole TLB. */
void svm_new_asid_generation(struct svm_cpu *cpu);

/* exit.c */
void svm_run(struct vcpu *v, struct vmexit *exit);
void svm_skip(struct vcpu *v, uint64_t next_rip);

/* event.c */
void svm_inject(struct vcpu *v, const struct vevent *ev);
/* Queues a hardware exception raised by the backend itself. */
void svm_inject_exc(struct vcpu *v, uint8_t vector, uint32_t error);
/* EXITINTINFO is valid: re-queues the event whose delivery the exit
 * interrupted; ours: the last entry delivered a software event we
 * injected. */
void svm_reinject(struct svm_vcpu *sv, struct vmcb *vmcb, bool ours);
bool svm_can_inject_intr(struct vcpu *v);
bool svm_nmi_ready(struct vcpu *v);
void svm_intr_window(struct vcpu *v, bool on);

/* state.c */
uint64_t svm_get(struct vcpu *v, enum vstate s);
void svm_set(struct vcpu *v, enum vstate s, uint64_t value);
void svm_get_seg(struct vcpu *v, enum vseg_id s, struct vseg *seg);
void svm_set_seg(struct vcpu *v, enum vseg_id s, const struct vseg *seg);
void svm_dump(struct vcpu *v);

/* entry.S: enters the guest of the VMCB at vmcb_pa with the general
 * registers of gprs (all but RAX and RSP, which live in the VMCB) and
 * stores them back at the exit. Host interrupts must be disabled; they
 * are disabled again on return, GIF is set. */
void svm_enter(uint64_t *gprs, uint64_t vmcb_pa, uint64_t host_vmcb_pa);

/* One wrapper per SVM instruction used from C. */
static inline void svm_vmsave(uint64_t vmcb_pa)
{
	__asm__ volatile("vmsave %0" : : "a"(vmcb_pa) : "memory");
}

#endif
