/*
 * The store core (mgmt/store.c) over its wire interface and its direct
 * calls: every request type, permissions allowed and refused for each
 * operation, watches (initial firing, descendants, removal, relative
 * paths, permission filtering, the special ones), transactions (commit,
 * conflicts, abort, limits), domains (introduce, release, death), every
 * quota (its error, and others unaffected), malformed requests, and a
 * long random fuzz under ASan/UBSan with bounded memory.
 *
 * Requests go in with store_request(); everything a domain is sent comes
 * back through store_next_output() and is split into its one reply
 * (checked against the request's id) and watch events, kept per domain
 * for the tests to look for.
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

#include "mgmt/store.h"

#if defined(__SANITIZE_ADDRESS__)
/* libasan's (declared here: gcc ships no header for it). */
size_t __sanitizer_get_current_allocated_bytes(void);
#define HAVE_ALLOC_BYTES 1
#endif

/* Any undefined behaviour fails the run, not just a line on stderr. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/* ---- Harness -------------------------------------------------------------- */

static struct store *S;
static uint32_t req_seq;

struct msg {
	struct xsd_sockmsg h;
	char data[XENSTORE_PAYLOAD_MAX + 1]; /* NUL after the payload */
};

struct ev {
	unsigned int dom;
	char *path, *token;
};

#define MAX_EVENTS 4096
static struct ev events[MAX_EVENTS];
static int nevents;
static struct msg last;        /* the last reply */
static struct msg pending[64]; /* replies read while collecting */
static int npending;
static unsigned int pending_dom[64];

static void events_clear(void)
{
	for (int i = 0; i < nevents; i++) {
		free(events[i].path);
		free(events[i].token);
	}
	nevents = 0;
}

/* Reads one whole message of dom's output; false if none waits. */
static bool read_msg(unsigned int dom, struct msg *m)
{
	size_t n;

	if (store_output_pending(S, dom) == 0)
		return false;
	n = store_next_output(S, dom, &m->h, sizeof(m->h));
	assert_int_equal(n, sizeof(m->h));
	assert_true(m->h.len <= XENSTORE_PAYLOAD_MAX);
	n = store_next_output(S, dom, m->data, m->h.len);
	assert_int_equal(n, m->h.len);
	m->data[m->h.len] = 0;
	return true;
}

/* Moves dom's queued output into events[] and pending[]. */
static void collect(unsigned int dom)
{
	static struct msg m;

	while (read_msg(dom, &m)) {
		if (m.h.type == XS_WATCH_EVENT) {
			size_t plen = strlen(m.data);

			assert_int_equal(m.h.req_id, 0);
			assert_int_equal(m.h.tx_id, 0);
			assert_true(plen + 1 < m.h.len);
			assert_int_equal(m.data[m.h.len - 1], 0);
			assert_true(nevents < MAX_EVENTS);
			events[nevents].dom = dom;
			events[nevents].path = strdup(m.data);
			events[nevents].token = strdup(m.data + plen + 1);
			nevents++;
		} else {
			assert_true(npending < 64);
			pending_dom[npending] = dom;
			pending[npending++] = m;
		}
	}
}

static int ev_count(unsigned int dom)
{
	int n = 0;

	collect(dom);
	for (int i = 0; i < nevents; i++)
		n += events[i].dom == dom;
	return n;
}

/* Takes the first event of dom; asserts its path and token. */
static void ev_expect(unsigned int dom, const char *path, const char *token)
{
	collect(dom);
	for (int i = 0; i < nevents; i++) {
		if (events[i].dom != dom)
			continue;
		if (strcmp(events[i].path, path) || strcmp(events[i].token, token))
			fail_msg("dom %u: event %s %s, expected %s %s", dom,
					events[i].path, events[i].token, path, token);
		free(events[i].path);
		free(events[i].token);
		memmove(&events[i], &events[i + 1], (size_t)(nevents - i - 1) * sizeof(events[0]));
		nevents--;
		return;
	}
	fail_msg("dom %u: no event, expected %s %s", dom, path, token);
}

static void ev_none(unsigned int dom)
{
	int n = ev_count(dom);

	if (n)
		for (int i = 0; i < nevents; i++)
			if (events[i].dom == dom)
				fail_msg("dom %u: unexpected event %s %s", dom,
						events[i].path, events[i].token);
}

/* Sends a raw request; returns its reply (exactly one must come). */
static struct msg *rq_raw(unsigned int dom, uint32_t type, uint32_t tx,
		const void *payload, uint32_t len)
{
	struct xsd_sockmsg h = { type, ++req_seq, tx, len };
	int found = -1;

	assert_int_equal(store_request(S, dom, &h, payload), 0);
	collect(dom);
	for (int i = 0; i < npending; i++) {
		if (pending_dom[i] == dom && pending[i].h.req_id == h.req_id) {
			assert_int_equal(found, -1);
			found = i;
		}
	}
	if (found < 0)
		fail_msg("no reply to request %u type %u", h.req_id, type);
	last = pending[found];
	memmove(&pending[found], &pending[found + 1],
			(size_t)(npending - found - 1) * sizeof(pending[0]));
	memmove(&pending_dom[found], &pending_dom[found + 1],
			(size_t)(npending - found - 1) * sizeof(pending_dom[0]));
	npending--;
	assert_int_equal(last.h.tx_id, tx);
	assert_true(last.h.type == type || last.h.type == XS_ERROR);
	return &last;
}

/* Payload of NUL-terminated strings (the list ends at NULL). */
static uint32_t build(char *buf, va_list ap)
{
	uint32_t len = 0;
	const char *a;

	while ((a = va_arg(ap, const char *))) {
		size_t l = strlen(a) + 1;

		memcpy(buf + len, a, l);
		len += (uint32_t)l;
	}
	return len;
}

static struct msg *rq_v(unsigned int dom, uint32_t type, uint32_t tx, ...)
{
	static char buf[3 * XENSTORE_PAYLOAD_MAX];
	va_list ap;
	uint32_t len;

	va_start(ap, tx);
	len = build(buf, ap);
	va_end(ap);
	return rq_raw(dom, type, tx, buf, len);
}
#define RQ(dom, type, tx, ...) rq_v(dom, type, tx, __VA_ARGS__, (const char *)NULL)

