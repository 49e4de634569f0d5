/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The toolstack of the management domain (see dom.h): it builds domains
 * from xl.cfg configs -- PVH kernels with the pure loader the hypervisor
 * also uses (vmm/load/pvh_guest.c), Linux bzImages (type hvm) with its own
 * (mgmt/linux_boot.c: the hypervisor loads none) -- serves their consoles
 * and applies on_poweroff / on_reboot / on_crash when they stop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "include/public/event_channel.h"
#include "include/public/eyrie.h"
#include "include/public/grant_table.h"
#include "include/public/hvm.h"
#include "include/public/memory.h"
#include "include/public/xen.h"
#include "mgmt/blkback.h"
#include "mgmt/netback.h"
#include "mgmt/conring.h"
#include "mgmt/dom.h"
#include "mgmt/sys.h"
#include "mgmt/xs.h"
#include "mgmt/linux_boot.h"
#include "vmm/load/mb1_guest.h"
#include "vmm/load/pvh_guest.h"

#define MAX_MODULES 16

static struct module {
	const char *name;
	const void *data;
	uint64_t size;
} modules[MAX_MODULES];
static unsigned nr_modules;

static struct guest guests[DOM_MAX_GUESTS];

/* The pages the guests' console rings are mapped over (grant maps). */
static union {
	struct xencons_interface r;
	char page[4096];
} ring_pages[DOM_MAX_GUESTS] __attribute__((aligned(4096)));

static long op(unsigned o, void *arg)
{
	return hypercall(HYPERVISOR_eyrie_op, o, (unsigned long)arg, 0);
}

static long evtchn(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_event_channel_op, cmd, (unsigned long)arg, 0);
}

void dom_init(const struct hvm_start_info *si)
{
	const struct hvm_modlist_entry *m = (const void *)(uintptr_t)si->modlist_paddr;

	for (uint32_t i = 0; si->modlist_paddr && i < si->nr_modules && i < MAX_MODULES; i++)
		modules[nr_modules++] = (struct module){
			m[i].cmdline_paddr ? (const char *)(uintptr_t)m[i].cmdline_paddr : "",
			(const void *)(uintptr_t)m[i].paddr, m[i].size };
}

unsigned dom_modules(const char **name, const void **data, uint64_t *size, unsigned i)
{
	if (i >= nr_modules)
		return 0;
	*name = modules[i].name;
	*data = modules[i].data;
	*size = modules[i].size;
	return 1;
}

/* The boot module named by the first word of name. */
static const struct module *module(const char *name)
{
	size_t n = strcspn(name, " ");

	for (unsigned i = 0; i < nr_modules; i++)
		if (!strncmp(modules[i].name, name, n) && !modules[i].name[n])
			return &modules[i];
	return NULL;
}

struct guest *dom_guest(uint32_t domid)
{
	for (unsigned i = 0; i < DOM_MAX_GUESTS; i++)
		if (guests[i].used && guests[i].domid == domid)
			return &guests[i];
	return NULL;
}

static int fail(const char *name, const char *what, long rc)
{
	printf("error: domain %s: %s (%ld)\n", name, what, rc);
	return rc < 0 ? (int)rc : -1;
}

/* What a loader's plan copies: len bytes from src (NULL: zeros, and new
 * guest RAM is zeroed already) to gpa. */
struct piece {
	uint64_t gpa, len;
	const void *src;
};
#define MAX_PIECES GLOAD_MAX_COPIES

/* The common part of building: a new domain of c's size and type, the
 * pieces copied in, vcpu 0's start state; g->domid is set once it exists. */
