/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store core's watches (initial firing, descendants, removal,
 * relative paths, permission filtering, the special ones) and
 * transactions (commit, conflicts, abort, limits). Harness:
 * store_harness.[ch].
 */
#include "tests/unit/store_harness.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
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
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
