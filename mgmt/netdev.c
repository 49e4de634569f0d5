/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The network interfaces of the management domain (see netdev.h): the
 * registry, the checks of net_tx, the counters, and the poll over the
 * drivers with their interrupt events (an INTx line shared by several
 * interfaces is one event and one EOI for all of them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/dma.h"
#include "mgmt/netdev.h"
#include "mgmt/pci.h"
#include "mgmt/sys.h"

#define NS_MS 1000000ull
/* A polled interface: every ms while frames came in the last second,
 * else every 10 ms. */
#define POLL_BUSY_NS NS_MS
#define POLL_IDLE_NS (10 * NS_MS)
#define BUSY_WINDOW_NS (1000 * NS_MS)
/* Interfaces with interrupts are looked at without an event this often
 * too: an interrupt lost (or routed elsewhere: INTx on a real machine)
 * costs latency, not the interface. */
#define SAFETY_POLL_NS (100 * NS_MS)

static struct netdev *ifs[NET_MAX_IFS];
static unsigned nr_ifs;
static uint64_t next_safety_poll;

unsigned net_count(void)
{
	return nr_ifs;
}

struct netdev *net_get(unsigned i)
{
	return i < nr_ifs ? ifs[i] : NULL;
}

struct netdev *net_find(const char *name)
{
	for (unsigned i = 0; i < nr_ifs; i++)
		if (!strcmp(ifs[i]->name, name))
			return ifs[i];
	return NULL;
}

struct netdev *net_add(const struct net_ops *ops, void *drv, struct pci_func *f)
{
	if (nr_ifs == NET_MAX_IFS)
		return NULL;
	struct netdev *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->ops = ops;
	d->drv = drv;
	d->f = f;
	d->mtu = NET_MTU;
	snprintf(d->name, sizeof(d->name), "eth%u", nr_ifs);
	ifs[nr_ifs++] = d;
	return d;
}

bool net_budget(unsigned *rx, unsigned *tx)
{
	/* Pages a set takes: two buffers a page, and a page or two of rings. */
	static const unsigned sets[][2] = { { 128, 64 }, { 64, 32 }, { 32, 16 } };
	unsigned avail = dma_free_pages();

	for (unsigned i = 0; i < 3; i++) {
		unsigned pages = (sets[i][0] + sets[i][1]) / 2 + 4;
		if (pages <= avail / 4 || (i == 2 && pages <= avail)) {
			*rx = sets[i][0];
			*tx = sets[i][1];
			return true;
		}
	}
	return false;
}

void net_deliver(struct netdev *d, const uint8_t *frame, size_t len)
{
	if (len < NET_ETH_HLEN || len > NET_RX_MAX) {
		d->st.rx_errors++; /* what the contract promises users, whatever the device */
		return;
	}
	d->st.rx_packets++;
	d->st.rx_bytes += len;
	d->last_rx_ns = now_ns();
	if (d->rx)
		d->rx(d, frame, len, d->rx_ctx);
	else
		d->st.rx_drops++;
}

int net_tx(struct netdev *d, const uint8_t *frame, size_t len)
{
	if (!frame || len < NET_ETH_HLEN || len > NET_FRAME_MAX) {
		d->st.tx_errors++;
		return -EINVAL;
	}
	if (!d->link) {
		d->st.tx_drops++;
		return -ENETDOWN;
	}
	int rc = d->ops->tx(d, frame, len);
	if (rc) {
		d->st.tx_drops++;
		return rc;
	}
	d->st.tx_packets++;
	d->st.tx_bytes += len;
	return 0;
}

int net_set_promisc(struct netdev *d, bool on)
{
	int rc = d->ops->set_promisc(d, on);

	if (!rc)
		d->promisc = on;
	return rc;
}

/* Whether d's interrupt event came. Interfaces sharing an INTx line share
 * its port: the first asked takes the event for all of them (fired[]). */
static void take_events(bool fired[NET_MAX_IFS])
{
	for (unsigned i = 0; i < nr_ifs; i++)
		fired[i] = false;
	for (unsigned i = 0; i < nr_ifs; i++) {
		struct pci_func *f = ifs[i]->f;
		if (ifs[i]->polled || fired[i] || !sys_fired(f->port))
			continue;
		for (unsigned k = 0; k < nr_ifs; k++)
			if (!ifs[k]->polled && ifs[k]->f->port == f->port)
				fired[k] = true;
	}
}

uint64_t net_poll(void)
{
	bool fired[NET_MAX_IFS], more = false;
	uint64_t now = now_ns(), wait = UINT64_MAX;
	bool safety = now >= next_safety_poll;

	if (!nr_ifs)
		return UINT64_MAX;
	if (safety)
		next_safety_poll = now + SAFETY_POLL_NS;
	take_events(fired);
	for (unsigned i = 0; i < nr_ifs; i++) {
		struct netdev *d = ifs[i];
		if (fired[i])
			d->st.irqs++;
		/* Interfaces are cheap to look at (their rings are in our
		 * memory): each is looked at on every wake-up; the device's
		 * registers only when its event came (or the safety poll). */
		more |= d->ops->poll(d, fired[i] || d->polled || safety, NET_POLL_BUDGET);
		if (d->polled) {
			uint64_t w = now - d->last_rx_ns < BUSY_WINDOW_NS ? POLL_BUSY_NS : POLL_IDLE_NS;
			wait = w < wait ? w : wait;
		}
	}
	/* INTx: the lines unmasked once every device on them is served. */
	for (unsigned i = 0; i < nr_ifs; i++) {
		bool first = true;
		for (unsigned k = 0; k < i; k++)
			if (fired[k] && ifs[k]->f->port == ifs[i]->f->port)
				first = false;
		if (fired[i] && first)
			pci_intx_eoi(ifs[i]->f);
	}
	if (more)
		sys_busy();
	return wait;
}

void net_init(void)
{
	unsigned n = pci_scan();

	for (unsigned i = 0; i < n; i++) {
		struct pci_func *f = pci_get(i);
		if (!f->driver && !virtio_net_probe(f))
			e1000_probe(f);
	}
	for (unsigned i = 0; i < nr_ifs; i++) {
		struct netdev *d = ifs[i];
		printf("mgmt: nic %s: %s at %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, "
		       "%u RX and %u TX buffers\n", d->name, d->driver, d->where, d->mac[0], d->mac[1],
		       d->mac[2], d->mac[3], d->mac[4], d->mac[5], d->link ? "up" : "down", d->rx_bufs,
		       d->tx_bufs);
	}
}
