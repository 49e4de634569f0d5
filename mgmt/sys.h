/* The management domain's system layer (see sys.c). */
#ifndef EYRIE_MGMT_SYS_H
#define EYRIE_MGMT_SYS_H

#include <stdint.h>

long hypercall(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3);
void sys_init(void);
uint64_t now_ns(void);

/* newlib's system calls (plain names: MISSING_SYSCALL_NAMES). */
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
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

#endif
