/* SPDX-License-Identifier: GPL-2.0-only */
/* Debug shell commands for domains and vcpus. */
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/shell.h"
#include "vmm/core/domain.h"
#include "vmm/core/exit.h"
#include "vmm/core/run.h"
#include "vmm/load/cpulist.h"
#include "vmm/core/vmm.h"
#include "vmm/plat/vplat.h"
#include "kernel/string.h"

/* A decimal id (below 100000), or ~0u. */
static unsigned parse_id(const char *s)
{
	unsigned id = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9' && id < 100000; p++)
		id = id * 10 + (unsigned)(*p - '0');
	return *p || p == s ? ~0u : id;
}

/* The domain named by a decimal id argument; prints an error line if none. */
static struct domain *parse_domain(const char *s)
{
	struct domain *d = domain_find(parse_id(s));

	if (!d)
		printk("error: no domain '%.16s' (see 'domains')\n", s);
	return d;
}

/* The vcpu named by a decimal id argument of d; prints an error line if none. */
static struct vcpu *parse_vcpu(struct domain *d, const char *s)
{
	unsigned id = parse_id(s);

	if (id < d->nr_vcpus)
		return d->vcpus[id];
	printk("error: no vcpu '%.16s': domain %u has %u vcpu(s)\n", s, d->id, d->nr_vcpus);
	return NULL;
}

/* A command called wrongly: how to call it. */
static int usage(const char *how)
{
	printk("error: usage: %s\n", how);
	return -EINVAL;
}

/* For the commands taking exactly one DOM argument. */
static struct domain *one_domain(int argc, char **argv)
{
	if (argc != 2) {
		printk("error: usage: %s DOM\n", argv[0]);
		return NULL;
	}
	return parse_domain(argv[1]);
}

static uint64_t tsc_ms(uint64_t tsc)
{
	uint64_t khz = timer_info()->tsc_hz / 1000;

	return khz ? tsc / khz : 0;
}

static int cmd_domains(int argc, char **argv)
{
	printk("  id name             state     memory  vcpus  cpu-ms   exits\n");
	for (struct domain *d = domain_list(); d; d = d->next) {
		uint64_t cpu = 0, exits = 0;
		for (unsigned i = 0; i < d->nr_vcpus; i++) {
			cpu += d->vcpus[i]->run_tsc;
			exits += d->vcpus[i]->exits_total;
		}
		printk("%4u %-16s %-9s %4lu MiB %5u %7lu %7lu%s%s\n", d->id, d->name,
		       domain_state_name(d->state), d->ram_bytes >> 20, d->nr_vcpus, tsc_ms(cpu),
		       exits, d->reason[0] ? "  " : "", d->reason);
	}
	const struct domain_counts *n = &domain_counts;
	printk("since boot: %lu created, %lu destroyed; stops: %lu poweroff, %lu reboot, "
	       "%lu suspend, %lu crash, %lu watchdog\n", n->created, n->destroyed, n->stops[0],
	       n->stops[1], n->stops[2], n->stops[3], n->stops[4]);
	return 0;
}
SHELL_COMMAND(domains, "", "list domains", cmd_domains);

static int cmd_echo(int argc, char **argv)
{
	struct domain *d;

	if (argc == 1) {
		for (d = domain_list(); d; d = d->next)
			printk("%4u %-16s %s\n", d->id, d->name, d->echo ? "on" : "off");
		return 0;
	}
	if (argc != 3 || (strcmp(argv[2], "on") && strcmp(argv[2], "off")))
		return usage("echo [DOM on|off]");
	if (!(d = parse_domain(argv[1])))
		return -EINVAL;
	d->echo = !strcmp(argv[2], "on");
	return 0;
}
SHELL_COMMAND(echo, "[DOM on|off]", "show or set whose console lines are printed here", cmd_echo);

