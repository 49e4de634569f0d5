/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * badstate: tries to load invalid state through every path a guest has.
 *
 * Part 1, refused with #GP and the guest goes on: WRMSR of EFER with
 * reserved or hidden bits, EFER.LME changed while paging is on, non-
 * canonical FS/GS/KERNEL_GS/LSTAR/CSTAR/SYSENTER addresses, PAT entries
 * with undefined memory types, a moved APIC base; MOV to CR4 with
 * VMXE (VMX is hidden), and paging
 * with EFER.LME but without PAE. The CPU or the hypervisor must raise #GP.
 *
 * Part 2: CR0.NW without CD: #GP on real CPUs; QEMU TCG takes it and its
 * VMRUN then refuses the state (see cr0_nw_without_cd), a crash.
 *
 * Part 3, the state the CPU itself refuses: a code segment with both L and
 * D set, loaded in 32-bit protected mode (where the L bit means nothing),
 * and then long mode activated under it (PAE, EFER.LME, CR0.PG). Natively
 * the CPU goes on in compatibility mode; but VM entry checks "CS.L and
 * CS.D both set while EFER.LMA" (AMD VMRUN consistency checks, Intel
 * guest-state checks for an IA-32e mode guest) and refuses the state at
 * the next entry. The hypervisor must turn that into a crash of this
 * domain only ("domain N (badstate) crashed"). A CPU that accepts it lets
 * the guest print "badstate: survived" and power off.
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "badstate";

#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_VMXE (1u << 13)

static void expect_gp_wrmsr(const char *name, uint32_t msr, uint64_t v)
{
	int vec = wrmsr_safe(msr, v);

	check(name, vec == VEC_GP, "wrmsr 0x%x <- 0x%llx: vector %d", msr,
	      (unsigned long long)v, vec);
}

