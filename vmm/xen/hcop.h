/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypercalls as tables of operations. Each sub-operation of a hypercall
 * family (EVTCHNOP_*, GNTTABOP_*, VCPUOP_*, ...) is one function taking
 * its typed argument struct, and one table row says how big the struct
 * is and whether it goes back to the guest. hcop_call copies the argument
 * in once (the handler never reads guest memory for it again, so a guest
 * cannot change it under the check), calls the handler, and copies it out
 * once. NOVA's table of typed system calls is the model.
 */
#ifndef EYRIE_VMM_HCOP_H
#define EYRIE_VMM_HCOP_H

#include <stddef.h>
#include <stdint.h>

struct domain;
struct vcpu;

enum hcop_copy {
	HC_IN,          /* only read */
	HC_OUT,         /* written back when the handler returns >= 0 or
			 * -ERESTART (a continuation keeps its progress there) */
	HC_OUT_ALWAYS,  /* written back whatever the handler returns */
};

struct hcop {
	uint16_t size;            /* of the argument struct, at most HCOP_ARG_MAX */
	uint8_t copy;             /* enum hcop_copy */
	long (*fn)(struct vcpu *v, void *arg);
	/* Optional: takes back what fn did when the struct could not be
	 * written back (the caller never learnt of it); the call is -EFAULT. */
	void (*undo)(struct vcpu *v, void *arg);
	/* Instead of fn, for a struct that begins with a uint32_t domid: on
	 * gets that domain (the call is -ESRCH when there is none). */
	long (*on)(struct vcpu *v, struct domain *d, void *arg);
};

#define HCOP_ARG_MAX 128
#define HCOP_COUNT(t) (sizeof(t) / sizeof((t)[0]))
/* A row whose struct is checked against HCOP_ARG_MAX when compiled. */
#define HCOP(type, copy, fn) \
	{ sizeof(char[sizeof(type) <= HCOP_ARG_MAX ? sizeof(type) : -1]), copy, fn, 0, 0 }
/* A row whose handler takes the domain the struct names (checked when compiled). */
#define HCOP_DOM(type, copy, on) \
	{ sizeof(char[sizeof(type) <= HCOP_ARG_MAX && offsetof(type, domid) == 0 && \
		      sizeof(((type *)0)->domid) == 4 ? sizeof(type) : -1]), copy, 0, 0, on }

/* ops[cmd] on the guest's argument at virtual address arg: -ENOSYS for an
 * operation the table has not, -EFAULT when the argument cannot be read
 * or written back, else what the handler returns. */
long hcop_call(struct vcpu *v, const struct hcop *ops, size_t nr, uint64_t cmd, uint64_t arg);

#endif
