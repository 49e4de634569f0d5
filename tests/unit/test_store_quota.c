/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store core's quotas (each one's error, and others unaffected) and a
 * long random fuzz under ASan/UBSan with bounded memory. Harness:
 * store_harness.[ch].
 */
#include "tests/unit/store_harness.h"

#if defined(__SANITIZE_ADDRESS__)
/* libasan's (declared here: gcc ships no header for it). */
size_t __sanitizer_get_current_allocated_bytes(void);
#define HAVE_ALLOC_BYTES 1
#endif

/* ---- Quotas ------------------------------------------------------------- */

static void test_quota_nodes(void **state)
{
	struct store_limits l;
	char path[32];
	int i;

	teardown(state);
	store_default_limits(&l);
	l.nodes = 20;
	setup_limits(&l);
	make_home(1);
	make_home(2);
	/* The home counts: 19 more. */
	for (i = 0; i < 19; i++) {
		snprintf(path, sizeof(path), "n%d", i);
		OK(RQ(1, XS_MKDIR, 0, path));
	}
	ERR(RQ(1, XS_MKDIR, 0, "more"), "ENOSPC");
	ERR(wr(1, 0, "more", "x"), "ENOSPC");
	ERR(RQ(1, XS_READ, 0, "more"), "ENOENT");      /* nothing changed */
	assert_int_equal(store_nodes_owned(S, 1), 20);
	/* A chain that would cross the line is refused whole. */
	OK(RQ(1, XS_RM, 0, "n0"));
	OK(RQ(1, XS_RM, 0, "n1"));
	ERR(RQ(1, XS_MKDIR, 0, "a/b/c"), "ENOSPC");
	ERR(RQ(1, XS_READ, 0, "a"), "ENOENT");
	OK(RQ(1, XS_MKDIR, 0, "a/b"));
	/* Others unaffected; existing nodes still writable. */
	OK(RQ(2, XS_MKDIR, 0, "x/y/z"));
	OK(wr(1, 0, "n5", "still"));
	for (i = 0; i < 50; i++) {
		snprintf(path, sizeof(path), "/zero/%d", i);
		OK(RQ(0, XS_MKDIR, 0, path));
	}
	/* In a transaction: counted too, and again at commit. */
	OK(RQ(1, XS_RM, 0, "a"));
	{
		uint32_t t = tx_start(1);

		OK(RQ(1, XS_MKDIR, t, "t1"));
		OK(RQ(1, XS_MKDIR, t, "t2"));
		ERR(RQ(1, XS_MKDIR, t, "t3"), "ENOSPC");
		/* A node made outside it (no conflict: another parent)... */
		OK(RQ(1, XS_MKDIR, 0, "n5/sub"));
		/* ...and t's two would cross the line: refused at commit. */
		ERR(RQ(1, XS_TRANSACTION_END, t, "T"), "ENOSPC");
		ERR(RQ(1, XS_READ, 0, "t1"), "ENOENT");
	}
	assert_int_equal(store_nodes_owned(S, 1), 19);
}

static void test_quota_node_size(void **state)
{
	static char val[2100];
	char path[64];

	make_home(1);
	memset(val, 'v', sizeof(val) - 1);
	val[2048] = 0;
	OK(wr(1, 0, "a", val));
	val[2048] = 'v';
	val[2049] = 0;
	ERR(wr(1, 0, "a", val), "ENOSPC");
	ERR(wr(1, 0, "b", val), "ENOSPC");
	ERR(RQ(1, XS_READ, 0, "b"), "ENOENT");
	OK(wr(0, 0, "/local/domain/1/c", val));      /* domain 0: no limit */
	OK(wr(3, 0, "/local/domain/1/c", val));
	/* A node's children's names count: a long list is refused. */
	{
		int i;
		struct msg *m = NULL;

		for (i = 0; i < 300; i++) {
			snprintf(path, sizeof(path), "dir/child-with-a-long-name-%04d", i);
			m = RQ(1, XS_MKDIR, 0, path);
			if (!is_ok(m))
				break;
		}
		ERR(m, "ENOSPC");
		assert_true(i > 40 && i < 80);
	}
	OK(wr(1, 0, "a", "small"));
}

