/* SPDX-License-Identifier: GPL-2.0-only */
/* The virtual PC platform: models wired to ports, MMIO, lines and time (see vplat.h). */
#include "vmm/plat/vplat.h"
#include "arch/x86_64/timer.h"
#include "include/public/xen.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/smp.h"
#include "vmm/core/guest_mem.h"
#include "vmm/core/vmm.h"

#include <stddef.h>

static uint64_t guest_now(const struct vplat *p)
{
	return rdtsc() + p->dom->tsc_offset;
}

static int intr_of(struct vplat *p, struct vcpu *v, bool ack);

/* Recomputes which vcpus have an interrupt to take; wakes them. */
static void update_intr(struct vplat *p)
{
	struct domain *d = p->dom;

	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		bool pending = intr_of(p, v, false) >= 0;
		__atomic_store_n(&v->plat_intr, pending, __ATOMIC_SEQ_CST); /* before the wake: exit_hlt */
		if (pending)
			vcpu_wake(v);
	}
}

static struct vplat *lock(struct domain *d)
{
	if (d->plat)
		spin_lock(&d->plat->lock);
	return d->plat;
}

static void start_vcpu(struct vcpu *v, unsigned mode, uint8_t vector);

/* Lets the platform go, then does what it left for the big lock's holder
 * (only callers that hold it leave any: vplat_msr_local keeps the others
 * from INIT and SIPI, and from EOIs when on_eoi has work). */
static void unlock(struct vplat *p)
{
	struct domain *d = p->dom;
	uint8_t start[DOM_MAX_VCPUS], vec[DOM_MAX_VCPUS];
	bool eoi = p->eoi_seen;
	unsigned n = d->nr_vcpus;

	for (unsigned i = 0; i < n; i++) {
		start[i] = p->start[i];
		vec[i] = p->start_vec[i];
		p->start[i] = 0;
	}
	p->eoi_seen = false;
	spin_unlock(&p->lock);
	for (unsigned i = 0; i < n; i++)
		if (start[i])
			start_vcpu(d->vcpus[i], start[i], vec[i]);
	if (eoi)
		p->on_eoi(d);
}

/* The next timer event of any model, as a host TSC. */
static void rearm(struct vplat *p)
{
	uint64_t next = vpit_next_event(&p->pit), t = vrtc_next_event(&p->rtc);

	if (t < next)
		next = t;
	for (unsigned i = 0; i < p->dom->nr_vcpus; i++)
		if ((t = vlapic_next_event(&p->lapic[i])) < next)
			next = t;
	p->next_host = next == UINT64_MAX ? UINT64_MAX : next - p->dom->tsc_offset;
	timer_wake_at(p->next_host);
}

/* ---- interrupt lines ---- */

/* An ISA line: to the PIC, and to the IOAPIC (IRQ 0 is GSI 2, as the
 * MADT's override says). */
static void isa_irq(void *ctx, unsigned irq, bool level)
{
	struct vplat *p = ctx;

	vpic_set_irq(&p->pic, irq, level);
	vioapic_set_irq(&p->ioapic, irq == 0 ? 2 : irq, level);
	update_intr(p);
}

void vplat_gsi(struct domain *d, unsigned gsi, bool level)
{
	struct vplat *p = lock(d);

	if (gsi < 16)
		vpic_set_irq(&p->pic, gsi, level);
	vioapic_set_irq(&p->ioapic, gsi, level);
	update_intr(p);
	unlock(p);
}

static const struct vlapic_ops lapic_ops;

/* INIT puts vcpu i back to waiting (its local APIC reset); a SIPI then
 * starts it in real mode at vector * 4 KiB, as a CPU's startup IPI. The
 * vcpu's own state changes at the unlock, under the big lock. */
static bool start_ap(struct vplat *p, unsigned i, unsigned mode, uint8_t vector)
{
	if (mode == 5)
		vlapic_init(&p->lapic[i], i, i == 0, p->lapic[i].tsc_hz, &lapic_ops, &p->lapic[i]);
	p->start[i] = (uint8_t)mode;
	p->start_vec[i] = vector;
	return true;
}

