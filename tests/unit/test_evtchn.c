/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channels: the 2-level bitmaps (pending/mask/selector/upcall, the
 * unmask re-raise, word boundaries, and a random run against a reference
 * model), the port lifecycle between fake domains, VIRQs and IPIs, every
 * refusal with its errno (and the tables left unchanged), and 100k random
 * operations with hostile arguments checking the table invariants; the
 * FIFO ABI on fake guest pages (switch, queues, links, masks, early
 * ports, priorities, refusals, reset).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "kernel/evtchn.h"

/* The port's mask bit in the 2-level bitmap. */
static bool evtchn_2l_is_masked(const struct shared_info *s, uint32_t port)
{
	const unsigned bits = 8 * sizeof(s->evtchn_mask[0]);

	return port < EVTCHN_2L_NR_CHANNELS && ((s->evtchn_mask[port / bits] >> (port % bits)) & 1);
}

/* ---- fake domains ---- */

#define NDOMS 3

struct world {
	struct evtchn_table *t[NDOMS];
	struct evtchn_table *snap[NDOMS];
	bool gone[NDOMS]; /* lookups fail, as for a domain being destroyed */
	struct evtchn_domains doms;
};

static struct evtchn_table *lookup(void *ctx, uint16_t domid)
{
	struct world *w = ctx;

	for (int i = 0; i < NDOMS; i++)
		if (w->t[i]->domid == domid && !w->gone[i])
			return w->t[i];
	return NULL;
}

static struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof(*w));
	static const unsigned vcpus[NDOMS] = { 2, 2, 4 };

	for (int i = 0; i < NDOMS; i++) {
		w->t[i] = malloc(sizeof(struct evtchn_table));
		w->snap[i] = malloc(sizeof(struct evtchn_table));
		assert_int_equal(evtchn_table_init(w->t[i], (uint16_t)(i + 1), vcpus[i]), 0);
	}
	w->doms = (struct evtchn_domains){ lookup, w };
	return w;
}

static void world_free(struct world *w)
{
	for (int i = 0; i < NDOMS; i++) {
		free(w->t[i]);
		free(w->snap[i]);
	}
	free(w);
}

static void snapshot(struct world *w)
{
	for (int i = 0; i < NDOMS; i++)
		memcpy(w->snap[i], w->t[i], sizeof(struct evtchn_table));
}

static bool unchanged(const struct world *w)
{
	for (int i = 0; i < NDOMS; i++)
		if (memcmp(w->snap[i], w->t[i], sizeof(struct evtchn_table)))
			return false;
	return true;
}

/* A refusal: the expected errno and no change anywhere. */
#define REFUSED(w, call, err)                          \
	do {                                           \
		snapshot(w);                           \
		assert_int_equal((call), -(err));      \
		assert_true(unchanged(w));             \
	} while (0)

/* Every port pair points at each other, every VIRQ port is in the map and
 * the reverse, notify vcpus are in range, port 0 stays reserved. */
static void check_invariants(const struct world *w)
{
	for (int i = 0; i < NDOMS; i++) {
		const struct evtchn_table *t = w->t[i];

		assert_int_equal(t->ports[0].state, ECS_RESERVED);
		for (unsigned p = 1; p < EVTCHN_MAX_PORTS; p++) {
			const struct evtchn *c = &t->ports[p];
			const struct evtchn_table *r;

			assert_true(c->notify_vcpu < t->nr_vcpus);
			switch (c->state) {
			case ECS_FREE:
				assert_int_equal(c->notify_vcpu, 0);
				break;
			case ECS_INTERDOMAIN:
				r = lookup((void *)w, c->remote_dom);
				assert_non_null(r);
				assert_int_equal(r->ports[c->remote_port].state, ECS_INTERDOMAIN);
				assert_int_equal(r->ports[c->remote_port].remote_dom, t->domid);
				assert_int_equal(r->ports[c->remote_port].remote_port, p);
				break;
			case ECS_VIRQ:
				assert_true(c->virq < NR_VIRQS);
				assert_int_equal(t->virq_port[evtchn_virq_is_per_vcpu(c->virq) ?
							      c->notify_vcpu : 0][c->virq], p);
				break;
			case ECS_UNBOUND:
			case ECS_IPI:
				break;
			default:
				fail_msg("port %u bad state %u", p, c->state);
			}
		}
		for (unsigned v = 0; v < EVTCHN_MAX_VCPUS; v++)
			for (unsigned q = 0; q < NR_VIRQS; q++) {
				uint16_t p = t->virq_port[v][q];

				if (!p)
					continue;
				assert_true(v < t->nr_vcpus);
				assert_int_equal(t->ports[p].state, ECS_VIRQ);
				assert_int_equal(t->ports[p].virq, q);
				if (evtchn_virq_is_per_vcpu(q))
					assert_int_equal(t->ports[p].notify_vcpu, v);
				else
					assert_int_equal(v, 0);
			}
	}
}