static void msrs(void)
{
	static const struct {
		const char *name;
		uint32_t msr;
	} bases[] = {
		{ "fs-base", MSR_FS_BASE }, { "gs-base", MSR_GS_BASE },
		{ "kernel-gs-base", MSR_KERNEL_GS_BASE }, { "lstar", MSR_LSTAR },
		{ "cstar", MSR_CSTAR }, { "sysenter-esp", MSR_SYSENTER_ESP },
		{ "sysenter-eip", MSR_SYSENTER_EIP },
	};
	static const uint64_t noncanonical[] = {
		0x0000800000000000ull, 0x8000000000000000ull, 0xfff0000000000000ull,
	};
	static const uint64_t bad_pat[] = {
		0x0007040600070402ull, 0x0007040600070403ull, 0x0807040600070406ull,
		0xff07040600070406ull, 0x0007040600070486ull,
	};
	uint64_t efer = 0;
	char name[48];

	rdmsr_safe(MSR_EFER, &efer);
	for (int bit = 1; bit < 64; bit++) {
		if (bit == 8 || bit == 10 || bit == 11)
			continue;       /* LME, LMA (read-only, tested below), NXE */
		if (bit > 16 && bit != 31 && bit != 32 && bit != 63)
			continue;       /* a sample of the high reserved bits */
		snprintf_(name, sizeof(name), "efer-bit-%d", bit);
		expect_gp_wrmsr(name, MSR_EFER, efer | (1ull << bit));
	}
	for (unsigned i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		for (unsigned j = 0; j < sizeof(noncanonical) / sizeof(noncanonical[0]); j++) {
			snprintf_(name, sizeof(name), "noncanonical-%s-%u", bases[i].name, j);
			expect_gp_wrmsr(name, bases[i].msr, noncanonical[j]);
		}
	for (unsigned i = 0; i < sizeof(bad_pat) / sizeof(bad_pat[0]); i++) {
		snprintf_(name, sizeof(name), "pat-bogus-%u", i);
		expect_gp_wrmsr(name, MSR_PAT, bad_pat[i]);
	}
}

static void apic_base(void)
{
	/* On bare metal these would really move the APIC (smoke runs hang). */
	if (!hv_is_eyrie()) {
		fail("apic-base", "no Eyrie signature: skipped");
		return;
	}
	expect_gp_wrmsr("apic-base-disable", MSR_APIC_BASE, APIC_BASE_BSP & ~(1ull << 11));
	expect_gp_wrmsr("apic-base-move", MSR_APIC_BASE, 0xfec00900ull);
	expect_gp_wrmsr("apic-base-x2apic", MSR_APIC_BASE, APIC_BASE_BSP | (1ull << 10));
}

static void crs(void)
{
	uint32_t cr0 = (uint32_t)read_cr0(), cr4 = (uint32_t)read_cr4();
	int vec;

	/* On Intel CPUs CR4.VMXE belongs to the hypervisor (it must stay set
	 * in VMX non-root operation): writing it must give #GP, as VMX is
	 * hidden. On AMD it is a plain reserved bit, which QEMU's TCG does
	 * not refuse (it re-executes the MOV forever): not tried there. */
	if (hc_amd) {
		pass("cr4-vmxe", "AMD CPU: a reserved bit, not tried");
		return;
	}
	vec = write_cr4_safe(cr4 | CR4_VMXE);
	check("cr4-vmxe", vec == VEC_GP, "vector %d (cr4 now 0x%lx)", vec, read_cr4());
	write_cr4_safe(cr4);
	write_cr0_safe(cr0);
}

/* 32-bit paging: one 4 MiB PSE page identity-maps [0, 4 MiB). */
static uint32_t pgdir[1024] __attribute__((aligned(4096)));

static void lme_while_paging(void)
{
	uint64_t efer = 0;
	uint32_t cr0 = (uint32_t)read_cr0(), cr4 = (uint32_t)read_cr4();

	pgdir[0] = 0x83 | 0x4;          /* present, writable, PS (4 MiB), user */
	rdmsr_safe(MSR_EFER, &efer);
	write_cr3((uintptr_t)pgdir);
	write_cr4_safe(cr4 | CR4_PSE);
	int vpg = write_cr0_safe(cr0 | CR0_PG);
	gprintf("badstate: 32-bit paging on (vector %d)\n", vpg);
	int vec = wrmsr_safe(MSR_EFER, efer | EFER_LME);
	uint64_t after = 0;
	rdmsr_safe(MSR_EFER, &after);
	write_cr0_safe(cr0);
	write_cr4_safe(cr4);
	check("efer-lme-while-paging", vpg < 0 && vec == VEC_GP && !(after & EFER_LME),
	      "paging vec %d, wrmsr vec %d, efer after 0x%llx", vpg, vec,
	      (unsigned long long)after);

	/* LME set with paging off is fine; turning paging on then without PAE
	 * is not (#GP, the CPU's own check). */
	vec = wrmsr_safe(MSR_EFER, efer | EFER_LME);
	int vpg2 = write_cr0_safe(cr0 | CR0_PG);
	bool paged = read_cr0() & CR0_PG;
	write_cr0_safe(cr0);
	wrmsr_safe(MSR_EFER, efer);
	/* Real CPUs raise #GP; QEMU's TCG ignores the write. Either way the
	 * state must not be taken. */
	check("paging-lme-without-pae", vec < 0 && !paged,
	      "wrmsr LME vec %d, cr0.PG vec %d%s", vec, vpg2, paged ? ", paging on!" : "");
}

/* Part 2. GDT: 0x08 code32, 0x10 data, 0x18 code with L=1 and D=1. */
static const uint64_t bad_gdt[] = {
	0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull, 0x00ef9b000000ffffull,
};
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

/*
 * CR0.NW without CD: real CPUs raise #GP (and the guest goes on); QEMU's
 * TCG accepts the write, but its VMRUN refuses the state, as AMD's
 * consistency checks say: then the domain must be crashed right here.
 */
static void cr0_nw_without_cd(void)
{
	uint32_t cr0 = (uint32_t)read_cr0();

	gprintf("badstate: part 2: CR0.NW without CD\n");
	int vec = write_cr0_safe((cr0 & ~CR0_CD) | CR0_NW);
	if (vec == VEC_GP) {
		pass("cr0-nw-without-cd", "#GP");
		return;
	}
	gprintf("badstate: the CPU took CR0 0x%lx (vector %d): the next entry must fail\n",
		read_cr0(), vec);
	write_cr0_safe(cr0);
	gprintf("badstate: survived: CR0.NW without CD\n");
}

static void long_mode_bad_cs(void)
{
	static const struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) gdtr = { sizeof(bad_gdt) - 1, (uint32_t)bad_gdt };
	uint64_t efer = 0;

	for (int i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;
	pdpt[0] = (uintptr_t)pd | 3;
	pml4[0] = (uintptr_t)pdpt | 3;
	gprintf("badstate: part 3: CS with L=1 D=1, then long mode (expect a crash)\n");
	cli();
	__asm__ volatile("lgdt %0; ljmp $0x18, $1f; 1:" : : "m"(gdtr) : "memory");
	rdmsr_safe(MSR_EFER, &efer);
	write_cr3((uintptr_t)pml4);
	write_cr4_safe((uint32_t)read_cr4() | CR4_PAE);
	wrmsr_safe(MSR_EFER, efer | EFER_LME);
	int vec = write_cr0_safe((uint32_t)read_cr0() | CR0_PG);
	/* Still running: the next exit (this output) re-enters the guest
	 * with the state above. */
	gprintf("badstate: survived: long mode with CS.L=1 D=1 (paging vector %d)\n", vec);
}

void guest_main(void)
{
	msrs();
	crs();
	lme_while_paging();
	apic_base();
	gprintf("DONE %s part 1: %u passed, %u failed\n", guest_name, checks_passed,
		checks_failed);
	cr0_nw_without_cd();
	long_mode_bad_cs();
}
