/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's ACPI tables (pure builder, host-tested): RSDP, XSDT, FADT,
 * FACS, MADT and a DSDT with \_S5, describing the virtual platform of
 * vmm/plat/vpm.h (PM1a, PM timer, reset register 0xCF9), one I/O APIC and the
 * 8259 pair. The E820 map is vmm/load/gplace.h's business; the buffer must
 * lie in a range reported there as reserved or ACPI.
 */
#ifndef EYRIE_VMM_VACPI_H
#define EYRIE_VMM_VACPI_H

#include <stddef.h>
#include <stdint.h>

struct vacpi_cfg {
	uint64_t gpa;            /* guest-physical address of the buffer, 16-byte aligned, below 4 GiB */
	unsigned nr_cpus;        /* LAPIC ids 0..nr_cpus-1, all enabled; 1..254 */
	uint64_t lapic_base;     /* 0xfee00000 */
	uint64_t ioapic_base;    /* 0xfec00000 */
	uint8_t ioapic_id;       /* above every LAPIC id (vplat: DOM_MAX_VCPUS) */
	uint16_t pm_base;        /* VPM_PORT_BASE */
	uint8_t sci_irq;         /* 9 */
};

/*
 * Builds the tables into buf, the RSDP (revision 2) at its start, so the
 * RSDP's guest address is cfg->gpa (a BIOS-area gpa such as 0xE0000 lets
 * the guest find it by scanning). Returns the bytes used (> 0), -ENOSPC if
 * size is too small, -EINVAL for a bad cfg (alignment, CPU count, an
 * address above 4 GiB).
 */
int vacpi_build(const struct vacpi_cfg *cfg, void *buf, size_t size);

#endif