static void test_quota_watches(void **state)
{
	char tok[16];
	int i;

	for (i = 0; i < 128; i++) {
		snprintf(tok, sizeof(tok), "t%d", i);
		OK(RQ(1, XS_WATCH, 0, "/w", tok));
	}
	ERR(RQ(1, XS_WATCH, 0, "/w", "one-more"), "ENOSPC");
	OK(RQ(2, XS_WATCH, 0, "/w", "other"));
	OK(RQ(1, XS_UNWATCH, 0, "/w", "t0"));
	OK(RQ(1, XS_WATCH, 0, "/w", "one-more"));
	for (i = 0; i < 300; i++) {
		snprintf(tok, sizeof(tok), "t%d", i);
		OK(RQ(3, XS_WATCH, 0, "/w", tok));
	}
}

static void test_quota_perms(void **state)
{
	make_home(1);
	OK(wr(1, 0, "p", ""));
	OK(RQ(1, XS_SET_PERMS, 0, "p", "n1", "r2", "r3", "r4", "r5"));
	ERR(RQ(1, XS_SET_PERMS, 0, "p", "n1", "r2", "r3", "r4", "r5", "r6"), "ENOSPC");
	OK(RQ(0, XS_SET_PERMS, 0, "/local/domain/1/p", "n1", "r2", "r3", "r4", "r5", "r6"));
	assert_int_equal(RQ(1, XS_GET_PERMS, 0, "p")->h.len, 18);
}

static void test_quota_outstanding(void **state)
{
	struct xsd_sockmsg h = { XS_READ, 0, 0, 2 };
	struct store_conn_info ci;
	int i;

	/* Domain 1 sends and never reads. */
	for (i = 0; i < 20; i++) {
		h.req_id = (uint32_t)i;
		assert_true(store_can_request(S, 1));
		assert_int_equal(store_request(S, 1, &h, "/"), 0);
	}
	assert_false(store_can_request(S, 1));
	assert_int_equal(store_request(S, 1, &h, "/"), -EBUSY);
	assert_int_equal(store_conn_info(S, 1, &ci), 0);
	assert_int_equal(ci.replies, 20);
	/* Others are served. */
	ERR(RQ(2, XS_READ, 0, "/local"), "EACCES");
	OK(wr(0, 0, "/a", "b"));
	/* Taking one reply (even in pieces) lets one more in. */
	{
		char buf[16 + 16];
		size_t n = store_next_output(S, 1, buf, 10);

		assert_int_equal(n, 10);
		assert_false(store_can_request(S, 1));
		n = store_next_output(S, 1, buf, sizeof(buf));
		assert_true(n > 6);
	}
	assert_true(store_can_request(S, 1));
}

static void test_quota_out_bytes(void **state)
{
	struct store_limits l;
	struct store_conn_info ci;
	char path[64];
	int i;

	teardown(state);
	store_default_limits(&l);
	l.out_bytes = 2048;
	setup_limits(&l);
	OK(RQ(0, XS_MKDIR, 0, "/o"));
	OK(RQ(0, XS_SET_PERMS, 0, "/o", "b0"));
	OK(RQ(1, XS_WATCH, 0, "/o", "t"));
	events_clear();
	/* Domain 1 never reads; distinct events pile up to the bound. */
	for (i = 0; i < 500; i++) {
		snprintf(path, sizeof(path), "/o/n%d", i);
		OK(wr(0, 0, path, "x"));
	}
	assert_int_equal(store_conn_info(S, 1, &ci), 0);
	assert_true(ci.out_bytes <= 2048);
	assert_true(ci.events_dropped > 400);
	/* Replies still come (they are bounded by outstanding instead). */
	READS(1, "/o/n1", "x");
	ev_count(1);
	events_clear();
	/* Read out: events flow again. */
	OK(wr(0, 0, "/o/again", "x"));
	ev_expect(1, "/o/again", "t");
}

static void test_quota_path(void **state)
{
	static char p[XENSTORE_ABS_PATH_MAX + 1];
	struct store_limits l;

	teardown(state);
	store_default_limits(&l);
	l.path = 16;
	setup_limits(&l);
	make_home(1);
	OK(RQ(1, XS_MKDIR, 0, "0123456789abcdef"));
	ERR(RQ(1, XS_MKDIR, 0, "0123456789abcdefg"), "EINVAL");
	ERR(RQ(1, XS_READ, 0, "/local/domain/0/0123456789abcdefg"), "EINVAL");
	ERR(RQ(1, XS_READ, 0, "/0123456789abcdefg"), "EINVAL");
	ERR(RQ(1, XS_WATCH, 0, "0123456789abcdefg", "t"), "EINVAL");
	OK(RQ(0, XS_MKDIR, 0, "/local/domain/1/0123456789abcdefg"));
	memset(p, 'x', sizeof(p) - 1);
	p[0] = '/';
	OK(RQ(0, XS_MKDIR, 0, p));
}

