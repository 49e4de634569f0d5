/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The harness of the store core's unit tests (tests/unit/test_store*.c,
 * store_harness.c): requests go in with store_request(); everything a
 * domain is sent comes back through store_next_output() and is split
 * into its one reply (checked against the request's id) and watch
 * events, kept per domain for the tests to look for.
 */
#ifndef EYRIE_TESTS_STORE_HARNESS_H
#define EYRIE_TESTS_STORE_HARNESS_H

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

struct msg {
	struct xsd_sockmsg h;
	char data[XENSTORE_PAYLOAD_MAX + 1]; /* NUL after the payload */
};

struct ev {
	unsigned int dom;
	char *path, *token;
};

#define MAX_EVENTS 4096
extern struct store *S;
extern uint32_t req_seq;             /* the id of the last request */
extern struct ev events[MAX_EVENTS];
extern int nevents;
extern struct msg last;              /* the last reply */
extern struct msg pending[64];       /* replies read while collecting */
extern int npending;
extern unsigned int pending_dom[64];

void events_clear(void);
void collect(unsigned int dom); /* moves dom's output into events[] and pending[] */
int ev_count(unsigned int dom);
void ev_expect(unsigned int dom, const char *path, const char *token);
void ev_none(unsigned int dom);
struct msg *rq_raw(unsigned int dom, uint32_t type, uint32_t tx,
		const void *payload, uint32_t len);
struct msg *rq_v(unsigned int dom, uint32_t type, uint32_t tx, ...);
struct msg *wr(unsigned int dom, uint32_t tx, const char *path,
		const char *value);
bool is_ok(const struct msg *m);
void expect_err(const struct msg *m, const char *name);
void expect_ok(const struct msg *m);
void expect_str(const struct msg *m, const char *str);
void expect_data(const struct msg *m, const char *data);
const char *dirlist(const struct msg *m);
uint32_t tx_start(unsigned int dom);
int setup(void **state);
int setup_limits(const struct store_limits *l);
int teardown(void **state);
void make_home(unsigned int dom);

#define RQ(dom, type, tx, ...) rq_v(dom, type, tx, __VA_ARGS__, (const char *)NULL)
#define OK(m) expect_ok(m)
#define ERR(m, e) expect_err(m, e)
#define READS(dom, path, v) expect_data(RQ(dom, XS_READ, 0, path), v)

#endif
