/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management domain's address on a bridge (mgmt/ipstack.c): ARP,
 * ICMP echo, the TCP discard sink. The test plays a guest: it builds its
 * frames with its own small IPv4/TCP writer and checksum (independent of
 * mgmt/netpkt.c) and checks every reply field by field. Also: refusals
 * (other addresses, bad checksums, fragments, other ports), the
 * connection table's limit, retransmitted SYN and FIN, out-of-order and
 * overlapping data, and random garbage under ASan/UBSan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt/ipstack.h"

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

static const uint8_t MGMT_MAC[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 };
static const uint8_t GUEST_MAC[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 };
#define MGMT_IP  0x0a000001u /* 10.0.0.1 */
#define GUEST_IP 0x0a000002u

static struct ipstack S;
static uint8_t out[2048];
static size_t out_len;
static int outs;
static const struct net_offload NONE;

static void emit(void *ctx, const uint8_t *f, size_t len)
{
	assert_true(len <= sizeof(out));
	memcpy(out, f, len);
	out_len = len;
	outs++;
}

static int setup(void **state)
{
	ipstack_init(&S, MGMT_MAC, MGMT_IP, 1234);
	outs = 0;
	return 0;
}

/* ---- the test's own frame writer ---- */

static uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t g32(const uint8_t *p) { return (uint32_t)g16(p) << 16 | g16(p + 2); }
static void p16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void p32(uint8_t *p, uint32_t v) { p16(p, v >> 16); p16(p + 2, v & 0xffff); }

/* RFC 1071, written plainly. */
static uint16_t csum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t l4_csum(const uint8_t *ip, const uint8_t *l4, size_t n, uint8_t proto)
{
	uint32_t sum = g16(ip + 12) + g16(ip + 14) + g16(ip + 16) + g16(ip + 18) + proto +
		       (uint32_t)n;
	return csum(sum, l4, n);
}

static size_t eth_ip(uint8_t *f, uint32_t dst_ip, uint8_t proto, size_t l4_len)
{
	memcpy(f, MGMT_MAC, 6);
	memcpy(f + 6, GUEST_MAC, 6);
	p16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	p16(ip + 2, (unsigned)(20 + l4_len));
	ip[8] = 64;
	ip[9] = proto;
	p32(ip + 12, GUEST_IP);
	p32(ip + 16, dst_ip);
	p16(ip + 10, csum(0, ip, 20));
	return 34 + l4_len;
}

static size_t tcp(uint8_t *f, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		  const char *data, size_t dlen, bool wscale)
{
	unsigned hl = wscale ? 24 : 20;
	uint8_t *t = f + 34;
	memset(t, 0, hl);
	p16(t, 40000);
	p16(t + 2, dport);
	p32(t + 4, seq);
	p32(t + 8, ack);
	t[12] = (uint8_t)(hl / 4 << 4);
	t[13] = flags;
	p16(t + 14, 29200);
	if (wscale) {
		t[20] = 1;
		t[21] = 3;
		t[22] = 3;
		t[23] = 7;
	}
	if (dlen)
		memcpy(t + hl, data, dlen);
	size_t len = eth_ip(f, MGMT_IP, 6, hl + dlen);
	p16(t + 16, l4_csum(f + 14, t, hl + dlen, 6));
	return len;
}

static const uint8_t *sent; /* the last frame sent */

static void send_frame(const uint8_t *f, size_t len, const struct net_offload *o, uint64_t now)
{
	sent = f;
	outs = 0;
	ipstack_input(&S, f, len, o, now, emit, NULL);
}

/* The reply is a valid TCP/IPv4 frame to the guest: its flags. */
static uint8_t reply_tcp(uint32_t *seq, uint32_t *ack)
{
	assert_int_equal(outs, 1);
	assert_memory_equal(out, GUEST_MAC, 6);
	assert_memory_equal(out + 6, MGMT_MAC, 6);
	assert_int_equal(g16(out + 12), 0x0800);
	const uint8_t *ip = out + 14;
	assert_int_equal(csum(0, ip, 20), 0);
	assert_int_equal(ip[9], 6);
	assert_int_equal(g32(ip + 12), MGMT_IP);
	assert_int_equal(g32(ip + 16), GUEST_IP);
	size_t l4 = g16(ip + 2) - 20u;
	assert_true(34 + l4 <= out_len);
	assert_int_equal(l4_csum(ip, out + 34, l4, 6), 0);
	assert_int_equal(g16(out + 36), g16(sent + 34));
	assert_int_equal(g16(out + 34), g16(sent + 36));
	*seq = g32(out + 38);
	*ack = g32(out + 42);
	return out[47];
}

/* ---- ARP ---- */

