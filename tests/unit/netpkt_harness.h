/* SPDX-License-Identifier: GPL-2.0-only */
/* What the netpkt tests share (netpkt_harness.c): the reference
 * checksums and the frame builder. */
#ifndef EYRIE_TESTS_NETPKT_HARNESS_H
#define EYRIE_TESTS_NETPKT_HARNESS_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "mgmt/netpkt.h"

/* Where a built frame's headers are, as the builder laid them out. */
struct lay {
	size_t len, l3, l4, l4_len, payload, dst;
	bool v6;
	uint8_t proto;
};

struct ext {
	uint8_t type, hlen8, rtype, segleft; /* 0 hop-by-hop, 43 routing, 60 dest. options, ... */
};

struct spec {
	bool v6, vlan;
	uint8_t proto;          /* 6 or 17 (or another: no L4 header written) */
	unsigned ipopt;         /* IPv4 option bytes (multiple of 4) */
	struct ext ext[4];      /* IPv6 extension headers */
	unsigned n_ext;
	unsigned tcpopt;        /* multiple of 4 */
	uint8_t flags;          /* TCP */
	uint16_t id;
	uint32_t seq;
	size_t payload;
	size_t pad;             /* zero bytes after the IP packet */
};

extern uint8_t big[NETPKT_GSO_MAX + 4096];
/* Two frames captured on real networks (netpkt_harness.c). */
extern const uint8_t syn4[78];
extern const uint8_t udp6[65];

uint32_t ref_sum(uint32_t s, const uint8_t *p, size_t n);
uint16_t ref_csum(const uint8_t *p, size_t n);
uint16_t rd16(const uint8_t *p);
uint32_t rd32(const uint8_t *p);
void wr16(uint8_t *p, uint16_t v);
void wr32(uint8_t *p, uint32_t v);
uint32_t ref_l4_sum(const uint8_t *f, const struct lay *l, size_t l4_len);
uint8_t pat(size_t i);
struct lay build(uint8_t *f, const struct spec *s);
uint8_t *copy_of(const uint8_t *f, size_t n);

#endif
