/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wild: reaches outside its own RAM. Configure it with memory=2 (MiB): the
 * first target, 0x200000, is then just past its RAM and is where the
 * hypervisor image sits in host physical memory; the second is RAM +
 * 1 MiB, the last far above. There is nothing there for the guest: each
 * write must be dropped and each read give all ones, as on a bus with no
 * device (a value read back is a FAIL). Then it jumps to 0x200000: code
 * cannot run where there is nothing, and the hypervisor kills the domain.
 */
#include "runtime.h"

const char guest_name[] = "wild";

static const uint32_t targets[] = { 0x200000, 0x300000, 0x7fff0000 };

void guest_main(void)
{
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)targets[i];

		gprintf("wild: writing to 0x%x\n", targets[i]);
		*p = 0xdeadbeef;
		uint32_t back = *p;
		check("nothing-there", back == 0xffffffffu, "0x%x reads back 0x%x", targets[i], back);
	}
	gprintf("wild: jumping to 0x200000\n");
	((void (*)(void))0x200000)();
	fail("survived", "a call to 0x200000 returned");
}
