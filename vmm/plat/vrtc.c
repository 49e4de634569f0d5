/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MC146818 RTC (see vrtc.h). Reference: Motorola MC146818A datasheet;
 * QEMU's hw/rtc/mc146818rtc.c for what PC software expects.
 *
 * Nothing ticks: the time is base_unix + (now - base_tsc) / tsc_hz and is
 * written into the time registers (in the format register B selects) when
 * read. Register C's flags are brought up to date lazily: PF if a periodic
 * boundary (multiples of the rate's period, in 32768 Hz ticks from a
 * second boundary) passed since the last check, UF if a second boundary
 * passed, AF if one passed at which the time matched the alarm bytes (a
 * byte 0xC0-0xFF matches anything); IRQF = PF.PIE | AF.AIE | UF.UIE drives
 * IRQ 8 and reading C clears all.
 *
 * While SET (register B) is 1 or the divider (A bits 4-6) is not 010, the
 * clock is stopped: the registers hold what was last shown plus whatever
 * the guest writes, no UF/AF, UIP reads 0, and setting SET clears UIE.
 * When it runs again it starts from the registers, keeping the sub-second
 * phase (a release from divider reset puts the next update 500 ms out).
 * Time written while running takes effect at once. A time the registers
 * cannot express (bad BCD, day 31 in June, year before 1970) is ignored:
 * the clock keeps its old time. DSE (daylight saving) and SQWE are stored
 * and otherwise ignored; the periodic flag needs divider 010 too.
 */
#include "vmm/plat/vrtc.h"
#include "kernel/date.h"
#include "kernel/string.h"

enum { SEC, ASEC, MIN, AMIN, HOUR, AHOUR, WDAY, DAY, MON, YEAR, RA, RB, RC, RD, CENT = 0x32 };
enum { B_SET = 0x80, B_UIE = 0x10, B_DM = 0x04 /* binary, else BCD */, B_24H = 0x02 };
enum { C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10 };
#define DAY_S 86400u

static bool halted(const struct vrtc *r)
{
	return (r->cmos[RB] & B_SET) || (r->cmos[RA] & 0x70) != 0x20;
}

static uint8_t enc(const struct vrtc *r, unsigned v)
{
	return (uint8_t)((r->cmos[RB] & B_DM) ? v : (v / 10) << 4 | v % 10);
}

/* A bad BCD digit decodes to 100+, which date_to_unix rejects. */
static unsigned dec(const struct vrtc *r, uint8_t v)
{
	return (r->cmos[RB] & B_DM) ? v : (v & 0x0f) > 9 ? 100 : (v >> 4) * 10u + (v & 0x0f);
}