static size_t arp(uint8_t *f, unsigned op, uint32_t target)
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, GUEST_MAC, 6);
	p16(f + 12, 0x0806);
	uint8_t *a = f + 14;
	p16(a, 1);
	p16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	p16(a + 6, op);
	memcpy(a + 8, GUEST_MAC, 6);
	p32(a + 14, GUEST_IP);
	p32(a + 24, target);
	return 60;
}

static void test_arp(void **state)
{
	uint8_t f[64];

	send_frame(f, arp(f, 1, MGMT_IP), &NONE, 0);
	assert_int_equal(outs, 1);
	assert_memory_equal(out, GUEST_MAC, 6);
	assert_memory_equal(out + 6, MGMT_MAC, 6);
	assert_int_equal(g16(out + 12), 0x0806);
	assert_int_equal(g16(out + 20), 2);
	assert_memory_equal(out + 22, MGMT_MAC, 6);
	assert_int_equal(g32(out + 28), MGMT_IP);
	assert_memory_equal(out + 32, GUEST_MAC, 6);
	assert_int_equal(g32(out + 38), GUEST_IP);
	assert_int_equal(S.st.arp_replies, 1);

	send_frame(f, arp(f, 1, MGMT_IP + 1), &NONE, 0); /* someone else */
	assert_int_equal(outs, 0);
	send_frame(f, arp(f, 2, MGMT_IP), &NONE, 0);     /* a reply */
	assert_int_equal(outs, 0);
	send_frame(f, 41, &NONE, 0);                      /* truncated */
	assert_int_equal(outs, 0);
	assert_int_equal(S.st.dropped, 3);

	struct ipstack none;
	ipstack_init(&none, MGMT_MAC, 0, 0); /* no address: silent */
	outs = 0;
	ipstack_input(&none, f, arp(f, 1, 0), &NONE, 0, emit, NULL);
	assert_int_equal(outs, 0);
}

/* ---- ICMP ---- */

static size_t echo(uint8_t *f, uint32_t dst, size_t data_len)
{
	uint8_t *ic = f + 34;
	memset(ic, 0, 8);
	ic[0] = 8;
	p16(ic + 4, 0x1234);
	p16(ic + 6, 7);
	for (size_t i = 0; i < data_len; i++)
		ic[8 + i] = (uint8_t)(i * 7);
	size_t len = eth_ip(f, dst, 1, 8 + data_len);
	p16(ic + 2, csum(0, ic, 8 + data_len));
	return len;
}

static void test_ping(void **state)
{
	uint8_t f[1600];
	size_t len = echo(f, MGMT_IP, 56);

	send_frame(f, len, &NONE, 0);
	assert_int_equal(outs, 1);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, GUEST_MAC, 6);
	assert_int_equal(csum(0, out + 14, 20), 0);
	assert_int_equal(g32(out + 26), MGMT_IP);
	assert_int_equal(g32(out + 30), GUEST_IP);
	assert_int_equal(out[34], 0);
	assert_int_equal(csum(0, out + 34, 64), 0);
	assert_memory_equal(out + 38, f + 38, 4 + 56); /* id, sequence, data */

	len = echo(f, MGMT_IP, 1472); /* the largest unfragmented one */
	send_frame(f, len, &NONE, 0);
	assert_int_equal(outs, 1);
	assert_int_equal(out_len, len);

	len = echo(f, MGMT_IP, 56);
	f[40] ^= 1; /* its checksum now wrong */
	send_frame(f, len, &NONE, 0);
	assert_int_equal(outs, 0);
	len = echo(f, MGMT_IP + 5, 56); /* another host */
	send_frame(f, len, &NONE, 0);
	assert_int_equal(outs, 0);
	len = echo(f, MGMT_IP, 56);
	f[0] = 0x02; /* another MAC */
	send_frame(f, len, &NONE, 0);
	assert_int_equal(outs, 0);
	len = echo(f, MGMT_IP, 56);
	p16(f + 14 + 6, 0x2000); /* more fragments */
	p16(f + 14 + 10, 0);
	p16(f + 14 + 10, csum(0, f + 14, 20));
	send_frame(f, len, &NONE, 0);
	assert_int_equal(outs, 0);
	len = echo(f, MGMT_IP, 56);
	f[14 + 10] ^= 1; /* the IP header's checksum */
	send_frame(f, len, &NONE, 0);
	assert_int_equal(outs, 0);
	assert_int_equal(S.st.echo_replies, 2);
}

/* ---- TCP ---- */

