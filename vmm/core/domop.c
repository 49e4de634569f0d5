/* SPDX-License-Identifier: GPL-2.0-only */
/* Eyrie's management operations for the privileged domain (include/public/eyrie.h). */
#include "include/public/eyrie.h"
#include "arch/x86_64/timer.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/main.h"
#include "boot/boot_info.h"
#include "drivers/acpi.h"
#include "drivers/pci.h"
#include "drivers/uart.h"
#include "vmm/core/p2m.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "kernel/string.h"
#include "vmm/core/domain.h"
#include "vmm/core/guest_mem.h"
#include "vmm/core/run.h"
#include "vmm/xen/hcop.h"
#include "vmm/xen/hypercall.h"
#include "vmm/xen/pirq.h"
#include "vmm/core/vmm.h"
#include "vmm/plat/vplat.h"

static void fill_info(const struct domain *d, struct eyrie_dom_info *i)
{
	static const uint16_t state[] = { EYRIE_DOM_RUNNING, EYRIE_DOM_PAUSED, EYRIE_DOM_CRASHED,
					  EYRIE_DOM_SHUTDOWN };
	uint64_t tsc = 0;

	for (unsigned v = 0; v < d->nr_vcpus; v++)
		tsc += d->vcpus[v]->run_tsc;
	memset(i, 0, sizeof(*i));
	i->domid = d->id;
	i->state = state[d->state];
	i->nr_vcpus = d->nr_vcpus;
	i->memory_kib = d->ram_pages * 4; /* less what it gave back */
	i->cpu_ns = tsc_to_ns(tsc);
	i->type = (uint16_t)d->cfg.type; /* EYRIE_TYPE_* */
	i->reason = d->state == DOM_SHUTDOWN ? (uint16_t)d->shutdown_code : 0;
	i->flags = (d->cfg.privileged ? EYRIE_DOMF_PRIVILEGED : 0) |
		   (d->building ? EYRIE_DOMF_BUILDING : 0) | (d->cfg.managed ? EYRIE_DOMF_MANAGED : 0);
	str_copy(i->name, d->name, sizeof(i->name));
}

static long list(struct vcpu *v, void *arg)
{
	struct eyrie_dom_list *l = arg;
	struct eyrie_dom_info info;

	l->nr = 0;
	for (const struct domain *d = domain_list(); d && l->nr < l->max; d = d->next) {
		fill_info(d, &info);
		if (copy_to_guest_virt(v, l->buffer + l->nr * sizeof(info), &info, sizeof(info), NULL))
			return -EFAULT;
		l->nr++;
	}
	return 0;
}

/* domain_new: an empty, paused domain for the caller to build. */
static long dom_new(struct vcpu *v, void *arg)
{
	struct eyrie_dom_new *n = arg;
	struct domain_config cfg = { .managed = true, .restart_on_reboot = false,
				     .memory_mib = n->memory_mib, .vcpus = n->vcpus,
				     .cpumask = n->cpumask };
	struct domain *d;

	if (strnlen(n->name, sizeof(n->name)) == sizeof(n->name) || !n->name[0] || !n->vcpus ||
	    n->vcpus > DOM_MAX_VCPUS ||
	    !n->memory_mib || n->memory_mib > DOM_MAX_MEMORY_MIB ||
	    (n->type != EYRIE_TYPE_PVH && n->type != EYRIE_TYPE_HVM && n->type != EYRIE_TYPE_MULTIBOOT) ||
	    (n->flags & ~(EYRIE_NEWF_PLATFORM | EYRIE_NEWF_XEN)))
		return -EINVAL;
	str_copy(cfg.name, n->name, sizeof(cfg.name));
	_Static_assert(EYRIE_TYPE_MULTIBOOT == DOM_TYPE_MULTIBOOT && EYRIE_TYPE_HVM == DOM_TYPE_HVM &&
		       EYRIE_TYPE_PVH == DOM_TYPE_PVH, "EYRIE_TYPE_* number the types as dom_type");
	cfg.type = (enum dom_type)n->type;
	cfg.platform = n->type == EYRIE_TYPE_HVM || (n->flags & EYRIE_NEWF_PLATFORM);
	cfg.xen = n->type == EYRIE_TYPE_PVH || (n->flags & EYRIE_NEWF_XEN);
	int rc = domain_create(&cfg, &d);
	if (!rc)
		n->domid = d->id;
	return rc;
}

#define MEM_CHUNK 1024
#define MEM_PER_CALL (64u << 10) /* then the call continues (-ERESTART) */

/* mem_write: the caller's bytes into a domain being built; a long write
 * goes on where it stopped (its struct advanced) when the call runs
 * again. */
