/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management console's network interface commands (see
 * docs/nics.md): nics, nic-dhcp, nic-arp, nic-promisc. The diagnostics listen on an
 * interface for a moment by putting themselves in front of its user (the
 * bridge): every frame still reaches that user. While they wait, the
 * interfaces and the disks are polled (net_poll, blk_poll); the rest of
 * the main loop waits a few seconds at most.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/blkdev.h"
#include "mgmt/netcmd.h"
#include "mgmt/netdev.h"
#include "mgmt/netdiag.h"
#include "mgmt/sys.h"

#define MS 1000000ull
#define LINK_WAIT_NS (3000 * MS)
#define DHCP_WAIT_NS (5000 * MS)
#define DHCP_RESEND_NS (1000 * MS)
#define ARP_WAIT_NS (2000 * MS)
#define ARP_MAX 100000ul

/* The address each interface was last offered (nic-arp's sender). */
static uint32_t offered[NET_MAX_IFS];

/* An address, or "none" for 0 (an option the server did not send). */
static const char *ip_str(uint32_t a)
{
	static char buf[4][16];
	static unsigned n;
	char *s = buf[n++ % 4];

	if (!a)
		return "none";
	snprintf(s, sizeof(buf[0]), "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
	return s;
}

static const char *mac_str(const uint8_t m[6])
{
	static char buf[2][18];
	static unsigned n;
	char *s = buf[n++ % 2];

	snprintf(s, sizeof(buf[0]), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	return s;
}

/* A dotted quad, strictly: four numbers 0-255. */
static bool parse_ip(const char *s, uint32_t *a)
{
	unsigned v[4];
	char tail;

	if (sscanf(s, "%3u.%3u.%3u.%3u%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4)
		return false;
	*a = 0;
	for (int i = 0; i < 4; i++) {
		if (v[i] > 255)
			return false;
		*a = *a << 8 | v[i];
	}
	return true;
}

static struct netdev *nic_arg(const char *name, unsigned *index)
{
	for (unsigned i = 0; i < net_count(); i++)
		if (!strcmp(net_get(i)->name, name)) {
			if (index)
				*index = i;
			return net_get(i);
		}
	printf("error: no interface '%.16s' (see nics)\n", name);
	return NULL;
}

void cmd_nics(int argc, char **argv)
{
	if (!net_count()) {
		printf("no network interfaces\n");
		return;
	}
	printf("%-5s %-10s %-16s %-17s %-4s %-7s %s\n", "nic", "driver", "pci", "mac", "link",
	       "promisc", "buffers");
	for (unsigned i = 0; i < net_count(); i++) {
		struct netdev *d = net_get(i);
		const struct net_stats *s = &d->st;
		printf("%-5s %-10s %-16s %-17s %-4s %-7s %u rx, %u tx\n", d->name, d->driver, d->where,
		       mac_str(d->mac), d->link ? "up" : "down", d->promisc ? "on" : "off", d->rx_bufs,
		       d->tx_bufs);
		printf("      rx %llu packets %llu bytes %llu drops %llu errors; tx %llu packets %llu "
		       "bytes %llu drops %llu errors; %llu interrupts\n",
		       (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
		       (unsigned long long)s->rx_drops, (unsigned long long)s->rx_errors,
		       (unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes,
		       (unsigned long long)s->tx_drops, (unsigned long long)s->tx_errors,
		       (unsigned long long)s->irqs);
	}
}

/* Polls the interfaces and disks until done(ctx) or the deadline,
 * sleeping as the main loop does: until an event (an interface's
 * interrupt), as long as a polled device allows, 100 ms at most. */
static bool wait_for(bool (*done)(void *), void *ctx, uint64_t deadline)
{
	for (;;) {
		uint64_t w = net_poll(), b = blk_poll(), now = now_ns();
		if (done(ctx))
			return true;
		if (now >= deadline)
			return false;
		w = b < w ? b : w;
		w = w < 100 * MS ? w : 100 * MS;
		sys_wait(deadline - now < w ? deadline - now : w);
	}
}

/* In front of an interface's user while a diagnostic listens. */
struct tap {
	struct netdev *d;
	net_rx_fn *user;
	void *user_ctx;
	bool (*match)(struct tap *t, const uint8_t *f, size_t len);
	bool got;
	uint64_t frames, broken;
	/* nic-dhcp */
	uint32_t xid;
	struct netdiag_offer offer;
	/* nic-arp */
	uint8_t mac[6];
	uint32_t target;
	uint8_t who[6];
};

static void tap_rx(struct netdev *d, const uint8_t *f, size_t len, void *ctx)
{
	struct tap *t = ctx;

	t->frames++;
	if (!t->got && t->match(t, f, len))
		t->got = true;
	if (t->user)
		t->user(d, f, len, t->user_ctx);
}

static void tap_on(struct tap *t, struct netdev *d)
{
	t->d = d;
	t->user = d->rx;
	t->user_ctx = d->rx_ctx;
	d->rx_ctx = t;
	d->rx = tap_rx;
}

static void tap_off(struct tap *t)
{
	t->d->rx = t->user;
	t->d->rx_ctx = t->user_ctx;
}

static bool tap_got(void *ctx)
{
	return ((struct tap *)ctx)->got;
}

static bool link_up(void *ctx)
{
	return ((struct netdev *)ctx)->link;
}

static bool is_offer(struct tap *t, const uint8_t *f, size_t len)
{
	struct netdiag_offer o;
	int rc = netdiag_dhcp_offer(f, len, t->d->mac, t->xid, &o);

	if (rc == -EBADMSG || rc == -EPROTO)
		t->broken++;
	if (rc)
		return false;
	t->offer = o;
	return true;
}

/* nic-dhcp IF: a DHCPDISCOVER from IF's MAC (again each second), and the
 * first DHCPOFFER to it within 5 s. */
void cmd_nic_dhcp(int argc, char **argv)
{
	static uint8_t frame[NETDIAG_DISCOVER_LEN];
	unsigned index;
	struct netdev *d = argc == 2 ? nic_arg(argv[1], &index) : NULL;
	struct tap t = { .match = is_offer };
	unsigned sent = 0;

	if (argc != 2)
		printf("error: usage: nic-dhcp IF\n");
	if (!d)
		return;
	uint64_t start = now_ns();
	if (!wait_for(link_up, d, start + LINK_WAIT_NS)) {
		printf("error: %s: the link is down\n", d->name);
		return;
	}
	t.xid = (uint32_t)start ^ (uint32_t)d->mac[5] << 24 ^ (uint32_t)d->mac[4] << 16;
	size_t n = netdiag_dhcp_discover(frame, sizeof(frame), d->mac, t.xid);
	uint64_t deadline = now_ns() + DHCP_WAIT_NS, sent_at = 0;
	tap_on(&t, d);
	while (!t.got && now_ns() < deadline) {
		if (net_tx(d, frame, n) == 0)
			sent++;
		sent_at = sent_at ? sent_at : now_ns();
		uint64_t next = now_ns() + DHCP_RESEND_NS;
		wait_for(tap_got, &t, next < deadline ? next : deadline);
	}
	tap_off(&t);
	if (!t.got) {
		printf("error: %s: no DHCP offer within %llu s (%u discovers sent, %llu frames seen, "
		       "%llu broken or not offers)\n", d->name, DHCP_WAIT_NS / 1000000000ull, sent,
		       (unsigned long long)t.frames, (unsigned long long)t.broken);
		return;
	}
	const struct netdiag_offer *o = &t.offer;
	offered[index] = o->yiaddr;
	printf("%s: offer %s from %s (server %s, lease %u s)\n", d->name, ip_str(o->yiaddr),
	       ip_str(o->from), ip_str(o->server), (unsigned)o->lease);
	printf("%s: mask %s, router %s; %u discovers sent, answered in %llu us; %llu frames seen, "
	       "%llu broken or not offers\n", d->name, ip_str(o->mask), ip_str(o->router), sent,
	       (unsigned long long)((now_ns() - sent_at) / 1000), (unsigned long long)t.frames,
	       (unsigned long long)t.broken);
}

static bool is_arp_reply(struct tap *t, const uint8_t *f, size_t len)
{
	int rc = netdiag_arp_reply(f, len, t->mac, t->target, t->who);

	t->broken += rc == -EBADMSG;
	return rc == 0;
}

/* xx:xx:xx:xx:xx:xx, a unicast address. */
static bool parse_mac(const char *s, uint8_t m[6])
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6 || v[0] & 1)
		return false;
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)v[i];
	return true;
}

/* nic-arp IF IP [COUNT [MAC]]: COUNT ARP requests for IP (10 by default),
 * one at a time, each waiting up to 2 s for its reply; the sender address
 * is what nic-dhcp was last offered on IF (else 0.0.0.0, an ARP probe).
 * From MAC instead of IF's own, as a guest behind the bridge would send:
 * its replies come back only through a promiscuous interface. */
void cmd_nic_arp(int argc, char **argv)
{
	static uint8_t frame[NETDIAG_ARP_LEN];
	unsigned index;
	struct netdev *d = argc >= 3 && argc <= 5 ? nic_arg(argv[1], &index) : NULL;
	struct tap t = { .match = is_arp_reply };
	unsigned long count = 10, replies = 0;
	uint64_t min = UINT64_MAX, max = 0, sum = 0;
	char *end = NULL;

	if (argc < 3 || argc > 5)
		printf("error: usage: nic-arp IF IP [COUNT [MAC]]\n");
	if (!d)
		return;
	memcpy(t.mac, d->mac, 6);
	if (!parse_ip(argv[2], &t.target)) {
		printf("error: '%.20s' is not an IPv4 address\n", argv[2]);
		return;
	}
	if (argc >= 4 && ((count = strtoul(argv[3], &end, 10)) < 1 || count > ARP_MAX || *end)) {
		printf("error: COUNT: 1 .. %lu\n", ARP_MAX);
		return;
	}
	if (argc == 5 && !parse_mac(argv[4], t.mac)) {
		printf("error: '%.20s' is not a unicast MAC address\n", argv[4]);
		return;
	}
	size_t n = netdiag_arp_request(frame, sizeof(frame), t.mac, offered[index], t.target);
	tap_on(&t, d);
	for (unsigned long i = 0; i < count; i++) {
		uint64_t t0 = now_ns();
		t.got = false;
		if (net_tx(d, frame, n) || !wait_for(tap_got, &t, t0 + ARP_WAIT_NS))
			continue;
		uint64_t rtt = now_ns() - t0;
		replies++;
		sum += rtt;
		min = rtt < min ? rtt : min;
		max = rtt > max ? rtt : max;
	}
	tap_off(&t);
	if (!replies) {
		printf("error: %s: no ARP reply from %s to %s (%lu requests)\n", d->name,
		       ip_str(t.target), mac_str(t.mac), count);
		return;
	}
	printf("%s: %lu of %lu ARP replies from %s (%s), round trip min %llu us, avg %llu us, max "
	       "%llu us\n", d->name, replies, count, ip_str(t.target), mac_str(t.who),
	       (unsigned long long)(min / 1000), (unsigned long long)(sum / replies / 1000),
	       (unsigned long long)(max / 1000));
}

/* nic-promisc IF on|off: what a bridge's uplink does to hear its guests. */
void cmd_nic_promisc(int argc, char **argv)
{
	struct netdev *d = argc == 3 ? nic_arg(argv[1], NULL) : NULL;
	bool on = argc == 3 && !strcmp(argv[2], "on");

	if (argc != 3 || (!on && strcmp(argv[2], "off"))) {
		printf("error: usage: nic-promisc IF on|off\n");
		return;
	}
	if (!d)
		return;
	int rc = net_set_promisc(d, on);
	if (rc)
		printf("error: %s: promiscuous mode: %s\n", d->name,
		       rc == -EOPNOTSUPP ? "the device cannot switch it" : "the device refused");
	else
		printf("%s: promiscuous mode %s\n", d->name, on ? "on" : "off");
}
