/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * exits: one check per exit kind the hypervisor handles, from a 32-bit
 * flat guest. Cheap and safe checks first, the ones that could stop the
 * guest (string I/O) last. Every check prints PASS or FAIL; the runtime
 * prints DONE and powers off at the end.
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "exits";

#define MS 1000000ull

/* Ports no device model claims (not 0xE9, not the PC legacy devices). */
static const uint16_t unclaimed_ports[] = { 0xe0, 0x2f0, 0x6000, 0xfff0 };
#define NPORTS (sizeof(unclaimed_ports) / sizeof(unclaimed_ports[0]))

static void test_tsc_start(void)
{
	uint64_t t = rdtsc();

	/* The guest TSC starts at 0 when the domain is created: a few seconds
	 * at most have passed (Bochs is slow; allow 60 s). */
	check("tsc-starts-at-zero", ticks_to_ns(t) < 60000 * MS, "tsc %llu = %llu ms",
	      (unsigned long long)t, (unsigned long long)(ticks_to_ns(t) / MS));
}

static void test_cpuid(void)
{
	uint32_t r[4];
	char sig[13];

	cpuid(CPUID_HV_BASE, 0, r);
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	sig[12] = 0;
	for (int i = 0; i < 12; i++)
		if (sig[i] < 0x20 || sig[i] > 0x7e)
			sig[i] = '?';
	check("cpuid-signature", memcmp(sig, EYRIE_SIGNATURE, 12) == 0 && r[0] == CPUID_HV_MAX,
	      "0x40000000: eax 0x%x, \"%s\"", r[0], sig);
	cpuid(CPUID_HV_VER, 0, r);
	check("cpuid-hv-version", r[0] == 1, "0x40000001 eax %u", r[0]);
	cpuid(CPUID_HV_TSC, 0, r);
	check("cpuid-tsc-khz", r[0] != 0, "%u kHz", r[0]);
	cpuid(1, 0, r);
	check("cpuid-hypervisor-bit", r[2] & (1u << 31), "leaf 1 ecx 0x%08x", r[2]);
	check("cpuid-vmx-hidden", !(r[2] & (1u << 5)), "leaf 1 ecx 0x%08x", r[2]);
	cpuid(0x80000000, 0, r);
	uint32_t max_ext = r[0];
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		check("cpuid-svm-hidden", !(r[2] & (1u << 2)), "0x80000001 ecx 0x%08x", r[2]);
	} else {
		pass("cpuid-svm-hidden", "no leaf 0x80000001 (max 0x%x)", max_ext);
	}
	/* A subleaf-indexed leaf and an out-of-range leaf answer without harm. */
	cpuid(7, 0, r);
	cpuid(0x4fffffff, 0, r);
	pass("cpuid-other-leaves", "leaf 7, leaf 0x4fffffff");
}

static bool has_nx(void)
{
	uint32_t r[4];

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000001)
		return false;
	cpuid(0x80000001, 0, r);
	return r[3] & (1u << 20);
}

/* Write v, read it back: both allowed and the value kept. */
static void msr_roundtrip(const char *name, uint32_t msr, uint64_t v)
{
	uint64_t old, back = 0;
	int vr = rdmsr_safe(msr, &old);
	int vw = wrmsr_safe(msr, v);
	int vb = rdmsr_safe(msr, &back);

	if (vr < 0 && vw < 0)
		wrmsr_safe(msr, old);
	check(name, vr < 0 && vw < 0 && vb < 0 && back == v,
	      "msr 0x%x: read vec %d, write 0x%llx vec %d, read back 0x%llx vec %d", msr, vr,
	      (unsigned long long)v, vw, (unsigned long long)back, vb);
}

static void expect_gp_write(const char *name, uint32_t msr, uint64_t v)
{
	uint64_t before = 0, after = 0;
	int vr = rdmsr_safe(msr, &before);
	int vw = wrmsr_safe(msr, v);

	rdmsr_safe(msr, &after);
	check(name, vw == VEC_GP && after == before,
	      "wrmsr 0x%x <- 0x%llx: vector %d (want %d), value 0x%llx -> 0x%llx (read vec %d)",
	      msr, (unsigned long long)v, vw, VEC_GP, (unsigned long long)before,
	      (unsigned long long)after, vr);
}

