/* SPDX-License-Identifier: GPL-2.0-only */
/* The debug shell's built-in commands: info, mem, log, reboot, poweroff, crash. */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "drivers/power.h"
#include "drivers/uart.h"
#include "kernel/crc32.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/main.h"
#include "kernel/mm.h"
#include "kernel/shell.h"
#include "kernel/string.h"

static void info_cpu(void)
{
	const struct cpu_info *c = &boot_cpu;

	printk("cpu: vendor %s, family 0x%x model 0x%x stepping %u, \"%s\"\n", c->vendor_id,
	       c->family, c->model, c->stepping, c->brand);
	printk("cpu: %u-bit physical, %u-bit virtual addresses;%s%s%s%s%s%s%s%s\n",
	       c->phys_addr_bits, c->virt_addr_bits, c->nx ? " NX" : "", c->smep ? " SMEP" : "",
	       c->smap ? " SMAP" : "", c->pdpe1gb ? " 1G-pages" : "", c->x2apic ? " x2APIC" : "",
	       c->tsc_deadline ? " TSC-deadline" : "", c->invariant_tsc ? " invariant-TSC" : "",
	       c->hypervisor ? " (running under a hypervisor)" : "");
	uint64_t cr4 = read_cr4();
	printk("cpu: protections on: W^X paging%s%s%s\n", rdmsr(MSR_EFER) & EFER_NXE ? ", NX" : "",
	       cr4 & CR4_SMEP ? ", SMEP" : "", cr4 & CR4_SMAP ? ", SMAP" : "");
}

static void info_acpi(const struct system *s)
{
	const struct acpi_info *a = &s->acpi;
	char ids[128] = "";
	size_t n = 0;
	uint8_t id;
	uint64_t phys;
	uint32_t base, pins;

	if (!s->acpi_ok) {
		printk("acpi: 1 CPU(s), 0 IOAPIC(s): no ACPI tables found\n");
		return;
	}
	for (uint32_t i = 0; i < a->nr_cpus && n < sizeof(ids) - 12; i++)
		n += (size_t)snprintf(ids + n, sizeof(ids) - n, "%s%u%s", i ? " " : "",
				      a->cpus[i].apic_id, a->cpus[i].enabled ? "" : "(off)");
	printk("acpi: %u CPU(s) [APIC ids %s], %u IOAPIC(s), OEM \"%s\", %s\n", a->nr_cpus, ids,
	       a->nr_ioapics, a->oem_id, a->xsdt ? "XSDT" : "RSDT");
	for (unsigned i = 0; ioapic_describe(i, &id, &phys, &base, &pins); i++)
		printk("acpi: IOAPIC id %u at 0x%lx, GSI %u-%u\n", id, phys, base, base + pins - 1);
	n = 0;
	ids[0] = 0;
	for (uint32_t i = 0; i < a->nr_tables && n < sizeof(ids) - 16; i++)
		n += (size_t)snprintf(ids + n, sizeof(ids) - n, " %s%s%s%s", a->tables[i].sig,
				      a->tables[i].status ? "(" : "",
				      a->tables[i].status ? acpi_table_status_name(a->tables[i].status) : "",
				      a->tables[i].status ? ")" : "");
	printk("acpi: tables%s; power-off %s, reset %s\n", ids,
	       a->have_s5 ? "via S5" : "unavailable",
	       a->reset_supported ? "register" : "via 0xCF9/8042");
}

