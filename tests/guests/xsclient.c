/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xsclient: a PVH guest built by the management domain that drives the
 * store over its ring (HVM_PARAM_STORE_PFN / _EVTCHN), as Linux's xenbus
 * does: reads, writes, directories, permissions, watches, transactions
 * with a conflict, quotas, malformed requests; then it breaks its ring
 * (a producer index far ahead) and checks the store says so in the page's
 * error field. The store must name it as its command line does (the
 * management domain's default command line is the domain's name). The
 * quota loops try 10,000 watches and 10,000 transactions.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/hvm.h"
#include "include/public/hvm_start_info.h"
#include "include/public/io/xs_wire.h"
#include "include/public/xen.h"

const char guest_name[] = "xsclient";

#define MS 1000000ull

static volatile struct xenstore_domain_interface *ring;
static uint32_t port, txn;
static char path[64]; /* our /local/domain/N */

static void notify(void)
{
	struct evtchn_send s = { port };

	hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&s, 0, 0, 0);
}

static void wait_event(void)
{
	struct { uint32_t ports, nr; uint64_t timeout; } p = { (uint32_t)(uintptr_t)&port, 1,
								now_ns() + 10 * MS };

	hypercall(HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&p, 0, 0, 0);
}

static void put(const void *data, uint32_t len)
{
	const char *d = data;

	while (len) {
		uint32_t prod = ring->req_prod, cons = __atomic_load_n(&ring->req_cons, __ATOMIC_ACQUIRE);
		if (prod - cons == XENSTORE_RING_SIZE) {
			notify();
			wait_event();
			continue;
		}
		ring->req[MASK_XENSTORE_IDX(prod)] = *d++;
		__atomic_store_n(&ring->req_prod, prod + 1, __ATOMIC_RELEASE);
		len--;
	}
}

/* Reads len bytes of the response stream; false on a 30 s timeout (a
 * liveness bound: the store's domain may get little of a loaded host). */
static bool get(void *data, uint32_t len)
{
	char *d = data;
	uint64_t end = now_ns() + 30000 * MS;

	while (len) {
		uint32_t cons = ring->rsp_cons, prod = __atomic_load_n(&ring->rsp_prod, __ATOMIC_ACQUIRE);
		if (prod == cons) {
			if (now_ns() > end)
				return false;
			wait_event();
			continue;
		}
		*d++ = ring->rsp[MASK_XENSTORE_IDX(cons)];
		__atomic_store_n(&ring->rsp_cons, cons + 1, __ATOMIC_RELEASE);
		len--;
	}
	notify();
	return true;
}

static char reply[XENSTORE_PAYLOAD_MAX + 1];
static struct xsd_sockmsg last;
/* A watch event that came while a reply was awaited (path, token). */
static char event[256];
static bool have_event;

/* Receives one message (a reply or a watch event) into last/reply. */
static bool receive(void)
{
	if (!get(&last, sizeof(last)) || last.len > XENSTORE_PAYLOAD_MAX)
		return false;
	if (!get(reply, last.len))
		return false;
	reply[last.len] = 0;
	return true;
}

/* Sends a request of type with the given payload pieces (each with its
 * NUL when nul) and returns the reply's type (XS_ERROR: reply holds the
 * name); watch events that come first are skipped. */
static uint32_t request(uint32_t type, const char *a, const char *b, bool nul_b)
{
	static uint32_t req_id;
	uint32_t la = a ? (uint32_t)strlen(a) + 1 : 0, lb = b ? (uint32_t)strlen(b) + nul_b : 0;
	struct xsd_sockmsg h = { type, ++req_id, txn, la + lb };

	put(&h, sizeof(h));
	if (a)
		put(a, la);
	if (b)
		put(b, lb);
	notify();
	while (receive()) {
		if (last.type == XS_WATCH_EVENT && last.len <= sizeof(event)) {
			memcpy(event, reply, last.len);
			have_event = true;
		} else if (last.req_id == h.req_id) {
			return last.type;
		}
	}
	return XS_INVALID;
}

/* Sends count requests of type with argument arg (a watch path, or "")
 * and a second string b(i) if make_b, 16 at a time before reading their
 * replies (a round trip per request would take a scheduler tick each:
 * pipelined, 10,000 take seconds). Counts the replies of type want and
 * the errors named err; keeps transaction ids if ids. */
