/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz (see fuzz.c): memory_op (ballooning, add_to_physmap, the rest),
 * probes of arena pages through hypercalls, and checks of the whole model. */
#include "fuzz.h"

/* ---- memory_op --------------------------------------------------------------------------- */

static uint32_t lst[4096];

static long reservation(uint32_t cmd, const uint32_t *list, uint32_t nr, uint32_t order,
			uint16_t dom)
{
	static struct resv32 r;

	r = (struct resv32){ (uint32_t)(uintptr_t)list, nr, order, rnd(), dom, 0 };
	return mem_op(cmd, &r);
}

static uint32_t expected_cur(void)
{
	return ram_pages - arena_n + arena_ram;
}

void check_reservation(const char *after)
{
	uint16_t dom = DOMID_SELF;
	long cur = mem_op(XENMEM_current_reservation, &dom);

	if (cur != (long)expected_cur())
		bad(F_MEM, "after %s: current_reservation %ld pages, the model says %u", after, cur,
		    expected_cur());
}

/* Whether giving back gfn (RAM of the arena) may / must succeed. */
enum { MUST_OK = 1, MUST_FAIL = 2, MAY = 3 };
static int give_back_expect(uint32_t gfn)
{
	int s = gfn_slot(gfn);

	if (s < 0 || (uint32_t)s >= arena_n)
		return MUST_FAIL;
	if (pg[s].kind == PG_UNKNOWN)
		return MAY;
	if (pg[s].kind != PG_RAM || pg[s].smaps)
		return MUST_FAIL;
	return pg[s].pgrants ? MAY : MUST_OK;
}

static int populate_expect(uint32_t gfn)
{
	int s = gfn_slot(gfn);

	if (s < 0 || (uint32_t)s >= arena_n)
		return MUST_FAIL;
	if (pg[s].kind == PG_UNKNOWN)
		return MAY;
	return pg[s].kind == PG_RAM || pg[s].kind == PG_HOLE ? MUST_OK : MUST_FAIL;
}

static void check_zero_page(uint32_t s, const char *why)
{
	if (!slot_acc(s))
		return;
	const uint8_t *p = slot_ptr(s);
	if (!zero(p, pg[s].pgrants ? PEER_SCRATCH : 4096))
		bad(F_MEM, "%s: page 0x%x is not zero", why, slot_gfn(s));
}

static void poison(uint32_t *l, uint32_t n)
{
	uint32_t c = below(100), at = below(n);

	if (c < 30) {
		int s = (int)pick_slot();
		l[at] = slot_gfn((uint32_t)s);
	} else if (c < 50) {
		l[at] = ram_pages + below(0x200);
	} else if (c < 60) {
		l[at] = rnd() | 0x80000000u; /* far off, never our own RAM */
	} else if (c < 80 && at) {
		l[at] = l[below(at)]; /* a repeat */
	}
}