static void test_tcp_stream(void **state)
{
	uint8_t f[1600];
	uint32_t seq, ack, iss;
	char data[1000];

	memset(data, 'x', sizeof(data));
	send_frame(f, tcp(f, 9, 1000, 0, 0x02, NULL, 0, true), &NONE, 10);
	assert_int_equal(reply_tcp(&iss, &ack), 0x12); /* SYN|ACK */
	assert_int_equal(ack, 1001);
	assert_int_equal(out[34 + 12] >> 4, 7);      /* MSS + NOP + WS */
	assert_int_equal(out[54], 2);
	assert_int_equal(g16(out + 56), 1460);
	assert_int_equal(out[59], 3);
	assert_int_equal(out[61], IPSTACK_WSCALE);

	/* The SYN again (our SYN-ACK lost): the same answer. */
	send_frame(f, tcp(f, 9, 1000, 0, 0x02, NULL, 0, true), &NONE, 11);
	assert_int_equal(reply_tcp(&seq, &ack), 0x12);
	assert_int_equal(seq, iss);

	/* The third ACK carries data already. */
	send_frame(f, tcp(f, 9, 1001, iss + 1, 0x18, data, 1000, false), &NONE, 20);
	assert_int_equal(reply_tcp(&seq, &ack), 0x10);
	assert_int_equal(seq, iss + 1);
	assert_int_equal(ack, 2001);
	/* A gap: not taken, a duplicate ACK. */
	send_frame(f, tcp(f, 9, 3001, iss + 1, 0x10, data, 500, false), &NONE, 30);
	assert_int_equal(reply_tcp(&seq, &ack), 0x10);
	assert_int_equal(ack, 2001);
	/* An overlap: the new half only. */
	send_frame(f, tcp(f, 9, 1501, iss + 1, 0x10, data, 1000, false), &NONE, 40);
	assert_int_equal(reply_tcp(&seq, &ack), 0x10);
	assert_int_equal(ack, 2501);
	/* An old duplicate: ACKed, not counted. */
	send_frame(f, tcp(f, 9, 1001, iss + 1, 0x10, data, 100, false), &NONE, 45);
	assert_int_equal(reply_tcp(&seq, &ack), 0x10);
	assert_int_equal(ack, 2501);
	/* A pure ACK: no answer. */
	send_frame(f, tcp(f, 9, 2501, iss + 1, 0x10, NULL, 0, false), &NONE, 46);
	assert_int_equal(outs, 0);
	/* A blank checksum, vouched for by the port. */
	size_t len = tcp(f, 9, 2501, iss + 1, 0x10, data, 10, false);
	p16(f + 34 + 16, 0x1111);
	struct net_offload blank = { .csum_blank = true };
	send_frame(f, len, &NONE, 47);
	assert_int_equal(outs, 0);
	assert_int_equal(S.st.bad_csum, 1);
	send_frame(f, len, &blank, 48);
	assert_int_equal(reply_tcp(&seq, &ack), 0x10);
	assert_int_equal(ack, 2511);
	/* FIN with the last bytes. */
	send_frame(f, tcp(f, 9, 2511, iss + 1, 0x19, data, 9, false), &NONE, 50);
	assert_int_equal(reply_tcp(&seq, &ack), 0x11);
	assert_int_equal(seq, iss + 1);
	assert_int_equal(ack, 2521);
	send_frame(f, tcp(f, 9, 2511, iss + 1, 0x19, data, 9, false), &NONE, 51); /* again */
	assert_int_equal(reply_tcp(&seq, &ack), 0x11);
	assert_int_equal(ack, 2521);
	send_frame(f, tcp(f, 9, 2521, iss + 2, 0x10, NULL, 0, false), &NONE, 60);
	assert_int_equal(outs, 0);
	assert_int_equal(S.done_bytes, 1519);
	assert_int_equal(S.last.bytes, 1519);
	assert_int_equal(S.last.first_ns, 20);
	assert_int_equal(S.last.last_ns, 50);
	assert_int_equal(S.last.out_of_order, 1);
	for (unsigned i = 0; i < IPSTACK_CONNS; i++)
		assert_int_equal(S.conn[i].state, TCP_FREE);
}

