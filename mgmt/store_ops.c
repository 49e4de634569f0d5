/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's operations (see store_int.h): the modifications made on a
 * change, and the core requests the wire and the direct calls share.
 */
#include "store_int.h" /* beside it: builds with or without -I. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- Operations on a change --------------------------------------------- */

/* Bytes of path naming its parent ("/" for a node at the top). */
static size_t parent_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == path ? 1 : (size_t)(slash - path);
}

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
	struct node *cur = st_cow_path(ch, path, w->anc_len);
	size_t off = w->anc_len + (w->anc_len > 1);
	int err;

	if (!cur)
		return ENOMEM;
	cur->gen = ++s->gen; /* gains a child */
	while (path[off]) {
		const char *e = strchr(path + off, '/');
		size_t clen = e ? (size_t)(e - (path + off)) : strlen(path + off);
		struct node *k = st_node_alloc(path + off, clen);

		if (!k)
			return ENOMEM;
		err = st_node_set_perms(k, cur->perms, cur->nperms);
		if (!err && !ch->c->priv)
			k->perms[0].domid = ch->c->domid;
		if (!err)
			err = st_change_delta(ch, k->perms[0].domid, 1);
		if (!err)
			err = st_kid_add(cur, k);
		if (err) {
			st_node_put(k);
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

	if (!(st_perm_for(ch->c, w->anc) & STORE_PERM_WRITE))
		return EACCES;
	if (!ch->c->priv && ch->s->lim.nodes &&
			st_owned_after(ch) + w->missing > ch->s->lim.nodes)
		return ENOSPC;
	if (over_node_size(ch, w->anc->vlen + w->anc->kidbytes + flen + 1) ||
			over_node_size(ch, vlen))
		return ENOSPC;
	return st_tx_note_chain(ch, path, w->anc_len);
}

static int op_write(struct change *ch, const struct op *op)
{
	struct walk w;
	struct node *n = NULL, *parent = NULL;
	int err;

	st_walk_path(ch->work, op->path, &w);
	if (!w.node) {
		err = create_check(ch, op->path, &w,
				op->type == OP_WRITE ? op->len : 0);
		if (!err)
			err = create_chain(ch, op->path, &w, &n, &parent);
	} else {
		if (!(st_perm_for(ch->c, w.node) & STORE_PERM_WRITE))
			return EACCES;
		err = st_tx_note(ch->s, ch->c, ch->tx, op->path, strlen(op->path));
		if (err || op->type == OP_MKDIR)
			return err; /* MKDIR of an existing node: nothing */
		if (over_node_size(ch, op->len + w.node->kidbytes))
			return ENOSPC;
		n = st_cow_path(ch, op->path, strlen(op->path));
		parent = w.parent;
		if (!n)
			return ENOMEM;
	}
	if (!err && op->type == OP_WRITE)
		err = st_node_set_value(n, op->value, op->len);
	if (err)
		return err;
	n->gen = ++ch->s->gen;
	return st_fire(ch, op->path, n, parent, NULL);
}

static int op_rm(struct change *ch, const struct op *op)
{
	struct walk w;
	struct count_arg ca = { &ch->d, &ch->nd, &ch->dcap };
	size_t plen = parent_len(op->path);
	struct node *p;
	int err, i;

	st_walk_path(ch->work, op->path, &w);
	if (!w.node) {
		if (!(st_perm_for(ch->c, w.anc) & STORE_PERM_WRITE))
			return EACCES;
		err = st_tx_note(ch->s, ch->c, ch->tx, op->path, strlen(op->path));
		if (!err)
			err = st_tx_note(ch->s, ch->c, ch->tx, op->path, plen);
		/* Fine if only the node itself is missing. */
		return err ? err : w.missing == 1 ? 0 : ENOENT;
	}
	if (!(st_perm_for(ch->c, w.node) & STORE_PERM_WRITE))
		return EACCES;
	if (!w.parent)
		return EINVAL; /* the root */
	err = st_tx_note(ch->s, ch->c, ch->tx, op->path, strlen(op->path));
	if (!err)
		err = st_tx_note(ch->s, ch->c, ch->tx, op->path, plen);
	if (!err)
		err = st_fire_rm(ch, op->path, w.node, w.parent);
	if (!err) /* owners exist already: nodes counted when made */
		err = st_tree_walk(ch->s, w.node, st_visit_count, &ca);
	if (err)
		return err;
	p = st_cow_path(ch, op->path, plen);
	if (!p)
		return ENOMEM;
	i = st_kid_find(p, w.node->name, strlen(w.node->name));
	st_kid_remove(p, (uint32_t)i);
	p->gen = ++ch->s->gen;
	return 0;
}

static int op_set_perms(struct change *ch, const struct op *op)
{
	struct walk w;
	struct node *n;
	unsigned int old_owner;
	int err;

	st_walk_path(ch->work, op->path, &w);
	if (!w.node) {
		err = st_tx_note(ch->s, ch->c, ch->tx, op->path, strlen(op->path));
		if (err)
			return err;
		return (st_perm_for(ch->c, w.anc) & (STORE_PERM_WRITE | PERM_OWNER)) ==
			(STORE_PERM_WRITE | PERM_OWNER) ? ENOENT : EACCES;
	}
	if ((st_perm_for(ch->c, w.node) & (STORE_PERM_WRITE | PERM_OWNER)) !=
			(STORE_PERM_WRITE | PERM_OWNER))
		return EACCES;
	old_owner = w.node->perms[0].domid;
	if (!ch->c->priv && op->perms[0].domid != old_owner)
		return EPERM;
	err = st_tx_note(ch->s, ch->c, ch->tx, op->path, strlen(op->path));
	if (!err && old_owner != op->perms[0].domid) {
		err = st_change_delta(ch, old_owner, -1);
		if (!err)
			err = st_change_delta(ch, op->perms[0].domid, 1);
	}
	if (err)
		return err;
	n = st_cow_path(ch, op->path, strlen(op->path));
	if (!n || st_node_set_perms(n, op->perms, op->nperms))
		return ENOMEM;
	n->gen = ++ch->s->gen;
	/* w.node is the old version, kept alive by the old root. */
	return st_fire(ch, op->path, n, w.parent, w.node);
}

int st_op_apply(struct change *ch, const struct op *op)
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

/* ---- Core requests (wire and direct calls share these) --------------- */

/* The node at path (canonical) for reading with need, in tx or not. */
int st_node_for(struct store *s, struct conn *c, struct tx *tx,
		const char *path, unsigned int need, struct node **out)
{
	struct walk w;
	int err;

	if (path[0] == '@') {
		for (int i = 0; i < 2; i++)
			if (!strcmp(path, st_special_name[i]))
				return (st_perm_for(c, s->special[i]) & need) == need ?
					(*out = s->special[i], 0) : EACCES;
		return ENOENT;
	}
	st_walk_path(tx ? tx->root : s->root, path, &w);
	err = st_tx_note(s, c, tx, path, strlen(path));
	if (err)
		return err;
	if (!w.node)
		return (st_perm_for(c, w.anc) & need) == need ? ENOENT : EACCES;
	if ((st_perm_for(c, w.node) & need) != need)
		return EACCES;
	*out = w.node;
	return 0;
}

/* SET_PERMS on a special node: not part of any transaction. */
static int special_set_perms(struct store *s, struct conn *c, const struct op *op)
{
	struct node *n;
	int err = st_node_for(s, c, NULL, op->path, STORE_PERM_WRITE | PERM_OWNER,
			&n);

	if (err)
		return err;
	if (!c->priv && op->perms[0].domid != n->perms[0].domid)
		return EPERM;
	return st_node_set_perms(n, op->perms, op->nperms);
}

int st_core_modify(struct store *s, struct conn *c, struct tx *tx,
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
	st_change_begin(&ch, s, c, tx);
	err = st_op_apply(&ch, op);
	if (!err && tx)
		err = st_tx_log(c, tx, op);
	if (err) {
		st_change_abort(&ch);
		return err;
	}
	st_change_commit(&ch);
	return 0;
}

int st_core_watch(struct store *s, struct conn *c, const char *in,
		const char *token, store_watch_fn *fn, void *opaque)
{
	char path[PATH_BUF];
	size_t prefix;
	struct watch *w;
	int err = st_canon_path(s, c, in, true, path, &prefix);

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

int st_core_unwatch(struct store *s, struct conn *c, const char *in,
		const char *token)
{
	char path[PATH_BUF];
	size_t prefix;
	int err = st_canon_path(s, c, in, true, path, &prefix);

	if (err)
		return err;
	for (struct watch **pp = &c->watches; *pp; pp = &(*pp)->next) {
		struct watch *w = *pp;

		if (!strcmp(w->path, path) && !strcmp(w->token, token)) {
			*pp = w->next;
			st_watch_free(w);
			c->nwatches--;
			return 0;
		}
	}
	return ENOENT;
}

/* The last watch of c (the one st_core_watch just added). */
struct watch *st_watch_last(struct conn *c)
{
	struct watch *w = c->watches;

	while (w && w->next)
		w = w->next;
	return w;
}
