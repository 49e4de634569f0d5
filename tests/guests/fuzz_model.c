/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz (see fuzz.c): the model of what the hypervisor holds for us: the
 * arena's pages and their tags, our grant table, the mappings we hold, our
 * ports, and the mailboxes (ours written, the peer's read under its counter). */
#include "fuzz.h"

/* ---- the guest's memory ----------------------------------------------------- */

static const uint32_t far_gfn[NFAR] = { 0xfffffu, 0x100000u, MAX_GFN - 1 };

const char *const pg_name[] = { "RAM", "hole", "foreign", "shared info", "grant frame",
				"unknown" };
struct page pg[NSLOT];
uint32_t self_id, nvcpus = 1, ram_pages, arena_n, upper_lo, mailview_gfn, nslot;
uint32_t arena_ram;    /* arena pages that are RAM */
static uint32_t gen_ctr;

uint32_t slot_gfn(uint32_t s)
{
	if (s < arena_n)
		return ARENA_LO + s;
	if (s < arena_n + UPPER_N)
		return upper_lo + (s - arena_n);
	return far_gfn[s - arena_n - UPPER_N];
}

int gfn_slot(uint32_t gfn)
{
	if (gfn >= ARENA_LO && gfn < ARENA_LO + arena_n)
		return (int)(gfn - ARENA_LO);
	if (gfn >= upper_lo && gfn < upper_lo + UPPER_N)
		return (int)(arena_n + gfn - upper_lo);
	for (uint32_t i = 0; i < NFAR; i++)
		if (gfn == far_gfn[i])
			return (int)(arena_n + UPPER_N + i);
	return -1;
}

bool slot_acc(uint32_t s)
{
	return slot_gfn(s) < 0x100000u;
}

uint8_t *slot_ptr(uint32_t s)
{
	return (uint8_t *)(uintptr_t)(slot_gfn(s) << 12);
}

static bool in_ram(uint32_t gfn)
{
	return gfn < ram_pages;
}

/* What a guest frame number is, for frames outside the model too. */
int gfn_kind(uint32_t gfn)
{
	int s = gfn_slot(gfn);

	if (s >= 0)
		return pg[s].kind;
	return in_ram(gfn) ? PG_RAM : PG_HOLE;
}

uint32_t pick_slot(void)
{
	return below(10) < 8 ? below(arena_n) : arena_n + below(UPPER_N + NFAR);
}

/* A slot of this kind (tries a few random ones, then scans); -1: none. */
int pick_kind(int kind)
{
	for (int i = 0; i < 8; i++) {
		uint32_t s = pick_slot();
		if (pg[s].kind == kind)
			return (int)s;
	}
	uint32_t start = below(nslot);
	for (uint32_t i = 0; i < nslot; i++) {
		uint32_t s = (start + i) % nslot;
		if (pg[s].kind == kind)
			return (int)s;
	}
	return -1;
}

/* A RAM page of the arena nobody maps (safe to give back or replace). */
int pick_free_ram(void)
{
	for (int i = 0; i < 12; i++) {
		uint32_t s = below(arena_n);
		if (pg[s].kind == PG_RAM && !pg[s].smaps && !pg[s].pgrants)
			return (int)s;
	}
	return pick_kind(PG_RAM);
}

/* ---- page contents: tags ------------------------------------------------------ */

#define TAG_TEXT "fuzzTAG:"

uint32_t pat(uint32_t gen, uint32_t i)
{
	uint32_t x = gen * 0x9e3779b9u ^ i * 0x85ebca6bu;

	x ^= x >> 15;
	return x * 0xc2b2ae35u | 1;
}

void tag_slot(uint32_t s)
{
	if (pg[s].pgrants)
		mb_touch();
	uint32_t *w = (uint32_t *)slot_ptr(s), gfn = slot_gfn(s), gen = ++gen_ctr;
	struct tag t = { TAG_TEXT, self_id, 0xffffffffu, gfn, gen, self_id ^ gfn ^ gen ^ 0x5a5a5a5au, 0 };

	memcpy(w, &t, sizeof(t));
	for (uint32_t i = 8; i < PAT_END / 4; i++)
		w[i] = pat(gen, i);
	pg[s].gen = gen;
}

bool tag_valid(const struct tag *t, uint32_t owner, uint32_t gfn)
{
	return !memcmp(t->text, TAG_TEXT, 8) && t->owner == owner && t->nodom == 0xffffffffu &&
	       (gfn == NO_GFN || t->gfn == gfn) && t->sum == (t->owner ^ t->gfn ^ t->gen ^ 0x5a5a5a5au);
}

/* A string field of n bytes: ends within them. */
bool has_nul(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!b[i])
			return true;
	return false;
}

