/* SPDX-License-Identifier: GPL-2.0-only */
/* Start-up of the guest machinery and generic vcpu helpers. */
#ifndef EYRIE_VMM_VMM_H
#define EYRIE_VMM_VMM_H

#include "vmm/core/domcfg.h"
#include "vmm/core/vcpu.h"

/* Picks the backend for this CPU (SVM or VMX, with nested paging) and
 * turns it on. Returns 0 or -ENODEV (no guests can run). */
int vmm_init(void);
/* On another CPU once vmm_init succeeded: its XSAVE and the vendor's
 * per-CPU state (SVM host save area / VMXON region). 0 or an errno. */
int vmm_cpu_up(void);
/* Host SMP: every other CPU running a vcpu of d leaves guest mode and
 * stays out until the big lock is let go (a p2m entry removed, a pause);
 * gone: d is about to be freed, those CPUs drop its vcpus untouched.
 * Then every CPU's section without the big lock has ended (smp_quiesce). */
struct domain;
void vmm_sync(struct domain *d, bool gone);

/* Creates vcpu `id` of d with its initial register state. */
int vcpu_new(struct domain *d, unsigned id, enum dom_boot boot, uint64_t entry,
	     struct vcpu **out);
void vcpu_free(struct vcpu *v);
/* The online CPU of mask with the fewest vcpus (the lowest such id),
 * counting those of nd made so far; MAX_CPUS if mask has none online. */
unsigned vcpu_place(const struct domain *nd, uint64_t mask);
/* Starts a vcpu that waits (a SIPI: real mode at entry, CS = entry >> 4,
 * the rest as after INIT). */
void vcpu_start_real(struct vcpu *v, uint64_t entry);
/* Sets a vcpu that has not run yet to a start state (include/public/
 * eyrie.h): 0 or -EINVAL for an unknown mode. */
struct eyrie_vcpu_context;
int vcpu_set_context(struct vcpu *v, const struct eyrie_vcpu_context *c);

/* Gives v what VM entry does not switch -- its extended state (x87, SSE,
 * AVX, AVX-512) and XCR0, DR0-DR3 and DR6 -- saving the previous owner's,
 * so that no guest sees or changes another's. */
void vcpu_load_cpu_state(struct vcpu *v);
/* The XSAVE components the hypervisor switches (its XCR0 while it saves
 * and restores; 0 on a CPU without XSAVE: FXSAVE then), and the size of a
 * vcpu's area for them. */
extern uint64_t vmm_xcr0;
extern uint32_t vmm_xsave_size;
/* Forgets v's cached CPUID answers: leaf 1 mirrors CR4.OSXSAVE and leaf
 * 0xD sizes the guest's XCR0, so a change of either drops them. */
static inline void vcpu_cpuid_flush(struct vcpu *v)
{
	for (unsigned i = 0; i < sizeof(v->cpuid_cache) / sizeof(v->cpuid_cache[0]); i++)
		v->cpuid_cache[i].valid = false;
}

/* Moves RIP past the instruction that exited (length from the exit, else
 * decoded from guest memory); false if it could not be decoded (the
 * domain is then crashed). */
bool vcpu_skip_insn(struct vcpu *v, const struct vmexit *e);
/* Queues an exception for the next entry. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
/* Marks an external interrupt vector pending and wakes the vcpu (also
 * without the big lock). */
void vcpu_raise_irq(struct vcpu *v, uint8_t vector);
/* Whether an interrupt vector is pending (vcpu_raise_irq). */
static inline bool vcpu_irq_raised(const struct vcpu *v)
{
	const uint64_t *p = v->pending_irq;

	return __atomic_load_n(&p[0], __ATOMIC_SEQ_CST) | p[1] | p[2] | p[3];
}
/* Blocking against wake-ups without the big lock: the vcpu blocks first
 * (vcpu_block), then looks again for what would wake it, and if it
 * finds it, vcpu_unblock makes it runnable unless a wake-up already did.
 * Either that look sees the event or the event's wake-up sees BLOCKED. */
void vcpu_block(struct vcpu *v);
void vcpu_unblock(struct vcpu *v);
/* An NMI for the vcpu (an NMI IPI or IOAPIC entry, the shell's `nmi`):
 * pending until it can be injected, whatever RFLAGS.IF; a second one
 * while one is pending merges with it, as on the CPU. Wakes the vcpu
 * (vcpu_wake). */
void vcpu_raise_nmi(struct vcpu *v);
/* A blocked vcpu becomes runnable and boosted: the vcpu running on this
 * CPU ends its slice at its next exit and v runs next (Xen credit's
 * BOOST), so an IPI, event or timer for a sleeping vcpu is taken now, not
 * at the next tick. Nothing for a vcpu that is not blocked. */
void vcpu_wake(struct vcpu *v);
/* Before entry: injects a pending NMI if NMIs are not blocked, else the
 * highest pending interrupt if the guest can take it, and asks for an
 * interrupt window for what is left. */
void vcpu_deliver_pending(struct vcpu *v);
static inline void vcpu_deliver_irqs(struct vcpu *v)
{
	const uint64_t *p = v->pending_irq;

	if (p[0] | p[1] | p[2] | p[3] | v->plat_intr | v->nmi_pending) /* inline on every entry */
		vcpu_deliver_pending(v);
}
/* The CR4 bits the guest's CPUID offers (cpuid_cr4_allowed, cached in
 * the domain), and the checks of a MOV to CR4 of val: those bits, PAE
 * kept in long mode, PCIDE set only in long mode with CR3[11:0] = 0.
 * -EINVAL: the guest gets #GP. */
uint64_t vcpu_cr4_allowed(struct vcpu *v);
int vcpu_cr4_check(struct vcpu *v, uint64_t val);
/* True when the vcpu is in 64-bit mode (hypercall argument registers). */
bool vcpu_is_64bit(struct vcpu *v);
/* Guest TSC now, and guest system time in ns (the hypercall timers' clock). */
uint64_t vcpu_guest_tsc(struct vcpu *v);
uint64_t vcpu_system_time_ns(struct vcpu *v);
/* Writes a pvclock record (Xen's vcpu_time_info, which KVM's clock
 * shares): the guest TSC runs from 0 at domain creation at the host's
 * constant rate, so system time = (TSC << shift) * mul >> 32 stays true
 * (TSC_STABLE). Versioned as the guest expects (odd while writing). */
struct vcpu_time_info;
void vcpu_time_fill(struct vcpu_time_info *t);

#endif
