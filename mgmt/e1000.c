/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel's gigabit MACs of the 8254x family (82540EM: QEMU's `e1000`;
 * 82545EM: `e1000-82545em`) and the 82574L (QEMU's `e1000e`), as their
 * public manuals describe them (the PCI/PCI-X Family of Gigabit Ethernet
 * Controllers Software Developer's Manual, "SDM"; the 82574 datasheet).
 * Only what both share is used: the legacy receive and transmit
 * descriptors (the 82574 keeps them while RFCTL.EXSTEN and the TX
 * descriptors' DEXT are clear), one queue each way, the first receive
 * address register, interrupts through ICR/IMS.
 *
 * Set-up (SDM 14.3-14.5): interrupts masked, a software reset (CTRL.RST),
 * the MAC from the EEPROM (EERD) or else the receive address the reset
 * loaded, link set up (CTRL.SLU, speed detected by the PHY's auto-
 * negotiation), the multicast table cleared, the rings, RCTL (broadcasts
 * accepted, CRC stripped, 2 KiB buffers) and TCTL (short frames padded).
 *
 * Interrupts: the 82574 gets MSI (its MSI-X would need the IVAR mapping
 * of causes to vectors); the 8254x have no MSI and get INTx (the IRQ the
 * firmware routed the pin to: mgmt/pci.c); with neither, the interface
 * is polled. Causes enabled: receive timer (RXT0), overrun (RXO),
 * minimum threshold (RXDMT0), sequence error (RXSEQ), link status change
 * (LSC); transmit completions are reaped without interrupts, when net_tx
 * or net_poll runs. Reading ICR acknowledges (and deasserts INTx) before
 * the line's EOI.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/blkdev.h"
#include "mgmt/dma.h"
#include "mgmt/netdev.h"
#include "mgmt/pci.h"
#include "mgmt/sys.h"

#define INTEL 0x8086

/* Registers (byte offsets in BAR 0). */
#define CTRL 0x0000
#define STATUS 0x0008
#define EERD 0x0014
#define ICR 0x00c0
#define ITR 0x00c4
#define IMS 0x00d0
#define IMC 0x00d8
#define RCTL 0x0100
#define TCTL 0x0400
#define TIPG 0x0410
#define RDBAL 0x2800
#define RDBAH 0x2804
#define RDLEN 0x2808
#define RDH 0x2810
#define RDT 0x2818
#define RDTR 0x2820
#define TDBAL 0x3800
#define TDBAH 0x3804
#define TDLEN 0x3808
#define TDH 0x3810
#define TDT 0x3818
#define CRCERRS 0x4000
#define MPC 0x4010
#define MTA 0x5200
#define RAL0 0x5400
#define RAH0 0x5404

#define CTRL_LRST (1u << 3)
#define CTRL_ASDE (1u << 5)
#define CTRL_SLU (1u << 6)
#define CTRL_ILOS (1u << 7)
#define CTRL_RST (1u << 26)
#define CTRL_VME (1u << 30)
#define CTRL_PHY_RST (1u << 31)
#define STATUS_LU (1u << 1)
#define RAH_AV (1u << 31)

#define ICR_LSC (1u << 2)
#define ICR_RXSEQ (1u << 3)
#define ICR_RXDMT0 (1u << 4)
#define ICR_RXO (1u << 6)
#define ICR_RXT0 (1u << 7)
#define IMS_WANTED (ICR_LSC | ICR_RXSEQ | ICR_RXDMT0 | ICR_RXO | ICR_RXT0)

#define RCTL_EN (1u << 1)
#define RCTL_UPE (1u << 3)
#define RCTL_MPE (1u << 4)
#define RCTL_BAM (1u << 15)
#define RCTL_SECRC (1u << 26) /* BSIZE 00 (2048 bytes), BSEX 0, LPE 0 */
#define TCTL_EN (1u << 1)
#define TCTL_PSP (1u << 3)
#define TCTL_CT (0x0fu << 4)   /* collision threshold: the SDM's 0Fh */
#define TCTL_COLD (0x40u << 12) /* collision distance: full duplex, 64 bytes */

/* Legacy descriptors (SDM 3.2.3, 3.3.3). */
struct rx_desc {
	uint64_t addr;
	uint16_t length, csum;
	uint8_t status, errors;
	uint16_t special;
};

struct tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso, cmd, status, css;
	uint16_t special;
};

#define RXS_DD 0x01
#define RXS_EOP 0x02
#define RXE_FRAME 0x97 /* CE, SE, SEQ, CXE, RXE: the frame itself is bad */
#define TXC_EOP 0x01
#define TXC_IFCS 0x02
#define TXC_RS 0x08
#define TXS_DD 0x01
#define TXS_EC 0x02
#define TXS_LC 0x04

#define RX_MAX 256u
#define TX_MAX 256u
#define STATS_NS 1000000000ull

struct model {
	uint16_t device;
	const char *driver, *name;
	bool eerd_82574; /* EERD's address at bit 2, DONE at bit 1 (else 8 and 4) */
	uint32_t tipg;   /* the manual's recommended inter-packet gap */
};

static const struct model models[] = {
	{ 0x100e, "e1000", "82540EM", false, 10 | 8 << 10 | 6 << 20 },
	{ 0x100f, "e1000", "82545EM", false, 10 | 8 << 10 | 6 << 20 },
	{ 0x10d3, "e1000e", "82574L", true, 8 | 8 << 10 | 6 << 20 },
};

struct e1000 {
	struct netdev *nd;
	struct pci_func *f;
	const struct model *m;
	volatile uint8_t *regs;
	struct rx_desc *rx;       /* the rings: one page of the pool */
	struct tx_desc *tx;
	unsigned nrx, ntx;
	uint8_t *rxbuf[RX_MAX];   /* NET_BUF_SIZE each */
	uint8_t *txbuf[TX_MAX];
	unsigned rx_next;         /* the next descriptor the device fills */
	unsigned tx_tail, tx_clean; /* next to fill, next to reap */
	bool rx_discard;          /* the rest of a frame that spanned buffers */
	uint64_t next_stats;
};

static uint32_t rd(const struct e1000 *e, unsigned reg)
{
	return *(volatile uint32_t *)(e->regs + reg);
}

static void wr(struct e1000 *e, unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(e->regs + reg) = v;
}

static bool reset_done(void *ctx)
{
	return !(rd(ctx, CTRL) & CTRL_RST);
}

/* CTRL.RST resets everything but the PCI interface and reloads the
 * EEPROM's words (the MAC into RAL0/RAH0); interrupts masked around it. */
static bool reset(struct e1000 *e)
{
	wr(e, IMC, 0xffffffffu);
	wr(e, RCTL, 0);
	wr(e, TCTL, 0);
	wr(e, CTRL, rd(e, CTRL) | CTRL_RST);
	sys_wait(1000000); /* 1 ms before the next access (the SDM asks for 1 us) */
	if (!blk_spin(reset_done, e, 100000000ull))
		return false;
	wr(e, IMC, 0xffffffffu);
	(void)rd(e, ICR);
	return true;
}

struct eerd_wait {
	struct e1000 *e;
	uint32_t done, value;
};

static bool eerd_done(void *ctx)
{
	struct eerd_wait *w = ctx;

	w->value = rd(w->e, EERD);
	return w->value & w->done;
}

/* EEPROM word `word` through EERD: START, wait for DONE, data in 31:16. */
static bool eeprom_word(struct e1000 *e, unsigned word, uint16_t *v)
{
	struct eerd_wait w = { e, e->m->eerd_82574 ? 1u << 1 : 1u << 4, 0 };

	wr(e, EERD, 1u | word << (e->m->eerd_82574 ? 2 : 8));
	if (!blk_spin(eerd_done, &w, 10000000ull))
		return false;
	*v = (uint16_t)(w.value >> 16);
	return true;
}

static bool mac_ok(const uint8_t m[6])
{
	static const uint8_t zero[6];

	return !(m[0] & 1) && memcmp(m, zero, 6); /* not multicast, not zero */
}

/* The MAC: words 0-2 of the EEPROM (little-endian), or the receive
 * address the reset loaded from it; written back to RAL0/RAH0 valid. */
static bool read_mac(struct e1000 *e, uint8_t mac[6])
{
	uint16_t w[3];
	bool ok = true;

	for (unsigned i = 0; i < 3 && ok; i++)
		ok = eeprom_word(e, i, &w[i]);
	for (unsigned i = 0; ok && i < 6; i++)
		mac[i] = (uint8_t)(w[i / 2] >> (8 * (i % 2)));
	if (!ok || !mac_ok(mac)) {
		uint32_t lo = rd(e, RAL0), hi = rd(e, RAH0);
		for (unsigned i = 0; i < 6; i++)
			mac[i] = (uint8_t)((i < 4 ? lo >> (8 * i) : hi >> (8 * (i - 4))));
		if (!(hi & RAH_AV) || !mac_ok(mac))
			return false;
	}
	wr(e, RAL0, (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 |
		    (uint32_t)mac[3] << 24);
	wr(e, RAH0, (uint32_t)mac[4] | (uint32_t)mac[5] << 8 | RAH_AV);
	return true;
}

static void free_bufs(uint8_t **buf, unsigned n)
{
	for (unsigned i = 0; i + 1 < n; i += 2)
		dma_free(buf[i], DMA_PAGE);
}

static bool alloc_bufs(uint8_t **buf, unsigned n)
{
	for (unsigned i = 0; i + 1 < n; i += 2) {
		uint8_t *page = dma_alloc(DMA_PAGE);
		if (!page) {
			free_bufs(buf, i);
			return false;
		}
		buf[i] = page;
		buf[i + 1] = page + NET_BUF_SIZE;
	}
	return true;
}

static void release(struct e1000 *e)
{
	free_bufs(e->rxbuf, e->nrx);
	free_bufs(e->txbuf, e->ntx);
	dma_free(e->rx, DMA_PAGE);
}

/* The rings in one page (RX at 0, TX at 2 KiB: 16-byte descriptors, both
 * 128-byte aligned and sized as the SDM asks) and their buffers. */
static bool alloc_rings(struct e1000 *e)
{
	if (!net_budget(&e->nrx, &e->ntx) || !(e->rx = dma_alloc(DMA_PAGE)))
		return false;
	e->tx = (struct tx_desc *)((uint8_t *)e->rx + 2048);
	if (!alloc_bufs(e->rxbuf, e->nrx)) {
		dma_free(e->rx, DMA_PAGE);
		return false;
	}
	if (!alloc_bufs(e->txbuf, e->ntx)) {
		free_bufs(e->rxbuf, e->nrx);
		dma_free(e->rx, DMA_PAGE);
		return false;
	}
	return true;
}

static uint32_t rctl(bool promisc)
{
	return RCTL_EN | RCTL_BAM | RCTL_SECRC | (promisc ? RCTL_UPE | RCTL_MPE : 0);
}

static void start_rings(struct e1000 *e)
{
	for (unsigned i = 0; i < e->nrx; i++)
		e->rx[i] = (struct rx_desc){ .addr = dma_maddr(e->rxbuf[i]) };
	uint64_t rx = dma_maddr(e->rx), tx = dma_maddr(e->tx);
	wr(e, RDBAL, (uint32_t)rx);
	wr(e, RDBAH, (uint32_t)(rx >> 32));
	wr(e, RDLEN, e->nrx * (uint32_t)sizeof(struct rx_desc));
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the descriptors before the device sees them */
	wr(e, RDH, 0);
	/* All descriptors but one are the device's: head == tail means none. */
	wr(e, RDT, e->nrx - 1);
	wr(e, RDTR, 0); /* an interrupt at once for each frame (ITR moderates) */
	wr(e, TDBAL, (uint32_t)tx);
	wr(e, TDBAH, (uint32_t)(tx >> 32));
	wr(e, TDLEN, e->ntx * (uint32_t)sizeof(struct tx_desc));
	wr(e, TDH, 0);
	wr(e, TDT, 0);
	wr(e, TIPG, e->m->tipg);
	wr(e, TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);
	wr(e, RCTL, rctl(false));
}

static void reap_tx(struct e1000 *e)
{
	while (e->tx_clean != e->tx_tail) {
		volatile struct tx_desc *t = &e->tx[e->tx_clean];
		if (!(t->status & TXS_DD))
			break;
		if (t->status & (TXS_EC | TXS_LC))
			e->nd->st.tx_errors++;
		e->tx_clean = (e->tx_clean + 1) % e->ntx;
	}
}

static int e1000_tx(struct netdev *d, const uint8_t *frame, size_t len)
{
	struct e1000 *e = d->drv;
	size_t wire = len < NET_ETH_ZLEN ? NET_ETH_ZLEN : len;
	unsigned next = (e->tx_tail + 1) % e->ntx;

	if (next == e->tx_clean)
		reap_tx(e);
	if (next == e->tx_clean)
		return -EAGAIN; /* one slot stays empty: tail == clean means none out */
	uint8_t *b = e->txbuf[e->tx_tail];
	memcpy(b, frame, len);
	memset(b + len, 0, wire - len);
	e->tx[e->tx_tail] = (struct tx_desc){ .addr = dma_maddr(b), .length = (uint16_t)wire,
					      .cmd = TXC_EOP | TXC_IFCS | TXC_RS };
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the descriptor before the tail */
	e->tx_tail = next;
	wr(e, TDT, next);
	return 0;
}

/* One received descriptor: delivered, or counted as an error. A frame
 * longer than a buffer (it cannot be, LPE being off) is dropped whole. */
static void rx_one(struct e1000 *e, volatile struct rx_desc *r, unsigned i)
{
	struct netdev *d = e->nd;
	uint8_t status = r->status, errors = r->errors;
	uint16_t len = r->length;

	if (!(status & RXS_EOP)) {
		if (!e->rx_discard)
			d->st.rx_errors++;
		e->rx_discard = true;
		return;
	}
	if (e->rx_discard) {
		e->rx_discard = false; /* the last piece of a dropped frame */
		return;
	}
	if (errors & RXE_FRAME || len < NET_ETH_HLEN || len > NET_BUF_SIZE)
		d->st.rx_errors++;
	else
		net_deliver(d, e->rxbuf[i], len);
}

static bool rx_poll(struct e1000 *e, unsigned budget)
{
	unsigned n = 0, last = e->nrx;

	while (n < budget) {
		volatile struct rx_desc *r = &e->rx[e->rx_next];
		if (!(r->status & RXS_DD))
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the fields after DD */
		rx_one(e, r, e->rx_next);
		r->status = 0;
		last = e->rx_next;
		e->rx_next = (e->rx_next + 1) % e->nrx;
		n++;
	}
	if (last != e->nrx) {
		/* Back to the device, up to (not including) the last one seen. */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		wr(e, RDT, last);
	}
	return e->rx[e->rx_next].status & RXS_DD;
}

/* The device's own counters (clear on read), now and then. */
static void read_stats(struct e1000 *e)
{
	struct netdev *d = e->nd;
	uint64_t now = now_ns();

	if (now < e->next_stats)
		return;
	e->next_stats = now + STATS_NS;
	d->st.rx_drops += rd(e, MPC);
	d->st.rx_errors += rd(e, CRCERRS);
}

static bool e1000_poll(struct netdev *d, bool fired, unsigned budget)
{
	struct e1000 *e = d->drv;

	if (fired) {
		uint32_t icr = rd(e, ICR); /* acknowledges: INTx deasserts */
		if (icr & ICR_LSC || d->polled)
			d->link = rd(e, STATUS) & STATUS_LU;
		read_stats(e);
	}
	reap_tx(e);
	return rx_poll(e, budget);
}

static int e1000_promisc(struct netdev *d, bool on)
{
	wr(d->drv, RCTL, rctl(on));
	return 0;
}

static const struct net_ops e1000_ops = { e1000_tx, e1000_poll, e1000_promisc };

static const struct model *find_model(const struct pci_func *f)
{
	if (f->vendor != INTEL || f->header != 0)
		return NULL;
	for (unsigned i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		if (models[i].device == f->device)
			return &models[i];
	return NULL;
}

static bool bring_up(struct e1000 *e, uint8_t mac[6])
{
	const char *why = NULL;

	pci_enable(e->f);
	if (!reset(e))
		why = "does not come out of reset";
	else if (!read_mac(e, mac))
		why = "no valid MAC in its EEPROM or receive address";
	else if (!alloc_rings(e))
		why = "no room for its rings in the DMA pool";
	if (why) {
		printf("mgmt: %s at %s: %s\n", e->m->driver, pci_name(e->f), why);
		return false;
	}
	/* Link: set up, speed and duplex from the PHY's auto-negotiation. */
	uint32_t ctrl = rd(e, CTRL) | CTRL_SLU | CTRL_ASDE;
	wr(e, CTRL, ctrl & ~(CTRL_LRST | CTRL_ILOS | CTRL_VME | CTRL_PHY_RST));
	for (unsigned i = 0; i < 128; i++)
		wr(e, MTA + 4 * i, 0);
	wr(e, ITR, 0);
	start_rings(e);
	return true;
}

/* MSI (82574), else INTx, else nothing; causes enabled when one works. */
static const char *setup_irq(struct e1000 *e)
{
	static char buf[16];
	enum pci_irq_kind k = pci_msi_enable(e->f);

	if (k == PCI_IRQ_NONE)
		k = pci_intx_enable(e->f);
	(void)rd(e, ICR);
	if (k == PCI_IRQ_NONE)
		return "polled";
	wr(e, IMS, IMS_WANTED);
	if (k == PCI_IRQ_MSI)
		return "MSI";
	snprintf(buf, sizeof(buf), "INTx %u", (unsigned)e->f->pirq);
	return buf;
}

bool e1000_probe(struct pci_func *f)
{
	const struct model *m = find_model(f);
	uint8_t mac[6];

	if (!m || f->driver || !dma_ready())
		return false;
	struct e1000 *e = calloc(1, sizeof(*e));
	if (!e)
		return false;
	e->f = f;
	e->m = m;
	e->regs = pci_bar_map(f, 0);
	if (!e->regs || !bring_up(e, mac)) {
		if (!e->regs)
			printf("mgmt: %s at %s: BAR 0 not mapped\n", m->driver, pci_name(f));
		free(e);
		return false;
	}
	struct netdev *d = net_add(&e1000_ops, e, f);
	if (!d) {
		reset(e); /* stop its DMA: nobody listens */
		release(e);
		free(e);
		return false;
	}
	e->nd = d;
	f->driver = m->driver;
	d->driver = m->driver;
	memcpy(d->mac, mac, 6);
	d->rx_bufs = e->nrx;
	d->tx_bufs = e->ntx;
	const char *irq = setup_irq(e);
	d->polled = !strcmp(irq, "polled");
	d->link = rd(e, STATUS) & STATUS_LU;
	snprintf(d->where, sizeof(d->where), "%s %s", pci_name(f), irq);
	return true;
}
