/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hardware virtualization discovery: which vendor extension this CPU has
 * (AMD SVM or Intel VMX) and its features, read from CPUID and, for VMX,
 * the capability MSRs. The vendor probes live in svm/ and vmx/.
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

#endif
