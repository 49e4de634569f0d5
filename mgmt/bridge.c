/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Learning Ethernet bridges (see bridge.h).
 *
 * The forwarding table is a hash table without chains: a MAC lives in one
 * of BRIDGE_FDB_WAYS consecutive entries from its hash, so a lookup or a
 * learning step costs at most that many compares, and the table never
 * grows. Deleting is clearing an entry (a lookup scans the whole window,
 * so no tombstones are needed). A full window gives its oldest entry to
 * the newcomer: a flood of made-up source MACs (from an uplink; a guest
 * port's are checked) can push out entries of its own window only, and
 * the hash is seeded.
 */
#include "bridge.h" /* beside it: builds with or without -I. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ETH_HLEN 14u
#define ETH_P_IP   0x0800u
#define ETH_P_IPV6 0x86ddu
#define ETH_P_8021Q 0x8100u

/* ---- frames ---- */

void bridge_set_reclaim(struct bridge_set *s, bridge_reclaim_fn *fn, void *ctx)
{
	s->reclaim = fn;
	s->reclaim_ctx = ctx;
}

struct netframe *netframe_new(struct bridge_set *s, uint32_t len)
{
	uint64_t cost = netframe_cost(len);

	if (s->frame_bytes + cost > s->frame_budget && s->reclaim && cost <= s->frame_budget) {
		s->reclaims++;
		s->reclaim(s->reclaim_ctx, s->frame_bytes + cost - s->frame_budget);
	}
	if (s->frame_bytes + cost > s->frame_budget)
		return NULL;
	struct netframe *f = malloc(cost);
	if (!f)
		return NULL;
	memset(f, 0, sizeof(*f));
	f->refs = 1;
	f->len = len;
	f->set = s;
	s->frame_bytes += cost;
	s->frames++;
	return f;
}

void netframe_put(struct netframe *f)
{
	if (--f->refs)
		return;
	f->set->frame_bytes -= netframe_cost(f->len);
	f->set->frames--;
	free(f);
}

const char *bridge_drop_name(enum bridge_drop d)
{
	static const char *const names[BRIDGE_DROP_REASONS] = {
		"spoofed", "bad source", "runt", "bad gso", "too big", "down", "full", "nomem",
		"unfinished",
	};
	return d < BRIDGE_DROP_REASONS ? names[d] : "?";
}

/* ---- bridges and ports ---- */

void bridge_set_init(struct bridge_set *s, uint64_t frame_budget, uint32_t seed)
{
	memset(s, 0, sizeof(*s));
	s->frame_budget = frame_budget;
	s->seed = seed;
}

bool bridge_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= BRIDGE_NAME_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

struct bridge *bridge_find(struct bridge_set *s, const char *name)
{
	for (unsigned i = 0; i < BRIDGE_MAX; i++)
		if (s->br[i].used && !strcmp(s->br[i].name, name))
			return &s->br[i];
	return NULL;
}

static struct bridge *bridge_make(struct bridge_set *s, const char *name)
{
	struct bridge *b = NULL;

	for (unsigned i = 0; i < BRIDGE_MAX && !b; i++)
		if (!s->br[i].used)
			b = &s->br[i];
	if (!b || !bridge_name_ok(name))
		return NULL;
	memset(b, 0, sizeof(*b));
	if (!(b->fdb = calloc(BRIDGE_FDB_SIZE, sizeof(*b->fdb))))
		return NULL;
	b->used = true;
	strcpy(b->name, name);
	b->set = s;
	b->age_ns = BRIDGE_AGE_NS;
	b->seed = s->seed ^ (uint32_t)(b - s->br) * 0x9e3779b9u;
	return b;
}

struct bridge_port *bridge_port_add(struct bridge_set *s, const char *bridge,
				    const struct bridge_port_cfg *cfg)
{
	struct bridge *b = bridge_find(s, bridge);
	bool made = false;

	if (!b) {
		if (!(b = bridge_make(s, bridge)))
			return NULL;
		made = true;
	}
	unsigned i;
	for (i = 0; i < BRIDGE_PORTS_MAX && b->port[i]; i++)
		;
	struct bridge_port *p = i < BRIDGE_PORTS_MAX ? calloc(1, sizeof(*p)) : NULL;
	if (!p) {
		if (made) {
			free(b->fdb);
			memset(b, 0, sizeof(*b));
		}
		return NULL;
	}
	p->br = b;
	p->index = (uint16_t)i;
	strncpy(p->name, cfg->name ? cfg->name : "", BRIDGE_NAME_LEN - 1);
	memcpy(p->mac, cfg->mac, 6);
	p->antispoof = cfg->antispoof;
	p->up = cfg->up;
	p->caps = cfg->caps;
	p->max_frame = cfg->max_frame;
	p->xmit = cfg->xmit;
	p->ctx = cfg->ctx;
	b->port[i] = p;
	b->nports++;
	return p;
}

void bridge_port_del(struct bridge_port *p)
{
	struct bridge *b = p->br;

	for (unsigned i = 0; i < BRIDGE_FDB_SIZE; i++)
		if (b->fdb[i].port == p->index + 1u)
			memset(&b->fdb[i], 0, sizeof(b->fdb[i]));
	b->port[p->index] = NULL;
	b->nports--;
	free(p);
	if (!b->nports) {
		free(b->fdb);
		memset(b, 0, sizeof(*b));
	}
}

void bridge_port_set(struct bridge_port *p, bool up, unsigned caps, uint32_t max_frame)
{
	p->up = up;
	p->caps = caps;
	p->max_frame = max_frame;
}

/* ---- the forwarding table ---- */

static uint32_t fdb_hash(const struct bridge *b, const uint8_t mac[6])
{
	uint32_t h = 2166136261u ^ b->seed; /* FNV-1a, seeded */

	for (unsigned i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h ^ (h >> 15);
}

static struct bridge_fdb *fdb_at(struct bridge *b, uint32_t h, unsigned way)
{
	return &b->fdb[(h + way) & (BRIDGE_FDB_SIZE - 1)];
}

static bool fdb_live(struct bridge *b, struct bridge_fdb *e, uint64_t now)
{
	if (!e->port)
		return false;
	if (now - e->seen > b->age_ns) {
		memset(e, 0, sizeof(*e));
		b->st.aged++;
		return false;
	}
	return true;
}

struct bridge_port *bridge_lookup(struct bridge *b, const uint8_t mac[6], uint64_t now)
{
	uint32_t h = fdb_hash(b, mac);

	for (unsigned w = 0; w < BRIDGE_FDB_WAYS; w++) {
		struct bridge_fdb *e = fdb_at(b, h, w);
		if (fdb_live(b, e, now) && !memcmp(e->mac, mac, 6))
			return b->port[e->port - 1];
	}
	return NULL;
}

static void fdb_learn(struct bridge *b, const uint8_t mac[6], struct bridge_port *p, uint64_t now)
{
	uint32_t h = fdb_hash(b, mac);
	struct bridge_fdb *free_e = NULL, *oldest = NULL;

	for (unsigned w = 0; w < BRIDGE_FDB_WAYS; w++) {
		struct bridge_fdb *e = fdb_at(b, h, w);
		if (!fdb_live(b, e, now)) {
			free_e = free_e ? free_e : e;
			continue;
		}
		if (!memcmp(e->mac, mac, 6)) {
			b->st.moved += e->port != p->index + 1u;
			e->port = (uint16_t)(p->index + 1u);
			e->seen = now;
			return;
		}
		if (!oldest || (int64_t)(e->seen - oldest->seen) < 0)
			oldest = e;
	}
	if (!free_e) {
		free_e = oldest;
		b->st.evicted++;
	}
	memcpy(free_e->mac, mac, 6);
	free_e->port = (uint16_t)(p->index + 1u);
	free_e->seen = now;
	b->st.learned++;
}

void bridge_age(struct bridge *b, uint64_t now)
{
	for (unsigned i = 0; i < BRIDGE_FDB_SIZE; i++)
		fdb_live(b, &b->fdb[i], now);
}

/* ---- forwarding ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The frame's ethertype after one VLAN tag (0 if too short). */
static uint16_t ethertype(const struct netframe *f)
{
	uint16_t t = get16(f->data + 12);

	if (t == ETH_P_8021Q)
		t = f->len >= 18 ? get16(f->data + 16) : 0;
	return t;
}

static void count_out(struct bridge_port *p, const struct netframe *f)
{
	p->st.out_packets++;
	p->st.out_bytes += f->len;
	p->st.out_gso += f->off.gso_type != NETPKT_GSO_NONE;
}

/* Hands a finished frame to the port. */
static bool xmit(struct bridge_port *p, struct netframe *f)
{
	int rc = p->xmit(p->ctx, f);

	if (rc) {
		p->st.drops[rc == -ENETDOWN ? BRIDGE_DROP_DOWN : BRIDGE_DROP_FULL]++;
		return false;
	}
	count_out(p, f);
	return true;
}

struct seg_ctx {
	struct bridge_port *p;
	unsigned sent;
};

/* One segment of a GSO frame: a frame of its own, checksums filled in. */
static void seg_emit(void *opaque, const uint8_t *frame, size_t len)
{
	struct seg_ctx *c = opaque;
	struct bridge_port *p = c->p;

	if (len > p->max_frame) {
		p->st.drops[BRIDGE_DROP_TOO_BIG]++;
		return;
	}
	struct netframe *s = netframe_new(p->br->set, (uint32_t)len);
	if (!s) {
		p->st.drops[BRIDGE_DROP_NOMEM]++;
		return;
	}
	memcpy(s->data, frame, len);
	s->off.data_validated = true;
	c->sent += xmit(p, s);
	netframe_put(s);
}

/* A GSO frame for a port that does not take its type: its segments. */
static bool segment(struct bridge_port *p, struct netframe *f)
{
	struct netpkt_hdrs h;

	if (netpkt_parse(f->data, f->len, &h) || !h.payload) {
		p->st.drops[BRIDGE_DROP_FINISH]++;
		return false;
	}
	size_t seg_len = (size_t)h.payload + f->off.gso_size;
	if (seg_len > p->max_frame) {
		p->st.drops[BRIDGE_DROP_TOO_BIG]++;
		return false;
	}
	uint8_t *seg = malloc(seg_len);
	struct seg_ctx c = { p, 0 };
	int n = seg ? netpkt_gso_segment(f->data, f->len, &f->off, seg, seg_len, seg_emit, &c)
		    : -ENOMEM;
	free(seg);
	if (n < 0) {
		p->st.drops[n == -ENOMEM ? BRIDGE_DROP_NOMEM : BRIDGE_DROP_FINISH]++;
		return false;
	}
	p->st.segmented++;
	return c.sent > 0;
}

/* A copy of a csum_blank frame with its checksum filled in. */
static bool fill_csum(struct bridge_port *p, struct netframe *f)
{
	struct netframe *c = netframe_new(p->br->set, f->len);

	if (!c) {
		p->st.drops[BRIDGE_DROP_NOMEM]++;
		return false;
	}
	memcpy(c->data, f->data, f->len);
	bool ok = netpkt_csum_fill(c->data, c->len) == 0;
	if (ok) {
		c->off.data_validated = true;
		p->st.csum_filled++;
		ok = xmit(p, c);
	} else {
		p->st.drops[BRIDGE_DROP_FINISH]++;
	}
	netframe_put(c);
	return ok;
}

/* Does port p take the frame's GSO type, or its blank checksum? */
static bool takes_gso(const struct bridge_port *p, const struct netframe *f)
{
	return f->off.gso_type == NETPKT_GSO_TCPV4 ? p->caps & BRIDGE_CAP_GSO4
						   : p->caps & BRIDGE_CAP_GSO6;
}

static bool takes_csum(const struct bridge_port *p, const struct netframe *f)
{
	uint16_t t = ethertype(f);

	return t == ETH_P_IP ? p->caps & BRIDGE_CAP_CSUM4
	       : t == ETH_P_IPV6 ? p->caps & BRIDGE_CAP_CSUM6 : false;
}

/* The frame out of port p, finished as p needs it. */
static bool deliver(struct bridge_port *p, struct netframe *f)
{
	if (!p->up) {
		p->st.drops[BRIDGE_DROP_DOWN]++;
		return false;
	}
	if (f->off.gso_type != NETPKT_GSO_NONE && !takes_gso(p, f))
		return segment(p, f);
	if (f->off.gso_type == NETPKT_GSO_NONE && f->len > p->max_frame) {
		p->st.drops[BRIDGE_DROP_TOO_BIG]++;
		return false;
	}
	if (f->off.csum_blank && f->off.gso_type == NETPKT_GSO_NONE && !takes_csum(p, f))
		return fill_csum(p, f);
	return xmit(p, f);
}

/* A GSO frame must be TCP of its IP version, with a sane segment count. */
static bool gso_ok(const struct netframe *f)
{
	struct netpkt_hdrs h;

	if (!f->off.gso_size || netpkt_parse(f->data, f->len, &h) || h.proto != 6 || !h.payload)
		return false;
	if (h.ethertype != (f->off.gso_type == NETPKT_GSO_TCPV4 ? ETH_P_IP : ETH_P_IPV6))
		return false;
	uint32_t payload = h.l4 + h.l4_len - h.payload;
	return (payload + f->off.gso_size - 1) / f->off.gso_size <= BRIDGE_SEGS_MAX;
}

static int drop_in(struct bridge_port *in, struct netframe *f, enum bridge_drop why)
{
	in->st.drops[why]++;
	netframe_put(f);
	return -1;
}

int bridge_input(struct bridge_port *in, struct netframe *f, uint64_t now)
{
	struct bridge *b = in->br;
	static const uint8_t zero[6];

	in->st.in_packets++;
	in->st.in_bytes += f->len;
	in->st.in_gso += f->off.gso_type != NETPKT_GSO_NONE;
	if (f->len < ETH_HLEN)
		return drop_in(in, f, BRIDGE_DROP_RUNT);
	const uint8_t *dst = f->data, *src = f->data + 6;
	if (in->antispoof && memcmp(src, in->mac, 6))
		return drop_in(in, f, BRIDGE_DROP_SPOOF);
	if ((src[0] & 1) || !memcmp(src, zero, 6))
		return drop_in(in, f, BRIDGE_DROP_SOURCE);
	if (f->off.gso_type != NETPKT_GSO_NONE && !gso_ok(f))
		return drop_in(in, f, BRIDGE_DROP_BAD_GSO);
	fdb_learn(b, src, in, now);
	struct bridge_port *to = (dst[0] & 1) ? NULL : bridge_lookup(b, dst, now);
	int sent = 0;
	if (to == in) {
		b->st.filtered++;
	} else if (to) {
		b->st.forwarded++;
		sent = deliver(to, f);
	} else {
		b->st.flooded++;
		for (unsigned i = 0; i < BRIDGE_PORTS_MAX; i++) {
			struct bridge_port *p = b->port[i];
			if (p && p != in && p->up)
				sent += deliver(p, f);
		}
	}
	netframe_put(f);
	return sent;
}