static void start_vcpu(struct vcpu *v, unsigned mode, uint8_t vector)
{
	if (mode == 5) {
		v->state = VCPU_DOWN;
		v->wait_sipi = true;
		smp_kick(v->cpu); /* it leaves guest mode and stops */
	} else if (v->state == VCPU_DOWN && v->wait_sipi) { /* else the pair's second SIPI, or no INIT */
		vcpu_start_real(v, (uint64_t)vector << 12);
	}
}

/* Fixed and lowest-priority interrupts (the lowest is the first match)
 * and NMIs; INIT and SIPI start APs; SMI is dropped. */
static bool send(struct vplat *p, uint32_t dest, bool logical, unsigned mode, uint8_t vector,
		 bool level, int skip)
{
	bool hit = false;

	if (mode == 5 || mode == 6) { /* INIT, SIPI */
		for (unsigned i = 0; i < p->dom->nr_vcpus; i++)
			if ((int)i != skip && vlapic_match(&p->lapic[i], dest, logical))
				hit |= start_ap(p, i, mode, vector);
		return hit;
	}
	if (mode > 1 && mode != 4)
		return false;
	for (unsigned i = 0; i < p->dom->nr_vcpus && !(hit && mode == 1); i++)
		if ((int)i != skip && vlapic_match(&p->lapic[i], dest, logical)) {
			if (mode == 4) /* NMI */
				vcpu_raise_nmi(p->dom->vcpus[i]);
			hit |= mode == 4 || vlapic_set_irq(&p->lapic[i], vector, level);
		}
	update_intr(p);
	return hit;
}

/* The IOAPIC's 8-bit destination; 0xFF is a broadcast in x2APIC mode too. */
static bool ioapic_deliver(void *ctx, uint8_t dest, bool logical, unsigned mode, uint8_t vector,
			   bool level)
{
	return send(ctx, dest == 0xff ? 0xffffffffu : dest, logical, mode, vector, level, -1);
}

/* The local APICs' callbacks get their own APIC (ID = vcpu index). */
static struct vplat *lapic_plat(struct vlapic *l)
{
	return (struct vplat *)((char *)(l - l->init_id) - offsetof(struct vplat, lapic));
}

static void lapic_eoi(void *ctx, uint8_t vector)
{
	struct vplat *p = lapic_plat(ctx);

	vioapic_eoi(&p->ioapic, vector);
	p->eoi_seen = true; /* on_eoi runs at the unlock */
	update_intr(p);
}

/* An IPI leaving local APIC ctx (shorthand 1: itself, where only an
 * NMI comes, a fixed vector being taken by the APIC itself; 2: all, the
 * sender having taken a fixed vector already; 3: all but the sender). */
static void lapic_ipi(void *ctx, uint32_t dest, bool logical, unsigned shorthand, unsigned mode,
		      uint8_t vector, bool level)
{
	struct vlapic *l = ctx;
	struct vplat *p = lapic_plat(l);

	if (shorthand == 1 && mode == 4)
		vcpu_raise_nmi(p->dom->vcpus[l->init_id]);
	else if (shorthand != 1)
		send(p, shorthand ? 0xffffffffu : dest, !shorthand && logical, mode, vector, level,
		     shorthand == 3 || (shorthand == 2 && !mode) ? (int)l->init_id : -1);
}

static const struct vlapic_ops lapic_ops = { lapic_eoi, lapic_ipi };
static const struct vioapic_ops ioapic_ops = { ioapic_deliver };

/* ---- console ---- */

static void uart_tx(void *ctx, uint8_t byte)
{
	struct vplat *p = ctx;
	char c = (char)byte;

	domain_console_put(p->dom, &c, 1);
}

static const struct vuart_ops uart_ops = { uart_tx, isa_irq };

