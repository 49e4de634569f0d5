/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * network-list and bridge-list (see netback.h, docs/network.md): what the
 * vifs and bridges are and what went through them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/netback.h"
#include "mgmt/netback_int.h"
#include "mgmt/store.h"
#include "mgmt/sys.h"
#include "mgmt/xs.h"

static const char *const state_names[] = { "Unknown", "Initialising", "InitWait", "Initialised",
					   "Connected", "Closing", "Closed", "Reconfiguring",
					   "Reconfigured" };

static const char *state_name(unsigned s)
{
	return s < 9 ? state_names[s] : "?";
}

static unsigned fe_state(const struct vif *v)
{
	char path[NB_PATH_LEN + 8], *val;
	size_t len;
	unsigned s = 0;

	snprintf(path, sizeof(path), "%s/state", v->fe);
	if (!store_read(xs_store(), 0, path, &val, &len)) {
		for (size_t i = 0; i < len && i < 3 && val[i] >= '0' && val[i] <= '9'; i++)
			s = s * 10 + (unsigned)(val[i] - '0');
		free(val);
	}
	return s;
}

static void mac_text(const uint8_t *m, char *out)
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void size_text(uint64_t b, char *out, size_t n)
{
	if (b < 10240)
		snprintf(out, n, "%llu B", (unsigned long long)b);
	else if (b < (10ull << 20))
		snprintf(out, n, "%llu KiB", (unsigned long long)(b >> 10));
	else
		snprintf(out, n, "%llu MiB", (unsigned long long)(b >> 20));
}

/* "reason N, reason M" for the non-zero drop counts, or "none". */
static void drops_text(const struct bridge_port_stats *st, char *out, size_t n)
{
	size_t at = 0;

	out[0] = 0;
	for (unsigned i = 0; i < BRIDGE_DROP_REASONS; i++)
		if (st->drops[i] && at < n)
			at += (size_t)snprintf(out + at, n - at, "%s%s %llu", at ? ", " : "",
					       bridge_drop_name(i), (unsigned long long)st->drops[i]);
	if (!at)
		snprintf(out, n, "none");
}

static void list_one(const struct vif *v)
{
	const struct bridge_port_stats *st = &v->port->st;
	struct netring_tx_stats tx = v->tx_past;
	struct netring_rx_stats rx = v->rx_past;
	char mac[18], in[24], out[24], drops[200], ring[96] = "-";

	if (v->connected) {
		const struct netring_tx_stats *t = &v->tx.st;
		tx.frames += t->frames, tx.gso += t->gso, tx.notifies += t->notifies;
		for (unsigned i = 0; i < NETRING_DROP_REASONS; i++)
			tx.drops[i] += t->drops[i];
		rx.frames += v->rx.st.frames, rx.gso += v->rx.st.gso, rx.notifies += v->rx.st.notifies;
		rx.waits += v->rx.st.waits;
		snprintf(ring, sizeof(ring), "ports %u/%u,%s%s%s%s%s", v->tx_port, v->rx_port,
			 v->sg ? " sg" : "", v->gso4 ? " gso4" : "", v->gso6 ? " gso6" : "",
			 v->csum4 ? " csum4" : "", v->csum6 ? " csum6" : "");
	}
	mac_text(v->mac, mac);
	printf("%4u %5u %s %-8s %-9s %-11s %-11s %s\n", v->domid, v->devid, mac, v->cfg.bridge,
	       v->name, state_name(v->state), state_name(fe_state(v)), ring);
	size_text(st->in_bytes, in, sizeof(in));
	size_text(st->out_bytes, out, sizeof(out));
	printf("     in %llu frames %s (gso %llu), out %llu frames %s (gso %llu, segmented %llu, "
	       "csum filled %llu)\n", (unsigned long long)st->in_packets, in,
	       (unsigned long long)st->in_gso, (unsigned long long)st->out_packets, out,
	       (unsigned long long)st->out_gso, (unsigned long long)st->segmented,
	       (unsigned long long)st->csum_filled);
	drops_text(st, drops, sizeof(drops));
	printf("     drops: %s; errors %llu (bad frames: runt %llu, oversize %llu, zero %llu, "
	       "slots %llu; copies %llu, stalled %llu, reclaimed %llu, nomem %llu)\n", drops,
	       (unsigned long long)st->errors, (unsigned long long)tx.drops[NETRING_DROP_RUNT],
	       (unsigned long long)tx.drops[NETRING_DROP_OVERSIZE],
	       (unsigned long long)tx.drops[NETRING_DROP_ZERO],
	       (unsigned long long)tx.drops[NETRING_DROP_SLOTS],
	       (unsigned long long)v->copy_errors, (unsigned long long)v->stalled,
	       (unsigned long long)v->rxq.reclaimed, (unsigned long long)v->nomem);
	printf("     ring: tx %llu frames (gso %llu), rx %llu frames (gso %llu, %llu waits for "
	       "pages); queue %u frames; events in %llu/%llu, out %llu/%llu%s",
	       (unsigned long long)tx.frames, (unsigned long long)tx.gso,
	       (unsigned long long)rx.frames, (unsigned long long)rx.gso,
	       (unsigned long long)rx.waits, v->rxq.len, (unsigned long long)v->tx_kicks,
	       (unsigned long long)v->rx_kicks, (unsigned long long)v->notifies_tx,
	       (unsigned long long)v->notifies_rx, v->broken_rings ? "; broken rings " : "");
	if (v->broken_rings)
		printf("%u", v->broken_rings);
	printf("\n");
}

