/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The modern virtio-pci transport and split virtqueues (see
 * virtio_pci.h): the common, notify and device configuration structures
 * found through the vendor capabilities (virtio 1.x 4.1.4), the status
 * handshake (3.1.1), queues (4.1.5.1.3) and the rings (2.6).
 */
#include <stdio.h>

#include "mgmt/blkdev.h"
#include "mgmt/dma.h"
#include "mgmt/sys.h"
#include "mgmt/virtio_pci.h"

/* struct virtio_pci_cap: cfg_type at +3, bar at +4, offset at +8,
 * length at +12; the notify capability adds its multiplier at +16. */
#define VPCI_COMMON 1
#define VPCI_NOTIFY 2
#define VPCI_DEVICE 4

/* struct virtio_pci_common_cfg */
#define COMMON_DFSELECT 0x00
#define COMMON_DF 0x04
#define COMMON_GFSELECT 0x08
#define COMMON_GF 0x0c
#define COMMON_MSIX 0x10
#define COMMON_STATUS 0x14
#define COMMON_CFGGEN 0x15
#define COMMON_Q_SELECT 0x16
#define COMMON_Q_SIZE 0x18
#define COMMON_Q_MSIX 0x1a
#define COMMON_Q_ENABLE 0x1c
#define COMMON_Q_NOFF 0x1e
#define COMMON_Q_DESC 0x20
#define COMMON_Q_DRIVER 0x28
#define COMMON_Q_DEVICE 0x30

#define STATUS_ACK 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED 128

#define AVAIL_NO_INTERRUPT 1
#define USED_NO_NOTIFY 1

/* Device memory: the widths the spec asks for (64-bit fields as two
 * 32-bit halves). */
static uint8_t r8(volatile uint8_t *b, unsigned off) { return *(volatile uint8_t *)(b + off); }
static uint16_t r16(volatile uint8_t *b, unsigned off) { return *(volatile uint16_t *)(b + off); }
static uint32_t r32(volatile uint8_t *b, unsigned off) { return *(volatile uint32_t *)(b + off); }
static void w8(volatile uint8_t *b, unsigned off, uint8_t v) { *(volatile uint8_t *)(b + off) = v; }
static void w16(volatile uint8_t *b, unsigned off, uint16_t v) { *(volatile uint16_t *)(b + off) = v; }
static void w32(volatile uint8_t *b, unsigned off, uint32_t v) { *(volatile uint32_t *)(b + off) = v; }
static void w64(volatile uint8_t *b, unsigned off, uint64_t v)
{
	w32(b, off, (uint32_t)v);
	w32(b, off + 4, (uint32_t)(v >> 32));
}

uint8_t vpci_cfg8(const struct vpci *v, unsigned off) { return r8(v->device, off); }
uint16_t vpci_cfg16(const struct vpci *v, unsigned off) { return r16(v->device, off); }
uint32_t vpci_cfg32(const struct vpci *v, unsigned off) { return r32(v->device, off); }
uint8_t vpci_cfg_gen(const struct vpci *v) { return r8(v->common, COMMON_CFGGEN); }

/* The structure of type `type` from the vendor capabilities: its address
 * (its BAR mapped), and for the notify one the multiplier. */
static volatile uint8_t *find_struct(struct pci_func *f, uint8_t type, uint32_t *mult)
{
	for (unsigned cap = pci_find_cap(f, PCI_CAP_VENDOR, 0); cap;
	     cap = pci_find_cap(f, PCI_CAP_VENDOR, cap)) {
		if (pci_read(f, cap + 3, 1) != type)
			continue;
		unsigned bar = pci_read(f, cap + 4, 1);
		uint8_t *base = bar < 6 ? pci_bar_map(f, bar) : NULL;
		uint32_t off = pci_read(f, cap + 8, 4), len = pci_read(f, cap + 12, 4);
		if (!base || (uint64_t)off + len > f->bar[bar].size)
			continue;
		if (mult)
			*mult = pci_read(f, cap + 16, 4);
		return base + off;
	}
	return NULL;
}

