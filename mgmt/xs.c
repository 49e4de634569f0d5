/* SPDX-License-Identifier: GPL-2.0-only */
/* The store served by the management domain (see xs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "include/public/event_channel.h"
#include "include/public/grant_table.h"
#include "include/public/hvm.h"
#include "include/public/xen.h"
#include "mgmt/dom.h"
#include "mgmt/sys.h"
#include "mgmt/xs.h"
#include "mgmt/xsring.h"

/* A guest's connection: its ring page mapped here, our port for it. */
struct xs_conn {
	bool used;
	uint32_t dom, port;
	grant_handle_t handle;
	struct xsring ring;
};

static struct store *st;
static struct xs_conn conns[DOM_MAX_GUESTS];
/* The pages the guests' store rings are mapped over (grant maps). */
static union {
	struct xenstore_domain_interface r;
	char page[4096];
} xs_pages[DOM_MAX_GUESTS] __attribute__((aligned(4096)));

struct store *xs_store(void)
{
	return st;
}

void xs_init(void)
{
	st = store_new(NULL);
	if (!st) {
		printf("error: mgmt: no memory for the store\n");
		return;
	}
	store_write(st, 0, "/local/domain/0/name", "mgmt", 4);
	store_write(st, 0, "/local/domain/0/domid", "0", 1);
}

/* path (relative to /local/domain/dom) = value, owned by owner, readable
 * by reader (0: none but the owner and domain 0). */
static int node(uint32_t dom, const char *path, const char *value, uint16_t owner,
		uint16_t reader)
{
	char p[128];
	struct store_perm perms[2] = { { owner, STORE_PERM_NONE }, { reader, STORE_PERM_READ } };

	snprintf(p, sizeof(p), "/local/domain/%u%s%s", dom, *path ? "/" : "", path);
	int rc = value ? store_write(st, 0, p, value, strlen(value)) : store_mkdir(st, 0, p);
	return rc ? rc : store_set_perms(st, 0, p, perms, reader ? 2 : 1);
}

/* The toolstack's nodes of a new domain, as xl writes them: its own
 * directory readable by it (name, domid, memory sizes in KiB, each vcpu
 * online), control/ and data/ its own, device/ for the backends to fill. */
static int nodes(struct guest *g, uint32_t dom, uint64_t ram)
{
	char id[12], kib[24], vm[32];

	snprintf(id, sizeof(id), "%u", dom);
	snprintf(kib, sizeof(kib), "%llu", (unsigned long long)(ram >> 10));
	snprintf(vm, sizeof(vm), "/vm/%u", dom);
	int rc = node(dom, "", NULL, 0, (uint16_t)dom);
	if (!rc)
		rc = node(dom, "name", g->cfg.name, 0, (uint16_t)dom);
	if (!rc)
		rc = node(dom, "domid", id, 0, (uint16_t)dom);
	if (!rc)
		rc = node(dom, "vm", vm, 0, (uint16_t)dom);
	if (!rc)
		rc = node(dom, "memory/target", kib, 0, (uint16_t)dom);
	if (!rc)
		rc = node(dom, "memory/static-max", kib, 0, (uint16_t)dom);
	for (unsigned i = 0; !rc && i < (g->cfg.vcpus ? g->cfg.vcpus : 1u); i++) {
		char cpu[32];
		snprintf(cpu, sizeof(cpu), "cpu/%u/availability", i);
		rc = node(dom, cpu, "online", 0, (uint16_t)dom);
	}
	if (!rc)
		rc = node(dom, "control", NULL, (uint16_t)dom, 0);
	if (!rc)
		rc = node(dom, "control/shutdown", "", (uint16_t)dom, 0);
	if (!rc)
		rc = node(dom, "data", NULL, (uint16_t)dom, 0);
	if (!rc)
		rc = node(dom, "device", NULL, 0, (uint16_t)dom);
	if (!rc)
		rc = store_write(st, 0, vm, g->cfg.name, strlen(g->cfg.name));
	return rc;
}

