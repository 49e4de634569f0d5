/* SPDX-License-Identifier: GPL-2.0-only */
/* The management domain's system layer (see sys.c). */
#ifndef EYRIE_MGMT_SYS_H
#define EYRIE_MGMT_SYS_H

#include <stdbool.h>
#include <stdint.h>

long hypercall(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3);
void sys_init(void);
uint64_t now_ns(void);
/* Adds (on) or removes an event channel whose events end sys_wait. */
void sys_watch(uint32_t port, bool on);
/* Sleeps until an event on a watched channel or timeout_ns, whichever
 * first (SCHEDOP_poll); clears their pending bits. */
void sys_wait(uint64_t timeout_ns);
/* Whether an event arrived on port since the last call (its pending bit,
 * or one sys_wait saw and cleared); clears it. For drivers and backends
 * that serve a channel only when it is notified. */
bool sys_fired(uint32_t port);
/* The next sys_wait does not sleep: a backend has work left over. */
void sys_busy(void);
/* Whether to look at what VIRQ virq announces: it fired since the last
 * call, it is not bound, or *next (ns) has passed (a look now and then in
 * case an event was missed); *next moves period_ns on when true. */
bool sys_virq_fired(uint32_t virq, uint64_t *next, uint64_t period_ns);
/* fn runs while read() waits for console input (after every wake-up); it
 * returns how long read() may sleep before calling it again (at most
 * 100 ms is slept anyway). */
void sys_set_idle(uint64_t (*fn)(void));
/* Where device memory goes: guest-physical addresses above ram_end. */
void sys_mmio_init(uint64_t ram_end);
/* Page i (< SYS_GRANT_PAGES) of a window above our RAM for grant
 * mappings (GNTTABOP_map_grant_ref's host_addr): nothing is there until a
 * mapping is, and an unmap leaves nothing lost. NULL if out of range or
 * there is no window (our RAM reaches the APIC window). */
#define SYS_GRANT_PAGES 256
void *sys_grant_page(unsigned i);
/* Maps len bytes of device memory at machine address maddr (EYRIE_OP_iomem
 * into our physical space above RAM, then uncached in our page tables);
 * its virtual address, or NULL (refused, or the 16 MiB window is full). */
void *sys_map_mmio(uint64_t maddr, uint64_t len);

/* newlib's system calls (plain names: MISSING_SYSCALL_NAMES). */
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
int write(int fd, const void *buf, size_t len);
/* A guest's console bytes, passed on as they come (an attached console):
 * the next write of our own starts on a new line if they ended mid-line. */
void sys_write_guest(const char *buf, size_t len);
int read(int fd, void *buf, size_t len);
void *sbrk(ptrdiff_t incr);
int close(int fd);
int fstat(int fd, struct stat *st);
int isatty(int fd);
off_t lseek(int fd, off_t off, int whence);
int kill(int pid, int sig);
int getpid(void);
void _exit(int status) __attribute__((noreturn));

#endif