static int make(const struct xlcfg *c, struct guest *g, uint32_t type, const struct piece *p,
		unsigned n, struct eyrie_vcpu_context *ctx)
{
	/* PVH guests get the PC platform too, as Xen gives them a local APIC
	 * and ACPI tables (Linux needs both). */
	struct eyrie_dom_new nd = { .memory_mib = c->memory_mib, .type = type, .vcpus = c->vcpus,
				    .cpumask = c->cpumask, .flags = EYRIE_NEWF_PLATFORM |
					     (c->xen_platform_pci ? EYRIE_NEWF_XEN : 0) };
	long rc;

	snprintf(nd.name, sizeof(nd.name), "%s", c->name);
	if ((rc = op(EYRIE_OP_domain_new, &nd)))
		return fail(c->name, "the hypervisor refused it (see its log)", rc);
	g->domid = nd.domid;
	struct eyrie_sched sc = { nd.domid, c->weight ? c->weight : 256, c->cap, 0 };
	if ((c->weight || c->cap) && (rc = op(EYRIE_OP_sched_set, &sc)))
		return fail(c->name, "cap: at most 100 per vcpu", rc);
	for (unsigned i = 0; i < n; i++) {
		struct eyrie_dom_mem m = { nd.domid, 0, p[i].gpa, p[i].len, (uint64_t)(uintptr_t)p[i].src };
		if (p[i].src && p[i].len && (rc = op(EYRIE_OP_mem_write, &m)))
			return fail(c->name, "cannot load it", rc);
	}
	ctx->domid = nd.domid;
	ctx->vcpu = 0;
	if ((rc = op(EYRIE_OP_set_context, ctx)))
		return fail(c->name, "cannot set its vcpu", rc);
	return 0;
}

/* Parses and plans image k with cfg by the loader shared with the
 * hypervisor (vmm/load: multiboot or PVH), then builds the domain from the
 * plan's copies and entry state (flat 32-bit, EAX and EBX as planned). */
static int make_planned(const struct xlcfg *c, struct guest *g, uint32_t type, const struct module *k,
			const struct gload_cfg *cfg)
{
	static struct gload_image img;
	static struct gload_plan plan;
	int (*parse)(const void *, size_t, struct gload_image *, char *, size_t) =
		type == EYRIE_TYPE_PVH ? pvh_parse : mb1g_parse;
	int (*planner)(const struct gload_image *, const struct gload_cfg *, struct gload_plan *,
		       char *, size_t) = type == EYRIE_TYPE_PVH ? pvh_plan : mb1g_plan;
	char err[128];

	if (parse(k->data, k->size, &img, err, sizeof(err)) ||
	    planner(&img, cfg, &plan, err, sizeof(err))) {
		printf("error: domain %s: %s: %s\n", c->name, c->kernel, err);
		return -1;
	}
	struct piece p[MAX_PIECES];
	for (unsigned i = 0; i < plan.nr_copies; i++)
		p[i] = (struct piece){ plan.copies[i].gpa, plan.copies[i].len,
				       gload_copy_src(&img, cfg, &plan, &plan.copies[i]) };
	struct eyrie_vcpu_context ctx = { .mode = EYRIE_CTX_FLAT32, .rip = plan.entry.eip,
					  .rax = plan.entry.eax, .rbx = plan.entry.ebx, .rflags = 2 };
	return make(c, g, type, p, plan.nr_copies, &ctx);
}

/* A PVH kernel: the start info plan, then the console ring: a port in
 * the new domain bound to one of ours, its page announced through the
 * HVM params (which grants it to us as GNTTAB_RESERVED_CONSOLE) and
 * mapped here. */
