/*
 * The store (see store.h and docs/store.md).
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
 */
#include "store.h" /* beside it: builds with or without -I. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
		struct node *dead_next;  /* on node_put's free list */
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

static const char special_name[2][17] = { "@introduceDomain", "@releaseDomain" };

/* ---- Small helpers ---------------------------------------------------- */

static const struct {
	int err;
	char name[10];
} err_names[] = {
	{ EINVAL, "EINVAL" }, { EACCES, "EACCES" }, { EEXIST, "EEXIST" },
	{ EISDIR, "EISDIR" }, { ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" },
	{ ENOSPC, "ENOSPC" }, { EIO, "EIO" }, { ENOTEMPTY, "ENOTEMPTY" },
	{ ENOSYS, "ENOSYS" }, { EROFS, "EROFS" }, { EBUSY, "EBUSY" },
	{ EAGAIN, "EAGAIN" }, { EISCONN, "EISCONN" }, { E2BIG, "E2BIG" },
	{ EPERM, "EPERM" },
};

const char *store_error_name(int err)
{
	for (size_t i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++)
		if (err_names[i].err == err)
			return err_names[i].name;
	return "EINVAL";
}

/* Decimal digits of v into buf (>= 21 bytes); returns the length. */
static size_t fmt_u64(char *buf, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return n;
}

/* Plain decimal only: no sign, blanks or base prefixes. */
static int parse_u64(const char *str, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*str)
		return EINVAL;
	for (; *str; str++) {
		if (*str < '0' || *str > '9')
			return EINVAL;
		if (v > (max - (uint64_t)(*str - '0')) / 10)
			return EINVAL;
		v = v * 10 + (uint64_t)(*str - '0');
	}
	*out = v;
	return 0;
}

static int parse_domid(const char *str, unsigned int *domid)
{
	uint64_t v;
	int err = parse_u64(str, 0xffff, &v);

	if (!err)
		*domid = (unsigned int)v;
	return err;
}

static uint32_t hash_str(const char *p, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

/* Is child at or below parent (both canonical)? */
static bool is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (len == 1 && parent[0] == '/')
		return child[0] == '/';
	return strncmp(child, parent, len) == 0 &&
		(child[len] == '/' || child[len] == 0);
}

/* ---- Nodes ------------------------------------------------------------ */

static struct node *node_alloc(const char *name, size_t nlen)
{
	struct node *n = malloc(sizeof(*n) + nlen + 1);

	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	memcpy(n->name, name, nlen);
	n->name[nlen] = 0;
	n->ref = 1;
	return n;
}

static struct node *node_get(struct node *n)
{
	n->ref++;
	return n;
}

/* Drops one reference; frees what nothing reaches any more, without
 * recursion (children go on a list). */
static void node_put(struct node *n)
{
	struct node *dead;

	if (!n || --n->ref)
		return;
	n->dead_next = NULL;
	dead = n;
	while (dead) {
		struct node *d = dead;

		dead = d->dead_next;
		for (uint32_t i = 0; i < d->nkids; i++) {
			struct node *k = d->kids[i];

			if (--k->ref == 0) {
				k->dead_next = dead;
				dead = k;
			}
		}
		free(d->value);
		free(d->perms);
		free(d->kids);
		free(d);
	}
}

static int node_set_perms(struct node *n, const struct store_perm *p,
		uint32_t count)
{
	struct store_perm *np = malloc(count * sizeof(*np));

	if (!np)
		return ENOMEM;
	memcpy(np, p, count * sizeof(*np));
	free(n->perms);
	n->perms = np;
	n->nperms = count;
	return 0;
}

static int node_set_value(struct node *n, const void *v, size_t len)
{
	char *nv = NULL;

	if (len) {
		nv = malloc(len);
		if (!nv)
			return ENOMEM;
		memcpy(nv, v, len);
	}
	free(n->value);
	n->value = nv;
	n->vlen = (uint32_t)len;
	return 0;
}

/* A private copy of n sharing its children (each gains a parent). */
static struct node *node_clone(const struct node *n)
{
	struct node *c = node_alloc(n->name, strlen(n->name));

	if (!c)
		return NULL;
	c->gen = n->gen;
	c->kidbytes = n->kidbytes;
	if (node_set_value(c, n->value, n->vlen) ||
			node_set_perms(c, n->perms, n->nperms))
		goto fail;
	if (n->nkids) {
		c->kids = malloc(n->nkids * sizeof(*c->kids));
		if (!c->kids)
			goto fail;
		memcpy(c->kids, n->kids, n->nkids * sizeof(*c->kids));
		c->nkids = c->kcap = n->nkids;
		for (uint32_t i = 0; i < c->nkids; i++)
			c->kids[i]->ref++;
	}
	return c;
fail:
	node_put(c);
	return NULL;
}

static int kid_find(const struct node *n, const char *name, size_t len)
{
	for (uint32_t i = 0; i < n->nkids; i++) {
		const char *k = n->kids[i]->name;

		if (strncmp(k, name, len) == 0 && k[len] == 0)
			return (int)i;
	}
	return -1;
}

/* Appends k (its reference passes to n). */
static int kid_add(struct node *n, struct node *k)
{
	if (n->nkids == n->kcap) {
		uint32_t cap = n->kcap ? n->kcap * 2 : 4;
		struct node **nk = realloc(n->kids, cap * sizeof(*nk));

		if (!nk)
			return ENOMEM;
		n->kids = nk;
		n->kcap = cap;
	}
	n->kids[n->nkids++] = k;
	n->kidbytes += (uint32_t)strlen(k->name) + 1;
	return 0;
}

/* Unlinks child i and drops n's reference to it. */
static void kid_remove(struct node *n, uint32_t i)
{
	struct node *k = n->kids[i];

	n->kidbytes -= (uint32_t)strlen(k->name) + 1;
	memmove(n->kids + i, n->kids + i + 1,
			(n->nkids - i - 1) * sizeof(*n->kids));
	n->nkids--;
	node_put(k);
}

/* The children's names, NUL after each, into a new buffer. */
static char *kid_list(const struct node *n)
{
	char *buf = malloc(n->kidbytes ? n->kidbytes : 1);
	size_t off = 0;

	if (!buf)
		return NULL;
	for (uint32_t i = 0; i < n->nkids; i++) {
		size_t l = strlen(n->kids[i]->name) + 1;

		memcpy(buf + off, n->kids[i]->name, l);
		off += l;
	}
	return buf;
}

/* ---- Paths ------------------------------------------------------------ */

static bool path_chars_ok(const char *p)
{
	for (; *p; p++) {
		char ch = *p;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				(ch >= '0' && ch <= '9') || ch == '-' ||
				ch == '/' || ch == '_' || ch == '@'))
			return false;
	}
	return true;
}

/* Bytes of the "/local/domain/N/" prefix of path, 0 if it has none. */
static size_t local_prefix_len(const char *path)
{
	size_t off = sizeof(LOCAL_PREFIX) - 1, digits = 0;

	if (strncmp(path, LOCAL_PREFIX, off) != 0)
		return 0;
	while (path[off + digits] >= '0' && path[off + digits] <= '9')
		digits++;
	if (digits == 0 || digits > 5 || path[off + digits] != '/')
		return 0;
	return off + digits + 1;
}

/*
 * Xen's path rules: the characters [A-Za-z0-9-/_@], absolute or relative
 * to /local/domain/<caller>, no empty component, no trailing slash but
 * for "/", at most XENSTORE_ABS_PATH_MAX bytes, and for an unprivileged
 * caller at most lim.path after any /local/domain/N/. A path starting
 * with '@' names a special node or watch, allowed where allow_special.
 * The canonical form goes to out (PATH_BUF bytes); *prefix is the length
 * of the prefix added to a relative path (0 if absolute).
 */
static int canon_path(const struct store *s, const struct conn *c,
		const char *in, bool allow_special, char *out, size_t *prefix)
{
	size_t len = strlen(in), pre = 0;

	*prefix = 0;
	if (!path_chars_ok(in) || len == 0 || len > XENSTORE_ABS_PATH_MAX)
		return EINVAL;
	if (in[0] == '@') {
		if (!allow_special)
			return EINVAL;
		memcpy(out, in, len + 1);
		return 0;
	}
	if (in[0] != '/') {
		char num[21];

		fmt_u64(num, c->domid);
		pre = sizeof(LOCAL_PREFIX) - 1 + strlen(num) + 1;
		if (pre + len > XENSTORE_ABS_PATH_MAX)
			return EINVAL;
		memcpy(out, LOCAL_PREFIX, sizeof(LOCAL_PREFIX) - 1);
		memcpy(out + sizeof(LOCAL_PREFIX) - 1, num, strlen(num));
		out[pre - 1] = '/';
	}
	memcpy(out + pre, in, len + 1);
	len += pre;
	if (strstr(out, "//") || (len > 1 && out[len - 1] == '/'))
		return EINVAL;
	if (!c->priv && s->lim.path && len - local_prefix_len(out) > s->lim.path)
		return EINVAL;
	*prefix = pre;
	return 0;
}

