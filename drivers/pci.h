/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI configuration space through configuration mechanism #1 (ports
 * 0xCF8/0xCFC): the first 256 bytes of each function of segment 0, which
 * hold the header and the capability lists drivers need (MSI, MSI-X,
 * virtio's). The management domain reaches it through EYRIE_OP_pci_cfg.
 */
#ifndef EYRIE_DRIVERS_PCI_H
#define EYRIE_DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

/* sbdf: segment << 16 | bus << 8 | device << 3 | function. Reads or
 * writes size (1, 2, 4) bytes at reg (aligned to size, below 256).
 * 0, or -EINVAL for a bad address. */
int pci_cfg(uint32_t sbdf, uint32_t reg, unsigned size, bool write, uint32_t *value);

#endif
