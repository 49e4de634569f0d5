/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI enumeration and the helpers drivers use (see pci.h). Configuration
 * space goes through the hypervisor (EYRIE_OP_pci_cfg), one access per
 * call; enumeration reads a few registers of each function, BARs are
 * sized only when a driver maps them (sizing moves a BAR for a moment:
 * not something to do to a device someone else may be using).
 */
#include <stdio.h>

#include "include/public/event_channel.h"
#include "include/public/eyrie.h"
#include "include/public/xen.h"
#include "mgmt/pci.h"
#include "mgmt/sys.h"

#define BAR_MAP_MAX (4u << 20)

static struct pci_func funcs[PCI_MAX_FUNCS];
static unsigned nr_funcs;
static bool scanned;
static uint64_t buses_seen[256 / 64];

static uint32_t cfg_read(uint32_t sbdf, unsigned reg, unsigned size)
{
	struct eyrie_pci_cfg c = { sbdf, reg, size, 0, 0, 0 };

	if (hypercall(HYPERVISOR_eyrie_op, EYRIE_OP_pci_cfg, (unsigned long)&c, 0))
		return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	return c.value;
}

static void cfg_write(uint32_t sbdf, unsigned reg, unsigned size, uint32_t value)
{
	struct eyrie_pci_cfg c = { sbdf, reg, size, 1, value, 0 };

	hypercall(HYPERVISOR_eyrie_op, EYRIE_OP_pci_cfg, (unsigned long)&c, 0);
}

uint32_t pci_read(const struct pci_func *f, unsigned reg, unsigned size)
{
	return cfg_read(f->sbdf, reg, size);
}

void pci_write(const struct pci_func *f, unsigned reg, unsigned size, uint32_t value)
{
	cfg_write(f->sbdf, reg, size, value);
}

/* The BARs as the firmware left them (not sized: see the top). */
static void read_bars(struct pci_func *f)
{
	unsigned n = f->header == 0 ? 6 : f->header == 1 ? 2 : 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t v = pci_read(f, PCI_BAR0 + 4 * i, 4);
		struct pci_bar *b = &f->bar[i];
		if (v & 1) {
			b->kind = PCI_BAR_IO;
			b->addr = v & ~3u;
			continue;
		}
		b->prefetch = v & 8;
		b->addr = v & ~15u;
		b->kind = PCI_BAR_MEM32;
		if (((v >> 1) & 3) == 2 && i + 1 < n) {
			b->kind = PCI_BAR_MEM64;
			b->addr |= (uint64_t)pci_read(f, PCI_BAR0 + 4 * (i + 1), 4) << 32;
			i++; /* the upper half is no BAR of its own */
		}
	}
}

static void scan_bus(unsigned bus, int parent);

static void add_func(uint32_t sbdf, int parent)
{
	if (nr_funcs == PCI_MAX_FUNCS)
		return;
	struct pci_func *f = &funcs[nr_funcs];
	uint32_t id = cfg_read(sbdf, PCI_VENDOR, 4), cls = cfg_read(sbdf, PCI_CLASS_REV, 4);

	*f = (struct pci_func){ .sbdf = sbdf, .vendor = (uint16_t)id, .device = (uint16_t)(id >> 16),
				.class = (uint8_t)(cls >> 24), .subclass = (uint8_t)(cls >> 16),
				.progif = (uint8_t)(cls >> 8), .rev = (uint8_t)cls, .parent = parent };
	f->header = cfg_read(sbdf, PCI_HEADER_TYPE, 1) & 0x7f;
	if (f->header == 0)
		f->subsys = (uint16_t)cfg_read(sbdf, PCI_SUBSYS_ID, 2);
	read_bars(f);
	int me = (int)nr_funcs++;
	if (f->header == 1) {
		unsigned sec = cfg_read(sbdf, PCI_SECONDARY, 1);
		if (sec && sec != 0xff)
			scan_bus(sec, me);
	}
}

static void scan_bus(unsigned bus, int parent)
{
	if (buses_seen[bus / 64] >> (bus % 64) & 1)
		return; /* a loop of misconfigured bridges */
	buses_seen[bus / 64] |= 1ull << (bus % 64);
	for (unsigned dev = 0; dev < 32; dev++) {
		uint32_t sbdf = bus << 8 | dev << 3;
		if ((cfg_read(sbdf, PCI_VENDOR, 2) & 0xffff) == 0xffff)
			continue;
		unsigned nfn = cfg_read(sbdf, PCI_HEADER_TYPE, 1) & 0x80 ? 8 : 1;
		for (unsigned fn = 0; fn < nfn; fn++)
			if ((cfg_read(sbdf | fn, PCI_VENDOR, 2) & 0xffff) != 0xffff)
				add_func(sbdf | fn, parent);
	}
}

