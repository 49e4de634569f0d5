/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz (see fuzz.c): event_channel_op, every sub-operation. */
#include "fuzz.h"

/* ---- event channels ----------------------------------------------------------------------- */

int pick_port(void)
{
	for (int i = 0; i < 8; i++) {
		uint32_t p = 1 + below(chance(80) ? 96 : NPORT - 1);
		if (pt[p].st != P_FREE)
			return (int)p;
	}
	return (int)(1 + below(64));
}

/* Ports the peer may reach: bounded by what the mailbox can list. */
static bool peer_port_room(void)
{
	return peer >= 0 && nadv_ports < MB_PORTS && !peer_done;
}

static void peer_port_add(uint32_t p, uint8_t adv, uint16_t yport, uint32_t yepoch)
{
	pt[p] = (struct port){ .st = P_PEER, .adv = adv, .rdom = (uint16_t)peer, .yport = yport,
			       .epoch = ++epoch_ctr, .yepoch = yepoch };
	adv_ports[nadv_ports++] = (uint16_t)p;
	set_pend(p, 2);
	mb_dirty = true;
}

void act_evt_alloc(void)
{
	static struct evtchn_alloc_unbound a;
	uint32_t c = below(100);
	bool other = chance(5);

	a.dom = other ? other_dom() : chance(70) ? DOMID_SELF : (domid_t)self_id;
	if (c < 40)
		a.remote_dom = chance(50) ? DOMID_SELF : (domid_t)self_id;
	else if (c < 75 && peer_port_room())
		a.remote_dom = (domid_t)peer;
	else
		a.remote_dom = random_dom();
	a.port = 0xdead;
	if (peer >= 0 && a.remote_dom == (uint32_t)peer)
		mb_touch();
	long rc = evt_op(EVTCHNOP_alloc_unbound, &a);
	int want = lowest_free();
	if (other) {
		expect_rc(F_EVT, "alloc_unbound in another domain", rc, E(EPERM));
		return;
	}
	if (want < 0) {
		expect_rc(F_EVT, "alloc_unbound with every port taken", rc, E(ENOSPC));
		return;
	}
	if (rc || a.port != (uint32_t)want) {
		bad(F_EVT, "alloc_unbound(remote %u): %ld, port %u, expected port %d", a.remote_dom, rc,
		    a.port, want);
		if (!rc && a.port < NPORT)
			pt[a.port].st = P_UNK, set_pend(a.port, 2);
		return;
	}
	uint16_t rdom = a.remote_dom == DOMID_SELF ? (uint16_t)self_id : a.remote_dom;
	if (peer >= 0 && rdom == (uint32_t)peer)
		peer_port_add(a.port, MBP_ALLOC, 0, 0);
	else
		pt[a.port] = (struct port){ .st = P_UNB, .rdom = rdom };
	st.ports++;
}

/* bind_interdomain: to our own unbound port (loopback), to the peer's, or
 * to anyone's. */
