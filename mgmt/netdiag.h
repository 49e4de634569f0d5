/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The frames the console's network diagnostics send and check
 * (mgmt/netdiag.c: pure, no globals; tests/unit/test_netdiag.c): a
 * DHCPDISCOVER and the DHCPOFFER answering it (RFC 2131, the options of
 * RFC 2132), an ARP request and its reply (RFC 826). Whole Ethernet
 * frames without FCS. What comes back from the network is hostile: the
 * parsers read only within len and take nothing they have not checked
 * (lengths, checksums, the transaction and the client's MAC).
 *
 * IPv4 addresses are host-order integers (10.0.2.15 is 0x0a00020f).
 */
#ifndef EYRIE_MGMT_NETDIAG_H
#define EYRIE_MGMT_NETDIAG_H

#include <stddef.h>
#include <stdint.h>

/* A DHCPDISCOVER: Ethernet broadcast from mac, IPv4 0.0.0.0 ->
 * 255.255.255.255 (header checksum), UDP 68 -> 67 (checksum), BOOTP
 * with the broadcast flag, xid, chaddr = mac, options message type 1 and
 * a parameter request list (mask, router, DNS, lease, server), padded to
 * the 300-byte BOOTP minimum. */
#define NETDIAG_DISCOVER_LEN 342u
/* Writes it into buf (cap bytes); its length, or 0 if cap is short. */
size_t netdiag_dhcp_discover(uint8_t *buf, size_t cap, const uint8_t mac[6], uint32_t xid);

struct netdiag_offer {
	uint32_t yiaddr;   /* the address offered */
	uint32_t from;     /* the IP source of the reply */
	uint32_t server;   /* option 54, or 0 */
	uint32_t lease;    /* option 51 in seconds, or 0 */
	uint32_t mask;     /* option 1, or 0 */
	uint32_t router;   /* option 3's first, or 0 */
	uint8_t type;      /* option 53 */
};

/* Whether frame f is a DHCP reply to the discover of (mac, xid), and
 * what it offers. 0: a DHCPOFFER (o filled in). -ENOENT: not for us
 * (not IPv4/UDP from port 67 to 68, an IP fragment, another xid or
 * chaddr, another Ethernet destination than mac or broadcast). -EBADMSG:
 * for us but broken (IP or UDP checksum, lengths, magic cookie, an option
 * running past the end, option 53 missing, a field of a wrong length).
 * -EPROTO: for us, well-formed, but not an offer (o->type says what, e.g.
 * 6, a DHCPNAK). Option overload (52: options in sname/file) is not
 * followed. */
int netdiag_dhcp_offer(const uint8_t *f, size_t len, const uint8_t mac[6], uint32_t xid,
		       struct netdiag_offer *o);

/* An ARP request (Ethernet broadcast): who has target, tell sender (mac);
 * 42 bytes (the NIC pads it). Its length, or 0 if cap is short. */
#define NETDIAG_ARP_LEN 42u
size_t netdiag_arp_request(uint8_t *buf, size_t cap, const uint8_t mac[6], uint32_t sender,
			   uint32_t target);
/* 0 when f is an ARP reply from target to mac (their MAC in who), else
 * -ENOENT (not one), -EBADMSG (an ARP reply to us with wrong sizes). */
int netdiag_arp_reply(const uint8_t *f, size_t len, const uint8_t mac[6], uint32_t target,
		      uint8_t who[6]);

/* The Internet checksum (RFC 1071) of len bytes added to sum, folded and
 * complemented. */
uint16_t netdiag_csum(const void *data, size_t len, uint32_t sum);

#endif
