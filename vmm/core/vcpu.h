/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vendor-neutral virtual CPU. One small set of hooks (struct vcpu_ops)
 * is all that differs between AMD SVM (arch/x86_64/svm/) and Intel VMX
 * (arch/x86_64/vmx/); the backend is chosen once at boot (vmm_init) and
 * nothing outside those folders touches a VMCB or VMCS. A backend turns
 * each VM exit into a neutral struct vmexit; generic code (vmm/exit.c)
 * decides what to do through a table indexed by enum exit_reason.
 */
#ifndef EYRIE_VMM_VCPU_H
#define EYRIE_VMM_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/pt.h"
#include "vmm/xen/xen.h"

struct domain;
struct vcpu;

/* General registers in x86 encoding order (the ModRM/REX register number). */
enum gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	GPR_COUNT
};

/* Other guest state reached through ops->get / ops->set. */
enum vstate {
	VS_RIP, VS_RFLAGS, VS_CR0, VS_CR2, VS_CR3, VS_CR4, VS_EFER, VS_DR7,
	VS_PAT, VS_FS_BASE, VS_GS_BASE, VS_KERNEL_GS_BASE, VS_STAR, VS_LSTAR,
	VS_CSTAR, VS_SFMASK, VS_SYSENTER_CS, VS_SYSENTER_ESP, VS_SYSENTER_EIP,
	VS_TSC_OFFSET,
	/* 1 while the guest sits in an interrupt shadow (after STI / MOV SS). */
	VS_INTR_SHADOW,
	VS_COUNT
};

enum vseg_id { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR,
	       SEG_GDTR, SEG_IDTR, SEG_COUNT };

/*
 * A segment register. attr uses the packed 12-bit layout of the AMD VMCB
 * (bits 0-3 type, 4 S, 5-6 DPL, 7 P, 8 AVL, 9 L, 10 D/B, 11 G); VMX code
 * converts to its access-rights format. attr == 0 means unusable/null.
 */
