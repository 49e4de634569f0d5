/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management domain's own bridge ports: NIC uplinks and its address.
 * See mgmt/hostports.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/bridge.h"
#include "mgmt/hostports.h"
#include "mgmt/ipstack.h"
#include "mgmt/netback.h"
#include "mgmt/netdev.h"
#include "mgmt/sys.h"
#include "mgmt/xlcfg.h"

#define ADDRS_MAX   4
#define REPLIES_MAX 64 /* an address's answers waiting to enter its bridge */

static struct uplink {
	struct netdev *nd;
	struct bridge_port *port;   /* NULL: not an uplink */
} uplinks[NET_MAX_IFS];

static struct addr {
	struct bridge_port *port;   /* NULL: a free entry */
	struct ipstack ip;
	struct netframe *reply[REPLIES_MAX];
	unsigned nr_replies;
	uint64_t reply_drops;
} addrs[ADDRS_MAX];

static int fail(char *err, size_t n, int rc, const char *fmt, const char *arg)
{
	snprintf(err, n, fmt, arg);
	return rc;
}

/* ---- uplinks ---- */

/* A frame from the wire: into the bridge. */
static void uplink_rx(struct netdev *d, const uint8_t *frame, size_t len, void *ctx)
{
	struct uplink *u = ctx;
	struct netframe *f = netframe_new(netback_bridges(), (uint32_t)len);

	if (!f) {
		u->port->st.drops[BRIDGE_DROP_NOMEM]++;
		return;
	}
	memcpy(f->data, frame, len);
	bridge_input(u->port, f, now_ns());
}

/* A frame from the bridge (finished: no offloads left): onto the wire. */
static int uplink_xmit(void *ctx, struct netframe *f)
{
	struct uplink *u = ctx;
	int rc = net_tx(u->nd, f->data, f->len);

	return rc == -EINVAL ? -EMSGSIZE : rc;
}

static struct uplink *uplink_of(const struct bridge *b)
{
	for (unsigned i = 0; i < NET_MAX_IFS; i++)
		if (uplinks[i].port && uplinks[i].port->br == b)
			return &uplinks[i];
	return NULL;
}

static void uplink_del(struct uplink *u)
{
	u->nd->rx = NULL;
	u->nd->rx_ctx = NULL;
	net_set_promisc(u->nd, false);
	bridge_port_del(u->port);
	u->port = NULL;
}

int hostports_uplink(const char *bridge, const char *ifname, char *err, size_t errlen)
{
	struct bridge *b = bridge_find(netback_bridges(), bridge);
	struct uplink *old = b ? uplink_of(b) : NULL;

	if (!bridge_name_ok(bridge))
		return fail(err, errlen, -EINVAL, "bad bridge name '%.32s'", bridge);
	if (!strcmp(ifname, "none")) {
		if (!old)
			return fail(err, errlen, -ENOENT, "%.16s has no uplink", bridge);
		uplink_del(old);
		return 0;
	}
	struct netdev *nd = net_find(ifname);
	if (!nd)
		return fail(err, errlen, -ENODEV, "no network interface '%.16s' (see nics)", ifname);
	struct uplink *u = NULL;
	for (unsigned i = 0; i < net_count(); i++)
		if (net_get(i) == nd)
			u = &uplinks[i];
	if (!u || u->port)
		return fail(err, errlen, -EBUSY, "%.16s is an uplink already", ifname);
	if (nd->rx)
		return fail(err, errlen, -EBUSY, "%.16s is in use", ifname);
	struct bridge_port_cfg pc = {
		.name = nd->name, .up = nd->link, .caps = 0, .max_frame = NET_FRAME_MAX,
		.xmit = uplink_xmit, .ctx = u,
	};
	memcpy(pc.mac, nd->mac, 6);
	if (old)
		uplink_del(old);
	if (!(u->port = bridge_port_add(netback_bridges(), bridge, &pc)))
		return fail(err, errlen, -ENOSPC, "no room for a port on %.16s", bridge);
	u->nd = nd;
	nd->rx_ctx = u;
	nd->rx = uplink_rx;
	/* Frames for the guests' MACs come in too. A virtio-net that cannot
	 * switch (no control queue) receives everything already on QEMU. */
	int rc = net_set_promisc(nd, true);
	if (rc && rc != -EOPNOTSUPP)
		printf("mgmt: %s: promiscuous mode failed (%d): only broadcasts reach the guests\n",
		       nd->name, rc);
	return 0;
}