static struct msg *wr(unsigned int dom, uint32_t tx, const char *path,
		const char *value)
{
	static char buf[2 * XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1, vl = strlen(value);

	memcpy(buf, path, pl);
	memcpy(buf + pl, value, vl);
	return rq_raw(dom, XS_WRITE, tx, buf, (uint32_t)(pl + vl));
}

static bool is_ok(const struct msg *m)
{
	return m->h.type != XS_ERROR;
}

static void expect_err(const struct msg *m, const char *name)
{
	if (m->h.type != XS_ERROR || strcmp(m->data, name))
		fail_msg("expected %s, got type %u \"%s\"", name, m->h.type,
				m->h.type == XS_ERROR ? m->data : "");
	assert_int_equal(m->h.len, strlen(name) + 1);
}

static void expect_ok(const struct msg *m)
{
	if (m->h.type == XS_ERROR)
		fail_msg("expected OK, got %s", m->data);
	assert_int_equal(m->h.len, 3);
	assert_string_equal(m->data, "OK");
}

/* A reply that is one NUL-terminated string. */
static void expect_str(const struct msg *m, const char *str)
{
	if (m->h.type == XS_ERROR)
		fail_msg("expected \"%s\", got %s", str, m->data);
	assert_int_equal(m->h.len, strlen(str) + 1);
	assert_string_equal(m->data, str);
}

static void expect_data(const struct msg *m, const char *data)
{
	if (m->h.type == XS_ERROR)
		fail_msg("expected \"%s\", got %s", data, m->data);
	assert_int_equal(m->h.len, strlen(data));
	assert_memory_equal(m->data, data, m->h.len);
}

#define OK(m) expect_ok(m)
#define ERR(m, e) expect_err(m, e)
#define READS(dom, path, v) expect_data(RQ(dom, XS_READ, 0, path), v)

/* The list of a DIRECTORY reply as "a,b,c". */
static const char *dirlist(const struct msg *m)
{
	static char out[XENSTORE_PAYLOAD_MAX + 1];
	uint32_t i;

	assert_true(is_ok(m));
	for (i = 0; i < m->h.len; i++)
		out[i] = m->data[i] ? m->data[i] : ',';
	if (i)
		i--; /* the last NUL */
	out[i] = 0;
	return out;
}

static uint32_t tx_start(unsigned int dom)
{
	struct msg *m = RQ(dom, XS_TRANSACTION_START, 0, "");

	assert_true(is_ok(m));
	return (uint32_t)strtoul(m->data, NULL, 10);
}

static int setup(void **state)
{
	S = store_new(NULL);
	assert_non_null(S);
	assert_int_equal(store_connect(S, 1, false), 0);
	assert_int_equal(store_connect(S, 2, false), 0);
	assert_int_equal(store_connect(S, 3, true), 0); /* a privileged guest */
	return 0;
}

static int setup_limits(const struct store_limits *l)
{
	S = store_new(l);
	assert_non_null(S);
	assert_int_equal(store_connect(S, 1, false), 0);
	assert_int_equal(store_connect(S, 2, false), 0);
	return 0;
}

static int teardown(void **state)
{
	events_clear();
	npending = 0;
	store_free(S);
	S = NULL;
	return 0;
}

/* A home for dom as a toolstack makes it: /local/domain/N owned by N. */
static void make_home(unsigned int dom)
{
	char path[64], perm[16];

	snprintf(path, sizeof(path), "/local/domain/%u", dom);
	snprintf(perm, sizeof(perm), "n%u", dom);
	OK(RQ(0, XS_MKDIR, 0, path));
	OK(RQ(0, XS_SET_PERMS, 0, path, perm));
}

/* ---- Basic operations ------------------------------------------------- */

static void test_write_read(void **state)
{
	static const char bin[] = { 'a', 0, 'b', 0, 0 };
	char buf[64];
	struct msg *m;

	OK(wr(0, 0, "/a/b/c", "hello"));
	READS(0, "/a/b/c", "hello");
	READS(0, "/a/b", "");            /* parents made with empty values */
	READS(0, "/a", "");
	OK(wr(0, 0, "/a/b/c", "bye"));
	READS(0, "/a/b/c", "bye");
	OK(wr(0, 0, "/a/b/c", ""));
	READS(0, "/a/b/c", "");
	ERR(RQ(0, XS_READ, 0, "/a/x"), "ENOENT");
	ERR(RQ(0, XS_READ, 0, "/nope/x"), "ENOENT");

	/* Values are bytes, NULs included. */
	memcpy(buf, "/bin", 5);
	memcpy(buf + 5, bin, sizeof(bin));
	OK(rq_raw(0, XS_WRITE, 0, buf, 5 + sizeof(bin)));
	m = RQ(0, XS_READ, 0, "/bin");
	assert_int_equal(m->h.len, sizeof(bin));
	assert_memory_equal(m->data, bin, sizeof(bin));

	/* The largest value a payload can carry. */
	{
		static char big[XENSTORE_PAYLOAD_MAX];
		memcpy(big, "/big", 5);
		memset(big + 5, 'v', sizeof(big) - 5);
		OK(rq_raw(0, XS_WRITE, 0, big, sizeof(big)));
		m = RQ(0, XS_READ, 0, "/big");
		assert_int_equal(m->h.len, sizeof(big) - 5);
	}
	/* The reply echoes the request's id, type and tx. */
	m = RQ(0, XS_READ, 0, "/a/b/c");
	assert_int_equal(m->h.req_id, req_seq);
	assert_int_equal(m->h.type, XS_READ);
}

static void test_mkdir(void **state)
{
	OK(RQ(0, XS_MKDIR, 0, "/m/n/o"));
	READS(0, "/m/n/o", "");
	OK(wr(0, 0, "/m/n", "keep"));
	OK(RQ(0, XS_MKDIR, 0, "/m/n"));   /* exists: unchanged */
	READS(0, "/m/n", "keep");
	assert_string_equal(dirlist(RQ(0, XS_DIRECTORY, 0, "/m/n")), "o");
}

static void test_directory(void **state)
{
	OK(wr(0, 0, "/d/one", "1"));
	OK(wr(0, 0, "/d/two", "2"));
	OK(RQ(0, XS_MKDIR, 0, "/d/three/deep"));
	assert_string_equal(dirlist(RQ(0, XS_DIRECTORY, 0, "/d")), "one,two,three");
	assert_int_equal(RQ(0, XS_DIRECTORY, 0, "/d/one")->h.len, 0);
	ERR(RQ(0, XS_DIRECTORY, 0, "/d/four"), "ENOENT");
	assert_string_equal(dirlist(RQ(0, XS_DIRECTORY, 0, "/")), "d");
	OK(RQ(0, XS_RM, 0, "/d/two"));
	assert_string_equal(dirlist(RQ(0, XS_DIRECTORY, 0, "/d")), "one,three");
}

static void test_directory_too_big(void **state)
{
	char path[64];

	/* 400 names of 12 bytes: 4800 bytes, over one payload. */
	for (int i = 0; i < 400; i++) {
		snprintf(path, sizeof(path), "/big/child-%05d", i);
		OK(RQ(0, XS_MKDIR, 0, path));
	}
	ERR(RQ(0, XS_DIRECTORY, 0, "/big"), "E2BIG");
}

static void test_directory_part(void **state)
{
	char path[64], off[16], all[8192], gen0[32];
	size_t total = 0, expect = 0;
	uint64_t pos = 0;
	int chunks = 0;

	for (int i = 0; i < 400; i++) {
		snprintf(path, sizeof(path), "/big/child-%05d", i);
		OK(RQ(0, XS_MKDIR, 0, path));
		expect += strlen("child-00000") + 1;
	}
	gen0[0] = 0;
	for (;;) {
		struct msg *m;
		size_t glen, body;

		snprintf(off, sizeof(off), "%llu", (unsigned long long)pos);
		m = RQ(0, XS_DIRECTORY_PART, 0, "/big", off);
		assert_true(is_ok(m));
		assert_true(m->h.len <= XENSTORE_PAYLOAD_MAX);
		glen = strlen(m->data) + 1;
		if (!gen0[0])
			strcpy(gen0, m->data);
		assert_string_equal(m->data, gen0);   /* unchanged meanwhile */
		body = m->h.len - glen;
		chunks++;
		if (body && m->data[m->h.len - 1] == 0 && m->data[m->h.len - 2] == 0) {
			memcpy(all + total, m->data + glen, body - 1); /* end mark */
			total += body - 1;
			break;
		}
		memcpy(all + total, m->data + glen, body);
		total += body;
		pos += body;
		assert_true(chunks < 10);
	}
	assert_true(chunks >= 2);
	assert_int_equal(total, expect);
	for (int i = 0, o = 0; i < 400; i++) {
		snprintf(path, sizeof(path), "child-%05d", i);
		assert_string_equal(all + o, path);
		o += (int)strlen(path) + 1;
	}
	/* Past the end: the generation and an empty list. */
	{
		struct msg *m = RQ(0, XS_DIRECTORY_PART, 0, "/big", "99999");
		assert_int_equal(m->h.len, strlen(gen0) + 2);
	}
	/* A new child changes the generation. */
	OK(RQ(0, XS_MKDIR, 0, "/big/new"));
	assert_string_not_equal(RQ(0, XS_DIRECTORY_PART, 0, "/big", "0")->data, gen0);
	ERR(RQ(0, XS_DIRECTORY_PART, 0, "/big"), "EINVAL");
	ERR(RQ(0, XS_DIRECTORY_PART, 0, "/big", "x"), "EINVAL");
	ERR(RQ(0, XS_DIRECTORY_PART, 0, "/none", "0"), "ENOENT");
}

static void test_rm(void **state)
{
	OK(wr(0, 0, "/r/a/b/c", "x"));
	OK(wr(0, 0, "/r/a/d", "y"));
	OK(RQ(0, XS_RM, 0, "/r/a"));
	ERR(RQ(0, XS_READ, 0, "/r/a/b/c"), "ENOENT");
	ERR(RQ(0, XS_READ, 0, "/r/a"), "ENOENT");
	READS(0, "/r", "");
	OK(RQ(0, XS_RM, 0, "/r/a"));       /* absent, parent there: fine */
	ERR(RQ(0, XS_RM, 0, "/r/a/b"), "ENOENT"); /* parent absent too */
	ERR(RQ(0, XS_RM, 0, "/"), "EINVAL");
	assert_int_equal(store_nodes_owned(S, 0), 2); /* "/" and "/r" */
}

static void test_get_set_perms(void **state)
{
	struct msg *m;

	OK(wr(0, 0, "/p", "v"));
	m = RQ(0, XS_GET_PERMS, 0, "/p");
	assert_int_equal(m->h.len, 3);
	assert_memory_equal(m->data, "n0", 3);
	OK(RQ(0, XS_SET_PERMS, 0, "/p", "n1", "r2", "w3", "b4"));
	m = RQ(0, XS_GET_PERMS, 0, "/p");
	assert_int_equal(m->h.len, 12);
	assert_memory_equal(m->data, "n1\0r2\0w3\0b4", 12);
	assert_int_equal(store_nodes_owned(S, 1), 1);
	ERR(RQ(0, XS_SET_PERMS, 0, "/p"), "EINVAL");
	ERR(RQ(0, XS_SET_PERMS, 0, "/p", "x1"), "EINVAL");
	ERR(RQ(0, XS_SET_PERMS, 0, "/p", "r"), "EINVAL");
	ERR(RQ(0, XS_SET_PERMS, 0, "/p", "r1x"), "EINVAL");
	ERR(RQ(0, XS_SET_PERMS, 0, "/p", "r70000"), "EINVAL");
	ERR(RQ(0, XS_SET_PERMS, 0, "/p", "n32757"), "EINVAL"); /* DOMID_ANY owner */
	ERR(RQ(0, XS_SET_PERMS, 0, "/q", "n0"), "ENOENT");
	ERR(RQ(0, XS_GET_PERMS, 0, "/q"), "ENOENT");
	/* Special nodes have permissions too. */
	m = RQ(0, XS_GET_PERMS, 0, "@releaseDomain");
	assert_memory_equal(m->data, "n0", 3);
	OK(RQ(0, XS_SET_PERMS, 0, "@releaseDomain", "n0", "r1"));
	m = RQ(0, XS_GET_PERMS, 0, "@releaseDomain");
	assert_int_equal(m->h.len, 6);
	ERR(RQ(0, XS_GET_PERMS, 0, "@other"), "ENOENT");
	ERR(RQ(0, XS_READ, 0, "@releaseDomain"), "EINVAL");
}

static void test_get_domain_path(void **state)
{
	expect_str(RQ(1, XS_GET_DOMAIN_PATH, 0, "7"), "/local/domain/7");
	expect_str(RQ(1, XS_GET_DOMAIN_PATH, 0, "65535"), "/local/domain/65535");
	expect_str(RQ(1, XS_GET_DOMAIN_PATH, 0, "007"), "/local/domain/7");
	ERR(RQ(1, XS_GET_DOMAIN_PATH, 0, "65536"), "EINVAL");
	ERR(RQ(1, XS_GET_DOMAIN_PATH, 0, "-1"), "EINVAL");
	ERR(RQ(1, XS_GET_DOMAIN_PATH, 0, "1x"), "EINVAL");
	ERR(RQ(1, XS_GET_DOMAIN_PATH, 0, ""), "EINVAL");
	ERR(RQ(1, XS_GET_DOMAIN_PATH, 0, "1", "2"), "EINVAL");
}

static void test_paths(void **state)
{
	static char longp[XENSTORE_ABS_PATH_MAX + 8];

	make_home(1);
	/* Relative paths are under /local/domain/<caller>. */
	OK(wr(1, 0, "data/x", "rel"));
	READS(0, "/local/domain/1/data/x", "rel");
	READS(1, "data/x", "rel");
	READS(1, "/local/domain/1/data/x", "rel");
	OK(wr(0, 0, "zero", "z"));
	READS(0, "/local/domain/0/zero", "z");
	/* Characters, slashes, emptiness. */
	ERR(wr(0, 0, "/a b", "x"), "EINVAL");
	ERR(wr(0, 0, "/a.b", "x"), "EINVAL");
	ERR(wr(0, 0, "/a//b", "x"), "EINVAL");
	ERR(wr(0, 0, "/a/", "x"), "EINVAL");
	ERR(wr(0, 0, "", "x"), "EINVAL");
	ERR(RQ(0, XS_READ, 0, ""), "EINVAL");
	ERR(wr(0, 0, "@introduceDomain", "x"), "EINVAL");
	ERR(RQ(0, XS_MKDIR, 0, "@x"), "EINVAL");
	ERR(RQ(0, XS_RM, 0, "@x"), "EINVAL");
	ERR(RQ(0, XS_DIRECTORY, 0, "@x"), "EINVAL");
	OK(wr(0, 0, "/Az09-_@", "ok"));  /* every allowed character */
	READS(0, "/", "");
	/* Length: XENSTORE_ABS_PATH_MAX absolute. */
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[XENSTORE_ABS_PATH_MAX] = 0;
	OK(RQ(0, XS_MKDIR, 0, longp));
	longp[XENSTORE_ABS_PATH_MAX] = 'a';
	longp[XENSTORE_ABS_PATH_MAX + 1] = 0;
	ERR(RQ(0, XS_MKDIR, 0, longp), "EINVAL");
}

static void test_get_domain_path_and_relative_len(void **state)
{
	static char rel[XENSTORE_REL_PATH_MAX + 8];

	make_home(1);
	/* A domain's relative part is limited to XENSTORE_REL_PATH_MAX. */
	/* Components of 99 bytes: no node's children list grows too big. */
	for (int i = 0; i < (int)sizeof(rel); i++)
		rel[i] = i % 100 == 99 ? '/' : 'b';
	rel[XENSTORE_REL_PATH_MAX] = 0;
	OK(RQ(1, XS_MKDIR, 0, rel));
	rel[XENSTORE_REL_PATH_MAX] = 'b';
	rel[XENSTORE_REL_PATH_MAX + 1] = 0;
	ERR(RQ(1, XS_MKDIR, 0, rel), "EINVAL");
	ERR(RQ(1, XS_READ, 0, rel), "EINVAL");
}

static void test_unknown_types(void **state)
{
	static const uint32_t types[] = {
		XS_CONTROL, XS_WATCH_EVENT, XS_ERROR, 20, XS_GET_FEATURE,
		XS_SET_FEATURE, XS_GET_QUOTA, XS_SET_QUOTA, XS_TYPE_COUNT, 100,
		XS_INVALID, 0xffffffffu,
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct msg *m = RQ(1, types[i], 0, "x");

		ERR(m, "ENOSYS");
		assert_int_equal(m->h.req_id, req_seq);
		m = RQ(0, types[i], 0, "x");
		ERR(m, "ENOSYS");
	}
}

static void test_malformed(void **state)
{
	static char big[XENSTORE_PAYLOAD_MAX + 100];
	struct xsd_sockmsg h = { XS_WRITE, 77, 0, XENSTORE_PAYLOAD_MAX + 1 };

	OK(wr(0, 0, "/m", "v"));
	/* One-argument requests: exactly one string filling the payload. */
	ERR(rq_raw(0, XS_READ, 0, "/m", 2), "EINVAL");      /* no NUL */
	ERR(rq_raw(0, XS_READ, 0, "/m\0\0", 4), "EINVAL");  /* two */
	ERR(rq_raw(0, XS_READ, 0, "/m\0x", 4), "EINVAL");   /* trailing */
	ERR(rq_raw(0, XS_READ, 0, NULL, 0), "EINVAL");      /* none */
	ERR(rq_raw(0, XS_MKDIR, 0, "/m", 2), "EINVAL");
	ERR(rq_raw(0, XS_RM, 0, "/m", 2), "EINVAL");
	ERR(rq_raw(0, XS_DIRECTORY, 0, "/m", 2), "EINVAL");
	ERR(rq_raw(0, XS_GET_PERMS, 0, "/m", 2), "EINVAL");
	ERR(rq_raw(0, XS_WRITE, 0, "/m", 2), "EINVAL");     /* path unterminated */
	ERR(rq_raw(0, XS_WRITE, 0, NULL, 0), "EINVAL");
	ERR(rq_raw(0, XS_TRANSACTION_END, 0, "T", 1), "EINVAL");
	ERR(RQ(0, XS_WATCH, 0, "/m"), "EINVAL");
	ERR(RQ(0, XS_WATCH, 0, "/m", "t", "1"), "EINVAL"); /* no depth offered */
	ERR(RQ(0, XS_UNWATCH, 0, "/m"), "EINVAL");
	ERR(RQ(0, XS_INTRODUCE, 0, "5", "1"), "EINVAL");
	ERR(RQ(0, XS_SET_TARGET, 0, "5"), "EINVAL");
	ERR(RQ(0, XS_RELEASE, 0, "x"), "EINVAL");
	ERR(RQ(0, XS_RESUME, 0, ""), "EINVAL");
	ERR(RQ(0, XS_IS_DOMAIN_INTRODUCED, 0, "99999"), "EINVAL");
	/* Over the payload limit: E2BIG, the payload never read. */
	assert_int_equal(store_request(S, 0, &h, big), 0);
	collect(0);
	assert_int_equal(npending, 1);
	assert_int_equal(pending[0].h.type, XS_ERROR);
	assert_int_equal(pending[0].h.req_id, 77);
	assert_string_equal(pending[0].data, "E2BIG");
	npending = 0;
	h.len = UINT32_MAX;
	assert_int_equal(store_request(S, 0, &h, NULL), 0);
	collect(0);
	assert_string_equal(pending[0].data, "E2BIG");
	npending = 0;
	READS(0, "/m", "v");
	/* Unknown connections. */
	h.len = 0;
	assert_int_equal(store_request(S, 9, &h, NULL), -ENOENT);
}

/* ---- Permissions -------------------------------------------------------- */

static void test_perm_read(void **state)
{
	OK(wr(0, 0, "/s/secret", "x"));        /* n0: only domain 0 */
	ERR(RQ(1, XS_READ, 0, "/s/secret"), "EACCES");
	ERR(RQ(1, XS_DIRECTORY, 0, "/s"), "EACCES");
	ERR(RQ(1, XS_GET_PERMS, 0, "/s/secret"), "EACCES");
	/* Missing node below an unreadable parent: EACCES, not ENOENT. */
	ERR(RQ(1, XS_READ, 0, "/s/none"), "EACCES");
	READS(3, "/s/secret", "x");            /* privileged guest */

	OK(RQ(0, XS_SET_PERMS, 0, "/s/secret", "n0", "r1"));
	READS(1, "/s/secret", "x");
	ERR(RQ(2, XS_READ, 0, "/s/secret"), "EACCES");
	OK(RQ(0, XS_SET_PERMS, 0, "/s/secret", "r0"));   /* default read */
	READS(1, "/s/secret", "x");
	READS(2, "/s/secret", "x");
	OK(RQ(0, XS_SET_PERMS, 0, "/s/secret", "r0", "n2")); /* except 2 */
	READS(1, "/s/secret", "x");
	ERR(RQ(2, XS_READ, 0, "/s/secret"), "EACCES");
	OK(RQ(0, XS_SET_PERMS, 0, "/s/secret", "n2"));   /* owner reads */
	READS(2, "/s/secret", "x");
	ERR(RQ(1, XS_READ, 0, "/s/secret"), "EACCES");
	OK(RQ(0, XS_SET_PERMS, 0, "/s/secret", "n0", "w1"));  /* write only */
	ERR(RQ(1, XS_READ, 0, "/s/secret"), "EACCES");
	OK(wr(1, 0, "/s/secret", "y"));
	/* Readable parent: a missing child is ENOENT. */
	OK(RQ(0, XS_SET_PERMS, 0, "/s", "r0"));
	ERR(RQ(1, XS_READ, 0, "/s/none"), "ENOENT");
	OK(RQ(0, XS_SET_PERMS, 0, "/s/secret", "n0", "r32757")); /* any */
	READS(2, "/s/secret", "y");
}

static void test_perm_write_ops(void **state)
{
	OK(RQ(0, XS_MKDIR, 0, "/w/ro"));
	OK(RQ(0, XS_SET_PERMS, 0, "/w", "r0"));
	OK(RQ(0, XS_SET_PERMS, 0, "/w/ro", "r0"));
	/* Refused: no write access. */
	ERR(wr(1, 0, "/w/ro", "x"), "EACCES");
	ERR(wr(1, 0, "/w/ro/new", "x"), "EACCES");  /* creating below */
	ERR(RQ(1, XS_MKDIR, 0, "/w/ro"), "EACCES");
	ERR(RQ(1, XS_MKDIR, 0, "/w/ro/new"), "EACCES");
	ERR(RQ(1, XS_RM, 0, "/w/ro"), "EACCES");
	ERR(RQ(1, XS_RM, 0, "/w/ro/new"), "EACCES");
	ERR(RQ(1, XS_SET_PERMS, 0, "/w/ro", "r0"), "EACCES");
	/* Allowed: write access (but not ownership). */
	OK(RQ(0, XS_SET_PERMS, 0, "/w/ro", "r0", "b1"));
	OK(wr(1, 0, "/w/ro", "x"));
	OK(wr(1, 0, "/w/ro/new", "x"));
	OK(RQ(1, XS_MKDIR, 0, "/w/ro/dir"));
	OK(RQ(1, XS_RM, 0, "/w/ro/new"));
	ERR(RQ(1, XS_SET_PERMS, 0, "/w/ro", "r0"), "EACCES"); /* not owner */
	ERR(wr(2, 0, "/w/ro", "x"), "EACCES");
	/* RM needs write on the node, not the parent; descendants don't matter. */
	OK(RQ(0, XS_SET_PERMS, 0, "/w/ro/dir", "n0"));
	OK(RQ(1, XS_RM, 0, "/w/ro"));
	ERR(RQ(0, XS_READ, 0, "/w/ro/dir"), "ENOENT");
	ERR(RQ(1, XS_RM, 0, "/w"), "EACCES");
}

static void test_perm_inherit(void **state)
{
	struct msg *m;

	make_home(1);
	OK(RQ(0, XS_SET_PERMS, 0, "/local/domain/1", "n1", "r2"));
	/* A domain's new nodes: parent's entries, the domain as owner. */
	OK(wr(1, 0, "/local/domain/1/a/b", "x"));
	m = RQ(0, XS_GET_PERMS, 0, "/local/domain/1/a/b");
	assert_int_equal(m->h.len, 6);
	assert_memory_equal(m->data, "n1\0r2", 6);
	assert_int_equal(store_nodes_owned(S, 1), 3);
	/* Under a node it may write but does not own: it owns what it makes. */
	OK(RQ(0, XS_MKDIR, 0, "/shared"));
	OK(RQ(0, XS_SET_PERMS, 0, "/shared", "r0", "w1"));
	OK(wr(1, 0, "/shared/mine/x", "1"));
	m = RQ(0, XS_GET_PERMS, 0, "/shared/mine");
	assert_memory_equal(m->data, "r1\0w1", 6);
	/* Domain 0 creating under a domain's node keeps the owner. */
	OK(wr(0, 0, "/local/domain/1/by0", "x"));
	m = RQ(0, XS_GET_PERMS, 0, "/local/domain/1/by0");
	assert_memory_equal(m->data, "n1\0r2", 6);
	READS(2, "/local/domain/1/a/b", "x");
	ERR(wr(2, 0, "/local/domain/1/a/b", "y"), "EACCES");
}

static void test_set_perms_owner(void **state)
{
	make_home(1);
	OK(wr(1, 0, "data", "x"));
	/* The owner may change entries, not the owner. */
	OK(RQ(1, XS_SET_PERMS, 0, "data", "n1", "r2"));
	READS(2, "/local/domain/1/data", "x");
	ERR(RQ(1, XS_SET_PERMS, 0, "data", "n2"), "EPERM");
	ERR(RQ(1, XS_SET_PERMS, 0, "missing", "n1"), "ENOENT");
	/* Write access is not enough. */
	OK(RQ(1, XS_SET_PERMS, 0, "data", "n1", "b2"));
	ERR(RQ(2, XS_SET_PERMS, 0, "/local/domain/1/data", "n1"), "EACCES");
	/* Domain 0 and privileged guests may give it away. */
	OK(RQ(0, XS_SET_PERMS, 0, "/local/domain/1/data", "n2"));
	assert_int_equal(store_nodes_owned(S, 2), 1);
	OK(RQ(3, XS_SET_PERMS, 0, "/local/domain/1/data", "n1"));
	assert_int_equal(store_nodes_owned(S, 2), 0);
	/* Special nodes: only their owner. */
	ERR(RQ(1, XS_SET_PERMS, 0, "@releaseDomain", "n0", "r1"), "EACCES");
}

static void test_privileged_requests(void **state)
{
	ERR(RQ(1, XS_INTRODUCE, 0, "5", "100", "3"), "EACCES");
	ERR(RQ(1, XS_RELEASE, 0, "2"), "EACCES");
	ERR(RQ(1, XS_RESUME, 0, "2"), "EACCES");
	ERR(RQ(1, XS_SET_TARGET, 0, "1", "2"), "EACCES");
	ERR(RQ(1, XS_IS_DOMAIN_INTRODUCED, 0, "2"), "EACCES");
	expect_str(RQ(3, XS_IS_DOMAIN_INTRODUCED, 0, "2"), "T");
	expect_str(RQ(3, XS_IS_DOMAIN_INTRODUCED, 0, "9"), "F");
	expect_str(RQ(0, XS_IS_DOMAIN_INTRODUCED, 0, "32752"), "T"); /* DOMID_SELF */
	expect_str(RQ(0, XS_IS_DOMAIN_INTRODUCED, 0, "0"), "T");
}

static void test_set_target(void **state)
{
	make_home(1);
	OK(wr(1, 0, "private", "x"));
	ERR(RQ(2, XS_READ, 0, "/local/domain/1/private"), "EACCES");
	/* Domain 2 (say, 1's device model) gets 1's rights. */
	OK(RQ(0, XS_SET_TARGET, 0, "2", "1"));
	READS(2, "/local/domain/1/private", "x");
	OK(wr(2, 0, "/local/domain/1/private", "y"));
	ERR(RQ(0, XS_SET_TARGET, 0, "2", "9"), "ENOENT");
	ERR(RQ(0, XS_SET_TARGET, 0, "9", "1"), "ENOENT");
	/* 1's death ends it. */
	assert_int_equal(store_disconnect(S, 1), 0);
	ERR(RQ(2, XS_READ, 0, "/local/domain/1/private"), "EACCES");
}

/* ---- Watches ------------------------------------------------------------ */

static void test_watch_initial(void **state)
{
	make_home(1);
	OK(RQ(1, XS_WATCH, 0, "/local/domain/1/x", "abs"));
	ev_expect(1, "/local/domain/1/x", "abs");
	OK(RQ(1, XS_WATCH, 0, "x", "rel"));
	ev_expect(1, "x", "rel");
	/* Even for a path it cannot read (no information: it named it). */
	OK(RQ(1, XS_WATCH, 0, "/secret", "s"));
	ev_expect(1, "/secret", "s");
	ev_none(1);
	/* The watch's tx_id is ignored. */
	OK(RQ(1, XS_WATCH, 12345, "/other", "t"));
	ev_expect(1, "/other", "t");
	ERR(RQ(1, XS_WATCH, 0, "x", "rel"), "EEXIST");
	OK(RQ(1, XS_WATCH, 0, "x", "rel2"));   /* same path, other token */
	ev_expect(1, "x", "rel2");
	ERR(RQ(1, XS_WATCH, 0, "/a//b", "t"), "EINVAL");
}

static void test_watch_fire(void **state)
{
	OK(RQ(0, XS_MKDIR, 0, "/w"));
	OK(RQ(0, XS_SET_PERMS, 0, "/w", "b0"));   /* everyone reads, writes */
	OK(RQ(1, XS_WATCH, 0, "/w/a", "t"));
	ev_expect(1, "/w/a", "t");
	OK(wr(2, 0, "/w/a", "1"));                 /* the node */
	ev_expect(1, "/w/a", "t");
	OK(wr(2, 0, "/w/a/b/c", "1"));             /* below it */
	ev_expect(1, "/w/a/b/c", "t");
	OK(wr(2, 0, "/w/ab", "1"));                /* a sibling prefix: no */
	OK(wr(2, 0, "/w", "1"));                   /* above: no */
	ev_none(1);
	OK(RQ(2, XS_MKDIR, 0, "/w/a/b"));          /* exists: no change */
	ev_none(1);
	OK(RQ(2, XS_MKDIR, 0, "/w/a/d"));
	ev_expect(1, "/w/a/d", "t");
	OK(RQ(0, XS_SET_PERMS, 0, "/w/a/d", "b0"));
	ev_expect(1, "/w/a/d", "t");
	/* The writer's own watch fires too, before its reply. */
	OK(RQ(2, XS_WATCH, 0, "/w", "mine"));
	ev_expect(2, "/w", "mine");
	OK(wr(2, 0, "/w/z", "1"));
	ev_expect(2, "/w/z", "mine");
	ev_none(1);
	/* Watching "/" sees everything readable. */
	OK(RQ(0, XS_WATCH, 0, "/", "root"));
	ev_expect(0, "/", "root");
	OK(wr(1, 0, "/w/q", "1"));
	ev_expect(0, "/w/q", "root");
	ev_expect(2, "/w/q", "mine");
}

static void test_watch_rm(void **state)
{
	OK(wr(0, 0, "/t/a/b/c", "x"));
	OK(RQ(0, XS_SET_PERMS, 0, "/t", "b0"));
	OK(RQ(0, XS_SET_PERMS, 0, "/t/a", "b0"));
	OK(RQ(0, XS_SET_PERMS, 0, "/t/a/b", "b0"));
	OK(RQ(0, XS_SET_PERMS, 0, "/t/a/b/c", "b0"));
	OK(RQ(1, XS_WATCH, 0, "/t", "above"));
	OK(RQ(1, XS_WATCH, 0, "/t/a/b", "inside"));
	OK(RQ(1, XS_WATCH, 0, "/t/a/b/c", "leaf"));
	OK(RQ(1, XS_WATCH, 0, "/t/a/none", "absent"));
	events_clear();
	OK(RQ(2, XS_RM, 0, "/t/a"));
	/* Above: the removed path; inside: each watched node that existed. */
	ev_expect(1, "/t/a", "above");
	ev_expect(1, "/t/a/b", "inside");
	ev_expect(1, "/t/a/b/c", "leaf");
	ev_none(1);
	/* Removing what is absent changes nothing. */
	OK(RQ(2, XS_RM, 0, "/t/a"));
	ev_none(1);
}

static void test_watch_relative(void **state)
{
	make_home(1);
	OK(RQ(1, XS_WATCH, 0, "device", "dev"));
	ev_expect(1, "device", "dev");
	OK(wr(0, 0, "/local/domain/1/device/vbd/768/state", "1"));
	ev_expect(1, "device/vbd/768/state", "dev");
	OK(RQ(0, XS_RM, 0, "/local/domain/1/device"));
	ev_expect(1, "device", "dev");
	/* The same path watched absolutely reports absolutely. */
	OK(RQ(1, XS_WATCH, 0, "/local/domain/1/device", "abs"));
	ev_expect(1, "/local/domain/1/device", "abs");
	OK(wr(1, 0, "device/x", "1"));
	ev_expect(1, "device/x", "dev");
	ev_expect(1, "/local/domain/1/device/x", "abs");
	OK(RQ(1, XS_UNWATCH, 0, "device", "dev"));
	OK(RQ(1, XS_UNWATCH, 0, "/local/domain/1/device", "abs"));
	OK(wr(1, 0, "device/y", "1"));
	ev_none(1);
}

static void test_watch_permission_filter(void **state)
{
	OK(RQ(0, XS_MKDIR, 0, "/f/hidden"));
	OK(RQ(0, XS_MKDIR, 0, "/f/open"));
	OK(RQ(0, XS_SET_PERMS, 0, "/f/open", "r0"));
	OK(RQ(1, XS_WATCH, 0, "/f", "t"));
	events_clear();
	/* Changes to nodes (and parents) it cannot read: no events. */
	OK(wr(0, 0, "/f/hidden/x", "1"));
	ev_none(1);
	/* A node it can read, or whose parent it can read: events. */
	OK(wr(0, 0, "/f/open", "1"));
	ev_expect(1, "/f/open", "t");
	OK(wr(0, 0, "/f/open/child", "1")); /* child n0, parent readable */
	ev_expect(1, "/f/open/child", "t");
	/* Losing read access is still told (old permissions count). */
	OK(RQ(0, XS_SET_PERMS, 0, "/f/open", "n0"));
	ev_expect(1, "/f/open", "t");
	OK(wr(0, 0, "/f/open", "2"));
	ev_none(1);
	/* Its removal: not readable, parent not readable: nothing. */
	OK(RQ(0, XS_RM, 0, "/f/open"));
	ev_none(1);
	/* Privileged watchers see everything. */
	OK(RQ(3, XS_WATCH, 0, "/f", "p"));
	ev_expect(3, "/f", "p");
	OK(wr(0, 0, "/f/hidden/y", "1"));
	ev_expect(3, "/f/hidden/y", "p");
	ev_none(1);
}

static void test_watch_special(void **state)
{
	OK(RQ(0, XS_WATCH, 0, "@introduceDomain", "in"));
	OK(RQ(0, XS_WATCH, 0, "@releaseDomain", "out"));
	OK(RQ(0, XS_WATCH, 0, "@releaseDomain/5", "out5"));
	OK(RQ(1, XS_WATCH, 0, "@releaseDomain", "guest"));
	events_clear();
	assert_int_equal(store_connect(S, 5, false), 0);
	ev_expect(0, "@introduceDomain", "in");
	ev_none(0);
	assert_int_equal(store_domain_shutdown(S, 5), 0);
	ev_expect(0, "@releaseDomain", "out");
	ev_expect(0, "@releaseDomain/5", "out5");
	assert_int_equal(store_domain_shutdown(S, 5), 0); /* once */
	ev_none(0);
	OK(RQ(0, XS_RESUME, 0, "5"));
	assert_int_equal(store_domain_shutdown(S, 5), 0);
	ev_expect(0, "@releaseDomain", "out");
	ev_expect(0, "@releaseDomain/5", "out5");
	ev_none(1);            /* the guest may not read @releaseDomain */
	OK(RQ(0, XS_SET_PERMS, 0, "@releaseDomain", "n0", "r1"));
	assert_int_equal(store_disconnect(S, 5), 0);
	ev_expect(0, "@releaseDomain", "out");
	ev_expect(0, "@releaseDomain/5", "out5");
	ev_expect(1, "@releaseDomain", "guest");
	assert_int_equal(store_disconnect(S, 5), -ENOENT); /* not again */
	ev_none(0);
	assert_int_equal(store_domain_shutdown(S, 5), -ENOENT);
	/* Other domains' events do not match @releaseDomain/5. */
	assert_int_equal(store_connect(S, 6, false), 0);
	ev_expect(0, "@introduceDomain", "in");
	assert_int_equal(store_disconnect(S, 6), 0);
	ev_expect(0, "@releaseDomain", "out");
	ev_none(0);
	/* Writes do not fire special watches. */
	OK(wr(0, 0, "/x", "1"));
	ev_none(0);
}

static void test_unwatch_reset(void **state)
{
	OK(RQ(0, XS_MKDIR, 0, "/u"));
	OK(RQ(0, XS_SET_PERMS, 0, "/u", "b0"));
	OK(RQ(1, XS_WATCH, 0, "/u", "a"));
	OK(RQ(1, XS_WATCH, 0, "/u", "b"));
	events_clear();
	ERR(RQ(1, XS_UNWATCH, 0, "/u", "c"), "ENOENT");
	ERR(RQ(1, XS_UNWATCH, 0, "/v", "a"), "ENOENT");
	ERR(RQ(2, XS_UNWATCH, 0, "/u", "a"), "ENOENT"); /* not its watch */
	OK(RQ(1, XS_UNWATCH, 0, "/u", "a"));
	OK(wr(0, 0, "/u", "1"));
	ev_expect(1, "/u", "b");
	ev_none(1);
	/* RESET_WATCHES: all watches and transactions go. */
	(void)tx_start(1);
	OK(RQ(1, XS_RESET_WATCHES, 0, ""));
	OK(wr(0, 0, "/u", "2"));
	ev_none(1);
	{
		struct store_conn_info ci;
		assert_int_equal(store_conn_info(S, 1, &ci), 0);
		assert_int_equal(ci.watches, 0);
		assert_int_equal(ci.transactions, 0);
	}
	OK(RQ(1, XS_WATCH, 0, "/u", "a")); /* may watch again */
}

static void test_watch_dedupe(void **state)
{
	OK(RQ(0, XS_MKDIR, 0, "/d"));
	OK(RQ(0, XS_SET_PERMS, 0, "/d", "b0"));
	OK(RQ(1, XS_WATCH, 0, "/d", "t"));
	events_clear();
	collect(1);
	/* Domain 1 does not read; the same event is queued once. */
	for (int i = 0; i < 10; i++)
		OK(wr(0, 0, "/d", "x"));
	OK(wr(0, 0, "/d/e", "x"));
	assert_int_equal(ev_count(1), 2);
	ev_expect(1, "/d", "t");
	ev_expect(1, "/d/e", "t");
}

struct cb_log {
	int n;
	char path[8][64];
	char token[8][16];
	struct store *s;
	bool write_back;
	bool unwatch;
};

static void cb(void *opaque, const char *path, const char *token)
{
	struct cb_log *l = opaque;

	assert_true(l->n < 8);
	snprintf(l->path[l->n], sizeof(l->path[0]), "%s", path);
	snprintf(l->token[l->n], sizeof(l->token[0]), "%s", token);
	l->n++;
	if (l->write_back && strcmp(path, "/cb/out") != 0) {
		/* Calling back in: its own events come after. */
		assert_int_equal(store_write(l->s, 0, "/cb/out", "y", 1), 0);
	}
	if (l->unwatch)
		assert_int_equal(store_unwatch(l->s, "/cb", "t"), 0);
}

static void test_local_watch(void **state)
{
	struct cb_log l = { .s = S };

	assert_int_equal(store_watch(S, "/cb", "t", cb, &l), 0);
	assert_int_equal(l.n, 1);   /* fired at once, when the call returns */
	assert_string_equal(l.path[0], "/cb");
	assert_int_equal(store_watch(S, "/cb", "t", cb, &l), -EEXIST);
	assert_int_equal(store_watch(S, "/cb", "u", NULL, NULL), -EINVAL);
	/* A guest's write calls it after the request was answered. */
	OK(RQ(0, XS_MKDIR, 0, "/cb"));
	OK(RQ(0, XS_SET_PERMS, 0, "/cb", "b0"));
	l.n = 0;
	OK(wr(1, 0, "/cb/in", "x"));
	assert_int_equal(l.n, 1);
	assert_string_equal(l.path[0], "/cb/in");
	assert_string_equal(l.token[0], "t");
	/* A callback may call the store; what that fires runs next. */
	l.n = 0;
	l.write_back = true;
	OK(wr(1, 0, "/cb/in", "z"));
	assert_int_equal(l.n, 2);
	assert_string_equal(l.path[1], "/cb/out");
	READS(0, "/cb/out", "y");
	/* Unwatching from a callback stops later events at once. */
	l.n = 0;
	l.write_back = false;
	l.unwatch = true;
	OK(wr(1, 0, "/cb/in", "x"));
	assert_int_equal(l.n, 1);
	OK(wr(1, 0, "/cb/in", "w"));
	assert_int_equal(l.n, 1);
	assert_int_equal(store_unwatch(S, "/cb", "t"), -ENOENT);
	/* Relative to /local/domain/0. */
	l.n = 0;
	l.unwatch = false;
	assert_int_equal(store_watch(S, "backend", "b", cb, &l), 0);
	assert_string_equal(l.path[0], "backend");
	assert_int_equal(store_write(S, 0, "/local/domain/0/backend/vbd", "", 0), 0);
	assert_string_equal(l.path[1], "backend/vbd");
}

/* ---- Transactions ------------------------------------------------------- */

static void test_tx_commit(void **state)
{
	uint32_t t;
	struct msg *m;

	make_home(1);
	OK(RQ(0, XS_WATCH, 0, "/local/domain/1", "w"));
	events_clear();
	t = tx_start(1);
	assert_true(t != 0);
	OK(wr(1, t, "a", "1"));
	OK(wr(1, t, "b/c", "2"));
	OK(RQ(1, XS_MKDIR, t, "d"));
	ev_none(0);
	/* Inside: its own changes. */
	m = RQ(1, XS_READ, t, "a");
	expect_data(m, "1");
	assert_int_equal(m->h.tx_id, t);
	assert_string_equal(dirlist(RQ(1, XS_DIRECTORY, t, "/local/domain/1")), "a,b,d");
	ERR(RQ(1, XS_READ, 0, "/local/domain/1/a"), "ENOENT");
	OK(RQ(1, XS_TRANSACTION_END, t, "T"));
	READS(1, "a", "1");
	READS(1, "b/c", "2");
	READS(1, "d", "");
	/* Watches fire at the commit. */
	ev_expect(0, "/local/domain/1/a", "w");
	ev_expect(0, "/local/domain/1/b/c", "w");
	ev_expect(0, "/local/domain/1/d", "w");
	ev_none(0);
	/* The id is gone. */
	ERR(RQ(1, XS_READ, t, "a"), "ENOENT");
	ERR(RQ(1, XS_TRANSACTION_END, t, "T"), "ENOENT");
	/* Permissions inside a transaction, and rm/set_perms. */
	t = tx_start(1);
	OK(RQ(1, XS_RM, t, "b"));
	OK(RQ(1, XS_SET_PERMS, t, "a", "n1", "r2"));
	ERR(RQ(1, XS_READ, t, "b/c"), "ENOENT");
	READS(1, "b/c", "2");
	ERR(RQ(2, XS_READ, 0, "/local/domain/1/a"), "EACCES");
	OK(RQ(1, XS_TRANSACTION_END, t, "T"));
	ERR(RQ(1, XS_READ, 0, "b/c"), "ENOENT");
	READS(2, "/local/domain/1/a", "1");
	assert_int_equal(store_nodes_owned(S, 1), 3); /* home, a, d */
}

static void test_tx_conflict(void **state)
{
	uint32_t t;

	make_home(1);
	OK(wr(1, 0, "x", "0"));
	OK(wr(1, 0, "y", "0"));
	/* It read x; x changes; commit fails, nothing applied. */
	t = tx_start(1);
	READS(1, "x", "0");
	expect_data(RQ(1, XS_READ, t, "x"), "0");
	OK(wr(1, t, "y", "1"));
	OK(wr(0, 0, "/local/domain/1/x", "changed"));
	ERR(RQ(1, XS_TRANSACTION_END, t, "T"), "EAGAIN");
	READS(1, "y", "0");
	/* It wrote y; y changes. */
	t = tx_start(1);
	OK(wr(1, t, "y", "1"));
	OK(wr(0, 0, "/local/domain/1/y", "other"));
	ERR(RQ(1, XS_TRANSACTION_END, t, "T"), "EAGAIN");
	READS(1, "y", "other");
	/* It saw z absent; z appears. */
	t = tx_start(1);
	ERR(RQ(1, XS_READ, t, "z"), "ENOENT");
	OK(wr(1, t, "y", "2"));
	OK(wr(0, 0, "/local/domain/1/z", "new"));
	ERR(RQ(1, XS_TRANSACTION_END, t, "T"), "EAGAIN");
	/* It listed a directory; a child appears. */
	t = tx_start(1);
	(void)RQ(1, XS_DIRECTORY, t, "/local/domain/1");
	OK(wr(1, t, "y", "3"));
	OK(wr(0, 0, "/local/domain/1/w", "new"));
	ERR(RQ(1, XS_TRANSACTION_END, t, "T"), "EAGAIN");
	/* Removed and made again meanwhile: still a change. */
	t = tx_start(1);
	expect_data(RQ(1, XS_READ, t, "x"), "changed");
	OK(RQ(0, XS_RM, 0, "/local/domain/1/x"));
	OK(wr(0, 0, "/local/domain/1/x", "changed"));
	ERR(RQ(1, XS_TRANSACTION_END, t, "T"), "EAGAIN");
	/* Unrelated changes meanwhile do not conflict. */
	t = tx_start(1);
	expect_data(RQ(1, XS_READ, t, "x"), "changed");
	OK(wr(1, t, "y", "4"));
	OK(wr(0, 0, "/elsewhere", "1"));
	OK(wr(0, 0, "/local/domain/1/z", "again")); /* existing: parent unchanged */
	OK(RQ(1, XS_TRANSACTION_END, t, "T"));
	READS(1, "y", "4");
	READS(1, "z", "again");
	/* Two transactions: the second to commit loses. */
	{
		uint32_t a = tx_start(1), b = tx_start(1);

		assert_true(a != b);
		expect_data(RQ(1, XS_READ, a, "x"), "changed");
		expect_data(RQ(1, XS_READ, b, "y"), "4");
		OK(wr(1, a, "y", "from-a"));
		OK(wr(1, b, "x", "from-b"));
		OK(RQ(1, XS_TRANSACTION_END, a, "T"));
		ERR(RQ(1, XS_TRANSACTION_END, b, "T"), "EAGAIN");
		READS(1, "y", "from-a");
		READS(1, "x", "changed");
	}
}

static void test_tx_abort(void **state)
{
	uint32_t t;

	make_home(1);
	OK(RQ(0, XS_WATCH, 0, "/local/domain/1", "w"));
	t = tx_start(1);
	OK(wr(1, t, "a", "1"));
	OK(RQ(1, XS_RM, t, "/local/domain/1"));
	events_clear();
	OK(RQ(1, XS_TRANSACTION_END, t, "F"));
	ERR(RQ(1, XS_READ, 0, "a"), "ENOENT");
	READS(0, "/local/domain/1", "");
	ev_none(0);
	/* Abort also works after a conflict. */
	t = tx_start(1);
	OK(wr(1, t, "a", "1"));
	OK(wr(0, 0, "/local/domain/1/a", "x"));
	OK(RQ(1, XS_TRANSACTION_END, t, "F"));
	ERR(RQ(1, XS_TRANSACTION_END, 0, "F"), "ENOENT");
	ERR(RQ(1, XS_TRANSACTION_END, 99, "F"), "ENOENT");
	{
		struct store_conn_info ci;
		assert_int_equal(store_conn_info(S, 1, &ci), 0);
		assert_int_equal(ci.transactions, 0);
		assert_int_equal(ci.tx_bytes, 0);
	}
}

static void test_tx_limits(void **state)
{
	uint32_t ids[10];

	make_home(1);
	for (int i = 0; i < 10; i++) {
		ids[i] = tx_start(1);
		for (int j = 0; j < i; j++)
			assert_true(ids[i] != ids[j]);
	}
	ERR(RQ(1, XS_TRANSACTION_START, 0, ""), "ENOSPC");
	(void)tx_start(2);                       /* others unaffected */
	(void)tx_start(0);
	/* No nesting; unknown ids. */
	ERR(RQ(1, XS_TRANSACTION_START, ids[0], ""), "EBUSY");
	ERR(RQ(1, XS_TRANSACTION_START, 12345, ""), "ENOENT");
	ERR(RQ(1, XS_READ, 12345, "x"), "ENOENT");
	ERR(RQ(1, XS_WRITE, 12345, "x"), "ENOENT");
	ERR(RQ(2, XS_READ, ids[9], "x"), "ENOENT"); /* not its own */
	OK(RQ(1, XS_TRANSACTION_END, ids[3], "T"));
	(void)tx_start(1);
	/* Domain 0 and privileged guests: no limit. */
	for (int i = 0; i < 20; i++)
		(void)tx_start(3);
}

static void test_tx_nodes_quota(void **state)
{
	struct store_limits l;
	char path[32];
	uint32_t t;

	teardown(state);
	store_default_limits(&l);
	l.tx_nodes = 8;
	setup_limits(&l);
	make_home(1);
	t = tx_start(1);
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "n%d", i);
		ERR(RQ(1, XS_READ, t, path), "ENOENT");
	}
	ERR(RQ(1, XS_READ, t, "n9"), "ENOSPC");
	ERR(wr(1, t, "n10", "x"), "ENOSPC");
	ERR(RQ(1, XS_READ, t, "/local/domain/1"), "ENOSPC");
	ERR(RQ(1, XS_READ, t, "n3"), "ENOENT");  /* already counted */
	(void)tx_start(2);                 /* others unaffected */
}

