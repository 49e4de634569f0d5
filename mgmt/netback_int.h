/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What mgmt/netback.c (the store, the handshake, the commands) and
 * mgmt/netback_io.c (the data: rings, grant copies, the queue) share.
 */
#ifndef EYRIE_MGMT_NETBACK_INT_H
#define EYRIE_MGMT_NETBACK_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "include/public/grant_table.h"
#include "include/public/io/xenbus.h"
#include "mgmt/bridge.h"
#include "mgmt/netqueue.h"
#include "mgmt/netring.h"
#include "mgmt/xlcfg.h"

#define NB_PATH_LEN   96
#define NB_STALL_NS   2000000000ull     /* a queue that moves not for this long is dropped */
#define NB_FRAME_BUDGET (3u << 19)      /* bytes of frames alive in mgmt: 1.5 MiB */

struct vif {
	bool used;
	uint32_t domid, devid;
	struct xlcfg_vif cfg;
	uint8_t mac[6];
	char name[BRIDGE_NAME_LEN];      /* its bridge port's */
	char be[NB_PATH_LEN], fe[NB_PATH_LEN], token[32];
	enum xenbus_state state;         /* ours, as written to be/state */
	bool fe_changed;                 /* its watch fired */
	bool detaching;
	uint64_t deadline;
	struct bridge_port *port;
	/* the connection */
	bool connected;
	uint32_t conn;                   /* connections made */
	int tx_page, rx_page;            /* in the ring pool */
	grant_handle_t tx_handle, rx_handle;
	uint32_t tx_port, rx_port;       /* ours; the same one without split channels */
	struct netring_tx tx;
	struct netring_rx rx;
	bool sg, gso4, gso6, csum4, csum6; /* what the frontend takes */
	bool tx_more;                    /* TX work left or notified */
	bool tx_served;                  /* a final check is due */
	bool rx_more;                    /* frames to move or notified */
	unsigned rx_wait;                /* pages the head frame waits for (0: none) */
	struct netqueue rxq;             /* frames for the guest */
	/* told on the console, and counted */
	unsigned said;
	uint64_t tx_kicks, rx_kicks, copy_errors, stalled, nomem, notifies_tx, notifies_rx;
	struct netring_tx_stats tx_past;
	struct netring_rx_stats rx_past;
	unsigned broken_rings;
};

extern struct vif nb_vifs[];
extern struct bridge_set nb_bridges;

/* A line about v on the console (at most a few per vif). */
void nb_say(struct vif *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* netback_io.c */
int nb_xmit(void *ctx, struct netframe *f);      /* the bridge port's transmit */
void nb_service(struct vif *v, uint64_t now);   /* TX and RX work of a connected vif */
void nb_queue_drop(struct vif *v);              /* every queued frame goes */
void nb_reclaim(void *ctx, uint64_t need);      /* the frame budget's reclaim hook */
void nb_ring_broken(struct vif *v, bool tx);    /* in netback.c: disconnect, Closing */
bool nb_has_work(const struct vif *v);          /* must come round without an event */
uint64_t nb_copy_ops(void), nb_copy_calls(void);

#endif
