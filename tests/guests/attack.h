/* SPDX-License-Identifier: GPL-2.0-only */
/* What the files of the attack guest (attack.c, attack_*.c) share: the
 * page layout, the hypercall and page helpers, and each attack. */
#ifndef EYRIE_GUEST_ATTACK_H
#define EYRIE_GUEST_ATTACK_H

#include "runtime.h"
#include "x86.h"
#include "include/public/event_channel.h"
#include "include/public/grant_table.h"
#include "include/public/hvm_start_info.h"
#include "include/public/memory.h"
#include "include/public/vcpu.h"
#include "include/public/xen.h"
#define MS 1000000ull
#define XEN_MSR 0x40000000u
#define PAGE(gfn) ((volatile uint32_t *)(uintptr_t)((uint32_t)(gfn) << 12))
#define GFN(p) ((uint32_t)(uintptr_t)(p) >> 12)

/* Pages the attacks use, by guest frame (above the image and the start
 * info, which sit just above 1 MiB). */
#define P1 0x400u /* attack 1: the granted page, its alias, a victim, scratch */
#define X1 0x401u
#define Y1 0x402u
#define Z1 0x403u
#define P2 0x410u /* attack 2 */
#define X2 0x411u
#define Q2 0x412u
#define P3 0x420u /* attack 3 */
#define P4 0x430u /* attack 4: granted read-only, mapped at X4, V4, W4 */
#define X4 0x431u
#define V4 0x432u
#define W4 0x433u
#define Y4 0x434u
#define Z4 0x435u
#define G5 0x440u /* attack 5: granted source, copy destination */
#define Z5 0x441u
#define T6 0x450u /* attack 6: a page the refused calls must leave alone */
#define H6 0x451u /* a hole they must not fill */
#define LP 0x470u /* attack 5: a list whose second half lies in a hole */
#define LH 0x471u
#define M5 0x500u /* attack 5: 40 mappings of one grant, 0x500..0x527 */
#define NMAP 40u
#define BAL 0x800u /* attack 5: the balloon list, BAL..BAL+NBAL */
#define NBAL 4160u
#define BAD5 0x1900u /* a 200-extent list with a bad entry at 150 */
#define CROSS5 0x1a00u /* the list crossing into a hole */

/* attack 7 */
#define DA 0x600u  /* A: the page granted to B (ref 1) */
#define PA 0x601u  /* A: a page granted to itself and mapped at XA */
#define XA 0x602u  /* ... which A grants to B (ref 2): B must be refused */
#define SA 0x603u  /* A: its own mapping of DA (it dies with it) */
#define DB 0x604u  /* A: a page granted read-only to B (ref 5) */
#define AB 0x605u  /* A: where it maps B's page (B's ref 7; it dies with it) */
#define UA1 0x1c00u /* A: pages in 2 MiB regions it never touches, granted to */
#define UA2 0x1e00u /* B (refs 6 and 8): never-used RAM must read zero */
#define MB 0x480u  /* B: where it maps A's page */
#define YB 0x481u  /* B: the victim of the refused maps */
#define ZB 0x482u  /* B: scratch copy destination */
#define RB 0x483u  /* B: where it maps A's read-only page (it dies with it) */
#define BG 0x484u  /* B: its page granted to A (ref 7), which A maps */
#define UB 0x485u  /* B: where it maps A's never-touched page */

/* Offsets in A's granted page. */
#define A_MSG 0
#define B_MSG 64
#define DATA 256

union shpage {
	struct shared_info s;
	uint8_t page[4096];
};

#define SHINFO GFN(&shpage)
#define GT GFN(gt)

struct copy32 {
	struct { uint32_t ref_or_gmfn; uint16_t domid, offset; } src, dst;
	uint16_t len, flags;
	int16_t status;
	uint16_t pad;
};

/* A failed hypercall as a status: rc - 100 (-114 is -EFAULT), so that it
 * never reads as a GNTST_* code. */
#define RC_STATUS(rc) ((int)(rc) - 100)

extern const char a_here[];
extern const char a_ready[];
extern const char a_last[];
extern const char b_mapped[];
extern uint16_t self_id, peer;
extern char role;
extern struct grant_entry_v1 gt[512] __attribute__((aligned(4096)));
extern union shpage shpage __attribute__((aligned(4096)));

long memop(unsigned cmd, void *arg);
long gntop(unsigned cmd, void *arg, unsigned count);
long evtop(unsigned cmd, void *arg);
long vcpuop(unsigned cmd, void *arg);
long resv_dom(unsigned cmd, const uint32_t *gfns, uint32_t n, uint16_t dom);
long resv(unsigned cmd, const uint32_t *gfns, uint32_t n);
long give1(uint32_t gfn);
long take1(uint32_t gfn);
long reservation_of(unsigned cmd, uint16_t dom);
long cur(void);
long add_to_physmap(uint16_t dom, uint32_t space, uint32_t idx, uint32_t gfn);
void grant(unsigned ref, uint32_t gfn, uint16_t dom, uint16_t flags);
void ungrant(unsigned ref);
bool in_use(unsigned ref);
int map(uint16_t dom, unsigned ref, uint32_t gfn, uint32_t flags, uint32_t *h);
int unmap(uint32_t gfn, uint32_t h);
void undo(uint32_t gfn, uint32_t h);
int copy(uint32_t src, uint16_t sdom, uint16_t soff, uint32_t dst, uint16_t ddom,
	 uint16_t doff, uint16_t len, uint16_t flags);
int copy_from_frame(uint32_t gfn, uint32_t to);
int copy_to_frame(uint32_t from, uint32_t gfn);
int copy_from_ref(uint16_t dom, unsigned ref, uint32_t to);
int copy_to_ref(uint32_t from, uint16_t dom, unsigned ref);
void sleep_ms(unsigned ms);
uint32_t word(uint32_t seed, unsigned i);
void fill(uint32_t gfn, uint32_t seed);
bool holds(uint32_t gfn, uint32_t seed, unsigned from);
bool zeroed(uint32_t gfn);
bool same(uint32_t a, uint32_t b);
void put_str(uint32_t gfn, unsigned off, const char *s);
bool has_str(uint32_t gfn, unsigned off, const char *s);
bool shinfo_live(void);
void attack_regrant(void);
void attack_freed_while_mapped(void);
void attack_self_map(void);
void attack_read_only(void);
void attack_bounded(void);
void attack_domain_ids(void);
void granter_setup(void);
void granter_finish(void);
void mapper(void);

#endif