/* The deepest tree paths allow (1536 levels): removal, the purge of a
 * dead domain, transactions and freeing walk it without recursion. */
static void test_deep_tree(void **state)
{
	static char p[XENSTORE_ABS_PATH_MAX + 1];
	uint32_t t;
	size_t len = 0;

	while (len + 2 <= XENSTORE_ABS_PATH_MAX) {
		p[len++] = '/';
		p[len++] = 'a';
	}
	p[len] = 0;
	assert_int_equal(strlen(p), XENSTORE_ABS_PATH_MAX);
	OK(RQ(0, XS_MKDIR, 0, p));
	OK(RQ(0, XS_SET_PERMS, 0, p, "n4", "r1"));
	assert_int_equal(store_nodes_owned(S, 0), 1 + XENSTORE_ABS_PATH_MAX / 2 - 1);
	OK(RQ(0, XS_WATCH, 0, p, "deep"));
	ev_expect(0, p, "deep");
	t = tx_start(0);
	OK(wr(0, t, p, "x"));
	assert_int_equal(store_disconnect(S, 4), -ENOENT);  /* purge: walks it all */
	assert_memory_equal(RQ(0, XS_GET_PERMS, 0, p)->data, "n0\0r1", 6);
	ERR(RQ(0, XS_TRANSACTION_END, t, "T"), "EAGAIN");
	OK(RQ(0, XS_RM, 0, "/a/a"));
	ev_expect(0, p, "deep");
	assert_int_equal(store_nodes_owned(S, 0), 2);
	OK(RQ(0, XS_MKDIR, 0, p));    /* made again; freed by teardown */
}

/* ---- Fuzz ------------------------------------------------------------------ */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static const char *const fz_paths[] = {
	"/", "/a", "/a/b", "/a/b/c", "/local/domain/1", "/local/domain/1/x",
	"/local/domain/2/y/z", "x", "x/y", "y", "@introduceDomain",
	"@releaseDomain", "@releaseDomain/1", "/a//b", "/a/", "", "a b",
	"/local/domain", "/b/c/d/e/f/g",
};

/* A payload made of likely strings, random bytes, or both. */
static uint32_t fz_payload(char *buf)
{
	uint32_t len = 0, parts = rnd(5);

	switch (rnd(4)) {
	case 0: /* random bytes, any length up to the maximum */
		len = rnd(8) ? rnd(64) : rnd(XENSTORE_PAYLOAD_MAX + 1);
		for (uint32_t i = 0; i < len; i++)
			buf[i] = (char)(rnd(5) ? 'a' + rnd(4) : rnd(3) ? 0 : rnd(256));
		return len;
	default:
		for (uint32_t p = 0; p < parts; p++) {
			const char *s;
			char num[16];

			switch (rnd(4)) {
			case 0:
				snprintf(num, sizeof(num), "%u", rnd(12));
				s = num;
				break;
			case 1:
				s = (const char *[]){ "n0", "r1", "b2", "w3", "T", "F", "q9" }[rnd(7)];
				break;
			default:
				s = fz_paths[rnd(sizeof(fz_paths) / sizeof(fz_paths[0]))];
			}
			memcpy(buf + len, s, strlen(s));
			len += (uint32_t)strlen(s);
			if (rnd(10))
				buf[len++] = 0;
		}
		return len;
	}
}

static const char *fz_path(void)
{
	return fz_paths[rnd(sizeof(fz_paths) / sizeof(fz_paths[0]))];
}

static uint32_t fz_put(char *buf, uint32_t len, const char *s, bool nul)
{
	size_t l = strlen(s);

	memcpy(buf + len, s, l + nul);
	return len + (uint32_t)(l + nul);
}

