/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel 8254 programmable interval timer (pure, host-tested): counters at
 * 0x40-0x42, control word at 0x43, and PC port 0x61 (channel 2 gate,
 * speaker data, refresh toggle, channel 2 output). Counters are derived
 * from the guest TSC on demand; only channel 0's output is wired, to ISA
 * IRQ 0. See vpit.c for what is and is not modelled.
 */
#ifndef EYRIE_VMM_VPIT_H
#define EYRIE_VMM_VPIT_H

#include <stdbool.h>
#include <stdint.h>

#define VPIT_HZ 1193182u

struct vpit_chan {
	uint32_t count;        /* reload value, 1-65536 */
	uint16_t latch;        /* latched count */
	uint8_t mode, rw, bcd; /* from the control word; rw: 1 LSB, 2 MSB, 3 both */
	uint8_t status;        /* latched status byte */
	uint8_t wlsb;          /* first byte of an LSB-then-MSB write */
	bool wflip, rflip;     /* next write / read is the MSB (rw 3) */
	uint8_t latched;       /* count bytes still to read from latch */
	bool status_latched, null_count;
	bool loaded;           /* a count was written since the control word */
	bool running;          /* counting since start (gate and trigger) */
	bool gate;
	uint64_t start;        /* TSC at which counting (re)started */
	uint64_t base;         /* ticks counted before start (gate pauses) */
};

struct vpit {
	struct vpit_chan ch[3];
	uint64_t tsc_hz;
	uint64_t next_tick;    /* channel 0's next OUT rising edge, in ticks */
	uint8_t port61;        /* bits 0-3 as written */
	void (*irq)(void *ctx, unsigned isa_irq, bool level);
	void *ctx;
};

/* Power-on state: no counts loaded, channel 2 gate low, no interrupt. */
void vpit_init(struct vpit *t, uint64_t tsc_hz,
	       void (*irq)(void *ctx, unsigned isa_irq, bool level), void *ctx);
/* One byte access to 0x40-0x43 or 0x61 at guest TSC now; a read (in)
 * stores into *val. Other ports read 0xff. */
void vpit_io(struct vpit *t, uint64_t now, uint16_t port, bool in, uint8_t *val);
/* Guest TSC at which channel 0 next raises IRQ 0, UINT64_MAX if never. */
uint64_t vpit_next_event(const struct vpit *t);
/* Delivers IRQ 0 as one pulse if channel 0's output rose since the last
 * call (missed periods collapse into one); returns whether it did. */
bool vpit_advance(struct vpit *t, uint64_t now);

#endif
