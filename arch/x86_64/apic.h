/* SPDX-License-Identifier: GPL-2.0-only */
/* Local APIC (xAPIC or x2APIC), IOAPICs, and the legacy 8259 PICs. */
#ifndef EYRIE_ARCH_APIC_H
#define EYRIE_ARCH_APIC_H

#include <stdbool.h>
#include <stdint.h>

/* Masks both 8259s (after moving them off the exception vectors). */
void pic_disable(void);

/* Enables this CPU's local APIC: in x2APIC mode when the CPU has it (or
 * the firmware left it on), else xAPIC at the MADT's address. */
void lapic_init(uint64_t phys);
/* Enables an application processor's local APIC in the boot CPU's mode. */
void lapic_init_ap(void);
uint32_t lapic_id(void);
/* Sends an IPI: dest is the (x2APIC) id, icr the low ICR word (vector,
 * delivery mode, level, trigger). */
#define ICR_FIXED  0x00004000u /* fixed, assert, edge: | the vector */
#define ICR_INIT   0x00004500u /* INIT, assert, edge */
#define ICR_SIPI   0x00004600u /* startup, assert: | the page number */
void lapic_ipi(uint32_t dest, uint32_t icr);
void lapic_eoi(void);
/* Task priority: vectors of priority class <= tpr >> 4 wait in the IRR. */
void lapic_set_tpr(uint32_t tpr);
bool lapic_x2apic(void);
/* Timer: divide by 16; one-shot count or periodic. */
void lapic_timer_start(uint8_t vector, uint32_t count, bool periodic);
void lapic_timer_stop(void);
/* Re-arms a one-shot timer started by lapic_timer_start (count > 0). */
void lapic_timer_oneshot(uint32_t count);
uint32_t lapic_timer_current(void);

/* Registers an IOAPIC from the MADT; masks all its inputs. */
int ioapic_add(uint8_t id, uint64_t phys, uint32_t gsi_base);
/* Routes a GSI to vector on the CPU with LAPIC id dest, unmasked. */
int ioapic_route(uint32_t gsi, uint8_t vector, bool active_low, bool level, uint32_t dest);
/* Masks or unmasks GSI gsi's pin: 0 or -ENOENT. */
int ioapic_mask(uint32_t gsi, bool masked);
/* Describes IOAPIC i for `info`; false past the last. */
bool ioapic_describe(unsigned i, uint8_t *id, uint64_t *phys, uint32_t *gsi_base, uint32_t *pins);

#endif
