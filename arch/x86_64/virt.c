/* SPDX-License-Identifier: GPL-2.0-only */
/* Picks the vendor probe (see virt.h). */
#include "arch/x86_64/virt.h"
#include "kernel/log.h"
#include "kernel/string.h"

size_t virt_feature_names(char *buf, size_t len, uint64_t bits,
			  const char *const *names, unsigned count)
{
	size_t n = strnlen(buf, len);

	for (unsigned i = 0; i < count && i < 64; i++)
		if ((bits >> i) & 1 && names[i] && n < len)
			n += (size_t)snprintf(buf + n, len - n, " %s", names[i]);
	return n < len ? n : len - 1;
}

void virt_probe(struct virt_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	if (svm_probe(caps) || vmx_probe(caps))
		return;
	str_copy(caps->desc, "none (the CPU has neither AMD SVM nor Intel VMX)",
		 sizeof(caps->desc));
}

void io_bitmap_set(uint8_t *bm, uint16_t first, uint32_t count, bool allow)
{
	for (uint32_t p = first; p < (uint32_t)first + count && p < 0x10000; p++) {
		if (allow)
			bm[p / 8] &= (uint8_t)~(1u << (p % 8));
		else
			bm[p / 8] |= (uint8_t)(1u << (p % 8));
	}
}