static int cmd_vcpus(int argc, char **argv)
{
	printk("  dom vcpu cpu state     rip                exits   cpu-ms affinity\n");
	for (struct domain *d = domain_list(); d; d = d->next)
		for (unsigned i = 0; i < d->nr_vcpus; i++) {
			struct vcpu *v = d->vcpus[i];
			printk("%5u %4u %3u %-9s 0x%016lx %7lu %8lu 0x%lx\n", d->id, v->id, v->cpu,
			       d->state != DOM_RUNNING ? domain_state_name(d->state)
			       : v->state == VCPU_BLOCKED ? "blocked" : v->state == VCPU_DOWN ? "down" : "runnable",
			       vcpu_ops->get(v, VS_RIP), v->exits_total, tsc_ms(v->run_tsc), v->affinity);
		}
	printk("uptime %lu ms\n", timer_uptime_ms()); /* the span to set cpu-ms against */
	return 0;
}
SHELL_COMMAND(vcpus, "", "list vcpus", cmd_vcpus);

/* The physical CPUs: how many vcpus each has, which one runs now (the
 * shell runs on CPU 0, so that one is idle), and on a line of its own the
 * others of its run queue that wait to run. */
static int cmd_cpus(int argc, char **argv)
{
	printk("  cpu apic-id state  vcpus running\n");
	for (unsigned i = 0; i < nr_cpus; i++) {
		const struct percpu *c = percpu_get(i);
		const struct vcpu *v = c->current;
		char run[24] = "idle", queue[64] = "";
		unsigned n = 0;
		size_t q = 0;
		for (struct domain *d = domain_list(); d; d = d->next)
			for (unsigned k = 0; k < d->nr_vcpus; k++) {
				const struct vcpu *w = d->vcpus[k];
				n += w->cpu == i;
				if (w->cpu == i && w != v && w->state == VCPU_RUNNABLE &&
				    d->state == DOM_RUNNING && q + 12 < sizeof(queue))
					q += (size_t)snprintf(queue + q, sizeof(queue) - q, " d%u.%u%s",
							      d->id, w->id, d->parked ? "(capped)" : "");
			}
		if (v)
			snprintf(run, sizeof(run), "d%u.%u", v->dom->id, v->id);
		printk("%5u %7u %-6s %5u %s\n", c->id, c->apic_id, c->online ? "online" : "down", n,
		       run);
		if (q)
			printk("      queue:%s\n", queue);
	}
	printk("  cpu lock-taken  waited  wait-ms (the big lock, since boot)\n");
	for (unsigned i = 0; i < nr_cpus; i++) {
		const struct percpu *c = percpu_get(i);
		printk("%5u %10lu %7lu %8lu\n", i, c->lock.taken, c->lock.waited,
		       tsc_ms(c->lock.wait_tsc));
	}
	return 0;
}
SHELL_COMMAND(cpus, "", "list the physical CPUs, what each runs and its run queue", cmd_cpus);

static int cmd_vcpu_pin(int argc, char **argv)
{
	struct domain *d;
	struct vcpu *v;
	uint64_t mask;

	if (argc != 4)
		return usage("vcpu-pin DOM VCPU CPULIST|all");
	if (!(d = parse_domain(argv[1])) || !(v = parse_vcpu(d, argv[2])))
		return -EINVAL;
	if (cpulist_parse(argv[3], &mask) || vcpu_pin(v, mask)) {
		printk("error: '%.32s' names no online CPU (0-%u)\n", argv[3], nr_cpus - 1);
		return -EINVAL;
	}
	printk("domain %u vcpu %u: affinity 0x%lx, on CPU %u\n", d->id, v->id, v->affinity, v->cpu);
	return 0;
}
SHELL_COMMAND_AS(vcpu_pin, "vcpu-pin", "DOM VCPU CPULIST|all", "set the CPUs a vcpu may run on",
		 cmd_vcpu_pin);

/* N of "key=N" (0..65535), or -1. */
static long key_value(const char *arg, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(arg, key, n) || arg[n] != '=')
		return -1;
	unsigned v = parse_id(arg + n + 1);
	return v > 65535 ? -1 : (long)v;
}

