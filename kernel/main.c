/* SPDX-License-Identifier: GPL-2.0-only */
/* kmain: bring the machine up in order, then hand the serial line to the shell. */
#include "kernel/main.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/traps.h"
#include "drivers/fbcon.h"
#include "drivers/uart.h"
#include "drivers/uartcfg.h"
#include "kernel/crc32.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/options.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/string.h"
#include "vmm/core/domain.h"
#include "vmm/core/run.h"
#include "vmm/xen/xen.h"
#include "vmm/core/vmm.h"

#define MAX_DOMAIN_SPECS 16

static struct system the_system;
static bool fb_enabled = true;
/* domain= options, started once the vmm is up (vmm/core/domain.c). */
static char domain_specs[MAX_DOMAIN_SPECS][OPT_VAL_MAX];
static unsigned nr_domain_specs;
/* com1= and com2= (valid ones), console= (CONSOLE_*, 0: not given). */
static struct uart_cfg com_opt[2];
static bool com_given[2];
static unsigned console_mask;
static unsigned cpus_limit; /* cpus=: 0 for all */

const struct system *sys(void)
{
	return &the_system;
}

bool sys_device_memory(uint64_t lo, uint64_t len)
{
	const struct boot_info *bi = the_system.boot;
	const struct acpi_info *a = &the_system.acpi;
	uint64_t hi = lo + len;

	for (uint32_t i = 0; i < bi->nr_mem; i++) {
		const struct boot_mem_range *r = &bi->mem[i];
		if (r->type != BOOT_MEM_RESERVED && r->type != BOOT_MEM_MMIO &&
		    lo < r->base + r->length && hi > r->base)
			return false;
	}
	if (lo < (a->lapic_addr | 0xfff) + 1 && hi > a->lapic_addr)
		return false;
	for (uint32_t i = 0; i < a->nr_ioapics; i++)
		if (lo < a->ioapics[i].addr + 0x1000ull && hi > a->ioapics[i].addr)
			return false;
	for (uint32_t i = 0; i < a->nr_mcfg; i++)
		if (lo < a->mcfg[i].base + ((a->mcfg[i].bus_end + 1ull) << 20) &&
		    hi > a->mcfg[i].base + ((uint64_t)a->mcfg[i].bus_start << 20))
			return false;
	return true;
}

const char *boot_source_name(uint32_t src)
{
	static const char *const names[] = { [BOOT_SRC_MULTIBOOT1] = "multiboot1",
		[BOOT_SRC_MULTIBOOT2] = "multiboot2", [BOOT_SRC_UEFI] = "uefi" };

	return src < sizeof(names) / sizeof(names[0]) && names[src] ? names[src] : "unknown";
}

static void apply_option(const char *key, const char *val, const char *where)
{
	struct uart_cfg c;
	char err[96];

	if (!strcmp(key, "com1") || !strcmp(key, "com2")) {
		unsigned n = key[3] == '2';
		if (uartcfg_parse(val, n + 1, &c, err, sizeof(err))) {
			pr_warn("options (%s): %s=%s: %s; ignored\n", where, key, val, err);
		} else {
			com_opt[n] = c;
			com_given[n] = true;
		}
	} else if (!strcmp(key, "console")) {
		if (uartcfg_console(val, &console_mask, err, sizeof(err)))
			pr_warn("options (%s): console=%s: %s; ignored\n", where, val, err);
	} else if (!strcmp(key, "loglevel")) {
		int l = log_level_parse(val);
		if (l < 0)
			pr_warn("options (%s): bad loglevel '%s'\n", where, val);
		else
			log_set_level((enum log_level)l);
	} else if (!strcmp(key, "domain")) {
		if (nr_domain_specs == MAX_DOMAIN_SPECS)
			pr_warn("options (%s): more than %d domains, '%s' ignored\n", where,
				MAX_DOMAIN_SPECS, val);
		else
			str_copy(domain_specs[nr_domain_specs++], val, OPT_VAL_MAX);
	} else if (!strcmp(key, "cpus")) {
		const char *d = val;
		unsigned n = 0;
		while (*d >= '0' && *d <= '9' && n <= MAX_CPUS)
			n = n * 10 + (unsigned)(*d++ - '0');
		if (*d || !n || n > MAX_CPUS)
			pr_warn("options (%s): cpus=%s: not a count of CPUs from 1 to %u; ignored\n",
				where, val, MAX_CPUS);
		else
			cpus_limit = n;
	} else if (!strcmp(key, "fb")) {
		fb_enabled = strcmp(val, "off") != 0;
	} else if (!strcmp(key, "guest_echo")) {
		the_system.guest_echo_off = !strcmp(val, "off");
	} else {
		pr_warn("options (%s): unknown option '%s'\n", where, key);
	}
}

