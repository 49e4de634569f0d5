/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostile: thousands of hypercalls with random and edge-case arguments and
 * random MSR accesses. The hypervisor must answer each with an error (or a
 * harmless success) and never crash, hang, or touch another domain; the
 * boot test runs a `pattern` bystander next to it.
 *
 * The arguments are chosen so that even a *correct* implementation of any
 * Xen hypercall cannot hurt this guest: "valid" pointers point into the
 * unused low memory [SCRATCH_LO, SCRATCH_HI), random values never point
 * into our image, SCHEDOP_block/shutdown/remote_shutdown only get pointers
 * outside RAM, and HVM parameters of this domain only get indexes no Xen
 * parameter uses. Configure the domain with memory=HOSTILE_MIB.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/eyrie.h"
#include "include/public/memory.h"
#include "include/public/xen.h"

const char guest_name[] = "hostile";

#define HOSTILE_MIB 2
#define RAM_END ((uint32_t)HOSTILE_MIB << 20)
#define SCRATCH_LO 0x1000u
#define SCRATCH_HI 0x80000u
#define MS 1000000ull
/* Random MSR indexes tried. Each refused one may cost a log line on the
 * serial console, which is slow under Bochs. */
#define NMSRS 600u

static uint32_t seed = 0x2545f491;

