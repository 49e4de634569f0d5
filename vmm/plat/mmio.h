/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MMIO device models: each domain has a small table of guest-physical
 * ranges claimed by device models (LAPIC, IOAPIC, HPET, ...). Those ranges
 * are left out of the nested page tables, so a guest access to them exits
 * as a nested page fault; mmio_handle decodes the instruction
 * (vmm/emul/emulate.c) and sends the access to the model. See
 * docs/mmio-emulation.md.
 */
#ifndef EYRIE_VMM_MMIO_H
#define EYRIE_VMM_MMIO_H

#include <stdbool.h>
#include <stdint.h>

struct domain;
struct vcpu;

#define MMIO_MAX_MODELS 8

struct mmio_model {
	const char *name;
	uint64_t base, size;
	/*
	 * One access of size 1, 2, 4 or 8 bytes, all inside [base, base +
	 * size), made by vcpu v; it may be unaligned. A read stores the value
	 * (upper bytes beyond size are ignored). Both return 0 or a negative
	 * errno, which crashes the domain: a model should answer what real
	 * hardware answers (e.g. all ones, a dropped write) rather than fail.
	 */
	int (*read)(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t *val);
	int (*write)(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val);
	void *opaque; /* the model's data: mmio_find(v->dom, gpa)->opaque */
};

/* A domain's models (struct domain's `mmio`, zeroed with the domain). */
struct mmio_table {
	struct mmio_model models[MMIO_MAX_MODELS];
	unsigned nr;
};

/* Adds a copy of *m to d's table: -EINVAL for an empty or wrapping range
 * or a missing callback, -EEXIST when it overlaps guest RAM or another
 * model, -ENOSPC when the table is full. Call before the domain runs. */
int mmio_register(struct domain *d, const struct mmio_model *m);

/* The model whose range holds gpa, or NULL. */
const struct mmio_model *mmio_find(struct domain *d, uint64_t gpa);

/*
 * Emulates the instruction at the vcpu's RIP, which faulted on
 * guest-physical gpa where no RAM is mapped (write: the faulting access
 * was a write, which tells MOVS which side is the device). Where no model
 * claims the address there is nothing, as on a bus with no device (an
 * absent HPET, a page the guest gave back): reads return all ones, writes
 * are dropped, and the first access to each page is logged
 * (domain_warn_once). Returns
 *   > 0      the instruction's length: the caller moves RIP past it;
 *   0        RIP stays: a REP string op will run again for the rest, or an
 *            exception (#UD, #GP, #PF) was injected;
 *   < 0      a failure (the instruction could not be read, does not match
 *            the fault, a model failed, an access straddling a model's end,
 *            MOVS between two devices): the caller crashes the domain.
 */
int mmio_handle(struct vcpu *v, uint64_t gpa, bool write);

#endif
