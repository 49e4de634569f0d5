/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI fixed hardware of the virtual platform (pure, host-tested): PM1a
 * event and control blocks, the 32-bit PM timer, and the ways a PC guest
 * asks for a reset (0xCF9, port 0x92, the 8042's pulse-reset command) or
 * power-off (SLP_EN with SLP_TYP = S5). ACPI mode is always on (the FADT's
 * SMI_CMD is 0), so PM1_CNT.SCI_EN reads 1.
 */
#ifndef EYRIE_VMM_VPM_H
#define EYRIE_VMM_VPM_H

#include <stdbool.h>
#include <stdint.h>

#define VPM_PORT_BASE 0x600u /* PM1a_EVT 0x600 (STS 2, EN 2), PM1a_CNT 0x604 (2), PM_TMR 0x608 (4) */
#define VPM_PORT_LEN  12u
#define VPM_TMR_HZ 3579545u
#define VPM_SLP_TYP_S5 5u
#define VPM_SCI_IRQ 9u

enum vpm_event { VPM_NONE, VPM_POWEROFF, VPM_RESET };

struct vpm {
	uint64_t tsc_hz;
	uint64_t tmr_epoch; /* PM timer ticks >> 31 when TMR_STS was last updated */
	uint16_t sts, en, cnt;
	uint8_t cf9, p92;
	bool sci_level;
	void (*irq)(void *ctx, unsigned isa_irq, bool level);
	void *ctx;
};

/* Resets to power-on state; the SCI (IRQ 9) starts low. tsc_hz > 0. */
void vpm_init(struct vpm *p, uint64_t tsc_hz,
	      void (*irq)(void *ctx, unsigned isa_irq, bool level), void *ctx);

/*
 * A port access of size 1, 2 or 4 at guest TSC now: the PM block
 * (VPM_PORT_BASE..+0xb), 0xCF9 (reset control: a write with bit 2 set
 * resets, bit 1 choosing hard/soft is not distinguished), 0x92 (bit 0 going
 * 0->1 resets), 0x64 (command 0xFE resets; status reads 0x1c: no data, no
 * keyboard) and 0x60 (reads 0). Other ports read all ones. Reads store into
 * *val (zero-extended), writes take the low size bytes of *val. Returns the
 * event the access caused.
 */
enum vpm_event vpm_io(struct vpm *p, uint64_t now, uint16_t port, unsigned size,
		      bool in, uint32_t *val);

#endif