static long mem_write(struct vcpu *v, struct domain *d, void *arg)
{
	struct eyrie_dom_mem *m = arg;
	char buf[MEM_CHUNK];

	if (!d->building)
		return -EBUSY;
	if (m->gpa >= d->ram_bytes || m->len > d->ram_bytes - m->gpa)
		return -EINVAL;
	for (uint64_t off = 0; off < m->len; off += MEM_CHUNK) {
		size_t n = m->len - off < MEM_CHUNK ? (size_t)(m->len - off) : MEM_CHUNK;
		if (off == MEM_PER_CALL) { /* the rest, written back for the next run */
			*m = (struct eyrie_dom_mem){ m->domid, 0, m->gpa + off, m->len - off,
						     m->buffer + off };
			return -ERESTART;
		}
		if (copy_from_guest_virt(v, buf, m->buffer + off, n, NULL))
			return -EFAULT;
		if (copy_to_guest_phys(d, m->gpa + off, buf, n))
			return -ENOMEM; /* no tables for its nested paging */
	}
	return 0;
}

static long set_context(struct vcpu *v, struct domain *d, void *arg)
{
	const struct eyrie_vcpu_context *c = arg;

	if (!d->building)
		return -EBUSY;
	return c->vcpu < d->nr_vcpus ? vcpu_set_context(d->vcpus[c->vcpu], c) : -EINVAL;
}

static long console_write(struct vcpu *v, struct domain *d, void *arg)
{
	const struct eyrie_dom_console *c = arg;
	char buf[256];
	uint32_t len = c->len > sizeof(buf) ? sizeof(buf) : c->len;

	if (!d->plat)
		return -ENODEV;
	if (copy_from_guest_virt(v, buf, c->buffer, len, NULL))
		return -EFAULT;
	return vplat_input(d, buf, len);
}

static long console_read(struct vcpu *v, struct domain *d, void *arg)
{
	struct eyrie_dom_console *c = arg;
	char buf[256];

	if (c->len > sizeof(buf))
		c->len = sizeof(buf);
	spin_lock(&d->con_lock);
	uint64_t oldest = d->log_total > DOM_LOG_SIZE ? d->log_total - DOM_LOG_SIZE : 0;
	if (c->pos < oldest || c->pos > d->log_total)
		c->pos = c->pos > d->log_total ? d->log_total : oldest;
	uint32_t n = 0;
	for (; n < c->len && c->pos + n < d->log_total; n++)
		buf[n] = d->log[(c->pos + n) % DOM_LOG_SIZE];
	spin_unlock(&d->con_lock);
	if (n && copy_to_guest_virt(v, c->buffer, buf, n, NULL))
		return -EFAULT;
	c->pos += n;
	return n;
}

static long host_info(struct vcpu *v, void *arg)
{
	struct eyrie_host_info *h = arg;

	memset(h, 0, sizeof(*h));
	h->total_kib = mm_frames()->total * 4;
	h->free_kib = mm_frames()->free * 4;
	h->tsc_khz = timer_info()->tsc_hz / 1000;
	h->nr_cpus = nr_cpus;
	for (const struct domain *d = domain_list(); d; d = d->next)
		h->nr_domains++;
	str_copy(h->backend, vcpu_ops->name, sizeof(h->backend));
	for (unsigned i = 0; i < 3; i++) {
		struct cpuid_regs r = cpuid(0x80000002 + i, 0);
		memcpy(h->cpu + 16 * i, &r, 16);
	}
	h->cpu[47] = 0;
	return 0;
}

/* Ports the hypervisor drives itself, or that could reset or power off
 * the machine: never granted. */
static bool port_reserved(uint32_t first, uint32_t last)
{
	static const uint16_t fixed[][2] = {
		{ 0x20, 0x21 }, { 0x40, 0x43 }, { 0x60, 0x61 }, { 0x64, 0x64 }, { 0x70, 0x71 },
		{ 0x92, 0x92 }, { 0xa0, 0xa1 }, { 0xcf8, 0xcff },
	};
	const struct acpi_info *a = &sys()->acpi;
	const uint32_t acpi[] = { a->pm1a_cnt, a->pm1b_cnt, a->pm_tmr, a->smi_cmd,
				  a->reset_supported && a->reset_reg.space_id == 1
				  ? (uint32_t)a->reset_reg.address : 0 };

	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (first <= fixed[i][1] && last >= fixed[i][0])
			return true;
	for (unsigned i = 0; i < sizeof(acpi) / sizeof(acpi[0]); i++)
		if (acpi[i] && first <= acpi[i] + 3 && last >= acpi[i])
			return true;
	return false;
}

