/*
 * fid: fidelity checks for what guests written elsewhere rely on (issue
 * 15), one section per behaviour, on both vendors. Booted as PVH it runs
 * the CPU and platform sections; booted as multiboot (its command line
 * starts with "fid.elf mb") it checks its command line and modules.
 * Every check prints PASS or FAIL; the runtime prints DONE and powers off.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/hvm_start_info.h"

const char guest_name[] = "fid";

/*
 * PAE paging: the first 4 MiB identity-mapped with two 2 MiB pages. On
 * AMD the PDPTE carries Accessed (bit 5), which the CPU may set there
 * itself; on Intel bits 8:5 are reserved (MOV to CR3 would #GP), so the
 * entry is plain. With paging on, exits that the hypervisor decodes from
 * guest memory when the CPU gives no length (CPUID, OUT, a hypercall whose
 * buffer it reads through the guest's tables) must all work.
 */
static uint64_t pae_pdpt[4] __attribute__((aligned(32)));
static uint64_t pae_pd[512] __attribute__((aligned(4096)));

static void check_pae(void)
{
	uint32_t r[4];
	static const char line[] = "fid: hello from PAE paging\n";

	pae_pd[0] = 0x000000 | 0x83; /* P, R/W, PS */
	pae_pd[1] = 0x200000 | 0x83;
	pae_pdpt[0] = (uint32_t)(uintptr_t)pae_pd | 1u | (hc_amd ? 0x20u : 0);
	__asm__ volatile("mov %%cr4, %%eax\n\t"
			 "or $0x20, %%eax\n\t"       /* CR4.PAE */
			 "mov %%eax, %%cr4\n\t"
			 "mov %0, %%cr3\n\t"
			 "mov %%cr0, %%eax\n\t"
			 "or $0x80000000, %%eax\n\t" /* CR0.PG */
			 "mov %%eax, %%cr0"
			 : : "r"(pae_pdpt) : "eax", "memory");
	cpuid(0, 0, r);
	outb(0x80, 0);
	long rc = hc_console_write(line, sizeof(line) - 1);
	uint64_t pdpte = pae_pdpt[0];
	__asm__ volatile("mov %%cr0, %%eax\n\t"
			 "and $0x7fffffff, %%eax\n\t"
			 "mov %%eax, %%cr0\n\t"
			 "mov %%cr4, %%eax\n\t"
			 "and $~0x20, %%eax\n\t"
			 "mov %%eax, %%cr4"
			 : : : "eax", "memory");
	check("pae-exits", r[0] > 0 && rc == 0,
	      "cpuid max 0x%x, console_io %ld, PDPTE 0x%llx (%s)", r[0], rc,
	      (unsigned long long)pdpte, hc_amd ? "AMD: A set" : "Intel");
}

/*
 * HVM_PARAM_CONSOLE_PFN / _EVTCHN: built by the hypervisor (no console
 * ring) an error, not page 0 with success; built by the management domain
 * the ring's page (its last) and port.
 */
static void check_console_params(bool by_mgmt)
{
	uint64_t pfn = 0xdead, evt = 0xdead;
	long r1 = hc_hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_CONSOLE_PFN, &pfn);
	long r2 = hc_hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_CONSOLE_EVTCHN, &evt);

	if (by_mgmt)
		check("console-params", !r1 && !r2 && pfn == ((4u << 20) - 4096) >> 12 && evt,
		      "%ld %ld: page 0x%llx, port %llu", r1, r2, (unsigned long long)pfn,
		      (unsigned long long)evt);
	else
		check("console-params-none", r1 == -ENOENT && r2 == -ENOENT,
		      "CONSOLE_PFN %ld, CONSOLE_EVTCHN %ld (want -ENOENT)", r1, r2);
}

static const struct hvm_start_info *start_info(void)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)boot_ebx;

	return boot_ebx && si->magic == XEN_HVM_START_MAGIC_VALUE ? si : NULL;
}

void guest_main(void)
{
	const struct hvm_start_info *si = start_info();

	const char *cmd = si && si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : "";

	gprintf("fid: %s on %s, cmdline \"%s\"\n", si ? "PVH" : "not PVH", hc_amd ? "AMD" : "Intel",
		cmd);
	check_pae();
	if (si)
		check_console_params(!memcmp(cmd, "mgmt", 5));
}
