/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI fixed hardware (ACPI 6.5 4.8): registers at VPM_PORT_BASE +
 *   0 PM1a_STS (W1C)  2 PM1a_EN  4 PM1a_CNT  6 (reserved)  8 PM_TMR (RO)
 * Only TMR_STS is ever set: the timer has no other events, and the FADT
 * declares no fixed power/sleep buttons. TMR_STS follows the spec for a
 * 32-bit (TMR_VAL_EXT) timer: set when bit 31 of the counter toggles. It
 * is sampled at each access (there is no timer callback), so an enabled
 * TMR_EN raises the SCI at the next PM access at the latest; Linux never
 * enables it.
 *
 * SLP_EN (bit 13) with SLP_TYP (12:10) = S5 powers off; other sleep types
 * are ignored (no S1-S4 in the DSDT, so a guest has no reason to ask).
 */
#include "vmm/plat/vpm.h"
#include "kernel/string.h"

#define STS_TMR    0x0001u
#define STS_MASK   0x8731u /* TMR, BM, GBL, PWRBTN, SLPBTN, RTC, WAK */
#define EN_MASK    0x0721u /* TMR, GBL, PWRBTN, SLPBTN, RTC */
#define CNT_SCI_EN 0x0001u
#define CNT_MASK   0x1c02u /* BM_RLD, SLP_TYP; GBL_RLS and SLP_EN read 0 */
#define CNT_SLP_EN 0x2000u

#define KBC_STATUS 0x1c /* system flag, last write a command, not inhibited */

void vpm_init(struct vpm *p, uint64_t tsc_hz,
	      void (*irq)(void *ctx, unsigned isa_irq, bool level), void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->tsc_hz = tsc_hz;
	p->irq = irq;
	p->ctx = ctx;
	p->p92 = 0x02; /* A20 on */
}

static uint64_t tmr_ticks(const struct vpm *p, uint64_t now)
{
	return (uint64_t)((unsigned __int128)now * VPM_TMR_HZ / p->tsc_hz);
}

static void update(struct vpm *p, uint64_t now)
{
	uint64_t epoch = tmr_ticks(p, now) >> 31;

	if (epoch != p->tmr_epoch) {
		p->tmr_epoch = epoch;
		p->sts |= STS_TMR;
	}
	bool level = p->sts & p->en;
	if (level != p->sci_level) {
		p->sci_level = level;
		p->irq(p->ctx, VPM_SCI_IRQ, level);
	}
}

/* The dword of the PM block at byte offset off (0, 4, 8). */
static uint32_t pm_dword(const struct vpm *p, uint64_t now, unsigned off)
{
	switch (off) {
	case 0:  return p->sts | (uint32_t)p->en << 16;
	case 4:  return p->cnt | CNT_SCI_EN | 0xffff0000u;
	default: return (uint32_t)tmr_ticks(p, now);
	}
}

/* A byte write at offset off of the PM block. */
static enum vpm_event pm_write(struct vpm *p, unsigned off, uint8_t b)
{
	unsigned sh = 8 * (off & 1);

	switch (off) {
	case 0: case 1:
		p->sts &= (uint16_t)~((b << sh) & STS_MASK);
		break;
	case 2: case 3:
		p->en = (uint16_t)((p->en & ~(0xffu << sh)) | ((b << sh) & EN_MASK));
		break;
	case 4: case 5:
		p->cnt = (uint16_t)((p->cnt & ~(0xffu << sh)) | ((b << sh) & CNT_MASK));
		if (off == 5 && ((b << 8) & CNT_SLP_EN) && ((p->cnt >> 10) & 7) == VPM_SLP_TYP_S5)
			return VPM_POWEROFF;
		break;
	}
	return VPM_NONE;
}

/* A byte access to a reset-capable legacy port (only the low byte of a
 * wider access counts). */
static enum vpm_event legacy_io(struct vpm *p, uint16_t port, bool in, uint8_t *b)
{
	bool reset = false;

	if (port == 0xcf9 && in) {
		*b = p->cf9;
	} else if (port == 0xcf9) {
		p->cf9 = *b & 0x0a; /* SYS_RST, FULL_RST latch; RST_CPU acts */
		reset = *b & 0x04;
	} else if (port == 0x92 && in) {
		*b = p->p92;
	} else if (port == 0x92) {
		reset = (*b & 1) && !(p->p92 & 1);
		p->p92 = *b & 0x03;
	} else if (port == 0x64) {
		if (in)
			*b = KBC_STATUS;
		reset = !in && *b == 0xfe;
	} else if (in) {
		*b = port == 0x60 ? 0 : 0xff;
	}
	return reset ? VPM_RESET : VPM_NONE;
}

enum vpm_event vpm_io(struct vpm *p, uint64_t now, uint16_t port, unsigned size,
		      bool in, uint32_t *val)
{
	enum vpm_event ev = VPM_NONE;
	uint32_t out = 0;

	update(p, now);
	for (unsigned i = 0; i < size && i < 4; i++) {
		unsigned off = (uint16_t)(port + i) - VPM_PORT_BASE;
		uint8_t b = (uint8_t)(*val >> (8 * i));
		enum vpm_event e = VPM_NONE;

		if (off < VPM_PORT_LEN && in)
			b = (uint8_t)(pm_dword(p, now, off & ~3u) >> (8 * (off & 3)));
		else if (off < VPM_PORT_LEN)
			e = pm_write(p, off, b);
		else if (i == 0)
			e = legacy_io(p, port, in, &b);
		else
			b = 0xff; /* upper bytes of a wide legacy access */
		if (e != VPM_NONE)
			ev = e;
		out |= (uint32_t)b << (8 * i);
	}
	if (in)
		*val = out;
	update(p, now);
	return ev;
}
