/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store (see store.h and docs/store.md): its public calls, the store
 * and its domains, and domain 0's direct calls. store_int.h describes
 * the design and the files the rest is in.
 */
#include "store_int.h" /* beside it: builds with or without -I. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char st_special_name[2][17] = { "@introduceDomain", "@releaseDomain" };

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
	struct node *n = st_node_alloc(name, strlen(name));

	if (n && st_node_set_perms(n, &p0, 1)) {
		st_node_put(n);
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
	s->special[0] = node_closed(st_special_name[0]);
	s->special[1] = node_closed(st_special_name[1]);
	if (!s->walk || !s->root || !s->special[0] || !s->special[1] ||
			!st_owner_get(s, 0) || !st_conn_new(s, 0, true)) {
		store_free(s);
		return NULL;
	}
	s->root->gen = ++s->gen;
	st_owner_find(s, 0)->nodes = 1;
	return s;
}

void store_free(struct store *s)
{
	struct deferred *d;

	if (!s)
		return;
	while (s->conns)
		st_conn_free(s, s->conns);
	while ((d = s->def_head)) {
		s->def_head = d->next;
		free(d);
	}
	st_node_put(s->root);
	st_node_put(s->special[0]);
	st_node_put(s->special[1]);
	free(s->owners);
	free(s->walk);
	free(s);
}

int store_connect(struct store *s, unsigned int domid, bool privileged)
{
	if (!st_domid_ok(domid))
		return -EINVAL;
	if (st_conn_find(s, domid))
		return -EEXIST;
	st_enter(s);
	if (!st_conn_new(s, domid, privileged))
		return st_leave(s, -ENOMEM);
	st_fire_special(s, SPECIAL_INTRO, domid);
	return st_leave(s, 0);
}

int store_disconnect(struct store *s, unsigned int domid)
{
	int ret;

	if (!st_domid_ok(domid))
		return -EINVAL;
	st_enter(s);
	ret = st_do_disconnect(s, domid);
	return st_leave(s, ret);
}

int store_domain_shutdown(struct store *s, unsigned int domid)
{
	struct conn *c = domid ? st_conn_find(s, domid) : NULL;

	if (!c)
		return -ENOENT;
	st_enter(s);
	if (!c->shutdown_fired) {
		c->shutdown_fired = true;
		st_fire_special(s, SPECIAL_RELEASE, domid);
	}
	return st_leave(s, 0);
}

int store_cut_off(struct store *s, unsigned int domid)
{
	struct conn *c = domid ? st_conn_find(s, domid) : NULL;

	if (!c)
		return -ENOENT;
	st_watches_drop(c);
	st_txs_drop(c);
	st_msg_free_all(c);
	c->cut_off = true;
	return 0;
}

int store_conn_info(const struct store *s, unsigned int domid,
		struct store_conn_info *info)
{
	const struct conn *c = st_conn_find(s, domid);

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
	*tx = id ? st_tx_find(st_conn_local(s), id) : NULL;
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
		err = st_canon_path(s, st_conn_local(s), in, special, path,
				&prefix);
	if (!err)
		err = st_node_for(s, st_conn_local(s), tx, path, STORE_PERM_READ,
				n);
	return err;
}

int store_read(struct store *s, uint32_t tx, const char *path,
		char **value, size_t *len)
{
	struct node *n;
	int err;

	st_enter(s);
	err = local_node(s, tx, path, false, &n);
	if (!err) {
		*value = malloc(n->vlen + 1);
		if (!*value)
			return st_leave(s, -ENOMEM);
		if (n->vlen)
			memcpy(*value, n->value, n->vlen);
		(*value)[n->vlen] = 0;
		*len = n->vlen;
	}
	return st_leave(s, -err);
}

static int local_modify(struct store *s, uint32_t id, const char *in,
		struct op *op)
{
	char path[PATH_BUF];
	size_t prefix;
	struct tx *tx;
	int err = local_tx(s, id, &tx);

	st_enter(s);
	if (!err)
		err = st_canon_path(s, st_conn_local(s), in,
				op->type == OP_SET_PERMS, path, &prefix);
	op->path = path;
	if (!err)
		err = st_core_modify(s, st_conn_local(s), tx, op);
	return st_leave(s, -err);
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

	st_enter(s);
	err = local_node(s, tx, path, false, &n);
	if (!err) {
		*names = st_kid_list(n);
		if (!*names)
			return st_leave(s, -ENOMEM);
		*len = n->kidbytes;
		*count = n->nkids;
	}
	return st_leave(s, -err);
}

int store_get_perms(struct store *s, uint32_t tx, const char *path,
		struct store_perm *perms, unsigned int max, unsigned int *n)
{
	struct node *node;
	int err;

	st_enter(s);
	err = local_node(s, tx, path, true, &node);
	if (!err) {
		*n = node->nperms;
		memcpy(perms, node->perms,
				(max < node->nperms ? max : node->nperms) * sizeof(*perms));
	}
	return st_leave(s, -err);
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
	struct conn *c = st_conn_local(s);
	int err;

	if (!fn)
		return -EINVAL;
	st_enter(s);
	err = st_core_watch(s, c, path, token, fn, opaque);
	if (!err) {
		struct watch *w = st_watch_last(c);

		st_queue_event(s, c, w, w->path + w->prefix);
	}
	return st_leave(s, -err);
}

int store_unwatch(struct store *s, const char *path, const char *token)
{
	int err;

	st_enter(s);
	err = st_core_unwatch(s, st_conn_local(s), path, token);
	return st_leave(s, -err);
}

int store_tx_start(struct store *s, uint32_t *tx)
{
	return -st_tx_start(s, st_conn_local(s), tx);
}

int store_tx_end(struct store *s, uint32_t id, bool commit)
{
	struct tx *tx;
	int err = local_tx(s, id, &tx);

	st_enter(s);
	if (!err)
		err = st_tx_end(s, st_conn_local(s), tx, commit);
	return st_leave(s, -err);
}
