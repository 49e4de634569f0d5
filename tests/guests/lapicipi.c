/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lapicipi: IPIs between two vcpus through their local APICs, the way a PC
 * operating system sends them, so that the very same image runs as an HVM
 * guest of Eyrie (platform=pc, vcpus=2) and on bare QEMU -smp 2 (-kernel,
 * multiboot). No hypercall but the final shutdown (bare QEMU: isa-debug-exit).
 *
 * vcpu 0 enables its local APIC and starts vcpu 1 with INIT-SIPI-SIPI: a
 * real-mode trampoline copied to TRAMPOLINE (the SIPI's vector * 4 KiB)
 * loads the runtime's GDT and jumps to 32-bit code. vcpu 1 enables its APIC
 * and idles in HLT with interrupts on. Then ROUNDS round trips: vcpu 0
 * reads the TSC, sends VEC_PING to APIC 1 by the ICR and halts; vcpu 1's
 * handler reads the TSC (the wake-up of a vcpu blocked in HLT) and answers
 * with VEC_PONG to APIC 0; vcpu 0's handler reads the TSC (the round trip).
 * Before each round vcpu 0 sleeps on its local APIC's one-shot timer
 * (SETTLE_COUNT at divide 16: 1 ms at the 1 GHz bus of QEMU and Eyrie), so
 * that vcpu 1 is back in HLT, on the same host CPU as much as on another.
 * Prints
 *   lapicipi: N round trips, T TSC ticks each (min M, median D)
 *   lapicipi-wake: N wake-ups, T TSC ticks each (min M, median D)
 * Each reading on the other vcpu must not be before the one it follows (a
 * TSC read before the IPI on one vcpu, after it on the other): the vcpus'
 * TSCs are synchronised, which the wake-up figure relies on. The checks are
 * that vcpu 1 came up and that every round trip completed in order; no
 * timings in pass/fail.
 *
 * Then, where CPUID offers x2APIC (Eyrie's platform does; QEMU 7.2's TCG
 * does not, and the phase says it is skipped), both APICs switch to x2APIC
 * mode (vcpu 1 at the ping that asks it to) and the same round trips go
 * through the MSRs (ICR, EOI, timer), which Eyrie handles without its big
 * lock. Between the two, vcpu 0 makes the accesses a hostile or buggy
 * kernel makes: IPIs to APIC IDs nobody has (fixed and NMI), self IPIs by
 * the SELF IPI register, an EOI with nothing in service, writes the
 * x2APIC refuses (#GP: the read-only ID, a non-zero EOI, reserved ICR
 * bits), and its TPR; the round trips that follow must still all come.
 *
 * Last, under Eyrie only (its platform's port I/O is handled without the
 * big lock): both vcpus write STORM bytes at once to the UART (COM1,
 * polling LSR: 'a' from vcpu 0, 'b' from vcpu 1, a newline every 50th),
 * vcpu 0 latching and reading the PIT between its bytes, vcpu 1 reading
 * the ACPI PM timer, which must never step back (mod 2^24). The test
 * counts the bytes on the domain's console: every one must be there.
 * See docs/guests.md.
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "lapicipi";

#define LAPIC 0xfee00000u
#define R_ID 0x20
#define R_TPR 0x80
#define R_EOI 0xb0
#define R_SVR 0xf0
#define R_ICR 0x300
#define R_ICR2 0x310
#define R_LVT_TIMER 0x320
#define R_TMICT 0x380
#define R_TDCR 0x3e0
#define ICR_BUSY (1u << 12)
#define ICR_INIT 0x4500u   /* INIT, assert, edge */
#define ICR_SIPI 0x4600u   /* start-up, assert; the vector is the page */
#define VEC_PING 0x40
#define VEC_PONG 0x41
#define VEC_TIMER 0x42
#define VEC_SPURIOUS 0xff
#define TRAMPOLINE 0x8000u  /* below QEMU's multiboot information at 0x9000 */
#define ROUNDS 1000u
#define SETTLE_COUNT 62500u     /* 1 ms */
#define TIMEOUT_COUNT 0xffffffffu /* 68 s: a liveness bound, not a timing */
#define MS 1000000ull
#define APIC_BASE_EXTD (1u << 10)
#define X2(r) (0x800u + (r) / 16)
#define R_SELF 0x3f0
#define VEC_SELF 0x43
#define SELF_IPIS 100u
#define COM1 0x3f8
#define PM_TMR 0x608
#define STORM 500u /* bytes from each vcpu: 490 letters, 10 newlines */

/* Each vcpu's APIC mode: vcpu 0's, vcpu 1's (each writes its own). */
static volatile bool x2_bsp, x2_ap, x2_switch;

static inline uint32_t apic_read_mode(bool x2, unsigned r)
{
	return x2 ? (uint32_t)rdmsr(X2(r)) : *(volatile uint32_t *)(LAPIC + r);
}

static inline void apic_write_mode(bool x2, unsigned r, uint32_t v)
{
	if (x2)
		wrmsr(X2(r), v);
	else
		*(volatile uint32_t *)(LAPIC + r) = v;
}

/* vcpu 0's accessors. */
static inline uint32_t apic_read(unsigned r)
{
	return apic_read_mode(x2_bsp, r);
}

static inline void apic_write(unsigned r, uint32_t v)
{
	apic_write_mode(x2_bsp, r, v);
}

/* Sends lo to APIC dest once the previous IPI has left (x2APIC: one
 * write, no busy bit). */
static void icr_mode(bool x2, uint32_t dest, uint32_t lo)
{
	if (x2) {
		wrmsr(X2(R_ICR), (uint64_t)dest << 32 | lo);
		return;
	}
	while (apic_read_mode(false, R_ICR) & ICR_BUSY)
		pause();
	apic_write_mode(false, R_ICR2, dest << 24);
	apic_write_mode(false, R_ICR, lo);
}

static void icr(uint32_t dest, uint32_t lo)
{
	icr_mode(x2_bsp, dest, lo);
}

static void apic_enable(void)
{
	apic_write(R_TPR, 0);
	apic_write(R_SVR, 0x100 | VEC_SPURIOUS);
}

static struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr;
static volatile uint32_t ap_id = ~0u, pings, answered, timer_fired, selfs;
/* Per round: TSC at vcpu 0's send, in vcpu 1's handler, at its answer, in
 * vcpu 0's handler. */
static volatile uint64_t t_send, t_woke, t_answer, t_back;
static uint32_t rtt[ROUNDS], wake[ROUNDS];
static uint8_t ap_stack[4096] __attribute__((aligned(16), used));

void ping_c(void);
void pong_c(void);
void timer_c(void);
void self_c(void);
void ap_main(void);

/* vcpu 1: the ping's handler answers at once (after switching to x2APIC
 * mode if asked). */
void ping_c(void)
{
	t_woke = rdtsc();
	pings++;
	apic_write_mode(x2_ap, R_EOI, 0);
	if (x2_switch && !x2_ap) {
		wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD);
		x2_ap = true;
	}
	t_answer = rdtsc();
	icr_mode(x2_ap, 0, VEC_PONG);
}

