/* SPDX-License-Identifier: GPL-2.0-only */
/* Backend choice and the generic vcpu helpers (see vmm.h). */
#include "vmm/core/vmm.h"
#include "arch/x86_64/percpu.h"
#include "kernel/smp.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/string.h"
#include "vmm/emul/cpuid.h"
#include "vmm/core/domain.h"
#include "vmm/core/exit.h"
#include "vmm/core/guest_mem.h"
#include "include/public/xen.h"
#include "include/public/eyrie.h"
#include "vmm/emul/decode.h"
#include "vmm/plat/vplat.h"

const struct vcpu_ops *vcpu_ops;
uint64_t vmm_xcr0;
uint32_t vmm_xsave_size = 512;

/* XSAVE on: the CPU's XCR0 becomes every component the CPUID policy may
 * offer (vmm/cpuid.c: x87, SSE, AVX, AVX-512), the set the hypervisor
 * saves and restores. Before any VMCS copies the host's CR4. */
/* XSAVE on this CPU with the XCR0 every CPU uses. */
static void xstate_enable(void)
{
	if (!vmm_xcr0)
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	xsetbv(0, vmm_xcr0);
}

static void xstate_init(void)
{
	struct cpuid_guest all = { 0 };

	if (!(cpuid(1, 0).ecx & (1u << 26)))
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	uint64_t mask = cpuid_xcr0_allowed(&all, host_cpuid);
	if (!cpuid_xcr0_valid(mask, mask))
		mask &= 7; /* part of AVX-512 only: none of it */
	vmm_xcr0 = mask;
	xsetbv(0, mask);
	vmm_xsave_size = cpuid(0xd, 0).ebx; /* for the XCR0 just set */
	pr_info("vmm: XSAVE components 0x%lx, %u bytes per vcpu\n", mask, vmm_xsave_size);
}

int vmm_cpu_up(void)
{
	xstate_enable();
	return vcpu_ops->cpu_enable();
}

int vmm_init(void)
{
	xstate_init();
	const struct vcpu_ops *ops = svm_backend();

	if (!ops)
		ops = vmx_backend();
	if (!ops) {
		pr_warn("vmm: no usable SVM or VMX with nested paging: guests cannot run\n");
		return -ENODEV;
	}
	int err = ops->cpu_enable();
	if (err) {
		pr_err("vmm: cannot enable %s on this CPU (error %d)\n", ops->name, err);
		return err;
	}
	vcpu_ops = ops;
	pr_info("vmm: %s backend with %s nested paging\n", ops->name,
		ops->p2m_format == &pt_format_ept ? "EPT" : "NPT");
	return 0;
}

static void set_seg(struct vcpu *v, enum vseg_id id, uint16_t sel, uint64_t base,
		    uint32_t limit, uint16_t attr)
{
	struct vseg s = { .sel = sel, .attr = attr, .limit = limit, .base = base };

	vcpu_ops->set_seg(v, id, &s);
}

/* The data segments, set alike at a vcpu's start. */
static const enum vseg_id data_segs[] = { SEG_DS, SEG_ES, SEG_SS, SEG_FS, SEG_GS };

/* 32-bit flat protected mode, paging off (as multiboot and PVH enter). */
static void state_flat32(struct vcpu *v, uint64_t entry)
{
	vcpu_ops->set(v, VS_CR0, 0x11); /* PE, ET */
	set_seg(v, SEG_CS, 0x08, 0, 0xffffffff, SEG_ATTR_CODE32);
	for (unsigned i = 0; i < 5; i++)
		set_seg(v, data_segs[i], 0x10, 0, 0xffffffff, SEG_ATTR_DATA32);
	vcpu_ops->set(v, VS_RIP, entry);
}

int vcpu_set_context(struct vcpu *v, const struct eyrie_vcpu_context *c)
{
	bool flat = c->mode == EYRIE_CTX_FLAT32; /* its paging and GDT off */

	if (!flat && c->mode != EYRIE_CTX_LONG64)
		return -EINVAL;
	vcpu_ops->set(v, VS_EFER, flat ? 0 : c->efer);
	vcpu_ops->set(v, VS_CR4, flat ? 0 : c->cr4);
	vcpu_ops->set(v, VS_CR3, flat ? 0 : c->cr3);
	set_seg(v, SEG_GDTR, 0, flat ? 0 : c->gdt_base, flat ? 0xffff : c->gdt_limit, 0);
	if (flat) {
		state_flat32(v, (uint32_t)c->rip);
	} else {
		vcpu_ops->set(v, VS_CR0, c->cr0);
		set_seg(v, SEG_CS, c->cs, 0, 0xffffffff, c->cs_attr);
		for (unsigned i = 0; i < 5; i++)
			set_seg(v, data_segs[i], c->ds, 0, 0xffffffff, c->ds_attr);
		vcpu_ops->set(v, VS_RIP, c->rip);
	}
	vcpu_ops->set(v, VS_RFLAGS, (c->rflags & 0x3f7fd5ull) | 0x2); /* no reserved bits */
	vcpu_cpuid_flush(v); /* CR4.OSXSAVE may have changed */
	v->gprs[GPR_RAX] = c->rax;
	v->gprs[GPR_RBX] = c->rbx;
	v->gprs[GPR_RSI] = c->rsi;
	v->gprs[GPR_RSP] = c->rsp;
	return 0;
}

