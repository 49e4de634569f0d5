/* SPDX-License-Identifier: GPL-2.0-only */
/* The console UART's configuration from options and SPCR (see uartcfg.h). */
#include "drivers/uartcfg.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/string.h"

#define FIELD_MAX 32

void uartcfg_default(unsigned com, struct uart_cfg *c)
{
	*c = (struct uart_cfg){ .base = com == 2 ? 0x2f8 : 0x3f8, .width = 1, .lcr = 0x03,
				.baud = 115200, .clock = UART_CLOCK, .irq = com == 2 ? 3 : 4 };
}

uint32_t uartcfg_divisor(const struct uart_cfg *c)
{
	return c->baud ? (c->clock / 16 + c->baud / 2) / c->baud : 0;
}

static unsigned hexdig(char ch)
{
	ch = (char)(ch | 0x20);
	return ch >= '0' && ch <= '9' ? (unsigned)(ch - '0') :
	       ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10) : 99;
}

/* A decimal or 0x-prefixed hexadecimal number no larger than max. */
static bool num(const char *s, uint64_t max, uint64_t *v)
{
	unsigned base = s[0] == '0' && (s[1] | 0x20) == 'x' ? 16 : 10;
	uint64_t x = 0;

	s += base == 16 ? 2 : 0;
	if (!*s)
		return false;
	for (unsigned d; *s; s++) {
		if ((d = hexdig(*s)) >= base || d > max || x > (max - d) / base)
			return false;
		x = x * base + d;
	}
	*v = x;
	return true;
}

/* Hexadecimal digits up to stop (0: the end), at most max. */
static bool hex_to(const char **p, char stop, unsigned max, unsigned *v)
{
	const char *s = *p;

	for (*v = 0; *s && *s != stop; s++)
		if (hexdig(*s) > 15 || (*v = *v * 16 + hexdig(*s)) > max)
			return false;
	if (s == *p || *s != stop)
		return false;
	*p = s + (stop != 0);
	return true;
}

static bool parse_bdf(const char *s, uint32_t *sbdf)
{
	unsigned b, d, f;

	if (!hex_to(&s, ':', 0xff, &b) || !hex_to(&s, '.', 0x1f, &d) || !hex_to(&s, 0, 7, &f))
		return false;
	*sbdf = b << 8 | d << 3 | f;
	return true;
}

struct given {
	bool irq, base;
};

/* The line's keys (baud, dps, data-bits, parity, stop-bits): 0 or
 * -EINVAL, 1 for another key. */
static int set_line(struct uart_cfg *c, const char *k, char *v, char *err, size_t el)
{
	static const char par[] = "noems";
	static const uint8_t par_lcr[] = { 0x00, 0x08, 0x18, 0x28, 0x38 };
	uint64_t n;

	if (!strcmp(k, "baud")) {
		char *slash = strchr(v, '/');
		if (slash) {
			*slash = 0;
			if (!num(slash + 1, UINT32_MAX / 16, &n) || !n)
				return errorf(-EINVAL, err, el, "bad base baud '%s'", slash + 1);
			c->clock = (uint32_t)n * 16;
		}
		if (!strcmp(v, "auto"))
			c->baud = 0;
		else if (num(v, UINT32_MAX, &n) && n)
			c->baud = (uint32_t)n;
		else
			goto bad;
	} else if (!strcmp(k, "dps")) {
		char d[2] = { v[0] }, p[2] = { v[1] }, s[2] = { v[2] };
		int rc;
		if (strlen(v) != 3)
			goto bad;
		if ((rc = set_line(c, "data-bits", d, err, el)) ||
		    (rc = set_line(c, "parity", p, err, el)))
			return rc;
		return set_line(c, "stop-bits", s, err, el);
	} else if (!strcmp(k, "data-bits")) {
		if (!num(v, 8, &n) || n < 5)
			goto bad;
		c->lcr = (uint8_t)((c->lcr & ~3u) | (n - 5));
	} else if (!strcmp(k, "parity")) {
		const char *p = strchr(par, v[0]);
		if (!p || v[1])
			goto bad;
		c->lcr = (uint8_t)((c->lcr & ~0x38u) | par_lcr[p - par]);
	} else if (!strcmp(k, "stop-bits")) {
		if (!num(v, 2, &n) || !n)
			goto bad;
		c->lcr = (uint8_t)((c->lcr & ~4u) | (n == 2 ? 4 : 0));
	} else {
		return 1;
	}
	return 0;
bad:
	return errorf(-EINVAL, err, el, "bad %s '%s'", k, v);
}

