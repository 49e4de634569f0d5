/* SPDX-License-Identifier: MIT */
/*
 * Eyrie's own management operations (not Xen's): what the privileged
 * management domain (domain 0, `privileged=1`) uses to control the others.
 * Hypercall HYPERVISOR_eyrie_op (48, Xen's first architecture-specific
 * slot), arguments (op, arg): every op but list takes a struct in guest
 * memory at arg. Any other domain gets -EPERM. See docs/abi.md.
 */
#ifndef EYRIE_PUBLIC_EYRIE_H
#define EYRIE_PUBLIC_EYRIE_H

#include <stdint.h>

#define HYPERVISOR_eyrie_op 48

#define EYRIE_OP_list     1 /* struct eyrie_dom_list */
#define EYRIE_OP_pause    2 /* struct eyrie_dom_id */
#define EYRIE_OP_unpause  3 /* struct eyrie_dom_id */
#define EYRIE_OP_destroy  4 /* struct eyrie_dom_id; not the caller itself */
#define EYRIE_OP_domain_new   5 /* struct eyrie_dom_new */
#define EYRIE_OP_console_read  6 /* struct eyrie_dom_console */
#define EYRIE_OP_console_write 7 /* struct eyrie_dom_console */
#define EYRIE_OP_mem_write     8 /* struct eyrie_dom_mem; a domain being built */
#define EYRIE_OP_set_context   9 /* struct eyrie_vcpu_context; a domain being built */
#define EYRIE_OP_host_info    10 /* struct eyrie_host_info (out) */
#define EYRIE_OP_ioports      11 /* struct eyrie_dom_ioports */
#define EYRIE_OP_iomem        12 /* struct eyrie_dom_iomem */
#define EYRIE_OP_irq          13 /* struct eyrie_dom_irq */
#define EYRIE_OP_console_echo 14 /* struct eyrie_dom_echo; returns the previous setting */
#define EYRIE_OP_pci_cfg      15 /* struct eyrie_pci_cfg */
#define EYRIE_OP_dma_frames   16 /* struct eyrie_dma_frames */
#define EYRIE_OP_msi          17 /* struct eyrie_msi (out) */
#define EYRIE_OP_sched_get    18 /* struct eyrie_sched (domid in, the rest out) */
#define EYRIE_OP_sched_set    19 /* struct eyrie_sched */
#define EYRIE_OP_vcpu_pin     20 /* struct eyrie_vcpu_pin */
#define EYRIE_OP_vcpu_list    21 /* struct eyrie_dom_list of struct eyrie_vcpu_info */

/* One domain, as list reports it (64 bytes). */
struct eyrie_dom_info {
	uint16_t domid;
	uint16_t state;      /* EYRIE_DOM_* */
	uint32_t nr_vcpus;
	uint64_t memory_kib;
	uint64_t cpu_ns;     /* time its vcpus ran */
	uint16_t type;       /* EYRIE_TYPE_* */
	uint16_t reason;     /* SHUTDOWN_* when state is EYRIE_DOM_SHUTDOWN */
	uint32_t flags;      /* EYRIE_DOMF_* */
	char name[32];
};
#define EYRIE_DOM_RUNNING  0
#define EYRIE_DOM_PAUSED   1
#define EYRIE_DOM_CRASHED  2
#define EYRIE_DOM_SHUTDOWN 3
#define EYRIE_DOMF_PRIVILEGED 1u
#define EYRIE_DOMF_BUILDING   2u /* made by domain_new, not yet unpaused */
#define EYRIE_DOMF_MANAGED    4u /* built by domain 0: its shutdowns are left to it */
#define EYRIE_TYPE_ELF       0
#define EYRIE_TYPE_MULTIBOOT 1
#define EYRIE_TYPE_HVM       2 /* an HVM domain on the virtual PC platform (mgmt loads e.g. a bzImage) */
#define EYRIE_TYPE_PVH       3

/* list: in max (entries room at buffer); out nr (domains written). */
struct eyrie_dom_list {
	uint32_t max, nr;
	uint64_t buffer;     /* guest address of struct eyrie_dom_info[max] */
};

struct eyrie_dom_id {
	uint32_t domid;
};

/*
 * domain_new: an empty domain of memory_mib MiB of zeroed RAM (at guest-
 * physical 0) and one vcpu, paused and "being built": the caller copies
 * its image in (mem_write), sets its vcpu (set_context) and starts it
 * with unpause. Type EYRIE_TYPE_PVH gets Xen's ABI (shared info, event
 * channels, grant table); EYRIE_TYPE_HVM the virtual PC platform (ACPI
 * tables at EYRIE_HVM_ACPI_GPA, at most 4076 MiB); EYRIE_TYPE_MULTIBOOT
 * neither (a multiboot kernel: its EAX and EBX through set_context, flat
 * 32-bit). Out: the new id. Its
 * shutdowns and crashes are left to domain 0 (VIRQ_DOM_EXC; list shows
 * state and reason): the domain stays until domain 0 destroys it.
 */
