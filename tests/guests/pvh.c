/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvh: booted as a PVH kernel (type=pvh, through the PHYS32_ENTRY note
 * every test guest carries). Checks the hvm_start_info EBX points at (magic,
 * command line, the initrd module, the memory map), Xen's CPUID leaves, the
 * hypercall page (filled by a WRMSR, its stubs, hypercalls made through
 * it, bad MSR uses refused with #GP), time and timers, SCHEDOP_poll.
 * Built by the management domain (a console page in HVM_PARAM_CONSOLE_PFN)
 * it also uses its console ring: 100 event-channel ping-pongs with the
 * management domain over it, the builder's grant of the page (grant ref
 * 0), a grant copy, and a line typed into the ring echoed back. The boot
 * test gives it cmdline=pvh-test-cmdline and initrd=pattern.elf.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/grant_table.h"
#include "mgmt/conring.h"
#include "include/public/eyrie.h"
#include "include/public/hvm_start_info.h"
#include "include/public/memory.h"
#include "include/public/vcpu.h"
#include "include/public/xen.h"

const char guest_name[] = "pvh";

#define XEN_MSR 0x40000000u
#define HYPERCALL_console_io 18
#define HYPERCALL_xen_version 17

static uint8_t hcpage[4096] __attribute__((aligned(4096)));
static union {
	struct shared_info s;
	uint8_t page[4096];
} shpage __attribute__((aligned(4096)));
static union {
	struct vcpu_info vi;
	uint8_t page[4096];
} vipage __attribute__((aligned(4096)));
static volatile uint32_t port_events[64];
#define MS 1000000ull

/* A hypercall through the page: the 32-bit ABI, arguments in EBX, ECX, EDX. */
static long page_call(unsigned nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
	long ret;

	__asm__ volatile("call *%[fn]"
			 : "=a"(ret), "+b"(a1), "+c"(a2), "+d"(a3)
			 : [fn] "r"(hcpage + nr * 32)
			 : "memory", "esi", "edi");
	return ret;
}

static void check_start_info(void)
{
	const struct hvm_start_info *si = (const struct hvm_start_info *)(uintptr_t)boot_ebx;

	if (!check("start-info", boot_ebx && si->magic == XEN_HVM_START_MAGIC_VALUE && si->version >= 1,
		   "EBX 0x%x, magic 0x%x, version %u", boot_ebx, boot_ebx ? si->magic : 0,
		   boot_ebx ? si->version : 0))
		return;
	const char *cmd = (const char *)(uintptr_t)si->cmdline_paddr;
	check("start-info-cmdline", cmd && !memcmp(cmd, "pvh-test-cmdline", 17), "\"%s\"",
	      cmd ? cmd : "(none)");
	const struct hvm_modlist_entry *mod = (const void *)(uintptr_t)si->modlist_paddr;
	const uint8_t *data = si->nr_modules ? (const void *)(uintptr_t)mod->paddr : 0;
	check("start-info-module", si->nr_modules == 1 && data && !memcmp(data, "\x7f" "ELF", 4) &&
				   mod->size > 4096,
	      "%u module(s), first at 0x%llx, %llu bytes", si->nr_modules,
	      si->nr_modules ? (unsigned long long)mod->paddr : 0ull,
	      si->nr_modules ? (unsigned long long)mod->size : 0ull);
	const struct hvm_memmap_table_entry *mm = (const void *)(uintptr_t)si->memmap_paddr;
	/* RAM below 640 KiB and from 1 MiB to the end, less the store and
	 * console pages (reserved, the last two) when the management domain
	 * built us. */
	uint64_t top = (2u << 20) - (si->memmap_entries == 4 ? 8192 : 0);
	check("start-info-memmap", si->version >= 1 && (si->memmap_entries == 3 ||
				   (si->memmap_entries == 4 && mm[3].addr == top &&
				    mm[3].type == XEN_HVM_MEMMAP_TYPE_RESERVED)) && mm[0].addr == 0 &&
				   mm[0].type == XEN_HVM_MEMMAP_TYPE_RAM && mm[2].addr == 0x100000 &&
				   mm[2].addr + mm[2].size == top,
	      "%u entries", si->memmap_entries);
	/* XENMEM_memory_map: the same map, as its builder set it (x86_32). */
	struct xen_e820_entry e[8];
	struct { uint32_t nr, buffer; } mm32 = { 8, (uint32_t)(uintptr_t)e };
	long rm = hypercall(HYPERVISOR_memory_op, XENMEM_memory_map, (unsigned long)&mm32, 0, 0, 0);
	bool same = rm == 0 && mm32.nr == si->memmap_entries;
	for (unsigned i = 0; same && i < mm32.nr; i++)
		same = e[i].addr == mm[i].addr && e[i].size == mm[i].size && e[i].type == mm[i].type;
	check("memory-map", same, "%ld, %u entries", rm, mm32.nr);
	struct { uint16_t domid, pad; uint32_t nr, buffer; } fm = { DOMID_SELF, 0, 1, (uint32_t)(uintptr_t)e };
	check("set-memory-map-eperm", hypercall(HYPERVISOR_memory_op, XENMEM_set_memory_map,
						(unsigned long)&fm, 0, 0, 0) == -1, "its own map");
}