static void parse_options(const char *text, size_t len, const char *where)
{
	char key[OPT_KEY_MAX], val[OPT_VAL_MAX];
	const char *p = text;
	int r;

	while ((r = opt_next(&p, text + len, key, val)) != 0)
		if (r < 0)
			pr_warn("options (%s): malformed or over-long option ignored\n", where);
		else
			apply_option(key, val, where);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static void load_options(const struct boot_info *bi)
{
	parse_options(bi->cmdline, strnlen(bi->cmdline, sizeof(bi->cmdline)), "command line");
	for (uint32_t i = 0; i < bi->nr_modules; i++)
		if (ends_with(bi->modules[i].name, ".conf"))
			parse_options(phys_to_virt(bi->modules[i].start),
				      (size_t)bi->modules[i].size, bi->modules[i].name);
}

static void acpi_setup(struct system *s)
{
	uint64_t rsdp = s->boot->rsdp ? s->boot->rsdp : acpi_find_rsdp_bios(paging_map_firmware);
	int err = rsdp ? acpi_parse(rsdp, paging_map_firmware, &s->acpi) : -ENOENT;

	s->acpi_ok = !err;
	if (err) {
		pr_warn("acpi: no usable ACPI tables (error %d): one CPU, no IOAPIC, no power-off\n", err);
		return;
	}
	pr_info("acpi: %s from \"%s\", %u tables (%u bad), %u CPU(s), %u IOAPIC(s)\n",
		s->acpi.xsdt ? "XSDT" : "RSDT", s->acpi.oem_id, s->acpi.nr_tables,
		s->acpi.nr_errors, s->acpi.nr_cpus, s->acpi.nr_ioapics);
}

static void serial_taken(struct system *s, const struct uart_cfg *c, const char *source,
			 const char *why)
{
	char d[96], irq[16] = "polled";

	uartcfg_describe(c, d, sizeof(d));
	if (c->irq >= 0)
		snprintf(irq, sizeof(irq), "IRQ %d", c->irq);
	str_copy(s->serial_source, source, sizeof(s->serial_source));
	pr_info("serial: console on %s, %s (%s%s)\n", d, irq, source, why);
}

/* The console UART: the one console= names, else the com1=/com2= given
 * (com1 if both), else the one ACPI's SPCR names, else COM1. One that does
 * not answer is reported and the next is tried. Until here (ACPI is
 * parsed) output waits in the UART's ring. */
static void serial_setup(struct system *s)
{
	unsigned com = console_mask & CONSOLE_COM1 ? 1 : console_mask & CONSOLE_COM2 ? 2 :
		       console_mask ? 0 : com_given[0] ? 1 : com_given[1] ? 2 : 0;
	struct uart_cfg c;
	char err[96], why[112] = "";
	const char *src = com == 1 ? "option com1" : "option com2";

	if (console_mask && !com) {
		pr_info("serial: no serial console (console= names no COM port)\n");
		uart_off();
		return;
	}
	if (com) {
		if (com_given[com - 1])
			c = com_opt[com - 1];
		else
			uartcfg_default(com, &c);
		if (!uart_start(&c, err, sizeof(err)))
			goto taken;
		pr_warn("serial: com%u: %s; falling back to the default\n", com, err);
	}
	src = "ACPI SPCR";
	int rc = uartcfg_spcr(&s->acpi, &c, err, sizeof(err));
	if (!rc && !(rc = uart_start(&c, err, sizeof(err))))
		goto taken;
	if (rc != -ENOENT)
		pr_warn("serial: ACPI SPCR: %s; taking COM1\n", err);
	snprintf(why, sizeof(why), ": %s%s", rc == -ENOENT ? "" : "ACPI SPCR: ", err);
	src = "default";
	uartcfg_default(1, &c);
	if (!uart_start(&c, err, sizeof(err)))
		goto taken;
	pr_warn("serial: COM1: %s: no serial console\n", err);
	uart_off();
	return;
taken:
	serial_taken(s, &c, src, why);
}

static void serial_irq(struct trap_frame *f)
{
	bool locked = big_lock_irq();

	uart_irq();
	lapic_eoi();
	if (locked)
		big_unlock();
}

static void interrupts_setup(struct system *s)
{
	pic_disable();
	lapic_init(s->acpi_ok ? s->acpi.lapic_addr : 0);
	for (uint32_t i = 0; i < s->acpi.nr_ioapics; i++) {
		const struct acpi_ioapic *io = &s->acpi.ioapics[i];
		if (ioapic_add(io->id, io->addr, io->gsi_base))
			pr_warn("ioapic: cannot use IOAPIC %u at 0x%x\n", io->id, io->addr);
	}
	timer_init((uint16_t)s->acpi.pm_tmr, s->acpi.pm_tmr_32bit);

	s->serial_gsi = ~0u;
	const struct uart_cfg *c = uart_console();
	if (!c || c->irq < 0)
		return;
	uint32_t gsi = (uint32_t)c->irq;
	bool low = true, level = true; /* a GSI beyond the ISA IRQs: PCI's kind */
	if ((c->irq >= 16 || !acpi_irq_to_gsi(&s->acpi, (uint8_t)c->irq, &gsi, &low, &level)) &&
	    gsi < VEC_IRQ_END - VEC_IRQ_BASE &&
	    !ioapic_route(gsi, (uint8_t)(VEC_IRQ_BASE + gsi), low, level, lapic_id())) {
		irq_register((uint8_t)(VEC_IRQ_BASE + gsi), serial_irq);
		uart_enable_irq();
		s->serial_gsi = gsi;
	} else {
		pr_warn("serial: no IOAPIC route for IRQ %d, the line is polled\n", c->irq);
	}
}

static void report_modules(const struct boot_info *bi)
{
	for (uint32_t i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];
		pr_info("module %u: %s, %lu bytes at 0x%lx, crc32 0x%08x\n", i, m->name,
			m->size, m->start, crc32(0, phys_to_virt(m->start), (size_t)m->size));
	}
}

