/* SPDX-License-Identifier: GPL-2.0-only */
/* panic: the last words of the hypervisor. */
#include "kernel/log.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/traps.h"

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	cli();
	console_flush(true);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("\nEyrie PANIC: %s\n", buf);
	backtrace_print((uint64_t)__builtin_frame_address(0));
	printk("System halted.\n");
	cpu_halt_forever();
}
