/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management console of domain 0: reached from the serial line with
 * Ctrl-A pressed three times (the hypervisor shell is the other side).
 * Commands: help, info, list, configs, create, destroy, shutdown, reboot,
 * pause, unpause, console, xenstore-*, shutdown-timeout, mem-set,
 * block-list, block-attach, block-detach, network-list, network-attach,
 * network-detach, bridge-list, bridge-uplink, bridge-ip; disks, disk-read, disk-write,
 * disk-discard, disk-bench, pci (mgmt/diskcmd.c); nics, nic-dhcp, nic-arp,
 * nic-promisc (mgmt/netcmd.c); vcpu-list, vcpu-pin, sched-credit
 * (mgmt/schedcmd.c). Domains are built here (mgmt/dom.c) from xl.cfg
 * configs (mgmt/xlcfg.c) through Eyrie's management operations
 * (include/public/eyrie.h); their images are our boot modules. See
 * docs/mgmt.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "include/public/eyrie.h"
#include "include/public/xen.h"
#include "include/public/hvm_start_info.h"
#include "mgmt/blkdev.h"
#include "mgmt/diskcmd.h"
#include "mgmt/blkback.h"
#include "mgmt/dom.h"
#include "mgmt/hostports.h"
#include "mgmt/netback.h"
#include "mgmt/netcmd.h"
#include "mgmt/netdev.h"
#include "mgmt/schedcmd.h"
#include "mgmt/sys.h"
#include "mgmt/xlcfg.h"
#include "mgmt/xs.h"

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