void act_balloon_out(void)
{
	uint32_t want = chance(60) ? 1 + below(8) : chance(70) ? 16 + below(64) : 100 + below(arena_n);
	uint32_t n = 0;

	/* Distinct RAM pages of the arena, from a random start. */
	uint32_t start = below(arena_n);
	for (uint32_t i = 0; i < arena_n && n < want; i++) {
		uint32_t s = (start + i * 7) % arena_n;
		if (pg[s].kind == PG_RAM && (chance(90) || !pg[s].pgrants) && (!pg[s].smaps || chance(5)))
			lst[n++] = slot_gfn(s);
	}
	if (!n || chance(30))
		lst[n++] = slot_gfn(pick_slot());
	if (chance(25))
		poison(lst, n);
	uint32_t from = chance(10) ? below(n + 2) : 0;
	for (uint32_t i = 0; i < n; i++) {
		int s = gfn_slot(lst[i]);
		if (s >= 0 && pg[s].pgrants)
			mb_touch();
	}
	long rc = hc(F_MEM, HYPERVISOR_memory_op, XENMEM_decrease_reservation | from << MEMOP_EXTENT_SHIFT,
		     (uint32_t)(uintptr_t)&(struct resv32){ (uint32_t)(uintptr_t)lst, n, 0, 0, DOMID_SELF, 0 },
		     0, 0, 0);
	if (from > n) {
		expect_rc(F_MEM, "decrease_reservation from past the end", rc, E(EINVAL));
		return;
	}
	if (rc < (long)from || rc > (long)n) {
		bad(F_MEM, "decrease_reservation of %u from %u: %ld", n, from, rc);
		return;
	}
	for (uint32_t i = from; i < (uint32_t)rc; i++) {
		int e = give_back_expect(lst[i]);
		if (e == MUST_FAIL) {
			bad(F_MEM, "decrease_reservation: extent %u (0x%x, a %s page) given back", i, lst[i],
			    pg_name[gfn_kind(lst[i])]);
			int s = gfn_slot(lst[i]);
			if (s >= 0)
				pg[s].kind = PG_UNKNOWN;
			continue;
		}
		int s = gfn_slot(lst[i]);
		if (pg[s].kind == PG_RAM)
			arena_ram--;
		pg[s].kind = PG_HOLE;
		pg[s].gen = 0;
		st.out++;
		mb_dirty = true;
	}
	if ((uint32_t)rc < n && give_back_expect(lst[rc]) == MUST_OK)
		bad(F_MEM, "decrease_reservation stopped at extent %u of %u (0x%x, RAM nobody maps)",
		    (uint32_t)rc, n, lst[rc]);
	if (chance(40))
		check_reservation("decrease_reservation");
}

void act_balloon_in(void)
{
	uint32_t want = chance(60) ? 1 + below(8) : chance(70) ? 16 + below(100) : 200 + below(3000);
	uint32_t n = 0, start = below(arena_n);
	static uint16_t fresh[4096];
	uint32_t nfresh = 0;

	for (uint32_t i = 0; i < arena_n && n < want; i++) {
		uint32_t s = (start + i) % arena_n;
		if (pg[s].kind == PG_HOLE || (pg[s].kind == PG_RAM && chance(10)))
			lst[n++] = slot_gfn(s);
	}
	while (n < want && n < 4096 && n && chance(99))  /* long lists: repeats (RAM by then) */
		lst[n] = lst[below(n)], n++;
	if (!n || chance(20))
		lst[n++] = slot_gfn(pick_slot());
	if (chance(25))
		poison(lst, n);
	uint32_t cmd = chance(50) ? XENMEM_populate_physmap : XENMEM_increase_reservation;
	for (uint32_t i = 0; i < n; i++) {
		int s = gfn_slot(lst[i]);
		if (s >= 0 && pg[s].pgrants)
			mb_touch();
	}
	long rc = reservation(cmd, lst, n, 0, chance(50) ? DOMID_SELF : (uint16_t)self_id);
	if (rc < 0 || rc > (long)n) {
		bad(F_MEM, "%s of %u: %ld", cmd == XENMEM_populate_physmap ? "populate_physmap" :
		    "increase_reservation", n, rc);
		return;
	}
	for (uint32_t i = 0; i < (uint32_t)rc; i++) {
		int e = populate_expect(lst[i]);
		int s = gfn_slot(lst[i]);
		if (e == MUST_FAIL) {
			bad(F_MEM, "populate: extent %u (0x%x, a %s page) backed", i, lst[i],
			    pg_name[gfn_kind(lst[i])]);
			if (s >= 0)
				pg[s].kind = PG_UNKNOWN;
			continue;
		}
		if (pg[s].kind == PG_HOLE) {
			pg[s].kind = PG_RAM;
			pg[s].gen = 0;
			arena_ram++;
			st.in++;
			if (nfresh < 4096)
				fresh[nfresh++] = (uint16_t)s;
			mb_dirty = true;
		}
	}
	if ((uint32_t)rc < n && populate_expect(lst[rc]) == MUST_OK)
		bad(F_MEM, "populate stopped at extent %u of %u (0x%x, a %s page)", (uint32_t)rc, n,
		    lst[rc], pg_name[gfn_kind(lst[rc])]);
	/* Pages taken again read as zero. */
	for (uint32_t i = 0; i < nfresh; i++)
		if (i < 16 || chance(5))
			check_zero_page(fresh[i], "populated");
		else if (slot_acc(fresh[i]) && !zero(slot_ptr(fresh[i]), 64))
			bad(F_MEM, "populated page 0x%x is not zero", slot_gfn(fresh[i]));
	if (chance(40))
		check_reservation("populate");
}

