/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The AMD Virtual Machine Control Block (AMD APM vol. 2, appendix B): one
 * 4 KiB page, a control area at 0x000 and the guest state save area at
 * 0x400. Offsets are architectural; the static asserts below pin them.
 * Only this folder includes this header.
 */
#ifndef EYRIE_SVM_VMCB_H
#define EYRIE_SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

/* A segment register as the VMCB stores it (attr: packed 12-bit form). */
struct vmcb_seg {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

struct vmcb_control {
	uint32_t intercept_cr;    /* 0x000: bits 0-15 read CRn, 16-31 write CRn */
	uint32_t intercept_dr;    /* 0x004: the same for DRn */
	uint32_t intercept_exc;   /* 0x008: one bit per exception vector */
	uint32_t intercept_misc1; /* 0x00c: INTERCEPT1_* */
	uint32_t intercept_misc2; /* 0x010: INTERCEPT2_* */
	uint32_t intercept_misc3; /* 0x014: INVLPGB, INVPCID, ... (unused) */
	uint8_t reserved_018[0x03c - 0x018];
	uint16_t pause_threshold; /* 0x03c */
	uint16_t pause_count;     /* 0x03e */
	uint64_t iopm_pa;         /* 0x040: 12 KiB I/O permission map */
	uint64_t msrpm_pa;        /* 0x048: 8 KiB MSR permission map */
	uint64_t tsc_offset;      /* 0x050 */
	uint32_t asid;            /* 0x058: never 0 (that is the host's) */
	uint8_t tlb_control;      /* 0x05c: TLB_CONTROL_* */
	uint8_t reserved_05d[3];
	uint32_t int_ctl;         /* 0x060: V_TPR, V_IRQ, ... (INT_CTL_*) */
	uint32_t int_vector;      /* 0x064: V_INTR_VECTOR */
	uint64_t int_state;       /* 0x068: bit 0 interrupt shadow */
	uint64_t exit_code;       /* 0x070 */
	uint64_t exit_info1;      /* 0x078 */
	uint64_t exit_info2;      /* 0x080 */
	uint64_t exit_int_info;   /* 0x088: EVENT_* layout + error code in 63:32 */
	uint64_t np_ctl;          /* 0x090: bit 0 nested paging enable */
	uint64_t avic_apic_bar;   /* 0x098 */
	uint64_t ghcb_pa;         /* 0x0a0 */
	uint64_t event_inj;       /* 0x0a8: EVENT_* layout + error code in 63:32 */
	uint64_t n_cr3;           /* 0x0b0: nested page table root */
	uint64_t virt_ext;        /* 0x0b8: LBR virtualization, virtual VMLOAD/VMSAVE */
	uint32_t clean;           /* 0x0c0: VMCB_CLEAN_* */
	uint32_t reserved_0c4;
	uint64_t next_rip;        /* 0x0c8: with NRIP save */
	uint8_t insn_fetched;     /* 0x0d0: with decode assists */
	uint8_t insn_bytes[15];
	uint8_t reserved_0e0[0x400 - 0x0e0];
};

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs; /* 0x400 .. 0x45f */
	struct vmcb_seg gdtr, ldtr, idtr, tr;   /* 0x460 .. 0x49f */
	uint8_t reserved_4a0[0x4cb - 0x4a0];
	uint8_t cpl;              /* 0x4cb */
	uint32_t reserved_4cc;
	uint64_t efer;            /* 0x4d0 */
	uint8_t reserved_4d8[0x548 - 0x4d8];
	uint64_t cr4;             /* 0x548 */
	uint64_t cr3;
	uint64_t cr0;
	uint64_t dr7;
	uint64_t dr6;
	uint64_t rflags;
	uint64_t rip;             /* 0x578 */
	uint8_t reserved_580[0x5d8 - 0x580];
	uint64_t rsp;             /* 0x5d8 */
	uint64_t s_cet, ssp, isst_addr;
	uint64_t rax;             /* 0x5f8 */
	uint64_t star;            /* 0x600: STAR .. SYSENTER_EIP move with VMLOAD/VMSAVE */
	uint64_t lstar;
	uint64_t cstar;
	uint64_t sfmask;
	uint64_t kernel_gs_base;
	uint64_t sysenter_cs;
	uint64_t sysenter_esp;
	uint64_t sysenter_eip;
	uint64_t cr2;             /* 0x640 */
	uint8_t reserved_648[0x668 - 0x648];
	uint64_t g_pat;           /* 0x668: the guest's PAT under nested paging */
	uint64_t dbgctl;
	uint64_t br_from, br_to, last_exc_from, last_exc_to;
	uint8_t reserved_698[0x1000 - 0x698];
};

