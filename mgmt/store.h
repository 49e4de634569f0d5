/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store (Xen's xenstore), pure: the tree of nodes, permissions,
 * watches, transactions, quotas and the wire protocol's requests, with no
 * hypercalls and no globals. Everything lives in a struct store the caller
 * owns; memory comes from malloc/free. docs/store.md describes the
 * behaviour; include/public/io/xs_wire.h the wire format.
 *
 * Who talks to it:
 *   - Domains, over their ring (mgmt/xsring.c moves the bytes): each is a
 *     connection made by store_connect() (or a privileged domain's
 *     INTRODUCE); its requests go in through store_request(), its replies
 *     and watch events come out through store_next_output().
 *   - Domain 0 (mgmt itself), by direct calls (store_read() ...): it is
 *     always connected, privileged, and its watches call a function.
 *
 * Errors are Xen's errno names on the wire ("ENOENT") and negative errno
 * values from the direct calls (-ENOENT): 0 is success.
 *
 * Deferred calls: watch callbacks and the hooks (store_set_hooks) are
 * never called from inside an operation. They run when the outermost
 * store call returns, in the order their causes happened, and may call
 * back into the store (what they cause runs after them, in the same
 * call). Nothing here keeps a pointer to caller memory after a call.
 */
#ifndef EYRIE_MGMT_STORE_H
#define EYRIE_MGMT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/public/io/xs_wire.h"

struct store;

/*
 * Quotas. Those marked (u) bind unprivileged connections only (domain 0
 * and privileged domains may do anything, as on Xen); the two output
 * bounds bind every ring connection. 0 means no limit. The defaults
 * (store_default_limits) are Xen's where Xen has the quota.
 */
struct store_limits {
	uint32_t nodes;        /* (u) nodes a domain may own: 1000; ENOSPC */
	uint32_t node_size;    /* (u) bytes of a node it writes (value + its
	                        *     children's names, each with a NUL): 2048;
	                        *     ENOSPC */
	uint32_t perms;        /* (u) entries in a SET_PERMS: 5; ENOSPC */
	uint32_t path;         /* (u) bytes of a path after /local/domain/N/:
	                        *     XENSTORE_REL_PATH_MAX; EINVAL */
	uint32_t watches;      /* (u) watches per connection: 128; ENOSPC */
	uint32_t transactions; /* (u) open transactions: 10; ENOSPC */
	uint32_t tx_nodes;     /* (u) nodes one transaction reads or writes:
	                        *     1024; ENOSPC */
	uint32_t tx_bytes;     /* (u) memory a connection's open transactions
	                        *     hold (copies, logs): 256 KiB; ENOSPC */
	uint32_t outstanding;  /* replies queued and not yet taken: 20; past
	                        *     it store_request() refuses (-EBUSY) and
	                        *     the ring waits */
	uint32_t out_bytes;    /* bytes of queued output: 64 KiB; watch events
	                        *     past it are dropped (counted) */
};

void store_default_limits(struct store_limits *l);

/* A new store: the root node "/" (owner 0, no access for others), the
 * special nodes @introduceDomain and @releaseDomain (likewise), domain 0's
 * local connection. limits NULL = the defaults. NULL if out of memory. */
struct store *store_new(const struct store_limits *limits);
void store_free(struct store *s);

/* ---- Domains and their connections ---------------------------------- */

/* Domain ids: 1 .. 0x7fef (DOMID_FIRST_RESERVED - 1); 0 is mgmt itself. */
#define STORE_DOMID_MAX 0x7fefu

/* A domain can now send requests (its ring is set up). privileged: it may
 * do anything domain 0 may. Fires @introduceDomain. -EEXIST if connected,
 * -EINVAL for a bad domid, -ENOMEM. */
int store_connect(struct store *s, unsigned int domid, bool privileged);

/* The domain is gone (or RELEASEd): its connection, watches, transactions
 * and queued output go; @releaseDomain fires if it was connected. Its
 * nodes stay (the toolstack removes /local/domain/N with store_rm()), but
 * those it owned pass to domain 0 and every permission entry naming it is
 * dropped, so that a later domain with the same id inherits nothing.
 * Returns 0, or -ENOENT if it was not connected (the cleanup is done all
 * the same), -EINVAL for domid 0 or out of range. */
int store_disconnect(struct store *s, unsigned int domid);

/* The domain shut down (not yet destroyed): fires @releaseDomain once,
 * again only after a RESUME or a new connection. -ENOENT if unconnected. */
int store_domain_shutdown(struct store *s, unsigned int domid);

/* Stop serving a connection that broke its ring (mgmt/xsring.c): its
 * watches, transactions and output go and further requests are refused
 * (-EPIPE), but it stays introduced until store_disconnect(). */
int store_cut_off(struct store *s, unsigned int domid);

struct store_conn_info {
	bool privileged;
	bool cut_off;
	bool introduced;       /* by an INTRODUCE request (gfn, port valid) */
	uint16_t target;       /* SET_TARGET's; 0xffff none */
	int64_t gfn;           /* INTRODUCE's ring frame */
	uint32_t port;         /* INTRODUCE's event channel */
	uint32_t nodes;        /* nodes the domain owns */
	uint32_t watches;
	uint32_t transactions;
	uint32_t replies;      /* queued replies not yet taken */
	size_t out_bytes;      /* queued output bytes */
	size_t tx_bytes;       /* memory its transactions hold */
	uint64_t events_dropped;
};

/* 0 and *info filled, or -ENOENT if domid has no connection (domain 0
 * always has its local one). */
int store_conn_info(const struct store *s, unsigned int domid,
		struct store_conn_info *info);

/* Nodes owned by domid, connected or not. */
uint32_t store_nodes_owned(const struct store *s, unsigned int domid);

/*
 * Called (deferred, see above) when a privileged connection's INTRODUCE
 * made or renewed a connection (map its ring at gfn, bind port; a renewed
 * one starts from an empty ring) and when RELEASE ended one (unmap).
 * Either may be NULL.
 */
struct store_hooks {
	void (*introduce)(void *opaque, unsigned int domid, int64_t gfn,
			uint32_t port);
	void (*release)(void *opaque, unsigned int domid);
};
void store_set_hooks(struct store *s, const struct store_hooks *hooks,
		void *opaque);

/* ---- The wire: requests in, replies and events out ------------------- */

/* Whether store_request() would take a request from domid now (it is
 * connected, not cut off, and under its outstanding-replies quota). */
bool store_can_request(const struct store *s, unsigned int domid);

/*
 * One request from domid: hdr and hdr->len bytes of payload (payload may
 * be NULL when len is 0; a len over XENSTORE_PAYLOAD_MAX is answered with
 * E2BIG without reading it). Exactly one reply is queued for it (the
 * answer or XS_ERROR), plus any watch events it causes, for this and
 * other connections. Returns 0; -ENOENT if domid is not connected, -EPIPE
 * if cut off, -EBUSY if over its outstanding quota (nothing was done: try
 * again after its output was taken).
 */
int store_request(struct store *s, unsigned int domid,
		const struct xsd_sockmsg *hdr, const void *payload);

/* Copies up to max bytes of domid's queued output stream (whole messages
 * back to back, a message may be split across calls) into buf and drops
 * what was copied. Returns the count, 0 when nothing waits. */
size_t store_next_output(struct store *s, unsigned int domid, void *buf,
		size_t max);

/* Bytes of domid's output waiting. */
size_t store_output_pending(const struct store *s, unsigned int domid);

/* ---- Domain 0's own calls --------------------------------------------- */

/* A node permission entry: perms[0] names the owner (who may do anything)
 * and the access of every domain not named in a later entry. */
#define STORE_PERM_NONE  0u
#define STORE_PERM_READ  1u
#define STORE_PERM_WRITE 2u
#define STORE_PERM_BOTH  3u
struct store_perm {
	uint16_t domid;
	uint8_t access;    /* STORE_PERM_* */
};

/* Any domain, in a permission entry after the first (Xen's DOMID_ANY). */
#define STORE_DOMID_ANY 0x7ff5u

/*
 * Each acts as domain 0 (privileged) on an absolute path (or one relative
 * to /local/domain/0). tx is 0, or a transaction of store_tx_start().
 * Results are copies the caller frees with free(); 0 or -errno.
 */
int store_read(struct store *s, uint32_t tx, const char *path,
		char **value, size_t *len);          /* value NUL-terminated too */
int store_write(struct store *s, uint32_t tx, const char *path,
		const void *value, size_t len);
int store_mkdir(struct store *s, uint32_t tx, const char *path);
/* Removes path and everything below it (the toolstack's cleanup of
 * /local/domain/N too). Not an error if path is absent but its parent
 * exists. */
int store_rm(struct store *s, uint32_t tx, const char *path);
/* The children's names, each NUL-terminated, back to back; *count names. */
int store_directory(struct store *s, uint32_t tx, const char *path,
		char **names, size_t *len, unsigned int *count);
/* At most max entries into perms; *n is the node's count. */
int store_get_perms(struct store *s, uint32_t tx, const char *path,
		struct store_perm *perms, unsigned int max, unsigned int *n);
int store_set_perms(struct store *s, uint32_t tx, const char *path,
		const struct store_perm *perms, unsigned int n);

/* Called with the changed path (relative if the watch's was) and the
 * watch's token; once at registration, then for each change at or below
 * path. */
typedef void store_watch_fn(void *opaque, const char *path, const char *token);
int store_watch(struct store *s, const char *path, const char *token,
		store_watch_fn *fn, void *opaque);
int store_unwatch(struct store *s, const char *path, const char *token);

int store_tx_start(struct store *s, uint32_t *tx);
/* commit false aborts. Committing fails with -EAGAIN when a node the
 * transaction read or wrote changed meanwhile (nothing is applied; start
 * again). The transaction is gone either way. */
int store_tx_end(struct store *s, uint32_t tx, bool commit);

/* "EINVAL" for EINVAL (positive errno values), "EINVAL" for unknown. */
const char *store_error_name(int err);

#endif
