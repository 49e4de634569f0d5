/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMCS field encodings, control bits and basic exit reasons (Intel SDM
 * vol. 3, appendices A-C). An encoding's bits 14:13 give the width
 * (0 16-bit, 1 64-bit, 2 32-bit, 3 natural) and bits 11:10 the kind
 * (0 control, 1 read-only exit data, 2 guest state, 3 host state).
 */
#ifndef EYRIE_ARCH_VMX_VMCS_H
#define EYRIE_ARCH_VMX_VMCS_H

enum vmcs_field {
	/* 16-bit */
	VMCS_VPID = 0x0000,
	VMCS_GUEST_ES_SEL = 0x0800, /* ES, CS, SS, DS, FS, GS, LDTR, TR: +2 each */
	VMCS_HOST_ES_SEL = 0x0c00,
	VMCS_HOST_CS_SEL = 0x0c02,
	VMCS_HOST_SS_SEL = 0x0c04,
	VMCS_HOST_DS_SEL = 0x0c06,
	VMCS_HOST_FS_SEL = 0x0c08,
	VMCS_HOST_GS_SEL = 0x0c0a,
	VMCS_HOST_TR_SEL = 0x0c0c,
	/* 64-bit */
	VMCS_IO_BITMAP_A = 0x2000,
	VMCS_IO_BITMAP_B = 0x2002,
	VMCS_TSC_OFFSET = 0x2010,
	VMCS_EPTP = 0x201a,
	VMCS_XSS_EXIT_BITMAP = 0x202c,
	VMCS_GUEST_PHYS_ADDR = 0x2400,
	VMCS_LINK_POINTER = 0x2800,
	VMCS_GUEST_DEBUGCTL = 0x2802,
	VMCS_GUEST_PAT = 0x2804,
	VMCS_GUEST_EFER = 0x2806,
	VMCS_GUEST_PDPTE0 = 0x280a, /* PDPTE0-3: +2 each */
	VMCS_HOST_PAT = 0x2c00,
	VMCS_HOST_EFER = 0x2c02,
	/* 32-bit */
	VMCS_PIN_CTLS = 0x4000,
	VMCS_PROC_CTLS = 0x4002,
	VMCS_EXC_BITMAP = 0x4004,
	VMCS_PF_ERR_MASK = 0x4006,
	VMCS_PF_ERR_MATCH = 0x4008,
	VMCS_CR3_TARGET_COUNT = 0x400a,
	VMCS_EXIT_CTLS = 0x400c,
	VMCS_EXIT_MSR_STORE_COUNT = 0x400e,
	VMCS_EXIT_MSR_LOAD_COUNT = 0x4010,
	VMCS_ENTRY_CTLS = 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT = 0x4014,
	VMCS_ENTRY_INTR_INFO = 0x4016,
	VMCS_ENTRY_EXC_ERROR = 0x4018,
	VMCS_ENTRY_INSN_LEN = 0x401a,
	VMCS_PROC2_CTLS = 0x401e,
	VMCS_PLE_GAP = 0x4020,
	VMCS_PLE_WINDOW = 0x4022,
	VMCS_INSN_ERROR = 0x4400,
	VMCS_EXIT_REASON = 0x4402,
	VMCS_EXIT_INTR_INFO = 0x4404,
	VMCS_EXIT_INTR_ERROR = 0x4406,
	VMCS_IDT_VECTORING_INFO = 0x4408,
	VMCS_IDT_VECTORING_ERROR = 0x440a,
	VMCS_EXIT_INSN_LEN = 0x440c,
	VMCS_GUEST_ES_LIMIT = 0x4800, /* ES ... TR, then GDTR 0x4810, IDTR 0x4812 */
	VMCS_GUEST_ES_AR = 0x4814,    /* ES ... TR: +2 each */
	VMCS_GUEST_CS_AR = 0x4816,
	VMCS_GUEST_INTERRUPTIBILITY = 0x4824,
	VMCS_GUEST_ACTIVITY = 0x4826,
	VMCS_GUEST_SYSENTER_CS = 0x482a,
	VMCS_HOST_SYSENTER_CS = 0x4c00,
	/* natural width */
	VMCS_CR0_MASK = 0x6000,
	VMCS_CR4_MASK = 0x6002,
	VMCS_CR0_SHADOW = 0x6004,
	VMCS_CR4_SHADOW = 0x6006,
	VMCS_EXIT_QUAL = 0x6400,
	VMCS_GUEST_LINEAR_ADDR = 0x640a,
	VMCS_GUEST_CR0 = 0x6800,
	VMCS_GUEST_CR3 = 0x6802,
	VMCS_GUEST_CR4 = 0x6804,
	VMCS_GUEST_ES_BASE = 0x6806,  /* ES ... TR: +2 each */
	VMCS_GUEST_DR7 = 0x681a,
	VMCS_GUEST_RSP = 0x681c,
	VMCS_GUEST_RIP = 0x681e,
	VMCS_GUEST_RFLAGS = 0x6820,
	VMCS_GUEST_PENDING_DBG = 0x6822,
	VMCS_GUEST_SYSENTER_ESP = 0x6824,
	VMCS_GUEST_SYSENTER_EIP = 0x6826,
	VMCS_HOST_CR0 = 0x6c00,
	VMCS_HOST_CR3 = 0x6c02,
	VMCS_HOST_CR4 = 0x6c04,
	VMCS_HOST_FS_BASE = 0x6c06,
	VMCS_HOST_GS_BASE = 0x6c08,
	VMCS_HOST_TR_BASE = 0x6c0a,
	VMCS_HOST_GDTR_BASE = 0x6c0c,
	VMCS_HOST_IDTR_BASE = 0x6c0e,
	VMCS_HOST_SYSENTER_ESP = 0x6c10,
	VMCS_HOST_SYSENTER_EIP = 0x6c12,
	VMCS_HOST_RSP = 0x6c14,
	VMCS_HOST_RIP = 0x6c16,
};

