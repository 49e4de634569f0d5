/*
 * wild: writes outside its own RAM; the hypervisor must kill the domain
 * at the first such access. Configure it with memory=2 (MiB): the first
 * target, 0x200000, is then just past its RAM and is where the hypervisor
 * image sits in host physical memory; the second is RAM + 1 MiB, the last
 * far above. Each write that returns is a FAIL.
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
		fail("survived", "write to 0x%x returned (reads back 0x%x)", targets[i], *p);
	}
}
