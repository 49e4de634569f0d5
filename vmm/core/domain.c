/* SPDX-License-Identifier: GPL-2.0-only */
/* Domain lifecycle (see domain.h). */
#include "vmm/core/domain.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "include/public/xen.h"
#include "drivers/rtc.h"
#include "kernel/elf.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/main.h"
#include "kernel/mm.h"
#include "kernel/string.h"
#include "vmm/core/guest_mem.h"
#include "vmm/load/gplace.h"
#include "vmm/load/mb1_guest.h"
#include "vmm/load/pvh_guest.h"
#include "vmm/core/p2m.h"
#include "vmm/core/vmm.h"
#include "vmm/plat/vplat.h"
#include "vmm/xen/pirq.h"
#include "vmm/xen/xen.h"

/*
 * A domain that keeps stopping and coming back (a reboot loop under
 * on_reboot=restart) must not flood the line. Per name (each restart is a
 * new domain): LOOP_STOPS stops in a row faster than one every LOOP_SECS
 * seconds make it quiet: its lifecycle lines are left out, with one line
 * every LOOP_SECS seconds saying how many stops went by, until it has
 * stopped nothing for LOOP_STOPS * LOOP_SECS seconds.
 */
#define LOOP_STOPS 8u
#define LOOP_SECS  10u
#define LOOP_NAMES 8
static struct loop {
	char name[DOM_NAME_LEN];
	uint64_t stamp, said;       /* TSC: credit last refilled, last summary */
	unsigned credit, stops;     /* stops left before quiet; stops not told */
	bool quiet;
} loops[LOOP_NAMES];

static struct loop *loop_of(const char *name)
{
	struct loop *l = &loops[0];

	for (unsigned i = 0; i < LOOP_NAMES; i++) {
		if (!strcmp(loops[i].name, name))
			return &loops[i];
		if (!loops[i].quiet && loops[i].stamp < l->stamp)
			l = &loops[i]; /* the least recently refilled */
	}
	*l = (struct loop){ .stamp = rdtsc(), .credit = LOOP_STOPS };
	str_copy(l->name, name, sizeof(l->name));
	return l;
}

/* Refills l's credit for the time gone by; false while it is quiet. */
static bool loop_calm(struct loop *l)
{
	uint64_t period = timer_info()->tsc_hz * LOOP_SECS, now = rdtsc();
	uint64_t add = period ? (now - l->stamp) / period : LOOP_STOPS;

	if (add) {
		l->credit = l->credit + add >= LOOP_STOPS ? LOOP_STOPS : l->credit + (unsigned)add;
		l->stamp = now;
	}
	if (l->quiet && l->credit == LOOP_STOPS) {
		pr_info("domain %s stopped looping: %u more stops\n", l->name, l->stops);
		l->quiet = false;
		l->stops = 0;
	} else if (l->quiet && now - l->said >= period) {
		pr_info("domain %s keeps stopping and restarting: %u stops in %u s, their lines "
			"left out\n", l->name, l->stops, LOOP_SECS);
		l->said = now;
		l->stops = 0;
	}
	return !l->quiet;
}

/* A stop the guest asked for (or caused): charged to its name. */
static void loop_stop(const struct domain *d)
{
	struct loop *l = loop_of(d->name);

	loop_calm(l);
	l->stops++;
	if (l->credit)
		l->credit--;
	else if (!l->quiet) {
		pr_info("domain %s keeps stopping and restarting: its lifecycle lines are left out "
			"now, one line every %u s\n", l->name, LOOP_SECS);
		l->quiet = true;
		l->said = rdtsc();
		l->stops = 0;
	}
}