static bool all_free(const struct evtchn_table *t)
{
	static const uint16_t zero[EVTCHN_MAX_VCPUS][NR_VIRQS];

	for (unsigned p = 1; p < EVTCHN_MAX_PORTS; p++)
		if (t->ports[p].state != ECS_FREE || t->ports[p].notify_vcpu)
			return false;
	return !memcmp(t->virq_port, zero, sizeof(zero));
}

/* ---- bitmaps ---- */

static struct shared_info sh;

static uint64_t bit(unsigned n)
{
	return 1ull << (n % 64);
}

static void test_bitmap_pending(void **state)
{
	struct vcpu_info *v = &sh.vcpu_info[0];

	memset(&sh, 0, sizeof(sh));
	assert_true(evtchn_2l_set_pending(&sh, v, 5));
	assert_int_equal(sh.evtchn_pending[0], bit(5));
	assert_int_equal(v->evtchn_pending_sel, 1);
	assert_int_equal(v->evtchn_upcall_pending, 1);
	/* Already pending: no second edge. */
	assert_false(evtchn_2l_set_pending(&sh, v, 5));
	/* Same word: selector already set, no new upcall. */
	assert_false(evtchn_2l_set_pending(&sh, v, 6));
	assert_int_equal(sh.evtchn_pending[0], bit(5) | bit(6));
	/* The guest acknowledged the upcall but not the ports: no edge. */
	v->evtchn_upcall_pending = 0;
	v->evtchn_pending_sel = 0;
	assert_false(evtchn_2l_set_pending(&sh, v, 6));
	assert_int_equal(v->evtchn_upcall_pending, 0);
	/* ... but a new port is one. The guest's upcall mask is not ours. */
	v->evtchn_upcall_mask = 1;
	assert_true(evtchn_2l_set_pending(&sh, v, 7));
	assert_int_equal(v->evtchn_pending_sel, 1);
	/* Upcall still pending from before: selector set, no new upcall. */
	assert_false(evtchn_2l_set_pending(&sh, v, 200));
	assert_int_equal(v->evtchn_pending_sel, 1 | bit(3));
	evtchn_2l_clear_pending(&sh, 5);
	assert_false(evtchn_2l_is_pending(&sh, 5));
	assert_true(evtchn_2l_is_pending(&sh, 6));
}

static void test_bitmap_boundaries(void **state)
{
	static const uint32_t ports[] = { 0, 63, 64, 127, 1023, 1024, 4095 };

	for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		uint32_t p = ports[i];
		struct vcpu_info *v = &sh.vcpu_info[31];

		memset(&sh, 0, sizeof(sh));
		assert_true(evtchn_2l_set_pending(&sh, v, p));
		for (unsigned w = 0; w < 64; w++)
			assert_int_equal(sh.evtchn_pending[w], w == p / 64 ? bit(p) : 0);
		assert_int_equal(v->evtchn_pending_sel, bit(p / 64));
		assert_true(evtchn_2l_is_pending(&sh, p));
		assert_false(evtchn_2l_is_pending(&sh, p ^ 1));
		evtchn_2l_clear_pending(&sh, p);
		assert_int_equal(sh.evtchn_pending[p / 64], 0);
	}
	/* Beyond the 2-level range: nothing happens. */
	static struct shared_info before;
	memset(&sh, 0, sizeof(sh));
	memcpy(&before, &sh, sizeof(sh));
	assert_false(evtchn_2l_set_pending(&sh, &sh.vcpu_info[0], 4096));
	assert_false(evtchn_2l_unmask(&sh, &sh.vcpu_info[0], UINT32_MAX));
	evtchn_2l_clear_pending(&sh, 4096);
	assert_false(evtchn_2l_is_pending(&sh, 4096));
	assert_false(evtchn_2l_is_masked(&sh, 0xffffffffu));
	assert_memory_equal(&before, &sh, sizeof(sh));
}

static void test_bitmap_mask_unmask(void **state)
{
	struct vcpu_info *v = &sh.vcpu_info[1];

	memset(&sh, 0, sizeof(sh));
	sh.evtchn_mask[1] = bit(70);
	assert_true(evtchn_2l_is_masked(&sh, 70));
	/* Masked: pending is recorded, nothing else. */
	assert_false(evtchn_2l_set_pending(&sh, v, 70));
	assert_int_equal(sh.evtchn_pending[1], bit(70));
	assert_int_equal(v->evtchn_pending_sel, 0);
	assert_int_equal(v->evtchn_upcall_pending, 0);
	/* Unmask re-raises. */
	assert_true(evtchn_2l_unmask(&sh, v, 70));
	assert_int_equal(sh.evtchn_mask[1], 0);
	assert_int_equal(v->evtchn_pending_sel, bit(1));
	assert_int_equal(v->evtchn_upcall_pending, 1);
	/* Not masked: unmask does nothing. */
	v->evtchn_pending_sel = 0;
	v->evtchn_upcall_pending = 0;
	assert_false(evtchn_2l_unmask(&sh, v, 70));
	assert_int_equal(v->evtchn_pending_sel, 0);
	/* Masked but not pending: clears the mask only. */
	sh.evtchn_mask[2] = bit(130);
	assert_false(evtchn_2l_unmask(&sh, v, 130));
	assert_int_equal(sh.evtchn_mask[2], 0);
	assert_int_equal(v->evtchn_upcall_pending, 0);
	/* Masked and pending while an upcall is already pending. */
	sh.evtchn_mask[0] = bit(1);
	sh.evtchn_pending[0] = bit(1);
	v->evtchn_upcall_pending = 1;
	assert_false(evtchn_2l_unmask(&sh, v, 1));
	assert_int_equal(v->evtchn_pending_sel, 1);
}