struct eyrie_dom_new {
	char name[32];       /* NUL-terminated, not empty */
	uint64_t memory_mib; /* 1 .. 65536 */
	uint32_t type;       /* EYRIE_TYPE_PVH, EYRIE_TYPE_HVM or EYRIE_TYPE_MULTIBOOT */
	uint32_t vcpus;      /* 1 .. 8: vcpu 0 starts; the others wait for a SIPI
	                      * (HVM) or VCPUOP_up (PVH) */
	uint32_t domid;      /* out */
	uint32_t flags;      /* EYRIE_NEWF_* */
	uint64_t cpumask;    /* the CPUs its vcpus may run on (bit n: CPU n); 0: any */
};
#define EYRIE_NEWF_PLATFORM 1u /* PVH: the PC platform too (local APIC, ACPI...), as
				* Xen gives PVH guests; HVM always has it */
#define EYRIE_NEWF_XEN      2u /* HVM: Xen's ABI and platform PCI device too (PVHVM:
				* a stock kernel's PV drivers); PVH always has it */
#define EYRIE_HVM_ACPI_GPA 0xe0000ull /* where the PC platform's RSDP is */

/* mem_write: len bytes from the caller's buffer to guest-physical gpa of
 * domain domid, which must be being built; -EINVAL outside its RAM. The
 * hypervisor writes 64 KiB per entry and advances the struct (gpa, len,
 * buffer) as it goes: the struct is the caller's no more after the call. */
struct eyrie_dom_mem {
	uint32_t domid, pad;
	uint64_t gpa, len;
	uint64_t buffer;     /* the caller's (virtual) address */
};

/*
 * set_context: the state a vcpu of a domain being built starts in.
 * EYRIE_CTX_FLAT32: 32-bit flat protected mode, paging off (multiboot and
 * PVH), CS 0x08, data 0x10: rip, rax, rbx, rsi, rsp and rflags are used.
 * EYRIE_CTX_LONG64: all fields (the Linux 64-bit boot protocol); the
 * segments have base 0, limit 4 GiB, ds is also es, ss, fs and gs. A
 * state the CPU refuses to enter crashes that domain when it starts.
 */
struct eyrie_vcpu_context {
	uint32_t domid, vcpu;
	uint32_t mode;       /* EYRIE_CTX_* */
	uint32_t pad;
	uint64_t rip, rax, rbx, rsi, rsp, rflags;
	uint64_t cr0, cr3, cr4, efer;
	uint16_t cs, ds, cs_attr, ds_attr; /* attributes in VMCB format */
	uint64_t gdt_base;
	uint32_t gdt_limit, pad2;
};
/* host_info: the machine as the hypervisor sees it. */
struct eyrie_host_info {
	uint64_t total_kib, free_kib; /* RAM frames it manages, and free ones */
	uint64_t tsc_khz;
	uint32_t nr_cpus, nr_domains;
	char backend[8];     /* "SVM" or "VMX" */
	char cpu[48];        /* the CPUID brand string */
};
/* ioports: the domain's accesses to ports [first, first+count) reach the
 * hardware (allow) or exit again (0). The hypervisor's console UART's
 * ports are refused with -EACCES, its other own ports (the PICs, the PIT,
 * port 0x61, the RTC, the keyboard controller, 0x92, PCI configuration
 * 0xCF8-0xCFF and the ACPI fixed-hardware ports) with -EPERM. */
struct eyrie_dom_ioports {
	uint32_t domid;
	uint32_t first, count; /* 1 .. 65536 - first */
	uint32_t allow;
};

/* iomem: host frames [mfn, mfn+nr) of device memory (not RAM, not the
 * local APIC or an IOAPIC: -EPERM; not the hypervisor's memory-mapped
 * console UART: -EACCES) appear uncached at the domain's
 * guest-physical frames [gfn, gfn+nr) above its RAM (allow), or that
 * range is unmapped (0). */
struct eyrie_dom_iomem {
	uint32_t domid, allow;
	uint64_t gfn, mfn, nr;
};

/* irq: the physical IRQ irq (an ISA IRQ below 16, else a GSI) is the
 * domain's (allow; PVH domains): it binds it with EVTCHNOP_bind_pirq
 * (pirq = the GSI) and, when PHYSDEVOP_irq_status_query says so (level-
 * triggered), unmasks it with PHYSDEVOP_eoi after each event. The
 * hypervisor's console UART's and timer's IRQs: -EPERM; another domain's:
 * -EBUSY. */
struct eyrie_dom_irq {
	uint32_t domid, irq, allow, pad;
};

/* console_echo: whether the hypervisor prints the domain's console lines
 * as "(dN) ..." on its own console (on), or keeps them only in its log
 * (console_read) -- off while domain 0 shows that console itself. */
struct eyrie_dom_echo {
	uint32_t domid, on;
};

/* pci_cfg: reads (write 0) or writes size (1, 2, 4) bytes at reg (below
 * 256, aligned) of the configuration space of PCI function sbdf
 * (segment << 16 | bus << 8 | device << 3 | function, segment 0):
 * -EINVAL for a bad address, -EPERM for a write to a device the
 * hypervisor keeps (the PCI card of its console UART).
 * A function that is not there reads as all ones. */