/* A lifecycle line of domain `name`, unless it is looping. */
static __attribute__((format(printf, 3, 4)))
void life(const char *name, enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	for (unsigned i = 0; i < LOOP_NAMES; i++)
		if (!strcmp(loops[i].name, name) && !loop_calm(&loops[i]))
			return;
	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

struct domain_counts domain_counts;
static struct domain *domains;
/* Each id's domain (reserved for it from the start of its creation): the
 * lookup every hypercall that names a domain makes. */
static struct domain *by_id[DOMID_FIRST_RESERVED];

struct domain *domain_list(void)
{
	return domains;
}

struct domain *domain_find(uint32_t id)
{
	return id < DOMID_FIRST_RESERVED ? by_id[id] : NULL;
}

/* Domain 0 for the privileged domain, else the lowest free id from 1:
 * ids never wrap into domain 0 or the reserved ids. -EEXIST / -ENOSPC. */
static int id_take(struct domain *d, bool privileged)
{
	uint32_t i = privileged ? 0 : 1;

	while (!privileged && i < DOMID_FIRST_RESERVED && by_id[i])
		i++;
	if (i >= DOMID_FIRST_RESERVED || by_id[i])
		return privileged ? -EEXIST : -ENOSPC;
	by_id[i] = d;
	d->id = (domid_t)i;
	return 0;
}

const char *domain_state_name(enum dom_state s)
{
	static const char *const n[] = { "running", "paused", "crashed", "shutdown" };

	return (unsigned)s < 4 ? n[s] : "?";
}

/* The boot module named by the first word of name. */
static const struct boot_module *find_module(const char *name)
{
	const struct boot_info *bi = sys()->boot;
	size_t n = strchr(name, ' ') ? (size_t)(strchr(name, ' ') - name) : strlen(name);

	for (uint32_t i = 0; i < bi->nr_modules; i++)
		if (!strncmp(bi->modules[i].name, name, n) && !bi->modules[i].name[n])
			return &bi->modules[i];
	return NULL;
}

/* Copies a loader's piece of any size into guest RAM (the checked copy
 * API takes at most GUEST_COPY_MAX per call); logs a failure. src NULL:
 * a range to zero, and guest RAM starts zeroed. */
static int load_copy(struct domain *d, uint64_t gpa, const void *src, uint64_t len)
{
	for (uint64_t off = 0; src && off < len; off += GUEST_COPY_MAX) {
		uint64_t n = len - off < GUEST_COPY_MAX ? len - off : GUEST_COPY_MAX;
		int rc = copy_to_guest_phys(d, gpa + off, (const char *)src + off, (size_t)n);
		if (rc) {
			pr_err("domain %s: cannot load %lu bytes at guest 0x%lx (error %d)\n", d->name,
			       len, gpa, rc);
			return rc;
		}
	}
	return 0;
}

/* Where a domain starts: the entry point and the registers a loader sets. */
struct start {
	uint64_t entry;
	uint64_t eax, ebx;
};

/* The boot-module loaders the hypervisor runs itself (vmm/load/gplace.h's one
 * shape; the management domain builds with the same ones). */
static const struct loader {
	const char *name;
	int (*parse)(const void *img, size_t size, struct gload_image *k, char *err, size_t errlen);
	int (*plan)(const struct gload_image *k, const struct gload_cfg *cfg,
		    struct gload_plan *pl, char *err, size_t errlen);
} loaders[] = {
	[DOM_TYPE_MULTIBOOT] = { "multiboot", mb1g_parse, mb1g_plan },
	[DOM_TYPE_PVH] = { "pvh", pvh_parse, pvh_plan },
};

/* Parses and plans image m with cfg, copies the plan into guest RAM and
 * sets *st from its entry state. */
static int load_planned(struct domain *d, const struct boot_module *m, const struct gload_cfg *cfg,
			struct start *st)
{
	const struct loader *l = &loaders[d->cfg.type];
	struct gload_image *k = kzalloc(sizeof(*k));
	struct gload_plan *plan = kzalloc(sizeof(*plan));
	char err[128];
	int rc = -ENOMEM;

	if (!k || !plan)
		goto out;
	rc = l->parse(phys_to_virt(m->start), (size_t)m->size, k, err, sizeof(err));
	if (!rc)
		rc = l->plan(k, cfg, plan, err, sizeof(err));
	if (rc) {
		pr_err("domain %s: %s image %s: %s\n", d->name, l->name, m->name, err);
		goto out;
	}
	for (unsigned i = 0; i < plan->nr_copies && !rc; i++)
		rc = load_copy(d, plan->copies[i].gpa, gload_copy_src(k, cfg, plan, &plan->copies[i]),
			       plan->copies[i].len);
	*st = (struct start){ plan->entry.eip, plan->entry.eax, plan->entry.ebx };
	if (k->wants_video)
		pr_warn("domain %s: the kernel asks for a video mode; it gets none\n", d->name);
out:
	kfree(k);
	kfree(plan);
	return rc;
}

/*
 * A multiboot1 kernel (vmm/load/mb1_guest.c plans the layout) or a PVH kernel
 * (vmm/load/pvh_guest.c): the guest map is RAM below 0x9FC00, the legacy hole
 * reserved, RAM from 1 MiB; the vcpu starts in 32-bit flat mode as the
 * format says. Multiboot, as GRUB: the command line is the kernel's name
 * and then cmdline=; each module= gets its whole value as its string.
 * PVH: the initrd as module 0, hvm_start_info with the command line
 * (default: the domain name); the management domain also gets every other
 * boot module, each named by its command line: the domain configs (*.cfg)
 * and the images of the domains it builds.
 */
static int load_kernel(struct domain *d, const struct boot_module *m, struct start *st)
{
	struct e820_entry map[4];
	unsigned nr_map = e820_guest_map(d->ram_bytes, 0, map);
	const struct boot_info *bi = sys()->boot;
	const struct boot_module *b, *rd = NULL;
	char cmd[DOM_IMAGE_LEN + DOM_CMDLINE_LEN];
	struct gmodule mods[GLOAD_MAX_MODS];
	struct gload_cfg cfg = { .ram_size = d->ram_bytes, .e820 = map, .e820_n = nr_map,
				 .cmdline = cmd, .mods = mods,
				 .rsdp_paddr = d->plat ? VPLAT_ACPI_GPA : 0 };

	snprintf(cmd, sizeof(cmd), "%s%s%s", m->name, d->cfg.cmdline[0] ? " " : "", d->cfg.cmdline);
	for (unsigned i = 0; i < d->cfg.nr_modules; i++) {
		if (!(b = find_module(d->cfg.modules[i]))) {
			pr_err("domain %s: no boot module named by module=%s\n", d->name,
			       d->cfg.modules[i]);
			return -ENOENT;
		}
		mods[cfg.nr_mods++] = (struct gmodule){ phys_to_virt(b->start), b->size,
							d->cfg.modules[i] };
	}
	if (d->cfg.type == DOM_TYPE_PVH) {
		cfg.cmdline = d->cfg.cmdline[0] ? d->cfg.cmdline : d->name;
		if (d->cfg.initrd[0] && !(rd = find_module(d->cfg.initrd))) {
			pr_err("domain %s: no boot module named %s (initrd)\n", d->name, d->cfg.initrd);
			return -ENOENT;
		}
		if (rd)
			mods[cfg.nr_mods++] = (struct gmodule){ phys_to_virt(rd->start), rd->size, NULL };
		for (uint32_t i = 0; d->cfg.privileged && i < bi->nr_modules; i++)
			if (&bi->modules[i] != m && &bi->modules[i] != rd && cfg.nr_mods < GLOAD_MAX_MODS)
				mods[cfg.nr_mods++] = (struct gmodule){ phys_to_virt(bi->modules[i].start),
									bi->modules[i].size, bi->modules[i].name };
		for (unsigned i = 0; i < nr_map; i++)
			d->e820[i] = (struct xen_e820_entry){ map[i].base, map[i].size, map[i].type };
		d->nr_e820 = nr_map;
	}
	return load_planned(d, m, &cfg, st);
}

/* Validates the ELF image and copies its segments into guest RAM. */
static int load_image(struct domain *d, const struct boot_module *m, uint64_t *entry)
{
	const void *img = phys_to_virt(m->start);
	struct elf64_info info;
	struct elf64_phdr ph;

	if (elf_check_guest(img, (size_t)m->size, &info)) {
		pr_err("domain %s: image %s: %s\n", d->name, m->name, elf_reason_str(info.reason));
		return -ENOEXEC;
	}
	if (info.paddr_hi > d->ram_bytes) {
		pr_err("domain %s: image %s needs guest memory up to 0x%lx, the domain has 0x%lx\n",
		       d->name, m->name, info.paddr_hi, d->ram_bytes);
		return -E2BIG;
	}
	for (unsigned i = 0; i < info.phnum; i++) {
		if (elf64_phdr(img, (size_t)m->size, i, &ph) || ph.type != ELF_PT_LOAD || !ph.memsz)
			continue;
		/* RAM is zeroed, so the bss needs nothing. */
		if (load_copy(d, ph.paddr, (const char *)img + ph.offset, ph.filesz))
			return -EFAULT;
	}
	*entry = info.entry_paddr;
	return 0;
}

/* After the vcpus and the platform, the p2m goes before the Xen state:
 * its leaves (foreign mappings, the shared info page) point at frames the
 * Xen state holds. */
static void free_domain(struct domain *d)
{
	by_id[d->id] = NULL; /* first: vmm_sync waits for whoever found it */
	vmm_sync(d, true);
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		vcpu_free(d->vcpus[i]);
	vplat_destroy(d);
	p2m_destroy(d);
	xen_domain_destroy(d);
	kfree(d->log);
	kfree(d);
}

/* With more than one CPU: which runs each vcpu. */
static void log_cpus(const struct domain *d)
{
	char list[64] = "";
	size_t n = 0;

	for (unsigned i = 0; nr_cpus > 1 && i < d->nr_vcpus && n + 8 < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%u", i ? "," : "",
				      d->vcpus[i]->cpu);
	if (n)
		life(d->name, LOG_INFO, "domain %u (%s): vcpus on CPU %s\n", d->id, d->name, list);
}

int domain_create(const struct domain_config *cfg, struct domain **out)
{
	const struct boot_module *m = cfg->managed ? NULL : find_module(cfg->image);
	int err;

	if (!vcpu_ops)
		return -ENODEV;
	if (!m && !cfg->managed) {
		pr_err("domain %s: no boot module named %s\n", cfg->name, cfg->image);
		return -ENOENT;
	}
	struct domain *d = kzalloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	if ((err = id_take(d, cfg->privileged))) {
		pr_err("domain %s: %s\n", cfg->name, err == -EEXIST ?
		       "there is a privileged domain (0) already" :
		       "no free domain id (all of 1-32751 are in use)");
		kfree(d);
		return err;
	}
	d->cfg = *cfg;
	str_copy(d->name, cfg->name, sizeof(d->name));
	d->echo = !sys()->guest_echo_off;
	d->con_credit = DOM_ECHO_BURST;
	d->con_stamp = rdtsc();
	d->tsc_offset = -rdtsc(); /* the guest TSC starts at 0 */
	if (rtc_read_unix(&d->boot_unix))
		pr_warn("domain %s: the host clock is unreadable: its clocks start at 1970\n", d->name);
	err = p2m_init(d, cfg->memory_mib << 20);
	if (err) {
		pr_err("domain %s: cannot allocate %lu MiB of guest memory\n", d->name, cfg->memory_mib);
		goto fail;
	}
	d->log = kzalloc(DOM_LOG_SIZE);
	if (!d->log) {
		err = -ENOMEM;
		goto fail;
	}
	struct start st = { 0 };
	if (cfg->platform) {
		/* 0xFEC00000 up holds the IOAPIC and local APIC. */
		if (d->ram_bytes > 0xfec00000ull) {
			pr_err("domain %s: with the PC platform a domain has at most %u MiB\n", d->name,
			       0xfec00000u >> 20);
			err = -E2BIG;
			goto fail;
		}
		err = vplat_create(d, pirq_eoi);
		if (err) {
			pr_err("domain %s: cannot build its platform (error %d)\n", d->name, err);
			goto fail;
		}
	}
	/* Domain 0 loads a managed domain's image: the only way to an HVM
	 * Linux guest (the hypervisor loads no bzImage). */
	if (cfg->managed)
		;
	else if (cfg->type == DOM_TYPE_ELF)
		err = load_image(d, m, &st.entry);
	else
		err = load_kernel(d, m, &st);
	if (err)
		goto fail;
	/* vcpu 0 starts at the entry; the others wait: a SIPI (PC platform)
	 * or VCPUOP_up starts them. */
	for (unsigned i = 0; i < (cfg->vcpus ? cfg->vcpus : 1u); i++) {
		err = vcpu_new(d, i, i ? DOM_BOOT_REAL : cfg->boot, i ? 0 : st.entry, &d->vcpus[i]);
		if (err) {
			pr_err("domain %s: cannot create vcpu %u (error %d)\n", d->name, i, err);
			goto fail;
		}
		if (i)
			d->vcpus[i]->state = VCPU_DOWN;
		d->nr_vcpus++;
	}
	d->vcpus[0]->gprs[GPR_RAX] = st.eax;
	d->vcpus[0]->gprs[GPR_RBX] = st.ebx;
	if (cfg->xen && (err = xen_domain_init(d))) {
		pr_err("domain %s: no memory for its event channels\n", d->name);
		goto fail;
	}
	struct domain **tail = &domains;
	while (*tail)
		tail = &(*tail)->next;
	*tail = d;
	domain_counts.created++;
	log_cpus(d);
	if (cfg->managed) {
		d->state = DOM_PAUSED;
		d->building = true;
		life(d->name, LOG_INFO, "domain %u (%s): %lu MiB, %s, being built by domain 0\n", d->id, d->name,
			cfg->memory_mib, cfg->type == DOM_TYPE_HVM ? "hvm" : cfg->type == DOM_TYPE_PVH
			? "pvh" : "multiboot");
	} else {
		life(d->name, LOG_INFO, "domain %u (%s): %lu MiB, image %s, entry 0x%lx (%s)\n",
		     d->id, d->name, cfg->memory_mib, m->name, st.entry, cfg->type == DOM_TYPE_PVH
		     ? "pvh" : cfg->type == DOM_TYPE_MULTIBOOT ? "multiboot"
		     : cfg->boot == DOM_BOOT_REAL ? "real mode" : "flat32");
		if (d->nr_vcpus > 1)
			life(d->name, LOG_INFO, "domain %u (%s): %u vcpus, vcpu 0 started\n", d->id,
			     d->name, d->nr_vcpus);
	}
	*out = d;
	return 0;
fail:
	free_domain(d);
	return err;
}

void domain_destroy(struct domain *d)
{
	struct domain **p = &domains;

	while (*p && *p != d)
		p = &(*p)->next;
	if (*p)
		*p = d->next;
	life(d->name, LOG_INFO, "domain %u (%s) destroyed\n", d->id, d->name);
	domain_counts.destroyed++;
	free_domain(d);
}

void domain_warn_once(struct domain *d, uint64_t key, const char *fmt, ...)
{
	char text[160];
	va_list ap;

	for (unsigned i = 0; i < d->nr_logged && i < DOM_LOGGED; i++)
		if (d->logged[i] == key)
			return;
	if (d->nr_logged > DOM_LOGGED)
		return;
	if (d->nr_logged < DOM_LOGGED)
		d->logged[d->nr_logged] = key;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pr_warn("domain %u (%s): %s%s\n", d->id, d->name, text,
		++d->nr_logged > DOM_LOGGED ? "; further warnings not reported" : "");
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
	va_list ap;

	if (d->state == DOM_CRASHED)
		return;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	d->state = DOM_CRASHED; /* the scheduler runs only running domains */
	loop_stop(d);
	domain_counts.stops[SHUTDOWN_crash]++;
	life(d->name, LOG_ERROR, "domain %u (%s) crashed: %s\n", d->id, d->name, d->reason);
	if (d->cfg.managed)
		xen_dom_exc();
}

void domain_shutdown(struct domain *d, unsigned reason)
{
	static const char *const why[] = { "poweroff", "reboot", "suspend", "crash", "watchdog" };

	snprintf(d->reason, sizeof(d->reason), "%s", reason <= SHUTDOWN_watchdog ? why[reason] : "?");
	d->state = DOM_SHUTDOWN;
	d->shutdown_code = reason;
	loop_stop(d);
	domain_counts.stops[reason <= SHUTDOWN_watchdog ? reason : SHUTDOWN_crash]++;
	life(d->name, LOG_INFO, "domain %u (%s) shut down: %s\n", d->id, d->name, d->reason);
	if (d->cfg.managed)
		xen_dom_exc();
}

void domain_reap(struct domain *d)
{
	struct domain_config cfg = d->cfg;
	bool restart = d->shutdown_code == SHUTDOWN_reboot && cfg.restart_on_reboot;
	struct domain *nd;

	domain_destroy(d);
	if (!restart)
		return;
	life(cfg.name, LOG_INFO, "domain %s: restarting (on_reboot=restart)\n", cfg.name);
	if (domain_create(&cfg, &nd))
		pr_err("domain %s could not be restarted\n", cfg.name);
}

void domain_pause(struct domain *d)
{
	if (d->state != DOM_RUNNING)
		return;
	d->state = DOM_PAUSED;
	vmm_sync(d, false);
}

void domain_unpause(struct domain *d)
{
	if (d->state != DOM_PAUSED)
		return;
	d->state = DOM_RUNNING;
	if (d->building)
		life(d->name, LOG_INFO, "domain %u (%s) started\n", d->id, d->name);
	d->building = false;
}

int domain_start(const char *spec)
{
	struct domain_config cfg;
	struct domain *d;
	char err[96];

	if (domcfg_parse(spec, &cfg, err, sizeof(err))) {
		pr_err("domain config '%s': %s\n", spec, err);
		return -EINVAL;
	}
	int rc = domain_create(&cfg, &d);
	if (rc)
		pr_err("domain %s not created (error %d)\n", cfg.name, rc);
	return rc;
}
