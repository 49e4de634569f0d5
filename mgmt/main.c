/*
 * The management console of domain 0: reached from the serial line with
 * Ctrl-A pressed three times (the hypervisor shell is the other side).
 * Commands: help, list, create KEY=VALUE..., destroy DOM, pause DOM,
 * unpause DOM. Domains are created from xl.cfg keys (mgmt/xlcfg.c) through
 * Eyrie's management operations (include/public/eyrie.h); their images are
 * the hypervisor's boot modules. See docs/mgmt.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "include/public/eyrie.h"
#include "include/public/xen.h"
#include "include/public/hvm_start_info.h"
#include "mgmt/sys.h"
#include "mgmt/xlcfg.h"

static const char *const states[] = { "running", "paused", "crashed", "shutdown" };
static const char *const types[] = { "elf", "multiboot", "hvm", "pvh" };

static long op(unsigned o, void *arg)
{
	return hypercall(HYPERVISOR_eyrie_op, o, (unsigned long)arg, 0);
}

static void cmd_list(void)
{
	static struct eyrie_dom_info doms[64];
	struct eyrie_dom_list l = { 64, 0, (uint64_t)(uintptr_t)doms };
	long rc = op(EYRIE_OP_list, &l);

	if (rc) {
		printf("error: list failed (%ld)\n", rc);
		return;
	}
	printf("%4s %-16s %-5s %-9s %8s %5s %10s\n", "id", "name", "type", "state", "memory",
	       "vcpus", "cpu-ms");
	for (uint32_t i = 0; i < l.nr; i++) {
		const struct eyrie_dom_info *d = &doms[i];
		printf("%4u %-16.16s %-5s %-9s %5llu MiB %5u %10llu\n", d->domid, d->name,
		       d->type < 4 ? types[d->type] : "?", d->state < 4 ? states[d->state] : "?",
		       (unsigned long long)(d->memory_kib >> 10), d->nr_vcpus,
		       (unsigned long long)(d->cpu_ns / 1000000));
	}
}

/* The domain configs among our boot modules (*.cfg, xl.cfg syntax). */
#define MAX_CFGS 16
static struct cfgfile {
	char file[64];
	struct xlcfg cfg;
} cfgs[MAX_CFGS];
static unsigned nr_cfgs;

static void load_configs(const struct hvm_start_info *si)
{
	const struct hvm_modlist_entry *m = (const void *)(uintptr_t)si->modlist_paddr;

	for (uint32_t i = 0; si->modlist_paddr && i < si->nr_modules && nr_cfgs < MAX_CFGS; i++) {
		const char *name = m[i].cmdline_paddr ? (const char *)(uintptr_t)m[i].cmdline_paddr : "";
		size_t len = strlen(name);
		if (len < 5 || strcmp(name + len - 4, ".cfg"))
			continue;
		struct cfgfile *c = &cfgs[nr_cfgs];
		struct xlcfg_error err;
		if (xlcfg_parse((const char *)(uintptr_t)m[i].paddr, m[i].size, &c->cfg, &err)) {
			printf("mgmt: %s: %s (not loaded)\n", name, err.message);
			continue;
		}
		snprintf(c->file, sizeof(c->file), "%s", name);
		nr_cfgs++;
		printf("mgmt: config %s: domain %s%s\n", name, c->cfg.name,
		       c->cfg.autostart ? ", autostart" : "");
	}
}

static void create_from(const struct xlcfg *cfg);