static void test_tx_bytes_quota(void **state)
{
	struct store_limits l;
	static char val[2000];
	struct msg *m = NULL;
	uint32_t t;
	int i;

	teardown(state);
	store_default_limits(&l);
	l.tx_bytes = 16 * 1024;
	setup_limits(&l);
	make_home(1);
	memset(val, 'v', sizeof(val) - 1);
	t = tx_start(1);
	for (i = 0; i < 100; i++) {
		m = wr(1, t, "big", val);
		if (!is_ok(m))
			break;
	}
	ERR(m, "ENOSPC");
	assert_true(i >= 2 && i < 12);
	/* The limit held: under it plus one operation. */
	{
		struct store_conn_info ci;
		assert_int_equal(store_conn_info(S, 1, &ci), 0);
		assert_true(ci.tx_bytes < l.tx_bytes + 8192);
	}
	(void)tx_start(2);                 /* others unaffected */
	OK(RQ(1, XS_TRANSACTION_END, t, "F"));
	OK(wr(1, 0, "big", val));                /* outside: fine */
}

static void test_tx_rm_recreate(void **state)
{
	uint32_t t;

	make_home(1);
	OK(wr(1, 0, "a/b", "old"));
	OK(wr(1, 0, "a/c", "old"));
	t = tx_start(1);
	OK(RQ(1, XS_RM, t, "a"));
	OK(wr(1, t, "a/b", "new"));
	ERR(RQ(1, XS_READ, t, "a/c"), "ENOENT");
	OK(RQ(1, XS_TRANSACTION_END, t, "T"));
	READS(1, "a/b", "new");
	ERR(RQ(1, XS_READ, 0, "a/c"), "ENOENT");
	assert_int_equal(store_nodes_owned(S, 1), 3);
}