struct vseg {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

#define SEG_ATTR_CODE32 0xc9b /* G, D, P, S, execute/read accessed */
#define SEG_ATTR_DATA32 0xc93 /* G, B, P, S, read/write accessed */
#define SEG_ATTR_CODE16 0x09b /* P, S, execute/read accessed (real mode) */
#define SEG_ATTR_DATA16 0x093 /* P, S, read/write accessed (real mode) */
#define SEG_ATTR_TSS32_BUSY 0x08b
#define SEG_ATTR_LDT 0x082

/* An event to deliver at the next VM entry. For EV_SOFT_INTR (and a
 * #BP/#OF raised by INT3/INTO) RIP must already point past the
 * instruction that raised it. */
enum vevent_type { EV_EXT_INTR, EV_NMI, EV_EXCEPTION, EV_SOFT_INTR };
struct vevent {
	uint8_t type;   /* enum vevent_type */
	uint8_t vector;
	bool has_error;
	uint32_t error;
};

/* Exception vectors used by generic code. */
#define EXC_DB 1
#define EXC_AC 17
#define EXC_UD 6
#define EXC_GP 13
#define EXC_PF 14

/* Neutral exit reasons: the index of the dispatch table in vmm/exit.c. */
enum exit_reason {
	EXIT_NONE,          /* nothing to do (e.g. the backend handled it) */
	EXIT_INTR,          /* a physical interrupt for the host: just re-enter */
	EXIT_INTR_WINDOW,   /* the guest can take an interrupt now */
	EXIT_CPUID,
	EXIT_HLT,
	EXIT_IO,
	EXIT_MSR_READ,
	EXIT_MSR_WRITE,
	EXIT_NPF,           /* NPT fault / EPT violation */
	EXIT_HYPERCALL,     /* VMMCALL / VMCALL */
	EXIT_TRIPLE_FAULT,  /* SVM shutdown / VMX triple fault */
	EXIT_INVALID_STATE, /* VM entry refused the guest state */
	EXIT_EXCEPTION,     /* an intercepted guest exception (exc.vector) */
	EXIT_UNKNOWN,       /* anything the backend did not expect */
	EXIT_PAUSE,         /* PAUSE: a spin loop; the other vcpus run first */
	EXIT_CR4_WRITE,     /* MOV to CR4 (SVM): cr_gpr, the register, or -1 */
	EXIT_NMI_WINDOW,    /* the guest can take an NMI now (VMX NMI-window exiting) */
	EXIT_XSETBV,
	EXIT_REASONS
};

/* What an instruction's length decode depends on besides guest memory:
 * CR0, CR3, CR4 and EFER as get() returns them, CS base and attributes. */
struct insn_ctx {
	uint64_t cr0, cr3, cr4, efer, cs_base;
	uint16_t cs_attr;
};

struct vmexit {
	enum exit_reason reason;
	uint32_t vendor_code; /* raw SVM exit code / VMX basic exit reason, for logs */
	/* Length of the exiting instruction when the CPU told us (VMX exit
	 * instruction length, SVM NRIP save, IOIO's next RIP); 0 = unknown,
	 * generic code then decodes it (vmm/emul/decode.c). */
	uint8_t insn_len;
	/* regs below was filled (SVM instruction exits whose length is unknown). */
	bool regs_valid;
	/* Guest RIP at the exit: the exiting instruction's address. Filled by
	 * every backend at every exit, so the hot path needs no ops->get. */
	uint64_t rip;
	/* A snapshot of what decoding the exiting instruction depends on, taken
	 * at the exit when it is cheap and insn_len is 0 (a VMCB read each).
	 * Read only when regs_valid; the cache check of guest_insn_length and
	 * the CPUID policy (CR4) then call no hook. */
	struct insn_ctx regs;
	union {
		struct {
			uint16_t port;
			uint8_t size;     /* 1, 2 or 4 */
			bool in, string, rep;
		} io;
		struct {
			uint64_t gpa;
			bool read, write, exec;
			bool present;     /* a translation existed (permission fault) */
		} npf;
		struct {
			uint8_t vector;
			bool has_error;
			uint32_t error;
		} exc;
		int cr_gpr;
	};
	uint64_t info1, info2; /* raw exit information, for logs and dump */
};

/* Per-backend hooks. Each is called on the CPU that runs the vcpu. */
struct vcpu_ops {
	const char *name;                /* "SVM" or "VMX" */
	const struct pt_format *p2m_format; /* NPT or EPT entry layout */
	/* Turns hardware virtualization on for this physical CPU. */
	int (*cpu_enable)(void);
	/* Allocates the VMCB/VMCS with its controls, and the registers
	 * vcpu_new does not set (debug registers, SYSENTER MSRs, ...) as
	 * after RESET; vcpu_new sets the rest of the reset state (every
	 * segment, the control registers, RIP, RFLAGS, PAT) through set /
	 * set_seg before the first run. */
	int (*vcpu_create)(struct vcpu *v);
	void (*vcpu_destroy)(struct vcpu *v);
	/* Points the vcpu at its domain's nested page tables. */
	void (*set_p2m)(struct vcpu *v, uint64_t root_phys);
	/* Invalidates guest translations after a p2m change. */
	void (*flush_p2m)(struct vcpu *v);
	/* Lets the guest reach ports [first, first+count) directly (allow),
	 * or makes them exit again. 0 or -ENOMEM / -ENODEV. */
	int (*io_allow)(struct vcpu *v, uint16_t first, uint32_t count, bool allow);
	/* Enters the guest with v->gprs and returns the next exit, decoded.
	 * Called and returns with host interrupts disabled; a pending host
	 * interrupt is taken once the caller enables them. */
	void (*run)(struct vcpu *v, struct vmexit *exit);
	uint64_t (*get)(struct vcpu *v, enum vstate s);
	void (*set)(struct vcpu *v, enum vstate s, uint64_t value);
	void (*get_seg)(struct vcpu *v, enum vseg_id s, struct vseg *seg);
	void (*set_seg)(struct vcpu *v, enum vseg_id s, const struct vseg *seg);
	/* Completes the exiting instruction: RIP = next_rip, and the STI /
	 * MOV SS interrupt shadow it sat in ends (set RIP + clear
	 * VS_INTR_SHADOW in one call). */
	void (*skip)(struct vcpu *v, uint64_t next_rip);
	/* Queues an event for the next entry (one at a time). */
	void (*inject)(struct vcpu *v, const struct vevent *ev);
	/* True when an external interrupt could be delivered right now:
	 * RFLAGS.IF set, no interrupt shadow, no event already queued. */
	bool (*can_inject_intr)(struct vcpu *v);
	/* Asks for (or stops asking for) an EXIT_INTR_WINDOW exit. */
	void (*intr_window)(struct vcpu *v, bool on);
	/* True when an NMI could be injected now: NMIs not blocked (by one
	 * being handled, until its IRET), no interrupt shadow, no event
	 * queued (SVM with vNMI: always, the CPU waits). Else false, and the
	 * backend makes the guest exit once that changes (VMX: NMI-window
	 * exiting; SVM: the IRET intercept, then a single step past the
	 * IRET) or, at worst, at the next exit. */
	bool (*nmi_ready)(struct vcpu *v);
	/* Prints the backend's view of the vcpu (key VMCB/VMCS fields). */
	void (*dump)(struct vcpu *v);
};

/* Whether the vcpu wants the CPU; it runs only while its domain is
 * running (not paused, crashed or shut down). */
enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_BLOCKED,   /* HLT or sched_op block: waits for an event */
	VCPU_DOWN,      /* not started (or INIT): waits for a SIPI or VCPUOP_up */
};