bool zero(const void *p, size_t n)
{
	const uint32_t *w = p;

	for (size_t i = 0; i < n / 4; i++)
		if (w[i])
			return false;
	return true;
}

/* ---- the grant table (ours) -------------------------------------------------- */

struct gref gr[NREF];
uint32_t gt_nr;    /* frames in the table */
/* Where the shared info (0) and grant-table frame i (1 + i) are mapped. */
uint32_t frame_gfn[1 + GT_MAX];
int peer = -1;     /* the peer's domain id, -1: none */

volatile uint32_t *entry_ptr(uint32_t ref)
{
	uint32_t gfn = ref < NREF ? frame_gfn[1 + ref / 512] : NO_GFN;

	if (gfn == NO_GFN || gfn >= 0x100000u)
		return NULL;
	return (volatile uint32_t *)(uintptr_t)((gfn << 12) + (ref % 512) * 8);
}

/* Entries we write: 3 .. the table's end, not the last 8 of a frame
 * (probes read there). */
bool ref_ours(uint32_t ref)
{
	return ref >= 3 && ref < NREF && ref % 512 < 504;
}

bool to_peer(const struct gref *g)
{
	return peer >= 0 && g->dom == (uint32_t)peer && (g->flags & GTF_type_mask) == GTF_permit_access;
}

/* ---- the mailbox ------------------------------------------------------------- */

enum { MBK_RAM = 1, MBK_NOTRAM = 2 };
_Static_assert(sizeof(struct mailbox) <= 2048, "the mailbox stays in the page's first half");
union mbox_page mbox_page __attribute__((aligned(4096)));
volatile struct mailbox *const mb = &mbox_page.m;
volatile struct mailbox *pv;   /* the peer's, mapped read-only */
uint32_t adv_refs[MB_GRANTS], nadv_refs;
uint16_t adv_ports[MB_PORTS];
uint32_t nadv_ports;
bool mb_dirty, mb_open;
bool peer_done; /* the peer said DONE: it may be gone */

/* About to change what the mailbox says (before the hypercall or the
 * write that does it): the counter goes odd until the action ends. */
void mb_touch(void)
{
	if (!mb_open) {
		mb->gen++;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		mb_open = true;
	}
	mb_dirty = true;
}

void adv_ref_add(uint32_t ref)
{
	adv_refs[nadv_refs++] = ref;
	mb_dirty = true;
}

void adv_ref_del(uint32_t ref)
{
	for (uint32_t i = 0; i < nadv_refs; i++)
		if (adv_refs[i] == ref) {
			adv_refs[i] = adv_refs[--nadv_refs];
			mb_dirty = true;
			return;
		}
}

/* ---- grant mappings we hold -------------------------------------------------------- */

struct map mp[MAXMAP];
uint32_t nmaps;
uint16_t hnext[NHANDLE];
uint32_t hfree;
bool mt_init;
uint32_t mailview_handle = NHANDLE;

bool h_unknown;  /* after a disagreement on a mapping */

uint32_t h_alloc(void)
{
	uint32_t h = hfree;

	if (h < NHANDLE)
		hfree = hnext[h];
	return h;
}

void h_free(uint32_t h)
{
	hnext[h] = (uint16_t)hfree;
	hfree = h;
}

int map_new(void)
{
	for (uint32_t i = 0; i < MAXMAP; i++)
		if (!mp[i].live)
			return (int)i;
	return -1;
}

/* Our live uses of the peer's ref (mappings): readers, writers. */
void peer_pins(uint32_t ref, uint32_t *r, uint32_t *w)
{
	*r = *w = 0;
	for (uint32_t i = 0; i < MAXMAP; i++)
		if (mp[i].live && mp[i].peer && mp[i].ref == ref)
			++*(mp[i].ro ? r : w);
}

/* ---- event channels (ours) ------------------------------------------------------------ */

struct port pt[NPORT];
uint32_t pend_known[NPORT / 32], pend_val[NPORT / 32], mask_val[NPORT / 32];
uint16_t virq_port[2][NR_VIRQS];
uint32_t free_hint = 1, epoch_ctr;

void set_pend(uint32_t p, int v) /* 0, 1 or 2 (unknown) */
{
	uint32_t b = 1u << (p % 32);

	pend_known[p / 32] &= ~b;
	pend_val[p / 32] &= ~b;
	if (v == 2)
		return;
	pend_known[p / 32] |= b;
	if (v)
		pend_val[p / 32] |= b;
}

int lowest_free(void)
{
	for (uint32_t p = free_hint; p < NPORT; p++)
		if (pt[p].st == P_FREE) {
			free_hint = p;
			return (int)p;
		}
	free_hint = NPORT;
	return -1;
}

bool virq_per_vcpu(uint32_t virq)
{
	return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU;
}

