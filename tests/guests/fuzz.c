/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz: a stateful hypercall fuzzer. Run as two PVH domains side by side
 * (type=pvh,vcpus=2,memory=8, cmdline=fuzz:seed=S,calls=N[,peer=ID|none]
 * [,trace=K]); each makes N hypercalls chosen at random from a seed, well
 * formed but hostile, across every call the ABI offers (docs/abi.md), and
 * a share of raw random ones.
 *
 * It keeps a model of what it expects the hypervisor to hold for it and
 * checks every result against it; any disagreement is a FAIL line naming
 * the call's index (replay with the same seed; `trace=K` prints every
 * call from the K-th on):
 *
 *  - the arena, guest frames [4 MiB, RAM end) plus 64 pages above RAM and
 *    three far ones: each page is RAM (with a tag: owner, gfn, generation,
 *    and a pattern; or zero since it was ballooned back), a hole, a grant
 *    mapping (of its own page or the peer's; read-only or not), the
 *    shared info or a grant-table frame. Only the arena is ever given back,
 *    replaced or mapped over; a page is only read or written when the
 *    model says it is there, and its contents are checked;
 *  - its grant table (every entry it wrote, the uses it holds itself, the
 *    hypervisor's GTF_reading/GTF_writing bits), its maptrack handles
 *    (the next handle is predicted), its reservation;
 *  - its event channels (state of every port, pending and mask bits);
 *  - its HVM parameters, vcpu 1 (started, taken down, brought up).
 *
 * Two fuzzers find each other (peer=ID, or as neighbours: each grants its
 * mailbox page read-only to both neighbours and maps the one that granted
 * it back), then each publishes in its mailbox, under a sequence counter,
 * what the other may use: its grants to the peer (reference, frame, flags,
 * what the page is) and the ports it allocated for or bound to the peer.
 * A call on the peer's grants or ports whose result depends on the peer's
 * state is checked exactly when the counter did not move across it, and
 * only for a legal result otherwise. A granter never changes an entry the
 * peer may hold: it revokes it first (compare-and-swap, refused while in
 * use). The peer writes only the second half of a page it may write.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/eyrie.h"
#include "include/public/grant_table.h"
#include "include/public/hvm_start_info.h"
#include "include/public/memory.h"
#include "include/public/vcpu.h"
#include "include/public/xen.h"

const char guest_name[] = "fuzz";

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define ENOMEM 12
#define EBUSY 16
#define EEXIST 17
#define ENOSPC 28
#define ETIME 62
#define EOPNOTSUPP 95
#define MS 1000000ull

/* ---- configuration: the command line ------------------------------------ */

static uint32_t cfg_seed = 1, cfg_calls = 10000, cfg_trace = 0xffffffffu;
static int cfg_peer = -2; /* -2: a neighbour, -1: none, else that id */

static bool key(const char **p, const char *k)
{
	size_t n = strlen(k);

	if (memcmp(*p, k, n))
		return false;
	*p += n;
	return true;
}

static uint32_t number(const char **p)
{
	uint32_t v = 0;

	while (**p >= '0' && **p <= '9')
		v = v * 10 + (uint32_t)(*(*p)++ - '0');
	return v;
}

static void parse_cmdline(const char *c)
{
	for (const char *p = c; *p;) {
		if (key(&p, "seed="))
			cfg_seed = number(&p);
		else if (key(&p, "calls="))
			cfg_calls = number(&p);
		else if (key(&p, "trace="))
			cfg_trace = number(&p);
		else if (key(&p, "peer=none"))
			cfg_peer = -1;
		else if (key(&p, "peer="))
			cfg_peer = (int)number(&p);
		else
			p++;
	}
}

/* ---- random numbers (xorshift64*) ---------------------------------------- */

static uint64_t rs;

static uint32_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return (uint32_t)((rs * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(((uint64_t)rnd() * n) >> 32);
}

static bool chance(uint32_t percent)
{
	return below(100) < percent;
}

/* ---- accounting and reporting ---------------------------------------------- */

enum fam { F_GNT, F_MEM, F_EVT, F_VCPU, F_SCHED, F_HVM, F_PHYS, F_CON, F_VER, F_TIMER,
	   F_EYRIE, F_RAW, F_CODE, NFAM };
static const char *const fam_name[NFAM] = {
	"grant", "memory", "evtchn", "vcpu", "sched", "hvm", "physdev", "console", "version",
	"timer", "eyrie", "raw", "code",
};
static uint32_t ncalls, fcalls[NFAM], fok[NFAM], fbad[NFAM], nprinted;
/* What the run achieved (the summary). */
static struct {
	uint32_t maps, peer_maps, unmaps, copies, peer_copies, out, in, moves, ports, peer_binds,
		 peer_events, peer_ops, unstable, callbacks_seen, ap_ups, entries;
} st;

static long hc(enum fam f, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
	       uint32_t a5)
{
	long rc = hypercall(nr, a1, a2, a3, a4, a5);

	ncalls++;
	fcalls[f]++;
	fok[f] += rc >= 0;
	if (ncalls >= cfg_trace)
		gprintf("fuzz: #%u %s %u(0x%x, 0x%x, 0x%x, 0x%x, 0x%x) = %ld\n", ncalls, fam_name[f],
			nr, a1, a2, a3, a4, a5, rc);
	return rc;
}

/* A disagreement with the model: one FAIL line (the first 40). */
__attribute__((format(printf, 2, 3))) static void bad(enum fam f, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	fbad[f]++;
	if (nprinted++ >= 40)
		return;
	va_start(ap, fmt);
	vsnprintf_(why, sizeof(why), fmt, ap);
	va_end(ap);
	gprintf("FAIL fuzz/%s: call %u (seed %u): %s\n", fam_name[f], ncalls, cfg_seed, why);
}

/* rc (>= 0 is success) as a bit: 0 for success, else its errno. */
static uint64_t ebit(long rc)
{
	return rc >= 0 ? 1 : -rc < 64 ? 1ull << -rc : 1ull << 63;
}
#define E(e) (1ull << (e))
#define OK 1ull

static bool expect_rc(enum fam f, const char *what, long rc, uint64_t allowed)
{
	if (ebit(rc) & allowed)
		return true;
	bad(f, "%s: %ld (allowed mask 0x%llx)", what, rc, (unsigned long long)allowed);
	return false;
}

/* A GNTST_* status as a bit. */
static uint32_t sbit(int status)
{
	return status <= 0 && status > -32 ? 1u << -status : 1u << 31;
}
#define S(st) (1u << -(st))
#define S_ANY (S(GNTST_okay) | S(GNTST_general_error) | S(GNTST_bad_domain) | \
	       S(GNTST_bad_gntref) | S(GNTST_bad_page) | S(GNTST_bad_virt_addr) | \
	       S(GNTST_permission_denied) | S(GNTST_bad_copy_arg))

static uint32_t bad_ptr(void);
static void mb_touch(void);

/* ---- hypercall wrappers ----------------------------------------------------- */

static long evt_op(unsigned cmd, const void *arg)
{
	return hc(F_EVT, HYPERVISOR_event_channel_op, cmd, (uint32_t)(uintptr_t)arg, 0, 0, 0);
}

static long gnt_op(unsigned cmd, const void *arg, uint32_t count)
{
	return hc(F_GNT, HYPERVISOR_grant_table_op, cmd, (uint32_t)(uintptr_t)arg, count, 0, 0);
}

static long mem_op(uint32_t cmd, const void *arg)
{
	return hc(F_MEM, HYPERVISOR_memory_op, cmd, (uint32_t)(uintptr_t)arg, 0, 0, 0);
}

static long vcpu_op(unsigned cmd, unsigned vcpu, const void *arg)
{
	return hc(F_VCPU, HYPERVISOR_vcpu_op, cmd, vcpu, (uint32_t)(uintptr_t)arg, 0, 0);
}

static long sched_op(unsigned cmd, const void *arg)
{
	return hc(F_SCHED, HYPERVISOR_sched_op, cmd, (uint32_t)(uintptr_t)arg, 0, 0, 0);
}

static long set_timer(uint64_t t)
{
	return hc(F_TIMER, HYPERVISOR_set_timer_op, (uint32_t)t, (uint32_t)(t >> 32), 0, 0, 0);
}

/* x86_32 layouts. */
struct cptr { uint32_t ref; uint16_t dom, off; };
struct copy32 {
	struct cptr src, dst;
	uint16_t len, flags;
	int16_t status;
	uint16_t pad;
};
struct resv32 { uint32_t start, nr, order, flags; uint16_t dom, pad; };
struct atp32 { uint16_t dom, size; uint32_t space, idx, gpfn; };
struct poll32 { uint32_t ports, nr; uint64_t timeout; };
struct setup32 { uint16_t dom, pad; uint32_t nr; int16_t status; uint16_t pad2; };
struct runstate32 { int32_t state; uint32_t w[10]; }; /* entry time, time[4]: u64 at 4 */

/* ---- the guest's memory ----------------------------------------------------- */

#define ARENA_LO 0x400u     /* 4 MiB */
#define ARENA_MAX 1024u
#define UPPER_N 64u
#define NFAR 3u
#define NSLOT (ARENA_MAX + UPPER_N + NFAR)
#define NO_GFN 0xffffffffu
#define MAX_GFN (1u << 28)  /* frames may be mapped below 1 TiB */
static const uint32_t far_gfn[NFAR] = { 0xfffffu, 0x100000u, MAX_GFN - 1 };

enum { PG_RAM, PG_HOLE, PG_FOREIGN, PG_SHINFO, PG_GNT, PG_UNKNOWN };
static const char *const pg_name[] = { "RAM", "hole", "foreign", "shared info", "grant frame",
				       "unknown" };
struct page {
	uint8_t kind;
	uint8_t gframe;   /* PG_GNT: which */
	uint8_t pgrants;  /* valid grant entries to the peer naming this page */
	uint8_t map;      /* PG_FOREIGN: index in maps[] */
	uint16_t smaps;   /* live mappings of this page's frame (by us) */
	uint16_t pad;
	uint32_t gen;     /* PG_RAM: the tag's generation, 0 = zero page */
};
static struct page pg[NSLOT];
static uint32_t self_id, nvcpus = 1, ram_pages, arena_n, upper_lo, mailview_gfn, nslot;
static uint32_t arena_ram;    /* arena pages that are RAM */
static uint32_t gen_ctr;

static uint32_t slot_gfn(uint32_t s)
{
	if (s < arena_n)
		return ARENA_LO + s;
	if (s < arena_n + UPPER_N)
		return upper_lo + (s - arena_n);
	return far_gfn[s - arena_n - UPPER_N];
}

static int gfn_slot(uint32_t gfn)
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

static bool slot_acc(uint32_t s)
{
	return slot_gfn(s) < 0x100000u;
}

static uint8_t *slot_ptr(uint32_t s)
{
	return (uint8_t *)(uintptr_t)(slot_gfn(s) << 12);
}

static bool in_ram(uint32_t gfn)
{
	return gfn < ram_pages;
}

/* What a guest frame number is, for frames outside the model too. */
static int gfn_kind(uint32_t gfn)
{
	int s = gfn_slot(gfn);

	if (s >= 0)
		return pg[s].kind;
	return in_ram(gfn) ? PG_RAM : PG_HOLE;
}

static uint32_t pick_slot(void)
{
	return below(10) < 8 ? below(arena_n) : arena_n + below(UPPER_N + NFAR);
}

/* A slot of this kind (tries a few random ones, then scans); -1: none. */
static int pick_kind(int kind)
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
static int pick_free_ram(void)
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
#define PAT_END 512u      /* [32, 512): the pattern */
#define OWN_SCRATCH 512u  /* [512, 2048): our own writes (copies, probes) */
#define PEER_SCRATCH 2048u /* [2048, 4096): the peer's writes */

struct tag {
	char text[8];
	uint32_t owner, nodom, gfn, gen, sum, pad;
};

static uint32_t pat(uint32_t gen, uint32_t i)
{
	uint32_t x = gen * 0x9e3779b9u ^ i * 0x85ebca6bu;

	x ^= x >> 15;
	return x * 0xc2b2ae35u | 1;
}

static void tag_slot(uint32_t s)
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

static bool tag_valid(const struct tag *t, uint32_t owner, uint32_t gfn)
{
	return !memcmp(t->text, TAG_TEXT, 8) && t->owner == owner && t->nodom == 0xffffffffu &&
	       (gfn == NO_GFN || t->gfn == gfn) && t->sum == (t->owner ^ t->gfn ^ t->gen ^ 0x5a5a5a5au);
}

/* A string field of n bytes: ends within them. */
static bool has_nul(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!b[i])
			return true;
	return false;
}

static bool zero(const void *p, size_t n)
{
	const uint32_t *w = p;

	for (size_t i = 0; i < n / 4; i++)
		if (w[i])
			return false;
	return true;
}

/* ---- the grant table (ours) -------------------------------------------------- */

#define GT_MAX 8u
#define NREF (GT_MAX * 512u)
#define MBOX_LO 1u   /* our mailbox, granted to self - 1 */
#define MBOX_HI 2u   /* and to self + 1 */
#define GTF_RW (GTF_reading | GTF_writing)
struct gref {
	uint16_t flags, dom;  /* as we wrote them (no GTF_reading/writing) */
	uint32_t frame;
	uint16_t r, w;        /* our live uses */
	uint32_t act;         /* the frame our first live use took */
};
static struct gref gr[NREF];
static uint32_t gt_nr;    /* frames in the table */
/* Where the shared info (0) and grant-table frame i (1 + i) are mapped. */
static uint32_t frame_gfn[1 + GT_MAX];
static int peer = -1;     /* the peer's domain id, -1: none */

static volatile uint32_t *entry_ptr(uint32_t ref)
{
	uint32_t gfn = ref < NREF ? frame_gfn[1 + ref / 512] : NO_GFN;

	if (gfn == NO_GFN || gfn >= 0x100000u)
		return NULL;
	return (volatile uint32_t *)(uintptr_t)((gfn << 12) + (ref % 512) * 8);
}

/* Entries we write: 3 .. the table's end, not the last 8 of a frame
 * (probes read there). */
static bool ref_ours(uint32_t ref)
{
	return ref >= 3 && ref < NREF && ref % 512 < 504;
}

static bool to_peer(const struct gref *g)
{
	return peer >= 0 && g->dom == (uint32_t)peer && (g->flags & GTF_type_mask) == GTF_permit_access;
}

/* ---- the mailbox ------------------------------------------------------------- */

#define MB_MAGIC 0x7a7a6d62u
#define MB_GRANTS 48u
#define MB_PORTS 40u
enum { MB_RUNNING = 1, MB_DONE = 2 };
enum { MBK_RAM = 1, MBK_NOTRAM = 2 };
enum { MBP_ALLOC = 1, MBP_BOUND = 2 };
struct mb_grant { uint32_t ref, frame; uint16_t flags; uint8_t kind, pad; uint32_t gen; };
struct mb_port { uint16_t port; uint8_t type, pad; uint32_t epoch; uint16_t yport, pad2; uint32_t yepoch; };
struct mailbox {
	uint32_t magic;
	uint16_t domid, peer;
	uint32_t state, gen, nr_frames, ngrants, nports, calls;
	struct mb_grant grants[MB_GRANTS];
	struct mb_port ports[MB_PORTS];
};
_Static_assert(sizeof(struct mailbox) <= 2048, "the mailbox stays in the page's first half");
static union {
	struct mailbox m;
	uint8_t page[4096];
} mbox_page __attribute__((aligned(4096)));
static volatile struct mailbox *const mb = &mbox_page.m;
static volatile struct mailbox *pv;   /* the peer's, mapped read-only */
static uint32_t adv_refs[MB_GRANTS], nadv_refs;
static uint16_t adv_ports[MB_PORTS];
static uint32_t nadv_ports;
static bool mb_dirty, mb_open;
static bool peer_done; /* the peer said DONE: it may be gone */

/* About to change what the mailbox says (before the hypercall or the
 * write that does it): the counter goes odd until the action ends. */
static void mb_touch(void)
{
	if (!mb_open) {
		mb->gen++;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		mb_open = true;
	}
	mb_dirty = true;
}

static void adv_ref_add(uint32_t ref)
{
	adv_refs[nadv_refs++] = ref;
	mb_dirty = true;
}

static void adv_ref_del(uint32_t ref)
{
	for (uint32_t i = 0; i < nadv_refs; i++)
		if (adv_refs[i] == ref) {
			adv_refs[i] = adv_refs[--nadv_refs];
			mb_dirty = true;
			return;
		}
}

/* ---- grant mappings we hold -------------------------------------------------------- */

#define MAXMAP 80u
#define NHANDLE 1024u
struct map {
	uint8_t live, peer, ro, pad;
	uint16_t slot, src_slot;   /* src_slot: our own source page, else 0xffff */
	uint32_t handle, ref, src_gfn;
};
static struct map mp[MAXMAP];
static uint32_t nmaps;
static uint16_t hnext[NHANDLE];
static uint32_t hfree;
static bool mt_init;
static uint32_t mailview_handle = NHANDLE;

static bool h_unknown;  /* after a disagreement on a mapping */

static uint32_t h_alloc(void)
{
	uint32_t h = hfree;

	if (h < NHANDLE)
		hfree = hnext[h];
	return h;
}

static void h_free(uint32_t h)
{
	hnext[h] = (uint16_t)hfree;
	hfree = h;
}

static int map_new(void)
{
	for (uint32_t i = 0; i < MAXMAP; i++)
		if (!mp[i].live)
			return (int)i;
	return -1;
}

/* Our live uses of the peer's ref (mappings): readers, writers. */
static void peer_pins(uint32_t ref, uint32_t *r, uint32_t *w)
{
	*r = *w = 0;
	for (uint32_t i = 0; i < MAXMAP; i++)
		if (mp[i].live && mp[i].peer && mp[i].ref == ref)
			++*(mp[i].ro ? r : w);
}

/* ---- event channels (ours) ------------------------------------------------------------ */

#define NPORT 4096u /* the 2-level ABI's ports (the fuzzer never turns FIFO on) */
enum { P_FREE, P_RES, P_UNB, P_INTER, P_VIRQ, P_IPI, P_PEER, P_UNK };
struct port {
	uint8_t st, virq, vcpu, adv;   /* adv: MBP_* for P_PEER */
	uint16_t rdom, rport;          /* P_UNB, P_INTER */
	uint16_t yport, pad;           /* P_PEER bound: the peer's port and its epoch */
	uint32_t epoch, yepoch;
};
static struct port pt[NPORT];
static uint32_t pend_known[NPORT / 32], pend_val[NPORT / 32], mask_val[NPORT / 32];
static uint16_t virq_port[2][NR_VIRQS];
static uint32_t free_hint = 1, epoch_ctr;

static void set_pend(uint32_t p, int v) /* 0, 1 or 2 (unknown) */
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

static int lowest_free(void)
{
	for (uint32_t p = free_hint; p < NPORT; p++)
		if (pt[p].st == P_FREE) {
			free_hint = p;
			return (int)p;
		}
	free_hint = NPORT;
	return -1;
}

static bool virq_per_vcpu(uint32_t virq)
{
	return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU;
}

static void port_free(uint32_t p)
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

static volatile struct shared_info *shinfo(void)
{
	uint32_t g = frame_gfn[0];

	return g != NO_GFN && g < 0x100000u ? (volatile struct shared_info *)(uintptr_t)(g << 12) : NULL;
}

/* The vcpu_info pages each vcpu registered. */
static union {
	struct vcpu_info vi;
	uint8_t page[4096];
} vi_page[2] __attribute__((aligned(4096)));
static uint8_t rs_page[2][4096] __attribute__((aligned(4096)));
static uint8_t tm_page[4096] __attribute__((aligned(4096)));
static uint32_t rs_at[2] = { NO_GFN, NO_GFN }; /* offset of the registered runstate area */

static volatile uint32_t *pend_word(uint32_t w)
{
	volatile struct shared_info *s = shinfo();

	return s ? (volatile uint32_t *)&s->evtchn_pending[0] + w : NULL;
}

static volatile uint32_t *mask_word(uint32_t w)
{
	volatile struct shared_info *s = shinfo();

	return s ? (volatile uint32_t *)&s->evtchn_mask[0] + w : NULL;
}

/* The peer's events arrived (counted, not checked: they come at any time). */
static void count_peer_events(void)
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

static void check_pending(const char *after)
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

static uint32_t pv_gen(void)
{
	uint32_t g = pv ? pv->gen : 1;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (pv && pv->state == MB_DONE)
		peer_done = true;
	return g;
}

static bool pv_same(uint32_t g)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return pv && !(g & 1) && pv->gen == g && !peer_done;
}