static void test_tx_local(void **state)
{
	uint32_t t, t2;
	char *v;
	size_t len;

	assert_int_equal(store_tx_start(S, &t), 0);
	assert_int_equal(store_write(S, t, "/lt/a", "1", 1), 0);
	assert_int_equal(store_read(S, 0, "/lt/a", &v, &len), -ENOENT);
	assert_int_equal(store_read(S, t, "/lt/a", &v, &len), 0);
	assert_string_equal(v, "1");
	free(v);
	assert_int_equal(store_tx_end(S, t, true), 0);
	assert_int_equal(store_read(S, 0, "/lt/a", &v, &len), 0);
	free(v);
	assert_int_equal(store_tx_end(S, t, true), -ENOENT);
	assert_int_equal(store_read(S, t, "/lt/a", &v, &len), -ENOENT);
	/* Conflict. */
	assert_int_equal(store_tx_start(S, &t), 0);
	assert_int_equal(store_tx_start(S, &t2), 0);
	assert_int_equal(store_read(S, t, "/lt/a", &v, &len), 0);
	free(v);
	assert_int_equal(store_write(S, t2, "/lt/a", "2", 1), 0);
	assert_int_equal(store_write(S, t, "/lt/b", "2", 1), 0);
	assert_int_equal(store_tx_end(S, t2, true), 0);
	assert_int_equal(store_tx_end(S, t, true), -EAGAIN);
	assert_int_equal(store_read(S, 0, "/lt/b", &v, &len), -ENOENT);
}