/* 16-bit real mode at entry (below 1 MiB): CS = entry >> 4. */
static void state_real(struct vcpu *v, uint64_t entry)
{
	uint16_t cs = (uint16_t)(entry >> 4);

	vcpu_ops->set(v, VS_CR0, 0x10); /* ET */
	set_seg(v, SEG_CS, cs, (uint64_t)cs << 4, 0xffff, SEG_ATTR_CODE16);
	for (unsigned i = 0; i < 5; i++)
		set_seg(v, data_segs[i], 0, 0, 0xffff, SEG_ATTR_DATA16);
	vcpu_ops->set(v, VS_RIP, entry & 0xf);
}

/* The registers INIT leaves (but CS:IP, set by the caller). */
static void reset_state(struct vcpu *v)
{
	set_seg(v, SEG_TR, 0, 0, 0xffff, SEG_ATTR_TSS32_BUSY);
	set_seg(v, SEG_LDTR, 0, 0, 0xffff, SEG_ATTR_LDT);
	set_seg(v, SEG_GDTR, 0, 0, 0xffff, 0);
	set_seg(v, SEG_IDTR, 0, 0, 0xffff, 0);
	vcpu_ops->set(v, VS_RFLAGS, 0x2);
	vcpu_ops->set(v, VS_EFER, 0);
	vcpu_ops->set(v, VS_CR4, 0);
	vcpu_ops->set(v, VS_CR3, 0);
	vcpu_ops->set(v, VS_PAT, 0x0007040600070406ull);
	vcpu_cpuid_flush(v);
}

void vcpu_start_real(struct vcpu *v, uint64_t entry)
{
	reset_state(v);
	state_real(v, entry);
	memset(v->gprs, 0, sizeof(v->gprs));
	memset(v->pending_irq, 0, sizeof(v->pending_irq));
	v->timer_deadline = v->timer_period = 0;
	v->wait_sipi = false;
	v->started = true;
	v->state = VCPU_RUNNABLE;
}

static void count_load(const struct domain *d, unsigned *load)
{
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i])
			load[d->vcpus[i]->cpu]++;
}

unsigned vcpu_place(const struct domain *nd, uint64_t mask)
{
	unsigned load[MAX_CPUS] = { 0 }, best = MAX_CPUS;
	bool listed = false;

	for (const struct domain *d = domain_list(); d; d = d->next) {
		count_load(d, load);
		listed |= d == nd;
	}
	if (!listed)
		count_load(nd, load);
	for (unsigned c = 0; c < nr_cpus; c++)
		if ((mask >> c & 1) && (best == MAX_CPUS || load[c] < load[best]))
			best = c;
	return best;
}

void vmm_sync(struct domain *d, bool gone)
{
	uint64_t done = 1ull << this_cpu()->id;

	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		struct percpu *c = v ? percpu_get(v->cpu) : NULL;
		if (!c || (done & (1ull << v->cpu)))
			continue;
		done |= 1ull << v->cpu;
		smp_call(v->cpu, NULL, NULL);
	}
	for (unsigned i = 0; gone && i < d->nr_vcpus; i++) {
		struct percpu *c = d->vcpus[i] ? percpu_get(d->vcpus[i]->cpu) : NULL;
		if (c && c != this_cpu() && c->current == d->vcpus[i])
			c->abandon = true;
	}
	smp_quiesce(); /* and no other domain's vcpu reaches into d meanwhile */
}

int vcpu_new(struct domain *d, unsigned id, enum dom_boot boot, uint64_t entry,
	     struct vcpu **out)
{
	/* The XSAVE area right after the vcpu, 64-byte aligned as heap objects
	 * are; zeroed, so XSTATE_BV = 0: every component in its reset state. */
	size_t area = (sizeof(struct vcpu) + 63) & ~(size_t)63;
	struct vcpu *v = kzalloc(area + vmm_xsave_size);

