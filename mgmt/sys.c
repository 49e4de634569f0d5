/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management domain's system layer: hypercalls (64-bit Xen ABI), and
 * the "system calls" newlib needs (its x86_64-elf build calls the plain
 * names: write, read, sbrk, ..., _exit). Output goes to the hypervisor
 * console (console_io), input comes from the serial line switched to
 * domain 0 (Ctrl-A x3: CONSOLEIO_read, woken by VIRQ_CONSOLE). While it
 * waits for input, the idle hook (the console backend) runs at every
 * event of a watched channel and at least every 100 ms.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "include/public/event_channel.h"
#include "include/public/eyrie.h"
#include "include/public/memory.h"
#include "include/public/xen.h"
#include "mgmt/sys.h"

#undef errno
extern int errno;

static int amd; /* VMMCALL rather than VMCALL */

/* Our shared info (mapped over this page) and the event channels whose
 * events end sys_wait. */
static union {
	struct shared_info s;
	char page[4096];
} shinfo_page __attribute__((aligned(4096)));
#define SYS_MAX_PORTS 128
static uint32_t watched[SYS_MAX_PORTS];
static unsigned nr_watched;
static uint32_t virq_port[NR_VIRQS]; /* 0: not bound */
/* Pending bits sys_wait cleared, kept for sys_fired. */
static uint64_t fired[EVTCHN_2L_NR_CHANNELS / 64];
static bool busy;
static uint64_t (*idle)(void);

long hypercall(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3)
{
	register unsigned long r10 __asm__("r10") = 0;
	long ret;

	if (amd)
		__asm__ volatile("vmmcall" : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10)
				 : "a"(nr) : "memory", "rcx", "r8", "r9", "r11");
	else
		__asm__ volatile("vmcall" : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10)
				 : "a"(nr) : "memory", "rcx", "r8", "r9", "r11");
	return ret;
}

uint64_t tsc_khz;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

uint64_t now_ns(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	uint64_t t = (uint64_t)hi << 32 | lo;
	return t / tsc_khz * 1000000 + t % tsc_khz * 1000000 / tsc_khz;
}

void sys_init(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	amd = r[1] == 0x68747541 || r[1] == 0x6f677948; /* "Auth", "Hygo" */
	cpuid(0x40000003, 0, r);
	tsc_khz = r[2] ? r[2] : 1000000;
	/* The shared info, for the pending bits of our event channels (no
	 * callback vector: events only end sys_wait's SCHEDOP_poll). */
	struct xen_add_to_physmap ap = { DOMID_SELF, 0, XENMAPSPACE_shared_info, 0,
					 (uintptr_t)&shinfo_page >> 12 };
	hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&ap, 0);
	/* Console input wakes us: VIRQ_CONSOLE; a domain we built stopping:
	 * VIRQ_DOM_EXC. */
	for (uint32_t virq = VIRQ_CONSOLE; virq != 0; virq = virq == VIRQ_CONSOLE ? VIRQ_DOM_EXC : 0) {
		struct evtchn_bind_virq bv = { virq, 0, 0 };
		if (!hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, (unsigned long)&bv, 0)) {
			sys_watch(bv.port, true);
			virq_port[virq] = bv.port;
		}
	}
}

void sys_watch(uint32_t port, bool on)
{
	unsigned i = 0;

	while (i < nr_watched && watched[i] != port)
		i++;
	if (on && i == nr_watched && nr_watched < SYS_MAX_PORTS)
		watched[nr_watched++] = port;
	else if (!on && i < nr_watched)
		watched[i] = watched[--nr_watched];
}

void sys_wait(uint64_t timeout_ns)
{
	struct sched_poll p = { (uintptr_t)watched, nr_watched, now_ns() + timeout_ns };

	if (!busy)
		hypercall(HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&p, 0);
	busy = false;
	/* Whatever woke us is looked at by the caller: clear the bits, and
	 * remember them for sys_fired. */
	for (unsigned i = 0; i < nr_watched; i++) {
		uint64_t bit = 1ull << (watched[i] % 64);
		if (__atomic_fetch_and(&shinfo_page.s.evtchn_pending[watched[i] / 64], ~bit,
				       __ATOMIC_SEQ_CST) & bit)
			fired[watched[i] / 64] |= bit;
	}
	shinfo_page.s.vcpu_info[0].evtchn_upcall_pending = 0;
	shinfo_page.s.vcpu_info[0].evtchn_pending_sel = 0;
}