/* ---- Domains ------------------------------------------------------------ */

struct hook_log {
	int intro, rel;
	unsigned int domid;
	int64_t gfn;
	uint32_t port;
	struct store *s;
};

static void hook_intro(void *opaque, unsigned int domid, int64_t gfn, uint32_t port)
{
	struct hook_log *h = opaque;
	char *v;
	size_t len;

	h->intro++;
	h->domid = domid;
	h->gfn = gfn;
	h->port = port;
	/* Hooks run after the request: the store is usable from them. */
	assert_int_equal(store_read(h->s, 0, "/", &v, &len), 0);
	free(v);
}

static void hook_rel(void *opaque, unsigned int domid)
{
	struct hook_log *h = opaque;

	h->rel++;
	h->domid = domid;
}

static void test_introduce_release(void **state)
{
	struct hook_log h = { .s = S };
	struct store_hooks hooks = { hook_intro, hook_rel };
	struct store_conn_info ci;

	store_set_hooks(S, &hooks, &h);
	OK(RQ(0, XS_WATCH, 0, "@introduceDomain", "in"));
	OK(RQ(0, XS_WATCH, 0, "@releaseDomain", "out"));
	events_clear();
	OK(RQ(0, XS_INTRODUCE, 0, "7", "-5", "12", ""));
	assert_int_equal(h.intro, 1);
	assert_int_equal(h.domid, 7);
	assert_int_equal(h.gfn, -5);
	assert_int_equal(h.port, 12);
	ev_expect(0, "@introduceDomain", "in");
	assert_int_equal(store_conn_info(S, 7, &ci), 0);
	assert_true(ci.introduced);
	assert_false(ci.privileged);
	expect_str(RQ(0, XS_IS_DOMAIN_INTRODUCED, 0, "7"), "T");
	/* It can talk now. */
	OK(RQ(7, XS_WATCH, 0, "/x", "t"));
	(void)tx_start(7);
	/* Again: a fresh start (watches, transactions gone), new port. */
	OK(RQ(3, XS_INTRODUCE, 0, "7", "99", "13"));
	assert_int_equal(h.intro, 2);
	assert_int_equal(h.port, 13);
	assert_int_equal(store_conn_info(S, 7, &ci), 0);
	assert_int_equal(ci.watches, 0);
	assert_int_equal(ci.transactions, 0);
	ev_none(0);  /* not introduced twice */
	ERR(RQ(0, XS_INTRODUCE, 0, "0", "1", "1"), "EINVAL");
	ERR(RQ(0, XS_INTRODUCE, 0, "32752", "1", "1"), "EINVAL");
	ERR(RQ(0, XS_INTRODUCE, 0, "8", "1", "0"), "EINVAL");
	ERR(RQ(0, XS_INTRODUCE, 0, "8", "x", "1"), "EINVAL");
	ERR(RQ(3, XS_INTRODUCE, 0, "3", "1", "1"), "EINVAL"); /* itself */
	/* Release. */
	OK(RQ(0, XS_RELEASE, 0, "7"));
	assert_int_equal(h.rel, 1);
	assert_int_equal(h.domid, 7);
	ev_expect(0, "@releaseDomain", "out");
	expect_str(RQ(0, XS_IS_DOMAIN_INTRODUCED, 0, "7"), "F");
	assert_int_equal(store_conn_info(S, 7, &ci), -ENOENT);
	ERR(RQ(0, XS_RELEASE, 0, "7"), "ENOENT");
	ERR(RQ(0, XS_RELEASE, 0, "0"), "EINVAL");
	ERR(RQ(3, XS_RELEASE, 0, "3"), "EINVAL");
	ERR(RQ(0, XS_RESUME, 0, "7"), "ENOENT");
	{
		struct xsd_sockmsg hd = { XS_READ, 1, 0, 0 };
		assert_int_equal(store_request(S, 7, &hd, NULL), -ENOENT);
	}
	/* Hooks off. */
	store_set_hooks(S, NULL, NULL);
	OK(RQ(0, XS_INTRODUCE, 0, "7", "1", "1"));
	assert_int_equal(h.intro, 2);
}

