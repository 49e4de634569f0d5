/* SPDX-License-Identifier: MIT */
/*
 * The store (xenstore) wire protocol and its ring page (Xen's public
 * io/xs_wire.h), our own definitions with Xen's numbers and layouts.
 *
 * A client talks to the store in messages: a struct xsd_sockmsg header
 * followed by len bytes of payload, len at most XENSTORE_PAYLOAD_MAX in
 * either direction. Requests carry a type (enum xsd_sockmsg_type), an id
 * the client chooses (echoed in the reply) and a transaction id (0 for
 * none). A reply has the request's type, or XS_ERROR with the name of an
 * errno value ("EINVAL") as its payload; XS_WATCH_EVENT messages are sent
 * unasked, with req_id and tx_id 0. Payloads are mostly NUL-terminated
 * strings; docs/store.md gives each request's arguments.
 *
 * A domain reaches the store through one shared page, struct
 * xenstore_domain_interface: two byte rings of XENSTORE_RING_SIZE bytes
 * carrying the message streams, req[] from the domain, rsp[] to it. As on
 * the console page (console.h), indices are free-running 32-bit counters,
 * a byte's slot is MASK_XENSTORE_IDX(idx), prod - cons (mod 2^32) is the
 * count waiting and a sane peer keeps it at most XENSTORE_RING_SIZE. Each
 * index has one writer (the ring's producer its prod, the consumer its
 * cons); the producer stores data before the new prod, the consumer reads
 * prod before the data and the data before storing cons. After moving an
 * index each side kicks the other over the event channel.
 */
#ifndef EYRIE_PUBLIC_IO_XS_WIRE_H
#define EYRIE_PUBLIC_IO_XS_WIRE_H

#include <stdint.h>

/* Message types. Gaps are deliberate: 20 was XS_RESTRICT, now invalid. */
enum xsd_sockmsg_type {
	XS_CONTROL = 0,           /* implementation-defined commands */
	XS_DEBUG = XS_CONTROL,    /* its old name */
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15,      /* store -> client only */
	XS_ERROR = 16,            /* store -> client only */
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME = 18,
	XS_SET_TARGET = 19,
	XS_RESET_WATCHES = 21,
	XS_DIRECTORY_PART = 22,
	XS_GET_FEATURE = 23,
	XS_SET_FEATURE = 24,
	XS_GET_QUOTA = 25,
	XS_SET_QUOTA = 26,
	XS_TYPE_COUNT = 27,       /* one past the last defined type */
	XS_INVALID = 0xffff       /* never a valid type */
};

struct xsd_sockmsg {
	uint32_t type;   /* enum xsd_sockmsg_type */
	uint32_t req_id; /* the client's; echoed in the reply */
	uint32_t tx_id;  /* transaction, 0 for none */
	uint32_t len;    /* payload bytes that follow */
};

/* The two strings of a watch event's payload, in this order. */
enum xs_watch_type {
	XS_WATCH_PATH = 0,
	XS_WATCH_TOKEN = 1
};

/* Longest payload either side may send; a client that sends more is cut
 * off (docs/store.md). */
#define XENSTORE_PAYLOAD_MAX 4096

/* Longest path, absolute; and the part after /local/domain/N/ a domain may
 * use (longer ones are refused with EINVAL). */
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

#define XENSTORE_RING_SIZE 1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE];    /* domain -> store */
	char rsp[XENSTORE_RING_SIZE];    /* store -> domain: replies, events */
	XENSTORE_RING_IDX req_cons, req_prod; /* domain writes req_prod */
	XENSTORE_RING_IDX rsp_cons, rsp_prod; /* domain writes rsp_cons */
	uint32_t server_features;        /* XENSTORE_SERVER_FEATURE_*, store-set */
	uint32_t connection;             /* XENSTORE_CONNECTED / _RECONNECT */
	uint32_t error;                  /* XENSTORE_ERROR_*, store-set */
	uint32_t evtchn_port;            /* set by a builder; 0 = use INTRODUCE's */
};

/* server_features bits. */
#define XENSTORE_SERVER_FEATURE_RECONNECTION 1 /* connection field honoured */
#define XENSTORE_SERVER_FEATURE_ERROR        2 /* error field is set */
#define XENSTORE_SERVER_FEATURE_WATCHDEPTH   4 /* WATCH takes a depth */
#define XENSTORE_SERVER_FEATURE_DOMID_ANY    8 /* perms may name DOMID_ANY */

/* connection field. */
#define XENSTORE_CONNECTED 0
#define XENSTORE_RECONNECT 1

/* error field: why the store stopped serving the ring. */
#define XENSTORE_ERROR_NONE    0
#define XENSTORE_ERROR_COMM    1 /* event channel trouble */
#define XENSTORE_ERROR_RINGIDX 2 /* an index out of range */
#define XENSTORE_ERROR_PROTO   3 /* a message longer than the maximum */

/* Xen's layout, which existing guests were compiled against. */
_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, rsp) == 1024, "rsp");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, req_cons) == 2048, "req_cons");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, req_prod) == 2052, "req_prod");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, rsp_cons) == 2056, "rsp_cons");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, rsp_prod) == 2060, "rsp_prod");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, server_features) == 2064, "features");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, connection) == 2068, "connection");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, error) == 2072, "error");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, evtchn_port) == 2076, "evtchn_port");

#endif
