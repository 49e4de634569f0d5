/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management domain's own address on a bridge: ARP, ICMP echo and a
 * TCP discard sink. See mgmt/ipstack.h.
 */
#include <string.h>

#include "mgmt/ipstack.h"

#define ETH_ARP  0x0806
#define ETH_IPV4 0x0800
#define PROTO_ICMP 1
#define PROTO_TCP  6

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

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

/* Sequence-number order (RFC 793's modulo 2^32 comparison). */
static bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

void ipstack_init(struct ipstack *s, const uint8_t mac[6], uint32_t ip, uint32_t isn_seed)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->mac, mac, 6);
	s->ip = ip;
	s->isn_seed = isn_seed;
}

bool ipstack_parse_ip(const char *t, uint32_t *ip)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned part = 0, digits = 0;
		while (*t >= '0' && *t <= '9' && digits < 4) {
			part = part * 10 + (unsigned)(*t++ - '0');
			digits++;
		}
		if (!digits || part > 255 || *t != (i < 3 ? '.' : '\0'))
			return false;
		t += i < 3;
		v = v << 8 | part;
	}
	*ip = v;
	return true;
}

static void eth_reply(uint8_t *out, const uint8_t *dst, const struct ipstack *s, uint16_t type)
{
	memcpy(out, dst, 6);
	memcpy(out + 6, s->mac, 6);
	put16(out + 12, type);
}

/* An IPv4 header at p (20 bytes, no options), its checksum filled in. */
static void ip_header(uint8_t *p, const struct ipstack *s, uint32_t dst, uint8_t proto,
		      uint16_t total)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, total);
	put16(p + 6, 0x4000); /* don't fragment */
	p[8] = 64;            /* TTL */
	p[9] = proto;
	put32(p + 12, s->ip);
	put32(p + 16, dst);
	put16(p + 10, netpkt_csum_fold(netpkt_csum_add(0, p, 20)));
}

static void arp_input(struct ipstack *s, const uint8_t *f, size_t len, ipstack_emit_fn *emit,
		      void *ctx)
{
	const uint8_t *a = f + NETPKT_ETH_HLEN;
	uint8_t out[60] = { 0 };

	/* Ethernet/IPv4, a request for our address. */
	if (len < NETPKT_ETH_HLEN + 28 || get16(a) != 1 || get16(a + 2) != ETH_IPV4 ||
	    a[4] != 6 || a[5] != 4 || get16(a + 6) != 1 || get32(a + 24) != s->ip) {
		s->st.dropped++;
		return;
	}
	eth_reply(out, a + 8, s, ETH_ARP);
	uint8_t *r = out + NETPKT_ETH_HLEN;
	put16(r, 1);
	put16(r + 2, ETH_IPV4);
	r[4] = 6;
	r[5] = 4;
	put16(r + 6, 2);          /* reply */
	memcpy(r + 8, s->mac, 6);
	put32(r + 14, s->ip);
	memcpy(r + 18, a + 8, 10); /* the asker's MAC and address */
	s->st.arp_replies++;
	emit(ctx, out, sizeof(out));
}

static void icmp_input(struct ipstack *s, const uint8_t *f, size_t len,
		       const struct netpkt_hdrs *h, ipstack_emit_fn *emit, void *ctx)
{
	static uint8_t out[NETPKT_FRAME_MAX];
	const uint8_t *ip = f + h->l3;
	unsigned ihl = (ip[0] & 15u) * 4;
	size_t total = get16(ip + 2);

	/* netpkt_parse checked IHL and the total length against len. */
	if (total < ihl + 8 || NETPKT_ETH_HLEN + 20 + (total - ihl) > sizeof(out) ||
	    ip[ihl] != 8 || ip[ihl + 1] != 0 ||
	    netpkt_csum_fold(netpkt_csum_add(0, ip + ihl, total - ihl)) != 0) {
		s->st.dropped++;
		return;
	}
	size_t icmp_len = total - ihl;
	eth_reply(out, f + 6, s, ETH_IPV4);
	ip_header(out + NETPKT_ETH_HLEN, s, get32(ip + 12), PROTO_ICMP, (uint16_t)(20 + icmp_len));
	uint8_t *icmp = out + NETPKT_ETH_HLEN + 20;
	memcpy(icmp, ip + ihl, icmp_len);
	icmp[0] = 0; /* echo reply */
	icmp[2] = icmp[3] = 0;
	put16(icmp + 2, netpkt_csum_fold(netpkt_csum_add(0, icmp, icmp_len)));
	s->st.echo_replies++;
	emit(ctx, out, NETPKT_ETH_HLEN + 20 + icmp_len);
}