/* add_to_physmap: the shared info or a grant-table frame moves to gfn. */
void act_physmap(void)
{
	static struct atp32 a;
	uint32_t c = below(100), f;

	if (c < 40)
		f = 0;
	else
		f = 1 + (chance(95) ? below(GT_MAX) : GT_MAX + below(20));
	uint32_t tc = below(100), gfn, slot = 0xffff;
	if (tc < 55) {
		int s = tc < 30 ? pick_free_ram() : (int)pick_slot();
		slot = (uint32_t)(s >= 0 ? s : 0);
		gfn = slot_gfn(slot);
	} else if (tc < 80) {
		slot = arena_n + below(UPPER_N + NFAR);
		gfn = slot_gfn(slot);
	} else if (tc < 88 && f <= GT_MAX && frame_gfn[f] != NO_GFN) {
		gfn = frame_gfn[f];
		slot = (uint32_t)gfn_slot(gfn);
	} else {
		gfn = MAX_GFN + below(0x1000);
	}
	bool other = chance(4), badspace = chance(4);
	a = (struct atp32){ other ? other_dom() : chance(50) ? DOMID_SELF : (uint16_t)self_id,
			    (uint16_t)rnd(), f ? XENMAPSPACE_grant_table : XENMAPSPACE_shared_info,
			    f ? f - 1 : (chance(97) ? 0 : 1 + below(5)), gfn };
	if (badspace)
		a.space = 2 + below(10);
	if ((slot != 0xffff && pg[slot].pgrants) || f > gt_nr)
		mb_touch();
	long rc = mem_op(XENMEM_add_to_physmap, &a);
	uint64_t allow;
	bool valid_idx = a.space == XENMAPSPACE_shared_info ? a.idx == 0 : a.idx < GT_MAX;
	if (other)
		allow = E(EPERM);
	else if (badspace)
		allow = E(ENOSYS);
	else if (!valid_idx)
		allow = E(EINVAL);
	else if (gfn >= MAX_GFN)
		allow = E(EINVAL);
	else if (frame_gfn[f] == gfn)
		allow = OK;
	else if (slot == 0xffff || pg[slot].kind == PG_UNKNOWN)
		allow = OK | E(EBUSY);
	else if (pg[slot].kind == PG_HOLE)
		allow = OK;
	else if (pg[slot].kind == PG_RAM)
		allow = pg[slot].smaps ? E(EBUSY) : pg[slot].pgrants ? OK | E(EBUSY) : OK;
	else
		allow = E(EBUSY);
	if (!other && !badspace && valid_idx && gfn < MAX_GFN && f && f > gt_nr) {
		gt_nr = f; /* the table grows to the frame, whatever happens next */
		mb_dirty = true;
	}
	if (!expect_rc(F_MEM, "add_to_physmap", rc, allow)) {
		gprintf("fuzz: (add_to_physmap of %s %u at 0x%x, a %s page, it was at 0x%x)\n",
			f ? "grant frame" : "shared info", f ? f - 1 : 0, gfn,
			slot != 0xffff ? pg_name[pg[slot].kind] : "far", frame_gfn[f < 9 ? f : 0]);
		if (slot != 0xffff)
			pg[slot].kind = PG_UNKNOWN;
		return;
	}
	if (rc || frame_gfn[f] == gfn)
		return;
	/* Moved: the old place is a hole, the new one holds the frame. */
	if (frame_gfn[f] != NO_GFN) {
		int old = gfn_slot(frame_gfn[f]);
		if (old >= 0)
			pg[old] = (struct page){ .kind = PG_HOLE, .pgrants = pg[old].pgrants };
	}
	if (pg[slot].kind == PG_RAM && slot < arena_n)
		arena_ram--;
	pg[slot] = (struct page){ .kind = f ? PG_GNT : PG_SHINFO, .gframe = (uint8_t)f,
				  .pgrants = pg[slot].pgrants };
	frame_gfn[f] = gfn;
	st.moves++;
	mb_dirty = true;
	if (f && slot_acc(slot))
		for (int i = 0; i < 4; i++)
			check_entry((f - 1) * 512 + below(504), "a moved grant frame");
	if (chance(30))
		check_reservation("add_to_physmap");
}