/* Moves queued console input into the UART's FIFO as it has room. */
static void drain_input(struct vplat *p)
{
	while (p->in_len && vuart_rx(&p->uart, p->input[p->in_head])) {
		p->in_head = (p->in_head + 1) % VPLAT_INPUT;
		p->in_len--;
	}
}

unsigned vplat_input(struct domain *d, const char *s, unsigned n)
{
	struct vplat *p = lock(d);
	unsigned i = 0;

	if (!p)
		return 0;
	for (; i < n && p->in_len < VPLAT_INPUT; i++, p->in_len++)
		p->input[(p->in_head + p->in_len) % VPLAT_INPUT] = (uint8_t)s[i];
	drain_input(p);
	unlock(p);
	return i;
}

/* ---- ports ---- */

/* One byte of a byte-wide model (PIC, PIT, RTC, UART); false when none
 * has the port. */
enum byte_model { NO_MODEL, PIC, PIT, RTC, UART };

static enum byte_model byte_model(uint16_t pt)
{
	if (pt == 0x20 || pt == 0x21 || pt == 0xa0 || pt == 0xa1 || pt == 0x4d0 || pt == 0x4d1)
		return PIC;
	if ((pt >= 0x40 && pt <= 0x43) || pt == 0x61)
		return PIT;
	if (pt == 0x70 || pt == 0x71)
		return RTC;
	return pt >= VPLAT_UART_PORT && pt < VPLAT_UART_PORT + 8 ? UART : NO_MODEL;
}

static bool byte_io(struct vplat *p, uint64_t now, uint16_t pt, bool in, uint8_t *b)
{
	switch (byte_model(pt)) {
	case PIC: vpic_io(&p->pic, pt, in, b); return true;
	case PIT: vpit_io(&p->pit, now, pt, in, b); return true;
	case RTC: vrtc_io(&p->rtc, now, pt, in, b); return true;
	case UART: vuart_io(&p->uart, pt - VPLAT_UART_PORT, in, b); return true;
	default: return false;
	}
}

bool vplat_io_local(const struct domain *d, uint16_t port, bool in)
{
	return d->plat && (byte_model(port) != NO_MODEL || (in && port == VPM_PORT_BASE + 8));
}

bool vplat_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	struct vplat *p = lock(v->dom);
	enum vpm_event ev = VPM_NONE;

	if (!p)
		return false;
	uint64_t now = guest_now(p);
	uint8_t b = (uint8_t)*val;
	if (byte_io(p, now, port, in, &b)) {
		/* A wider access to a byte-wide model: one byte per port. */
		uint32_t out = b;
		for (unsigned i = 1; i < size; i++) {
			b = (uint8_t)(*val >> (8 * i));
			if (!byte_io(p, now, (uint16_t)(port + i), in, &b))
				b = 0xff;
			out |= (uint32_t)b << (8 * i);
		}
		if (in)
			*val = out;
		drain_input(p); /* the UART may have room now */
	} else if ((port >= VPM_PORT_BASE && port < VPM_PORT_BASE + 12) || port == 0x92 ||
		   port == 0x60 || port == 0x64 || (port == 0xcf9 && size == 1)) {
		ev = vpm_io(&p->pm, now, port, size, in, val);
	} else if (port >= 0xcf8 && port <= 0xcff) {
		vpci_io(&p->pci, port, size, in, val);
	} else if (!vpci_xen_io(&p->pci, port, size, in, val)) {
		unlock(p);
		return false;
	}
	rearm(p);
	update_intr(p);
	unlock(p);
	if (ev == VPM_POWEROFF)
		domain_shutdown(v->dom, SHUTDOWN_poweroff);
	else if (ev == VPM_RESET)
		domain_shutdown(v->dom, SHUTDOWN_reboot);
	return true;
}

/* ---- MMIO: local APIC and IOAPIC ---- */

static int lapic_read(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t *val)
{
	struct vplat *p = lock(v->dom);
	int rc = vlapic_mmio_read(&p->lapic[v->id], guest_now(p), (uint32_t)(gpa - VLAPIC_BASE),
				  size, val);

	unlock(p);
	return rc;
}

