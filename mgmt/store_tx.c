/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's changes and transactions (see store_int.h): working roots,
 * copy-on-write, queued events, and transactions' records, logs,
 * start, commit and end.
 */
#include "store_int.h" /* beside it: builds with or without -I. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- Changes ------------------------------------------------------------ */

void st_change_begin(struct change *ch, struct store *s, struct conn *c,
		struct tx *tx)
{
	memset(ch, 0, sizeof(*ch));
	ch->s = s;
	ch->c = c;
	ch->tx = tx;
	ch->work = st_node_get(tx ? tx->root : s->root);
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

void st_change_abort(struct change *ch)
{
	st_node_put(ch->work);
	pend_free(ch);
	free(ch->d);
}

/* Installs the working root, counts and events: cannot fail (owner
 * entries were made when the deltas were). */
void st_change_commit(struct change *ch)
{
	struct store *s = ch->s;
	struct node **rootp = ch->tx ? &ch->tx->root : &s->root;

	st_node_put(*rootp);
	*rootp = ch->work;
	for (uint32_t i = 0; i < ch->nd; i++) {
		if (ch->tx) {
			/* Only used for its own quota checks; memory failure
			 * here makes those checks laxer, the commit exact. */
			st_delta_add(&ch->tx->d, &ch->tx->nd, &ch->tx->dcap,
					ch->d[i].domid, ch->d[i].nodes);
		} else {
			struct owner *o = st_owner_find(s, ch->d[i].domid);

			if (o)
				o->nodes = (uint32_t)((int64_t)o->nodes + ch->d[i].nodes);
		}
	}
	for (struct pend *p = ch->ev; p; p = p->next)
		st_queue_event(s, p->c, p->w, p->path);
	pend_free(ch);
	free(ch->d);
}

int st_change_delta(struct change *ch, unsigned int domid, int32_t n)
{
	if (!ch->tx && !st_owner_get(ch->s, domid))
		return ENOMEM;
	return st_delta_add(&ch->d, &ch->nd, &ch->dcap, domid, n);
}

/* Nodes c would own after this change (and its transaction's). */
int64_t st_owned_after(const struct change *ch)
{
	unsigned int id = ch->c->domid;
	int64_t n = store_nodes_owned(ch->s, id);

	n += st_delta_of(ch->d, ch->nd, id);
	if (ch->tx)
		n += st_delta_of(ch->tx->d, ch->tx->nd, id);
	return n;
}

/* Makes *slot private to the working tree (its parent already is). */
struct node *st_cow(struct node **slot)
{
	struct node *n = *slot, *c;

	if (n->ref == 1)
		return n;
	c = st_node_clone(n);
	if (!c)
		return NULL;
	n->ref--; /* still reached from the tree it came from */
	*slot = c;
	return c;
}

/* The existing node named by path[0..len), made private with all above. */
struct node *st_cow_path(struct change *ch, const char *path, size_t len)
{
	struct node **slot = &ch->work;
	struct node *n = st_cow(slot);
	size_t off = 1;