void act_memory_misc(void)
{
	static uint8_t buf[256];
	static struct { uint32_t nr, buffer; } mm;
	uint32_t c = below(8);
	long rc;

	switch (c) {
	case 0: case 1: {
		uint16_t dom = chance(85) ? (chance(50) ? DOMID_SELF : (uint16_t)self_id) : random_dom();
		uint32_t cmd = c ? XENMEM_maximum_reservation : XENMEM_current_reservation;
		rc = mem_op(cmd, &dom);
		long want = dom != DOMID_SELF && dom != self_id ? -EPERM : c ? (long)ram_pages
										 : (long)expected_cur();
		if (rc != want)
			bad(F_MEM, "%s_reservation(dom %u): %ld, expected %ld", c ? "maximum" : "current",
			    dom, rc, want);
		break;
	}
	case 2: { /* our memory map: 3 entries from the hypervisor */
		uint32_t nr = below(6);
		int s = -1;
		uint8_t *out = buf;
		if (chance(20) && (s = pick_kind(chance(50) ? PG_HOLE : PG_FOREIGN)) >= 0 && slot_acc((uint32_t)s) &&
		    (pg[s].kind == PG_HOLE || mp[pg[s].map].ro))
			out = slot_ptr((uint32_t)s) + OWN_SCRATCH; /* must not be written */
		else
			s = -1;
		mm.nr = nr;
		mm.buffer = (uint32_t)(uintptr_t)out;
		rc = mem_op(XENMEM_memory_map, &mm);
		uint32_t got = nr < 3 ? nr : 3;
		if (s >= 0 ? (nr ? rc != -EFAULT : rc != 0) : rc != 0 || mm.nr != got)
			bad(F_MEM, "memory_map(%u entries into a %s page): %ld, %u entries", nr,
			    s >= 0 ? pg_name[pg[s].kind] : "RAM", rc, mm.nr);
		break;
	}
	case 3: { /* set_memory_map: domain 0's */
		static struct { uint16_t dom, pad; uint32_t nr, buffer; } fm;
		fm.dom = chance(50) ? DOMID_SELF : random_dom();
		fm.nr = below(10);
		fm.buffer = (uint32_t)(uintptr_t)buf;
		rc = mem_op(XENMEM_set_memory_map, &fm);
		expect_rc(F_MEM, "set_memory_map", rc, E(EPERM));
		break;
	}
	case 4: { /* commands not offered, or with a start extent */
		static const uint32_t cmds[] = { XENMEM_maximum_ram_page, XENMEM_machphys_mfn_list,
			XENMEM_machine_memory_map, XENMEM_exchange, XENMEM_machphys_mapping,
			XENMEM_maximum_gpfn, XENMEM_remove_from_physmap, XENMEM_add_to_physmap_batch, 8, 16,
			30, 63 };
		uint32_t cmd = cmds[below(12)];
		if (chance(20))
			cmd = (chance(50) ? XENMEM_current_reservation : XENMEM_add_to_physmap) |
			      (1 + below(100)) << MEMOP_EXTENT_SHIFT;
		rc = mem_op(cmd, buf);
		expect_rc(F_MEM, "a command not offered", rc, E(ENOSYS));
		break;
	}
	case 5: { /* reservations: larger extents, another domain */
		uint32_t cmd = (uint32_t[]){ XENMEM_decrease_reservation, XENMEM_populate_physmap,
					     XENMEM_increase_reservation }[below(3)];
		bool order = chance(50);
		lst[0] = ram_pages + 5;
		rc = reservation(cmd, lst, 1 + below(4), order ? 1 + below(18) : 0,
				 order ? DOMID_SELF : other_dom());
		expect_rc(F_MEM, "a reservation of order > 0 or of another domain", rc,
			  order ? E(EINVAL) : E(EPERM));
		break;
	}
	case 6: { /* the list unreadable: -EFAULT, or the extents read before it */
		uint32_t cmd = chance(50) ? XENMEM_decrease_reservation : XENMEM_populate_physmap;
		rc = reservation(cmd, (const uint32_t *)(uintptr_t)((ram_pages << 12) + 4 * below(16)),
				 1 + below(30), 0, DOMID_SELF);
		if (rc != -EFAULT)
			bad(F_MEM, "a reservation with its list outside RAM: %ld", rc);
		break;
	}
	default: { /* the argument outside RAM, or in a page we cannot read */
		int s = pick_kind(PG_HOLE);
		void *arg = s >= 0 && chance(50) ? (void *)slot_ptr((uint32_t)s)
						 : (void *)(uintptr_t)((ram_pages << 12) + 8 * below(512));
		uint32_t cmd = (uint32_t[]){ XENMEM_decrease_reservation, XENMEM_populate_physmap,
			XENMEM_current_reservation, XENMEM_maximum_reservation, XENMEM_add_to_physmap,
			XENMEM_memory_map, XENMEM_set_memory_map }[below(7)];
		if (s >= 0 && !slot_acc((uint32_t)s))
			arg = (void *)(uintptr_t)((ram_pages << 12) + 8);
		rc = mem_op(cmd, arg);
		expect_rc(F_MEM, "a bad argument", rc, E(EFAULT));
		break;
	}
	}
}

