/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI for the management domain's drivers (mgmt/pci.c): the functions of
 * segment 0 (bus 0 and the buses behind its bridges), read through
 * EYRIE_OP_pci_cfg (the first 256 bytes of configuration space: the
 * header and the capability lists), their BARs mapped uncached with
 * EYRIE_OP_iomem, and their interrupts as events: MSI-X or MSI from
 * EYRIE_OP_msi, or INTx (the IRQ the firmware routed it to, granted with
 * EYRIE_OP_irq), bound with EVTCHNOP_bind_pirq.
 */
#ifndef EYRIE_MGMT_PCI_H
#define EYRIE_MGMT_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_MAX_FUNCS 64

/* Configuration space registers used here. */
#define PCI_VENDOR      0x00
#define PCI_DEVICE      0x02
#define PCI_COMMAND     0x04
#define PCI_STATUS      0x06
#define PCI_CLASS_REV   0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0        0x10
#define PCI_SUBSYS_ID   0x2e
#define PCI_SECONDARY   0x19 /* bridges: the bus behind */
#define PCI_CAP_PTR     0x34
#define PCI_INT_LINE    0x3c /* the IRQ the firmware routed INTx to */
#define PCI_INT_PIN     0x3d /* 0: no INTx, 1-4: INTA-INTD */
#define PCI_CMD_IO      0x0001
#define PCI_CMD_MEM     0x0002
#define PCI_CMD_MASTER  0x0004
#define PCI_CMD_INTX_OFF 0x0400
#define PCI_STATUS_CAPS 0x0010
#define PCI_CAP_MSI     0x05
#define PCI_CAP_VENDOR  0x09
#define PCI_CAP_MSIX    0x11

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
	enum pci_bar_kind kind;
	bool prefetch;
	uint64_t addr;   /* as the firmware set it */
	uint64_t size;   /* 0 until sized (pci_bar_map sizes it) */
	void *va;        /* mapped here (memory BARs), or NULL */
};

enum pci_irq_kind { PCI_IRQ_NONE, PCI_IRQ_MSI, PCI_IRQ_MSIX, PCI_IRQ_INTX };

struct pci_func {
	uint32_t sbdf;          /* bus << 8 | device << 3 | function (segment 0) */
	uint16_t vendor, device, subsys;
	uint8_t class, subclass, progif, rev;
	uint8_t header;         /* 0 a device, 1 a PCI-PCI bridge */
	int parent;             /* index of the bridge above, -1 on bus 0 */
	struct pci_bar bar[6];
	const char *driver;     /* who claimed it, or NULL */
	enum pci_irq_kind irq;
	uint32_t pirq, port;    /* its MSI(-X) vector 0 or INTx (pirq = the IRQ) as an
				 * event; functions sharing an INTx line share the port */
};

/* Enumerates bus 0 and the buses behind bridges the first time (the disk
 * and network drivers both ask: a function is probed once, its state
 * kept); the number of functions. */
unsigned pci_scan(void);
unsigned pci_count(void);
struct pci_func *pci_get(unsigned i);

/* Configuration space of f (size 1, 2, 4); all ones when refused. */
uint32_t pci_read(const struct pci_func *f, unsigned reg, unsigned size);
void pci_write(const struct pci_func *f, unsigned reg, unsigned size, uint32_t value);
/* The offset of the first capability id from offset `after` on (0: from
 * the start of the list), or 0. */
unsigned pci_find_cap(const struct pci_func *f, uint8_t id, unsigned after);

/* Turns on memory decoding and bus mastering of f and of the bridges
 * above it (a bridge forwards a device's DMA only when it is a master),
 * and turns INTx off (MSI, MSI-X or polling are used). */
void pci_enable(struct pci_func *f);
/* Sizes memory BAR i and maps it uncached (once); its virtual address,
 * or NULL (not a memory BAR, unassigned, larger than 4 MiB, refused). */
void *pci_bar_map(struct pci_func *f, unsigned i);
/* Vector 0 of MSI-X (preferred) or MSI, as an event channel watched by
 * sys_wait: f->irq, f->port. PCI_IRQ_NONE when it has neither or the
 * hypervisor refuses (then the driver polls). */
enum pci_irq_kind pci_irq_enable(struct pci_func *f);
/* Like pci_irq_enable with MSI only, never MSI-X: for a device whose
 * MSI-X needs more than vector 0 programmed (the 82574's IVAR). */
enum pci_irq_kind pci_msi_enable(struct pci_func *f);
/* INTx, for devices without MSI: the IRQ in the Interrupt Line register
 * (what the firmware routed INTA-D to; right on QEMU, whose PCI links
 * also reach the IOAPIC's pins of the same number; an APIC machine's
 * real routing is in ACPI's _PRT, which is not read), granted to us
 * with EYRIE_OP_irq (level-triggered: masked at each interrupt until
 * pci_intx_eoi) and bound to an event channel -- one for all functions
 * on that line; INTx turned on in the command register. PCI_IRQ_INTX, or
 * PCI_IRQ_NONE (no pin, no line, refused: the driver polls). */
enum pci_irq_kind pci_intx_enable(struct pci_func *f);
/* Unmasks f's INTx line after its event was served (PHYSDEVOP_eoi): every
 * device on the line must have stopped asserting it (its cause read and
 * cleared) or the line interrupts again at once. */
void pci_intx_eoi(const struct pci_func *f);
/* "bb:dd.f" */
const char *pci_name(const struct pci_func *f);

#endif