static int build_pvh(const struct xlcfg *c, struct guest *g, const struct module *k,
		     const struct module *rd)
{
	struct e820_entry map[4];
	uint64_t ram = (uint64_t)c->memory_mib << 20;
	struct gmodule mods[1] = { { rd ? rd->data : NULL, rd ? rd->size : 0, NULL } };
	struct gload_cfg cfg = { ram, map, e820_guest_map(ram, 2, map), c->cmdline[0] ? c->cmdline : c->name,
			       mods, rd ? 1 : 0, EYRIE_HVM_ACPI_GPA };
	long rc;

	if ((rc = make_planned(c, g, EYRIE_TYPE_PVH, k, &cfg)))
		return (int)rc;
	domid_t dom = (domid_t)g->domid;
	struct xen_e820_entry e820[4];
	for (unsigned i = 0; i < cfg.e820_n; i++)
		e820[i] = (struct xen_e820_entry){ map[i].base, map[i].size, map[i].type };
	struct xen_foreign_memory_map fm = { dom, { cfg.e820_n, (uintptr_t)e820 } };
	if ((rc = hypercall(HYPERVISOR_memory_op, XENMEM_set_memory_map, (unsigned long)&fm, 0)))
		return fail(c->name, "cannot set its memory map", rc);
	struct evtchn_alloc_unbound au = { dom, 0, 0 };
	if ((rc = evtchn(EVTCHNOP_alloc_unbound, &au)))
		return fail(c->name, "no console event channel", rc);
	struct xen_hvm_param p1 = { dom, 0, HVM_PARAM_CONSOLE_EVTCHN, au.port };
	struct xen_hvm_param p2 = { dom, 0, HVM_PARAM_CONSOLE_PFN, (ram - 4096) >> 12 };
	if ((rc = hypercall(HYPERVISOR_hvm_op, HVMOP_set_param, (unsigned long)&p1, 0)) ||
	    (rc = hypercall(HYPERVISOR_hvm_op, HVMOP_set_param, (unsigned long)&p2, 0)))
		return fail(c->name, "cannot set its console params", rc);
	struct evtchn_bind_interdomain bi = { dom, au.port, 0 };
	if ((rc = evtchn(EVTCHNOP_bind_interdomain, &bi)))
		return fail(c->name, "cannot bind its console event channel", rc);
	g->port = bi.local_port;
	sys_watch(g->port, true);
	struct gnttab_map_grant_ref mo = { .host_addr = (uintptr_t)&ring_pages[g - guests],
					   .flags = GNTMAP_host_map, .ref = GNTTAB_RESERVED_CONSOLE,
					   .dom = dom };
	rc = hypercall(HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, (unsigned long)&mo, 1);
	if (rc || mo.status != GNTST_okay)
		return fail(c->name, "cannot map its console ring", rc ? rc : mo.status);
	g->ring = &ring_pages[g - guests].r;
	g->handle = mo.handle;
	if ((rc = xs_introduce(g, dom, ram)))
		return fail(c->name, "cannot give it its store ring", rc);
	return 0;
}

/* A Linux bzImage on the PC platform: the boot protocol plan and the
 * 64-bit entry; its console is its UART, read through console_read. */
static int build_hvm(const struct xlcfg *c, struct guest *g, const struct module *k,
		     const struct module *rd)
{
	static struct linux_image img;
	static struct linux_plan plan;
	struct e820_entry map[4];
	uint64_t ram = (uint64_t)c->memory_mib << 20;
	/* With Xen's platform device (PVHVM) the two top pages are reserved,
	 * as for PVH: the store page is the lower one. */
	struct linux_boot_cfg cfg = { ram, map, e820_guest_map(ram, c->xen_platform_pci ? 2 : 0, map),
				      c->cmdline[0] ? c->cmdline : "console=ttyS0",
				      rd ? rd->data : NULL, rd ? rd->size : 0, EYRIE_HVM_ACPI_GPA };
	char err[128];

	if (linux_parse(k->data, k->size, &img, err, sizeof(err)) ||
	    linux_plan(&img, &cfg, &plan, err, sizeof(err))) {
		printf("error: domain %s: %s: %s\n", c->name, c->kernel, err);
		return -1;
	}
	struct piece p[MAX_PIECES];
	for (unsigned i = 0; i < plan.nr_copies; i++)
		p[i] = (struct piece){ plan.copies[i].gpa, plan.copies[i].len,
				       linux_copy_src(&img, &cfg, &plan, &plan.copies[i]) };
	int rc = make(c, g, EYRIE_TYPE_HVM, p, plan.nr_copies, &plan.entry);
	if (!rc && c->xen_platform_pci && (rc = xs_introduce(g, g->domid, ram)))
		return fail(c->name, "cannot give it its store ring", rc);
	return rc;
}

/* A multiboot kernel (Eyrie's type = "multiboot"), as the hypervisor's own
 * loader starts one: its command line the kernel's name, then cmdline;
 * each module = "NAME ARGS" the boot module NAME with that whole string.
 * It has no console ring: it writes to the hypervisor's console. */