	while (n && off < len) {
		const char *e = memchr(path + off, '/', len - off);
		size_t clen = e ? (size_t)(e - (path + off)) : len - off;
		int i = st_kid_find(n, path + off, clen);

		if (i < 0)
			return NULL; /* callers looked it up first */
		slot = &n->kids[i];
		n = st_cow(slot);
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
int st_fire(struct change *ch, const char *path, const struct node *n,
		const struct node *parent, const struct node *old)
{
	if (ch->tx)
		return 0; /* the commit replays and fires */
	for (struct conn *c = ch->s->conns; c; c = c->next) {
		int permitted = -1;

		for (struct watch *w = c->watches; w; w = w->next) {
			if (w->path[0] == '@' || !st_is_child(path, w->path))
				continue;
			if (permitted < 0)
				permitted = st_watch_permitted(c, n, parent, old);
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
int st_fire_rm(struct change *ch, const char *path, struct node *rm,
		const struct node *parent)
{
	size_t plen = strlen(path);
	int err = st_fire(ch, path, rm, parent, NULL);

	if (err || ch->tx)
		return err;
	for (struct conn *c = ch->s->conns; c; c = c->next) {
		for (struct watch *w = c->watches; w; w = w->next) {
			struct walk wk;

			if (w->path[0] == '@' || !st_is_child(w->path, path) ||
					!strcmp(w->path, path))
				continue;
			/* w->path + plen is "/x/y" below rm ("/" is never removed) */
			st_walk_path(rm, w->path + plen, &wk);
			if (!wk.node ||
					!st_watch_permitted(c, wk.node, wk.parent, NULL))
				continue;
			if (pend_add(ch, c, w, w->path))
				return ENOMEM;
		}
	}
	return 0;
}

/* ---- Transactions: recording ------------------------------------------ */

struct tx *st_tx_find(const struct conn *c, uint32_t id)
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
int st_tx_note(struct store *s, struct conn *c, struct tx *tx,
		const char *path, size_t len)
{
	uint32_t h;
	struct access *a;
	char buf[PATH_BUF];
	struct node *n;

	if (!tx)
		return 0;
	h = st_hash_str(path, len);
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
	n = len ? st_lookup(tx->base, buf) : NULL;
	a->gen = n ? n->gen : 0;
	tx->acc[tx->nacc++] = a;
	/* The record, and the node copy its tree may hold for this path. */
	tx_charge(c, tx, sizeof(*a) + len + 1 + TX_NODE_COST);
	return 0;
}

/* Notes every node from anc down the missing components of path. */
int st_tx_note_chain(struct change *ch, const char *path, size_t anc_len)
{
	size_t len = strlen(path);
	int err = st_tx_note(ch->s, ch->c, ch->tx, path, anc_len);

	for (size_t i = anc_len + 1; !err && i <= len; i++)
		if (path[i] == '/' || path[i] == 0)
			err = st_tx_note(ch->s, ch->c, ch->tx, path, i);
	return err;
}

/* ---- Transactions: log, start, end ------------------------------------ */

int st_tx_log(struct conn *c, struct tx *tx, const struct op *op)
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

void st_tx_free(struct conn *c, struct tx *tx)
{
	struct tx **pp;

	for (pp = &c->txs; *pp && *pp != tx; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = tx->next;
	st_node_put(tx->base);
	st_node_put(tx->root);
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

void st_txs_drop(struct conn *c)
{
	while (c->txs)
		st_tx_free(c, c->txs);
}

int st_tx_start(struct store *s, struct conn *c, uint32_t *id)
{
	struct tx *tx;

	if (!c->priv && s->lim.transactions && c->ntx >= s->lim.transactions)
		return ENOSPC;
	tx = calloc(1, sizeof(*tx));
	if (!tx)
		return ENOMEM;
	do { /* ids are never 0 and never two open at once */
		tx->id = ++c->next_txid;
	} while (tx->id == 0 || st_tx_find(c, tx->id));
	tx->base = st_node_get(s->root);
	tx->root = st_node_get(s->root);
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
		struct node *n = st_lookup(s->root, tx->acc[i]->path);

		if ((n ? n->gen : 0) != tx->acc[i]->gen)
			return EAGAIN;
	}
	st_change_begin(&ch, s, c, NULL);
	for (struct txop *t = tx->ops; t && !err; t = t->next) {
		struct op op;

		txop_to_op(t, &op);
		err = st_op_apply(&ch, &op);
	}
	if (err) {
		st_change_abort(&ch);
		return err;
	}
	st_change_commit(&ch);
	return 0;
}

int st_tx_end(struct store *s, struct conn *c, struct tx *tx, bool commit)
{
	int err = commit ? tx_commit(s, c, tx) : 0;

	st_tx_free(c, tx);
	return err;
}