unsigned pci_scan(void)
{
	if (scanned)
		return nr_funcs;
	scanned = true;
	nr_funcs = 0;
	for (unsigned i = 0; i < 4; i++)
		buses_seen[i] = 0;
	scan_bus(0, -1);
	return nr_funcs;
}

unsigned pci_count(void)
{
	return nr_funcs;
}

struct pci_func *pci_get(unsigned i)
{
	return i < nr_funcs ? &funcs[i] : NULL;
}

unsigned pci_find_cap(const struct pci_func *f, uint8_t id, unsigned after)
{
	if (!(pci_read(f, PCI_STATUS, 2) & PCI_STATUS_CAPS))
		return 0;
	unsigned at = after ? pci_read(f, after + 1, 1) : pci_read(f, PCI_CAP_PTR, 1);
	/* At most 48 capabilities fit in 192 bytes: a longer list loops. */
	for (unsigned n = 0; at >= 0x40 && at < 0x100 && n < 48; n++) {
		at &= ~3u;
		if (pci_read(f, at, 1) == id)
			return at;
		at = pci_read(f, at + 1, 1);
	}
	return 0;
}

void pci_enable(struct pci_func *f)
{
	for (int i = f->parent; i >= 0; i = funcs[i].parent) {
		uint32_t cmd = pci_read(&funcs[i], PCI_COMMAND, 2);
		pci_write(&funcs[i], PCI_COMMAND, 2, cmd | PCI_CMD_MEM | PCI_CMD_MASTER);
	}
	uint32_t cmd = pci_read(f, PCI_COMMAND, 2);
	pci_write(f, PCI_COMMAND, 2, cmd | PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_OFF);
}

/* The usual way: all ones written, the bits that stay zero are the size;
 * decoding is off meanwhile so that nothing answers at the probe value. */
static uint64_t size_bar(struct pci_func *f, unsigned i)
{
	struct pci_bar *b = &f->bar[i];
	unsigned reg = PCI_BAR0 + 4 * i;
	uint32_t cmd = pci_read(f, PCI_COMMAND, 2);
	uint32_t lo = pci_read(f, reg, 4), hi = 0;
	uint64_t mask;

	pci_write(f, PCI_COMMAND, 2, cmd & ~(PCI_CMD_MEM | PCI_CMD_IO));
	pci_write(f, reg, 4, 0xffffffffu);
	mask = pci_read(f, reg, 4) & ~15u;
	pci_write(f, reg, 4, lo);
	if (b->kind == PCI_BAR_MEM64) {
		hi = pci_read(f, reg + 4, 4);
		pci_write(f, reg + 4, 4, 0xffffffffu);
		mask |= (uint64_t)pci_read(f, reg + 4, 4) << 32;
		pci_write(f, reg + 4, 4, hi);
	} else {
		mask |= 0xffffffff00000000ull;
	}
	pci_write(f, PCI_COMMAND, 2, cmd);
	return (uint32_t)mask || (mask >> 32 && b->kind == PCI_BAR_MEM64) ? ~mask + 1 : 0;
}

void *pci_bar_map(struct pci_func *f, unsigned i)
{
	if (i >= 6)
		return NULL;
	struct pci_bar *b = &f->bar[i];
	if (b->va)
		return b->va;
	if ((b->kind != PCI_BAR_MEM32 && b->kind != PCI_BAR_MEM64) || !b->addr)
		return NULL;
	if (!b->size)
		b->size = size_bar(f, i);
	if (!b->size || b->size > BAR_MAP_MAX)
		return NULL;
	b->va = sys_map_mmio(b->addr, b->size);
	return b->va;
}

/* A new MSI from the hypervisor, bound to an event channel we watch. */
static int new_msi(struct pci_func *f, uint64_t *addr, uint32_t *data)
{
	struct eyrie_msi m;

	if (hypercall(HYPERVISOR_eyrie_op, EYRIE_OP_msi, (unsigned long)&m, 0))
		return -1;
	struct evtchn_bind_pirq bp = { m.pirq, 0, 0 };
	if (hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_pirq, (unsigned long)&bp, 0))
		return -1;
	f->pirq = m.pirq;
	f->port = bp.port;
	*addr = m.addr;
	*data = m.data;
	sys_watch(bp.port, true);
	return 0;
}

#define MSIX_CTRL_ENABLE 0x8000u
#define MSIX_CTRL_MASKALL 0x4000u