static void check_cpuid(void)
{
	uint32_t r[4];
	char sig[13] = { 0 };

	cpuid(0x40000000, 0, r);
	memcpy(sig, &r[1], 12);
	check("cpuid-xen", !memcmp(sig, "XenVMMXenVMM", 12) && r[0] >= 0x40000002, "\"%s\", max 0x%x",
	      sig, r[0]);
	cpuid(0x40000002, 0, r);
	check("cpuid-hypercall-msr", r[0] == 1 && r[1] == XEN_MSR, "%u page(s), MSR 0x%x", r[0], r[1]);
	cpuid(0x40000003, 0, r);
	check("cpuid-tsc-khz", r[2] == tsc_khz && r[2] > 1000, "%u kHz (the runtime's clock)", r[2]);
	cpuid(0x40000004, 0, r);
	check("cpuid-ids", (r[0] & 0x18) == 0x18 && r[1] == 0 && r[2] != 0, "vcpu %u, domain %u",
	      r[1], r[2]);
}

static void check_hypercall_page(void)
{
	uint64_t v;
	bool amd = hc_amd;

	check("msr-read-gp", rdmsr_safe(XEN_MSR, &v) == VEC_GP, "a read of the MSR");
	check("msr-index-gp", wrmsr_safe(XEN_MSR, (uint32_t)(uintptr_t)hcpage | 1) == VEC_GP,
	      "page index 1 (there is one page)");
	int vec = wrmsr_safe(XEN_MSR, (uint32_t)(uintptr_t)hcpage);
	const uint8_t *s = hcpage + HYPERCALL_xen_version * 32;
	static const uint8_t want[] = { 0xb8, HYPERCALL_xen_version, 0, 0, 0, 0x0f, 0x01, 0, 0xc3 };
	bool same = vec < 0;
	for (unsigned i = 0; i < sizeof(want); i++)
		same &= i == 7 ? s[i] == (amd ? 0xd9 : 0xc1) : s[i] == want[i];
	check("hypercall-page", same, "wrmsr %d, stub 17: %02x %02x .. %02x %02x %02x %02x", vec, s[0],
	      s[1], s[5], s[6], s[7], s[8]);
	long ver = page_call(HYPERCALL_xen_version, 0, 0, 0);
	check("page-xen-version", ver == (long)EYRIE_XEN_VERSION, "0x%lx", ver);
	static const char msg[] = "pvh: hello through the hypercall page\n";
	long n = page_call(HYPERCALL_console_io, 0, sizeof(msg) - 1, (uint32_t)(uintptr_t)msg);
	check("page-console-io", n == 0, "console_io returned %ld", n);
	check("page-unknown", page_call(100, 0, 0, 0) == -38, "hypercall 100 through the page");
}

