/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The console's DHCP and ARP frames (mgmt/netdiag.c): the DHCPDISCOVER
 * checked field by field with a checksum written here, offers built here
 * as QEMU's user network (slirp) sends them, then changed one field at a
 * time: replies for someone else are ignored, broken ones refused with
 * -EBADMSG, a NAK is -EPROTO; every truncation and 20,000 random
 * mutations, each in a buffer of exactly its length (ASan sees any read
 * past it).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt/netdiag.h"

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t OTHER[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
static const uint8_t SLIRP[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
#define XID 0x1234abcdu
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/* Offsets in an offer built by make_offer (IP header without options). */
#define O_IP 14
#define O_UDP 34
#define O_BOOTP 42
#define O_OPTS (O_BOOTP + 240)

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }
static void set16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void set32(uint8_t *p, uint32_t v) { set16(p, v >> 16); set16(p + 2, v & 0xffff); }

/* RFC 1071, written the plain way: 32-bit sum of 16-bit words. */
static uint16_t ref_csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i < n; i++)
		sum += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)(~sum & 0xffff);
}

static uint32_t ref_pseudo(const uint8_t *ip, uint16_t ulen)
{
	return be16(ip + 12) + be16(ip + 14) + be16(ip + 16) + be16(ip + 18) + 17u + ulen;
}

/* Recomputes the IP header and UDP checksums of frame f (IHL and the
 * UDP length from f; nothing when they do not fit a 700-byte buffer). */
static void fix_csums(uint8_t *f)
{
	uint8_t *ip = f + O_IP;
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	uint8_t *udp = ip + ihl;
	if (O_IP + ihl + 8 > 700)
		return;
	uint16_t ulen = be16(udp + 4);
	if (O_IP + ihl + ulen > 700)
		return;

	set16(ip + 10, 0);
	set16(ip + 10, ref_csum(ip, ihl, 0));
	set16(udp + 6, 0);
	uint16_t c = ref_csum(udp, ulen, ref_pseudo(ip, ulen));
	set16(udp + 6, c ? c : 0xffff);
}

/* An offer as slirp sends it: broadcast, from 10.0.2.2, yiaddr
 * 10.0.2.15, options 53=2, 54, 51 (86400 s), 1, 3, 6, end; 590 bytes of
 * BOOTP (slirp pads to its struct). Returns the frame's length. */
static size_t make_offer(uint8_t *f, const uint8_t *opts, size_t optlen)
{
	static const uint8_t std[] = { 53, 1, 2, 54, 4, 10, 0, 2, 2, 51, 4, 0, 1, 0x51, 0x80,
				       1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 2, 2, 6, 4, 10, 0, 2,
				       3, 255 };
	size_t bootp = 548, ulen = 8 + bootp, total = 20 + ulen;

	if (!opts) {
		opts = std;
		optlen = sizeof(std);
	}
	memset(f, 0, 14 + total);
	memset(f, 0xff, 6);
	memcpy(f + 6, SLIRP, 6);
	set16(f + 12, 0x0800);
	uint8_t *ip = f + O_IP, *udp = f + O_UDP, *b = f + O_BOOTP;
	ip[0] = 0x45;
	set16(ip + 2, (uint32_t)total);
	ip[8] = 64;
	ip[9] = 17;
	set32(ip + 12, IP(10, 0, 2, 2));
	set32(ip + 16, 0xffffffffu);
	set16(udp, 67);
	set16(udp + 2, 68);
	set16(udp + 4, (uint32_t)ulen);
	b[0] = 2;
	b[1] = 1;
	b[2] = 6;
	set32(b + 4, XID);
	set32(b + 16, IP(10, 0, 2, 15));
	set32(b + 20, IP(10, 0, 2, 2));
	memcpy(b + 28, MAC, 6);
	set32(b + 236, 0x63825363u);
	memcpy(b + 240, opts, optlen);
	fix_csums(f);
	return 14 + total;
}

/* The parser on an exact-size copy (ASan bounds). */
static int parse(const uint8_t *f, size_t len, struct netdiag_offer *o)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, f, len);
	int rc = netdiag_dhcp_offer(copy, len, MAC, XID, o);
	free(copy);
	return rc;
}

