/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mgmt: the privileged domain's management operations (HYPERVISOR_eyrie_op,
 * include/public/eyrie.h). Run as domain 0 (type=pvh,privileged=1) beside a
 * `pattern` domain (id 1), with pvh.elf and pattern.elf among the boot
 * modules: it lists the domains, pauses and unpauses pattern, builds a
 * domain itself from the pattern.elf module (domain_new, mem_write of its
 * ELF segments, set_context, unpause), sees it run, stops it with
 * SCHEDOP_remote_shutdown (VIRQ_DOM_EXC tells; the domain stays until
 * destroyed), destroys it, and checks the refusals. Grants mapped for
 * devices (GNTMAP_device_map, domain 0's zero-copy): see device_maps.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/eyrie.h"
#include "include/public/grant_table.h"
#include "include/public/hvm.h"
#include "include/public/hvm_start_info.h"
#include "include/public/memory.h"
#include "include/public/xen.h"

const char guest_name[] = "mgmt";

#define MS 1000000ull

static struct eyrie_dom_info doms[16];
static union {
	struct shared_info s;
	uint8_t page[4096];
} shpage __attribute__((aligned(4096)));
static volatile uint32_t upcalls;

static void upcall(void)
{
	shpage.s.vcpu_info[0].evtchn_upcall_pending = 0;
	__atomic_exchange_n((volatile uint32_t *)&shpage.s.vcpu_info[0].evtchn_pending_sel, 0,
			    __ATOMIC_SEQ_CST);
	__atomic_exchange_n((volatile uint32_t *)&shpage.s.evtchn_pending[0], 0, __ATOMIC_SEQ_CST);
	upcalls++;
}

/* The hypervisor's console input (Ctrl-A x3 on the serial line): one line,
 * announced by VIRQ_CONSOLE, read with CONSOLEIO_read, echoed back. */
static void console_input(void)
{
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, (uint32_t)(uintptr_t)&shpage >> 12,
	};
	struct evtchn_bind_virq bv = { VIRQ_CONSOLE, 0, 0 };
	long rm = hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);
	long rb = hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, (unsigned long)&bv, 0, 0, 0);
	char line[64];
	unsigned n = 0;

	callback_hook = upcall;
	callback_setup();
	sti();
	gprintf("mgmt: console ready\n");
	uint64_t end = now_ns() + 60000 * MS;
	uint32_t seen = upcalls;
	while (now_ns() < end && (n == 0 || (line[n - 1] != '\r' && line[n - 1] != '\n'))) {
		if (upcalls == seen) {
			spin_until(now_ns() + 5 * MS, true);
			continue;
		}
		seen = upcalls;
		long got = hypercall(HYPERVISOR_console_io, CONSOLEIO_read, sizeof(line) - 1 - n,
				     (unsigned long)(line + n), 0, 0);
		if (got > 0)
			n += (unsigned)got;
		if (n >= sizeof(line) - 1)
			break;
	}
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	line[n] = 0;
	cli();
	gprintf("mgmt: got '%s'\n", line);
	check("console-input", rm == 0 && rb == 0 && upcalls > 0 && !memcmp(line, "hello dom0", 11),
	      "map %ld, bind %ld, %u upcall(s), line '%s'", rm, rb, upcalls, line);
}

static long op(unsigned o, void *arg)
{
	return hypercall(HYPERVISOR_eyrie_op, o, (unsigned long)arg, 0, 0, 0);
}

static int list(void)
{
	struct eyrie_dom_list l = { 16, 0, (uint32_t)(uintptr_t)doms };

	return op(EYRIE_OP_list, &l) ? -1 : (int)l.nr;
}

static const struct eyrie_dom_info *find(unsigned id)
{
	int n = list();

	for (int i = 0; i < n; i++)
		if (doms[i].domid == id)
			return &doms[i];
	return 0;
}

static struct gnttab_map_grant_ref dmap[5];
static struct gnttab_unmap_grant_ref dun[5];

static long gntop(unsigned cmd, void *ops, unsigned n)
{
	return hypercall(HYPERVISOR_grant_table_op, cmd, (unsigned long)ops, n, 0, 0);
}