static void expect_gp_read(const char *name, uint32_t msr)
{
	uint64_t v;
	int vec = rdmsr_safe(msr, &v);

	check(name, vec == VEC_GP, "rdmsr 0x%x: vector %d (want %d), value 0x%llx", msr, vec,
	      VEC_GP, (unsigned long long)v);
}

static uint32_t fs_probe = 0x5eed1234;

static uint32_t read_fs0(void)
{
	uint32_t v;

	__asm__ volatile("movl %%fs:0, %0" : "=r"(v) : : "memory");
	return v;
}

static void test_msr_allowed(void)
{
	uint64_t efer, v;
	int vec = rdmsr_safe(MSR_EFER, &efer);

	check("msr-efer-read", vec < 0 && !(efer & (EFER_LME | EFER_LMA)),
	      "efer 0x%llx vec %d", (unsigned long long)efer, vec);
	if (has_nx()) {
		int v1 = wrmsr_safe(MSR_EFER, efer | EFER_NXE);
		uint64_t on = 0, off = 0;
		rdmsr_safe(MSR_EFER, &on);
		int v2 = wrmsr_safe(MSR_EFER, efer & ~EFER_NXE);
		rdmsr_safe(MSR_EFER, &off);
		check("msr-efer-nxe", v1 < 0 && v2 < 0 && (on & EFER_NXE) && !(off & EFER_NXE),
		      "set: vec %d efer 0x%llx, clear: vec %d efer 0x%llx", v1,
		      (unsigned long long)on, v2, (unsigned long long)off);
		wrmsr_safe(MSR_EFER, efer);
	} else {
		pass("msr-efer-nxe", "CPU has no NX: skipped");
	}
	msr_roundtrip("msr-efer-sce", MSR_EFER, efer | EFER_SCE);
	wrmsr_safe(MSR_EFER, efer);

	vec = rdmsr_safe(MSR_PAT, &v);
	check("msr-pat-default", vec < 0 && v == PAT_DEFAULT, "pat 0x%llx vec %d",
	      (unsigned long long)v, vec);
	msr_roundtrip("msr-pat", MSR_PAT, 0x0001050400070406ull);
	wrmsr_safe(MSR_PAT, PAT_DEFAULT);

	msr_roundtrip("msr-fs-base", MSR_FS_BASE, 0x12345000);
	msr_roundtrip("msr-gs-base", MSR_GS_BASE, 0xffff800012345000ull);
	msr_roundtrip("msr-kernel-gs-base", MSR_KERNEL_GS_BASE, 0x00007fffffffe000ull);
	msr_roundtrip("msr-lstar", MSR_LSTAR, 0xffffffff81000000ull);
	msr_roundtrip("msr-cstar", MSR_CSTAR, 0xffffffff81001000ull);
	msr_roundtrip("msr-star", MSR_STAR, 0x0023001000000000ull);
	msr_roundtrip("msr-sfmask", MSR_SFMASK, 0x47700);
	msr_roundtrip("msr-sysenter-cs", MSR_SYSENTER_CS, 0x10);
	msr_roundtrip("msr-sysenter-esp", MSR_SYSENTER_ESP, 0xffff880000001000ull);
	msr_roundtrip("msr-sysenter-eip", MSR_SYSENTER_EIP, 0xffffffff81002000ull);

	/* The FS base MSR is the live FS segment base, not just a stored
	 * number: %fs:0 reads fs_probe once the base points at it. */
	vec = wrmsr_safe(MSR_FS_BASE, (uintptr_t)&fs_probe);
	uint32_t got = read_fs0();
	wrmsr_safe(MSR_FS_BASE, 0);
	check("msr-fs-base-live", vec < 0 && got == fs_probe, "vec %d, %%fs:0 = 0x%x", vec, got);

	vec = rdmsr_safe(MSR_APIC_BASE, &v);
	check("msr-apic-base", vec < 0 && v == APIC_BASE_BSP, "0x%llx vec %d",
	      (unsigned long long)v, vec);
	vec = wrmsr_safe(MSR_APIC_BASE, APIC_BASE_BSP);
	check("msr-apic-base-same", vec < 0, "rewriting the same value: vec %d", vec);
	vec = rdmsr_safe(MSR_MTRRCAP, &v);
	check("msr-mtrrcap", vec < 0 && v == 0, "0x%llx vec %d", (unsigned long long)v, vec);

}

