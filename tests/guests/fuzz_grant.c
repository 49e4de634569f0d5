/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz (see fuzz.c): grant_table_op: writing and revoking our entries,
 * map/unmap, GNTTABOP_copy and the other sub-operations. */
#include "fuzz.h"

/* ---- writing and revoking our grant entries ----------------------------------------------- */

/* Makes entry ref invalid (compare-and-swap, as a granter must): false if
 * it is in use (by the peer; our own uses the model knows). */
static bool revoke(uint32_t ref)
{
	volatile uint32_t *e = entry_ptr(ref);
	struct gref *g = &gr[ref];

	if (!e || g->r + g->w)
		return false;
	for (int tries = 0; tries < 4; tries++) {
		uint32_t w0 = e[0];
		if (w0 & GTF_RW) {
			if (!to_peer(g))
				bad(F_GNT, "entry %u (to %u, flags 0x%x) is in use: 0x%x", ref, g->dom,
				    g->flags, w0);
			return false;
		}
		if (to_peer(g))
			mb_touch();
		if (__atomic_compare_exchange_n(e, &w0, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			if (to_peer(g)) {
				int s = gfn_slot(g->frame);
				if (s >= 0)
					pg[s].pgrants--;
				adv_ref_del(ref);
			}
			g->flags = g->dom = 0;
			return true;
		}
	}
	return false;
}

static void write_entry(uint32_t ref, uint16_t flags, uint16_t dom, uint32_t frame)
{
	volatile uint32_t *e = entry_ptr(ref);
	struct gref *g = &gr[ref];

	if (peer >= 0 && dom == (uint32_t)peer)
		mb_touch();
	e[1] = frame;
	__atomic_store_n(&e[0], flags | (uint32_t)dom << 16, __ATOMIC_SEQ_CST);
	g->flags = flags;
	g->dom = dom;
	g->frame = frame;
	if (to_peer(g)) {
		int s = gfn_slot(frame);
		if (s >= 0)
			pg[s].pgrants++;
		adv_ref_add(ref);
	}
	st.entries++;
}

static uint32_t pick_ref(void)
{
	for (int i = 0; i < 6; i++) {
		uint32_t ref = chance(65) ? 3 + below(61) : below(gt_nr * 512);
		if (ref_ours(ref) && ref < gt_nr * 512 && entry_ptr(ref))
			return ref;
	}
	return 0;
}

uint16_t random_dom(void)
{
	static const uint16_t doms[] = { 0, 1, 5, 100, 0x7fef, DOMID_SELF, DOMID_INVALID, 0x7fff };
	uint16_t d = chance(50) ? doms[below(8)] : (uint16_t)rnd();

	return d == self_id || (peer >= 0 && d == (uint32_t)peer) ? DOMID_INVALID : d;
}

/* Another domain's id (never DOMID_SELF, which means us). */
uint16_t other_dom(void)
{
	uint16_t d = random_dom();

	return d == DOMID_SELF ? DOMID_INVALID : d;
}

static uint32_t random_frame(void)
{
	uint32_t c = below(100);

	if (c < 75) {
		int s = c < 40 ? pick_kind(PG_RAM) : (int)pick_slot();
		return slot_gfn(s >= 0 ? (uint32_t)s : below(arena_n));
	}
	if (c < 88)
		return slot_gfn(arena_n + below(UPPER_N + NFAR));
	return c < 95 ? ram_pages + below(0x100) : rnd() | 0x80000000u; /* never our own RAM */
}

void act_grant_write(void)
{
	uint32_t ref = pick_ref();

	if (!ref)
		return;
	struct gref *g = &gr[ref];
	volatile uint32_t *e = entry_ptr(ref);
	if (g->r + g->w) {
		/* In use by ourselves: a hostile granter changes it anyway (the
		 * uses keep the frame they took; a first writable use checks the
		 * new readonly bit). Keeps domid and the hypervisor's bits. */
		uint16_t fl = (uint16_t)((chance(70) ? GTF_permit_access : below(4)) |
					 (chance(40) ? GTF_readonly : 0));
		uint32_t frame = random_frame(), w0 = e[0];
		e[1] = frame;
		__atomic_store_n(&e[0], (w0 & (GTF_RW | 0xffff0000u)) | fl, __ATOMIC_SEQ_CST);
		g->flags = fl;
		g->frame = frame;
		st.entries++;
		return;
	}
	check_entry(ref, "before a rewrite");
	if (!revoke(ref))
		return;
	uint32_t c = below(100);
	uint16_t dom = c < 40 ? (uint16_t)self_id : c < 75 && peer >= 0 && nadv_refs < MB_GRANTS
		? (uint16_t)peer : random_dom();
	if (c >= 90)
		return; /* left invalid */
	uint32_t frame = random_frame();
	int s = gfn_slot(frame);
	if (s >= 0 && pg[s].kind == PG_RAM && !pg[s].gen && chance(60))
		tag_slot((uint32_t)s);
	uint16_t type = chance(88) ? GTF_permit_access : (uint16_t)below(4);
	uint16_t fl = type | (chance(40) ? GTF_readonly : 0) | (chance(4) ? GTF_sub_page : 0) |
		      (chance(3) ? GTF_PWT | GTF_PCD : 0);
	write_entry(ref, fl, dom, frame);
}

void act_grant_revoke(void)
{
	uint32_t ref = pick_ref();

	if (ref) {
		check_entry(ref, "before a revoke");
		revoke(ref);
	}
}

/* ---- map_grant_ref / unmap_grant_ref ---------------------------------------------------- */

struct mapop {
	uint8_t kind;       /* 0: our ref, 1: the peer's, 2: anything */
	uint8_t host_slot_ok;
	uint16_t host_slot;
	struct psnap ps;
};

static void map_apply(const struct gnttab_map_grant_ref *o, const struct mapop *k, uint32_t src_gfn)
{
	int i = map_new();
	uint32_t s = k->host_slot;

	if (i < 0) {
		bad(F_GNT, "more mappings than the model holds");
		pg[s].kind = PG_UNKNOWN;
		return;
	}
	if (pg[s].kind == PG_RAM && s < arena_n)
		arena_ram--;
	bool ro = o->flags & GNTMAP_readonly;
	int ss = k->kind == 0 ? gfn_slot(src_gfn) : -1;
	mp[i] = (struct map){ 1, k->kind != 0, ro, 0, (uint16_t)s, (uint16_t)(ss >= 0 ? ss : 0xffff),
			      o->handle, o->ref, src_gfn };
	nmaps++;
	pg[s] = (struct page){ .kind = PG_FOREIGN, .map = (uint8_t)i, .pgrants = pg[s].pgrants };
	if (k->kind == 0) {
		own_use_add(o->ref, !ro, src_gfn);
		if (ss >= 0)
			pg[ss].smaps++;
	}
	st.maps++;
	st.peer_maps += k->kind != 0;
	mb_dirty = true;
}

/* The content a mapping shows. */
bool check_map_content(uint32_t i, const char *when)
{
	const struct map *m = &mp[i];

	if (!slot_acc(m->slot))
		return true;
	const struct tag *t = (const struct tag *)slot_ptr(m->slot);
	if (!m->peer) {
		if (m->src_slot == 0xffff)
			return true;
		const uint8_t *src = slot_ptr(m->src_slot), *p = slot_ptr(m->slot);
		uint32_t off = below(PAT_END / 4) * 4;
		if (memcmp(src, p, 32) || memcmp(src + off, p + off, 4)) {
			bad(F_GNT, "%s: mapping at 0x%x of our page 0x%x shows other bytes", when,
			    slot_gfn(m->slot), m->src_gfn);
			return false;
		}
		return true;
	}
	/* The peer tags a zero page under its counter: a tag half written
	 * is no disagreement. */
	uint32_t g = pv ? pv->gen : 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (tag_valid(t, (uint32_t)peer, m->src_gfn) || zero(t, 32))
		return true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!pv || (g & 1) || pv->gen != g)
		return true;
	bad(F_GNT, "%s: mapping at 0x%x of the peer's ref %u (frame 0x%x) shows no tag of it: "
	    "magic 0x%x owner %u gfn 0x%x", when, slot_gfn(m->slot), m->ref, m->src_gfn,
	    *(const uint32_t *)t->text, t->owner, t->gfn);
	return false;
}