static void test_connect_errors(void **state)
{
	assert_int_equal(store_connect(S, 1, false), -EEXIST);
	assert_int_equal(store_connect(S, 0, true), -EINVAL);
	assert_int_equal(store_connect(S, STORE_DOMID_MAX + 1, false), -EINVAL);
	assert_int_equal(store_connect(S, STORE_DOMID_MAX, false), 0);
	assert_int_equal(store_disconnect(S, 0), -EINVAL);
	assert_int_equal(store_disconnect(S, 40000), -EINVAL);
	assert_int_equal(store_cut_off(S, 0), -ENOENT);
	assert_int_equal(store_cut_off(S, 44), -ENOENT);
	assert_false(store_can_request(S, 44));
	assert_true(store_can_request(S, 0));
	assert_int_equal(store_output_pending(S, 44), 0);
	assert_int_equal(store_next_output(S, 44, NULL, 0), 0);
}

static void test_disconnect_purge(void **state)
{
	struct msg *m;
	struct store_conn_info ci;

	make_home(1);
	OK(wr(1, 0, "device/vbd", "x"));
	OK(RQ(0, XS_MKDIR, 0, "/backend/1"));
	OK(RQ(0, XS_SET_PERMS, 0, "/backend/1", "n0", "r1", "b2"));
	OK(RQ(1, XS_WATCH, 0, "/x", "t"));
	(void)tx_start(1);
	assert_int_equal(store_nodes_owned(S, 1), 3);
	assert_int_equal(store_disconnect(S, 1), 0);
	/* Nodes stay, now domain 0's; entries naming 1 are gone. */
	READS(0, "/local/domain/1/device/vbd", "x");
	m = RQ(0, XS_GET_PERMS, 0, "/local/domain/1/device/vbd");
	assert_memory_equal(m->data, "n0", 3);
	m = RQ(0, XS_GET_PERMS, 0, "/backend/1");
	assert_int_equal(m->h.len, 6);
	assert_memory_equal(m->data, "n0\0b2", 6);
	assert_int_equal(store_nodes_owned(S, 1), 0);
	/* A new domain 1 inherits nothing. */
	assert_int_equal(store_connect(S, 1, false), 0);
	assert_int_equal(store_conn_info(S, 1, &ci), 0);
	assert_int_equal(ci.watches, 0);
	assert_int_equal(ci.transactions, 0);
	ERR(RQ(1, XS_READ, 0, "device/vbd"), "EACCES");
	ERR(RQ(1, XS_READ, 0, "/backend/1"), "EACCES");
	/* The toolstack's cleanup. */
	assert_int_equal(store_rm(S, 0, "/local/domain/1"), 0);
	ERR(RQ(0, XS_READ, 0, "/local/domain/1"), "ENOENT");
	/* An unconnected domain's nodes are purged too. */
	OK(RQ(0, XS_MKDIR, 0, "/local/domain/9"));
	OK(RQ(0, XS_SET_PERMS, 0, "/local/domain/9", "n9"));
	assert_int_equal(store_disconnect(S, 9), -ENOENT);
	m = RQ(0, XS_GET_PERMS, 0, "/local/domain/9");
	assert_memory_equal(m->data, "n0", 3);
}