static int build_multiboot(const struct xlcfg *c, struct guest *g, const struct module *k)
{
	static char cmd[XLCFG_PATH_LEN + XLCFG_CMDLINE_LEN];
	struct gmodule mods[XLCFG_LIST_MAX];
	struct e820_entry map[4];
	uint64_t ram = (uint64_t)c->memory_mib << 20;
	struct gload_cfg cfg = { ram, map, e820_guest_map(ram, 0, map), cmd, mods, c->nmodule, 0 };

	snprintf(cmd, sizeof(cmd), "%s%s%s", c->kernel, c->cmdline[0] ? " " : "", c->cmdline);
	for (unsigned i = 0; i < c->nmodule; i++) {
		const struct module *m = module(c->module[i]);
		if (!m) {
			printf("error: domain %s: no boot module named by module \"%s\"\n", c->name,
			       c->module[i]);
			return -1;
		}
		mods[i] = (struct gmodule){ m->data, m->size, c->module[i] };
	}
	return make_planned(c, g, EYRIE_TYPE_MULTIBOOT, k, &cfg);
}

/* The config's ioports, irqs and iomem: the hardware the domain may reach. */
static int grant_io(const struct xlcfg *c, uint32_t domid)
{
	long rc;

	for (unsigned i = 0; i < c->nioports; i++) {
		const struct xlcfg_ioports *r = &c->ioports[i];
		struct eyrie_dom_ioports p = { domid, r->first, r->last - r->first + 1, 1 };
		if ((rc = op(EYRIE_OP_ioports, &p))) {
			printf("error: domain %s: ioports %x-%x: %s (%ld)\n", c->name, r->first, r->last,
			       rc == -13 ? "the hypervisor's console UART" :
			       rc == -1 ? "ports the hypervisor keeps" : "refused", rc);
			return (int)rc;
		}
	}
	for (unsigned i = 0; i < c->nirqs; i++) {
		struct eyrie_dom_irq q = { domid, c->irqs[i], 1, 0 };
		if ((rc = op(EYRIE_OP_irq, &q))) {
			printf("error: domain %s: irq %u: %s (%ld)\n", c->name, c->irqs[i],
			       rc == -1 ? "the hypervisor's own (its console UART's or timer's)" :
			       rc == -16 ? "another domain's"
			       : "no such interrupt for a PVH domain", rc);
			return (int)rc;
		}
	}
	for (unsigned i = 0; i < c->niomem; i++) {
		const struct xlcfg_iomem *m = &c->iomem[i];
		struct eyrie_dom_iomem io = { domid, 1, m->gfn, m->start, m->pages };
		if ((rc = op(EYRIE_OP_iomem, &io))) {
			printf("error: domain %s: iomem %llx,%llx@%llx: %s (%ld)\n", c->name,
			       (unsigned long long)m->start, (unsigned long long)m->pages,
			       (unsigned long long)m->gfn,
			       rc == -13 ? "the hypervisor's console UART" :
			       rc == -1 ? "not device memory (RAM, an APIC, PCI configuration)" :
			       "not above the domain's RAM or out of range", rc);
			return (int)rc;
		}
	}
	return 0;
}

/* The config's disks (guests with the store for the handshake: PVH, and
 * HVM with Xen's platform device). */
static int attach_disks(const struct xlcfg *c, struct guest *g)
{
	char err[160];

	if (c->ndisk && !g->xs) {
		printf("error: domain %s: disks are served to PVH guests and HVM guests with "
		       "xen_platform_pci = 1 only\n", c->name);
		return -1;
	}
	for (unsigned i = 0; i < c->ndisk; i++) {
		int rc = blkback_attach(g->domid, c->disk[i], err, sizeof(err));
		if (rc) {
			printf("error: domain %s: %s\n", c->name, err);
			return rc;
		}
	}
	return 0;
}