/* The device's view of a grant of domain domid (half, being built): the
 * console page's grant, which setting HVM_PARAM_CONSOLE_PFN seeds, maps
 * for a device twice (its machine address); refs not granted, bad refs,
 * unknown domains, wrong bus addresses and stale handles are refused.
 * dmap[1] stays mapped for after domid's destroy. */
static bool device_maps(uint32_t domid)
{
	struct xen_hvm_param p = { (uint16_t)domid, 0, HVM_PARAM_CONSOLE_PFN, 5 };
	long rp = hypercall(HYPERVISOR_hvm_op, HVMOP_set_param, (unsigned long)&p, 0, 0, 0);
	uint16_t refs[5] = { GNTTAB_RESERVED_CONSOLE, GNTTAB_RESERVED_CONSOLE, 7, 60000, 0 };

	for (unsigned i = 0; i < 5; i++)
		dmap[i] = (struct gnttab_map_grant_ref){ .flags = GNTMAP_device_map |
			(i == 1 ? GNTMAP_readonly : 0), .ref = refs[i], .dom = i == 4 ? 999 : domid };
	long rm = gntop(GNTTABOP_map_grant_ref, dmap, 5);
	uint64_t bus = dmap[0].dev_bus_addr;
	for (unsigned i = 0; i < 5; i++) /* wrong address, none, right, stale, unknown */
		dun[i] = (struct gnttab_unmap_grant_ref){ .dev_bus_addr = i == 0 ? bus + 4096 :
			i == 1 ? 0 : bus, .handle = i == 4 ? 5000 : dmap[0].handle };
	long ru = gntop(GNTTABOP_unmap_grant_ref, dun, 5);
	bool ok = rp == 0 && rm == 0 && ru == 0 && dmap[0].status == GNTST_okay && bus &&
		  !(bus & 4095) && dmap[1].status == GNTST_okay && dmap[1].dev_bus_addr == bus &&
		  dmap[2].status == GNTST_general_error && dmap[3].status == GNTST_bad_gntref &&
		  dmap[4].status == GNTST_bad_domain && dun[0].status == GNTST_bad_dev_addr &&
		  dun[1].status == GNTST_bad_dev_addr && dun[2].status == GNTST_okay &&
		  dun[3].status == GNTST_bad_handle && dun[4].status == GNTST_bad_handle;
	check("device-maps", ok, "param %ld, maps %ld: %d %d %d %d %d at 0x%llx; unmaps %ld: "
	      "%d %d %d %d %d", rp, rm, dmap[0].status, dmap[1].status, dmap[2].status,
	      dmap[3].status, dmap[4].status, (unsigned long long)bus, ru, dun[0].status,
	      dun[1].status, dun[2].status, dun[3].status, dun[4].status);
	return ok;
}

/* dmap[1], kept across its granter's destroy (its frame an orphan since),
 * ends; then its handle is stale. */
static void device_map_orphan(void)
{
	dun[0] = (struct gnttab_unmap_grant_ref){ .dev_bus_addr = dmap[1].dev_bus_addr,
						  .handle = dmap[1].handle };
	dun[1] = dun[0];
	long ru = gntop(GNTTABOP_unmap_grant_ref, dun, 2);
	check("device-map-orphan", ru == 0 && dun[0].status == GNTST_okay &&
				   dun[1].status == GNTST_bad_handle,
	      "unmap %ld: %d, again %d", ru, dun[0].status, dun[1].status);
}

static long dom_op(unsigned o, uint32_t domid)
{
	struct eyrie_dom_id id = { domid };

	return op(o, &id);
}

/* The boot module named name (start info), or NULL. */
static const uint8_t *module(const char *name, uint32_t *size)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;
	const struct hvm_modlist_entry *m = (const void *)(uintptr_t)si->modlist_paddr;

	for (uint32_t i = 0; i < si->nr_modules; i++)
		if (m[i].cmdline_paddr && !memcmp((const char *)(uintptr_t)m[i].cmdline_paddr, name,
						  strlen(name) + 1)) {
			*size = (uint32_t)m[i].size;
			return (const uint8_t *)(uintptr_t)m[i].paddr;
		}
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Builds a domain from an ELF32 image: each PT_LOAD's file bytes copied
 * to its physical address, the vcpu at e_entry in flat 32-bit mode. */
