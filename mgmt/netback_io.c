/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The network backend's data path (see netback.h, docs/network.md).
 *
 * TX (the guest sends): each frame is taken whole from the TX ring
 * (mgmt/netring.c copies and checks its slots), its bytes are copied with
 * GNTTABOP_copy from the guest's pages into a frame of our own, the
 * copies of up to NETRING_TX_BUDGET frames go out together (COPY_BATCH a
 * hypercall), every slot is answered, the responses published together
 * (an event only if the guest's rsp_event asks for it), and then the
 * frames go to the bridge. The guest's pages are never mapped: a copy is
 * the only access, so nothing it does to them later can reach us.
 *
 * RX (the guest receives): frames the bridge sends wait in the vif's
 * queue (mgmt/netqueue.c; bounded: NETQUEUE_FRAMES frames, NETQUEUE_BYTES
 * bytes; beyond, the bridge counts them dropped as "full"; when the frame
 * budget runs short, the longest queues give frames back, counted as
 * reclaimed). When the guest has posted enough pages for the frame at
 * the head, its requests are taken and the bytes copied into those pages
 * (whole pages from offset 0), then answered in the same slots. A frame that does not find enough pages waits, and the
 * ring's req_event asks the guest (feature-rx-notify) for an event when
 * it has posted them. A queue that has not moved for NB_STALL_NS (a guest
 * that posts no pages) is dropped, counted as stalled.
 */
#include <errno.h>
#include <string.h>

#include "include/public/event_channel.h"
#include "include/public/grant_table.h"
#include "include/public/xen.h"
#include "mgmt/netback.h"
#include "mgmt/gntcopy.h"
#include "mgmt/netback_int.h"
#include "mgmt/sys.h"

#define COPY_BATCH 128          /* grant copies per hypercall */
#define RX_BATCH   64           /* frames moved into a guest per round */

/* The grant copies waiting for their hypercall; a failed one sets the bit
 * of its frame (TX) or page (RX) in *fail. */
static struct gnttab_copy cops[COPY_BATCH];
static struct {
	struct vif *v;
	uint32_t *fail, bit;
} cown[COPY_BATCH];
static unsigned ncops;
static uint64_t copy_calls, copy_ops;

uint64_t nb_copy_ops(void) { return copy_ops; }
uint64_t nb_copy_calls(void) { return copy_calls; }

static void copy_flush(void)
{
	if (!ncops)
		return;
	long rc = hypercall(HYPERVISOR_grant_table_op, GNTTABOP_copy, (unsigned long)cops, ncops);
	copy_calls++;
	copy_ops += ncops;
	for (unsigned i = 0; i < ncops; i++)
		if (rc || cops[i].status != GNTST_okay) {
			*cown[i].fail |= cown[i].bit;
			cown[i].v->copy_errors++;
		}
	ncops = 0;
}

/* len bytes between the guest's page gref (from goff, within the page)
 * and our memory at local (cut where our pages end: each copy stays
 * within one page on both sides). */
static void copy_add(struct vif *v, bool to_guest, grant_ref_t gref, uint32_t goff,
		     const uint8_t *local, uint32_t len, uint32_t *fail, uint32_t bit)
{
	while (len) {
		uint32_t room = 4096 - (uint32_t)((uintptr_t)local & 4095);
		uint32_t n = len < room ? len : room;
		if (ncops == COPY_BATCH)
			copy_flush();
		gntcopy_set(&cops[ncops], to_guest, (domid_t)v->domid, gref, goff, local, n);
		cown[ncops].v = v;
		cown[ncops].fail = fail;
		cown[ncops].bit = bit;
		ncops++;
		local += n, goff += n, len -= n;
	}
}

static void notify(uint32_t port)
{
	struct evtchn_send sd = { port };

	hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&sd, 0);
}

/* ---- TX ---- */

static struct txw {
	struct netring_txpkt pkt;
	struct netframe *f;
	uint32_t failed;
} txw[NETRING_TX_BUDGET];

/* Takes what the guest sent (one budget's worth), copies it in, answers,
 * and gives the frames to the bridge. */
static void service_tx(struct vif *v, uint64_t now)
{
	unsigned n = 0;
	int rc;

	v->tx_more = false;
	v->tx_served = true;
	if (netring_tx_begin(&v->tx) == NETRING_BROKEN) {
		nb_ring_broken(v, true);
		return;
	}
	while (n < NETRING_TX_BUDGET) {
		struct txw *w = &txw[n];
		if ((rc = netring_tx_take(&v->tx, &w->pkt)) != NETRING_TOOK) {
			v->tx_more = rc == NETRING_BUDGET_LEFT;
			break;
		}
		n++;
		w->f = NULL;
		w->failed = 0;
		if (w->pkt.status != NETIF_RSP_OKAY || w->pkt.mcast)
			continue;
		if (!(w->f = netframe_new(&nb_bridges, w->pkt.len))) {
			v->nomem++;
			w->failed = 1;
			continue;
		}
		w->f->off = w->pkt.off;
		uint32_t at = 0;
		for (unsigned k = 0; k < w->pkt.nfrags; k++) {
			const struct netring_txfrag *g = &w->pkt.frag[k];
			copy_add(v, false, g->gref, g->offset, w->f->data + at, g->size, &w->failed, 1);
			at += g->size;
		}
	}
	copy_flush();
	bool broken = v->tx.broken;
	for (unsigned i = 0; i < n; i++) {
		struct txw *w = &txw[i];
		int16_t status = w->pkt.status != NETIF_RSP_OKAY ? w->pkt.status
				 : w->failed ? NETIF_RSP_ERROR : NETIF_RSP_OKAY;
		if (!broken)
			netring_tx_respond(&v->tx, &w->pkt, status);
		v->port->st.errors += status != NETIF_RSP_OKAY;
	}
	if (!broken && netring_tx_push(&v->tx)) {
		notify(v->tx_port);
		v->notifies_tx++;
	}
	for (unsigned i = 0; i < n; i++) {
		struct txw *w = &txw[i];
		if (w->f && !w->failed)
			bridge_input(v->port, w->f, now);
		else if (w->f)
			netframe_put(w->f);
	}
	if (broken)
		nb_ring_broken(v, true);
}