/* The bitmaps against a model, with the guest acking, masking and
 * clearing at random in between. */
static void test_bitmap_random(void **state)
{
	static bool pend[4096], mask[4096];
	uint64_t sel = 0;
	bool up = false;
	struct vcpu_info *v = &sh.vcpu_info[3];

	memset(&sh, 0, sizeof(sh));
	memset(pend, 0, sizeof(pend));
	memset(mask, 0, sizeof(mask));
	srand(7);
	for (int i = 0; i < 200000; i++) {
		uint32_t p = (uint32_t)rand() % 4096;
		bool r, expect;

		switch (rand() % 6) {
		case 0:
		case 1:
			r = evtchn_2l_set_pending(&sh, v, p);
			expect = false;
			if (!pend[p] && !mask[p] && !(sel & bit(p / 64))) {
				sel |= bit(p / 64);
				expect = !up;
				up = true;
			}
			pend[p] = true;
			assert_int_equal(r, expect);
			break;
		case 2:
			r = evtchn_2l_unmask(&sh, v, p);
			expect = false;
			if (mask[p] && pend[p] && !(sel & bit(p / 64))) {
				sel |= bit(p / 64);
				expect = !up;
				up = true;
			}
			mask[p] = false;
			assert_int_equal(r, expect);
			break;
		case 3: /* the guest masks */
			sh.evtchn_mask[p / 64] |= bit(p);
			mask[p] = true;
			break;
		case 4: /* the guest handles a port */
			sh.evtchn_pending[p / 64] &= ~bit(p);
			pend[p] = false;
			break;
		default: /* the guest acks the upcall and takes the selector */
			v->evtchn_upcall_pending = 0;
			v->evtchn_pending_sel = 0;
			up = false;
			sel = 0;
			break;
		}
		assert_int_equal(v->evtchn_pending_sel, sel);
		assert_int_equal(v->evtchn_upcall_pending, up);
		assert_int_equal(evtchn_2l_is_pending(&sh, p), pend[p]);
		assert_int_equal(evtchn_2l_is_masked(&sh, p), mask[p]);
	}
}

/* ---- port tables ---- */

static void expect_status(const struct evtchn_table *t, uint32_t port, uint32_t status,
			  uint32_t vcpu, uint32_t dom, uint32_t rport_or_virq)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

	assert_int_equal(evtchn_status(t, port, &st), 0);
	assert_int_equal(st.status, status);
	assert_int_equal(st.vcpu, vcpu);
	if (status == EVTCHNSTAT_unbound)
		assert_int_equal(st.u.unbound.dom, dom);
	if (status == EVTCHNSTAT_interdomain) {
		assert_int_equal(st.u.interdomain.dom, dom);
		assert_int_equal(st.u.interdomain.port, rport_or_virq);
	}
	if (status == EVTCHNSTAT_virq)
		assert_int_equal(st.u.virq, rport_or_virq);
}

static void expect_notify(const struct evtchn_notify *n, uint16_t dom, uint32_t port,
			  uint32_t vcpu)
{
	assert_int_equal(n->domid, dom);
	assert_int_equal(n->port, port);
	assert_int_equal(n->vcpu, vcpu);
}