/* A segment without payload to (mac, ip, port). */
static void tcp_send(struct ipstack *s, const uint8_t *mac, uint32_t ip, uint16_t sport,
		     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, bool syn_opts,
		     bool wscale, ipstack_emit_fn *emit, void *ctx)
{
	uint8_t out[NETPKT_ETH_HLEN + 20 + 32] = { 0 };
	unsigned tcp_len = 20 + (syn_opts ? 4u + (wscale ? 4u : 0u) : 0u);
	uint8_t *t = out + NETPKT_ETH_HLEN + 20;

	eth_reply(out, mac, s, ETH_IPV4);
	ip_header(out + NETPKT_ETH_HLEN, s, ip, PROTO_TCP, (uint16_t)(20 + tcp_len));
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = (uint8_t)(tcp_len / 4 << 4);
	t[13] = flags;
	put16(t + 14, 65535); /* scaled by IPSTACK_WSCALE once agreed */
	if (syn_opts) {
		t[20] = 2;    /* MSS */
		t[21] = 4;
		put16(t + 22, NETPKT_MTU - 40);
		if (wscale) {
			t[24] = 1; /* NOP */
			t[25] = 3; /* window scale */
			t[26] = 3;
			t[27] = IPSTACK_WSCALE;
		}
	}
	size_t len = NETPKT_ETH_HLEN + 20 + tcp_len;
	if (len < 60)
		len = 60; /* Ethernet's minimum (the padding is zero) */
	netpkt_csum_fill(out, len);
	s->st.tcp_out++;
	emit(ctx, out, len);
}

/* Whether the SYN at t (hlen bytes of header) offers window scaling. */
static bool syn_wscale(const uint8_t *t, unsigned hlen)
{
	for (unsigned i = 20; i < hlen;) {
		uint8_t kind = t[i];
		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= hlen || t[i + 1] < 2 || i + t[i + 1] > hlen)
			break;
		if (kind == 3 && t[i + 1] == 3)
			return true;
		i += t[i + 1];
	}
	return false;
}

static void conn_end(struct ipstack *s, struct ipstack_conn *c)
{
	s->done_bytes += c->bytes;
	s->last = *c;
	s->last.state = TCP_DONE;
	c->state = TCP_FREE;
}