/* A request of the right shape for its type, with likely arguments. */
static uint32_t fz_wellformed(uint32_t type, char *buf)
{
	char num[16];
	uint32_t len = 0;

	snprintf(num, sizeof(num), "%u", rnd(4) ? 1 + rnd(4) : rnd(70000));
	switch (type) {
	case XS_WRITE:
		len = fz_put(buf, 0, fz_path(), true);
		for (uint32_t i = rnd(4) ? rnd(16) : rnd(3000); i; i--)
			buf[len++] = (char)rnd(256);
		return len;
	case XS_SET_PERMS:
		len = fz_put(buf, 0, fz_path(), true);
		for (uint32_t i = 1 + rnd(7); i; i--) {
			char p[16];

			snprintf(p, sizeof(p), "%c%u", "nrwb"[rnd(4)], rnd(5));
			len = fz_put(buf, len, p, true);
		}
		return len;
	case XS_WATCH:
	case XS_UNWATCH:
		len = fz_put(buf, 0, fz_path(), true);
		return fz_put(buf, len, (const char *[]){ "a", "b", "" }[rnd(3)], true);
	case XS_TRANSACTION_END:
		return fz_put(buf, 0, rnd(2) ? "T" : "F", true);
	case XS_DIRECTORY_PART:
		len = fz_put(buf, 0, fz_path(), true);
		return fz_put(buf, len, rnd(2) ? "0" : num, true);
	case XS_INTRODUCE:
		len = fz_put(buf, 0, num, true);
		len = fz_put(buf, len, "100", true);
		return fz_put(buf, len, "7", true);
	case XS_SET_TARGET:
		len = fz_put(buf, 0, num, true);
		return fz_put(buf, len, "2", true);
	case XS_RELEASE:
	case XS_RESUME:
	case XS_GET_DOMAIN_PATH:
	case XS_IS_DOMAIN_INTRODUCED:
		return fz_put(buf, 0, num, true);
	case XS_TRANSACTION_START:
	case XS_RESET_WATCHES:
		return fz_put(buf, 0, "", true);
	default:
		return fz_put(buf, 0, fz_path(), true);
	}
}

static size_t alloc_bytes(void)
{
#ifdef HAVE_ALLOC_BYTES
	return __sanitizer_get_current_allocated_bytes();
#else
	return 0;
#endif
}

/* One domain's output stream, parsed as it is read in random pieces. */
struct stream {
	uint32_t have;
	unsigned char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	long replies, events, errors;
	uint32_t last_tx;       /* from the last TRANSACTION_START reply */
};

static void stream_feed(struct stream *st, const unsigned char *p, size_t n)
{
	while (n) {
		struct xsd_sockmsg h;
		uint32_t want = (uint32_t)sizeof(h);

		if (st->have >= sizeof(h)) {
			memcpy(&h, st->buf, sizeof(h));
			assert_true(h.len <= XENSTORE_PAYLOAD_MAX);
			want += h.len;
		}
		want -= st->have;
		if (want > n)
			want = (uint32_t)n;
		memcpy(st->buf + st->have, p, want);
		st->have += want;
		p += want;
		n -= want;
		if (st->have < sizeof(h))
			continue;
		memcpy(&h, st->buf, sizeof(h));
		assert_true(h.len <= XENSTORE_PAYLOAD_MAX);
		if (st->have < sizeof(h) + h.len)
			continue;
		if (h.type == XS_WATCH_EVENT) {
			assert_int_equal(h.req_id, 0);
			st->events++;
		} else {
			st->replies++;
			st->errors += h.type == XS_ERROR;
			if (h.type == XS_TRANSACTION_START && h.len > 1 && h.len < 12) {
				char num[12];

				memcpy(num, st->buf + sizeof(h), h.len);
				num[h.len - 1] = 0;
				st->last_tx = (uint32_t)strtoul(num, NULL, 10);
			}
		}
		st->have = 0;
	}
}

