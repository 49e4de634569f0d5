/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's internals, shared by its files: not an API (store.h is,
 * and docs/store.md describes the behaviour).
 *
 * The tree is persistent: a node is shared by every tree that reaches it
 * (the committed tree, open transactions' snapshots and working trees) and
 * counts its parents in ref. Nothing shared is ever changed: an operation
 * first makes the path it changes private (clone-on-write from the root
 * down), so a transaction's snapshot costs one reference at its start and
 * a few cloned paths later.
 *
 * Every change is made on a working root (struct change) that starts as
 * a second reference to the current one: everything it touches is cloned,
 * the old tree stays intact, and the change is installed by swapping the
 * root pointer only when it fully succeeded. A quota hit or a failed
 * malloc halfway through an operation therefore leaves no trace, and watch
 * events are queued only for changes that happened.
 *
 * Transactions keep their snapshot (base), their own tree (root), the
 * paths they read or wrote with each node's generation in the snapshot
 * (0 for absent), and a log of their modifications. Committing checks that
 * each of those nodes still has that generation in the committed tree
 * (EAGAIN if not) and then replays the log there as one change: since
 * everything the operations looked at is unchanged, they decide as they
 * did inside the transaction, and their watch events fire at the commit.
 *
 * Node generations change when a node is created, deleted (it then reads
 * as 0), written, gets new permissions or gains or loses a child; cloning
 * keeps them, so they say what changed, not what was copied.
 *
 * The mgmt stack is 64 KiB and a path may have 1536 levels, so no function
 * recurses over the tree: walks use s->walk, freeing uses a list.
 *
 * The files, by section:
 *   store.c       the public calls: the store, its domains, domain 0's calls
 *   store_tree.c  helpers, nodes, paths, permissions, node counts, walks
 *   store_conn.c  connections, output, deferred calls, watches, domains
 *   store_tx.c    changes (working roots) and transactions
 *   store_ops.c   operations on a change, core requests
 *   store_wire.c  the wire: requests, replies, output
 * Functions one file gives the others are named st_*.
 */
#ifndef EYRIE_MGMT_STORE_INT_H
#define EYRIE_MGMT_STORE_INT_H

#include "store.h" /* beside it: builds with or without -I. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PERM_OWNER   4u                /* beyond STORE_PERM_*: may SET_PERMS */
#define PERM_ALL     (STORE_PERM_BOTH | PERM_OWNER)
#define DOMID_SELF_  0x7ff0u
#define NO_TARGET    0xffffu
#define PATH_BUF     (XENSTORE_ABS_PATH_MAX + 1)
#define WALK_DEPTH   (XENSTORE_ABS_PATH_MAX / 2 + 2) /* "/a/a/..." levels + root */
#define LOCAL_PREFIX "/local/domain/"
#define TX_NODE_COST 128               /* a node copy, beside its value */
#define SPECIAL_INTRO   0
#define SPECIAL_RELEASE 1

/* ---- Data --------------------------------------------------------------- */

struct node {
	uint32_t ref;        /* parents (and roots) that point here */
	uint32_t vlen;
	uint32_t nkids, kcap;
	uint32_t kidbytes;   /* children's names, each + NUL: DIRECTORY's size */
	uint32_t nperms;     /* >= 1 */
	union {
		uint64_t gen;            /* while alive */
		struct node *dead_next;  /* on st_node_put's free list */
	};
	char *value;
	struct store_perm *perms;
	struct node **kids;  /* in creation order, as Xen lists them */
	char name[];         /* the last path component; "" for the root */
};

struct watch {
	struct watch *next;
	uint64_t id;           /* names it for deferred callbacks */
	size_t prefix;         /* bytes of "/local/domain/N/" if relative */
	store_watch_fn *fn;    /* domain 0's direct watches; NULL: a message */
	void *opaque;
	char *token;
	char path[];           /* canonical */
};

struct msg {
	struct msg *next;
	bool event;
	size_t size;           /* header + payload */
	unsigned char data[];
};

struct access {                /* a node a transaction looked at */
	uint64_t gen;          /* in the snapshot; 0 = absent */
	uint32_t hash;
	char path[];
};

enum { OP_WRITE, OP_MKDIR, OP_RM, OP_SET_PERMS };

struct op {                    /* one modification (also a log entry) */
	int type;
	const char *path;      /* canonical */
	const void *value;
	size_t len;
	const struct store_perm *perms;
	unsigned int nperms;
};

struct txop {                  /* struct op as logged: data holds the copies */
	struct txop *next;
	int type;
	size_t len;            /* value bytes, or perms count */
	size_t dlen;
	unsigned char data[];  /* value or perms (aligned here), then path NUL */
};

struct delta {
	uint16_t domid;
	int32_t nodes;
};

struct tx {
	struct tx *next;
	uint32_t id;
	struct node *base;     /* the committed root when it started */
	struct node *root;     /* with its own changes */
	struct access **acc;
	uint32_t nacc, acap;
	struct txop *ops, **ops_tail;
	struct delta *d;       /* its node-count changes, for its quota */
	uint32_t nd, dcap;
	size_t bytes;          /* charged to the connection's tx_bytes */
};

struct conn {
	struct conn *next;
	uint16_t domid;
	uint16_t target;       /* SET_TARGET, or NO_TARGET */
	bool priv, cut_off, introduced, shutdown_fired;
	int64_t gfn;
	uint32_t port;
	struct watch *watches;
	uint32_t nwatches;
	struct tx *txs;
	uint32_t ntx, next_txid;
	size_t tx_bytes;
	struct msg *out_head, *out_tail;
	size_t out_off;        /* bytes of out_head already taken */
	size_t out_bytes;
	uint32_t replies;
	uint64_t dropped;
};

struct owner {
	uint16_t domid;
	uint32_t nodes;
};

enum { DEF_WATCH, DEF_INTRODUCE, DEF_RELEASE };

struct deferred {
	struct deferred *next;
	int kind;
	unsigned int domid;
	int64_t gfn;
	uint32_t port;
	uint64_t watch_id;
	size_t plen;
	char data[];           /* DEF_WATCH: path NUL token NUL */
};

struct wframe {
	struct node *n;
	uint32_t next;         /* next child to visit */
	uint32_t idx;          /* index in the parent's kids */
};

struct store {
	struct store_limits lim;
	struct node *root;
	struct node *special[2];   /* @introduceDomain, @releaseDomain */
	uint64_t gen;
	uint64_t next_watch_id;
	struct conn *conns;        /* the local one (domain 0) first */
	struct owner *owners;
	uint32_t nowners, ocap;
	struct deferred *def_head, **def_tail;
	unsigned int depth;        /* public calls in progress */
	struct store_hooks hooks;
	void *hooks_opaque;
	struct wframe *walk;       /* WALK_DEPTH frames */
};

/* An operation in progress on a working root. */
struct pend {
	struct pend *next;
	struct conn *c;
	struct watch *w;
	char path[];
};

struct change {
	struct store *s;
	struct conn *c;        /* who acts */
	struct tx *tx;         /* inside it: record accesses, fire nothing */
	struct node *work;
	struct delta *d;
	uint32_t nd, dcap;
	struct pend *ev, **ev_tail;
};

/* The special nodes' names: SPECIAL_INTRO, SPECIAL_RELEASE. */
extern const char st_special_name[2][17];

/* Where a path leads in a tree. */
struct walk {
	struct node *node;     /* the node, NULL if absent */
	struct node *parent;   /* its parent (NULL for the root or if absent) */
	struct node *anc;      /* the deepest node that exists on the way */
	size_t anc_len;        /* bytes of path naming anc ("/" for the root) */
	unsigned int missing;  /* components below anc */
};

/* A tree walk's visitor: s->walk[depth].n is the node. */
typedef int visit_fn(struct store *s, unsigned int depth, void *arg);

/* st_visit_count's argument: the delta array to count in. */
struct count_arg {
	struct delta **d;
	uint32_t *nd, *cap;
};

/* ---- store_tree.c: helpers, nodes, paths, permissions, counts, walks ---- */

/* Decimal digits of v into buf (>= 21 bytes); returns the length. */
size_t st_fmt_u64(char *buf, uint64_t v);
/* Plain decimal (no sign, blanks or base prefix) up to max into *out. */
int st_parse_u64(const char *str, uint64_t max, uint64_t *out);
/* A domain id in plain decimal (0..65535) into *domid. */
int st_parse_domid(const char *str, unsigned int *domid);
/* FNV-1a of p[0..len), for a transaction's access records. */
uint32_t st_hash_str(const char *p, size_t len);
/* Is child at or below parent (both canonical)? */
bool st_is_child(const char *child, const char *parent);

/* A new node named name[0..nlen), one reference, nothing else set. */
struct node *st_node_alloc(const char *name, size_t nlen);
/* Takes one more reference to n; returns n. */
struct node *st_node_get(struct node *n);
/* Drops a reference (n may be NULL); frees what nothing reaches. */
void st_node_put(struct node *n);
/* Replaces n's permissions with a copy of p[0..count). */
int st_node_set_perms(struct node *n, const struct store_perm *p,
		uint32_t count);
/* Replaces n's value with a copy of v[0..len). */
int st_node_set_value(struct node *n, const void *v, size_t len);
/* A private copy of n sharing its children (each gains a parent). */
struct node *st_node_clone(const struct node *n);
/* The index of n's child named name[0..len), -1 if none. */
int st_kid_find(const struct node *n, const char *name, size_t len);
/* Appends child k to n (k's reference passes to n). */
int st_kid_add(struct node *n, struct node *k);
/* Unlinks n's child i and drops n's reference to it. */
void st_kid_remove(struct node *n, uint32_t i);
/* The children's names, NUL after each, into a new buffer. */
char *st_kid_list(const struct node *n);

/* Checks path in (Xen's rules); its canonical form to out (PATH_BUF). */
int st_canon_path(const struct store *s, const struct conn *c, const char *in,
		bool allow_special, char *out, size_t *prefix);
/* Where canonical path leads in the tree at root (struct walk). */
void st_walk_path(struct node *root, const char *path, struct walk *w);
/* The node at canonical path in the tree at root, NULL if absent. */
struct node *st_lookup(struct node *root, const char *path);

/* What c may do to n: STORE_PERM_* bits, with PERM_OWNER. */
unsigned int st_perm_for(const struct conn *c, const struct node *n);
/* May c be told about a change to n (readable, or its parent, or old)? */
bool st_watch_permitted(const struct conn *c, const struct node *n,
		const struct node *parent, const struct node *old);
/* p as Xen writes it ("r5") into buf with its NUL; returns the bytes. */
int st_perm_format(const struct store_perm *p, char *buf);
/* Parses a permission as Xen writes it ("b0") into *p. */
int st_perm_parse(const char *str, struct store_perm *p);

/* domid's node count entry, NULL if it has none. */
struct owner *st_owner_find(const struct store *s, unsigned int domid);
/* domid's node count entry, made if needed (NULL if out of memory). */
struct owner *st_owner_get(struct store *s, unsigned int domid);
/* Adds n to domid's entry in the delta array *d (grown as needed). */
int st_delta_add(struct delta **d, uint32_t *nd, uint32_t *cap,
		unsigned int domid, int32_t n);
/* domid's change in the delta array d[0..nd), 0 if absent. */
int32_t st_delta_of(const struct delta *d, uint32_t nd, unsigned int domid);

/* Pre-order walk of the subtree at top in s->walk, calling fn on each node. */
int st_tree_walk(struct store *s, struct node *top, visit_fn *fn, void *arg);
/* Visitor: each node of a removed subtree leaves its owner's count. */
int st_visit_count(struct store *s, unsigned int depth, void *arg);

/* ---- store_conn.c: connections, output, deferred calls, watches, domains */

/* The connection of domid, NULL if it has none. */
struct conn *st_conn_find(const struct store *s, unsigned int domid);
/* Domain 0's connection (always there, always first). */
struct conn *st_conn_local(const struct store *s);
/* Queues the introduce or release hook (DEF_*) for c's domain. */
void st_defer_domain(struct store *s, int kind, const struct conn *c);
/* Frees all of c's output, sent in part or not. */
void st_msg_free_all(struct conn *c);
/* Queues an event for c's watch w (a message, or w's callback deferred). */
void st_queue_event(struct store *s, struct conn *c, struct watch *w,
		const char *path);
/* Queues a reply to hdr with its req_id and tx_id, of type. */
int st_queue_reply(struct conn *c, const struct xsd_sockmsg *hdr,
		uint32_t type, const void *data, size_t len);
/* Queues the XS_ERROR reply to hdr naming err. */
void st_queue_error(struct conn *c, const struct xsd_sockmsg *hdr, int err);
/* A public call begins (deferred calls wait for the outermost to end). */
void st_enter(struct store *s);
/* A public call ends: the outermost runs the deferred calls. Returns ret. */
int st_leave(struct store *s, int ret);
/* Frees watch w. */
void st_watch_free(struct watch *w);
/* Frees all of c's watches. */
void st_watches_drop(struct conn *c);
/* Fires the watches on special node which (SPECIAL_*) for domid. */
void st_fire_special(struct store *s, int which, unsigned int domid);

/* A new connection for domid, placed after domain 0's. */
struct conn *st_conn_new(struct store *s, unsigned int domid, bool priv);
/* Back to a fresh connection: no watches, transactions or output. */
void st_conn_reset(struct conn *c);
/* Unlinks and frees connection c with all it holds. */
void st_conn_free(struct store *s, struct conn *c);
/* Is domid one a connection may have (1..STORE_DOMID_MAX)? */
bool st_domid_ok(unsigned int domid);
/* Drops domid's connection, purges domid from the tree; -ENOENT: none. */
int st_do_disconnect(struct store *s, unsigned int domid);

/* ---- store_tx.c: changes and transactions ------------------------------- */

/* Starts a change by c on the committed tree, or on tx's. */
void st_change_begin(struct change *ch, struct store *s, struct conn *c,
		struct tx *tx);
/* Drops a change: its working tree, counts and events. */
void st_change_abort(struct change *ch);
/* Installs a change's working root, counts and events (cannot fail). */
void st_change_commit(struct change *ch);
/* Adds n nodes to domid's count in the change. */
int st_change_delta(struct change *ch, unsigned int domid, int32_t n);
/* Nodes the actor would own after this change (and its transaction's). */
int64_t st_owned_after(const struct change *ch);
/* Makes *slot private to the working tree (its parent already is). */
struct node *st_cow(struct node **slot);
/* The existing node at path[0..len), made private with all above it. */
struct node *st_cow_path(struct change *ch, const char *path, size_t len);
/* Queues (until commit) the events of watches at or above path. */
int st_fire(struct change *ch, const char *path, const struct node *n,
		const struct node *parent, const struct node *old);
/* Queues the events of removing the subtree rm at path. */
int st_fire_rm(struct change *ch, const char *path, struct node *rm,
		const struct node *parent);

/* c's open transaction numbered id, NULL if none. */
struct tx *st_tx_find(const struct conn *c, uint32_t id);
/* Records that tx (if any) looked at path[0..len), and its generation. */
int st_tx_note(struct store *s, struct conn *c, struct tx *tx,
		const char *path, size_t len);
/* Notes every node from path[0..anc_len) down the rest of path. */
int st_tx_note_chain(struct change *ch, const char *path, size_t anc_len);
/* Appends op to tx's log, for replay at the commit. */
int st_tx_log(struct conn *c, struct tx *tx, const struct op *op);
/* Closes tx and frees all it holds. */
void st_tx_free(struct conn *c, struct tx *tx);
/* Closes all of c's transactions. */
void st_txs_drop(struct conn *c);
/* Opens a transaction for c; its id goes to *id. */
int st_tx_start(struct store *s, struct conn *c, uint32_t *id);
/* Ends tx, committing it if commit (EAGAIN on conflict). */
int st_tx_end(struct store *s, struct conn *c, struct tx *tx, bool commit);

/* ---- store_ops.c: operations and core requests ------------------------- */

/* Applies op to the change's working tree (checks, counts, events). */
int st_op_apply(struct change *ch, const struct op *op);
/* The node at canonical path for c to use with need, in tx or not. */
int st_node_for(struct store *s, struct conn *c, struct tx *tx,
		const char *path, unsigned int need, struct node **out);
/* Checks and makes a modification by c, in tx or committed at once. */
int st_core_modify(struct store *s, struct conn *c, struct tx *tx,
		const struct op *op);
/* Adds c's watch on path in with token (fn: direct callback, or NULL). */
int st_core_watch(struct store *s, struct conn *c, const char *in,
		const char *token, store_watch_fn *fn, void *opaque);
/* Removes c's watch on path in with token. */
int st_core_unwatch(struct store *s, struct conn *c, const char *in,
		const char *token);
/* The last watch of c (the one st_core_watch just added). */
struct watch *st_watch_last(struct conn *c);

#endif
