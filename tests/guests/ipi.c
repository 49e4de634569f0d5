/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipi: event round trips between the two vcpus of one PVH domain
 * (type=pvh,vcpus=2). Each vcpu has an IPI port (EVTCHNOP_bind_ipi);
 * vcpu 0 sends on vcpu 1's and waits on its own with SCHEDOP_poll, vcpu 1
 * waits on its port with SCHEDOP_poll and answers on vcpu 0's. Each wait
 * blocks the vcpu, so every hop is a wake-up of a blocked vcpu: how fast
 * the hypervisor runs it says how long a guest's cross-vcpu IPI (or any
 * event to a sleeping vcpu) takes. Prints
 *   ipi: N round trips, T TSC ticks each (min M)
 * then the same with vcpu 0 spinning on its pending bit instead of
 * blocking (as Linux waits for an IPI's answer: the sender keeps its
 * CPU), once with PAUSE in the loop and once without:
 *   ipi-spin-pause: ..., ipi-spin: ...
 * and checks that all of them completed (no timings in pass/fail).
 * The pending bits are cleared in the shared info page (mapped with
 * add_to_physmap), as a poller does.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/memory.h"
#include "include/public/vcpu.h"
#include "include/public/xen.h"

const char guest_name[] = "ipi";

#define ROUNDS 1000u
#define MS 1000000ull
/* How long one leg may take before the round trip counts as lost: a
 * liveness bound, not a speed check (bench's evtchn section measures).
 * Generous: on a loaded 2-core machine one emulated CPU can wait seconds
 * for the host, and a ticket lock hands over only in turn. */
#define WAIT_NS (10000 * MS)

static union {
	struct shared_info s;
	uint8_t page[4096];
} shpage __attribute__((aligned(4096)));

static uint32_t port_ap, port_bsp;  /* vcpu 1's and vcpu 0's IPI ports */
static volatile uint32_t ap_state;  /* 1: vcpu 1 is polling */
static uint8_t ap_stack[4096] __attribute__((aligned(16)));

static long evtchn_op(unsigned cmd, void *arg)
{
	return hypercall(HYPERVISOR_event_channel_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static void clear_pending(uint32_t port)
{
	volatile uint32_t *w = (volatile uint32_t *)&shpage.s.evtchn_pending[port / 64];

	__atomic_fetch_and(&w[(port % 64) / 32], ~(1u << (port % 32)), __ATOMIC_SEQ_CST);
}

static bool pending(uint32_t port)
{
	volatile uint32_t *w = (volatile uint32_t *)&shpage.s.evtchn_pending[port / 64];

	return w[(port % 64) / 32] & 1u << (port % 32);
}

/* Spins (PAUSE or not) until port is pending or WAIT_NS passed; clears it.
 * With interrupts on (none is routed here: no callback is set), so that
 * the host's tick can end the vcpu's slice on Bochs too, whose VMX and SVM
 * do not leave a guest spinning with IF = 0 for a host interrupt: the
 * other vcpu, on the same CPU there, would never run to answer. */
static bool spin_port(uint32_t port, bool pause)
{
	uint64_t end = now_ns() + WAIT_NS;

	sti();
	while (!pending(port) && now_ns() < end)
		if (pause)
			__asm__ volatile("pause");
	cli();
	bool got = pending(port);
	clear_pending(port);
	return got;
}

/* Blocks until port is pending (or WAIT_NS passed); clears it. */
static bool wait_port(uint32_t port)
{
	struct { uint32_t ports, nr_ports; uint64_t timeout; } p = {
		(uint32_t)(uintptr_t)&port, 1, now_ns() + WAIT_NS };
	volatile uint32_t *w = (volatile uint32_t *)&shpage.s.evtchn_pending[port / 64];

	while (!(w[(port % 64) / 32] & 1u << (port % 32)))
		if (hc_sched_op(SCHEDOP_poll, &p) || now_ns() >= p.timeout)
			break;
	bool got = w[(port % 64) / 32] & 1u << (port % 32);
	clear_pending(port);
	return got;
}

static void send(uint32_t port)
{
	struct evtchn_send s = { port };

	evtchn_op(EVTCHNOP_send, &s);
}

/* vcpu 1: answers every event on its port. */
static __attribute__((noreturn, used)) void ap_main(void)
{
	ap_state = 1;
	for (;;)
		if (wait_port(port_ap))
			send(port_bsp);
}

static uint32_t bind_ipi(uint32_t vcpu)
{
	struct evtchn_bind_ipi b = { vcpu, 0 };

	return evtchn_op(EVTCHNOP_bind_ipi, &b) ? 0 : b.port;
}

static bool start_ap(void)
{
	return vcpu_start_flat32(1, ap_main, ap_stack + sizeof(ap_stack), &ap_state, 1);
}

/* ROUNDS round trips; vcpu 0 waits by polling (how 0), or spinning with
 * PAUSE (1) or without (2). */
static void run(const char *what, int how)
{
	uint64_t total = 0, min = ~0ull, max = 0;
	unsigned done = 0;

	for (; done < ROUNDS; done++) {
		uint64_t t0 = rdtsc();
		send(port_ap);
		if (!(how ? spin_port(port_bsp, how == 1) : wait_port(port_bsp)))
			break;
		uint64_t t = rdtsc() - t0;
		total += t;
		min = t < min ? t : min;
		max = t > max ? t : max;
	}
	gprintf("%s: %u round trips, %llu TSC ticks each (min %llu, max %llu)\n", what, done,
		(unsigned long long)(done ? total / done : 0), (unsigned long long)(done ? min : 0),
		(unsigned long long)max);
	check(what, done == ROUNDS, "%u of %u answered within %llu s each", done, ROUNDS,
	      WAIT_NS / 1000000000ull);
}

void guest_main(void)
{
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, (uint32_t)(uintptr_t)&shpage >> 12,
	};
	long rc = hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0,
			    0);
	if (!check("map-shared-info", rc == 0, "add_to_physmap: %ld", rc))
		guest_exit(SHUTDOWN_poweroff);
	port_ap = bind_ipi(1);
	port_bsp = bind_ipi(0);
	if (!check("bind-ipi", port_ap && port_bsp && port_ap < 64 && port_bsp < 64,
		   "ports %u (vcpu 1) and %u (vcpu 0)", port_ap, port_bsp) ||
	    !check("vcpu1-up", start_ap(), "vcpu 1 did not start polling"))
		guest_exit(SHUTDOWN_poweroff);
	run("ipi", 0);
	run("ipi-spin-pause", 1);
	run("ipi-spin", 2);
}
