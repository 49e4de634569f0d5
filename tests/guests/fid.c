/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fid: fidelity checks for what guests written elsewhere rely on (issue
 * 15), one section per behaviour, on both vendors. Booted as PVH it runs
 * the CPU and platform sections; booted as multiboot it checks its
 * command line and modules.
 * Every check prints PASS or FAIL; the runtime prints DONE and powers off.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/hvm_start_info.h"
#include "include/public/memory.h"
#include "include/public/vcpu.h"
#include "include/public/xen.h"

const char guest_name[] = "fid";

/*
 * PAE paging: the first 4 MiB identity-mapped with two 2 MiB pages. On
 * AMD the PDPTE carries Accessed (bit 5), which the CPU may set there
 * itself; on Intel bits 8:5 are reserved (MOV to CR3 would #GP), so the
 * entry is plain, and so it is under Bochs ("bochs" in the command line),
 * whose AMD models reserve bit 5 too (a #PF at every access). With paging
 * on, exits that the hypervisor decodes from guest memory when the CPU
 * gives no length (CPUID, OUT, a hypercall whose buffer it reads through
 * the guest's tables) must all work.
 */
static uint64_t pae_pdpt[4] __attribute__((aligned(32)));
static uint64_t pae_pd[512] __attribute__((aligned(4096)));

static void check_pae(bool bochs)
{
	uint32_t r[4];
	static const char line[] = "fid: hello from PAE paging\n";
	bool a = hc_amd && !bochs;

	pae_pd[0] = 0x000000 | 0x83; /* P, R/W, PS */
	pae_pd[1] = 0x200000 | 0x83;
	pae_pdpt[0] = (uint32_t)(uintptr_t)pae_pd | 1u | (a ? 0x20u : 0);
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
	      (unsigned long long)pdpte, a ? "AMD: A set" : hc_amd ? "AMD, Bochs: A clear" : "Intel");
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

/*
 * CR4, EFER and XCR0 follow the CPUID the guest sees: a bit whose feature
 * is hidden (VMXE, SMXE, MCE, LA57, PKE, CET; OSXSAVE where XSAVE is) or
 * reserved raises #GP and changes nothing; offered ones (PGE, PCE, OSFXSR,
 * TSD) are taken and read back. EFER: NXE as leaf 0x80000001 says, FFXSR
 * and SVME #GP. With CR4.OSXSAVE never set, XGETBV and XSETBV are #UD
 * (the xsave guest checks XCR0 itself).
 */
static void check_control_bits(void)
{
	static const struct { unsigned bit; const char *name; } hidden[] = {
		{ 18, "OSXSAVE" }, { 13, "VMXE" }, { 14, "SMXE" }, { 6, "MCE" }, { 12, "LA57" },
		{ 22, "PKE" }, { 23, "CET" }, { 15, "reserved 15" }, { 31, "reserved 31" },
	};
	uint32_t c[4], cr4 = (uint32_t)read_cr4();
	bool ok = true;

	cpuid(1, 0, c);
	bool xsave = c[2] & (1u << 26);
	for (unsigned i = xsave; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		int vec = write_cr4_safe(cr4 | (1u << hidden[i].bit));
		if (vec != VEC_GP || read_cr4() != cr4) {
			fail("cr4-hidden", "CR4.%s: vector %d, CR4 now 0x%lx", hidden[i].name, vec,
			     read_cr4());
			ok = false;
		}
	}
	check("cr4-hidden", ok, "%sVMXE, SMXE, MCE, LA57, PKE, CET, bits 15 and 31: #GP",
	      xsave ? "" : "OSXSAVE, ");
	cpuid(1, 0, c);
	uint32_t offered = (1u << 8) | (c[3] & (1u << 13) ? 1u << 7 : 0) |
			   (c[3] & (1u << 24) ? 1u << 9 : 0) | (c[3] & (1u << 4) ? 1u << 2 : 0);
	int vec = write_cr4_safe(cr4 | offered);
	uint32_t back = (uint32_t)read_cr4();
	int vec0 = write_cr4_safe(cr4);
	check("cr4-offered", vec < 0 && vec0 < 0 && back == (cr4 | offered) && read_cr4() == cr4,
	      "PCE, PGE, OSFXSR, TSD as offered (0x%x): vector %d, read back 0x%x", offered, vec, back);
	cpuid(0x80000001, 0, c);
	uint64_t efer = 0;
	rdmsr_safe(0xc0000080, &efer);
	int nx = wrmsr_safe(0xc0000080, efer | (1u << 11));
	int ffxsr = wrmsr_safe(0xc0000080, efer | (1u << 14));
	int svme = wrmsr_safe(0xc0000080, efer | (1u << 12));
	wrmsr_safe(0xc0000080, efer);
	check("efer-cpuid", (c[3] & (1u << 20) ? nx < 0 : nx == VEC_GP) && ffxsr == VEC_GP &&
				svme == VEC_GP,
	      "NXE (NX %s) %d, FFXSR %d, SVME %d", c[3] & (1u << 20) ? "offered" : "hidden", nx,
	      ffxsr, svme);
	cpuid(1, 0, c);
	uint64_t xcr0;
	int g = xgetbv_safe(0, &xcr0), s = xsetbv_safe(0, 3);
	check("xcr0", g == VEC_UD && s == VEC_UD,
	      "XSAVE %s, CR4.OSXSAVE clear: XGETBV vector %d, XSETBV vector %d",
	      c[2] & (1u << 26) ? "shown" : "hidden", g, s);
}