static void tcp_input(struct ipstack *s, const uint8_t *f, const struct netpkt_hdrs *h,
		      uint64_t now, ipstack_emit_fn *emit, void *ctx)
{
	const uint8_t *t = f + h->l4;
	const uint8_t *mac = f + 6;
	uint32_t peer = get32(f + h->l3 + 12);
	uint16_t sport = get16(t), dport = get16(t + 2);
	uint32_t seq = get32(t + 4), ack = get32(t + 8);
	uint8_t fl = t[13];
	unsigned hlen = (unsigned)(h->payload - h->l4);
	uint32_t plen = (uint32_t)(h->l4_len - hlen);
	struct ipstack_conn *c = NULL, *free_slot = NULL;

	s->st.tcp_in++;
	for (unsigned i = 0; i < IPSTACK_CONNS; i++) {
		struct ipstack_conn *x = &s->conn[i];
		if (x->state == TCP_FREE)
			free_slot = free_slot ? free_slot : x;
		else if (x->peer_ip == peer && x->peer_port == sport)
			c = x;
	}
	if (fl & TCP_RST) { /* never answered */
		if (c)
			conn_end(s, c);
		return;
	}
	if (dport != IPSTACK_DISCARD_PORT || (!c && !(fl & TCP_SYN)) ||
	    (!c && !free_slot)) {
		/* RFC 793's reset: to what it acknowledges, or after what it sent. */
		s->st.resets++;
		if (fl & TCP_ACK)
			tcp_send(s, mac, peer, dport, sport, ack, 0, TCP_RST, false, false, emit, ctx);
		else
			tcp_send(s, mac, peer, dport, sport, 0, seq + plen + !!(fl & TCP_SYN),
				 TCP_RST | TCP_ACK, false, false, emit, ctx);
		return;
	}
	if (fl & TCP_SYN) {
		if (c && c->state == TCP_SYN_RCVD && seq + 1 == c->rcv_nxt) {
			/* Our SYN-ACK was lost: again. */
		} else {
			if (c) /* a new connection from the same port */
				conn_end(s, c);
			c = c ? c : free_slot;
			*c = (struct ipstack_conn){ .state = TCP_SYN_RCVD, .peer_ip = peer,
				.peer_port = sport, .rcv_nxt = seq + 1 };
			memcpy(c->peer_mac, mac, 6);
			c->iss = (s->isn_seed ^ peer ^ (uint32_t)sport << 16 ^ (uint32_t)(now >> 10)) *
				 2654435761u;
		}
		tcp_send(s, mac, peer, dport, sport, c->iss, c->rcv_nxt, TCP_SYN | TCP_ACK, true,
			 syn_wscale(t, hlen), emit, ctx);
		return;
	}
	if (!(fl & TCP_ACK))
		return; /* after the SYN, every segment carries an ACK */
	if (c->state == TCP_SYN_RCVD) {
		if (ack != c->iss + 1)
			return;
		c->state = TCP_ESTABLISHED;
	}
	if (c->state == TCP_LAST_ACK && ack == c->iss + 2 && !(fl & TCP_FIN)) {
		conn_end(s, c);
		return;
	}
	/* The payload: what extends rcv_nxt is taken. */
	if (plen && c->state == TCP_ESTABLISHED) {
		c->segments++;
		if (seq_lt(c->rcv_nxt, seq) || !seq_lt(c->rcv_nxt, seq + plen)) {
			c->out_of_order += seq_lt(c->rcv_nxt, seq); /* a gap: a duplicate ACK asks */
		} else {
			uint32_t take = seq + plen - c->rcv_nxt;
			if (!c->bytes)
				c->first_ns = now;
			c->last_ns = now;
			c->bytes += take;
			c->rcv_nxt += take;
		}
	}
	bool fin = (fl & TCP_FIN) && seq + plen == c->rcv_nxt;
	if (fin && c->state == TCP_ESTABLISHED) {
		c->rcv_nxt++;
		c->state = TCP_LAST_ACK;
	}
	if (c->state == TCP_LAST_ACK)
		tcp_send(s, mac, peer, dport, sport, c->iss + 1, c->rcv_nxt, TCP_FIN | TCP_ACK,
			 false, false, emit, ctx);
	else if (plen)
		tcp_send(s, mac, peer, dport, sport, c->iss + 1, c->rcv_nxt, TCP_ACK, false, false,
			 emit, ctx);
}

void ipstack_input(struct ipstack *s, const uint8_t *f, size_t len, const struct net_offload *o,
		   uint64_t now_ns, ipstack_emit_fn *emit, void *ctx)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct netpkt_hdrs h;

	if (!s->ip || netpkt_parse(f, len, &h) || (memcmp(f, s->mac, 6) && memcmp(f, bcast, 6))) {
		s->st.dropped++;
		return;
	}
	if (h.ethertype == ETH_ARP && h.l3 == NETPKT_ETH_HLEN) {
		arp_input(s, f, len, emit, ctx);
		return;
	}
	if (h.ethertype != ETH_IPV4 || memcmp(f, s->mac, 6) || get32(f + h.l3 + 16) != s->ip ||
	    h.l3 != NETPKT_ETH_HLEN) {
		s->st.dropped++;
		return;
	}
	/* Checksums: a frame from a guest on this host may come with its TCP
	 * checksum blank, or vouched for; the IPv4 header's is always there. */
	const uint8_t *ip = f + h.l3;
	if ((get16(ip + 6) & 0x3fff) != 0) { /* a fragment: not reassembled here */
		s->st.dropped++;
		return;
	}
	if (netpkt_csum_fold(netpkt_csum_add(0, ip, (ip[0] & 15u) * 4)) != 0 ||
	    (h.proto == PROTO_TCP && !o->csum_blank && !o->data_validated &&
	     netpkt_csum_check(f, len))) {
		s->st.bad_csum++;
		s->st.dropped++;
		return;
	}
	if (h.proto == PROTO_ICMP && !o->gso_type)
		icmp_input(s, f, len, &h, emit, ctx);
	else if (h.proto == PROTO_TCP && h.l4)
		tcp_input(s, f, &h, now_ns, emit, ctx);
	else
		s->st.dropped++;
}