static bool msix_enable(struct pci_func *f, unsigned cap)
{
	uint32_t table = pci_read(f, cap + 4, 4);
	uint8_t *bar = pci_bar_map(f, table & 7);
	uint64_t addr;
	uint32_t data, ctrl = pci_read(f, cap + 2, 2);

	if (!bar || new_msi(f, &addr, &data))
		return false;
	/* All vectors masked while entry 0 is written, then enabled. */
	pci_write(f, cap + 2, 2, ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	volatile uint32_t *e = (volatile uint32_t *)(bar + (table & ~7u));
	e[0] = (uint32_t)addr;
	e[1] = (uint32_t)(addr >> 32);
	e[2] = data;
	e[3] = 0; /* unmasked */
	pci_write(f, cap + 2, 2, (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL);
	return true;
}

static bool msi_enable(struct pci_func *f, unsigned cap)
{
	uint32_t ctrl = pci_read(f, cap + 2, 2);
	uint64_t addr;
	uint32_t data;

	if (new_msi(f, &addr, &data))
		return false;
	pci_write(f, cap + 4, 4, (uint32_t)addr);
	if (ctrl & 0x80) { /* 64-bit address */
		pci_write(f, cap + 8, 4, (uint32_t)(addr >> 32));
		pci_write(f, cap + 12, 2, data);
	} else {
		pci_write(f, cap + 8, 2, data);
	}
	/* One vector (multiple message enable 0), enabled. */
	pci_write(f, cap + 2, 2, (ctrl & ~0x70u) | 1);
	return true;
}

enum pci_irq_kind pci_irq_enable(struct pci_func *f)
{
	unsigned cap;

	if (f->irq != PCI_IRQ_NONE)
		return f->irq;
	if ((cap = pci_find_cap(f, PCI_CAP_MSIX, 0)) && msix_enable(f, cap))
		f->irq = PCI_IRQ_MSIX;
	else if ((cap = pci_find_cap(f, PCI_CAP_MSI, 0)) && msi_enable(f, cap))
		f->irq = PCI_IRQ_MSI;
	return f->irq;
}

enum pci_irq_kind pci_msi_enable(struct pci_func *f)
{
	unsigned cap;

	if (f->irq == PCI_IRQ_NONE && (cap = pci_find_cap(f, PCI_CAP_MSI, 0)) && msi_enable(f, cap))
		f->irq = PCI_IRQ_MSI;
	return f->irq;
}

/* The port of a line another function already bound, or 0. */
static uint32_t intx_port(uint32_t irq)
{
	for (unsigned i = 0; i < nr_funcs; i++)
		if (funcs[i].irq == PCI_IRQ_INTX && funcs[i].pirq == irq)
			return funcs[i].port;
	return 0;
}

enum pci_irq_kind pci_intx_enable(struct pci_func *f)
{
	if (f->irq != PCI_IRQ_NONE)
		return f->irq;
	uint32_t pin = pci_read(f, PCI_INT_PIN, 1), line = pci_read(f, PCI_INT_LINE, 1);
	/* 0 and 0xff: not routed; 2: the cascade (the timer's pin). */
	if (!pin || pin > 4 || !line || line == 2 || line == 0xff)
		return PCI_IRQ_NONE;
	uint32_t port = intx_port(line);
	if (!port) {
		struct eyrie_dom_irq q = { 0, line, 1, 0 };
		struct evtchn_bind_pirq bp = { line, 0, 0 };
		if (hypercall(HYPERVISOR_eyrie_op, EYRIE_OP_irq, (unsigned long)&q, 0) ||
		    hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_pirq, (unsigned long)&bp, 0))
			return PCI_IRQ_NONE;
		port = bp.port;
		sys_watch(port, true);
	}
	f->pirq = line;
	f->port = port;
	f->irq = PCI_IRQ_INTX;
	uint32_t cmd = pci_read(f, PCI_COMMAND, 2);
	pci_write(f, PCI_COMMAND, 2, cmd & ~PCI_CMD_INTX_OFF);
	return f->irq;
}

void pci_intx_eoi(const struct pci_func *f)
{
	struct physdev_eoi eoi = { f->pirq };

	if (f->irq == PCI_IRQ_INTX)
		hypercall(HYPERVISOR_physdev_op, PHYSDEVOP_eoi, (unsigned long)&eoi, 0);
}

const char *pci_name(const struct pci_func *f)
{
	static char buf[4][16];
	static unsigned n;
	char *s = buf[n++ % 4];

	snprintf(s, sizeof(buf[0]), "%02x:%02x.%x", f->sbdf >> 8 & 0xff, f->sbdf >> 3 & 0x1f,
		 f->sbdf & 7);
	return s;
}
