/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a test guest needs to be a Xen split-driver frontend by hand
 * (tests/guests/netfront.c): its shared-info page and grant table frame 0
 * mapped with add_to_physmap, grants, event channels, and the store over
 * its ring (HVM_PARAM_STORE_PFN / _EVTCHN) as Linux's xenbus uses it. No
 * interrupts: waiting is SCHEDOP_poll on the ports of interest.
 *
 * Built into build/guests/lib32/libxenbus.a and linked after the runtime
 * of every 32-bit guest, so only the guests that call it carry it (with
 * its two pages of bss).
 */
#ifndef GUEST_XENBUS_H
#define GUEST_XENBUS_H

#include <stdbool.h>
#include <stdint.h>

#include "include/public/grant_table.h"
#include "include/public/io/xenbus.h"
#include "include/public/io/xs_wire.h"

#define XB_MS 1000000ull
#define XB_GRANTS 512u           /* entries in grant table frame 0 */

extern uint32_t xb_domid;
extern struct grant_entry_v1 xb_gnttab[XB_GRANTS];
extern char xb_reply[XENSTORE_PAYLOAD_MAX + 1];

/* Our domain id (CPUID), the store's ring and port, shared info and the
 * grant table mapped; false (said why) if any is missing. */
bool xb_init(const char *who);

/* Grants page to domain `to` (read-only or not); ungrants. */
void xb_grant(uint32_t ref, const void *page, uint16_t to, bool ro);
void xb_ungrant(uint32_t ref);

long xb_evtchn_op(unsigned cmd, void *arg);
/* A port allocated for domain 0 to bind (0 if that failed). */
uint32_t xb_alloc_unbound(void);
void xb_notify(uint32_t port);
/* Sleeps until one of the n ports is pending or ms pass; clears their
 * pending bits. */
void xb_wait(const uint32_t *ports, unsigned n, unsigned ms);

/* One store request (path, then value without its NUL); the reply's type
 * (XS_INVALID if none came within 3 s), its payload in xb_reply. */
uint32_t xb_request(uint32_t type, const char *path, const char *value);
bool xb_write(const char *dir, const char *node, const char *value);
bool xb_writeu(const char *dir, const char *node, uint64_t v);
bool xb_rm(const char *dir, const char *node);
/* A node as a decimal number; def if absent or not one. */
uint64_t xb_readu(const char *dir, const char *node, uint64_t def);
/* Waits up to ms for dir/state to read want (or one of also, also2); the
 * state it read last. */
uint32_t xb_wait_state(const char *dir, uint32_t want, uint32_t also, uint32_t also2, unsigned ms);

#endif