static uint32_t host_addr_slot(uint32_t *slot)
{
	uint32_t c = below(100);
	int s;

	if (c < 45)
		s = pick_kind(PG_HOLE);
	else if (c < 85)
		s = pick_free_ram();
	else
		s = (int)pick_slot();
	if (s < 0)
		s = (int)pick_slot();
	*slot = (uint32_t)s;
	return slot_gfn((uint32_t)s);
}

void act_grant_map(void)
{
	static struct gnttab_map_grant_ref ops[40];
	static struct mapop k[40];
	uint32_t n = chance(80) ? 1 : chance(90) ? 2 + below(3) : 33 + below(8);
	uint32_t room = MAXMAP - nmaps, maybe = 0;
	uint32_t g0 = pv_gen();

	for (uint32_t i = 0; i < n; i++) {
		struct gnttab_map_grant_ref *o = &ops[i];
		uint32_t slot, host = host_addr_slot(&slot);
		memset(o, 0, sizeof(*o));
		memset(&k[i], 0, sizeof(k[i]));
		k[i].host_slot = (uint16_t)slot;
		k[i].host_slot_ok = 1;
		o->host_addr = (uint64_t)host << 12;
		if (chance(3)) {
			o->host_addr = (uint64_t)(MAX_GFN + below(1000)) << 12;
			k[i].host_slot_ok = 0;
		}
		if (chance(3))
			o->host_addr += 1 + below(4095);
		o->flags = GNTMAP_host_map | (chance(50) ? GNTMAP_readonly : 0);
		if (chance(4))
			o->flags = (uint32_t[]){ 0, GNTMAP_device_map, GNTMAP_host_map | GNTMAP_application_map,
						 GNTMAP_host_map | GNTMAP_contains_pte,
						 GNTMAP_readonly }[below(5)];
		uint32_t c = below(100);
		if (c < 45 || (c < 80 && peer < 0)) {
			k[i].kind = 0;
			o->dom = (domid_t)self_id;
			o->ref = chance(85) ? pick_ref() : below(gt_nr * 512 + 64);
			if (chance(20)) { /* a ref that is granted to us, if there is one */
				for (uint32_t r = 3; r < 64; r++)
					if (gr[r].dom == self_id && (gr[r].flags & 3) == GTF_permit_access) {
						o->ref = r;
						break;
					}
			}
		} else if (c < 80) {
			k[i].kind = 1;
			o->dom = (domid_t)peer;
			o->ref = peer_ref();
			peer_grant(o->ref, &k[i].ps);
		} else {
			k[i].kind = 2;
			o->dom = chance(30) ? DOMID_SELF : random_dom();
			o->ref = rnd() % 5000;
		}
		/* Enough room in the model for every mapping that may succeed. */
		bool may = k[i].host_slot_ok && !(o->host_addr & 0xfff) &&
			   (pg[slot].kind == PG_RAM || pg[slot].kind == PG_HOLE) && (o->flags & GNTMAP_host_map);
		if (may && maybe >= room) {
			o->flags = 0;   /* bad_gntref, harmlessly */
			may = false;
		}
		maybe += may;
	}
	for (uint32_t i = 0; i < n; i++)
		if (k[i].host_slot_ok && pg[k[i].host_slot].kind == PG_RAM && pg[k[i].host_slot].pgrants)
			mb_touch();
	long rc = gnt_op(GNTTABOP_map_grant_ref, ops, n);
	bool stable = pv_same(g0);
	for (uint32_t i = 0; i < n; i++)
		if (k[i].kind == 1) {
			st.peer_ops++;
			st.unstable += !stable;
			break;
		}
	if (!expect_rc(F_GNT, "map_grant_ref", rc, OK))
		return;
	for (uint32_t i = 0; i < n; i++) {
		struct gnttab_map_grant_ref *o = &ops[i];
		uint32_t slot = k[i].host_slot, allow, src = NO_GFN;
		bool wr = !(o->flags & GNTMAP_readonly), busy = false;
		mt_init = true;
		if (!(o->flags & GNTMAP_host_map)) { /* host_addr unused: device_map is domain 0's */
			allow = S(o->flags & GNTMAP_device_map ? GNTST_general_error : GNTST_bad_gntref);
		} else if (!k[i].host_slot_ok || (pg[slot].kind != PG_RAM && pg[slot].kind != PG_HOLE)) {
			allow = pg[slot].kind == PG_UNKNOWN && k[i].host_slot_ok ? S_ANY : S(GNTST_bad_virt_addr);
		} else if (!(o->flags & (GNTMAP_device_map | GNTMAP_host_map))) {
			allow = S(GNTST_bad_gntref);
		} else if (o->flags & (GNTMAP_device_map | GNTMAP_application_map | GNTMAP_contains_pte)) {
			allow = S(GNTST_general_error);
		} else if (o->host_addr & 0xfff) {
			allow = S(GNTST_bad_virt_addr);
		} else if (k[i].kind == 0) {
			int r = own_use(o->ref, wr, true, &src);
			allow = sbit(r);
			/* the frame taken is counted before the page at host_addr
			 * is given back: mapping a page over itself, or over a page
			 * someone maps, fails */
			if (r == GNTST_okay && pg[slot].kind == PG_RAM &&
			    (pg[slot].smaps || src == slot_gfn(slot)))
				allow = S(GNTST_general_error);
			busy = r == GNTST_okay && pg[slot].kind == PG_RAM && pg[slot].pgrants;
		} else if (k[i].kind == 1) {
			uint32_t pr, pw;
			peer_pins(o->ref, &pr, &pw);
			allow = peer_use(&k[i].ps, o->ref, wr, true, pr, pw);
			if (!stable)
				allow = S(GNTST_okay) | S(GNTST_general_error) | S(GNTST_bad_page) |
					S(GNTST_bad_gntref) | S(GNTST_bad_domain);
			if (peer_done)
				allow |= S(GNTST_bad_domain);
			src = k[i].ps.frame;
			if (allow & S(GNTST_okay)) {
				if (pg[slot].kind == PG_RAM && pg[slot].smaps)
					allow = (allow & ~S(GNTST_okay)) | S(GNTST_general_error);
				busy = pg[slot].kind == PG_RAM && pg[slot].pgrants;
			}
		} else {
			allow = o->dom == DOMID_SELF || o->dom >= DOMID_FIRST_RESERVED
				? S(GNTST_bad_domain)
				: S(GNTST_bad_domain) | S(GNTST_general_error) | S(GNTST_bad_gntref);
		}
		if (busy)
			allow |= S(GNTST_general_error);
		if (!(sbit(o->status) & allow)) {
			bad(F_GNT, "map op %u/%u (%s ref %u of dom %u at 0x%llx, a %s page, flags 0x%x): "
			    "status %d, allowed 0x%x", i, n, k[i].kind == 0 ? "our" : k[i].kind == 1 ?
			    "the peer's" : "any", o->ref, o->dom, (unsigned long long)o->host_addr,
			    k[i].host_slot_ok ? pg_name[pg[slot].kind] : "far", o->flags, o->status, allow);
			if (o->status == GNTST_okay) { /* the hypervisor mapped something: stay off */
				if (k[i].host_slot_ok)
					pg[slot].kind = PG_UNKNOWN;
				h_unknown = true; /* handles unknown from now on */
			}
			continue;
		}
		if (o->status != GNTST_okay)
			continue;
		uint32_t h = h_unknown ? o->handle : h_alloc();
		if (o->handle != h)
			bad(F_GNT, "map op %u: handle %u, the maptrack's next free one is %u", i,
			    o->handle, h);
		if (k[i].kind == 2) {
			pg[slot].kind = PG_UNKNOWN;
			continue;
		}
		if (k[i].kind == 1 && !stable)
			src = NO_GFN;
		map_apply(o, &k[i], src);
		int mi = pg[slot].map;
		if (pg[slot].kind == PG_FOREIGN)
			check_map_content((uint32_t)mi, "after map");
	}
}