/* Pin-based VM-execution controls. */
#define PIN_EXT_INTR_EXIT   (1u << 0)
#define PIN_NMI_EXIT        (1u << 3)
#define PIN_VIRTUAL_NMIS    (1u << 5)

/* Primary processor-based VM-execution controls. */
#define PROC_INTR_WINDOW    (1u << 2)
#define PROC_TSC_OFFSET     (1u << 3)
#define PROC_HLT_EXIT       (1u << 7)
#define PROC_INVLPG_EXIT    (1u << 9)
#define PROC_MWAIT_EXIT     (1u << 10)
#define PROC_RDPMC_EXIT     (1u << 11)
#define PROC_RDTSC_EXIT     (1u << 12)
#define PROC_CR3_LOAD_EXIT  (1u << 15)
#define PROC_CR3_STORE_EXIT (1u << 16)
#define PROC_CR8_LOAD_EXIT  (1u << 19)
#define PROC_CR8_STORE_EXIT (1u << 20)
#define PROC_TPR_SHADOW     (1u << 21)
#define PROC_NMI_WINDOW     (1u << 22)
#define PROC_MOV_DR_EXIT    (1u << 23)
#define PROC_IO_EXIT        (1u << 24) /* unconditional I/O exiting */
#define PROC_IO_BITMAPS     (1u << 25)
#define PROC_PAUSE_EXIT     (1u << 30)
#define PROC_MSR_BITMAPS    (1u << 28)
#define PROC_MONITOR_EXIT   (1u << 29)
#define PROC_SECONDARY      (1u << 31)

/* Secondary processor-based VM-execution controls. */
#define PROC2_EPT           (1u << 1)
#define PROC2_RDTSCP        (1u << 3)
#define PROC2_VPID          (1u << 5)
#define PROC2_UNRESTRICTED  (1u << 7)
#define PROC2_INVPCID       (1u << 12)
#define PROC2_PLE           (1u << 10) /* PAUSE-loop exiting */
#define PROC2_XSAVES        (1u << 20)

/* VM-exit controls. */
#define EXIT_SAVE_DEBUG     (1u << 2)
#define EXIT_HOST_64        (1u << 9)  /* host address-space size */
#define EXIT_ACK_INTR       (1u << 15)
#define EXIT_SAVE_PAT       (1u << 18)
#define EXIT_LOAD_PAT       (1u << 19)
#define EXIT_SAVE_EFER      (1u << 20)
#define EXIT_LOAD_EFER      (1u << 21)