static void test_msr_refused(void)
{
	uint64_t efer = 0;

	rdmsr_safe(MSR_EFER, &efer);
	expect_gp_read("msr-unknown-read", 0x12345);
	expect_gp_write("msr-unknown-write", 0x12345, 1);
	/* IA32_FEATURE_CONTROL: absent (#GP), or locked with VMX off. */
	uint64_t fc = 0;
	int vec = rdmsr_safe(MSR_FEATURE_CONTROL, &fc);
	check("msr-feature-control-vmx-off", vec == VEC_GP || (vec < 0 && (fc & 7) == 1),
	      "rdmsr 0x3a: vector %d, value 0x%llx", vec, (unsigned long long)fc);
	expect_gp_read("msr-vmx-basic-hidden", MSR_VMX_BASIC);
	expect_gp_read("msr-vm-cr-hidden", MSR_VM_CR);
	expect_gp_read("msr-vm-hsave-hidden", MSR_VM_HSAVE_PA);
	expect_gp_write("msr-efer-reserved", MSR_EFER, efer | (1ull << 1));
	expect_gp_write("msr-efer-svme", MSR_EFER, efer | EFER_SVME);
	expect_gp_write("msr-fs-base-noncanonical", MSR_FS_BASE, 0x0000800000000000ull);
	expect_gp_write("msr-pat-bogus", MSR_PAT, 0x0007040600020406ull);
	expect_gp_write("msr-apic-base-move", MSR_APIC_BASE, 0xfed00900ull);
	expect_gp_write("msr-mtrrcap-write", MSR_MTRRCAP, 0);
}

static void test_ports(void)
{
	bool ok = true;
	char why[120] = "";

	for (unsigned i = 0; i < NPORTS; i++) {
		uint16_t p = unclaimed_ports[i];
		uint8_t b = inb(p);
		uint16_t w = inw(p);
		uint32_t l = inl(p);

		if (ok && (b != 0xff || w != 0xffff || l != 0xffffffffu)) {
			ok = false;
			snprintf_(why, sizeof(why), "port 0x%x: 0x%x 0x%x 0x%x", p, b, w, l);
		}
	}
	check("io-unclaimed-read", ok, "%s", why);
	for (unsigned i = 0; i < NPORTS; i++) {
		uint16_t p = unclaimed_ports[i];

		outb(p, 0x12);
		outw(p, 0x3456);
		outl(p, 0x789abcde);
		if (ok && (inb(p) != 0xff || inl(p) != 0xffffffffu)) {
			ok = false;
			snprintf_(why, sizeof(why), "port 0x%x changed after writes", p);
		}
	}
	check("io-unclaimed-write-dropped", ok, "%s", why);
}

/* Wait with interrupts enabled (no exits) until the callback count moves
 * past c0 or the time passes `until`. */
static bool wait_callback(uint32_t c0, uint64_t until)
{
	sti();
	while (callback_count == c0 && now_ns() < until)
		pause();
	cli();
	return callback_count != c0;
}

/* Cancel: set_timer_op(0) before the deadline, nothing arrives. The host
 * may hold the vcpu between the two calls until the deadline has passed
 * (the timer then fires, rightly): a try whose calls the guest's clock
 * shows 100 ms or more apart proves nothing and another is made. */
static void test_timer_cancel(void)
{
	uint64_t apart = 0;

	for (int i = 0; i < 5; i++) {
		uint32_t c0 = callback_count;
		uint64_t t0 = now_ns(), deadline = t0 + 200 * MS;
		long rc1 = hc_set_timer(deadline), rc2 = hc_set_timer(0);
		apart = now_ns() - t0;
		bool got = wait_callback(c0, deadline + 50 * MS);
		if (apart < 100 * MS || rc1 || rc2) {
			check("timer-cancel", rc1 == 0 && rc2 == 0 && !got,
			      "set %ld, cancel %ld %llu us later, callback %s", rc1, rc2,
			      (unsigned long long)apart / 1000, got ? "arrived" : "none");
			return;
		}
	}
	pass("timer-cancel", "skipped: the host held the vcpu 100 ms or more between the set and "
	     "the cancel in 5 tries (the last %llu ms)", (unsigned long long)(apart / MS));
}