/*
 * Guest-physical addresses with nothing behind them read as all ones and
 * drop writes, as on a bus with no device, and the domain runs on: an
 * absent HPET (0xFED00000) and IOMMU (0xFED90000), far above RAM, and a
 * page of its RAM it gave back (XENMEM_decrease_reservation).
 */
static uint8_t gone[4096] __attribute__((aligned(4096)));

static long reservation(unsigned cmd, uint32_t gfn)
{
	struct { uint32_t start, nr, order, flags; uint16_t domid, pad; } r = {
		(uint32_t)(uintptr_t)&gfn, 1, 0, 0, DOMID_SELF, 0 };

	return hypercall(HYPERVISOR_memory_op, cmd, (unsigned long)&r, 0, 0, 0);
}

static bool reads_ones(uintptr_t at)
{
	volatile uint8_t *b = (volatile uint8_t *)at;
	volatile uint16_t *w = (volatile uint16_t *)(at + 2);
	volatile uint32_t *d = (volatile uint32_t *)(at + 4);
	uint32_t moved = 0, *dst = &moved;
	const volatile uint32_t *src = d;

	*d = 0x12345678;
	*b = 0;
	/* A string move from there into RAM (emulated as MOVS). */
	__asm__ volatile("movsl" : "+S"(src), "+D"(dst) : : "memory");
	return *b == 0xff && *w == 0xffff && *(volatile uint32_t *)(at + 4) == 0xffffffffu &&
	       moved == 0xffffffffu;
}

static void check_nothing_there(void)
{
	static const uint32_t at[] = { 0xfed00000, 0xfed90000, 0xc0000000, 0xfed00ff8 };

	for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		check("nothing-there", reads_ones(at[i]), "0x%x: reads all ones, writes dropped",
		      at[i]);
	memset(gone, 0x5a, sizeof(gone));
	long out = reservation(XENMEM_decrease_reservation, (uint32_t)(uintptr_t)gone >> 12);
	bool ones = out == 1 && reads_ones((uintptr_t)gone + 8);
	long in = reservation(XENMEM_populate_physmap, (uint32_t)(uintptr_t)gone >> 12);
	check("ballooned-page", ones && in == 1 && gone[8] == 0,
	      "given back %ld, read all ones %d, taken again %ld (zeroed: %d)", out, ones, in,
	      gone[8] == 0);
}

/*
 * RDTSCP and RDPID with the vcpu's own IA32_TSC_AUX: a value of its own
 * (from its domain id: the other fid domains running meanwhile write
 * theirs), read back through both after yielding the CPU, each time.
 */
