/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 32-bit guests' IDT: exceptions 0-31 and the callback vector, all
 * interrupt gates on the runtime's code selector. An exception with the
 * fault fixup armed (x86.h *_safe, the hypercall wrappers) is recorded and
 * resumes at the fixup; any other exception is reported as a FAIL and the
 * guest shuts down with reason crash. The callback vector and a second
 * device vector count.
 */
#include "runtime.h"
#include "x86.h"

struct trap_frame {
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax; /* pushal */
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

struct gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct gate idt[256];
extern const uint32_t isr_table[34];  /* isr32.S: vectors 0-31, the callback, 0xf1 */
void trap(struct trap_frame *f);

volatile uint32_t fault_fixup;
volatile int fault_vector = -1;
volatile uint32_t fault_error;
volatile uint32_t callback_count, vector2_count;
void (*callback_hook)(void);

static void set_gate(unsigned vec, uint32_t handler)
{
	idt[vec].off_lo = (uint16_t)handler;
	idt[vec].sel = 0x08;
	idt[vec].zero = 0;
	idt[vec].type = 0x8e;   /* present, DPL 0, 32-bit interrupt gate */
	idt[vec].off_hi = (uint16_t)(handler >> 16);
}

void idt_init(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint32_t)idt };

	for (unsigned v = 0; v < 32; v++)
		set_gate(v, isr_table[v]);
	set_gate(CALLBACK_VECTOR, isr_table[32]);
	set_gate(VECTOR2, isr_table[33]);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

long callback_setup(void)
{
	uint64_t v = HVM_CALLBACK_VECTOR(CALLBACK_VECTOR);

	return hc_hvm_param(HVMOP_set_param, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, &v);
}

void trap(struct trap_frame *f)
{
	if (f->vector == CALLBACK_VECTOR || f->vector == VECTOR2) {
		if (f->vector == VECTOR2)
			vector2_count++;
		else
			callback_count++;
		if (callback_hook)
			callback_hook();
		return;
	}
	if (fault_fixup) {
		fault_vector = (int)f->vector;
		fault_error = f->error;
		f->eip = fault_fixup;
		fault_fixup = 0;
		return;
	}
	fail("exception", "unexpected exception %u (error 0x%x) at eip 0x%x", f->vector,
	     f->error, f->eip);
	gprintf("  eax %08x ebx %08x ecx %08x edx %08x esi %08x edi %08x ebp %08x\n", f->eax,
		f->ebx, f->ecx, f->edx, f->esi, f->edi, f->ebp);
	guest_exit(SHUTDOWN_crash);
}