void act_evt_bind(void)
{
	static struct evtchn_bind_interdomain b;
	uint32_t c = below(100);
	uint64_t allow;
	uint32_t g0 = pv_gen();
	int listed = -1;
	bool to_peer_port = false;
	struct mb_port lp = { 0 };

	if (c < 45) {
		b.remote_dom = chance(50) ? DOMID_SELF : (domid_t)self_id;
		b.remote_port = chance(10) ? NPORT + below(5000) : (uint32_t)pick_port();
		if (chance(50)) /* find an unbound one of ours for ourselves */
			for (uint32_t p = 1; p < 200; p++)
				if (pt[p].st == P_UNB && pt[p].rdom == self_id) {
					b.remote_port = p;
					break;
				}
	} else if (c < 85 && peer >= 0) {
		to_peer_port = true;
		b.remote_dom = (domid_t)peer;
		uint32_t n = pv->nports;
		if (n && n <= MB_PORTS && chance(85)) {
			listed = (int)below(n);
			lp.port = pv->ports[listed].port;
			lp.type = pv->ports[listed].type;
			lp.epoch = pv->ports[listed].epoch;
			lp.yport = pv->ports[listed].yport;
			lp.yepoch = pv->ports[listed].yepoch;
			b.remote_port = lp.port;
		} else {
			b.remote_port = below(200);
			for (uint32_t i = 0; i < n && i < MB_PORTS; i++)
				if (pv->ports[i].port == b.remote_port)
					listed = -2; /* listed, but we did not look how */
		}
		if (!peer_port_room())
			to_peer_port = false, b.remote_port = NPORT + 1;
	} else {
		b.remote_dom = random_dom();
		b.remote_port = below(100);
	}
	b.local_port = 0xdead;
	if (peer >= 0 && b.remote_dom == (uint32_t)peer)
		mb_touch();
	long rc = evt_op(EVTCHNOP_bind_interdomain, &b);
	bool stable = pv_same(g0);
	if (peer >= 0 && b.remote_dom == (uint32_t)peer) {
		st.peer_ops++;
		st.unstable += !stable;
	}
	int lport = lowest_free();
	bool self = b.remote_dom == DOMID_SELF || b.remote_dom == self_id;

	if (self) {
		if (lport < 0)
			allow = E(ENOSPC);
		else if (b.remote_port >= NPORT)
			allow = E(EINVAL);
		else if (pt[b.remote_port].st == P_UNK)
			allow = OK | E(EINVAL);
		else
			allow = pt[b.remote_port].st == P_UNB && pt[b.remote_port].rdom == self_id
				? OK : E(EINVAL);
	} else if (to_peer_port || (peer >= 0 && b.remote_dom == (uint32_t)peer)) {
		if (lport < 0)
			allow = E(ENOSPC);
		else if (b.remote_port >= NPORT)
			allow = E(EINVAL);
		else if (!stable || listed == -2)
			allow = OK | E(EINVAL);
		else if (listed < 0)
			allow = E(EINVAL);
		else {
			/* do we hold a binding to this very allocation? (one made
			 * while the peer's mailbox moved names no allocation) */
			bool held = false, y_open = false, unsure = false;
			for (uint32_t p = 1; p < NPORT; p++) {
				if (pt[p].st == P_PEER && pt[p].adv == MBP_BOUND && pt[p].yport == lp.port &&
				    pt[p].yepoch == lp.epoch)
					held = true;
				if (pt[p].st == P_PEER && pt[p].adv == MBP_BOUND && pt[p].yport == lp.port &&
				    pt[p].yepoch == 0xffffffffu)
					unsure = true;
				/* the peer's port is bound to ours: is ours still there
				 * (whether we allocated it or bound it once)? */
				if (lp.type == MBP_BOUND && p == lp.yport && pt[p].st == P_PEER &&
				    pt[p].epoch == lp.yepoch)
					y_open = true;
			}
			allow = held || (lp.type == MBP_BOUND && y_open) ? E(EINVAL) : OK;
			/* the peer bound it while our mailbox moved: it could not
			 * name which of our ports it took */
			if (unsure || (lp.type == MBP_BOUND && lp.yepoch == 0xffffffffu))
				allow |= E(EINVAL) | OK;
		}
		if (peer_done)
			allow |= E(ESRCH) | E(EINVAL);
	} else {
		allow = lport < 0 ? E(ENOSPC) | E(ESRCH) : E(ESRCH) | E(EINVAL);
	}
	if (!expect_rc(F_EVT, "bind_interdomain", rc, allow)) {
		gprintf("fuzz: (bind_interdomain to dom %u port %u: listed %d type %u epoch %u, stable %d)\n",
			b.remote_dom, b.remote_port, listed, lp.type, lp.epoch, stable);
		if (rc >= 0 && b.local_port < NPORT)
			pt[b.local_port].st = P_UNK, set_pend(b.local_port, 2);
		return;
	}
	if (rc)
		return;
	if (b.local_port != (uint32_t)lport) {
		bad(F_EVT, "bind_interdomain: local port %u, the lowest free is %d", b.local_port, lport);
		if (b.local_port < NPORT)
			pt[b.local_port].st = P_UNK;
		return;
	}
	if (self) {
		pt[lport] = (struct port){ .st = P_INTER, .rdom = (uint16_t)self_id,
					   .rport = (uint16_t)b.remote_port };
		pt[b.remote_port].st = P_INTER;
		pt[b.remote_port].rport = (uint16_t)lport;
		set_pend((uint32_t)lport, 1); /* the new port is pending, as in Xen */
	} else if (peer >= 0 && b.remote_dom == (uint32_t)peer && stable && listed >= 0) {
		peer_port_add((uint32_t)lport, MBP_BOUND, lp.port, lp.epoch);
		st.peer_binds++;
	} else {
		peer_port_add((uint32_t)lport, MBP_BOUND, (uint16_t)b.remote_port, 0xffffffffu);
		st.peer_binds++;
	}
	st.ports++;
}