static void check_tsc_aux(void)
{
	uint32_t c[4], aux = 0, lo, hi, pid = 0;
	bool ok = true;

	cpuid(0x80000001, 0, c);
	if (!(c[3] & (1u << 27))) {
		pass("tsc-aux", "no RDTSCP offered (the CPU has none)");
		return;
	}
	cpuid(0x40000004, 0, c);
	uint32_t mine = 0xf1d000 | c[2];
	cpuid(7, 0, c);
	bool rdpid = c[2] & (1u << 22);
	int w = wrmsr_safe(0xc0000103, mine), w64 = wrmsr_safe(0xc0000103, 1ull << 32);
	for (int i = 0; i < 20 && ok; i++) {
		hc_sched_op(SCHEDOP_yield, NULL);
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
		if (rdpid)
			__asm__ volatile("rdpid %0" : "=r"(pid));
		ok = aux == mine && (!rdpid || pid == mine);
	}
	uint64_t back = 0;
	int r = rdmsr_safe(0xc0000103, &back);
	check("tsc-aux", w < 0 && w64 == VEC_GP && r < 0 && back == mine && ok,
	      "TSC_AUX 0x%x: RDTSCP ECX 0x%x, RDPID %s 0x%x, read back 0x%llx, bit 32 vector %d",
	      mine, aux, rdpid ? "" : "(not offered)", pid, (unsigned long long)back, w64);
}

/*
 * Start-up MSRs and instructions: IA32_DEBUGCTL reads 0 and takes 0 (#GP
 * for a feature bit); no PMU: AMD's counters and controls (C001_0000-7,
 * C001_0200-B) read 0 and drop writes, and CPUID leaf 0xA says none;
 * ICEBP (F1) raises #DB (a trap: after it), not #UD.
 */
static void check_msrs_and_icebp(bool qemu_tcg)
{
	uint64_t v = 1;
	int r = rdmsr_safe(0x1d9, &v);
	int w0 = wrmsr_safe(0x1d9, 0), w1 = wrmsr_safe(0x1d9, 1);
	check("debugctl", r < 0 && v == 0 && w0 < 0 && w1 == VEC_GP,
	      "read %d (0x%llx), write 0: %d, write 1: vector %d", r, (unsigned long long)v, w0, w1);

	bool quiet = true;
	for (uint32_t i = 0; i < 20; i++) {
		uint32_t msr = i < 8 ? 0xc0010000 + i : 0xc0010200 + (i - 8);
		uint64_t val = 1;
		int wr = wrmsr_safe(msr, 0x430076);
		int rd = rdmsr_safe(msr, &val);
		if (wr >= 0 || rd >= 0 || val) {
			fail("no-pmu-msrs", "MSR 0x%x: write vector %d, read vector %d, 0x%llx", msr, wr,
			     rd, (unsigned long long)val);
			quiet = false;
		}
	}
	uint32_t c[4];
	cpuid(0, 0, c);
	uint32_t max = c[0];
	cpuid(0xa, 0, c);
	check("no-pmu", quiet && (max < 0xa || (c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] == 0)),
	      "AMD counter MSRs read 0, writes dropped; leaf 0xA eax 0x%x", c[0]);

	check_tsc_aux();

	fault_vector = -1;
	__asm__ volatile("movl $1f, %[fx]\n\t"
			 ".byte 0xf1\n"
			 "1:\tmovl $0, %[fx]"
			 : [fx] "=m"(fault_fixup) : : "memory");
	/* QEMU 7.2's TCG decodes F1 as an invalid opcode itself (bare QEMU
	 * too, with no hypervisor): the boot test says so with "qemu-tcg". */
	check("icebp", fault_vector == 1 || (qemu_tcg && fault_vector == VEC_UD),
	      "ICEBP raised vector %d (want 1, #DB%s)", fault_vector,
	      qemu_tcg ? "; QEMU TCG's own #UD taken" : "");
}

static bool has_nul(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i])
			return true;
	return false;
}