struct vmcb {
	struct vmcb_control ctl;
	struct vmcb_save save;
};

_Static_assert(offsetof(struct vmcb, ctl.iopm_pa) == 0x040, "VMCB layout");
_Static_assert(offsetof(struct vmcb, ctl.asid) == 0x058, "VMCB layout");
_Static_assert(offsetof(struct vmcb, ctl.exit_code) == 0x070, "VMCB layout");
_Static_assert(offsetof(struct vmcb, ctl.event_inj) == 0x0a8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, ctl.next_rip) == 0x0c8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, save.tr) == 0x490, "VMCB layout");
_Static_assert(offsetof(struct vmcb, save.cpl) == 0x4cb, "VMCB layout");
_Static_assert(offsetof(struct vmcb, save.efer) == 0x4d0, "VMCB layout");
_Static_assert(offsetof(struct vmcb, save.rip) == 0x578, "VMCB layout");
_Static_assert(offsetof(struct vmcb, save.rsp) == 0x5d8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, save.rax) == 0x5f8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, save.cr2) == 0x640, "VMCB layout");
_Static_assert(offsetof(struct vmcb, save.g_pat) == 0x668, "VMCB layout");
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB layout");

/* intercept_misc1 (VMCB 0x00c). */
#define INTERCEPT1_INTR     (1u << 0)
#define INTERCEPT1_NMI      (1u << 1)
#define INTERCEPT1_VINTR    (1u << 4)
#define INTERCEPT1_CPUID    (1u << 18)
#define INTERCEPT1_IRET     (1u << 20)
#define INTERCEPT1_INVD     (1u << 22)
#define INTERCEPT1_PAUSE    (1u << 23)
#define INTERCEPT1_HLT      (1u << 24)
#define INTERCEPT1_INVLPGA  (1u << 26)
#define INTERCEPT1_IOIO     (1u << 27)
#define INTERCEPT1_MSR      (1u << 28)
#define INTERCEPT1_SHUTDOWN (1u << 31)
/* intercept_misc2 (VMCB 0x010). */
#define INTERCEPT2_VMRUN    (1u << 0)
#define INTERCEPT2_VMMCALL  (1u << 1)
#define INTERCEPT2_VMLOAD   (1u << 2)
#define INTERCEPT2_VMSAVE   (1u << 3)
#define INTERCEPT2_STGI     (1u << 4)
#define INTERCEPT2_CLGI     (1u << 5)
#define INTERCEPT2_SKINIT   (1u << 6)
#define INTERCEPT2_XSETBV   (1u << 13)

#define TLB_CONTROL_NONE      0
#define TLB_CONTROL_ALL       1 /* every ASID, the host's included */
#define TLB_CONTROL_THIS_ASID 3 /* needs CPUID 8000_000A EDX flush-by-ASID */

#define INT_CTL_V_IRQ          (1u << 8)
#define INT_CTL_V_NMI          (1u << 11) /* vNMI: an NMI pending (APM 15.21.10) */
#define INT_CTL_V_PRIO_SHIFT   16
#define INT_CTL_V_IGN_TPR      (1u << 20)
/* Guest RFLAGS.IF and CR8 then govern only virtual interrupts; physical
 * ones are masked by the host's RFLAGS.IF as it was at VMRUN. */
#define INT_CTL_V_INTR_MASKING (1u << 24)
#define INT_CTL_V_NMI_ENABLE   (1u << 26)
#define INT_STATE_SHADOW       1u