static bool status_is_zero(void *ctx)
{
	struct vpci *v = ctx;

	return r8(v->common, COMMON_STATUS) == 0;
}

static void set_status(struct vpci *v, uint8_t bits)
{
	w8(v->common, COMMON_STATUS, r8(v->common, COMMON_STATUS) | bits);
}

bool vpci_open(struct vpci *v, struct pci_func *f, const char *what)
{
	v->f = f;
	v->what = what;
	v->common = find_struct(f, VPCI_COMMON, NULL);
	v->notify_base = find_struct(f, VPCI_NOTIFY, &v->notify_mult);
	v->device = find_struct(f, VPCI_DEVICE, NULL);
	if (!v->common || !v->notify_base || !v->device) {
		printf("mgmt: %s at %s: no modern (virtio 1.x) interface\n", what, pci_name(f));
		return false;
	}
	pci_enable(f);
	w8(v->common, COMMON_STATUS, 0);
	if (!blk_spin(status_is_zero, v, 1000000000ull)) {
		printf("mgmt: %s at %s: does not come out of reset\n", what, pci_name(f));
		return false;
	}
	set_status(v, STATUS_ACK | STATUS_DRIVER);
	return true;
}

static uint64_t device_features(struct vpci *v)
{
	w32(v->common, COMMON_DFSELECT, 0);
	uint64_t lo = r32(v->common, COMMON_DF);
	w32(v->common, COMMON_DFSELECT, 1);
	return lo | (uint64_t)r32(v->common, COMMON_DF) << 32;
}

bool vpci_negotiate(struct vpci *v, uint64_t wanted, uint64_t required)
{
	uint64_t offered = device_features(v);

	required |= VIRTIO_F_VERSION_1;
	if ((offered & required) != required) {
		printf("mgmt: %s at %s: features refused (offered %#llx, needed %#llx)\n", v->what,
		       pci_name(v->f), (unsigned long long)offered, (unsigned long long)required);
		vpci_fail(v);
		return false;
	}
	v->features = offered & (wanted | required);
	w32(v->common, COMMON_GFSELECT, 0);
	w32(v->common, COMMON_GF, (uint32_t)v->features);
	w32(v->common, COMMON_GFSELECT, 1);
	w32(v->common, COMMON_GF, (uint32_t)(v->features >> 32));
	set_status(v, STATUS_FEATURES_OK);
	if (!(r8(v->common, COMMON_STATUS) & STATUS_FEATURES_OK)) {
		printf("mgmt: %s at %s: FEATURES_OK refused\n", v->what, pci_name(v->f));
		vpci_fail(v);
		return false;
	}
	return true;
}

bool vpci_irq(struct vpci *v)
{
	v->msix = pci_irq_enable(v->f) == PCI_IRQ_MSIX;
	if (v->msix)
		w16(v->common, COMMON_MSIX, VIRTQ_NO_VECTOR); /* config changes: not wanted */
	return v->msix;
}

void vpci_ready(struct vpci *v)
{
	set_status(v, STATUS_DRIVER_OK);
}

void vpci_fail(struct vpci *v)
{
	set_status(v, STATUS_FAILED);
}

void vpci_reset(struct vpci *v)
{
	w8(v->common, COMMON_STATUS, 0);
	blk_spin(status_is_zero, v, 100000000ull);
}

/* One allocation: descriptors (16-byte aligned), the driver ring (2),
 * the device ring (4); with 256 entries, two pages. */
static bool alloc_rings(struct virtq *q)
{
	size_t avail_off = (size_t)16 * q->size;
	size_t used_off = (avail_off + 6 + 2u * q->size + 3) & ~(size_t)3;
	size_t bytes = used_off + 6 + 8u * q->size;
	uint8_t *p;

	q->pages = (unsigned)((bytes + DMA_PAGE - 1) / DMA_PAGE);
	if (!(p = dma_alloc(bytes)))
		return false;
	q->desc = (struct virtq_desc *)p;
	q->avail = (volatile uint16_t *)(p + avail_off);
	q->used = (volatile uint16_t *)(p + used_off);
	return true;
}

