/* SPDX-License-Identifier: GPL-2.0-only */
/* Checked guest memory access (see guest_mem.h). */
#include "vmm/core/guest_mem.h"
#include "arch/x86_64/cpu.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "vmm/core/domain.h"
#include "vmm/core/gwalk.h"
#include "vmm/core/p2m.h"

#define PAGE 4096ull

/* The bytes of [a, a + len) on a's page. */
static size_t page_part(uint64_t a, size_t len)
{
	size_t n = PAGE - (a & (PAGE - 1));

	return n < len ? n : len;
}

/* Copies between a host buffer and guest-physical memory, piece by piece
 * so that a range spanning two RAM slots works and one leaving RAM fails. */
static int copy_phys(struct domain *d, uint64_t gpa, void *buf, size_t len, int to_guest)
{
	if (len > GUEST_COPY_MAX)
		return -E2BIG;
	while (len) {
		size_t n = page_part(gpa, len);
		void *p = gpa_ptr(d, gpa, n, to_guest);
		if (!p)
			return -EFAULT;
		if (to_guest)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		gpa += n;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

int copy_from_guest_phys(struct domain *d, void *dst, uint64_t gpa, size_t len)
{
	return copy_phys(d, gpa, dst, len, 0);
}

int copy_to_guest_phys(struct domain *d, uint64_t gpa, const void *src, size_t len)
{
	return copy_phys(d, gpa, (void *)src, len, 1);
}

static int read_table(void *ctx, uint64_t gpa, uint64_t *val, unsigned size)
{
	*val = 0;
	return copy_phys(ctx, gpa, val, size, 0);
}

/* The registers (and the vendor's rules) a walk of v's page tables uses. */
static void guest_walk_regs(struct vcpu *v, struct gwalk_regs *r)
{
	r->cr0 = vcpu_ops->get(v, VS_CR0);
	r->cr3 = vcpu_ops->get(v, VS_CR3);
	r->cr4 = vcpu_ops->get(v, VS_CR4);
	r->efer = vcpu_ops->get(v, VS_EFER);
	r->amd = boot_cpu.vendor == VENDOR_AMD; /* the guest runs on this CPU's rules */
}

int guest_copy_linear(struct vcpu *v, uint64_t *la, void *buf, size_t len, unsigned access,
		      uint32_t *pf_error)
{
	struct gwalk_regs r;

	if (len > GUEST_COPY_MAX)
		return -E2BIG;
	guest_walk_regs(v, &r);
	while (len) {
		uint64_t gpa;
		uint32_t err = 0;
		size_t n = page_part(*la, len);
		int rc = gwalk(&r, *la, access, read_table, v->dom, &gpa, &err);
		if (rc == -EFAULT && pf_error)
			*pf_error = err;
		if (rc)
			return rc;
		if (copy_phys(v->dom, gpa, buf, n, access & GW_WRITE))
			return -EIO;
		*la += n;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

/* guest_copy_linear for the copy API: every failure but -E2BIG is -EFAULT
 * (with the #PF error code 0 unless a translation failed). */
static int copy_virt(struct vcpu *v, uint64_t gva, void *buf, size_t len, unsigned access,
		     uint32_t *pf_error)
{
	if (pf_error)
		*pf_error = 0;
	int rc = guest_copy_linear(v, &gva, buf, len, access, pf_error);
	return rc && rc != -E2BIG ? -EFAULT : rc;
}

int copy_from_guest_virt(struct vcpu *v, void *dst, uint64_t gva, size_t len, uint32_t *pf_error)
{
	return copy_virt(v, gva, dst, len, 0, pf_error);
}

int copy_to_guest_virt(struct vcpu *v, uint64_t gva, const void *src, size_t len,
		       uint32_t *pf_error)
{
	return copy_virt(v, gva, (void *)src, len, GW_WRITE, pf_error);
}

/* The mode from CR0.PE, EFER.LMA and CS.L / CS.D. */
static enum cpu_mode mode_of(uint64_t cr0, uint64_t efer, uint16_t cs_attr)
{
	if (!(cr0 & 1))
		return CPU_MODE_REAL;
	if ((efer & (1u << 10)) && (cs_attr & (1u << 9)))
		return CPU_MODE_LONG64;
	return cs_attr & (1u << 10) ? CPU_MODE_PROT32 : CPU_MODE_PROT16;
}

enum cpu_mode guest_mode(struct vcpu *v)
{
	struct vseg cs;

	vcpu_ops->get_seg(v, SEG_CS, &cs);
	return mode_of(vcpu_ops->get(v, VS_CR0), vcpu_ops->get(v, VS_EFER), cs.attr);
}

/* A fetch at CPL 3 (CS.DPL, the attribute's bits 5-6) is a user access. */
static unsigned fetch_user(uint16_t cs_attr)
{
	return ((cs_attr >> 5) & 3) == 3 ? GW_USER : 0;
}

int guest_fetch_insn(struct vcpu *v, uint8_t *buf, size_t max)
{
	struct vseg cs;
	enum cpu_mode mode = guest_mode(v);
	uint64_t rip = vcpu_ops->get(v, VS_RIP), la = rip;

	vcpu_ops->get_seg(v, SEG_CS, &cs);
	if (mode != CPU_MODE_LONG64)
		la = (cs.base + rip) & 0xffffffffu;
	unsigned access = GW_FETCH | fetch_user(cs.attr);
	if (max > 15)
		max = 15;
	/* The instruction may end on the next page, which may be unmapped:
	 * read what is there; the decoder says if it needed more. */
	size_t first = page_part(la, max);
	int rc = copy_virt(v, la, buf, first, access, NULL);
	if (rc)
		return rc;
	if (first < max && !copy_virt(v, la + first, buf + first, max - first, access, NULL))
		return (int)max;
	return (int)first;
}

/* Page-table reads of a walk, remembered in the instruction cache entry
 * being built (more than it holds: not cached). */
struct walk_log {
	struct domain *d;
	struct insn_cache *c;
	bool overflow;
};

static int read_logged(void *ctx, uint64_t gpa, uint64_t *val, unsigned size)
{
	struct walk_log *l = ctx;
	struct insn_cache *c = l->c;
	const void *p = gpa_ptr(l->d, gpa, size, false);

	if (!p)
		return -EFAULT;
	*val = 0;
	memcpy(val, p, size);
	l->overflow |= c->nr_pte == 5;
	if (c->nr_pte < 5) {
		c->pte[c->nr_pte] = p;
		c->pte_val[c->nr_pte] = *val;
		c->pte_size[c->nr_pte++] = (uint8_t)size;
	}
	return 0;
}

typedef uint64_t __attribute__((may_alias, aligned(1))) unaligned_u64;
typedef uint32_t __attribute__((may_alias, aligned(1))) unaligned_u32;
typedef uint16_t __attribute__((may_alias, aligned(1))) unaligned_u16;

static inline __attribute__((always_inline)) bool
icache_hit(const struct insn_cache *c, uint64_t rip, const struct insn_ctx *x)
{
	if (!c->valid || c->rip != rip || c->ctx.cr0 != x->cr0 || c->ctx.cr3 != x->cr3 ||
	    c->ctx.cr4 != x->cr4 || c->ctx.efer != x->efer || c->ctx.cs_attr != x->cs_attr ||
	    c->ctx.cs_base != x->cs_base)
		return false;
	/* Entries are naturally aligned (the walker reads them at their own
	 * size), so plain loads are fine. */
	for (unsigned i = 0; i < c->nr_pte; i++) {
		uint64_t now = c->pte_size[i] == 8 ? *(const volatile uint64_t *)c->pte[i]
						   : *(const volatile uint32_t *)c->pte[i];
		if (now != c->pte_val[i])
			return false;
	}
	/* The instruction bytes, compared in 8/4/2/1-byte pieces (CPUID:
	 * one 2-byte compare, VMMCALL: 2 + 1, instead of a byte loop);
	 * never past code + len, which decode_length kept on one page. */
	const uint8_t *p = c->code, *b = c->bytes;
	unsigned n = c->len;

	for (; n >= 8; n -= 8, p += 8, b += 8)
		if (*(const unaligned_u64 *)p != *(const unaligned_u64 *)b)
			return false;
	if (n & 4) {
		if (*(const unaligned_u32 *)p != *(const unaligned_u32 *)b)
			return false;
		p += 4;
		b += 4;
	}
	if (n & 2) {
		if (*(const unaligned_u16 *)p != *(const unaligned_u16 *)b)
			return false;
		p += 2;
		b += 2;
	}
	return !(n & 1) || *p == *b;
}

/* The cache missed: decode at rip in the context x, and remember the
 * result when it is safe to. Kept out of line: its frame is large. */
static __attribute__((noinline)) int decode_length(struct vcpu *v, uint64_t rip,
						   const struct insn_ctx *x)
{
	struct insn_cache *c = &v->icache, e = { .rip = rip, .ctx = *x };
	struct gwalk_regs r = { x->cr0, x->cr3, x->cr4, x->efer, boot_cpu.vendor == VENDOR_AMD };
	enum cpu_mode mode = mode_of(x->cr0, x->efer, x->cs_attr);
	uint64_t la = mode == CPU_MODE_LONG64 ? rip : (x->cs_base + rip) & 0xffffffffu;
	struct walk_log log = { .d = v->dom, .c = &e };
	uint64_t gpa;
	uint32_t err;
	size_t avail = page_part(la, 15);
	const uint8_t *code;

	c->valid = false;
	if (gwalk(&r, la, GW_FETCH | fetch_user(x->cs_attr), read_logged, &log, &gpa, &err) ||
	    !(code = gpa_ptr(v->dom, gpa, avail, false)))
		return -EFAULT;
	int len = insn_length(code, avail, mode);
	if (len == -EAGAIN) { /* it crosses into the next page: no caching */
		uint8_t buf[15];
		int n = guest_fetch_insn(v, buf, sizeof(buf));
		return n > 0 ? insn_length(buf, (size_t)n, mode) : n;
	}
	if (len <= 0 || log.overflow)
		return len;
	e.valid = true;
	e.len = (uint8_t)len;
	e.code = code;
	memcpy(e.bytes, code, (size_t)len);
	*c = e;
	return len;
}

/* No snapshot in the exit: the decode context through the hooks. Out of
 * line, so that the common path below needs no stack frame. */
static __attribute__((noinline)) int insn_length_now(struct vcpu *v, uint64_t rip)
{
	struct gwalk_regs r;
	struct vseg cs;

	guest_walk_regs(v, &r);
	vcpu_ops->get_seg(v, SEG_CS, &cs);
	struct insn_ctx now = { r.cr0, r.cr3, r.cr4, r.efer, cs.base, cs.attr };
	if (icache_hit(&v->icache, rip, &now))
		return v->icache.len;
	return decode_length(v, rip, &now);
}

int guest_insn_length(struct vcpu *v, const struct vmexit *e)
{
	if (!e->regs_valid)
		return insn_length_now(v, e->rip);
	if (icache_hit(&v->icache, e->rip, &e->regs))
		return v->icache.len;
	return decode_length(v, e->rip, &e->regs);
}
