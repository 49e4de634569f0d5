/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend's side of a block ring (see blkring.h).
 *
 * Ordering: the guest stores a request before its new req_prod (release),
 * so our acquire load of req_prod makes the request visible; we store a
 * response before our new rsp_prod (release). Between publishing rsp_prod
 * and reading rsp_event, and between writing req_event and reading
 * req_prod again, a full fence: otherwise each side could miss the
 * other's update and both sleep.
 */
#include "blkring.h" /* beside it: builds with or without -I. */

#include <string.h>

#define SECTOR 512u

static struct xen_sring_hdr *hdr(const struct blkring *r)
{
	return (struct xen_sring_hdr *)(void *)r->sring;
}

static size_t entry_size(const struct blkring *r)
{
	return r->abi == BLKRING_ABI_X86_64 ? sizeof(union blkif_sring_entry)
					    : sizeof(union blkif_x86_32_sring_entry);
}

static uint8_t *slot(const struct blkring *r, RING_IDX i)
{
	return r->sring + sizeof(struct xen_sring_hdr) + (i & (r->nr_ents - 1)) * entry_size(r);
}

int blkring_init(struct blkring *r, void *sring, unsigned int order, enum blkring_abi abi,
		 const struct blkring_disk *disk)
{
	memset(r, 0, sizeof(*r));
	r->sring = sring;
	r->abi = abi;
	r->disk = *disk;
	r->nr_ents = abi == BLKRING_ABI_X86_64 ? BLKIF_RING_ENTRIES(order)
					       : BLKIF_X86_32_RING_ENTRIES(order);
	r->budget = BLKRING_BUDGET;
	/* Take over where the guest's responses are: a fresh ring says 0, a
	 * ring kept across a reconnection says where it got to. */
	r->rsp_prod = __atomic_load_n(&hdr(r)->rsp_prod, __ATOMIC_RELAXED);
	r->rsp_pushed = r->req_cons = r->req_seen = r->rsp_prod;
	RING_IDX prod = __atomic_load_n(&hdr(r)->req_prod, __ATOMIC_ACQUIRE);
	if ((RING_IDX)(prod - r->rsp_prod) > r->nr_ents) {
		r->broken = true;
		return BLKRING_BROKEN;
	}
	return 0;
}

/* Is prod possible? At most nr_ents requests without a response, and not
 * behind what we took. */
static bool prod_ok(const struct blkring *r, RING_IDX prod)
{
	RING_IDX unanswered = prod - r->rsp_prod;

	return unanswered <= r->nr_ents && (RING_IDX)(prod - r->req_cons) <= unanswered;
}

int blkring_begin(struct blkring *r)
{
	if (r->broken)
		return 0;
	RING_IDX prod = __atomic_load_n(&hdr(r)->req_prod, __ATOMIC_ACQUIRE);
	if (!prod_ok(r, prod)) {
		r->broken = true;
		return BLKRING_BROKEN;
	}
	r->req_seen = prod;
	r->taken = 0;
	if (prod != r->req_cons)
		r->st.begins++;
	return (int)(RING_IDX)(prod - r->req_cons);
}

/* A request in neither layout: the fields every operation has, the
 * segments, and the discard and indirect ones. */