/* Upcall: ports 0-63 only (word 0), as the evtchn guest does in full. */
static void upcall(void)
{
	volatile uint32_t *pend = (volatile uint32_t *)&shpage.s.evtchn_pending[0];

	shpage.s.vcpu_info[0].evtchn_upcall_pending = 0;
	vipage.vi.evtchn_upcall_pending = 0;
	__atomic_exchange_n((volatile uint32_t *)&shpage.s.vcpu_info[0].evtchn_pending_sel, 0,
			    __ATOMIC_SEQ_CST);
	__atomic_exchange_n((volatile uint32_t *)&vipage.vi.evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	for (unsigned half = 0; half < 2; half++) {
		uint32_t bits = __atomic_exchange_n(&pend[half], 0, __ATOMIC_SEQ_CST);
		for (unsigned b = 0; b < 32; b++)
			if (bits >> b & 1)
				port_events[half * 32 + b]++;
	}
}

static long vcpu_op(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_vcpu_op, cmd, 0, (unsigned long)arg, 0, 0);
}

static void check_version_ops(void)
{
	struct xen_feature_info fi = { 0, 0 };
	char extra[16] = { 0 };
	long rf = hypercall(HYPERVISOR_xen_version, XENVER_get_features, (unsigned long)&fi, 0, 0, 0);
	long re = hypercall(HYPERVISOR_xen_version, XENVER_extraversion, (unsigned long)extra, 0, 0, 0);
	long rp = hypercall(HYPERVISOR_xen_version, XENVER_pagesize, 0, 0, 0, 0);
	long rc = hypercall(HYPERVISOR_xen_version, XENVER_commandline, (unsigned long)extra, 0, 0, 0);

	check("xen-version-ops", rf == 0 && (fi.submap >> XENFEAT_hvm_callback_vector & 1) && re == 0 &&
				 extra[0] && rp == 4096 && rc < 0,
	      "features %ld: 0x%x, extraversion %ld \"%s\", pagesize %ld, commandline %ld", rf,
	      fi.submap, re, extra, rp, rc);
}