bool sys_fired(uint32_t port)
{
	uint64_t bit = 1ull << (port % 64);

	if (port >= EVTCHN_2L_NR_CHANNELS)
		return false;
	bool was = fired[port / 64] & bit;
	fired[port / 64] &= ~bit;
	/* A port still pending (no sys_wait since the event) counts too. */
	return (__atomic_fetch_and(&shinfo_page.s.evtchn_pending[port / 64], ~bit, __ATOMIC_SEQ_CST)
		& bit) || was;
}

bool sys_virq_fired(uint32_t virq, uint64_t *next, uint64_t period_ns)
{
	uint64_t now = now_ns();

	if (virq < NR_VIRQS && virq_port[virq] && !sys_fired(virq_port[virq]) && now < *next)
		return false;
	*next = now + period_ns;
	return true;
}

void sys_busy(void)
{
	busy = true;
}

void sys_set_idle(uint64_t (*fn)(void))
{
	idle = fn;
}

/*
 * Device memory. EYRIE_OP_iomem maps a device's frames at guest-physical
 * frames above our RAM (the hypervisor wants them there); entry.S maps
 * only the first 4 GiB, so the window gets page tables of its own here:
 * 4 KiB pages with PCD|PWT (uncached with the default PAT, whatever the
 * hypervisor's nested tables say), identity mapped like the rest.
 */
#define MMIO_WINDOW (16ull << 20)
#define MMIO_TABLES (2 + MMIO_WINDOW / (2ull << 20)) /* PDPT, PD and PTs */
#define PTE_P 1ull
#define PTE_W 2ull
#define PTE_PWT 8ull
#define PTE_PCD 16ull
#define PTE_PS 128ull
#define PTE_ADDR 0x000ffffffffff000ull

static uint64_t mmio_tables[MMIO_TABLES][512] __attribute__((aligned(4096)));
static unsigned mmio_tables_used;
static uint64_t mmio_base, mmio_used;

/*
 * Pages for grant mappings above our RAM: guest-physical frames where
 * nothing is (a hole), which the hypervisor lets a grant mapping use
 * (below its P2M_FRAME_MAX, off the APIC window) and entry.S's identity
 * map already covers (below 4 GiB, write-back). Unlike a page of our RAM
 * mapped over (which goes back to the hypervisor, a hole for good), such a
 * page costs nothing and may be mapped and unmapped any number of times.
 */
static uint64_t grant_base;

void sys_mmio_init(uint64_t ram_end)
{
	/* At 4 GiB, or the next GiB above our RAM if that is higher: a PD of
	 * its own, never one of entry.S's. */
	uint64_t gib = 1ull << 30, mib2 = 2ull << 20;
	uint64_t g = (ram_end + mib2 - 1) & ~(mib2 - 1);

	mmio_base = ram_end > 4 * gib ? (ram_end + gib - 1) & ~(gib - 1) : 4 * gib;
	grant_base = g + SYS_GRANT_PAGES * 4096ull <= 0xfec00000ull ? g : 0;
}

void *sys_grant_page(unsigned i)
{
	return grant_base && i < SYS_GRANT_PAGES ? (void *)(uintptr_t)(grant_base + i * 4096ull)
						 : NULL;
}

/* The table an entry points to, made (zeroed, from mmio_tables) if absent;
 * NULL when the entry maps a large page or no table is left. */
static uint64_t *next_table(uint64_t *entry)
{
	if (*entry & PTE_P)
		return *entry & PTE_PS ? NULL : (uint64_t *)(uintptr_t)(*entry & PTE_ADDR);
	if (mmio_tables_used == MMIO_TABLES)
		return NULL;
	uint64_t *t = mmio_tables[mmio_tables_used++];
	*entry = (uint64_t)(uintptr_t)t | PTE_P | PTE_W;
	return t;
}

static int map_page_uc(uint64_t va)
{
	uint64_t cr3;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	uint64_t *t = (uint64_t *)(uintptr_t)(cr3 & PTE_ADDR);
	for (int shift = 39; shift > 12; shift -= 9)
		if (!(t = next_table(&t[(va >> shift) & 511])))
			return -1;
	t[(va >> 12) & 511] = va | PTE_P | PTE_W | PTE_PWT | PTE_PCD;
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	return 0;
}