_Noreturn void kmain(const struct boot_info *bi)
{
	struct system *s = &the_system;

	percpu_init_boot();
	s->boot = bi;
	load_options(bi);
	printk("\nEyrie hypervisor %s (boot: %s via %s)\n", EYRIE_VERSION,
	       boot_source_name(bi->source), bi->loader[0] ? bi->loader : "unknown loader");
	cpu_identify(&boot_cpu);
	traps_init();
	cpu_enable_protections(&boot_cpu); /* NX must be on before NX mappings */
	mm_init(bi);
	paging_init(bi);
	if (bi->fb.addr && fb_enabled && (!console_mask || (console_mask & CONSOLE_VGA))) {
		void *fb = ioremap(bi->fb.addr, (size_t)bi->fb.pitch * bi->fb.height, CACHE_WC);
		s->fb_console = fb && !fbcon_init(fb, &bi->fb);
	}
	acpi_setup(s);
	serial_setup(s);
	interrupts_setup(s);
	virt_probe(&s->virt);
	pr_info("virt: %s\n", s->virt.desc);
	report_modules(bi);
	xen_console_init();
	int vmm_err = vmm_init();
	big_lock(); /* the other CPUs wait for it in their scheduler loops */
	smp_init(bi, &s->acpi, cpus_limit, vmm_err ? NULL : vmm_cpu_up);
	if (!vmm_err)
		for (unsigned i = 0; i < nr_domain_specs; i++)
			domain_start(domain_specs[i]);
	pr_info("Eyrie ready: debug shell on the serial console, type 'help'\n");
	sched_set_runner(vmm_run_next);
	big_unlock();
	sched_loop();
}