/* create NAME (a config: its file or domain name) or create KEY=VALUE... */
static void cmd_create(int argc, char **argv)
{
	static struct xlcfg cfg;
	struct xlcfg_error err;

	if (argc == 2 && !strchr(argv[1], '=')) {
		for (unsigned i = 0; i < nr_cfgs; i++)
			if (!strcmp(argv[1], cfgs[i].file) || !strcmp(argv[1], cfgs[i].cfg.name)) {
				create_from(&cfgs[i].cfg);
				return;
			}
		printf("error: no config named '%s' (see configs)\n", argv[1]);
		return;
	}
	xlcfg_init(&cfg);
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq) {
			printf("error: expected KEY=VALUE, got '%s'\n", argv[i]);
			return;
		}
		*eq = 0;
		if (xlcfg_set(&cfg, argv[i], eq + 1, &err)) {
			printf("error: %s\n", err.message);
			return;
		}
	}
	if (xlcfg_check(&cfg, &err)) {
		printf("error: %s\n", err.message);
		return;
	}
	create_from(&cfg);
}

/* An xl.cfg config to a domain= spec of the hypervisor, created. */
static void create_from(const struct xlcfg *c)
{
	const struct xlcfg cfg = *c;
	char spec[512];

	int n = snprintf(spec, sizeof(spec), "name=%s,type=%s,image=%s,memory=%u,on_reboot=%s%s%s%s%s",
			 cfg.name, cfg.type == XLCFG_TYPE_PVH ? "pvh" : "linux", cfg.kernel,
			 (unsigned)cfg.memory_mib,
			 cfg.on_reboot == XLCFG_RESTART ? "restart" : "destroy",
			 cfg.ramdisk[0] ? ",initrd=" : "", cfg.ramdisk,
			 cfg.cmdline[0] ? ",cmdline=" : "", cfg.cmdline);
	if (n < 0 || (size_t)n >= sizeof(spec)) {
		printf("error: configuration too long\n");
		return;
	}
	struct eyrie_dom_create dc = { (uint64_t)(uintptr_t)spec, (uint32_t)n, 0 };
	long rc = op(EYRIE_OP_create, &dc);
	if (rc)
		printf("error: domain %s not created (%ld; the hypervisor says why)\n", cfg.name, rc);
	else
		printf("domain %u (%s) created\n", dc.domid, cfg.name);
}

static void cmd_dom(unsigned o, const char *what, int argc, char **argv)
{
	char *end;
	unsigned long id = argc == 2 ? strtoul(argv[1], &end, 10) : 0;

	if (argc != 2 || *end || end == argv[1]) {
		printf("error: usage: %s DOM\n", what);
		return;
	}
	struct eyrie_dom_id d = { (uint32_t)id };
	long rc = op(o, &d);
	if (rc)
		printf("error: %s %lu: %s\n", what, id, rc == -3 ? "no such domain" :
		       rc == -22 ? "not this domain" : "failed");
	else
		printf("domain %lu: %s done\n", id, what);
}

/* console DOM|NAME: the domain's console output as it comes, and what is
 * typed goes to its serial port, until Ctrl-] (0x1d). */
static void cmd_console(int argc, char **argv)
{
	static struct eyrie_dom_info doms[64];
	struct eyrie_dom_list l = { 64, 0, (uint64_t)(uintptr_t)doms };
	char out[256], in[64], *end;
	long id = -1;

	if (argc != 2) {
		printf("error: usage: console DOM|NAME\n");
		return;
	}
	if (!op(EYRIE_OP_list, &l))
		for (uint32_t i = 0; i < l.nr; i++)
			if (!strcmp(doms[i].name, argv[1]) ||
			    (strtoul(argv[1], &end, 10) == doms[i].domid && !*end && end != argv[1]))
				id = doms[i].domid;
	if (id < 0) {
		printf("error: no domain '%s'\n", argv[1]);
		return;
	}
	printf("(attached to domain %ld; Ctrl-] detaches)\n", id);
	fflush(stdout);
	struct eyrie_dom_console c = { (uint32_t)id, 0, 0, 0 };
	for (;;) {
		c.len = sizeof(out);
		c.buffer = (uint64_t)(uintptr_t)out;
		long n = op(EYRIE_OP_console_read, &c);
		if (n < 0) {
			printf("\n(domain %ld is gone)\n", id);
			return;
		}
		if (n > 0)
			write(1, out, (size_t)n);
		long k = hypercall(HYPERVISOR_console_io, CONSOLEIO_read, sizeof(in), (unsigned long)in);
		char *stop = k > 0 ? memchr(in, 0x1d, (size_t)k) : NULL;
		if (k > 0 && (stop ? stop - in : k) > 0) {
			struct eyrie_dom_console w = { (uint32_t)id, (uint32_t)(stop ? stop - in : k), 0,
						       (uint64_t)(uintptr_t)in };
			if (op(EYRIE_OP_console_write, &w) < 0)
				printf("\n(domain %ld has no serial port: output only)\n", id);
		}
		if (stop) {
			printf("\n(detached from domain %ld)\n", id);
			return;
		}
		if (n == 0 && k <= 0) {
			hypercall(HYPERVISOR_set_timer_op, now_ns() + 20000000ull, 0, 0);
			hypercall(HYPERVISOR_sched_op, SCHEDOP_block, 0, 0);
		}
	}
}