static void test_fuzz(void **state)
{
	static struct stream streams[4];
	long accepted = 0;
	static char payload[XENSTORE_PAYLOAD_MAX + 64];
	static const unsigned int doms[] = { 0, 1, 2, 3 };
	uint32_t txs[4][4] = { { 0 } };
	const char *iters_env = getenv("STORE_FUZZ_ITERS");
	long iters = iters_env ? atol(iters_env) : 400000;
	size_t base = 0, peak = 0;
	struct store_limits l;

	teardown(state);
	store_default_limits(&l);
	l.nodes = 200;      /* small quotas: reached often */
	l.watches = 16;
	setup_limits(&l);
	assert_int_equal(store_connect(S, 3, true), 0);
	make_home(1);
	make_home(2);
	for (long it = 0; it < iters; it++) {
		unsigned int di = rnd(4), dom = doms[di];
		struct xsd_sockmsg h;
		uint32_t len = fz_payload(payload);
		int rc;

		h.type = rnd(10) ? rnd(XS_TYPE_COUNT + 2) : rnd(0x10000);
		if (rnd(3) == 0)
			h.type = (uint32_t[]){ XS_WRITE, XS_MKDIR, XS_RM, XS_WATCH,
				XS_READ, XS_TRANSACTION_START, XS_TRANSACTION_END }[rnd(7)];
		if (rnd(2) && h.type < XS_TYPE_COUNT)
			len = fz_wellformed(h.type, payload);
		h.req_id = (uint32_t)it;
		h.tx_id = rnd(3) ? 0 : rnd(2) ? txs[di][rnd(4)] : rnd(20);
		h.len = rnd(1000) ? len : XENSTORE_PAYLOAD_MAX + 1 + rnd(100);
		rc = store_request(S, dom, &h, payload);
		accepted += rc == 0;
		/* -ENOENT: a privileged one RELEASEd it: it comes back. */
		assert_true(rc == 0 || rc == -EBUSY || rc == -ENOENT);
		for (unsigned int k = 1; k < 4; k++)
			if (store_conn_info(S, k, &(struct store_conn_info){ 0 }) != 0)
				assert_int_equal(store_connect(S, k, k == 3), 0);
		/* Read output now and then, in random pieces; domain 2
		 * almost never. Remember transaction ids it was given. */
		if (rnd(dom == 2 ? 500 : 4) == 0) {
			unsigned char out[1024];
			size_t n;

			while ((n = store_next_output(S, dom, out, rnd(sizeof(out)) + 1)))
				stream_feed(&streams[di], out, n);
			if (streams[di].last_tx)
				txs[di][rnd(4)] = streams[di].last_tx;
			streams[di].last_tx = 0;
		}
		if (rnd(20000) == 0) {  /* deaths and returns */
			unsigned int d = 1 + rnd(2);
			store_disconnect(S, d);
			streams[d].have = 0; /* its output went with it */
			assert_int_equal(store_connect(S, d, false), 0);
			memset(txs[d], 0, sizeof(txs[d]));
		}
		if (it == 20000)
			base = alloc_bytes();
		if (it > 20000 && alloc_bytes() > peak)
			peak = alloc_bytes();
		if ((it & 1023) == 0) {
			struct store_conn_info ci;

			for (unsigned int k = 1; k < 3; k++) {
				assert_int_equal(store_conn_info(S, k, &ci), 0);
				assert_true(ci.nodes <= l.nodes);
				assert_true(ci.watches <= l.watches);
				assert_true(ci.transactions <= l.transactions);
				assert_true(ci.replies <= l.outstanding);
				assert_true(ci.out_bytes <= l.out_bytes +
						l.outstanding * (XENSTORE_PAYLOAD_MAX + 16));
				assert_true(ci.tx_bytes <= l.tx_bytes + 16384);
			}
		}
	}
	/* Memory stayed bounded (not growing with the iterations). */
	if (base)
		assert_true(peak < base + 16 * 1024 * 1024);
	print_message("fuzz: %ld requests, %ld taken; replies (errors) and events "
			"read: d0 %ld (%ld) %ld, d1 %ld (%ld) %ld, d3 %ld (%ld) %ld; "
			"heap %zu KiB after 20000, peak %zu KiB\n", iters, accepted,
			streams[0].replies, streams[0].errors, streams[0].events,
			streams[1].replies, streams[1].errors, streams[1].events,
			streams[3].replies, streams[3].errors, streams[3].events,
			base / 1024, peak / 1024);
	/* Still serving. */
	OK(wr(0, 0, "/after", "fuzz"));
	READS(0, "/after", "fuzz");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_quota_nodes),
		T(test_quota_node_size),
		T(test_quota_watches),
		T(test_quota_perms),
		T(test_quota_outstanding),
		T(test_quota_out_bytes),
		T(test_quota_path),
		T(test_deep_tree),
		T(test_fuzz),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