static void pipeline(uint32_t type, const char *arg, bool token, unsigned count, uint32_t want,
		     const char *err, unsigned *ok, unsigned *refused, uint32_t *ids)
{
	static uint32_t req;

	*ok = *refused = 0;
	for (unsigned done = 0; done < count;) {
		unsigned n = count - done < 16 ? count - done : 16;
		for (unsigned i = 0; i < n; i++) {
			char tok[16];
			snprintf_(tok, sizeof(tok), "p%u", done + i);
			uint32_t la = (uint32_t)strlen(arg) + 1, lb = token ? (uint32_t)strlen(tok) + 1 : 0;
			struct xsd_sockmsg h = { type, 0x10000 + ++req, 0, la + lb };
			put(&h, sizeof(h));
			put(arg, la);
			if (token)
				put(tok, lb);
		}
		notify();
		for (unsigned got = 0; got < n && receive();) {
			if (last.type == XS_WATCH_EVENT)
				continue;
			got++;
			if (last.type == want) {
				if (ids) {
					uint32_t id = 0;
					for (const char *p = reply; *p >= '0' && *p <= '9'; p++)
						id = id * 10 + (uint32_t)(*p - '0');
					ids[(*ok)++] = id;
				} else {
					(*ok)++;
				}
			} else if (last.type == XS_ERROR && !memcmp(reply, err, strlen(err) + 1)) {
				(*refused)++;
			}
		}
		done += n;
	}
}

static bool error_is(uint32_t t, const char *name)
{
	return t == XS_ERROR && !memcmp(reply, name, strlen(name) + 1);
}

/* A watch event is waiting for path and token (two strings). */
static bool event_for(const char *p, const char *token)
{
	const char *e = event;

	if (!have_event) {
		while (receive() && last.type != XS_WATCH_EVENT)
			;
		if (last.type != XS_WATCH_EVENT)
			return false;
		e = reply;
	}
	have_event = false;
	return !memcmp(e, p, strlen(p) + 1) && !memcmp(e + strlen(p) + 1, token, strlen(token) + 1);
}

static void basics(void)
{
	uint32_t r[4];

	cpuid(0x40000004, 0, r);
	snprintf_(path, sizeof(path), "%u", r[2]);
	uint32_t t = request(XS_GET_DOMAIN_PATH, path, NULL, false);
	char want[64];
	snprintf_(want, sizeof(want), "/local/domain/%u", r[2]);
	check("get-domain-path", t == XS_GET_DOMAIN_PATH && !memcmp(reply, want, strlen(want) + 1),
	      "%s", reply);
	memcpy(path, want, sizeof(want));
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;
	const char *name = si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : "";
	t = request(XS_READ, "name", NULL, false);
	check("read-name", t == XS_READ && last.len == strlen(name) && !memcmp(reply, name, last.len),
	      "type %u: %s", t, reply);
	t = request(XS_READ, "cpu/0/availability", NULL, false);
	check("read-cpu-online", t == XS_READ && !memcmp(reply, "online", 6), "%s", reply);
	t = request(XS_WRITE, "data/greeting", "hello", false);
	check("write-data", t == XS_WRITE && !memcmp(reply, "OK", 3), "type %u: %s", t, reply);
	t = request(XS_READ, "data/greeting", NULL, false);
	check("read-back", t == XS_READ && last.len == 5 && !memcmp(reply, "hello", 5), "%s", reply);
	t = request(XS_DIRECTORY, "data", NULL, false);
	check("directory", t == XS_DIRECTORY && !memcmp(reply, "greeting", 9), "%s", reply);
	t = request(XS_WRITE, "/local/domain/0/evil", "x", false);
	check("write-dom0-refused", error_is(t, "EACCES"), "type %u: %s", t, reply);
	t = request(XS_READ, "/local/domain/0/name", NULL, false);
	check("read-dom0-refused", error_is(t, "EACCES"), "type %u: %s", t, reply);
	t = request(XS_WRITE, "name", "renamed", false);
	check("write-own-name-refused", error_is(t, "EACCES"), "type %u: %s", t, reply);
	t = request(XS_READ, "data/none", NULL, false);
	check("read-missing", error_is(t, "ENOENT"), "type %u: %s", t, reply);
	t = request(99, "x", NULL, false);
	check("unknown-type", t == XS_ERROR, "type %u: %s", t, reply);
	t = request(XS_READ, NULL, "data", false); /* no NUL */
	check("unterminated-path", t == XS_ERROR, "type %u: %s", t, reply);
	t = request(XS_INTRODUCE, "5", "1", true);
	check("introduce-refused", t == XS_ERROR, "type %u: %s", t, reply);
}

