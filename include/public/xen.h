/* SPDX-License-Identifier: MIT */
/*
 * The guest-visible hypercall ABI: Xen's public numbering and layouts
 * (xen/include/public/xen.h, sched.h, version.h), written here as our own
 * definitions. Shared by the hypervisor and guests.
 */
#ifndef EYRIE_PUBLIC_XEN_H
#define EYRIE_PUBLIC_XEN_H

#include <stdint.h>

/*
 * Conventions (x86_64 ABI; 32-bit test guests see the same layouts):
 *  - A hypercall takes its number in RAX and up to five arguments in RDI,
 *    RSI, RDX, R10, R8; the result (>= 0, or a negative errno) is in RAX.
 *  - A "guest handle" (a pointer-typed field inside an argument struct, or a
 *    pointer argument) is a 64-bit guest virtual address, stored here as a
 *    plain uint64_t. The hypervisor reads it only through copy-from/to-guest.
 *  - xen_ulong_t is 64 bits. 64-bit fields are declared 8-byte aligned so
 *    that -m32 builds get the x86_64 offsets too (checked by the asserts).
 */
typedef uint64_t xen_u64_aligned __attribute__((aligned(8)));
typedef xen_u64_aligned xen_ulong_t;
typedef xen_u64_aligned xen_guest_handle_t;
typedef xen_u64_aligned xen_pfn_t;
typedef uint16_t domid_t;

/* Hypercall numbers (EAX/RAX): the part of Xen's table the PVH subset uses. */
#define HYPERVISOR_memory_op        12
#define HYPERVISOR_multicall        13
#define HYPERVISOR_set_timer_op     15
#define HYPERVISOR_xen_version      17
#define HYPERVISOR_console_io       18
#define HYPERVISOR_grant_table_op   20
#define HYPERVISOR_vm_assist        21
#define HYPERVISOR_vcpu_op          24
#define HYPERVISOR_sched_op         29
#define HYPERVISOR_event_channel_op 32
#define HYPERVISOR_physdev_op       33 /* PHYSDEVOP_*, below */
#define HYPERVISOR_hvm_op           34
#define HYPERVISOR_NR               64 /* numbers at or above are unknown */

/* xen_version commands (arg: a guest handle to the struct named, or none). */
#define XENVER_version             0 /* returns (major << 16) | minor */
#define XENVER_extraversion        1 /* char[16] */
#define XENVER_compile_info        2 /* struct xen_compile_info */
#define XENVER_capabilities        3 /* char[1024] */
#define XENVER_changeset           4 /* char[64] */
#define XENVER_platform_parameters 5 /* struct xen_platform_parameters */
#define XENVER_get_features        6 /* struct xen_feature_info */
#define XENVER_pagesize            7 /* returns the page size */
#define XENVER_guest_handle        8 /* uint8_t[16], the domain's UUID */
#define XENVER_commandline         9 /* char[1024] */
#define XENVER_build_id           10 /* struct { uint32_t len; uint8_t buf[]; } */

struct xen_compile_info {
	char compiler[64];
	char compile_by[16];
	char compile_domain[32];
	char compile_date[32];
};

struct xen_platform_parameters {
	xen_ulong_t virt_start; /* start of the hypervisor's hole (PV only) */
};

/* XENVER_get_features: 32 feature bits per submap; only submap 0 exists. */
struct xen_feature_info {
	uint32_t submap_idx; /* in */
	uint32_t submap;     /* out: bit n = XENFEAT n + 32 * submap_idx */
};

#define XENFEAT_writable_page_tables       0
#define XENFEAT_writable_descriptor_tables 1
#define XENFEAT_auto_translated_physmap    2
#define XENFEAT_supervisor_mode_kernel     3
#define XENFEAT_pae_pgdir_above_4gb        4
#define XENFEAT_mmu_pt_update_preserve_ad  5
#define XENFEAT_highmem_assist             6
#define XENFEAT_gnttab_map_avail_bits      7
#define XENFEAT_hvm_callback_vector        8
#define XENFEAT_hvm_safe_pvclock           9
#define XENFEAT_hvm_pirqs                 10
#define XENFEAT_dom0                      11
#define XENFEAT_memory_op_vnode_supported 13
#define XENFEAT_NR_SUBMAPS                 1

