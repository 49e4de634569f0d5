/* SPDX-License-Identifier: MIT */
/*
 * Per-vcpu operations (Xen's public vcpu.h), our own definitions.
 * HYPERVISOR_vcpu_op(cmd, vcpu id, guest handle to the struct named).
 */
#ifndef EYRIE_PUBLIC_VCPU_H
#define EYRIE_PUBLIC_VCPU_H

#include <stdint.h>
#include "include/public/xen.h"

#define VCPUOP_initialise                     0 /* HVM: struct vcpu_hvm_context */
#define VCPUOP_up                             1
#define VCPUOP_down                           2
#define VCPUOP_is_up                          3 /* returns 1 or 0 */
#define VCPUOP_get_runstate_info              4 /* struct vcpu_runstate_info */
#define VCPUOP_register_runstate_memory_area  5 /* struct vcpu_register_runstate_memory_area */
#define VCPUOP_set_periodic_timer             6 /* struct vcpu_set_periodic_timer */
#define VCPUOP_stop_periodic_timer            7 /* no argument */
#define VCPUOP_set_singleshot_timer           8 /* struct vcpu_set_singleshot_timer */
#define VCPUOP_stop_singleshot_timer          9 /* no argument */
#define VCPUOP_register_vcpu_info            10 /* struct vcpu_register_vcpu_info */
#define VCPUOP_send_nmi                      11 /* no argument */
#define VCPUOP_get_physid                    12 /* struct vcpu_get_physid */
#define VCPUOP_register_vcpu_time_memory_area 13 /* struct vcpu_register_time_memory_area */

#define RUNSTATE_running  0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked  2
#define RUNSTATE_offline  3

struct vcpu_runstate_info {
	int32_t state;                   /* RUNSTATE_* */
	xen_u64_aligned state_entry_time; /* ns; bit 63 = update in progress */
	xen_u64_aligned time[4];          /* ns spent in each RUNSTATE_* */
};
#define XEN_RUNSTATE_UPDATE (1ull << 63)

/* The address where the hypervisor keeps a copy of the runstate up to date
 * (a guest virtual address: a guest handle). */
struct vcpu_register_runstate_memory_area {
	xen_guest_handle_t addr;
};

struct vcpu_set_periodic_timer {
	xen_u64_aligned period_ns;
};

struct vcpu_set_singleshot_timer {
	xen_u64_aligned timeout_abs_ns; /* absolute system time */
	uint32_t flags;                 /* VCPU_SSHOTTMR_* */
};
/* Fail with -ETIME if the deadline has already passed. */
#define VCPU_SSHOTTMR_future (1u << 0)

/* Move this vcpu's vcpu_info to frame <mfn> (a guest frame number for
 * PVH), byte <offset>; it must not cross the page. Once per vcpu. */
struct vcpu_register_vcpu_info {
	xen_u64_aligned mfn;
	uint32_t offset;
	uint32_t rsvd;
};

struct vcpu_get_physid {
	xen_u64_aligned phys_id; /* [31:0] APIC id, [63:32] ACPI id */
};

struct vcpu_register_time_memory_area {
	xen_guest_handle_t addr; /* a struct vcpu_time_info the hypervisor updates */
};

_Static_assert(sizeof(struct vcpu_runstate_info) == 48, "vcpu_runstate_info");
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16, "singleshot");
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16, "register_vcpu_info");
XEN_OFFSET_CHECK(struct vcpu_runstate_info, state_entry_time, 8);
XEN_OFFSET_CHECK(struct vcpu_register_vcpu_info, offset, 8);

/* VCPUOP_initialise for HVM and PVH guests: the state a vcpu starts in. */
#define VCPU_HVM_MODE_32B 0 /* 32-bit protected mode, the segments as given */
#define VCPU_HVM_MODE_64B 1 /* long mode, flat segments, CS 64-bit code */
struct vcpu_hvm_x86_32 {
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, eip, eflags;
	uint32_t cr0, cr3, cr4;
	uint32_t pad1;
	uint64_t efer;
	uint32_t cs_base, ds_base, ss_base, es_base, tr_base;
	uint32_t cs_limit, ds_limit, ss_limit, es_limit, tr_limit;
	uint16_t cs_ar, ds_ar, ss_ar, es_ar, tr_ar;
	uint16_t pad2[3];
};
struct vcpu_hvm_x86_64 {
	uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, rip, rflags;
	uint64_t cr0, cr3, cr4, efer;
};
struct vcpu_hvm_context {
	uint32_t mode; /* VCPU_HVM_MODE_* */
	uint32_t pad;
	union {
		struct vcpu_hvm_x86_32 x86_32;
		struct vcpu_hvm_x86_64 x86_64;
	} cpu_regs;
};
_Static_assert(sizeof(struct vcpu_hvm_x86_32) == 120, "vcpu_hvm_x86_32");
_Static_assert(sizeof(struct vcpu_hvm_context) == 128, "vcpu_hvm_context");

#endif
