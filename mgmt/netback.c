/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The network backend: the store, the handshake, the interfaces' life
 * and the console's commands (see netback.h, docs/network.md; the data
 * path is mgmt/netback_io.c).
 *
 * What the guest can break only hurts its own interface: a malformed
 * frame is dropped and answered with an error; a broken ring (nonsense
 * indices, a frame the rules call fatal) disconnects the interface (said
 * once) and the backend goes Closing, from where the frontend may start
 * over (Closed, then Initialising). The rings' pages are mapped in a
 * window above our RAM (sys_grant_page); after an unmap nothing is there,
 * so nothing touches a ring that is not connected.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "include/public/event_channel.h"
#include "include/public/grant_table.h"
#include "include/public/xen.h"
#include "mgmt/netback.h"
#include "mgmt/netback_int.h"
#include "mgmt/store.h"
#include "mgmt/sys.h"
#include "mgmt/xs.h"

#define DETACH_NS 5000000000ull        /* network-detach waits this long */
#define SAY_MAX   8                    /* lines about one vif, at most */

struct vif nb_vifs[NETBACK_MAX_VIFS];
struct bridge_set nb_bridges;
static bool bridges_ready;

struct bridge_set *netback_bridges(void)
{
	if (!bridges_ready) {
		bridge_set_init(&nb_bridges, NB_FRAME_BUDGET, (uint32_t)now_ns());
		bridge_set_reclaim(&nb_bridges, nb_reclaim, NULL);
		bridges_ready = true;
	}
	return &nb_bridges;
}

/*
 * Where rings are mapped: two pages a vif (TX, RX) while it is connected,
 * in sys.c's window above our RAM (nothing is there, so an unmapped page
 * leaves no hole in our RAM and may be used again).
 */
#define POOL_PAGES (2 * NETBACK_MAX_VIFS)
_Static_assert(POOL_PAGES <= SYS_GRANT_PAGES, "the grant window holds every ring");
static uint64_t pool_used; /* bit i: page i holds a ring */

static void *pool_page(int i)
{
	return sys_grant_page((unsigned)i);
}

static int pool_take(void)
{
	for (unsigned i = 0; i < POOL_PAGES && pool_page((int)i); i++)
		if (!(pool_used & 1ull << i)) {
			pool_used |= 1ull << i;
			return (int)i;
		}
	return -1;
}

