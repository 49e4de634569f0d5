/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's side of the xenstore ring (mgmt/xsring.c) with the real
 * store behind it. The test plays the guest: it writes requests into
 * req[] and reads replies out of rsp[] as a frontend would, in pieces, at
 * indices that wrap past UINT32_MAX and across the end of the ring. Also:
 * every way a guest can break the ring (indices out of range either way,
 * an oversized header), a full response ring, the per-call budget, watch
 * events pushed unasked, and random byte streams.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "mgmt/xsring.h"

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

#define DOM 5
#define HDR ((uint32_t)sizeof(struct xsd_sockmsg))

static struct store *S;
static struct xenstore_domain_interface *page; /* malloc'd: ASan sees overruns */
static struct xsring *R;

static int setup(void **state)
{
	S = store_new(NULL);
	assert_non_null(S);
	assert_int_equal(store_connect(S, DOM, false), 0);
	assert_int_equal(store_write(S, 0, "/local/domain/5/name", "guest", 5), 0);
	{
		struct store_perm p = { DOM, STORE_PERM_NONE };
		assert_int_equal(store_set_perms(S, 0, "/local/domain/5", &p, 1), 0);
		assert_int_equal(store_set_perms(S, 0, "/local/domain/5/name", &p, 1), 0);
	}
	page = calloc(1, sizeof(*page));
	R = malloc(sizeof(*R));
	assert_non_null(page);
	assert_non_null(R);
	return 0;
}

static int teardown(void **state)
{
	store_free(S);
	free(page);
	free(R);
	return 0;
}

/* Guest side: queue as much of buf as fits in req[]; returns the count. */
static uint32_t guest_send(const void *buf, uint32_t len)
{
	uint32_t used = page->req_prod - page->req_cons, n = 0;

	assert_true(used <= XENSTORE_RING_SIZE);
	while (n < len && used + n < XENSTORE_RING_SIZE) {
		page->req[MASK_XENSTORE_IDX(page->req_prod + n)] = ((const char *)buf)[n];
		n++;
	}
	page->req_prod += n;
	return n;
}

/* Guest side: take up to max bytes of rsp[]. */
static uint32_t guest_recv(void *buf, uint32_t max)
{
	uint32_t avail = page->rsp_prod - page->rsp_cons, n = 0;

	assert_true(avail <= XENSTORE_RING_SIZE);
	while (n < max && n < avail) {
		((char *)buf)[n] = page->rsp[MASK_XENSTORE_IDX(page->rsp_cons + n)];
		n++;
	}
	page->rsp_cons += n;
	return n;
}

/* A request: header and NUL-terminated strings (list ends at NULL). */
static uint32_t make_req(char *buf, uint32_t type, uint32_t id, ...)
{
	struct xsd_sockmsg h = { type, id, 0, 0 };
	const char *a;
	va_list ap;

	va_start(ap, id);
	while ((a = va_arg(ap, const char *))) {
		memcpy(buf + HDR + h.len, a, strlen(a) + 1);
		h.len += (uint32_t)strlen(a) + 1;
	}
	va_end(ap);
	memcpy(buf, &h, HDR);
	return HDR + h.len;
}

/* Reads one whole message out of rsp[] (which must hold it). */
static void guest_msg(struct xsd_sockmsg *h, char *payload)
{
	assert_int_equal(guest_recv(h, HDR), HDR);
	assert_true(h->len <= XENSTORE_PAYLOAD_MAX);
	assert_int_equal(guest_recv(payload, h->len), h->len);
	payload[h->len] = 0;
}

/* Is a whole message waiting in rsp[]? */
static bool msg_ready(void)
{
	uint32_t avail = page->rsp_prod - page->rsp_cons;
	struct xsd_sockmsg h;

	if (avail < HDR)
		return false;
	for (uint32_t i = 0; i < HDR; i++)
		((char *)&h)[i] = page->rsp[MASK_XENSTORE_IDX(page->rsp_cons + i)];
	return avail >= HDR + h.len;
}

static void test_init(void **state)
{
	page->req_cons = page->req_prod = 0xfffffff0u;
	page->rsp_cons = page->rsp_prod = 123;
	xsring_init(R, page, DOM);
	assert_int_equal(page->server_features, XENSTORE_SERVER_FEATURE_ERROR);
	assert_int_equal(page->req_cons, 0xfffffff0u);
	assert_int_equal(page->rsp_prod, 123);
	/* Nothing to do: nothing moves, no kick. */
	assert_int_equal(xsring_service(R, S), 0);
}

