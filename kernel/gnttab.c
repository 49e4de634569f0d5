/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables, v1 (see gnttab.h).
 *
 * The rules are Xen's (common/grant_table.c): an entry is checked only by
 * its first use, which records user and frame hypervisor-side; later uses
 * by the same domain share them, so a guest rewriting an entry in use
 * changes nothing for the uses already granted. The first use, and the
 * first writable one, set GTF_reading / GTF_writing with a compare-and-swap
 * on the 32-bit word holding flags (low half) and domid (high half): the
 * value checked is the value replaced, so a concurrent rewrite by the guest
 * makes the CAS fail and the check run again on the new value. A guest that
 * keeps rewriting gets GNTST_general_error after a few rounds instead of
 * livelocking us. GTF_reading stays set while any use is live, GTF_writing
 * while a writable one is.
 */
#include "kernel/gnttab.h"
#include "kernel/errno.h"
#include "kernel/string.h"

#define CAS_TRIES 5
#define MAX_USES (1u << 30)         /* per entry; keeps readers + writers exact */
#define NO_LINK 0xffffffffu         /* end of the maptrack free list */
#define DOMID_FIRST_RESERVED 0x7ff0 /* ids from here on name no domain */
#define nr_entries(gt) ((gt)->nr_frames * (uint32_t)GNTTAB_PER_FRAME)

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "flags are the low half");

/* Word 0 of an entry is flags+domid, word 1 the frame. Only atomics
 * touch guest entries. */
static uint32_t *entry_word(struct gnttab *gt, grant_ref_t ref)
{
	return (uint32_t *)(void *)&gt->shared[ref];
}

int gnttab_init(struct gnttab *gt, domid_t domid, struct gnttab_active *active, uint32_t max_frames)
{
	if (!active || !max_frames || max_frames > GNTTAB_MAX_FRAMES)
		return -EINVAL;
	memset(active, 0, max_frames * GNTTAB_PER_FRAME * sizeof(*active));
	*gt = (struct gnttab){ .active = active, .max_frames = max_frames, .domid = domid };
	return 0;
}

int gnttab_setup_check(const struct gnttab *gt, uint32_t nr_frames, uint32_t *grow_to)
{
	if (nr_frames > gt->max_frames)
		return GNTST_general_error;
	*grow_to = nr_frames > gt->nr_frames ? nr_frames : gt->nr_frames;
	return GNTST_okay;
}

int gnttab_grow(struct gnttab *gt, struct grant_entry_v1 *shared, uint32_t nr_frames)
{
	if (nr_frames < gt->nr_frames || nr_frames > gt->max_frames || (!shared && nr_frames))
		return -EINVAL;
	spin_lock(&gt->lock);
	gt->shared = shared;
	gt->nr_frames = nr_frames;
	spin_unlock(&gt->lock);
	return 0;
}

void gnttab_query_size(const struct gnttab *gt, struct gnttab_query_size *op)
{
	op->nr_frames = gt->nr_frames;
	op->max_nr_frames = gt->max_frames;
	op->status = GNTST_okay;
}

int gnttab_set_version(struct gnttab_set_version *op)
{
	uint32_t want = op->version;

	op->version = 1;
	return want == 1 ? 0 : want == 2 ? -ENOSYS : -EINVAL;
}

/* Sets GTF_reading (and GTF_writing) in the entry, starting from the
 * snapshot seen; first: also check type and domid (not in use yet). */
