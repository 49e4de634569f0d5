/* SPDX-License-Identifier: GPL-2.0-only */
/* Runtime set-up, called once from the entry code before guest_main. */
#include "runtime.h"
#include "x86.h"

void rt_init(void);

void rt_init(void)
{
	/* Mask the legacy PICs: on bare QEMU (smoke runs) the BIOS left the
	 * timer on IRQ 0 = vector 8; under Eyrie these ports are unclaimed
	 * and the writes are dropped. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	hc_init();
	idt_init();
	time_init();
}