void act_evt_bind_virq_ipi(void)
{
	uint32_t vcpu = chance(90) ? below(nvcpus) : below(4);
	int want = lowest_free();
	long rc;
	uint32_t port;

	if (chance(50)) {
		static struct evtchn_bind_virq v;
		uint32_t virq = chance(70) ? below(4) : below(NR_VIRQS + 8);
		v = (struct evtchn_bind_virq){ virq, vcpu, 0xdead };
		rc = evt_op(EVTCHNOP_bind_virq, &v);
		port = v.port;
		bool per = virq_per_vcpu(virq);
		uint64_t allow = virq >= NR_VIRQS ? E(EINVAL) : !per && vcpu ? E(EINVAL)
			: vcpu >= nvcpus ? E(ENOENT) : virq_port[vcpu][virq] ? E(EEXIST)
			: want < 0 ? E(ENOSPC) : OK;
		if (!expect_rc(F_EVT, "bind_virq", rc, allow) || rc) {
			if (!rc && port < NPORT)
				pt[port].st = P_UNK, set_pend(port, 2);
			return;
		}
		if (port != (uint32_t)want) {
			bad(F_EVT, "bind_virq: port %u, the lowest free is %d", port, want);
			return;
		}
		pt[port] = (struct port){ .st = P_VIRQ, .virq = (uint8_t)virq, .vcpu = (uint8_t)vcpu };
		virq_port[vcpu][virq] = (uint16_t)port;
		set_pend(port, virq == VIRQ_TIMER ? 2 : 0);
	} else {
		static struct evtchn_bind_ipi v;
		v = (struct evtchn_bind_ipi){ vcpu, 0xdead };
		rc = evt_op(EVTCHNOP_bind_ipi, &v);
		port = v.port;
		if (!expect_rc(F_EVT, "bind_ipi", rc, vcpu >= nvcpus ? E(ENOENT) : want < 0 ? E(ENOSPC) : OK) ||
		    rc) {
			if (!rc && port < NPORT)
				pt[port].st = P_UNK, set_pend(port, 2);
			return;
		}
		if (port != (uint32_t)want) {
			bad(F_EVT, "bind_ipi: port %u, the lowest free is %d", port, want);
			return;
		}
		pt[port] = (struct port){ .st = P_IPI, .vcpu = (uint8_t)vcpu };
	}
	st.ports++;
}

void act_evt_send(void)
{
	static struct evtchn_send s;
	uint32_t p = chance(95) ? (uint32_t)pick_port() : NPORT + below(4000);

	s.port = p;
	long rc = evt_op(EVTCHNOP_send, &s);
	uint64_t allow;
	if (p >= NPORT)
		allow = E(EINVAL);
	else
		switch (pt[p].st) {
		case P_INTER: case P_IPI: case P_UNB: case P_PEER: allow = OK; break;
		case P_UNK: allow = OK | E(EINVAL); break;
		default: allow = E(EINVAL); break;
		}
	if (!expect_rc(F_EVT, "send", rc, allow) || rc || p >= NPORT)
		return;
	if (pt[p].st == P_IPI)
		set_pend(p, 1);
	else if (pt[p].st == P_INTER)
		set_pend(pt[p].rport, 1);
	if (chance(30))
		check_pending("send");
}