/* One parameter: the line's, or where the UART is and how it interrupts. */
static int set(struct uart_cfg *c, const char *k, char *v, struct given *g, char *err, size_t el)
{
	uint64_t n;
	int rc;

	if (!*v)
		return 0; /* an empty field keeps the default */
	if ((rc = set_line(c, k, v, err, el)) <= 0)
		return rc;
	if (!strcmp(k, "io-base")) {
		if (!strcmp(v, "pci") || !strcmp(v, "amt"))
			return set(c, "dev", v, g, err, el);
		if (!num(v, (1ull << 52) - 1, &n) || !n)
			goto bad;
		c->base = n;
		c->mmio = n >= 0x10000; /* Xen's rule: beyond the I/O ports, an address */
		g->base = true;
	} else if (!strcmp(k, "dev")) {
		if (strcmp(v, "pci") && strcmp(v, "amt"))
			goto bad;
		if (c->pci != UART_PCI_AT)
			c->pci = v[0] == 'p' ? UART_PCI_SCAN : UART_PCI_SCAN_AMT;
	} else if (!strcmp(k, "port")) {
		if (!parse_bdf(v, &c->sbdf))
			goto bad;
		c->pci = UART_PCI_AT;
	} else if (!strcmp(k, "irq")) {
		if (!strcmp(v, "msi"))
			return errorf(-EINVAL, err, el, "irq msi: not supported (an IRQ, or 0 to poll)");
		if (!num(v, 255, &n))
			goto bad;
		c->irq = n ? (int32_t)n : -1;
		g->irq = true;
	} else if (!strcmp(k, "reg-shift") || !strcmp(k, "reg-width")) {
		if (!num(v, 4, &n) || (k[4] == 's' ? n > 3 : n != 1 && n != 4))
			goto bad;
		*(k[4] == 's' ? &c->shift : &c->width) = (uint8_t)n;
	} else if (!strcmp(k, "bridge")) {
		return errorf(-EINVAL, err, el, "bridge: a UART behind a bridge to set up is not supported");
	} else {
		return errorf(-EINVAL, err, el, "unknown parameter '%s'", k);
	}
	return 0;
bad:
	return errorf(-EINVAL, err, el, "bad %s '%s'", k, v);
}

/* What every configuration must satisfy, from an option or from SPCR. */
static int check(const struct uart_cfg *c, char *err, size_t el)
{
	uint32_t div = uartcfg_divisor(c), rate = div ? c->clock / 16 / div : 0;

	/* A wider access than the spacing would touch the next register. */
	if (c->width > 1u << c->shift)
		return errorf(-EINVAL, err, el, "%u-byte access to registers %u byte(s) apart",
			      c->width, 1u << c->shift);
	if (!c->mmio && c->base + (7u << c->shift) > 0xffff)
		return errorf(-EINVAL, err, el, "I/O base 0x%lx: registers beyond port 0xffff", c->base);
	if (c->baud && (!div || div > 0xffff || (rate > c->baud ? rate - c->baud : c->baud - rate) >
			c->baud / 20))
		return errorf(-EINVAL, err, el, "baud %u: out of reach of a %u Hz UART clock", c->baud,
			      c->clock);
	return 0;
}

int uartcfg_parse(const char *val, unsigned com, struct uart_cfg *c, char *err, size_t errlen)
{
	static const char *const positional[] = { "baud", "dps", "io-base", "irq", "port", "bridge" };
	struct given g = { 0 };
	bool named = false;
	int rc;

	uartcfg_default(com, c);
	for (unsigned i = 0;; i++) {
		const char *e = strchr(val, ',');
		size_t n = e ? (size_t)(e - val) : strlen(val);
		char f[FIELD_MAX], *eq;

		if (n >= sizeof(f))
			return errorf(-EINVAL, err, errlen, "parameter %u is too long", i + 1);
		memcpy(f, val, n);
		f[n] = 0;
		if ((eq = strchr(f, '='))) {
			named = true;
			*eq = 0;
			rc = set(c, f, eq + 1, &g, err, errlen);
		} else if (named && *f) {
			return errorf(-EINVAL, err, errlen, "'%s' after a NAME=VALUE parameter", f);
		} else if (i >= sizeof(positional) / sizeof(positional[0])) {
			return errorf(-EINVAL, err, errlen, "more than %u positional parameters", i);
		} else {
			rc = set(c, positional[i], f, &g, err, errlen);
		}
		if (rc)
			return rc;
		if (!e)
			break;
		val = e + 1;
	}
	if (c->pci && g.base)
		return errorf(-EINVAL, err, errlen, "an io-base and a PCI card exclude each other");
	if (c->pci)
		c->base = 0; /* the card's BAR */
	if ((c->pci || c->mmio) && !g.irq)
		c->irq = -1; /* COMn's IRQ is an ISA port's */
	return check(c, err, errlen);
}