struct vcpu {
	/* The extended state (x87, SSE, AVX, AVX-512: vmm_xcr0's components)
	 * while another vcpu owns the FPU: an XSAVE area of vmm_xsave_size
	 * bytes, 64-byte aligned, allocated with the vcpu right after it (the
	 * FXSAVE layout without XSAVE). */
	uint8_t *fpu;
	uint64_t xcr0;            /* the guest's XCR0, in the CPU while it owns the FPU */
	uint64_t dr[5];           /* DR0-DR3, DR6 meanwhile: no VM entry switches them */
	uint64_t tsc_aux;         /* IA32_TSC_AUX (RDTSCP, RDPID), loaded with them */
	uint64_t gprs[GPR_COUNT]; /* authoritative; the backend syncs RAX/RSP */
	struct domain *dom;
	unsigned id;
	unsigned cpu;             /* the physical CPU whose run queue has it (kernel/smp.h) */
	uint64_t affinity;        /* the CPUs it may run on (bit n: CPU n; vcpu_pin) */
	/* The scheduler's (vmm/core/run.c): the time it ran, scaled by its
	 * share of its domain's weight; its CPU runs the one furthest behind. */
	uint64_t vtime;
	enum vcpu_state state;
	void *hw;                 /* backend data (VMCB or VMCS and friends) */
	/* Pending external interrupt vectors (a 256-bit set), delivered by
	 * generic code through inject + the interrupt window. */
	uint64_t pending_irq[4];
	/* The virtual platform (vmm/vplat.c) has an interrupt for it. */
	bool plat_intr;
	/* An NMI waits (one at most, as the CPU latches one while NMIs are
	 * blocked: vcpu_raise_nmi). */
	bool nmi_pending;
	uint64_t timer_deadline;  /* TSC value of the one-shot timer, 0 = off */
	uint64_t timer_period;    /* TSC ticks between its firings, 0 = one-shot */
	/* TSC value at which it wakes from VCPU_BLOCKED whatever else happens
	 * (SCHEDOP_poll's timeout), 0 = none. */
	uint64_t wake_deadline;
	bool wait_sipi;           /* VCPU_DOWN after an INIT: a SIPI starts it */
	bool started;             /* has a start state (vcpu 0, a SIPI, VCPUOP_initialise) */
	bool yield;               /* ends its time slice at the next exit (SCHEDOP_yield) */
	bool halt_nmi_only;       /* HLT with IF = 0 in its last slice: only an NMI wakes it */
	bool boost;               /* woken from blocked: picked before the others (vcpu_wake) */
	struct xen_vcpu xen;      /* its state in Xen's ABI (vmm/xen/xen.h) */
	uint64_t exits[EXIT_REASONS];
	uint64_t exits_total;
	uint64_t exits_fast;        /* of those, handled without the big lock */
	uint64_t run_tsc;         /* TSC cycles spent running it (guest and exits) */
	struct vmexit last_exit;
	/* CPUID policy answers by leaf and subleaf: a small direct-mapped
	 * cache (vmm/exit.c), so a guest's repeated CPUIDs skip the policy. */
	struct cpuid_entry {
		bool valid;
		uint32_t leaf, sub;
		uint32_t out[4];
	} cpuid_cache[8];
	/*
	 * The last instruction whose length had to be decoded (vmm/guest_mem.c):
	 * valid again only while everything the decode depended on is
	 * unchanged: RIP, the paging and mode registers, every guest page-table
	 * entry the walk read, and the instruction bytes themselves.
	 */
	struct insn_cache {
		bool valid;
		uint8_t len, nr_pte;
		uint64_t rip;
		struct insn_ctx ctx;
		const void *pte[5];
		uint64_t pte_val[5];
		uint8_t pte_size[5];
		const uint8_t *code;      /* the instruction, in guest RAM */
		uint8_t bytes[15];
	} icache;
};

/* The backend chosen at boot; NULL when the CPU has none usable. */
extern const struct vcpu_ops *vcpu_ops;

/* Backends: return their ops when this CPU supports them (with nested
 * paging), NULL otherwise. */
const struct vcpu_ops *svm_backend(void);
const struct vcpu_ops *vmx_backend(void);

#endif