/* Where a path leads in a tree. */
struct walk {
	struct node *node;     /* the node, NULL if absent */
	struct node *parent;   /* its parent (NULL for the root or if absent) */
	struct node *anc;      /* the deepest node that exists on the way */
	size_t anc_len;        /* bytes of path naming anc ("/" for the root) */
	unsigned int missing;  /* components below anc */
};

static void walk_path(struct node *root, const char *path, struct walk *w)
{
	struct node *n = root, *parent = NULL;
	const char *p = path + 1;

	w->anc_len = 1;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		int i = kid_find(n, p, len);

		if (i < 0) {
			w->node = w->parent = NULL;
			w->anc = n;
			w->missing = 1;
			for (p += len; *p; p++)
				w->missing += *p == '/';
			return;
		}
		parent = n;
		n = n->kids[i];
		w->anc_len = (size_t)(p - path) + len;
		p += len;
		if (*p)
			p++;
	}
	w->node = w->anc = n;
	w->parent = parent;
	w->missing = 0;
}

static struct node *lookup(struct node *root, const char *path)
{
	struct walk w;

	walk_path(root, path, &w);
	return w.node;
}

/* ---- Permissions --------------------------------------------------------- */

static bool perm_names(const struct conn *c, unsigned int id)
{
	return id == c->domid || id == STORE_DOMID_ANY ||
		(c->target != NO_TARGET && id == c->target);
}

/* Xen's rule: the privileged and the owner get everything, else the first
 * later entry naming the caller, else the owner entry's default. */
static unsigned int perm_for(const struct conn *c, const struct node *n)
{
	if (c->priv || perm_names(c, n->perms[0].domid))
		return PERM_ALL;
	for (uint32_t i = 1; i < n->nperms; i++)
		if (perm_names(c, n->perms[i].domid))
			return n->perms[i].access;
	return n->perms[0].access;
}

/* May c be told about a change to n? It, or its parent, is readable (or
 * was, with the permissions before the change). */
static bool watch_permitted(const struct conn *c, const struct node *n,
		const struct node *parent, const struct node *old)
{
	return (perm_for(c, n) & STORE_PERM_READ) ||
		(old && (perm_for(c, old) & STORE_PERM_READ)) ||
		(parent && (perm_for(c, parent) & STORE_PERM_READ));
}

static int perm_format(const struct store_perm *p, char *buf)
{
	static const char letter[4] = { 'n', 'r', 'w', 'b' };

	buf[0] = letter[p->access & 3];
	return (int)fmt_u64(buf + 1, p->domid) + 2; /* with its NUL */
}

static int perm_parse(const char *str, struct store_perm *p)
{
	static const char letters[] = "nrwb";
	const char *l = str[0] ? strchr(letters, str[0]) : NULL;
	unsigned int id;

	if (!l || parse_domid(str + 1, &id))
		return EINVAL;
	p->access = (uint8_t)(l - letters);
	p->domid = (uint16_t)id;
	return 0;
}

/* ---- Node counts per owner ---------------------------------------------- */

static struct owner *owner_find(const struct store *s, unsigned int domid)
{
	for (uint32_t i = 0; i < s->nowners; i++)
		if (s->owners[i].domid == domid)
			return &s->owners[i];
	return NULL;
}

/* The entry for domid, made if needed, so that applying a delta later
 * cannot fail. */
static struct owner *owner_get(struct store *s, unsigned int domid)
{
	struct owner *o = owner_find(s, domid);

	if (o)
		return o;
	if (s->nowners == s->ocap) {
		uint32_t cap = s->ocap ? s->ocap * 2 : 8;
		struct owner *no = realloc(s->owners, cap * sizeof(*no));

		if (!no)
			return NULL;
		s->owners = no;
		s->ocap = cap;
	}
	o = &s->owners[s->nowners++];
	o->domid = (uint16_t)domid;
	o->nodes = 0;
	return o;
}

uint32_t store_nodes_owned(const struct store *s, unsigned int domid)
{
	const struct owner *o = owner_find(s, domid);

	return o ? o->nodes : 0;
}

static int delta_add(struct delta **d, uint32_t *nd, uint32_t *cap,
		unsigned int domid, int32_t n)
{
	for (uint32_t i = 0; i < *nd; i++) {
		if ((*d)[i].domid == domid) {
			(*d)[i].nodes += n;
			return 0;
		}
	}
	if (*nd == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 4;
		struct delta *nd2 = realloc(*d, ncap * sizeof(*nd2));

		if (!nd2)
			return ENOMEM;
		*d = nd2;
		*cap = ncap;
	}
	(*d)[*nd].domid = (uint16_t)domid;
	(*d)[*nd].nodes = n;
	(*nd)++;
	return 0;
}

static int32_t delta_of(const struct delta *d, uint32_t nd, unsigned int domid)
{
	for (uint32_t i = 0; i < nd; i++)
		if (d[i].domid == domid)
			return d[i].nodes;
	return 0;
}

/* ---- Tree walks (no recursion) ----------------------------------------- */

typedef int visit_fn(struct store *s, unsigned int depth, void *arg);

/* Pre-order over the subtree at top; s->walk[depth].n is the node visited
 * (a visitor may replace it with a private copy). A visitor's non-zero
 * return stops the walk and is returned. */
static int tree_walk(struct store *s, struct node *top, visit_fn *fn, void *arg)
{
	struct wframe *st = s->walk;
	unsigned int depth = 0;
	int err;

	st[0].n = top;
	st[0].next = 0;
	st[0].idx = 0;
	err = fn(s, 0, arg);
	while (!err) {
		struct wframe *f = &st[depth];

		if (f->next < f->n->nkids && depth + 1 < WALK_DEPTH) {
			uint32_t i = f->next++;

			depth++;
			st[depth].n = f->n->kids[i];
			st[depth].next = 0;
			st[depth].idx = i;
			err = fn(s, depth, arg);
		} else if (depth == 0) {
			break;
		} else {
			depth--;
		}
	}
	return err;
}

struct count_arg {
	struct delta **d;
	uint32_t *nd, *cap;
};

/* Each node of a removed subtree leaves its owner's count. */
static int visit_count(struct store *s, unsigned int depth, void *arg)
{
	struct count_arg *a = arg;

	return delta_add(a->d, a->nd, a->cap,
			s->walk[depth].n->perms[0].domid, -1);
}

/* ---- Connections, output and deferred calls ------------------------------- */

static struct conn *conn_find(const struct store *s, unsigned int domid)
{
	for (struct conn *c = s->conns; c; c = c->next)
		if (c->domid == domid)
			return c;
	return NULL;
}

static struct conn *conn_local(const struct store *s)
{
	return s->conns; /* always first */
}

static void defer(struct store *s, struct deferred *d)
{
	d->next = NULL;
	*s->def_tail = d;
	s->def_tail = &d->next;
}

static void defer_domain(struct store *s, int kind, const struct conn *c)
{
	struct deferred *d = malloc(sizeof(*d));

	if (!d)
		return; /* the hook is lost, as an event would be */
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->domid = c->domid;
	d->gfn = c->gfn;
	d->port = c->port;
	defer(s, d);
}

static void msg_free_all(struct conn *c)
{
	while (c->out_head) {
		struct msg *m = c->out_head;

		c->out_head = m->next;
		free(m);
	}
	c->out_tail = NULL;
	c->out_off = 0;
	c->out_bytes = 0;
	c->replies = 0;
}

static struct msg *msg_new(uint32_t type, uint32_t req_id, uint32_t tx_id,
		const void *a, size_t alen, const void *b, size_t blen)
{
	struct msg *m = malloc(sizeof(*m) + sizeof(struct xsd_sockmsg) + alen + blen);
	struct xsd_sockmsg h = { type, req_id, tx_id, (uint32_t)(alen + blen) };

	if (!m)
		return NULL;
	m->next = NULL;
	m->event = false;
	m->size = sizeof(h) + alen + blen;
	memcpy(m->data, &h, sizeof(h));
	if (alen)
		memcpy(m->data + sizeof(h), a, alen);
	if (blen)
		memcpy(m->data + sizeof(h) + alen, b, blen);
	return m;
}

static void msg_append(struct conn *c, struct msg *m)
{
	if (c->out_tail)
		c->out_tail->next = m;
	else
		c->out_head = m;
	c->out_tail = m;
	c->out_bytes += m->size;
	if (!m->event)
		c->replies++;
}

/* Is the same event already waiting (and not begun)? Xen drops those. */
static bool event_queued(const struct conn *c, const struct msg *m)
{
	for (const struct msg *q = c->out_head; q; q = q->next) {
		if (q == c->out_head && c->out_off)
			continue;
		if (q->event && q->size == m->size &&
				memcmp(q->data, m->data, m->size) == 0)
			return true;
	}
	return false;
}

