/* SPDX-License-Identifier: GPL-2.0-only */
/* A frontend's plumbing: grants, event channels, the store (xenbus.h). */
#include "runtime.h"
#include "x86.h"
#include "xenbus.h"

#include "include/public/event_channel.h"
#include "include/public/hvm.h"
#include "include/public/memory.h"
#include "include/public/xen.h"

uint32_t xb_domid;
struct grant_entry_v1 xb_gnttab[XB_GRANTS] __attribute__((aligned(4096)));
char xb_reply[XENSTORE_PAYLOAD_MAX + 1];

static union { struct shared_info s; uint8_t page[4096]; } shpage __attribute__((aligned(4096)));
static volatile struct xenstore_domain_interface *xs;
static uint32_t xs_port;

static long map_space(uint32_t space, uint32_t idx, const void *at)
{
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, space, idx, (uint32_t)(uintptr_t)at >> 12,
	};
	return hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);
}

bool xb_init(const char *who)
{
	uint64_t pfn = 0, evt = 0;
	uint32_t r[4];

	cpuid(0x40000004, 0, r);
	xb_domid = r[2];
	hc_hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_STORE_PFN, &pfn);
	hc_hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_STORE_EVTCHN, &evt);
	xs = (volatile struct xenstore_domain_interface *)(uintptr_t)(pfn << 12);
	xs_port = (uint32_t)evt;
	long m1 = map_space(XENMAPSPACE_shared_info, 0, &shpage);
	long m2 = map_space(XENMAPSPACE_grant_table, 0, xb_gnttab);
	return check(who, pfn && evt && !m1 && !m2, "domain %u, store pfn %llx port %llu, maps %ld %ld",
		     xb_domid, (unsigned long long)pfn, (unsigned long long)evt, m1, m2);
}

void xb_grant(uint32_t ref, const void *page, uint16_t to, bool ro)
{
	xb_gnttab[ref].domid = to;
	xb_gnttab[ref].frame = (uint32_t)(uintptr_t)page >> 12;
	__atomic_store_n(&xb_gnttab[ref].flags, GTF_permit_access | (ro ? GTF_readonly : 0),
			 __ATOMIC_SEQ_CST);
}

void xb_ungrant(uint32_t ref)
{
	__atomic_store_n(&xb_gnttab[ref].flags, 0, __ATOMIC_SEQ_CST);
}

long xb_evtchn_op(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_event_channel_op, cmd, (unsigned long)arg, 0, 0, 0);
}

uint32_t xb_alloc_unbound(void)
{
	struct evtchn_alloc_unbound au = { DOMID_SELF, 0, 0 };

	return xb_evtchn_op(EVTCHNOP_alloc_unbound, &au) ? 0 : au.port;
}

void xb_notify(uint32_t port)
{
	struct evtchn_send s = { port };

	xb_evtchn_op(EVTCHNOP_send, &s);
}

void xb_wait(const uint32_t *ports, unsigned n, unsigned ms)
{
	struct { uint32_t ports, nr; uint64_t timeout; } p = { (uint32_t)(uintptr_t)ports, n,
								now_ns() + ms * XB_MS };

	hypercall(HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&p, 0, 0, 0);
	for (unsigned i = 0; i < n; i++) {
		volatile uint32_t *w = (volatile uint32_t *)&shpage.s.evtchn_pending[ports[i] / 64];
		__atomic_and_fetch(&w[(ports[i] % 64) / 32], ~(1u << (ports[i] % 32)),
				   __ATOMIC_SEQ_CST);
	}
}

/* ---- the store ---- */

static void xs_put(const void *p, uint32_t len)
{
	const char *d = p;

	while (len) {
		uint32_t prod = xs->req_prod, cons = __atomic_load_n(&xs->req_cons, __ATOMIC_ACQUIRE);
		if (prod - cons == XENSTORE_RING_SIZE) {
			xb_notify(xs_port);
			xb_wait(&xs_port, 1, 10);
			continue;
		}
		xs->req[MASK_XENSTORE_IDX(prod)] = *d++;
		__atomic_store_n(&xs->req_prod, prod + 1, __ATOMIC_RELEASE);
		len--;
	}
}

static bool xs_get(void *p, uint32_t len)
{
	char *d = p;
	uint64_t end = now_ns() + 30000 * XB_MS;

	while (len) {
		uint32_t cons = xs->rsp_cons, prod = __atomic_load_n(&xs->rsp_prod, __ATOMIC_ACQUIRE);
		if (prod == cons) {
			if (now_ns() > end)
				return false;
			xb_wait(&xs_port, 1, 10);
			continue;
		}
		*d++ = xs->rsp[MASK_XENSTORE_IDX(cons)];
		__atomic_store_n(&xs->rsp_cons, cons + 1, __ATOMIC_RELEASE);
		len--;
	}
	xb_notify(xs_port);
	return true;
}

/* Watch events never come: no guest of ours sets a watch. */
uint32_t xb_request(uint32_t type, const char *path, const char *value)
{
	static uint32_t id;
	uint32_t lp = (uint32_t)strlen(path) + 1, lv = value ? (uint32_t)strlen(value) : 0;
	struct xsd_sockmsg h = { type, ++id, 0, lp + lv }, r;

	xs_put(&h, sizeof(h));
	xs_put(path, lp);
	if (value)
		xs_put(value, lv);
	xb_notify(xs_port);
	if (!xs_get(&r, sizeof(r)) || r.len > XENSTORE_PAYLOAD_MAX || !xs_get(xb_reply, r.len))
		return XS_INVALID;
	xb_reply[r.len] = 0;
	return r.type;
}

bool xb_write(const char *dir, const char *node, const char *value)
{
	char path[160];

	snprintf_(path, sizeof(path), "%s/%s", dir, node);
	return xb_request(XS_WRITE, path, value) == XS_WRITE;
}

bool xb_writeu(const char *dir, const char *node, uint64_t v)
{
	char s[24];

	snprintf_(s, sizeof(s), "%llu", (unsigned long long)v);
	return xb_write(dir, node, s);
}

bool xb_rm(const char *dir, const char *node)
{
	char path[160];

	snprintf_(path, sizeof(path), "%s/%s", dir, node);
	return xb_request(XS_RM, path, NULL) == XS_RM;
}

uint64_t xb_readu(const char *dir, const char *node, uint64_t def)
{
	char path[160];
	uint64_t v = 0;

	snprintf_(path, sizeof(path), "%s/%s", dir, node);
	if (xb_request(XS_READ, path, NULL) != XS_READ || !xb_reply[0])
		return def;
	for (const char *p = xb_reply; *p; p++) {
		if (*p < '0' || *p > '9')
			return def;
		v = v * 10 + (unsigned)(*p - '0');
	}
	return v;
}

uint32_t xb_wait_state(const char *dir, uint32_t want, uint32_t also, uint32_t also2, unsigned ms)
{
	uint64_t end = now_ns() + ms * XB_MS;
	uint32_t s;

	while ((s = (uint32_t)xb_readu(dir, "state", 0)) != want && s != also && s != also2 &&
	       now_ns() < end)
		spin_until(now_ns() + 2 * XB_MS, true);
	return s;
}
