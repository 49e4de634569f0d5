/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-net over modern virtio-pci (virtio 1.x 5.1; the transport:
 * mgmt/virtio_pci.c). Features: VERSION_1 and MAC required; STATUS (the
 * link), CTRL_VQ and CTRL_RX (promiscuous mode) when offered; no
 * offloads, no MRG_RXBUF, one queue pair: receiveq 0, transmitq 1,
 * controlq 2.
 *
 * Every buffer is a 2 KiB half page of the DMA pool: the 12-byte
 * virtio_net_hdr (VERSION_1 always has num_buffers) then the frame, so
 * one descriptor carries a whole frame either way (without MRG_RXBUF
 * and offloads the device needs 1526 bytes a receive buffer: 5.1.6.3.1).
 * Receive descriptor i is always buffer i, given back to the device as
 * soon as its frame was handed over. Transmit buffers are taken with
 * their descriptor from the free list, and are reaped without
 * interrupts (VIRTQ_AVAIL_F_NO_INTERRUPT) when net_tx or net_poll runs:
 * only the receive queue signals MSI-X vector 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/blkdev.h"
#include "mgmt/dma.h"
#include "mgmt/netdev.h"
#include "mgmt/sys.h"
#include "mgmt/virtio_pci.h"

#define VIRTIO_ID_NET_TRANSITIONAL 0x1000 /* subsystem id 1 */
#define VIRTIO_ID_NET 0x1041              /* 0x1040 + device type 1 */

#define F_MAC (1ull << 5)
#define F_STATUS (1ull << 16)
#define F_CTRL_VQ (1ull << 17)
#define F_CTRL_RX (1ull << 18)

/* struct virtio_net_config */
#define CFG_MAC 0
#define CFG_STATUS 6
#define S_LINK_UP 1

#define HDR_LEN 12u /* struct virtio_net_hdr with num_buffers */
#define Q_RX 0
#define Q_TX 1
#define Q_CTRL 2
#define CTRL_RX 0
#define CTRL_RX_PROMISC 0
#define CTRL_ALLMULTI 1
#define CTRL_OK 0
#define CTRL_WAIT_NS 1000000000ull

#define RX_MAX 256u
#define TX_MAX 256u

struct vnet {
	struct netdev *nd;
	struct vpci vp;
	struct virtq rxq, txq, ctrlq;
	bool ctrl;                 /* CTRL_VQ and CTRL_RX: promiscuous mode */
	unsigned nrx, ntx;
	uint8_t *rxbuf[RX_MAX];    /* NET_BUF_SIZE each, in the pool */
	uint8_t *txbuf[TX_MAX];
	bool rx_out[RX_MAX];       /* buffer i is the device's */
	bool tx_out[TX_MAX];
	uint8_t *cmd;              /* a page: class, command, data; ack at 16 */
};

/* Buffers two a page; *n lowered to what the pool gave (at least min). */
static bool alloc_bufs(uint8_t **buf, unsigned *n, unsigned min)
{
	unsigned got = 0;

	for (; got + 1 < *n; got += 2) {
		uint8_t *page = dma_alloc(DMA_PAGE);
		if (!page)
			break;
		buf[got] = page;
		buf[got + 1] = page + NET_BUF_SIZE;
	}
	*n = got;
	return got >= min;
}

static void free_bufs(uint8_t **buf, unsigned n)
{
	for (unsigned i = 0; i + 1 < n; i += 2)
		dma_free(buf[i], DMA_PAGE);
}

static void give_rx(struct vnet *v, uint16_t i)
{
	v->rxq.desc[i] = (struct virtq_desc){ dma_maddr(v->rxbuf[i]), NET_BUF_SIZE,
					      VIRTQ_DESC_WRITE, 0 };
	v->rx_out[i] = true;
	virtq_push(&v->rxq, i);
}

/* Finished transmit buffers back to the free list. */
static void reap_tx(struct vnet *v)
{
	uint16_t head;
	uint32_t len;

	while (virtq_pop(&v->txq, &head, &len)) {
		if (head >= v->ntx || !v->tx_out[head])
			continue; /* a device bug: not ours to free */
		v->tx_out[head] = false;
		virtq_put_chain(&v->txq, head);
	}
}