static void test_one_request(void **state)
{
	char buf[64], out[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h;
	uint32_t n = make_req(buf, XS_READ, 42, "name", NULL);

	xsring_init(R, page, DOM);
	assert_int_equal(guest_send(buf, n), n);
	assert_int_equal(xsring_service(R, S), XSRING_NOTIFY);
	assert_int_equal(page->req_cons, page->req_prod);
	guest_msg(&h, out);
	assert_int_equal(h.type, XS_READ);
	assert_int_equal(h.req_id, 42);
	assert_int_equal(h.len, 5);
	assert_string_equal(out, "guest");
	assert_int_equal(page->rsp_cons, page->rsp_prod);
	assert_int_equal(page->error, XENSTORE_ERROR_NONE);
}

static void test_partial(void **state)
{
	char buf[64], out[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h;
	uint32_t n = make_req(buf, XS_READ, 7, "name", NULL);

	xsring_init(R, page, DOM);
	/* One byte per event: the header split, then the payload. */
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(guest_send(buf + i, 1), 1);
		assert_int_equal(xsring_service(R, S) & XSRING_NOTIFY, XSRING_NOTIFY);
		if (i + 1 < n)
			assert_int_equal(page->rsp_prod, page->rsp_cons);
	}
	guest_msg(&h, out);
	assert_int_equal(h.req_id, 7);
	assert_string_equal(out, "guest");
	/* A request with no payload, and one split at the header's end. */
	n = make_req(buf, XS_RESET_WATCHES, 8, NULL);
	assert_int_equal(n, HDR);
	guest_send(buf, n);
	n = make_req(buf, XS_READ, 9, "name", NULL);
	guest_send(buf, HDR);
	xsring_service(R, S);
	guest_msg(&h, out);
	assert_int_equal(h.req_id, 8);
	assert_string_equal(out, "OK");
	assert_int_equal(page->rsp_prod, page->rsp_cons);
	guest_send(buf + HDR, n - HDR);
	xsring_service(R, S);
	guest_msg(&h, out);
	assert_int_equal(h.req_id, 9);
}

/* Many requests and replies through rings whose indices start just
 * before 2^32 and at odd offsets: every copy wraps somewhere. */
static void test_wraparound(void **state)
{
	char buf[XENSTORE_PAYLOAD_MAX + HDR], out[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h;

	page->req_cons = page->req_prod = UINT32_MAX - 700;
	page->rsp_cons = page->rsp_prod = UINT32_MAX - 333;
	xsring_init(R, page, DOM);
	for (uint32_t i = 0; i < 300; i++) {
		char path[32], val[64];
		uint32_t n;

		snprintf(path, sizeof(path), "k%u", i % 37);
		snprintf(val, sizeof(val), "value-%u-%.*s", i, (int)(i % 40), "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		n = HDR + (uint32_t)strlen(path) + 1 + (uint32_t)strlen(val);
		h = (struct xsd_sockmsg){ XS_WRITE, i, 0, n - HDR };
		memcpy(buf, &h, HDR);
		memcpy(buf + HDR, path, strlen(path) + 1);
		memcpy(buf + HDR + strlen(path) + 1, val, strlen(val));
		assert_int_equal(guest_send(buf, n), n);
		xsring_service(R, S);
		guest_msg(&h, out);
		assert_int_equal(h.req_id, i);
		assert_string_equal(out, "OK");

		n = make_req(buf, XS_READ, i + 1000, path, NULL);
		assert_int_equal(guest_send(buf, n), n);
		xsring_service(R, S);
		guest_msg(&h, out);
		assert_int_equal(h.req_id, i + 1000);
		assert_string_equal(out, val);
	}
	assert_true(page->req_prod < 100000);   /* both wrapped past 2^32 */
	assert_true(page->rsp_prod < 100000);
}

static void test_bad_req_index(void **state)
{
	char buf[64], out[64];
	uint32_t n = make_req(buf, XS_READ, 1, "name", NULL);
	struct store_conn_info ci;

	xsring_init(R, page, DOM);
	guest_send(buf, n);
	page->req_prod = page->req_cons + XENSTORE_RING_SIZE + 1; /* too far ahead */
	assert_int_equal(xsring_service(R, S), XSRING_BROKEN | XSRING_NOTIFY);
	assert_int_equal(page->error, XENSTORE_ERROR_RINGIDX);
	assert_int_equal(store_conn_info(S, DOM, &ci), 0);
	assert_true(ci.cut_off);
	/* Reported once; the ring is left alone after that. */
	page->req_prod = page->req_cons;
	guest_send(buf, n);
	assert_int_equal(xsring_service(R, S), 0);
	assert_int_equal(guest_recv(out, sizeof(out)), 0);
	/* prod behind cons is as broken. */
	teardown(state);
	setup(state);
	xsring_init(R, page, DOM);
	page->req_cons = 100;
	page->req_prod = 99;
	assert_int_equal(xsring_service(R, S) & XSRING_BROKEN, XSRING_BROKEN);
	assert_int_equal(page->error, XENSTORE_ERROR_RINGIDX);
	/* Exactly a full ring is fine (a header and part of a payload). */
	teardown(state);
	setup(state);
	xsring_init(R, page, DOM);
	{
		static char big[HDR + 2000];
		struct xsd_sockmsg h = { XS_WRITE, 1, 0, 2000 };

		memcpy(big, &h, HDR);
		memcpy(big + HDR, "v", 2);
		memset(big + HDR + 2, 'x', 1998);
		assert_int_equal(guest_send(big, sizeof(big)), XENSTORE_RING_SIZE);
		assert_int_equal(xsring_service(R, S), XSRING_NOTIFY);
		assert_int_equal(page->req_cons, page->req_prod);
		n = guest_send(big + XENSTORE_RING_SIZE, sizeof(big) - XENSTORE_RING_SIZE);
		assert_int_equal(n, sizeof(big) - XENSTORE_RING_SIZE);
		assert_int_equal(xsring_service(R, S), XSRING_NOTIFY);
		guest_msg(&h, out);
		assert_string_equal(out, "OK");
	}
}

static void test_bad_rsp_index(void **state)
{
	char buf[64];
	uint32_t n = make_req(buf, XS_READ, 1, "name", NULL);

	xsring_init(R, page, DOM);
	page->rsp_cons = page->rsp_prod + 1; /* consumer ahead of us */
	guest_send(buf, n);
	assert_int_equal(xsring_service(R, S) & XSRING_BROKEN, XSRING_BROKEN);
	assert_int_equal(page->error, XENSTORE_ERROR_RINGIDX);
	assert_int_equal(xsring_service(R, S), 0);
}

static void test_oversize_len(void **state)
{
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };
	struct store_conn_info ci;

	xsring_init(R, page, DOM);
	/* Exactly the maximum is fine (sent in ring-sized pieces). */
	{
		static char big[HDR + XENSTORE_PAYLOAD_MAX];
		struct xsd_sockmsg ok = { XS_WRITE, 2, 0, XENSTORE_PAYLOAD_MAX };
		uint32_t sent = 0;
		char out[16];

		memcpy(big, &ok, HDR);
		memcpy(big + HDR, "/local/domain/5/v", 18);
		while (sent < sizeof(big)) {
			sent += guest_send(big + sent, (uint32_t)sizeof(big) - sent);
			assert_int_equal(xsring_service(R, S) & XSRING_BROKEN, 0);
		}
		guest_msg(&ok, out);
		assert_int_equal(ok.req_id, 2);
		/* Refused (its value is over the node-size quota), but
		 * read whole: the next message starts where it should. */
		assert_int_equal(ok.type, XS_ERROR);
		assert_string_equal(out, "ENOSPC");
	}
	guest_send(&h, HDR);
	assert_int_equal(xsring_service(R, S), XSRING_BROKEN | XSRING_NOTIFY);
	assert_int_equal(page->error, XENSTORE_ERROR_PROTO);
	assert_int_equal(store_conn_info(S, DOM, &ci), 0);
	assert_true(ci.cut_off);
	assert_int_equal(xsring_service(R, S), 0);
}

/* The guest sends many requests with big replies and reads nothing:
 * rsp[] fills exactly, the store holds the rest up to its outstanding
 * quota and then requests wait in req[]. Reading lets it all through. */
static void test_full_rsp_ring(void **state)
{
	static char val[1000];
	char buf[64], out[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h;
	uint32_t sent = 0, got = 0, n;

	memset(val, 'v', sizeof(val));
	assert_int_equal(store_write(S, 0, "/local/domain/5/big", val, sizeof(val)), 0);
	page->rsp_cons = page->rsp_prod = 1000;
	xsring_init(R, page, DOM);
	/* Requests until req[] is full. */
	for (;;) {
		n = make_req(buf, XS_READ, sent, "big", NULL);
		if (XENSTORE_RING_SIZE - (page->req_prod - page->req_cons) < n) {
			xsring_service(R, S);
			if (XENSTORE_RING_SIZE - (page->req_prod - page->req_cons) < n)
				break;
		}
		assert_int_equal(guest_send(buf, n), n);
		sent++;
	}
	assert_int_equal(page->rsp_prod - page->rsp_cons, XENSTORE_RING_SIZE);
	assert_false(store_can_request(S, DOM)); /* at its outstanding quota */
	assert_true(sent > 20);
	/* Now read everything, a little at a time, serving in between. */
	while (got < sent) {
		guest_msg(&h, out);
		assert_int_equal(h.req_id, got);
		assert_int_equal(h.len, sizeof(val));
		assert_memory_equal(out, val, sizeof(val));
		got++;
		xsring_service(R, S);
		/* Send the rest as room appears. */
		while (XENSTORE_RING_SIZE - (page->req_prod - page->req_cons) >= 13 + HDR &&
				sent < 200) {
			n = make_req(buf, XS_READ, sent, "big", NULL);
			assert_int_equal(guest_send(buf, n), n);
			sent++;
		}
		xsring_service(R, S);
		assert_true(page->rsp_prod - page->rsp_cons <= XENSTORE_RING_SIZE);
	}
	assert_int_equal(got, 200);
	assert_int_equal(page->error, XENSTORE_ERROR_NONE);
}

/* At most budget requests per call; XSRING_MORE says more wait. */
static void test_budget(void **state)
{
	struct xsd_sockmsg h = { XS_RESET_WATCHES, 0, 0, 0 };
	char out[64];
	unsigned int flags, calls = 0;
	uint32_t replies = 0;

	xsring_init(R, page, DOM);
	assert_int_equal(R->budget, XSRING_BUDGET);
	R->budget = 4;
	for (uint32_t i = 0; i < 10; i++) {
		h.req_id = i;
		assert_int_equal(guest_send(&h, HDR), HDR);
	}
	do {
		uint32_t before = replies;

		flags = xsring_service(R, S);
		calls++;
		while (page->rsp_prod != page->rsp_cons) {
			guest_msg(&h, out);
			assert_int_equal(h.req_id, replies);
			replies++;
		}
		assert_true(replies - before <= 4);
		assert_int_equal(!!(flags & XSRING_MORE), replies < 10);
	} while (flags & XSRING_MORE);
	assert_int_equal(replies, 10);
	assert_int_equal(calls, 3);
	/* The default takes a full ring of 64 header-only requests in one
	 * call; their replies wait in rsp[] and in the store. */
	R->budget = XSRING_BUDGET;
	h = (struct xsd_sockmsg){ XS_RESET_WATCHES, 0, 0, 0 }; /* guest_msg reused it */
	for (uint32_t i = 0; i < 64; i++) {
		h.req_id = 100 + i;
		assert_int_equal(guest_send(&h, HDR), HDR);
	}
	flags = xsring_service(R, S);
	assert_int_equal(flags, XSRING_NOTIFY);
	assert_int_equal(page->req_cons, page->req_prod);
	for (replies = 0, calls = 0; replies < 64; calls++) {
		while (msg_ready()) {
			guest_msg(&h, out);
			assert_int_equal(h.req_id, 100 + replies);
			replies++;
		}
		xsring_service(R, S);
		assert_true(calls < 10);
	}
	assert_int_equal(page->req_cons, page->req_prod);
}

static void test_watch_event_pushed(void **state)
{
	char buf[64], out[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h;
	uint32_t n = make_req(buf, XS_WATCH, 3, "name", "tok", NULL);

	xsring_init(R, page, DOM);
	guest_send(buf, n);
	xsring_service(R, S);
	guest_msg(&h, out);
	assert_int_equal(h.type, XS_WATCH);
	assert_string_equal(out, "OK");
	guest_msg(&h, out);
	assert_int_equal(h.type, XS_WATCH_EVENT);
	assert_string_equal(out, "name");
	assert_string_equal(out + 5, "tok");
	/* Domain 0 writes: the event waits in the store until the ring is
	 * served (mgmt serves rings after any request). */
	assert_int_equal(store_write(S, 0, "/local/domain/5/name", "x", 1), 0);
	assert_int_equal(page->rsp_prod, page->rsp_cons);
	assert_int_equal(xsring_service(R, S), XSRING_NOTIFY);
	guest_msg(&h, out);
	assert_int_equal(h.type, XS_WATCH_EVENT);
	assert_int_equal(h.req_id, 0);
	assert_string_equal(out, "name");
}

static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

/* Complete messages at the start of buf[0..len). */
static uint32_t count_msgs(const char *buf, uint32_t len)
{
	uint32_t n = 0, off = 0;
	struct xsd_sockmsg h;

	while (off + HDR <= len) {
		memcpy(&h, buf + off, HDR);
		if (off + HDR + h.len > len)
			break;
		off += HDR + h.len;
		n++;
	}
	return n;
}

/* Requests sent in random pieces, replies read in random pieces, from
 * random starting indices: every reply comes, in order, intact. */
static void test_random_streams(void **state)
{
	static char stream[200 * 64], rx[200 * 64];

	for (int round = 0; round < 20; round++) {
		uint32_t slen = 0, sent = 0, rlen = 0, off = 0, nreq, iter;

		teardown(state);
		setup(state);
		page->req_cons = page->req_prod = rnd(UINT32_MAX);
		page->rsp_cons = page->rsp_prod = rnd(UINT32_MAX);
		xsring_init(R, page, DOM);
		for (nreq = 0; nreq < 200; nreq++) {
			char path[16];

			snprintf(path, sizeof(path), "k%u", rnd(9));
			slen += rnd(2) ? make_req(stream + slen, XS_READ, nreq, path, NULL) :
				make_req(stream + slen, XS_GET_DOMAIN_PATH, nreq, "5", NULL);
		}
		for (iter = 0; iter < 100000 && count_msgs(rx, rlen) < nreq; iter++) {
			uint32_t chunk = 1 + rnd(300);

			if (chunk > slen - sent)
				chunk = slen - sent;
			sent += guest_send(stream + sent, chunk);
			assert_int_equal(xsring_service(R, S) & XSRING_BROKEN, 0);
			rlen += guest_recv(rx + rlen, rnd(500));
		}
		assert_int_equal(count_msgs(rx, rlen), nreq);
		for (uint32_t i = 0; i < nreq; i++) {
			struct xsd_sockmsg h;

			memcpy(&h, rx + off, HDR);
			assert_int_equal(h.req_id, i);
			if (h.type == XS_GET_DOMAIN_PATH)
				assert_string_equal(rx + off + HDR, "/local/domain/5");
			else
				assert_int_equal(h.type, XS_ERROR);  /* no k* nodes */
			off += HDR + h.len;
		}
		assert_int_equal(off, rlen);
		assert_int_equal(sent, slen);
	}
}

/* Garbage: random bytes as requests. Any outcome but a crash, a write
 * outside the page or a reply ring over its size is fine. */
static void test_garbage(void **state)
{
	for (int round = 0; round < 3000; round++) {
		unsigned int f = 0;

		teardown(state);
		setup(state);
		page->req_cons = rnd(UINT32_MAX);
		page->req_prod = page->req_cons;
		page->rsp_cons = page->rsp_prod = rnd(UINT32_MAX);
		xsring_init(R, page, DOM);
		for (int step = 0; step < 20 && !(f & XSRING_BROKEN); step++) {
			char junk[512];
			uint32_t n = rnd(sizeof(junk));

			for (uint32_t i = 0; i < n; i++)
				junk[i] = (char)(rnd(4) ? rnd(8) : rnd(256));
			/* Mostly sane headers: small lengths, real types. */
			if (n >= HDR && rnd(2)) {
				struct xsd_sockmsg h = { rnd(XS_TYPE_COUNT), 1, rnd(3), rnd(64) };
				memcpy(junk, &h, HDR);
			}
			guest_send(junk, n);
			if (rnd(50) == 0)
				page->req_prod += rnd(3000);   /* a lie */
			if (rnd(50) == 0)
				page->rsp_cons -= rnd(3000);
			f = xsring_service(R, S);
			assert_true(page->rsp_prod - page->rsp_cons <= XENSTORE_RING_SIZE ||
					(f & XSRING_BROKEN) || R->broken);
			{
				char drop[1024];
				if (!R->broken)
					guest_recv(drop, rnd(sizeof(drop)));
			}
		}
		if (f & XSRING_BROKEN)
			assert_true(page->error == XENSTORE_ERROR_RINGIDX ||
					page->error == XENSTORE_ERROR_PROTO);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_init),
		T(test_one_request),
		T(test_partial),
		T(test_wraparound),
		T(test_bad_req_index),
		T(test_bad_rsp_index),
		T(test_oversize_len),
		T(test_full_rsp_ring),
		T(test_budget),
		T(test_watch_event_pushed),
		T(test_random_streams),
		T(test_garbage),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