/* ---- probes: hypercalls reading and writing arena pages ---------------------------------- */

void act_probe(void)
{
	int s = (int)pick_slot();

	if (!slot_acc((uint32_t)s) || pg[s].kind == PG_UNKNOWN)
		return;
	uint8_t *p = slot_ptr((uint32_t)s);
	int kind = pg[s].kind;
	const struct map *m = kind == PG_FOREIGN ? &mp[pg[s].map] : NULL;
	if (chance(50)) {
		/* Read: status with dom 0xffff (or 0): -EPERM if readable. */
		uint32_t off = kind == PG_SHINFO || kind == PG_GNT ? 4072 : 12;
		long rc = evt_op(EVTCHNOP_status, p + off);
		expect_rc(F_EVT, kind == PG_HOLE ? "status read from a hole" : "status read from a page",
			  rc, kind == PG_HOLE ? E(EFAULT) : E(EPERM));
		return;
	}
	/* Write: extraversion (16 bytes) where we may write. */
	uint32_t off;
	bool writable;
	switch (kind) {
	case PG_RAM: off = OWN_SCRATCH + below(1400); writable = true; break;
	case PG_SHINFO: off = 3200 + below(800); writable = true; break;
	case PG_GNT: return;
	case PG_FOREIGN: off = m->peer ? PEER_SCRATCH + below(2000) : OWN_SCRATCH + below(1400);
		writable = !m->ro; break;
	default: off = below(4080); writable = false; break;
	}
	uint8_t before[16];
	if (kind != PG_HOLE)
		memcpy(before, p + off, 16);
	long rc = hc(F_VER, HYPERVISOR_xen_version, XENVER_extraversion, (uint32_t)(uintptr_t)(p + off),
		     0, 0, 0);
	if (!writable) {
		if (rc != -EFAULT || (kind != PG_HOLE && memcmp(before, p + off, 16)))
			bad(F_VER, "extraversion into a %s%s page: %ld%s", kind == PG_FOREIGN ? "read-only " : "",
			    pg_name[kind], rc, kind != PG_HOLE && memcmp(before, p + off, 16) ? ", written" : "");
		return;
	}
	if (rc || memcmp(p + off, "-eyrie", 7))
		bad(F_VER, "extraversion into a writable %s page at 0x%x: %ld", pg_name[kind], slot_gfn((uint32_t)s) * 4096 + off, rc);
	if (m && !m->peer && m->src_slot != 0xffff && !m->ro &&
	    memcmp(slot_ptr(m->src_slot) + off, "-eyrie", 7))
		bad(F_GNT, "a write through the mapping at 0x%x is not in our page 0x%x", slot_gfn((uint32_t)s),
		    m->src_gfn);
}

