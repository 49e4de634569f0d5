/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's side of a xenstore ring (see xsring.h).
 *
 * Ordering, as on the console ring (mgmt/conring.c): the producer's
 * release store of prod pairs with the consumer's acquire load of it, so
 * data is visible before the index that publishes it; the consumer's
 * release store of cons pairs with the producer's acquire load of it, so
 * a slot is reused only after its old byte was read. Loads of our own
 * index are relaxed: only the single-read rule matters for them.
 */
#include "xsring.h" /* beside it: builds with or without -I. */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HDR_BYTES ((uint32_t)sizeof(struct xsd_sockmsg))

enum step { IDLE, PROGRESS, DISPATCHED, BAD_INDEX, BAD_LENGTH };

void xsring_init(struct xsring *r, struct xenstore_domain_interface *page,
		unsigned int domid)
{
	memset(r, 0, offsetof(struct xsring, msg));
	r->page = page;
	r->domid = domid;
	r->budget = XSRING_BUDGET;
	__atomic_store_n(&page->server_features, XENSTORE_SERVER_FEATURE_ERROR,
			__ATOMIC_RELEASE);
}

/* The payload length of the header received so far. */
static uint32_t msg_len(const struct xsring *r)
{
	struct xsd_sockmsg h;

	memcpy(&h, r->msg, sizeof(h));
	return h.len;
}

static bool msg_complete(const struct xsring *r)
{
	return r->have >= HDR_BYTES && r->have == HDR_BYTES + msg_len(r);
}

/* Queued output into rsp[]: the count moved, or -1 for broken indices. */
static int push_output(struct xsring *r, struct store *s)
{
	struct xenstore_domain_interface *p = r->page;
	XENSTORE_RING_IDX prod = __atomic_load_n(&p->rsp_prod, __ATOMIC_RELAXED);
	XENSTORE_RING_IDX cons = __atomic_load_n(&p->rsp_cons, __ATOMIC_ACQUIRE);
	XENSTORE_RING_IDX used = prod - cons;
	size_t room, off, first, got;

	if (used > XENSTORE_RING_SIZE)
		return -1;
	room = XENSTORE_RING_SIZE - used;
	if (room == 0 || store_output_pending(s, r->domid) == 0)
		return 0;
	off = MASK_XENSTORE_IDX(prod);
	first = room < XENSTORE_RING_SIZE - off ? room : XENSTORE_RING_SIZE - off;
	got = store_next_output(s, r->domid, p->rsp + off, first);
	if (got == first && room > first)
		got += store_next_output(s, r->domid, p->rsp, room - first);
	__atomic_store_n(&p->rsp_prod, (XENSTORE_RING_IDX)(prod + got),
			__ATOMIC_RELEASE);
	return (int)got;
}

/* Copies n bytes from req[] at free-running index idx into the message. */
static void ring_read(struct xsring *r, XENSTORE_RING_IDX idx, uint32_t n)
{
	uint32_t off = MASK_XENSTORE_IDX(idx);
	uint32_t first = n < XENSTORE_RING_SIZE - off ? n : XENSTORE_RING_SIZE - off;

	memcpy(r->msg + r->have, r->page->req + off, first);
	memcpy(r->msg + r->have + first, r->page->req, n - first);
	r->have += n;
}

/* Hands a complete message to the store, or takes more of one. */
static enum step pull_input(struct xsring *r, struct store *s)
{
	struct xenstore_domain_interface *p = r->page;
	XENSTORE_RING_IDX cons, prod, avail;
	uint32_t want;

	if (msg_complete(r)) {
		struct xsd_sockmsg h;

		memcpy(&h, r->msg, sizeof(h));
		if (store_request(s, r->domid, &h, r->msg + HDR_BYTES) != 0)
			return IDLE; /* -EBUSY: kept until its output is read */
		r->have = 0;
		return DISPATCHED;
	}
	cons = __atomic_load_n(&p->req_cons, __ATOMIC_RELAXED);
	prod = __atomic_load_n(&p->req_prod, __ATOMIC_ACQUIRE);
	avail = prod - cons;
	if (avail > XENSTORE_RING_SIZE)
		return BAD_INDEX;
	if (avail == 0)
		return IDLE;
	want = r->have < HDR_BYTES ? HDR_BYTES - r->have :
		HDR_BYTES + msg_len(r) - r->have;
	if (want > avail)
		want = avail;
	ring_read(r, cons, want);
	__atomic_store_n(&p->req_cons, (XENSTORE_RING_IDX)(cons + want),
			__ATOMIC_RELEASE);
	if (r->have == HDR_BYTES && msg_len(r) > XENSTORE_PAYLOAD_MAX)
		return BAD_LENGTH;
	return PROGRESS;
}

/* Is a request (or part of one) waiting for the next call? */
static bool input_waiting(const struct xsring *r)
{
	XENSTORE_RING_IDX cons = __atomic_load_n(&r->page->req_cons, __ATOMIC_RELAXED);
	XENSTORE_RING_IDX prod = __atomic_load_n(&r->page->req_prod, __ATOMIC_ACQUIRE);

	return msg_complete(r) || prod != cons;
}

static unsigned int break_ring(struct xsring *r, struct store *s, uint32_t why)
{
	r->broken = true;
	__atomic_store_n(&r->page->error, why, __ATOMIC_RELEASE);
	store_cut_off(s, r->domid);
	return XSRING_BROKEN | XSRING_NOTIFY; /* let it see the error */
}

unsigned int xsring_service(struct xsring *r, struct store *s)
{
	unsigned int flags = 0, handled = 0;

	if (r->broken)
		return 0;
	for (;;) {
		int out = push_output(r, s);
		enum step in;

		if (out < 0)
			return flags | break_ring(r, s, XENSTORE_ERROR_RINGIDX);
		if (out > 0)
			flags |= XSRING_NOTIFY;
		if (handled >= r->budget) {
			if (input_waiting(r))
				flags |= XSRING_MORE;
			return flags;
		}
		in = pull_input(r, s);
		switch (in) {
		case BAD_INDEX:
			return flags | break_ring(r, s, XENSTORE_ERROR_RINGIDX);
		case BAD_LENGTH:
			return flags | break_ring(r, s, XENSTORE_ERROR_PROTO);
		case DISPATCHED:
			handled++;
			break;
		case PROGRESS:
			flags |= XSRING_NOTIFY; /* room in req[] */
			break;
		case IDLE:
			if (out == 0)
				return flags;
			break;
		}
	}
}