static uint8_t enc_hour(const struct vrtc *r, unsigned h)
{
	if (r->cmos[RB] & B_24H)
		return enc(r, h);
	return (uint8_t)(enc(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

static unsigned dec_hour(const struct vrtc *r, uint8_t v)
{
	unsigned h = dec(r, v & 0x7f);

	if (r->cmos[RB] & B_24H)
		return dec(r, v);
	return h < 1 || h > 12 ? 99 : h % 12 + (v & 0x80 ? 12 : 0);
}

static uint64_t elapsed(const struct vrtc *r, uint64_t now) { return now - r->base_tsc; }
static void materialise(struct vrtc *r, uint64_t now)
{
	unsigned y, mo, d, h, mi, s, wd;

	date_from_unix(r->base_unix + elapsed(r, now) / r->tsc_hz, &y, &mo, &d, &h, &mi, &s, &wd);
	r->cmos[SEC] = enc(r, s);
	r->cmos[MIN] = enc(r, mi);
	r->cmos[HOUR] = enc_hour(r, h);
	r->cmos[WDAY] = enc(r, wd + 1);
	r->cmos[DAY] = enc(r, d);
	r->cmos[MON] = enc(r, mo);
	r->cmos[YEAR] = enc(r, y % 100);
	r->cmos[CENT] = enc(r, y / 100);
}

/* The clock restarts from the registers at now. */
static void rebase(struct vrtc *r, uint64_t now, bool from_reset)
{
	uint64_t t = date_to_unix(dec(r, r->cmos[CENT]) * 100 + dec(r, r->cmos[YEAR]),
				     dec(r, r->cmos[MON]), dec(r, r->cmos[DAY]),
				     dec_hour(r, r->cmos[HOUR]), dec(r, r->cmos[MIN]),
				     dec(r, r->cmos[SEC]));

	if (t == UINT64_MAX)
		return;
	r->base_tsc = now - (from_reset ? r->tsc_hz - r->tsc_hz / 2 : elapsed(r, now) % r->tsc_hz);
	r->base_unix = t;
}

static bool match(uint8_t alarm, uint8_t v) { return (alarm & 0xc0) == 0xc0 || alarm == v; }

/* The first time after t0 that matches the alarm bytes, UINT64_MAX if none. */
static uint64_t next_alarm(const struct vrtc *r, uint64_t t0)
{
	uint64_t day = t0 - t0 % DAY_S, t;

	for (unsigned d = 0; d < 2; d++, day += DAY_S)
		for (unsigned h = 0; h < 24; h++) {
			if (day + h * 3600 + 3599 <= t0 || !match(r->cmos[AHOUR], enc_hour(r, h)))
				continue;
			for (unsigned m = 0; m < 60; m++) {
				if (day + h * 3600 + m * 60 + 59 <= t0 || !match(r->cmos[AMIN], enc(r, m)))
					continue;
				for (unsigned s = 0; s < 60; s++) {
					t = day + h * 3600 + m * 60 + s;
					if (t > t0 && match(r->cmos[ASEC], enc(r, s)))
						return t;
				}
			}
		}
	return UINT64_MAX;
}

/* Elapsed TSC (from base_tsc) of the first event of each kind after e. */
static uint64_t next_periodic(const struct vrtc *r, uint64_t e)
{
	unsigned rate = r->cmos[RA] & 0x0f;

	if (!rate || (r->cmos[RA] & 0x70) != 0x20)
		return UINT64_MAX;
	uint64_t p = rate < 3 ? 1u << (rate + 6) : 1u << (rate - 1);  /* 32768 Hz ticks */
	uint64_t k = ((uint64_t)((unsigned __int128)e * 32768 / r->tsc_hz) / p + 1) * p;
	return (uint64_t)(((unsigned __int128)k * r->tsc_hz + 32767) / 32768);
}

/* The next update (alarm: a matching one) after e, UINT64_MAX if none. */
static uint64_t next_update(const struct vrtc *r, uint64_t e, bool alarm)
{
	uint64_t t = r->base_unix + e / r->tsc_hz + 1;

	if (halted(r) || (alarm && (t = next_alarm(r, t - 1)) == UINT64_MAX))
		return UINT64_MAX;
	return (t - r->base_unix) * r->tsc_hz;
}

/* IRQF and IRQ 8 follow PF.PIE | AF.AIE | UF.UIE; true if IRQ 8 rose. */
static bool set_irqf(struct vrtc *r)
{
	bool high = r->cmos[RC] & r->cmos[RB] & (C_PF | C_AF | C_UF);

	r->cmos[RC] = (uint8_t)(high ? r->cmos[RC] | C_IRQF : r->cmos[RC] & ~C_IRQF);
	if (high == r->irq_high)
		return false;
	r->irq_high = high;
	r->irq(r->ctx, 8, high);
	return high;
}

bool vrtc_advance(struct vrtc *r, uint64_t now)
{
	uint64_t e0 = elapsed(r, r->checked), e1 = elapsed(r, now);

	if (now <= r->checked)
		return false;
	if (next_periodic(r, e0) <= e1)
		r->cmos[RC] |= C_PF;
	if (next_update(r, e0, false) <= e1)
		r->cmos[RC] |= C_UF;
	if (next_update(r, e0, true) <= e1)
		r->cmos[RC] |= C_AF;
	r->checked = now;
	return set_irqf(r);
}

void vrtc_init(struct vrtc *r, uint64_t unix_time, uint64_t now, uint64_t tsc_hz,
	       void (*irq)(void *ctx, unsigned isa_irq, bool level), void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->tsc_hz = tsc_hz;
	r->base_tsc = r->checked = now;
	r->base_unix = unix_time;
	r->irq = irq;
	r->ctx = ctx;
	r->cmos[RA] = 0x26;
	r->cmos[RB] = B_24H;
	r->cmos[RD] = 0x80;
}

static bool is_time(unsigned i)
{
	return i == SEC || i == MIN || i == HOUR || (i >= WDAY && i <= YEAR) || i == CENT;
}

static uint8_t reg_read(struct vrtc *r, uint64_t now, unsigned i)
{
	if (is_time(i) && !halted(r))
		materialise(r, now);
	if (i == RA) {
		uint64_t uip = (r->tsc_hz * 244 + 999999) / 1000000;
		bool in_uip = !halted(r) && elapsed(r, now) % r->tsc_hz >= r->tsc_hz - uip;

		return (uint8_t)((r->cmos[RA] & 0x7f) | in_uip << 7);
	}
	if (i != RC)
		return r->cmos[i];
	uint8_t v = r->cmos[RC];
	r->cmos[RC] = 0;
	set_irqf(r);
	return v;
}

static void reg_write(struct vrtc *r, uint64_t now, unsigned i, uint8_t v)
{
	bool was = halted(r), was_reset = (r->cmos[RA] & 0x60) == 0x60;

	if (i == RC || i == RD)
		return;
	if (!was && (is_time(i) || i == RA || i == RB))
		materialise(r, now);
	if (i == RB && (v & B_SET))
		v &= (uint8_t)~B_UIE;
	r->cmos[i] = i == RA ? v & 0x7f : v;
	if (!halted(r) && (was || is_time(i)))
		rebase(r, now, was && was_reset && i == RA);
	set_irqf(r);
}

void vrtc_io(struct vrtc *r, uint64_t now, uint16_t port, bool in, uint8_t *val)
{
	if (port == 0x70 && !in) {
		r->index = *val;
	} else if (port == 0x71) {
		vrtc_advance(r, now);
		if (in)
			*val = reg_read(r, now, r->index & 0x7f);
		else
			reg_write(r, now, r->index & 0x7f, *val);
	} else if (in) {
		*val = 0xff;
	}
}

uint64_t vrtc_next_event(const struct vrtc *r)
{
	/* PIE, AIE and UIE sit at the bit positions of PF, AF and UF. */
	uint64_t e = elapsed(r, r->checked), n = UINT64_MAX, x;
	uint8_t b = r->irq_high ? 0 : r->cmos[RB];

	if ((b & C_PF) && (x = next_periodic(r, e)) < n)
		n = x;
	if ((b & C_AF) && (x = next_update(r, e, true)) < n)
		n = x;
	if ((b & C_UF) && (x = next_update(r, e, false)) < n)
		n = x;
	return n == UINT64_MAX ? n : r->base_tsc + n;
}