bool virtq_setup(struct vpci *v, struct virtq *q, uint16_t index, uint16_t size, uint16_t min,
		 bool interrupts)
{
	w16(v->common, COMMON_Q_SELECT, index);
	uint16_t max = r16(v->common, COMMON_Q_SIZE);
	*q = (struct virtq){ .index = index };
	if (!max || max < min)
		return false; /* none, or too small */
	q->size = size;
	while (q->size > max) /* powers of two */
		q->size /= 2;
	if (!alloc_rings(q))
		return false;
	for (uint16_t i = 0; i < q->size; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	q->nr_free = q->size;
	w16(v->common, COMMON_Q_SIZE, q->size);
	w64(v->common, COMMON_Q_DESC, dma_maddr(q->desc));
	w64(v->common, COMMON_Q_DRIVER, dma_maddr((void *)q->avail));
	w64(v->common, COMMON_Q_DEVICE, dma_maddr((void *)q->used));
	if (interrupts && v->msix) {
		w16(v->common, COMMON_Q_MSIX, 0);
		interrupts = r16(v->common, COMMON_Q_MSIX) == 0; /* the device may refuse */
	} else {
		interrupts = false;
		if (v->msix)
			w16(v->common, COMMON_Q_MSIX, VIRTQ_NO_VECTOR);
	}
	q->interrupts = interrupts;
	if (!interrupts) /* polled: no interrupts wanted */
		q->avail[0] = AVAIL_NO_INTERRUPT;
	uint16_t noff = r16(v->common, COMMON_Q_NOFF);
	q->notify = (volatile uint16_t *)(v->notify_base + noff * (uintptr_t)v->notify_mult);
	w16(v->common, COMMON_Q_ENABLE, 1);
	return true;
}

void virtq_free(struct virtq *q)
{
	if (q->desc)
		dma_free(q->desc, (size_t)q->pages * DMA_PAGE);
	q->desc = NULL;
}

uint16_t virtq_chain(struct virtq *q, int *prev, uint64_t addr, uint32_t len, uint16_t flags)
{
	uint16_t i = q->free_head;

	q->free_head = q->desc[i].next;
	q->nr_free--;
	q->desc[i] = (struct virtq_desc){ addr, len, flags, 0 };
	if (*prev >= 0) {
		q->desc[*prev].flags |= VIRTQ_DESC_NEXT;
		q->desc[*prev].next = i;
	}
	*prev = i;
	return i;
}

void virtq_put_chain(struct virtq *q, uint16_t head)
{
	uint16_t i = head;

	/* At most size descriptors: a loop in a chain cannot hang us. */
	for (unsigned n = 0; n < q->size; n++) {
		uint16_t flags = q->desc[i].flags, next = q->desc[i].next;
		q->desc[i].next = q->free_head;
		q->free_head = i;
		q->nr_free++;
		if (!(flags & VIRTQ_DESC_NEXT) || next >= q->size)
			break;
		i = next;
	}
}

void virtq_push(struct virtq *q, uint16_t head)
{
	q->avail[2 + q->avail_idx % q->size] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the ring entry before the index */
	q->avail[1] = ++q->avail_idx;
}

void virtq_kick(struct virtq *q)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the index before reading used flags */
	if (!(q->used[0] & USED_NO_NOTIFY))
		*q->notify = q->index;
}

bool virtq_has_used(const struct virtq *q)
{
	return q->used[1] != q->used_seen;
}

bool virtq_pop(struct virtq *q, uint16_t *head, uint32_t *len)
{
	while (q->used[1] != q->used_seen) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the entry after the index */
		volatile uint32_t *ring = (volatile uint32_t *)(q->used + 2);
		uint32_t at = 2u * (q->used_seen % q->size), id = ring[at];
		*len = ring[at + 1];
		q->used_seen++;
		if (id < q->size) {
			*head = (uint16_t)id;
			return true;
		}
		/* A device bug: an id we never gave; skipped. */
	}
	return false;
}
