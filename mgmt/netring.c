/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend's side of a network interface's rings (see netring.h).
 *
 * Ordering, as for the block ring: the guest stores its requests before
 * its new req_prod (release), so our acquire load of req_prod makes them
 * visible; we store responses before our new rsp_prod (release). Between
 * publishing rsp_prod and reading rsp_event, and between writing
 * req_event and reading req_prod again, a full fence: otherwise each side
 * could miss the other's update and both sleep.
 */
#include "netring.h" /* beside it: builds with or without -I. */

#include <string.h>

#define PAGE 4096u
#define ETH_HLEN 14u

static struct xen_sring_hdr *hdr(uint8_t *sring)
{
	return (struct xen_sring_hdr *)(void *)sring;
}

static RING_IDX load_prod(uint8_t *sring)
{
	return __atomic_load_n(&hdr(sring)->req_prod, __ATOMIC_ACQUIRE);
}

/* Is prod possible? At most nr_ents requests without a response, and not
 * behind what we took. */
static bool prod_ok(RING_IDX prod, RING_IDX rsp_prod, RING_IDX req_cons, uint32_t nr_ents)
{
	RING_IDX unanswered = prod - rsp_prod;

	return unanswered <= nr_ents && (RING_IDX)(prod - req_cons) <= unanswered;
}

/* Publishes responses old..now; whether the guest's rsp_event lies in
 * between (it wants an event). */
