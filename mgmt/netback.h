/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The network backend of the management domain (mgmt/netback.c,
 * mgmt/netback_io.c): Xen's netback protocol for the guests built here,
 * so that an unmodified xen-netfront sees its interfaces. Each interface
 * (a "vif") is an xl vif spec attached to a domain with the store: its
 * backend and frontend directories (Xen's layout and permissions), the
 * XenBus handshake, the TX and RX rings (mgmt/netring.c) mapped here, its
 * event channels, and a port on a bridge (mgmt/bridge.c): frames the guest
 * sends are copied in with GNTTABOP_copy and handed to the bridge; frames
 * the bridge sends it wait in a bounded queue until the guest posts pages
 * for them, and are copied out. docs/network.md describes it all.
 */
#ifndef EYRIE_MGMT_NETBACK_H
#define EYRIE_MGMT_NETBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgmt/xlcfg.h"

/* Interfaces at most, over all domains. */
#define NETBACK_MAX_VIFS 32

struct bridge_set;

/* Attaches the interface of a parsed vif spec to domain domid (built
 * here, with the store; name: the domain's, from which a MAC is derived
 * when the spec gives none): the store nodes, the bridge port, the
 * backend in InitWait. v->devid < 0: the lowest free. At build time and
 * for network-attach. 0, or negative with err set to the reason. */
int netback_attach(uint32_t domid, const char *name, const struct xlcfg_vif *v, char *err,
		   size_t errlen);

/* network-detach: the backend goes Closing, the frontend is waited for
 * (Closed), then everything goes; after 5 s without it, by force. One
 * never connected goes at once. 0, or -ENOENT. */
int netback_detach(uint32_t domid, uint32_t devid);

/* The domain is gone (or going): its interfaces' mappings, ports, queued
 * frames, bridge ports and store nodes. */
void netback_release(uint32_t domid);

/* The main loop's part: frontends' state changes, rings that were
 * notified or have work left, queued frames. Returns true if work
 * remains that must not wait for an event. */
bool netback_poll(void);

/* network-list: the interfaces of domid (UINT32_MAX: all), printed. */
void netback_list(uint32_t domid);

/* bridge-list: every bridge, its ports and its forwarding table. */
void netback_bridge_list(void);

/* The bridges (for the uplink's port) and the time they go by (ns). */
struct bridge_set *netback_bridges(void);

#endif
