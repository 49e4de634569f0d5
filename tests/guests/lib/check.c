/* SPDX-License-Identifier: GPL-2.0-only */
/* PASS/FAIL lines, the DONE summary and shutdown. */
#include "runtime.h"
#include "x86.h"

unsigned checks_passed, checks_failed;

static void vreport(bool ok, const char *name, const char *fmt, va_list ap)
{
	char why[200];

	vsnprintf_(why, sizeof(why), fmt, ap);
	if (ok)
		checks_passed++;
	else
		checks_failed++;
	gprintf("%s %s/%s%s%s\n", ok ? "PASS" : "FAIL", guest_name, name,
		why[0] ? (ok ? " " : ": ") : "", why);
}

bool check(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ok, name, fmt, ap);
	va_end(ap);
	return ok;
}

void pass(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(true, name, fmt, ap);
	va_end(ap);
}

void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(false, name, fmt, ap);
	va_end(ap);
}

void done(void)
{
	gprintf("DONE %s: %u passed, %u failed\n", guest_name, checks_passed, checks_failed);
	guest_exit(SHUTDOWN_poweroff);
}

void guest_exit(uint32_t reason)
{
	static volatile uint32_t why;

	why = reason;
	/* 64-bit guests have no fault fixup: no hypercall on bare metal. */
	if (sizeof(long) == 4 || hv_is_eyrie())
		hc_sched_op(SCHEDOP_shutdown, (void *)&why);
	/* Still here: no hypervisor (bare QEMU ends on isa-debug-exit; the
	 * status is (value << 1) | 1) or the call failed. */
	gprintf("%s: shutdown hypercall returned (fault vector %d)\n", guest_name,
		hc_fault_vector);
	outb(DEBUG_EXIT_PORT, (uint8_t)reason);
	for (;;)
		__asm__ volatile("cli; hlt");
}