/*
 * xen_version's harmless subcommands answered as Xen answers an HVM guest:
 * compile_info (four strings), platform_parameters (virt_start 0, 4 bytes
 * for a 32-bit caller), extraversion, capabilities, changeset, pagesize,
 * guest_handle, get_features; commandline and build_id refused (-EPERM).
 */
static void check_xen_version(void)
{
	static union {
		struct xen_compile_info ci;
		uint8_t b[256];
	} u;
	memset(&u, 0xaa, sizeof(u));
	long ci = hypercall(HYPERVISOR_xen_version, XENVER_compile_info, (unsigned long)&u, 0, 0, 0);
	bool strs = u.ci.compiler[0] && has_nul(u.ci.compiler, 64) && has_nul(u.ci.compile_by, 16) &&
		    has_nul(u.ci.compile_domain, 32) && has_nul(u.ci.compile_date, 32) &&
		    u.b[sizeof(u.ci)] == 0xaa;
	check("xenver-compile-info", ci == 0 && strs, "%ld: compiler \"%s\", by \"%s\"", ci,
	      strs ? u.ci.compiler : "?", strs ? u.ci.compile_by : "?");
	memset(&u, 0xaa, sizeof(u));
	long pp = hypercall(HYPERVISOR_xen_version, XENVER_platform_parameters, (unsigned long)&u, 0,
			    0, 0);
	check("xenver-platform-parameters", pp == 0 && !memcmp(u.b, "\0\0\0\0\xaa", 5),
	      "%ld: %02x %02x %02x %02x %02x", pp, u.b[0], u.b[1], u.b[2], u.b[3], u.b[4]);
	static const struct { unsigned cmd; long want; } others[] = {
		{ XENVER_extraversion, 0 }, { XENVER_capabilities, 0 }, { XENVER_changeset, 0 },
		{ XENVER_get_features, 0 }, { XENVER_pagesize, 4096 }, { XENVER_guest_handle, 0 },
		{ XENVER_commandline, -EPERM }, { XENVER_build_id, -EPERM },
	};
	bool all = true;
	for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		memset(&u, 0, sizeof(u));
		long rc = hypercall(HYPERVISOR_xen_version, others[i].cmd, (unsigned long)&u, 0, 0, 0);
		if (rc != others[i].want) {
			fail("xenver-others", "XENVER %u: %ld, want %ld", others[i].cmd, rc, others[i].want);
			all = false;
		}
	}
	check("xenver-others", all, "extraversion, capabilities, changeset, get_features, "
	      "pagesize, guest_handle; commandline and build_id -EPERM");
}

/*
 * NMIs (booted with the PC platform and 2 vcpus, "nmi" in its command
 * line). Through the local APIC's ICR: a self-NMI (physical destination,
 * our own ID) runs the vector 2 handler, also with interrupts off; two
 * more sent from inside the handler (self shorthand) are held, NMIs being
 * blocked until its IRET, and merge into one taken right at the IRET (2
 * in all); an NMI to vcpu 1, then one to all but ourselves, reach vcpu 1
 * halted with interrupts off (a blocked vcpu woken) and not us. Then the
 * shell's `nmi 4` and `nmi 4 1` (the test types them): one more each.
 */
#define LAPIC 0xfee00000u
#define ICR_NMI (4u << 8)
#define ICR_SELF (1u << 18)
#define ICR_ALL_BUT_SELF (3u << 18)
#define MS 1000000ull
static volatile uint32_t nmis[2], nmi_depth, nmi_max_depth, nmi_mode, nmi_seen_inside;

static void icr(uint32_t dest, uint32_t lo)
{
	*(volatile uint32_t *)(LAPIC + 0x310) = dest << 24;
	*(volatile uint32_t *)(LAPIC + 0x300) = lo;
}

