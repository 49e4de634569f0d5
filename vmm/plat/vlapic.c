/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual local APIC (see vlapic.h). Register numbers below are the xAPIC
 * offset / 16, which is also the x2APIC MSR - 0x800 (SDM vol. 3 11.12.1.2).
 *
 * Priorities (SDM 11.8.3.1): a vector's class is bits 7:4; PPR is TPR
 * when TPR's class is at least that of the highest in-service vector,
 * else that vector's class; an IRR vector is delivered only when its
 * class is above PPR's.
 *
 * The timer counts at VLAPIC_BUS_HZ / divide; one count-down of the
 * initial count lasts initial * divide / VLAPIC_BUS_HZ seconds, converted
 * to guest TSC ticks once when it starts. A divide change takes effect at
 * the next write of the initial count.
 */
#include "vmm/plat/vlapic.h"
#include "kernel/bytes.h"
#include "kernel/errno.h"
#include "kernel/string.h"

enum {
	R_ID = 0x02, R_VER = 0x03, R_TPR = 0x08, R_APR = 0x09, R_PPR = 0x0a,
	R_EOI = 0x0b, R_LDR = 0x0d, R_DFR = 0x0e, R_SVR = 0x0f, R_ISR = 0x10,
	R_TMR = 0x18, R_IRR = 0x20, R_ESR = 0x28, R_ICR = 0x30, R_ICR2 = 0x31,
	R_LVT = 0x32, R_TMICT = 0x38, R_TMCCT = 0x39, R_TDCR = 0x3e, R_SELF = 0x3f,
};
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR };

#define VERSION       0x50014u    /* max LVT entry 5, version 0x14 */
#define BASE_BSP      (1ull << 8)
#define BASE_EXTD     (1ull << 10)
#define BASE_EN       (1ull << 11)
#define BASE_RSVD     (0xfff0000000000000ull | 0x2ffull)
#define SVR_ENABLE    0x100u
#define LVT_MASKED    0x10000u
#define LVT_MODE(v)   (((v) >> 8) & 7)
#define DM_FIXED      0
#define DM_INIT       5
#define DM_EXTINT     7
#define TIMER_MODE(v) (((v) >> 17) & 3)   /* 0 one-shot, 1 periodic, 2 TSC-deadline */
#define PERIODIC      1
#define DEADLINE      2
#define ICR_LOGICAL   0x800u
#define ICR_ASSERT    0x4000u
#define ICR_LEVEL     0x8000u
#define ESR_SEND_ILL  0x20u
#define ESR_RECV_ILL  0x40u

/* Writable bits of the LVT entries (delivery status and remote IRR are
 * read-only): timer has mode 18:17, thermal/perf a delivery mode, LINTs
 * also polarity and trigger mode; all have vector and mask. */
static const uint32_t lvt_wmask[VLAPIC_NLVT] = {
	0x700ff, 0x107ff, 0x107ff, 0x1a7ff, 0x1a7ff, 0x100ff,
};

static bool test_bit(const uint32_t *a, unsigned v) { return a[v / 32] >> (v % 32) & 1; }
static void set_bit(uint32_t *a, unsigned v) { a[v / 32] |= 1u << (v % 32); }
static void clear_bit(uint32_t *a, unsigned v) { a[v / 32] &= ~(1u << (v % 32)); }

static int highest(const uint32_t *a)
{
	for (int i = 7; i >= 0; i--)
		if (a[i])
			return i * 32 + 31 - __builtin_clz(a[i]);
	return -1;
}

bool vlapic_hw_enabled(const struct vlapic *l) { return l->apic_base & BASE_EN; }
bool vlapic_x2apic_mode(const struct vlapic *l) { return (l->apic_base & BASE_EXTD) && vlapic_hw_enabled(l); }
static bool sw_enabled(const struct vlapic *l) { return l->svr & SVR_ENABLE; }