static int cmd_sched_credit(int argc, char **argv)
{
	struct domain *d = argc > 1 ? parse_domain(argv[1]) : NULL;

	if (argc > 1 && !d)
		return -EINVAL;
	unsigned weight = d ? sched_weight(d) : 0, cap = d ? d->cfg.cap : 0;
	for (int i = 2; i < argc; i++) {
		long w = key_value(argv[i], "weight"), c = key_value(argv[i], "cap");
		if (w < 0 && c < 0)
			return usage("sched-credit [DOM [weight=1..65535] [cap=0..100*vcpus]]");
		*(w >= 0 ? &weight : &cap) = (unsigned)(w >= 0 ? w : c);
	}
	if (argc > 2 && sched_set(d, weight, cap)) {
		printk("error: weight %u or cap %u out of range (1..65535, 0..%u)\n", weight, cap,
		       100 * d->nr_vcpus);
		return -EINVAL;
	}
	printk("  id name             weight  cap\n");
	for (struct domain *e = domain_list(); e; e = e->next)
		if (!d || e == d)
			printk("%4u %-16s %6u %4u\n", e->id, e->name, sched_weight(e), e->cfg.cap);
	return 0;
}
SHELL_COMMAND_AS(sched_credit, "sched-credit", "[DOM [weight=N] [cap=N]]",
		 "show or set domains' weights and caps", cmd_sched_credit);

static int cmd_exits(int argc, char **argv)
{
	struct domain *d = one_domain(argc, argv);

	if (!d)
		return -EINVAL;
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		printk("domain %u vcpu %u: %lu exits, %lu without the big lock\n", d->id, v->id,
		       v->exits_total, v->exits_fast);
		for (unsigned r = 0; r < EXIT_REASONS; r++)
			if (v->exits[r])
				printk("  %-14s %lu\n", exit_reason_name((enum exit_reason)r), v->exits[r]);
	}
	return 0;
}
SHELL_COMMAND(exits, "DOM", "VM exits of a domain by reason", cmd_exits);

static void dump_regs(struct vcpu *v)
{
	static const char *const n[GPR_COUNT] = { "RAX", "RCX", "RDX", "RBX", "RSP", "RBP",
		"RSI", "RDI", "R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15" };

	for (unsigned i = 0; i < GPR_COUNT; i += 4)
		printk("%s %016lx %s %016lx %s %016lx %s %016lx\n", n[i], v->gprs[i], n[i + 1],
		       v->gprs[i + 1], n[i + 2], v->gprs[i + 2], n[i + 3], v->gprs[i + 3]);
	printk("RIP %016lx RFLAGS %08lx CR0 %08lx CR3 %016lx CR4 %08lx EFER %lx\n",
	       vcpu_ops->get(v, VS_RIP), vcpu_ops->get(v, VS_RFLAGS), vcpu_ops->get(v, VS_CR0),
	       vcpu_ops->get(v, VS_CR3), vcpu_ops->get(v, VS_CR4), vcpu_ops->get(v, VS_EFER));
	const struct vmexit *e = &v->last_exit;
	printk("last exit: %s (code 0x%x, info 0x%lx 0x%lx)\n", exit_reason_name(e->reason),
	       e->vendor_code, e->info1, e->info2);
}

static int cmd_dump(int argc, char **argv)
{
	if (argc != 3)
		return usage("dump DOM VCPU");
	struct domain *d = parse_domain(argv[1]);
	struct vcpu *v = d ? parse_vcpu(d, argv[2]) : NULL;
	if (!v)
		return -EINVAL;
	printk("domain %u (%s) vcpu %u, %s backend:\n", d->id, d->name, v->id, vcpu_ops->name);
	dump_regs(v);
	vcpu_ops->dump(v);
	return 0;
}
SHELL_COMMAND(dump, "DOM VCPU", "registers and last exit of a vcpu", cmd_dump);

/* nmi DOM [VCPU]: an NMI straight to the vcpu (0 by default), as Xen's
 * `xl trigger DOM nmi`: the guest's NMI handler runs (Linux: its
 * unknown-NMI report, or a panic with unknown_nmi_panic). */
static int cmd_nmi(int argc, char **argv)
{
	if (argc != 2 && argc != 3)
		return usage("nmi DOM [VCPU]");
	struct domain *d = parse_domain(argv[1]);
	struct vcpu *v = !d ? NULL : argc == 3 ? parse_vcpu(d, argv[2]) : d->vcpus[0];
	if (!v)
		return -EINVAL;
	vcpu_raise_nmi(v);
	printk("domain %u vcpu %u: NMI sent\n", d->id, v->id);
	return 0;
}
SHELL_COMMAND(nmi, "DOM [VCPU]", "send an NMI to a vcpu (default 0)", cmd_nmi);