/* The config's vifs (guests with the store, as disks). */
static int attach_vifs(const struct xlcfg *c, struct guest *g)
{
	struct xlcfg_vif v[XLCFG_LIST_MAX];
	struct xlcfg_error e;
	char err[160];

	if (c->nvif && !g->xs) {
		printf("error: domain %s: vifs are served to PVH guests and HVM guests with "
		       "xen_platform_pci = 1 only\n", c->name);
		return -1;
	}
	if (xlcfg_vifs(c, v, &e)) {
		printf("error: domain %s: %s\n", c->name, e.message);
		return -1;
	}
	for (unsigned i = 0; i < c->nvif; i++) {
		int rc = netback_attach(g->domid, c->name, &v[i], err, sizeof(err));
		if (rc) {
			printf("error: domain %s: %s\n", c->name, err);
			return rc;
		}
	}
	return 0;
}

/* Forgets a guest (its domain is gone or going): its disks and vifs, the
 * ring mapping, our port, the log. */
static void forget(struct guest *g)
{
	if (g->domid != UINT32_MAX) {
		blkback_release(g->domid);
		netback_release(g->domid);
	}
	xs_release(g);
	if (g->ring) {
		struct gnttab_unmap_grant_ref uo = { (uintptr_t)g->ring, 0, g->handle, 0 };
		hypercall(HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, (unsigned long)&uo, 1);
	}
	if (g->port) {
		struct evtchn_close cl = { g->port };
		sys_watch(g->port, false);
		evtchn(EVTCHNOP_close, &cl);
	}
	free(g->log);
	memset(g, 0, sizeof(*g));
}

int dom_create(const struct xlcfg *c, uint32_t *domid)
{
	const struct module *k = module(c->kernel);
	const struct module *rd = c->ramdisk[0] ? module(c->ramdisk) : NULL;
	struct guest *g = NULL;

	if (!k || (c->ramdisk[0] && !rd)) {
		printf("error: domain %s: no boot module named %s\n", c->name, k ? c->ramdisk : c->kernel);
		return -1;
	}
	if (c->vcpus > 8) {
		printf("error: domain %s: vcpus: at most 8, not %u\n", c->name, c->vcpus);
		return -1;
	}
	for (unsigned i = 0; i < DOM_MAX_GUESTS && !g; i++)
		if (!guests[i].used)
			g = &guests[i];
	if (!g || !(g->log = malloc(DOM_LOG))) {
		printf("error: domain %s: no room for another domain here\n", c->name);
		return -1;
	}
	static uint64_t builds;
	g->used = true;
	g->cfg = *c;
	g->domid = UINT32_MAX;
	g->gen = ++builds;
	int rc = c->type == XLCFG_TYPE_PVH ? build_pvh(c, g, k, rd)
		 : c->type == XLCFG_TYPE_MULTIBOOT ? build_multiboot(c, g, k) : build_hvm(c, g, k, rd);
	struct eyrie_dom_id id = { g->domid };
	if (!rc)
		rc = attach_disks(c, g);
	if (!rc)
		rc = attach_vifs(c, g);
	if (!rc)
		rc = grant_io(c, g->domid);
	if (!rc && (rc = (int)op(EYRIE_OP_unpause, &id)))
		fail(c->name, "cannot start it", rc);
	if (rc) {
		/* Half built: the hypervisor takes back all it gave. */
		uint32_t made = g->domid;
		forget(g);
		if (made != UINT32_MAX)
			op(EYRIE_OP_destroy, &id);
		return rc;
	}
	*domid = g->domid;
	return 0;
}

long dom_destroy(uint32_t domid)
{
	struct guest *g = dom_guest(domid);
	struct eyrie_dom_id id = { domid };

	if (g) {
		dom_service(g); /* its last words */
		forget(g);
	}
	return op(EYRIE_OP_destroy, &id);
}

unsigned dom_stop_timeout = 30;

static long remote_shutdown(uint32_t domid, uint32_t reason)
{
	struct sched_remote_shutdown rs = { (domid_t)domid, reason };

	return hypercall(HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, (unsigned long)&rs, 0);
}