struct psnap {
	uint32_t nr_frames;
	bool listed;
	uint16_t flags;
	uint8_t kind;
	uint32_t frame, gen;
};

static void peer_grant(uint32_t ref, struct psnap *s)
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
static uint32_t peer_ref(void)
{
	uint32_t n = pv ? pv->ngrants : 0;

	if (n && n <= MB_GRANTS && chance(85))
		return pv->grants[below(n)].ref;
	uint32_t r = 3 + below(pv && pv->nr_frames <= GT_MAX ? pv->nr_frames * 512 + 8 : 600);
	return r == MBOX_LO || r == MBOX_HI ? 3 : r;
}

/* The status a use of the peer's ref by us must get (snapshot s). */
static uint32_t peer_use(const struct psnap *s, uint32_t ref, bool wr, bool map, uint32_t r,
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
static int own_use(uint32_t ref, bool wr, bool map, uint32_t *gfn)
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

static void own_use_add(uint32_t ref, bool wr, uint32_t gfn)
{
	if (!(gr[ref].r + gr[ref].w))
		gr[ref].act = gfn;
	++*(wr ? &gr[ref].w : &gr[ref].r);
}

static void own_use_end(uint32_t ref, bool wr)
{
	--*(wr ? &gr[ref].w : &gr[ref].r);
}

/* Checks the hypervisor's bits in our entry against our uses of it. */
static void check_entry(uint32_t ref, const char *when)
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

static void mb_begin(void)
{
	mb_touch();
}

static void mb_end(void)
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

static uint16_t random_dom(void)
{
	static const uint16_t doms[] = { 0, 1, 5, 100, 0x7fef, DOMID_SELF, DOMID_INVALID, 0x7fff };
	uint16_t d = chance(50) ? doms[below(8)] : (uint16_t)rnd();

	return d == self_id || (peer >= 0 && d == (uint32_t)peer) ? DOMID_INVALID : d;
}

/* Another domain's id (never DOMID_SELF, which means us). */
static uint16_t other_dom(void)
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

static void act_grant_write(void)
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

static void act_grant_revoke(void)
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
static bool check_map_content(uint32_t i, const char *when)
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

static void act_grant_map(void)
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
		if (!k[i].host_slot_ok || (pg[slot].kind != PG_RAM && pg[slot].kind != PG_HOLE)) {
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

static void act_grant_unmap(void)
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
static void act_grant_flood(void)
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

static void act_grant_copy(void)
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
static void act_grant_misc(void)
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

static void check_reservation(const char *after)
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

static void act_balloon_out(void)
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

static void act_balloon_in(void)
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
static void act_physmap(void)
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

static void act_memory_misc(void)
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

/* ---- event channels ----------------------------------------------------------------------- */

static int pick_port(void)
{
	for (int i = 0; i < 8; i++) {
		uint32_t p = 1 + below(chance(80) ? 96 : NPORT - 1);
		if (pt[p].st != P_FREE)
			return (int)p;
	}
	return (int)(1 + below(64));
}

/* Ports the peer may reach: bounded by what the mailbox can list. */
static bool peer_port_room(void)
{
	return peer >= 0 && nadv_ports < MB_PORTS && !peer_done;
}

static void peer_port_add(uint32_t p, uint8_t adv, uint16_t yport, uint32_t yepoch)
{
	pt[p] = (struct port){ .st = P_PEER, .adv = adv, .rdom = (uint16_t)peer, .yport = yport,
			       .epoch = ++epoch_ctr, .yepoch = yepoch };
	adv_ports[nadv_ports++] = (uint16_t)p;
	set_pend(p, 2);
	mb_dirty = true;
}

static void act_evt_alloc(void)
{
	static struct evtchn_alloc_unbound a;
	uint32_t c = below(100);
	bool other = chance(5);

	a.dom = other ? other_dom() : chance(70) ? DOMID_SELF : (domid_t)self_id;
	if (c < 40)
		a.remote_dom = chance(50) ? DOMID_SELF : (domid_t)self_id;
	else if (c < 75 && peer_port_room())
		a.remote_dom = (domid_t)peer;
	else
		a.remote_dom = random_dom();
	a.port = 0xdead;
	if (peer >= 0 && a.remote_dom == (uint32_t)peer)
		mb_touch();
	long rc = evt_op(EVTCHNOP_alloc_unbound, &a);
	int want = lowest_free();
	if (other) {
		expect_rc(F_EVT, "alloc_unbound in another domain", rc, E(EPERM));
		return;
	}
	if (want < 0) {
		expect_rc(F_EVT, "alloc_unbound with every port taken", rc, E(ENOSPC));
		return;
	}
	if (rc || a.port != (uint32_t)want) {
		bad(F_EVT, "alloc_unbound(remote %u): %ld, port %u, expected port %d", a.remote_dom, rc,
		    a.port, want);
		if (!rc && a.port < NPORT)
			pt[a.port].st = P_UNK, set_pend(a.port, 2);
		return;
	}
	uint16_t rdom = a.remote_dom == DOMID_SELF ? (uint16_t)self_id : a.remote_dom;
	if (peer >= 0 && rdom == (uint32_t)peer)
		peer_port_add(a.port, MBP_ALLOC, 0, 0);
	else
		pt[a.port] = (struct port){ .st = P_UNB, .rdom = rdom };
	st.ports++;
}

/* bind_interdomain: to our own unbound port (loopback), to the peer's, or
 * to anyone's. */
static void act_evt_bind(void)
{
	static struct evtchn_bind_interdomain b;
	uint32_t c = below(100);
	uint64_t allow;
	uint32_t g0 = pv_gen();
	int listed = -1;
	bool to_peer_port = false;
	struct mb_port lp = { 0 };

	if (c < 45) {
		b.remote_dom = chance(50) ? DOMID_SELF : (domid_t)self_id;
		b.remote_port = chance(10) ? NPORT + below(5000) : (uint32_t)pick_port();
		if (chance(50)) /* find an unbound one of ours for ourselves */
			for (uint32_t p = 1; p < 200; p++)
				if (pt[p].st == P_UNB && pt[p].rdom == self_id) {
					b.remote_port = p;
					break;
				}
	} else if (c < 85 && peer >= 0) {
		to_peer_port = true;
		b.remote_dom = (domid_t)peer;
		uint32_t n = pv->nports;
		if (n && n <= MB_PORTS && chance(85)) {
			listed = (int)below(n);
			lp.port = pv->ports[listed].port;
			lp.type = pv->ports[listed].type;
			lp.epoch = pv->ports[listed].epoch;
			lp.yport = pv->ports[listed].yport;
			lp.yepoch = pv->ports[listed].yepoch;
			b.remote_port = lp.port;
		} else {
			b.remote_port = below(200);
			for (uint32_t i = 0; i < n && i < MB_PORTS; i++)
				if (pv->ports[i].port == b.remote_port)
					listed = -2; /* listed, but we did not look how */
		}
		if (!peer_port_room())
			to_peer_port = false, b.remote_port = NPORT + 1;
	} else {
		b.remote_dom = random_dom();
		b.remote_port = below(100);
	}
	b.local_port = 0xdead;
	if (peer >= 0 && b.remote_dom == (uint32_t)peer)
		mb_touch();
	long rc = evt_op(EVTCHNOP_bind_interdomain, &b);
	bool stable = pv_same(g0);
	if (peer >= 0 && b.remote_dom == (uint32_t)peer) {
		st.peer_ops++;
		st.unstable += !stable;
	}
	int lport = lowest_free();
	bool self = b.remote_dom == DOMID_SELF || b.remote_dom == self_id;

	if (self) {
		if (lport < 0)
			allow = E(ENOSPC);
		else if (b.remote_port >= NPORT)
			allow = E(EINVAL);
		else if (pt[b.remote_port].st == P_UNK)
			allow = OK | E(EINVAL);
		else
			allow = pt[b.remote_port].st == P_UNB && pt[b.remote_port].rdom == self_id
				? OK : E(EINVAL);
	} else if (to_peer_port || (peer >= 0 && b.remote_dom == (uint32_t)peer)) {
		if (lport < 0)
			allow = E(ENOSPC);
		else if (b.remote_port >= NPORT)
			allow = E(EINVAL);
		else if (!stable || listed == -2)
			allow = OK | E(EINVAL);
		else if (listed < 0)
			allow = E(EINVAL);
		else {
			/* do we hold a binding to this very allocation? (one made
			 * while the peer's mailbox moved names no allocation) */
			bool held = false, y_open = false, unsure = false;
			for (uint32_t p = 1; p < NPORT; p++) {
				if (pt[p].st == P_PEER && pt[p].adv == MBP_BOUND && pt[p].yport == lp.port &&
				    pt[p].yepoch == lp.epoch)
					held = true;
				if (pt[p].st == P_PEER && pt[p].adv == MBP_BOUND && pt[p].yport == lp.port &&
				    pt[p].yepoch == 0xffffffffu)
					unsure = true;
				/* the peer's port is bound to ours: is ours still there
				 * (whether we allocated it or bound it once)? */
				if (lp.type == MBP_BOUND && p == lp.yport && pt[p].st == P_PEER &&
				    pt[p].epoch == lp.yepoch)
					y_open = true;
			}
			allow = held || (lp.type == MBP_BOUND && y_open) ? E(EINVAL) : OK;
			/* the peer bound it while our mailbox moved: it could not
			 * name which of our ports it took */
			if (unsure || (lp.type == MBP_BOUND && lp.yepoch == 0xffffffffu))
				allow |= E(EINVAL) | OK;
		}
		if (peer_done)
			allow |= E(ESRCH) | E(EINVAL);
	} else {
		allow = lport < 0 ? E(ENOSPC) | E(ESRCH) : E(ESRCH) | E(EINVAL);
	}
	if (!expect_rc(F_EVT, "bind_interdomain", rc, allow)) {
		gprintf("fuzz: (bind_interdomain to dom %u port %u: listed %d type %u epoch %u, stable %d)\n",
			b.remote_dom, b.remote_port, listed, lp.type, lp.epoch, stable);
		if (rc >= 0 && b.local_port < NPORT)
			pt[b.local_port].st = P_UNK, set_pend(b.local_port, 2);
		return;
	}
	if (rc)
		return;
	if (b.local_port != (uint32_t)lport) {
		bad(F_EVT, "bind_interdomain: local port %u, the lowest free is %d", b.local_port, lport);
		if (b.local_port < NPORT)
			pt[b.local_port].st = P_UNK;
		return;
	}
	if (self) {
		pt[lport] = (struct port){ .st = P_INTER, .rdom = (uint16_t)self_id,
					   .rport = (uint16_t)b.remote_port };
		pt[b.remote_port].st = P_INTER;
		pt[b.remote_port].rport = (uint16_t)lport;
		set_pend((uint32_t)lport, 1); /* the new port is pending, as in Xen */
	} else if (peer >= 0 && b.remote_dom == (uint32_t)peer && stable && listed >= 0) {
		peer_port_add((uint32_t)lport, MBP_BOUND, lp.port, lp.epoch);
		st.peer_binds++;
	} else {
		peer_port_add((uint32_t)lport, MBP_BOUND, (uint16_t)b.remote_port, 0xffffffffu);
		st.peer_binds++;
	}
	st.ports++;
}

static void act_evt_bind_virq_ipi(void)
{
	uint32_t vcpu = chance(90) ? below(nvcpus) : below(4);
	int want = lowest_free();
	long rc;
	uint32_t port;

	if (chance(50)) {
		static struct evtchn_bind_virq v;
		uint32_t virq = chance(70) ? below(4) : below(NR_VIRQS + 8);
		v = (struct evtchn_bind_virq){ virq, vcpu, 0xdead };
		rc = evt_op(EVTCHNOP_bind_virq, &v);
		port = v.port;
		bool per = virq_per_vcpu(virq);
		uint64_t allow = virq >= NR_VIRQS ? E(EINVAL) : !per && vcpu ? E(EINVAL)
			: vcpu >= nvcpus ? E(ENOENT) : virq_port[vcpu][virq] ? E(EEXIST)
			: want < 0 ? E(ENOSPC) : OK;
		if (!expect_rc(F_EVT, "bind_virq", rc, allow) || rc) {
			if (!rc && port < NPORT)
				pt[port].st = P_UNK, set_pend(port, 2);
			return;
		}
		if (port != (uint32_t)want) {
			bad(F_EVT, "bind_virq: port %u, the lowest free is %d", port, want);
			return;
		}
		pt[port] = (struct port){ .st = P_VIRQ, .virq = (uint8_t)virq, .vcpu = (uint8_t)vcpu };
		virq_port[vcpu][virq] = (uint16_t)port;
		set_pend(port, virq == VIRQ_TIMER ? 2 : 0);
	} else {
		static struct evtchn_bind_ipi v;
		v = (struct evtchn_bind_ipi){ vcpu, 0xdead };
		rc = evt_op(EVTCHNOP_bind_ipi, &v);
		port = v.port;
		if (!expect_rc(F_EVT, "bind_ipi", rc, vcpu >= nvcpus ? E(ENOENT) : want < 0 ? E(ENOSPC) : OK) ||
		    rc) {
			if (!rc && port < NPORT)
				pt[port].st = P_UNK, set_pend(port, 2);
			return;
		}
		if (port != (uint32_t)want) {
			bad(F_EVT, "bind_ipi: port %u, the lowest free is %d", port, want);
			return;
		}
		pt[port] = (struct port){ .st = P_IPI, .vcpu = (uint8_t)vcpu };
	}
	st.ports++;
}

static void act_evt_send(void)
{
	static struct evtchn_send s;
	uint32_t p = chance(95) ? (uint32_t)pick_port() : NPORT + below(4000);

	s.port = p;
	long rc = evt_op(EVTCHNOP_send, &s);
	uint64_t allow;
	if (p >= NPORT)
		allow = E(EINVAL);
	else
		switch (pt[p].st) {
		case P_INTER: case P_IPI: case P_UNB: case P_PEER: allow = OK; break;
		case P_UNK: allow = OK | E(EINVAL); break;
		default: allow = E(EINVAL); break;
		}
	if (!expect_rc(F_EVT, "send", rc, allow) || rc || p >= NPORT)
		return;
	if (pt[p].st == P_IPI)
		set_pend(p, 1);
	else if (pt[p].st == P_INTER)
		set_pend(pt[p].rport, 1);
	if (chance(30))
		check_pending("send");
}

static void act_evt_close(void)
{
	static struct evtchn_close c;
	uint32_t p = chance(90) ? (uint32_t)pick_port() : chance(50) ? 0 : NPORT + below(100);

	c.port = p;
	if (p < NPORT && (pt[p].st == P_PEER || pt[p].st == P_UNK))
		mb_touch();
	long rc = evt_op(EVTCHNOP_close, &c);
	uint64_t allow = p >= NPORT || pt[p].st == P_FREE || pt[p].st == P_RES ? E(EINVAL)
			 : pt[p].st == P_UNK ? OK | E(EINVAL) : OK;
	if (!expect_rc(F_EVT, "close", rc, allow) || rc)
		return;
	if (pt[p].st == P_INTER && pt[p].rdom == self_id && pt[p].rport != p) {
		struct port *o = &pt[pt[p].rport];
		if (o->st == P_INTER) {
			o->st = P_UNB;
			o->rport = 0;
		}
	}
	port_free(p);
	if (chance(30))
		check_pending("close");
}

static void act_evt_status(void)
{
	static struct evtchn_status s;
	uint32_t p = chance(90) ? (uint32_t)pick_port() : chance(50) ? 0 : NPORT + below(100);
	bool other = chance(5);

	memset(&s, 0xee, sizeof(s));
	s.dom = other ? other_dom() : chance(50) ? DOMID_SELF : (domid_t)self_id;
	s.port = p;
	long rc = evt_op(EVTCHNOP_status, &s);
	if (other || p >= NPORT) {
		expect_rc(F_EVT, "status", rc, other ? E(EPERM) : E(EINVAL));
		return;
	}
	if (!expect_rc(F_EVT, "status", rc, OK))
		return;
	/* The peer may have said DONE and gone since we last looked: its
	 * ports then name DOMID_INVALID (peer_done must be current). */
	pv_gen();
	const struct port *q = &pt[p];
	bool ok;
	switch (q->st) {
	case P_FREE: case P_RES: ok = s.status == EVTCHNSTAT_closed && s.vcpu == 0; break;
	case P_UNB: ok = s.status == EVTCHNSTAT_unbound && s.u.unbound.dom == q->rdom; break;
	case P_INTER: ok = s.status == EVTCHNSTAT_interdomain && s.u.interdomain.dom == q->rdom &&
			   s.u.interdomain.port == q->rport; break;
	case P_VIRQ: ok = s.status == EVTCHNSTAT_virq && s.u.virq == q->virq; break;
	case P_IPI: ok = s.status == EVTCHNSTAT_ipi; break;
	case P_PEER:
		ok = (s.status == EVTCHNSTAT_unbound &&
		      (s.u.unbound.dom == q->rdom || (peer_done && s.u.unbound.dom == DOMID_INVALID))) ||
		     (s.status == EVTCHNSTAT_interdomain && s.u.interdomain.dom == q->rdom);
		break;
	default: ok = true; break;
	}
	if (q->st != P_UNK && q->st != P_FREE && q->st != P_RES && s.vcpu != q->vcpu)
		ok = false;
	if (!ok)
		bad(F_EVT, "status of port %u (model state %u, vcpu %u): status %u vcpu %u dom %u port %u",
		    p, q->st, q->vcpu, s.status, s.vcpu, s.u.interdomain.dom, s.u.interdomain.port);
}

static void act_evt_unmask(void)
{
	static struct evtchn_unmask u;
	volatile uint32_t *mw, *pw;

	if (chance(40) && shinfo()) { /* mask a port ourselves (the guest owns the mask) */
		uint32_t p = (uint32_t)pick_port();
		mw = mask_word(p / 32);
		if (chance(50)) {
			__atomic_fetch_or(mw, 1u << (p % 32), __ATOMIC_SEQ_CST);
			mask_val[p / 32] |= 1u << (p % 32);
		} else {
			__atomic_fetch_and(mw, ~(1u << (p % 32)), __ATOMIC_SEQ_CST);
			mask_val[p / 32] &= ~(1u << (p % 32));
		}
		return;
	}
	/* An IPI port of ours, masked and pending: unmask raises the upcall. */
	int ipi = -1;
	for (uint32_t p = 1; p < 128 && ipi < 0; p++)
		if (pt[p].st == P_IPI)
			ipi = (int)p;
	if (ipi > 0 && shinfo() && chance(60)) {
		uint32_t p = (uint32_t)ipi, v = pt[p].vcpu;
		mw = mask_word(p / 32);
		pw = pend_word(p / 32);
		__atomic_fetch_or(mw, 1u << (p % 32), __ATOMIC_SEQ_CST);
		mask_val[p / 32] |= 1u << (p % 32);
		static struct evtchn_send s;
		s.port = p;
		evt_op(EVTCHNOP_send, &s);
		set_pend(p, 1);
		volatile struct vcpu_info *vi = &vi_page[v].vi;
		vi->evtchn_upcall_pending = 0;
		__atomic_fetch_and((volatile uint32_t *)&vi->evtchn_pending_sel + (p / 64) / 32,
				   ~(1u << ((p / 64) % 32)), __ATOMIC_SEQ_CST);
		u.port = p;
		long rc = evt_op(EVTCHNOP_unmask, &u);
		mask_val[p / 32] &= ~(1u << (p % 32));
		bool sel = ((volatile uint32_t *)&vi->evtchn_pending_sel)[(p / 64) / 32] >> ((p / 64) % 32) & 1;
		if (rc || !(*pw >> (p % 32) & 1) || (*mw >> (p % 32) & 1) || !vi->evtchn_upcall_pending || !sel)
			bad(F_EVT, "unmask of pending IPI port %u (vcpu %u): %ld, pending %u, masked %u, "
			    "upcall_pending %u, selector %u", p, v, rc, *pw >> (p % 32) & 1,
			    *mw >> (p % 32) & 1, vi->evtchn_upcall_pending, sel);
		return;
	}
	uint32_t p = chance(90) ? (uint32_t)pick_port() : NPORT + below(100);
	u.port = p;
	long rc = evt_op(EVTCHNOP_unmask, &u);
	if (expect_rc(F_EVT, "unmask", rc, p >= NPORT ? E(EINVAL) : OK) && p < NPORT)
		mask_val[p / 32] &= ~(1u << (p % 32));
}

static void act_evt_bind_vcpu(void)
{
	static struct evtchn_bind_vcpu b;
	uint32_t p = chance(90) ? (uint32_t)pick_port() : NPORT + below(100);
	uint32_t v = chance(85) ? below(nvcpus) : below(5);

	b.port = p;
	b.vcpu = v;
	long rc = evt_op(EVTCHNOP_bind_vcpu, &b);
	uint64_t allow;
	if (v >= nvcpus)
		allow = E(ENOENT);
	else if (p >= NPORT)
		allow = E(EINVAL);
	else
		switch (pt[p].st) {
		case P_UNB: case P_INTER: case P_PEER: allow = OK; break;
		case P_VIRQ:
			allow = pt[p].virq == VIRQ_TIMER || pt[p].virq == VIRQ_DEBUG ||
				pt[p].virq == VIRQ_XENOPROF || pt[p].virq == VIRQ_XENPMU ? E(EINVAL) : OK;
			break;
		case P_UNK: allow = OK | E(EINVAL); break;
		default: allow = E(EINVAL); break;
		}
	if (expect_rc(F_EVT, "bind_vcpu", rc, allow) && !rc && p < NPORT)
		pt[p].vcpu = (uint8_t)v;
}

static void reset_ports(void)
{
	for (uint32_t p = 1; p < NPORT; p++)
		if (pt[p].st != P_FREE)
			port_free(p);
		else
			set_pend(p, 0);
	free_hint = 1;
}

static void act_evt_reset(void)
{
	static struct evtchn_reset r;
	bool other = chance(20);

	r.dom = other ? other_dom() : chance(50) ? DOMID_SELF : (domid_t)self_id;
	mb_touch();
	long rc = evt_op(EVTCHNOP_reset, &r);
	if (!expect_rc(F_EVT, "reset", rc, other ? E(EPERM) : OK) || rc)
		return;
	reset_ports();
	check_pending("reset");
}

/* Every free port taken, one more refused, then all closed again. */
static void act_evt_exhaust(void)
{
	static struct evtchn_alloc_unbound a;
	static struct evtchn_close c;
	uint32_t got = 0, first = NPORT;

	for (int i = 0; i < (int)NPORT + 8; i++) {
		int want = lowest_free();
		a = (struct evtchn_alloc_unbound){ DOMID_SELF, (domid_t)random_dom(), 0 };
		long rc = evt_op(EVTCHNOP_alloc_unbound, &a);
		if (want < 0) {
			expect_rc(F_EVT, "alloc_unbound with every port taken", rc, E(ENOSPC));
			break;
		}
		if (rc || a.port != (uint32_t)want) {
			bad(F_EVT, "exhaust: alloc_unbound %ld port %u, expected %d", rc, a.port, want);
			break;
		}
		pt[a.port] = (struct port){ .st = P_UNB, .pad = 1,
			.rdom = a.remote_dom == DOMID_SELF ? (uint16_t)self_id : a.remote_dom };
		first = first < a.port ? first : a.port;
		got++;
	}
	for (uint32_t p = first; p < NPORT; p++)
		if (pt[p].st == P_UNB && pt[p].pad == 1) {
			c.port = p;
			long rc = evt_op(EVTCHNOP_close, &c);
			if (rc)
				bad(F_EVT, "exhaust: close of port %u: %ld", p, rc);
			port_free(p);
		}
	gprintf("fuzz: took the %u free ports (to %u), gave them back\n", got, NPORT - 1);
}

static void act_evt_clear(void)
{
	count_peer_events();
	/* Clear some pending bits (the guest's part of the 2-level ABI). */
	for (uint32_t w = 0; w < NPORT / 32; w++) {
		volatile uint32_t *pw = pend_word(w);
		if (!pw)
			return;
		uint32_t bits = chance(50) ? 0xffffffffu : rnd();
		__atomic_fetch_and(pw, ~bits, __ATOMIC_SEQ_CST);
		pend_val[w] &= ~bits;
	}
	check_pending("clearing bits");
}

static void act_evt_misc(void)
{
	static uint32_t arg[8];
	uint32_t c = below(5);
	long rc;

	memset(arg, 0, sizeof(arg));
	switch (c) {
	case 0: /* bind_pirq: no IRQ is ours */
		arg[0] = below(300);
		rc = evt_op(EVTCHNOP_bind_pirq, arg);
		expect_rc(F_EVT, "bind_pirq", rc, E(EPERM));
		break;
	case 1:
		rc = evt_op((uint32_t[]){ 14, 100, 0x80000000u }[below(3)], arg);
		expect_rc(F_EVT, "an unoffered command", rc, E(ENOSYS));
		/* The FIFO ABI stays off (the model is 2-level): a control block
		 * at gfn 0 or beyond RAM is refused, the others need FIFO on. */
		arg[0] = chance(50) ? 0 : ram_pages + below(100000);
		arg[2] = rnd();
		arg[3] = rnd();
		rc = evt_op(EVTCHNOP_init_control, arg);
		expect_rc(F_EVT, "init_control at a bad gfn", rc, E(EINVAL) | E(ENOENT));
		arg[0] = rnd();
		arg[1] = rnd();
		rc = evt_op(EVTCHNOP_expand_array, arg);
		if (rc != -EOPNOTSUPP) /* beyond E()'s 64 bits */
			bad(F_EVT, "expand_array under 2-level: %ld, expected %d", rc, -EOPNOTSUPP);
		rc = evt_op(EVTCHNOP_set_priority, arg);
		expect_rc(F_EVT, "set_priority under 2-level", rc, E(ENOSYS));
		break;
	default: { /* a bad argument: outside RAM, or a hole of the arena */
		int s = pick_kind(PG_HOLE);
		const void *a = s >= 0 && slot_acc((uint32_t)s) && chance(50)
			? (const void *)(slot_ptr((uint32_t)s) + 12)
			: (const void *)(uintptr_t)((ram_pages << 12) + below(4096));
		rc = evt_op(below(14), a);
		expect_rc(F_EVT, "a bad argument", rc, E(EFAULT));
		break;
	}
	}
}

/* ---- probes: hypercalls reading and writing arena pages ---------------------------------- */

static void act_probe(void)
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

/* ---- vcpu_op ------------------------------------------------------------------------------- */

static volatile uint32_t ap_count;
static uint32_t ap_at_reg; /* ap_count when vcpu 1's area was registered */
static uint8_t ap_stack[4096] __attribute__((aligned(16)));

static long ap_hc(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
	long eax = (long)nr;

	if (hc_amd)
		__asm__ volatile("vmmcall" : "+a"(eax), "+b"(a1), "+c"(a2), "+d"(a3) : : "memory", "esi", "edi");
	else
		__asm__ volatile("vmcall" : "+a"(eax), "+b"(a1), "+c"(a2), "+d"(a3) : : "memory", "esi", "edi");
	return eax;
}

/* vcpu 1: counts each start and takes itself down again. */
static __attribute__((noreturn, used)) void ap_main(void)
{
	for (;;) {
		ap_count++;
		ap_hc(HYPERVISOR_vcpu_op, VCPUOP_down, 1, 0);
	}
}

static uint64_t rs_u64(const struct runstate32 *r, unsigned i)
{
	return r->w[2 * i] | (uint64_t)r->w[2 * i + 1] << 32;
}

static void check_runstate(const struct runstate32 *area, unsigned vcpu, const char *what)
{
	static uint64_t last_running;
	struct runstate32 copy[2];
	const struct runstate32 *r = &copy[0];

	/* The area changes whenever we stop and start running again (which
	 * may happen between any two instructions): two equal reads, then
	 * the time. */
	for (int i = 0; i < 4; i++) {
		memcpy(&copy[0], (const void *)area, sizeof(copy[0]));
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		memcpy(&copy[1], (const void *)area, sizeof(copy[1]));
		if (!memcmp(&copy[0], &copy[1], sizeof(copy[0])))
			break;
	}
	uint64_t now = now_ns();

	if (vcpu == 0) {
		/* we are running: the state it was last written with */
		if (r->state != RUNSTATE_running || rs_u64(r, 0) > now + 5 * MS ||
		    rs_u64(r, 1) + 5 * MS < last_running)
			bad(F_VCPU, "%s of vcpu 0: state %d since %llu ns, running %llu ns (before: %llu), now %llu",
			    what, r->state, (unsigned long long)rs_u64(r, 0), (unsigned long long)rs_u64(r, 1),
			    (unsigned long long)last_running, (unsigned long long)now);
		if (rs_u64(r, 1) > last_running)
			last_running = rs_u64(r, 1);
	} else if (r->state < 0 || r->state > RUNSTATE_offline ||
		   (ap_count > ap_at_reg && rs_at[1] != NO_GFN && r->state == RUNSTATE_running)) {
		bad(F_VCPU, "%s of vcpu 1: state %d", what, r->state);
	}
}

static bool ap_init_done;

static void act_vcpu(void)
{
	static union {
		struct runstate32 rs;
		struct vcpu_set_singleshot_timer ss;
		struct vcpu_set_periodic_timer per;
		struct vcpu_register_vcpu_info vi;
		struct vcpu_hvm_context ctx;
		uint64_t gva;
		uint8_t b[256];
	} a;
	uint32_t c = below(12), v = chance(90) ? below(nvcpus) : below(4);
	long rc;

	memset(&a, 0, sizeof(a));
	if (v >= nvcpus && c != 11) {
		rc = vcpu_op(below(14), v, &a);
		expect_rc(F_VCPU, "an op on a vcpu we do not have", rc, E(ENOENT));
		return;
	}
	switch (c) {
	case 0: /* is_up */
		rc = vcpu_op(VCPUOP_is_up, v, NULL);
		if (v == 0 ? rc != 1 : rc != 0 && rc != 1)
			bad(F_VCPU, "is_up(%u): %ld", v, rc);
		break;
	case 1: /* get_runstate_info */
		rc = vcpu_op(VCPUOP_get_runstate_info, v, &a.rs);
		if (expect_rc(F_VCPU, "get_runstate_info", rc, OK))
			check_runstate(&a.rs, v, "get_runstate_info");
		break;
	case 2: { /* register_runstate_memory_area: our pages, 0, or a page it cannot write */
		uint32_t off = below(4096 - 44), cc = below(10);
		int s = -1;
		if (cc < 6) {
			a.gva = (uint32_t)(uintptr_t)rs_page[v] + off;
		} else if (cc < 7) {
			a.gva = 0;
		} else {
			s = pick_kind(chance(50) ? PG_HOLE : PG_FOREIGN);
			if (s < 0 || !slot_acc((uint32_t)s) || (pg[s].kind == PG_FOREIGN && !mp[pg[s].map].ro))
				return;
			a.gva = (uint32_t)(uintptr_t)slot_ptr((uint32_t)s) + off;
		}
		rc = vcpu_op(VCPUOP_register_runstate_memory_area, v, &a.gva);
		if (!expect_rc(F_VCPU, "register_runstate_memory_area", rc, s >= 0 ? E(EFAULT) : OK) || rc)
			break;
		if (v == 1 && (cc < 6 || rs_at[1] == NO_GFN))
			ap_at_reg = ap_count;
		if (cc < 7)
			rs_at[v] = cc < 6 ? off : NO_GFN;
		if (cc < 6)
			check_runstate((const struct runstate32 *)(rs_page[v] + off), v, "the runstate area");
		break;
	}
	case 3: /* timers */
		if (chance(50)) {
			bool future = chance(50), past = chance(40);
			uint64_t now = now_ns();
			a.ss.timeout_abs_ns = past ? (chance(50) ? now - 10 * MS : 1) : now + below(3000) * 1000ull;
			a.ss.flags = future ? VCPU_SSHOTTMR_future : 0;
			rc = vcpu_op(VCPUOP_set_singleshot_timer, v, &a.ss);
			/* a deadline that is past by the call: -ETIME; it may just
			 * have become past */
			expect_rc(F_VCPU, "set_singleshot_timer", rc, v ? E(EINVAL)
				  : past && future ? E(ETIME) : future ? OK | E(ETIME) : OK);
		} else if (chance(50)) {
			uint32_t per = chance(80) ? 1000000 + below(20000000) : below(1000000);
			a.per.period_ns = per;
			rc = vcpu_op(VCPUOP_set_periodic_timer, v, &a.per);
			expect_rc(F_VCPU, "set_periodic_timer", rc, per < 1000000 ? E(EINVAL) : OK);
		} else {
			uint32_t cmd = chance(50) ? VCPUOP_stop_periodic_timer : VCPUOP_stop_singleshot_timer;
			rc = vcpu_op(cmd, v, NULL);
			expect_rc(F_VCPU, "stop a timer", rc, cmd == VCPUOP_stop_singleshot_timer && v ? E(EINVAL) : OK);
		}
		break;
	case 4: { /* register_vcpu_info: done at the start; a target it could use: -EEXIST */
		int s = (int)pick_slot();
		uint32_t off = chance(90) ? below(4096 - 64 + 1) : 4096 - 63 + below(100);
		a.vi.mfn = chance(90) ? slot_gfn((uint32_t)s) : chance(50) ? (uint32_t)(uintptr_t)vi_page >> 12
			: ((uint64_t)rnd() << 32) | rnd();
		a.vi.offset = off;
		int kind = gfn_kind((uint32_t)a.vi.mfn);
		bool usable = a.vi.mfn < ram_pages && off <= 4096 - 64 &&
			      (kind == PG_RAM || kind == PG_SHINFO || kind == PG_GNT ||
			       (kind == PG_FOREIGN && !mp[pg[gfn_slot((uint32_t)a.vi.mfn)].map].ro));
		if ((int)kind == PG_UNKNOWN)
			return;
		rc = vcpu_op(VCPUOP_register_vcpu_info, v, &a.vi);
		expect_rc(F_VCPU, "register_vcpu_info again", rc, usable ? E(EEXIST) : E(EINVAL));
		break;
	}
	case 5: { /* register_vcpu_time_memory_area */
		uint32_t off = below(4096 - 32);
		int s = -1;
		if (chance(80)) {
			a.gva = (uint32_t)(uintptr_t)tm_page + off;
		} else if (chance(30)) {
			a.gva = 0;
		} else {
			s = pick_kind(PG_HOLE);
			if (s < 0 || !slot_acc((uint32_t)s))
				return;
			a.gva = (uint32_t)(uintptr_t)slot_ptr((uint32_t)s) + off;
		}
		rc = vcpu_op(VCPUOP_register_vcpu_time_memory_area, v, &a.gva);
		if (!expect_rc(F_VCPU, "register_vcpu_time_memory_area", rc, s >= 0 ? E(EFAULT) : OK) || rc ||
		    !a.gva)
			break;
		/* what the hypervisor wrote: an even version (a reader retries
		 * while it is odd), vcpu_info's scale, and no stray bytes */
		const struct vcpu_time_info *t = (const void *)(tm_page + off);
		if ((t->version & 1) || t->tsc_to_system_mul != vi_page[0].vi.time.tsc_to_system_mul ||
		    !(t->flags & XEN_PVCLOCK_TSC_STABLE_BIT) || t->pad0 || t->pad1[0] || t->pad1[1])
			bad(F_VCPU, "the time area: version %u, mul %u (vcpu_info's %u), flags 0x%x, "
			    "padding 0x%x 0x%x%02x", t->version, t->tsc_to_system_mul,
			    vi_page[0].vi.time.tsc_to_system_mul, t->flags, t->pad0, t->pad1[1], t->pad1[0]);
		break;
	}
	case 6: case 7: { /* vcpu 1: initialise, up, down */
		if (nvcpus < 2) {
			rc = vcpu_op(VCPUOP_up, 1, NULL);
			expect_rc(F_VCPU, "up(1) with one vcpu", rc, E(ENOENT));
			break;
		}
		uint32_t cc = below(10);
		if (cc < 3 || !ap_init_done) {
			a.ctx.mode = VCPU_HVM_MODE_32B;
			struct vcpu_hvm_x86_32 *r = &a.ctx.cpu_regs.x86_32;
			r->eip = (uint32_t)(uintptr_t)ap_main;
			r->esp = (uint32_t)(uintptr_t)(ap_stack + sizeof(ap_stack));
			r->eflags = 2;
			r->cr0 = 0x11;
			r->cs_limit = r->ds_limit = r->ss_limit = r->es_limit = 0xffffffffu;
			uint32_t broken = below(6);
			switch (broken) {
			case 0: a.ctx.mode = 2 + below(10); break;
			case 1: r->cr0 = 0x10; break;
			case 2: r->cr0 = 0x80000011u; break;
			case 3: r->cs_base = 0x1000; break;
			default: break;
			}
			uint32_t target = chance(90) ? 1 : 0;
			rc = vcpu_op(VCPUOP_initialise, target, &a.ctx);
			uint64_t allow = target == 0 || ap_init_done ? E(EEXIST) : broken < 4 ? E(EINVAL) : OK;
			if (expect_rc(F_VCPU, "initialise", rc, allow) && !rc && target == 1)
				ap_init_done = true;
			if (!ap_init_done) {
				rc = vcpu_op(VCPUOP_up, 1, NULL);
				expect_rc(F_VCPU, "up before initialise", rc, E(EINVAL));
			}
			break;
		}
		if (cc < 7) {
			uint32_t before = ap_count;
			rc = vcpu_op(VCPUOP_up, 1, NULL);
			st.ap_ups++;
			if (expect_rc(F_VCPU, "up(1)", rc, OK) && chance(10)) {
				/* it runs (and goes down) soon */
				uint64_t end = now_ns() + 500 * MS;
				while (ap_count == before && now_ns() < end)
					sched_op(SCHEDOP_yield, NULL);
				if (ap_count == before)
					bad(F_VCPU, "vcpu 1 did not run within 500 ms of up");
			}
		} else if (cc < 9) {
			rc = vcpu_op(VCPUOP_down, 1, NULL);
			expect_rc(F_VCPU, "down(1)", rc, OK);
		} else {
			rc = vcpu_op(VCPUOP_up, 0, NULL);
			expect_rc(F_VCPU, "up(0)", rc, OK);
		}
		break;
	}
	case 8: /* initialise vcpu 0: it runs */
		rc = vcpu_op(VCPUOP_initialise, 0, &a.ctx);
		expect_rc(F_VCPU, "initialise(0)", rc, E(EEXIST));
		break;
	case 9: { /* bad arguments */
		uint32_t cmd = (uint32_t[]){ VCPUOP_get_runstate_info, VCPUOP_register_runstate_memory_area,
			VCPUOP_set_periodic_timer, VCPUOP_register_vcpu_info,
			VCPUOP_register_vcpu_time_memory_area }[below(5)];
		rc = vcpu_op(cmd, 0, (void *)(uintptr_t)((ram_pages << 12) + 64 * below(64)));
		expect_rc(F_VCPU, "a bad argument", rc, E(EFAULT));
		break;
	}
	case 10: /* commands not offered */
		rc = vcpu_op((uint32_t[]){ VCPUOP_send_nmi, VCPUOP_get_physid, 14, 15, 100 }[below(5)], v, &a);
		expect_rc(F_VCPU, "a command not offered", rc, E(ENOSYS));
		break;
	default: /* vcpu ids far off */
		rc = vcpu_op(below(14), 2 + below(100000), &a);
		expect_rc(F_VCPU, "a vcpu id far off", rc, E(ENOENT));
		break;
	}
}

static uint64_t hvmp[HVM_NR_PARAMS];

/* ---- sched_op, timers, hvm_op, physdev, console, version, eyrie ------------------------------ */

static void act_sched(void)
{
	static union {
		struct poll32 p;
		struct sched_shutdown s;
		struct sched_remote_shutdown r;
		uint32_t w[8];
	} a;
	static uint32_t ports[140];
	uint32_t c = below(10);
	long rc;

	switch (c) {
	case 0: case 1:
		rc = sched_op(SCHEDOP_yield, NULL);
		expect_rc(F_SCHED, "yield", rc, OK);
		break;
	case 2: case 3: case 4: { /* poll a few ports with a near (or past) timeout */
		uint32_t n = chance(90) ? 1 + below(4) : chance(50) ? 129 + below(5) : below(129);
		bool badport = false;
		for (uint32_t i = 0; i < n && i < 140; i++) {
			ports[i] = chance(97) ? (uint32_t)pick_port() : NPORT + below(10000);
			badport |= ports[i] >= NPORT;
		}
		uint64_t now = now_ns();
		a.p = (struct poll32){ (uint32_t)(uintptr_t)ports, n,
				       chance(20) ? now - 1000 : now + below(1500) * 1000ull };
		rc = sched_op(SCHEDOP_poll, &a.p);
		expect_rc(F_SCHED, "poll", rc, n > 128 || badport ? E(EINVAL) : OK);
		break;
	}
	case 5: { /* block: the timer (or a pending upcall) wakes us */
		if (virq_port[0][VIRQ_TIMER] || !hvmp[HVM_PARAM_CALLBACK_IRQ]) {
			/* the timer would only set the port pending (it may be
			 * masked), or, with no callback, wake us only if it
			 * expires once we block (else it is lost, as in Xen,
			 * where it has no way to reach us): a poll instead */
			ports[0] = virq_port[0][VIRQ_TIMER];
			a.p = (struct poll32){ (uint32_t)(uintptr_t)ports, 1, now_ns() + 1 * MS };
			rc = sched_op(SCHEDOP_poll, &a.p);
			expect_rc(F_SCHED, "poll", rc, OK);
			break;
		}
		/* the hypervisor agrees that VIRQ_TIMER is not bound: bind it
		 * and close it again */
		static struct evtchn_bind_virq bv;
		bv = (struct evtchn_bind_virq){ VIRQ_TIMER, 0, 0 };
		int want = lowest_free();
		rc = evt_op(EVTCHNOP_bind_virq, &bv);
		if (rc || bv.port != (uint32_t)want) {
			bad(F_EVT, "bind_virq(VIRQ_TIMER, vcpu 0), unbound in the model: %ld, port %u (%d)",
			    rc, bv.port, want);
			virq_port[0][VIRQ_TIMER] = 0xffff;
			break;
		}
		static struct evtchn_close cl;
		cl.port = bv.port;
		evt_op(EVTCHNOP_close, &cl);
		set_timer(now_ns() + 300000);
		rc = sched_op(SCHEDOP_block, NULL);
		expect_rc(F_SCHED, "block", rc, OK);
		break;
	}
	case 6: { /* shutdown: a bad pointer, or a reason it does not know */
		if (chance(50)) {
			a.s.reason = 5 + below(1000);
			rc = sched_op(SCHEDOP_shutdown, &a.s);
			expect_rc(F_SCHED, "shutdown with a bad reason", rc, E(EINVAL));
		} else {
			rc = sched_op(SCHEDOP_shutdown, (void *)(uintptr_t)((ram_pages << 12) + 4 * below(1024)));
			expect_rc(F_SCHED, "shutdown with a bad pointer", rc, E(EFAULT));
		}
		break;
	}
	case 7: /* remote_shutdown: domain 0's */
		a.r.domain_id = chance(50) ? (uint16_t)(peer >= 0 ? peer : 1) : random_dom();
		a.r.reason = SHUTDOWN_poweroff;
		rc = sched_op(SCHEDOP_remote_shutdown, &a.r);
		expect_rc(F_SCHED, "remote_shutdown", rc, E(EPERM));
		break;
	case 8: { /* poll: bad list */
		a.p = (struct poll32){ (uint32_t)(uintptr_t)((ram_pages << 12) + 4 * below(64)), 1 + below(3),
				       now_ns() + 1000 };
		rc = sched_op(SCHEDOP_poll, &a.p);
		expect_rc(F_SCHED, "poll with a bad list", rc, E(EFAULT));
		break;
	}
	default:
		rc = sched_op((uint32_t[]){ SCHEDOP_shutdown_code, SCHEDOP_watchdog, SCHEDOP_pin_override,
					    8, 100, 0xffffffffu }[below(6)], &a);
		expect_rc(F_SCHED, "a command not offered", rc, E(ENOSYS));
		break;
	}
}

static void act_timer(void)
{
	uint64_t now = now_ns(), t;
	uint32_t c = below(6);

	switch (c) {
	case 0: t = 0; break;
	case 1: t = 1; break;
	case 2: t = now - below(1000000); break;
	case 3: t = now + below(2000000); break;
	case 4: t = now + 1000000000ull * (1 + below(100)); break;
	default: t = ((uint64_t)rnd() << 32) | rnd(); break;
	}
	long rc = set_timer(t);
	expect_rc(F_TIMER, "set_timer_op", rc, OK);
}

/* VIRQ_TIMER fires: a singleshot timer, then a poll until its port is pending. */
static void act_timer_virq(void)
{
	uint32_t p = virq_port[0][VIRQ_TIMER];
	volatile uint32_t *pw = p ? pend_word(p / 32) : NULL;
	static uint32_t port;
	static struct poll32 a;
	static struct vcpu_set_singleshot_timer ss;

	if (!pw)
		return;
	__atomic_fetch_and(pw, ~(1u << (p % 32)), __ATOMIC_SEQ_CST);
	uint64_t dl = now_ns() + 200000, end = dl + 10000 * MS;
	ss = (struct vcpu_set_singleshot_timer){ dl, 0 };
	vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss);
	port = p;
	while (!(*pw >> (p % 32) & 1) && now_ns() < end) {
		a = (struct poll32){ (uint32_t)(uintptr_t)&port, 1, end };
		sched_op(SCHEDOP_poll, &a);
	}
	if (!(*pw >> (p % 32) & 1))
		bad(F_TIMER, "a singleshot timer 0.2 ms ahead did not set VIRQ_TIMER's port %u "
		    "within 10 s", p);
}

static void act_hvm(void)
{
	static struct xen_hvm_param p;
	uint32_t c = below(10);
	bool other = chance(5);
	uint32_t idx = chance(95) ? below(HVM_NR_PARAMS) : HVM_NR_PARAMS + below(1000);
	long rc;

	p.domid = other ? random_dom() : chance(50) ? DOMID_SELF : (domid_t)self_id;
	if (other && p.domid == DOMID_SELF)
		p.domid = DOMID_INVALID;
	p.index = idx;
	if (c < 5) {
		p.value = 0xdeadbeef;
		rc = hc(F_HVM, HYPERVISOR_hvm_op, HVMOP_get_param, (uint32_t)(uintptr_t)&p, 0, 0, 0);
		if (other || idx >= HVM_NR_PARAMS)
			expect_rc(F_HVM, "get_param", rc, other ? E(ESRCH) : E(EINVAL));
		else if ((idx == HVM_PARAM_CONSOLE_PFN || idx == HVM_PARAM_CONSOLE_EVTCHN) && !hvmp[idx])
			expect_rc(F_HVM, "get_param (no console ring)", rc, E(ENOENT));
		else if (rc || p.value != hvmp[idx])
			bad(F_HVM, "get_param(%u): %ld, 0x%llx, the last set 0x%llx", idx, rc,
			    (unsigned long long)p.value, (unsigned long long)hvmp[idx]);
		return;
	}
	if (c < 9) {
		uint64_t v = ((uint64_t)rnd() << 32) | rnd();
		bool valid = true;
		if (idx == HVM_PARAM_CALLBACK_IRQ) {
			/* our vector or none; others refused (a vector we have no
			 * gate for would fault us) */
			uint32_t k = below(4);
			v = k == 0 ? 0 : k == 1 ? HVM_CALLBACK_VECTOR(CALLBACK_VECTOR)
				: k == 2 ? HVM_CALLBACK_VECTOR(below(32)) : (v | 1ull << 56) & ~(1ull << 57);
			valid = k < 2;
		}
		p.value = v;
		rc = hc(F_HVM, HYPERVISOR_hvm_op, HVMOP_set_param, (uint32_t)(uintptr_t)&p, 0, 0, 0);
		if (!expect_rc(F_HVM, "set_param", rc, other ? E(ESRCH) : idx >= HVM_NR_PARAMS || !valid
			       ? E(EINVAL) : OK) || rc)
			return;
		hvmp[idx] = v;
		return;
	}
	rc = hc(F_HVM, HYPERVISOR_hvm_op, chance(50) ? 2 + below(40) : rnd(), (uint32_t)(uintptr_t)&p,
		0, 0, 0);
	expect_rc(F_HVM, "an op not offered", rc, E(ENOSYS));
}

static void act_physdev(void)
{
	static struct physdev_irq_status_query q;
	uint32_t cmd = chance(70) ? (chance(50) ? PHYSDEVOP_eoi : PHYSDEVOP_irq_status_query) : below(40);
	bool badptr = chance(10);

	q.irq = below(300);
	q.flags = 0;
	long rc = hc(F_PHYS, HYPERVISOR_physdev_op, cmd,
		     badptr ? (ram_pages << 12) + 8 * below(100) : (uint32_t)(uintptr_t)&q, 0, 0, 0);
	uint64_t allow = cmd != PHYSDEVOP_eoi && cmd != PHYSDEVOP_irq_status_query ? E(ENOSYS)
			 : badptr ? E(EFAULT) : E(EINVAL);
	expect_rc(F_PHYS, "physdev_op", rc, allow);
}

static void act_console(void)
{
	static char line[48];
	uint32_t c = below(100);
	long rc;

	if (c < 10) {
		int n = snprintf_(line, sizeof(line), "fuzz: console_io at call %u\n", ncalls);
		rc = hc(F_CON, HYPERVISOR_console_io, CONSOLEIO_write, (uint32_t)n, (uint32_t)(uintptr_t)line, 0, 0);
		expect_rc(F_CON, "console_io write", rc, OK);
	} else if (c < 30) {
		rc = hc(F_CON, HYPERVISOR_console_io, CONSOLEIO_write, 0, rnd(), 0, 0);
		expect_rc(F_CON, "console_io write of 0 bytes", rc, OK);
	} else if (c < 50) {
		int s = pick_kind(PG_HOLE);
		uint32_t at = s >= 0 && slot_acc((uint32_t)s) ? (uint32_t)(uintptr_t)slot_ptr((uint32_t)s)
			: bad_ptr();
		rc = hc(F_CON, HYPERVISOR_console_io, CONSOLEIO_write, 1 + below(64), at, 0, 0);
		expect_rc(F_CON, "console_io write from a hole", rc, E(EFAULT));
	} else if (c < 60) {
		rc = hc(F_CON, HYPERVISOR_console_io, CONSOLEIO_write, 65537 + below(1000000),
			(uint32_t)(uintptr_t)line, 0, 0);
		expect_rc(F_CON, "console_io write > 64 KiB", rc, E(EINVAL));
	} else if (c < 80) {
		rc = hc(F_CON, HYPERVISOR_console_io, CONSOLEIO_read, below(64), (uint32_t)(uintptr_t)line, 0, 0);
		expect_rc(F_CON, "console_io read", rc, E(EPERM));
	} else {
		rc = hc(F_CON, HYPERVISOR_console_io, 2 + below(100), 1, (uint32_t)(uintptr_t)line, 0, 0);
		expect_rc(F_CON, "console_io command not offered", rc, E(ENOSYS));
	}
}

static void act_version(void)
{
	static uint8_t buf[256]; /* the largest answer: compile_info, 144 bytes */
	uint32_t cmd = chance(95) ? below(12) : rnd();
	bool badptr = chance(10);
	uint32_t ptr = badptr ? (ram_pages << 12) + below(4096) : (uint32_t)(uintptr_t)buf;

	memset(buf, 0xaa, sizeof(buf));
	long rc = hc(F_VER, HYPERVISOR_xen_version, cmd, ptr, 0, 0, 0);
	uint64_t allow;
	bool content = true;
	switch (cmd) {
	case XENVER_version: allow = rc == (long)EYRIE_XEN_VERSION ? OK : 0; break;
	case XENVER_pagesize: allow = rc == 4096 ? OK : 0; break;
	case XENVER_commandline: case XENVER_build_id: allow = E(EPERM); break;
	case XENVER_compile_info:
		allow = badptr ? E(EFAULT) : OK;
		content = badptr || (buf[0] && buf[0] != 0xaa && has_nul(buf, 64) && buf[144] == 0xaa);
		break;
	case XENVER_platform_parameters: /* virt_start 0, a 32-bit xen_ulong_t */
		allow = badptr ? E(EFAULT) : OK;
		content = badptr || (zero(buf, 4) && buf[4] == 0xaa);
		break;
	case XENVER_extraversion:
		allow = badptr ? E(EFAULT) : OK;
		content = badptr || !memcmp(buf, "-eyrie\0", 7);
		break;
	case XENVER_capabilities:
		allow = badptr ? E(EFAULT) : OK;
		content = badptr || !memcmp(buf, "hvm-3.0-x86_64", 14);
		break;
	case XENVER_changeset: allow = badptr ? E(EFAULT) : OK; break;
	case XENVER_get_features:
		allow = badptr ? E(EFAULT) : OK;
		content = badptr || ((uint32_t *)buf)[1] == 0 ||
			  (((uint32_t *)buf)[1] & (1u << XENFEAT_hvm_callback_vector));
		break;
	case XENVER_guest_handle:
		allow = badptr ? E(EFAULT) : OK;
		content = badptr || (buf[14] == (uint8_t)(self_id >> 8) && buf[15] == (uint8_t)self_id &&
				     zero(buf, 12));
		break;
	default: allow = E(ENOSYS); break;
	}
	if (!(ebit(rc) & allow) || !content)
		bad(F_VER, "xen_version(%u, %s): %ld%s", cmd, badptr ? "a bad pointer" : "a buffer", rc,
		    content ? "" : ", wrong contents");
}

static void act_eyrie(void)
{
	static uint8_t buf[256];
	uint32_t op = chance(80) ? below(16) : rnd();
	long rc = hc(F_EYRIE, HYPERVISOR_eyrie_op, op,
		     chance(50) ? (uint32_t)(uintptr_t)buf : (ram_pages << 12) + 64 * below(100), 0, 0, 0);

	expect_rc(F_EYRIE, "eyrie_op from an unprivileged domain", rc, E(EPERM));
}

/* ---- code in arena pages: hypercalls made from them; the hypercall page ---- */

#define XEN_MSR 0x40000000u
#define STUB_OFF 1960u   /* in [512, 2048), clear of copies and probes */

/* A hypercall made by an instruction in an arena page (the length of the
 * VMMCALL/VMCALL is decoded from there on CPUs that do not report it). */
static long call_code(const uint8_t *fn, uint32_t ebx)
{
	long ret;
	uint32_t b = ebx, c = 0, d = 0;

	__asm__ volatile("call *%[fn]" : "=a"(ret), "+b"(b), "+c"(c), "+d"(d) : [fn] "r"(fn)
			 : "memory", "esi", "edi");
	ncalls++;
	fcalls[F_CODE]++;
	fok[F_CODE] += ret >= 0;
	if (ncalls >= cfg_trace)
		gprintf("fuzz: #%u code at 0x%x = %ld\n", ncalls, (uint32_t)(uintptr_t)fn, ret);
	return ret;
}

/* mov $nr, %eax; vmmcall (or vmcall); ret */
static void put_stub(volatile uint8_t *at, uint32_t nr)
{
	const uint8_t stub[9] = { 0xb8, (uint8_t)nr, 0, 0, 0, 0x0f, 0x01, hc_amd ? 0xd9 : 0xc1, 0xc3 };

	for (int i = 0; i < 9; i++)
		at[i] = stub[i];
}

static void check_code(const uint8_t *fn, const char *where)
{
	long v = call_code(fn, XENVER_version);

	if (v != (long)EYRIE_XEN_VERSION)
		bad(F_CODE, "xen_version from code %s at 0x%x: %ld", where, (uint32_t)(uintptr_t)fn, v);
}

static int msr_write(uint32_t msr, uint64_t v)
{
	int vec = wrmsr_safe(msr, v);

	ncalls++;
	fcalls[F_CODE]++;
	fok[F_CODE] += vec < 0;
	return vec;
}

static void act_code(void)
{
	uint32_t c = below(10);
	int s = (int)pick_slot();

	if (!slot_acc((uint32_t)s))
		return;
	uint8_t *p = slot_ptr((uint32_t)s);
	const struct map *m = pg[s].kind == PG_FOREIGN ? &mp[pg[s].map] : NULL;
	if (c < 5) { /* a hypercall from code in this page */
		uint32_t off = STUB_OFF;
		uint8_t *w = p; /* where to write it */
		switch (pg[s].kind) {
		case PG_RAM: break;
		case PG_SHINFO: off = 3300; break;
		case PG_GNT: off = 4040; break;
		case PG_FOREIGN:
			if (m->peer && !m->ro)
				off = 3000;
			else if (!m->peer && m->src_slot != 0xffff)
				w = slot_ptr(m->src_slot);
			else
				return;
			break;
		default: return;
		}
		put_stub(w + off, HYPERVISOR_xen_version);
		check_code(p + off, pg_name[pg[s].kind]);
		put_stub(w + off, 100); /* the same place, another number */
		long v = call_code(p + off, 0);
		if (v != -ENOSYS)
			bad(F_CODE, "hypercall 100 from code at 0x%x: %ld", (uint32_t)(uintptr_t)(p + off), v);
		if (pg[s].kind == PG_GNT)
			memset(p + off, 0, 9);
		return;
	}
	if (c < 7) { /* across a page end: both our RAM, nobody else reads them */
		if (s + 1 >= (int)arena_n || pg[s].kind != PG_RAM || pg[s + 1].kind != PG_RAM ||
		    pg[s].pgrants || pg[s + 1].pgrants)
			return;
		uint32_t k = 1 + below(8);
		uint8_t save[8];
		memcpy(save, p + 4096, 9 - k);
		put_stub(p + 4096 - k, HYPERVISOR_xen_version);
		check_code(p + 4096 - k, "across a page end");
		memcpy(p + 4096, save, 9 - k);
		return;
	}
	/* The hypercall page (MSR 0x40000000) filled into this page. */
	uint64_t v;
	if (chance(10)) {
		ncalls++;
		fcalls[F_CODE]++;
		if (rdmsr_safe(XEN_MSR, &v) != VEC_GP)
			bad(F_CODE, "a read of MSR 0x%x did not fault", XEN_MSR);
		return;
	}
	bool writable = pg[s].kind == PG_RAM || (m && !m->peer && !m->ro);
	int src = pg[s].kind == PG_RAM ? s : m && !m->peer ? m->src_slot : -1;
	uint32_t gfn = slot_gfn((uint32_t)s);
	if (pg[s].kind == PG_SHINFO || pg[s].kind == PG_GNT || pg[s].kind == PG_UNKNOWN ||
	    (m && m->peer && !m->ro) || (writable && (src < 0 || pg[src].pgrants)))
		return; /* would overwrite what we keep there, or the peer's tag */
	bool index = chance(10);
	uint8_t before[32];
	bool readable = pg[s].kind != PG_HOLE;
	if (readable)
		memcpy(before, p + 17 * 32, 32);
	if (writable && !index)
		mb_touch();
	int vec = msr_write(XEN_MSR, ((uint64_t)gfn << 12) | (index ? 1 + below(0xfff) : 0));
	if (!writable || index) {
		if (vec != VEC_GP || (readable && memcmp(before, p + 17 * 32, 32)))
			bad(F_CODE, "the hypercall page into a %s%s page at 0x%x%s: vector %d%s",
			    m && m->ro ? "read-only " : "", pg_name[pg[s].kind], gfn,
			    index ? " (page index > 0)" : "", vec,
			    readable && memcmp(before, p + 17 * 32, 32) ? ", written" : "");
		return;
	}
	if (vec >= 0) {
		bad(F_CODE, "the hypercall page into a %s page at 0x%x: vector %d", pg_name[pg[s].kind],
		    gfn, vec);
		return;
	}
	check_code(p + HYPERVISOR_xen_version * 32, "in the hypercall page");
	long r = call_code(p + 100 * 32, 0);
	if (r != -ENOSYS)
		bad(F_CODE, "stub 100 of the hypercall page at 0x%x: %ld", gfn, r);
	tag_slot((uint32_t)src); /* the stubs took the tag's place */
}

/* ---- raw random calls ----------------------------------------------------------------------- */

static bool implemented(uint32_t nr)
{
	switch (nr) {
	case HYPERVISOR_memory_op: case HYPERVISOR_set_timer_op: case HYPERVISOR_xen_version:
	case HYPERVISOR_console_io: case HYPERVISOR_grant_table_op: case HYPERVISOR_vcpu_op:
	case HYPERVISOR_sched_op: case HYPERVISOR_event_channel_op: case HYPERVISOR_physdev_op:
	case HYPERVISOR_hvm_op: case HYPERVISOR_eyrie_op:
		return true;
	default:
		return false;
	}
}

/* A pointer no call may use: outside RAM and away from what we map above
 * it, or straddling RAM's end. */
static uint32_t bad_ptr(void)
{
	static const uint32_t fixed[] = { 0x40000000u, 0x80000000u, 0xc0000000u, 0xfee00000u,
					  0xfffe0000u, 0xfffeffffu };
	uint32_t c = below(4), top = ram_pages << 12;

	if (c == 0)
		return top - 1; /* one byte of RAM (our last page, outside the arena): no 2-byte field fits */
	if (c == 1)
		return top + below(0x7f000);
	return fixed[below(6)];
}

static void act_raw(void)
{
	uint32_t nr, a[5];

	for (int i = 0; i < 5; i++)
		a[i] = chance(50) ? bad_ptr() : rnd();
	if (chance(30)) {
		do
			nr = chance(50) ? below(64) : rnd();
		while (implemented(nr));
		long rc = hc(F_RAW, nr, a[0], a[1], a[2], a[3], a[4]);
		expect_rc(F_RAW, "a number not offered", rc, E(ENOSYS));
		return;
	}
	static const uint32_t nrs[] = { HYPERVISOR_memory_op, HYPERVISOR_xen_version,
		HYPERVISOR_console_io, HYPERVISOR_grant_table_op, HYPERVISOR_vcpu_op,
		HYPERVISOR_sched_op, HYPERVISOR_event_channel_op, HYPERVISOR_physdev_op,
		HYPERVISOR_hvm_op, HYPERVISOR_eyrie_op };
	nr = nrs[below(10)];
	/* the command small (mostly), every pointer argument bad */
	a[0] = chance(80) ? below(24) : rnd();
	a[1] = bad_ptr();
	a[2] = chance(50) ? bad_ptr() : rnd();
	if (nr == HYPERVISOR_vcpu_op) { /* (cmd, vcpu, arg) */
		a[1] = chance(80) ? below(3) : rnd();
		a[2] = bad_ptr();
		if (a[0] == VCPUOP_down || a[0] == VCPUOP_up) /* not ourselves, nor vcpu 1's state */
			a[0] = VCPUOP_get_runstate_info;
	}
	if (nr == HYPERVISOR_sched_op && a[0] == SCHEDOP_block)
		a[0] = SCHEDOP_poll;
	if (nr == HYPERVISOR_grant_table_op)
		a[2] = 1 + below(100); /* count */
	if (nr == HYPERVISOR_console_io) { /* (cmd, count, buffer) */
		a[1] = 1 + below(100000);
		a[2] = bad_ptr();
	}
	long rc = hc(F_RAW, nr, a[0], a[1], a[2], a[3], a[4]);
	bool ok_allowed =
		(nr == HYPERVISOR_xen_version && (a[0] == XENVER_version || a[0] == XENVER_pagesize)) ||
		(nr == HYPERVISOR_sched_op && a[0] == SCHEDOP_yield) ||
		(nr == HYPERVISOR_vcpu_op && a[1] < nvcpus &&
		 (a[0] == VCPUOP_is_up || a[0] == VCPUOP_stop_periodic_timer ||
		  (a[0] == VCPUOP_stop_singleshot_timer && a[1] == 0)));
	if (rc >= 0 && !ok_allowed)
		bad(F_RAW, "hypercall %u(0x%x, 0x%x, 0x%x) with bad pointers: %ld", nr, a[0], a[1], a[2], rc);
}

/* ---- checks of the whole model ----------------------------------------------------------------- */

static void verify_slot(uint32_t s, const char *when)
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

static void act_verify(void)
{
	for (int i = 0; i < 6; i++)
		verify_slot(pick_slot(), "a look");
	if (shinfo())
		check_pending("a look");
	if (rs_at[0] != NO_GFN)
		check_runstate((const struct runstate32 *)(rs_page[0] + rs_at[0]), 0, "the runstate area");
}

static void act_tag(void)
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

/* ---- set-up --------------------------------------------------------------------------------- */

static void callback(void)
{
	st.callbacks_seen++;
}

static long map_space(uint32_t space, uint32_t idx, uint32_t gfn)
{
	static struct atp32 a;

	a = (struct atp32){ DOMID_SELF, 0, space, idx, gfn };
	return mem_op(XENMEM_add_to_physmap, &a);
}

static void place_frame(uint32_t f, uint32_t slot)
{
	long rc = map_space(f ? XENMAPSPACE_grant_table : XENMAPSPACE_shared_info, f ? f - 1 : 0,
			    slot_gfn(slot));

	check(f ? "map-grant-frame" : "map-shared-info", rc == 0, "at 0x%x: %ld", slot_gfn(slot), rc);
	pg[slot] = (struct page){ .kind = f ? PG_GNT : PG_SHINFO, .gframe = (uint8_t)f };
	frame_gfn[f] = slot_gfn(slot);
	if (f > gt_nr)
		gt_nr = f;
}

static bool setup(void)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;
	const char *cmd = boot_ebx && si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : "";
	uint32_t r[4];

	parse_cmdline(cmd);
	cpuid(0x40000004, 0, r);
	self_id = r[2];
	rs = 0x9e3779b97f4a7c15ull ^ ((uint64_t)cfg_seed << 17) ^ cfg_seed;
	for (int i = 0; i < 8; i++)
		rnd();
	gprintf("fuzz: seed=%u calls=%u domain %u, cmdline \"%s\"\n", cfg_seed, cfg_calls, self_id, cmd);
	cli();
	callback_hook = callback;
	uint16_t dom = DOMID_SELF;
	ram_pages = (uint32_t)mem_op(XENMEM_maximum_reservation, &dom);
	long cur = mem_op(XENMEM_current_reservation, &dom);
	if (!check("reservation", (long)ram_pages > (long)ARENA_LO + 64 && cur == (long)ram_pages,
		   "%u pages, current %ld (the arena needs RAM beyond 4 MiB + 256 KiB)", ram_pages, cur))
		return false;
	nvcpus = vcpu_op(VCPUOP_is_up, 1, NULL) == -ENOENT ? 1 : 2;
	/* The last page of RAM stays out: raw calls with pointers straddling
	 * RAM's end may write its last bytes. */
	arena_n = ram_pages - ARENA_LO - 1 < ARENA_MAX ? ram_pages - ARENA_LO - 1 : ARENA_MAX;
	mailview_gfn = ram_pages + 0x80;
	upper_lo = ram_pages + 0x100;
	nslot = arena_n + UPPER_N + NFAR;
	for (uint32_t s = 0; s < nslot; s++)
		pg[s] = (struct page){ .kind = s < arena_n ? PG_RAM : PG_HOLE };
	arena_ram = arena_n;
	for (uint32_t f = 0; f <= GT_MAX; f++)
		frame_gfn[f] = NO_GFN;
	for (uint32_t h = 0; h < NHANDLE; h++)
		hnext[h] = (uint16_t)(h + 1);
	pt[0].st = P_RES;
	for (uint32_t p = 0; p < NPORT; p++)
		set_pend(p, 0);

	/* Our HVM parameters: all 0 at first. */
	for (uint32_t i = 0; i < HVM_NR_PARAMS; i++) {
		uint64_t v = 1;
		if (hc_hvm_param(HVMOP_get_param, DOMID_SELF, i, &v))
			v = 0; /* the console ring's, while there is none: -ENOENT */
		hvmp[i] = v;
	}
	check("callback", callback_setup() == 0, "HVM_PARAM_CALLBACK_IRQ");
	hvmp[HVM_PARAM_CALLBACK_IRQ] = HVM_CALLBACK_VECTOR(CALLBACK_VECTOR);

	/* The shared info and grant frame 0 above RAM (no RAM lost). */
	place_frame(0, arena_n);
	place_frame(1, arena_n + 1);
	check("grant-frame-zero", zero(slot_ptr(arena_n + 1), 4096), "grant table frame 0 is empty");
	/* vcpu_info and runstate areas in pages of our own. */
	for (uint32_t v = 0; v < nvcpus; v++) {
		static struct vcpu_register_vcpu_info ri;
		static uint64_t gva;
		ri = (struct vcpu_register_vcpu_info){ (uint32_t)(uintptr_t)&vi_page[v] >> 12, 0, 0 };
		long r1 = vcpu_op(VCPUOP_register_vcpu_info, v, &ri);
		gva = (uint32_t)(uintptr_t)rs_page[v];
		long r2 = vcpu_op(VCPUOP_register_runstate_memory_area, v, &gva);
		rs_at[v] = 0;
		check("vcpu-areas", r1 == 0 && r2 == 0, "vcpu %u: vcpu_info %ld, runstate area %ld", v, r1, r2);
	}
	/* The arena: zero, then tagged. */
	bool z = true;
	for (uint32_t s = 0; s < arena_n; s += 37)
		z &= zero(slot_ptr(s), 4096);
	check("arena-zero", z, "RAM from 0x%x to 0x%x reads as zero", ARENA_LO << 12,
	      (ARENA_LO + arena_n) << 12);
	for (uint32_t s = 0; s < arena_n; s++)
		tag_slot(s);
	mb->magic = MB_MAGIC;
	mb->domid = (uint16_t)self_id;
	mb->state = MB_RUNNING;
	mb_dirty = true;
	mb_begin();
	mb_end();
	return true;
}

