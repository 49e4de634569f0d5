/*
 * pvh: booted as a PVH kernel (type=pvh, through the PHYS32_ENTRY note
 * every test guest carries). Checks the hvm_start_info EBX points at (magic,
 * command line, the initrd module, the memory map), Xen's CPUID leaves, the
 * hypercall page (filled by a WRMSR, its stubs, hypercalls made through
 * it, bad MSR uses refused with #GP). The boot test gives it
 * cmdline=pvh-test-cmdline and initrd=pattern.elf.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/hvm_start_info.h"

const char guest_name[] = "pvh";

#define XEN_MSR 0x40000000u
#define HYPERCALL_console_io 18
#define HYPERCALL_xen_version 17

static uint8_t hcpage[4096] __attribute__((aligned(4096)));

/* A hypercall through the page: the 32-bit ABI, arguments in EBX, ECX, EDX. */
static long page_call(unsigned nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
	long ret;

	__asm__ volatile("call *%[fn]"
			 : "=a"(ret), "+b"(a1), "+c"(a2), "+d"(a3)
			 : [fn] "r"(hcpage + nr * 32)
			 : "memory", "esi", "edi");
	return ret;
}

static void check_start_info(void)
{
	const struct hvm_start_info *si = (const struct hvm_start_info *)(uintptr_t)boot_ebx;

	if (!check("start-info", boot_ebx && si->magic == XEN_HVM_START_MAGIC_VALUE && si->version >= 1,
		   "EBX 0x%x, magic 0x%x, version %u", boot_ebx, boot_ebx ? si->magic : 0,
		   boot_ebx ? si->version : 0))
		return;
	const char *cmd = (const char *)(uintptr_t)si->cmdline_paddr;
	check("start-info-cmdline", cmd && !memcmp(cmd, "pvh-test-cmdline", 17), "\"%s\"",
	      cmd ? cmd : "(none)");
	const struct hvm_modlist_entry *mod = (const void *)(uintptr_t)si->modlist_paddr;
	const uint8_t *data = si->nr_modules ? (const void *)(uintptr_t)mod->paddr : 0;
	check("start-info-module", si->nr_modules == 1 && data && !memcmp(data, "\x7f" "ELF", 4) &&
				   mod->size > 4096,
	      "%u module(s), first at 0x%llx, %llu bytes", si->nr_modules,
	      si->nr_modules ? (unsigned long long)mod->paddr : 0ull,
	      si->nr_modules ? (unsigned long long)mod->size : 0ull);
	const struct hvm_memmap_table_entry *mm = (const void *)(uintptr_t)si->memmap_paddr;
	check("start-info-memmap", si->version >= 1 && si->memmap_entries == 3 && mm[0].addr == 0 &&
				   mm[0].type == XEN_HVM_MEMMAP_TYPE_RAM && mm[2].addr == 0x100000 &&
				   mm[2].addr + mm[2].size == 2u << 20,
	      "%u entries", si->memmap_entries);
}

static void check_cpuid(void)
{
	uint32_t r[4];
	char sig[13] = { 0 };

	cpuid(0x40000000, 0, r);
	memcpy(sig, &r[1], 12);
	check("cpuid-xen", !memcmp(sig, "XenVMMXenVMM", 12) && r[0] >= 0x40000002, "\"%s\", max 0x%x",
	      sig, r[0]);
	cpuid(0x40000002, 0, r);
	check("cpuid-hypercall-msr", r[0] == 1 && r[1] == XEN_MSR, "%u page(s), MSR 0x%x", r[0], r[1]);
	cpuid(0x40000003, 0, r);
	check("cpuid-tsc-khz", r[2] == tsc_khz && r[2] > 1000, "%u kHz (the runtime's clock)", r[2]);
	cpuid(0x40000004, 0, r);
	check("cpuid-ids", (r[0] & 0x18) == 0x18 && r[1] == 0 && r[2] != 0, "vcpu %u, domain %u",
	      r[1], r[2]);
}

static void check_hypercall_page(void)
{
	uint64_t v;
	bool amd = hc_amd;

	check("msr-read-gp", rdmsr_safe(XEN_MSR, &v) == VEC_GP, "a read of the MSR");
	check("msr-index-gp", wrmsr_safe(XEN_MSR, (uint32_t)(uintptr_t)hcpage | 1) == VEC_GP,
	      "page index 1 (there is one page)");
	int vec = wrmsr_safe(XEN_MSR, (uint32_t)(uintptr_t)hcpage);
	const uint8_t *s = hcpage + HYPERCALL_xen_version * 32;
	static const uint8_t want[] = { 0xb8, HYPERCALL_xen_version, 0, 0, 0, 0x0f, 0x01, 0, 0xc3 };
	bool same = vec < 0;
	for (unsigned i = 0; i < sizeof(want); i++)
		same &= i == 7 ? s[i] == (amd ? 0xd9 : 0xc1) : s[i] == want[i];
	check("hypercall-page", same, "wrmsr %d, stub 17: %02x %02x .. %02x %02x %02x %02x", vec, s[0],
	      s[1], s[5], s[6], s[7], s[8]);
	long ver = page_call(HYPERCALL_xen_version, 0, 0, 0);
	check("page-xen-version", ver == (long)EYRIE_XEN_VERSION, "0x%lx", ver);
	static const char msg[] = "pvh: hello through the hypercall page\n";
	long n = page_call(HYPERCALL_console_io, 0, sizeof(msg) - 1, (uint32_t)(uintptr_t)msg);
	check("page-console-io", n == 0, "console_io returned %ld", n);
	check("page-unknown", page_call(100, 0, 0, 0) == -38, "hypercall 100 through the page");
}

void guest_main(void)
{
	gprintf("pvh: EBX 0x%x\n", boot_ebx);
	check_start_info();
	check_cpuid();
	check_hypercall_page();
}