static void test_lifecycle(void **state)
{
	struct world *w = world_new();
	struct evtchn_table *a = w->t[0], *b = w->t[1];
	struct evtchn_notify n;
	static struct shared_info shb;
	int pa, pb, pa2;

	expect_status(a, 0, EVTCHNSTAT_closed, 0, 0, 0);
	pa = evtchn_alloc_unbound(a, 2);
	assert_int_equal(pa, 1);
	expect_status(a, 1, EVTCHNSTAT_unbound, 0, 2, 0);
	assert_int_equal(evtchn_send(&w->doms, a, pa, &n), 0); /* dropped */

	pb = evtchn_bind_interdomain(&w->doms, b, 1, (uint32_t)pa, &n);
	assert_int_equal(pb, 1);
	expect_notify(&n, 2, 1, 0); /* the new local port is set pending */
	expect_status(a, pa, EVTCHNSTAT_interdomain, 0, 2, pb);
	expect_status(b, pb, EVTCHNSTAT_interdomain, 0, 1, pa);
	check_invariants(w);

	/* Send both ways; deliver into B's shared info. */
	assert_int_equal(evtchn_send(&w->doms, a, pa, &n), 1);
	expect_notify(&n, 2, pb, 0);
	memset(&shb, 0, sizeof(shb));
	assert_true(evtchn_2l_set_pending(&shb, &shb.vcpu_info[n.vcpu], n.port));
	assert_int_equal(evtchn_bind_vcpu(b, pb, 1), 0);
	assert_int_equal(evtchn_send(&w->doms, a, pa, &n), 1);
	expect_notify(&n, 2, pb, 1);
	assert_int_equal(evtchn_port_vcpu(b, pb), 1);
	assert_int_equal(evtchn_send(&w->doms, b, pb, &n), 1);
	expect_notify(&n, 1, pa, 0);

	/* Close A's end: B's goes back to unbound, accepting A. */
	assert_int_equal(evtchn_close(&w->doms, a, pa), 0);
	expect_status(a, pa, EVTCHNSTAT_closed, 0, 0, 0);
	expect_status(b, pb, EVTCHNSTAT_unbound, 1, 1, 0);
	assert_int_equal(evtchn_send(&w->doms, b, pb, &n), 0);
	assert_int_equal(evtchn_send(&w->doms, a, pa, &n), -EINVAL);
	check_invariants(w);

	/* Rebind from A to B's waiting port; A's freed port is reused. */
	pa2 = evtchn_bind_interdomain(&w->doms, a, 2, (uint32_t)pb, &n);
	assert_int_equal(pa2, pa);
	expect_notify(&n, 1, pa2, 0);
	expect_status(b, pb, EVTCHNSTAT_interdomain, 1, 1, pa2);
	assert_int_equal(evtchn_send(&w->doms, a, pa2, &n), 1);
	expect_notify(&n, 2, pb, 1);

	/* Close from B's side this time. */
	assert_int_equal(evtchn_close(&w->doms, b, pb), 0);
	expect_status(a, pa2, EVTCHNSTAT_unbound, 0, 2, 0);
	check_invariants(w);

	/* Loopback within A, through DOMID_SELF. */
	int l1 = evtchn_alloc_unbound(a, 1);
	int l2 = evtchn_bind_interdomain(&w->doms, a, DOMID_SELF, (uint32_t)l1, &n);
	assert_true(l1 > 0 && l2 > 0 && l1 != l2);
	assert_int_equal(evtchn_send(&w->doms, a, l1, &n), 1);
	expect_notify(&n, 1, l2, 0);
	assert_int_equal(evtchn_send(&w->doms, a, l2, &n), 1);
	expect_notify(&n, 1, l1, 0);
	check_invariants(w);

	/* A domain whose lookups fail (being destroyed): close still works. */
	int u = evtchn_alloc_unbound(b, 3);
	int c = evtchn_bind_interdomain(&w->doms, w->t[2], 2, (uint32_t)u, &n);
	assert_true(c > 0);
	w->gone[1] = true;
	assert_int_equal(evtchn_send(&w->doms, w->t[2], c, &n), 0);
	assert_int_equal(evtchn_close(&w->doms, w->t[2], c), 0);
	w->gone[1] = false;

	for (int i = 0; i < NDOMS; i++)
		evtchn_reset(&w->doms, w->t[i]);
	for (int i = 0; i < NDOMS; i++)
		assert_true(all_free(w->t[i]));
	world_free(w);
}

/* PIRQs: one port per pirq, events on vcpu 0 (movable), no sends,
 * status, close and rebind, reset. */