	if (!v)
		return -ENOMEM;
	v->fpu = (uint8_t *)v + area;
	v->dom = d;
	v->id = id;
	v->affinity = d->cfg.cpumask ? d->cfg.cpumask : ~0ull;
	if ((v->cpu = vcpu_place(d, v->affinity)) == MAX_CPUS) {
		pr_err("domain %s: cpus= names no online CPU\n", d->cfg.name);
		kfree(v);
		return -EINVAL;
	}
	int err = vcpu_ops->vcpu_create(v);
	if (err) {
		kfree(v);
		return err;
	}
	vcpu_ops->set_p2m(v, d->p2m.root_phys);
	reset_state(v);
	vcpu_ops->set(v, VS_TSC_OFFSET, d->tsc_offset);
	if (boot == DOM_BOOT_REAL)
		state_real(v, entry);
	else
		state_flat32(v, entry);
	/* The x87/SSE reset state: FCW 0x37F, all registers empty, MXCSR
	 * 0x1F80 (FXSAVE layout offsets 0 and 24; XRSTOR loads MXCSR even
	 * for a component in its initial state). XCR0: x87 only. */
	v->xcr0 = 1;
	v->fpu[0] = 0x7f;
	v->fpu[1] = 0x03;
	v->fpu[24] = 0x80;
	v->fpu[25] = 0x1f;
	v->dr[4] = 0xffff0ff0; /* DR6 */
	v->state = VCPU_RUNNABLE;
	v->started = id == 0;
	*out = v;
	return 0;
}

/* Saves the extended state, debug registers and XCR0 of o, this CPU's
 * FPU owner, into o: o's state then lives in memory only. Under the
 * hypervisor's XCR0, whatever each guest enabled: plain XSAVE (not
 * XSAVEOPT, whose tracking a guest's own XRSTOR at the same linear
 * address could confuse on AMD) covers all of a vcpu's state. The guest's
 * XCR0 stays in the CPU while it owns it: read back, as QEMU 7.2 TCG never
 * exits on XSETBV. */
static void fpu_save(struct vcpu *o)
{
	if (vmm_xcr0) {
		o->xcr0 = xgetbv(0);
		xsetbv(0, vmm_xcr0);
		xsave(o->fpu, vmm_xcr0);
	} else {
		fxsave(o->fpu);
	}
	o->dr[0] = read_dr(0);
	o->dr[1] = read_dr(1);
	o->dr[2] = read_dr(2);
	o->dr[3] = read_dr(3);
	o->dr[4] = read_dr(6);
	this_cpu()->fpu_owner = NULL;
}

/* On the CPU that still holds v's registers from its last slice there
 * (v has moved, and runs nowhere now). */
static void fpu_release(void *v)
{
	if (this_cpu()->fpu_owner == v)
		fpu_save(v);
}

void vcpu_load_cpu_state(struct vcpu *v)
{
	struct vcpu *o = this_cpu()->fpu_owner;

	if (o == v)
		return;
	if (o)
		fpu_save(o);
	for (unsigned i = 0; i < nr_cpus; i++) /* v last ran on another CPU */
		if (percpu_get(i) && percpu_get(i)->fpu_owner == v)
			smp_call(i, fpu_release, v);
	if (vmm_xcr0) {
		xsetbv(0, vmm_xcr0);
		xrstor(v->fpu, vmm_xcr0);
		xsetbv(0, v->xcr0);
	} else {
		fxrstor(v->fpu);
	}
	write_dr(0, v->dr[0]);
	write_dr(1, v->dr[1]);
	write_dr(2, v->dr[2]);
	write_dr(3, v->dr[3]);
	write_dr(6, v->dr[4]);
	if (boot_cpu.rdtscp) /* the hypervisor uses none: the running vcpu's */
		wrmsr(MSR_TSC_AUX, v->tsc_aux);
	this_cpu()->fpu_owner = v;
}

void vcpu_free(struct vcpu *v)
{
	if (!v)
		return;
	for (unsigned i = 0; i < nr_cpus; i++) /* no CPU may save into it later */
		if (percpu_get(i)->fpu_owner == v)
			percpu_get(i)->fpu_owner = NULL;
	vcpu_ops->vcpu_destroy(v);
	kfree(v);
}

bool vcpu_skip_insn(struct vcpu *v, const struct vmexit *e)
{
	int len = e->insn_len;

	if (!len) {
		len = guest_insn_length(v, e);
		if (len <= 0) {
			domain_crash(v->dom, "cannot decode the instruction at RIP 0x%lx (error %d)",
				     e->rip, len);
			return false;
		}
	}
	/* e->rip is still the guest's RIP: handlers step over the exiting
	 * instruction once, and nothing moves RIP before. */
	uint64_t rip = e->rip, next = rip + (uint64_t)len;
	/* Outside 64-bit mode EIP wraps at 4 GiB: only a step across that
	 * boundary needs the mode (the common case costs nothing). */
	if (!(rip >> 32) && (next >> 32) && guest_mode(v) != CPU_MODE_LONG64)
		next &= 0xffffffffu;
	/* The emulated instruction also used up any STI / MOV SS interrupt
	 * shadow (e.g. `sti; hlt`): left set, it would block the wake-up
	 * interrupt. */
	vcpu_ops->skip(v, next);
	return true;
}

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	struct vevent ev = { EV_EXCEPTION, vector, has_error, error };

	vcpu_ops->inject(v, &ev);
}