/* The shared info's time and wall clock, and VIRQ_TIMER through vcpu_op. */
static void check_time_and_timers(void)
{
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, (uint32_t)(uintptr_t)&shpage >> 12,
	};
	long rc = hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);
	volatile struct vcpu_time_info *t = &shpage.s.vcpu_info[0].time;
	uint64_t tsc = rdtsc(), now = ticks_to_ns(tsc); /* one instant for both */
	/* ns = system_time + (delta << shift) * mul >> 32, in two halves */
	uint64_t d = (tsc - t->tsc_timestamp) << t->tsc_shift;
	uint64_t sys = t->system_time + (d >> 32) * t->tsc_to_system_mul +
		       ((d & 0xffffffffu) * t->tsc_to_system_mul >> 32);
	check("shared-info-time", rc == 0 && !(t->version & 1) && t->tsc_to_system_mul &&
				  (t->flags & XEN_PVCLOCK_TSC_STABLE_BIT) &&
				  sys + MS > now && sys < now + MS,
	      "map %ld, version %u, system time %llu ns vs %llu", rc, t->version,
	      (unsigned long long)sys, (unsigned long long)now);
	check("shared-info-wallclock", !(shpage.s.wc_version & 1) && shpage.s.wc_sec > 1700000000u,
	      "wc_sec %u", shpage.s.wc_sec);

	callback_hook = upcall;
	struct evtchn_bind_virq bv = { VIRQ_TIMER, 0, 0 };
	long rb = hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, (unsigned long)&bv, 0, 0, 0);
	long rcb = callback_setup();
	sti();
	struct vcpu_set_singleshot_timer st = { now_ns() + 2 * MS, 0 };
	uint32_t c0 = bv.port < 64 ? port_events[bv.port] : 0;
	long rs = vcpu_op(VCPUOP_set_singleshot_timer, &st);
	/* Until the event (10 s at most: the host may hold the vcpu), then
	 * 50 ms more for a second one that must not come. */
	uint64_t end = now_ns() + 10000 * MS;
	while (port_events[bv.port & 63] == c0 && now_ns() < end)
		pause();
	spin_until(now_ns() + 50 * MS, false);
	uint32_t got = bv.port < 64 ? port_events[bv.port] - c0 : 0;
	check("virq-timer-singleshot", rb == 0 && rcb == 0 && rs == 0 && got == 1,
	      "bind %ld port %u, set %ld, %u event(s)", rb, bv.port, rs, got);
	st.timeout_abs_ns = 1000;
	st.flags = VCPU_SSHOTTMR_future;
	check("singleshot-past", vcpu_op(VCPUOP_set_singleshot_timer, &st) == -62, "-ETIME");

	/* Move the vcpu_info, then a periodic timer (5 ms) for 60 ms. */
	struct vcpu_register_vcpu_info ri = { (uint32_t)(uintptr_t)&vipage >> 12, 0, 0 };
	long rr = vcpu_op(VCPUOP_register_vcpu_info, &ri);
	long rr2 = vcpu_op(VCPUOP_register_vcpu_info, &ri);
	struct vcpu_set_periodic_timer pt = { 5 * MS };
	c0 = port_events[bv.port & 63];
	uint64_t t0 = now_ns();
	long rpt = vcpu_op(VCPUOP_set_periodic_timer, &pt);
	while (port_events[bv.port & 63] - c0 < 5 && now_ns() - t0 < 10000 * MS)
		pause();
	long rst = vcpu_op(VCPUOP_stop_periodic_timer, 0);
	uint64_t ms = (now_ns() - t0) / MS;
	got = port_events[bv.port & 63] - c0;
	spin_until(now_ns() + 20 * MS, false);
	uint32_t after = port_events[bv.port & 63] - c0 - got;
	check("vcpu-info-moved", rr == 0 && rr2 < 0 && !(vipage.vi.time.version & 1) &&
				 vipage.vi.time.tsc_to_system_mul == t->tsc_to_system_mul,
	      "register %ld, again %ld, time version %u", rr, rr2, vipage.vi.time.version);
	/* 5 of them, never more than one per period (the vcpu may get only a
	 * share of the CPU: missed periods merge), none once stopped. */
	check("virq-timer-periodic", rpt == 0 && rst == 0 && got >= 5 && got <= ms / 5 + 1 &&
				     after == 0,
	      "%u events in %llu ms at 5 ms, %u after stopping", got, (unsigned long long)ms, after);
	pt.period_ns = 1000;
	check("periodic-too-short", vcpu_op(VCPUOP_set_periodic_timer, &pt) == -22, "1 us");
	cli();
}

/* ---- a second vcpu (when the domain has one) ---- */

static volatile uint32_t ap_flag, ap_vcpu;
static uint8_t ap_stack[4096] __attribute__((aligned(16)));

static long vcpu_op1(unsigned cmd, unsigned vcpu, void *arg)
{
	return hypercall(HYPERVISOR_vcpu_op, cmd, vcpu, (unsigned long)arg, 0, 0);
}

/* vcpu 1 starts here (VCPUOP_initialise): it says who it is and takes
 * itself down; brought up again, it goes on after that call. */
static __attribute__((noreturn, used)) void ap_main(void)
{
	uint32_t r[4];

	cpuid(0x40000004, 0, r);
	ap_vcpu = r[1];
	ap_flag = 1;
	vcpu_op1(VCPUOP_down, 1, 0);
	ap_flag = 2;
	vcpu_op1(VCPUOP_down, 1, 0);
	for (;;)
		__asm__ volatile("hlt");
}

