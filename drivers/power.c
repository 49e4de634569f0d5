/* SPDX-License-Identifier: GPL-2.0-only */
/* Reset and power-off (see power.h). */
#include "drivers/power.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/timer.h"
#include "kernel/errno.h"
#include "kernel/log.h"

#define PM1_SCI_EN  (1u << 0)
#define PM1_SLP_EN  (1u << 13)
#define PM1_SLP_TYP_SHIFT 10

static void acpi_reset(const struct acpi_info *a)
{
	if (!a->reset_supported)
		return;
	if (a->reset_reg.space_id == ACPI_GAS_IO) {
		outb((uint16_t)a->reset_reg.address, a->reset_value);
	} else if (a->reset_reg.space_id == ACPI_GAS_MEMORY) {
		volatile uint8_t *r = ioremap(a->reset_reg.address, 1, CACHE_UC);
		if (r)
			*r = a->reset_value;
	}
	timer_udelay(50000);
}

_Noreturn void machine_reboot(const struct acpi_info *acpi)
{
	console_flush(false);
	cli();
	if (acpi)
		acpi_reset(acpi);
	outb(0xcf9, 0x02); /* PCI reset control: hard reset */
	timer_udelay(10);
	outb(0xcf9, 0x06);
	timer_udelay(50000);
	for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		pause();
	outb(0x64, 0xfe);  /* 8042: pulse the reset line */
	timer_udelay(50000);
	/* Last resort: an empty IDT turns the next exception into a triple fault. */
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) none = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(none));
	cpu_halt_forever();
}

int machine_poweroff(const struct acpi_info *acpi)
{
	if (!acpi || !acpi->have_s5 || !acpi->pm1a_cnt)
		return -ENODEV;
	console_flush(false);
	uint16_t a = (uint16_t)acpi->pm1a_cnt, b = (uint16_t)acpi->pm1b_cnt;
	if (!(inw(a) & PM1_SCI_EN) && acpi->smi_cmd && acpi->acpi_enable) {
		outb((uint16_t)acpi->smi_cmd, acpi->acpi_enable); /* leave legacy mode */
		for (int i = 0; i < 300 && !(inw(a) & PM1_SCI_EN); i++)
			timer_udelay(1000);
	}
	cli();
	outw(a, (uint16_t)((inw(a) & ~(7u << PM1_SLP_TYP_SHIFT)) |
			   (acpi->slp_typa << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN));
	if (b)
		outw(b, (uint16_t)((inw(b) & ~(7u << PM1_SLP_TYP_SHIFT)) |
				   (acpi->slp_typb << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN));
	timer_udelay(500000);
	sti();
	return -EIO; /* still running: the write did not take */
}