static int cmd_info(int argc, char **argv)
{
	const struct system *s = sys();
	const struct boot_info *bi = s->boot;
	const struct frame_alloc *fa = mm_frames();
	const struct timer_info *t = timer_info();
	uint64_t ms = timer_uptime_ms();

	printk("eyrie: version %s, up %lu.%03lu s\n", EYRIE_VERSION, ms / 1000, ms % 1000);
	info_cpu();
	printk("virt: %s\n", s->virt.desc);
	printk("cpus: %u online\n", nr_cpus);
	printk("memory: %lu MiB usable, %lu MiB free\n", fa->total >> 8, fa->free >> 8);
	info_acpi(s);
	printk("timer: TSC %lu kHz, LAPIC timer %lu kHz (%s), %s APIC, %lu ticks\n",
	       t->tsc_hz / 1000, t->lapic_hz / 1000, t->reference,
	       lapic_x2apic() ? "x2" : "x", timer_tick_count);
	const struct uart_cfg *u = uart_console();
	char d[96] = "none", in[24] = "input polled";
	if (u)
		uartcfg_describe(u, d, sizeof(d));
	if (s->serial_gsi != ~0u)
		snprintf(in, sizeof(in), "input on GSI %u", s->serial_gsi);
	printk("serial: 16550 %s, %s, source %s, %lu byte(s) dropped\n", d, in,
	       u ? s->serial_source : "-", uart_rx_overruns());
	printk("boot: %s via %s, cmdline \"%s\"\n", boot_source_name(bi->source),
	       bi->loader[0] ? bi->loader : "unknown loader", bi->cmdline);
	if (bi->fb.addr)
		printk("framebuffer: %ux%ux%u at 0x%lx%s\n", bi->fb.width, bi->fb.height,
		       bi->fb.bpp, bi->fb.addr, s->fb_console ? ", console mirrored" : "");
	else
		printk("framebuffer: none\n");
	printk("modules: %u\n", bi->nr_modules);
	for (uint32_t i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];
		printk("  %u: %s  %lu bytes  crc32 0x%08x\n", i, m->name[0] ? m->name : "(unnamed)",
		       m->size, crc32(0, phys_to_virt(m->start), (size_t)m->size));
	}
	return 0;
}
SHELL_COMMAND(info, "", "CPU, virtualization features, memory, ACPI, boot", cmd_info);

static int cmd_mem(int argc, char **argv)
{
	const struct frame_alloc *fa = mm_frames();
	const struct heap *h = mm_heap();

	char by[160];
	size_t n = 0;

	for (int o = 0; o < FRAME_OWNERS; o++)
		n += (size_t)snprintf(by + n, sizeof(by) - n, "%s%s %lu", o ? ", " : "",
				      frame_owner_name((enum frame_owner)o), fa->used[o]);
	printk("frames: total %lu, free %lu, used %lu (%s)\n", fa->total, fa->free,
	       fa->total - fa->free, by);
	printk("frames: %lu allocations, %lu frees, %lu failed\n", fa->allocs, fa->frees,
	       fa->failures);
	printk("heap: %zu bytes in %zu allocations, %zu pages, %zu failed\n", h->bytes_in_use,
	       h->allocations, h->pages, h->failures);
	printk("paging: %lu table pages\n", paging_tables());
	return 0;
}
SHELL_COMMAND(mem, "", "frame allocator and heap statistics", cmd_mem);

static int cmd_log(int argc, char **argv)
{
	if (argc == 1) {
		printk("log level: %s\n", log_level_name(log_get_level()));
		return 0;
	}
	int l = argc == 2 ? log_level_parse(argv[1]) : -1;
	if (l < 0) {
		printk("error: usage: log [error|warn|info|debug]\n");
		return -EINVAL;
	}
	log_set_level((enum log_level)l);
	printk("log level: %s\n", log_level_name((enum log_level)l));
	return 0;
}
SHELL_COMMAND(log, "[LEVEL]", "show or set the log level (error|warn|info|debug)", cmd_log);

static int cmd_reboot(int argc, char **argv)
{
	printk("rebooting...\n");
	machine_reboot(sys()->acpi_ok ? &sys()->acpi : NULL);
}
SHELL_COMMAND(reboot, "", "reset the machine", cmd_reboot);

static int cmd_poweroff(int argc, char **argv)
{
	printk("powering off...\n");
	int err = machine_poweroff(sys()->acpi_ok ? &sys()->acpi : NULL);
	printk("error: power-off failed (%s)\n",
	       err == -ENODEV ? "the firmware describes no ACPI S5 state" : "the machine is still on");
	return err;
}
SHELL_COMMAND(poweroff, "", "power the machine off (ACPI S5)", cmd_poweroff);

static int cmd_crash(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "";

	uint64_t addr = !strcmp(kind, "pf") ? 16 : 0x8000000000000000ull;
	volatile int *bad;

	__asm__("" : "=r"(bad) : "0"(addr)); /* hide the address from the compiler */
	if (!strcmp(kind, "ud")) {
		__asm__ volatile("ud2");
	} else if (!strcmp(kind, "pf") || !strcmp(kind, "gp")) { /* page 0, non-canonical */
		printk("%d\n", *bad);
	} else if (!strcmp(kind, "panic")) {
		panic("requested from the debug shell");
	} else {
		printk("error: usage: crash ud|pf|gp|panic (stops the hypervisor)\n");
		return -EINVAL;
	}
	return 0;
}
SHELL_COMMAND(crash, "KIND", "debug: crash the hypervisor (ud|pf|gp|panic)", cmd_crash);