void nb_say(struct vif *v, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (v->said >= SAY_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("mgmt: domain %u: vif %u: %s%s\n", v->domid, v->devid, line,
	       ++v->said == SAY_MAX ? " (no more lines about this vif)" : "");
}

static void mac_text(const uint8_t *m, char *out)
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* ---- the store ---- */

static int put(uint32_t tx, const char *dir, const char *name, const char *fmt, ...)
{
	char path[NB_PATH_LEN + 40], value[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return store_write(xs_store(), tx, path, value, strlen(value));
}

/* A node of dir as an unsigned number: 0 and *out, -ENOENT if absent,
 * -EINVAL if not plain decimal digits (or over max). */
static int get_uint(const char *dir, const char *name, uint32_t max, uint32_t *out)
{
	char path[NB_PATH_LEN + 40], *value;
	size_t len;
	uint64_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (store_read(xs_store(), 0, path, &value, &len))
		return -ENOENT;
	int rc = len && len <= 10 ? 0 : -EINVAL;
	for (size_t i = 0; !rc && i < len; i++) {
		if (value[i] < '0' || value[i] > '9')
			rc = -EINVAL;
		n = n * 10 + (unsigned)(value[i] - '0');
	}
	free(value);
	if (!rc && n > max)
		rc = -EINVAL;
	*out = (uint32_t)n;
	return rc;
}

/* A frontend feature flag: absent = dflt; "0"/"1" (anything else: -EINVAL). */
static int get_flag(const char *dir, const char *name, bool dflt, bool *out)
{
	uint32_t n;
	int rc = get_uint(dir, name, 1, &n);

	*out = rc == -ENOENT ? dflt : n;
	return rc == -ENOENT ? 0 : rc;
}

static void set_state(struct vif *v, enum xenbus_state s)
{
	v->state = s;
	put(0, v->be, "state", "%u", s);
}

static enum xenbus_state fe_state(struct vif *v)
{
	uint32_t s;

	return get_uint(v->fe, "state", 0xffffffffu, &s) ? XenbusStateUnknown : (enum xenbus_state)s;
}

static void fe_watch(void *opaque, const char *path, const char *token)
{
	((struct vif *)opaque)->fe_changed = true; /* acted on in netback_poll */
}

/* Both directories, as xl writes them: the backend's owned by domain 0
 * and readable by the guest, the frontend's owned by the guest and
 * readable by domain 0. */
static int write_nodes(struct vif *v, uint32_t tx)
{
	struct store_perm be_perm[2] = { { 0, STORE_PERM_NONE }, { (uint16_t)v->domid, STORE_PERM_READ } };
	struct store_perm fe_perm[2] = { { (uint16_t)v->domid, STORE_PERM_NONE }, { 0, STORE_PERM_READ } };
	struct store *st = xs_store();
	char mac[18];
	int rc = store_mkdir(st, tx, v->be);

	mac_text(v->mac, mac);
	rc = rc ? rc : store_set_perms(st, tx, v->be, be_perm, 2);
	rc = rc ? rc : put(tx, v->be, "frontend", "%s", v->fe);
	rc = rc ? rc : put(tx, v->be, "frontend-id", "%u", v->domid);
	rc = rc ? rc : put(tx, v->be, "online", "1");
	rc = rc ? rc : put(tx, v->be, "handle", "%u", v->devid);
	rc = rc ? rc : put(tx, v->be, "type", "vif");
	rc = rc ? rc : put(tx, v->be, "mac", "%s", mac);
	rc = rc ? rc : put(tx, v->be, "bridge", "%s", v->cfg.bridge);
	rc = rc ? rc : put(tx, v->be, "script", "vif-bridge");
	if (v->cfg.ip[0])
		rc = rc ? rc : put(tx, v->be, "ip", "%s", v->cfg.ip);
	rc = rc ? rc : put(tx, v->be, "feature-sg", "1");
	rc = rc ? rc : put(tx, v->be, "feature-gso-tcpv4", "1");
	rc = rc ? rc : put(tx, v->be, "feature-gso-tcpv6", "1");
	rc = rc ? rc : put(tx, v->be, "feature-ipv6-csum-offload", "1");
	rc = rc ? rc : put(tx, v->be, "feature-rx-copy", "1");
	rc = rc ? rc : put(tx, v->be, "feature-rx-flip", "0");
	rc = rc ? rc : put(tx, v->be, "feature-split-event-channels", "1");
	rc = rc ? rc : put(tx, v->be, "hotplug-status", "connected");
	rc = rc ? rc : put(tx, v->be, "state", "%u", XenbusStateInitWait);
	rc = rc ? rc : store_mkdir(st, tx, v->fe);
	rc = rc ? rc : store_set_perms(st, tx, v->fe, fe_perm, 2);
	rc = rc ? rc : put(tx, v->fe, "backend", "%s", v->be);
	rc = rc ? rc : put(tx, v->fe, "backend-id", "0");
	rc = rc ? rc : put(tx, v->fe, "handle", "%u", v->devid);
	rc = rc ? rc : put(tx, v->fe, "mac", "%s", mac);
	rc = rc ? rc : put(tx, v->fe, "trusted", "%u", v->cfg.trusted);
	rc = rc ? rc : put(tx, v->fe, "state", "%u", XenbusStateInitialising);
	return rc;
}

/* Removes dir if it has no children left. */
static void rm_if_empty(const char *dir)
{
	char *names;
	size_t len;
	unsigned n;

	if (!store_directory(xs_store(), 0, dir, &names, &len, &n)) {
		free(names);
		if (!n)
			store_rm(xs_store(), 0, dir);
	}
}

/* Writes or removes both directories as one change: the guest's xenbus
 * sees a whole device appear or go. */
static int nodes(struct vif *v, bool add)
{
	int rc = -EAGAIN;

	for (unsigned tries = 0; rc == -EAGAIN && tries < 8; tries++) {
		uint32_t tx;
		if ((rc = store_tx_start(xs_store(), &tx)))
			return rc;
		if (add)
			rc = write_nodes(v, tx);
		else if (!(rc = store_rm(xs_store(), tx, v->be)))
			rc = store_rm(xs_store(), tx, v->fe);
		int end = store_tx_end(xs_store(), tx, rc == 0);
		rc = rc ? rc : end;
	}
	return rc;
}

/* ---- connecting ---- */

struct fe_info {
	grant_ref_t tx_ref, rx_ref;
	uint32_t tx_evt, rx_evt;
	bool split;
};

/* What the frontend wrote: rings, channels, what it takes. */
static int read_frontend(struct vif *v, struct fe_info *fi, const char **why)
{
	uint32_t n;
	bool copy, notify, no_csum;

	if (get_uint(v->fe, "multi-queue-num-queues", 0xffffffffu, &n) != -ENOENT && n != 1)
		return *why = "multi-queue-num-queues: more than one queue was not offered", -EINVAL;
	if (get_uint(v->fe, "tx-ring-ref", 0xffffffffu, &fi->tx_ref) ||
	    get_uint(v->fe, "rx-ring-ref", 0xffffffffu, &fi->rx_ref))
		return *why = "tx-ring-ref, rx-ring-ref: missing or not numbers", -EINVAL;
	fi->split = get_uint(v->fe, "event-channel-tx", 0xffffffffu, &fi->tx_evt) == 0;
	if (fi->split) {
		if (get_uint(v->fe, "event-channel-rx", 0xffffffffu, &fi->rx_evt))
			return *why = "event-channel-rx: missing or not a number", -EINVAL;
	} else if (get_uint(v->fe, "event-channel", 0xffffffffu, &fi->tx_evt)) {
		return *why = "event-channel: missing or not a number", -EINVAL;
	}
	if (get_flag(v->fe, "request-rx-copy", false, &copy) || !copy)
		return *why = "request-rx-copy: must be 1 (receive by flipping is not offered)", -EINVAL;
	if (get_flag(v->fe, "feature-rx-notify", false, &notify) || !notify)
		return *why = "feature-rx-notify: must be 1 (as Linux's netback wants)", -EINVAL;
	if (get_flag(v->fe, "feature-sg", false, &v->sg) ||
	    get_flag(v->fe, "feature-gso-tcpv4", false, &v->gso4) ||
	    get_flag(v->fe, "feature-gso-tcpv6", false, &v->gso6) ||
	    get_flag(v->fe, "feature-no-csum-offload", false, &no_csum) ||
	    get_flag(v->fe, "feature-ipv6-csum-offload", false, &v->csum6))
		return *why = "a feature-* node that is neither 0 nor 1", -EINVAL;
	v->csum4 = !no_csum;
	return 0;
}

static void unmap_page(int page, grant_handle_t handle)
{
	struct gnttab_unmap_grant_ref uo = { (uintptr_t)pool_page(page), 0, handle, 0 };

	hypercall(HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, (unsigned long)&uo, 1);
	pool_used &= ~(1ull << page);
}

/* Maps one ring page: its pool page, or -1 (said why). */
static int map_page(struct vif *v, grant_ref_t ref, const char *what, grant_handle_t *handle)
{
	int page = pool_take();

	if (page < 0) {
		nb_say(v, "cannot connect: no room for its %s ring", what);
		return -1;
	}
	struct gnttab_map_grant_ref mo = { .host_addr = (uintptr_t)pool_page(page),
					   .flags = GNTMAP_host_map, .ref = ref,
					   .dom = (domid_t)v->domid };
	long rc = hypercall(HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, (unsigned long)&mo, 1);
	if (rc || mo.status != GNTST_okay) {
		nb_say(v, "cannot connect: %s-ring-ref %u does not map (%ld)", what, ref,
		       rc ? rc : mo.status);
		pool_used &= ~(1ull << page);
		return -1;
	}
	*handle = mo.handle;
	return page;
}

static int bind(struct vif *v, uint32_t fe_port, uint32_t *ours)
{
	struct evtchn_bind_interdomain bi = { (domid_t)v->domid, fe_port, 0 };
	long rc = hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain,
			    (unsigned long)&bi, 0);

	if (rc) {
		nb_say(v, "cannot connect: event channel %u does not bind (%ld)", fe_port, rc);
		return -1;
	}
	*ours = bi.local_port;
	sys_watch(*ours, true);
	return 0;
}

static void close_port(uint32_t port)
{
	struct evtchn_close cl = { port };

	sys_watch(port, false);
	hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_close, (unsigned long)&cl, 0);
}

