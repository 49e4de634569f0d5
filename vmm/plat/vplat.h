/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual PC platform of an HVM domain (one domain 0 builds from
 * xl.cfg type="hvm", or platform=pc): the device models of vmm/v*.c wired
 * together — local APICs, IOAPIC, dual 8259 PIC, 8254 PIT, CMOS RTC, ACPI
 * PM block and reset, 16550 UART on 0x3F8, PCI host bridge — plus the
 * guest's ACPI tables. The models are pure state machines on the guest
 * TSC; this file gives them ports, MMIO ranges, interrupt lines, time and
 * a console. Layout: docs/platform.md.
 */
#ifndef EYRIE_VMM_VPLAT_H
#define EYRIE_VMM_VPLAT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kernel/spin.h"
#include "vmm/core/domain.h"
#include "vmm/plat/vacpi.h"
#include "vmm/plat/vioapic.h"
#include "vmm/plat/vlapic.h"
#include "vmm/plat/vpci.h"
#include "vmm/plat/vpic.h"
#include "vmm/plat/vpit.h"
#include "vmm/plat/vpm.h"
#include "vmm/plat/vrtc.h"
#include "vmm/plat/vuart.h"

#define VPLAT_ACPI_GPA  0xe0000ull  /* ACPI tables (RSDP first), reserved in the E820 map */
#define VPLAT_UART_PORT 0x3f8
#define VPLAT_UART_IRQ  4
#define VPLAT_INPUT     256         /* console input waiting for the UART FIFO */

struct vplat {
	struct vlapic lapic[DOM_MAX_VCPUS];
	struct vioapic ioapic;
	struct vpic pic;
	struct vpit pit;
	struct vrtc rtc;
	struct vpm pm;
	struct vpci pci;
	struct vuart uart;
	struct domain *dom;
	void (*on_eoi)(struct domain *d);
	uint64_t kvm_time[DOM_MAX_VCPUS]; /* MSR_KVM_SYSTEM_TIME_NEW as written */
	uint64_t kvm_wall;              /* MSR_KVM_WALL_CLOCK_NEW as written */
	uint64_t next_host;             /* host TSC of the next timer event */
	uint8_t input[VPLAT_INPUT];     /* console input not yet in the FIFO */
	unsigned in_head, in_len;
	/* Every model above; taken by each vplat_ call (the exit fast path
	 * calls vplat_msr without the big lock). What needs the big lock
	 * waits for the unlock: INITs and SIPIs (start, by vcpu: the
	 * delivery mode, 0 for none, and the vector) and the EOI hook. */
	struct spinlock lock;
	uint8_t start[DOM_MAX_VCPUS], start_vec[DOM_MAX_VCPUS];
	bool eoi_seen;
};

/* Builds d's platform: models, MMIO ranges, ACPI tables in guest RAM at
 * VPLAT_ACPI_GPA. Before the domain runs; 0 or a negative errno. on_eoi
 * is called at each EOI of its local APICs, after the IOAPIC's: the
 * physical IRQs passed through to d are deasserted there (pirq_eoi). */
int vplat_create(struct domain *d, void (*on_eoi)(struct domain *d));
void vplat_destroy(struct domain *d);
/* Drives the platform's interrupt line gsi (the IOAPIC pin; below 16 also
 * the PIC's): a physical IRQ passed through (vmm/xen/pirq.c). */
void vplat_gsi(struct domain *d, unsigned gsi, bool level);

/* A port access of the guest: true when a model claims the port. */
bool vplat_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val);
/* Whether an access starting at port needs only the platform's lock (and
 * the domain's console's), so the exit fast path may make it: the PIC,
 * PIT, RTC and UART, and reads of the PM timer; not PM control (power
 * off, reset) or PCI configuration (a device passed through). */
bool vplat_io_local(const struct domain *d, uint16_t port, bool in);
/* An MSR of the platform: the local APIC's (APIC_BASE, TSC_DEADLINE,
 * x2APIC) and KVM's paravirtual clock (0x4b564d00/01): 0, -EPERM (#GP),
 * or -ENOENT when the MSR is not the platform's. */
int vplat_msr(struct vcpu *v, uint32_t index, bool write, uint64_t *val);
/* Whether index is one of those MSRs of d's platform. */
bool vplat_msr_owned(const struct domain *d, uint32_t index);
/* Whether that access needs nothing beyond the platform's own lock (the
 * exit fast path may make it): the local APIC's registers but its base,
 * INIT, SIPI and NMI IPIs, and EOIs where physical IRQs are passed
 * through. */
bool vplat_msr_local(const struct domain *d, uint32_t index, bool write, uint64_t val);
/* The vector the vcpu would take now (LAPIC, else the PIC through
 * LINT0), or -1; with ack, the CPU takes it (IRR -> ISR, PIC INTA).
 * Sets v->plat_intr to whether one is left to take. */
int vplat_intr(struct vcpu *v, bool ack);
/* Runs the timers due by now (host TSC) and re-arms. */
void vplat_poll(struct domain *d, uint64_t now);
/* Console input for the guest's UART; returns the bytes queued. */
unsigned vplat_input(struct domain *d, const char *s, unsigned n);

/* On every exit of a platform domain (cheap: one compare). */
static inline void vplat_check(struct domain *d)
{
	if (d->plat) {
		uint64_t now = rdtsc();
		if (now >= d->plat->next_host)
			vplat_poll(d, now);
	}
}

#endif