static int lapic_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
	struct vplat *p = lock(v->dom);
	int rc = vlapic_mmio_write(&p->lapic[v->id], guest_now(p), (uint32_t)(gpa - VLAPIC_BASE),
				   size, val);

	rearm(p);
	update_intr(p);
	unlock(p);
	return rc;
}

static int ioapic_read(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t *val)
{
	struct vplat *p = lock(v->dom);
	int rc = vioapic_mmio_read(&p->ioapic, (uint32_t)(gpa - VIOAPIC_BASE), size, val);

	unlock(p);
	return rc;
}

static int ioapic_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
	struct vplat *p = lock(v->dom);
	int rc = vioapic_mmio_write(&p->ioapic, (uint32_t)(gpa - VIOAPIC_BASE), size, val);

	update_intr(p);
	unlock(p);
	return rc;
}

/*
 * KVM's paravirtual clock (Documentation/virt/kvm/x86/msr.rst), the only
 * KVM feature offered (CPUID 0x40000100): the guest gives the address of
 * a pvclock_vcpu_time_info (MSR 0x4b564d01, bit 0 = enable) or of a
 * pvclock_wall_clock (0x4b564d00). The guest TSC runs at the host's
 * constant rate from 0 at domain creation, so one record, written once,
 * stays true: system time = TSC * mul >> 32 (<< shift), TSC_STABLE set.
 */
#define MSR_KVM_WALL_CLOCK  0x4b564d00u
#define MSR_KVM_SYSTEM_TIME 0x4b564d01u

struct pvclock_wall {
	uint32_t version, sec, nsec;
};

static int kvmclock_msr(struct vcpu *v, uint32_t index, bool write, uint64_t *val)
{
	struct vplat *p = v->dom->plat;
	uint64_t *reg = index == MSR_KVM_WALL_CLOCK ? &p->kvm_wall : &p->kvm_time[v->id];

	if (!write) {
		*val = *reg;
		return 0;
	}
	if (index == MSR_KVM_WALL_CLOCK) { /* the wall time at system time 0 */
		struct pvclock_wall w = { 0, (uint32_t)v->dom->boot_unix, 0 };
		if (copy_to_guest_phys(v->dom, *val, &w, sizeof(w)))
			return -EPERM;
	} else if (*val & 1) {
		struct vcpu_time_info t = { 0 };
		vcpu_time_fill(&t);
		if (copy_to_guest_phys(v->dom, *val & ~1ull, &t, sizeof(t)))
			return -EPERM; /* not guest RAM */
	}
	*reg = *val;
	return 0;
}

bool vplat_msr_owned(const struct domain *d, uint32_t index)
{
	return d->plat && (index == MSR_KVM_WALL_CLOCK || index == MSR_KVM_SYSTEM_TIME ||
			   index == 0x1b || index == 0x6e0 || (index >= 0x800 && index <= 0x8ff));
}

bool vplat_msr_local(const struct domain *d, uint32_t index, bool write, uint64_t val)
{
	if (!d->plat || !(index == 0x6e0 || (index >= 0x800 && index <= 0x8ff)))
		return false; /* the base, KVM's clock */
	if (write && index == 0x80b) /* EOI: pirq_eoi needs the big lock (see unlock) */
		return !d->xen.nr_pirqs;
	return !(write && index == 0x830 && (val >> 8 & 7) > 1); /* ICR: fixed, lowest priority */
}

int vplat_msr(struct vcpu *v, uint32_t index, bool write, uint64_t *val)
{
	if (!vplat_msr_owned(v->dom, index))
		return -ENOENT;

	struct vplat *p = lock(v->dom);
	struct vlapic *l = &p->lapic[v->id];
	int rc;
	if (index == MSR_KVM_WALL_CLOCK || index == MSR_KVM_SYSTEM_TIME) {
		rc = kvmclock_msr(v, index, write, val);
	} else if (!write) {
		rc = vlapic_msr_read(l, guest_now(p), index, val);
	} else {
		rc = vlapic_msr_write(l, guest_now(p), index, *val);
		rearm(p);
		update_intr(p);
	}
	unlock(p);
	return rc;
}