/* Everything but APIC_BASE, the IDs and the platform links. */
static void reset(struct vlapic *l)
{
	l->id = l->init_id << 24;
	l->tpr = l->ldr = l->esr = l->esr_pending = l->icr_lo = l->icr_hi = 0;
	l->dfr = ~0u;
	l->svr = 0xff;
	for (unsigned i = 0; i < VLAPIC_NLVT; i++)
		l->lvt[i] = LVT_MASKED;
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	l->tmict = l->tdcr = 0;
	l->t_start = l->t_period = l->tsc_deadline = 0;
	l->t_next = UINT64_MAX;
}

void vlapic_init(struct vlapic *l, uint32_t apic_id, bool bsp, uint64_t tsc_hz,
		 const struct vlapic_ops *ops, void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->apic_base = VLAPIC_BASE | BASE_EN | (bsp ? BASE_BSP : 0);
	l->init_id = apic_id;
	l->tsc_hz = tsc_hz;
	l->ops = ops;
	l->ctx = ctx;
	reset(l);
}

static uint32_t ppr(const struct vlapic *l)
{
	int isrv = highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? l->tpr : isr_class;
}

static bool accept(struct vlapic *l, uint8_t vector, bool level);
/* An error (ESR bit) is latched internally; a new one raises LVT error. */
static void error(struct vlapic *l, uint32_t bit)
{
	bool fresh = !(l->esr_pending & bit);

	l->esr_pending |= bit;
	if (fresh && !(l->lvt[LVT_ERROR] & LVT_MASKED))
		accept(l, (uint8_t)l->lvt[LVT_ERROR], false);
}

static bool accept(struct vlapic *l, uint8_t vector, bool level)
{
	if (!vlapic_hw_enabled(l) || !sw_enabled(l))
		return false;
	if (vector < 16) {
		error(l, ESR_RECV_ILL);
		return false;
	}
	set_bit(l->irr, vector);
	(level ? set_bit : clear_bit)(l->tmr, vector);
	return true;
}

bool vlapic_set_irq(struct vlapic *l, uint8_t vector, bool level) { return accept(l, vector, level); }

int vlapic_pending(const struct vlapic *l)
{
	int v = highest(l->irr);

	if (!vlapic_hw_enabled(l) || v < 0 || ((uint32_t)v & 0xf0) <= (ppr(l) & 0xf0))
		return -1;
	return v;
}

void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	clear_bit(l->irr, vector);
	set_bit(l->isr, vector);
}

bool vlapic_match(const struct vlapic *l, uint32_t dest, bool logical)
{
	if (vlapic_x2apic_mode(l)) {
		uint32_t ldr = (l->init_id >> 4) << 16 | 1u << (l->init_id & 15);
		if (dest == 0xffffffffu)
			return true;
		return logical ? (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff)
			       : dest == l->init_id;
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (!logical)
		return dest == l->id >> 24;
	uint32_t ldr = l->ldr >> 24;
	if ((l->dfr >> 28) == 0xf)   /* flat model: a bit per APIC */
		return (dest & ldr) != 0;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);   /* cluster model */
}

bool vlapic_accepts_pic(const struct vlapic *l)
{
	uint32_t lint0 = l->lvt[LVT_LINT0];

	return !vlapic_hw_enabled(l) || (!(lint0 & LVT_MASKED) && LVT_MODE(lint0) == DM_EXTINT);
}


static void eoi(struct vlapic *l)
{
	int v = highest(l->isr);

	if (v < 0)
		return;
	clear_bit(l->isr, (unsigned)v);
	if (test_bit(l->tmr, (unsigned)v) && l->ops && l->ops->eoi)
		l->ops->eoi(l->ctx, (uint8_t)v);
}

/* ---- Timer ---- */

/* Divide configuration bits 3,1,0: 000 -> 2, 001 -> 4, ... 110 -> 128, 111 -> 1. */
static uint64_t divisor(const struct vlapic *l)
{
	unsigned v = (l->tdcr & 3) | (l->tdcr >> 1 & 4);

	return v == 7 ? 1 : 2u << v;
}