/* The peer: each grants its mailbox to both neighbours (ref 1 to id - 1,
 * ref 2 to id + 1) and maps the one granted to it; or peer=ID. */
static void find_peer(void)
{
	uint32_t mgfn = (uint32_t)(uintptr_t)&mbox_page >> 12;
	int cand[2];
	int nc = 0;

	if (cfg_peer == -1) {
		gprintf("fuzz: no peer (peer=none)\n");
		return;
	}
	if (cfg_peer >= 0) {
		cand[nc++] = cfg_peer;
	} else {
		cand[nc++] = (int)self_id + 1;
		if (self_id > 0)
			cand[nc++] = (int)self_id - 1;
	}
	for (int i = 0; i < nc; i++) {
		uint32_t ref = cand[i] < (int)self_id ? MBOX_LO : MBOX_HI;
		volatile uint32_t *e = entry_ptr(ref);
		e[1] = mgfn;
		__atomic_store_n(&e[0], GTF_permit_access | GTF_readonly | (uint32_t)cand[i] << 16,
				 __ATOMIC_SEQ_CST);
		gr[ref] = (struct gref){ GTF_permit_access | GTF_readonly, (uint16_t)cand[i], mgfn, 0, 0, 0 };
	}
	static struct gnttab_map_grant_ref o;
	uint64_t end = now_ns() + 60000 * MS;
	int found = -1;
	while (found < 0 && now_ns() < end) {
		for (int i = 0; i < nc && found < 0; i++) {
			o = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)mailview_gfn << 12,
				.flags = GNTMAP_host_map | GNTMAP_readonly,
				.ref = cand[i] < (int)self_id ? MBOX_HI : MBOX_LO, .dom = (domid_t)cand[i] };
			long rc = gnt_op(GNTTABOP_map_grant_ref, &o, 1);
			mt_init = true;
			if (rc || o.status != GNTST_okay)
				continue;
			uint32_t h = h_alloc();
			const volatile struct mailbox *m = (const volatile void *)(uintptr_t)(mailview_gfn << 12);
			if (h == o.handle && m->magic == MB_MAGIC && m->domid == (uint32_t)cand[i]) {
				found = cand[i];
				mailview_handle = o.handle;
				break;
			}
			static struct gnttab_unmap_grant_ref u;
			u = (struct gnttab_unmap_grant_ref){ (uint64_t)mailview_gfn << 12, 0, o.handle, 0 };
			gnt_op(GNTTABOP_unmap_grant_ref, &u, 1);
			h_free(h);
		}
		if (found < 0) {
			static struct poll32 p;
			static uint32_t none;
			none = NPORT - 1;
			p = (struct poll32){ (uint32_t)(uintptr_t)&none, 1, now_ns() + 20 * MS };
			sched_op(SCHEDOP_poll, &p);
		}
	}
	/* The other neighbour's grant goes again. */
	for (int i = 0; i < nc; i++)
		if (cand[i] != found) {
			uint32_t ref = cand[i] < (int)self_id ? MBOX_LO : MBOX_HI;
			volatile uint32_t *e = entry_ptr(ref);
			uint32_t w0 = e[0];
			if ((w0 & GTF_RW) ||
			    !__atomic_compare_exchange_n(e, &w0, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				bad(F_GNT, "our mailbox grant to domain %d is in use: 0x%x", cand[i], w0);
			e[1] = 0;
			gr[ref] = (struct gref){ 0 };
		}
	if (!check("peer", found >= 0, "domain %d maps our mailbox and we map its", found))
		return;
	peer = found;
	pv = (volatile struct mailbox *)(uintptr_t)(mailview_gfn << 12);
	mb_begin();
	mb->peer = (uint16_t)peer;
	mb_end();
	gprintf("fuzz: peer is domain %d\n", peer);
}

/* ---- the run ----------------------------------------------------------------------------------- */

enum act { A_GWRITE, A_GREVOKE, A_GMAP, A_GUNMAP, A_GCOPY, A_GMISC, A_MOUT, A_MIN, A_MMAP, A_MMISC,
	   A_EALLOC, A_EBIND, A_EVIRQ, A_ESEND, A_ECLOSE, A_ESTATUS, A_EUNMASK, A_EVCPU, A_ERESET,
	   A_EEXHAUST, A_ECLEAR, A_EMISC, A_PROBE, A_VCPU, A_SCHED, A_TIMER, A_TVIRQ, A_HVM, A_PHYS,
	   A_CON, A_VER, A_EYRIE, A_RAW, A_VERIFY, A_TAG, A_GFLOOD, A_CODE, NACT };
/* Weights, per 1000 actions. */
static const uint16_t weight[NACT] = {
	[A_GWRITE] = 90, [A_GREVOKE] = 15, [A_GMAP] = 70, [A_GUNMAP] = 55, [A_GCOPY] = 60,
	[A_GMISC] = 15, [A_MOUT] = 30, [A_MIN] = 30, [A_MMAP] = 30, [A_MMISC] = 15,
	[A_EALLOC] = 45, [A_EBIND] = 40, [A_EVIRQ] = 20, [A_ESEND] = 45, [A_ECLOSE] = 40,
	[A_ESTATUS] = 30, [A_EUNMASK] = 20, [A_EVCPU] = 10, [A_ERESET] = 2, [A_EEXHAUST] = 0,
	[A_ECLEAR] = 20, [A_EMISC] = 8, [A_PROBE] = 40, [A_VCPU] = 45, [A_SCHED] = 25,
	[A_TIMER] = 15, [A_TVIRQ] = 3, [A_HVM] = 25, [A_PHYS] = 8, [A_CON] = 2, [A_VER] = 25,
	[A_EYRIE] = 8, [A_RAW] = 50, [A_VERIFY] = 40, [A_TAG] = 30, [A_GFLOOD] = 0, [A_CODE] = 15,
};

static void run_one(enum act a)
{
	switch (a) {
	case A_GWRITE: act_grant_write(); break;
	case A_GREVOKE: act_grant_revoke(); break;
	case A_GMAP: act_grant_map(); break;
	case A_GUNMAP: act_grant_unmap(); break;
	case A_GCOPY: act_grant_copy(); break;
	case A_GMISC: act_grant_misc(); break;
	case A_MOUT: act_balloon_out(); break;
	case A_MIN: act_balloon_in(); break;
	case A_MMAP: act_physmap(); break;
	case A_MMISC: act_memory_misc(); break;
	case A_EALLOC: act_evt_alloc(); break;
	case A_EBIND: act_evt_bind(); break;
	case A_EVIRQ: act_evt_bind_virq_ipi(); break;
	case A_ESEND: act_evt_send(); break;
	case A_ECLOSE: act_evt_close(); break;
	case A_ESTATUS: act_evt_status(); break;
	case A_EUNMASK: act_evt_unmask(); break;
	case A_EVCPU: act_evt_bind_vcpu(); break;
	case A_ERESET: act_evt_reset(); break;
	case A_EEXHAUST: act_evt_exhaust(); break;
	case A_ECLEAR: act_evt_clear(); break;
	case A_EMISC: act_evt_misc(); break;
	case A_PROBE: act_probe(); break;
	case A_VCPU: act_vcpu(); break;
	case A_SCHED: act_sched(); break;
	case A_TIMER: act_timer(); break;
	case A_TVIRQ: act_timer_virq(); break;
	case A_HVM: act_hvm(); break;
	case A_PHYS: act_physdev(); break;
	case A_CON: act_console(); break;
	case A_VER: act_version(); break;
	case A_EYRIE: act_eyrie(); break;
	case A_RAW: act_raw(); break;
	case A_VERIFY: act_verify(); break;
	case A_TAG: act_tag(); break;
	case A_GFLOOD: act_grant_flood(); break;
	case A_CODE: act_code(); break;
	default: break;
	}
}

static enum act pick_act(void)
{
	static uint32_t total;

	if (!total)
		for (int i = 0; i < NACT; i++)
			total += weight[i];
	uint32_t r = below(total);
	for (int i = 0; i < NACT; i++) {
		if (r < weight[i])
			return (enum act)i;
		r -= weight[i];
	}
	return A_VERIFY;
}

static void summary(uint64_t ns)
{
	uint32_t ms = (uint32_t)(ns / MS);

	gprintf("fuzz: end: %u calls in %u ms (%u calls/s), seed %u\n", ncalls, ms,
		ms ? (uint32_t)((uint64_t)ncalls * 1000 / ms) : 0, cfg_seed);
	for (int f = 0; f < NFAM; f++)
		gprintf("fuzz:   %-8s %7u calls, %7u succeeded, %u disagreements\n", fam_name[f], fcalls[f],
			fok[f], fbad[f]);
	gprintf("fuzz: %u mappings (%u of the peer's), %u unmapped, %u copies (%u with the peer)\n",
		st.maps, st.peer_maps, st.unmaps, st.copies, st.peer_copies);
	gprintf("fuzz: %u pages given back, %u taken again, %u frame moves, %u grant entries written\n",
		st.out, st.in, st.moves, st.entries);
	gprintf("fuzz: %u ports, %u bound to the peer's, %u events from the peer\n", st.ports,
		st.peer_binds, st.peer_events);
	gprintf("fuzz: %u calls on the peer's grants and ports (%u checked exactly, the rest while "
		"it changed them)\n", st.peer_ops, st.peer_ops - st.unstable);
	gprintf("fuzz: %u upcalls taken, vcpu 1 brought up %u times, ran %u times\n",
		st.callbacks_seen, st.ap_ups, ap_count);
}

void guest_main(void)
{
	if (!setup())
		return;
	find_peer();
	uint32_t exhaust_at = cfg_calls >= 20000 ? cfg_calls / 3 + below(cfg_calls / 3 + 1) : 0;
	uint32_t next_report = cfg_calls / 10, flood_at = 5000 + below(20000);
	uint64_t t0 = now_ns();
	gprintf("fuzz: start\n");
	for (uint32_t i = 0; ncalls < cfg_calls; i++) {
		enum act a = pick_act();
		if (exhaust_at && ncalls >= exhaust_at) {
			a = A_EEXHAUST;
			exhaust_at = 0;
		}
		if (ncalls >= flood_at) { /* the maptrack filled, every 25000 calls */
			a = A_GFLOOD;
			flood_at += 25000;
		}
		run_one(a);
		mb_end();
		if (!(i & 31)) { /* upcalls: taken in a window */
			sti();
			__asm__ volatile("nop");
			cli();
			count_peer_events();
		}
		if (ncalls >= next_report) {
			gprintf("fuzz: %u calls, %u disagreements\n", ncalls, nprinted);
			next_report += cfg_calls / 10;
		}
	}
	uint64_t ns = now_ns() - t0;
	/* The last look: every page, the reservation, the table's size. */
	for (uint32_t s = 0; s < nslot; s++)
		verify_slot(s, "the end");
	for (uint32_t i = 0; i < MAXMAP; i++)
		if (mp[i].live)
			check_map_content(i, "the end");
	check_reservation("the run");
	check_pending("the run");
	static struct gnttab_query_size q;
	q.dom = DOMID_SELF;
	gnt_op(GNTTABOP_query_size, &q, 1);
	if (q.nr_frames != gt_nr)
		bad(F_GNT, "query_size at the end: %u frames, the model %u", q.nr_frames, gt_nr);
	mb_begin();
	mb->state = MB_DONE;
	mb_end();
	summary(ns);
	for (int f = 0; f < NFAM; f++)
		check(fam_name[f], fbad[f] == 0, "%u calls, %u succeeded, %u disagreements", fcalls[f],
		      fok[f], fbad[f]);
	check("calls", ncalls >= cfg_calls, "%u hypercalls made (seed %u)", ncalls, cfg_seed);
	/* Mappings and grants stay: the hypervisor ends them with us. */
}