int vplat_intr(struct vcpu *v, bool ack)
{
	struct vplat *p = lock(v->dom);

	if (!p)
		return -1;
	int vec = intr_of(p, v, ack);
	__atomic_store_n(&v->plat_intr, (ack ? intr_of(p, v, false) : vec) >= 0, __ATOMIC_SEQ_CST);
	unlock(p);
	return vec;
}

static int intr_of(struct vplat *p, struct vcpu *v, bool ack)
{
	struct vlapic *l = &p->lapic[v->id];
	int vec = vlapic_pending(l);
	if (vec >= 0) {
		if (ack)
			vlapic_ack(l, (uint8_t)vec);
		return vec;
	}
	if (v->id || !vlapic_accepts_pic(l) || vpic_pending(&p->pic) < 0)
		return -1;
	return ack ? vpic_ack(&p->pic) : vpic_pending(&p->pic);
}

void vplat_poll(struct domain *d, uint64_t now)
{
	struct vplat *p = lock(d);
	uint64_t g = now + d->tsc_offset;

	vpit_advance(&p->pit, g);
	vrtc_advance(&p->rtc, g);
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		vlapic_advance(&p->lapic[i], g);
	drain_input(p);
	rearm(p);
	update_intr(p);
	unlock(p);
}

/* ---- creation ---- */

int vplat_create(struct domain *d, void (*on_eoi)(struct domain *d))
{
	struct vplat *p = kzalloc(sizeof(*p));
	uint64_t hz = timer_info()->tsc_hz;
	int rc;

	if (!p)
		return -ENOMEM;
	p->dom = d;
	p->on_eoi = on_eoi;
	for (unsigned i = 0; i < DOM_MAX_VCPUS; i++)
		vlapic_init(&p->lapic[i], i, i == 0, hz, &lapic_ops, &p->lapic[i]);
	vioapic_init(&p->ioapic, DOM_MAX_VCPUS, &ioapic_ops, p);
	vpic_init(&p->pic);
	vpit_init(&p->pit, hz, isa_irq, p);
	uint64_t now = guest_now(p);
	vrtc_init(&p->rtc, d->boot_unix + now / hz, now, hz, isa_irq, p);
	vpm_init(&p->pm, hz, isa_irq, p);
	vpci_init(&p->pci, d->cfg.xen && d->cfg.type == DOM_TYPE_HVM);
	vuart_init(&p->uart, VPLAT_UART_IRQ, &uart_ops, p);

	struct vacpi_cfg acfg = {
		.gpa = VPLAT_ACPI_GPA, .nr_cpus = d->cfg.vcpus ? d->cfg.vcpus : 1, .lapic_base = VLAPIC_BASE,
		.ioapic_base = VIOAPIC_BASE, .ioapic_id = DOM_MAX_VCPUS, .pm_base = VPM_PORT_BASE,
		.sci_irq = 9,
	};
	void *tables = kzalloc(4096);
	rc = tables ? vacpi_build(&acfg, tables, 4096) : -ENOMEM;
	if (rc > 0)
		rc = copy_to_guest_phys(d, VPLAT_ACPI_GPA, tables, (size_t)rc);
	kfree(tables);
	static const struct mmio_model lapic = { "lapic", VLAPIC_BASE, 0x1000, lapic_read, lapic_write, 0 };
	static const struct mmio_model ioapic = { "ioapic", VIOAPIC_BASE, 0x1000, ioapic_read,
						  ioapic_write, 0 };
	if (!rc)
		rc = mmio_register(d, &lapic);
	if (!rc)
		rc = mmio_register(d, &ioapic);
	if (rc) {
		kfree(p);
		return rc;
	}
	d->plat = p;
	rearm(p);
	return 0;
}

void vplat_destroy(struct domain *d)
{
	kfree(d->plat);
	d->plat = NULL;
}