#define NP_CTL_ENABLE 1u

/* Clean bits (APM 15.15.3): a set bit lets the CPU keep its cached copy
 * of that group of fields. TPR is left out on purpose: always reloaded. */
#define VMCB_CLEAN_INTERCEPTS (1u << 0) /* intercepts, TSC offset, pause filter */
#define VMCB_CLEAN_IOPM       (1u << 1) /* IOPM and MSRPM base */
#define VMCB_CLEAN_ASID       (1u << 2)
#define VMCB_CLEAN_TPR        (1u << 3) /* int_ctl, int_vector */
#define VMCB_CLEAN_NP         (1u << 4) /* np_ctl, n_cr3, g_pat */
#define VMCB_CLEAN_CRX        (1u << 5) /* CR0, CR3, CR4, EFER */
#define VMCB_CLEAN_DRX        (1u << 6) /* DR6, DR7 */
#define VMCB_CLEAN_DT         (1u << 7) /* GDTR, IDTR */
#define VMCB_CLEAN_SEG        (1u << 8) /* CS, DS, ES, SS, CPL */
#define VMCB_CLEAN_CR2        (1u << 9)
#define VMCB_CLEAN_USED       (0x7ffu & ~VMCB_CLEAN_TPR)

/* EVENTINJ and EXITINTINFO (APM 15.20): vector 7:0, type 10:8, error code
 * valid 11, valid 31, error code 63:32. */
#define EVENT_VECTOR_MASK 0xffu
#define EVENT_TYPE_SHIFT  8
#define EVENT_TYPE_MASK   (7u << EVENT_TYPE_SHIFT)
#define EVENT_TYPE_INTR   0u
#define EVENT_TYPE_NMI    2u
#define EVENT_TYPE_EXC    3u
#define EVENT_TYPE_SOFT   4u
#define EVENT_HAS_ERROR   (1u << 11)
#define EVENT_VALID       (1u << 31)

/* IOIO exit info 1 (APM 15.10.2); info 2 holds the next RIP. */
#define IOIO_IN        (1u << 0)
#define IOIO_STRING    (1u << 2)
#define IOIO_REP       (1u << 3)
#define IOIO_SIZE_SHIFT 4 /* bits 4, 5, 6: one-hot 8, 16, 32-bit */
#define IOIO_PORT_SHIFT 16

/* Nested page fault exit info 1: a #PF-style error code (APM 15.25.6). */
#define NPF_PRESENT (1u << 0)
#define NPF_WRITE   (1u << 1)
#define NPF_EXEC    (1u << 4)

/* Exit codes (APM appendix C). */
#define SVM_EXIT_CR4_WRITE 0x014 /* EXITINFO1: bit 63 valid (decode assists), 3:0 GPR */
#define SVM_EXIT_EXC_BASE 0x040 /* + vector */
#define SVM_EXIT_INTR     0x060
#define SVM_EXIT_NMI      0x061
#define SVM_EXIT_VINTR    0x064
#define SVM_EXIT_CPUID    0x072
#define SVM_EXIT_IRET     0x074
#define SVM_EXIT_PAUSE    0x077
#define SVM_EXIT_HLT      0x078
#define SVM_EXIT_INVLPGA  0x07a
#define SVM_EXIT_IOIO     0x07b
#define SVM_EXIT_MSR      0x07c
#define SVM_EXIT_SHUTDOWN 0x07f
#define SVM_EXIT_VMRUN    0x080
#define SVM_EXIT_VMMCALL  0x081
#define SVM_EXIT_VMLOAD   0x082
#define SVM_EXIT_VMSAVE   0x083
#define SVM_EXIT_STGI     0x084
#define SVM_EXIT_CLGI     0x085
#define SVM_EXIT_SKINIT   0x086
#define SVM_EXIT_XSETBV   0x08d
#define SVM_EXIT_NPF      0x400
/* VMRUN refused the guest state: -1, but QEMU TCG writes only the low
 * 32 bits (0x00000000ffffffff), so compare the low half. */
#define SVM_EXIT_INVALID  0xffffffffu

#endif
