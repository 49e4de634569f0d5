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

#include "include/public/hvm_start_info.h"

const char guest_name[] = "iopass";

#define DEBUGCON 0x402
#define HPET ((volatile uint32_t *)0x10000000u)
#define MS 1000000ull

#define GRANTED ((volatile uint16_t *)0x10000000u)

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
}