static void test_tcp_refusals(void **state)
{
	uint8_t f[1600];
	uint32_t seq, ack;

	/* Another port: RST|ACK acknowledging the SYN. */
	send_frame(f, tcp(f, 80, 5000, 0, 0x02, NULL, 0, false), &NONE, 0);
	assert_int_equal(reply_tcp(&seq, &ack), 0x14);
	assert_int_equal(g16(out + 34), 80);
	assert_int_equal(ack, 5001);
	/* An ACK for no connection: RST at its ack number. */
	send_frame(f, tcp(f, 9, 5000, 777, 0x10, "ab", 2, false), &NONE, 0);
	assert_int_equal(reply_tcp(&seq, &ack), 0x04);
	assert_int_equal(seq, 777);
	/* A RST is never answered. */
	send_frame(f, tcp(f, 9, 5000, 0, 0x04, NULL, 0, false), &NONE, 0);
	assert_int_equal(outs, 0);
	/* Without window scaling offered, none in the SYN-ACK. */
	send_frame(f, tcp(f, 9, 1, 0, 0x02, NULL, 0, false), &NONE, 0);
	reply_tcp(&seq, &ack);
	assert_int_equal(out[34 + 12] >> 4, 6);
	/* The table is full after IPSTACK_CONNS peers. */
	for (unsigned i = 1; i < IPSTACK_CONNS; i++) {
		size_t len = tcp(f, 9, 1, 0, 0x02, NULL, 0, false);
		p16(f + 34, 40000 + i);
		p16(f + 34 + 16, 0);
		p16(f + 34 + 16, l4_csum(f + 14, f + 34, 20, 6));
		outs = 0;
		ipstack_input(&S, f, len, &NONE, 0, emit, NULL);
		assert_int_equal(out[47], 0x12);
	}
	size_t len = tcp(f, 9, 1, 0, 0x02, NULL, 0, false);
	p16(f + 34, 50000);
	p16(f + 34 + 16, 0);
	p16(f + 34 + 16, l4_csum(f + 14, f + 34, 20, 6));
	outs = 0;
	ipstack_input(&S, f, len, &NONE, 0, emit, NULL);
	assert_int_equal(outs, 1);
	assert_int_equal(out[47], 0x14);
	/* A peer's RST frees its slot. */
	send_frame(f, tcp(f, 9, 2, 0, 0x04, NULL, 0, false), &NONE, 0);
	unsigned used = 0;
	for (unsigned i = 0; i < IPSTACK_CONNS; i++)
		used += S.conn[i].state != TCP_FREE;
	assert_int_equal(used, IPSTACK_CONNS - 1);
}

static void test_parse_ip(void **state)
{
	uint32_t ip = 0;

	assert_true(ipstack_parse_ip("10.0.0.1", &ip));
	assert_int_equal(ip, 0x0a000001);
	assert_true(ipstack_parse_ip("255.255.255.255", &ip));
	assert_int_equal(ip, 0xffffffff);
	assert_false(ipstack_parse_ip("256.0.0.1", &ip));
	assert_false(ipstack_parse_ip("1.2.3", &ip));
	assert_false(ipstack_parse_ip("1.2.3.4.5", &ip));
	assert_false(ipstack_parse_ip("1..2.3", &ip));
	assert_false(ipstack_parse_ip("", &ip));
	assert_false(ipstack_parse_ip("00001.2.3.4", &ip));
	assert_false(ipstack_parse_ip("1.2.3.4 ", &ip));
}

/* Random frames and mutations of good ones: no crash, no overrun, at
 * most one frame out each. */
static void test_fuzz(void **state)
{
	static uint8_t f[NETPKT_GSO_MAX];
	uint32_t r = 42;
	const char *env = getenv("IPSTACK_FUZZ_ITERS");
	unsigned iters = env ? (unsigned)strtoul(env, NULL, 10) : 200000;

	for (unsigned i = 0; i < iters; i++) {
		size_t len;
		r = r * 1103515245 + 12345;
		switch (r >> 29) {
		case 0: len = arp(f, 1, MGMT_IP); break;
		case 1: len = echo(f, MGMT_IP, (r >> 8) % 1400); break;
		case 2: len = tcp(f, 9, r, r >> 3, (uint8_t)(r >> 11), "abcdef", (r >> 16) % 7,
				  r & 1); break;
		default: len = (r >> 8) % 200; break;
		}
		for (unsigned k = (r >> 4) % 6; k-- > 0;) {
			r = r * 1103515245 + 12345;
			if (len)
				f[(r >> 8) % len] ^= (uint8_t)(1u << (r & 7));
		}
		if ((r & 0xf) == 0 && len)
			len -= (r >> 8) % len;
		/* Exactly len bytes on the heap: ASan sees any overread. */
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, f, len);
		struct net_offload o = { .csum_blank = r & 0x100, .data_validated = r & 0x200 };
		outs = 0;
		ipstack_input(&S, copy, len, &o, i, emit, NULL);
		assert_true(outs <= 1);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_arp, setup),
		cmocka_unit_test_setup(test_ping, setup),
		cmocka_unit_test_setup(test_tcp_stream, setup),
		cmocka_unit_test_setup(test_tcp_refusals, setup),
		cmocka_unit_test_setup(test_parse_ip, setup),
		cmocka_unit_test_setup(test_fuzz, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
