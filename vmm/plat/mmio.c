/* SPDX-License-Identifier: GPL-2.0-only */
/* MMIO dispatch: the domain's device ranges and the nested-fault path
 * through the instruction emulator (see mmio.h). */
#include "vmm/plat/mmio.h"
#include "kernel/errno.h"
#include "vmm/core/domain.h"
#include "vmm/emul/emulate.h"
#include "vmm/core/guest_mem.h"
#include "vmm/core/gwalk.h"
#include "vmm/core/vmm.h"

_Static_assert(SEG_ES == (int)EMU_ES && SEG_CS == (int)EMU_CS && SEG_SS == (int)EMU_SS &&
	       SEG_DS == (int)EMU_DS && SEG_FS == (int)EMU_FS && SEG_GS == (int)EMU_GS,
	       "emulate.h numbers segments as enum vseg_id does");
#define RFLAGS_AC (1ull << 18)
#define CR4_LA57 (1ull << 12)

/* Inclusive ends, so that a range may end at 2^64. */
static bool overlaps(uint64_t a, uint64_t a_last, uint64_t b, uint64_t b_last)
{
	return a <= b_last && b <= a_last;
}

int mmio_register(struct domain *d, const struct mmio_model *m)
{
	struct mmio_table *t = &d->mmio;
	uint64_t last = m->base + m->size - 1;

	if (!m->size || last < m->base || !m->read || !m->write)
		return -EINVAL;
	for (unsigned i = 0; i < d->nr_slots; i++)
		if (overlaps(m->base, last, d->slots[i].gpa, d->slots[i].gpa + d->slots[i].size - 1))
			return -EEXIST;
	for (unsigned i = 0; i < t->nr; i++)
		if (overlaps(m->base, last, t->models[i].base,
			     t->models[i].base + t->models[i].size - 1))
			return -EEXIST;
	if (t->nr == MMIO_MAX_MODELS)
		return -ENOSPC;
	t->models[t->nr++] = *m;
	return 0;
}

const struct mmio_model *mmio_find(struct domain *d, uint64_t gpa)
{
	const struct mmio_table *t = &d->mmio;

	for (unsigned i = 0; i < t->nr; i++)
		if (gpa - t->models[i].base < t->models[i].size)
			return &t->models[i];
	return NULL;
}

/* One emulation: the vcpu, and a page fault met on the RAM side of MOVS. */
struct mmio_call {
	struct vcpu *v;
	bool pf;
	uint32_t pf_error;
	uint64_t pf_addr;
};

/* A device access must lie inside one model. */
static const struct mmio_model *model_for(struct mmio_call *a, uint64_t gpa, unsigned size)
{
	const struct mmio_model *m = mmio_find(a->v->dom, gpa);

	return m && gpa + size - 1 - m->base < m->size ? m : NULL;
}

/* Nothing behind gpa: true unless a model claims it. Said once per page. */
static bool void_access(struct mmio_call *a, uint64_t gpa, bool write)
{
	if (mmio_find(a->v->dom, gpa))
		return false;
	domain_warn_once(a->v->dom, 1ull << 56 | gpa >> 12, "%s of guest-physical 0x%lx: nothing "
			 "there, %s", write ? "write" : "read", gpa, write ? "dropped" : "all ones");
	return true;
}

static int dev_read(void *opaque, uint64_t gpa, unsigned size, uint64_t *val)
{
	struct mmio_call *a = opaque;
	const struct mmio_model *m = model_for(a, gpa, size);

	if (!m && void_access(a, gpa, false)) {
		*val = ~0ull;
		return 0;
	}
	return m ? m->read(a->v, gpa, size, val) : -ENOENT;
}

static int dev_write(void *opaque, uint64_t gpa, unsigned size, uint64_t val)
{
	struct mmio_call *a = opaque;
	const struct mmio_model *m = model_for(a, gpa, size);

	if (!m && void_access(a, gpa, true))
		return 0;
	return m ? m->write(a->v, gpa, size, val) : -ENOENT;
}