void self_c(void)
{
	selfs++;
	apic_write(R_EOI, 0);
}

void pong_c(void)
{
	t_back = rdtsc();
	answered = 1;
	apic_write(R_EOI, 0);
}

void timer_c(void)
{
	timer_fired = 1;
	apic_write(R_EOI, 0);
}

/* Interrupt stubs (no error code), the SIPI trampoline (real mode at
 * TRAMPOLINE: CS = TRAMPOLINE >> 4, so its own data is CS-relative) and
 * vcpu 1's 32-bit entry on its own stack. */
__asm__(".text\n"
	"ping_stub: pushal; cld; call ping_c; popal; iret\n"
	"pong_stub: pushal; cld; call pong_c; popal; iret\n"
	"timer_stub: pushal; cld; call timer_c; popal; iret\n"
	"self_stub: pushal; cld; call self_c; popal; iret\n"
	"spurious_stub: iret\n"
	".code16\n"
	"tramp_start:\n\t"
	"cli\n\t"
	"lgdtl %cs:(tramp_gdtr - tramp_start)\n\t"
	"movl %cr0, %eax\n\t"
	"orb $1, %al\n\t"
	"movl %eax, %cr0\n\t"
	"ljmpl $0x08, $ap_entry32\n"
	"tramp_gdtr: .word 23\n\t"
	".long gdt\n"
	"tramp_end:\n"
	".code32\n"
	"ap_entry32:\n\t"
	"movw $0x10, %ax\n\t"
	"movw %ax, %ds\n\t"
	"movw %ax, %es\n\t"
	"movw %ax, %fs\n\t"
	"movw %ax, %gs\n\t"
	"movw %ax, %ss\n\t"
	"movl $ap_stack + 4096, %esp\n\t"
	"cld\n\t"
	"call ap_main\n"
	"1: hlt; jmp 1b\n");
extern char ping_stub[], pong_stub[], timer_stub[], self_stub[], spurious_stub[], tramp_start[],
	tramp_end[];

static volatile uint32_t storm_go, storm_done[2], pm_back;

/* STORM bytes to the UART (see the top), with the PIT (vcpu 0) or the PM
 * timer (vcpu 1) read between them. */
