/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's tree (see store_int.h): small helpers, nodes, paths,
 * permissions, node counts per owner and walks without recursion.
 */
#include "store_int.h" /* beside it: builds with or without -I. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
size_t st_fmt_u64(char *buf, uint64_t v)
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
int st_parse_u64(const char *str, uint64_t max, uint64_t *out)
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

int st_parse_domid(const char *str, unsigned int *domid)
{
	uint64_t v;
	int err = st_parse_u64(str, 0xffff, &v);

	if (!err)
		*domid = (unsigned int)v;
	return err;
}

uint32_t st_hash_str(const char *p, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

/* Is child at or below parent (both canonical)? */
bool st_is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (len == 1 && parent[0] == '/')
		return child[0] == '/';
	return strncmp(child, parent, len) == 0 &&
		(child[len] == '/' || child[len] == 0);
}

/* ---- Nodes ------------------------------------------------------------ */

struct node *st_node_alloc(const char *name, size_t nlen)
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

struct node *st_node_get(struct node *n)
{
	n->ref++;
	return n;
}

/* Drops one reference; frees what nothing reaches any more, without
 * recursion (children go on a list). */
void st_node_put(struct node *n)
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

int st_node_set_perms(struct node *n, const struct store_perm *p,
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

int st_node_set_value(struct node *n, const void *v, size_t len)
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
struct node *st_node_clone(const struct node *n)
{
	struct node *c = st_node_alloc(n->name, strlen(n->name));

	if (!c)
		return NULL;
	c->gen = n->gen;
	c->kidbytes = n->kidbytes;
	if (st_node_set_value(c, n->value, n->vlen) ||
			st_node_set_perms(c, n->perms, n->nperms))
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
	st_node_put(c);
	return NULL;
}

int st_kid_find(const struct node *n, const char *name, size_t len)
{
	for (uint32_t i = 0; i < n->nkids; i++) {
		const char *k = n->kids[i]->name;

		if (strncmp(k, name, len) == 0 && k[len] == 0)
			return (int)i;
	}
	return -1;
}

/* Appends k (its reference passes to n). */
int st_kid_add(struct node *n, struct node *k)
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
void st_kid_remove(struct node *n, uint32_t i)
{
	struct node *k = n->kids[i];

	n->kidbytes -= (uint32_t)strlen(k->name) + 1;
	memmove(n->kids + i, n->kids + i + 1,
			(n->nkids - i - 1) * sizeof(*n->kids));
	n->nkids--;
	st_node_put(k);
}

/* The children's names, NUL after each, into a new buffer. */
char *st_kid_list(const struct node *n)
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
int st_canon_path(const struct store *s, const struct conn *c,
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

		st_fmt_u64(num, c->domid);
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

void st_walk_path(struct node *root, const char *path, struct walk *w)
{
	struct node *n = root, *parent = NULL;
	const char *p = path + 1;

	w->anc_len = 1;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		int i = st_kid_find(n, p, len);

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

struct node *st_lookup(struct node *root, const char *path)
{
	struct walk w;

	st_walk_path(root, path, &w);
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
unsigned int st_perm_for(const struct conn *c, const struct node *n)
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
bool st_watch_permitted(const struct conn *c, const struct node *n,
		const struct node *parent, const struct node *old)
{
	return (st_perm_for(c, n) & STORE_PERM_READ) ||
		(old && (st_perm_for(c, old) & STORE_PERM_READ)) ||
		(parent && (st_perm_for(c, parent) & STORE_PERM_READ));
}

int st_perm_format(const struct store_perm *p, char *buf)
{
	static const char letter[4] = { 'n', 'r', 'w', 'b' };

	buf[0] = letter[p->access & 3];
	return (int)st_fmt_u64(buf + 1, p->domid) + 2; /* with its NUL */
}

int st_perm_parse(const char *str, struct store_perm *p)
{
	static const char letters[] = "nrwb";
	const char *l = str[0] ? strchr(letters, str[0]) : NULL;
	unsigned int id;

	if (!l || st_parse_domid(str + 1, &id))
		return EINVAL;
	p->access = (uint8_t)(l - letters);
	p->domid = (uint16_t)id;
	return 0;
}

/* ---- Node counts per owner ---------------------------------------------- */

struct owner *st_owner_find(const struct store *s, unsigned int domid)
{
	for (uint32_t i = 0; i < s->nowners; i++)
		if (s->owners[i].domid == domid)
			return &s->owners[i];
	return NULL;
}

/* The entry for domid, made if needed, so that applying a delta later
 * cannot fail. */
struct owner *st_owner_get(struct store *s, unsigned int domid)
{
	struct owner *o = st_owner_find(s, domid);

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
	const struct owner *o = st_owner_find(s, domid);

	return o ? o->nodes : 0;
}

int st_delta_add(struct delta **d, uint32_t *nd, uint32_t *cap,
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

int32_t st_delta_of(const struct delta *d, uint32_t nd, unsigned int domid)
{
	for (uint32_t i = 0; i < nd; i++)
		if (d[i].domid == domid)
			return d[i].nodes;
	return 0;
}

/* ---- Tree walks (no recursion) ----------------------------------------- */

/* Pre-order over the subtree at top; s->walk[depth].n is the node visited
 * (a visitor may replace it with a private copy). A visitor's non-zero
 * return stops the walk and is returned. */
int st_tree_walk(struct store *s, struct node *top, visit_fn *fn, void *arg)
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

/* Each node of a removed subtree leaves its owner's count. */
int st_visit_count(struct store *s, unsigned int depth, void *arg)
{
	struct count_arg *a = arg;

	return st_delta_add(a->d, a->nd, a->cap,
			s->walk[depth].n->perms[0].domid, -1);
}