static int vnet_tx(struct netdev *d, const uint8_t *frame, size_t len)
{
	struct vnet *v = d->drv;
	size_t wire = len < NET_ETH_ZLEN ? NET_ETH_ZLEN : len;
	int prev = -1;

	if (!v->txq.nr_free)
		reap_tx(v);
	if (!v->txq.nr_free)
		return -EAGAIN;
	uint16_t i = v->txq.free_head;
	uint8_t *b = v->txbuf[i];
	memset(b, 0, HDR_LEN); /* no checksum, no GSO */
	memcpy(b + HDR_LEN, frame, len);
	memset(b + HDR_LEN + len, 0, wire - len);
	virtq_chain(&v->txq, &prev, dma_maddr(b), (uint32_t)(HDR_LEN + wire), 0);
	v->tx_out[i] = true;
	virtq_push(&v->txq, i);
	virtq_kick(&v->txq);
	return 0;
}

static void read_link(struct vnet *v)
{
	v->nd->link = !(v->vp.features & F_STATUS) || (vpci_cfg16(&v->vp, CFG_STATUS) & S_LINK_UP);
}

static bool vnet_poll(struct netdev *d, bool fired, unsigned budget)
{
	struct vnet *v = d->drv;
	uint16_t head;
	uint32_t len;
	unsigned n = 0;

	if (fired)
		read_link(v);
	reap_tx(v);
	while (n < budget && virtq_pop(&v->rxq, &head, &len)) {
		if (head >= v->nrx || !v->rx_out[head]) {
			d->st.rx_errors++; /* an id we did not give */
			continue;
		}
		v->rx_out[head] = false;
		n++;
		if (len < HDR_LEN + NET_ETH_HLEN || len > NET_BUF_SIZE)
			d->st.rx_errors++;
		else
			net_deliver(d, v->rxbuf[head] + HDR_LEN, len - HDR_LEN);
		give_rx(v, head);
	}
	if (n)
		virtq_kick(&v->rxq);
	return virtq_has_used(&v->rxq);
}

static bool ctrl_used(void *ctx)
{
	return virtq_has_used(ctx);
}

/* One control command with one byte of data (polled); 0 or -EIO. */
static int ctrl_cmd(struct vnet *v, uint8_t class, uint8_t cmd, uint8_t data)
{
	int prev = -1;
	uint16_t head;
	uint32_t len;

	if (v->ctrlq.nr_free < 2)
		return -EIO; /* a command that never came back holds them */
	v->cmd[0] = class;
	v->cmd[1] = cmd;
	v->cmd[2] = data;
	v->cmd[16] = 0xff;
	uint16_t first = virtq_chain(&v->ctrlq, &prev, dma_maddr(v->cmd), 3, 0);
	virtq_chain(&v->ctrlq, &prev, dma_maddr(v->cmd + 16), 1, VIRTQ_DESC_WRITE);
	virtq_push(&v->ctrlq, first);
	virtq_kick(&v->ctrlq);
	if (!blk_spin(ctrl_used, &v->ctrlq, CTRL_WAIT_NS) || !virtq_pop(&v->ctrlq, &head, &len))
		return -EIO;
	virtq_put_chain(&v->ctrlq, head);
	return v->cmd[16] == CTRL_OK ? 0 : -EIO;
}

static int vnet_promisc(struct netdev *d, bool on)
{
	struct vnet *v = d->drv;

	if (!v->ctrl)
		return -EOPNOTSUPP;
	int rc = ctrl_cmd(v, CTRL_RX, CTRL_RX_PROMISC, on);
	return rc ? rc : ctrl_cmd(v, CTRL_RX, CTRL_ALLMULTI, on);
}

static const struct net_ops vnet_ops = { vnet_tx, vnet_poll, vnet_promisc };

