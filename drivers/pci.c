/* SPDX-License-Identifier: GPL-2.0-only */
/* PCI configuration mechanism #1 (see pci.h). */
#include "drivers/pci.h"
#include "arch/x86_64/cpu.h"
#include "kernel/errno.h"

int pci_cfg(uint32_t sbdf, uint32_t reg, unsigned size, bool write, uint32_t *value)
{
	if (sbdf >> 16 || reg >= 256 || (size != 1 && size != 2 && size != 4) || (reg & (size - 1)))
		return -EINVAL;
	uint16_t port = (uint16_t)(0xcfc + (reg & 3));
	uint64_t f = irq_save(); /* the address and the data access go together */
	outl(0xcf8, 0x80000000u | sbdf << 8 | (reg & 0xfc));
	if (write && size == 1)
		outb(port, (uint8_t)*value);
	else if (write && size == 2)
		outw(port, (uint16_t)*value);
	else if (write)
		outl(port, *value);
	else
		*value = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
	irq_restore(f);
	return 0;
}
