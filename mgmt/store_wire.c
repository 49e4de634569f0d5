/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's wire protocol (see store_int.h): a domain's requests, parsed
 * and answered, and its output.
 */
#include "store_int.h" /* beside it: builds with or without -I. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	return st_queue_reply(r->c, r->hdr, r->hdr->type, data, len);
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
	return st_canon_path(r->s, r->c, in, special, out, &prefix);
}

static int h_read(struct req *r)
{
	char path[PATH_BUF];
	struct node *n;
	int err = req_path(r, onearg(r), false, path);

	if (!err)
		err = st_node_for(r->s, r->c, r->tx, path, STORE_PERM_READ, &n);
	return err ? err : reply(r, n->value, n->vlen);
}

static int h_directory(struct req *r)
{
	char path[PATH_BUF];
	struct node *n;
	char *list;
	int err = req_path(r, onearg(r), false, path);

	if (!err)
		err = st_node_for(r->s, r->c, r->tx, path, STORE_PERM_READ, &n);
	if (err)
		return err;
	if (n->kidbytes > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	list = st_kid_list(n);
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
		err = st_parse_u64(vec[1], UINT32_MAX, &off);
	if (!err)
		err = st_node_for(r->s, r->c, r->tx, path, STORE_PERM_READ, &n);
	if (err)
		return err;
	list = st_kid_list(n);
	out = malloc(XENSTORE_PAYLOAD_MAX);
	if (!list || !out) {
		free(list);
		free(out);
		return ENOMEM;
	}
	glen = st_fmt_u64(out, n->gen) + 1;
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
		err = st_node_for(r->s, r->c, r->tx, path, STORE_PERM_READ, &n);
	if (err)
		return err;
	buf = malloc((size_t)n->nperms * 8);  /* "b65535" + NUL fits in 8 */
	if (!buf)
		return ENOMEM;
	for (uint32_t i = 0; i < n->nperms; i++)
		len += (size_t)st_perm_format(&n->perms[i], buf + len);
	err = reply(r, buf, len);
	free(buf);
	return err;
}

static int modify(struct req *r, struct op *op)
{
	int err = st_core_modify(r->s, r->c, r->tx, op);

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
		err = st_perm_parse(p, &perms[i]);
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
	err = st_core_watch(r->s, r->c, vec[0], vec[1], NULL, NULL);
	if (!err) {
		struct watch *w = st_watch_last(r->c);

		err = reply_ok(r);
		if (err) { /* no reply, no watch */
			st_core_unwatch(r->s, r->c, vec[0], vec[1]);
			return err;
		}
		/* Fired once at once, as the relative or absolute path given. */
		st_queue_event(r->s, r->c, w, w->path + w->prefix);
	}
	return err;
}

static int h_unwatch(struct req *r)
{
	const char *vec[2];
	int err;

	if (args(r, vec, 2) != 2)
		return EINVAL;
	err = st_core_unwatch(r->s, r->c, vec[0], vec[1]);
	return err ? err : reply_ok(r);
}

static int h_tx_start(struct req *r)
{
	char num[21];
	uint32_t id;
	int err;

	if (r->tx)
		return EBUSY; /* no nesting */
	err = st_tx_start(r->s, r->c, &id);
	if (err)
		return err;
	err = reply(r, num, st_fmt_u64(num, id) + 1);
	if (err)
		st_tx_free(r->c, st_tx_find(r->c, id));
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
	err = st_tx_end(r->s, r->c, r->tx, arg[0] == 'T');
	r->tx = NULL;
	return err ? err : reply_ok(r);
}

static int arg_domid(const struct req *r, unsigned int *domid)
{
	const char *a = onearg(r);

	return a ? st_parse_domid(a, domid) : EINVAL;
}

static int parse_gfn(const char *str, int64_t *gfn)
{
	uint64_t v;
	bool neg = str[0] == '-';
	int err = st_parse_u64(str + neg, (uint64_t)INT64_MAX, &v);

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
	err = st_parse_domid(vec[0], &domid);
	if (!err)
		err = parse_gfn(vec[1], &gfn);
	if (!err)
		err = st_parse_u64(vec[2], UINT32_MAX, &port);
	if (err || !st_domid_ok(domid) || port == 0 || domid == r->c->domid)
		return EINVAL;
	c = st_conn_find(r->s, domid);
	if (c) {
		st_conn_reset(c);
	} else {
		c = st_conn_new(r->s, domid, false);
		if (!c)
			return ENOMEM;
		st_fire_special(r->s, SPECIAL_INTRO, domid);
	}
	c->introduced = true;
	c->gfn = gfn;
	c->port = (uint32_t)port;
	st_defer_domain(r->s, DEF_INTRODUCE, c);
	return reply_ok(r);
}

/* The connected domain an argument names (not the caller, not 0). */
static int arg_conn(struct req *r, struct conn **out)
{
	unsigned int domid;
	int err = arg_domid(r, &domid);

	if (err || domid == 0 || domid == r->c->domid)
		return EINVAL;
	*out = st_conn_find(r->s, domid);
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
	st_defer_domain(r->s, DEF_RELEASE, c);
	st_do_disconnect(r->s, domid);
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
	n = sizeof(LOCAL_PREFIX) - 1 +
		st_fmt_u64(buf + sizeof(LOCAL_PREFIX) - 1, domid);
	return reply(r, buf, n + 1);
}

static int h_is_introduced(struct req *r)
{
	unsigned int domid;
	int err = arg_domid(r, &domid);

	if (err)
		return err;
	return reply(r, domid == DOMID_SELF_ || st_conn_find(r->s, domid) ?
			"T" : "F", 2);
}

static int h_set_target(struct req *r)
{
	const char *vec[2];
	unsigned int d, t;
	struct conn *c;

	if (args(r, vec, 2) < 2 || st_parse_domid(vec[0], &d) ||
			st_parse_domid(vec[1], &t))
		return EINVAL;
	c = st_conn_find(r->s, d);
	if (!c || !st_conn_find(r->s, t))
		return ENOENT;
	c->target = (uint16_t)t;
	return reply_ok(r);
}

static int h_reset_watches(struct req *r)
{
	st_watches_drop(r->c);
	st_txs_drop(r->c);
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
		r->tx = st_tx_find(r->c, r->hdr->tx_id);
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
	const struct conn *c = st_conn_find(s, domid);

	return c && can_request(s, c);
}

int store_request(struct store *s, unsigned int domid,
		const struct xsd_sockmsg *hdr, const void *payload)
{
	struct conn *c = st_conn_find(s, domid);
	struct req r = { s, c, NULL, hdr, payload, hdr->len };
	int err;

	if (!c)
		return -ENOENT;
	if (c->cut_off)
		return -EPIPE;
	if (!can_request(s, c))
		return -EBUSY;
	st_enter(s);
	err = dispatch(&r);
	/* c is still there: nothing releases or resets the caller itself. */
	if (err)
		st_queue_error(c, hdr, err);
	return st_leave(s, 0);
}

size_t store_next_output(struct store *s, unsigned int domid, void *buf,
		size_t max)
{
	struct conn *c = st_conn_find(s, domid);
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
	const struct conn *c = st_conn_find(s, domid);

	return c ? c->out_bytes - c->out_off : 0;
}
