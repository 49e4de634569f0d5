/* SPDX-License-Identifier: GPL-2.0-only */
/* The store tests' harness: see store_harness.h. */
#include "tests/unit/store_harness.h"

/* Any undefined behaviour fails the run, not just a line on stderr. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

struct store *S;
uint32_t req_seq;
struct ev events[MAX_EVENTS];
int nevents;
struct msg last;        /* the last reply */
struct msg pending[64]; /* replies read while collecting */
int npending;
unsigned int pending_dom[64];

void events_clear(void)
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
void collect(unsigned int dom)
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

int ev_count(unsigned int dom)
{
	int n = 0;

	collect(dom);
	for (int i = 0; i < nevents; i++)
		n += events[i].dom == dom;
	return n;
}

/* Takes the first event of dom; asserts its path and token. */
void ev_expect(unsigned int dom, const char *path, const char *token)
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

void ev_none(unsigned int dom)
{
	int n = ev_count(dom);

	if (n)
		for (int i = 0; i < nevents; i++)
			if (events[i].dom == dom)
				fail_msg("dom %u: unexpected event %s %s", dom,
						events[i].path, events[i].token);
}

/* Sends a raw request; returns its reply (exactly one must come). */
struct msg *rq_raw(unsigned int dom, uint32_t type, uint32_t tx,
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

struct msg *rq_v(unsigned int dom, uint32_t type, uint32_t tx, ...)
{
	static char buf[3 * XENSTORE_PAYLOAD_MAX];
	va_list ap;
	uint32_t len;

	va_start(ap, tx);
	len = build(buf, ap);
	va_end(ap);
	return rq_raw(dom, type, tx, buf, len);
}

struct msg *wr(unsigned int dom, uint32_t tx, const char *path,
		const char *value)
{
	static char buf[2 * XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1, vl = strlen(value);

	memcpy(buf, path, pl);
	memcpy(buf + pl, value, vl);
	return rq_raw(dom, XS_WRITE, tx, buf, (uint32_t)(pl + vl));
}

bool is_ok(const struct msg *m)
{
	return m->h.type != XS_ERROR;
}

void expect_err(const struct msg *m, const char *name)
{
	if (m->h.type != XS_ERROR || strcmp(m->data, name))
		fail_msg("expected %s, got type %u \"%s\"", name, m->h.type,
				m->h.type == XS_ERROR ? m->data : "");
	assert_int_equal(m->h.len, strlen(name) + 1);
}

void expect_ok(const struct msg *m)
{
	if (m->h.type == XS_ERROR)
		fail_msg("expected OK, got %s", m->data);
	assert_int_equal(m->h.len, 3);
	assert_string_equal(m->data, "OK");
}

/* A reply that is one NUL-terminated string. */
void expect_str(const struct msg *m, const char *str)
{
	if (m->h.type == XS_ERROR)
		fail_msg("expected \"%s\", got %s", str, m->data);
	assert_int_equal(m->h.len, strlen(str) + 1);
	assert_string_equal(m->data, str);
}

void expect_data(const struct msg *m, const char *data)
{
	if (m->h.type == XS_ERROR)
		fail_msg("expected \"%s\", got %s", data, m->data);
	assert_int_equal(m->h.len, strlen(data));
	assert_memory_equal(m->data, data, m->h.len);
}


/* The list of a DIRECTORY reply as "a,b,c". */
const char *dirlist(const struct msg *m)
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

uint32_t tx_start(unsigned int dom)
{
	struct msg *m = RQ(dom, XS_TRANSACTION_START, 0, "");

	assert_true(is_ok(m));
	return (uint32_t)strtoul(m->data, NULL, 10);
}

int setup(void **state)
{
	S = store_new(NULL);
	assert_non_null(S);
	assert_int_equal(store_connect(S, 1, false), 0);
	assert_int_equal(store_connect(S, 2, false), 0);
	assert_int_equal(store_connect(S, 3, true), 0); /* a privileged guest */
	return 0;
}

int setup_limits(const struct store_limits *l)
{
	S = store_new(l);
	assert_non_null(S);
	assert_int_equal(store_connect(S, 1, false), 0);
	assert_int_equal(store_connect(S, 2, false), 0);
	return 0;
}

int teardown(void **state)
{
	events_clear();
	npending = 0;
	store_free(S);
	S = NULL;
	return 0;
}

/* A home for dom as a toolstack makes it: /local/domain/N owned by N. */
void make_home(unsigned int dom)
{
	char path[64], perm[16];

	snprintf(path, sizeof(path), "/local/domain/%u", dom);
	snprintf(perm, sizeof(perm), "n%u", dom);
	OK(RQ(0, XS_MKDIR, 0, path));
	OK(RQ(0, XS_SET_PERMS, 0, path, perm));
}