/* console_io commands: (cmd, count, guest handle to the bytes). */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/* sched_op commands: (cmd, guest handle to the struct named). */
#define SCHEDOP_yield           0 /* no argument */
#define SCHEDOP_block           1 /* no argument; re-enables upcalls first */
#define SCHEDOP_shutdown        2 /* struct sched_shutdown */
#define SCHEDOP_poll            3 /* struct sched_poll */
#define SCHEDOP_remote_shutdown 4 /* struct sched_remote_shutdown */
#define SCHEDOP_shutdown_code   5 /* struct sched_shutdown: code for later */
#define SCHEDOP_watchdog        6 /* struct sched_watchdog */
#define SCHEDOP_pin_override    7 /* struct { int32_t pcpu; } */

struct sched_shutdown {
	uint32_t reason; /* SHUTDOWN_* */
};

/* Block until one of the ports is pending or until timeout (absolute system
 * time in ns; 0 = none). */
struct sched_poll {
	xen_guest_handle_t ports; /* uint32_t ports[nr_ports] */
	uint32_t nr_ports;
	xen_u64_aligned timeout;
};

struct sched_remote_shutdown {
	domid_t domain_id;
	uint32_t reason;
};

struct sched_watchdog {
	uint32_t id;      /* 0 = allocate a new watchdog; returns its id */
	uint32_t timeout; /* seconds; 0 = destroy watchdog id */
};

#define SHUTDOWN_poweroff   0
#define SHUTDOWN_reboot     1
#define SHUTDOWN_suspend    2
#define SHUTDOWN_crash      3
#define SHUTDOWN_watchdog   4
#define SHUTDOWN_soft_reset 5

/* vm_assist commands and types. */
#define VMASST_CMD_enable               0
#define VMASST_CMD_disable              1
#define VMASST_TYPE_runstate_update_flag 5

/* Domain ids: ordinary domains are below DOMID_FIRST_RESERVED. */
#define DOMID_FIRST_RESERVED 0x7ff0
#define DOMID_SELF           0x7ff0 /* the calling domain */
#define DOMID_IO             0x7ff1
#define DOMID_XEN            0x7ff2
#define DOMID_COW            0x7ff3
#define DOMID_INVALID        0x7ff4
#define DOMID_IDLE           0x7fff
#define DOMID_MASK           0x7fff

/*
 * Virtual interrupts, delivered through event channels (EVTCHNOP_bind_virq).
 * Per-vcpu ones are bound once per vcpu and stay on it; the others are bound
 * on vcpu 0, once per domain, and may be moved with EVTCHNOP_bind_vcpu.
 */
#define VIRQ_TIMER      0  /* per vcpu: the timer fired */
#define VIRQ_DEBUG      1  /* per vcpu: dump debug state */
#define VIRQ_CONSOLE    2  /* hypervisor console input (management domain) */
#define VIRQ_DOM_EXC    3  /* a domain crashed or shut down (management) */
#define VIRQ_TBUF       4  /* trace buffer records available */
#define VIRQ_DEBUGGER   6  /* a domain paused for debugging */
#define VIRQ_XENOPROF   7  /* per vcpu: profiling sample */
#define VIRQ_CON_RING   8  /* hypervisor console ring has bytes */
#define VIRQ_PCPU_STATE 9  /* physical cpu state changed */
#define VIRQ_MEM_EVENT  10 /* memory event */
#define VIRQ_ARGO       11 /* Argo message (per domain) */
#define VIRQ_ENOMEM     12 /* hypervisor heap low */
#define VIRQ_XENPMU     13 /* per vcpu: PMU interrupt */
#define VIRQ_ARCH_0     16 /* 16-23: architecture-specific (x86: 16 = MCA) */
#define VIRQ_ARCH_7     23
#define NR_VIRQS        24

/* vcpu_info slots inside shared_info; later vcpus register their own. */
#define XEN_LEGACY_MAX_VCPUS 32

/*
 * Per-vcpu time base. The hypervisor makes version odd, updates the rest,
 * then makes it even again; a reader retries while version is odd or
 * changed. Now (ns) = system_time +
 *   ((((tsc - tsc_timestamp) << tsc_shift) or >> -tsc_shift) * mul) >> 32.
 */
