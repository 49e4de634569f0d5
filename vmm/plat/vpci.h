/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI configuration mechanism #1 (ports 0xCF8/0xCFC) with an i440FX host
 * bridge at 00:00.0 and, for a domain with Xen's ABI, Xen's platform
 * device at 00:02.0 (pure, host-tested). Everything else reads all ones,
 * as an empty slot does. Linux's pci_check_type1 and pci_sanity_check
 * accept it, and its xen-platform-pci driver binds to the platform device.
 */
#ifndef EYRIE_VMM_VPCI_H
#define EYRIE_VMM_VPCI_H

#include <stdbool.h>
#include <stdint.h>

#define VPCI_HDR 64
#define VPCI_XEN_DEV   2           /* the platform device's slot */
#define VPCI_XEN_IO    0xc000u     /* its BAR0 (256 ports) */
#define VPCI_XEN_MMIO  0xf0000000u /* its BAR1 (16 MiB) */
/* Xen's platform ports: a word at 0x10 reads the magic 0x49d2, a byte at
 * 0x12 the protocol version (1); writes there (which emulated devices to
 * unplug, the driver's product and version) are taken: there are none. */
#define VPCI_XEN_PORTS 0x10

struct vpci {
	uint32_t addr;                 /* CONFIG_ADDRESS */
	bool xen;                      /* the platform device is there */
	uint8_t hdr[2][VPCI_HDR];      /* the bridge's and the platform device's */
};

void vpci_init(struct vpci *p, bool xen);

/*
 * An access of size 1, 2 or 4 to 0xCF8-0xCFF. CONFIG_ADDRESS changes only
 * on a 32-bit write to 0xCF8 (Linux writes a byte to 0xCFB for its type-2
 * probe), and reads back only as a 32-bit read of 0xCF8; other accesses
 * there read all ones. 0xCFC-0xCFF reach the register CONFIG_ADDRESS
 * selects, at byte (port & 3). Reads store into *val (zero-extended).
 */
void vpci_io(struct vpci *p, uint16_t port, unsigned size, bool in, uint32_t *val);
/* Xen's platform ports (VPCI_XEN_PORTS..+3): true when the access was
 * one of them. */
bool vpci_xen_io(struct vpci *p, uint16_t port, unsigned size, bool in, uint32_t *val);

#endif
