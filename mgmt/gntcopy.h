/* SPDX-License-Identifier: GPL-2.0-only */
/* One GNTTABOP_copy operation between a guest's granted page and ours,
 * as the block and network backends batch them. */
#ifndef EYRIE_MGMT_GNTCOPY_H
#define EYRIE_MGMT_GNTCOPY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "include/public/grant_table.h"

/* c: len bytes between dom's page gref (at goff) and ours at local, both
 * within their pages; to_guest says which way. */
static inline void gntcopy_set(struct gnttab_copy *c, bool to_guest, domid_t dom,
			       grant_ref_t gref, uint32_t goff, const uint8_t *local, uint32_t len)
{
	struct gnttab_copy_ptr *g = to_guest ? &c->dest : &c->source;
	struct gnttab_copy_ptr *l = to_guest ? &c->source : &c->dest;

	memset(c, 0, sizeof(*c));
	g->u.ref = gref;
	g->domid = dom;
	g->offset = (uint16_t)goff;
	l->u.gmfn = (uintptr_t)local >> 12; /* our memory: physical = virtual */
	l->domid = DOMID_SELF;
	l->offset = (uint16_t)((uintptr_t)local & 4095);
	c->len = (uint16_t)len;
	c->flags = to_guest ? GNTCOPY_dest_gref : GNTCOPY_source_gref;
}

#endif