static void test_timer(void)
{
	uint64_t val = 0;
	long rc = callback_setup();

	check("hvm-callback-set", rc == 0, "set_param CALLBACK_IRQ: %ld", rc);
	rc = hc_hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, &val);
	check("hvm-callback-get", rc == 0 && val == HVM_CALLBACK_VECTOR(CALLBACK_VECTOR),
	      "get_param: %ld, value 0x%llx", rc, (unsigned long long)val);
	if (rc != 0) {
		fail("timer", "no callback: timer checks skipped");
		return;
	}

	/* HLT woken by the timer. */
	cli();
	uint32_t c0 = callback_count;
	uint64_t t0 = now_ns(), deadline = t0 + 2 * MS;
	rc = hc_set_timer(deadline);
	gprintf("exits: halting until the timer (set_timer_op %ld)\n", rc);
	while (rc == 0 && callback_count == c0)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	uint64_t t1 = now_ns();
	check("hlt-timer-wakeup", rc == 0 && callback_count == c0 + 1 && t1 >= deadline,
	      "set_timer %ld, callbacks %u, woke %lld us after the deadline", rc,
	      callback_count - c0, (long long)(t1 - deadline) / 1000);

	/* The timer interrupts a busy loop (no exits in it). */
	c0 = callback_count;
	deadline = now_ns() + 2 * MS;
	rc = hc_set_timer(deadline);
	bool got = wait_callback(c0, deadline + 10000 * MS);
	t1 = now_ns();
	check("timer-busy-loop", rc == 0 && got && t1 >= deadline,
	      "set_timer %ld, callback %s, %lld us after the deadline", rc, got ? "yes" : "no",
	      (long long)(t1 - deadline) / 1000);

	test_timer_cancel();

	/* A deadline in the past fires at once. */
	c0 = callback_count;
	t0 = now_ns();
	rc = hc_set_timer(t0 > MS ? t0 - MS : 1);
	got = wait_callback(c0, t0 + 10000 * MS);
	check("timer-past-deadline", rc == 0 && got, "set_timer %ld, callback after %lld us", rc,
	      (long long)(now_ns() - t0) / 1000);

	/* Interrupt window: the timer expires while IF=0 (the guest keeps
	 * exiting so the hypervisor sees the expiry); nothing may arrive
	 * until STI, then the callback comes right after the STI shadow. */
	unsigned early = 0, late = 0, ok = 0;
	for (int i = 0; i < 5; i++) {
		cli();
		c0 = callback_count;
		deadline = now_ns() + MS;
		if (hc_set_timer(deadline) != 0)
			break;
		spin_until(deadline + 2 * MS, true);
		if (callback_count != c0)
			early++;
		__asm__ volatile("sti; nop; nop; nop; nop; nop; nop; nop; nop; cli" ::: "memory");
		if (callback_count == c0 + 1)
			ok++;
		else if (wait_callback(c0, now_ns() + 200 * MS))
			late++;
	}
	check("intr-window", ok == 5 && early == 0,
	      "%u/5 delivered right after STI, %u while IF=0, %u later", ok, early, late);

	/* sched_op block: the timer wakes the blocked vcpu. */
	cli();
	c0 = callback_count;
	deadline = now_ns() + 2 * MS;
	long rc1 = hc_set_timer(deadline);
	long rc2 = rc1 == 0 ? hc_block_sti() : -1;
	got = wait_callback(c0, now_ns() + 10000 * MS);
	t1 = now_ns();
	check("sched-block-timer", rc1 == 0 && rc2 == 0 && got && t1 >= deadline,
	      "set_timer %ld, block %ld, callback %s, %lld us after the deadline", rc1, rc2,
	      got ? "yes" : "no", (long long)(t1 - deadline) / 1000);
	hc_set_timer(0);
}

