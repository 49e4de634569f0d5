/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI static table parser (ACPI 6.5 chapter 5). Every table is mapped
 * twice: its 36-byte header to learn the length, then the whole table,
 * whose checksum (all bytes sum to 0 mod 256) is verified before any field
 * is used. Fields beyond a table's length read as absent.
 */
#include "drivers/acpi.h"
#include "kernel/bytes.h"
#include "kernel/errno.h"
#include "kernel/string.h"

#define HDR_LEN        36
#define RSDP_V1_LEN    20
#define RSDP_V2_LEN    36
#define RSDP_MAX_LEN   4096
#define MADT_ENTRIES   44
#define MCFG_ENTRIES   44
#define FADT_MIN_LEN   44 /* through the DSDT address */
#define SPCR_MIN_LEN   80 /* through the revision 2 fields */

/* A field of a table whose length depends on its revision: n bytes at
 * off, 0 when they lie beyond the table's length. */
static uint64_t fld(const uint8_t *t, uint32_t len, uint32_t off, unsigned n)
{
	return off + n <= len ? get_le(t + off, n) : 0;
}

static bool fgas(const uint8_t *t, uint32_t len, uint32_t off, struct acpi_gas *g)
{
	if (off + 12 > len)
		return false;
	g->space_id = t[off];
	g->bit_width = t[off + 1];
	g->access_size = t[off + 3];
	g->address = rd64(t + off + 4);
	return true;
}

const char *acpi_table_status_name(unsigned status)
{
	static const char *const names[] = { "ok", "unmapped", "bad length", "bad checksum",
					     "malformed" }; /* enum acpi_table_status */

	return status < sizeof(names) / sizeof(names[0]) ? names[status] : "?";
}

/*
 * Validates the RSDP at phys. Returns the mapped RSDP (at least 20 bytes)
 * or NULL; *ext_ok tells whether the revision >= 2 part (length, XSDT
 * address, extended checksum) is valid too.
 */
static const uint8_t *rsdp_check(phys_map_fn map, uint64_t phys, bool *ext_ok)
{
	const uint8_t *p = map(phys, RSDP_V1_LEN);

	*ext_ok = false;
	if (!p || memcmp(p, "RSD PTR ", 8) != 0 || byte_sum(p, RSDP_V1_LEN) != 0)
		return NULL;
	if (p[15] < 2)
		return p;
	const uint8_t *x = map(phys, RSDP_V2_LEN);
	if (!x)
		return p;
	uint32_t len = rd32(x + 20);
	if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN)
		return p;
	const uint8_t *full = map(phys, len);
	if (!full || byte_sum(full, len) != 0)
		return p;
	*ext_ok = true;
	return x;
}

static uint64_t rsdp_scan(phys_map_fn map, uint64_t start, uint32_t len)
{
	const uint8_t *p = map(start, len);
	bool ext_ok;

	if (!p)
		return 0;
	for (uint32_t off = 0; len - off >= RSDP_V1_LEN; off += 16) {
		if (memcmp(p + off, "RSD PTR ", 8) != 0)
			continue;
		const uint8_t *r = rsdp_check(map, start + off, &ext_ok);
		if (r && (r[15] < 2 || ext_ok))
			return start + off;
	}
	return 0;
}

uint64_t acpi_find_rsdp_bios(phys_map_fn map)
{
	const uint8_t *bda = map(0x40e, 2);

	if (bda) {
		uint64_t ebda = (uint64_t)rd16(bda) << 4;
		if (ebda >= 0x400 && ebda + 1024 <= 0xa0000) {
			uint64_t r = rsdp_scan(map, ebda, 1024);
			if (r)
				return r;
		}
	}
	return rsdp_scan(map, 0xe0000, 0x20000);
}

static void table_error(struct acpi_info *ai, struct acpi_table *rec, enum acpi_table_status st)
{
	ai->nr_errors++;
	if (rec)
		rec->status = (uint8_t)st;
}

/* Whether a table holds the fixed fields its parser reads; else flagged. */
static bool long_enough(struct acpi_info *ai, struct acpi_table *rec, uint32_t len, uint32_t min)
{
	if (len < min)
		table_error(ai, rec, ACPI_TABLE_BAD_LENGTH);
	return len >= min;
}