/*
 * The RAM operand of MOVS, at guest-linear la, checked as the guest's own
 * access: through its page tables, with its CPL (SS.DPL) and, for the
 * kernel, SMAP relaxed by RFLAGS.AC. A translation fault is remembered for
 * a #PF; an operand that is not guest RAM (MOVS between two devices) is
 * -EIO.
 */
static int ram_copy(struct mmio_call *a, uint64_t la, void *buf, unsigned size, bool write)
{
	struct vcpu *v = a->v;
	struct vseg ss;
	unsigned access = write ? GW_WRITE : 0;
	uint32_t err = 0;

	vcpu_ops->get_seg(v, SEG_SS, &ss);
	if ((vcpu_ops->get(v, VS_CR0) & 1) && ((ss.attr >> 5) & 3) == 3)
		access |= GW_USER;
	else if (vcpu_ops->get(v, VS_RFLAGS) & RFLAGS_AC)
		access |= GW_AC;
	int rc = guest_copy_linear(v, &la, buf, size, access, &err);
	if (rc == -EFAULT)
		*a = (struct mmio_call){ .v = v, .pf = true, .pf_error = err, .pf_addr = la };
	return rc == -EINVAL ? EMU_GP : rc && rc != -EFAULT ? -EIO : rc;
}

static int mem_read(void *opaque, uint64_t gva, void *buf, unsigned size)
{
	return ram_copy(opaque, gva, buf, size, false);
}

static int mem_write(void *opaque, uint64_t gva, const void *buf, unsigned size)
{
	return ram_copy(opaque, gva, (void *)buf, size, true);
}

/* The guest state the emulator needs; in 64-bit mode only FS and GS
 * have segment bases. */
static void fill_ctx(struct vcpu *v, struct emu_ctx *c, struct mmio_call *a, uint64_t gpa,
		     bool write)
{
	struct vseg seg;

	c->mode = guest_mode(v);
	c->rip = vcpu_ops->get(v, VS_RIP);
	c->gprs = v->gprs;
	c->rflags = vcpu_ops->get(v, VS_RFLAGS);
	for (unsigned s = c->mode == CPU_MODE_LONG64 ? EMU_FS : EMU_ES; s < EMU_NSEG; s++) {
		vcpu_ops->get_seg(v, (enum vseg_id)s, &seg);
		c->seg_base[s] = seg.base;
	}
	c->la57 = c->mode == CPU_MODE_LONG64 && (vcpu_ops->get(v, VS_CR4) & CR4_LA57);
	c->gpa = gpa;
	c->write = write;
	c->opaque = a;
	c->mmio_read = dev_read;
	c->mmio_write = dev_write;
	c->mem_read = mem_read;
	c->mem_write = mem_write;
}

int mmio_handle(struct vcpu *v, uint64_t gpa, bool write)
{
	struct mmio_call a = { .v = v };
	struct emu_ctx c = { 0 };

	int n = guest_fetch_insn(v, c.insn, sizeof(c.insn));
	if (n < 0)
		return n;
	c.insn_avail = (unsigned)n;
	fill_ctx(v, &c, &a, gpa, write);
	uint64_t rflags = c.rflags;
	int rc = emulate_mmio(&c);
	if (rc >= 0 && c.rflags != rflags)
		vcpu_ops->set(v, VS_RFLAGS, c.rflags);
	switch (rc) {
	case EMU_UD:
		domain_warn_once(v->dom, 2ull << 56 | c.rip, "instruction at RIP 0x%lx on MMIO 0x%lx "
				 "not emulated, #UD (%02x %02x %02x %02x %02x %02x ...)", c.rip, gpa,
				 c.insn[0], c.insn[1], c.insn[2], c.insn[3], c.insn[4], c.insn[5]);
		vcpu_inject_exception(v, EXC_UD, false, 0);
		return 0;
	case EMU_GP:
		vcpu_inject_exception(v, EXC_GP, true, 0);
		return 0;
	case -EFAULT:
		if (!a.pf)
			return rc;
		vcpu_ops->set(v, VS_CR2, a.pf_addr);
		vcpu_inject_exception(v, EXC_PF, true, a.pf_error);
		return 0;
	default:
		return rc;
	}
}