/* ---- addresses ---- */

/* An answer of the address: queued, to enter the bridge from the main
 * loop (not from inside the bridge's delivery that asked for it). */
static void addr_emit(void *ctx, const uint8_t *frame, size_t len)
{
	struct addr *a = ctx;
	struct netframe *f;

	if (a->nr_replies == REPLIES_MAX ||
	    !(f = netframe_new(netback_bridges(), (uint32_t)len))) {
		a->reply_drops++;
		return;
	}
	memcpy(f->data, frame, len);
	f->off.data_validated = true;
	a->reply[a->nr_replies++] = f;
	sys_busy();
}

static int addr_xmit(void *ctx, struct netframe *f)
{
	struct addr *a = ctx;

	ipstack_input(&a->ip, f->data, f->len, &f->off, now_ns(), addr_emit, a);
	return 0;
}

static struct addr *addr_of(const struct bridge *b)
{
	for (unsigned i = 0; i < ADDRS_MAX; i++)
		if (addrs[i].port && addrs[i].port->br == b)
			return &addrs[i];
	return NULL;
}

static void addr_del(struct addr *a)
{
	for (unsigned i = 0; i < a->nr_replies; i++)
		netframe_put(a->reply[i]);
	a->nr_replies = 0;
	bridge_port_del(a->port);
	a->port = NULL;
}

int hostports_address(const char *bridge, const char *text, char *err, size_t errlen)
{
	struct bridge *b = bridge_find(netback_bridges(), bridge);
	struct addr *old = b ? addr_of(b) : NULL, *a = NULL;
	uint32_t ip;

	if (!bridge_name_ok(bridge))
		return fail(err, errlen, -EINVAL, "bad bridge name '%.32s'", bridge);
	if (!strcmp(text, "none")) {
		if (!old)
			return fail(err, errlen, -ENOENT, "no address on %.16s", bridge);
		addr_del(old);
		return 0;
	}
	if (!ipstack_parse_ip(text, &ip) || !ip || ip >> 28 == 14 || ip == 0xffffffffu)
		return fail(err, errlen, -EINVAL,
			    "'%.32s' is not a unicast IPv4 address such as 10.0.0.1", text);
	if (old) {
		old->ip.ip = ip; /* a new address, the same port */
		return 0;
	}
	for (unsigned i = 0; i < ADDRS_MAX && !a; i++)
		if (!addrs[i].port)
			a = &addrs[i];
	if (!a)
		return fail(err, errlen, -ENOSPC, "domain 0 has addresses on %s bridges already",
			    "4");
	struct bridge_port_cfg pc = {
		.name = "dom0", .up = true,
		.caps = BRIDGE_CAP_CSUM4 | BRIDGE_CAP_CSUM6 | BRIDGE_CAP_GSO4 | BRIDGE_CAP_GSO6,
		.max_frame = NETPKT_GSO_MAX, .xmit = addr_xmit, .ctx = a,
	};
	/* A MAC of its own: derived from the bridge's name, in the half of
	 * 00:16:3e that derived guest MACs leave free. */
	xlcfg_vif_mac(bridge, 0, 0, pc.mac);
	pc.mac[3] |= 0x80;
	if (!(a->port = bridge_port_add(netback_bridges(), bridge, &pc)))
		return fail(err, errlen, -ENOSPC, "no room for a port on %.16s", bridge);
	ipstack_init(&a->ip, pc.mac, ip, (uint32_t)now_ns());
	a->nr_replies = 0;
	return 0;
}

/* ---- the main loop, the console ---- */

