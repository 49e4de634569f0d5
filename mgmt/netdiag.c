/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DHCP and ARP frames for the console's diagnostics (see netdiag.h).
 * Pure: no hypercalls, no globals.
 */
#include <errno.h>
#include <string.h>

#include "mgmt/netdiag.h"

#define ETH_HLEN 14u
#define ETH_IPV4 0x0800
#define ETH_ARP 0x0806
#define IP_HLEN 20u
#define UDP_HLEN 8u
#define IP_UDP 17
#define BOOTP_LEN 236u          /* the fixed part, up to the options' cookie */
#define BOOTP_MIN 300u          /* RFC 1542: what relays and servers expect */
#define DHCP_COOKIE 0x63825363u
#define PORT_SERVER 67
#define PORT_CLIENT 68

/* Options (RFC 2132). */
#define OPT_PAD 0
#define OPT_MASK 1
#define OPT_ROUTER 3
#define OPT_DNS 6
#define OPT_LEASE 51
#define OPT_MSG_TYPE 53
#define OPT_SERVER 54
#define OPT_PARAMS 55
#define OPT_END 255
#define DHCPDISCOVER 1
#define DHCPOFFER 2

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t netdiag_csum(const void *data, size_t len, uint32_t sum)
{
	sum = sum16(data, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The UDP pseudo-header's sum: addresses, protocol, UDP length. */
static uint32_t pseudo(uint32_t src, uint32_t dst, uint16_t ulen)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + IP_UDP + ulen;
}

static void eth_header(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
}

size_t netdiag_dhcp_discover(uint8_t *buf, size_t cap, const uint8_t mac[6], uint32_t xid)
{
	static const uint8_t opts[] = { 0x63, 0x82, 0x53, 0x63, OPT_MSG_TYPE, 1, DHCPDISCOVER,
					OPT_PARAMS, 5, OPT_MASK, OPT_ROUTER, OPT_DNS, OPT_LEASE,
					OPT_SERVER, OPT_END };
	const uint16_t ulen = UDP_HLEN + BOOTP_MIN, iplen = IP_HLEN + ulen;

	if (cap < NETDIAG_DISCOVER_LEN)
		return 0;
	memset(buf, 0, NETDIAG_DISCOVER_LEN);
	eth_header(buf, bcast, mac, ETH_IPV4);
	uint8_t *ip = buf + ETH_HLEN, *udp = ip + IP_HLEN, *b = udp + UDP_HLEN;
	ip[0] = 0x45; /* version 4, 5 words */
	put16(ip + 2, iplen);
	put16(ip + 4, (uint16_t)xid);
	ip[8] = 64;   /* TTL */
	ip[9] = IP_UDP;
	put32(ip + 16, 0xffffffffu);
	put16(ip + 10, netdiag_csum(ip, IP_HLEN, 0));
	put16(udp, PORT_CLIENT);
	put16(udp + 2, PORT_SERVER);
	put16(udp + 4, ulen);
	b[0] = 1; /* BOOTREQUEST */
	b[1] = 1; /* Ethernet */
	b[2] = 6;
	put32(b + 4, xid);
	put16(b + 10, 0x8000); /* broadcast: we have no address to be answered at */
	memcpy(b + 28, mac, 6);
	memcpy(b + BOOTP_LEN, opts, sizeof(opts));
	uint16_t c = netdiag_csum(udp, ulen, pseudo(0, 0xffffffffu, ulen));
	put16(udp + 6, c ? c : 0xffff); /* 0 would mean "no checksum" */
	return NETDIAG_DISCOVER_LEN;
}

/* The IPv4 and UDP headers of f, checked: the UDP payload (*data,
 * *dlen) and the source address. -ENOENT, -EBADMSG as netdiag.h says. */
static int udp_payload(const uint8_t *f, size_t len, const uint8_t mac[6], uint32_t *src,
		       const uint8_t **data, size_t *dlen)
{
	if (len < ETH_HLEN + IP_HLEN + UDP_HLEN || get16(f + 12) != ETH_IPV4 ||
	    (memcmp(f, mac, 6) && memcmp(f, bcast, 6)))
		return -ENOENT;
	const uint8_t *ip = f + ETH_HLEN;
	size_t room = len - ETH_HLEN, ihl = (size_t)(ip[0] & 15) * 4, total = get16(ip + 2);
	if (ip[0] >> 4 != 4 || ip[9] != IP_UDP || (get16(ip + 6) & 0x3fff))
		return -ENOENT; /* not v4, not UDP, or a fragment (MF or an offset) */
	if (ihl < IP_HLEN || ihl + UDP_HLEN > room)
		return -ENOENT; /* no ports to look at */
	const uint8_t *udp = ip + ihl;
	if (get16(udp) != PORT_SERVER || get16(udp + 2) != PORT_CLIENT)
		return -ENOENT;
	/* From here on it claims to be a DHCP reply: what is wrong is broken. */
	size_t ulen = get16(udp + 4);
	if (total < ihl + UDP_HLEN || total > room || netdiag_csum(ip, ihl, 0))
		return -EBADMSG;
	if (ulen < UDP_HLEN || ulen > total - ihl)
		return -EBADMSG;
	*src = get32(ip + 12);
	if (get16(udp + 6) && netdiag_csum(udp, ulen, pseudo(*src, get32(ip + 16), (uint16_t)ulen)))
		return -EBADMSG;
	*data = udp + UDP_HLEN;
	*dlen = ulen - UDP_HLEN;
	return 0;
}

/* One option's value into o; -EBADMSG for a wrong length. */
static int take_option(uint8_t code, const uint8_t *v, size_t n, struct netdiag_offer *o)
{
	switch (code) {
	case OPT_MSG_TYPE:
		if (n != 1)
			return -EBADMSG;
		o->type = v[0];
		return 0;
	case OPT_SERVER:
	case OPT_LEASE:
	case OPT_MASK:
		if (n != 4)
			return -EBADMSG;
		*(code == OPT_SERVER ? &o->server : code == OPT_LEASE ? &o->lease : &o->mask) = get32(v);
		return 0;
	case OPT_ROUTER:
		if (n < 4 || n % 4)
			return -EBADMSG;
		o->router = get32(v);
		return 0;
	}
	return 0; /* others: skipped */
}

/* The options from p to end (after the cookie). */
static int parse_options(const uint8_t *p, size_t n, struct netdiag_offer *o)
{
	size_t i = 0;

	while (i < n) {
		uint8_t code = p[i];
		if (code == OPT_END)
			break;
		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (n - i < 2 || p[i + 1] > n - i - 2)
			return -EBADMSG; /* its length runs past the end */
		int rc = take_option(code, p + i + 2, p[i + 1], o);
		if (rc)
			return rc;
		i += 2u + p[i + 1];
	}
	return o->type ? 0 : -EBADMSG;
}

int netdiag_dhcp_offer(const uint8_t *f, size_t len, const uint8_t mac[6], uint32_t xid,
		       struct netdiag_offer *o)
{
	const uint8_t *b;
	size_t n;
	uint32_t src;
	int rc = udp_payload(f, len, mac, &src, &b, &n);

	if (rc)
		return rc;
	if (n < BOOTP_LEN + 4 || b[0] != 2 || b[1] != 1 || b[2] != 6 || get32(b + 4) != xid ||
	    memcmp(b + 28, mac, 6))
		return -ENOENT; /* not a reply to our request */
	if (get32(b + BOOTP_LEN) != DHCP_COOKIE)
		return -EBADMSG;
	memset(o, 0, sizeof(*o));
	o->yiaddr = get32(b + 16);
	o->from = src;
	if ((rc = parse_options(b + BOOTP_LEN + 4, n - BOOTP_LEN - 4, o)))
		return rc;
	return o->type == DHCPOFFER ? 0 : -EPROTO;
}

size_t netdiag_arp_request(uint8_t *buf, size_t cap, const uint8_t mac[6], uint32_t sender,
			   uint32_t target)
{
	if (cap < NETDIAG_ARP_LEN)
		return 0;
	memset(buf, 0, NETDIAG_ARP_LEN);
	eth_header(buf, bcast, mac, ETH_ARP);
	uint8_t *a = buf + ETH_HLEN;
	put16(a, 1);          /* Ethernet */
	put16(a + 2, ETH_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);      /* request */
	memcpy(a + 8, mac, 6);
	put32(a + 14, sender);
	put32(a + 24, target); /* target hardware address: zero */
	return NETDIAG_ARP_LEN;
}

int netdiag_arp_reply(const uint8_t *f, size_t len, const uint8_t mac[6], uint32_t target,
		      uint8_t who[6])
{
	if (len < NETDIAG_ARP_LEN || get16(f + 12) != ETH_ARP ||
	    (memcmp(f, mac, 6) && memcmp(f, bcast, 6)))
		return -ENOENT;
	const uint8_t *a = f + ETH_HLEN;
	if (get16(a + 6) != 2 || get32(a + 14) != target || memcmp(a + 18, mac, 6))
		return -ENOENT;
	if (get16(a) != 1 || get16(a + 2) != ETH_IPV4 || a[4] != 6 || a[5] != 4)
		return -EBADMSG;
	memcpy(who, a + 8, 6);
	return 0;
}
