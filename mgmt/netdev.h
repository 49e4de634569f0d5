/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management domain's network interfaces (mgmt/netdev.c): one
 * interface over its NIC drivers (mgmt/virtio_net.c, mgmt/e1000.c), for
 * the bridge's uplink port and the console. See docs/nics.md.
 *
 * Frames. A frame is a whole Ethernet frame without its FCS: destination,
 * source, type, payload. What is sent is complete (checksums filled in,
 * no offloads: netpkt.h finishes a guest's frames first), 14 to
 * NET_FRAME_MAX bytes; a frame shorter than 60 bytes is padded with
 * zeroes to the Ethernet minimum on the wire. What is received is handed
 * over as the device stored it (at most NET_RX_MAX bytes: a VLAN tag may
 * come on top of NET_FRAME_MAX) and is hostile: it comes from the wire.
 *
 * Sending. net_tx copies the frame into one of the device's own TX
 * buffers (in the DMA pool) and hands it to the device at once; the
 * caller's buffer is free when it returns. It never blocks: with every
 * TX buffer still in flight (after reaping those the device finished)
 * the frame is not taken (-EAGAIN) and counted in tx_drops; the caller
 * counts its own drop too. There is no queue behind the ring: a full
 * ring is back-pressure, as a full qdisc is.
 *
 * Receiving. The user of an interface (the bridge; the console's
 * diagnostics for a moment) sets rx and rx_ctx. net_poll calls rx for
 * each frame received, in order, with a pointer into the device's
 * buffer, valid only during the call (copy what is kept). rx may call
 * net_tx (on any interface, this one included) but not net_poll. With no
 * rx set, frames are counted (rx_packets) and dropped (rx_drops).
 *
 * Main loop. Everything runs in mgmt's single thread; nothing here is
 * called from an interrupt. Interrupts (MSI-X, MSI or INTx bound to
 * event channels, which sys_wait watches) only wake the loop: it calls
 * net_poll after each wake-up, which reaps RX and TX completions, calls
 * rx, gives the buffers back to the device, and returns how long the
 * loop may sleep (UINT64_MAX: until an event; short for an interface
 * without interrupts, which is polled). A poll takes at most
 * NET_POLL_BUDGET frames an interface; with more waiting, sys_busy makes
 * the next wait not sleep, so one busy interface cannot starve the rest
 * of the loop.
 */
#ifndef EYRIE_MGMT_NETDEV_H
#define EYRIE_MGMT_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_ETH_HLEN 14u
#define NET_ETH_ZLEN 60u      /* the shortest frame on the wire, FCS excluded */
#define NET_MTU 1500u
#define NET_FRAME_MAX 1514u   /* MTU + header: what net_tx takes at most */
#define NET_RX_MAX 1522u      /* what rx may get: a VLAN tag and the FCS's room */
#define NET_BUF_SIZE 2048u    /* one RX or TX buffer: two a page of the pool */
#define NET_MAX_IFS 8u
#define NET_POLL_BUDGET 64u

struct netdev;
typedef void net_rx_fn(struct netdev *d, const uint8_t *frame, size_t len, void *ctx);

struct net_stats {
	uint64_t rx_packets, rx_bytes; /* frames the device gave us */
	uint64_t rx_drops;             /* not delivered: no user, no room in the
					* device (its missed-packet counter) */
	uint64_t rx_errors;            /* bad frames: device-flagged, truncated,
					* longer than a buffer */
	uint64_t tx_packets, tx_bytes; /* frames the device took */
	uint64_t tx_drops;             /* refused by net_tx: the ring was full */
	uint64_t tx_errors;            /* refused as invalid, or failed in the device */
	uint64_t irqs;                 /* wake-ups its interrupt caused */
};

/* What a driver provides. */
struct net_ops {
	/* Copies a checked frame (14..NET_FRAME_MAX bytes) into a free TX
	 * buffer, padded to NET_ETH_ZLEN, and hands it to the device: 0 or
	 * -EAGAIN (no free buffer after reaping finished ones). */
	int (*tx)(struct netdev *d, const uint8_t *frame, size_t len);
	/* Acknowledges the interrupt if `fired` (its event came), updates the
	 * link state, reaps finished TX buffers and up to budget received
	 * frames (net_deliver each), gives RX buffers back; whether received
	 * frames are left over. */
	bool (*poll)(struct netdev *d, bool fired, unsigned budget);
	/* Receives every unicast and multicast frame (on) or only its own
	 * MAC's, broadcast (off): 0, or -EOPNOTSUPP / -EIO. */
	int (*set_promisc)(struct netdev *d, bool on);
};

struct netdev {
	/* What the interface is (read-only for users). */
	char name[8];             /* eth0, eth1, ... in PCI order */
	const char *driver;       /* "virtio-net", "e1000", "e1000e" */
	char where[32];           /* "00:03.0 MSI-X", "00:04.0 INTx 11", "00:05.0 polled" */
	uint8_t mac[6];           /* its own address (the device's) */
	bool link;                /* the carrier, as the device last said */
	bool promisc;
	uint16_t mtu;             /* NET_MTU */
	unsigned rx_bufs, tx_bufs; /* buffers it has in the DMA pool */
	struct net_stats st;

	/* Set by the user (see the top). */
	net_rx_fn *rx;
	void *rx_ctx;

	/* The driver's. */
	const struct net_ops *ops;
	void *drv;
	struct pci_func *f;
	bool polled;              /* no interrupt: net_poll must be called often */
	uint64_t last_rx_ns;      /* when a frame last came (polling pace) */
};

/* ---- For users (the bridge's uplink, the console) ---- */

/* Probes every PCI function not taken yet (after blk_init: the scan is
 * shared) and prints what it found. */
void net_init(void);
unsigned net_count(void);
struct netdev *net_get(unsigned i);
struct netdev *net_find(const char *name);
/* 0: taken (see the top); -EINVAL (len outside 14..NET_FRAME_MAX, or no
 * frame; counted in tx_errors), -EAGAIN (the ring is full; counted in
 * tx_drops), -ENETDOWN (no link; counted in tx_drops). */
int net_tx(struct netdev *d, const uint8_t *frame, size_t len);
/* Promiscuous mode (a bridge's uplink receives frames for the guests'
 * MACs): 0, -EOPNOTSUPP (the device cannot switch: a virtio-net without
 * VIRTIO_NET_F_CTRL_RX, which QEMU's receives everything anyway), -EIO. */
int net_set_promisc(struct netdev *d, bool on);
/* See "Main loop" above: the ns the caller may sleep. */
uint64_t net_poll(void);

/* ---- For drivers ---- */

/* A new interface (zeroed but for ops, drv, f, named ethN); NULL when
 * NET_MAX_IFS are there or memory is out. */
struct netdev *net_add(const struct net_ops *ops, void *drv, struct pci_func *f);
/* A received frame (counted, handed to rx, or dropped). */
void net_deliver(struct netdev *d, const uint8_t *frame, size_t len);
/* How many RX and TX buffers a new interface takes: 128 and 64, or
 * fewer (down to 32 and 16) so that it takes at most a quarter of the
 * DMA pool's free pages (the disks' bounce buffers need the rest); false
 * when even the least does not fit. */
bool net_budget(unsigned *rx, unsigned *tx);

/* The drivers' probes (net_init calls them for each untaken function):
 * whether they took it. */
bool virtio_net_probe(struct pci_func *f);
bool e1000_probe(struct pci_func *f);

#endif
