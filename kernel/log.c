/* SPDX-License-Identifier: GPL-2.0-only */
/* Console sinks, printk and leveled logging (see kernel/log.h). */
#include "kernel/log.h"
#include "kernel/spin.h"
#include "kernel/string.h"

#include <stdint.h>

static struct console_sink *sinks;
static enum log_level level = LOG_INFO;
/* The console lock (see log.h); a dying hypervisor takes it no more. */
static struct spinlock console_lk;
static volatile bool dying;

void console_lock(void)
{
	if (!dying)
		spin_lock(&console_lk);
}

void console_unlock(void)
{
	if (!dying)
		spin_unlock(&console_lk);
}

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void console_register(struct console_sink *sink)
{
	struct console_sink **p = &sinks;

	while (*p)
		p = &(*p)->next;
	sink->next = NULL;
	*p = sink;
}

size_t console_room(void)
{
	size_t room = SIZE_MAX;

	console_lock();
	for (struct console_sink *k = sinks; k; k = k->next)
		if (k->room && k->room() < room)
			room = k->room();
	console_unlock();
	return room;
}

size_t console_queued(void)
{
	size_t q = 0;

	console_lock();
	for (struct console_sink *k = sinks; k; k = k->next)
		if (k->queued && k->queued() > q)
			q = k->queued();
	console_unlock();
	return q;
}

void console_flush(bool forever)
{
	dying |= forever; /* it talks over whoever holds the lock */
	console_lock();
	for (struct console_sink *k = sinks; k; k = k->next)
		if (k->flush)
			k->flush(forever);
	console_unlock();
}

static void console_write(const char *s, size_t n)
{
	console_lock();
	for (struct console_sink *k = sinks; k; k = k->next)
		k->write(s, n);
	console_unlock();
}

static void vprintk(const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	size_t p = prefix ? str_copy(buf, prefix, sizeof(buf)) : 0;
	int n = vsnprintf(buf + p, sizeof(buf) - p, fmt, ap);
	size_t len = p + (size_t)n;

	if (len >= sizeof(buf)) { /* truncated: mark it, keep the newline */
		len = sizeof(buf) - 1;
		memcpy(buf + len - 4, "...\n", 4);
	}
	console_write(buf, len);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(NULL, fmt, ap);
	va_end(ap);
}

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *const prefix[] = { "[error] ", "[warn] ", "", "[debug] " };

	if (lvl <= level)
		vprintk(prefix[lvl], fmt, ap);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

void log_set_level(enum log_level lvl)
{
	level = lvl;
}

enum log_level log_get_level(void)
{
	return level;
}

const char *log_level_name(enum log_level lvl)
{
	return (unsigned)lvl < 4 ? level_names[lvl] : "?";
}

int log_level_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, level_names[i]))
			return i;
	return -1;
}