static long build(const char *name, const uint8_t *img, uint32_t size, uint32_t *domid)
{
	struct eyrie_dom_new n = { .memory_mib = 4, .type = EYRIE_TYPE_PVH, .vcpus = 1 };
	long rc;

	memcpy(n.name, name, strlen(name) + 1);
	if ((rc = op(EYRIE_OP_domain_new, &n)))
		return rc;
	*domid = n.domid;
	uint32_t phoff = le32(img + 28), phnum = img[44] | img[45] << 8;
	for (uint32_t i = 0; i < phnum && phoff + (i + 1) * 32 <= size; i++) {
		const uint8_t *ph = img + phoff + i * 32;
		struct eyrie_dom_mem m = { n.domid, 0, le32(ph + 12), le32(ph + 16),
					   (uint32_t)(uintptr_t)(img + le32(ph + 4)) };
		if (le32(ph) == 1 && (rc = op(EYRIE_OP_mem_write, &m)))
			return rc;
	}
	struct eyrie_vcpu_context c = { .domid = n.domid, .mode = EYRIE_CTX_FLAT32,
					.rip = le32(img + 24), .rflags = 2 };
	if ((rc = op(EYRIE_OP_set_context, &c)))
		return rc;
	return dom_op(EYRIE_OP_unpause, n.domid);
}

static bool pending(uint32_t port)
{
	return __atomic_load_n((volatile uint32_t *)&shpage.s.evtchn_pending[0], __ATOMIC_SEQ_CST) >>
	       port & 1;
}

