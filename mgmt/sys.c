/*
 * The management domain's system layer: hypercalls (64-bit Xen ABI), and
 * the "system calls" newlib needs (its x86_64-elf build calls the plain
 * names: write, read, sbrk, ..., _exit). Output goes to the hypervisor
 * console (console_io), input comes from the serial line switched to
 * domain 0 (Ctrl-A x3: CONSOLEIO_read, woken by VIRQ_CONSOLE).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "include/public/event_channel.h"
#include "include/public/xen.h"
#include "mgmt/sys.h"

#undef errno
extern int errno;

static int amd; /* VMMCALL rather than VMCALL */

long hypercall(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3)
{
	register unsigned long r10 __asm__("r10") = 0;
	long ret;

	if (amd)
		__asm__ volatile("vmmcall" : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10)
				 : "a"(nr) : "memory", "rcx", "r8", "r9", "r11");
	else
		__asm__ volatile("vmcall" : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10)
				 : "a"(nr) : "memory", "rcx", "r8", "r9", "r11");
	return ret;
}

uint64_t tsc_khz;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

uint64_t now_ns(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	uint64_t t = (uint64_t)hi << 32 | lo;
	return t / tsc_khz * 1000000 + t % tsc_khz * 1000000 / tsc_khz;
}

void sys_init(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	amd = r[1] == 0x68747541 || r[1] == 0x6f677948; /* "Auth", "Hygo" */
	cpuid(0x40000003, 0, r);
	tsc_khz = r[2] ? r[2] : 1000000;
	/* Console input wakes us: VIRQ_CONSOLE (no callback vector set, so
	 * an event only ends a SCHEDOP_block). */
	struct evtchn_bind_virq bv = { VIRQ_CONSOLE, 0, 0 };
	hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, (unsigned long)&bv, 0);
}

int write(int fd, const void *buf, size_t len)
{
	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	if (hypercall(HYPERVISOR_console_io, CONSOLEIO_write, len, (unsigned long)buf)) {
		errno = EIO;
		return -1;
	}
	return (int)len;
}

/* Blocks until at least one byte of console input arrives. */
int read(int fd, void *buf, size_t len)
{
	if (fd != 0) {
		errno = EBADF;
		return -1;
	}
	for (;;) {
		long n = hypercall(HYPERVISOR_console_io, CONSOLEIO_read, len, (unsigned long)buf);
		if (n) {
			if (n < 0) {
				errno = EIO;
				return -1;
			}
			for (long i = 0; i < n; i++) /* Enter sends CR: a tty's ICRNL */
				if (((char *)buf)[i] == '\r')
					((char *)buf)[i] = '\n';
			return (int)n;
		}
		hypercall(HYPERVISOR_set_timer_op, now_ns() + 100000000ull, 0, 0); /* 100 ms */
		hypercall(HYPERVISOR_sched_op, SCHEDOP_block, 0, 0);
	}
}

static char heap[4 << 20] __attribute__((aligned(16)));
static size_t heap_used;

void *sbrk(ptrdiff_t incr)
{
	if (incr < 0 ? (size_t)-incr > heap_used : (size_t)incr > sizeof(heap) - heap_used) {
		errno = ENOMEM;
		return (void *)-1;
	}
	void *p = heap + heap_used;
	heap_used += (size_t)incr;
	return p;
}

int close(int fd)
{
	errno = EBADF;
	return -1;
}

int fstat(int fd, struct stat *st)
{
	st->st_mode = S_IFCHR; /* the console: line buffered */
	return 0;
}

int isatty(int fd)
{
	return fd <= 2;
}

off_t lseek(int fd, off_t off, int whence)
{
	errno = ESPIPE;
	return -1;
}

int kill(int pid, int sig)
{
	errno = EINVAL;
	return -1;
}

int getpid(void)
{
	return 0;
}

void _exit(int status)
{
	static uint32_t reason;

	reason = status ? SHUTDOWN_crash : SHUTDOWN_poweroff;
	hypercall(HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)&reason, 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}