long dom_shutdown(uint32_t domid, uint32_t reason)
{
	static const char *const ask[] = { "poweroff", "reboot" };
	struct guest *g = dom_guest(domid);
	char path[96], *v = NULL;
	size_t n;

	if (g && g->xs && reason <= SHUTDOWN_reboot) {
		snprintf(path, sizeof(path), "/local/domain/%u/control/feature-%s", domid, ask[reason]);
		bool can = !store_read(xs_store(), 0, path, &v, &n) && n == 1 && *v == '1';
		free(v);
		snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
		if (can && !store_write(xs_store(), 0, path, ask[reason], strlen(ask[reason]))) {
			g->stop_at = now_ns() + dom_stop_timeout * 1000000000ull;
			g->stop_reason = reason;
			printf("mgmt: domain %u (%s): asked to %s (control/shutdown); stopped in %u s "
			       "if it does not\n", domid, g->cfg.name, ask[reason], dom_stop_timeout);
			return 0;
		}
	}
	return remote_shutdown(domid, reason);
}

/* A domain asked to stop that did not in time is stopped. */
static void stop_overdue(struct guest *g)
{
	if (!g->stop_at || now_ns() < g->stop_at)
		return;
	g->stop_at = 0;
	printf("mgmt: domain %u (%s) did not stop within %u s: stopped\n", g->domid, g->cfg.name,
	       dom_stop_timeout);
	remote_shutdown(g->domid, g->stop_reason);
}

static void log_put(struct guest *g, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		g->log[g->log_total++ % DOM_LOG] = s[i];
}

void dom_service(struct guest *g)
{
	char buf[512];
	int n;

	if (g->ring && !g->broken) {
		bool took = false;
		while ((n = conring_take_out(g->ring, buf, sizeof(buf))) > 0) {
			log_put(g, buf, (size_t)n);
			took = true;
		}
		if (n == CONRING_BROKEN) {
			printf("mgmt: domain %u (%s): its console ring indices are broken; ignoring it\n",
			       g->domid, g->cfg.name);
			g->broken = true;
		}
		struct evtchn_send sd = { g->port };
		if (took) /* room again for a writer that waits */
			evtchn(EVTCHNOP_send, &sd);
	} else if (!g->ring) {
		struct eyrie_dom_console c = { g->domid, sizeof(buf), g->hvm_pos, (uintptr_t)buf };
		while ((n = (int)op(EYRIE_OP_console_read, &c)) > 0) {
			log_put(g, buf, (size_t)n);
			c.len = sizeof(buf);
		}
		g->hvm_pos = c.pos;
	}
}

long dom_input(struct guest *g, const char *s, size_t n)
{
	if (!g->ring) {
		struct eyrie_dom_console w = { g->domid, (uint32_t)n, 0, (uintptr_t)s };
		return op(EYRIE_OP_console_write, &w);
	}
	int k = g->broken ? CONRING_BROKEN : conring_put_in(g->ring, s, n);
	struct evtchn_send sd = { g->port };
	if (k > 0)
		evtchn(EVTCHNOP_send, &sd);
	return k;
}

/*
 * A config that keeps stopping and restarting (a reboot loop) must not
 * flood the console: after LOOP_STOPS stops in a row faster than one
 * every LOOP_SECS seconds its restarts are told once every LOOP_SECS
 * seconds, until it has been calm for LOOP_STOPS * LOOP_SECS seconds.
 */
#define LOOP_STOPS 8u
#define LOOP_SECS  10ull
static struct loop {
	char name[sizeof(((struct xlcfg *)0)->name)];
	uint64_t stamp, said;  /* ns: credit last refilled, last summary */
	unsigned credit, stops, restarts;
	bool quiet;
} loops[8];

/* Whether this stop of config `name` is told; counts the restart. */
static bool loop_tell(const char *name, bool restart)
{
	struct loop *l = &loops[0];
	uint64_t now = now_ns(), period = LOOP_SECS * 1000000000ull;

	for (unsigned i = 0; i < 8 && strcmp(l->name, name); i++)
		if (!strcmp(loops[i].name, name) || (!loops[i].quiet && loops[i].stamp < l->stamp))
			l = &loops[i];
	if (strcmp(l->name, name)) {
		*l = (struct loop){ .stamp = now, .credit = LOOP_STOPS };
		snprintf(l->name, sizeof(l->name), "%s", name);
	}
	unsigned add = (unsigned)((now - l->stamp) / period);
	if (add) {
		l->credit = l->credit + add >= LOOP_STOPS ? LOOP_STOPS : l->credit + add;
		l->stamp = now;
	}
	l->restarts += restart;
	if (l->quiet && l->credit == LOOP_STOPS) {
		printf("mgmt: domain %s stopped looping (%u restarts in all)\n", name, l->restarts);
		l->quiet = false;
	}
	if (!l->quiet && !l->credit) {
		printf("mgmt: domain %s keeps stopping and restarting: told every %llu s from now\n",
		       name, LOOP_SECS);
		l->quiet = true;
		l->said = now;
		l->stops = 0;
	} else if (l->credit) {
		l->credit--;
	}
	l->stops++;
	if (l->quiet && now - l->said >= period) {
		printf("mgmt: domain %s: %u stops in the last %llu s, %u restarts in all\n", name,
		       l->stops, LOOP_SECS, l->restarts);
		l->said = now;
		l->stops = 0;
	}
	return !l->quiet;
}

