/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Motorola MC146818 CMOS real-time clock (pure, host-tested): index port
 * 0x70 (bit 7 the NMI mask), data port 0x71, 128 bytes of which 0x00-0x0D
 * and 0x32 (century) are the clock and the rest battery-backed RAM. The
 * clock is derived from the guest TSC: a base instant (a second boundary)
 * and the Unix time at it. IRQ 8 is level-triggered through IRQF.
 */
#ifndef EYRIE_VMM_VRTC_H
#define EYRIE_VMM_VRTC_H

#include <stdbool.h>
#include <stdint.h>

struct vrtc {
	uint8_t cmos[128];     /* RAM; time registers as last materialised */
	uint8_t index;         /* last write to 0x70 */
	uint64_t tsc_hz;
	uint64_t base_tsc;     /* a second boundary (arithmetic is modular) */
	uint64_t base_unix;    /* clock time at base_tsc */
	uint64_t checked;      /* register C is up to date until this TSC */
	bool irq_high;
	void (*irq)(void *ctx, unsigned isa_irq, bool level);
	void *ctx;
};

/* unix_time: seconds since 1970 (UTC) that correspond to guest TSC now.
 * Starts as a BIOS leaves it: A 0x26 (32 kHz, 1024 Hz), B 0x02 (24 hour,
 * BCD, no interrupts), D 0x80, RAM zero. */
void vrtc_init(struct vrtc *r, uint64_t unix_time, uint64_t now, uint64_t tsc_hz,
	       void (*irq)(void *ctx, unsigned isa_irq, bool level), void *ctx);
/* One byte access to 0x70 or 0x71 at guest TSC now; a read (in) stores
 * into *val. Other ports (and reading 0x70) give 0xff. */
void vrtc_io(struct vrtc *r, uint64_t now, uint16_t port, bool in, uint8_t *val);
/* Guest TSC of the next enabled periodic, alarm or update interrupt;
 * UINT64_MAX if none is enabled or IRQ 8 is already high (it stays high
 * until register C is read). */
uint64_t vrtc_next_event(const struct vrtc *r);
/* Brings register C up to now; true if that raised IRQ 8. */
bool vrtc_advance(struct vrtc *r, uint64_t now);

#endif
