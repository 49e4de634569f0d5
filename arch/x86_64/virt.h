/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hardware virtualization discovery: which vendor extension this CPU has
 * (AMD SVM or Intel VMX) and its features, read from CPUID and, for VMX,
 * the capability MSRs. The vendor probes live in svm/ and vmx/. Also what
 * the two backends share: the I/O bitmap layout and the shape of their
 * exit tables.
 */
#ifndef EYRIE_ARCH_VIRT_H
#define EYRIE_ARCH_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum virt_kind { VIRT_NONE, VIRT_SVM, VIRT_VMX };

struct virt_caps {
	enum virt_kind kind;
	bool usable;       /* present and not disabled by firmware */
	bool nested_paging; /* NPT or EPT */
	char desc[320];    /* one line for `info`, e.g. "SVM rev 1, 16 ASIDs: NPT ..." */
};

void virt_probe(struct virt_caps *caps);
/* Vendor probes: fill caps when this CPU has the extension. */
bool svm_probe(struct virt_caps *caps);
bool vmx_probe(struct virt_caps *caps);

/* Appends the names of the set bits of `bits` (names[i] for bit i, NULL
 * entries skipped) to buf, space separated. */
size_t virt_feature_names(char *buf, size_t len, uint64_t bits,
			  const char *const *names, unsigned count);

/* An I/O permission bitmap as both vendors lay it out (bit n = port n,
 * 1 = exit): the bits of ports [first, first+count) cleared (allow) or
 * set. */
void io_bitmap_set(uint8_t *bm, uint16_t first, uint32_t count, bool allow);

struct vcpu;
struct vmexit;

/*
 * One row of a backend's exit table (svm/exit.c, vmx/exit.c), indexed by
 * the vendor's exit code: the neutral reason, what the backend does for
 * every exit of the kind (EK_*), then the kind's decoder (NULL: none).
 * aux is the VMX IDT-vectoring information (0 on SVM).
 */
struct exit_kind {
	uint8_t reason; /* enum exit_reason */
	uint8_t flags;
	void (*decode)(struct vcpu *v, struct vmexit *e, uint32_t aux);
};

#define EK_KNOWN 1u  /* a table entry (EXIT_NONE is 0) */
#define EK_INSN  2u  /* instruction exit: the CPU may report its length */
#define EK_UD    4u  /* raise #UD in the guest: an instruction it must not have */
#define EK_GP    8u  /* raise #GP(0) */
#define EK_SKIP 16u  /* runs as a no-op: step over it */

#define EXIT_KIND(r, f, fn) { (r), (uint8_t)((f) | EK_KNOWN), (fn) }

/* A backend's struct vcpu_ops (vmm/core/vcpu.h): each hook is the
 * vendor's function of the hook's name (svm_run, vmx_run, ...), so that
 * both backends fill the table alike and a new hook is one line here. */
#define VIRT_VCPU_OPS(vendor, label, format) { \
	.name = (label), \
	.p2m_format = (format), \
	.cpu_enable = vendor##_cpu_enable, \
	.vcpu_create = vendor##_vcpu_create, \
	.vcpu_destroy = vendor##_vcpu_destroy, \
	.set_p2m = vendor##_set_p2m, \
	.flush_p2m = vendor##_flush_p2m, \
	.io_allow = vendor##_io_allow, \
	.run = vendor##_run, \
	.get = vendor##_get, \
	.set = vendor##_set, \
	.get_seg = vendor##_get_seg, \
	.set_seg = vendor##_set_seg, \
	.skip = vendor##_skip, \
	.inject = vendor##_inject, \
	.can_inject_intr = vendor##_can_inject_intr, \
	.intr_window = vendor##_intr_window, \
	.nmi_ready = vendor##_nmi_ready, \
	.dump = vendor##_dump, \
}

/* The exceptions that push an error code (SDM vol. 3, table 6-1): the
 * backends' own injections give one exactly for these. */
static inline bool exc_has_error(uint8_t vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
}

/* Pause-loop exiting, both vendors (KVM's defaults): PAUSEs less than
 * PAUSE_LOOP_GAP TSC ticks apart make a spin loop; VMX exits once one
 * lasted PAUSE_LOOP_WINDOW ticks, SVM after PAUSE_FILTER_COUNT PAUSEs. A
 * spin that long most likely waits for a vcpu that is not running. */
#define PAUSE_LOOP_GAP 128
#define PAUSE_LOOP_WINDOW 4096
#define PAUSE_FILTER_COUNT 3000

#endif