/* A watch event for c's watch w, path as the watcher should see it. */
static void queue_event(struct store *s, struct conn *c, struct watch *w,
		const char *path)
{
	size_t plen = strlen(path) + 1, tlen = strlen(w->token) + 1;
	struct msg *m;

	if (c->cut_off || plen + tlen > XENSTORE_PAYLOAD_MAX)
		return;
	if (w->fn) {
		struct deferred *d = malloc(sizeof(*d) + plen + tlen);

		if (!d)
			return;
		memset(d, 0, sizeof(*d));
		d->kind = DEF_WATCH;
		d->watch_id = w->id;
		d->plen = plen;
		memcpy(d->data, path, plen);
		memcpy(d->data + plen, w->token, tlen);
		defer(s, d);
		return;
	}
	m = msg_new(XS_WATCH_EVENT, 0, 0, path, plen, w->token, tlen);
	if (!m) {
		c->dropped++;
		return;
	}
	m->event = true;
	if (path[0] != '@' && event_queued(c, m)) {
		free(m);
		return;
	}
	if (s->lim.out_bytes && c->out_bytes + m->size > s->lim.out_bytes) {
		c->dropped++;
		free(m);
		return;
	}
	msg_append(c, m);
}

/* A reply to hdr: its type (or XS_ERROR), req_id and tx_id. */
static int queue_reply(struct conn *c, const struct xsd_sockmsg *hdr,
		uint32_t type, const void *data, size_t len)
{
	struct msg *m;

	if (len > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	m = msg_new(type, hdr->req_id, hdr->tx_id, data, len, NULL, 0);
	if (!m)
		return ENOMEM;
	msg_append(c, m);
	return 0;
}

static void queue_error(struct conn *c, const struct xsd_sockmsg *hdr, int err)
{
	const char *name = store_error_name(err);

	/* If even this fails the client waits: nothing better to do. */
	queue_reply(c, hdr, XS_ERROR, name, strlen(name) + 1);
}

static struct watch *watch_by_id(const struct store *s, uint64_t id)
{
	for (struct watch *w = conn_local(s)->watches; w; w = w->next)
		if (w->id == id)
			return w;
	return NULL;
}

/* Runs the deferred calls; new ones made meanwhile run too. */
static void run_deferred(struct store *s)
{
	while (s->def_head) {
		struct deferred *d = s->def_head;
		struct watch *w;

		s->def_head = d->next;
		if (!s->def_head)
			s->def_tail = &s->def_head;
		s->depth++;
		switch (d->kind) {
		case DEF_WATCH:
			w = watch_by_id(s, d->watch_id);
			if (w) /* not unwatched since */
				w->fn(w->opaque, d->data, d->data + d->plen);
			break;
		case DEF_INTRODUCE:
			if (s->hooks.introduce)
				s->hooks.introduce(s->hooks_opaque, d->domid,
						d->gfn, d->port);
			break;
		case DEF_RELEASE:
			if (s->hooks.release)
				s->hooks.release(s->hooks_opaque, d->domid);
			break;
		}
		s->depth--;
		free(d);
	}
}

static void enter(struct store *s)
{
	s->depth++;
}

static int leave(struct store *s, int ret)
{
	if (--s->depth == 0)
		run_deferred(s);
	return ret;
}

/* ---- Watches ------------------------------------------------------------ */

static void watch_free(struct watch *w)
{
	free(w->token);
	free(w);
}

static void watches_drop(struct conn *c)
{
	while (c->watches) {
		struct watch *w = c->watches;

		c->watches = w->next;
		watch_free(w);
	}
	c->nwatches = 0;
}

/* Watches of c on a special path: "@name" and "@name/<domid>". */
static void fire_special(struct store *s, int which, unsigned int domid)
{
	const char *name = special_name[which];
	size_t nlen = strlen(name);
	char num[21];

	fmt_u64(num, domid);
	for (struct conn *c = s->conns; c; c = c->next) {
		if (!c->watches || !(perm_for(c, s->special[which]) & STORE_PERM_READ))
			continue;
		for (struct watch *w = c->watches; w; w = w->next) {
			if (strncmp(w->path, name, nlen) != 0)
				continue;
			if (w->path[nlen] == 0 ||
					(w->path[nlen] == '/' && !strcmp(w->path + nlen + 1, num)))
				queue_event(s, c, w, w->path);
		}
	}
}

/* ---- Changes ------------------------------------------------------------ */

static void change_begin(struct change *ch, struct store *s, struct conn *c,
		struct tx *tx)
{
	memset(ch, 0, sizeof(*ch));
	ch->s = s;
	ch->c = c;
	ch->tx = tx;
	ch->work = node_get(tx ? tx->root : s->root);
	ch->ev_tail = &ch->ev;
}

static void pend_free(struct change *ch)
{
	while (ch->ev) {
		struct pend *p = ch->ev;

		ch->ev = p->next;
		free(p);
	}
	ch->ev_tail = &ch->ev;
}

static void change_abort(struct change *ch)
{
	node_put(ch->work);
	pend_free(ch);
	free(ch->d);
}

/* Installs the working root, counts and events: cannot fail (owner
 * entries were made when the deltas were). */
static void change_commit(struct change *ch)
{
	struct store *s = ch->s;
	struct node **rootp = ch->tx ? &ch->tx->root : &s->root;

	node_put(*rootp);
	*rootp = ch->work;
	for (uint32_t i = 0; i < ch->nd; i++) {
		if (ch->tx) {
			/* Only used for its own quota checks; memory failure
			 * here makes those checks laxer, the commit exact. */
			delta_add(&ch->tx->d, &ch->tx->nd, &ch->tx->dcap,
					ch->d[i].domid, ch->d[i].nodes);
		} else {
			struct owner *o = owner_find(s, ch->d[i].domid);

			if (o)
				o->nodes = (uint32_t)((int64_t)o->nodes + ch->d[i].nodes);
		}
	}
	for (struct pend *p = ch->ev; p; p = p->next)
		queue_event(s, p->c, p->w, p->path);
	pend_free(ch);
	free(ch->d);
}

static int change_delta(struct change *ch, unsigned int domid, int32_t n)
{
	if (!ch->tx && !owner_get(ch->s, domid))
		return ENOMEM;
	return delta_add(&ch->d, &ch->nd, &ch->dcap, domid, n);
}

/* Nodes c would own after this change (and its transaction's). */
static int64_t owned_after(const struct change *ch)
{
	unsigned int id = ch->c->domid;
	int64_t n = store_nodes_owned(ch->s, id);

	n += delta_of(ch->d, ch->nd, id);
	if (ch->tx)
		n += delta_of(ch->tx->d, ch->tx->nd, id);
	return n;
}

/* Makes *slot private to the working tree (its parent already is). */
static struct node *cow(struct node **slot)
{
	struct node *n = *slot, *c;

	if (n->ref == 1)
		return n;
	c = node_clone(n);
	if (!c)
		return NULL;
	n->ref--; /* still reached from the tree it came from */
	*slot = c;
	return c;
}

/* The existing node named by path[0..len), made private with all above. */
static struct node *cow_path(struct change *ch, const char *path, size_t len)
{
	struct node **slot = &ch->work;
	struct node *n = cow(slot);
	size_t off = 1;

	while (n && off < len) {
		const char *e = memchr(path + off, '/', len - off);
		size_t clen = e ? (size_t)(e - (path + off)) : len - off;
		int i = kid_find(n, path + off, clen);

		if (i < 0)
			return NULL; /* callers looked it up first */
		slot = &n->kids[i];
		n = cow(slot);
		off += clen + 1;
	}
	return n;
}

static int pend_add(struct change *ch, struct conn *c, struct watch *w,
		const char *path)
{
	const char *ev = path + w->prefix;
	struct pend *p = malloc(sizeof(*p) + strlen(ev) + 1);

	if (!p)
		return ENOMEM;
	p->next = NULL;
	p->c = c;
	p->w = w;
	strcpy(p->path, ev);
	*ch->ev_tail = p;
	ch->ev_tail = &p->next;
	return 0;
}

/* Queues (until commit) the events of watches at or above path, for the
 * connections that may read n (or old, or parent). */
static int fire(struct change *ch, const char *path, const struct node *n,
		const struct node *parent, const struct node *old)
{
	if (ch->tx)
		return 0; /* the commit replays and fires */
	for (struct conn *c = ch->s->conns; c; c = c->next) {
		int permitted = -1;

		for (struct watch *w = c->watches; w; w = w->next) {
			if (w->path[0] == '@' || !is_child(path, w->path))
				continue;
			if (permitted < 0)
				permitted = watch_permitted(c, n, parent, old);
			if (!permitted)
				break;
			if (pend_add(ch, c, w, path))
				return ENOMEM;
		}
	}
	return 0;
}

/* Removing the subtree rm at path: watches at or above path see path;
 * a watch on a node inside it sees that node's own path (Xen fires each
 * removed node exactly). */
static int fire_rm(struct change *ch, const char *path, struct node *rm,
		const struct node *parent)
{
	size_t plen = strlen(path);
	int err = fire(ch, path, rm, parent, NULL);

	if (err || ch->tx)
		return err;
	for (struct conn *c = ch->s->conns; c; c = c->next) {
		for (struct watch *w = c->watches; w; w = w->next) {
			struct walk wk;

			if (w->path[0] == '@' || !is_child(w->path, path) ||
					!strcmp(w->path, path))
				continue;
			/* w->path + plen is "/x/y" below rm ("/" is never removed) */
			walk_path(rm, w->path + plen, &wk);
			if (!wk.node || !watch_permitted(c, wk.node, wk.parent, NULL))
				continue;
			if (pend_add(ch, c, w, w->path))
				return ENOMEM;
		}
	}
	return 0;
}

/* ---- Transactions: recording ------------------------------------------ */

static struct tx *tx_find(const struct conn *c, uint32_t id)
{
	for (struct tx *t = c->txs; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

static void tx_charge(struct conn *c, struct tx *tx, size_t n)
{
	tx->bytes += n;
	c->tx_bytes += n;
}

/* Remembers that tx looked at path[0..len) and what it was then. */
static int tx_note(struct store *s, struct conn *c, struct tx *tx,
		const char *path, size_t len)
{
	uint32_t h;
	struct access *a;
	char buf[PATH_BUF];
	struct node *n;

	if (!tx)
		return 0;
	h = hash_str(path, len);
	for (uint32_t i = 0; i < tx->nacc; i++) {
		a = tx->acc[i];
		if (a->hash == h && strncmp(a->path, path, len) == 0 &&
				a->path[len] == 0)
			return 0;
	}
	if (!c->priv && ((s->lim.tx_nodes && tx->nacc >= s->lim.tx_nodes) ||
			(s->lim.tx_bytes &&
			 c->tx_bytes + len + TX_NODE_COST > s->lim.tx_bytes)))
		return ENOSPC;
	if (tx->nacc == tx->acap) {
		uint32_t cap = tx->acap ? tx->acap * 2 : 16;
		struct access **na = realloc(tx->acc, cap * sizeof(*na));

		if (!na)
			return ENOMEM;
		tx_charge(c, tx, (cap - tx->acap) * sizeof(*na));
		tx->acc = na;
		tx->acap = cap;
	}
	a = malloc(sizeof(*a) + len + 1);
	if (!a)
		return ENOMEM;
	memcpy(a->path, path, len);
	a->path[len] = 0;
	a->hash = h;
	memcpy(buf, path, len);
	buf[len] = 0;
	n = len ? lookup(tx->base, buf) : NULL;
	a->gen = n ? n->gen : 0;
	tx->acc[tx->nacc++] = a;
	/* The record, and the node copy its tree may hold for this path. */
	tx_charge(c, tx, sizeof(*a) + len + 1 + TX_NODE_COST);
	return 0;
}

/* Notes every node from anc down the missing components of path. */
static int tx_note_chain(struct change *ch, const char *path, size_t anc_len)
{
	size_t len = strlen(path);
	int err = tx_note(ch->s, ch->c, ch->tx, path, anc_len);

	for (size_t i = anc_len + 1; !err && i <= len; i++)
		if (path[i] == '/' || path[i] == 0)
			err = tx_note(ch->s, ch->c, ch->tx, path, i);
	return err;
}

static size_t parent_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == path ? 1 : (size_t)(slash - path);
}

/* ---- Operations on a change --------------------------------------------- */

static bool over_node_size(const struct change *ch, size_t bytes)
{
	return !ch->c->priv && ch->s->lim.node_size && bytes > ch->s->lim.node_size;
}

/* Creates the missing nodes below w->anc down to path, each inheriting
 * its parent's permissions (with the caller as owner if unprivileged). */
static int create_chain(struct change *ch, const char *path,
		const struct walk *w, struct node **target, struct node **parent)
{
	struct store *s = ch->s;
	struct node *cur = cow_path(ch, path, w->anc_len);
	size_t off = w->anc_len + (w->anc_len > 1);
	int err;

	if (!cur)
		return ENOMEM;
	cur->gen = ++s->gen; /* gains a child */
	while (path[off]) {
		const char *e = strchr(path + off, '/');
		size_t clen = e ? (size_t)(e - (path + off)) : strlen(path + off);
		struct node *k = node_alloc(path + off, clen);

		if (!k)
			return ENOMEM;
		err = node_set_perms(k, cur->perms, cur->nperms);
		if (!err && !ch->c->priv)
			k->perms[0].domid = ch->c->domid;
		if (!err)
			err = change_delta(ch, k->perms[0].domid, 1);
		if (!err)
			err = kid_add(cur, k);
		if (err) {
			node_put(k);
			return err;
		}
		k->gen = ++s->gen;
		*parent = cur;
		cur = k;
		off += clen + (e != NULL);
	}
	*target = cur;
	return 0;
}

/* Checks for creating w->missing nodes below w->anc down to path. */
static int create_check(struct change *ch, const char *path,
		const struct walk *w, size_t vlen)
{
	const char *first = path + w->anc_len + (w->anc_len > 1);
	const char *e = strchr(first, '/');
	size_t flen = e ? (size_t)(e - first) : strlen(first);

	if (!(perm_for(ch->c, w->anc) & STORE_PERM_WRITE))
		return EACCES;
	if (!ch->c->priv && ch->s->lim.nodes &&
			owned_after(ch) + w->missing > ch->s->lim.nodes)
		return ENOSPC;
	if (over_node_size(ch, w->anc->vlen + w->anc->kidbytes + flen + 1) ||
			over_node_size(ch, vlen))
		return ENOSPC;
	return tx_note_chain(ch, path, w->anc_len);
}

static int op_write(struct change *ch, const struct op *op)
{
	struct walk w;
	struct node *n = NULL, *parent = NULL;
	int err;

	walk_path(ch->work, op->path, &w);
	if (!w.node) {
		err = create_check(ch, op->path, &w,
				op->type == OP_WRITE ? op->len : 0);
		if (!err)
			err = create_chain(ch, op->path, &w, &n, &parent);
	} else {
		if (!(perm_for(ch->c, w.node) & STORE_PERM_WRITE))
			return EACCES;
		err = tx_note(ch->s, ch->c, ch->tx, op->path, strlen(op->path));
		if (err || op->type == OP_MKDIR)
			return err; /* MKDIR of an existing node: nothing */
		if (over_node_size(ch, op->len + w.node->kidbytes))
			return ENOSPC;
		n = cow_path(ch, op->path, strlen(op->path));
		parent = w.parent;
		if (!n)
			return ENOMEM;
	}
	if (!err && op->type == OP_WRITE)
		err = node_set_value(n, op->value, op->len);
	if (err)
		return err;
	n->gen = ++ch->s->gen;
	return fire(ch, op->path, n, parent, NULL);
}

static int op_rm(struct change *ch, const struct op *op)
{
	struct walk w;
	struct count_arg ca = { &ch->d, &ch->nd, &ch->dcap };
	size_t plen = parent_len(op->path);
	struct node *p;
	int err, i;

	walk_path(ch->work, op->path, &w);
	if (!w.node) {
		if (!(perm_for(ch->c, w.anc) & STORE_PERM_WRITE))
			return EACCES;
		err = tx_note(ch->s, ch->c, ch->tx, op->path, strlen(op->path));
		if (!err)
			err = tx_note(ch->s, ch->c, ch->tx, op->path, plen);
		/* Fine if only the node itself is missing. */
		return err ? err : w.missing == 1 ? 0 : ENOENT;
	}
	if (!(perm_for(ch->c, w.node) & STORE_PERM_WRITE))
		return EACCES;
	if (!w.parent)
		return EINVAL; /* the root */
	err = tx_note(ch->s, ch->c, ch->tx, op->path, strlen(op->path));
	if (!err)
		err = tx_note(ch->s, ch->c, ch->tx, op->path, plen);
	if (!err)
		err = fire_rm(ch, op->path, w.node, w.parent);
	if (!err) /* owners exist already: nodes counted when made */
		err = tree_walk(ch->s, w.node, visit_count, &ca);
	if (err)
		return err;
	p = cow_path(ch, op->path, plen);
	if (!p)
		return ENOMEM;
	i = kid_find(p, w.node->name, strlen(w.node->name));
	kid_remove(p, (uint32_t)i);
	p->gen = ++ch->s->gen;
	return 0;
}

static int op_set_perms(struct change *ch, const struct op *op)
{
	struct walk w;
	struct node *n;
	unsigned int old_owner;
	int err;

	walk_path(ch->work, op->path, &w);
	if (!w.node) {
		err = tx_note(ch->s, ch->c, ch->tx, op->path, strlen(op->path));
		if (err)
			return err;
		return (perm_for(ch->c, w.anc) & (STORE_PERM_WRITE | PERM_OWNER)) ==
			(STORE_PERM_WRITE | PERM_OWNER) ? ENOENT : EACCES;
	}
	if ((perm_for(ch->c, w.node) & (STORE_PERM_WRITE | PERM_OWNER)) !=
			(STORE_PERM_WRITE | PERM_OWNER))
		return EACCES;
	old_owner = w.node->perms[0].domid;
	if (!ch->c->priv && op->perms[0].domid != old_owner)
		return EPERM;
	err = tx_note(ch->s, ch->c, ch->tx, op->path, strlen(op->path));
	if (!err && old_owner != op->perms[0].domid) {
		err = change_delta(ch, old_owner, -1);
		if (!err)
			err = change_delta(ch, op->perms[0].domid, 1);
	}
	if (err)
		return err;
	n = cow_path(ch, op->path, strlen(op->path));
	if (!n || node_set_perms(n, op->perms, op->nperms))
		return ENOMEM;
	n->gen = ++ch->s->gen;
	/* w.node is the old version, kept alive by the old root. */
	return fire(ch, op->path, n, w.parent, w.node);
}

static int op_apply(struct change *ch, const struct op *op)
{
	switch (op->type) {
	case OP_WRITE:
	case OP_MKDIR:
		return op_write(ch, op);
	case OP_RM:
		return op_rm(ch, op);
	default:
		return op_set_perms(ch, op);
	}
}

/* ---- Transactions: log, start, end ------------------------------------ */

static int tx_log(struct conn *c, struct tx *tx, const struct op *op)
{
	size_t plen = strlen(op->path) + 1;
	size_t dlen = op->type == OP_SET_PERMS ?
		op->nperms * sizeof(struct store_perm) : op->len;
	struct txop *t = malloc(sizeof(*t) + plen + dlen);

	if (!t)
		return ENOMEM;
	t->next = NULL;
	t->type = op->type;
	t->len = op->type == OP_SET_PERMS ? op->nperms : op->len;
	t->dlen = dlen;
	if (dlen)
		memcpy(t->data,
				op->type == OP_SET_PERMS ? (const void *)op->perms : op->value,
				dlen);
	memcpy(t->data + dlen, op->path, plen);
	*tx->ops_tail = t;
	tx->ops_tail = &t->next;
	/* The log's copy, and the value's in the transaction's tree. */
	tx_charge(c, tx, sizeof(*t) + plen + 2 * dlen);
	return 0;
}

static void txop_to_op(const struct txop *t, struct op *op)
{
	memset(op, 0, sizeof(*op));
	op->type = t->type;
	op->path = (const char *)t->data + t->dlen;
	if (t->type == OP_SET_PERMS) {
		op->perms = (const struct store_perm *)(const void *)t->data;
		op->nperms = (unsigned int)t->len;
	} else {
		op->value = t->data;
		op->len = t->len;
	}
}

static void tx_free(struct conn *c, struct tx *tx)
{
	struct tx **pp;

	for (pp = &c->txs; *pp && *pp != tx; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = tx->next;
	node_put(tx->base);
	node_put(tx->root);
	for (uint32_t i = 0; i < tx->nacc; i++)
		free(tx->acc[i]);
	free(tx->acc);
	while (tx->ops) {
		struct txop *t = tx->ops;

		tx->ops = t->next;
		free(t);
	}
	free(tx->d);
	c->tx_bytes -= tx->bytes;
	c->ntx--;
	free(tx);
}

static void txs_drop(struct conn *c)
{
	while (c->txs)
		tx_free(c, c->txs);
}

static int tx_start(struct store *s, struct conn *c, uint32_t *id)
{
	struct tx *tx;

	if (!c->priv && s->lim.transactions && c->ntx >= s->lim.transactions)
		return ENOSPC;
	tx = calloc(1, sizeof(*tx));
	if (!tx)
		return ENOMEM;
	do { /* ids are never 0 and never two open at once */
		tx->id = ++c->next_txid;
	} while (tx->id == 0 || tx_find(c, tx->id));
	tx->base = node_get(s->root);
	tx->root = node_get(s->root);
	tx->ops_tail = &tx->ops;
	tx->next = c->txs;
	c->txs = tx;
	c->ntx++;
	tx_charge(c, tx, sizeof(*tx));
	*id = tx->id;
	return 0;
}

static int tx_commit(struct store *s, struct conn *c, struct tx *tx)
{
	struct change ch;
	int err = 0;

	for (uint32_t i = 0; i < tx->nacc; i++) {
		struct node *n = lookup(s->root, tx->acc[i]->path);

		if ((n ? n->gen : 0) != tx->acc[i]->gen)
			return EAGAIN;
	}
	change_begin(&ch, s, c, NULL);
	for (struct txop *t = tx->ops; t && !err; t = t->next) {
		struct op op;

		txop_to_op(t, &op);
		err = op_apply(&ch, &op);
	}
	if (err) {
		change_abort(&ch);
		return err;
	}
	change_commit(&ch);
	return 0;
}

static int tx_end(struct store *s, struct conn *c, struct tx *tx, bool commit)
{
	int err = commit ? tx_commit(s, c, tx) : 0;

	tx_free(c, tx);
	return err;
}

/* ---- Core requests (wire and direct calls share these) --------------- */

/* The node at path (canonical) for reading with need, in tx or not. */
static int node_for(struct store *s, struct conn *c, struct tx *tx,
		const char *path, unsigned int need, struct node **out)
{
	struct walk w;
	int err;

	if (path[0] == '@') {
		for (int i = 0; i < 2; i++)
			if (!strcmp(path, special_name[i]))
				return (perm_for(c, s->special[i]) & need) == need ?
					(*out = s->special[i], 0) : EACCES;
		return ENOENT;
	}
	walk_path(tx ? tx->root : s->root, path, &w);
	err = tx_note(s, c, tx, path, strlen(path));
	if (err)
		return err;
	if (!w.node)
		return (perm_for(c, w.anc) & need) == need ? ENOENT : EACCES;
	if ((perm_for(c, w.node) & need) != need)
		return EACCES;
	*out = w.node;
	return 0;
}

/* SET_PERMS on a special node: not part of any transaction. */
static int special_set_perms(struct store *s, struct conn *c, const struct op *op)
{
	struct node *n;
	int err = node_for(s, c, NULL, op->path, STORE_PERM_WRITE | PERM_OWNER, &n);

	if (err)
		return err;
	if (!c->priv && op->perms[0].domid != n->perms[0].domid)
		return EPERM;
	return node_set_perms(n, op->perms, op->nperms);
}

static int core_modify(struct store *s, struct conn *c, struct tx *tx,
		const struct op *op)
{
	struct change ch;
	int err;

	if (op->path[0] == '@')
		return op->type == OP_SET_PERMS ? special_set_perms(s, c, op) : EINVAL;
	if (op->type == OP_SET_PERMS) {
		if (op->nperms == 0 || op->perms[0].domid == STORE_DOMID_ANY)
			return EINVAL;
		for (unsigned int i = 0; i < op->nperms; i++)
			if (op->perms[i].access > STORE_PERM_BOTH)
				return EINVAL;
	}
	if (tx && !c->priv && s->lim.tx_bytes && c->tx_bytes >= s->lim.tx_bytes)
		return ENOSPC;
	change_begin(&ch, s, c, tx);
	err = op_apply(&ch, op);
	if (!err && tx)
		err = tx_log(c, tx, op);
	if (err) {
		change_abort(&ch);
		return err;
	}
	change_commit(&ch);
	return 0;
}

static int core_watch(struct store *s, struct conn *c, const char *in,
		const char *token, store_watch_fn *fn, void *opaque)
{
	char path[PATH_BUF];
	size_t prefix;
	struct watch *w;
	int err = canon_path(s, c, in, true, path, &prefix);

	if (err)
		return err;
	for (w = c->watches; w; w = w->next)
		if (!strcmp(w->path, path) && !strcmp(w->token, token))
			return EEXIST;
	if (!c->priv && s->lim.watches && c->nwatches >= s->lim.watches)
		return ENOSPC;
	w = malloc(sizeof(*w) + strlen(path) + 1);
	if (!w)
		return ENOMEM;
	w->token = malloc(strlen(token) + 1);
	if (!w->token) {
		free(w);
		return ENOMEM;
	}
	strcpy(w->path, path);
	strcpy(w->token, token);
	w->prefix = prefix;
	w->fn = fn;
	w->opaque = opaque;
	w->id = ++s->next_watch_id;
	/* Appended: events of one change reach watches in their order. */
	w->next = NULL;
	{
		struct watch **pp = &c->watches;

		while (*pp)
			pp = &(*pp)->next;
		*pp = w;
	}
	c->nwatches++;
	return 0;
}

static int core_unwatch(struct store *s, struct conn *c, const char *in,
		const char *token)
{
	char path[PATH_BUF];
	size_t prefix;
	int err = canon_path(s, c, in, true, path, &prefix);

	if (err)
		return err;
	for (struct watch **pp = &c->watches; *pp; pp = &(*pp)->next) {
		struct watch *w = *pp;

		if (!strcmp(w->path, path) && !strcmp(w->token, token)) {
			*pp = w->next;
			watch_free(w);
			c->nwatches--;
			return 0;
		}
	}
	return ENOENT;
}

/* The last watch of c (the one core_watch just added). */
static struct watch *watch_last(struct conn *c)
{
	struct watch *w = c->watches;

	while (w && w->next)
		w = w->next;
	return w;
}

/* ---- Domains -------------------------------------------------------------- */

static struct conn *conn_new(struct store *s, unsigned int domid, bool priv)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->domid = (uint16_t)domid;
	c->priv = priv;
	c->target = NO_TARGET;
	if (s->conns) { /* after the local connection, which stays first */
		c->next = s->conns->next;
		s->conns->next = c;
	} else {
		s->conns = c;
	}
	return c;
}

/* Back to a fresh connection: no watches, transactions or output. */
static void conn_reset(struct conn *c)
{
	watches_drop(c);
	txs_drop(c);
	msg_free_all(c);
	c->cut_off = false;
	c->shutdown_fired = false;
}

static void conn_free(struct store *s, struct conn *c)
{
	struct conn **pp;

	for (pp = &s->conns; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	conn_reset(c);
	free(c);
}

static bool domid_ok(unsigned int domid)
{
	return domid >= 1 && domid <= STORE_DOMID_MAX;
}

/* Does n name domid anywhere? */
static bool names_domain(const struct node *n, unsigned int domid)
{
	for (uint32_t i = 0; i < n->nperms; i++)
		if (n->perms[i].domid == domid)
			return true;
	return false;
}

/* Drops entries naming domid; its ownership passes to domain 0. */
static void perms_purge(struct node *n, unsigned int domid)
{
	uint32_t j = 1;

	if (n->perms[0].domid == domid)
		n->perms[0].domid = 0;
	for (uint32_t i = 1; i < n->nperms; i++)
		if (n->perms[i].domid != domid)
			n->perms[j++] = n->perms[i];
	n->nperms = j;
}

/* Makes s->walk[0..depth] private in the committed tree. */
static int walk_make_private(struct store *s, unsigned int depth)
{
	struct node **slot = &s->root;
	for (unsigned int i = 0; i <= depth; i++) {
		struct node *n = cow(slot);

		if (!n)
			return ENOMEM;
		s->walk[i].n = n;
		if (i < depth)
			slot = &n->kids[s->walk[i + 1].idx];
	}
	return 0;
}

static int visit_purge(struct store *s, unsigned int depth, void *arg)
{
	unsigned int domid = *(unsigned int *)arg;
	struct node *n = s->walk[depth].n;
	struct owner *o0 = owner_get(s, 0);
	int err;

	if (!names_domain(n, domid))
		return 0;
	if (!o0)
		return ENOMEM;
	err = walk_make_private(s, depth);
	if (err)
		return err;
	n = s->walk[depth].n;
	if (n->perms[0].domid == domid) {
		struct owner *o = owner_find(s, domid);

		if (o && o->nodes)
			o->nodes--;
		o0->nodes++;
	}
	perms_purge(n, domid);
	n->gen = ++s->gen;
	return 0;
}

/* After a domain's death, nothing in the tree names it. Done in place on
 * the committed tree: each node's change stands alone, so a failed malloc
 * halfway leaves a consistent (if less clean) tree. */
static int purge_domain(struct store *s, unsigned int domid)
{
	for (int i = 0; i < 2; i++)
		perms_purge(s->special[i], domid);
	for (struct conn *c = s->conns; c; c = c->next)
		if (c->target == domid)
			c->target = NO_TARGET;
	return tree_walk(s, s->root, visit_purge, &domid);
}

static int do_disconnect(struct store *s, unsigned int domid)
{
	struct conn *c = conn_find(s, domid);
	int err;

	if (c)
		conn_free(s, c);
	err = purge_domain(s, domid);
	if (c)
		fire_special(s, SPECIAL_RELEASE, domid);
	return c ? -err : -ENOENT;
}

/* ---- The wire ------------------------------------------------------------- */

struct req {
	struct store *s;
	struct conn *c;
	struct tx *tx;
	const struct xsd_sockmsg *hdr;
	const char *p;
	uint32_t len;
};

/* Counts the NUL-terminated strings of the payload (bytes after the last
 * NUL are not one), pointing vec[0..max) at the first ones. */
static unsigned int args(const struct req *r, const char **vec, unsigned int max)
{
	unsigned int n = 0;
	uint32_t off = 0;

	while (off < r->len) {
		const char *nul = memchr(r->p + off, 0, r->len - off);

		if (!nul)
			break;
		if (n < max)
			vec[n] = r->p + off;
		n++;
		off = (uint32_t)(nul - r->p) + 1;
	}
	return n;
}

/* Exactly one string, NUL-terminated, filling the payload. */
static const char *onearg(const struct req *r)
{
	if (r->len == 0 || memchr(r->p, 0, r->len) != r->p + r->len - 1)
		return NULL;
	return r->p;
}

static int reply(struct req *r, const void *data, size_t len)
{
	return queue_reply(r->c, r->hdr, r->hdr->type, data, len);
}

static int reply_ok(struct req *r)
{
	return reply(r, "OK", 3);
}

static int req_path(struct req *r, const char *in, bool special, char *out)
{
	size_t prefix;

	if (!in)
		return EINVAL;
	return canon_path(r->s, r->c, in, special, out, &prefix);
}

static int h_read(struct req *r)
{
	char path[PATH_BUF];
	struct node *n;
	int err = req_path(r, onearg(r), false, path);

	if (!err)
		err = node_for(r->s, r->c, r->tx, path, STORE_PERM_READ, &n);
	return err ? err : reply(r, n->value, n->vlen);
}

static int h_directory(struct req *r)
{
	char path[PATH_BUF];
	struct node *n;
	char *list;
	int err = req_path(r, onearg(r), false, path);

	if (!err)
		err = node_for(r->s, r->c, r->tx, path, STORE_PERM_READ, &n);
	if (err)
		return err;
	if (n->kidbytes > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	list = kid_list(n);
	if (!list)
		return ENOMEM;
	err = reply(r, list, n->kidbytes);
	free(list);
	return err;
}

/* DIRECTORY_PART path|offset: "<generation>|" then the names from byte
 * offset of the whole list, as many whole ones as fit; an empty name
 * follows when the list ends here. */
static int h_directory_part(struct req *r)
{
	const char *vec[2];
	char path[PATH_BUF], *list, *out;
	struct node *n;
	uint64_t off;
	size_t glen, len = 0, room;
	int err;

	if (args(r, vec, 2) != 2 || r->p[r->len - 1] != 0)
		return EINVAL;
	err = req_path(r, vec[0], false, path);
	if (!err)
		err = parse_u64(vec[1], UINT32_MAX, &off);
	if (!err)
		err = node_for(r->s, r->c, r->tx, path, STORE_PERM_READ, &n);
	if (err)
		return err;
	list = kid_list(n);
	out = malloc(XENSTORE_PAYLOAD_MAX);
	if (!list || !out) {
		free(list);
		free(out);
		return ENOMEM;
	}
	glen = fmt_u64(out, n->gen) + 1;
	room = XENSTORE_PAYLOAD_MAX - glen - 1; /* keep a byte for the end mark */
	while (off + len < n->kidbytes) {
		size_t l = strlen(list + off + len) + 1;

		if (len + l > room)
			break;
		len += l;
	}
	if (off < n->kidbytes)
		memcpy(out + glen, list + off, len);
	if (off + len >= n->kidbytes)
		out[glen + len++] = 0;
	err = reply(r, out, glen + len);
	free(list);
	free(out);
	return err;
}

static int h_get_perms(struct req *r)
{
	char path[PATH_BUF], *buf;
	struct node *n;
	size_t len = 0;
	int err = req_path(r, onearg(r), true, path);

	if (!err)
		err = node_for(r->s, r->c, r->tx, path, STORE_PERM_READ, &n);
	if (err)
		return err;
	buf = malloc((size_t)n->nperms * 8);  /* "b65535" + NUL fits in 8 */
	if (!buf)
		return ENOMEM;
	for (uint32_t i = 0; i < n->nperms; i++)
		len += (size_t)perm_format(&n->perms[i], buf + len);
	err = reply(r, buf, len);
	free(buf);
	return err;
}

static int modify(struct req *r, struct op *op)
{
	int err = core_modify(r->s, r->c, r->tx, op);

	return err ? err : reply_ok(r);
}

static int h_write(struct req *r)
{
	char path[PATH_BUF];
	const char *vec[1];
	struct op op = { .type = OP_WRITE, .path = path };
	int err;

	if (args(r, vec, 1) < 1)
		return EINVAL;
	err = req_path(r, vec[0], false, path);
	if (err)
		return err;
	op.value = r->p + strlen(vec[0]) + 1;
	op.len = r->len - (strlen(vec[0]) + 1);
	return modify(r, &op);
}

static int h_path_op(struct req *r, int type)
{
	char path[PATH_BUF];
	struct op op = { .type = type, .path = path };
	int err = req_path(r, onearg(r), false, path);

	return err ? err : modify(r, &op);
}

static int h_mkdir(struct req *r)
{
	return h_path_op(r, OP_MKDIR);
}

static int h_rm(struct req *r)
{
	return h_path_op(r, OP_RM);
}

static int h_set_perms(struct req *r)
{
	char path[PATH_BUF];
	const char *vec[1];
	unsigned int n = args(r, vec, 1);
	struct store_perm *perms;
	struct op op = { .type = OP_SET_PERMS, .path = path };
	const char *p;
	int err;

	if (n < 2)
		return EINVAL;
	n--;
	if (!r->c->priv && r->s->lim.perms && n > r->s->lim.perms)
		return ENOSPC;
	perms = malloc(n * sizeof(*perms));
	if (!perms)
		return ENOMEM;
	p = vec[0] + strlen(vec[0]) + 1;
	err = 0;
	for (unsigned int i = 0; i < n && !err; i++) {
		err = perm_parse(p, &perms[i]);
		p += strlen(p) + 1;
	}
	if (!err)
		err = req_path(r, vec[0], true, path);
	if (!err) {
		op.perms = perms;
		op.nperms = n;
		err = modify(r, &op);
	}
	free(perms);
	return err;
}

static int h_watch(struct req *r)
{
	const char *vec[2];
	int err;

	/* No depth argument: WATCHDEPTH is not offered. */
	if (args(r, vec, 2) != 2)
		return EINVAL;
	err = core_watch(r->s, r->c, vec[0], vec[1], NULL, NULL);
	if (!err) {
		struct watch *w = watch_last(r->c);

		err = reply_ok(r);
		if (err) { /* no reply, no watch */
			core_unwatch(r->s, r->c, vec[0], vec[1]);
			return err;
		}
		/* Fired once at once, as the relative or absolute path given. */
		queue_event(r->s, r->c, w, w->path + w->prefix);
	}
	return err;
}

static int h_unwatch(struct req *r)
{
	const char *vec[2];
	int err;

	if (args(r, vec, 2) != 2)
		return EINVAL;
	err = core_unwatch(r->s, r->c, vec[0], vec[1]);
	return err ? err : reply_ok(r);
}

static int h_tx_start(struct req *r)
{
	char num[21];
	uint32_t id;
	int err;

	if (r->tx)
		return EBUSY; /* no nesting */
	err = tx_start(r->s, r->c, &id);
	if (err)
		return err;
	err = reply(r, num, fmt_u64(num, id) + 1);
	if (err)
		tx_free(r->c, tx_find(r->c, id));
	return err;
}

static int h_tx_end(struct req *r)
{
	const char *arg = onearg(r);
	int err;

	if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
		return EINVAL;
	if (!r->tx)
		return ENOENT;
	err = tx_end(r->s, r->c, r->tx, arg[0] == 'T');
	r->tx = NULL;
	return err ? err : reply_ok(r);
}

static int arg_domid(const struct req *r, unsigned int *domid)
{
	const char *a = onearg(r);

	return a ? parse_domid(a, domid) : EINVAL;
}

static int parse_gfn(const char *str, int64_t *gfn)
{
	uint64_t v;
	bool neg = str[0] == '-';
	int err = parse_u64(str + neg, (uint64_t)INT64_MAX, &v);

	if (!err)
		*gfn = neg ? -(int64_t)v : (int64_t)v;
	return err;
}

/* INTRODUCE domid|gfn|port|...: the core only records them; the hook
 * maps the ring. Again for a connected domain: it starts afresh. */
static int h_introduce(struct req *r)
{
	const char *vec[3];
	unsigned int domid;
	uint64_t port;
	int64_t gfn;
	struct conn *c;
	int err;

	if (args(r, vec, 3) < 3)
		return EINVAL;
	err = parse_domid(vec[0], &domid);
	if (!err)
		err = parse_gfn(vec[1], &gfn);
	if (!err)
		err = parse_u64(vec[2], UINT32_MAX, &port);
	if (err || !domid_ok(domid) || port == 0 || domid == r->c->domid)
		return EINVAL;
	c = conn_find(r->s, domid);
	if (c) {
		conn_reset(c);
	} else {
		c = conn_new(r->s, domid, false);
		if (!c)
			return ENOMEM;
		fire_special(r->s, SPECIAL_INTRO, domid);
	}
	c->introduced = true;
	c->gfn = gfn;
	c->port = (uint32_t)port;
	defer_domain(r->s, DEF_INTRODUCE, c);
	return reply_ok(r);
}

/* The connected domain an argument names (not the caller, not 0). */
static int arg_conn(struct req *r, struct conn **out)
{
	unsigned int domid;
	int err = arg_domid(r, &domid);

	if (err || domid == 0 || domid == r->c->domid)
		return EINVAL;
	*out = conn_find(r->s, domid);
	return *out ? 0 : ENOENT;
}

static int h_release(struct req *r)
{
	struct conn *c;
	int err = arg_conn(r, &c);
	unsigned int domid;

	if (err)
		return err;
	domid = c->domid;
	defer_domain(r->s, DEF_RELEASE, c);
	do_disconnect(r->s, domid);
	return reply_ok(r);
}

static int h_resume(struct req *r)
{
	struct conn *c;
	int err = arg_conn(r, &c);

	if (err)
		return err;
	c->shutdown_fired = false;
	return reply_ok(r);
}

static int h_get_domain_path(struct req *r)
{
	char buf[sizeof(LOCAL_PREFIX) + 21];
	unsigned int domid;
	int err = arg_domid(r, &domid);
	size_t n;

	if (err)
		return err;
	memcpy(buf, LOCAL_PREFIX, sizeof(LOCAL_PREFIX) - 1);
	n = sizeof(LOCAL_PREFIX) - 1 + fmt_u64(buf + sizeof(LOCAL_PREFIX) - 1, domid);
	return reply(r, buf, n + 1);
}

static int h_is_introduced(struct req *r)
{
	unsigned int domid;
	int err = arg_domid(r, &domid);

	if (err)
		return err;
	return reply(r, domid == DOMID_SELF_ || conn_find(r->s, domid) ? "T" : "F", 2);
}

static int h_set_target(struct req *r)
{
	const char *vec[2];
	unsigned int d, t;
	struct conn *c;

	if (args(r, vec, 2) < 2 || parse_domid(vec[0], &d) || parse_domid(vec[1], &t))
		return EINVAL;
	c = conn_find(r->s, d);
	if (!c || !conn_find(r->s, t))
		return ENOENT;
	c->target = (uint16_t)t;
	return reply_ok(r);
}

static int h_reset_watches(struct req *r)
{
	watches_drop(r->c);
	txs_drop(r->c);
	r->tx = NULL;
	return reply_ok(r);
}

#define F_PRIV 1u   /* privileged connections only (else EACCES) */
#define F_NOTX 2u   /* tx_id is ignored */

static const struct {
	int (*fn)(struct req *r);
	unsigned int flags;
} handlers[XS_TYPE_COUNT] = {
	[XS_DIRECTORY]         = { h_directory, 0 },
	[XS_READ]              = { h_read, 0 },
	[XS_GET_PERMS]         = { h_get_perms, 0 },
	[XS_WATCH]             = { h_watch, F_NOTX },
	[XS_UNWATCH]           = { h_unwatch, F_NOTX },
	[XS_TRANSACTION_START] = { h_tx_start, 0 },
	[XS_TRANSACTION_END]   = { h_tx_end, 0 },
	[XS_INTRODUCE]         = { h_introduce, F_PRIV },
	[XS_RELEASE]           = { h_release, F_PRIV },
	[XS_GET_DOMAIN_PATH]   = { h_get_domain_path, 0 },
	[XS_WRITE]             = { h_write, 0 },
	[XS_MKDIR]             = { h_mkdir, 0 },
	[XS_RM]                = { h_rm, 0 },
	[XS_SET_PERMS]         = { h_set_perms, 0 },
	[XS_IS_DOMAIN_INTRODUCED] = { h_is_introduced, F_PRIV },
	[XS_RESUME]            = { h_resume, F_PRIV },
	[XS_SET_TARGET]        = { h_set_target, F_PRIV },
	[XS_RESET_WATCHES]     = { h_reset_watches, 0 },
	[XS_DIRECTORY_PART]    = { h_directory_part, 0 },
};

static int dispatch(struct req *r)
{
	uint32_t type = r->hdr->type;

	if (r->hdr->len > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	if (type >= XS_TYPE_COUNT || !handlers[type].fn)
		return ENOSYS; /* unknown, optional ones not offered, and
		                  those only the store may send */
	if ((handlers[type].flags & F_PRIV) && !r->c->priv)
		return EACCES;
	if (!(handlers[type].flags & F_NOTX) && r->hdr->tx_id) {
		r->tx = tx_find(r->c, r->hdr->tx_id);
		if (!r->tx)
			return ENOENT;
	}
	return handlers[type].fn(r);
}

static bool can_request(const struct store *s, const struct conn *c)
{
	return !c->cut_off &&
		(!s->lim.outstanding || c->replies < s->lim.outstanding);
}

bool store_can_request(const struct store *s, unsigned int domid)
{
	const struct conn *c = conn_find(s, domid);

	return c && can_request(s, c);
}

int store_request(struct store *s, unsigned int domid,
		const struct xsd_sockmsg *hdr, const void *payload)
{
	struct conn *c = conn_find(s, domid);
	struct req r = { s, c, NULL, hdr, payload, hdr->len };
	int err;

	if (!c)
		return -ENOENT;
	if (c->cut_off)
		return -EPIPE;
	if (!can_request(s, c))
		return -EBUSY;
	enter(s);
	err = dispatch(&r);
	/* c is still there: nothing releases or resets the caller itself. */
	if (err)
		queue_error(c, hdr, err);
	return leave(s, 0);
}

size_t store_next_output(struct store *s, unsigned int domid, void *buf,
		size_t max)
{
	struct conn *c = conn_find(s, domid);
	size_t done = 0;

	while (c && c->out_head && done < max) {
		struct msg *m = c->out_head;
		size_t n = m->size - c->out_off;

		if (n > max - done)
			n = max - done;
		memcpy((char *)buf + done, m->data + c->out_off, n);
		done += n;
		c->out_off += n;
		if (c->out_off == m->size) {
			c->out_head = m->next;
			if (!c->out_head)
				c->out_tail = NULL;
			c->out_off = 0;
			c->out_bytes -= m->size;
			if (!m->event)
				c->replies--;
			free(m);
		}
	}
	return done;
}

size_t store_output_pending(const struct store *s, unsigned int domid)
{
	const struct conn *c = conn_find(s, domid);

	return c ? c->out_bytes - c->out_off : 0;
}

/* ---- Public: the store and its domains ----------------------------------- */

void store_default_limits(struct store_limits *l)
{
	l->nodes = 1000;
	l->node_size = 2048;
	l->perms = 5;
	l->path = XENSTORE_REL_PATH_MAX;
	l->watches = 128;
	l->transactions = 10;
	l->tx_nodes = 1024;
	l->tx_bytes = 256 * 1024;
	l->outstanding = 20;
	l->out_bytes = 64 * 1024;
}

/* A node readable by no one but its owner, domain 0. */
static struct node *node_closed(const char *name)
{
	static const struct store_perm p0 = { 0, STORE_PERM_NONE };
	struct node *n = node_alloc(name, strlen(name));

	if (n && node_set_perms(n, &p0, 1)) {
		node_put(n);
		n = NULL;
	}
	return n;
}

struct store *store_new(const struct store_limits *limits)
{
	struct store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (limits)
		s->lim = *limits;
	else
		store_default_limits(&s->lim);
	s->def_tail = &s->def_head;
	s->walk = malloc(WALK_DEPTH * sizeof(*s->walk));
	s->root = node_closed("");
	s->special[0] = node_closed(special_name[0]);
	s->special[1] = node_closed(special_name[1]);
	if (!s->walk || !s->root || !s->special[0] || !s->special[1] ||
			!owner_get(s, 0) || !conn_new(s, 0, true)) {
		store_free(s);
		return NULL;
	}
	s->root->gen = ++s->gen;
	owner_find(s, 0)->nodes = 1;
	return s;
}

void store_free(struct store *s)
{
	struct deferred *d;

	if (!s)
		return;
	while (s->conns)
		conn_free(s, s->conns);
	while ((d = s->def_head)) {
		s->def_head = d->next;
		free(d);
	}
	node_put(s->root);
	node_put(s->special[0]);
	node_put(s->special[1]);
	free(s->owners);
	free(s->walk);
	free(s);
}

int store_connect(struct store *s, unsigned int domid, bool privileged)
{
	if (!domid_ok(domid))
		return -EINVAL;
	if (conn_find(s, domid))
		return -EEXIST;
	enter(s);
	if (!conn_new(s, domid, privileged))
		return leave(s, -ENOMEM);
	fire_special(s, SPECIAL_INTRO, domid);
	return leave(s, 0);
}

int store_disconnect(struct store *s, unsigned int domid)
{
	int ret;

	if (!domid_ok(domid))
		return -EINVAL;
	enter(s);
	ret = do_disconnect(s, domid);
	return leave(s, ret);
}

int store_domain_shutdown(struct store *s, unsigned int domid)
{
	struct conn *c = domid ? conn_find(s, domid) : NULL;

	if (!c)
		return -ENOENT;
	enter(s);
	if (!c->shutdown_fired) {
		c->shutdown_fired = true;
		fire_special(s, SPECIAL_RELEASE, domid);
	}
	return leave(s, 0);
}

int store_cut_off(struct store *s, unsigned int domid)
{
	struct conn *c = domid ? conn_find(s, domid) : NULL;

	if (!c)
		return -ENOENT;
	watches_drop(c);
	txs_drop(c);
	msg_free_all(c);
	c->cut_off = true;
	return 0;
}

int store_conn_info(const struct store *s, unsigned int domid,
		struct store_conn_info *info)
{
	const struct conn *c = conn_find(s, domid);

	if (!c)
		return -ENOENT;
	memset(info, 0, sizeof(*info));
	info->privileged = c->priv;
	info->cut_off = c->cut_off;
	info->introduced = c->introduced;
	info->target = c->target;
	info->gfn = c->gfn;
	info->port = c->port;
	info->nodes = store_nodes_owned(s, domid);
	info->watches = c->nwatches;
	info->transactions = c->ntx;
	info->replies = c->replies;
	info->out_bytes = c->out_bytes - c->out_off;
	info->tx_bytes = c->tx_bytes;
	info->events_dropped = c->dropped;
	return 0;
}

void store_set_hooks(struct store *s, const struct store_hooks *hooks,
		void *opaque)
{
	if (hooks)
		s->hooks = *hooks;
	else
		memset(&s->hooks, 0, sizeof(s->hooks));
	s->hooks_opaque = opaque;
}

/* ---- Public: domain 0's direct calls --------------------------------------- */

/* Domain 0's transaction tx (0: none); -ENOENT if it has no such one. */
static int local_tx(struct store *s, uint32_t id, struct tx **tx)
{
	*tx = id ? tx_find(conn_local(s), id) : NULL;
	return id && !*tx ? ENOENT : 0;
}

static int local_node(struct store *s, uint32_t id, const char *in,
		bool special, struct node **n)
{
	char path[PATH_BUF];
	size_t prefix;
	struct tx *tx;
	int err = local_tx(s, id, &tx);

	if (!err)
		err = canon_path(s, conn_local(s), in, special, path, &prefix);
	if (!err)
		err = node_for(s, conn_local(s), tx, path, STORE_PERM_READ, n);
	return err;
}

int store_read(struct store *s, uint32_t tx, const char *path,
		char **value, size_t *len)
{
	struct node *n;
	int err;

	enter(s);
	err = local_node(s, tx, path, false, &n);
	if (!err) {
		*value = malloc(n->vlen + 1);
		if (!*value)
			return leave(s, -ENOMEM);
		if (n->vlen)
			memcpy(*value, n->value, n->vlen);
		(*value)[n->vlen] = 0;
		*len = n->vlen;
	}
	return leave(s, -err);
}

static int local_modify(struct store *s, uint32_t id, const char *in,
		struct op *op)
{
	char path[PATH_BUF];
	size_t prefix;
	struct tx *tx;
	int err = local_tx(s, id, &tx);

	enter(s);
	if (!err)
		err = canon_path(s, conn_local(s), in, op->type == OP_SET_PERMS,
				path, &prefix);
	op->path = path;
	if (!err)
		err = core_modify(s, conn_local(s), tx, op);
	return leave(s, -err);
}

int store_write(struct store *s, uint32_t tx, const char *path,
		const void *value, size_t len)
{
	struct op op = { .type = OP_WRITE, .value = value, .len = len };

	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG; /* no client could read it back */
	return local_modify(s, tx, path, &op);
}

int store_mkdir(struct store *s, uint32_t tx, const char *path)
{
	struct op op = { .type = OP_MKDIR };

	return local_modify(s, tx, path, &op);
}

int store_rm(struct store *s, uint32_t tx, const char *path)
{
	struct op op = { .type = OP_RM };

	return local_modify(s, tx, path, &op);
}

int store_directory(struct store *s, uint32_t tx, const char *path,
		char **names, size_t *len, unsigned int *count)
{
	struct node *n;
	int err;

	enter(s);
	err = local_node(s, tx, path, false, &n);
	if (!err) {
		*names = kid_list(n);
		if (!*names)
			return leave(s, -ENOMEM);
		*len = n->kidbytes;
		*count = n->nkids;
	}
	return leave(s, -err);
}

int store_get_perms(struct store *s, uint32_t tx, const char *path,
		struct store_perm *perms, unsigned int max, unsigned int *n)
{
	struct node *node;
	int err;

	enter(s);
	err = local_node(s, tx, path, true, &node);
	if (!err) {
		*n = node->nperms;
		memcpy(perms, node->perms,
				(max < node->nperms ? max : node->nperms) * sizeof(*perms));
	}
	return leave(s, -err);
}

int store_set_perms(struct store *s, uint32_t tx, const char *path,
		const struct store_perm *perms, unsigned int n)
{
	struct op op = { .type = OP_SET_PERMS, .perms = perms, .nperms = n };

	return local_modify(s, tx, path, &op);
}

int store_watch(struct store *s, const char *path, const char *token,
		store_watch_fn *fn, void *opaque)
{
	struct conn *c = conn_local(s);
	int err;

	if (!fn)
		return -EINVAL;
	enter(s);
	err = core_watch(s, c, path, token, fn, opaque);
	if (!err) {
		struct watch *w = watch_last(c);

		queue_event(s, c, w, w->path + w->prefix);
	}
	return leave(s, -err);
}

int store_unwatch(struct store *s, const char *path, const char *token)
{
	int err;

	enter(s);
	err = core_unwatch(s, conn_local(s), path, token);
	return leave(s, -err);
}

int store_tx_start(struct store *s, uint32_t *tx)
{
	return -tx_start(s, conn_local(s), tx);
}

int store_tx_end(struct store *s, uint32_t id, bool commit)
{
	struct tx *tx;
	int err = local_tx(s, id, &tx);

	enter(s);
	if (!err)
		err = tx_end(s, conn_local(s), tx, commit);
	return leave(s, -err);
}