static void test_purge_in_transaction_snapshot(void **state)
{
	uint32_t t;
	char *v;
	size_t len;

	/* Domain 2's open transaction shares the tree being purged. */
	make_home(1);
	make_home(2);
	OK(RQ(0, XS_SET_PERMS, 0, "/local/domain/1", "n1", "r2"));
	OK(wr(1, 0, "data", "x"));
	OK(RQ(1, XS_SET_PERMS, 0, "data", "n1", "r2"));
	t = tx_start(2);
	expect_data(RQ(2, XS_READ, t, "/local/domain/1/data"), "x");
	assert_int_equal(store_disconnect(S, 1), 0);
	/* Its snapshot is unchanged; 2's own entry stays; the commit
	 * conflicts (the node changed owner). */
	expect_data(RQ(2, XS_READ, t, "/local/domain/1/data"), "x");
	assert_memory_equal(RQ(2, XS_GET_PERMS, 0, "/local/domain/1/data")->data,
			"n0\0r2", 6);
	OK(wr(2, t, "/local/domain/2/seen", "x"));
	ERR(RQ(2, XS_TRANSACTION_END, t, "T"), "EAGAIN");
	assert_int_equal(store_read(S, 0, "/local/domain/1/data", &v, &len), 0);
	free(v);
}