void *sys_map_mmio(uint64_t maddr, uint64_t len)
{
	uint64_t off = maddr & 4095, pages = (off + len + 4095) >> 12;

	if (!mmio_base || !len || pages > (MMIO_WINDOW - mmio_used) >> 12)
		return NULL;
	uint64_t gpa = mmio_base + mmio_used;
	struct eyrie_dom_iomem m = { 0, 1, gpa >> 12, maddr >> 12, pages };
	if (hypercall(HYPERVISOR_eyrie_op, EYRIE_OP_iomem, (unsigned long)&m, 0))
		return NULL;
	for (uint64_t i = 0; i < pages; i++)
		if (map_page_uc(gpa + (i << 12)))
			return NULL; /* (the window is sized so that it cannot run out) */
	mmio_used += pages << 12;
	return (void *)(uintptr_t)(gpa + off);
}

static bool guest_midline; /* the last bytes out were a guest's, ending mid-line */

int write(int fd, const void *buf, size_t len)
{
	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	/* Our own lines start on a line of their own, not after a guest's
	 * half line (a test reading "mgmt: ..." would miss it). */
	if (guest_midline && len) {
		guest_midline = false;
		write(fd, "\n", 1);
	}
	if (hypercall(HYPERVISOR_console_io, CONSOLEIO_write, len, (unsigned long)buf)) {
		errno = EIO;
		return -1;
	}
	return (int)len;
}

void sys_write_guest(const char *buf, size_t len)
{
	if (!len)
		return;
	guest_midline = false; /* its line goes on */
	write(1, buf, len);
	guest_midline = buf[len - 1] != '\n';
}

/* Blocks until at least one byte of console input arrives. */
int read(int fd, void *buf, size_t len)
{
	if (fd != 0) {
		errno = EBADF;
		return -1;
	}
	static bool more = true;  /* the last read filled its buffer */
	static uint64_t next;     /* a look without the event after this */

	for (;;) {
		/* Only when VIRQ_CONSOLE said there is input (or 100 ms passed):
		 * the main loop wakes at every disk event, and a hypercall each
		 * time would cost every request one. */
		long n = 0;
		if (more || sys_virq_fired(VIRQ_CONSOLE, &next, 100000000ull)) {
			n = hypercall(HYPERVISOR_console_io, CONSOLEIO_read, len, (unsigned long)buf);
			more = n > 0 && (size_t)n == len;
		}
		if (n) {
			if (n < 0) {
				errno = EIO;
				return -1;
			}
			for (long i = 0; i < n; i++) /* Enter sends CR: a tty's ICRNL */
				if (((char *)buf)[i] == '\r')
					((char *)buf)[i] = '\n';
			return (int)n;
		}
		uint64_t wait = 100000000ull; /* an event, input or 100 ms */
		if (idle) {
			uint64_t want = idle(); /* the backends' work, between keystrokes */
			if (want < wait)
				wait = want;
		}
		sys_wait(wait);
	}
}

static char heap[4 << 20] __attribute__((aligned(16)));
static size_t heap_used;

void *sbrk(ptrdiff_t incr)
{
	if (incr < 0 ? (size_t)-incr > heap_used : (size_t)incr > sizeof(heap) - heap_used) {
		errno = ENOMEM;
		return (void *)-1;
	}
	void *p = heap + heap_used;
	heap_used += (size_t)incr;
	return p;
}

int close(int fd)
{
	errno = EBADF;
	return -1;
}

int fstat(int fd, struct stat *st)
{
	st->st_mode = S_IFCHR; /* the console: line buffered */
	return 0;
}

int isatty(int fd)
{
	return fd <= 2;
}

off_t lseek(int fd, off_t off, int whence)
{
	errno = ESPIPE;
	return -1;
}

int kill(int pid, int sig)
{
	errno = EINVAL;
	return -1;
}

int getpid(void)
{
	return 0;
}

void _exit(int status)
{
	static uint32_t reason;

	reason = status ? SHUTDOWN_crash : SHUTDOWN_poweroff;
	hypercall(HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)&reason, 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}
