/* SPDX-License-Identifier: GPL-2.0-only */
/* A domain's console output on the serial line, a line at a time, with
 * the echo's rate limit (see domain.h). */
#include "vmm/core/domain.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "kernel/log.h"

/* While the serial line keeps up (less than ECHO_BUSY bytes wait), guest
 * lines go out as they come. When it does not, a guest may print
 * ECHO_RATE bytes a second, DOM_ECHO_BURST at once, so that one flooding
 * guest leaves the line to the others; domain 0 (the operator's console)
 * is not limited. Guests always leave ECHO_RESERVE bytes of the line's
 * buffer to the hypervisor's own lines. */
#define ECHO_BUSY    (8u << 10)
#define ECHO_RATE    4096u
#define ECHO_RESERVE (16u << 10)

static void echo_line(struct domain *d)
{
	uint64_t now = rdtsc(), hz = timer_info()->tsc_hz, len = d->con_len + 8;

	if (!d->echo)
		return;
	if (hz && now > d->con_stamp) {
		uint64_t add = (now - d->con_stamp) / (hz / ECHO_RATE + 1);
		d->con_credit = d->con_credit + add > DOM_ECHO_BURST ? DOM_ECHO_BURST
								       : d->con_credit + add;
		d->con_stamp += add * (hz / ECHO_RATE + 1);
	}
	if (!d->cfg.privileged && (console_room() < ECHO_RESERVE + len ||
				   (d->con_credit < len && console_queued() > ECHO_BUSY))) {
		d->con_dropped += d->con_len + 1;
		return;
	}
	if (d->con_dropped)
		printk("(d%u) [%lu bytes of console output not shown here: see `console %u`]\n",
		       d->id, d->con_dropped, d->id);
	printk("(d%u) %.*s\n", d->id, (int)d->con_len, d->con_line);
	d->con_credit -= d->con_credit < len ? d->con_credit : len;
	d->con_dropped = 0;
}

void domain_console_put(struct domain *d, const char *s, size_t n)
{
	spin_lock(&d->con_lock);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (d->log)
			d->log[d->log_total++ % DOM_LOG_SIZE] = c;
		if (c == '\n' || d->con_len == DOM_CONSOLE_LINE - 1) {
			echo_line(d);
			d->con_len = 0;
			if (c == '\n')
				continue;
		}
		if (c == '\r')
			continue;
		/* Keep the serial line readable: no control bytes from guests. */
		d->con_line[d->con_len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? c : '?';
	}
	spin_unlock(&d->con_lock);
}