/* What the bridge may send this vif as it is. */
static void port_caps(struct vif *v, bool up)
{
	unsigned caps = (v->csum4 ? BRIDGE_CAP_CSUM4 : 0) | (v->csum6 ? BRIDGE_CAP_CSUM6 : 0) |
			(v->sg && v->gso4 ? BRIDGE_CAP_GSO4 : 0) |
			(v->sg && v->gso6 ? BRIDGE_CAP_GSO6 : 0);

	bridge_port_set(v->port, up, caps, v->sg ? NETRING_RX_PAGES_MAX * 4096u : 4096u);
}

static void disconnect(struct vif *v);

/* Maps the rings, binds the channels, starts serving. */
static int connect(struct vif *v)
{
	struct fe_info fi;
	const char *why = "";

	if (read_frontend(v, &fi, &why)) {
		nb_say(v, "cannot connect: %s", why);
		return -EINVAL;
	}
	v->tx_page = map_page(v, fi.tx_ref, "tx", &v->tx_handle);
	v->rx_page = v->tx_page < 0 ? -1 : map_page(v, fi.rx_ref, "rx", &v->rx_handle);
	bool ok = v->rx_page >= 0 && !bind(v, fi.tx_evt, &v->tx_port);
	if (ok && fi.split && bind(v, fi.rx_evt, &v->rx_port)) {
		close_port(v->tx_port);
		ok = false;
	}
	if (!ok) {
		if (v->rx_page >= 0)
			unmap_page(v->rx_page, v->rx_handle);
		if (v->tx_page >= 0)
			unmap_page(v->tx_page, v->tx_handle);
		return -EINVAL;
	}
	if (!fi.split)
		v->rx_port = v->tx_port;
	struct netring_tx_caps tc = { true, true }; /* both GSO types are offered */
	struct netring_rx_caps rc = { v->sg, v->sg && v->gso4, v->sg && v->gso6 };
	v->connected = true;
	v->conn++;
	v->tx_more = v->rx_more = true; /* look at once: requests may be there already */
	port_caps(v, true);
	if (netring_tx_init(&v->tx, pool_page(v->tx_page), &tc) ||
	    netring_rx_init(&v->rx, pool_page(v->rx_page), &rc)) {
		nb_ring_broken(v, v->tx.broken);
		return -EINVAL;
	}
	return 0;
}

