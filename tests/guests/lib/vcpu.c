/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Another vcpu of a PVH test guest, started as Xen's VCPUOP_initialise
 * takes it: flat 32-bit protected mode (PE, 4 GiB code and data segments,
 * no paging, interrupts off) at an entry of the guest, on a stack of its
 * own. See runtime.h.
 */
#include "runtime.h"

#include "include/public/vcpu.h"
#include "include/public/xen.h"

#define MS 1000000ull

void vcpu_flat32(struct vcpu_hvm_context *c, void (*entry)(void), void *stack_top)
{
	memset(c, 0, sizeof(*c));
	c->mode = VCPU_HVM_MODE_32B;
	c->cpu_regs.x86_32.eip = (uint32_t)(uintptr_t)entry;
	c->cpu_regs.x86_32.esp = (uint32_t)(uintptr_t)stack_top;
	c->cpu_regs.x86_32.eflags = 2;
	c->cpu_regs.x86_32.cr0 = 0x11; /* PE, ET */
	c->cpu_regs.x86_32.cs_limit = c->cpu_regs.x86_32.ds_limit = 0xffffffffu;
}

bool vcpu_start_flat32(unsigned id, void (*entry)(void), void *stack_top,
		       volatile uint32_t *flag, uint32_t want)
{
	struct vcpu_hvm_context c;

	vcpu_flat32(&c, entry, stack_top);
	if (hypercall(HYPERVISOR_vcpu_op, VCPUOP_initialise, id, (unsigned long)&c, 0, 0) ||
	    hypercall(HYPERVISOR_vcpu_op, VCPUOP_up, id, 0, 0, 0))
		return false;
	uint64_t end = now_ns() + 30000 * MS;
	while (*flag != want && now_ns() < end)
		hc_sched_op(SCHEDOP_yield, 0);
	return *flag == want;
}
