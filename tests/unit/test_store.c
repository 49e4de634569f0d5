/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store core (mgmt/store.c) over its wire interface and its direct
 * calls: every request type, permissions allowed and refused for each
 * operation, domains (introduce, release, death), malformed requests.
 * Watches and transactions: test_store_watch.c; quotas and the fuzz:
 * test_store_quota.c; the harness: store_harness.[ch].
 */
#include "tests/unit/store_harness.h"

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
		T(test_introduce_release),
		T(test_connect_errors),
		T(test_disconnect_purge),
		T(test_purge_in_transaction_snapshot),
		T(test_cut_off),
		T(test_local_api),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
