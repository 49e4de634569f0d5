/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * triple: loads an empty IDT and raises an exception. #UD cannot be
 * delivered (#GP), nor can that (#DF), nor that: a triple fault, which
 * the hypervisor turns into "domain N (triple) crashed".
 */
#include "runtime.h"

const char guest_name[] = "triple";

void guest_main(void)
{
	static const struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	gprintf("triple: loading an empty IDT, then ud2\n");
	__asm__ volatile("lidt %0; ud2" : : "m"(empty));
	fail("survived", "ud2 with an empty IDT returned");
}
