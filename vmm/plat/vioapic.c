/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual IOAPIC (see vioapic.h). Registers behind IOWIN (82093AA 3.2):
 * 0x00 ID (bits 27:24), 0x01 version (max entry 23 in bits 23:16, version
 * 0x11), 0x02 arbitration ID (the ID, read-only), 0x10 + 2 * pin the low
 * and 0x11 + 2 * pin the high half of a redirection entry:
 *   7:0 vector, 10:8 delivery mode, 11 logical destination, 12 delivery
 *   status (RO), 13 active low, 14 remote IRR (RO), 15 level-triggered,
 *   16 masked, 63:56 destination.
 */
#include "vmm/plat/vioapic.h"
#include "kernel/bytes.h"
#include "kernel/string.h"

#define VERSION     0x00170011u
#define R_ID        0x00
#define R_VER       0x01
#define R_ARB       0x02
#define R_REDIR     0x10
#define RE_LOGICAL  (1ull << 11)
#define RE_LOW      (1ull << 13)
#define RE_RIRR     (1ull << 14)
#define RE_LEVEL    (1ull << 15)
#define RE_MASKED   (1ull << 16)
#define RE_WMASK    (0xff00000000000000ull | 0x1afffull)

void vioapic_init(struct vioapic *io, uint8_t id, const struct vioapic_ops *ops, void *ctx)
{
	memset(io, 0, sizeof(*io));
	io->id = (uint32_t)(id & 0xf) << 24;
	for (unsigned i = 0; i < VIOAPIC_PINS; i++)
		io->redir[i] = RE_MASKED;
	io->ops = ops;
	io->ctx = ctx;
}

static bool asserted(const struct vioapic *io, unsigned pin)
{
	return (bool)(io->lines >> pin & 1) != (bool)(io->redir[pin] & RE_LOW);
}

static void deliver(struct vioapic *io, unsigned pin)
{
	uint64_t e = io->redir[pin];
	bool level = e & RE_LEVEL;

	if ((e & RE_MASKED) || !io->ops || !io->ops->deliver)
		return;
	if (io->ops->deliver(io->ctx, (uint8_t)(e >> 56), e & RE_LOGICAL, (e >> 8) & 7,
			     (uint8_t)e, level) && level)
		io->redir[pin] |= RE_RIRR;
}

/* A level pin delivers while asserted, unmasked and remote IRR is clear. */
static void check_level(struct vioapic *io, unsigned pin)
{
	uint64_t e = io->redir[pin];

	if ((e & RE_LEVEL) && !(e & (RE_RIRR | RE_MASKED)) && asserted(io, pin))
		deliver(io, pin);
}

void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level)
{
	if (pin >= VIOAPIC_PINS)
		return;
	bool was = asserted(io, pin);
	io->lines = (io->lines & ~(1u << pin)) | (uint32_t)level << pin;
	if (io->redir[pin] & RE_LEVEL)
		check_level(io, pin);
	else if (!was && asserted(io, pin))
		deliver(io, pin);
}

void vioapic_eoi(struct vioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t e = io->redir[pin];
		if ((uint8_t)e != vector || !(e & RE_LEVEL) || !(e & RE_RIRR))
			continue;
		io->redir[pin] &= ~RE_RIRR;
		check_level(io, pin);
	}
}

static uint32_t reg_read(const struct vioapic *io)
{
	unsigned r = io->sel, pin = (r - R_REDIR) / 2;

	if (r == R_ID || r == R_ARB) /* arbitration ID: the ID */
		return io->id;
	if (r == R_VER)
		return VERSION;
	if (r >= R_REDIR && pin < VIOAPIC_PINS)
		return (uint32_t)(io->redir[pin] >> (r & 1 ? 32 : 0));
	return 0;
}

static void reg_write(struct vioapic *io, uint32_t val)
{
	unsigned r = io->sel, pin = (r - R_REDIR) / 2;
	uint64_t e, shift = r & 1 ? 32 : 0;

	if (r == R_ID)
		io->id = val & 0x0f000000;
	if (r < R_REDIR || pin >= VIOAPIC_PINS)
		return;
	e = io->redir[pin] & ~(0xffffffffull << shift);
	e |= (uint64_t)val << shift & RE_WMASK;
	e |= io->redir[pin] & ~RE_WMASK;
	if (!(e & RE_LEVEL))   /* remote IRR is only defined for level entries */
		e &= ~RE_RIRR;
	io->redir[pin] = e;
	check_level(io, pin);   /* e.g. an asserted level pin just unmasked */
}

int vioapic_mmio_read(struct vioapic *io, uint32_t offset, unsigned size, uint64_t *val)
{
	unsigned byte = offset & 15;
	uint64_t v = (offset & ~15u) == 0 ? io->sel : (offset & ~15u) == 0x10 ? reg_read(io) : 0;

	*val = byte < 4 ? v >> (8 * byte) & size_mask(size) : 0;
	return 0;
}

int vioapic_mmio_write(struct vioapic *io, uint32_t offset, unsigned size, uint64_t val)
{
	if (offset == 0)
		io->sel = (uint8_t)val;   /* only bits 7:0 are implemented */
	else if (offset == 0x10 && size == 4)
		reg_write(io, (uint32_t)val);
	return 0;
}