/* pause DOM (a running domain) and unpause DOM (a paused one). */
static int cmd_pause(int argc, char **argv)
{
	struct domain *d = one_domain(argc, argv);
	bool pause = argv[0][0] == 'p';

	if (!d)
		return -EINVAL;
	if (d->state != (pause ? DOM_RUNNING : DOM_PAUSED)) {
		printk("error: domain %u is %s\n", d->id, domain_state_name(d->state));
		return -EBUSY;
	}
	if (pause)
		domain_pause(d);
	else
		domain_unpause(d);
	printk("domain %u %s\n", d->id, pause ? "paused" : "running");
	return 0;
}
SHELL_COMMAND(pause, "DOM", "stop running a domain", cmd_pause);
SHELL_COMMAND(unpause, "DOM", "run a paused domain again", cmd_pause);

static int cmd_destroy(int argc, char **argv)
{
	struct domain *d = one_domain(argc, argv);

	if (!d)
		return -EINVAL;
	domain_destroy(d);
	return 0;
}
SHELL_COMMAND(destroy, "DOM", "stop a domain and free its memory", cmd_destroy);

/* Creates a domain from a domain= value (vmm/core/domcfg.h), e.g. from the
 * boot modules: create name=t,type=pvh,image=pvh.elf,memory=2. Words after
 * the first are joined with blanks (for cmdline=). */
static int cmd_create(int argc, char **argv)
{
	char spec[DOM_CMDLINE_LEN + 128];
	size_t n = 0;

	if (argc < 2)
		return usage("create name=NAME,image=MODULE,memory=MIB[,...]");
	for (int i = 1; i < argc; i++) {
		size_t len = strlen(argv[i]);
		if (n + len + 2 > sizeof(spec)) {
			printk("error: domain spec too long\n");
			return -EINVAL;
		}
		if (i > 1)
			spec[n++] = ' ';
		memcpy(spec + n, argv[i], len);
		n += len;
	}
	spec[n] = 0;
	return domain_start(spec); /* says what it created, or why not */
}
SHELL_COMMAND(create, "SPEC", "create a domain (domain= syntax)", cmd_create);

/* The domain's console log: its last DOM_LOG_SIZE bytes (or the last N lines). */
static int cmd_console(int argc, char **argv)
{
	if (argc < 2 || argc > 3)
		return usage("console DOM [LINES]");
	struct domain *d = parse_domain(argv[1]);
	if (!d)
		return -ENOENT;
	/* Read without its console lock (printing all of it takes long): a
	 * byte the guest writes meanwhile over the oldest may show. */
	uint64_t end = d->log_total, start = end > DOM_LOG_SIZE ? end - DOM_LOG_SIZE : 0;
	unsigned lines = 0;
	for (const char *p = argc == 3 ? argv[2] : ""; *p >= '0' && *p <= '9' && lines < 100000; p++)
		lines = lines * 10 + (unsigned)(*p - '0');
	if (lines) /* back from the end to the start of the last `lines` lines */
		for (uint64_t i = end; i > start; i--)
			if (d->log[(i - 1) % DOM_LOG_SIZE] == '\n' && i != end && !--lines) {
				start = i;
				break;
			}
	for (uint64_t i = start; i < end; i++) {
		char c = d->log[i % DOM_LOG_SIZE];
		if (c != '\r')
			printk("%c", (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' ? c : '?');
	}
	if (end && d->log[(end - 1) % DOM_LOG_SIZE] != '\n')
		printk("\n");
	return 0;
}
SHELL_COMMAND(console, "DOM [LINES]", "show a domain's console log", cmd_console);

/* Types a line into the domain's serial port (UART on the virtual platform). */
static int cmd_input(int argc, char **argv)
{
	if (argc < 3)
		return usage("input DOM TEXT...");
	struct domain *d = parse_domain(argv[1]);
	if (!d)
		return -ENOENT;
	if (!d->plat) {
		printk("error: domain %u has no serial port (no platform: not an hvm guest, nor platform=pc)\n",
		       d->id);
		return -ENODEV;
	}
	for (int i = 2; i < argc; i++) {
		unsigned n = (unsigned)strlen(argv[i]);
		if (vplat_input(d, argv[i], n) != n || vplat_input(d, i + 1 < argc ? " " : "\r", 1) != 1) {
			printk("error: domain %u's input buffer is full\n", d->id);
			return -ENOSPC;
		}
	}
	return 0;
}
SHELL_COMMAND(input, "DOM TEXT", "type a line into a domain's serial port", cmd_input);