void act_evt_close(void)
{
	static struct evtchn_close c;
	uint32_t p = chance(90) ? (uint32_t)pick_port() : chance(50) ? 0 : NPORT + below(100);

	c.port = p;
	if (p < NPORT && (pt[p].st == P_PEER || pt[p].st == P_UNK))
		mb_touch();
	long rc = evt_op(EVTCHNOP_close, &c);
	uint64_t allow = p >= NPORT || pt[p].st == P_FREE || pt[p].st == P_RES ? E(EINVAL)
			 : pt[p].st == P_UNK ? OK | E(EINVAL) : OK;
	if (!expect_rc(F_EVT, "close", rc, allow) || rc)
		return;
	if (pt[p].st == P_INTER && pt[p].rdom == self_id && pt[p].rport != p) {
		struct port *o = &pt[pt[p].rport];
		if (o->st == P_INTER) {
			o->st = P_UNB;
			o->rport = 0;
		}
	}
	port_free(p);
	if (chance(30))
		check_pending("close");
}

void act_evt_status(void)
{
	static struct evtchn_status s;
	uint32_t p = chance(90) ? (uint32_t)pick_port() : chance(50) ? 0 : NPORT + below(100);
	bool other = chance(5);

	memset(&s, 0xee, sizeof(s));
	s.dom = other ? other_dom() : chance(50) ? DOMID_SELF : (domid_t)self_id;
	s.port = p;
	long rc = evt_op(EVTCHNOP_status, &s);
	if (other || p >= NPORT) {
		expect_rc(F_EVT, "status", rc, other ? E(EPERM) : E(EINVAL));
		return;
	}
	if (!expect_rc(F_EVT, "status", rc, OK))
		return;
	/* The peer may have said DONE and gone since we last looked: its
	 * ports then name DOMID_INVALID (peer_done must be current). */
	pv_gen();
	const struct port *q = &pt[p];
	bool ok;
	switch (q->st) {
	case P_FREE: case P_RES: ok = s.status == EVTCHNSTAT_closed && s.vcpu == 0; break;
	case P_UNB: ok = s.status == EVTCHNSTAT_unbound && s.u.unbound.dom == q->rdom; break;
	case P_INTER: ok = s.status == EVTCHNSTAT_interdomain && s.u.interdomain.dom == q->rdom &&
			   s.u.interdomain.port == q->rport; break;
	case P_VIRQ: ok = s.status == EVTCHNSTAT_virq && s.u.virq == q->virq; break;
	case P_IPI: ok = s.status == EVTCHNSTAT_ipi; break;
	case P_PEER:
		ok = (s.status == EVTCHNSTAT_unbound &&
		      (s.u.unbound.dom == q->rdom || (peer_done && s.u.unbound.dom == DOMID_INVALID))) ||
		     (s.status == EVTCHNSTAT_interdomain && s.u.interdomain.dom == q->rdom);
		break;
	default: ok = true; break;
	}
	if (q->st != P_UNK && q->st != P_FREE && q->st != P_RES && s.vcpu != q->vcpu)
		ok = false;
	if (!ok)
		bad(F_EVT, "status of port %u (model state %u, vcpu %u): status %u vcpu %u dom %u port %u",
		    p, q->st, q->vcpu, s.status, s.vcpu, s.u.interdomain.dom, s.u.interdomain.port);
}