/* ---- checks of the whole model ----------------------------------------------------------------- */

void verify_slot(uint32_t s, const char *when)
{
	if (!slot_acc(s))
		return;
	const uint8_t *p = slot_ptr(s);
	const struct tag *t = (const struct tag *)p;
	switch (pg[s].kind) {
	case PG_RAM:
		if (!pg[s].gen) {
			if (!zero(p, PAT_END))
				bad(F_MEM, "%s: page 0x%x, zero since it came back, is not", when, slot_gfn(s));
			break;
		}
		if (!tag_valid(t, self_id, slot_gfn(s)) || t->gen != pg[s].gen) {
			bad(F_MEM, "%s: page 0x%x lost its tag (magic 0x%x owner %u gfn 0x%x gen %u, want %u)",
			    when, slot_gfn(s), *(const uint32_t *)t->text, t->owner, t->gfn, t->gen, pg[s].gen);
			break;
		}
		for (int i = 0; i < 4; i++) {
			uint32_t w = 8 + below(PAT_END / 4 - 8);
			if (((const uint32_t *)p)[w] != pat(pg[s].gen, w)) {
				bad(F_MEM, "%s: page 0x%x word %u changed", when, slot_gfn(s), w);
				break;
			}
		}
		break;
	case PG_FOREIGN:
		check_map_content(pg[s].map, when);
		break;
	case PG_SHINFO: {
		const volatile struct shared_info *sh = (const volatile void *)p;
		if ((sh->wc_version & 1) || sh->wc_sec < 1600000000u)
			bad(F_MEM, "%s: the shared info at 0x%x: wall clock version %u, %u s", when,
			    slot_gfn(s), sh->wc_version, sh->wc_sec);
		break;
	}
	case PG_GNT:
		for (int i = 0; i < 4; i++)
			check_entry((pg[s].gframe - 1) * 512 + below(504), when);
		break;
	default:
		break;
	}
}

void act_verify(void)
{
	for (int i = 0; i < 6; i++)
		verify_slot(pick_slot(), "a look");
	if (shinfo())
		check_pending("a look");
	if (rs_at[0] != NO_GFN)
		check_runstate((const struct runstate32 *)(rs_page[0] + rs_at[0]), 0, "the runstate area");
}

void act_tag(void)
{
	for (int i = 0; i < 4; i++) {
		int s = pick_kind(PG_RAM);
		if (s >= 0 && !pg[s].gen && slot_acc((uint32_t)s)) {
			if (!zero(slot_ptr((uint32_t)s), PAT_END))
				bad(F_MEM, "page 0x%x, zero since it came back, is not", slot_gfn((uint32_t)s));
			tag_slot((uint32_t)s);
			mb_dirty = true;
		}
	}
}

