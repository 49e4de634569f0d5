/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The netfront test guest's two halves (tests/guests/netfront.c: rings,
 * probes, connecting, the good frontend; netfront_hostile.c: the
 * attacks). See netfront.c for what it does.
 */
#ifndef GUEST_NETFRONT_H
#define GUEST_NETFRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "include/public/io/netif.h"
#include "include/public/io/xenbus.h"

#define NTX 24u                 /* TX data pages */
#define NRX 32u                 /* RX pages */
#define PROBE_PAGE (NTX - 1)    /* the TX page probes and replies are made in */
#define REF_TXRING 8u
#define REF_RXRING 9u
#define REF_RING_RO 10u         /* the TX ring's page, granted read-only */
#define REF_TX 16u              /* TX pages: 16..39 */
#define REF_RX 48u              /* RX pages: 48..79 */
#define REF_RO 90u              /* RX page 0, read-only */
#define REF_OTHER 91u           /* TX page 0, granted to domain 5 */
#define REF_GNTTAB 92u          /* our grant table frame */
#define REF_TX_RO 93u           /* TX page 1, read-only */
#define REF_NONE 300u           /* an entry that grants nothing */
#define REF_HUGE 100000u        /* past any grant table */
#define NO_BUF 0xffffu          /* an RX slot posted without one of our pages */

#define KIND_REQ 1
#define KIND_REPLY 2

extern uint8_t txbuf[NTX][4096];
extern uint8_t rxbuf[NRX][4096];
extern volatile struct xen_sring_hdr *const txh, *const rxh;
extern const uint8_t bcast[6];

extern struct nf {
	char fe[48], be[64];
	uint8_t mac[6], peer[6];
	bool echo;                  /* answer probe requests (the good frontend) */
	uint32_t port[2];           /* ours: TX (or the only one), RX */
	bool split;
	RING_IDX tx_prod, tx_cons, rx_prod, rx_cons;
	uint16_t rx_buf[256];       /* the page posted in each RX slot */
	uint16_t tx_id;
	/* what came in */
	uint32_t replies, last_seq, bad_frames, echoed, bad_rsps;
	uint8_t last_from[6];
} nf;

void *txslot(RING_IDX i);
void wait_any(unsigned ms);
void set_state(enum xenbus_state s);
/* Waits up to ms for the backend's state to be want or also: the last read. */
uint32_t be_state(uint32_t want, uint32_t also, unsigned ms);

bool parse_mac(const char *s, uint8_t *mac);   /* 00:16:3e:... */
/* A probe (Ethernet type 0x88b5) of len bytes in buf. */
void make_probe(uint8_t *buf, const uint8_t *dst, const uint8_t *src, uint8_t kind, uint32_t seq,
		uint32_t len);

/* A TX frame as the attacks make it: data requests (the first's size is
 * the whole frame's; more_data set on all but the last unless open_end),
 * extra-info slots after the first (FLAG_MORE set on all but the last). */
struct txf {
	unsigned n, nx;
	bool open_end;
	struct netif_tx_request q[24];
	struct netif_extra_info x[6];
};
void txf_add(struct txf *f, uint32_t gref, uint16_t off, uint16_t size);
void txf_put(struct txf *f);             /* into the ring, ids ours, not published */
void tx_push(bool quiet);                /* publish; the event asked for unless quiet */
bool tx_rsp(struct netif_tx_response *out, unsigned ms);
/* Sends f: true if every data slot is answered want with its id and every
 * extra NULL; *got the first wrong status (-100: none came, -101: an id). */
bool tx_send(struct txf *f, int16_t want, int *got);
void expect_tx(const char *name, struct txf *f, int16_t want);

void rx_post(uint16_t buf, uint32_t gref);
void rx_push(void);
unsigned rx_poll(void);
/* 1: the reply to seq came; -1: a frame with an error response; 0: no. */
int wait_reply(uint32_t seq, unsigned ms);
bool send_probe(const uint8_t *dst, uint32_t seq);
bool probe(const uint8_t *dst, uint32_t seq, unsigned ms);

struct node {
	const char *name, *value;   /* value NULL: removed */
};
/* Fresh rings, the nodes Linux writes, bad's over them, Connected; post
 * RX pages if it connects. The backend's state in the end. */
uint32_t connect_with(bool split, const struct node *bad, unsigned nbad, unsigned post);
bool connect(const char *name, bool split);
bool reset(void);                       /* Closing, Closed, Initialising: InitWait */

void hostile_run(void);

#endif