static uint32_t rnd(void)
{
	/* xorshift32 */
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

/* A random 32-bit value that does not point into our own image. */
static uint32_t rnd_value(void)
{
	uint32_t v = rnd();

	if (v >= (uintptr_t)__image_start && v < (uintptr_t)__image_end)
		v ^= 0x80000000u;
	return v;
}

/* Pointers that no hypercall may use: outside RAM, or straddling its end. */
static const uint32_t bad_ptrs[] = {
	RAM_END - 1, RAM_END - 2, RAM_END - 3, RAM_END, RAM_END + 0x1000, 0x200000,
	0x40000000, 0x80000000, 0xc0000000, 0xfee00000, 0xfffff000, 0xfffffff0,
	0xffffffff,
};
#define NBAD (sizeof(bad_ptrs) / sizeof(bad_ptrs[0]))

static const uint32_t counts[] = {
	0, 1, 15, 16, 4095, 4096, 4097, 65536, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
};
#define NCOUNTS (sizeof(counts) / sizeof(counts[0]))

/* Any pointer: a bad one, or somewhere in the scratch area (aligned or not). */
static uint32_t any_ptr(void)
{
	uint32_t r = rnd();

	if (r & 1)
		return bad_ptrs[(r >> 1) % NBAD];
	return SCRATCH_LO + (r >> 1) % (SCRATCH_HI - SCRATCH_LO - 64);
}

static unsigned calls, unexpected;

static void note(const char *what, long rc, uint32_t a1, uint32_t a2, uint32_t a3)
{
	if (unexpected++ < 12)
		gprintf("hostile: %s: %ld (args 0x%x 0x%x 0x%x)\n", what, rc, a1, a2, a3);
}

/* Fills the scratch area with lines of printable text, so a console_io
 * that prints from it prints short lines, not NULs. */
static void fill_scratch(void)
{
	char *p = (char *)(uintptr_t)SCRATCH_LO;

	for (uint32_t i = 0; i < SCRATCH_HI - SCRATCH_LO; i++)
		p[i] = (i % 64 == 63) ? '\n' : '.';
	p = (char *)(uintptr_t)(RAM_END - 4096);
	for (uint32_t i = 0; i < 4096; i++)
		p[i] = (i % 64 == 63) ? '\n' : ':';
}

static void unknown_and_generic(void)
{
	unsigned large_bad = 0;

	/* Every number 0-63 (the special ones have their own tests below):
	 * large "command" values, and small ones with bad pointers only. */
	for (uint32_t nr = 0; nr < 64; nr++) {
		if (nr == HYPERVISOR_sched_op || nr == HYPERVISOR_console_io || nr == HYPERVISOR_hvm_op ||
		    nr == HYPERVISOR_set_timer_op)
			continue;
		for (int i = 0; i < 25; i++) {
			uint32_t a1 = i < 20 ? 0x10000 + rnd_value() % 0xfff00000u : (uint32_t)i % 16;
			uint32_t a2 = i < 20 && (i & 1) ? rnd_value() : any_ptr();
			uint32_t a3 = i < 20 ? rnd_value() : bad_ptrs[rnd() % NBAD];
			if (i >= 20)
				a2 = bad_ptrs[rnd() % NBAD];
			if (nr == HYPERVISOR_xen_version && i >= 20)
				a2 = any_ptr();
			hypercall(nr, a1, a2, a3, rnd_value(), rnd_value());
			calls++;
		}
	}
	/* Random large numbers: -ENOSYS, always. */
	for (int i = 0; i < 300; i++) {
		uint32_t nr = 64 + rnd() % 0xffffff00u;
		if (i < 4)
			nr = (uint32_t[]){ 64, 0x7fffffff, 0x80000000, 0xffffffff }[i];
		long rc = hypercall(nr, rnd_value(), any_ptr(), rnd_value(), any_ptr(), rnd_value());
		calls++;
		if (rc != -ENOSYS) {
			large_bad++;
			note("large number", rc, nr, 0, 0);
		}
	}
	check("hc-large-numbers-enosys", large_bad == 0, "%u of 300 did not return -ENOSYS",
	      large_bad);
	check("hc-numbers-0-63", hc_xen_version() == EYRIE_XEN_VERSION,
	      "%u calls, then xen_version still answers", calls);
}

static void console_io(void)
{
	unsigned bad_ok = 0, n = 0;

	for (unsigned i = 0; i < NBAD; i++)
		for (unsigned j = 0; j < NCOUNTS; j++) {
			uint32_t p = bad_ptrs[i], c = counts[j];
			long rc = hypercall(HYPERVISOR_console_io, CONSOLEIO_write, c, p, 0, 0);
			calls++;
			n++;
			/* count 0 may succeed anywhere; otherwise the bytes are
			 * outside RAM: an error (or a partial write that stops
			 * at the end of RAM, for the straddling ones). */
			if (c != 0 && rc >= 0 && (p >= RAM_END || rc > (long)(RAM_END - p))) {
				bad_ok++;
				note("console_io bad buffer accepted", rc, p, c, 0);
			}
		}
	check("console-io-bad-buffers", bad_ok == 0, "%u of %u calls accepted", bad_ok, n);
	/* Valid buffers, small counts, unaligned; and the last bytes of RAM
	 * with huge counts (at most 64 bytes of it are RAM). */
	for (int i = 0; i < 200; i++) {
		uint32_t p = SCRATCH_LO + rnd() % (SCRATCH_HI - SCRATCH_LO - 256);
		/* A few short prints only: the serial line is slow under Bochs. */
		if (i % 4 == 0)
			hypercall(HYPERVISOR_console_io, CONSOLEIO_write, rnd() % 64, p, 0, 0);
		hypercall(HYPERVISOR_console_io, CONSOLEIO_write, counts[rnd() % NCOUNTS],
			  RAM_END - 1 - rnd() % 16, 0, 0);
		/* Reads (no input is typed meanwhile) into scratch, other commands. */
		hypercall(HYPERVISOR_console_io, CONSOLEIO_read, rnd() % 4096, p, 0, 0);
		hypercall(HYPERVISOR_console_io, 2 + rnd() % 100, rnd_value(), any_ptr(), 0, 0);
		calls += 4;
	}
	hc_console_write("\n", 1);
	pass("console-io-random", "%u calls so far", calls);
}

/* A flood of console output: 32 writes of 64 KiB of text lines. The
 * hypervisor keeps them in our log and prints what its rate limit and the
 * serial line allow, saying what it left out; it must not stall. */
static void console_flood(void)
{
	long bad = 0;

	for (int i = 0; i < 32; i++)
		bad += hypercall(HYPERVISOR_console_io, CONSOLEIO_write, 65536, SCRATCH_LO, 0, 0) != 0;
	calls += 32;
	/* Our next lines reach the serial line once it has drained and our
	 * rate has recovered (it keeps 115200 baud under Bochs). */
	spin_until(now_ns() + 3000 * MS, true);
	hc_console_write("\n", 1);
	check("console-flood", bad == 0, "%ld of 32 writes of 64 KiB refused", bad);
}

static void sched_op(void)
{
	unsigned accepted = 0;

	for (unsigned i = 0; i < NBAD; i++) {
		long rc = hypercall(HYPERVISOR_sched_op, SCHEDOP_shutdown, bad_ptrs[i], 0, 0, 0);
		calls++;
		if (rc >= 0) {
			accepted++;
			note("shutdown with a bad pointer returned", rc, bad_ptrs[i], 0, 0);
		}
	}
	check("sched-shutdown-bad-pointer", accepted == 0, "%u of %u accepted", accepted,
	      (unsigned)NBAD);
	for (int i = 0; i < 300; i++) {
		uint32_t cmd = i < 64 ? (uint32_t)i : rnd();
		/* Never block; shutdown, poll (3: may wait), remote_shutdown
		 * (4) and watchdog (6: may kill us later) get bad pointers. */
		if (cmd == SCHEDOP_block)
			cmd = SCHEDOP_yield;
		bool risky = cmd >= 2 && cmd <= 6 && cmd != 5;
		hypercall(HYPERVISOR_sched_op, cmd, risky ? bad_ptrs[rnd() % NBAD] : any_ptr(),
			  rnd_value(), rnd_value(), rnd_value());
		calls++;
	}
	pass("sched-op-random", "%u calls so far", calls);
}

static long hvm_param_at(uint32_t addr, unsigned op, uint16_t domid, uint32_t index,
			 uint64_t value)
{
	struct xen_hvm_param *p = (struct xen_hvm_param *)(uintptr_t)addr;

	p->domid = domid;
	p->pad = 0;
	p->index = index;
	p->value = value;
	calls++;
	return hypercall(HYPERVISOR_hvm_op, op, addr, 0, 0, 0);
}

static void hvm_op(void)
{
	static const uint16_t domids[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 0x7fef, 0x7ff1,
					   0x7ff2, 0x7ff3, 0x7ff4, 0x7ff5, 0x7fff, 0x8000,
					   0xffff };
	unsigned foreign_ok = 0, small_ok = 0, bad_index_ok = 0, bad_ptr_ok = 0;
	uint32_t buf = SCRATCH_LO + 0x100;

	/* Other domains' parameters: refused. Value 0 would switch off a
	 * bystander's callbacks (it would stop printing); for one small id
	 * (ourselves) success is allowed. */
	for (unsigned i = 0; i < sizeof(domids) / sizeof(domids[0]); i++) {
		long rs = hvm_param_at(buf, HVMOP_set_param, domids[i], HVM_PARAM_CALLBACK_IRQ, 0);
		long rg = hvm_param_at(buf, HVMOP_get_param, domids[i], HVM_PARAM_CALLBACK_IRQ, 0);
		if (rs >= 0 || rg >= 0) {
			if (domids[i] >= 1 && domids[i] <= 8)
				small_ok++;
			else
				foreign_ok++;
			note("hvm_op on another domain", rs, domids[i], (uint32_t)rg, 0);
		}
	}
	long rc = callback_setup();   /* in case one of them was ourselves */
	check("hvm-op-other-domains", foreign_ok == 0 && small_ok <= 1 && rc == 0,
	      "%u accepted, %u with small ids (at most 1: ourselves); callback re-set %ld",
	      foreign_ok, small_ok, rc);

	/* Our own parameters with indexes no Xen parameter has. */
	for (int i = 0; i < 200; i++) {
		uint32_t index = i < 4 ? (uint32_t[]){ 64, 1000, 0x7fffffff, 0xffffffff }[i]
				       : 64 + rnd() % 0xffffff00u;
		uint64_t v = ((uint64_t)rnd() << 32) | rnd();
		long rs = hvm_param_at(buf, HVMOP_set_param, DOMID_SELF, index, v);
		long rg = hvm_param_at(buf, HVMOP_get_param, DOMID_SELF, index, 0);
		if (rs >= 0 || rg >= 0) {
			bad_index_ok++;
			note("hvm_op bad index accepted", rs, index, (uint32_t)rg, 0);
		}
	}
	check("hvm-op-bad-index", bad_index_ok == 0, "%u of 200 accepted", bad_index_ok);

	/* The argument struct outside RAM, or straddling its end. */
	for (unsigned i = 0; i < NBAD; i++)
		for (unsigned op = 0; op < 2; op++) {
			rc = hypercall(HYPERVISOR_hvm_op, op, bad_ptrs[i], 0, 0, 0);
			calls++;
			if (rc >= 0) {
				bad_ptr_ok++;
				note("hvm_op bad pointer accepted", rc, op, bad_ptrs[i], 0);
			}
		}
	check("hvm-op-bad-pointer", bad_ptr_ok == 0, "%u accepted", bad_ptr_ok);

	/* Other operations: small ones (Xen's, some of which would act on
	 * a valid argument) with bad pointers, large ones with any pointer. */
	for (int i = 0; i < 300; i++) {
		uint32_t op = 2 + rnd() % 64;
		uint32_t p = bad_ptrs[rnd() % NBAD];
		if (i > 250) {
			op = 0x10000 + rnd() % 0xfff00000u;
			p = any_ptr();
		}
		hypercall(HYPERVISOR_hvm_op, op, p, rnd_value(), 0, 0);
		calls++;
	}
	pass("hvm-op-random", "%u calls so far", calls);
}

static void timers(void)
{
	static const uint64_t deadlines[] = {
		1, 2, 1000, 0xffffffffull, 0x100000000ull, 0x7fffffffffffffffull,
		0x8000000000000000ull, 0xfffffffffffffffeull, 0xffffffffffffffffull,
	};
	unsigned failed = 0;

	for (unsigned i = 0; i < sizeof(deadlines) / sizeof(deadlines[0]); i++) {
		long rc = hc_set_timer(deadlines[i]);
		calls++;
		if (rc != 0 && rc != -EINVAL) {
			failed++;
			note("set_timer_op", rc, (uint32_t)deadlines[i],
			     (uint32_t)(deadlines[i] >> 32), 0);
		}
	}
	for (int i = 0; i < 200; i++) {
		hc_set_timer(((uint64_t)rnd() << 32) | rnd());
		calls++;
	}
	hc_set_timer(0);
	check("set-timer-edges", failed == 0, "%u odd results", failed);

	/* After all that, a plain timer still works. */
	uint32_t c0 = callback_count;
	uint64_t deadline = now_ns() + 2 * MS;
	long rc = hc_set_timer(deadline);
	sti();
	while (callback_count == c0 && now_ns() < deadline + 10000 * MS)
		pause();
	check("timer-still-works", rc == 0 && callback_count != c0 && now_ns() >= deadline,
	      "set_timer %ld, callback %s", rc, callback_count != c0 ? "yes" : "no");
}

static uint32_t msr_index(void)
{
	static const uint32_t edges[] = {
		0, 0x1fff, 0x2000, 0x3fff, 0x40000000, 0x40000001, 0x400000ff, 0x40000100,
		0x7fffffff, 0x80000000, 0xbfffffff, 0xc0000000, 0xc0001fff, 0xc0002000,
		0xc000ffff, 0xc0010000, 0xc0011fff, 0xc0012000, 0xffffffff,
	};
	static unsigned next_edge;
	uint32_t r = rnd();

	if (next_edge < sizeof(edges) / sizeof(edges[0]))
		return edges[next_edge++];
	switch (r & 3) {
	case 0: return rnd();
	case 1: return (r >> 2) % 0x2000;
	case 2: return 0xc0000000u + (r >> 2) % 0x2000;
	default: return (r & 4 ? 0xc0010000u : 0x40000000u) + (r >> 3) % 0x2000;
	}
}

static void msrs(void)
{
	unsigned readable = 0, gp_read = 0, gp_write = 0, other = 0;

	for (unsigned i = 0; i < NMSRS; i++) {
		uint32_t msr = msr_index();
		uint64_t v;
		int vec = rdmsr_safe(msr, &v);

		if (vec < 0) {
			readable++;
			vec = wrmsr_safe(msr, v);   /* write back what we read */
			if (vec == VEC_GP)
				gp_write++;
		} else if (vec == VEC_GP) {
			gp_read++;
			if (wrmsr_safe(msr, 0) == VEC_GP)
				gp_write++;
		} else {
			other++;
			note("rdmsr raised an odd vector", vec, msr, 0, 0);
		}
	}
	check("msr-random", other == 0,
	      "%u indexes: %u readable, %u #GP on read, %u #GP on write, %u odd", NMSRS, readable,
	      gp_read, gp_write, other);
	uint64_t efer = 0;
	int vec = rdmsr_safe(MSR_EFER, &efer);
	check("msr-still-sane", vec < 0 && !(efer & EFER_LMA), "efer 0x%llx, vector %d",
	      (unsigned long long)efer, vec);
}

/* The calls of the management-domain work with hostile arguments built in
 * the scratch area: grant maps of random references and domains at
 * random addresses, unmaps of random handles, polls of random port lists
 * (always with a near timeout), reservations of pages outside our RAM,
 * random physdev commands, memory maps and Eyrie's privileged ops. Each
 * must fail (or, for a reservation of nothing, do nothing). */
static void xen_ops(void)
{
	unsigned odd = 0;
	uint32_t *w = (uint32_t *)(uintptr_t)SCRATCH_LO, r[4], self = 0xffff;

	cpuid(0x40000000, 0, r);
	if (r[1] == 0x566e6558 && r[0] >= 0x40000004) { /* "XenV": a PVH domain, its id */
		cpuid(0x40000004, 0, r);
		self = r[2];
	}
	for (int i = 0; i < 400; i++) {
		for (unsigned j = 0; j < 64; j++)
			w[j] = rnd_value();
		long rc;
		switch (i % 8) {
		case 0: /* map_grant_ref: host_addr, flags, ref, dom */
			w[0] = (i & 8) ? rnd_value() & ~0xfffu : (rnd() % (RAM_END >> 12)) << 12;
			w[1] = 0;
			w[2] = (i & 16) ? 1u : rnd(); /* GNTMAP_host_map or garbage */
			w[4] = (i & 32) ? 0x7ff0u : rnd() % 8;
			rc = hypercall(HYPERVISOR_grant_table_op, 0, SCRATCH_LO, 1 + rnd() % 3, 0, 0);
			odd += rc == 0 && (int16_t)(w[4] >> 16) == 0; /* status 0: a mapping */
			break;
		case 1: /* unmap_grant_ref of random handles */
			rc = hypercall(HYPERVISOR_grant_table_op, 1, SCRATCH_LO, 1 + rnd() % 3, 0, 0);
			odd += rc == 0 && (int16_t)w[5] == 0;
			break;
		case 2: { /* poll: random ports, a timeout 1 ms ahead */
			uint64_t t = now_ns() + 1000000;
			w[32] = SCRATCH_LO;
			w[33] = (i & 8) ? rnd() : rnd() % 130;
			w[34] = (uint32_t)t;
			w[35] = (uint32_t)(t >> 32);
			rc = hypercall(HYPERVISOR_sched_op, SCHEDOP_poll, SCRATCH_LO + 128, 0, 0, 0);
			odd += rc > 0;
			break;
		}
		case 3: /* decrease_reservation of pages outside RAM, or a bad list */
		case 4: /* populate_physmap of the same */
			for (unsigned j = 0; j < 16; j++)
				w[j] = (RAM_END >> 12) + rnd() % 0x100000u;
			w[32] = (i & 8) ? bad_ptrs[rnd() % NBAD] : SCRATCH_LO;
			w[33] = counts[rnd() % NCOUNTS];
			w[34] = (i & 16) ? rnd() % 20 : 0;
			w[35] = rnd();
			w[36] = DOMID_SELF | (uint32_t)(i & 32 ? 1 : 0) << 16;
			rc = hypercall(HYPERVISOR_memory_op, i % 8 == 3 ? XENMEM_decrease_reservation
								 : XENMEM_populate_physmap,
				       SCRATCH_LO + 128, 0, 0, 0);
			odd += rc > 0;
			break;
		case 5: /* physdev_op: random commands and IRQs never granted */
			rc = hypercall(HYPERVISOR_physdev_op, rnd() % 40, (i & 8) ? any_ptr() : SCRATCH_LO,
				       0, 0, 0);
			odd += rc == 0;
			break;
		case 6: /* another domain's memory map, another's params, alloc_unbound in another */
			w[0] = rnd() % 4;
			rc = hypercall(HYPERVISOR_memory_op, XENMEM_set_memory_map, SCRATCH_LO, 0, 0, 0);
			odd += rc == 0;
			w[0] = rnd() % 4 | 0x60000u; /* domid 0-3, remote 6 */
			rc = hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, SCRATCH_LO, 0, 0, 0);
			odd += rc == 0 && (w[0] & 0xffff) != self; /* one in itself is fine */
			break;
		default: /* Eyrie's privileged operations */
			rc = hypercall(HYPERVISOR_eyrie_op, rnd() % 16, (i & 8) ? any_ptr() : SCRATCH_LO, 0, 0, 0);
			odd += rc != -1;
			break;
		}
		calls++;
	}
	check("xen-ops-hostile", odd == 0, "%u of 400 calls succeeded where they must fail", odd);
}

void guest_main(void)
{
	gprintf("hostile: seed 0x%x, RAM %u MiB, image 0x%x-0x%x\n", seed, HOSTILE_MIB,
		(unsigned)(uintptr_t)__image_start, (unsigned)(uintptr_t)__image_end);
	fill_scratch();
	long cb = callback_setup();
	check("callback-setup", cb == 0, "set_param: %ld", cb);
	sti();
	unknown_and_generic();
	console_io();
	console_flood();
	sched_op();
	hvm_op();
	timers();
	xen_ops();
	msrs();
	check("still-alive", hc_xen_version() == EYRIE_XEN_VERSION, "%u hypercalls made", calls);
}