static void test_cut_off(void **state)
{
	struct xsd_sockmsg h = { XS_READ, 1, 0, 2 };
	struct store_conn_info ci;

	OK(RQ(1, XS_WATCH, 0, "/x", "t"));
	assert_int_equal(store_request(S, 1, &h, "/"), 0);
	assert_true(store_output_pending(S, 1) > 0);
	assert_int_equal(store_cut_off(S, 1), 0);
	assert_int_equal(store_output_pending(S, 1), 0);
	assert_int_equal(store_request(S, 1, &h, "/"), -EPIPE);
	assert_false(store_can_request(S, 1));
	assert_int_equal(store_conn_info(S, 1, &ci), 0);
	assert_true(ci.cut_off);
	assert_int_equal(ci.watches, 0);
	OK(wr(0, 0, "/x", "1"));
	assert_int_equal(store_output_pending(S, 1), 0);
	expect_str(RQ(0, XS_IS_DOMAIN_INTRODUCED, 0, "1"), "T");
	/* A new INTRODUCE brings it back. */
	OK(RQ(0, XS_INTRODUCE, 0, "1", "1", "1"));
	assert_true(store_can_request(S, 1));
	ERR(RQ(1, XS_READ, 0, "x"), "EACCES");
}

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

/* ---- Direct calls --------------------------------------------------------- */

static void test_local_api(void **state)
{
	struct store_perm p[4] = { { 1, STORE_PERM_NONE }, { 2, STORE_PERM_READ } };
	unsigned int n, count;
	char *v;
	size_t len;

	assert_int_equal(store_write(S, 0, "/l/a", "v\0w", 3), 0);
	assert_int_equal(store_read(S, 0, "/l/a", &v, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(v, "v\0w", 4);
	free(v);
	assert_int_equal(store_mkdir(S, 0, "/l/b/c"), 0);
	assert_int_equal(store_directory(S, 0, "/l", &v, &len, &count), 0);
	assert_int_equal(count, 2);
	assert_int_equal(len, 4);
	assert_memory_equal(v, "a\0b", 4);
	free(v);
	assert_int_equal(store_set_perms(S, 0, "/l/a", p, 2), 0);
	memset(p, 0, sizeof(p));
	assert_int_equal(store_get_perms(S, 0, "/l/a", p, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].domid, 1);
	assert_int_equal(p[1].access, STORE_PERM_READ);
	assert_int_equal(store_get_perms(S, 0, "/l/a", p, 1, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(RQ(2, XS_READ, 0, "/l/a")->h.len, 3);
	assert_int_equal(store_rm(S, 0, "/l"), 0);
	assert_int_equal(store_read(S, 0, "/l/a", &v, &len), -ENOENT);
	assert_int_equal(store_rm(S, 0, "/l"), 0);
	assert_int_equal(store_rm(S, 0, "/l/x"), -ENOENT);
	assert_int_equal(store_write(S, 0, "bad path", "", 0), -EINVAL);
	assert_int_equal(store_write(S, 0, "/x", "", XENSTORE_PAYLOAD_MAX + 1), -E2BIG);
	assert_int_equal(store_write(S, 77, "/x", "", 0), -ENOENT);
	assert_int_equal(store_set_perms(S, 0, "/", p, 0), -EINVAL);
	p[0].access = 9;
	assert_int_equal(store_set_perms(S, 0, "/", p, 1), -EINVAL);
	assert_int_equal(store_get_perms(S, 0, "@introduceDomain", p, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(store_error_name(EAGAIN), "EAGAIN");
	assert_string_equal(store_error_name(E2BIG), "E2BIG");
	assert_string_equal(store_error_name(12345), "EINVAL");
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
		T(test_write_read),
		T(test_mkdir),
		T(test_directory),
		T(test_directory_too_big),
		T(test_directory_part),
		T(test_rm),
		T(test_get_set_perms),
		T(test_get_domain_path),
		T(test_paths),
		T(test_get_domain_path_and_relative_len),
		T(test_unknown_types),
		T(test_malformed),
		T(test_perm_read),
		T(test_perm_write_ops),
		T(test_perm_inherit),
		T(test_set_perms_owner),
		T(test_privileged_requests),
		T(test_set_target),
		T(test_watch_initial),
		T(test_watch_fire),
		T(test_watch_rm),
		T(test_watch_relative),
		T(test_watch_permission_filter),
		T(test_watch_special),
		T(test_unwatch_reset),
		T(test_watch_dedupe),
		T(test_local_watch),
		T(test_tx_commit),
		T(test_tx_conflict),
		T(test_tx_abort),
		T(test_tx_limits),
		T(test_tx_nodes_quota),
		T(test_tx_bytes_quota),
		T(test_tx_rm_recreate),
		T(test_tx_local),
		T(test_introduce_release),
		T(test_connect_errors),
		T(test_disconnect_purge),
		T(test_purge_in_transaction_snapshot),
		T(test_cut_off),
		T(test_quota_nodes),
		T(test_quota_node_size),
		T(test_quota_watches),
		T(test_quota_perms),
		T(test_quota_outstanding),
		T(test_quota_out_bytes),
		T(test_quota_path),
		T(test_deep_tree),
		T(test_local_api),
		T(test_fuzz),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