void act_evt_unmask(void)
{
	static struct evtchn_unmask u;
	volatile uint32_t *mw, *pw;

	if (chance(40) && shinfo()) { /* mask a port ourselves (the guest owns the mask) */
		uint32_t p = (uint32_t)pick_port();
		mw = mask_word(p / 32);
		if (chance(50)) {
			__atomic_fetch_or(mw, 1u << (p % 32), __ATOMIC_SEQ_CST);
			mask_val[p / 32] |= 1u << (p % 32);
		} else {
			__atomic_fetch_and(mw, ~(1u << (p % 32)), __ATOMIC_SEQ_CST);
			mask_val[p / 32] &= ~(1u << (p % 32));
		}
		return;
	}
	/* An IPI port of ours, masked and pending: unmask raises the upcall. */
	int ipi = -1;
	for (uint32_t p = 1; p < 128 && ipi < 0; p++)
		if (pt[p].st == P_IPI)
			ipi = (int)p;
	if (ipi > 0 && shinfo() && chance(60)) {
		uint32_t p = (uint32_t)ipi, v = pt[p].vcpu;
		mw = mask_word(p / 32);
		pw = pend_word(p / 32);
		__atomic_fetch_or(mw, 1u << (p % 32), __ATOMIC_SEQ_CST);
		mask_val[p / 32] |= 1u << (p % 32);
		static struct evtchn_send s;
		s.port = p;
		evt_op(EVTCHNOP_send, &s);
		set_pend(p, 1);
		volatile struct vcpu_info *vi = &vi_page[v].vi;
		vi->evtchn_upcall_pending = 0;
		__atomic_fetch_and((volatile uint32_t *)&vi->evtchn_pending_sel + (p / 64) / 32,
				   ~(1u << ((p / 64) % 32)), __ATOMIC_SEQ_CST);
		u.port = p;
		long rc = evt_op(EVTCHNOP_unmask, &u);
		mask_val[p / 32] &= ~(1u << (p % 32));
		bool sel = ((volatile uint32_t *)&vi->evtchn_pending_sel)[(p / 64) / 32] >> ((p / 64) % 32) & 1;
		if (rc || !(*pw >> (p % 32) & 1) || (*mw >> (p % 32) & 1) || !vi->evtchn_upcall_pending || !sel)
			bad(F_EVT, "unmask of pending IPI port %u (vcpu %u): %ld, pending %u, masked %u, "
			    "upcall_pending %u, selector %u", p, v, rc, *pw >> (p % 32) & 1,
			    *mw >> (p % 32) & 1, vi->evtchn_upcall_pending, sel);
		return;
	}
	uint32_t p = chance(90) ? (uint32_t)pick_port() : NPORT + below(100);
	u.port = p;
	long rc = evt_op(EVTCHNOP_unmask, &u);
	if (expect_rc(F_EVT, "unmask", rc, p >= NPORT ? E(EINVAL) : OK) && p < NPORT)
		mask_val[p / 32] &= ~(1u << (p % 32));
}

void act_evt_bind_vcpu(void)
{
	static struct evtchn_bind_vcpu b;
	uint32_t p = chance(90) ? (uint32_t)pick_port() : NPORT + below(100);
	uint32_t v = chance(85) ? below(nvcpus) : below(5);

	b.port = p;
	b.vcpu = v;
	long rc = evt_op(EVTCHNOP_bind_vcpu, &b);
	uint64_t allow;
	if (v >= nvcpus)
		allow = E(ENOENT);
	else if (p >= NPORT)
		allow = E(EINVAL);
	else
		switch (pt[p].st) {
		case P_UNB: case P_INTER: case P_PEER: allow = OK; break;
		case P_VIRQ:
			allow = pt[p].virq == VIRQ_TIMER || pt[p].virq == VIRQ_DEBUG ||
				pt[p].virq == VIRQ_XENOPROF || pt[p].virq == VIRQ_XENPMU ? E(EINVAL) : OK;
			break;
		case P_UNK: allow = OK | E(EINVAL); break;
		default: allow = E(EINVAL); break;
		}
	if (expect_rc(F_EVT, "bind_vcpu", rc, allow) && !rc && p < NPORT)
		pt[p].vcpu = (uint8_t)v;
}

static void reset_ports(void)
{
	for (uint32_t p = 1; p < NPORT; p++)
		if (pt[p].st != P_FREE)
			port_free(p);
		else
			set_pend(p, 0);
	free_hint = 1;
}

void act_evt_reset(void)
{
	static struct evtchn_reset r;
	bool other = chance(20);

	r.dom = other ? other_dom() : chance(50) ? DOMID_SELF : (domid_t)self_id;
	mb_touch();
	long rc = evt_op(EVTCHNOP_reset, &r);
	if (!expect_rc(F_EVT, "reset", rc, other ? E(EPERM) : OK) || rc)
		return;
	reset_ports();
	check_pending("reset");
}

