/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI static tables: RSDP -> XSDT/RSDT -> MADT, FADT, DSDT (\_S5), MCFG,
 * SPCR: what the hypervisor uses (MADT NMI entries and the HPET table are
 * not read: nothing programs them). A pure parser: every byte is read through a phys_map_fn mapping
 * exactly the range being read, so it runs unchanged in host tests. It
 * keeps no pointers into firmware memory: struct acpi_info is plain data.
 */
#ifndef EYRIE_DRIVERS_ACPI_H
#define EYRIE_DRIVERS_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/bytes.h" /* phys_map_fn */

#define ACPI_MAX_CPUS      256
#define ACPI_MAX_IOAPICS   16
#define ACPI_MAX_OVERRIDES 48
#define ACPI_MAX_MCFG      8
#define ACPI_MAX_TABLES    64
#define ACPI_MAX_TABLE_LEN (4u << 20) /* longer tables are rejected */

/* Generic Address Structure (ACPI 6.5, 5.2.3.2). */
struct acpi_gas {
	uint8_t space_id; /* ACPI_GAS_* */
	uint8_t bit_width, access_size;
	uint64_t address;
};
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO     1
#define ACPI_GAS_PCI    2

enum acpi_table_status {
	ACPI_TABLE_OK = 0,
	ACPI_TABLE_UNMAPPED,     /* map() refused the header or body */
	ACPI_TABLE_BAD_LENGTH,   /* length < header, > ACPI_MAX_TABLE_LEN, or too short for its type */
	ACPI_TABLE_BAD_CHECKSUM,
	ACPI_TABLE_MALFORMED,    /* body inconsistent (e.g. a MADT entry length) */
};

struct acpi_table {
	char sig[5];     /* NUL-terminated signature, e.g. "APIC" */
	uint8_t status;  /* enum acpi_table_status */
	uint8_t revision;
	uint32_t length;
	uint64_t phys;
};

struct acpi_cpu {
	uint32_t apic_id;   /* local APIC or x2APIC id */
	uint32_t uid;       /* ACPI processor UID */
	bool enabled;       /* usable now */
	bool online_capable; /* disabled, but may be brought online */
	bool x2apic;        /* from a type 9 entry */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

/* MPS INTI flags (MADT interrupt source override / NMI entries). */
#define ACPI_INTI_POLARITY_MASK 0x3
#define ACPI_INTI_ACTIVE_HIGH   0x1
#define ACPI_INTI_ACTIVE_LOW    0x3
#define ACPI_INTI_TRIGGER_MASK  0xc
#define ACPI_INTI_EDGE          0x4
#define ACPI_INTI_LEVEL         0xc

struct acpi_override {
	uint8_t bus;    /* 0 = ISA */
	uint8_t irq;    /* bus-relative source */
	uint16_t flags; /* ACPI_INTI_* */
	uint32_t gsi;
};

struct acpi_mcfg {
	uint64_t base; /* ECAM base of bus 0 of this segment */
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

/* SPCR (Microsoft's Serial Port Console Redirection table): the console
 * UART the firmware used, as the table says it (drivers/uartcfg.c judges). */
struct acpi_spcr {
	uint8_t type;         /* interface type: DBG2's serial subtypes (0 = 16550) */
	struct acpi_gas base; /* registers: I/O or memory, access size, bit width */
	uint8_t irq_type;     /* bit 0: an ISA IRQ (irq), bit 1: an IOAPIC GSI (gsi) */
	uint8_t irq;
	uint32_t gsi;
	uint32_t baud;        /* 0: as the firmware left it */
	uint32_t clock;       /* revision 3+: the UART's clock in Hz; 0: not given */
	uint16_t pci_device;  /* 0xFFFF: not a PCI device */
	uint32_t pci_sbdf;    /* segment << 16 | bus << 8 | device << 3 | function */
};

/* FADT flags and IA-PC boot architecture flags worth naming. */
#define ACPI_FADT_TMR_VAL_EXT   (1u << 8)
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_BOOT_LEGACY_DEVICES (1u << 0)
#define ACPI_BOOT_8042          (1u << 1)
#define ACPI_BOOT_NO_VGA        (1u << 2)

struct acpi_info {
	char oem_id[7];        /* from the RSDP, NUL-terminated */
	uint64_t root_phys;    /* the XSDT or RSDT used */
	bool xsdt;

	struct acpi_table tables[ACPI_MAX_TABLES]; /* everything seen, incl. DSDT */
	uint32_t nr_tables;
	uint32_t nr_errors; /* tables skipped as bad (see status), all kinds */

	/* MADT */
	bool have_madt;
	bool pcat_compat;   /* dual 8259s present (must be masked) */
	uint64_t lapic_addr; /* after the type 5 override */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	uint32_t nr_cpus;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	uint32_t nr_ioapics;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	uint32_t nr_overrides;

	/* FADT: I/O ports are 0 when absent or not in I/O space. */
	bool have_fadt;
	uint32_t fadt_flags;
	uint16_t boot_arch;  /* IAPC_BOOT_ARCH, ACPI_BOOT_* */
	uint16_t sci_irq;
	uint32_t smi_cmd;    /* port; write acpi_enable to enter ACPI mode */
	uint8_t acpi_enable;
	uint32_t pm1a_cnt, pm1b_cnt;
	uint32_t pm_tmr;
	bool pm_tmr_32bit;
	bool reset_supported; /* reset_reg/reset_value valid */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint64_t dsdt_phys;   /* X_DSDT preferred */

	/* \_S5 from the DSDT (or an SSDT): PM1x_CNT.SLP_TYP values for soft-off */
	bool have_s5;
	uint8_t slp_typa, slp_typb;

	struct acpi_mcfg mcfg[ACPI_MAX_MCFG];
	uint32_t nr_mcfg;
	bool have_spcr;     /* a valid SPCR of at least 80 bytes */
	struct acpi_spcr spcr;
};

/*
 * Parses the tables reached from the RSDP at rsdp_phys into *out (zeroed
 * first). Returns 0 when the RSDP and a root table (XSDT, else RSDT) are
 * valid, even if some tables were skipped (out->nr_errors, per-table
 * status); -EFAULT if the RSDP cannot be mapped, -EINVAL for a bad RSDP
 * signature/checksum/length, -EBADMSG when no valid root table exists.
 */
int acpi_parse(uint64_t rsdp_phys, phys_map_fn map, struct acpi_info *out);

/*
 * Legacy BIOS RSDP search: the first KiB of the EBDA (real-mode segment at
 * physical 0x40E), then 0xE0000-0xFFFFF, on 16-byte boundaries, for
 * "RSD PTR " with a valid checksum (and valid extended checksum when
 * revision >= 2). Returns the physical address, or 0 if not found.
 */
uint64_t acpi_find_rsdp_bios(phys_map_fn map);

/*
 * ISA IRQ (0-15) -> GSI and pin polarity/trigger, applying a bus-0 interrupt
 * source override when present; ISA default is GSI = IRQ, edge, active
 * high. Returns 0, or -EINVAL for irq > 15.
 */
int acpi_irq_to_gsi(const struct acpi_info *acpi, uint8_t isa_irq,
		    uint32_t *gsi, bool *active_low, bool *level);

/* Short name of an enum acpi_table_status, for `info`. */
const char *acpi_table_status_name(unsigned status);

#endif