void netback_list(uint32_t domid)
{
	unsigned shown = 0;

	for (unsigned i = 0; i < NETBACK_MAX_VIFS; i++) {
		const struct vif *v = &nb_vifs[i];
		if (!v->used || (domid != UINT32_MAX && v->domid != domid))
			continue;
		if (!shown++)
			printf("%4s %5s %-17s %-8s %-9s %-11s %-11s %s\n", "dom", "devid", "mac", "bridge",
			       "port", "state", "frontend", "ring");
		list_one(v);
	}
	struct bridge_set *s = netback_bridges();
	if (!shown)
		printf("no vifs%s; ", domid == UINT32_MAX ? "" : " for that domain");
	printf("grant copies: %llu in %llu hypercalls; frames in mgmt: %llu (%llu KiB; "
	       "reclaims %llu)\n", (unsigned long long)nb_copy_ops(),
	       (unsigned long long)nb_copy_calls(), (unsigned long long)s->frames,
	       (unsigned long long)(s->frame_bytes >> 10), (unsigned long long)s->reclaims);
}

void netback_bridge_list(void)
{
	struct bridge_set *s = netback_bridges();
	uint64_t now = now_ns();
	unsigned shown = 0;

	for (unsigned i = 0; i < BRIDGE_MAX; i++) {
		struct bridge *b = &s->br[i];
		if (!b->used)
			continue;
		shown++;
		bridge_age(b, now);
		unsigned entries = 0;
		for (unsigned k = 0; k < BRIDGE_FDB_SIZE; k++)
			entries += b->fdb[k].port != 0;
		printf("bridge %s: %u ports, %u addresses; %llu forwarded, %llu flooded, %llu filtered; "
		       "learned %llu, moved %llu, aged %llu, evicted %llu\n", b->name, b->nports, entries,
		       (unsigned long long)b->st.forwarded, (unsigned long long)b->st.flooded,
		       (unsigned long long)b->st.filtered, (unsigned long long)b->st.learned,
		       (unsigned long long)b->st.moved, (unsigned long long)b->st.aged,
		       (unsigned long long)b->st.evicted);
		for (unsigned k = 0; k < BRIDGE_PORTS_MAX; k++) {
			const struct bridge_port *p = b->port[k];
			char mac[18], drops[200];
			if (!p)
				continue;
			mac_text(p->mac, mac);
			drops_text(&p->st, drops, sizeof(drops));
			printf("  port %-9s %s %-4s antispoof %-3s in %llu out %llu; drops: %s\n", p->name,
			       mac, p->up ? "up" : "down", p->antispoof ? "on" : "off",
			       (unsigned long long)p->st.in_packets, (unsigned long long)p->st.out_packets,
			       drops);
		}
		for (unsigned k = 0; k < BRIDGE_FDB_SIZE; k++) {
			const struct bridge_fdb *e = &b->fdb[k];
			char mac[18];
			if (!e->port)
				continue;
			mac_text(e->mac, mac);
			printf("  address %s at %s, seen %llu s ago\n", mac, b->port[e->port - 1]->name,
			       (unsigned long long)((now - e->seen) / 1000000000ull));
		}
	}
	if (!shown)
		printf("no bridges\n");
}