/* Maps and validates the table at phys; returns it or NULL with *st set. */
static const uint8_t *table_map(phys_map_fn map, uint64_t phys, uint32_t *len,
				char sig[5], enum acpi_table_status *st)
{
	const uint8_t *h = map(phys, HDR_LEN), *t;

	*len = 0;
	*st = ACPI_TABLE_UNMAPPED;
	if (!h)
		return NULL;
	memcpy(sig, h, 4);
	sig[4] = '\0';
	*len = rd32(h + 4);
	*st = ACPI_TABLE_BAD_LENGTH;
	if (*len < HDR_LEN || *len > ACPI_MAX_TABLE_LEN)
		return NULL;
	*st = ACPI_TABLE_UNMAPPED;
	t = map(phys, *len);
	if (!t)
		return NULL;
	*st = ACPI_TABLE_BAD_CHECKSUM;
	if (byte_sum(t, *len) != 0)
		return NULL;
	*st = ACPI_TABLE_OK;
	return t;
}

static const uint8_t *table_get(struct acpi_info *ai, phys_map_fn map, uint64_t phys, uint32_t *len,
				struct acpi_table **recp)
{
	/* Recorded in ai->tables (NULL when the list is full). */
	struct acpi_table *rec = ai->nr_tables < ACPI_MAX_TABLES ? &ai->tables[ai->nr_tables++]
								 : NULL;
	enum acpi_table_status st;
	char sig[5] = "????";
	const uint8_t *t = table_map(map, phys, len, sig, &st);

	if (rec) {
		rec->phys = phys;
		memcpy(rec->sig, sig, 5);
		rec->length = *len;
		rec->revision = t ? t[8] : 0;
	}
	if (!t)
		table_error(ai, rec, st);
	*recp = rec;
	return t;
}

/* ---- MADT (5.2.12) ---- */

static void madt_cpu(struct acpi_info *ai, uint32_t apic_id, uint32_t uid,
		     uint32_t flags, bool x2apic)
{
	/* Neither enabled nor online capable, or beyond the table: left out. */
	if (!(flags & 3) || ai->nr_cpus >= ACPI_MAX_CPUS)
		return;
	for (uint32_t i = 0; i < ai->nr_cpus; i++)
		if (ai->cpus[i].apic_id == apic_id)
			return; /* listed both as LAPIC and x2APIC */
	struct acpi_cpu *c = &ai->cpus[ai->nr_cpus++];
	c->apic_id = apic_id;
	c->uid = uid;
	c->enabled = flags & 1;
	c->online_capable = !(flags & 1) && (flags & 2);
	c->x2apic = x2apic;
}

/* Minimum entry length per type; 0 = type not used. */
static uint8_t madt_min_len(uint8_t type)
{
	static const uint8_t min[] = { 8, 12, 10, 0, 0, 12, 0, 0, 0, 16 };
	return type < sizeof(min) ? min[type] : 0;
}

static void madt_entry(struct acpi_info *ai, const uint8_t *e)
{
	switch (e[0]) {
	case 0: /* processor local APIC */
		madt_cpu(ai, e[3], e[2], rd32(e + 4), false);
		break;
	case 1: /* I/O APIC (those beyond the table left out, as below) */
		if (ai->nr_ioapics < ACPI_MAX_IOAPICS)
			ai->ioapics[ai->nr_ioapics++] = (struct acpi_ioapic){
				.id = e[2], .addr = rd32(e + 4), .gsi_base = rd32(e + 8) };
		break;
	case 2: /* interrupt source override */
		if (ai->nr_overrides < ACPI_MAX_OVERRIDES)
			ai->overrides[ai->nr_overrides++] = (struct acpi_override){
				.bus = e[2], .irq = e[3], .gsi = rd32(e + 4), .flags = rd16(e + 8) };
		break;
	case 5: /* local APIC address override */
		ai->lapic_addr = rd64(e + 4);
		break;
	case 9: /* processor local x2APIC */
		madt_cpu(ai, rd32(e + 4), rd32(e + 12), rd32(e + 8), true);
		break;
	}
}