void act_grant_unmap(void)
{
	static struct gnttab_unmap_grant_ref ops[40];
	uint32_t n = chance(80) ? 1 : chance(90) ? 2 + below(3) : 33 + below(8);

	for (uint32_t i = 0; i < n; i++) {
		struct gnttab_unmap_grant_ref *o = &ops[i];
		memset(o, 0, sizeof(*o));
		int m = -1;
		if (nmaps && chance(85)) {
			uint32_t start = below(MAXMAP);
			for (uint32_t j = 0; j < MAXMAP && m < 0; j++)
				if (mp[(start + j) % MAXMAP].live)
					m = (int)((start + j) % MAXMAP);
		}
		if (m >= 0) {
			if (chance(50))
				check_map_content((uint32_t)m, "before unmap");
			o->handle = mp[m].handle;
			o->host_addr = (uint64_t)slot_gfn(mp[m].slot) << 12;
			if (chance(8))
				o->host_addr += 0x1000;
		} else {
			o->handle = chance(50) ? below(NHANDLE + 8) : rnd();
			o->host_addr = (uint64_t)slot_gfn(pick_slot()) << 12;
		}
		o->dev_bus_addr = chance(5) ? rnd() : 0;
	}
	long rc = gnt_op(GNTTABOP_unmap_grant_ref, ops, n);
	if (!expect_rc(F_GNT, "unmap_grant_ref", rc, OK))
		return;
	for (uint32_t i = 0; i < n; i++) {
		struct gnttab_unmap_grant_ref *o = &ops[i];
		int m = -1;
		for (uint32_t j = 0; j < MAXMAP; j++)
			if (mp[j].live && mp[j].handle == o->handle)
				m = (int)j;
		uint32_t allow;
		bool mailview = mt_init && mailview_handle < NHANDLE && o->handle == mailview_handle;
		if (mailview)
			allow = o->host_addr == (uint64_t)mailview_gfn << 12 ? S(GNTST_okay) : S(GNTST_general_error);
		else if (!mt_init || o->handle >= NHANDLE || m < 0)
			allow = h_unknown ? S(GNTST_bad_handle) | S(GNTST_general_error) | S(GNTST_okay)
						 : S(GNTST_bad_handle);
		else if (o->host_addr != (uint64_t)slot_gfn(mp[m].slot) << 12)
			allow = S(GNTST_general_error);
		else
			allow = S(GNTST_okay);
		if (!(sbit(o->status) & allow)) {
			bad(F_GNT, "unmap op %u/%u (handle %u at 0x%llx): status %d, allowed 0x%x", i, n,
			    o->handle, (unsigned long long)o->host_addr, o->status, allow);
			continue;
		}
		if (o->status != GNTST_okay || m < 0)
			continue;
		struct map *mm = &mp[m];
		if (!mm->peer) {
			own_use_end(mm->ref, !mm->ro);
			if (mm->src_slot != 0xffff)
				pg[mm->src_slot].smaps--;
		}
		if (!h_unknown)
			h_free(mm->handle);
		pg[mm->slot].kind = PG_HOLE;
		mm->live = 0;
		nmaps--;
		st.unmaps++;
		mb_dirty = true;
	}
}

