/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 8254 PIT (see vpit.h). Reference: Intel 82C54 datasheet (231244); QEMU's
 * hw/timer/i8254.c for what PC software expects.
 *
 * A channel's state is its elapsed tick count d = base + ticks since
 * start, from which the counter value and OUT follow (N = reload value):
 *   mode 0, 1  OUT rises when d reaches N (one shot); counter N - d
 *   mode 2     counter N - d % N; OUT low while it reads 1, rising at
 *              each multiple of N (the IRQ 0 instants)
 *   mode 3     OUT high for the first (N + 1) / 2 ticks of each period,
 *              low for the rest; counter N - 2d % N (decrements by two)
 *   mode 4, 5  OUT low for the one tick at d = N, rising at N + 1
 * Gate (channel 2 only; 0 and 1 are high): low pauses modes 0 and 4, stops
 * modes 2 and 3 with OUT high; a rising edge restarts modes 1, 2, 3 and 5
 * (1 and 5 wait for it after the count is written). A new count takes
 * effect immediately in every mode (the datasheet defers it to the end of
 * the period in modes 2 and 3: indistinguishable for Linux, which writes
 * a control word first). The BCD bit is stored and reported but counting
 * is binary. Count 0 means 65536.
 */
#include "vmm/plat/vpit.h"
#include "kernel/string.h"

#define REFRESH_NS 15085u   /* port 0x61 bit 4 toggles every 15.085 us */

static uint64_t ticks(const struct vpit *t, const struct vpit_chan *c, uint64_t now)
{
	if (!c->running)
		return c->base;
	return c->base + (uint64_t)((unsigned __int128)(now - c->start) * VPIT_HZ / t->tsc_hz);
}

static bool out(const struct vpit_chan *c, uint64_t d)
{
	uint32_t n = c->count;

	if (!c->loaded)
		return c->mode != 0;
	if (!c->running && c->mode != 0 && c->mode != 4)
		return true;
	switch (c->mode) {
	case 0: case 1: return d >= n;
	case 2:         return n < 2 || d % n != n - 1;
	case 3:         return d % n < (n + 1) / 2;
	default:        return d != n;  /* 4, 5 */
	}
}

static uint16_t counter(const struct vpit_chan *c, uint64_t d)
{
	uint32_t n = c->count;

	if (!c->running && c->base == 0)
		return (uint16_t)n;
	switch (c->mode) {
	case 2:  return (uint16_t)(n - d % n);
	case 3:  return (uint16_t)(n - (2 * d) % n);
	default: return (uint16_t)(n - d);      /* wraps past 0 as the 8254 */
	}
}

/* Channel 0's next OUT rising edge after tick d, UINT64_MAX if none. */
static uint64_t next_rise(const struct vpit_chan *c, uint64_t d)
{
	uint64_t n = c->count;

	if (!c->loaded || !c->running)
		return UINT64_MAX;
	if (c->mode == 2 || c->mode == 3)
		return (d / n + 1) * n;
	if (c->mode >= 4)
		n++;
	return d < n ? n : UINT64_MAX;
}

static void set_gate(struct vpit *t, struct vpit_chan *c, bool gate, uint64_t now)
{
	if (gate == c->gate)
		return;
	/* Modes 0 and 4 pause / resume; a rise triggers or reloads, and a
	 * fall stops modes 2 and 3. */
	if (c->loaded && (gate || (c->mode != 1 && c->mode != 5))) {
		c->base = c->mode == 0 || c->mode == 4 ? ticks(t, c, now) : 0;
		c->start = now;
		c->running = gate;
	}
	c->gate = gate;
}

static void load(struct vpit *t, struct vpit_chan *c, uint16_t v, uint64_t now)
{
	c->count = v ? v : 65536;
	c->loaded = true;
	c->null_count = false;
	c->start = now;
	c->base = 0;
	c->running = c->gate && c->mode != 1 && c->mode != 5;
	if (c == &t->ch[0])
		t->next_tick = next_rise(c, 0);
}

static void write_count(struct vpit *t, struct vpit_chan *c, uint8_t v, uint64_t now)
{
	if (c->rw == 3 && !c->wflip) {
		c->wlsb = v;
		c->wflip = true;
		return;
	}
	c->wflip = false;
	load(t, c, c->rw == 1 ? v : c->rw == 2 ? (uint16_t)(v << 8) : (uint16_t)(c->wlsb | v << 8), now);
}

