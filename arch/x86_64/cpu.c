/* SPDX-License-Identifier: GPL-2.0-only */
/* CPUID feature discovery and the control-register protections. */
#include "arch/x86_64/cpu.h"
#include "kernel/string.h"

struct cpu_info boot_cpu;

static bool bit(uint32_t reg, unsigned n)
{
	return (reg >> n) & 1;
}

void cpu_identify(struct cpu_info *c)
{
	struct cpuid_regs r = cpuid(0, 0);

	memset(c, 0, sizeof(*c));
	c->max_leaf = r.eax;
	memcpy(c->vendor_id + 0, &r.ebx, 4);
	memcpy(c->vendor_id + 4, &r.edx, 4);
	memcpy(c->vendor_id + 8, &r.ecx, 4);
	if (!strcmp(c->vendor_id, "GenuineIntel"))
		c->vendor = VENDOR_INTEL;
	else if (!strcmp(c->vendor_id, "AuthenticAMD") || !strcmp(c->vendor_id, "HygonGenuine"))
		c->vendor = VENDOR_AMD;

	r = cpuid(1, 0);
	c->family = (r.eax >> 8) & 0xf;
	c->model = (r.eax >> 4) & 0xf;
	c->stepping = r.eax & 0xf;
	if (c->family == 0xf)
		c->family += (r.eax >> 20) & 0xff;
	if (c->family >= 6)
		c->model |= ((r.eax >> 16) & 0xf) << 4;
	c->vmx = bit(r.ecx, 5);
	c->x2apic = bit(r.ecx, 21);
	c->tsc_deadline = bit(r.ecx, 24);
	c->hypervisor = bit(r.ecx, 31);
	c->pge = bit(r.edx, 13);

	if (c->max_leaf >= 7) {
		r = cpuid(7, 0);
		c->smep = bit(r.ebx, 7);
		c->smap = bit(r.ebx, 20);
	}

	c->max_ext_leaf = cpuid(0x80000000, 0).eax;
	if (c->max_ext_leaf >= 0x80000001) {
		r = cpuid(0x80000001, 0);
		c->svm = bit(r.ecx, 2);
		c->nx = bit(r.edx, 20);
		c->pdpe1gb = bit(r.edx, 26);
		c->rdtscp = bit(r.edx, 27);
	}
	if (c->max_ext_leaf >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			r = cpuid(0x80000002 + i, 0);
			memcpy(c->brand + 16 * i, &r, 16);
		}
		/* Brand strings are often padded with leading spaces. */
		size_t s = 0;
		while (c->brand[s] == ' ')
			s++;
		memmove(c->brand, c->brand + s, sizeof(c->brand) - s);
	}
	if (c->max_ext_leaf >= 0x80000007)
		c->invariant_tsc = bit(cpuid(0x80000007, 0).edx, 8);
	c->phys_addr_bits = 36;
	c->virt_addr_bits = 48;
	if (c->max_ext_leaf >= 0x80000008) {
		r = cpuid(0x80000008, 0);
		c->phys_addr_bits = r.eax & 0xff;
		c->virt_addr_bits = (r.eax >> 8) & 0xff;
	}
}

void cpu_enable_protections(const struct cpu_info *c)
{
	if (c->nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	/* OSFXSR: FXSAVE/FXRSTOR then cover the SSE registers: the hypervisor
	 * itself never uses the FPU, it only switches guests' FPU state. */
	write_cr4(read_cr4() | (c->smep ? CR4_SMEP : 0) | (c->smap ? CR4_SMAP : 0) |
		  (c->pge ? CR4_PGE : 0) | CR4_OSFXSR);
}

_Noreturn void cpu_halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}
