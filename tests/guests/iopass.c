/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iopass: hardware handed to a domain by the management domain (xl.cfg
 * ioports and iomem, Eyrie's EYRIE_OP_ioports / EYRIE_OP_iomem), by
 * command line:
 *   qemu   QEMU's isa-debugcon at port 0x402 (ioports = ["402"]) and the
 *          HPET's page 0xFED00 at guest frame 0x10000 (iomem =
 *          ["fed00,1@10000"]): a line written to the debug console, which
 *          only the real device can put into the test's file; the port
 *          read back (the device answers 0xE9); the HPET's capabilities
 *          and period; its counter started, seen running, stopped.
 *   bochs  Bochs's VGA: ports 0x3C0-0x3DF (the misc output register reads
 *          as the card set it, not the 0xFF of an absent port) and the
 *          text buffer's page 0xB8 at guest frame 0x10000 (a word written
 *          there reads back).
 * Without its grants the first access would exit: a port reads 0xFF, a
 * frame above RAM crashes the domain.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/hvm_start_info.h"
#include "include/public/memory.h"
#include "include/public/xen.h"

const char guest_name[] = "iopass";

#define DEBUGCON 0x402
#define HPET ((volatile uint32_t *)0x10000000u)
#define MS 1000000ull

#define GRANTED ((volatile uint16_t *)0x10000000u)
#define COM2 0x2f8

static union {
	struct shared_info s;
	uint8_t page[4096];
} shpage __attribute__((aligned(4096)));

static bool take_pending(uint32_t port)
{
	uint32_t bit = 1u << (port % 32);
	uint32_t *w = (uint32_t *)&shpage.s.evtchn_pending[0] + port / 32;

	return __atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST) & bit;
}

/* COM2's transmitter-empty interrupt, a physical IRQ granted to us. */
static void com2_irq(void)
{
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, (uint32_t)(uintptr_t)&shpage >> 12,
	};
	hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);
	struct evtchn_bind_pirq bp = { 3, 0, 0 }, b4 = { 4, 0, 0 };
	long rb = hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_pirq, (unsigned long)&bp, 0, 0, 0);
	long r4 = hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_pirq, (unsigned long)&b4, 0, 0, 0);
	struct { uint32_t irq, flags; } q = { 3, 99 };
	long rq = hypercall(HYPERVISOR_physdev_op, PHYSDEVOP_irq_status_query, (unsigned long)&q, 0, 0, 0);
	check("pirq-bind", rb == 0 && bp.port > 0 && r4 == -1 && rq == 0 && q.flags == 0,
	      "bind %ld port %u, IRQ 4 %ld, status %ld flags %u (edge)", rb, bp.port, r4, rq, q.flags);
	outb(COM2 + 3, 0x80); /* 115200 8N1, no FIFO: one interrupt per byte */
	outb(COM2 + 0, 1);
	outb(COM2 + 1, 0);
	outb(COM2 + 3, 0x03);
	outb(COM2 + 2, 0);
	outb(COM2 + 4, 0x0b); /* DTR, RTS, OUT2 (the IRQ line) */
	outb(COM2 + 1, 0x02); /* transmitter empty */
	unsigned events = 0;
	for (unsigned i = 0; i < 10; i++) {
		(void)inb(COM2 + 2); /* IIR: acknowledges the last one */
		take_pending(bp.port);
		outb(COM2, (uint8_t)('0' + i));
		uint32_t port = bp.port;
		struct { uint32_t ports, nr; uint64_t timeout; } p = { (uint32_t)(uintptr_t)&port, 1,
								       now_ns() + 10000 * MS };
		bool got;
		while (!(got = take_pending(bp.port)) && now_ns() < p.timeout)
			hypercall(HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&p, 0, 0, 0);
		events += got;
		struct { uint32_t irq; } eoi = { 3 };
		hypercall(HYPERVISOR_physdev_op, PHYSDEVOP_eoi, (unsigned long)&eoi, 0, 0, 0);
	}
	outb(COM2 + 1, 0);
	check("pirq-com2", events == 10, "%u of 10 transmitter-empty interrupts as events", events);
}

static void bochs_vga(void)
{
	uint8_t misc = inb(0x3cc);
	check("ioport-vga", misc != 0xff, "misc output register 0x%02x", misc);
	uint16_t old = GRANTED[1000];
	GRANTED[1000] = 0x1f45; /* 'E', white on blue */
	uint16_t got = GRANTED[1000];
	GRANTED[1000] = old;
	check("iomem-vga-text", got == 0x1f45, "wrote 0x1f45, read 0x%04x", got);
}

void guest_main(void)
{
	static const char line[] = "eyrie-ioport-passthrough\n";
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;

	if (boot_ebx && si->cmdline_paddr &&
	    !memcmp((const char *)(uintptr_t)si->cmdline_paddr, "bochs", 6)) {
		bochs_vga();
		return;
	}

	for (const char *p = line; *p; p++)
		outb(DEBUGCON, (uint8_t)*p);
	uint8_t back = inb(DEBUGCON);
	check("ioport-debugcon", back == 0xe9, "read back 0x%02x (the device answers 0xe9)", back);

	uint32_t caps = HPET[0], period = HPET[1];
	check("iomem-hpet-caps", (caps >> 16) != 0 && (caps >> 16) != 0xffff && (caps & 0xff) != 0 &&
				 period > 0 && period <= 100000000u,
	      "capabilities 0x%08x, period %u fs", caps, period);
	uint32_t cfg = HPET[4];
	HPET[4] = cfg | 1; /* ENABLE_CNF: the main counter runs */
	uint32_t c0 = HPET[60];
	spin_until(now_ns() + 5 * MS, true);
	uint32_t c1 = HPET[60];
	HPET[4] = cfg;
	check("iomem-hpet-counter", c1 != c0, "main counter 0x%x then 0x%x", c0, c1);
	com2_irq();
}
