/* SPDX-License-Identifier: MIT */
/* HVM operations (Xen's public hvm/hvm_op.h and hvm/params.h), our own
 * definitions. */
#ifndef EYRIE_PUBLIC_HVM_H
#define EYRIE_PUBLIC_HVM_H

#include <stdint.h>

#define HVMOP_set_param 0
#define HVMOP_get_param 1

struct xen_hvm_param {
	uint16_t domid;  /* DOMID_SELF */
	uint16_t pad;
	uint32_t index;  /* HVM_PARAM_* */
	uint64_t value;
};

/* HYPERVISOR_hvm_op commands (arg: a guest handle to the struct named). */
#define HVMOP_set_pci_intx_level        2
#define HVMOP_set_isa_irq_level         3
#define HVMOP_set_pci_link_route        4
#define HVMOP_flush_tlbs                5  /* no argument */
#define HVMOP_pagetable_dying           9  /* struct xen_hvm_pagetable_dying */
#define HVMOP_get_time                 10  /* struct xen_hvm_get_time */
#define HVMOP_xentrace                 11
#define HVMOP_get_mem_type             15
#define HVMOP_set_evtchn_upcall_vector 23  /* struct xen_hvm_evtchn_upcall_vector */
#define HVMOP_guest_request_vm_event   24
#define HVMOP_altp2m                   25

struct xen_hvm_pagetable_dying {
	uint16_t domid;
	uint16_t pad[3];
	uint64_t gpa __attribute__((aligned(8)));
};

struct xen_hvm_get_time {
	uint64_t now __attribute__((aligned(8))); /* out: ns since boot */
};

/* Per-vcpu upcall vector, preferred to the domain-wide callback. */
struct xen_hvm_evtchn_upcall_vector {
	uint32_t vcpu;
	uint8_t vector;
};

/*
 * Event delivery: value = (type << 56) | data; 0 = no delivery.
 * TYPE_GSI: data = GSI; TYPE_PCI_INTX: data = domain[47:32] bus[31:16]
 * devfn[15:8] intx[1:0]; TYPE_VECTOR: data[7:0] = vector.
 */
#define HVM_PARAM_CALLBACK_IRQ 0
#define HVM_PARAM_CALLBACK_IRQ_TYPE_MASK 0xff00000000000000ull
#define HVM_PARAM_CALLBACK_TYPE_GSI      0ull
#define HVM_PARAM_CALLBACK_TYPE_PCI_INTX 1ull
#define HVM_PARAM_CALLBACK_TYPE_VECTOR 2ull

/* Store (xenbus) and console rings: guest frame and event channel port. */
#define HVM_PARAM_STORE_PFN              1
#define HVM_PARAM_STORE_EVTCHN           2
#define HVM_PARAM_PAE_ENABLED            4
#define HVM_PARAM_IOREQ_PFN              5
#define HVM_PARAM_BUFIOREQ_PFN           6
#define HVM_PARAM_VIRIDIAN               9
#define HVM_PARAM_TIMER_MODE            10
#define HVM_PARAM_HPET_ENABLED          11
#define HVM_PARAM_IDENT_PT              12
#define HVM_PARAM_DM_DOMAIN             13
#define HVM_PARAM_ACPI_S_STATE          14
#define HVM_PARAM_VM86_TSS              15
#define HVM_PARAM_VPT_ALIGN             16
#define HVM_PARAM_CONSOLE_PFN           17
#define HVM_PARAM_CONSOLE_EVTCHN        18
#define HVM_PARAM_ACPI_IOPORTS_LOCATION 19
#define HVM_PARAM_NESTEDHVM             24
#define HVM_PARAM_BUFIOREQ_EVTCHN       26
#define HVM_PARAM_PAGING_RING_PFN       27
#define HVM_PARAM_MONITOR_RING_PFN      28
#define HVM_PARAM_SHARING_RING_PFN      29
#define HVM_PARAM_TRIPLE_FAULT_REASON   31
#define HVM_PARAM_IOREQ_SERVER_PFN      32
#define HVM_PARAM_NR_IOREQ_SERVER_PAGES 33
#define HVM_PARAM_VM_GENERATION_ID_ADDR 34
#define HVM_PARAM_ALTP2M                35
#define HVM_PARAM_X87_FIP_WIDTH         36
#define HVM_PARAM_VM86_TSS_SIZED        37
#define HVM_PARAM_MCA_CAP               38

/* Size of our parameter array (Xen's own count is 39: 0..38). */
#define HVM_NR_PARAMS 40

_Static_assert(sizeof(struct xen_hvm_param) == 16, "xen_hvm_param");
_Static_assert(sizeof(struct xen_hvm_pagetable_dying) == 16, "pagetable_dying");
_Static_assert(sizeof(struct xen_hvm_evtchn_upcall_vector) == 8, "upcall_vector");

#endif