static void watches(void)
{
	uint32_t t = request(XS_WATCH, "data", "tok", true);
	bool first = event_for("data", "tok");
	check("watch-initial", t == XS_WATCH && first, "type %u, event %d", t, first);
	t = request(XS_WRITE, "data/x", "1", false);
	bool ev = event_for("data/x", "tok");
	check("watch-fires", t == XS_WRITE && ev, "type %u, event %d", t, ev);
	unsigned ok = 0, refused = 0;
	pipeline(XS_WATCH, "data/q", true, 10000, XS_WATCH, "ENOSPC", &ok, &refused, NULL);
	check("watch-quota", ok > 50 && ok < 200 && ok + refused == 10000, "%u set, %u refused", ok,
	      refused);
	t = request(XS_RESET_WATCHES, "", NULL, false);
	check("reset-watches", t == XS_RESET_WATCHES, "type %u: %s", t, reply);
}

static void transactions(void)
{
	uint32_t t = request(XS_TRANSACTION_START, "", NULL, false);
	uint32_t id = 0;
	for (const char *p = reply; *p >= '0' && *p <= '9'; p++)
		id = id * 10 + (uint32_t)(*p - '0');
	check("transaction-start", t == XS_TRANSACTION_START && id, "type %u: %s", t, reply);
	txn = id;
	request(XS_READ, "data/x", NULL, false);
	t = request(XS_WRITE, "data/y", "in-tx", false);
	txn = 0;
	request(XS_WRITE, "data/x", "2", false); /* outside: conflicts with the read */
	txn = id;
	t = request(XS_TRANSACTION_END, "T", NULL, false);
	txn = 0;
	check("transaction-conflict", error_is(t, "EAGAIN"), "type %u: %s", t, reply);
	t = request(XS_READ, "data/y", NULL, false);
	check("conflict-applied-nothing", error_is(t, "ENOENT"), "type %u: %s", t, reply);
	unsigned ok = 0, refused = 0;
	static uint32_t ids[10000];
	pipeline(XS_TRANSACTION_START, "", false, 10000, XS_TRANSACTION_START, "ENOSPC", &ok,
		 &refused, ids);
	check("transaction-quota", ok >= 5 && ok < 20 && ok + refused == 10000,
	      "%u of 10000 started, %u refused", ok, refused);
	for (unsigned i = 0; i < ok; i++)
		if (ids[i]) {
			txn = ids[i];
			request(XS_TRANSACTION_END, "F", NULL, false);
		}
	txn = 0;
	t = request(XS_TRANSACTION_START, "", NULL, false);
	check("transactions-ended", t == XS_TRANSACTION_START, "type %u: %s", t, reply);
}

/* A producer index far ahead: the store must call the ring broken. */
static void break_ring(void)
{
	__atomic_store_n(&ring->req_prod, ring->req_cons + 5 * XENSTORE_RING_SIZE, __ATOMIC_RELEASE);
	notify();
	uint64_t end = now_ns() + 30000 * MS;
	while (!ring->error && now_ns() < end)
		wait_event();
	check("broken-ring-said", ring->error == XENSTORE_ERROR_RINGIDX, "error field %u",
	      ring->error);
}

void guest_main(void)
{
	uint64_t pfn = 0, evt = 0;

	hc_hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_STORE_PFN, &pfn);
	hc_hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_STORE_EVTCHN, &evt);
	if (!check("store-params", pfn == ((2u << 20) - 8192) >> 12 && evt > 0 && evt < 64,
		   "pfn 0x%llx, port %llu", (unsigned long long)pfn, (unsigned long long)evt))
		return;
	ring = (volatile struct xenstore_domain_interface *)(uintptr_t)(pfn << 12);
	port = (uint32_t)evt;
	basics();
	watches();
	transactions();
	gprintf("xsclient: ready for domain 0 at %s\n", path);
	break_ring();
}
