/* Eyrie's management operations for the privileged domain (include/public/eyrie.h). */
#include "include/public/eyrie.h"
#include "arch/x86_64/timer.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "vmm/domain.h"
#include "vmm/guest_mem.h"
#include "vmm/hypercall.h"
#include "vmm/vmm.h"
#include "vmm/vplat.h"

#define SPEC_MAX 512

static void fill_info(const struct domain *d, struct eyrie_dom_info *i)
{
	static const uint16_t state[] = { EYRIE_DOM_RUNNING, EYRIE_DOM_PAUSED, EYRIE_DOM_CRASHED,
					  EYRIE_DOM_SHUTDOWN };
	uint64_t tsc = 0, khz = timer_info()->tsc_hz / 1000;

	for (unsigned v = 0; v < d->nr_vcpus; v++)
		tsc += d->vcpus[v]->run_tsc;
	memset(i, 0, sizeof(*i));
	i->domid = (uint16_t)d->id;
	i->state = state[d->state];
	i->nr_vcpus = d->nr_vcpus;
	i->memory_kib = d->ram_bytes >> 10;
	i->cpu_ns = khz ? tsc / khz * 1000000 + tsc % khz * 1000000 / khz : 0;
	i->type = d->cfg.type;
	i->flags = d->cfg.privileged ? EYRIE_DOMF_PRIVILEGED : 0;
	str_copy(i->name, d->name, sizeof(i->name));
}

static long list(struct vcpu *v, uint64_t arg)
{
	struct eyrie_dom_list l;
	struct eyrie_dom_info info;

	if (copy_from_guest_virt(v, &l, arg, sizeof(l), NULL))
		return -EFAULT;
	l.nr = 0;
	for (const struct domain *d = domain_list(); d; d = d->next) {
		if (l.nr == l.max)
			break;
		fill_info(d, &info);
		if (copy_to_guest_virt(v, l.buffer + l.nr * sizeof(info), &info, sizeof(info), NULL))
			return -EFAULT;
		l.nr++;
	}
	return copy_to_guest_virt(v, arg, &l, sizeof(l), NULL) ? -EFAULT : 0;
}

static long create(struct vcpu *v, uint64_t arg)
{
	struct eyrie_dom_create c;
	char spec[SPEC_MAX];
	unsigned id = 0;

	if (copy_from_guest_virt(v, &c, arg, sizeof(c), NULL))
		return -EFAULT;
	if (!c.len || c.len >= SPEC_MAX)
		return -EINVAL;
	if (copy_from_guest_virt(v, spec, c.spec, c.len, NULL))
		return -EFAULT;
	spec[c.len] = 0;
	if (strlen(spec) != c.len)
		return -EINVAL; /* no NUL inside */
	int rc = domain_start_id(spec, &id);
	if (rc)
		return rc;
	c.domid = id;
	return copy_to_guest_virt(v, arg, &c, sizeof(c), NULL) ? -EFAULT : 0;
}

static long console(struct vcpu *v, uint64_t op, uint64_t arg)
{
	struct eyrie_dom_console c;
	char buf[256];

	if (copy_from_guest_virt(v, &c, arg, sizeof(c), NULL))
		return -EFAULT;
	struct domain *d = c.domid <= 0xffff ? domain_find(c.domid) : NULL;
	if (!d)
		return -ESRCH;
	if (c.len > sizeof(buf))
		c.len = sizeof(buf);
	if (op == EYRIE_OP_console_write) {
		if (!d->plat)
			return -ENODEV;
		if (copy_from_guest_virt(v, buf, c.buffer, c.len, NULL))
			return -EFAULT;
		return vplat_input(d, buf, c.len);
	}
	uint64_t oldest = d->log_total > DOM_LOG_SIZE ? d->log_total - DOM_LOG_SIZE : 0;
	if (c.pos < oldest || c.pos > d->log_total)
		c.pos = c.pos > d->log_total ? d->log_total : oldest;
	uint32_t n = 0;
	for (; n < c.len && c.pos + n < d->log_total; n++)
		buf[n] = d->log[(c.pos + n) % DOM_LOG_SIZE];
	if (n && copy_to_guest_virt(v, c.buffer, buf, n, NULL))
		return -EFAULT;
	c.pos += n;
	return copy_to_guest_virt(v, arg, &c, sizeof(c), NULL) ? -EFAULT : (long)n;
}

long eyrie_op(struct vcpu *v, uint64_t op, uint64_t arg)
{
	struct eyrie_dom_id id;
	struct domain *d;

	if (!v->dom->cfg.privileged)
		return -EPERM;
	switch (op) {
	case EYRIE_OP_list:
		return list(v, arg);
	case EYRIE_OP_create:
		return create(v, arg);
	case EYRIE_OP_console_read:
	case EYRIE_OP_console_write:
		return console(v, op, arg);
	case EYRIE_OP_pause:
	case EYRIE_OP_unpause:
	case EYRIE_OP_destroy:
		if (copy_from_guest_virt(v, &id, arg, sizeof(id), NULL))
			return -EFAULT;
		d = id.domid <= 0xffff ? domain_find(id.domid) : NULL;
		if (!d)
			return -ESRCH;
		if (d == v->dom)
			return -EINVAL; /* not on itself */
		if (op == EYRIE_OP_pause)
			domain_pause(d);
		else if (op == EYRIE_OP_unpause)
			domain_unpause(d);
		else
			domain_destroy(d);
		return 0;
	default:
		return -ENOSYS;
	}
}