static bool wait_flag(uint32_t want)
{
	uint64_t end = now_ns() + 30000 * MS;

	while (ap_flag != want && now_ns() < end)
		hypercall(HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
	return ap_flag == want;
}

static void check_smp(void)
{
	long up1 = vcpu_op1(VCPUOP_is_up, 1, 0);

	if (up1 == -2) { /* -ENOENT: no vcpu 1 */
		gprintf("pvh: one vcpu\n");
		return;
	}
	struct vcpu_hvm_context c;
	vcpu_flat32(&c, ap_main, ap_stack + sizeof(ap_stack));
	long early = vcpu_op1(VCPUOP_up, 1, 0);
	long ri = vcpu_op1(VCPUOP_initialise, 1, &c);
	long again = vcpu_op1(VCPUOP_initialise, 1, &c);
	long ru = vcpu_op1(VCPUOP_up, 1, 0);
	bool ran = wait_flag(1);
	uint64_t end = now_ns() + 30000 * MS;
	while (vcpu_op1(VCPUOP_is_up, 1, 0) == 1 && now_ns() < end)
		hypercall(HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
	long down = vcpu_op1(VCPUOP_is_up, 1, 0);
	check("vcpu1-start", up1 == 0 && early == -EINVAL && ri == 0 && again == -17 && ru == 0 &&
			     ran && ap_vcpu == 1 && down == 0,
	      "is_up %ld, up before initialise %ld, initialise %ld then %ld, up %ld, ran %d as vcpu %u,"
	      " then down: is_up %ld", up1, early, ri, again, ru, ran, ap_vcpu, down);
	long ru2 = vcpu_op1(VCPUOP_up, 1, 0);
	bool resumed = wait_flag(2);
	check("vcpu1-resume", ru2 == 0 && resumed, "up %ld: went on where it stopped %d", ru2, resumed);
}

/* ---- ballooning: pages given back and taken again ---- */

static uint8_t balloon[16][4096] __attribute__((aligned(4096)));

static long reservation(unsigned cmd, const uint32_t *gfns, uint32_t n, uint32_t order)
{
	struct { uint32_t start, nr, order, flags; uint16_t domid, pad; } r = {
		(uint32_t)(uintptr_t)gfns, n, order, 0, DOMID_SELF, 0 };

	return hypercall(HYPERVISOR_memory_op, cmd, (unsigned long)&r, 0, 0, 0);
}

static long pages(unsigned cmd)
{
	uint16_t dom = DOMID_SELF;

	return hypercall(HYPERVISOR_memory_op, cmd, (unsigned long)&dom, 0, 0, 0);
}

static void check_balloon(void)
{
	uint32_t gfns[16];
	long max = pages(XENMEM_maximum_reservation), cur = pages(XENMEM_current_reservation);

	for (unsigned i = 0; i < 16; i++) {
		memset(balloon[i], 0x5a, sizeof(balloon[i]));
		gfns[i] = (uint32_t)(uintptr_t)balloon[i] >> 12;
	}
	long out = reservation(XENMEM_decrease_reservation, gfns, 16, 0);
	long after = pages(XENMEM_current_reservation);
	uint32_t shinfo = (uint32_t)(uintptr_t)&shpage >> 12, outside = 1u << 20;
	long again = reservation(XENMEM_decrease_reservation, gfns, 1, 0);
	long r_sh = reservation(XENMEM_decrease_reservation, &shinfo, 1, 0);
	long r_out = reservation(XENMEM_decrease_reservation, &outside, 1, 0);
	long r_ord = reservation(XENMEM_decrease_reservation, gfns, 1, 1);
	/* The shared info page took the place of a RAM page, given back as
	 * in Xen. */
	check("balloon-out", max == (2 << 20) / 4096 && cur == max - 1 && out == 16 && after == cur - 16 &&
			     again == 0 && r_sh == 0 && r_out == 0 && r_ord == -EINVAL,
	      "max %ld, current %ld; 16 given back: %ld, current %ld; again %ld, shared info %ld, "
	      "outside RAM %ld, order 1 %ld", max, cur, out, after, again, r_sh, r_out, r_ord);
	long in = reservation(XENMEM_populate_physmap, gfns, 16, 0);
	long back = pages(XENMEM_current_reservation);
	bool zero = true;
	for (unsigned i = 0; i < 16; i++)
		for (unsigned j = 0; j < 4096; j += 512)
			zero &= balloon[i][j] == 0;
	memset(balloon[3], 0xa5, 4096);
	check("balloon-in", in == 16 && back == cur && zero && balloon[3][4095] == 0xa5,
	      "16 taken again: %ld, current %ld, new pages zeroed %d", in, back, zero);
}

/* ---- the console ring (a guest the management domain built) ---- */

static struct xencons_interface *ring;
static uint32_t con_port;

static bool pending(uint32_t port)
{
	return __atomic_load_n((volatile uint32_t *)&shpage.s.evtchn_pending[0] + port / 32,
			       __ATOMIC_SEQ_CST) >> (port % 32) & 1;
}

static void clear_pending(uint32_t port)
{
	__atomic_and_fetch((volatile uint32_t *)&shpage.s.evtchn_pending[0] + port / 32,
			   ~(1u << (port % 32)), __ATOMIC_SEQ_CST);
}

static long poll(uint32_t port, uint64_t timeout_ns)
{
	struct { uint32_t ports, nr; uint64_t timeout; } p = { (uint32_t)(uintptr_t)&port, 1, timeout_ns };

	return hypercall(HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&p, 0, 0, 0);
}

static void notify(void)
{
	struct evtchn_send sd = { con_port };

	hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&sd, 0, 0, 0);
}

/* Writes s to the ring (waiting while it is full) and tells the backend. */
static void ring_puts(const char *s)
{
	size_t len = strlen(s);
	uint64_t end = now_ns() + 30000 * MS;

	while (len && now_ns() < end) {
		int n = conring_put_out(ring, s, len);
		if (n < 0)
			return;
		s += n;
		len -= (size_t)n;
		notify();
		if (len)
			poll(con_port, now_ns() + 10 * MS);
	}
}

static void digits(char *at, unsigned v)
{
	at[0] = (char)('0' + v / 100 % 10);
	at[1] = (char)('0' + v / 10 % 10);
	at[2] = (char)('0' + v % 10);
}

static struct grant_entry_v1 gnt[512] __attribute__((aligned(4096)));
static char gsrc[4096] __attribute__((aligned(4096))), gdst[4096] __attribute__((aligned(4096)));

static void check_console_ring(void)
{
	uint64_t pfn = 0, evt = 0;
	long r1 = hc_hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_CONSOLE_PFN, &pfn);
	long r2 = hc_hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_CONSOLE_EVTCHN, &evt);

	if (r1 || r2 || !pfn) {
		gprintf("pvh: no console ring (built by the hypervisor)\n");
		return;
	}
	ring = (struct xencons_interface *)(uintptr_t)(pfn << 12);
	con_port = (uint32_t)evt;
	check("console-params", pfn == ((2u << 20) - 4096) >> 12 && evt > 0 && evt < 64,
	      "page 0x%llx, port %u", (unsigned long long)pfn, con_port);

	/* SCHEDOP_poll: a timeout with nothing pending, at once with it. */
	clear_pending(con_port);
	uint64_t t0 = now_ns();
	long rp = poll(con_port, t0 + 20 * MS);
	uint64_t waited = now_ns() - t0;
	check("sched-poll-timeout", rp == 0 && waited >= 20 * MS && waited < 30000 * MS,
	      "%ld after %llu us", rp, (unsigned long long)(waited / 1000));
	uint32_t bad = 5000;
	struct { uint32_t ports, nr; uint64_t timeout; } pb = { (uint32_t)(uintptr_t)&bad, 1, 0 };
	check("sched-poll-bad-port", hypercall(HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&pb,
					       0, 0, 0) == -EINVAL, "port 5000");

	/* Ping-pong: each line we send the management domain takes from the
	 * ring and answers with an event. */
	static char line[] = "pvh ring ping 000\n";
	unsigned pongs = 0;
	uint64_t start = now_ns();
	for (unsigned i = 0; i < 100; i++) {
		digits(line + 14, i);
		clear_pending(con_port);
		if (conring_put_out(ring, line, sizeof(line) - 1) != (int)sizeof(line) - 1)
			break;
		notify();
		uint64_t end = now_ns() + 30000 * MS;
		while (!(pending(con_port) &&
			 __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE) == ring->out_prod) &&
		       now_ns() < end)
			poll(con_port, now_ns() + 100 * MS);
		pongs += pending(con_port) && ring->out_cons == ring->out_prod;
	}
	check("console-ring-pingpong", pongs == 100, "%u of 100 round trips in %llu ms", pongs,
	      (unsigned long long)((now_ns() - start) / MS));

	/* The builder granted the page to domain 0 as ref 0; a grant copy. */
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, XENMAPSPACE_grant_table, 0, (uint32_t)(uintptr_t)gnt >> 12,
	};
	long rm = hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);
	/* Mapped by domain 0 (its console backend): in use, for writing. */
	check("grant-console-ref", rm == 0 &&
				   gnt[GNTTAB_RESERVED_CONSOLE].flags ==
				   (GTF_permit_access | GTF_reading | GTF_writing) &&
				   gnt[0].domid == 0 && gnt[0].frame == pfn,
	      "map %ld; ref 0: flags 0x%x, domain %u, frame 0x%x", rm, gnt[0].flags, gnt[0].domid,
	      gnt[0].frame);
	memcpy(gsrc, "granted bytes", 14);
	unsigned id = 0;
	uint32_t r[4];
	cpuid(0x40000004, 0, r);
	id = r[2];
	gnt[9].domid = (uint16_t)id;
	gnt[9].frame = (uint32_t)(uintptr_t)gsrc >> 12;
	__atomic_store_n(&gnt[9].flags, GTF_permit_access, __ATOMIC_SEQ_CST);
	struct {
		struct { uint32_t ref_or_gmfn; uint16_t domid, offset; } source, dest;
		uint16_t len, flags;
		int16_t status;
		uint16_t pad;
	} cp = { { 9, DOMID_SELF, 0 }, { (uint32_t)(uintptr_t)gdst >> 12, DOMID_SELF, 100 }, 14,
		 GNTCOPY_source_gref, 0, 0 };
	long rc = hypercall(HYPERVISOR_grant_table_op, GNTTABOP_copy, (unsigned long)&cp, 1, 0, 0);
	check("grant-copy-self", rc == 0 && cp.status == GNTST_okay && !memcmp(gdst + 100, "granted bytes", 14),
	      "%ld, status %d", rc, cp.status);
	uint32_t con_gfn = (uint32_t)pfn;
	check("balloon-mapped-refused", reservation(XENMEM_decrease_reservation, &con_gfn, 1, 0) == 0,
	      "the console page, which domain 0 maps, cannot be given back");

	/* Input: a line typed at `console` arrives in the ring. */
	ring_puts("pvh: type a line\n");
	gprintf("pvh: waiting for a line on the console ring\n");
	char in[64];
	unsigned n = 0;
	uint64_t end = now_ns() + 60000 * MS;
	while (now_ns() < end && (n == 0 || in[n - 1] != '\r') && n < sizeof(in) - 1) {
		int k = conring_take_in(ring, in + n, sizeof(in) - 1 - n);
		if (k < 0)
			break;
		n += (unsigned)k;
		if (!k)
			poll(con_port, now_ns() + 100 * MS);
		clear_pending(con_port);
	}
	while (n && (in[n - 1] == '\r' || in[n - 1] == '\n'))
		n--;
	in[n] = 0;
	check("console-ring-input", n > 0, "\"%s\"", in);
	ring_puts("ring-input: ");
	ring_puts(in);
	ring_puts("\n");
}

void guest_main(void)
{
	gprintf("pvh: EBX 0x%x\n", boot_ebx);
	check_start_info();
	check_cpuid();
	check_hypercall_page();
	check_version_ops();
	struct eyrie_dom_list l = { 0, 0, 0 };
	check("eyrie-op-eperm", hypercall(HYPERVISOR_eyrie_op, EYRIE_OP_list, (unsigned long)&l, 0, 0, 0) == -1,
	      "management operations refused to an unprivileged domain");
	check_time_and_timers();
	check_balloon();
	check_smp();
	check_console_ring();
}