/* The maptrack filled: one of our pages granted to ourselves mapped at
 * every free handle (above RAM, where nothing else goes), one more
 * refused, then all unmapped, in two calls of a thousand operations. */
#define FLOOD_GFN(i) (ram_pages + 0x1000u + (i))
void act_grant_flood(void)
{
	static struct gnttab_map_grant_ref mo[NHANDLE + 4];
	static struct gnttab_unmap_grant_ref uo[NHANDLE + 4];
	uint32_t ref = 0, src = 0, nfree = 0;

	if (h_unknown)
		return; /* the handles are not known */
	for (uint32_t r = 3; r < 67 && !ref; r++)
		if (own_use(r, false, true, &src) == GNTST_okay && gfn_slot(src) >= 0 &&
		    gfn_kind(src) == PG_RAM)
			ref = r;
	if (!ref)
		return;
	if (!mt_init) {
		nfree = NHANDLE;
	} else {
		for (uint32_t h = hfree; h < NHANDLE; h = hnext[h])
			nfree++;
	}
	uint32_t n = nfree + 1 + below(3);
	for (uint32_t i = 0; i < n; i++)
		mo[i] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)FLOOD_GFN(i) << 12,
			.flags = GNTMAP_host_map | GNTMAP_readonly, .ref = ref, .dom = (domid_t)self_id };
	long rc = gnt_op(GNTTABOP_map_grant_ref, mo, n);
	mt_init = true;
	if (!expect_rc(F_GNT, "map_grant_ref of a full maptrack's worth", rc, OK))
		return;
	uint32_t ok = 0, wrong = 0;
	int ss = gfn_slot(src);
	for (uint32_t i = 0; i < n; i++) {
		int want = i < nfree ? GNTST_okay : GNTST_no_device_space;
		if (mo[i].status != want || (want == GNTST_okay && mo[i].handle != hfree)) {
			if (wrong++ < 3)
				bad(F_GNT, "flood map op %u of %u (%u handles free): status %d handle %u, "
				    "expected %d handle %u", i, n, nfree, mo[i].status, mo[i].handle, want, hfree);
		}
		if (mo[i].status == GNTST_okay) {
			h_alloc();
			own_use_add(ref, false, src);
			pg[ss].smaps++;
			ok++;
		}
	}
	/* each shows our page */
	const uint8_t *p = (const uint8_t *)(uintptr_t)(FLOOD_GFN(below(ok ? ok : 1)) << 12);
	if (ok && memcmp(p, slot_ptr((uint32_t)ss), 32))
		bad(F_GNT, "a flood mapping of our page 0x%x shows other bytes", src);
	check_entry(ref, "the flood");
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++)
		if (mo[i].status == GNTST_okay)
			uo[m++] = (struct gnttab_unmap_grant_ref){ (uint64_t)FLOOD_GFN(i) << 12, 0,
								   mo[i].handle, 99 };
	rc = gnt_op(GNTTABOP_unmap_grant_ref, uo, m);
	if (!expect_rc(F_GNT, "unmap_grant_ref of the flood", rc, OK))
		return;
	wrong = 0;
	for (uint32_t i = 0; i < m; i++) {
		if (uo[i].status != GNTST_okay && wrong++ < 3)
			bad(F_GNT, "flood unmap op %u of %u: status %d", i, m, uo[i].status);
		if (uo[i].status == GNTST_okay) {
			own_use_end(ref, false);
			pg[ss].smaps--;
			h_free(uo[i].handle);
		}
	}
	check_entry(ref, "after the flood");
	gprintf("fuzz: the maptrack filled (%u mappings of page 0x%x), then emptied\n", ok, src);
}