static void uart_storm(unsigned cpu)
{
	uint32_t last = inl(PM_TMR) & 0xffffff;

	for (unsigned i = 1; i <= STORM; i++) {
		while (!(inb(COM1 + 5) & 0x20))
			pause();
		outb(COM1, i % 50 ? (uint8_t)('a' + cpu) : '\n');
		if (cpu) {
			uint32_t t = inl(PM_TMR) & 0xffffff;
			pm_back += ((t - last) & 0xffffff) >= 1u << 23;
			last = t;
		} else {
			outb(0x43, 0); /* latch counter 0 */
			(void)inb(0x40);
			(void)inb(0x40);
		}
	}
	storm_done[cpu] = 1;
}

/* vcpu 1: the runtime's IDT, its APIC on, then idle in HLT for good (but
 * for the UART storm, when asked). */
void ap_main(void)
{
	__asm__ volatile("lidt %0" : : "m"(idtr));
	apic_write_mode(false, R_TPR, 0);
	apic_write_mode(false, R_SVR, 0x100 | VEC_SPURIOUS);
	ap_id = apic_read_mode(false, R_ID) >> 24;
	for (;;) {
		__asm__ volatile("sti; hlt" ::: "memory");
		if (storm_go && !storm_done[1])
			uart_storm(1);
	}
}

static void set_gate(unsigned vec, char *handler)
{
	uint16_t *gate = (uint16_t *)(uintptr_t)(idtr.base + vec * 8);

	gate[0] = (uint16_t)(uintptr_t)handler;
	gate[1] = 0x08;
	gate[2] = 0x8e00; /* present, 32-bit interrupt gate */
	gate[3] = (uint16_t)((uintptr_t)handler >> 16);
}

/* Halts with interrupts on until the answer came or the timer fired (the
 * STI shadow covers the HLT: no interrupt slips in between the test and
 * the halt). */
static void halt_until_event(void)
{
	cli();
	while (!answered && !timer_fired)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	sti();
}

/* The APIC timer, one-shot, at 1 GHz / 16 (QEMU's and Eyrie's bus). */
static void timer_start(uint32_t count)
{
	timer_fired = 0;
	apic_write(R_TMICT, count);
}

static void spin_ms(uint64_t ms)
{
	uint64_t end = now_ns() + ms * MS;

	while (now_ns() < end)
		pause();
}

/* INIT, 10 ms, SIPI, 1 ms, SIPI (ignored by a CPU already started), as
 * the MP specification has it; then up to 30 s for vcpu 1 to say its ID. */
static bool start_ap(void)
{
	memcpy((void *)TRAMPOLINE, tramp_start, (size_t)(tramp_end - tramp_start));
	icr(1, ICR_INIT);
	spin_ms(10);
	icr(1, ICR_SIPI | TRAMPOLINE >> 12);
	spin_ms(1);
	icr(1, ICR_SIPI | TRAMPOLINE >> 12);
	uint64_t end = now_ns() + 30000 * MS;
	sti();
	while (ap_id == ~0u && now_ns() < end)
		pause();
	return check("ap-up", ap_id == 1, "vcpu 1 started by INIT-SIPI-SIPI, its APIC ID %d",
		     (int)ap_id);
}

/* Sleeps on the APIC timer so that vcpu 1 settles back into HLT. */
static void settle(void)
{
	answered = 0;
	timer_start(SETTLE_COUNT);
	halt_until_event();
}

/* Sorts a (insertion: small), returns its median. */
static uint32_t median(uint32_t *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j && a[j - 1] > a[j]; j--) {
			uint32_t t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
	return a[n / 2];
}

static void report(const char *what, const char *unit, uint32_t *a, unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		sum += a[i];
	uint32_t med = median(a, n);
	gprintf("%s: %u %s, %llu TSC ticks each (min %u, median %u)\n", what, n, unit,
		(unsigned long long)(n ? sum / n : 0), n ? a[0] : 0, med);
}

static uint32_t clamp32(uint64_t v)
{
	return v > 0xffffffffu ? 0xffffffffu : (uint32_t)v;
}

/* ROUNDS round trips; the number done, stopping at the first one out of
 * order (a TSC behind the reading it follows) or unanswered; *skew gets
 * the smallest TSC step from one vcpu to the other. */
static unsigned rounds(int64_t *skew)
{
	unsigned n = 0;

	*skew = INT64_MAX;
	for (; n < ROUNDS; n++) {
		settle();
		answered = 0;
		timer_start(TIMEOUT_COUNT);
		t_send = rdtsc();
		icr(1, VEC_PING);
		halt_until_event();
		apic_write(R_TMICT, 0);   /* the timeout stopped */
		if (!answered)
			break;
		int64_t a = (int64_t)(t_woke - t_send), b = (int64_t)(t_back - t_answer);
		int64_t worst = a < b ? a : b;
		if (worst < *skew)
			*skew = worst;
		if (worst < 0 || pings != n + 1)
			break;
		wake[n] = clamp32(t_woke - t_send);
		rtt[n] = clamp32(t_back - t_send);
	}
	return n;
}