static void add_tx(struct netring_tx_stats *a, const struct netring_tx_stats *b)
{
	a->begins += b->begins, a->frames += b->frames, a->slots += b->slots, a->gso += b->gso;
	a->mcast += b->mcast, a->responses += b->responses, a->pushes += b->pushes;
	a->notifies += b->notifies, a->budget_stops += b->budget_stops;
	for (unsigned i = 0; i < NETRING_DROP_REASONS; i++)
		a->drops[i] += b->drops[i];
}

static void add_rx(struct netring_rx_stats *a, const struct netring_rx_stats *b)
{
	a->begins += b->begins, a->frames += b->frames, a->slots += b->slots, a->gso += b->gso;
	a->copy_errors += b->copy_errors, a->waits += b->waits, a->pushes += b->pushes;
	a->notifies += b->notifies;
}

static void disconnect(struct vif *v)
{
	if (!v->connected)
		return;
	v->connected = false;
	port_caps(v, false);
	nb_queue_drop(v);
	add_tx(&v->tx_past, &v->tx.st);
	add_rx(&v->rx_past, &v->rx.st);
	v->broken_rings += v->tx.broken || v->rx.broken;
	memset(&v->tx.st, 0, sizeof(v->tx.st));
	memset(&v->rx.st, 0, sizeof(v->rx.st));
	unmap_page(v->tx_page, v->tx_handle);
	unmap_page(v->rx_page, v->rx_handle);
	if (v->rx_port != v->tx_port)
		close_port(v->rx_port);
	close_port(v->tx_port);
	v->tx_port = v->rx_port = 0;
	v->tx_more = v->rx_more = v->tx_served = false;
}

