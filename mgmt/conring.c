/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PV console ring operations (see conring.h). One consumer and one
 * producer routine serve both rings; the public functions only pick the
 * ring and its indices.
 *
 * Ordering, for each ring: the producer's release store of prod pairs
 * with the consumer's acquire load of it, so the data is visible before
 * the index that publishes it; the consumer's release store of cons pairs
 * with the producer's acquire load of it, so a slot is reused only after
 * its old byte has been read. Loads of the caller's own index are relaxed:
 * only the single-read rule matters for them.
 */
#include "conring.h" /* beside it: builds with or without -I. */

#include <stddef.h>
#include <stdint.h>
#include "kernel/string.h" /* ISO prototypes: newlib, glibc or the guests' runtime */

_Static_assert((sizeof(((struct xencons_interface *)0)->in) &
		(sizeof(((struct xencons_interface *)0)->in) - 1)) == 0, "in[] size");
_Static_assert((sizeof(((struct xencons_interface *)0)->out) &
		(sizeof(((struct xencons_interface *)0)->out) - 1)) == 0, "out[] size");

/* Copy n bytes out of ring (size bytes) from free-running index idx. */
static void ring_read(char *dst, const char *ring, size_t size,
		XENCONS_RING_IDX idx, size_t n)
{
	size_t off = idx & (size - 1);
	size_t first = n < size - off ? n : size - off;

	memcpy(dst, ring + off, first);
	memcpy(dst + first, ring, n - first);
}

/* Copy n bytes into ring (size bytes) at free-running index idx. */
static void ring_write(char *ring, size_t size, XENCONS_RING_IDX idx,
		const char *src, size_t n)
{
	size_t off = idx & (size - 1);
	size_t first = n < size - off ? n : size - off;

	memcpy(ring + off, src, first);
	memcpy(ring, src + first, n - first);
}

/* Consumer side: *consp is ours, *prodp the peer's. */
static int ring_take(const char *ring, size_t size, XENCONS_RING_IDX *consp,
		const XENCONS_RING_IDX *prodp, char *buf, size_t max)
{
	XENCONS_RING_IDX cons = __atomic_load_n(consp, __ATOMIC_RELAXED);
	XENCONS_RING_IDX prod = __atomic_load_n(prodp, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX avail = prod - cons;
	size_t n;

	if (avail > size)
		return CONRING_BROKEN;
	n = avail < max ? avail : max;
	if (n == 0)
		return 0;
	ring_read(buf, ring, size, cons, n);
	__atomic_store_n(consp, (XENCONS_RING_IDX)(cons + n), __ATOMIC_RELEASE);
	return (int)n;
}

/* Producer side: *prodp is ours, *consp the peer's. */
static int ring_put(char *ring, size_t size, const XENCONS_RING_IDX *consp,
		XENCONS_RING_IDX *prodp, const char *buf, size_t len)
{
	XENCONS_RING_IDX prod = __atomic_load_n(prodp, __ATOMIC_RELAXED);
	XENCONS_RING_IDX cons = __atomic_load_n(consp, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX used = prod - cons;
	size_t n;

	if (used > size)
		return CONRING_BROKEN;
	n = size - used < len ? size - used : len;
	if (n == 0)
		return 0;
	ring_write(ring, size, prod, buf, n);
	__atomic_store_n(prodp, (XENCONS_RING_IDX)(prod + n), __ATOMIC_RELEASE);
	return (int)n;
}

int conring_take_out(struct xencons_interface *r, char *buf, size_t max)
{
	return ring_take(r->out, sizeof(r->out), &r->out_cons, &r->out_prod,
			buf, max);
}

int conring_put_in(struct xencons_interface *r, const char *buf, size_t len)
{
	return ring_put(r->in, sizeof(r->in), &r->in_cons, &r->in_prod,
			buf, len);
}

int conring_put_out(struct xencons_interface *r, const char *buf, size_t len)
{
	return ring_put(r->out, sizeof(r->out), &r->out_cons, &r->out_prod,
			buf, len);
}

int conring_take_in(struct xencons_interface *r, char *buf, size_t max)
{
	return ring_take(r->in, sizeof(r->in), &r->in_cons, &r->in_prod,
			buf, max);
}
