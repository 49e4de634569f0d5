/*
 * Host bridge config space (PCI 3.0 6.1, type 0 header): vendor 8086
 * device 1237 (i440FX) revision 02, class 06/00/00, header type 0,
 * status 0x0280 (fast back-to-back capable, medium DEVSEL), subsystem 0.
 * Writes change only the command register bits a host bridge implements
 * here (memory space, bus master, parity and SERR# response); all else is
 * read-only. CONFIG_ADDRESS keeps its enable bit, bus, device, function
 * and dword register (bits 30:24 reserved and 1:0 read 0).
 */
#include "vmm/vpci.h"

#define ADDR_MASK 0x80fffffcu
#define CMD_RESET 0x0006u
#define CMD_WMASK 0x0146u

void vpci_init(struct vpci *p)
{
	p->addr = 0;
	p->cmd = CMD_RESET;
}

static uint8_t bridge_byte(const struct vpci *p, unsigned reg)
{
	static const uint8_t hdr[16] = {
		0x86, 0x80, 0x37, 0x12, /* vendor, device */
		0, 0, 0x80, 0x02,       /* command (below), status */
		0x02, 0, 0, 0x06,       /* revision, class 06/00/00 */
		0, 0, 0, 0,             /* cache line, latency, header type 0, BIST */
	};

	if (reg == 4 || reg == 5)
		return (uint8_t)(p->cmd >> (8 * (reg - 4)));
	return reg < sizeof(hdr) ? hdr[reg] : 0;
}

static uint32_t ones(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

void vpci_io(struct vpci *p, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	bool bridge = (p->addr & 0x80ffff00u) == 0x80000000u; /* 00:00.0 */
	uint32_t out = 0;

	if (port >= 0xcf8 && port < 0xcfc) {
		if (port == 0xcf8 && size == 4 && !in)
			p->addr = *val & ADDR_MASK;
		else if (in)
			*val = port == 0xcf8 && size == 4 ? p->addr : ones(size);
		return;
	}
	for (unsigned i = 0; i < size && i < 4; i++) {
		unsigned reg = (p->addr & 0xfc) + ((port + i) & 3);
		uint8_t b = (uint8_t)(*val >> (8 * i));

		if (in) {
			out |= (uint32_t)(bridge ? bridge_byte(p, reg) : 0xff) << (8 * i);
		} else if (bridge && (reg == 4 || reg == 5)) {
			uint16_t m = (uint16_t)(CMD_WMASK & (0xffu << (8 * (reg - 4))));
			p->cmd = (uint16_t)((p->cmd & ~m) | ((b << (8 * (reg - 4))) & m));
		}
	}
	if (in)
		*val = out;
}