/* ---- GNTTABOP_copy ------------------------------------------------------------------------ */

struct copyk {
	uint8_t kind;        /* see act_grant_copy */
	uint8_t check;       /* compare data after */
	uint8_t last;        /* no later op of the batch writes its region */
	uint16_t dst_slot;   /* our page the bytes land in (check) */
	uint16_t dst_off;
	uint8_t want[96];
	struct psnap ps;
	uint32_t allow;
};

/* Our page behind a source or destination: a frame of ours (DOMID_SELF)
 * or our own grant reference. */
static int copy_own_side(const struct copy32 *c, bool dst, uint32_t *slot, uint32_t *gfnp)
{
	uint16_t fl = dst ? GNTCOPY_dest_gref : GNTCOPY_source_gref;
	uint32_t ref = dst ? c->dst.ref : c->src.ref;
	uint32_t gfn = ref;

	if (c->flags & fl) {
		int r = own_use(ref, dst, false, &gfn);
		if (r != GNTST_okay)
			return r;
	} else if (gfn_kind(gfn) != PG_RAM) {
		return GNTST_bad_page;
	}
	int s = gfn_slot(gfn);
	*slot = s >= 0 ? (uint32_t)s : 0xffff;
	*gfnp = gfn;
	return GNTST_okay;
}