static unsigned timer_mode(const struct vlapic *l) { return TIMER_MODE(l->lvt[LVT_TIMER]); }

static void timer_stop(struct vlapic *l)
{
	l->t_period = l->tsc_deadline = 0;
	l->t_next = UINT64_MAX;
}

static void timer_start(struct vlapic *l, uint64_t now)
{
	unsigned __int128 t = (unsigned __int128)l->tmict * divisor(l) * l->tsc_hz / VLAPIC_BUS_HZ;

	timer_stop(l);
	if (!l->tmict)
		return;
	l->t_start = now;
	l->t_period = t ? (uint64_t)t : 1;
	l->t_next = now + l->t_period;
}

static uint32_t current_count(const struct vlapic *l, uint64_t now)
{
	uint64_t elapsed = now > l->t_start ? now - l->t_start : 0;

	if (!l->t_period || timer_mode(l) == DEADLINE)
		return 0;
	if (timer_mode(l) == PERIODIC)
		elapsed %= l->t_period;
	else if (elapsed >= l->t_period)
		return 0;
	/* elapsed < t_period keeps this below tmict */
	return l->tmict - (uint32_t)((unsigned __int128)elapsed * VLAPIC_BUS_HZ /
				     ((unsigned __int128)l->tsc_hz * divisor(l)));
}

uint64_t vlapic_next_event(const struct vlapic *l) { return l->t_next; }

bool vlapic_advance(struct vlapic *l, uint64_t now)
{
	uint32_t lvt = l->lvt[LVT_TIMER];
	uint8_t vector = (uint8_t)lvt;

	if (l->t_next == UINT64_MAX || now < l->t_next)
		return false;
	if (timer_mode(l) == PERIODIC)   /* missed periods collapse into one */
		l->t_next = l->t_start + ((now - l->t_start) / l->t_period + 1) * l->t_period;
	else
		l->t_next = UINT64_MAX;
	if (timer_mode(l) == DEADLINE)
		l->tsc_deadline = 0;
	if (lvt & LVT_MASKED)
		return false;
	bool was = test_bit(l->irr, vector);
	return accept(l, vector, false) && !was;
}

/* ---- Registers ---- */

/* The ICR was written (low half in xAPIC mode, the whole MSR in x2APIC,
 * where the destination is 32 bits and the own ID is the initial one). */
static void send_ipi(struct vlapic *l)
{
	bool x2 = vlapic_x2apic_mode(l);
	uint32_t lo = l->icr_lo, dest = x2 ? l->icr_hi : l->icr_hi >> 24;
	unsigned dm = LVT_MODE(lo), sh = lo >> 18 & 3;
	uint8_t vector = (uint8_t)lo;
	bool logical = lo & ICR_LOGICAL, level = lo & ICR_LEVEL;
	bool self = sh == 1 || sh == 2 ||
		    (sh == 0 && !logical && dest == (x2 ? l->init_id : l->id >> 24));

	if (dm == DM_INIT && level && !(lo & ICR_ASSERT))
		return;   /* INIT level de-assert: no effect on modern CPUs */
	if (dm == DM_FIXED && vector < 16) {
		error(l, ESR_SEND_ILL);
		return;
	}
	if (dm == DM_FIXED && self)
		accept(l, vector, level);
	if (dm == DM_FIXED && (sh == 1 || (sh == 0 && self)))
		return;
	if (l->ops && l->ops->ipi)
		l->ops->ipi(l->ctx, dest, logical, sh, dm, vector, level);
}

