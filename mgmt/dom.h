/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management domain's toolstack (mgmt/dom.c): domains built here from
 * xl.cfg configs, their images taken from our boot modules, and their
 * consoles: a PVH guest's ring (Xen's console page and event channel),
 * an HVM guest's UART output; the last DOM_LOG bytes of each are kept.
 */
#ifndef EYRIE_MGMT_DOM_H
#define EYRIE_MGMT_DOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/public/console.h"
#include "include/public/hvm_start_info.h"
#include "mgmt/xlcfg.h"

#define DOM_MAX_GUESTS 32
#define DOM_LOG (64u << 10)

struct guest {
	bool used;
	bool broken;                    /* its ring's indices were nonsense */
	bool preserved;                 /* stopped, kept by its on_* action */
	uint32_t domid;                 /* UINT32_MAX while not yet made */
	uint64_t gen;                   /* which build: ids are reused at once */
	struct xlcfg cfg;
	struct xencons_interface *ring; /* PVH: mapped here; NULL: HVM */
	uint32_t handle, port;          /* the ring's grant mapping; our port */
	uint64_t hvm_pos;               /* HVM: where console_read goes on */
	struct xs_conn *xs;             /* PVH: its store ring (mgmt/xs.c) */
	uint64_t stop_at;               /* asked to stop through the store: then forced (ns) */
	uint32_t stop_reason;           /* SHUTDOWN_* asked */
	char *log;                      /* DOM_LOG bytes */
	uint64_t log_total;             /* bytes ever logged */
};

/* Takes the boot modules from the start info. */
void dom_init(const struct hvm_start_info *si);
/* Module i (name, bytes): 1, or 0 past the last. */
unsigned dom_modules(const char **name, const void **data, uint64_t *size, unsigned i);

/* Builds and starts a domain (errors printed; a half-built one is
 * destroyed). 0 and *domid, or negative. */
int dom_create(const struct xlcfg *cfg, uint32_t *domid);
/* Destroys a domain (ours or not); the hypervisor's answer. */
long dom_destroy(uint32_t domid);
/* Stops a domain (SHUTDOWN_poweroff or _reboot) as xl does: one of ours
 * that said it acts on control/shutdown (control/feature-poweroff or
 * -reboot) is asked there, and stopped after dom_stop_timeout seconds if
 * it has not; any other at once (SCHEDOP_remote_shutdown). 0 or the
 * hypervisor's error. */
long dom_shutdown(uint32_t domid, uint32_t reason);
/* The seconds a domain gets to stop by itself (default 30). */
extern unsigned dom_stop_timeout;
/* Our guest domid, or NULL (not built here). */
struct guest *dom_guest(uint32_t domid);
/* Moves new console output of g into its log. */
void dom_service(struct guest *g);
/* Types n bytes into g's console; the bytes taken or negative. */
long dom_input(struct guest *g, const char *s, size_t n);
/* Background work: every console, and the on_* action of every guest
 * that stopped. */
void dom_poll(void);

#endif