struct vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	xen_u64_aligned tsc_timestamp;
	xen_u64_aligned system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags; /* XEN_PVCLOCK_* */
	uint8_t pad1[2];
};
#define XEN_PVCLOCK_TSC_STABLE_BIT (1u << 0)
#define XEN_PVCLOCK_GUEST_STOPPED  (1u << 1)

struct arch_vcpu_info {
	xen_ulong_t cr2; /* PV only */
	xen_ulong_t pad;
};

/*
 * Per-vcpu event state. The hypervisor sets evtchn_upcall_pending (and the
 * selector bit of the 64-port word that became pending) and raises the
 * upcall; the guest clears upcall_pending before scanning. upcall_mask is
 * the PV "interrupts disabled" flag (unused by PVH, which uses RFLAGS.IF).
 */
struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	xen_ulong_t evtchn_pending_sel;
	struct arch_vcpu_info arch;
	struct vcpu_time_info time;
};

struct arch_shared_info {
	xen_ulong_t max_pfn;
	xen_ulong_t pfn_to_mfn_frame_list_list;
	xen_ulong_t nmi_reason;
	xen_ulong_t p2m_cr3;
	xen_ulong_t p2m_vaddr;
	xen_ulong_t p2m_generation;
};

/*
 * The shared info page (placed by XENMEM_add_to_physmap with
 * XENMAPSPACE_shared_info). Event channel 2-level ABI: port p is pending
 * when bit p%64 of evtchn_pending[p/64] is set, masked likewise in
 * evtchn_mask; the guest owns the mask, the hypervisor only reads it.
 */
struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	xen_ulong_t evtchn_pending[64];
	xen_ulong_t evtchn_mask[64];
	uint32_t wc_version; /* wall clock, versioned like vcpu_time_info */
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
	struct arch_shared_info arch;
};

/* physdev_op: a granted physical IRQ (pirq = its GSI). */
#define PHYSDEVOP_irq_status_query 5  /* struct physdev_irq_status_query */
#define PHYSDEVOP_eoi              12 /* struct physdev_eoi */
struct physdev_eoi {
	uint32_t irq;
};
struct physdev_irq_status_query {
	uint32_t irq;    /* in */
	uint32_t flags;  /* out: XENIRQSTAT_* */
};
#define XENIRQSTAT_needs_eoi 1u /* level-triggered: PHYSDEVOP_eoi unmasks it */

#define XEN_OFFSET_CHECK(t, f, off) _Static_assert(__builtin_offsetof(t, f) == (off), #t "." #f)
_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info");
_Static_assert(sizeof(struct arch_vcpu_info) == 16, "arch_vcpu_info");
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info");
XEN_OFFSET_CHECK(struct vcpu_time_info, tsc_to_system_mul, 24);
XEN_OFFSET_CHECK(struct vcpu_time_info, tsc_shift, 28);
XEN_OFFSET_CHECK(struct vcpu_info, evtchn_upcall_mask, 1);
XEN_OFFSET_CHECK(struct vcpu_info, evtchn_pending_sel, 8);
XEN_OFFSET_CHECK(struct vcpu_info, arch, 16);
XEN_OFFSET_CHECK(struct vcpu_info, time, 32);
XEN_OFFSET_CHECK(struct shared_info, evtchn_pending, 2048);
XEN_OFFSET_CHECK(struct shared_info, evtchn_mask, 2560);
XEN_OFFSET_CHECK(struct shared_info, wc_version, 3072);
XEN_OFFSET_CHECK(struct shared_info, wc_sec_hi, 3084);
XEN_OFFSET_CHECK(struct shared_info, arch, 3088);
_Static_assert(sizeof(struct arch_shared_info) == 48, "arch_shared_info");
_Static_assert(sizeof(struct shared_info) == 3136, "shared_info");
_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll");
_Static_assert(sizeof(struct sched_remote_shutdown) == 8, "sched_remote_shutdown");
XEN_OFFSET_CHECK(struct sched_poll, timeout, 16);

/* Hypercall errors are negative errno values (Linux/Xen numbering). */

#endif