void port_free(uint32_t p)
{
	/* a global VIRQ is recorded in row 0 whichever vcpu it notifies */
	uint32_t row = virq_per_vcpu(pt[p].virq) ? pt[p].vcpu : 0;

	if (pt[p].st == P_VIRQ && virq_port[row][pt[p].virq] == p)
		virq_port[row][pt[p].virq] = 0;
	if (pt[p].st == P_PEER)
		for (uint32_t i = 0; i < nadv_ports; i++)
			if (adv_ports[i] == p) {
				adv_ports[i] = adv_ports[--nadv_ports];
				mb_dirty = true;
				break;
			}
	pt[p] = (struct port){ .st = P_FREE };
	set_pend(p, 0);
	if (p < free_hint)
		free_hint = p;
}

volatile struct shared_info *shinfo(void)
{
	uint32_t g = frame_gfn[0];

	return g != NO_GFN && g < 0x100000u ? (volatile struct shared_info *)(uintptr_t)(g << 12) : NULL;
}

union vi_page vi_page[2] __attribute__((aligned(4096)));
uint8_t rs_page[2][4096] __attribute__((aligned(4096)));
uint8_t tm_page[4096] __attribute__((aligned(4096)));
uint32_t rs_at[2] = { NO_GFN, NO_GFN }; /* offset of the registered runstate area */

volatile uint32_t *pend_word(uint32_t w)
{
	volatile struct shared_info *s = shinfo();

	return s ? (volatile uint32_t *)&s->evtchn_pending[0] + w : NULL;
}

volatile uint32_t *mask_word(uint32_t w)
{
	volatile struct shared_info *s = shinfo();

	return s ? (volatile uint32_t *)&s->evtchn_mask[0] + w : NULL;
}

/* The peer's events arrived (counted, not checked: they come at any time). */
void count_peer_events(void)
{
	for (uint32_t w = 0; w < NPORT / 32; w++) {
		volatile uint32_t *pw = pend_word(w);
		if (!pw)
			return;
		uint32_t v = *pw & ~pend_known[w];
		while (v) {
			uint32_t p = w * 32 + (uint32_t)__builtin_ctz(v);
			v &= v - 1;
			if (pt[p].st == P_PEER) {
				st.peer_events++;
				__atomic_fetch_and(pw, ~(1u << (p % 32)), __ATOMIC_SEQ_CST);
			}
		}
	}
}

void check_pending(const char *after)
{
	for (uint32_t w = 0; w < NPORT / 32; w++) {
		volatile uint32_t *pw = pend_word(w), *mw = mask_word(w);
		if (!pw)
			return;
		uint32_t got = *pw & pend_known[w], m = *mw;
		if (got != pend_val[w])
			bad(F_EVT, "after %s: pending bits of ports %u-%u: 0x%x, expected 0x%x (known 0x%x)",
			    after, w * 32, w * 32 + 31, got, pend_val[w], pend_known[w]);
		if (m != mask_val[w])
			bad(F_EVT, "after %s: mask bits of ports %u-%u: 0x%x, expected 0x%x", after,
			    w * 32, w * 32 + 31, m, mask_val[w]);
		if (got != pend_val[w] || m != mask_val[w]) {
			pend_known[w] = pend_val[w] = 0; /* told once: unknown from now on */
			mask_val[w] = m;
		}
	}
}

/* ---- the peer's mailbox, read under its sequence counter ------------------------------ */

uint32_t pv_gen(void)
{
	uint32_t g = pv ? pv->gen : 1;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (pv && pv->state == MB_DONE)
		peer_done = true;
	return g;
}

bool pv_same(uint32_t g)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return pv && !(g & 1) && pv->gen == g && !peer_done;
}

void peer_grant(uint32_t ref, struct psnap *s)
{
	*s = (struct psnap){ pv ? pv->nr_frames : 0, false, 0, 0, NO_GFN, 0 };
	uint32_t n = pv ? pv->ngrants : 0;
	for (uint32_t i = 0; i < n && i < MB_GRANTS; i++)
		if (pv->grants[i].ref == ref) {
			s->listed = true;
			s->flags = pv->grants[i].flags;
			s->kind = pv->grants[i].kind;
			s->frame = pv->grants[i].frame;
			s->gen = pv->grants[i].gen;
			return;
		}
}

/* A ref of the peer to try: one it lists (mostly), or any. */
uint32_t peer_ref(void)
{
	uint32_t n = pv ? pv->ngrants : 0;

	if (n && n <= MB_GRANTS && chance(85))
		return pv->grants[below(n)].ref;
	uint32_t r = 3 + below(pv && pv->nr_frames <= GT_MAX ? pv->nr_frames * 512 + 8 : 600);
	return r == MBOX_LO || r == MBOX_HI ? 3 : r;
}