/* vcpu 0 asks vcpu 1 to switch to x2APIC mode with a ping, then switches
 * itself. */
static bool to_x2apic(void)
{
	x2_switch = true;
	settle();
	answered = 0;
	timer_start(TIMEOUT_COUNT);
	icr(1, VEC_PING);
	halt_until_event();
	apic_write(R_TMICT, 0);
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD);
	x2_bsp = true;
	return check("x2apic-mode", answered && x2_ap && apic_read(R_ID) == 0 &&
		     (rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD),
		     "both vcpus in x2APIC mode (answered %u, vcpu 1 %d, ID %u)", answered,
		     x2_ap, apic_read(R_ID));
}

/* What a hostile or buggy kernel does to its x2APIC; nothing may stop the
 * round trips that follow. */
static void x2apic_hostile(void)
{
	uint32_t before = pings;

	icr(0x55, VEC_PING);            /* fixed, to an APIC ID nobody has */
	icr(0x77, 0x400);               /* NMI, to nobody */
	apic_write(R_EOI, 0);           /* nothing in service */
	apic_write(R_TPR, 0x20);
	uint32_t tpr = apic_read(R_TPR);
	apic_write(R_TPR, 0);
	cli();
	for (unsigned i = 0; i < SELF_IPIS; i++)
		wrmsr(X2(R_SELF), VEC_SELF);
	sti();
	uint64_t end = now_ns() + 1000 * MS;
	while (selfs < SELF_IPIS && now_ns() < end)
		pause();
	int gp_id = wrmsr_safe(X2(R_ID), 5), gp_eoi = wrmsr_safe(X2(R_EOI), 1);
	int gp_icr = wrmsr_safe(X2(R_ICR), 1u << 13 | VEC_PING); /* a reserved bit */
	check("x2apic-hostile",
	      pings == before && tpr == 0x20 && selfs >= 1 && gp_id == 13 && gp_eoi == 13 &&
		      gp_icr == 13,
	      "no ping from IPIs to absent APICs (%u), TPR read back 0x%x, %u of %u self IPIs "
	      "taken (merged while pending), #GP for ID, EOI 1, reserved ICR bit (%d %d %d)",
	      pings - before, tpr, selfs, SELF_IPIS, gp_id, gp_eoi, gp_icr);
}

void guest_main(void)
{
	__asm__ volatile("sidt %0" : "=m"(idtr));
	set_gate(VEC_PING, ping_stub);
	set_gate(VEC_PONG, pong_stub);
	set_gate(VEC_TIMER, timer_stub);
	set_gate(VEC_SELF, self_stub);
	set_gate(VEC_SPURIOUS, spurious_stub);
	apic_enable();
	apic_write(R_TDCR, 0x3);          /* divide by 16 */
	apic_write(R_LVT_TIMER, VEC_TIMER); /* one-shot, unmasked */
	gprintf("lapicipi: %s, APIC ID %u, tsc_khz %u\n",
		hv_is_eyrie() ? "under Eyrie" : "bare", apic_read(R_ID) >> 24, tsc_khz);
	if (!start_ap())
		return;
	int64_t skew;
	unsigned n = rounds(&skew);
	check("round-trips", n == ROUNDS, "%u of %u round trips answered, in order", n, ROUNDS);
	check("tsc-synchronised", skew >= 0,
	      "no TSC read after an IPI behind the one before it on the other vcpu "
	      "(smallest step %lld ticks)",
	      (long long)skew);
	report("lapicipi", "round trips", rtt, n);
	report("lapicipi-wake", "wake-ups", wake, n);
	uint32_t r[4];
	cpuid(1, 0, r);
	if (!(r[2] & 1u << 21)) {
		gprintf("lapicipi-x2apic: skipped (CPUID offers no x2APIC)\n");
		return;
	}
	if (!to_x2apic())
		return;
	x2apic_hostile();
	pings = 0;
	n = rounds(&skew);
	check("x2apic-round-trips", n == ROUNDS && skew >= 0,
	      "%u of %u round trips through the x2APIC MSRs answered, in order", n, ROUNDS);
	report("lapicipi-x2apic", "round trips", rtt, n);
	if (!hv_is_eyrie())
		return;
	gprintf("lapicipi-uart: storm\n");
	storm_go = 1;
	icr(1, VEC_PING); /* vcpu 1 wakes, answers and storms */
	uart_storm(0);
	uint64_t end = now_ns() + 60000 * MS;
	while (!storm_done[1] && now_ns() < end)
		pause();
	gprintf("lapicipi-uart: done\n");
	check("uart-storm", storm_done[1] && !pm_back, "both vcpus wrote %u bytes: %s; PM timer "
	      "steps back %u", STORM, storm_done[1] ? "yes" : "vcpu 1 did not finish", pm_back);
}