/* ---- RX ---- */

static struct rxw {
	struct netring_rxpkt pkt;
	struct netframe *f;
	uint32_t failed;
} rxw[RX_BATCH];

void nb_queue_drop(struct vif *v)
{
	netqueue_drop(&v->rxq);
	v->rx_wait = 0;
}

int nb_xmit(void *ctx, struct netframe *f)
{
	struct vif *v = ctx;

	if (!v->connected)
		return -ENETDOWN;
	int rc = netqueue_put(&v->rxq, f, now_ns());
	if (rc)
		return rc;
	v->rx_more = true;
	sys_busy(); /* from another port's poll (the uplink's): come round at once */
	return 0;
}

/* A frame does not fit the budget: longest queue drop over every vif's
 * queue (netqueue.h), so that guests that take no frames cannot hold the
 * memory everyone's frames need. */
void nb_reclaim(void *ctx, uint64_t need)
{
	struct netqueue *qs[NETBACK_MAX_VIFS];

	for (unsigned i = 0; i < NETBACK_MAX_VIFS; i++)
		qs[i] = nb_vifs[i].used ? &nb_vifs[i].rxq : NULL;
	netqueue_reclaim(qs, NETBACK_MAX_VIFS, need);
	for (unsigned i = 0; i < NETBACK_MAX_VIFS; i++)
		if (qs[i] && !qs[i]->len)
			nb_vifs[i].rx_wait = 0;
}

/* Moves queued frames into the pages the guest posted. */
static void service_rx(struct vif *v, uint64_t now)
{
	unsigned n = 0;

	v->rx_more = false;
	v->rx_wait = 0;
	if (netring_rx_begin(&v->rx) == NETRING_BROKEN) {
		nb_ring_broken(v, false);
		return;
	}
	while (v->rxq.len && n < RX_BATCH) {
		struct netframe *f = netqueue_head(&v->rxq);
		struct rxw *w = &rxw[n];
		int rc = netring_rx_take(&v->rx, f->len, &f->off, &w->pkt);
		if (rc == NETRING_NONE) {
			v->rx_wait = netring_rx_slots(&v->rx, f->len, &f->off);
			break;
		}
		if (rc != NETRING_TOOK && v->rx.broken)
			break;
		netqueue_take(&v->rxq, now);
		if (rc != NETRING_TOOK) { /* it cannot take this one at all */
			v->port->st.drops[BRIDGE_DROP_TOO_BIG]++;
			netframe_put(f);
			continue;
		}
		w->f = f;
		w->failed = 0;
		n++;
		unsigned page = 0;
		for (unsigned s = 0; s < w->pkt.nslots; s++) {
			const struct netring_rxslot *sl = &w->pkt.slot[s];
			if (w->pkt.extra && s == 1)
				continue;
			copy_add(v, true, sl->gref, 0, f->data + sl->frame_off, sl->size, &w->failed,
				 1u << page++);
		}
	}
	v->rx_more = v->rxq.len && n == RX_BATCH;
	copy_flush();
	for (unsigned i = 0; i < n; i++) {
		netring_rx_finish(&v->rx, &rxw[i].pkt, rxw[i].failed);
		v->port->st.errors += rxw[i].failed != 0;
		netframe_put(rxw[i].f);
	}
	if (netring_rx_push(&v->rx)) {
		notify(v->rx_port);
		v->notifies_rx++;
	}
	/* Waiting for pages: ask for an event when enough are posted, and look
	 * once more in case they came meanwhile. */
	if (v->rx_wait && netring_rx_need(&v->rx, v->rx_wait))
		v->rx_more = true;
}

/* ---- both ---- */

void nb_service(struct vif *v, uint64_t now)
{
	bool split = v->tx_port != v->rx_port;

	if (sys_fired(v->tx_port)) {
		v->tx_kicks++;
		v->tx_more = true;
		v->rx_more |= !split;
	}
	if (split && sys_fired(v->rx_port)) {
		v->rx_kicks++;
		v->rx_more = true;
	}
	if (v->tx_more)
		service_tx(v, now);
	if (v->connected && v->rx_more)
		service_rx(v, now);
	if (!v->connected)
		return;
	if (netqueue_stalled(&v->rxq, now, NB_STALL_NS)) {
		nb_say(v, "the guest took no frames for %llu s: %u queued frames dropped",
		       NB_STALL_NS / 1000000000ull, v->rxq.len);
		v->stalled += v->rxq.len;
		nb_queue_drop(v);
	}
	/* Going idle after serving TX: ask for an event at the next request
	 * and look once more (Xen's rule). */
	if (v->tx_served && !v->tx_more) {
		v->tx_served = false;
		v->tx_more = netring_tx_final_check(&v->tx);
	}
}

bool nb_has_work(const struct vif *v)
{
	return v->connected && (v->tx_more || v->rx_more);
}