static void load_configs(void)
{
	const char *name;
	const void *data;
	uint64_t size;

	for (unsigned i = 0; dom_modules(&name, &data, &size, i) && nr_cfgs < MAX_CFGS; i++) {
		size_t len = strlen(name);
		if (len < 5 || strcmp(name + len - 4, ".cfg"))
			continue;
		struct cfgfile *c = &cfgs[nr_cfgs];
		struct xlcfg_error err;
		struct xlcfg_vif vifs[XLCFG_LIST_MAX];
		if (xlcfg_parse(data, (size_t)size, &c->cfg, &err) ||
		    xlcfg_check_disks(&c->cfg, &err) || xlcfg_vifs(&c->cfg, vifs, &err)) {
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
	struct xlcfg_vif vifs[XLCFG_LIST_MAX];
	if (xlcfg_check(&cfg, &err) || xlcfg_check_disks(&cfg, &err) ||
	    xlcfg_vifs(&cfg, vifs, &err)) {
		printf("error: %s\n", err.message);
		return;
	}
	create_from(&cfg);
}

static void create_from(const struct xlcfg *cfg)
{
	uint32_t id;

	if (!dom_create(cfg, &id))
		printf("domain %u (%s) created\n", id, cfg->name);
}

/* DOM|NAME of a live domain: its id, or -1 (said why). */
static long find_dom(const char *arg)
{
	static struct eyrie_dom_info doms[64];
	struct eyrie_dom_list l = { 64, 0, (uint64_t)(uintptr_t)doms };
	char *end;
	unsigned long n = strtoul(arg, &end, 10);

	if (!op(EYRIE_OP_list, &l))
		for (uint32_t i = 0; i < l.nr; i++)
			if (!strcmp(doms[i].name, arg) || (!*end && end != arg && n == doms[i].domid))
				return doms[i].domid;
	printf("error: no domain '%s'\n", arg);
	return -1;
}

/* destroy, pause, unpause, shutdown, reboot DOM|NAME. shutdown and reboot
 * ask the domain through control/shutdown if it acts on it, else stop it
 * as if it had shut down itself (dom_shutdown); its on_poweroff /
 * on_reboot action follows when it stops. */
static void cmd_dom(const char *what, int argc, char **argv)
{
	long id = argc == 2 ? find_dom(argv[1]) : (printf("error: usage: %s DOM|NAME\n", what), -1);
	struct eyrie_dom_id d = { (uint32_t)id };
	long rc;

	if (id < 0)
		return;
	if (!strcmp(what, "destroy")) {
		rc = dom_destroy((uint32_t)id);
	} else if (!strcmp(what, "pause") || !strcmp(what, "unpause")) {
		rc = op(what[0] == 'p' ? EYRIE_OP_pause : EYRIE_OP_unpause, &d);
	} else {
		rc = dom_shutdown((uint32_t)id, what[0] == 's' ? SHUTDOWN_poweroff : SHUTDOWN_reboot);
		if (!rc)
			dom_poll(); /* its on_* action, now if it stopped */
	}
	if (rc)
		printf("error: %s %ld: %s\n", what, id, rc == -3 ? "no such domain" :
		       rc == -22 ? "not this domain" : "failed");
	else
		printf("domain %ld: %s done\n", id, what);
}

static void cmd_info(void)
{
	struct eyrie_host_info h;
	char extra[16] = "";
	long v = hypercall(HYPERVISOR_xen_version, XENVER_version, 0, 0);

	hypercall(HYPERVISOR_xen_version, XENVER_extraversion, (unsigned long)extra, 0);
	if (op(EYRIE_OP_host_info, &h)) {
		printf("error: info failed\n");
		return;
	}
	printf("hypervisor       : Eyrie (Xen ABI %ld.%ld%.15s), %s backend\n", v >> 16, v & 0xffff,
	       extra, h.backend);
	printf("cpu              : %.47s, %u in use, TSC %llu kHz\n", h.cpu, h.nr_cpus,
	       (unsigned long long)h.tsc_khz);
	printf("memory           : %llu MiB total, %llu MiB free\n",
	       (unsigned long long)(h.total_kib >> 10), (unsigned long long)(h.free_kib >> 10));
	printf("domains          : %u\n", h.nr_domains);
	printf("configs          : %u; boot modules: ", nr_cfgs);
	const char *name;
	const void *data;
	uint64_t size;
	for (unsigned i = 0; dom_modules(&name, &data, &size, i); i++)
		printf("%s%s (%llu KiB)", i ? ", " : "", name, (unsigned long long)(size >> 10));
	printf("\n");
}

/* The attached console until Ctrl-] or the domain is gone. */
static void console_loop(struct guest *g, long id, uint64_t gen, uint64_t shown)
{
	char out[256], in[64];
	struct eyrie_dom_console c = { (uint32_t)id, 0, 0, 0 };

	for (;;) {
		long n = 0;
		blk_poll(); /* the disks' completions go on meanwhile */
		net_poll(); /* and the network interfaces */
		hostports_poll();
		if (g) { /* our guest: its log */
			dom_service(g);
			for (; shown < g->log_total && n < (long)sizeof(out); shown++)
				out[n++] = g->log[shown % DOM_LOG];
			sys_write_guest(out, (size_t)(n > 0 ? n : 0));
			dom_poll(); /* also its on_* action if it stops */
			if (dom_guest((uint32_t)id) != g || g->gen != gen) {
				printf("\n(domain %ld is gone)\n", id);
				return;
			}
		} else {
			c.len = sizeof(out);
			c.buffer = (uint64_t)(uintptr_t)out;
			if ((n = op(EYRIE_OP_console_read, &c)) < 0) {
				printf("\n(domain %ld is gone)\n", id);
				return;
			}
			sys_write_guest(out, (size_t)(n > 0 ? n : 0));
		}
		long k = hypercall(HYPERVISOR_console_io, CONSOLEIO_read, sizeof(in), (unsigned long)in);
		char *stop = k > 0 ? memchr(in, 0x1d, (size_t)k) : NULL;
		long typed = stop ? stop - in : k;
		if (typed > 0) {
			struct eyrie_dom_console w = { (uint32_t)id, (uint32_t)typed, 0, (uint64_t)(uintptr_t)in };
			if ((g ? dom_input(g, in, (size_t)typed) : op(EYRIE_OP_console_write, &w)) < 0)
				printf("\n(domain %ld takes no input: output only)\n", id);
		}
		if (stop) {
			printf("\n(detached from domain %ld)\n", id);
			return;
		}
		if (n == 0 && k <= 0)
			sys_wait(20000000ull);
	}
}


/* console DOM|NAME: the domain's console output (what we kept, then as
 * it comes), and what is typed goes to it, until Ctrl-] (0x1d). Domains
 * not built here: the hypervisor's copy of their output. */
static void cmd_console(int argc, char **argv)
{
	long id = argc == 2 ? find_dom(argv[1]) : (printf("error: usage: console DOM|NAME\n"), -1);

	if (id < 0)
		return;
	struct guest *g = dom_guest((uint32_t)id);
	uint64_t gen = g ? g->gen : 0; /* a restart reuses the id: another guest */
	uint64_t shown = g && g->log_total > DOM_LOG ? g->log_total - DOM_LOG : 0;
	/* A console the hypervisor keeps (an HVM guest's UART, a domain not
	 * built here) is shown here only: the hypervisor stops printing it
	 * meanwhile. A PVH guest's ring is another stream than its console_io. */
	struct eyrie_dom_echo echo = { (uint32_t)id, 0 };
	long echoed = g && g->ring ? 0 : op(EYRIE_OP_console_echo, &echo);
	printf("(attached to domain %ld; Ctrl-] detaches)\n", id);
	fflush(stdout);
	console_loop(g, id, gen, shown);
	echo.on = 1;
	if (echoed == 1)
		op(EYRIE_OP_console_echo, &echo);
}

/* xenstore-ls PATH: the subtree, as Xen's tool prints it (name = "value"),
 * at most 12 levels. */
static void ls(const char *path, int depth)
{
	char *names, *value, child[512];
	size_t len, vlen;
	unsigned n;
	int rc = store_directory(xs_store(), 0, path, &names, &len, &n);

	if (rc) {
		if (!depth)
			printf("error: %s: %s\n", path, store_error_name(-rc));
		return;
	}
	for (const char *nm = names; n--; nm += strlen(nm) + 1) {
		snprintf(child, sizeof(child), "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", nm);
		if (!store_read(xs_store(), 0, child, &value, &vlen)) {
			printf("%*s%s = \"%.*s\"\n", depth * 2, "", nm, (int)vlen, value);
			free(value);
		}
		if (depth < 12)
			ls(child, depth + 1);
	}
	free(names);
}

static void cmd_xenstore(int argc, char **argv)
{
	char *value;
	size_t len;
	int rc = 0;

	if (!xs_store())
		rc = -ENOMEM;
	else if (!strcmp(argv[0], "xenstore-ls"))
		ls(argc > 1 ? argv[1] : "/", 0);
	else if (!strcmp(argv[0], "xenstore-read") && argc == 2) {
		if (!(rc = store_read(xs_store(), 0, argv[1], &value, &len))) {
			printf("%.*s\n", (int)len, value);
			free(value);
		}
	} else if (!strcmp(argv[0], "xenstore-write") && argc == 3)
		rc = store_write(xs_store(), 0, argv[1], argv[2], strlen(argv[2]));
	else if (!strcmp(argv[0], "xenstore-rm") && argc == 2)
		rc = store_rm(xs_store(), 0, argv[1]);
	else
		printf("error: usage: xenstore-ls [PATH], xenstore-read PATH, xenstore-write PATH "
		       "VALUE, xenstore-rm PATH\n");
	if (rc)
		printf("error: %s: %s\n", argc > 1 ? argv[1] : "", store_error_name(-rc));
}

/* block-list [DOM], block-attach DOM SPEC, block-detach DOM VDEV. A spec
 * typed with blanks ("format=raw, vdev=xvdb, target=x.img") is put back
 * together (xl ignores blanks before each parameter). */
static void cmd_block(int argc, char **argv)
{
	long id = argc >= 2 ? find_dom(argv[1]) : -1;
	char spec[XLCFG_PATH_LEN] = "", err[160];

	if (!strcmp(argv[0], "block-list")) {
		if (argc == 1 || id >= 0)
			blkback_list(argc == 1 ? UINT32_MAX : (uint32_t)id);
		return;
	}
	if (id < 0 || argc < 3 || (!strcmp(argv[0], "block-detach") && argc != 3)) {
		if (argc < 2 || id >= 0)
			printf("error: usage: block-list [DOM], block-attach DOM DISKSPEC, "
			       "block-detach DOM VDEV\n");
		return;
	}
	struct guest *g = dom_guest((uint32_t)id);
	if (!g || !g->xs) {
		printf("error: domain %ld: not a PVH domain built here (no store)\n", id);
		return;
	}
	if (!strcmp(argv[0], "block-detach")) {
		int rc = blkback_detach((uint32_t)id, argv[2]);
		if (rc)
			printf("error: domain %ld: %s: %s\n", id, argv[2],
			       rc == -ENOENT ? "no such disk" : "not a vdev name");
		else
			printf("domain %ld: detaching %s\n", id, argv[2]);
		return;
	}
	for (int i = 2; i < argc; i++)
		snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "%s%s", i > 2 ? " " : "",
			 argv[i]);
	if (blkback_attach((uint32_t)id, spec, err, sizeof(err)))
		printf("error: domain %ld: %s\n", id, err);
	else
		printf("domain %ld: disk attached\n", id);
}

/* bridge-uplink [BRIDGE IF|none], bridge-ip [BRIDGE ADDR|none]: domain
 * 0's own ports on a bridge (mgmt/hostports.h); without arguments, both
 * kinds listed. */
static void cmd_hostport(int argc, char **argv)
{
	bool uplink = !strcmp(argv[0], "bridge-uplink");
	char err[120];

	if (argc == 1) {
		hostports_list();
		return;
	}
	if (argc != 3) {
		printf("error: usage: %s [BRIDGE %s|none]\n", argv[0], uplink ? "IF" : "ADDR");
		return;
	}
	int rc = uplink ? hostports_uplink(argv[1], argv[2], err, sizeof(err))
			: hostports_address(argv[1], argv[2], err, sizeof(err));
	if (rc)
		printf("error: %s: %s\n", argv[1], err);
	else
		printf("%s: %s %s\n", argv[1], uplink ? "uplink" : "address", argv[2]);
}

/* network-list [DOM], network-attach DOM VIFSPEC, network-detach DOM DEVID,
 * bridge-list. A spec typed with blanks is put back together, as for
 * block-attach. */
static void cmd_network(int argc, char **argv)
{
	if (!strcmp(argv[0], "bridge-list")) {
		netback_bridge_list();
		return;
	}
	if (!strcmp(argv[0], "bridge-uplink") || !strcmp(argv[0], "bridge-ip")) {
		cmd_hostport(argc, argv);
		return;
	}
	long id = argc >= 2 ? find_dom(argv[1]) : -1;
	char spec[XLCFG_PATH_LEN] = "", err[160], *end;
	struct xlcfg_error e;
	struct xlcfg_vif v;
	if (!strcmp(argv[0], "network-list")) {
		if (argc == 1 || id >= 0)
			netback_list(argc == 1 ? UINT32_MAX : (uint32_t)id);
		return;
	}
	bool detach = !strcmp(argv[0], "network-detach");
	if (id < 0 || (detach && argc != 3) || (!detach && strcmp(argv[0], "network-attach"))) {
		if (argc < 2 || id >= 0)
			printf("error: usage: network-list [DOM], network-attach DOM [VIFSPEC], "
			       "network-detach DOM DEVID, bridge-list\n");
		return;
	}
	struct guest *g = dom_guest((uint32_t)id);
	if (!g || !g->xs) {
		printf("error: domain %ld: not a domain built here with the store\n", id);
		return;
	}
	if (detach) {
		unsigned long devid = strtoul(argv[2], &end, 10);
		int rc = *end || end == argv[2] ? -EINVAL : netback_detach((uint32_t)id, (uint32_t)devid);
		if (rc)
			printf("error: domain %ld: vif %s: %s\n", id, argv[2],
			       rc == -ENOENT ? "no such vif" : "not a devid");
		else
			printf("domain %ld: detaching vif %lu\n", id, devid);
		return;
	}
	for (int i = 2; i < argc; i++)
		snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "%s%s", i > 2 ? " " : "",
			 argv[i]);
	if (xlcfg_vif(spec, &v, &e))
		printf("error: domain %ld: %s\n", id, e.message);
	else if (netback_attach((uint32_t)id, g->cfg.name, &v, err, sizeof(err)))
		printf("error: domain %ld: %s\n", id, err);
	else
		printf("domain %ld: vif attached\n", id);
}