static void test_csum(void **state)
{
	/* RFC 1071's example: the sum of these words is ddf2. */
	static const uint8_t w[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(netdiag_csum(w, sizeof(w), 0), (uint16_t)~0xddf2);
	assert_int_equal(netdiag_csum(w, 3, 0), ref_csum(w, 3, 0)); /* odd length */
	assert_int_equal(netdiag_csum(w, sizeof(w), 0x12345), ref_csum(w, sizeof(w), 0x12345));
}

static void test_discover(void **state)
{
	uint8_t f[400];
	size_t n = netdiag_dhcp_discover(f, sizeof(f), MAC, XID);

	assert_int_equal(n, NETDIAG_DISCOVER_LEN);
	assert_int_equal(netdiag_dhcp_discover(f, NETDIAG_DISCOVER_LEN - 1, MAC, XID), 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(f[i], 0xff);
	assert_memory_equal(f + 6, MAC, 6);
	assert_int_equal(be16(f + 12), 0x0800);
	const uint8_t *ip = f + O_IP, *udp = f + O_UDP, *b = f + O_BOOTP;
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(be16(ip + 2), n - 14);
	assert_int_equal(ip[9], 17);
	assert_int_equal(be32(ip + 12), 0);
	assert_int_equal(be32(ip + 16), 0xffffffffu);
	assert_int_equal(ref_csum(ip, 20, 0), 0);
	assert_int_equal(be16(udp), 68);
	assert_int_equal(be16(udp + 2), 67);
	assert_int_equal(be16(udp + 4), n - 34);
	assert_int_not_equal(be16(udp + 6), 0);
	assert_int_equal(ref_csum(udp, be16(udp + 4), ref_pseudo(ip, be16(udp + 4))), 0);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[1], 1);
	assert_int_equal(b[2], 6);
	assert_int_equal(be32(b + 4), XID);
	assert_int_equal(be16(b + 10), 0x8000);
	assert_memory_equal(b + 28, MAC, 6);
	assert_int_equal(be32(b + 236), 0x63825363u);
	assert_int_equal(b[240], 53);
	assert_int_equal(b[241], 1);
	assert_int_equal(b[242], 1);
	assert_int_equal(b[243], 55);
	assert_true(n - O_BOOTP >= 300);
}

static void test_offer(void **state)
{
	uint8_t f[700];
	struct netdiag_offer o;
	size_t n = make_offer(f, NULL, 0);

	assert_int_equal(parse(f, n, &o), 0);
	assert_int_equal(o.yiaddr, IP(10, 0, 2, 15));
	assert_int_equal(o.from, IP(10, 0, 2, 2));
	assert_int_equal(o.server, IP(10, 0, 2, 2));
	assert_int_equal(o.lease, 86400);
	assert_int_equal(o.mask, IP(255, 255, 255, 0));
	assert_int_equal(o.router, IP(10, 0, 2, 2));
	assert_int_equal(o.type, 2);
	/* Unicast to our MAC; Ethernet padding after the IP packet; no UDP
	 * checksum (0: none). */
	memcpy(f, MAC, 6);
	assert_int_equal(parse(f, n + 20, &o), 0);
	set16(f + O_UDP + 6, 0);
	assert_int_equal(parse(f, n, &o), 0);
	/* Options end at the data's end without 255; pads skipped. */
	static const uint8_t bare[] = { 0, 0, 53, 1, 2 };
	n = make_offer(f, bare, sizeof(bare));
	assert_int_equal(parse(f, n, &o), 0);
	assert_int_equal(o.server, 0);
	assert_int_equal(o.lease, 0);
}

static void test_ip_options(void **state)
{
	uint8_t g[700], f[704];
	struct netdiag_offer o;
	size_t n = make_offer(g, NULL, 0);

	/* The same offer with a 24-byte IP header (one NOP option word). */
	memcpy(f, g, O_UDP);
	memset(f + O_UDP, 1, 4);
	memcpy(f + O_UDP + 4, g + O_UDP, n - O_UDP);
	f[O_IP] = 0x46;
	set16(f + O_IP + 2, be16(g + O_IP + 2) + 4);
	fix_csums(f);
	assert_int_equal(parse(f, n + 4, &o), 0);
	assert_int_equal(o.yiaddr, IP(10, 0, 2, 15));
}

static void test_not_for_us(void **state)
{
	uint8_t f[700];
	struct netdiag_offer o;
	size_t n = make_offer(f, NULL, 0);

	set32(f + O_BOOTP + 4, XID + 1);        /* another transaction */
	fix_csums(f);
	assert_int_equal(parse(f, n, &o), -ENOENT);
	make_offer(f, NULL, 0);
	memcpy(f + O_BOOTP + 28, OTHER, 6);       /* another client */
	fix_csums(f);
	assert_int_equal(parse(f, n, &o), -ENOENT);
	make_offer(f, NULL, 0);
	memcpy(f, OTHER, 6);                      /* another Ethernet destination */
	assert_int_equal(parse(f, n, &o), -ENOENT);
	make_offer(f, NULL, 0);
	set16(f + 12, 0x86dd);                    /* IPv6 */
	assert_int_equal(parse(f, n, &o), -ENOENT);
	make_offer(f, NULL, 0);
	set16(f + O_UDP + 2, 69);                 /* another port */
	fix_csums(f);
	assert_int_equal(parse(f, n, &o), -ENOENT);
	make_offer(f, NULL, 0);
	f[O_IP + 9] = 6;                          /* TCP */
	assert_int_equal(parse(f, n, &o), -ENOENT);
	make_offer(f, NULL, 0);
	set16(f + O_IP + 6, 0x2000);              /* more fragments */
	fix_csums(f);
	assert_int_equal(parse(f, n, &o), -ENOENT);
	make_offer(f, NULL, 0);
	f[O_BOOTP] = 1;                           /* a request, not a reply */
	fix_csums(f);
	assert_int_equal(parse(f, n, &o), -ENOENT);
}

/* Options that break the message. */
static void broken_opts(const uint8_t *opts, size_t n)
{
	uint8_t f[700];
	struct netdiag_offer o;
	size_t len = make_offer(f, opts, n);

	assert_int_equal(parse(f, len, &o), -EBADMSG);
}

static void test_broken(void **state)
{
	uint8_t f[700];
	struct netdiag_offer o;
	size_t n = make_offer(f, NULL, 0);

	f[O_IP + 10] ^= 1;                           /* IP header checksum */
	assert_int_equal(parse(f, n, &o), -EBADMSG);
	make_offer(f, NULL, 0);
	f[O_UDP + 6] ^= 1;                           /* UDP checksum */
	assert_int_equal(parse(f, n, &o), -EBADMSG);
	make_offer(f, NULL, 0);
	f[O_OPTS + 20] ^= 1;                         /* data under the checksum */
	assert_int_equal(parse(f, n, &o), -EBADMSG);
	make_offer(f, NULL, 0);
	set16(f + O_IP + 2, (uint32_t)(n - 14 + 1)); /* IP longer than the frame */
	fix_csums(f);
	assert_int_equal(parse(f, n, &o), -EBADMSG);
	make_offer(f, NULL, 0);
	set16(f + O_UDP + 4, be16(f + O_IP + 2));    /* UDP longer than IP's payload */
	set16(f + O_UDP + 6, 0);
	set16(f + O_IP + 10, 0);
	set16(f + O_IP + 10, ref_csum(f + O_IP, 20, 0));
	assert_int_equal(parse(f, n, &o), -EBADMSG);
	make_offer(f, NULL, 0);
	set16(f + O_UDP + 4, 7);                     /* UDP shorter than its header */
	set16(f + O_UDP + 6, 0);
	assert_int_equal(parse(f, n, &o), -EBADMSG);
	make_offer(f, NULL, 0);
	f[O_BOOTP + 236] = 0;                        /* no magic cookie */
	fix_csums(f);
	assert_int_equal(parse(f, n, &o), -EBADMSG);
	make_offer(f, NULL, 0);
	f[O_IP] = 0x44;                              /* IHL 4 */
	assert_int_equal(parse(f, n, &o), -ENOENT);

	static const uint8_t no_type[] = { 54, 4, 10, 0, 2, 2, 255 };
	static const uint8_t short_server[] = { 53, 1, 2, 54, 3, 10, 0, 2, 255 };
	static const uint8_t long_type[] = { 53, 2, 2, 0, 255 };
	static const uint8_t odd_router[] = { 53, 1, 2, 3, 5, 10, 0, 2, 2, 1, 255 };
	broken_opts(no_type, sizeof(no_type));
	broken_opts(short_server, sizeof(short_server));
	broken_opts(long_type, sizeof(long_type));
	broken_opts(odd_router, sizeof(odd_router));
}

/* An option whose length runs past the UDP payload's end. */
static void test_option_overrun(void **state)
{
	uint8_t f[700];
	struct netdiag_offer o;
	size_t n = make_offer(f, NULL, 0);
	size_t end = n - O_OPTS; /* bytes of options' room */

	memset(f + O_OPTS, 0, end);
	f[O_OPTS] = 53;
	f[O_OPTS + 1] = 1;
	f[O_OPTS + 2] = 2;
	f[n - 2] = 12;   /* an option at the last two bytes claims 200 more */
	f[n - 1] = 200;
	fix_csums(f);
	assert_int_equal(parse(f, n, &o), -EBADMSG);
	f[n - 2] = 0;    /* a code at the very last byte, no length */
	f[n - 1] = 12;
	fix_csums(f);
	assert_int_equal(parse(f, n, &o), -EBADMSG);
}

static void test_nak(void **state)
{
	static const uint8_t nak[] = { 53, 1, 6, 54, 4, 10, 0, 2, 2, 255 };
	uint8_t f[700];
	struct netdiag_offer o;
	size_t n = make_offer(f, nak, sizeof(nak));

	assert_int_equal(parse(f, n, &o), -EPROTO);
	assert_int_equal(o.type, 6);
}

static void test_truncated(void **state)
{
	uint8_t f[700];
	struct netdiag_offer o;
	size_t n = make_offer(f, NULL, 0);

	/* Short of its IP length: never accepted, never read past len. */
	for (size_t len = 0; len < n; len++)
		assert_int_not_equal(parse(f, len, &o), 0);
}

static void test_fuzz(void **state)
{
	uint8_t g[700], f[700];
	struct netdiag_offer o;
	size_t n = make_offer(g, NULL, 0);
	unsigned accepted = 0;

	srand(12);
	for (int i = 0; i < 20000; i++) {
		memcpy(f, g, n);
		for (int k = rand() % 8; k >= 0; k--)
			f[rand() % (O_OPTS + 40)] = (uint8_t)rand();
		if (i % 2)
			fix_csums(f); /* past the checksums, into the parser */
		size_t len = rand() % 4 ? n : (size_t)rand() % n;
		int rc = parse(f, len, &o);
		assert_true(rc == 0 || rc == -ENOENT || rc == -EBADMSG || rc == -EPROTO);
		accepted += rc == 0;
	}
	assert_true(accepted > 0);
}

static void test_arp(void **state)
{
	uint8_t f[64], r[64];
	uint8_t who[6];

	assert_int_equal(netdiag_arp_request(f, 41, MAC, IP(10, 0, 2, 15), IP(10, 0, 2, 2)), 0);
	assert_int_equal(netdiag_arp_request(f, sizeof(f), MAC, IP(10, 0, 2, 15), IP(10, 0, 2, 2)),
			 42);
	assert_int_equal(be16(f + 12), 0x0806);
	assert_int_equal(be16(f + 14), 1);
	assert_int_equal(be16(f + 16), 0x0800);
	assert_int_equal(be16(f + 20), 1);
	assert_memory_equal(f + 22, MAC, 6);
	assert_int_equal(be32(f + 28), IP(10, 0, 2, 15));
	assert_int_equal(be32(f + 38), IP(10, 0, 2, 2));

	/* The reply: slirp's MAC, from 10.0.2.2, to us. */
	memset(r, 0, sizeof(r));
	memcpy(r, MAC, 6);
	memcpy(r + 6, SLIRP, 6);
	set16(r + 12, 0x0806);
	set16(r + 14, 1);
	set16(r + 16, 0x0800);
	r[18] = 6;
	r[19] = 4;
	set16(r + 20, 2);
	memcpy(r + 22, SLIRP, 6);
	set32(r + 28, IP(10, 0, 2, 2));
	memcpy(r + 32, MAC, 6);
	set32(r + 38, IP(10, 0, 2, 15));
	assert_int_equal(netdiag_arp_reply(r, 60, MAC, IP(10, 0, 2, 2), who), 0);
	assert_memory_equal(who, SLIRP, 6);
	assert_int_equal(netdiag_arp_reply(r, 41, MAC, IP(10, 0, 2, 2), who), -ENOENT);
	assert_int_equal(netdiag_arp_reply(r, 60, MAC, IP(10, 0, 2, 3), who), -ENOENT);
	assert_int_equal(netdiag_arp_reply(r, 60, OTHER, IP(10, 0, 2, 2), who), -ENOENT);
	set16(r + 20, 1);
	assert_int_equal(netdiag_arp_reply(r, 60, MAC, IP(10, 0, 2, 2), who), -ENOENT);
	set16(r + 20, 2);
	r[18] = 8;
	assert_int_equal(netdiag_arp_reply(r, 60, MAC, IP(10, 0, 2, 2), who), -EBADMSG);
	/* Every truncation, exact-size. */
	r[18] = 6;
	for (size_t len = 0; len < 42; len++) {
		uint8_t *c = malloc(len ? len : 1);
		memcpy(c, r, len);
		assert_int_equal(netdiag_arp_reply(c, len, MAC, IP(10, 0, 2, 2), who), -ENOENT);
		free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum),
		cmocka_unit_test(test_discover),
		cmocka_unit_test(test_offer),
		cmocka_unit_test(test_ip_options),
		cmocka_unit_test(test_not_for_us),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_option_overrun),
		cmocka_unit_test(test_nak),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_arp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