/* VM-entry controls. */
#define ENTRY_LOAD_DEBUG    (1u << 2)
#define ENTRY_IA32E_GUEST   (1u << 9)  /* = guest EFER.LMA */
#define ENTRY_LOAD_PAT      (1u << 14)
#define ENTRY_LOAD_EFER     (1u << 15)

/* Interruption-information format (VM-entry injection, VM-exit
 * interruption and IDT-vectoring information): vector 7:0, type 10:8,
 * error code valid 11, NMI unblocking 12 (exit fields), valid 31. */
#define INTR_INFO_VECTOR(x)  ((x) & 0xffu)
#define INTR_INFO_TYPE(x)    (((x) >> 8) & 7u)
#define INTR_INFO_HAS_ERROR  (1u << 11)
#define INTR_INFO_VALID      (1u << 31)
#define INTR_TYPE_EXT        0u
#define INTR_TYPE_NMI        2u
#define INTR_TYPE_HW_EXC     3u
#define INTR_TYPE_SOFT_INTR  4u
#define INTR_TYPE_PRIV_SOFT  5u /* INT1 */
#define INTR_TYPE_SOFT_EXC   6u /* INT3, INTO */

/* Guest interruptibility state. */
#define INTR_BLOCK_STI       (1u << 0)
#define INTR_BLOCK_MOV_SS    (1u << 1)
#define INTR_BLOCK_NMI       (1u << 3)
#define INTR_BLOCK_SHADOW    (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)

/* Exit reason: basic reason in bits 15:0, bit 31 = VM-entry failure. */
#define EXIT_REASON_ENTRY_FAIL (1u << 31)

enum vmx_exit_reason {
	VMX_EXIT_EXC_NMI = 0,
	VMX_EXIT_EXT_INTR = 1,
	VMX_EXIT_TRIPLE_FAULT = 2,
	VMX_EXIT_INTR_WINDOW = 7,
	VMX_EXIT_NMI_WINDOW = 8,
	VMX_EXIT_CPUID = 10,
	VMX_EXIT_GETSEC = 11,
	VMX_EXIT_HLT = 12,
	VMX_EXIT_INVD = 13,
	VMX_EXIT_RDPMC = 15,
	VMX_EXIT_VMCALL = 18,
	VMX_EXIT_VMCLEAR = 19,
	VMX_EXIT_VMLAUNCH = 20,
	VMX_EXIT_VMPTRLD = 21,
	VMX_EXIT_VMPTRST = 22,
	VMX_EXIT_VMREAD = 23,
	VMX_EXIT_VMRESUME = 24,
	VMX_EXIT_VMWRITE = 25,
	VMX_EXIT_VMXOFF = 26,
	VMX_EXIT_VMXON = 27,
	VMX_EXIT_CR_ACCESS = 28,
	VMX_EXIT_IO = 30,
	VMX_EXIT_RDMSR = 31,
	VMX_EXIT_WRMSR = 32,
	VMX_EXIT_BAD_GUEST = 33, /* VM-entry failure: invalid guest state */
	VMX_EXIT_BAD_MSR_LOAD = 34,
	VMX_EXIT_MWAIT = 36,
	VMX_EXIT_MONITOR = 39,
	VMX_EXIT_PAUSE = 40,
	VMX_EXIT_EPT_VIOLATION = 48,
	VMX_EXIT_EPT_MISCONFIG = 49,
	VMX_EXIT_INVEPT = 50,
	VMX_EXIT_INVVPID = 53,
	VMX_EXIT_XSETBV = 55,
	VMX_EXIT_VMFUNC = 59,
	VMX_EXIT_REASONS = 70,
};

/* EPT-violation exit qualification. */
#define EPTV_READ        (1u << 0)
#define EPTV_WRITE       (1u << 1)
#define EPTV_EXEC        (1u << 2)
#define EPTV_PERMS       (7u << 3) /* the translation allowed R/W/X */
#define EPTV_NMI_UNBLOCK (1u << 12)

#endif