void nmi_c(void);
void nmi_c(void)
{
	unsigned cpu = *(volatile uint32_t *)(LAPIC + 0x20) >> 24 & 1; /* APIC ID = vcpu */

	nmis[cpu]++;
	if (cpu)
		return;
	if (++nmi_depth > nmi_max_depth)
		nmi_max_depth = nmi_depth;
	if (nmi_mode == 1 && nmis[0] == 1) {
		icr(0, ICR_SELF | ICR_NMI);
		icr(0, ICR_SELF | ICR_NMI);
		for (int i = 0; i < 20; i++)
			outb(0x80, 0); /* exits: chances to inject, which must not come */
		nmi_seen_inside = nmis[0];
	}
	nmi_depth--;
}

__asm__(".text\n"
	"nmi_stub:\n\t"
	"pushal\n\t"
	"cld\n\t"
	"call nmi_c\n\t"
	"popal\n\t"
	"iret\n");
extern char nmi_stub[];

/* Waits up to ms for vcpu's count to reach want, then a little more for
 * extra ones; returns the count. */
static uint32_t wait_nmis(unsigned cpu, uint32_t want, uint64_t ms)
{
	uint64_t end = now_ns() + ms * MS;

	while (nmis[cpu] < want && now_ns() < end)
		pause();
	end = now_ns() + 50 * MS;
	while (now_ns() < end)
		pause();
	return nmis[cpu];
}

static struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gdtr, idtr;
static volatile uint32_t ap_up;
static uint8_t ap_stack[4096] __attribute__((aligned(16)));

/* vcpu 1: our GDT and IDT, then halted with interrupts off for good. */
static __attribute__((noreturn, used)) void ap_main(void)
{
	__asm__ volatile("lgdt %0; lidt %1" : : "m"(gdtr), "m"(idtr));
	ap_up = 1;
	for (;;)
		__asm__ volatile("cli; hlt");
}

static bool start_ap(void)
{
	return vcpu_start_flat32(1, ap_main, ap_stack + sizeof(ap_stack), &ap_up, 1);
}

static void check_nmi(void)
{
	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	uint16_t *gate = (uint16_t *)(uintptr_t)(idtr.base + 2 * 8);
	gate[0] = (uint16_t)(uintptr_t)nmi_stub;
	gate[1] = 0x08;
	gate[2] = 0x8e00; /* present, 32-bit interrupt gate */
	gate[3] = (uint16_t)((uintptr_t)nmi_stub >> 16);

	icr(0, ICR_NMI);
	check("nmi-self", nmis[0] == 1, "%u NMI(s) after a self-NMI", nmis[0]);
	cli();
	icr(0, ICR_NMI);
	uint32_t n = nmis[0];
	sti();
	check("nmi-if-clear", n == 2, "%u NMI(s) after one with IF = 0 (want 2)", n);
	nmis[0] = 0;
	nmi_mode = 1;
	icr(0, ICR_NMI);
	n = nmis[0]; /* no exit since the ICR write: the held one came at the IRET */
	uint32_t all = wait_nmis(0, 2, 100);
	nmi_mode = 0;
	check("nmi-blocked", nmi_seen_inside == 1 && n == 2 && all == 2 && nmi_max_depth == 1,
	      "inside the handler %u, right after it %u, then %u in all (want 1, 2, 2: the two "
	      "sent inside merged, taken at its IRET), deepest nesting %u", nmi_seen_inside, n,
	      all, nmi_max_depth);
	if (!check("nmi-ap-up", start_ap(), "vcpu 1 up (VCPUOP_initialise, VCPUOP_up)"))
		return;
	icr(1, ICR_NMI);
	n = wait_nmis(1, 1, 10000);
	check("nmi-other-vcpu", n == 1 && nmis[0] == 2, "vcpu 1 %u NMI(s), vcpu 0 %u (want 1, 2)",
	      n, nmis[0]);
	icr(0, ICR_ALL_BUT_SELF | ICR_NMI);
	n = wait_nmis(1, 2, 10000);
	check("nmi-all-but-self", n == 2 && nmis[0] == 2,
	      "vcpu 1 %u NMI(s), vcpu 0 %u (want 2, 2)", n, nmis[0]);
	gprintf("fid: waiting for an NMI on each vcpu\n");
	uint64_t end = now_ns() + 30000 * MS;
	while ((nmis[0] < 3 || nmis[1] < 3) && now_ns() < end)
		pause();
	wait_nmis(0, 0, 0);
	check("nmi-shell", nmis[0] == 3 && nmis[1] == 3,
	      "vcpu 0 %u NMI(s), vcpu 1 %u (want 3, 3: one each from the shell)", nmis[0], nmis[1]);
}