int uartcfg_console(const char *val, unsigned *mask, char *err, size_t errlen)
{
	static const char *const names[] = { "none", "com1", "com2", "vga" }; /* bit i */
	unsigned m = 0;

	for (;;) {
		const char *e = strchr(val, ',');
		size_t n = e ? (size_t)(e - val) : strlen(val);
		char w[8] = "";
		unsigned i = 0;

		if (n < sizeof(w))
			memcpy(w, val, n);
		while (i < 4 && (n >= sizeof(w) || strcmp(w, names[i])))
			i++;
		if (i == 4)
			return errorf(-EINVAL, err, errlen, "unknown console '%s' (com1, com2, vga, none)",
				      n < sizeof(w) ? w : "...");
		m |= 1u << i;
		if (!e)
			break;
		val = e + 1;
	}
	if ((m & CONSOLE_COM1) && (m & CONSOLE_COM2))
		return errorf(-EINVAL, err, errlen, "one serial console: com1 or com2");
	if ((m & CONSOLE_GIVEN) && m != CONSOLE_GIVEN)
		return errorf(-EINVAL, err, errlen, "none goes alone");
	*mask = m | CONSOLE_GIVEN;
	return 0;
}

int uartcfg_spcr(const struct acpi_info *ai, struct uart_cfg *c, char *err, size_t el)
{
	const struct acpi_spcr *s = &ai->spcr;
	const struct acpi_gas *g = &s->base;

	if (!ai->have_spcr) {
		for (uint32_t i = 0; i < ai->nr_tables; i++)
			if (!strcmp(ai->tables[i].sig, "SPCR"))
				return errorf(-EBADMSG, err, el, "table refused (%s)",
					      acpi_table_status_name(ai->tables[i].status));
		return errorf(-ENOENT, err, el, "no SPCR table");
	}
	/* DBG2 serial subtypes: 16550, 16550 subset, 16550 by the GAS. */
	if (s->type != 0 && s->type != 1 && s->type != 0x13)
		return errorf(-ENODEV, err, el, "interface type 0x%x is not a 16550", s->type);
	if (g->space_id != ACPI_GAS_MEMORY && g->space_id != ACPI_GAS_IO)
		return errorf(-ENODEV, err, el, "address space %u is neither memory nor I/O",
			      g->space_id);
	if (g->access_size > 3 || g->access_size == 2 ||
	    (g->bit_width && g->bit_width != 8 && g->bit_width != 16 && g->bit_width != 32))
		return errorf(-ENODEV, err, el, "access size %u with %u-bit registers unsupported",
			      g->access_size, g->bit_width);
	uartcfg_default(1, c);
	c->base = g->address;
	c->mmio = g->space_id == ACPI_GAS_MEMORY;
	c->width = g->access_size == 3 ? 4 : 1;
	c->shift = g->bit_width == 32 ? 2 : g->bit_width == 16 ? 1 : 0;
	c->baud = s->baud;
	c->clock = s->clock ? s->clock : UART_CLOCK;
	c->irq = (s->irq_type & 2) && s->gsi < 256 ? (int32_t)s->gsi :
		 (s->irq_type & 1) && s->irq < 16 ? s->irq : -1;
	if (s->pci_device != 0xffff) {
		c->pci = UART_PCI_AT;
		c->sbdf = s->pci_sbdf;
	}
	if (!c->base && !c->pci)
		return errorf(-ENODEV, err, el, "no address");
	return check(c, err, el) ? -ENODEV : 0;
}

void uartcfg_describe(const struct uart_cfg *c, char *buf, size_t len)
{
	char pci[16] = "", mmio[40] = "", baud[16] = "baud as set,";

	if (c->pci)
		snprintf(pci, sizeof(pci), "PCI %02x:%02x.%u ", c->sbdf >> 8 & 0xff, c->sbdf >> 3 & 31,
			 c->sbdf & 7);
	if (c->mmio)
		snprintf(mmio, sizeof(mmio), " (reg-shift %u, reg-width %u)", c->shift, c->width);
	if (c->baud)
		snprintf(baud, sizeof(baud), "%u", c->baud);
	snprintf(buf, len, "%s%s 0x%lx%s, %s %u%c%u", pci, c->mmio ? "MMIO" : "I/O", c->base, mmio,
		 baud, (c->lcr & 3) + 5, "nonenmns"[c->lcr >> 3 & 7], c->lcr & 4 ? 2 : 1);
}