static int mark_busy(uint32_t *word, uint32_t seen, domid_t user, unsigned how, bool first)
{
	bool wr = how & GNTTAB_USE_WRITE;
	uint32_t mask = GTF_type_mask | (how & GNTTAB_USE_MAP ? GTF_sub_page : 0);

	for (int tries = 0; tries < CAS_TRIES; tries++) {
		if ((first && ((seen & mask) != GTF_permit_access || seen >> 16 != user)) ||
		    (wr && (seen & GTF_readonly)))
			return GNTST_general_error;
		if (__atomic_compare_exchange_n(word, &seen, seen | GTF_reading |
						(wr ? GTF_writing : 0), false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return GNTST_okay;
	}
	return GNTST_general_error; /* the guest keeps changing the entry */
}

static int acquire_locked(struct gnttab *gt, grant_ref_t ref, domid_t user, unsigned how,
			  uint32_t seen, uint32_t *frame)
{
	bool wr = how & GNTTAB_USE_WRITE;

	if (ref >= nr_entries(gt))
		return GNTST_bad_gntref;
	struct gnttab_active *act = &gt->active[ref];
	uint32_t pins = act->readers + act->writers;
	if ((pins && act->domid != user) || pins >= MAX_USES)
		return GNTST_general_error;
	if (!pins || (wr && !act->writers)) {
		if (mark_busy(entry_word(gt, ref), seen, user, how, !pins) != GNTST_okay)
			return GNTST_general_error;
		if (!pins) {
			/* The guest wrote frame before flags (with a barrier). */
			act->frame = __atomic_load_n(entry_word(gt, ref) + 1, __ATOMIC_ACQUIRE);
			act->domid = user;
		}
	}
	*(wr ? &act->writers : &act->readers) += 1;
	*frame = act->frame;
	return GNTST_okay;
}

int gnttab_acquire_from(struct gnttab *gt, grant_ref_t ref, domid_t user, unsigned how,
			uint32_t seen, uint32_t *frame)
{
	spin_lock(&gt->lock);
	int rc = acquire_locked(gt, ref, user, how, seen, frame);
	spin_unlock(&gt->lock);
	return rc;
}

int gnttab_acquire(struct gnttab *gt, grant_ref_t ref, domid_t user, unsigned how, uint32_t *frame)
{
	uint32_t seen = ref < nr_entries(gt) ?
		__atomic_load_n(entry_word(gt, ref), __ATOMIC_ACQUIRE) : 0;

	return gnttab_acquire_from(gt, ref, user, how, seen, frame);
}

static int release_locked(struct gnttab *gt, grant_ref_t ref, unsigned how)
{
	bool wr = how & GNTTAB_USE_WRITE;
	uint32_t clear = 0;

	if (ref >= nr_entries(gt))
		return -EINVAL;
	struct gnttab_active *act = &gt->active[ref];
	if (wr ? !act->writers : !act->readers)
		return -EINVAL;
	if (!--*(wr ? &act->writers : &act->readers) && wr)
		clear |= GTF_writing;
	if (!act->readers && !act->writers)
		clear |= GTF_reading;
	/* Release order: the caller's accesses end before the granter sees it free. */
	if (clear)
		__atomic_fetch_and(entry_word(gt, ref), ~clear, __ATOMIC_RELEASE);
	return 0;
}

int gnttab_release(struct gnttab *gt, grant_ref_t ref, unsigned how)
{
	spin_lock(&gt->lock);
	int rc = release_locked(gt, ref, how);
	spin_unlock(&gt->lock);
	return rc;
}

static struct gnttab *lookup(const struct gnttab_env *env, domid_t dom)
{
	dom = dom == DOMID_SELF ? env->self : dom;
	return dom < DOMID_FIRST_RESERVED ? env->table(env->opaque, dom) : NULL;
}

/* A use of grant ref of gt by env->self and the host address of its page. */
static int use_page(const struct gnttab_env *env, struct gnttab *gt, grant_ref_t ref,
		    unsigned how, void **host)
{
	uint32_t frame;
	int rc = gnttab_acquire(gt, ref, env->self, how, &frame);

	if (rc != GNTST_okay)
		return rc;
	*host = env->page(env->opaque, gt->domid, frame, how & GNTTAB_USE_WRITE);
	if (*host)
		return GNTST_okay;
	gnttab_release(gt, ref, how);
	return GNTST_bad_page;
}

/* Takes one side of a copy: a use of the grant, or the caller's own frame. */
static int copy_side(const struct gnttab_env *env, const struct gnttab_copy_ptr *p,
		     struct gnttab *gt, bool wr, struct gnttab_copy_side *s)
{
	void *host = NULL;
	int rc;

	if (gt)
		rc = use_page(env, gt, p->u.ref, wr ? GNTTAB_USE_WRITE : 0, &host);
	else if ((host = env->page(env->opaque, env->self, p->u.gmfn, wr)))
		rc = GNTST_okay;
	else
		rc = GNTST_bad_page;
	*s = (struct gnttab_copy_side){ host, rc == GNTST_okay ? gt : NULL, p->u.ref };
	return rc;
}

int gnttab_copy_check(const struct gnttab_env *env, const struct gnttab_copy *op,
		      struct gnttab_copy_plan *plan)
{
	bool sg = op->flags & GNTCOPY_source_gref, dg = op->flags & GNTCOPY_dest_gref;
	struct gnttab *st = NULL, *dt = NULL;

	if (op->source.offset + op->len > GNTTAB_PAGE_SIZE ||
	    op->dest.offset + op->len > GNTTAB_PAGE_SIZE)
		return GNTST_bad_copy_arg;
	if ((!sg && op->source.domid != DOMID_SELF) || (!dg && op->dest.domid != DOMID_SELF))
		return GNTST_permission_denied;
	if ((sg && !(st = lookup(env, op->source.domid))) ||
	    (dg && !(dt = lookup(env, op->dest.domid))))
		return GNTST_bad_domain;
	int rc = copy_side(env, &op->source, st, false, &plan->src);
	if (rc != GNTST_okay)
		return rc;
	rc = copy_side(env, &op->dest, dt, true, &plan->dst);
	if (rc != GNTST_okay) {
		gnttab_copy_done(plan); /* the source only: copy_side cleared dst.gt */
		return rc;
	}
	plan->src.ptr += op->source.offset;
	plan->dst.ptr += op->dest.offset;
	plan->len = op->len;
	return GNTST_okay;
}

void gnttab_copy_done(struct gnttab_copy_plan *plan)
{
	if (plan->src.gt)
		gnttab_release(plan->src.gt, plan->src.ref, 0);
	if (plan->dst.gt)
		gnttab_release(plan->dst.gt, plan->dst.ref, GNTTAB_USE_WRITE);
	plan->src.gt = plan->dst.gt = NULL;
}

unsigned gnttab_copy_batch(const struct gnttab_env *env, struct gnttab_copy *ops, unsigned count)
{
	struct gnttab_copy_plan plan;
	unsigned failed = 0;

	for (unsigned i = 0; i < count; i++) {
		int rc = gnttab_copy_check(env, &ops[i], &plan);

		if (rc == GNTST_okay) {
			memmove(plan.dst.ptr, plan.src.ptr, plan.len); /* may be one page */
			gnttab_copy_done(&plan);
		}
		ops[i].status = (int16_t)rc;
		failed += rc != GNTST_okay;
	}
	return failed;
}

void gnttab_maptrack_init(struct gnttab_maptrack *mt, struct gnttab_mapping *map, uint32_t size)
{
	*mt = (struct gnttab_maptrack){ .map = map, .size = size, .free = NO_LINK };
	for (uint32_t h = size; h-- > 0;) { /* handle 0 first */
		map[h] = (struct gnttab_mapping){ .ref = mt->free };
		mt->free = h;
	}
}

int64_t gnttab_handle_alloc(struct gnttab_maptrack *mt)
{
	uint32_t h = mt->free;

	if (h == NO_LINK) /* full */
		return -ENOSPC;
	mt->free = mt->map[h].ref;
	mt->map[h] = (struct gnttab_mapping){ .flags = GNTMAP_host_map, .domid = DOMID_INVALID };
	mt->used++;
	return h;
}

int gnttab_map(const struct gnttab_env *env, struct gnttab_maptrack *mt,
	       struct gnttab_map_grant_ref *op, struct gnttab_mapping *m)
{
	uint32_t fl = op->flags;
	unsigned how = GNTTAB_USE_MAP | (fl & GNTMAP_readonly ? 0 : GNTTAB_USE_WRITE);
	struct gnttab *gt;
	void *host;

	if (!(fl & (GNTMAP_device_map | GNTMAP_host_map)))
		return GNTST_bad_gntref;
	if ((fl & (GNTMAP_application_map | GNTMAP_contains_pte)) ||
	    ((fl & GNTMAP_device_map) && !env->device))
		return GNTST_general_error;
	if ((fl & GNTMAP_host_map) && (op->host_addr & (GNTTAB_PAGE_SIZE - 1)))
		return GNTST_bad_virt_addr;
	if (op->dom >= DOMID_FIRST_RESERVED || !(gt = env->table(env->opaque, op->dom)))
		return GNTST_bad_domain;
	if (mt->free == NO_LINK)
		return GNTST_no_device_space; /* Xen's code for a full maptrack */
	int rc = use_page(env, gt, op->ref, how, &host);
	if (rc != GNTST_okay)
		return rc;
	op->handle = (grant_handle_t)gnttab_handle_alloc(mt); /* a handle is free */
	mt->map[op->handle] = (struct gnttab_mapping){
		fl & GNTMAP_host_map ? op->host_addr / GNTTAB_PAGE_SIZE : 0, host, op->ref, op->dom,
		(uint16_t)(fl & (GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly)) };
	*m = mt->map[op->handle];
	return GNTST_okay;
}

int gnttab_unmap_check(const struct gnttab_maptrack *mt,
		       const struct gnttab_unmap_grant_ref *op, struct gnttab_mapping *m)
{
	if (op->handle >= mt->size || !mt->map[op->handle].flags)
		return GNTST_bad_handle;
	if ((mt->map[op->handle].flags & GNTMAP_host_map) &&
	    op->host_addr != mt->map[op->handle].gfn * GNTTAB_PAGE_SIZE)
		return GNTST_general_error;
	*m = mt->map[op->handle];
	return GNTST_okay;
}

int gnttab_unmap_done(const struct gnttab_env *env, struct gnttab_maptrack *mt,
		      grant_handle_t handle)
{
	struct gnttab *gt;

	if (handle >= mt->size || !mt->map[handle].flags)
		return -EINVAL;
	struct gnttab_mapping *m = &mt->map[handle];
	if ((gt = lookup(env, m->domid)))
		gnttab_release(gt, m->ref, GNTTAB_USE_MAP |
			       (m->flags & GNTMAP_readonly ? 0 : GNTTAB_USE_WRITE));
	*m = (struct gnttab_mapping){ .ref = mt->free }; /* onto the free list */
	mt->free = handle;
	mt->used--;
	return 0;
}

uint32_t gnttab_maptrack_sweep(const struct gnttab_env *env, struct gnttab_maptrack *mt,
			       void (*drop)(void *opaque, const struct gnttab_mapping *m))
{
	uint32_t n = 0;

	for (uint32_t h = 0; h < mt->size; h++) {
		if (mt->map[h].flags && drop)
			drop(env->opaque, &mt->map[h]);
		n += gnttab_unmap_done(env, mt, h) == 0;
	}
	return n;
}
