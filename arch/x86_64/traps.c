/* SPDX-License-Identifier: GPL-2.0-only */
/* GDT with a TSS, the IDT, and the exception dump. */
#include "arch/x86_64/traps.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "kernel/ksyms.h"
#include "kernel/log.h"

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS  0x18
#define IST_STACK_SIZE 8192

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* Each CPU's own: a TSS points at its IST stacks, and a busy TSS cannot
 * be shared. The IDT is everyone's. */
struct cpu_tables {
	uint8_t ist_stacks[3][IST_STACK_SIZE];
	uint64_t gdt[5];
	struct tss tss;
};
_Static_assert(sizeof(struct cpu_tables) <= TRAPS_CPU_BYTES, "TRAPS_CPU_BYTES too small");

static struct cpu_tables boot_tables __attribute__((aligned(16)));
static struct idt_entry idt[256];
static irq_handler_t handlers[256];

extern const char trap_stubs[];

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved 31",
};

static void set_gate(unsigned vec, uint8_t ist)
{
	uint64_t off = (uint64_t)(trap_stubs + 16 * vec);

	idt[vec] = (struct idt_entry){
		.off_lo = (uint16_t)off, .sel = SEL_CODE, .ist = ist,
		.type = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
		.off_mid = (uint16_t)(off >> 16), .off_hi = (uint32_t)(off >> 32),
	};
}

void traps_init_cpu(void *mem)
{
	struct cpu_tables *c = mem;
	uint64_t t = (uint64_t)&c->tss, *gdt = c->gdt;

	for (int i = 0; i < 3; i++)
		c->tss.ist[i] = (uint64_t)&c->ist_stacks[i][IST_STACK_SIZE];
	c->tss.iomap_base = sizeof(c->tss);
	gdt[1] = 0x00af9a000000ffff; /* 64-bit code */
	gdt[2] = 0x00cf92000000ffff; /* data */
	gdt[3] = (sizeof(c->tss) - 1) | ((t & 0xffffff) << 16) | (0x89ul << 40) |
		 (((t >> 24) & 0xff) << 56);
	gdt[4] = t >> 32;

	struct desc_ptr gp = { sizeof(c->gdt) - 1, (uint64_t)gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1: mov %2, %%eax\n\t"
			 "mov %%eax, %%ds\n\t"
			 "mov %%eax, %%es\n\t"
			 "mov %%eax, %%ss\n\t"
			 "ltr %w3"
			 : : "m"(gp), "i"(SEL_CODE), "i"(SEL_DATA), "r"(SEL_TSS)
			 : "rax", "memory");
	struct desc_ptr ip = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(ip));
}

void traps_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, 0);
	set_gate(2, 2);  /* NMI */
	set_gate(8, 1);  /* double fault */
	set_gate(18, 3); /* machine check */
	traps_init_cpu(&boot_tables);
}

void irq_register(uint8_t vector, irq_handler_t fn)
{
	handlers[vector] = fn;
}

extern char _image_start[], _text_end[];

static void print_frame(int depth, uint64_t addr)
{
	uint64_t off;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		printk("  #%d 0x%lx %s+0x%lx\n", depth, addr, name, off);
	else
		printk("  #%d 0x%lx\n", depth, addr);
}

void backtrace_print(uint64_t rbp)
{
	printk("backtrace:\n");
	for (int depth = 0; depth < 16 && rbp; depth++) {
		/* Only follow frames inside the hypervisor's own memory. */
		if (rbp & 7 || rbp < (uint64_t)_image_start || rbp > (1ull << 32))
			break;
		uint64_t *frame = (uint64_t *)rbp;
		uint64_t ret = frame[1];
		if (ret < (uint64_t)_image_start || ret >= (uint64_t)_text_end)
			break;
		print_frame(depth, ret);
		rbp = frame[0];
	}
}

static _Noreturn void exception_dump(struct trap_frame *f)
{
	const char *name = f->vector < 32 ? exc_names[f->vector] : "unexpected interrupt";

	console_flush(true);
	printk("\n*** EXCEPTION %lu: %s, error code 0x%lx ***\n", f->vector, name, f->error);
	printk("RIP %04lx:%016lx RFLAGS %016lx RSP %04lx:%016lx\n",
	       f->cs, f->rip, f->rflags, f->ss, f->rsp);
	printk("RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	printk("RSI %016lx RDI %016lx RBP %016lx R8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
	printk("R9  %016lx R10 %016lx R11 %016lx R12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
	printk("R13 %016lx R14 %016lx R15 %016lx\n", f->r13, f->r14, f->r15);
	printk("CR0 %016lx CR2 %016lx CR3 %016lx CR4 %016lx\n",
	       read_cr0(), read_cr2(), read_cr3(), read_cr4());
	if (f->vector == 14)
		printk("page fault: %s %s%s%s\n", f->error & 1 ? "protection" : "not-present",
		       f->error & 2 ? "write" : "read", f->error & 16 ? " instruction-fetch" : "",
		       f->error & 8 ? " reserved-bit" : "");
	printk("faulting instruction:\n");
	print_frame(0, f->rip);
	backtrace_print(f->rbp);
	printk("Eyrie: unhandled exception %lu in the hypervisor. System halted.\n", f->vector);
	cpu_halt_forever();
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
	irq_handler_t fn = handlers[f->vector & 0xff];

	if (f->vector >= 32 && fn) {
		this_cpu()->irqs++;
		fn(f);
		return;
	}
	if (f->vector == VEC_SPURIOUS)
		return;
	exception_dump(f);
}
