/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's side of a domain's xenstore ring (pure: no hypercalls, no
 * globals). The page layout and ordering rules are in
 * include/public/io/xs_wire.h; mgmt/store.h is the store it feeds.
 *
 *   req[]  domain -> store   the domain writes req_prod, we req_cons
 *   rsp[]  store -> domain   we write rsp_prod, the domain rsp_cons
 *
 * Requests may arrive in pieces over many calls; a struct xsring keeps
 * the part of a message received so far and hands each complete one to
 * store_request(). Output the store queued for the domain goes into rsp[]
 * as room allows. The page is shared, so the domain can store anything
 * in any index at any time: each call reads every index once into a
 * local, checks prod - cons against the ring size and only then copies,
 * at masked slots.
 *
 * Broken rings: an index out of range (prod - cons over
 * XENSTORE_RING_SIZE) or a message header whose len exceeds
 * XENSTORE_PAYLOAD_MAX. The call then writes the reason to the page's
 * error field (XENSTORE_ERROR_RINGIDX / _PROTO, offered through
 * XENSTORE_SERVER_FEATURE_ERROR), cuts the connection off in the store
 * (store_cut_off()) and returns XSRING_BROKEN, once: the caller reports
 * it; later calls do nothing.
 */
#ifndef EYRIE_MGMT_XSRING_H
#define EYRIE_MGMT_XSRING_H

#include <stdbool.h>
#include <stdint.h>

#include "include/public/io/xs_wire.h"
#include "mgmt/store.h"

struct xsring {
	struct xenstore_domain_interface *page;
	unsigned int domid;
	bool broken;
	unsigned int budget;   /* requests per call: XSRING_BUDGET */
	uint32_t have;         /* bytes of the current message received */
	unsigned char msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
};

/* What xsring_service() did. */
#define XSRING_NOTIFY 1u  /* an index moved: kick the domain's channel */
#define XSRING_BROKEN 2u  /* the ring broke just now (see above) */
#define XSRING_MORE   4u  /* stopped at its budget with requests waiting:
                           * call again (after serving others) */

/* Requests handled per call at most (struct xsring's budget, set by
 * xsring_init), so that one busy domain cannot hold the single-threaded
 * mgmt loop. */
#define XSRING_BUDGET 64

/* Starts serving page for domid (already store_connect()ed). Offers the
 * error field; leaves the indices alone (a guest must not assume they
 * start at 0). */
void xsring_init(struct xsring *r, struct xenstore_domain_interface *page,
		unsigned int domid);

/* Moves what can move: queued output into rsp[], complete requests from
 * req[] into the store (while store_can_request() allows; their replies
 * follow into rsp[] as room allows). Call it when the domain's channel
 * fires and whenever the store may have queued output for it (after any
 * request of another domain: watch events). Returns XSRING_* flags. */
unsigned int xsring_service(struct xsring *r, struct store *s);

#endif