void act_grant_copy(void)
{
	static struct copy32 ops[400];
	static struct copyk k[400];
	uint32_t n = chance(85) ? 1 + below(4) : chance(85) ? 5 + below(4) : chance(85) ? 33 + below(8)
		     : 100 + below(300); /* long lists go on in pieces (-ERESTART) */
	uint32_t g0 = pv_gen();

	for (uint32_t i = 0; i < n; i++) {
		struct copy32 *c = &ops[i];
		struct copyk *q = &k[i];
		memset(c, 0, sizeof(*c));
		memset(q, 0, sizeof(*q));
		uint32_t kind = below(100);
		int ram = pick_kind(PG_RAM), ram2 = pick_kind(PG_RAM);
		uint32_t own = slot_gfn(ram >= 0 ? (uint32_t)ram : pick_slot());
		c->len = (uint16_t)(1 + below(96));
		q->dst_off = (uint16_t)(OWN_SCRATCH + 96 * (i % 15)); /* one region per op */
		if (kind < 30) {        /* our frame -> our frame */
			q->kind = 0;
			c->src = (struct cptr){ chance(80) ? own : slot_gfn(pick_slot()), DOMID_SELF,
						   (uint16_t)below(PAT_END - 96) };
			c->dst = (struct cptr){ chance(80) && ram2 >= 0 ? slot_gfn((uint32_t)ram2)
						: slot_gfn(pick_slot()), DOMID_SELF, q->dst_off };
		} else if (kind < 50) { /* our ref -> our frame, our frame -> our ref */
			q->kind = 1;
			uint32_t ref = chance(85) ? pick_ref() : below(gt_nr * 512 + 64);
			if (chance(50)) {
				c->src = (struct cptr){ ref, chance(80) ? DOMID_SELF : (uint16_t)self_id,
							   (uint16_t)below(PAT_END - 96) };
				c->dst = (struct cptr){ own, DOMID_SELF, q->dst_off };
				c->flags = GNTCOPY_source_gref;
			} else {
				c->src = (struct cptr){ own, DOMID_SELF, (uint16_t)below(PAT_END - 96) };
				c->dst = (struct cptr){ ref, chance(80) ? DOMID_SELF : (uint16_t)self_id,
							   q->dst_off };
				c->flags = GNTCOPY_dest_gref;
			}
		} else if (kind < 80 && peer >= 0) { /* the peer's ref: read its tag, or write + read back */
			uint32_t ref = peer_ref();
			peer_grant(ref, &q->ps);
			if (chance(50) || i + 1 == n) {
				q->kind = 2;
				c->src = (struct cptr){ ref, (uint16_t)peer, 0 };
				c->dst = (struct cptr){ own, DOMID_SELF, q->dst_off };
				c->len = 32;
				c->flags = GNTCOPY_source_gref;
			} else {
				uint16_t off = (uint16_t)(PEER_SCRATCH + 128 * below(16));
				q->kind = 3;
				c->src = (struct cptr){ own, DOMID_SELF, (uint16_t)below(PAT_END - 96) };
				c->dst = (struct cptr){ ref, (uint16_t)peer, off };
				c->flags = GNTCOPY_dest_gref;
				struct copy32 *b = &ops[++i];
				memset(b, 0, sizeof(*b));
				k[i] = (struct copyk){ .kind = 4, .ps = q->ps, .dst_off = q->dst_off };
				b->src = (struct cptr){ ref, (uint16_t)peer, off };
				b->dst = (struct cptr){ own, DOMID_SELF, q->dst_off };
				b->len = c->len;
				b->flags = GNTCOPY_source_gref;
			}
		} else {                /* anything */
			q->kind = 5;
			c->src = (struct cptr){ chance(50) ? own : rnd() % 5000,
				chance(30) ? DOMID_SELF : random_dom(), (uint16_t)below(4200) };
			c->dst = (struct cptr){ chance(50) ? own : rnd() % 5000,
				chance(30) ? DOMID_SELF : random_dom(), q->dst_off };
			c->flags = (uint16_t)below(8);
			c->len = (uint16_t)(chance(50) ? 1 + below(96) : below(8192));
			if (c->dst.off + c->len <= 4096 && (c->dst.dom == DOMID_SELF || (c->flags & 2)))
				c->len = (uint16_t)(4097 - c->dst.off); /* never lands on our pages */
		}
	}
	/* Which ops write their region last. */
	for (uint32_t i = 0; i < n; i++) {
		k[i].last = 1;
		for (uint32_t j = i + 1; j < n; j++)
			if (ops[j].dst.off == ops[i].dst.off) /* maybe the same page (a gref too) */
				k[i].last = 0;
	}
	/* What each op's source holds now (our own pages only). */
	for (uint32_t i = 0; i < n; i++) {
		struct copy32 *c = &ops[i];
		struct copyk *q = &k[i];
		uint32_t ss = 0xffff, sgfn;
		if (q->kind > 1 || n > 15)
			continue;
		if (copy_own_side(c, false, &ss, &sgfn) == GNTST_okay && ss != 0xffff && slot_acc(ss)) {
			memcpy(q->want, slot_ptr(ss) + c->src.off, c->len);
			q->check = 1;
		}
	}
	long rc = gnt_op(GNTTABOP_copy, ops, n);
	bool stable = pv_same(g0);
	for (uint32_t i = 0; i < n; i++)
		if (k[i].kind >= 2 && k[i].kind <= 4) {
			st.peer_ops++;
			st.unstable += !stable;
			break;
		}
	if (!expect_rc(F_GNT, "copy", rc, OK))
		return;
	for (uint32_t i = 0; i < n; i++) {
		struct copy32 *c = &ops[i];
		struct copyk *q = &k[i];
		uint32_t allow = 0, ds = 0xffff, ss = 0xffff;
		bool sg = c->flags & GNTCOPY_source_gref, dg = c->flags & GNTCOPY_dest_gref;
		if (c->src.off + c->len > 4096 || c->dst.off + c->len > 4096) {
			allow = S(GNTST_bad_copy_arg);
		} else if ((!sg && c->src.dom != DOMID_SELF) || (!dg && c->dst.dom != DOMID_SELF)) {
			allow = S(GNTST_permission_denied);
		} else if (q->kind <= 1) {
			/* both sides ours: the source's use is held while the
			 * destination's is taken */
			uint32_t sgfn, dgfn;
			int r = copy_own_side(c, false, &ss, &sgfn);
			bool held = r == GNTST_okay && sg;
			if (held)
				own_use_add(c->src.ref, false, sgfn);
			if (r == GNTST_okay)
				r = copy_own_side(c, true, &ds, &dgfn);
			if (held)
				own_use_end(c->src.ref, false);
			allow = sbit(r);
		} else if (q->kind == 2 || q->kind == 3 || q->kind == 4) {
			uint32_t pr, pw;
			peer_pins(q->kind == 3 ? c->dst.ref : c->src.ref, &pr, &pw);
			if (q->kind == 3) {
				allow = gfn_kind(c->src.ref) == PG_RAM ? 0 : S(GNTST_bad_page);
				if (!allow)
					allow = peer_use(&q->ps, c->dst.ref, true, false, pr, pw);
			} else {
				allow = peer_use(&q->ps, c->src.ref, false, false, pr, pw);
				if (allow == S(GNTST_okay) && gfn_kind(c->dst.ref) != PG_RAM)
					allow = S(GNTST_bad_page);
			}
			if (!stable)
				allow |= S(GNTST_okay) | S(GNTST_general_error) | S(GNTST_bad_page) |
					 S(GNTST_bad_gntref);
			if (peer_done)
				allow |= S(GNTST_bad_domain);
			int dsl = gfn_slot(c->dst.ref);
			ds = q->kind != 3 && dsl >= 0 ? (uint32_t)dsl : 0xffff;
		} else {
			allow = S_ANY;
			if ((sg && c->src.dom != DOMID_SELF && c->src.dom >= DOMID_FIRST_RESERVED) ||
			    (dg && c->dst.dom != DOMID_SELF && c->dst.dom >= DOMID_FIRST_RESERVED))
				allow = S(GNTST_bad_domain);
		}
		if (!(sbit(c->status) & allow)) {
			bad(F_GNT, "copy op %u/%u (kind %u: 0x%x/%u+%u -> 0x%x/%u+%u, %u bytes, flags %u): "
			    "status %d, allowed 0x%x", i, n, q->kind, c->src.ref, c->src.dom, c->src.off,
			    c->dst.ref, c->dst.dom, c->dst.off, c->len, c->flags, c->status, allow);
			continue;
		}
		if (c->status != GNTST_okay)
			continue;
		st.copies++;
		st.peer_copies += q->kind >= 2 && q->kind <= 4;
		if (ds == 0xffff || !slot_acc(ds) || pg[ds].kind != PG_RAM || !q->last)
			continue;
		const uint8_t *got = slot_ptr(ds) + c->dst.off;
		if (q->check && memcmp(got, q->want, c->len) && q->kind <= 1)
			bad(F_GNT, "copy op %u: %u bytes at 0x%x+%u differ from the source's", i, c->len,
			    slot_gfn(ds), c->dst.off);
		if (q->kind == 2 && stable && !tag_valid((const struct tag *)got, (uint32_t)peer,
							 q->ps.frame) && !zero(got, 32))
			bad(F_GNT, "copy op %u: the peer's ref %u gave no tag of it", i, c->src.ref);
		if (q->kind == 4 && i > 0 && ops[i - 1].status == GNTST_okay &&
		    memcmp(got, slot_ptr(gfn_slot(ops[i - 1].src.ref) >= 0 ? (uint32_t)gfn_slot(ops[i - 1].src.ref) : 0) +
			   ops[i - 1].src.off, c->len))
			bad(F_GNT, "copy op %u/%u: %u bytes written into the peer's ref %u at %u read back "
			    "differently into 0x%x+%u", i, n, c->len, c->src.ref, c->src.off,
			    slot_gfn(ds), c->dst.off);
	}
}