struct raw {
	uint8_t op, nr_segs8, flag, indirect_op;
	uint16_t nr_segs16;
	uint64_t id, sector, nr_sectors;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	grant_ref_t indirect[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};

static void decode64(const void *e, struct raw *w)
{
	const struct blkif_request *rq = e;
	const struct blkif_request_discard *d = e;
	const struct blkif_request_indirect *in = e;

	w->op = rq->operation;
	w->nr_segs8 = rq->nr_segments;
	w->id = rq->id;
	w->sector = rq->sector_number;
	memcpy(w->seg, rq->seg, sizeof(w->seg));
	w->flag = d->flag;
	w->nr_sectors = d->nr_sectors;
	w->indirect_op = in->indirect_op;
	w->nr_segs16 = in->nr_segments;
	memcpy(w->indirect, in->indirect_grefs, sizeof(w->indirect));
	if (w->op == BLKIF_OP_INDIRECT)
		w->sector = in->sector_number, w->id = in->id;
}

static void decode32(const void *e, struct raw *w)
{
	const struct blkif_x86_32_request *rq = e;
	const struct blkif_x86_32_request_discard *d = e;
	const struct blkif_x86_32_request_indirect *in = e;

	w->op = rq->operation;
	w->nr_segs8 = rq->nr_segments;
	w->id = rq->id;
	w->sector = rq->sector_number;
	memcpy(w->seg, rq->seg, sizeof(w->seg));
	w->flag = d->flag;
	w->nr_sectors = d->nr_sectors;
	w->indirect_op = in->indirect_op;
	w->nr_segs16 = in->nr_segments;
	memcpy(w->indirect, in->indirect_grefs, sizeof(w->indirect));
	if (w->op == BLKIF_OP_INDIRECT)
		w->sector = in->sector_number, w->id = in->id;
}

/* Sector alignment for the disk's logical sector size. */
static bool aligned(const struct blkring *r, uint64_t sectors512)
{
	return sectors512 % (r->disk.sector_size / SECTOR) == 0;
}

/* The range [sector, sector + n) lies on the disk (no overflow). */
static bool in_disk(const struct blkring *r, uint64_t sector, uint64_t n)
{
	return sector <= r->disk.sectors && n <= r->disk.sectors - sector;
}

/* Checks q->seg[0..nr_segs) and the range they cover; sets nr_sectors and
 * status. */
static void check_segments(const struct blkring *r, struct blkreq *q)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < q->nr_segs; i++) {
		const struct blkif_request_segment *s = &q->seg[i];
		if (s->first_sect > s->last_sect || s->last_sect > 7 ||
		    !aligned(r, s->first_sect) || !aligned(r, (uint64_t)s->last_sect + 1)) {
			q->status = BLKIF_RSP_ERROR;
			return;
		}
		total += (uint64_t)s->last_sect - s->first_sect + 1;
	}
	q->nr_sectors = total;
	if (!aligned(r, q->sector) || !in_disk(r, q->sector, total))
		q->status = BLKIF_RSP_ERROR;
}

/* READ, WRITE and FLUSH_DISKCACHE: segments in the request itself. */
static void take_rw(const struct blkring *r, const struct raw *w, struct blkreq *q)
{
	unsigned min = q->op == BLKIF_OP_FLUSH_DISKCACHE ? 0 : 1;

	if (q->op == BLKIF_OP_FLUSH_DISKCACHE && !r->disk.flush) {
		q->status = BLKIF_RSP_EOPNOTSUPP;
		return;
	}
	q->nr_segs = w->nr_segs8;
	if (w->nr_segs8 < min || w->nr_segs8 > BLKIF_MAX_SEGMENTS_PER_REQUEST ||
	    (r->disk.readonly && q->op != BLKIF_OP_READ && w->nr_segs8)) {
		q->nr_segs = 0;
		q->status = BLKIF_RSP_ERROR;
		return;
	}
	memcpy(q->seg, w->seg, q->nr_segs * sizeof(q->seg[0]));
	if (q->nr_segs) /* an empty flush's sector means nothing (Linux leaves any there) */
		check_segments(r, q);
}

static void take_discard(const struct blkring *r, const struct raw *w, struct blkreq *q)
{
	q->nr_sectors = w->nr_sectors;
	if (!r->disk.discard || (w->flag & BLKIF_DISCARD_SECURE))
		q->status = BLKIF_RSP_EOPNOTSUPP;
	else if (r->disk.readonly || !aligned(r, q->sector) || !aligned(r, q->nr_sectors) ||
		 !in_disk(r, q->sector, q->nr_sectors))
		q->status = BLKIF_RSP_ERROR;
}

/* INDIRECT: the header now, the segments once fetched (blkring_indirect). */
static void take_indirect(const struct blkring *r, const struct raw *w, struct blkreq *q)
{
	q->op = w->indirect_op;
	if (!r->disk.max_indirect) {
		q->status = BLKIF_RSP_EOPNOTSUPP;
		return;
	}
	if ((q->op != BLKIF_OP_READ && q->op != BLKIF_OP_WRITE) ||
	    (q->op == BLKIF_OP_WRITE && r->disk.readonly) ||
	    w->nr_segs16 == 0 || w->nr_segs16 > r->disk.max_indirect ||
	    w->nr_segs16 > BLKRING_MAX_INDIRECT || !aligned(r, q->sector)) {
		q->status = BLKIF_RSP_ERROR;
		return;
	}
	q->nr_segs = w->nr_segs16;
	q->nr_indirect = (uint8_t)((q->nr_segs + BLKIF_SEGS_PER_INDIRECT_FRAME - 1) /
				   BLKIF_SEGS_PER_INDIRECT_FRAME);
	q->nr_indirect_bytes = q->nr_segs * (uint32_t)sizeof(struct blkif_request_segment);
	memcpy(q->indirect, w->indirect, sizeof(q->indirect));
}

