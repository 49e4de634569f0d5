/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI configuration mechanism #1 over a small table of functions, each a
 * 64-byte type 0 header image and the mask of its writable bits (PCI 3.0
 * 6.1, 6.2.5): writing all ones to a BAR reads back its size, as sizing
 * expects. CONFIG_ADDRESS keeps its enable bit, bus, device, function and
 * dword register (bits 30:24 reserved and 1:0 read 0).
 *
 * 00:00.0 host bridge: vendor 8086 device 1237 (i440FX) revision 02,
 *   class 06/00/00, status 0x0280 (fast back-to-back capable, medium
 *   DEVSEL); only the command bits a host bridge implements here (memory
 *   space, bus master, parity and SERR# response) are writable.
 * 00:02.0 Xen platform device (xen=1): vendor 5853 device 0001 revision 1,
 *   class ff/80/00, subsystem 5853:0001, INTA; BAR0 256 I/O ports, BAR1
 *   16 MiB of prefetchable memory, placed where the guest's memory map has
 *   nothing (the guest maps its grant-table frames there).
 */
#include "vmm/plat/vpci.h"
#include "kernel/bytes.h"
#include "kernel/string.h"

#define ADDR_MASK 0x80fffffcu

static const uint8_t bridge_hdr[VPCI_HDR] = {
	0x86, 0x80, 0x37, 0x12, 0x06, 0x00, 0x80, 0x02, 0x02, 0, 0, 0x06,
};
static const uint8_t bridge_wmask[VPCI_HDR] = { [4] = 0x46, [5] = 0x01 };

static const uint8_t xen_hdr[VPCI_HDR] = {
	0x53, 0x58, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0, 0x80, 0xff,
	[0x10] = (VPCI_XEN_IO & 0xff) | 1, (VPCI_XEN_IO >> 8) & 0xff, 0, 0,
	[0x14] = 0x08, (VPCI_XEN_MMIO >> 8) & 0xff, (VPCI_XEN_MMIO >> 16) & 0xff, VPCI_XEN_MMIO >> 24,
	[0x2c] = 0x53, 0x58, 0x01, 0x00,
	[0x3c] = 0, 1,
};
static const uint8_t xen_wmask[VPCI_HDR] = {
	[4] = 0x07, [0x11] = 0xff, [0x12] = 0xff, [0x13] = 0xff, [0x17] = 0xff, [0x3c] = 0xff,
};

void vpci_init(struct vpci *p, bool xen)
{
	p->addr = 0;
	p->xen = xen;
	memcpy(p->hdr[0], bridge_hdr, VPCI_HDR);
	memcpy(p->hdr[1], xen_hdr, VPCI_HDR);
}

/* The header of the function CONFIG_ADDRESS names, or NULL (an empty
 * slot: all ones). */
static uint8_t *function(struct vpci *p, const uint8_t **wmask)
{
	uint32_t f = p->addr & 0x80ffff00u;

	if (f == 0x80000000u) { /* 00:00.0 */
		*wmask = bridge_wmask;
		return p->hdr[0];
	}
	if (f == (0x80000000u | VPCI_XEN_DEV << 11) && p->xen) {
		*wmask = xen_wmask;
		return p->hdr[1];
	}
	return NULL;
}

void vpci_io(struct vpci *p, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	const uint8_t *wmask = NULL;
	uint8_t *hdr = function(p, &wmask);
	uint32_t out = 0;

	if (port >= 0xcf8 && port < 0xcfc) {
		if (port == 0xcf8 && size == 4 && !in)
			p->addr = *val & ADDR_MASK;
		else if (in)
			*val = port == 0xcf8 && size == 4 ? p->addr : (uint32_t)size_mask(size);
		return;
	}
	for (unsigned i = 0; i < size && i < 4; i++) {
		unsigned reg = (p->addr & 0xfc) + ((port + i) & 3);
		uint8_t b = (uint8_t)(*val >> (8 * i));

		if (in)
			out |= (uint32_t)(!hdr ? 0xff : reg < VPCI_HDR ? hdr[reg] : 0) << (8 * i);
		else if (hdr && reg < VPCI_HDR)
			hdr[reg] = (uint8_t)((hdr[reg] & ~wmask[reg]) | (b & wmask[reg]));
	}
	if (in)
		*val = out;
}

bool vpci_xen_io(struct vpci *p, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	if (!p->xen || port < VPCI_XEN_PORTS || port >= VPCI_XEN_PORTS + 4)
		return false;
	if (in) /* the magic (a word at 0x10), the protocol version (a byte at 0x12) */
		*val = port == VPCI_XEN_PORTS && size == 2 ? 0x49d2
		       : port == VPCI_XEN_PORTS + 2 && size == 1 ? 1 : 0;
	return true; /* writes (the unplug mask, driver version, product) change nothing */
}