void vcpu_wake(struct vcpu *v)
{
	struct percpu *c = percpu_get(v->cpu);
	enum vcpu_state blocked = VCPU_BLOCKED;

	smp_kick(v->cpu); /* another CPU's: it looks again (new interrupts too) */
	if (v->halt_nmi_only && !v->nmi_pending)
		return;
	/* A platform interrupt wakes without the big lock (vplat_msr from the
	 * exit fast path): only BLOCKED becomes RUNNABLE, whatever else
	 * changes the state meanwhile (exit_hlt's side: see there). */
	if (!__atomic_compare_exchange_n(&v->state, &blocked, VCPU_RUNNABLE, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return;
	v->boost = true;
	if (c->current && c->current != v) /* compared only: it may be going away */
		c->preempt = true;
}

void vcpu_block(struct vcpu *v)
{
	__atomic_store_n(&v->state, VCPU_BLOCKED, __ATOMIC_SEQ_CST);
}

void vcpu_unblock(struct vcpu *v)
{
	enum vcpu_state blocked = VCPU_BLOCKED;

	__atomic_compare_exchange_n(&v->state, &blocked, VCPU_RUNNABLE, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
}

/* Also without the big lock (an event from another CPU's fast path):
 * the bit is set by a locked OR, and the vcpu's own CPU clears it so. */
void vcpu_raise_irq(struct vcpu *v, uint8_t vector)
{
	__atomic_fetch_or(&v->pending_irq[vector / 64], 1ull << (vector % 64), __ATOMIC_SEQ_CST);
	vcpu_wake(v);
}

void vcpu_raise_nmi(struct vcpu *v)
{
	v->nmi_pending = true;
	vcpu_wake(v);
}

static int highest_irq(const struct vcpu *v)
{
	for (int w = 3; w >= 0; w--)
		if (v->pending_irq[w])
			return w * 64 + 63 - __builtin_clzll(v->pending_irq[w]);
	return -1;
}

/* Direct vectors (hvm_op callback) first, then the virtual platform's
 * LAPIC / PIC, acknowledged only when injected. */
void vcpu_deliver_pending(struct vcpu *v)
{
	int vec = highest_irq(v);
	bool plat = vec < 0;

	/* An NMI first; interrupts then wait for the next entry (one event
	 * is injected at a time): ask for their window. */
	if (v->nmi_pending && vcpu_ops->nmi_ready(v)) {
		vcpu_ops->inject(v, &(struct vevent){ EV_NMI, 2, false, 0 });
		v->nmi_pending = false;
		vcpu_ops->intr_window(v, vec >= 0 || v->plat_intr);
		return;
	}
	if (plat && (vec = vplat_intr(v, false)) < 0)
		return;
	if (!vcpu_ops->can_inject_intr(v)) {
		vcpu_ops->intr_window(v, true);
		return;
	}
	if (plat)
		vec = vplat_intr(v, true);
	else
		__atomic_fetch_and(&v->pending_irq[vec / 64], ~(1ull << (vec % 64)), __ATOMIC_SEQ_CST);
	struct vevent ev = { EV_EXT_INTR, (uint8_t)vec, false, 0 };
	vcpu_ops->inject(v, &ev);
	vcpu_ops->intr_window(v, highest_irq(v) >= 0 || v->plat_intr); /* vplat_intr set it */
}

bool vcpu_is_64bit(struct vcpu *v)
{
	return guest_mode(v) == CPU_MODE_LONG64;
}

uint64_t vcpu_guest_tsc(struct vcpu *v)
{
	/* The vcpu's own offset: a guest write of the TSC moves it. */
	return rdtsc() + vcpu_ops->get(v, VS_TSC_OFFSET);
}

void vcpu_time_fill(struct vcpu_time_info *t)
{
	uint64_t hz = timer_info()->tsc_hz;
	int8_t sh = 0;

	while (sh < 31 && (hz << sh) < 1000000000ull)
		sh++;
	t->version |= 1; /* odd while it changes (even after, whatever it was) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->pad0 = 0;
	t->tsc_timestamp = 0;
	t->system_time = 0;
	t->pad1[0] = t->pad1[1] = 0;
	t->tsc_shift = sh;
	t->tsc_to_system_mul = (uint32_t)((1000000000ull << 32) / (hz << sh));
	t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->version++;
}

uint64_t vcpu_system_time_ns(struct vcpu *v)
{
	return tsc_to_ns(vcpu_guest_tsc(v));
}
