/*
 * Eyrie's own management operations (not Xen's): what the privileged
 * management domain (domain 0, `privileged=1`) uses to control the others.
 * Hypercall HYPERVISOR_eyrie_op (48, Xen's first architecture-specific
 * slot), arguments (op, arg): every op but list takes a struct in guest
 * memory at arg. Any other domain gets -EPERM. See docs/abi.md.
 */
#ifndef EYRIE_PUBLIC_EYRIE_H
#define EYRIE_PUBLIC_EYRIE_H

#include <stdint.h>

#define HYPERVISOR_eyrie_op 48

#define EYRIE_OP_list     1 /* struct eyrie_dom_list */
#define EYRIE_OP_pause    2 /* struct eyrie_dom_id */
#define EYRIE_OP_unpause  3 /* struct eyrie_dom_id */
#define EYRIE_OP_destroy  4 /* struct eyrie_dom_id; not the caller itself */
#define EYRIE_OP_create   5 /* struct eyrie_dom_create */
#define EYRIE_OP_console_read  6 /* struct eyrie_dom_console */
#define EYRIE_OP_console_write 7 /* struct eyrie_dom_console */

/* One domain, as list reports it (64 bytes). */
struct eyrie_dom_info {
	uint16_t domid;
	uint16_t state;      /* EYRIE_DOM_* */
	uint32_t nr_vcpus;
	uint64_t memory_kib;
	uint64_t cpu_ns;     /* time its vcpus ran */
	uint32_t type;       /* 0 elf, 1 multiboot, 2 linux, 3 pvh */
	uint32_t flags;      /* EYRIE_DOMF_* */
	char name[32];
};
#define EYRIE_DOM_RUNNING  0
#define EYRIE_DOM_PAUSED   1
#define EYRIE_DOM_CRASHED  2
#define EYRIE_DOM_SHUTDOWN 3
#define EYRIE_DOMF_PRIVILEGED 1u

/* list: in max (entries room at buffer); out nr (domains written). */
struct eyrie_dom_list {
	uint32_t max, nr;
	uint64_t buffer;     /* guest address of struct eyrie_dom_info[max] */
};

struct eyrie_dom_id {
	uint32_t domid;
};

/* create: spec in the domain= syntax (docs/vmm.md), images and initrds
 * from the boot modules; out the new domain's id. */
struct eyrie_dom_create {
	uint64_t spec;       /* guest address of the text */
	uint32_t len;        /* bytes, < 512 */
	uint32_t domid;      /* out */
};

/* A domain's console: read copies its console output from byte position
 * pos on (every byte it ever wrote is numbered; the hypervisor keeps the
 * last 16 KiB: older positions skip ahead) and advances pos; returns the
 * bytes copied. write types len bytes into its serial port (domains with
 * the PC platform; -ENODEV otherwise); returns the bytes taken. */
struct eyrie_dom_console {
	uint32_t domid, len;
	uint64_t pos;        /* read: in/out */
	uint64_t buffer;     /* guest address */
};

_Static_assert(sizeof(struct eyrie_dom_info) == 64, "eyrie_dom_info");
_Static_assert(sizeof(struct eyrie_dom_console) == 24, "eyrie_dom_console");
_Static_assert(sizeof(struct eyrie_dom_list) == 16, "eyrie_dom_list");
_Static_assert(sizeof(struct eyrie_dom_create) == 16, "eyrie_dom_create");

#endif