static void test_hypercalls(void)
{
	static const char msg[] = "exits: hello from console_io\n";
	long rc = hc_xen_version();

	check("hc-xen-version", rc == EYRIE_XEN_VERSION, "0x%lx (want 0x%x)", rc,
	      EYRIE_XEN_VERSION);
	rc = hc_console_write(msg, sizeof(msg) - 1);
	check("hc-console-io", rc >= 0, "console_io write: %ld", rc);
	rc = hc_console_write(msg, 0);
	check("hc-console-io-empty", rc == 0, "count 0: %ld", rc);
	long r1 = hypercall(63, 1, 2, 3, 4, 5);
	long r2 = hypercall(0x12345, 0, 0, 0, 0, 0);
	long r3 = hypercall(0xffffffffu, 0, 0, 0, 0, 0);
	check("hc-unknown-enosys", r1 == -ENOSYS && r2 == -ENOSYS && r3 == -ENOSYS,
	      "63: %ld, 0x12345: %ld, 0xffffffff: %ld", r1, r2, r3);
	rc = hc_sched_op(SCHEDOP_yield, 0);
	check("sched-yield", rc == 0, "%ld", rc);
	rc = hypercall_other(HYPERVISOR_xen_version, XENVER_version);
	check("hc-other-insn", hc_fault_vector == VEC_UD || rc == EYRIE_XEN_VERSION,
	      "%s: %s (result %ld)", hc_amd ? "VMCALL" : "VMMCALL",
	      hc_fault_vector == VEC_UD ? "#UD" : "handled as a hypercall", rc);
}

/* TSC: a write sets the guest TSC (RDTSC and RDMSR agree with it), and
 * guest system time, timer deadlines included, follows it. The reads
 * follow the write within half a second unless the host holds the vcpu
 * between them: a try that finds them further apart is made again (a
 * write that lands elsewhere does so every time). */
static void test_tsc_write(void)
{
	uint64_t step = (uint64_t)tsc_khz * 1000;  /* one second */
	uint64_t t0 = 0, t1 = 0, m = 0;
	int vec = 0, vm = 0;

	for (int i = 0; i < 4; i++) {
		t0 = rdtsc();
		vec = wrmsr_safe(MSR_TSC, t0 + step);
		t1 = rdtsc();
		vm = rdmsr_safe(MSR_TSC, &m);
		if (t1 < t0 + step + step / 2 && m < t1 + step / 2)
			break;
	}
	check("msr-tsc-write", vec < 0 && vm < 0 && t1 >= t0 + step && t1 < t0 + step + step / 2
	      && m >= t1 && m < t1 + step / 2,
	      "tsc 0x%llx, wrote +1 s, rdtsc 0x%llx, rdmsr 0x%llx (vec %d/%d)",
	      (unsigned long long)t0, (unsigned long long)t1, (unsigned long long)m, vec, vm);

	uint32_t c0 = callback_count;
	uint64_t deadline = now_ns() + 2 * MS;
	long rc = hc_set_timer(deadline);
	bool got = rc == 0 && wait_callback(c0, deadline + 10000 * MS);
	uint64_t t2 = now_ns();
	check("timer-after-tsc-write", rc == 0 && got && t2 >= deadline,
	      "set_timer %ld, callback %s, %lld us after the deadline", rc, got ? "yes" : "no",
	      (long long)(t2 - deadline) / 1000);
}

/* String I/O: INS fills memory with all-ones, OUTS goes nowhere. */
static void test_string_io(void)
{
	static uint32_t buf[4];
	uint32_t *p = buf;
	unsigned long n = 4;

	memset(buf, 0, sizeof(buf));
	__asm__ volatile("cld; rep insb" : "+D"(p), "+c"(n) : "d"(0x2f0) : "memory");
	bool b_ok = buf[0] == 0xffffffffu && buf[1] == 0;
	p = buf;
	n = 2;
	__asm__ volatile("rep insw" : "+D"(p), "+c"(n) : "d"(0x2f0) : "memory");
	p = buf + 2;
	n = 1;
	__asm__ volatile("insl" : "+D"(p) : "d"(0x2f0) : "memory");
	const uint32_t *q = buf;
	n = 8;
	__asm__ volatile("rep outsw" : "+S"(q), "+c"(n) : "d"(0x2f0) : "memory");
	check("io-string", b_ok && buf[0] == 0xffffffffu && buf[2] == 0xffffffffu &&
	      buf[3] == 0 && p == buf + 3 && q == buf + 4,
	      "buf %08x %08x %08x %08x", buf[0], buf[1], buf[2], buf[3]);
}

void guest_main(void)
{
	gprintf("exits: %s, vendor %s hypercalls\n",
		hv_is_eyrie() ? "on Eyrie" : "no Eyrie signature", hc_amd ? "VMMCALL" : "VMCALL");
	test_tsc_start();
	test_cpuid();
	test_msr_allowed();
	test_msr_refused();
	test_ports();
	test_hypercalls();
	test_timer();
	test_tsc_write();
	test_string_io();
}