void guest_main(void)
{
	int n = list();
	const struct eyrie_dom_info *me = find(0), *pat = find(1);

	check("list", n >= 2 && me && (me->flags & EYRIE_DOMF_PRIVILEGED) && pat &&
			  !memcmp(pat->name, "pattern", 8) && pat->state == EYRIE_DOM_RUNNING &&
			  pat->memory_kib == 4096,
	      "%d domains; 0: %s; 1: %s", n, me ? me->name : "-", pat ? pat->name : "-");

	long rp = dom_op(EYRIE_OP_pause, 1);
	pat = find(1);
	bool paused = pat && pat->state == EYRIE_DOM_PAUSED;
	long ru = dom_op(EYRIE_OP_unpause, 1);
	pat = find(1);
	check("pause-unpause", rp == 0 && paused && ru == 0 && pat && pat->state == EYRIE_DOM_RUNNING,
	      "pause %ld (paused: %d), unpause %ld", rp, paused, ru);

	/* Our shared info and VIRQ_DOM_EXC (a domain we built stopped). */
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, (uint32_t)(uintptr_t)&shpage >> 12,
	};
	struct evtchn_bind_virq bx = { VIRQ_DOM_EXC, 0, 0 };
	hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);
	long rx = hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, (unsigned long)&bx, 0, 0, 0);

	uint32_t made = 0, size = 0;
	const uint8_t *img = module("pattern.elf", &size);
	struct eyrie_dom_new half = { .memory_mib = 4, .type = EYRIE_TYPE_PVH, .vcpus = 1 };
	memcpy(half.name, "half", 5);
	long rh = op(EYRIE_OP_domain_new, &half);
	const struct eyrie_dom_info *h = find(half.domid);
	char junk[16] = "not a program";
	struct eyrie_dom_mem out = { half.domid, 0, (4u << 20) - 8, 16, (uint32_t)(uintptr_t)junk };
	struct eyrie_vcpu_context badctx = { .domid = half.domid, .mode = 7 };
	long ro = op(EYRIE_OP_mem_write, &out), rbc = op(EYRIE_OP_set_context, &badctx);
	check("build-refusals", rh == 0 && h && h->state == EYRIE_DOM_PAUSED &&
				(h->flags & (EYRIE_DOMF_BUILDING | EYRIE_DOMF_MANAGED)) ==
				(EYRIE_DOMF_BUILDING | EYRIE_DOMF_MANAGED) && ro == -22 && rbc == -22,
	      "new %ld (flags 0x%x), write past the end %ld, bad mode %ld", rh, h ? h->flags : 0, ro, rbc);
	bool mapped = device_maps(half.domid);
	long rdh = dom_op(EYRIE_OP_destroy, half.domid);
	check("build-abandoned", rdh == 0 && !find(half.domid), "destroy %ld", rdh);
	if (mapped)
		device_map_orphan();

	long rc = img ? build("made", img, size, &made) : -2;
	const struct eyrie_dom_info *m = find(made);
	check("build", rc == 0 && made >= 2 && m && !memcmp(m->name, "made", 5) &&
		       m->state == EYRIE_DOM_RUNNING && !(m->flags & EYRIE_DOMF_BUILDING),
	      "%ld, domain %u", rc, made);
	gprintf("mgmt: built domain %u\n", made);
	struct eyrie_dom_mem late = { made, 0, 0, 16, (uint32_t)(uintptr_t)junk };
	check("build-started-refused", op(EYRIE_OP_mem_write, &late) == -16, "mem_write once started");
	char log[256];
	struct eyrie_dom_console c = { made, sizeof(log), 0, (uint32_t)(uintptr_t)log };
	long got = 0;
	for (uint64_t end = now_ns() + 10000 * MS; got <= 0 && now_ns() < end;) {
		spin_until(now_ns() + 50 * MS, true);
		got = op(EYRIE_OP_console_read, &c);
	}
	check("build-runs", got > 0 && find(made) && find(made)->cpu_ns > 0,
	      "%ld console bytes, %llu ns", got, find(made) ? (unsigned long long)find(made)->cpu_ns : 0ull);

	struct sched_remote_shutdown rs = { (uint16_t)made, SHUTDOWN_reboot };
	long rr = hypercall(HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, (unsigned long)&rs, 0, 0, 0);
	m = find(made);
	check("remote-shutdown", rr == 0 && rx == 0 && m && m->state == EYRIE_DOM_SHUTDOWN &&
				 m->reason == SHUTDOWN_reboot && pending(bx.port),
	      "%ld; state %u reason %u, VIRQ_DOM_EXC %d", rr, m ? m->state : 9, m ? m->reason : 9,
	      pending(bx.port));
	upcall(); /* clears the event, so that the next one calls back */
	spin_until(now_ns() + 50 * MS, true);
	long rd = dom_op(EYRIE_OP_destroy, made);
	check("destroy-managed", find(made) == 0 && rd == 0, "kept until destroyed: %ld", rd);

	struct eyrie_dom_list bad = { 4, 0, 0xfffff000u };
	struct sched_remote_shutdown rself = { 0, SHUTDOWN_poweroff };
	struct eyrie_dom_new two = { .memory_mib = 4, .type = EYRIE_TYPE_PVH, .vcpus = 9 };
	memcpy(two.name, "two", 4);
	long r1 = dom_op(EYRIE_OP_pause, 999), r2 = dom_op(EYRIE_OP_destroy, 0);
	long r3 = op(EYRIE_OP_domain_new, &two), r4 = hypercall(HYPERVISOR_sched_op,
		SCHEDOP_remote_shutdown, (unsigned long)&rself, 0, 0, 0), r5 = op(EYRIE_OP_list, &bad);
	long r6 = op(99, &bad);
	struct eyrie_dom_mem self = { 0, 0, 0, 16, (uint32_t)(uintptr_t)junk };
	long r7 = op(EYRIE_OP_mem_write, &self);
	check("refusals", r1 == -3 && r2 == -22 && r3 == -22 && r4 == -3 && r5 == -14 && r6 == -38 &&
			  r7 == -16,
	      "pause 999 %ld, destroy self %ld, 9 vcpus %ld, shut self down %ld, bad buffer %ld, "
	      "op 99 %ld, write into self %ld", r1, r2, r3, r4, r5, r6, r7);
	console_input();
}