static void test_pirq(void **state)
{
	struct world *w = world_new();
	struct evtchn_table *a = w->t[0];
	struct evtchn_notify n;
	struct evtchn_status st = { .dom = DOMID_SELF };

	assert_int_equal(evtchn_pirq_target(a, 3, &n), 0);
	int p = evtchn_bind_pirq(a, 3);
	assert_true(p > 0);
	assert_int_equal(evtchn_bind_pirq(a, 3), -EEXIST);
	assert_int_equal(evtchn_bind_pirq(a, EVTCHN_MAX_PIRQS), -EINVAL);
	assert_int_equal(evtchn_bind_pirq(a, 0xffffffffu), -EINVAL);
	st.port = (uint32_t)p;
	assert_int_equal(evtchn_status(a, (uint32_t)p, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_pirq);
	assert_int_equal(st.u.pirq, 3);
	assert_int_equal(evtchn_pirq_target(a, 3, &n), 1);
	expect_notify(&n, a->domid, (uint32_t)p, 0);
	assert_int_equal(evtchn_pirq_target(a, 4, &n), 0);
	assert_int_equal(evtchn_pirq_target(a, 100000, &n), 0);
	assert_int_equal(evtchn_bind_vcpu(a, (uint32_t)p, 1), 0);
	assert_int_equal(evtchn_pirq_target(a, 3, &n), 1);
	expect_notify(&n, a->domid, (uint32_t)p, 1);
	assert_int_equal(evtchn_send(&w->doms, a, (uint32_t)p, &n), -EINVAL);
	assert_int_equal(evtchn_close(&w->doms, a, (uint32_t)p), 0);
	assert_int_equal(evtchn_pirq_target(a, 3, &n), 0);
	assert_int_equal(evtchn_bind_pirq(a, 3), p);
	assert_true(evtchn_bind_pirq(a, 255) > 0);
	evtchn_reset(&w->doms, a);
	assert_int_equal(evtchn_pirq_target(a, 3, &n), 0);
	assert_int_equal(evtchn_pirq_target(a, 255, &n), 0);
	world_free(w);
}

static void test_virq_ipi(void **state)
{
	struct world *w = world_new();
	struct evtchn_table *a = w->t[0], *b = w->t[1];
	struct evtchn_notify n;
	int t0, t1, con, ipi;

	assert_int_equal(evtchn_virq_target(a, VIRQ_TIMER, 0, &n), 0);
	t0 = evtchn_bind_virq(a, VIRQ_TIMER, 0);
	t1 = evtchn_bind_virq(a, VIRQ_TIMER, 1);
	assert_true(t0 > 0 && t1 > 0 && t0 != t1);
	expect_status(a, t1, EVTCHNSTAT_virq, 1, 0, VIRQ_TIMER);
	assert_int_equal(evtchn_virq_target(a, VIRQ_TIMER, 1, &n), 1);
	expect_notify(&n, 1, t1, 1);
	assert_int_equal(evtchn_virq_target(a, VIRQ_TIMER, 0, &n), 1);
	expect_notify(&n, 1, t0, 0);
	assert_int_equal(evtchn_virq_target(a, VIRQ_TIMER, 2, &n), 0);
	assert_int_equal(evtchn_virq_target(a, NR_VIRQS, 0, &n), 0);
	/* A VIRQ port cannot be sent on. */
	assert_int_equal(evtchn_send(&w->doms, a, t0, &n), -EINVAL);
	/* Close and rebind a per-vcpu VIRQ. */
	assert_int_equal(evtchn_close(&w->doms, a, t1), 0);
	assert_int_equal(evtchn_virq_target(a, VIRQ_TIMER, 1, &n), 0);
	assert_int_equal(evtchn_bind_virq(a, VIRQ_TIMER, 1), t1);

	/* A global VIRQ: bound on vcpu 0, may move, stays in row 0. */
	con = evtchn_bind_virq(a, VIRQ_CONSOLE, 0);
	assert_true(con > 0);
	assert_int_equal(evtchn_bind_vcpu(a, con, 1), 0);
	assert_int_equal(evtchn_virq_target(a, VIRQ_CONSOLE, 0, &n), 1);
	expect_notify(&n, 1, con, 1);
	assert_int_equal(evtchn_virq_target(a, VIRQ_CONSOLE, 7, &n), 1);
	REFUSED(w, evtchn_bind_virq(a, VIRQ_CONSOLE, 0), EEXIST);
	check_invariants(w);
	assert_int_equal(evtchn_close(&w->doms, a, con), 0);
	assert_int_equal(evtchn_bind_virq(a, VIRQ_CONSOLE, 0), con);

	/* IPIs notify their vcpu in their own domain. */
	ipi = evtchn_bind_ipi(b, 1);
	assert_true(ipi > 0);
	expect_status(b, ipi, EVTCHNSTAT_ipi, 1, 0, 0);
	assert_int_equal(evtchn_send(&w->doms, b, ipi, &n), 1);
	expect_notify(&n, 2, ipi, 1);
	check_invariants(w);

	evtchn_reset(&w->doms, a);
	evtchn_reset(&w->doms, b);
	assert_true(all_free(a) && all_free(b));
	world_free(w);
}

static void test_refusals(void **state)
{
	struct world *w = world_new();
	struct evtchn_table *a = w->t[0], *b = w->t[1];
	struct evtchn_notify n;
	struct evtchn_status st;
	static struct evtchn_table scratch;
	int ub, ipi, timer, con, other, bound;

	assert_int_equal(evtchn_table_init(&scratch, 9, 0), -EINVAL);
	assert_int_equal(evtchn_table_init(&scratch, 9, EVTCHN_MAX_VCPUS + 1), -EINVAL);

	ub = evtchn_alloc_unbound(b, 1);     /* accepts A */
	other = evtchn_alloc_unbound(b, 3);  /* accepts C only */
	bound = evtchn_alloc_unbound(b, 1);
	assert_true(evtchn_bind_interdomain(&w->doms, a, 2, (uint32_t)bound, &n) > 0);
	ipi = evtchn_bind_ipi(a, 0);
	timer = evtchn_bind_virq(a, VIRQ_TIMER, 0);
	con = evtchn_bind_virq(a, VIRQ_CONSOLE, 0);

	/* bind_interdomain */
	REFUSED(w, evtchn_bind_interdomain(&w->doms, a, 77, (uint32_t)ub, &n), ESRCH);
	REFUSED(w, evtchn_bind_interdomain(&w->doms, a, DOMID_INVALID, 1, &n), ESRCH);
	REFUSED(w, evtchn_bind_interdomain(&w->doms, a, 2, EVTCHN_MAX_PORTS, &n), EINVAL);
	REFUSED(w, evtchn_bind_interdomain(&w->doms, a, 2, UINT32_MAX, &n), EINVAL);
	REFUSED(w, evtchn_bind_interdomain(&w->doms, a, 2, 0, &n), EINVAL);
	REFUSED(w, evtchn_bind_interdomain(&w->doms, a, 2, 1000, &n), EINVAL);
	REFUSED(w, evtchn_bind_interdomain(&w->doms, a, 2, (uint32_t)other, &n), EINVAL);
	REFUSED(w, evtchn_bind_interdomain(&w->doms, a, 2, (uint32_t)bound, &n), EINVAL);
	REFUSED(w, evtchn_bind_interdomain(&w->doms, a, DOMID_SELF, (uint32_t)ipi, &n), EINVAL);

	/* bind_virq: range, then global-on-vcpu, then vcpu, then taken */
	REFUSED(w, evtchn_bind_virq(a, NR_VIRQS, 0), EINVAL);
	REFUSED(w, evtchn_bind_virq(a, UINT32_MAX, 0), EINVAL);
	REFUSED(w, evtchn_bind_virq(a, VIRQ_CONSOLE, 1), EINVAL);
	REFUSED(w, evtchn_bind_virq(a, VIRQ_DOM_EXC, UINT32_MAX), EINVAL);
	REFUSED(w, evtchn_bind_virq(a, VIRQ_TIMER, 2), ENOENT);
	REFUSED(w, evtchn_bind_virq(a, VIRQ_DEBUG, UINT32_MAX), ENOENT);
	REFUSED(w, evtchn_bind_virq(a, VIRQ_TIMER, 0), EEXIST);
	REFUSED(w, evtchn_bind_virq(a, VIRQ_CONSOLE, 0), EEXIST);

	/* bind_ipi */
	REFUSED(w, evtchn_bind_ipi(a, 2), ENOENT);
	REFUSED(w, evtchn_bind_ipi(a, UINT32_MAX), ENOENT);

	/* bind_vcpu: the vcpu is checked first */
	REFUSED(w, evtchn_bind_vcpu(a, UINT32_MAX, 2), ENOENT);
	REFUSED(w, evtchn_bind_vcpu(a, EVTCHN_MAX_PORTS, 1), EINVAL);
	REFUSED(w, evtchn_bind_vcpu(a, 0, 1), EINVAL);
	REFUSED(w, evtchn_bind_vcpu(a, 900, 1), EINVAL);
	REFUSED(w, evtchn_bind_vcpu(a, (uint32_t)ipi, 1), EINVAL);
	REFUSED(w, evtchn_bind_vcpu(a, (uint32_t)timer, 1), EINVAL);
	assert_int_equal(evtchn_bind_vcpu(a, (uint32_t)con, 1), 0);
	assert_int_equal(evtchn_bind_vcpu(b, (uint32_t)ub, 1), 0);

	/* close */
	REFUSED(w, evtchn_close(&w->doms, a, EVTCHN_MAX_PORTS), EINVAL);
	REFUSED(w, evtchn_close(&w->doms, a, UINT32_MAX), EINVAL);
	REFUSED(w, evtchn_close(&w->doms, a, 0), EINVAL);
	REFUSED(w, evtchn_close(&w->doms, a, 900), EINVAL);

	/* send */
	REFUSED(w, evtchn_send(&w->doms, a, EVTCHN_MAX_PORTS, &n), EINVAL);
	REFUSED(w, evtchn_send(&w->doms, a, 0, &n), EINVAL);
	REFUSED(w, evtchn_send(&w->doms, a, 900, &n), EINVAL);
	REFUSED(w, evtchn_send(&w->doms, a, (uint32_t)con, &n), EINVAL);

	/* status, unmask */
	REFUSED(w, evtchn_status(a, EVTCHN_MAX_PORTS, &st), EINVAL);
	REFUSED(w, evtchn_status(a, UINT32_MAX, &st), EINVAL);
	REFUSED(w, evtchn_port_vcpu(a, EVTCHN_MAX_PORTS), EINVAL);

	/* A full table: -ENOSPC for every allocation, even valid ones. */
	int n_alloc = 0;
	while (evtchn_alloc_unbound(a, 2) > 0)
		n_alloc++;
	assert_int_equal(n_alloc, EVTCHN_2L_NR_CHANNELS - 5); /* port 0 and 4 bound above */
	REFUSED(w, evtchn_alloc_unbound(a, 2), ENOSPC);
	REFUSED(w, evtchn_bind_ipi(a, 0), ENOSPC);
	REFUSED(w, evtchn_bind_virq(a, VIRQ_TIMER, 1), ENOSPC);
	REFUSED(w, evtchn_bind_interdomain(&w->doms, a, 2, (uint32_t)ub, &n), ENOSPC);
	/* -ESRCH comes before -ENOSPC, as in Xen. */
	REFUSED(w, evtchn_bind_interdomain(&w->doms, a, 77, (uint32_t)ub, &n), ESRCH);
	check_invariants(w);

	for (int i = 0; i < NDOMS; i++)
		evtchn_reset(&w->doms, w->t[i]);
	for (int i = 0; i < NDOMS; i++)
		assert_true(all_free(w->t[i]));
	world_free(w);
}

/* ---- random operations ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Mostly plausible values, sometimes hostile ones. */
static uint32_t rnd_port(void)
{
	static const uint32_t odd[] = { 0, EVTCHN_MAX_PORTS - 1, EVTCHN_MAX_PORTS,
					EVTCHN_2L_NR_CHANNELS, UINT32_MAX, 0x80000000u };

	if (rnd() % 8 == 0)
		return rnd() % 8 == 0 ? rnd() : odd[rnd() % 6];
	return 1 + rnd() % 40;
}

static uint32_t rnd_vcpu(void)
{
	return rnd() % 16 == 0 ? rnd() : rnd() % 5;
}

static uint16_t rnd_dom(void)
{
	static const uint16_t odd[] = { 0, 4, DOMID_SELF, DOMID_INVALID, 0xffff };

	return rnd() % 8 == 0 ? odd[rnd() % 5] : (uint16_t)(1 + rnd() % NDOMS);
}

static void test_random_ops(void **state)
{
	struct world *w = world_new();
	struct evtchn_notify n;
	struct evtchn_status st;
	unsigned ok = 0, refused = 0, linked = 0, unlinked = 0;

	for (int i = 0; i < 100000; i++) {
		struct evtchn_table *t = w->t[rnd() % NDOMS];
		uint32_t port = rnd_port();
		int r = 0;

		snapshot(w);
		switch (rnd() % 9) {
		case 0:
			r = evtchn_alloc_unbound(t, rnd_dom());
			break;
		case 1:
			r = evtchn_bind_interdomain(&w->doms, t, rnd_dom(), port, &n);
			if (r > 0) {
				linked++;
				assert_int_equal(n.domid, t->domid);
				assert_int_equal(n.port, (uint32_t)r);
			}
			break;
		case 2:
			r = evtchn_bind_virq(t, rnd() % 4 == 0 ? rnd() : rnd() % (NR_VIRQS + 2),
					     rnd_vcpu());
			break;
		case 3:
			r = evtchn_bind_ipi(t, rnd_vcpu());
			break;
		case 4:
			r = evtchn_bind_vcpu(t, port, rnd_vcpu());
			break;
		case 5:
		case 6:
			if (port < EVTCHN_MAX_PORTS && t->ports[port].state == ECS_INTERDOMAIN)
				unlinked++;
			r = evtchn_close(&w->doms, t, port);
			if (r == 0)
				assert_int_equal(t->ports[port].state, ECS_FREE);
			break;
		case 7:
			r = evtchn_send(&w->doms, t, port, &n);
			assert_true(unchanged(w));
			if (r == 1) {
				const struct evtchn_table *d = lookup(w, n.domid);

				assert_non_null(d);
				assert_true(n.port > 0 && n.port < EVTCHN_MAX_PORTS);
				assert_true(n.vcpu < d->nr_vcpus);
			}
			break;
		default:
			r = evtchn_status(t, port, &st);
			assert_true(unchanged(w));
			if (r == 0)
				assert_true(st.status <= EVTCHNSTAT_ipi && st.vcpu < t->nr_vcpus);
			break;
		}
		if (r < 0) {
			assert_true(unchanged(w));
			refused++;
		} else {
			ok++;
		}
		if (i % 16 == 0)
			check_invariants(w);
	}
	check_invariants(w);
	assert_true(ok > 10000 && refused > 10000);
	assert_true(linked > 1000 && unlinked > 1000);

	/* Closing every port leaves every table empty: nothing leaked. */
	for (int i = 0; i < NDOMS; i++)
		evtchn_reset(&w->doms, w->t[i]);
	for (int i = 0; i < NDOMS; i++)
		assert_true(all_free(w->t[i]));
	world_free(w);
}

/* ---- the FIFO ABI, on fake guest pages ---- */

static uint32_t fpages[EVTCHN_FIFO_PAGES][EVTCHN_FIFO_WORDS_PER_PAGE];
static struct evtchn_fifo_control_block fcb[2];

/* gfn g (1..8) is event page g-1; gfn 100 + v is vcpu v's control block
 * (any offset). */
static uint32_t *fword(void *ctx, const struct evtchn_table *t, uint32_t port)
{
	unsigned pg = port / EVTCHN_FIFO_WORDS_PER_PAGE;

	return pg < t->fifo.nr_pages ? &fpages[t->fifo.page_gfn[pg] - 1][port % 1024] : NULL;
}

static struct evtchn_fifo_control_block *fcbp(void *ctx, const struct evtchn_table *t, unsigned v)
{
	return t->fifo.vcpu[v].cb_gfn ? &fcb[t->fifo.vcpu[v].cb_gfn - 100] : NULL;
}

#define FB(b) (1u << EVTCHN_FIFO_##b)

static void test_fifo(void **state)
{
	struct evtchn_table *t = calloc(1, sizeof(*t));
	struct evtchn_fifo_mem m = { fword, fcbp, NULL };
	static struct shared_info sh2;

	memset(fpages, 0, sizeof(fpages));
	memset(fcb, 0, sizeof(fcb));
	assert_int_equal(evtchn_table_init(t, 1, 2), 0);
	int a = evtchn_alloc_unbound(t, 1), b = evtchn_alloc_unbound(t, 1);
	int c = evtchn_alloc_unbound(t, 1);
	sh2.evtchn_pending[0] = 1ull << c; /* pending under 2-level: carried over */
	assert_int_equal(evtchn_fifo_expand(t, 1), -EOPNOTSUPP);
	assert_int_equal(evtchn_fifo_set_priority(t, (uint32_t)a, 3), -ENOSYS);
	assert_int_equal(evtchn_fifo_init_control(t, 100, 0, 2, &sh2), -ENOENT);
	assert_int_equal(evtchn_fifo_init_control(t, 100, 4, 0, &sh2), -EINVAL);
	assert_int_equal(evtchn_fifo_init_control(t, 100, 4032, 0, &sh2), -EINVAL);
	assert_int_equal(evtchn_fifo_init_control(t, 0, 0, 0, &sh2), -EINVAL);
	assert_false(t->fifo.on);
	assert_int_equal(evtchn_fifo_init_control(t, 100, 4024, 0, &sh2), 0);
	assert_int_equal(evtchn_fifo_init_control(t, 100, 0, 0, &sh2), -EINVAL);
	assert_int_equal(evtchn_fifo_init_control(t, 101, 0, 1, &sh2), 0);
	assert_true(t->fifo.on && t->max_ports == EVTCHN_MAX_PORTS);
	assert_true(evtchn_fifo_is_pending(t, &m, (uint32_t)c)); /* early: no page yet */
	assert_int_equal(evtchn_fifo_raise(t, &m, (uint32_t)a), -1); /* no word: early */
	for (uint64_t g = 1; g <= EVTCHN_FIFO_PAGES; g++)
		assert_int_equal(evtchn_fifo_expand(t, g), 0);
	assert_int_equal(evtchn_fifo_expand(t, 1), -ENOSPC);
	t->ports[a].early = t->ports[c].early = 0;

	/* a, then b at one priority: a is the head (READY 0 -> 1), b linked
	 * after it; a again changes nothing. */
	assert_int_equal(evtchn_fifo_raise(t, &m, (uint32_t)a), 0);
	assert_int_equal(fcb[0].head[7], a);
	assert_int_equal(fcb[0].ready, 1u << 7);
	assert_int_equal(evtchn_fifo_raise(t, &m, (uint32_t)b), -1);
	assert_int_equal(fpages[0][a], FB(PENDING) | FB(LINKED) | (uint32_t)b);
	assert_int_equal(evtchn_fifo_raise(t, &m, (uint32_t)a), -1);
	/* The guest took both: c becomes the head again. */
	fpages[0][a] = fpages[0][b] = 0;
	fcb[0].ready = 0;
	assert_int_equal(evtchn_fifo_raise(t, &m, (uint32_t)c), 0);
	assert_int_equal(fcb[0].head[7], c);
	/* A tail that is itself: never linked to itself. */
	fpages[0][c] = FB(MASKED);
	assert_int_equal(evtchn_fifo_raise(t, &m, (uint32_t)c), -1);
	assert_int_equal(fpages[0][c], FB(MASKED) | FB(PENDING));
	assert_int_equal(evtchn_fifo_unmask(t, &m, (uint32_t)c), -1); /* READY still set */
	assert_int_equal(fpages[0][c], FB(PENDING) | FB(LINKED));

	/* Priorities and vcpus: a on vcpu 1 at priority 2. */
	assert_int_equal(evtchn_fifo_set_priority(t, (uint32_t)a, 16), -EINVAL);
	assert_int_equal(evtchn_fifo_set_priority(t, 0, 2), -EINVAL);
	assert_int_equal(evtchn_fifo_set_priority(t, 5000, 2), -EINVAL);
	assert_int_equal(evtchn_fifo_set_priority(t, (uint32_t)a, 2), 0);
	assert_int_equal(evtchn_bind_vcpu(t, (uint32_t)a, 1), 0);
	assert_int_equal(evtchn_fifo_raise(t, &m, (uint32_t)a), 1);
	assert_int_equal(fcb[1].head[2], a);
	assert_int_equal(fcb[1].ready, 1u << 2);

	/* A garbage tail word (LINKED, any link): linked onto once, bounded. */
	fpages[0][b] = 0;
	assert_int_equal(evtchn_bind_vcpu(t, (uint32_t)b, 1), 0);
	assert_int_equal(evtchn_fifo_set_priority(t, (uint32_t)b, 2), 0);
	fpages[0][a] = 0xffffffffu;
	assert_int_equal(evtchn_fifo_raise(t, &m, (uint32_t)b), -1);
	assert_int_equal(fpages[0][a] & (EVTCHN_FIFO_LINK_MASK | FB(BUSY)), (uint32_t)b);

	/* Close clears PENDING; reset: 2-level again. */
	evtchn_fifo_clear(t, &m, (uint32_t)b);
	assert_false(evtchn_fifo_is_pending(t, &m, (uint32_t)b));
	evtchn_reset(NULL, t);
	assert_false(t->fifo.on);
	assert_int_equal(t->max_ports, EVTCHN_2L_NR_CHANNELS);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bitmap_pending),
		cmocka_unit_test(test_bitmap_boundaries),
		cmocka_unit_test(test_bitmap_mask_unmask),
		cmocka_unit_test(test_bitmap_random),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_virq_ipi),
		cmocka_unit_test(test_pirq),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_random_ops),
		cmocka_unit_test(test_fifo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