static long ioports(struct vcpu *v, struct domain *d, void *arg)
{
	const struct eyrie_dom_ioports *p = arg;

	if (!p->count || p->first > 0xffff || p->count > 0x10000 - p->first)
		return -EINVAL;
	if (p->allow && uart_claims(UART_CLAIM_IO, p->first, p->first + p->count - 1))
		return -EACCES;
	if (p->allow && port_reserved(p->first, p->first + p->count - 1))
		return -EPERM;
	if (!vcpu_ops->io_allow)
		return -ENODEV;
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		int rc = vcpu_ops->io_allow(d->vcpus[i], (uint16_t)p->first, p->count, p->allow);
		if (rc)
			return rc;
	}
	return 0;
}

static long iomem(struct vcpu *v, struct domain *d, void *arg)
{
	const struct eyrie_dom_iomem *m = arg;

	if (!m->nr || m->nr > (1ull << 20) || m->mfn > (1ull << 40))
		return -EINVAL;
	if (m->allow && uart_claims(UART_CLAIM_MEM, m->mfn << 12, ((m->mfn + m->nr) << 12) - 1))
		return -EACCES;
	if (m->allow && !sys_device_memory(m->mfn << 12, m->nr << 12))
		return -EPERM;
	/* A PC platform's own devices live at 0xFEC00000-0xFEE00FFF. */
	if (d->plat && m->gfn < 0xfee01 && m->gfn + m->nr > 0xfec00)
		return -EINVAL;
	return p2m_map_mmio(d, m->gfn, m->mfn, m->nr, m->allow);
}

/* A read's value goes back in the struct (a write's is written back as it was). */
static long pci(struct vcpu *v, void *arg)
{
	struct eyrie_pci_cfg *c = arg;

	/* The console UART's card keeps its BARs and decoding. */
	if (c->write && uart_claims(UART_CLAIM_PCI, c->sbdf, c->sbdf))
		return -EPERM;
	return pci_cfg(c->sbdf, c->reg, c->size, c->write != 0, &c->value);
}

#define DMA_MAX 512

static long dma_frames(struct vcpu *v, void *arg)
{
	const struct eyrie_dma_frames *q = arg;
	uint64_t mfn[64];

	if (!q->nr || q->nr > DMA_MAX)
		return -EINVAL;
	for (uint32_t i = 0; i < q->nr; i++) {
		uint64_t hpa = p2m_ram_frame(v->dom, q->gfn + i);
		if (!hpa)
			return -EINVAL;
		mfn[i % 64] = hpa >> 12;
		if ((i % 64 == 63 || i + 1 == q->nr) &&
		    copy_to_guest_virt(v, q->buffer + (i - i % 64) * 8, mfn, (i % 64 + 1) * 8, NULL))
			return -EFAULT;
	}
	return 0;
}

static long msi(struct vcpu *v, void *arg)
{
	struct eyrie_msi *m = arg;

	memset(m, 0, sizeof(*m));
	return pirq_msi(v->dom, &m->pirq, &m->addr, &m->data);
}

/* The caller never learnt the vector's pirq: it goes back. */
static void msi_undo(struct vcpu *v, void *arg)
{
	pirq_grant(v->dom, ((struct eyrie_msi *)arg)->pirq, false);
}

static long irq(struct vcpu *v, struct domain *d, void *arg)
{
	const struct eyrie_dom_irq *q = arg;

	return pirq_grant(d, q->irq, q->allow);
}

static long echo(struct vcpu *v, struct domain *d, void *arg)
{
	const struct eyrie_dom_echo *e = arg;
	long was = d->echo;
	d->echo = e->on != 0;
	return was;
}

static void fill_vcpu(const struct vcpu *v, struct eyrie_vcpu_info *i)
{
	*i = (struct eyrie_vcpu_info){ (uint16_t)v->dom->id, (uint16_t)v->id, (uint16_t)v->cpu,
		v->dom->state != DOM_RUNNING ? EYRIE_VCPU_PAUSED :
		percpu_get(v->cpu)->current == v ? EYRIE_VCPU_RUNNING :
		v->state == VCPU_BLOCKED ? EYRIE_VCPU_BLOCKED :
		v->state == VCPU_DOWN ? EYRIE_VCPU_DOWN : EYRIE_VCPU_RUNNABLE,
		tsc_to_ns(v->run_tsc), v->affinity };
}