void hostports_init(void)
{
	char err[96];

	for (unsigned i = 0; i < net_count() && i < NET_MAX_IFS; i++)
		uplinks[i].nd = net_get(i);
	if (net_count() && hostports_uplink("xenbr0", net_get(0)->name, err, sizeof(err)))
		printf("mgmt: xenbr0: no uplink: %s\n", err);
	else if (net_count())
		printf("mgmt: xenbr0: uplink %s\n", net_get(0)->name);
}

bool hostports_poll(void)
{
	uint64_t now = now_ns();

	for (unsigned i = 0; i < NET_MAX_IFS; i++) {
		struct uplink *u = &uplinks[i];
		if (u->port && u->port->up != u->nd->link)
			bridge_port_set(u->port, u->nd->link, u->port->caps, u->port->max_frame);
	}
	for (unsigned i = 0; i < ADDRS_MAX; i++) {
		struct addr *a = &addrs[i];
		/* Replies are taken out first: entering the bridge cannot come
		 * back to this port (never back to the input), but keep it simple. */
		unsigned n = a->nr_replies;
		a->nr_replies = 0;
		for (unsigned k = 0; k < n; k++)
			bridge_input(a->port, a->reply[k], now);
	}
	return false;
}

static void mac_text(const uint8_t *m, char *out)
{
	sprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void hostports_list(void)
{
	char mac[18];
	unsigned n = 0;

	for (unsigned i = 0; i < NET_MAX_IFS; i++) {
		const struct uplink *u = &uplinks[i];
		if (!u->port)
			continue;
		printf("uplink %s: %s (%s, %s), link %s, %s\n", u->port->br->name, u->nd->name,
		       u->nd->driver, u->nd->where, u->nd->link ? "up" : "down",
		       u->nd->promisc ? "promiscuous" : "not promiscuous");
		n++;
	}
	for (unsigned i = 0; i < ADDRS_MAX; i++) {
		const struct addr *a = &addrs[i];
		if (!a->port)
			continue;
		const struct ipstack_stats *s = &a->ip.st;
		const struct ipstack_conn *l = &a->ip.last;
		uint32_t ip = a->ip.ip;
		mac_text(a->ip.mac, mac);
		printf("address %s: %u.%u.%u.%u (%s): %llu ARP and %llu echo replies, "
		       "%llu TCP segments in, %llu out, %llu resets, %llu dropped (%llu bad checksums), "
		       "%llu replies lost\n",
		       a->port->br->name, ip >> 24, ip >> 16 & 255, ip >> 8 & 255, ip & 255, mac,
		       (unsigned long long)s->arp_replies, (unsigned long long)s->echo_replies,
		       (unsigned long long)s->tcp_in, (unsigned long long)s->tcp_out,
		       (unsigned long long)s->resets, (unsigned long long)s->dropped,
		       (unsigned long long)s->bad_csum, (unsigned long long)a->reply_drops);
		for (unsigned k = 0; k < IPSTACK_CONNS; k++) {
			const struct ipstack_conn *c = &a->ip.conn[k];
			if (c->state != TCP_FREE)
				printf("  discard: from %u.%u.%u.%u:%u, %llu bytes so far\n",
				       c->peer_ip >> 24, c->peer_ip >> 16 & 255, c->peer_ip >> 8 & 255,
				       c->peer_ip & 255, c->peer_port, (unsigned long long)c->bytes);
		}
		if (l->state == TCP_DONE) {
			uint64_t ns = l->last_ns - l->first_ns;
			printf("  discard: last transfer %llu bytes from %u.%u.%u.%u in %llu us "
			       "(%llu segments, %llu out of order)\n",
			       (unsigned long long)l->bytes, l->peer_ip >> 24, l->peer_ip >> 16 & 255,
			       l->peer_ip >> 8 & 255, l->peer_ip & 255, (unsigned long long)(ns / 1000),
			       (unsigned long long)l->segments, (unsigned long long)l->out_of_order);
		}
		n++;
	}
	if (!n)
		printf("no uplink and no address of domain 0 on any bridge\n");
}