/* setup_table, query_size, set_version, transfer and the rest. */
void act_grant_misc(void)
{
	static union {
		struct setup32 s;
		struct gnttab_query_size q;
		struct gnttab_set_version v;
		uint32_t w[16];
	} a;
	uint32_t c = below(9);
	long rc;

	memset(&a, 0, sizeof(a));
	switch (c) {
	case 0: {
		uint32_t nr = below(12);
		bool other = chance(10);
		a.s.dom = other ? other_dom() : chance(50) ? DOMID_SELF : (uint16_t)self_id;
		a.s.nr = nr;
		a.s.status = 99;
		if (nr > gt_nr)
			mb_touch();
		uint32_t count = chance(5) ? 2 : 1;
		rc = gnt_op(GNTTABOP_setup_table, &a, count);
		if (count != 1) {
			expect_rc(F_GNT, "setup_table count 2", rc, E(EINVAL));
			break;
		}
		int want = other ? GNTST_permission_denied : nr > GT_MAX ? GNTST_general_error : GNTST_okay;
		if (rc || a.s.status != want)
			bad(F_GNT, "setup_table(dom %u, %u frames): %ld, status %d, expected %d", a.s.dom, nr,
			    rc, a.s.status, want);
		if (want == GNTST_okay && nr > gt_nr) {
			gt_nr = nr;
			mb_dirty = true;
		}
		break;
	}
	case 1: {
		bool other = chance(10);
		a.q.dom = other ? other_dom() : DOMID_SELF;
		rc = gnt_op(GNTTABOP_query_size, &a, 1);
		if (rc || (other ? a.q.status != GNTST_permission_denied
				 : a.q.status || a.q.nr_frames != gt_nr || a.q.max_nr_frames != GT_MAX))
			bad(F_GNT, "query_size(dom %u): %ld, status %d, %u of %u frames (model %u)", a.q.dom,
			    rc, a.q.status, a.q.nr_frames, a.q.max_nr_frames, gt_nr);
		break;
	}
	case 2: {
		uint32_t v = (uint32_t[]){ 0, 1, 1, 2, 3, 0xffffffffu }[below(6)];
		a.v.version = v;
		rc = gnt_op(GNTTABOP_set_version, &a, 1);
		long want = v == 1 ? 0 : v == 2 ? -ENOSYS : -EINVAL;
		if (rc != want || a.v.version != 1)
			bad(F_GNT, "set_version(%u): %ld, version %u", v, rc, a.v.version);
		break;
	}
	case 3: /* transfer: not offered */
		a.w[0] = rnd();
		rc = gnt_op(GNTTABOP_transfer, &a, 1 + below(3));
		expect_rc(F_GNT, "transfer", rc, E(ENOSYS));
		break;
	case 4: {
		static const uint32_t cmds[] = { GNTTABOP_dump_table, GNTTABOP_unmap_and_replace,
			GNTTABOP_get_status_frames, GNTTABOP_get_version, GNTTABOP_swap_grant_ref,
			GNTTABOP_cache_flush, 13, 100, 0xffffffffu };
		rc = gnt_op(cmds[below(9)], &a, 1);
		expect_rc(F_GNT, "an unoffered command", rc, E(ENOSYS));
		break;
	}
	case 5: /* nothing to do */
		rc = gnt_op((uint32_t[]){ GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref, GNTTABOP_copy }[below(3)],
			    (void *)0xfffff000u, 0);
		expect_rc(F_GNT, "count 0", rc, OK);
		break;
	case 6: /* the argument outside RAM */
		rc = gnt_op(below(9), (void *)(uintptr_t)bad_ptr(), 1);
		expect_rc(F_GNT, "a bad argument", rc, E(EFAULT) | E(ENOSYS));
		break;
	case 7: /* query, setup with another count */
		rc = gnt_op(chance(50) ? GNTTABOP_query_size : GNTTABOP_set_version, &a, 2 + below(5));
		expect_rc(F_GNT, "query_size/set_version with count > 1", rc, E(EINVAL));
		break;
	default: /* our entries, as the hypervisor leaves them */
		for (int i = 0; i < 8; i++) {
			uint32_t ref = pick_ref();
			if (ref)
				check_entry(ref, "a look at the table");
		}
		break;
	}
}

