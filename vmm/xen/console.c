/* SPDX-License-Identifier: GPL-2.0-only */
/* Xen's console_io: a domain's console output, and the management
 * domain's console input (see xen.h). */
#include "vmm/xen/xen_int.h"
#include "kernel/shell.h"

#define CONSOLE_CHUNK 256
#define CONSOLE_MAX (64u << 10) /* one console_io write */

#define CON_IN 1024
static uint8_t con_in[CON_IN];
static unsigned con_head, con_len;

/* Serial input switched to domain 0 (Ctrl-A x3, kernel/shell.c): queued
 * for CONSOLEIO_read, announced with VIRQ_CONSOLE. c < 0 only asks. */
static bool console_take(int c)
{
	struct domain *d0 = domain_find(0);

	if (!d0 || !d0->cfg.privileged || !d0->xen.evtchn)
		return false;
	if (c < 0)
		return true;
	if (con_len < CON_IN) /* a full queue drops input, as a UART would */
		con_in[(con_head + con_len++) % CON_IN] = (uint8_t)c;
	xen_virq(d0, VIRQ_CONSOLE, 0);
	return true;
}

void xen_console_init(void)
{
	shell_set_redirect(console_take);
}

static long xen_console_read(struct vcpu *v, uint64_t count, uint64_t gva)
{
	uint8_t buf[64];
	uint64_t done = 0;

	if (!v->dom->cfg.privileged)
		return -EPERM;
	while (done < count && con_len) {
		unsigned n = 0;
		while (n < sizeof(buf) && done + n < count && con_len) {
			buf[n++] = con_in[con_head];
			con_head = (con_head + 1) % CON_IN;
			con_len--;
		}
		if (copy_to_guest_virt(v, gva + done, buf, n, NULL))
			return -EFAULT; /* (those bytes are lost) */
		done += n;
	}
	return (long)done;
}

long hc_console_io(struct vcpu *v, uint64_t *a)
{
	char buf[CONSOLE_CHUNK];
	uint64_t count = a[1], gva = a[2];

	if (a[0] == CONSOLEIO_read)
		return xen_console_read(v, count, gva);
	if (a[0] != CONSOLEIO_write)
		return -ENOSYS;
	if (count > CONSOLE_MAX)
		return -EINVAL;
	for (uint64_t done = 0; done < count;) {
		size_t n = count - done < CONSOLE_CHUNK ? (size_t)(count - done) : CONSOLE_CHUNK;
		if (copy_from_guest_virt(v, buf, gva + done, n, NULL))
			return -EFAULT;
		domain_console_put(v->dom, buf, n);
		done += n;
	}
	return 0;
}