void nb_ring_broken(struct vif *v, bool tx)
{
	const struct netring_tx *t = &v->tx;
	const struct netring_rx *r = &v->rx;
	char why[128];

	snprintf(why, sizeof(why), tx ? t->why : r->why, tx ? t->why_val[0] : r->why_val[0],
		 tx ? t->why_val[1] : r->why_val[1]);
	nb_say(v, "its %s ring is broken (%s); disconnected", tx ? "TX" : "RX", why);
	disconnect(v);
	set_state(v, XenbusStateClosing);
}

/* Everything of v goes: connection, bridge port, nodes. */
static void remove_vif(struct vif *v)
{
	char dir[NB_PATH_LEN], fe_state_path[NB_PATH_LEN + 8];

	disconnect(v);
	snprintf(fe_state_path, sizeof(fe_state_path), "%s/state", v->fe);
	store_unwatch(xs_store(), fe_state_path, v->token);
	nodes(v, false);
	snprintf(dir, sizeof(dir), "/local/domain/0/backend/vif/%u", v->domid);
	rm_if_empty(dir);
	rm_if_empty("/local/domain/0/backend/vif");
	rm_if_empty("/local/domain/0/backend");
	snprintf(dir, sizeof(dir), "/local/domain/%u/device/vif", v->domid);
	rm_if_empty(dir);
	if (v->port)
		bridge_port_del(v->port);
	memset(v, 0, sizeof(*v));
}