/* What a stopped domain's config says to do: xl's actions, of which
 * destroy, restart (and rename-restart) and preserve (and coredump-*,
 * without the dump) are carried out. */
static void apply(struct guest *g, const struct eyrie_dom_info *d)
{
	static const char *const why[] = { "powered off", "rebooted", "suspended", "crashed",
					   "was stopped by its watchdog" };
	bool crashed = d->state == EYRIE_DOM_CRASHED || d->reason >= SHUTDOWN_suspend;
	enum xlcfg_action a = crashed ? g->cfg.on_crash
			      : d->reason == SHUTDOWN_reboot ? g->cfg.on_reboot : g->cfg.on_poweroff;
	struct xlcfg cfg = g->cfg;
	uint32_t id = g->domid, nid;

	if (g->preserved)
		return;
	bool tell = loop_tell(cfg.name, a == XLCFG_RESTART || a == XLCFG_RENAME_RESTART);
	if (tell)
		printf("mgmt: domain %u (%s) %s: %s\n", id, cfg.name,
		       d->state == EYRIE_DOM_CRASHED ? "crashed" : d->reason <= 4 ? why[d->reason]
		       : "stopped", xlcfg_action_name(a));
	if (a == XLCFG_PRESERVE || a == XLCFG_COREDUMP_DESTROY || a == XLCFG_COREDUMP_RESTART) {
		g->preserved = true; /* kept until destroyed by hand */
		return;
	}
	dom_destroy(id);
	if (a == XLCFG_RESTART || a == XLCFG_RENAME_RESTART) {
		if (!dom_create(&cfg, &nid) && tell)
			printf("mgmt: domain %s restarted as domain %u\n", cfg.name, nid);
	}
}

void dom_poll(void)
{
	static struct eyrie_dom_info doms[64];

	xs_poll();
	/* The disks and vifs after the store (their frontends' state changes
	 * came through it), and the store again for what they wrote. */
	if (blkback_poll() | netback_poll())
		sys_busy();
	xs_poll();
	struct eyrie_dom_list l = { 64, 0, (uint64_t)(uintptr_t)doms };

	for (unsigned i = 0; i < DOM_MAX_GUESTS; i++)
		if (guests[i].used && guests[i].domid != UINT32_MAX) {
			dom_service(&guests[i]);
			stop_overdue(&guests[i]);
		}
	/* The domains' states: when VIRQ_DOM_EXC says one stopped, and every
	 * 100 ms for one destroyed from the hypervisor shell. */
	static uint64_t next_list;
	if (!sys_virq_fired(VIRQ_DOM_EXC, &next_list, 100000000ull) || op(EYRIE_OP_list, &l))
		return;
	for (unsigned i = 0; i < DOM_MAX_GUESTS; i++) {
		struct guest *g = &guests[i];
		const struct eyrie_dom_info *d = NULL;
		if (!g->used || g->domid == UINT32_MAX)
			continue;
		for (uint32_t j = 0; j < l.nr && !d; j++)
			if (doms[j].domid == g->domid)
				d = &doms[j];
		if (!d)
			forget(g); /* destroyed from the hypervisor shell */
		else if (d->state == EYRIE_DOM_SHUTDOWN || d->state == EYRIE_DOM_CRASHED)
			apply(g, d);
	}
}