int blkring_take(struct blkring *r, struct blkreq *q)
{
	union { union blkif_sring_entry e64; union blkif_x86_32_sring_entry e32; } copy;
	struct raw w;

	if (r->broken || r->req_cons == r->req_seen)
		return BLKRING_NONE;
	if (r->taken >= r->budget) {
		r->st.budget_stops++;
		return BLKRING_BUDGET_LEFT;
	}
	/* The guest may rewrite the slot at any time: everything below looks
	 * only at this copy (the barrier keeps the compiler from reading the
	 * slot again instead). */
	memcpy(&copy, slot(r, r->req_cons), entry_size(r));
	__asm__ volatile("" ::: "memory");
	r->req_cons++;
	r->taken++;
	r->st.requests++;
	memset(&w, 0, sizeof(w));
	(r->abi == BLKRING_ABI_X86_64 ? decode64 : decode32)(&copy, &w);
	memset(q, 0, offsetof(struct blkreq, seg));
	q->id = w.id;
	q->ring_op = q->op = w.op;
	q->sector = w.sector;
	switch (w.op) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
	case BLKIF_OP_FLUSH_DISKCACHE:
		take_rw(r, &w, q);
		break;
	case BLKIF_OP_DISCARD:
		take_discard(r, &w, q);
		break;
	case BLKIF_OP_INDIRECT:
		take_indirect(r, &w, q);
		break;
	default: /* WRITE_BARRIER (not offered), RESERVED_1, garbage */
		q->status = BLKIF_RSP_EOPNOTSUPP;
		break;
	}
	if (q->status != BLKIF_RSP_OKAY) {
		q->nr_indirect = 0;
		r->st.refused++;
	}
	return BLKRING_TOOK;
}

void blkring_indirect(struct blkring *r, struct blkreq *q, const void *descs)
{
	memmove(q->seg, descs, q->nr_indirect_bytes); /* descs may be q->seg itself */
	q->nr_indirect = 0;
	check_segments(r, q);
	if (q->status != BLKIF_RSP_OKAY)
		r->st.refused++;
}

int blkring_respond(struct blkring *r, uint64_t id, uint8_t op, int16_t status)
{
	if (r->broken || r->rsp_prod == r->req_cons)
		return -1;
	/* The guest may have written anything into the slot meanwhile: the
	 * whole response is stored, padding as zeros. */
	if (r->abi == BLKRING_ABI_X86_64) {
		struct blkif_response rsp;
		memset(&rsp, 0, sizeof(rsp));
		rsp.id = id, rsp.operation = op, rsp.status = status;
		memcpy(slot(r, r->rsp_prod), &rsp, sizeof(rsp));
	} else {
		struct blkif_x86_32_response rsp;
		memset(&rsp, 0, sizeof(rsp));
		rsp.id = id, rsp.operation = op, rsp.status = status;
		memcpy(slot(r, r->rsp_prod), &rsp, sizeof(rsp));
	}
	r->rsp_prod++;
	r->st.responses++;
	return 0;
}

bool blkring_push(struct blkring *r)
{
	RING_IDX old = r->rsp_pushed, now = r->rsp_prod;

	if (r->broken || old == now)
		return false;
	__atomic_store_n(&hdr(r)->rsp_prod, now, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	RING_IDX event = __atomic_load_n(&hdr(r)->rsp_event, __ATOMIC_RELAXED);
	r->rsp_pushed = now;
	r->st.pushes++;
	bool notify = XEN_RING_NOTIFY(old, now, event);
	r->st.notifies += notify;
	return notify;
}

/* Requests waiting, by a fresh read of req_prod; a nonsense one counts as
 * work too (the next blkring_begin() finds the ring broken). */
static bool waiting(const struct blkring *r)
{
	RING_IDX prod = __atomic_load_n(&hdr(r)->req_prod, __ATOMIC_ACQUIRE);

	return prod != r->req_cons;
}

bool blkring_final_check(struct blkring *r)
{
	if (r->broken)
		return false;
	if (r->req_cons != r->req_seen || waiting(r))
		return true;
	__atomic_store_n(&hdr(r)->req_event, r->req_cons + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return waiting(r);
}
