/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PV console ring operations (pure: no hypercalls, no globals; used by the
 * management domain, by test guests and by host tests). The ring layout
 * and ordering rules are in include/public/console.h.
 *
 * Who writes which index:
 *   out[]  guest -> backend   guest writes out_prod, backend out_cons
 *   in[]   backend -> guest   backend writes in_prod, guest in_cons
 * The page is shared, so the peer can store anything in any index at any
 * time. Each call therefore reads every index once into a local, checks
 * prod - cons (mod 2^32) against the ring size and only then touches the
 * data, at masked slots. A peer that lies within those bounds gets its own
 * garbage back; nothing outside the ring is ever touched.
 *
 * Errors: a ring whose prod - cons exceeds its size (a producer too far
 * ahead, or prod behind cons) is broken: the call returns CONRING_BROKEN
 * and changes nothing. The caller reports it once and stops using the
 * ring; it does not mend itself.
 */
#ifndef EYRIE_MGMT_CONRING_H
#define EYRIE_MGMT_CONRING_H

#include <stddef.h>

#include "include/public/console.h"

#define CONRING_BROKEN (-1)

/* Backend: move up to max bytes the guest wrote (out[out_cons..out_prod))
 * into buf and advance out_cons. Returns the count, 0 if none waits. */
int conring_take_out(struct xencons_interface *r, char *buf, size_t max);

/* Backend: queue as much of buf[0..len) as fits in in[] and advance
 * in_prod. Returns the count taken, 0 when the ring is full. */
int conring_put_in(struct xencons_interface *r, const char *buf, size_t len);

/* Frontend: queue as much of buf[0..len) as fits in out[] and advance
 * out_prod. Returns the count taken, 0 when the ring is full. */
int conring_put_out(struct xencons_interface *r, const char *buf, size_t len);

/* Frontend: move up to max bytes of input (in[in_cons..in_prod)) into buf
 * and advance in_cons. Returns the count, 0 if none waits. */
int conring_take_in(struct xencons_interface *r, char *buf, size_t max);

#endif