int xs_introduce(struct guest *g, uint32_t dom, uint64_t ram)
{
	struct xs_conn *c = NULL;
	long rc;

	for (unsigned i = 0; i < DOM_MAX_GUESTS && !c; i++)
		if (!conns[i].used)
			c = &conns[i];
	if (!st || !c)
		return -1;
	struct evtchn_alloc_unbound au = { (domid_t)dom, 0, 0 };
	if ((rc = hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, (unsigned long)&au, 0)))
		return (int)rc;
	struct xen_hvm_param p1 = { (domid_t)dom, 0, HVM_PARAM_STORE_EVTCHN, au.port };
	struct xen_hvm_param p2 = { (domid_t)dom, 0, HVM_PARAM_STORE_PFN, (ram - 8192) >> 12 };
	if ((rc = hypercall(HYPERVISOR_hvm_op, HVMOP_set_param, (unsigned long)&p1, 0)) ||
	    (rc = hypercall(HYPERVISOR_hvm_op, HVMOP_set_param, (unsigned long)&p2, 0)))
		return (int)rc;
	struct evtchn_bind_interdomain bi = { (domid_t)dom, au.port, 0 };
	if ((rc = hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, (unsigned long)&bi, 0)))
		return (int)rc;
	struct xenstore_domain_interface *page = &xs_pages[c - conns].r;
	struct gnttab_map_grant_ref mo = { .host_addr = (uintptr_t)page, .flags = GNTMAP_host_map,
					   .ref = GNTTAB_RESERVED_XENSTORE, .dom = (domid_t)dom };
	rc = hypercall(HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, (unsigned long)&mo, 1);
	if (rc || mo.status != GNTST_okay) {
		struct evtchn_close cl = { bi.local_port };
		hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_close, (unsigned long)&cl, 0);
		return rc ? (int)rc : mo.status;
	}
	*c = (struct xs_conn){ true, dom, bi.local_port, mo.handle, { 0 } };
	g->xs = c;
	sys_watch(c->port, true);
	if ((rc = store_connect(st, dom, false)) || (rc = nodes(g, dom, ram)))
		return (int)rc;
	xsring_init(&c->ring, page, dom);
	return 0;
}

void xs_release(struct guest *g)
{
	struct xs_conn *c = g->xs;
	char p[32];

	if (!c)
		return;
	store_disconnect(st, c->dom);
	snprintf(p, sizeof(p), "/local/domain/%u", c->dom);
	store_rm(st, 0, p);
	snprintf(p, sizeof(p), "/vm/%u", c->dom);
	store_rm(st, 0, p);
	struct gnttab_unmap_grant_ref uo = { (uintptr_t)&xs_pages[c - conns], 0, c->handle, 0 };
	hypercall(HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, (unsigned long)&uo, 1);
	struct evtchn_close cl = { c->port };
	sys_watch(c->port, false);
	hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_close, (unsigned long)&cl, 0);
	c->used = false;
	g->xs = NULL;
}

bool xs_poll(void)
{
	bool moved = true, more = false;

	for (unsigned round = 0; moved && round < 8; round++) {
		moved = more = false;
		for (unsigned i = 0; i < DOM_MAX_GUESTS; i++) {
			struct xs_conn *c = &conns[i];
			if (!c->used || c->ring.page == NULL)
				continue;
			unsigned f = xsring_service(&c->ring, st);
			if (f & XSRING_NOTIFY) {
				struct evtchn_send sd = { c->port };
				hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&sd, 0);
				moved = true;
			}
			if (f & XSRING_BROKEN)
				printf("mgmt: domain %u: its store ring is broken (%s); no more requests "
				       "from it\n", c->dom, c->ring.page->error == XENSTORE_ERROR_RINGIDX
				       ? "ring indices" : "message length");
			more |= (f & XSRING_MORE) != 0;
		}
	}
	return more;
}
