/*
 * PCI configuration mechanism #1 (ports 0xCF8/0xCFC) with one device: an
 * i440FX host bridge at 00:00.0 (pure, host-tested). Everything else reads
 * all ones, as an empty slot does. Linux's pci_check_type1 and
 * pci_sanity_check accept it.
 */
#ifndef EYRIE_VMM_VPCI_H
#define EYRIE_VMM_VPCI_H

#include <stdbool.h>
#include <stdint.h>

struct vpci {
	uint32_t addr; /* CONFIG_ADDRESS */
	uint16_t cmd;  /* the bridge's command register */
};

void vpci_init(struct vpci *p);

/*
 * An access of size 1, 2 or 4 to 0xCF8-0xCFF. CONFIG_ADDRESS changes only
 * on a 32-bit write to 0xCF8 (Linux writes a byte to 0xCFB for its type-2
 * probe), and reads back only as a 32-bit read of 0xCF8; other accesses
 * there read all ones. 0xCFC-0xCFF reach the register CONFIG_ADDRESS
 * selects, at byte (port & 3). Reads store into *val (zero-extended).
 */
void vpci_io(struct vpci *p, uint16_t port, unsigned size, bool in, uint32_t *val);

#endif
