/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's connections (see store_int.h): their output, the deferred
 * calls, watches, and domains coming and going.
 */
#include "store_int.h" /* beside it: builds with or without -I. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- Connections, output and deferred calls ------------------------------- */

struct conn *st_conn_find(const struct store *s, unsigned int domid)
{
	for (struct conn *c = s->conns; c; c = c->next)
		if (c->domid == domid)
			return c;
	return NULL;
}

struct conn *st_conn_local(const struct store *s)
{
	return s->conns; /* always first */
}

static void defer(struct store *s, struct deferred *d)
{
	d->next = NULL;
	*s->def_tail = d;
	s->def_tail = &d->next;
}

void st_defer_domain(struct store *s, int kind, const struct conn *c)
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

void st_msg_free_all(struct conn *c)
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
void st_queue_event(struct store *s, struct conn *c, struct watch *w,
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
int st_queue_reply(struct conn *c, const struct xsd_sockmsg *hdr,
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

void st_queue_error(struct conn *c, const struct xsd_sockmsg *hdr, int err)
{
	const char *name = store_error_name(err);

	/* If even this fails the client waits: nothing better to do. */
	st_queue_reply(c, hdr, XS_ERROR, name, strlen(name) + 1);
}

static struct watch *watch_by_id(const struct store *s, uint64_t id)
{
	for (struct watch *w = st_conn_local(s)->watches; w; w = w->next)
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

void st_enter(struct store *s)
{
	s->depth++;
}

int st_leave(struct store *s, int ret)
{
	if (--s->depth == 0)
		run_deferred(s);
	return ret;
}

/* ---- Watches ------------------------------------------------------------ */

void st_watch_free(struct watch *w)
{
	free(w->token);
	free(w);
}

void st_watches_drop(struct conn *c)
{
	while (c->watches) {
		struct watch *w = c->watches;

		c->watches = w->next;
		st_watch_free(w);
	}
	c->nwatches = 0;
}

/* Watches of c on a special path: "@name" and "@name/<domid>". */
void st_fire_special(struct store *s, int which, unsigned int domid)
{
	const char *name = st_special_name[which];
	size_t nlen = strlen(name);
	char num[21];

	st_fmt_u64(num, domid);
	for (struct conn *c = s->conns; c; c = c->next) {
		if (!c->watches ||
				!(st_perm_for(c, s->special[which]) & STORE_PERM_READ))
			continue;
		for (struct watch *w = c->watches; w; w = w->next) {
			if (strncmp(w->path, name, nlen) != 0)
				continue;
			if (w->path[nlen] == 0 ||
					(w->path[nlen] == '/' && !strcmp(w->path + nlen + 1, num)))
				st_queue_event(s, c, w, w->path);
		}
	}
}

/* ---- Domains -------------------------------------------------------------- */

struct conn *st_conn_new(struct store *s, unsigned int domid, bool priv)
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
void st_conn_reset(struct conn *c)
{
	st_watches_drop(c);
	st_txs_drop(c);
	st_msg_free_all(c);
	c->cut_off = false;
	c->shutdown_fired = false;
}

void st_conn_free(struct store *s, struct conn *c)
{
	struct conn **pp;

	for (pp = &s->conns; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	st_conn_reset(c);
	free(c);
}

bool st_domid_ok(unsigned int domid)
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
		struct node *n = st_cow(slot);

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
	struct owner *o0 = st_owner_get(s, 0);
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
		struct owner *o = st_owner_find(s, domid);

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
	return st_tree_walk(s, s->root, visit_purge, &domid);
}

int st_do_disconnect(struct store *s, unsigned int domid)
{
	struct conn *c = st_conn_find(s, domid);
	int err;

	if (c)
		st_conn_free(s, c);
	err = purge_domain(s, domid);
	if (c)
		st_fire_special(s, SPECIAL_RELEASE, domid);
	return c ? -err : -ENOENT;
}