static void parse_madt(struct acpi_info *ai, const uint8_t *t, uint32_t len, struct acpi_table *rec)
{
	uint32_t off;

	ai->have_madt = true;
	ai->lapic_addr = rd32(t + 36);
	ai->pcat_compat = rd32(t + 40) & 1;
	for (off = MADT_ENTRIES; off < len;) {
		uint8_t elen;

		/* A bad entry length makes the rest unparseable: keep what
		 * came before, flag the table. */
		if (len - off < 2 || (elen = t[off + 1]) < 2 || elen > len - off) {
			table_error(ai, rec, ACPI_TABLE_MALFORMED);
			return;
		}
		if (madt_min_len(t[off]) && elen >= madt_min_len(t[off]))
			madt_entry(ai, t + off);
		else if (madt_min_len(t[off]))
			table_error(ai, rec, ACPI_TABLE_MALFORMED);
		off += elen;
	}
}

/* ---- FADT (5.2.9) ---- */

/* An X_ block supersedes the legacy port when present and in I/O space. */
static void fadt_port(const uint8_t *t, uint32_t len, uint32_t xoff, uint32_t *port)
{
	struct acpi_gas g;

	if (fgas(t, len, xoff, &g) && g.address && g.space_id == ACPI_GAS_IO && g.address <= 0xffff)
		*port = (uint32_t)g.address;
}

static void parse_fadt(struct acpi_info *ai, const uint8_t *t, uint32_t len)
{
	ai->have_fadt = true;
	ai->dsdt_phys = rd32(t + 40);
	uint64_t x_dsdt = fld(t, len, 140, 8);
	if (x_dsdt)
		ai->dsdt_phys = x_dsdt;
	ai->sci_irq = (uint16_t)fld(t, len, 46, 2);
	ai->smi_cmd = (uint32_t)fld(t, len, 48, 4);
	ai->acpi_enable = (uint8_t)fld(t, len, 52, 1);
	ai->pm1a_cnt = (uint32_t)fld(t, len, 64, 4);
	ai->pm1b_cnt = (uint32_t)fld(t, len, 68, 4);
	ai->pm_tmr = (uint32_t)fld(t, len, 76, 4);
	ai->boot_arch = (uint16_t)fld(t, len, 109, 2);
	ai->fadt_flags = (uint32_t)fld(t, len, 112, 4);
	ai->pm_tmr_32bit = ai->fadt_flags & ACPI_FADT_TMR_VAL_EXT;
	fadt_port(t, len, 172, &ai->pm1a_cnt);
	fadt_port(t, len, 184, &ai->pm1b_cnt);
	fadt_port(t, len, 208, &ai->pm_tmr);
	if ((ai->fadt_flags & ACPI_FADT_RESET_REG_SUP) &&
	    fgas(t, len, 116, &ai->reset_reg) && len >= 129 &&
	    ai->reset_reg.address) {
		ai->reset_supported = true;
		ai->reset_value = t[128];
	}
}

/* ---- \_S5 in AML (ACPI 6.5 chapter 20) ---- */

#define AML_ZERO     0x00
#define AML_ONE      0x01
#define AML_NAME     0x08
#define AML_BYTE     0x0a
#define AML_WORD     0x0b
#define AML_DWORD    0x0c
#define AML_QWORD    0x0e
#define AML_PACKAGE  0x12
#define AML_ROOT     0x5c /* '\' */

/* Decodes a ComputationalData integer at p[*pos], below end. */
static int aml_int(const uint8_t *p, uint32_t end, uint32_t *pos, uint64_t *v)
{
	static const uint8_t size[] = { [AML_BYTE] = 1, [AML_WORD] = 2,
					[AML_DWORD] = 4, [AML_QWORD] = 8 };
	if (*pos >= end)
		return -EINVAL;
	uint8_t op = p[(*pos)++];
	if (op == AML_ZERO || op == AML_ONE) {
		*v = op;
		return 0;
	}
	if (op >= sizeof(size) || !size[op])
		return -EINVAL;
	uint8_t n = size[op];
	if (end - *pos < n)
		return -EINVAL;
	*v = get_le(p + *pos, n);
	*pos += n;
	return 0;
}

/* p points just after "_S5_": PackageOp PkgLength NumElements {SLP_TYPa,
 * SLP_TYPb, ...}. A single element packs a (bits 0-7) and b (8-15). */
