/* SPDX-License-Identifier: MIT */
/*
 * The PV console ring (Xen's public io/console.h), our own definitions.
 * One shared page holds two byte rings between a guest (the frontend) and
 * the management domain (the backend): in[] carries typed input to the
 * guest, out[] carries the guest's output. The backend maps the page
 * through grant GNTTAB_RESERVED_CONSOLE (grant_table.h); each side kicks
 * the other over an event channel after moving an index.
 *
 * Indices are free-running 32-bit counters, never reduced: a byte's slot
 * is MASK_XENCONS_IDX(idx, ring) and prod - cons (mod 2^32) is the number
 * of bytes waiting, which a sane peer keeps at or below the ring's size.
 * Each index has one writer: a ring's producer writes its prod, its
 * consumer its cons. A producer stores the data before the new prod, a
 * consumer reads prod before the data and finishes with the data before
 * storing the new cons (release/acquire pairs; mgmt/conring.c).
 */
#ifndef EYRIE_PUBLIC_CONSOLE_H
#define EYRIE_PUBLIC_CONSOLE_H

#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;

/* Ring sizes are powers of two, so the slot is the index's low bits. */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
	char in[1024];                      /* backend -> guest */
	char out[2048];                     /* guest -> backend */
	XENCONS_RING_IDX in_cons, in_prod;  /* guest writes in_cons */
	XENCONS_RING_IDX out_cons, out_prod; /* guest writes out_prod */
};

/* Xen's layout, which existing guests were compiled against. */
_Static_assert(sizeof(struct xencons_interface) == 3088, "xencons_interface");
_Static_assert(__builtin_offsetof(struct xencons_interface, out) == 1024, "out");
_Static_assert(__builtin_offsetof(struct xencons_interface, in_cons) == 3072, "in_cons");
_Static_assert(__builtin_offsetof(struct xencons_interface, in_prod) == 3076, "in_prod");
_Static_assert(__builtin_offsetof(struct xencons_interface, out_cons) == 3080, "out_cons");
_Static_assert(__builtin_offsetof(struct xencons_interface, out_prod) == 3084, "out_prod");

#endif