/* Is w one of the words of s (separated by blanks or commas)? */
static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	while (*s) {
		while (*s == ' ' || *s == ',')
			s++;
		size_t len = 0;
		while (s[len] && s[len] != ' ' && s[len] != ',')
			len++;
		if (len == n && !memcmp(s, w, n))
			return true;
		s += len;
	}
	return false;
}

/*
 * Booted as multiboot: the information block has the command line (the
 * kernel's name first, then cmdline=, as GRUB gives it) and two modules,
 * each with its own string, byte for byte; the boot test makes mod1.bin
 * (5000 bytes, byte i = (i * 7 + 1) % 251) and mod2.txt (the text below).
 */
#define MB_CMDLINE "fid.elf mb one two,three"
#define MB_MOD1 "mod1.bin alpha beta"
#define MB_MOD2 "mod2.txt gamma"
#define MB_MOD2_TEXT "the second module, byte for byte\n"

struct mb_module {
	uint32_t start, end, string, reserved;
};

static bool same_str(uint32_t at, const char *want)
{
	return at && !memcmp((const char *)(uintptr_t)at, want, strlen(want) + 1);
}

static void check_multiboot(void)
{
	const uint32_t *mbi = (const uint32_t *)(uintptr_t)boot_ebx;

	if (!check("mb-info", mbi && (mbi[0] & (1u << 2)) && (mbi[0] & (1u << 3)),
		   "EBX 0x%x, flags 0x%x (want cmdline and mods)", boot_ebx, mbi ? mbi[0] : 0))
		return;
	check("mb-cmdline", same_str(mbi[4], MB_CMDLINE), "\"%s\" (want \"%s\")",
	      mbi[4] ? (const char *)(uintptr_t)mbi[4] : "(none)", MB_CMDLINE);
	const struct mb_module *m = (const void *)(uintptr_t)mbi[6];
	if (!check("mb-mods", mbi[5] == 2 && m, "%u modules at 0x%x", mbi[5], mbi[6]))
		return;
	const uint8_t *b = (const uint8_t *)(uintptr_t)m[0].start;
	bool bytes = m[0].end - m[0].start == 5000;
	for (uint32_t i = 0; bytes && i < 5000; i++)
		bytes = b[i] == (uint8_t)((i * 7 + 1) % 251);
	check("mb-mod1", bytes && same_str(m[0].string, MB_MOD1),
	      "0x%x..0x%x, string \"%s\", contents %s", m[0].start, m[0].end,
	      m[0].string ? (const char *)(uintptr_t)m[0].string : "(none)", bytes ? "right" : "wrong");
	bytes = m[1].end - m[1].start == sizeof(MB_MOD2_TEXT) - 1 &&
		!memcmp((const void *)(uintptr_t)m[1].start, MB_MOD2_TEXT, sizeof(MB_MOD2_TEXT) - 1);
	check("mb-mod2", bytes && same_str(m[1].string, MB_MOD2),
	      "0x%x..0x%x, string \"%s\", contents %s", m[1].start, m[1].end,
	      m[1].string ? (const char *)(uintptr_t)m[1].string : "(none)", bytes ? "right" : "wrong");
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

	gprintf("fid: %s on %s, cmdline \"%s\"\n", si ? "PVH" : "multiboot",
		hc_amd ? "AMD" : "Intel", cmd);
	if (!si) {
		check_multiboot();
		return;
	}
	if (has_word(cmd, "nmi")) {
		check_nmi();
		return;
	}
	check_pae(has_word(cmd, "bochs"));
	check_nothing_there();
	check_msrs_and_icebp(has_word(cmd, "qemu-tcg"));
	check_control_bits();
	check_xen_version();
	check_console_params(has_word(cmd, "mgmt"));
}
