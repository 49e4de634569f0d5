/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The modern virtio-pci transport (virtio 1.x, section 4.1) and split
 * virtqueues (section 2.6), shared by mgmt/virtio_blk.c and
 * mgmt/virtio_net.c (mgmt/virtio_pci.c). Legacy (0.9.5) devices are not
 * driven: VIRTIO_F_VERSION_1 is required.
 *
 * Bring-up, in the spec's order (3.1.1): vpci_open (the capabilities
 * found, the BARs mapped, reset, ACKNOWLEDGE | DRIVER), vpci_negotiate
 * (FEATURES_OK checked), vpci_irq (MSI-X vector 0 or MSI or nothing),
 * virtq_setup for each queue, vpci_ready (DRIVER_OK). vpci_fail sets
 * FAILED on the way out of a failure.
 *
 * Virtqueues live in the DMA pool (one allocation: descriptors, driver
 * ring, device ring, each aligned as 2.6 asks) and are given to the
 * device by machine address. Descriptors not in use form a free list
 * through their `next` field; a driver that manages its descriptors
 * itself (a receive queue whose descriptor i is always buffer i) may
 * ignore that list. Everything runs in mgmt's single thread.
 */
#ifndef EYRIE_MGMT_VIRTIO_PCI_H
#define EYRIE_MGMT_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "mgmt/pci.h"

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_F_VERSION_1 (1ull << 32)

#define VIRTQ_DESC_NEXT 1
#define VIRTQ_DESC_WRITE 2 /* the device writes this buffer */
#define VIRTQ_NO_VECTOR 0xffff

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vpci {
	struct pci_func *f;
	const char *what;              /* "virtio-blk": for messages */
	volatile uint8_t *common;      /* struct virtio_pci_common_cfg */
	volatile uint8_t *device;      /* the device-specific configuration */
	volatile uint8_t *notify_base;
	uint32_t notify_mult;          /* queue_notify_off's unit */
	uint64_t features;             /* negotiated */
	bool msix;                     /* queues may signal MSI-X vector 0 */
};

struct virtq {
	uint16_t index, size;
	uint16_t free_head, nr_free;   /* the free list */
	uint16_t avail_idx, used_seen; /* ours: next avail index, used entries taken */
	struct virtq_desc *desc;
	volatile uint16_t *avail;      /* flags, idx, ring[size] */
	volatile uint16_t *used;       /* flags, idx, then {u32 id, u32 len}[size] */
	volatile uint16_t *notify;
	unsigned pages;                /* of the DMA pool */
	bool interrupts;               /* the device signals its completions */
};

/* Finds the common, notify and device structures (vendor capabilities),
 * maps their BARs, turns on the function (pci_enable), resets the device
 * and sets ACKNOWLEDGE | DRIVER. false (said why) when it is not a modern
 * device or does not come out of reset. */
bool vpci_open(struct vpci *v, struct pci_func *f, const char *what);
/* Offers wanted & what the device offers; false (FAILED set, said why)
 * when something of required is missing or FEATURES_OK does not stick.
 * VIRTIO_F_VERSION_1 is always required. */
bool vpci_negotiate(struct vpci *v, uint64_t wanted, uint64_t required);
/* Interrupts: MSI-X vector 0 for the queues that want it, or none (the
 * queues are polled: virtio's other way, INTx with the ISR register, is
 * not used). Configuration changes get no vector. Whether queues can
 * signal (v->msix). */
bool vpci_irq(struct vpci *v);
/* Queue `index` with min(size, the device's maximum) entries (size a
 * power of two; at least `min` or false), its rings in the pool, signals
 * on vector 0 when interrupts is set and the device has one, else
 * VIRTQ_AVAIL_F_NO_INTERRUPT; enabled. */
bool virtq_setup(struct vpci *v, struct virtq *q, uint16_t index, uint16_t size, uint16_t min,
		 bool interrupts);
void virtq_free(struct virtq *q);
void vpci_ready(struct vpci *v);
void vpci_fail(struct vpci *v);
/* Resets the device (stops all DMA); for drivers giving up on it. */
void vpci_reset(struct vpci *v);

/* Device configuration (the spec's access widths); vpci_cfg_gen is the
 * configuration generation: read the fields again while it moves. */
uint8_t vpci_cfg8(const struct vpci *v, unsigned off);
uint16_t vpci_cfg16(const struct vpci *v, unsigned off);
uint32_t vpci_cfg32(const struct vpci *v, unsigned off);
uint8_t vpci_cfg_gen(const struct vpci *v);

/* Appends a descriptor from the free list after *prev (-1: as the head);
 * its index. The caller checks nr_free first. */
uint16_t virtq_chain(struct virtq *q, int *prev, uint64_t addr, uint32_t len, uint16_t flags);
/* Gives the chain headed by head back to the free list. */
void virtq_put_chain(struct virtq *q, uint16_t head);
/* Makes head visible to the device (no notification). */
void virtq_push(struct virtq *q, uint16_t head);
/* Notifies the device, unless it said it does not need to be. */
void virtq_kick(struct virtq *q);
/* Takes the next used entry: its head (checked < size) and the bytes the
 * device wrote; false when none. Does not free the chain. */
bool virtq_pop(struct virtq *q, uint16_t *head, uint32_t *len);
/* Whether the device has used entries we have not taken. */
bool virtq_has_used(const struct virtq *q);

#endif
