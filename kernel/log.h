/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Leveled logging and formatted output. Every line goes to all console sinks
 * (UART, framebuffer text). Formats: %d %i %u %x %X %p %s %c %%, with the
 * flags '-', '0', a width, and the length modifiers l, ll, z.
 */
#ifndef EYRIE_KERNEL_LOG_H
#define EYRIE_KERNEL_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));


/* Writes a formatted reason into err (when given) and returns rc: the
 * one-liner of parsers that report why they refused their input. */
static inline __attribute__((format(printf, 4, 5)))
int errorf(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Unconditional console output (the shell's answers). */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap);
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
const char *log_level_name(enum log_level lvl);
/* Parses "error"/"warn"/"info"/"debug"; returns -1 when unknown. */
int log_level_parse(const char *name);

/* A console sink receives every byte printed. A buffered one says how
 * much it holds not yet sent (queued) and can take without waiting
 * (room), and flush writes out what it holds (forever: and from then on
 * at once, for a dying hypervisor). */
struct console_sink {
	void (*write)(const char *s, size_t n);
	size_t (*queued)(void);
	size_t (*room)(void);
	void (*flush)(bool forever);
	struct console_sink *next;
};
void console_register(struct console_sink *sink);
/* The least room and the most queued of the buffered sinks (SIZE_MAX and
 * 0 when none buffers). */
size_t console_room(void);
size_t console_queued(void);
/* Everything buffered goes out now (before a reset or power-off); with
 * forever, later output too (panics and exception dumps). */
void console_flush(bool forever);
/* The console lock: printk and the calls above take it, and so must
 * whoever else touches a sink's buffers (the UART's interrupt and input),
 * since CPUs print with or without the big lock. A short lock with
 * interrupts off, beneath every other; after console_flush(true) (a dying
 * hypervisor's last words) it is no longer taken. */
void console_lock(void);
void console_unlock(void);

#define pr_err(...)   log_msg(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Prints the message with a backtrace and stops this CPU for good. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