static bool publish(uint8_t *sring, RING_IDX old, RING_IDX now)
{
	__atomic_store_n(&hdr(sring)->rsp_prod, now, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	RING_IDX event = __atomic_load_n(&hdr(sring)->rsp_event, __ATOMIC_RELAXED);
	return XEN_RING_NOTIFY(old, now, event);
}

/* ---- TX ---- */

static uint8_t *tx_slot(const struct netring_tx *r, RING_IDX i)
{
	return r->sring + sizeof(struct xen_sring_hdr) +
	       (i & (r->nr_ents - 1)) * sizeof(union netif_tx_sring_entry);
}

/* Copies slot i out of the ring: everything after looks only at the copy
 * (the barrier keeps the compiler from reading the slot again instead). */
static void tx_copy(const struct netring_tx *r, RING_IDX i, union netif_tx_sring_entry *e)
{
	memcpy(e, tx_slot(r, i), sizeof(*e));
	__asm__ volatile("" ::: "memory");
}

static int tx_break(struct netring_tx *r, const char *why, uint32_t a, uint32_t b)
{
	r->broken = true;
	r->why = why;
	r->why_val[0] = a, r->why_val[1] = b;
	return NETRING_BROKEN;
}

int netring_tx_init(struct netring_tx *r, void *sring, const struct netring_tx_caps *caps)
{
	memset(r, 0, sizeof(*r));
	r->sring = sring;
	r->nr_ents = NETIF_TX_RING_ENTRIES;
	r->caps = *caps;
	r->budget = NETRING_TX_BUDGET;
	r->rsp_prod = __atomic_load_n(&hdr(r->sring)->rsp_prod, __ATOMIC_RELAXED);
	r->rsp_pushed = r->req_cons = r->req_seen = r->rsp_prod;
	RING_IDX prod = load_prod(r->sring);
	if ((RING_IDX)(prod - r->rsp_prod) > r->nr_ents)
		return tx_break(r, "producer index %u is more than a ring ahead of the responses (%u)",
				prod, r->rsp_prod);
	return 0;
}

int netring_tx_begin(struct netring_tx *r)
{
	if (r->broken)
		return NETRING_BROKEN;
	RING_IDX prod = load_prod(r->sring);
	if (!prod_ok(prod, r->rsp_prod, r->req_cons, r->nr_ents))
		return tx_break(r, "producer index %u is impossible (%u requests taken)", prod,
				r->req_cons);
	r->req_seen = prod;
	r->taken = 0;
	if (prod != r->req_cons)
		r->st.begins++;
	return (int)(RING_IDX)(prod - r->req_cons);
}

/* The extra-info slots after the first request, from slot *i on. */
static int tx_extras(struct netring_tx *r, RING_IDX *i, struct netring_txpkt *p)
{
	union netif_tx_sring_entry e;

	do {
		if (*i == r->req_seen)
			return tx_break(r, "a frame's extra-info slots run past the producer index %u",
					r->req_seen, 0);
		if (p->nextras == NETRING_TX_EXTRAS_MAX)
			return tx_break(r, "a frame has more than %u extra-info slots",
					NETRING_TX_EXTRAS_MAX, 0);
		tx_copy(r, (*i)++, &e);
		p->nextras++;
		const struct netif_extra_info *x = &e.extra;
		switch (x->type) {
		case XEN_NETIF_EXTRA_TYPE_GSO:
			if (x->u.gso.size == 0)
				return tx_break(r, "a GSO slot with size 0", 0, 0);
			if (!((x->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 && r->caps.gso_tcpv4) ||
			      (x->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV6 && r->caps.gso_tcpv6)))
				return tx_break(r, "a GSO slot of type %u, which was not offered",
						x->u.gso.type, 0);
			p->off.gso_type = x->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 ? NETPKT_GSO_TCPV4
										     : NETPKT_GSO_TCPV6;
			p->off.gso_size = x->u.gso.size;
			break;
		case XEN_NETIF_EXTRA_TYPE_MCAST_ADD:
		case XEN_NETIF_EXTRA_TYPE_MCAST_DEL:
			p->mcast = true;
			break;
		case XEN_NETIF_EXTRA_TYPE_HASH: /* a hint for a backend with queues: none here */
			break;
		default:
			return tx_break(r, "an extra-info slot of unknown type %u", x->type, 0);
		}
		if (!(x->flags & XEN_NETIF_EXTRA_FLAG_MORE))
			return 0;
	} while (1);
}

static void drop(struct netring_txpkt *p, enum netring_drop why)
{
	if (p->status == NETIF_RSP_OKAY) {
		p->status = NETIF_RSP_ERROR;
		p->drop = (uint8_t)why;
	}
}

/* The data slots after the first (more: the first has NETTXF_more_data),
 * from slot *i on, each size taken off *left (the first slot's size field:
 * what is left is the first slot's own data). */
static int tx_chain(struct netring_tx *r, RING_IDX *i, struct netring_txpkt *p, bool more,
		    uint32_t *left)
{
	union netif_tx_sring_entry e;

	for (unsigned n = 0; more; n++) {
		if (*i == r->req_seen)
			return tx_break(r, "a frame's slots run past the producer index %u", r->req_seen,
					0);
		if (n >= NETRING_TX_SLOTS_FATAL)
			return tx_break(r, "a frame chains more than %u slots", NETRING_TX_SLOTS_FATAL, 0);
		tx_copy(r, (*i)++, &e);
		const struct netif_tx_request *q = &e.req;
		if ((uint32_t)q->offset + q->size > PAGE)
			return tx_break(r, "a slot's data (offset %u, size %u) crosses its page",
					q->offset, q->size);
		if (n >= NETRING_TX_SLOTS_MAX)
			drop(p, NETRING_DROP_SLOTS);
		else if (q->size > *left)
			drop(p, NETRING_DROP_OVERSIZE);
		else if (q->size == 0)
			drop(p, NETRING_DROP_ZERO);
		*left -= q->size <= *left ? q->size : *left;
		p->frag[p->nfrags++] = (struct netring_txfrag){ q->gref, q->offset, q->size, q->id };
		more = q->flags & NETTXF_more_data;
	}
	return 0;
}

int netring_tx_take(struct netring_tx *r, struct netring_txpkt *p)
{
	union netif_tx_sring_entry e;

	if (r->broken)
		return NETRING_BROKEN;
	if (r->req_cons == r->req_seen)
		return NETRING_NONE;
	if (r->taken >= r->budget) {
		r->st.budget_stops += r->taken == r->budget; /* once per begin */
		r->taken = r->budget + 1;
		return NETRING_BUDGET_LEFT;
	}
	RING_IDX i = r->req_cons;
	tx_copy(r, i++, &e);
	const struct netif_tx_request first = e.req;

	memset(p, 0, offsetof(struct netring_txpkt, frag));
	p->len = first.size;
	p->status = NETIF_RSP_OKAY;
	p->off.csum_blank = first.flags & NETTXF_csum_blank;
	p->off.data_validated = first.flags & NETTXF_data_validated;
	if ((first.flags & NETTXF_extra_info) && tx_extras(r, &i, p))
		return NETRING_BROKEN;
	p->frag[0] = (struct netring_txfrag){ first.gref, first.offset, 0, first.id };
	p->nfrags = 1;
	uint32_t left = first.size;
	if (tx_chain(r, &i, p, first.flags & NETTXF_more_data, &left))
		return NETRING_BROKEN;
	p->frag[0].size = (uint16_t)left; /* what the later slots leave for the first */
	if ((uint32_t)first.offset + left > PAGE)
		return tx_break(r, "a slot's data (offset %u, size %u) crosses its page", first.offset,
				left);
	if (left < ETH_HLEN)
		drop(p, NETRING_DROP_RUNT);
	if (p->mcast) { /* a control message: no data to check or move */
		p->status = NETIF_RSP_OKAY;
		p->drop = NETRING_DROP_NONE;
		r->st.mcast++;
	}
	p->nslots = (uint16_t)(i - r->req_cons);
	r->req_cons = i;
	r->taken++;
	r->st.frames++;
	r->st.slots += p->nslots;
	r->st.gso += p->off.gso_type != NETPKT_GSO_NONE;
	if (p->status != NETIF_RSP_OKAY)
		r->st.drops[p->drop]++;
	return NETRING_TOOK;
}

static void tx_put(struct netring_tx *r, uint16_t id, int16_t status)
{
	union netif_tx_sring_entry e;

	/* The guest may have written anything into the slot: the whole entry
	 * is stored, the rest zeros. */
	memset(&e, 0, sizeof(e));
	e.rsp.id = id;
	e.rsp.status = status;
	memcpy(tx_slot(r, r->rsp_prod++), &e, sizeof(e));
}

int netring_tx_respond(struct netring_tx *r, const struct netring_txpkt *p, int16_t status)
{
	if (r->broken || (RING_IDX)(r->req_cons - r->rsp_prod) < p->nslots ||
	    p->nslots != p->nfrags + p->nextras || !p->nfrags)
		return -1;
	tx_put(r, p->frag[0].id, status);
	for (unsigned i = 0; i < p->nextras; i++)
		tx_put(r, 0, NETIF_RSP_NULL);
	for (unsigned i = 1; i < p->nfrags; i++)
		tx_put(r, p->frag[i].id, status);
	r->st.responses += p->nslots;
	return 0;
}

bool netring_tx_push(struct netring_tx *r)
{
	RING_IDX old = r->rsp_pushed, now = r->rsp_prod;

	if (r->broken || old == now)
		return false;
	bool notify = publish(r->sring, old, now);
	r->rsp_pushed = now;
	r->st.pushes++;
	r->st.notifies += notify;
	return notify;
}

bool netring_tx_final_check(struct netring_tx *r)
{
	if (r->broken)
		return false;
	if (r->req_cons != r->req_seen || load_prod(r->sring) != r->req_cons)
		return true;
	__atomic_store_n(&hdr(r->sring)->req_event, r->req_cons + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load_prod(r->sring) != r->req_cons;
}

/* ---- RX ---- */

static uint8_t *rx_slot(const struct netring_rx *r, RING_IDX i)
{
	return r->sring + sizeof(struct xen_sring_hdr) +
	       (i & (r->nr_ents - 1)) * sizeof(union netif_rx_sring_entry);
}

static int rx_break(struct netring_rx *r, const char *why, uint32_t a, uint32_t b)
{
	r->broken = true;
	r->why = why;
	r->why_val[0] = a, r->why_val[1] = b;
	return NETRING_BROKEN;
}

int netring_rx_init(struct netring_rx *r, void *sring, const struct netring_rx_caps *caps)
{
	memset(r, 0, sizeof(*r));
	r->sring = sring;
	r->nr_ents = NETIF_RX_RING_ENTRIES;
	r->caps = *caps;
	r->rsp_prod = __atomic_load_n(&hdr(r->sring)->rsp_prod, __ATOMIC_RELAXED);
	r->rsp_pushed = r->req_cons = r->req_seen = r->rsp_prod;
	RING_IDX prod = load_prod(r->sring);
	if ((RING_IDX)(prod - r->rsp_prod) > r->nr_ents)
		return rx_break(r, "producer index %u is more than a ring ahead of the responses (%u)",
				prod, r->rsp_prod);
	return 0;
}

int netring_rx_begin(struct netring_rx *r)
{
	if (r->broken)
		return NETRING_BROKEN;
	RING_IDX prod = load_prod(r->sring);
	if (!prod_ok(prod, r->rsp_prod, r->req_cons, r->nr_ents))
		return rx_break(r, "producer index %u is impossible (%u requests taken)", prod,
				r->req_cons);
	if (prod != r->req_seen)
		r->st.begins++;
	r->req_seen = prod;
	return (int)(RING_IDX)(prod - r->req_cons);
}

/* Whether the frame keeps its GSO slot in this frontend. */
static bool rx_gso(const struct netring_rx *r, const struct net_offload *o)
{
	return (o->gso_type == NETPKT_GSO_TCPV4 && r->caps.gso_tcpv4) ||
	       (o->gso_type == NETPKT_GSO_TCPV6 && r->caps.gso_tcpv6);
}

unsigned netring_rx_slots(const struct netring_rx *r, uint32_t len, const struct net_offload *o)
{
	uint32_t pages = (len + PAGE - 1) / PAGE;

	if (!len || pages > NETRING_RX_PAGES_MAX || (pages > 1 && !r->caps.sg))
		return 0;
	return pages + (rx_gso(r, o) && o->gso_size);
}

int netring_rx_take(struct netring_rx *r, uint32_t len, const struct net_offload *o,
		    struct netring_rxpkt *p)
{
	unsigned n = netring_rx_slots(r, len, o);

	if (r->broken || !n)
		return -1;
	if (netring_rx_posted(r) < n) {
		r->st.waits++;
		return NETRING_NONE;
	}
	memset(p, 0, offsetof(struct netring_rxpkt, slot));
	p->len = len;
	p->extra = rx_gso(r, o) && o->gso_size;
	p->first_flags = o->csum_blank ? NETRXF_csum_blank | NETRXF_data_validated
		       : o->data_validated ? NETRXF_data_validated : 0;
	if (p->extra) {
		p->first_flags |= NETRXF_extra_info;
		p->gso.type = XEN_NETIF_EXTRA_TYPE_GSO;
		p->gso.u.gso.size = o->gso_size;
		p->gso.u.gso.type = o->gso_type == NETPKT_GSO_TCPV4 ? XEN_NETIF_GSO_TYPE_TCPV4
								      : XEN_NETIF_GSO_TYPE_TCPV6;
	}
	uint32_t off = 0;
	for (unsigned i = 0; i < n; i++) {
		union netif_rx_sring_entry e;
		memcpy(&e, rx_slot(r, r->req_cons++), sizeof(e));
		__asm__ volatile("" ::: "memory");
		struct netring_rxslot *s = &p->slot[i];
		s->id = e.req.id;
		s->gref = e.req.gref;
		if (p->extra && i == 1)
			continue; /* the GSO slot: its page stays unused */
		s->frame_off = off;
		s->size = (uint16_t)(len - off < PAGE ? len - off : PAGE);
		off += s->size;
	}
	p->nslots = (uint16_t)n;
	r->st.frames++;
	r->st.slots += n;
	r->st.gso += p->extra;
	return NETRING_TOOK;
}

static void rx_put(struct netring_rx *r, const union netif_rx_sring_entry *e)
{
	memcpy(rx_slot(r, r->rsp_prod++), e, sizeof(*e));
}

int netring_rx_finish(struct netring_rx *r, const struct netring_rxpkt *p, uint32_t failed)
{
	if (r->broken || (RING_IDX)(r->req_cons - r->rsp_prod) < p->nslots || !p->nslots)
		return -1;
	/* The last data slot: the GSO slot is never last but may follow the
	 * only page of a small GSO frame, which must not say more_data. */
	unsigned data = 0, last = p->extra && p->nslots == 2 ? 0 : p->nslots - 1u;
	for (unsigned i = 0; i < p->nslots; i++) {
		union netif_rx_sring_entry e;
		memset(&e, 0, sizeof(e));
		if (p->extra && i == 1) {
			e.extra = p->gso;
			rx_put(r, &e);
			continue;
		}
		e.rsp.id = p->slot[i].id;
		e.rsp.offset = 0;
		e.rsp.flags = (uint16_t)((i == 0 ? p->first_flags : 0) |
					 (i != last ? NETRXF_more_data : 0));
		e.rsp.status = (int16_t)p->slot[i].size;
		if (failed & (1u << data)) {
			e.rsp.status = NETIF_RSP_ERROR;
			r->st.copy_errors++;
		}
		data++;
		rx_put(r, &e);
	}
	return 0;
}

bool netring_rx_push(struct netring_rx *r)
{
	RING_IDX old = r->rsp_pushed, now = r->rsp_prod;

	if (r->broken || old == now)
		return false;
	bool notify = publish(r->sring, old, now);
	r->rsp_pushed = now;
	r->st.pushes++;
	r->st.notifies += notify;
	return notify;
}

bool netring_rx_need(struct netring_rx *r, unsigned n)
{
	if (r->broken)
		return false;
	if (netring_rx_begin(r) < 0)
		return true; /* broken now: the caller finds out at its next begin */
	if (netring_rx_posted(r) >= n)
		return true;
	__atomic_store_n(&hdr(r->sring)->req_event, r->req_cons + n, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	netring_rx_begin(r);
	return r->broken || netring_rx_posted(r) >= n;
}
