/*
 * Minimal "system calls" for newlib in the management domain.
 *
 * newlib is built for x86_64-elf (tools/newlib.sh), whose configure.host
 * entry sets -DMISSING_SYSCALL_NAMES: the reentrant wrappers (_write_r,
 * _sbrk_r, ...) call the PLAIN names below, not _write/_sbrk.  The only
 * underscored one is _exit.  A wrapper clears errno, calls us, and copies
 * errno into the reent struct when we return -1, so set errno on failure.
 *
 * These are placeholders: the console goes to a memory buffer (to become a
 * hypercall), the heap is a static array.  Built with -DSTUB_LINUX, write
 * and _exit use Linux syscalls instead, so the same newlib can be run as a
 * static Linux binary to prove it works.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#undef errno
extern int errno;

int write(int fd, const void *buf, size_t len);
int read(int fd, void *buf, size_t len);
void *sbrk(ptrdiff_t incr);
int close(int fd);
int fstat(int fd, struct stat *st);
int isatty(int fd);
off_t lseek(int fd, off_t off, int whence);
int kill(int pid, int sig);
int getpid(void);
void _exit(int status) __attribute__((noreturn));

#ifdef STUB_LINUX
static long linux_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}
#else
/* Until the console hypercall exists: a ring the debugger can read. */
char mgmt_console[4096];
size_t mgmt_console_pos;
#endif

int write(int fd, const void *buf, size_t len)
{
	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
#ifdef STUB_LINUX
	long r = linux_syscall3(1, fd, (long)buf, (long)len);

	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (int)r;
#else
	const char *p = buf;

	for (size_t i = 0; i < len; i++)
		mgmt_console[mgmt_console_pos++ % sizeof(mgmt_console)] = p[i];
	return (int)len;
#endif
}

int read(int fd, void *buf, size_t len)
{
	(void)fd;
	(void)buf;
	(void)len;
	return 0; /* EOF */
}

#define HEAP_SIZE (1u << 20)
static unsigned char heap[HEAP_SIZE] __attribute__((aligned(16)));
static size_t heap_used;

void *sbrk(ptrdiff_t incr)
{
	size_t old = heap_used;

	if ((incr < 0 && (size_t)-incr > heap_used) ||
	    (incr > 0 && (size_t)incr > HEAP_SIZE - heap_used)) {
		errno = ENOMEM;
		return (void *)-1;
	}
	heap_used += incr;
	return heap + old;
}

int close(int fd)
{
	(void)fd;
	errno = EBADF;
	return -1;
}

int fstat(int fd, struct stat *st)
{
	(void)fd;
	st->st_mode = S_IFCHR; /* a tty: stdout is line-buffered */
	return 0;
}

int isatty(int fd)
{
	(void)fd;
	return 1;
}

off_t lseek(int fd, off_t off, int whence)
{
	(void)fd;
	(void)off;
	(void)whence;
	errno = ESPIPE;
	return -1;
}

int kill(int pid, int sig)
{
	(void)pid;
	(void)sig;
	errno = EINVAL;
	return -1;
}

int getpid(void)
{
	return 1;
}

void _exit(int status)
{
#ifdef STUB_LINUX
	for (;;)
		linux_syscall3(231 /* exit_group */, status, 0, 0);
#else
	(void)status;
	for (;;)
		__asm__ volatile("cli; hlt");
#endif
}