/* Register r's value; false for registers that cannot be read in the mode. */
static bool reg_read(const struct vlapic *l, uint64_t now, unsigned r, bool x2, uint64_t *val)
{
	*val = 0;
	if (r >= R_ISR && r < R_IRR + 8) {
		const uint32_t *a = r < R_TMR ? l->isr : r < R_IRR ? l->tmr : l->irr;
		*val = a[(r - R_ISR) % 8];
		return true;
	}
	if (r >= R_LVT && r < R_LVT + VLAPIC_NLVT) {
		*val = l->lvt[r - R_LVT];
		return true;
	}
	switch (r) {
	case R_ID:    *val = x2 ? l->init_id : l->id; return true;
	case R_VER:   *val = VERSION; return true;
	case R_TPR:   *val = l->tpr; return true;
	case R_APR:   return !x2;   /* arbitration priority: not modelled, 0 */
	case R_PPR:   *val = ppr(l); return true;
	case R_LDR:   *val = x2 ? (l->init_id >> 4) << 16 | 1u << (l->init_id & 15) : l->ldr; return true;
	case R_DFR:   *val = l->dfr; return !x2;
	case R_SVR:   *val = l->svr; return true;
	case R_ESR:   *val = l->esr; return true;
	case R_ICR:   *val = l->icr_lo | (x2 ? (uint64_t)l->icr_hi << 32 : 0); return true;
	case R_ICR2:  *val = l->icr_hi; return !x2;
	case R_TMICT: *val = l->tmict; return true;
	case R_TMCCT: *val = current_count(l, now); return true;
	case R_TDCR:  *val = l->tdcr; return true;
	}
	return false;
}

static void write_lvt(struct vlapic *l, unsigned i, uint32_t val)
{
	unsigned old_mode = timer_mode(l);

	if (!sw_enabled(l))   /* mask bits stay set while software-disabled */
		val |= LVT_MASKED;
	l->lvt[i] = val;
	if (i == LVT_TIMER && timer_mode(l) != old_mode)
		timer_stop(l);   /* a mode change disarms the timer */
}

/* Writes register r: 0, or -EPERM for #GP (x2APIC only: read-only,
 * unimplemented, reserved bits). xAPIC drops such writes silently. */
static int reg_write(struct vlapic *l, uint64_t now, unsigned r, bool x2, uint64_t val)
{
	uint32_t v = (uint32_t)val, m;

	if (x2 && r != R_ICR && val >> 32)
		return -EPERM;
	if (r >= R_LVT && r < R_LVT + VLAPIC_NLVT) {
		m = lvt_wmask[r - R_LVT];
		if (r == R_LVT && TIMER_MODE(v) == 3)   /* reserved timer mode */
			m &= ~(1u << 18);
		/* Delivery status (12) and remote IRR (14) are read-only, not
		 * reserved: writing back a value read (Linux does at
		 * shutdown) is fine. */
		if (x2 && (v & ~(m | 0x5000u)))
			return -EPERM;
		write_lvt(l, r - R_LVT, v & m);
		return 0;
	}
	/* x2APIC: ID and LDR are read-only, DFR and ICR high do not exist */
	if (x2 && (r == R_ID || r == R_LDR || r == R_DFR || r == R_ICR2))
		return -EPERM;
	switch (r) {
	case R_ID: case R_LDR: case R_ICR2: m = 0xff000000; break;
	case R_DFR:   m = 0xf0000000; break;
	case R_TPR:   m = 0xff; break;
	case R_EOI: case R_ESR: m = x2 ? 0 : ~0u; break;   /* x2APIC: non-zero is #GP */
	case R_SVR:   m = 0x3ff; break;
	case R_ICR:   m = 0xccfff; break;                  /* delivery status read-only */
	case R_TMICT: m = ~0u; break;
	case R_TDCR:  m = 0xb; break;
	case R_SELF:  if (!x2) return 0; m = 0xff; break;  /* x2APIC only */
	default:      return x2 ? -EPERM : 0;
	}
	if (x2 && (v & ~m))
		return -EPERM;
	v &= m;
	switch (r) {
	case R_ID:    l->id = v; break;
	case R_TPR:   l->tpr = v; break;
	case R_EOI:   eoi(l); break;
	case R_LDR:   l->ldr = v; break;
	case R_DFR:   l->dfr = v | 0x0fffffff; break;
	case R_ESR:   l->esr = l->esr_pending; l->esr_pending = 0; break;
	case R_ICR2:  l->icr_hi = v; break;
	case R_TDCR:  l->tdcr = v; break;
	case R_SELF:  accept(l, (uint8_t)v, false); break;
	case R_SVR:
		l->svr = v;
		if (!sw_enabled(l))
			for (unsigned i = 0; i < VLAPIC_NLVT; i++)
				l->lvt[i] |= LVT_MASKED;
		break;
	case R_ICR:
		l->icr_lo = v;
		if (x2)
			l->icr_hi = (uint32_t)(val >> 32);
		send_ipi(l);
		break;
	case R_TMICT:
		if (timer_mode(l) != DEADLINE) {   /* ignored in TSC-deadline mode */
			l->tmict = v;
			timer_start(l, now);
		}
		break;
	}
	return 0;
}