/* Every free port taken, one more refused, then all closed again. */
void act_evt_exhaust(void)
{
	static struct evtchn_alloc_unbound a;
	static struct evtchn_close c;
	uint32_t got = 0, first = NPORT;

	for (int i = 0; i < (int)NPORT + 8; i++) {
		int want = lowest_free();
		a = (struct evtchn_alloc_unbound){ DOMID_SELF, (domid_t)random_dom(), 0 };
		long rc = evt_op(EVTCHNOP_alloc_unbound, &a);
		if (want < 0) {
			expect_rc(F_EVT, "alloc_unbound with every port taken", rc, E(ENOSPC));
			break;
		}
		if (rc || a.port != (uint32_t)want) {
			bad(F_EVT, "exhaust: alloc_unbound %ld port %u, expected %d", rc, a.port, want);
			break;
		}
		pt[a.port] = (struct port){ .st = P_UNB, .pad = 1,
			.rdom = a.remote_dom == DOMID_SELF ? (uint16_t)self_id : a.remote_dom };
		first = first < a.port ? first : a.port;
		got++;
	}
	for (uint32_t p = first; p < NPORT; p++)
		if (pt[p].st == P_UNB && pt[p].pad == 1) {
			c.port = p;
			long rc = evt_op(EVTCHNOP_close, &c);
			if (rc)
				bad(F_EVT, "exhaust: close of port %u: %ld", p, rc);
			port_free(p);
		}
	gprintf("fuzz: took the %u free ports (to %u), gave them back\n", got, NPORT - 1);
}

void act_evt_clear(void)
{
	count_peer_events();
	/* Clear some pending bits (the guest's part of the 2-level ABI). */
	for (uint32_t w = 0; w < NPORT / 32; w++) {
		volatile uint32_t *pw = pend_word(w);
		if (!pw)
			return;
		uint32_t bits = chance(50) ? 0xffffffffu : rnd();
		__atomic_fetch_and(pw, ~bits, __ATOMIC_SEQ_CST);
		pend_val[w] &= ~bits;
	}
	check_pending("clearing bits");
}

void act_evt_misc(void)
{
	static uint32_t arg[8];
	uint32_t c = below(5);
	long rc;

	memset(arg, 0, sizeof(arg));
	switch (c) {
	case 0: /* bind_pirq: no IRQ is ours */
		arg[0] = below(300);
		rc = evt_op(EVTCHNOP_bind_pirq, arg);
		expect_rc(F_EVT, "bind_pirq", rc, E(EPERM));
		break;
	case 1:
		rc = evt_op((uint32_t[]){ 14, 100, 0x80000000u }[below(3)], arg);
		expect_rc(F_EVT, "an unoffered command", rc, E(ENOSYS));
		/* The FIFO ABI stays off (the model is 2-level): a control block
		 * at gfn 0 or beyond RAM is refused, the others need FIFO on. */
		arg[0] = chance(50) ? 0 : ram_pages + below(100000);
		arg[2] = rnd();
		arg[3] = rnd();
		rc = evt_op(EVTCHNOP_init_control, arg);
		expect_rc(F_EVT, "init_control at a bad gfn", rc, E(EINVAL) | E(ENOENT));
		arg[0] = rnd();
		arg[1] = rnd();
		rc = evt_op(EVTCHNOP_expand_array, arg);
		if (rc != -EOPNOTSUPP) /* beyond E()'s 64 bits */
			bad(F_EVT, "expand_array under 2-level: %ld, expected %d", rc, -EOPNOTSUPP);
		rc = evt_op(EVTCHNOP_set_priority, arg);
		expect_rc(F_EVT, "set_priority under 2-level", rc, E(ENOSYS));
		break;
	default: { /* a bad argument: outside RAM, or a hole of the arena */
		int s = pick_kind(PG_HOLE);
		const void *a = s >= 0 && slot_acc((uint32_t)s) && chance(50)
			? (const void *)(slot_ptr((uint32_t)s) + 12)
			: (const void *)(uintptr_t)((ram_pages << 12) + below(4096));
		rc = evt_op(below(14), a);
		expect_rc(F_EVT, "a bad argument", rc, E(EFAULT));
		break;
	}
	}
}