static long vcpu_list(struct vcpu *v, void *arg)
{
	struct eyrie_dom_list *l = arg;
	struct eyrie_vcpu_info info;
	uint32_t max = l->max;

	l->nr = 0;
	for (const struct domain *d = domain_list(); d; d = d->next)
		for (unsigned i = 0; i < d->nr_vcpus && l->nr < max; i++, l->nr++) {
			fill_vcpu(d->vcpus[i], &info);
			if (copy_to_guest_virt(v, l->buffer + l->nr * sizeof(info), &info,
					       sizeof(info), NULL))
				return -EFAULT;
		}
	return 0;
}

static long sched_get(struct vcpu *v, struct domain *d, void *arg)
{
	struct eyrie_sched *s = arg;

	*s = (struct eyrie_sched){ s->domid, sched_weight(d), d->cfg.cap, 0 };
	return 0;
}

static long sched_put(struct vcpu *v, struct domain *d, void *arg)
{
	const struct eyrie_sched *s = arg;

	return sched_set(d, s->weight, s->cap);
}

static long pin(struct vcpu *v, struct domain *d, void *arg)
{
	const struct eyrie_vcpu_pin *p = arg;

	return p->vcpu < d->nr_vcpus ? vcpu_pin(d->vcpus[p->vcpu], p->cpumask) : -EINVAL;
}

/* pause, unpause, destroy: another domain, by id. */
static long ctl(struct vcpu *v, struct domain *d, void (*act)(struct domain *))
{
	if (d == v->dom)
		return -EINVAL; /* not on itself */
	act(d);
	return 0;
}

static long do_pause(struct vcpu *v, struct domain *d, void *a) { return ctl(v, d, domain_pause); }
static long unpause(struct vcpu *v, struct domain *d, void *a) { return ctl(v, d, domain_unpause); }
static long destroy(struct vcpu *v, struct domain *d, void *a) { return ctl(v, d, domain_destroy); }

static const struct hcop ops[] = {
	[EYRIE_OP_list] = HCOP(struct eyrie_dom_list, HC_OUT, list),
	[EYRIE_OP_pause] = HCOP_DOM(struct eyrie_dom_id, HC_IN, do_pause),
	[EYRIE_OP_unpause] = HCOP_DOM(struct eyrie_dom_id, HC_IN, unpause),
	[EYRIE_OP_destroy] = HCOP_DOM(struct eyrie_dom_id, HC_IN, destroy),
	[EYRIE_OP_domain_new] = HCOP(struct eyrie_dom_new, HC_OUT, dom_new),
	[EYRIE_OP_console_read] = HCOP_DOM(struct eyrie_dom_console, HC_OUT, console_read),
	[EYRIE_OP_console_write] = HCOP_DOM(struct eyrie_dom_console, HC_IN, console_write),
	[EYRIE_OP_mem_write] = HCOP_DOM(struct eyrie_dom_mem, HC_OUT, mem_write),
	[EYRIE_OP_set_context] = HCOP_DOM(struct eyrie_vcpu_context, HC_IN, set_context),
	[EYRIE_OP_host_info] = HCOP(struct eyrie_host_info, HC_OUT, host_info),
	[EYRIE_OP_ioports] = HCOP_DOM(struct eyrie_dom_ioports, HC_IN, ioports),
	[EYRIE_OP_iomem] = HCOP_DOM(struct eyrie_dom_iomem, HC_IN, iomem),
	[EYRIE_OP_irq] = HCOP_DOM(struct eyrie_dom_irq, HC_IN, irq),
	[EYRIE_OP_console_echo] = HCOP_DOM(struct eyrie_dom_echo, HC_IN, echo),
	[EYRIE_OP_pci_cfg] = HCOP(struct eyrie_pci_cfg, HC_OUT, pci),
	[EYRIE_OP_dma_frames] = HCOP(struct eyrie_dma_frames, HC_IN, dma_frames),
	[EYRIE_OP_msi] = { sizeof(struct eyrie_msi), HC_OUT, msi, msi_undo, 0 },
	[EYRIE_OP_sched_get] = HCOP_DOM(struct eyrie_sched, HC_OUT, sched_get),
	[EYRIE_OP_sched_set] = HCOP_DOM(struct eyrie_sched, HC_IN, sched_put),
	[EYRIE_OP_vcpu_pin] = HCOP_DOM(struct eyrie_vcpu_pin, HC_IN, pin),
	[EYRIE_OP_vcpu_list] = HCOP(struct eyrie_dom_list, HC_OUT, vcpu_list),
};

long eyrie_op(struct vcpu *v, uint64_t *a)
{
	if (!v->dom->cfg.privileged)
		return -EPERM;
	return hcop_call(v, ops, HCOP_COUNT(ops), a[0], a[1]);
}