static bool is_virtio_net(const struct pci_func *f)
{
	return f->vendor == VIRTIO_VENDOR && f->header == 0 &&
	       (f->device == VIRTIO_ID_NET || (f->device == VIRTIO_ID_NET_TRANSITIONAL && f->subsys == 1));
}

static void release(struct vnet *v)
{
	free_bufs(v->rxbuf, v->nrx);
	free_bufs(v->txbuf, v->ntx);
	virtq_free(&v->rxq);
	virtq_free(&v->txq);
	virtq_free(&v->ctrlq);
	dma_free(v->cmd, DMA_PAGE);
}

/* The queues and their buffers: as many as net_budget says, fewer if the
 * device's queues are smaller. */
static bool setup_queues(struct vnet *v)
{
	if (!net_budget(&v->nrx, &v->ntx))
		return false;
	if (!virtq_setup(&v->vp, &v->rxq, Q_RX, (uint16_t)v->nrx, 16, true) ||
	    !virtq_setup(&v->vp, &v->txq, Q_TX, (uint16_t)v->ntx, 8, false))
		return false;
	v->nrx = v->rxq.size;
	v->ntx = v->txq.size;
	/* Without its control queue an interface still works: it cannot
	 * switch promiscuous mode. */
	if (v->ctrl && (!virtq_setup(&v->vp, &v->ctrlq, Q_CTRL, 8, 2, false) ||
			!(v->cmd = dma_alloc(DMA_PAGE)))) {
		virtq_free(&v->ctrlq);
		v->ctrl = false;
	}
	if (!alloc_bufs(v->rxbuf, &v->nrx, 16) || !alloc_bufs(v->txbuf, &v->ntx, 8))
		return false;
	return true;
}

static bool bring_up(struct vnet *v, struct pci_func *f)
{
	if (!vpci_open(&v->vp, f, "virtio-net") ||
	    !vpci_negotiate(&v->vp, F_STATUS | F_CTRL_VQ | F_CTRL_RX, F_MAC))
		return false;
	v->ctrl = (v->vp.features & (F_CTRL_VQ | F_CTRL_RX)) == (F_CTRL_VQ | F_CTRL_RX);
	vpci_irq(&v->vp);
	if (!setup_queues(v)) {
		printf("mgmt: virtio-net at %s: no room for its queues in the DMA pool\n", pci_name(f));
		vpci_fail(&v->vp);
		release(v);
		return false;
	}
	vpci_ready(&v->vp);
	for (uint16_t i = 0; i < v->nrx; i++)
		give_rx(v, i);
	virtq_kick(&v->rxq);
	return true;
}

bool virtio_net_probe(struct pci_func *f)
{
	if (!is_virtio_net(f) || f->driver || !dma_ready())
		return false;
	struct vnet *v = calloc(1, sizeof(*v));
	if (!v)
		return false;
	if (!bring_up(v, f)) {
		free(v);
		return false;
	}
	struct netdev *d = net_add(&vnet_ops, v, f);
	if (!d) {
		vpci_reset(&v->vp); /* stop it: nobody listens */
		release(v);
		free(v);
		return false;
	}
	v->nd = d;
	f->driver = "virtio-net";
	d->driver = "virtio-net";
	uint8_t gen;
	do {
		gen = vpci_cfg_gen(&v->vp);
		for (unsigned i = 0; i < 6; i++)
			d->mac[i] = vpci_cfg8(&v->vp, CFG_MAC + i);
		read_link(v);
	} while (gen != vpci_cfg_gen(&v->vp));
	d->rx_bufs = v->nrx;
	d->tx_bufs = v->ntx;
	d->polled = !v->rxq.interrupts;
	/* QEMU's device starts promiscuous; the uplink's user turns it on
	 * when it wants it. */
	int rc = v->ctrl ? net_set_promisc(d, false) : 0;
	if (rc)
		printf("mgmt: nic %s: promiscuous mode not turned off (%d)\n", d->name, rc);
	snprintf(d->where, sizeof(d->where), "%s %s", pci_name(f), d->polled ? "polled" : "MSI-X");
	return true;
}
