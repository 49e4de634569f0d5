/* SPDX-License-Identifier: GPL-2.0-only */
/* What the files of the fuzz guest (fuzz.c and fuzz_*.c) share: the
 * model's types and state, the accounting, and each family's actions. */
#ifndef EYRIE_GUEST_FUZZ_H
#define EYRIE_GUEST_FUZZ_H

#include "runtime.h"
#include "x86.h"
#include "include/public/event_channel.h"
#include "include/public/eyrie.h"
#include "include/public/grant_table.h"
#include "include/public/hvm_start_info.h"
#include "include/public/memory.h"
#include "include/public/vcpu.h"
#include "include/public/xen.h"
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

enum fam { F_GNT, F_MEM, F_EVT, F_VCPU, F_SCHED, F_HVM, F_PHYS, F_CON, F_VER, F_TIMER,
	   F_EYRIE, F_RAW, F_CODE, NFAM };

/* What the run achieved (the summary). */
struct stats {
	uint32_t maps, peer_maps, unmaps, copies, peer_copies, out, in, moves, ports, peer_binds,
		 peer_events, peer_ops, unstable, callbacks_seen, ap_ups, entries;
};

#define E(e) (1ull << (e))
#define OK 1ull
#define S(st) (1u << -(st))

#define S_ANY (S(GNTST_okay) | S(GNTST_general_error) | S(GNTST_bad_domain) | \
	       S(GNTST_bad_gntref) | S(GNTST_bad_page) | S(GNTST_bad_virt_addr) | \
	       S(GNTST_permission_denied) | S(GNTST_bad_copy_arg))

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

#define ARENA_LO 0x400u     /* 4 MiB */
#define ARENA_MAX 1024u
#define UPPER_N 64u
#define NFAR 3u
#define NSLOT (ARENA_MAX + UPPER_N + NFAR)
#define NO_GFN 0xffffffffu
#define MAX_GFN (1u << 28)  /* frames may be mapped below 1 TiB */

enum { PG_RAM, PG_HOLE, PG_FOREIGN, PG_SHINFO, PG_GNT, PG_UNKNOWN };

struct page {
	uint8_t kind;
	uint8_t gframe;   /* PG_GNT: which */
	uint8_t pgrants;  /* valid grant entries to the peer naming this page */
	uint8_t map;      /* PG_FOREIGN: index in maps[] */
	uint16_t smaps;   /* live mappings of this page's frame (by us) */
	uint16_t pad;
	uint32_t gen;     /* PG_RAM: the tag's generation, 0 = zero page */
};

#define PAT_END 512u      /* [32, 512): the pattern */
#define OWN_SCRATCH 512u  /* [512, 2048): our own writes (copies, probes) */
#define PEER_SCRATCH 2048u /* [2048, 4096): the peer's writes */

struct tag {
	char text[8];
	uint32_t owner, nodom, gfn, gen, sum, pad;
};

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

#define MB_MAGIC 0x7a7a6d62u
#define MB_GRANTS 48u
#define MB_PORTS 40u

enum { MB_RUNNING = 1, MB_DONE = 2 };
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

union mbox_page {
	struct mailbox m;
	uint8_t page[4096];
};

#define MAXMAP 80u
#define NHANDLE 1024u

struct map {
	uint8_t live, peer, ro, pad;
	uint16_t slot, src_slot;   /* src_slot: our own source page, else 0xffff */
	uint32_t handle, ref, src_gfn;
};

#define NPORT 4096u /* the 2-level ABI's ports (the fuzzer never turns FIFO on) */

enum { P_FREE, P_RES, P_UNB, P_INTER, P_VIRQ, P_IPI, P_PEER, P_UNK };

struct port {
	uint8_t st, virq, vcpu, adv;   /* adv: MBP_* for P_PEER */
	uint16_t rdom, rport;          /* P_UNB, P_INTER */
	uint16_t yport, pad;           /* P_PEER bound: the peer's port and its epoch */
	uint32_t epoch, yepoch;
};

/* The vcpu_info pages each vcpu registered. */
union vi_page {
	struct vcpu_info vi;
	uint8_t page[4096];
};

struct psnap {
	uint32_t nr_frames;
	bool listed;
	uint16_t flags;
	uint8_t kind;
	uint32_t frame, gen;
};

enum act { A_GWRITE, A_GREVOKE, A_GMAP, A_GUNMAP, A_GCOPY, A_GMISC, A_MOUT, A_MIN, A_MMAP, A_MMISC,
	   A_EALLOC, A_EBIND, A_EVIRQ, A_ESEND, A_ECLOSE, A_ESTATUS, A_EUNMASK, A_EVCPU, A_ERESET,
	   A_EEXHAUST, A_ECLEAR, A_EMISC, A_PROBE, A_VCPU, A_SCHED, A_TIMER, A_TVIRQ, A_HVM, A_PHYS,
	   A_CON, A_VER, A_EYRIE, A_RAW, A_VERIFY, A_TAG, A_GFLOOD, A_CODE, NACT };