static void help(void)
{
	printf("commands: help, info, list, configs, create CONFIG, create KEY=VALUE... (name type\n"
	       "          memory kernel ramdisk cmdline on_poweroff on_reboot on_crash), destroy DOM,\n"
	       "          shutdown DOM, reboot DOM, pause DOM, unpause DOM, console DOM,\n"
	       "          xenstore-ls [PATH], xenstore-read PATH, xenstore-write PATH VALUE,\n"
	       "          xenstore-rm PATH, shutdown-timeout [SECS], mem-set DOM MB,\n"
	       "          vcpu-list [DOM], vcpu-pin DOM VCPU CPULIST|all,\n"
	       "          sched-credit [DOM [weight=N] [cap=N]],\n"
	       "          block-list [DOM], block-attach DOM DISKSPEC, block-detach DOM VDEV,\n"
	       "          network-list [DOM], network-attach DOM [VIFSPEC],\n"
	       "          network-detach DOM DEVID, bridge-list, bridge-uplink [BRIDGE IF|none],\n"
	       "          bridge-ip [BRIDGE ADDR|none],\n"
	       "          disks, disk-read DISK SECTOR [COUNT],\n"
	       "          disk-write DISK SECTOR TEXT, disk-discard DISK SECTOR COUNT,\n"
	       "          disk-bench DISK [MIB [DEPTH [KIB [write]]]], pci,\n"
	       "          nics, nic-dhcp IF, nic-arp IF IP [COUNT [MAC]], nic-promisc IF on|off\n"
	       "          (DOM: an id or a name; Ctrl-] detaches from a console)\n");
}