static void help(void)
{
	printf("commands: help, list, configs, create CONFIG, create KEY=VALUE... (name type memory\n"
	       "          kernel ramdisk cmdline), destroy DOM, pause DOM, unpause DOM,\n"
	       "          console DOM|NAME (Ctrl-] detaches)\n");
}

static void cmd_configs(void)
{
	for (unsigned i = 0; i < nr_cfgs; i++)
		printf("%-20s domain %-16s %-4s %5u MiB kernel %s%s\n", cfgs[i].file, cfgs[i].cfg.name,
		       cfgs[i].cfg.type == XLCFG_TYPE_PVH ? "pvh" : "hvm", (unsigned)cfgs[i].cfg.memory_mib,
		       cfgs[i].cfg.kernel, cfgs[i].cfg.autostart ? " (autostart)" : "");
	if (!nr_cfgs)
		printf("no configs among the boot modules (*.cfg)\n");
}

static void run(char *line)
{
	char *argv[16];
	int argc = 0;

	for (char *p = strtok(line, " \t\r\n"); p && argc < 16; p = strtok(NULL, " \t\r\n"))
		argv[argc++] = p;
	if (!argc)
		return;
	if (!strcmp(argv[0], "help"))
		help();
	else if (!strcmp(argv[0], "list"))
		cmd_list();
	else if (!strcmp(argv[0], "configs"))
		cmd_configs();
	else if (!strcmp(argv[0], "console"))
		cmd_console(argc, argv);
	else if (!strcmp(argv[0], "create"))
		cmd_create(argc, argv);
	else if (!strcmp(argv[0], "destroy"))
		cmd_dom(EYRIE_OP_destroy, "destroy", argc, argv);
	else if (!strcmp(argv[0], "pause"))
		cmd_dom(EYRIE_OP_pause, "pause", argc, argv);
	else if (!strcmp(argv[0], "unpause"))
		cmd_dom(EYRIE_OP_unpause, "unpause", argc, argv);
	else
		printf("error: unknown command '%.32s' (try help)\n", argv[0]);
}

void mgmt_main(const struct hvm_start_info *si);

void mgmt_main(const struct hvm_start_info *si)
{
	static char line[512];

	sys_init();
	setvbuf(stdout, NULL, _IOLBF, 0);
	load_configs(si);
	for (unsigned i = 0; i < nr_cfgs; i++)
		if (cfgs[i].cfg.autostart)
			create_from(&cfgs[i].cfg);
	printf("mgmt: management console ready (newlib %s); Ctrl-A three times to reach it\n",
	       _NEWLIB_VERSION);
	for (;;) {
		if (!fgets(line, sizeof(line), stdin))
			continue;
		printf("mgmt> %s", line); /* the echo: the serial line does not echo */
		if (!strchr(line, '\n'))
			printf("\n");
		run(line);
	}
}
