/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domains: a guest's memory (RAM slots + nested page tables), its vcpus
 * and its lifecycle. Guest RAM comes from the frame allocator and goes back
 * in full when the domain is destroyed.
 */
#ifndef EYRIE_VMM_DOMAIN_H
#define EYRIE_VMM_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "include/public/memory.h"
#include "include/public/xen.h"
#include "kernel/pt.h"
#include "kernel/spin.h"
#include "vmm/core/domcfg.h"
#include "vmm/plat/mmio.h"
#include "vmm/core/vcpu.h"

struct vplat;

#define DOM_MAX_SLOTS 16
#define DOM_MAX_VCPUS DOM_CFG_MAX_VCPUS
/* Guest console lines longer than this are cut (the rest goes on as a
 * line of its own); the log keeps every byte. */
#define DOM_CONSOLE_LINE 256
/* The echo's budget of bytes a domain starts with (domcons.c). */
#define DOM_ECHO_BURST (16u << 10)
#define DOM_LOGGED 32
#define DOM_E820_MAX 8
#define DOM_LOG_SIZE 16384 /* the last console bytes of each domain, for `console` */

enum dom_state {
	DOM_RUNNING,
	DOM_PAUSED,
	DOM_CRASHED,  /* stopped by a fault; kept for inspection until destroyed */
	DOM_SHUTDOWN, /* asked to stop; destroyed by the scheduler */
};

/* A run of guest-physical RAM backed by contiguous host frames. */
struct mem_slot {
	uint64_t gpa, size, hpa;
};

/* A domain: its identity and lifecycle, then its memory, CPU policy,
 * platform, ABI and console parts. */
struct domain {
	domid_t id;
	char name[DOM_NAME_LEN];
	enum dom_state state;
	char reason[96];              /* why it crashed / shut down */
	unsigned shutdown_code;       /* SHUTDOWN_* when DOM_SHUTDOWN */
	bool building;                /* managed, not yet unpaused: mem_write, set_context */
	struct domain_config cfg;
	struct vcpu *vcpus[DOM_MAX_VCPUS];
	unsigned nr_vcpus;
	/* Its cap (cfg.cap) in the scheduler's period: TSC cycles its vcpus
	 * ran (less the budgets of past periods: an overrun is carried), and
	 * parked: its budget is used up, none of its vcpus runs until the next
	 * period (vmm/core/run.c). */
	uint64_t cap_used;
	bool parked;
	struct domain *next;
	/* Memory. */
	uint64_t ram_bytes;           /* its RAM size: the most it may hold (max_pages) */
	uint64_t ram_pages;           /* RAM frames it owns now (current reservation) */
	uint64_t audit_pages;         /* the audit's count of them (vmm/core/audit.c) */
	struct mem_slot slots[DOM_MAX_SLOTS];
	unsigned nr_slots;
	struct pt p2m;
	uint64_t *populated;          /* 2 MiB regions of RAM zeroed and mapped */
	/* Its memory map (set by its builder; XENMEM_memory_map reports it). */
	struct xen_e820_entry e820[DOM_E820_MAX];
	unsigned nr_e820;
	/* Time and CPU policy. */
	uint64_t tsc_offset;          /* guest TSC = host TSC + tsc_offset */
	uint64_t boot_unix;           /* wall clock (s, host RTC) at guest TSC 0 */
	uint64_t cr4_allowed;         /* vcpu_cr4_allowed's answer, 0 until asked */
	uint64_t efer_allowed;        /* and the EFER bits, from the same CPUID */
	uint64_t xcr0_allowed;        /* and the XCR0 bits (XSETBV) */
	/* Platform: device models on guest-physical ranges, and the virtual
	 * PC platform (hvm, platform=pc) or NULL. */
	struct mmio_table mmio;
	struct vplat *plat;
	/* ABI: Xen's (vmm/xen/xen.h). */
	struct xen_domain xen;
	/* Console. Its lines on the hypervisor console: whether at all
	 * (guest_echo=, the shell's `echo`, off while domain 0's console shows
	 * it), and a rate limit: the bytes it may still print (refilled with
	 * time) and those it could not since its last printed line. */
	struct spinlock con_lock;     /* the line and the ring: written with and
				       * without the big lock (the UART's model) */
	char con_line[DOM_CONSOLE_LINE];
	unsigned con_len;
	bool echo;
	uint64_t con_credit, con_stamp, con_dropped;
	char *log;                    /* console ring of DOM_LOG_SIZE bytes */
	uint64_t log_total;           /* bytes ever written to it */
	uint64_t logged[DOM_LOGGED];  /* keys domain_warn_once reported */
	unsigned nr_logged;
};

/* Warns "domain N (NAME): <text>" once per key (e.g. an MSR, a page, an
 * instruction address; keys of different kinds apart in bits 63:56), for
 * at most DOM_LOGGED keys in all: a guest cannot flood the console. */
void domain_warn_once(struct domain *d, uint64_t key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Builds a domain from cfg and its image module (a managed one: empty,
 * paused, building); on failure frees all it took and returns a negative
 * errno (the reason is logged). */
int domain_create(const struct domain_config *cfg, struct domain **out);
/* Stops the domain and frees everything it holds. */
void domain_destroy(struct domain *d);
/* Marks the domain crashed and stops its vcpus; logs the reason once. */
void domain_crash(struct domain *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Guest-requested shutdown (SHUTDOWN_* reason). */
void domain_shutdown(struct domain *d, unsigned reason);
/* Frees a domain that shut down; one that rebooted with on_reboot=restart
 * is created again from its configuration (the scheduler's reaper). */
void domain_reap(struct domain *d);
void domain_pause(struct domain *d);
void domain_unpause(struct domain *d);

/* The domain with that id; NULL for none (ids from DOMID_FIRST_RESERVED
 * on name no domain, whatever their width). */
struct domain *domain_find(uint32_t id);
struct domain *domain_list(void);
/* Since boot: domains created and destroyed, stops by SHUTDOWN_* reason
 * (crashes counted as SHUTDOWN_crash). */
struct domain_counts {
	uint64_t created, destroyed, stops[5];
};
extern struct domain_counts domain_counts;
const char *domain_state_name(enum dom_state s);

/* Guest console (port 0xE9, console_io, the UART): kept in d->log at once
 * and, line by line, prefixed (dN) on the hypervisor console when it
 * echoes the domain, its rate allows and the serial line has room; text
 * it could not print is counted and said so. Never waits for the line. */
void domain_console_put(struct domain *d, const char *s, size_t n);

/* Creates a domain from a domain= option value (see vmm/core/domcfg.h); logs
 * why not. */
int domain_start(const char *spec);

#endif