/* ---- Access paths ---- */

static bool mmio_live(const struct vlapic *l)
{
	return vlapic_hw_enabled(l) && !vlapic_x2apic_mode(l);
}

int vlapic_mmio_read(struct vlapic *l, uint64_t now, uint32_t offset, unsigned size, uint64_t *val)
{
	unsigned byte = offset & 15;
	uint64_t v;

	*val = 0;
	if (mmio_live(l) && byte < 4 && offset < 0x1000 && reg_read(l, now, offset >> 4, false, &v))
		*val = v >> (8 * byte) & size_mask(size);
	return 0;
}

int vlapic_mmio_write(struct vlapic *l, uint64_t now, uint32_t offset, unsigned size, uint64_t val)
{
	if (mmio_live(l) && size == 4 && !(offset & 15) && offset < 0x1000)
		reg_write(l, now, offset >> 4, false, val);
	return 0;
}

/* IA32_APIC_BASE: the legal transitions of SDM 11.12.5 (figure 11-27). */
static int set_base(struct vlapic *l, uint64_t val)
{
	bool en = val & BASE_EN, extd = val & BASE_EXTD;

	if ((val & BASE_RSVD) || (extd && !en))
		return -EPERM;
	if (vlapic_x2apic_mode(l) && en && !extd)
		return -EPERM;   /* x2APIC -> xAPIC only through disabled */
	if (!vlapic_hw_enabled(l) && extd)
		return -EPERM;   /* disabled -> x2APIC only through xAPIC */
	if (!en && vlapic_hw_enabled(l))
		reset(l);   /* re-enabled later, it is as after power-up */
	l->apic_base = (val & ~BASE_BSP) | (l->apic_base & BASE_BSP);
	return 0;
}

int vlapic_msr_read(struct vlapic *l, uint64_t now, uint32_t msr, uint64_t *val)
{
	*val = 0;
	if (msr == MSR_IA32_APIC_BASE)
		*val = l->apic_base;
	else if (msr == MSR_IA32_TSC_DEADLINE)
		*val = timer_mode(l) == DEADLINE ? l->tsc_deadline : 0;
	else if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !vlapic_x2apic_mode(l) ||
		 !reg_read(l, now, msr - MSR_X2APIC_FIRST, true, val))
		return -EPERM;
	return 0;
}

int vlapic_msr_write(struct vlapic *l, uint64_t now, uint32_t msr, uint64_t val)
{
	if (msr == MSR_IA32_APIC_BASE)
		return set_base(l, val);
	if (msr == MSR_IA32_TSC_DEADLINE) {
		if (timer_mode(l) == DEADLINE) {   /* ignored in the other modes */
			l->tsc_deadline = val;
			l->t_next = val ? val : UINT64_MAX;
		}
		return 0;
	}
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !vlapic_x2apic_mode(l))
		return -EPERM;
	return reg_write(l, now, msr - MSR_X2APIC_FIRST, true, val);
}