/* The frontend's state moved: Xen's backend state machine. */
static void frontend_changed(struct vif *v)
{
	enum xenbus_state fe = fe_state(v);

	v->fe_changed = false;
	switch (fe) {
	case XenbusStateInitialising:
		if (v->state == XenbusStateClosed) /* it starts over: a reconnection */
			set_state(v, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (v->state != XenbusStateInitWait || v->detaching)
			break;
		set_state(v, connect(v) ? XenbusStateClosing : XenbusStateConnected);
		break;
	case XenbusStateClosing:
		if (v->state != XenbusStateClosed)
			set_state(v, XenbusStateClosing);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown: /* its node gone: as closed */
		disconnect(v);
		if (v->state != XenbusStateClosed)
			set_state(v, XenbusStateClosed);
		if (v->detaching) {
			printf("mgmt: domain %u: vif %u detached\n", v->domid, v->devid);
			remove_vif(v);
		}
		break;
	default:
		break;
	}
}

/* ---- the interface ---- */

static struct vif *find(uint32_t domid, uint32_t devid)
{
	for (unsigned i = 0; i < NETBACK_MAX_VIFS; i++)
		if (nb_vifs[i].used && nb_vifs[i].domid == domid && nb_vifs[i].devid == devid)
			return &nb_vifs[i];
	return NULL;
}

static struct vif *mac_user(const uint8_t *mac)
{
	for (unsigned i = 0; i < NETBACK_MAX_VIFS; i++)
		if (nb_vifs[i].used && !memcmp(nb_vifs[i].mac, mac, 6))
			return &nb_vifs[i];
	return NULL;
}

int netback_attach(uint32_t domid, const char *name, const struct xlcfg_vif *c, char *err,
		   size_t errlen)
{
	struct vif *v = NULL;
	uint32_t devid = c->devid >= 0 ? (uint32_t)c->devid : 0;
	uint8_t mac[6];
	char text[18];

	if (c->devid < 0)
		while (find(domid, devid))
			devid++;
	if (find(domid, devid))
		return snprintf(err, errlen, "vif %u: the domain has that devid already", devid), -EEXIST;
	if (c->mac_given) {
		memcpy(mac, c->mac, 6);
		if (mac_user(mac)) {
			mac_text(mac, text);
			return snprintf(err, errlen, "vif %u: mac %s is domain %u's vif %u's already",
					devid, text, mac_user(mac)->domid, mac_user(mac)->devid), -EEXIST;
		}
	} else {
		/* Derived from the name: the same MAC at every boot; another one
		 * (the next try) only if a live vif has it. */
		unsigned tries = 0;
		do
			xlcfg_vif_mac(name, devid, tries++, mac);
		while (mac_user(mac) && tries < 64);
	}
	for (unsigned i = 0; i < NETBACK_MAX_VIFS && !v; i++)
		if (!nb_vifs[i].used)
			v = &nb_vifs[i];
	if (!v || !xs_store())
		return snprintf(err, errlen, "vif %u: no room for another vif", devid), -ENOSPC;
	*v = (struct vif){ .used = true, .domid = domid, .devid = devid, .cfg = *c,
			   .state = XenbusStateInitWait, .tx_page = -1, .rx_page = -1 };
	memcpy(v->mac, mac, 6);
	if (c->vifname[0])
		snprintf(v->name, sizeof(v->name), "%s", c->vifname);
	else
		snprintf(v->name, sizeof(v->name), "vif%u.%u", domid, devid);
	snprintf(v->be, sizeof(v->be), "/local/domain/0/backend/vif/%u/%u", domid, devid);
	snprintf(v->fe, sizeof(v->fe), "/local/domain/%u/device/vif/%u", domid, devid);
	snprintf(v->token, sizeof(v->token), "vif/%u/%u", domid, devid);
	struct bridge_port_cfg pc = { v->name, { 0 }, c->antispoof, false, 0, 4096, nb_xmit, v };
	memcpy(pc.mac, mac, 6);
	if (!(v->port = bridge_port_add(netback_bridges(), c->bridge, &pc))) {
		memset(v, 0, sizeof(*v));
		return snprintf(err, errlen, "vif %u: no room on bridge %s (or for another bridge)",
				devid, c->bridge), -ENOSPC;
	}
	char fe_state_path[NB_PATH_LEN + 8];
	snprintf(fe_state_path, sizeof(fe_state_path), "%s/state", v->fe);
	int rc = nodes(v, true);
	if (!rc)
		rc = store_watch(xs_store(), fe_state_path, v->token, fe_watch, v);
	if (rc) {
		snprintf(err, errlen, "vif %u: cannot write its store nodes (%s)", devid,
			 store_error_name(-rc));
		remove_vif(v);
		return rc;
	}
	return 0;
}

int netback_detach(uint32_t domid, uint32_t devid)
{
	struct vif *v = find(domid, devid);

	if (!v)
		return -ENOENT;
	if (!v->connected) { /* no frontend to wait for */
		printf("mgmt: domain %u: vif %u detached\n", v->domid, v->devid);
		remove_vif(v);
		return 0;
	}
	v->detaching = true;
	v->deadline = now_ns() + DETACH_NS;
	set_state(v, XenbusStateClosing);
	return 0;
}

void netback_release(uint32_t domid)
{
	for (unsigned i = 0; i < NETBACK_MAX_VIFS; i++)
		if (nb_vifs[i].used && nb_vifs[i].domid == domid)
			remove_vif(&nb_vifs[i]);
}

bool netback_poll(void)
{
	uint64_t now = now_ns();
	bool more = false;

	for (unsigned i = 0; i < NETBACK_MAX_VIFS; i++) {
		struct vif *v = &nb_vifs[i];
		if (v->used && v->fe_changed)
			frontend_changed(v);
		if (v->used && v->detaching && now > v->deadline) {
			nb_say(v, "its frontend did not close within 5 s: detached by force");
			remove_vif(v);
		}
		if (v->used && v->connected)
			nb_service(v, now);
	}
	for (unsigned i = 0; i < NETBACK_MAX_VIFS; i++)
		more |= nb_vifs[i].used && nb_has_work(&nb_vifs[i]);
	return more;
}