extern uint32_t cfg_seed, cfg_calls, cfg_trace;
extern uint64_t rs;
extern uint32_t ncalls, fcalls[NFAM], fok[NFAM], fbad[NFAM], nprinted;
extern struct stats st;
extern const char *const pg_name[];
extern struct page pg[NSLOT];
extern uint32_t self_id, nvcpus, ram_pages, arena_n, upper_lo, mailview_gfn, nslot;
extern uint32_t arena_ram;
extern struct gref gr[NREF];
extern uint32_t gt_nr;
extern uint32_t frame_gfn[1 + GT_MAX];
extern int peer;
extern union mbox_page mbox_page __attribute__((aligned(4096)));
extern volatile struct mailbox *const mb;
extern volatile struct mailbox *pv;
extern uint32_t adv_refs[MB_GRANTS], nadv_refs;
extern uint16_t adv_ports[MB_PORTS];
extern uint32_t nadv_ports;
extern bool mb_dirty, mb_open;
extern bool peer_done;
extern struct map mp[MAXMAP];
extern uint32_t nmaps;
extern uint16_t hnext[NHANDLE];
extern uint32_t hfree;
extern bool mt_init;
extern uint32_t mailview_handle;
extern bool h_unknown;
extern struct port pt[NPORT];
extern uint32_t pend_known[NPORT / 32], pend_val[NPORT / 32], mask_val[NPORT / 32];
extern uint16_t virq_port[2][NR_VIRQS];
extern uint32_t free_hint, epoch_ctr;
extern union vi_page vi_page[2] __attribute__((aligned(4096)));
extern uint8_t rs_page[2][4096] __attribute__((aligned(4096)));
extern uint8_t tm_page[4096] __attribute__((aligned(4096)));
extern uint32_t rs_at[2];
extern volatile uint32_t ap_count;
extern uint64_t hvmp[HVM_NR_PARAMS];

uint32_t rnd(void);
uint32_t below(uint32_t n);
bool chance(uint32_t percent);
long hc(enum fam f, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
	uint32_t a5);
__attribute__((format(printf, 2, 3))) void bad(enum fam f, const char *fmt, ...);
uint64_t ebit(long rc);
bool expect_rc(enum fam f, const char *what, long rc, uint64_t allowed);
uint32_t sbit(int status);
long evt_op(unsigned cmd, const void *arg);
long gnt_op(unsigned cmd, const void *arg, uint32_t count);
long mem_op(uint32_t cmd, const void *arg);
long vcpu_op(unsigned cmd, unsigned vcpu, const void *arg);
long sched_op(unsigned cmd, const void *arg);
long set_timer(uint64_t t);
uint32_t slot_gfn(uint32_t s);
int gfn_slot(uint32_t gfn);
bool slot_acc(uint32_t s);
uint8_t *slot_ptr(uint32_t s);
int gfn_kind(uint32_t gfn);
uint32_t pick_slot(void);
int pick_kind(int kind);
int pick_free_ram(void);
uint32_t pat(uint32_t gen, uint32_t i);
void tag_slot(uint32_t s);
bool tag_valid(const struct tag *t, uint32_t owner, uint32_t gfn);
bool has_nul(const uint8_t *b, size_t n);
bool zero(const void *p, size_t n);
volatile uint32_t *entry_ptr(uint32_t ref);
bool ref_ours(uint32_t ref);
bool to_peer(const struct gref *g);
void mb_touch(void);
void adv_ref_add(uint32_t ref);
void adv_ref_del(uint32_t ref);
uint32_t h_alloc(void);
void h_free(uint32_t h);
int map_new(void);
void peer_pins(uint32_t ref, uint32_t *r, uint32_t *w);
void set_pend(uint32_t p, int v);
int lowest_free(void);
bool virq_per_vcpu(uint32_t virq);
void port_free(uint32_t p);
volatile struct shared_info *shinfo(void);
volatile uint32_t *pend_word(uint32_t w);
volatile uint32_t *mask_word(uint32_t w);
void count_peer_events(void);
void check_pending(const char *after);
uint32_t pv_gen(void);
bool pv_same(uint32_t g);
void peer_grant(uint32_t ref, struct psnap *s);
uint32_t peer_ref(void);
uint32_t peer_use(const struct psnap *s, uint32_t ref, bool wr, bool map, uint32_t r,
		  uint32_t w);
int own_use(uint32_t ref, bool wr, bool map, uint32_t *gfn);
void own_use_add(uint32_t ref, bool wr, uint32_t gfn);
void own_use_end(uint32_t ref, bool wr);
void check_entry(uint32_t ref, const char *when);
void mb_begin(void);
void mb_end(void);
uint16_t random_dom(void);
uint16_t other_dom(void);
void act_grant_write(void);
void act_grant_revoke(void);
bool check_map_content(uint32_t i, const char *when);
void act_grant_map(void);
void act_grant_unmap(void);
void act_grant_flood(void);
void act_grant_copy(void);
void act_grant_misc(void);
void check_reservation(const char *after);
void act_balloon_out(void);
void act_balloon_in(void);
void act_physmap(void);
void act_memory_misc(void);
int pick_port(void);
void act_evt_alloc(void);
void act_evt_bind(void);
void act_evt_bind_virq_ipi(void);
void act_evt_send(void);
void act_evt_close(void);
void act_evt_status(void);
void act_evt_unmask(void);
void act_evt_bind_vcpu(void);
void act_evt_reset(void);
void act_evt_exhaust(void);
void act_evt_clear(void);
void act_evt_misc(void);
void act_probe(void);
void check_runstate(const struct runstate32 *area, unsigned vcpu, const char *what);
void act_vcpu(void);
void act_sched(void);
void act_timer(void);
void act_timer_virq(void);
void act_hvm(void);
void act_physdev(void);
void act_console(void);
void act_version(void);
void act_eyrie(void);
void act_code(void);
uint32_t bad_ptr(void);
void act_raw(void);
void verify_slot(uint32_t s, const char *when);
void act_verify(void);
void act_tag(void);

#endif