/* mem-set DOM MB: the domain's balloon target (memory/target, KiB), which
 * Linux's balloon driver follows; `list` shows what it holds. */
static void cmd_mem_set(int argc, char **argv)
{
	long id = argc == 3 ? find_dom(argv[1]) : (printf("error: usage: mem-set DOM MB\n"), -1);
	char *end, path[64], kib[24];
	unsigned long mb = argc == 3 ? strtoul(argv[2], &end, 10) : 0;

	if (id < 0)
		return;
	struct guest *g = dom_guest((uint32_t)id);
	if (!g || !g->xs || !mb || *end || mb > g->cfg.memory_mib) {
		printf("error: mem-set %ld: %s\n", id, !g || !g->xs ? "not a domain with the store" :
		       "MB must be 1 .. its memory");
		return;
	}
	snprintf(path, sizeof(path), "/local/domain/%ld/memory/target", id);
	snprintf(kib, sizeof(kib), "%lu", mb << 10);
	int rc = store_write(xs_store(), 0, path, kib, strlen(kib));
	printf(rc ? "error: mem-set %ld: %s\n" : "domain %ld: memory target %s KiB\n", id,
	       rc ? store_error_name(-rc) : kib);
}

static void cmd_configs(void)
{
	for (unsigned i = 0; i < nr_cfgs; i++)
		printf("%-20s domain %-16s %-4s %5u MiB kernel %s%s\n", cfgs[i].file, cfgs[i].cfg.name,
		       cfgs[i].cfg.type == XLCFG_TYPE_PVH ? "pvh" : cfgs[i].cfg.type == XLCFG_TYPE_HVM
		       ? "hvm" : "multiboot", (unsigned)cfgs[i].cfg.memory_mib,
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
		cmd_dom("destroy", argc, argv);
	else if (!strcmp(argv[0], "pause"))
		cmd_dom("pause", argc, argv);
	else if (!strcmp(argv[0], "unpause"))
		cmd_dom("unpause", argc, argv);
	else if (!strcmp(argv[0], "shutdown"))
		cmd_dom("shutdown", argc, argv);
	else if (!strcmp(argv[0], "reboot"))
		cmd_dom("reboot", argc, argv);
	else if (!strcmp(argv[0], "info"))
		cmd_info();
	else if (!strncmp(argv[0], "xenstore-", 9))
		cmd_xenstore(argc, argv);
	else if (!strcmp(argv[0], "mem-set"))
		cmd_mem_set(argc, argv);
	else if (!strcmp(argv[0], "vcpu-list") || !strcmp(argv[0], "vcpu-pin") ||
		 !strcmp(argv[0], "sched-credit"))
		cmd_sched(argc, argv, find_dom);
	else if (!strcmp(argv[0], "shutdown-timeout")) {
		if (argc == 2)
			dom_stop_timeout = (unsigned)strtoul(argv[1], NULL, 10);
		printf("shutdown-timeout: %u s\n", dom_stop_timeout);
	}
	else if (!strcmp(argv[0], "disks"))
		cmd_disks(argc, argv);
	else if (!strcmp(argv[0], "disk-read"))
		cmd_disk_read(argc, argv);
	else if (!strcmp(argv[0], "disk-write"))
		cmd_disk_write(argc, argv);
	else if (!strcmp(argv[0], "disk-discard"))
		cmd_disk_discard(argc, argv);
	else if (!strcmp(argv[0], "disk-bench"))
		cmd_disk_bench(argc, argv);
	else if (!strcmp(argv[0], "pci"))
		cmd_pci(argc, argv);
	else if (!strcmp(argv[0], "nics"))
		cmd_nics(argc, argv);
	else if (!strcmp(argv[0], "nic-dhcp"))
		cmd_nic_dhcp(argc, argv);
	else if (!strcmp(argv[0], "nic-arp"))
		cmd_nic_arp(argc, argv);
	else if (!strcmp(argv[0], "nic-promisc"))
		cmd_nic_promisc(argc, argv);
	else if (!strncmp(argv[0], "block-", 6))
		cmd_block(argc, argv);
	else if (!strncmp(argv[0], "network-", 8) || !strncmp(argv[0], "bridge-", 7))
		cmd_network(argc, argv);
	else
		printf("error: unknown command '%.32s' (try help)\n", argv[0]);
}

/* The end of our RAM (device memory is mapped above it). */
static uint64_t ram_end(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *e = (const void *)(uintptr_t)si->memmap_paddr;
	uint64_t end = 0;

	for (uint32_t i = 0; si->version >= 1 && si->memmap_paddr && i < si->memmap_entries; i++)
		if (e[i].type == XEN_HVM_MEMMAP_TYPE_RAM && e[i].addr + e[i].size > end)
			end = e[i].addr + e[i].size;
	return end;
}

/* What runs between keystrokes: the toolstack's, the disks' and the
 * network interfaces' work. */
static uint64_t background(void)
{
	dom_poll();
	uint64_t disks = blk_poll(), nics = net_poll();
	if (hostports_poll())
		return 0;
	return disks < nics ? disks : nics;
}

void mgmt_main(const struct hvm_start_info *si);

void mgmt_main(const struct hvm_start_info *si)
{
	static char line[512];

	sys_init();
	setvbuf(stdout, NULL, _IOLBF, 0);
	sys_mmio_init(ram_end(si));
	dma_setup(si);
	blk_init();
	net_init();
	hostports_init();
	dom_init(si);
	xs_init();
	load_configs();
	for (unsigned i = 0; i < nr_cfgs; i++)
		if (cfgs[i].cfg.autostart)
			create_from(&cfgs[i].cfg);
	sys_set_idle(background);
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