/* The status a use of the peer's ref by us must get (snapshot s). */
uint32_t peer_use(const struct psnap *s, uint32_t ref, bool wr, bool map, uint32_t r,
		  uint32_t w)
{
	uint16_t mask = GTF_type_mask | (map ? GTF_sub_page : 0);

	if (ref >= s->nr_frames * 512)
		return S(GNTST_bad_gntref);
	if (!(r + w) || (wr && !w)) {
		if (!(r + w) && (!s->listed || (s->flags & mask) != GTF_permit_access))
			return S(GNTST_general_error);
		if (wr && s->listed && (s->flags & GTF_readonly))
			return S(GNTST_general_error);
		if (!s->listed)
			return S(GNTST_general_error);
	}
	return s->kind == MBK_RAM ? S(GNTST_okay) : S(GNTST_bad_page);
}

/* ---- our own uses of our grants (map, copy): the model of gnttab.c ------------------ */

/* The status a use of our ref by us must get; *gfn the frame used. */
int own_use(uint32_t ref, bool wr, bool map, uint32_t *gfn)
{
	uint16_t mask = GTF_type_mask | (map ? GTF_sub_page : 0);

	if (ref >= gt_nr * 512)
		return GNTST_bad_gntref;
	if (ref >= NREF)
		return GNTST_bad_gntref;
	struct gref *g = &gr[ref];
	uint32_t pins = g->r + g->w;
	if (!pins && ((g->flags & mask) != GTF_permit_access || g->dom != self_id))
		return GNTST_general_error;
	if ((!pins || (wr && !g->w)) && wr && (g->flags & GTF_readonly))
		return GNTST_general_error;
	*gfn = pins ? g->act : g->frame;
	return gfn_kind(*gfn) == PG_RAM ? GNTST_okay : GNTST_bad_page;
}

void own_use_add(uint32_t ref, bool wr, uint32_t gfn)
{
	if (!(gr[ref].r + gr[ref].w))
		gr[ref].act = gfn;
	++*(wr ? &gr[ref].w : &gr[ref].r);
}

void own_use_end(uint32_t ref, bool wr)
{
	--*(wr ? &gr[ref].w : &gr[ref].r);
}

/* Checks the hypervisor's bits in our entry against our uses of it. */
void check_entry(uint32_t ref, const char *when)
{
	volatile uint32_t *e = entry_ptr(ref);

	if (!e || ref >= gt_nr * 512)
		return;
	struct gref *g = &gr[ref];
	uint32_t w0 = e[0], fr = e[1];
	uint16_t fl = (uint16_t)w0, dom = (uint16_t)(w0 >> 16);
	if ((fl & ~GTF_RW) != g->flags || dom != g->dom || fr != g->frame) {
		bad(F_GNT, "%s: entry %u reads flags 0x%x dom %u frame 0x%x, we wrote 0x%x %u 0x%x",
		    when, ref, fl, dom, fr, g->flags, g->dom, g->frame);
		return;
	}
	if (g->dom == (uint32_t)peer && peer >= 0)
		return; /* the peer's uses are its own */
	uint16_t want = (g->r + g->w ? GTF_reading : 0) | (g->w ? GTF_writing : 0);
	if ((fl & GTF_RW) != want)
		bad(F_GNT, "%s: entry %u (to %u) has GTF bits 0x%x, our uses %u+%u want 0x%x", when, ref,
		    g->dom, fl & GTF_RW, g->r, g->w, want);
}

/* ---- the mailbox, written ------------------------------------------------------------------ */

void mb_begin(void)
{
	mb_touch();
}

void mb_end(void)
{
	if (!mb_open)
		return;
	mb_open = false;
	if (mb_dirty) {
		mb->nr_frames = gt_nr;
		for (uint32_t i = 0; i < nadv_refs; i++) {
			const struct gref *g = &gr[adv_refs[i]];
			int s = gfn_slot(g->frame);
			bool ram = s >= 0 ? pg[s].kind == PG_RAM : in_ram(g->frame);
			mb->grants[i] = (struct mb_grant){ adv_refs[i], g->frame, g->flags,
				ram ? MBK_RAM : MBK_NOTRAM, 0, s >= 0 && ram ? pg[s].gen : 0 };
		}
		mb->ngrants = nadv_refs;
		for (uint32_t i = 0; i < nadv_ports; i++) {
			const struct port *p = &pt[adv_ports[i]];
			mb->ports[i] = (struct mb_port){ adv_ports[i], p->adv, 0, p->epoch, p->yport, 0,
							 p->yepoch };
		}
		mb->nports = nadv_ports;
		mb_dirty = false;
	}
	mb->calls = ncalls;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mb->gen++;
}