struct eyrie_pci_cfg {
	uint32_t sbdf, reg, size, write;
	uint32_t value, pad;  /* in for a write, out for a read */
};

/* dma_frames: the machine frame numbers of the caller's own RAM pages
 * [gfn, gfn+nr) (nr 1..512), written as uint64_t to buffer: what its
 * devices must be given to reach those pages (there is no IOMMU: guest-
 * physical is not machine). -EINVAL if one is not its RAM. The frames do
 * not move while the caller keeps the pages. */
struct eyrie_dma_frames {
	uint64_t gfn;
	uint32_t nr, pad;
	uint64_t buffer;
};

/* msi: a new MSI for the caller: its device writes data to addr; the
 * interrupt arrives as an event on the port bound with EVTCHNOP_bind_pirq
 * to pirq. -ENOSPC when none is left. */
struct eyrie_msi {
	uint32_t pirq, data;
	uint64_t addr;
};

/* sched_get / sched_set: a domain's credit-scheduler parameters
 * (docs/scheduling.md): weight 1..65535 (default 256), its share of a
 * contended CPU against the others'; cap, the most it may use in percent
 * of one CPU (0 = no cap; at most 100 per vcpu). set: -EINVAL for a value
 * out of range (nothing changed), -ESRCH for no such domain. */
struct eyrie_sched {
	uint32_t domid, weight, cap, pad;
};

/* vcpu_pin: the CPUs vcpu `vcpu` of domid may run on from now on (bit n:
 * CPU n); a vcpu on another CPU moves. -EINVAL if no CPU of the mask is
 * online or there is no such vcpu, -ESRCH for no such domain. */
struct eyrie_vcpu_pin {
	uint32_t domid, vcpu;
	uint64_t cpumask;
};

/* vcpu_list: every domain's vcpus, in the struct eyrie_dom_list way (in
 * max, out nr, buffer of struct eyrie_vcpu_info[max]). */
struct eyrie_vcpu_info {
	uint16_t domid, vcpu;
	uint16_t cpu;        /* whose run queue has it */
	uint16_t state;      /* EYRIE_VCPU_* */
	uint64_t cpu_ns;     /* time it ran */
	uint64_t affinity;   /* the CPUs it may run on (bit n: CPU n) */
};
#define EYRIE_VCPU_RUNNING  0 /* on its CPU now */
#define EYRIE_VCPU_RUNNABLE 1 /* waits for its CPU (or its cap's next period) */
#define EYRIE_VCPU_BLOCKED  2
#define EYRIE_VCPU_DOWN     3 /* not started, or taken down */
#define EYRIE_VCPU_PAUSED   4 /* its domain is not running (paused, crashed, shut down) */

#define EYRIE_CTX_FLAT32 0
#define EYRIE_CTX_LONG64 1

/* A domain's console: read copies its console output from byte position
 * pos on (every byte it ever wrote is numbered; the hypervisor keeps the
 * last 16 KiB: older positions skip ahead) and advances pos; returns the
 * bytes copied. write types len bytes into its serial port (domains with
 * the PC platform; -ENODEV otherwise); returns the bytes taken. */
struct eyrie_dom_console {
	uint32_t domid, len;
	uint64_t pos;        /* read: in/out */
	uint64_t buffer;     /* guest address */
};

_Static_assert(sizeof(struct eyrie_dom_info) == 64, "eyrie_dom_info");
_Static_assert(sizeof(struct eyrie_dom_console) == 24, "eyrie_dom_console");
_Static_assert(sizeof(struct eyrie_dom_list) == 16, "eyrie_dom_list");
_Static_assert(sizeof(struct eyrie_dom_new) == 64, "eyrie_dom_new");
_Static_assert(sizeof(struct eyrie_dom_mem) == 32, "eyrie_dom_mem");
_Static_assert(sizeof(struct eyrie_host_info) == 88, "eyrie_host_info");
_Static_assert(sizeof(struct eyrie_dom_ioports) == 16, "eyrie_dom_ioports");
_Static_assert(sizeof(struct eyrie_dom_iomem) == 32, "eyrie_dom_iomem");
_Static_assert(sizeof(struct eyrie_dom_irq) == 16, "eyrie_dom_irq");
_Static_assert(sizeof(struct eyrie_dom_echo) == 8, "eyrie_dom_echo");
_Static_assert(sizeof(struct eyrie_pci_cfg) == 24, "eyrie_pci_cfg");
_Static_assert(sizeof(struct eyrie_dma_frames) == 24, "eyrie_dma_frames");
_Static_assert(sizeof(struct eyrie_msi) == 16, "eyrie_msi");
_Static_assert(sizeof(struct eyrie_vcpu_context) == 120, "eyrie_vcpu_context");
_Static_assert(sizeof(struct eyrie_sched) == 16, "eyrie_sched");
_Static_assert(sizeof(struct eyrie_vcpu_pin) == 16, "eyrie_vcpu_pin");
_Static_assert(sizeof(struct eyrie_vcpu_info) == 24, "eyrie_vcpu_info");

#endif