static int s5_package(const uint8_t *p, uint32_t n, uint8_t *a, uint8_t *b)
{
	uint64_t va, vb;

	if (n < 3 || p[0] != AML_PACKAGE)
		return -EINVAL;
	uint32_t nbytes = p[1] >> 6;
	if (n < 2 + nbytes + 1)
		return -EINVAL;
	uint32_t plen = p[1] & (nbytes ? 0x0f : 0x3f);
	for (uint32_t k = 0; k < nbytes; k++)
		plen |= (uint32_t)p[2 + k] << (4 + 8 * k);
	/* PkgLength counts itself and what follows, not the PackageOp. */
	if (plen < nbytes + 2 || plen > n - 1)
		return -EINVAL;
	uint32_t end = 1 + plen, pos = 2 + nbytes;
	uint8_t count = p[pos++]; /* NumElements */
	if (count == 0 || aml_int(p, end, &pos, &va) < 0)
		return -EINVAL;
	if (count >= 2) {
		if (aml_int(p, end, &pos, &vb) < 0)
			return -EINVAL;
	} else {
		vb = (va >> 8) & 0xff;
		va &= 0xff;
	}
	if (va > 7 || vb > 7) /* SLP_TYP is a 3-bit field */
		return -EINVAL;
	*a = (uint8_t)va;
	*b = (uint8_t)vb;
	return 0;
}

/* Finds `Name (_S5, Package ...)` in an AML table (DSDT or SSDT). */
static void parse_s5(struct acpi_info *ai, const uint8_t *t, uint32_t len)
{
	for (uint32_t i = HDR_LEN + 1; i + 4 <= len; i++) {
		if (memcmp(t + i, "_S5_", 4) != 0)
			continue;
		if (t[i - 1] != AML_NAME &&
		    !(t[i - 1] == AML_ROOT && i >= HDR_LEN + 2 && t[i - 2] == AML_NAME))
			continue;
		if (s5_package(t + i + 4, len - i - 4, &ai->slp_typa, &ai->slp_typb) == 0) {
			ai->have_s5 = true;
			return;
		}
	}
}

/* ---- MCFG ---- */

static void parse_mcfg(struct acpi_info *ai, const uint8_t *t, uint32_t len)
{
	for (uint32_t off = MCFG_ENTRIES; len - off >= 16 && off < len; off += 16) {
		if (ai->nr_mcfg >= ACPI_MAX_MCFG)
			return;
		ai->mcfg[ai->nr_mcfg++] = (struct acpi_mcfg){
			.base = rd64(t + off), .segment = rd16(t + off + 8),
			.bus_start = t[off + 10], .bus_end = t[off + 11] };
	}
}

/* ---- SPCR (Microsoft's SPCR specification, revisions 2-4) ---- */

static void parse_spcr(struct acpi_info *ai, const uint8_t *t, uint32_t len)
{
	static const uint32_t bauds[8] = { [3] = 9600, [4] = 19200, [6] = 57600, [7] = 115200 };
	struct acpi_spcr *s = &ai->spcr;

	ai->have_spcr = true;
	s->type = t[36];
	fgas(t, len, 40, &s->base);
	s->irq_type = t[52];
	s->irq = t[53];
	s->gsi = rd32(t + 54);
	s->baud = t[58] < 8 ? bauds[t[58]] : 0; /* other codes: keep the line as it is */
	s->pci_device = rd16(t + 64);
	s->pci_sbdf = (uint32_t)t[75] << 16 | (uint32_t)t[68] << 8 | (t[69] & 31u) << 3 | (t[70] & 7u);
	if (t[8] >= 3)
		s->clock = rd32(t + 76);
	if (t[8] >= 4 && fld(t, len, 80, 4)) /* the precise baud rate */
		s->baud = (uint32_t)fld(t, len, 80, 4);
}

/* ---- root ---- */

