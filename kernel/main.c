/* kmain: bring the machine up in order, then hand the serial line to the shell. */
#include "kernel/main.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/traps.h"
#include "drivers/fbcon.h"
#include "drivers/uart.h"
#include "kernel/crc32.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/options.h"
#include "kernel/sched.h"
#include "kernel/shell.h"
#include "kernel/string.h"
#include "vmm/domain.h"
#include "vmm/xen.h"
#include "vmm/vmm.h"

#define MAX_DOMAIN_SPECS 16

static struct system the_system;
static bool fb_enabled = true;
/* domain= options, started once the vmm is up (vmm/domain.c). */
static char domain_specs[MAX_DOMAIN_SPECS][OPT_VAL_MAX];
static unsigned nr_domain_specs;

const struct system *sys(void)
{
	return &the_system;
}

const char *boot_source_name(uint32_t src)
{
	switch (src) {
	case BOOT_SRC_MULTIBOOT1: return "multiboot1";
	case BOOT_SRC_MULTIBOOT2: return "multiboot2";
	case BOOT_SRC_UEFI: return "uefi";
	default: return "unknown";
	}
}

static void apply_option(const char *key, const char *val, const char *where)
{
	if (!strcmp(key, "loglevel")) {
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

static const void *firmware_map(uint64_t phys, size_t len)
{
	return paging_map_firmware(phys, len);
}

static void acpi_setup(struct system *s)
{
	uint64_t rsdp = s->boot->rsdp ? s->boot->rsdp : acpi_find_rsdp_bios(firmware_map);
	int err = rsdp ? acpi_parse(rsdp, firmware_map, &s->acpi) : -ENOENT;

	s->acpi_ok = !err;
	if (err) {
		pr_warn("acpi: no usable ACPI tables (error %d): one CPU, no IOAPIC, no power-off\n", err);
		return;
	}
	pr_info("acpi: %s from \"%s\", %u tables (%u bad), %u CPU(s), %u IOAPIC(s)\n",
		s->acpi.xsdt ? "XSDT" : "RSDT", s->acpi.oem_id, s->acpi.nr_tables,
		s->acpi.nr_errors, s->acpi.nr_cpus, s->acpi.nr_ioapics);
}

static void serial_irq(struct trap_frame *f)
{
	uart_irq();
	lapic_eoi();
}

static void interrupts_setup(struct system *s)
{
	bool low, level;
	uint32_t gsi;

	pic_disable();
	lapic_init(s->acpi_ok ? s->acpi.lapic_addr : 0);
	for (uint32_t i = 0; i < s->acpi.nr_ioapics; i++) {
		const struct acpi_ioapic *io = &s->acpi.ioapics[i];
		if (ioapic_add(io->id, io->addr, io->gsi_base))
			pr_warn("ioapic: cannot use IOAPIC %u at 0x%x\n", io->id, io->addr);
	}
	timer_init((uint16_t)s->acpi.pm_tmr, s->acpi.pm_tmr_32bit);

	s->serial_gsi = ~0u;
	if (!acpi_irq_to_gsi(&s->acpi, COM1_IRQ, &gsi, &low, &level) &&
	    gsi < 256 - VEC_IRQ_BASE &&
	    !ioapic_route(gsi, (uint8_t)(VEC_IRQ_BASE + gsi), low, level, lapic_id())) {
		irq_register((uint8_t)(VEC_IRQ_BASE + gsi), serial_irq);
		uart_enable_irq();
		s->serial_gsi = gsi;
	} else {
		pr_warn("serial: no IOAPIC route for IRQ %u, the line is polled\n", COM1_IRQ);
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

	s->boot = bi;
	load_options(bi);
	printk("\nEyrie hypervisor %s (boot: %s via %s)\n", EYRIE_VERSION,
	       boot_source_name(bi->source), bi->loader[0] ? bi->loader : "unknown loader");
	cpu_identify(&boot_cpu);
	traps_init();
	cpu_enable_protections(&boot_cpu); /* NX must be on before NX mappings */
	mm_init(bi);
	paging_init(bi);
	if (bi->fb.addr && fb_enabled) {
		void *fb = ioremap(bi->fb.addr, (size_t)bi->fb.pitch * bi->fb.height, CACHE_WC);
		s->fb_console = fb && !fbcon_init(fb, &bi->fb);
	}
	acpi_setup(s);
	interrupts_setup(s);
	virt_probe(&s->virt);
	pr_info("virt: %s\n", s->virt.desc);
	report_modules(bi);
	xen_console_init();
	if (!vmm_init())
		for (unsigned i = 0; i < nr_domain_specs; i++)
			domain_start(domain_specs[i]);
	pr_info("Eyrie ready: debug shell on COM1 at 115200 baud, type 'help'\n");
	sched_loop();
}
