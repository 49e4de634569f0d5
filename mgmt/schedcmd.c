/* SPDX-License-Identifier: GPL-2.0-only */
/* The management console's scheduler commands (see schedcmd.h), through
 * EYRIE_OP_vcpu_list, vcpu_pin, sched_get and sched_set (docs/scheduling.md). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "include/public/eyrie.h"
#include "mgmt/schedcmd.h"
#include "mgmt/sys.h"
#include "vmm/load/cpulist.h"

#define MAX_VCPUS 256

static long op(unsigned o, void *arg)
{
	return hypercall(HYPERVISOR_eyrie_op, o, (unsigned long)arg, 0);
}

/* A CPU mask as xl prints it: "all", or CPUs and ranges ("0-1,3"). */
static void mask_text(uint64_t m, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	if (m == ~0ull) {
		snprintf(buf, size, "all");
		return;
	}
	for (unsigned c = 0; c < 64 && n + 8 < size; c++) {
		if (!(m >> c & 1))
			continue;
		unsigned e = c;
		while (e < 63 && (m >> (e + 1) & 1))
			e++;
		n += (size_t)snprintf(buf + n, size - n, e > c ? "%s%u-%u" : "%s%u", n ? "," : "", c,
				      e);
		c = e;
	}
}

/* xl's state letters: r(unning), b(locked), p(aused: also a vcpu down). */
static const char *state_text(unsigned s)
{
	static const char *const t[] = { "r--", "---", "-b-", "--p", "--p" };

	return s < 5 ? t[s] : "?";
}

static void vcpu_list(long dom)
{
	static struct eyrie_vcpu_info v[MAX_VCPUS];
	static struct eyrie_dom_info d[64];
	struct eyrie_dom_list lv = { MAX_VCPUS, 0, (uint64_t)(uintptr_t)v };
	struct eyrie_dom_list ld = { 64, 0, (uint64_t)(uintptr_t)d };
	char aff[96];

	if (op(EYRIE_OP_vcpu_list, &lv) || op(EYRIE_OP_list, &ld)) {
		printf("error: vcpu-list failed\n");
		return;
	}
	printf("%-16s %4s %5s %4s %-5s %9s %s\n", "Name", "ID", "VCPU", "CPU", "State", "Time(s)",
	       "Affinity");
	for (uint32_t i = 0; i < lv.nr; i++) {
		const char *name = "?";
		for (uint32_t k = 0; k < ld.nr; k++)
			name = d[k].domid == v[i].domid ? d[k].name : name;
		if (dom >= 0 && v[i].domid != dom)
			continue;
		mask_text(v[i].affinity, aff, sizeof(aff));
		uint64_t ds = v[i].cpu_ns / 100000000; /* tenths of a second */
		printf("%-16.16s %4u %5u %4u %-5s %7llu.%llu %s\n", name, v[i].domid, v[i].vcpu,
		       v[i].cpu, state_text(v[i].state), (unsigned long long)(ds / 10),
		       (unsigned long long)(ds % 10), aff);
	}
}

static void vcpu_pin(long dom, const char *vcpu, const char *cpus)
{
	struct eyrie_vcpu_pin p = { (uint32_t)dom, 0, 0 };
	char *end;
	unsigned long n = strtoul(vcpu, &end, 10);
	long rc;

	if (*vcpu < '0' || *vcpu > '9' || *end || n > 0xffffffffu) {
		printf("error: vcpu-pin: '%s' is not a vcpu number\n", vcpu);
		return;
	}
	p.vcpu = (uint32_t)n;
	if (cpulist_parse(cpus, &p.cpumask)) {
		printf("error: vcpu-pin: '%s' is not a CPU list (\"all\", or e.g. \"0-1,3\")\n", cpus);
		return;
	}
	if ((rc = op(EYRIE_OP_vcpu_pin, &p)))
		printf("error: vcpu-pin %ld %s: %s\n", dom, vcpu, rc == -3 ? "no such domain" :
		       "no such vcpu, or no online CPU in the list");
	else
		printf("domain %ld vcpu %s: affinity %s\n", dom, vcpu, cpus);
}

/* "key=N" with N decimal 0..65535: N, else -1. */
static long key_value(const char *arg, const char *key)
{
	size_t k = strlen(key);
	char *end;

	if (strncmp(arg, key, k) || arg[k] != '=' || arg[k + 1] < '0' || arg[k + 1] > '9')
		return -1;
	unsigned long n = strtoul(arg + k + 1, &end, 10);
	return *end || n > 65535 ? -1 : (long)n;
}

static void sched_show(uint32_t domid, const char *name)
{
	struct eyrie_sched s = { domid, 0, 0, 0 };

	if (!op(EYRIE_OP_sched_get, &s))
		printf("%-16.16s %4u %6u %4u\n", name, domid, s.weight, s.cap);
}

static void sched_credit(long dom, int argc, char **argv)
{
	static struct eyrie_dom_info d[64];
	struct eyrie_dom_list l = { 64, 0, (uint64_t)(uintptr_t)d };
	struct eyrie_sched s = { (uint32_t)dom, 0, 0, 0 };
	long rc;

	if (argc > 2 && !op(EYRIE_OP_sched_get, &s)) {
		for (int i = 2; i < argc; i++) {
			long w = key_value(argv[i], "weight"), c = key_value(argv[i], "cap");
			if (w < 0 && c < 0) {
				printf("error: usage: sched-credit [DOM [weight=1..65535] "
				       "[cap=0..100*vcpus]]\n");
				return;
			}
			*(w >= 0 ? &s.weight : &s.cap) = (uint32_t)(w >= 0 ? w : c);
		}
		if ((rc = op(EYRIE_OP_sched_set, &s))) {
			printf("error: sched-credit %ld: weight %u or cap %u out of range (weight "
			       "1..65535, cap 0..100 per vcpu)\n", dom, s.weight, s.cap);
			return;
		}
	}
	if (op(EYRIE_OP_list, &l))
		return;
	printf("%-16s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
	for (uint32_t i = 0; i < l.nr; i++)
		if (dom < 0 || d[i].domid == dom)
			sched_show(d[i].domid, d[i].name);
}

void cmd_sched(int argc, char **argv, long (*find)(const char *arg))
{
	bool list = !strcmp(argv[0], "vcpu-list"), pin = !strcmp(argv[0], "vcpu-pin");
	long dom = argc > 1 ? find(argv[1]) : -1;

	if ((argc > 1 && dom < 0))
		return;
	if (list && argc <= 2)
		vcpu_list(dom);
	else if (pin && argc == 4)
		vcpu_pin(dom, argv[2], argv[3]);
	else if (!list && !pin)
		sched_credit(dom, argc, argv);
	else
		printf("error: usage: %s\n", list ? "vcpu-list [DOM]" : "vcpu-pin DOM VCPU CPULIST|all");
}