static uint8_t read_count(struct vpit *t, struct vpit_chan *c, uint64_t now)
{
	uint16_t v;
	bool msb;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		v = c->latch;
		msb = c->rw == 2 || (c->rw == 3 && c->latched == 1);
		c->latched--;
	} else {
		v = counter(c, ticks(t, c, now));
		msb = c->rw == 2 || (c->rw == 3 && c->rflip);
		if (c->rw == 3)
			c->rflip = !c->rflip;
	}
	return (uint8_t)(msb ? v >> 8 : v);
}

static void latch_count(struct vpit *t, struct vpit_chan *c, uint64_t now)
{
	if (c->latched)
		return;                         /* the first latch holds */
	c->latch = counter(c, ticks(t, c, now));
	c->latched = c->rw == 3 ? 2 : 1;
}

static void control(struct vpit *t, uint8_t v, uint64_t now)
{
	struct vpit_chan *c;

	if ((v >> 6) == 3) {                    /* read-back */
		for (unsigned i = 0; i < 3; i++) {
			if (!(v & (2u << i)))
				continue;
			c = &t->ch[i];
			if (!(v & 0x20))
				latch_count(t, c, now);
			if (!(v & 0x10) && !c->status_latched) {
				c->status = (uint8_t)(out(c, ticks(t, c, now)) << 7 | c->null_count << 6 |
						      c->rw << 4 | c->mode << 1 | c->bcd);
				c->status_latched = true;
			}
		}
		return;
	}
	c = &t->ch[v >> 6];
	if (!(v & 0x30)) {
		latch_count(t, c, now);
		return;
	}
	c->rw = (v >> 4) & 3;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;                   /* 6 and 7 are 2 and 3 */
	c->bcd = v & 1;
	c->wflip = c->rflip = c->status_latched = c->loaded = c->running = false;
	c->latched = 0;
	c->null_count = true;
	c->base = 0;
	if (c == &t->ch[0])
		t->next_tick = UINT64_MAX;
}

void vpit_init(struct vpit *t, uint64_t tsc_hz,
	       void (*irq)(void *ctx, unsigned isa_irq, bool level), void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->tsc_hz = tsc_hz;
	t->irq = irq;
	t->ctx = ctx;
	t->next_tick = UINT64_MAX;
	for (unsigned i = 0; i < 3; i++)
		t->ch[i].count = 65536, t->ch[i].gate = i != 2;
}

void vpit_io(struct vpit *t, uint64_t now, uint16_t port, bool in, uint8_t *val)
{
	struct vpit_chan *c2 = &t->ch[2];

	if (port >= 0x40 && port <= 0x42) {
		struct vpit_chan *c = &t->ch[port - 0x40];

		if (in)
			*val = c->rw ? read_count(t, c, now) : 0;
		else if (c->rw)
			write_count(t, c, *val, now);
	} else if (port == 0x43) {
		if (in)
			*val = 0xff;                /* write-only */
		else
			control(t, *val, now);
	} else if (port == 0x61) {
		if (in) {
			uint64_t ns = (uint64_t)((unsigned __int128)now * 1000000000u / t->tsc_hz);

			*val = (uint8_t)(t->port61 | ((ns / REFRESH_NS) & 1) << 4 |
					 out(c2, ticks(t, c2, now)) << 5);
		} else {
			t->port61 = *val & 0x0f;
			set_gate(t, c2, *val & 1, now);
		}
	} else if (in) {
		*val = 0xff;
	}
}

/* The first TSC at which channel 0 has counted tick next_tick (>= base). */
uint64_t vpit_next_event(const struct vpit *t)
{
	const struct vpit_chan *c = &t->ch[0];

	if (t->next_tick == UINT64_MAX)
		return UINT64_MAX;
	return c->start + (uint64_t)(((unsigned __int128)(t->next_tick - c->base) * t->tsc_hz +
				      VPIT_HZ - 1) / VPIT_HZ);
}

bool vpit_advance(struct vpit *t, uint64_t now)
{
	const struct vpit_chan *c = &t->ch[0];

	if (t->next_tick == UINT64_MAX || now < vpit_next_event(t))
		return false;
	t->next_tick = next_rise(c, ticks(t, c, now));
	t->irq(t->ctx, 0, true);
	t->irq(t->ctx, 0, false);
	return true;
}