static void parse_table(struct acpi_info *ai, phys_map_fn map, uint64_t phys)
{
	struct acpi_table *rec;
	uint32_t len;
	const uint8_t *t = table_get(ai, map, phys, &len, &rec);

	if (!t)
		return;
	if (!memcmp(t, "APIC", 4) && !ai->have_madt && long_enough(ai, rec, len, MADT_ENTRIES))
		parse_madt(ai, t, len, rec);
	else if (!memcmp(t, "FACP", 4) && !ai->have_fadt && long_enough(ai, rec, len, FADT_MIN_LEN))
		parse_fadt(ai, t, len);
	else if (!memcmp(t, "MCFG", 4) && !ai->nr_mcfg)
		parse_mcfg(ai, t, len);
	else if (!memcmp(t, "SPCR", 4) && !ai->have_spcr && long_enough(ai, rec, len, SPCR_MIN_LEN))
		parse_spcr(ai, t, len);
}

static void parse_aml(struct acpi_info *ai, phys_map_fn map)
{
	struct acpi_table *rec;
	uint32_t len, n = ai->nr_tables;
	const uint8_t *t;

	if (ai->dsdt_phys) {
		t = table_get(ai, map, ai->dsdt_phys, &len, &rec);
		if (t && memcmp(t, "DSDT", 4) != 0)
			table_error(ai, rec, ACPI_TABLE_MALFORMED);
		else if (t)
			parse_s5(ai, t, len);
	}
	/* Some firmware defines \_S5 in an SSDT. */
	for (uint32_t i = 0; i < n && !ai->have_s5; i++) {
		enum acpi_table_status st;
		char sig[5];

		if (memcmp(ai->tables[i].sig, "SSDT", 5) || ai->tables[i].status != ACPI_TABLE_OK)
			continue;
		t = table_map(map, ai->tables[i].phys, &len, sig, &st);
		if (t)
			parse_s5(ai, t, len);
	}
}

static int parse_root(struct acpi_info *ai, phys_map_fn map, uint64_t phys, bool xsdt)
{
	struct acpi_table *rec;
	uint32_t len, esize = xsdt ? 8 : 4;
	const uint8_t *t = table_get(ai, map, phys, &len, &rec);

	if (!t)
		return -EBADMSG;
	if (memcmp(t, xsdt ? "XSDT" : "RSDT", 4) != 0) {
		table_error(ai, rec, ACPI_TABLE_MALFORMED);
		return -EBADMSG;
	}
	ai->root_phys = phys;
	ai->xsdt = xsdt;
	for (uint32_t off = HDR_LEN; len - off >= esize; off += esize) {
		uint64_t entry = xsdt ? rd64(t + off) : rd32(t + off);
		if (entry)
			parse_table(ai, map, entry);
	}
	return 0;
}

int acpi_parse(uint64_t rsdp_phys, phys_map_fn map, struct acpi_info *out)
{
	bool ext_ok;
	int ret = -EBADMSG;

	memset(out, 0, sizeof(*out));
	if (!map(rsdp_phys, RSDP_V1_LEN))
		return -EFAULT;
	const uint8_t *r = rsdp_check(map, rsdp_phys, &ext_ok);
	if (!r)
		return -EINVAL;
	memcpy(out->oem_id, r + 9, 6);
	if (r[15] >= 2 && !ext_ok)
		out->nr_errors++; /* bad extended part: fall back to the RSDT */
	if (ext_ok && rd64(r + 24))
		ret = parse_root(out, map, rd64(r + 24), true);
	if (ret < 0 && rd32(r + 16))
		ret = parse_root(out, map, rd32(r + 16), false);
	if (ret < 0)
		return ret;
	parse_aml(out, map);
	return 0;
}

int acpi_irq_to_gsi(const struct acpi_info *acpi, uint8_t isa_irq,
		    uint32_t *gsi, bool *active_low, bool *level)
{
	if (isa_irq > 15)
		return -EINVAL;
	*gsi = isa_irq;
	*active_low = *level = false;
	for (uint32_t i = 0; i < acpi->nr_overrides; i++) {
		const struct acpi_override *o = &acpi->overrides[i];

		if (o->bus != 0 || o->irq != isa_irq)
			continue;
		*gsi = o->gsi;
		/* "conforms to the bus" (00) and reserved (10) mean ISA default */
		*active_low = (o->flags & ACPI_INTI_POLARITY_MASK) == ACPI_INTI_ACTIVE_LOW;
		*level = (o->flags & ACPI_INTI_TRIGGER_MASK) == ACPI_INTI_LEVEL;
		break;
	}
	return 0;
}
