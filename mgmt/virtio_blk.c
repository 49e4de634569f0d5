/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-blk over modern virtio-pci (virtio 1.x; the transport and the
 * rings: mgmt/virtio_pci.c): VIRTIO_F_VERSION_1 negotiated, one split
 * virtqueue (queue 0), its completions signalled by MSI-X vector 0 (or
 * polled). A request is a descriptor chain: header (type, sector), data,
 * status byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/blkdev.h"
#include "mgmt/pci.h"
#include "mgmt/sys.h"
#include "mgmt/virtio_pci.h"

#define VIRTIO_ID_BLK_TRANSITIONAL 0x1001 /* subsystem id 2 */
#define VIRTIO_ID_BLK 0x1042               /* 0x1040 + device type 2 */

#define F_SIZE_MAX (1ull << 1)
#define F_SEG_MAX (1ull << 2)
#define F_RO (1ull << 5)
#define F_BLK_SIZE (1ull << 6)
#define F_FLUSH (1ull << 9)
#define F_CONFIG_WCE (1ull << 11)
#define F_DISCARD (1ull << 13)
#define F_WANTED (F_SIZE_MAX | F_SEG_MAX | F_RO | F_BLK_SIZE | F_FLUSH | F_CONFIG_WCE | \
		  F_DISCARD)

/* struct virtio_blk_config */
#define CFG_CAPACITY 0
#define CFG_SIZE_MAX 8
#define CFG_SEG_MAX 12
#define CFG_BLK_SIZE 20
#define CFG_WRITEBACK 32
#define CFG_MAX_DISCARD_SECTORS 36

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define T_DISCARD 11
#define S_OK 0
#define S_UNSUPP 2

#define QSIZE_MAX 256u
#define NR_PARTS 32u

struct vblk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

struct vblk_discard {
	uint64_t sector;
	uint32_t nr_sectors, flags;
};

struct vblk {
	struct blkdev *bd;
	struct vpci vp;
	struct virtq q;            /* queue 0 */
	uint32_t size_max;         /* bytes per descriptor, 0: no limit */
	struct vblk_hdr *hdr;      /* DMA: one per head descriptor */
	struct vblk_discard *dsc;  /* DMA: one per head descriptor */
	volatile uint8_t *status;  /* DMA: one per head descriptor */
	struct blk_part *slot[QSIZE_MAX]; /* the command of each head */
};

static unsigned nr_vblk;

static void free_queue(struct vblk *v)
{
	virtq_free(&v->q);
	dma_free(v->hdr, DMA_PAGE);
	dma_free(v->dsc, DMA_PAGE);
	dma_free((void *)v->status, DMA_PAGE);
}

/* Queue 0 (a request needs at least 4 descriptors: header, data,
 * status), vector 0 if we have MSI-X; the per-head header, discard range
 * and status in pages of the pool. */
static bool setup_queue(struct vblk *v)
{
	if (!virtq_setup(&v->vp, &v->q, 0, QSIZE_MAX, 4, true))
		return false;
	v->hdr = dma_alloc(DMA_PAGE);
	v->dsc = dma_alloc(DMA_PAGE);
	v->status = dma_alloc(DMA_PAGE);
	if (!v->hdr || !v->dsc || !v->status) {
		free_queue(v);
		return false;
	}
	return true;
}

/* Machine-contiguous pieces merge into one descriptor (up to size_max). */
static unsigned count_descs(const struct vblk *v, const struct blk_part *p)
{
	unsigned n = 0;
	uint64_t end = 0, len = 0;

	for (uint32_t i = 0; i < p->nr_pieces; i++) {
		const struct blk_piece *pc = &p->piece[i];
		if (n && pc->addr == end && (!v->size_max || len + pc->len <= v->size_max)) {
			len += pc->len;
		} else {
			n++;
			len = pc->len;
		}
		end = pc->addr + pc->len;
	}
	return n;
}

static void add_data(struct vblk *v, int *prev, const struct blk_part *p, uint16_t flags)
{
	uint64_t start = 0, len = 0;

	for (uint32_t i = 0; i < p->nr_pieces; i++) {
		const struct blk_piece *pc = &p->piece[i];
		if (len && pc->addr == start + len && (!v->size_max || len + pc->len <= v->size_max)) {
			len += pc->len;
			continue;
		}
		if (len)
			virtq_chain(&v->q, prev, start, (uint32_t)len, flags);
		start = pc->addr;
		len = pc->len;
	}
	if (len)
		virtq_chain(&v->q, prev, start, (uint32_t)len, flags);
}

static void publish(struct vblk *v, uint16_t head)
{
	virtq_push(&v->q, head);
	virtq_kick(&v->q);
}

/* A request's chain: header, the data of p, or one buffer (GET_ID's
 * answer; a discard range: the one beside the header), status. The
 * header, range and status live at the head descriptor's index. */
static uint16_t build(struct vblk *v, uint32_t type, uint64_t sector, const struct blk_part *p,
		      uint64_t buf, uint32_t buflen, uint16_t bufflags)
{
	int prev = -1;
	uint16_t head = v->q.free_head;

	v->hdr[head] = (struct vblk_hdr){ type, 0, sector };
	v->status[head] = 0xff;
	virtq_chain(&v->q, &prev, dma_maddr(&v->hdr[head]), sizeof(struct vblk_hdr), 0);
	if (p && p->op == BLK_DISCARD) {
		v->dsc[head] = (struct vblk_discard){ p->sector, p->nr_sectors, 0 };
		virtq_chain(&v->q, &prev, dma_maddr(&v->dsc[head]), sizeof(struct vblk_discard), 0);
	} else if (p) {
		add_data(v, &prev, p, type == T_IN ? VIRTQ_DESC_WRITE : 0);
	}
	if (buflen)
		virtq_chain(&v->q, &prev, buf, buflen, bufflags);
	virtq_chain(&v->q, &prev, dma_maddr((void *)&v->status[head]), 1, VIRTQ_DESC_WRITE);
	return head;
}

static int vblk_start(struct blkdev *d, struct blk_part *p)
{
	struct vblk *v = d->drv;
	unsigned need = 2 + (p->op == BLK_DISCARD) + count_descs(v, p);
	uint16_t head;

	if (need > v->q.nr_free)
		return -EBUSY;
	switch (p->op) {
	case BLK_READ:
	case BLK_WRITE:
		head = build(v, p->op == BLK_READ ? T_IN : T_OUT, p->sector, p, 0, 0, 0);
		break;
	case BLK_FLUSH:
		head = build(v, T_FLUSH, 0, NULL, 0, 0, 0);
		break;
	case BLK_DISCARD:
		head = build(v, T_DISCARD, 0, p, 0, 0, 0);
		break;
	default:
		return -EINVAL;
	}
	v->slot[head] = p;
	publish(v, head);
	return 0;
}

/* Takes one used entry: its head, and frees its chain. */
static bool take_used(struct vblk *v, uint16_t *head, uint8_t *status)
{
	uint32_t len;

	if (!virtq_pop(&v->q, head, &len))
		return false;
	*status = v->status[*head];
	virtq_put_chain(&v->q, *head);
	return true;
}

static void vblk_poll(struct blkdev *d)
{
	struct vblk *v = d->drv;
	uint16_t head;
	uint8_t st;

	if (v->vp.f->irq != PCI_IRQ_NONE && sys_fired(v->vp.f->port))
		d->irqs++;
	while (take_used(v, &head, &st)) {
		struct blk_part *p = v->slot[head];
		v->slot[head] = NULL;
		if (p)
			blk_part_done(d, p, st == S_OK ? 0 : st == S_UNSUPP ? -EOPNOTSUPP : -EIO);
	}
}

static const struct blk_ops vblk_ops = { vblk_start, vblk_poll };

static bool used_moved(void *ctx)
{
	struct vblk *v = ctx;

	return virtq_has_used(&v->q);
}

/* VIRTIO_BLK_T_GET_ID at probe time (polled): the serial, up to 20
 * bytes, not NUL-terminated when it fills them. */
static void get_id(struct vblk *v, char serial[21])
{
	char *buf = dma_alloc(DMA_PAGE);
	uint16_t head;
	uint8_t st;

	serial[0] = 0;
	if (!buf)
		return;
	publish(v, build(v, T_GET_ID, 0, NULL, dma_maddr(buf), 20, VIRTQ_DESC_WRITE));
	if (!blk_spin(used_moved, v, 1000000000ull))
		return; /* buf stays the device's: it may still write it */
	if (take_used(v, &head, &st) && st == S_OK) {
		memcpy(serial, buf, 20);
		serial[20] = 0;
	}
	dma_free(buf, DMA_PAGE);
}

/* The device configuration, read again while its generation moves. */
static void read_config(struct vblk *v, struct blkdev *d)
{
	const struct vpci *vp = &v->vp;
	uint64_t feat = vp->features;
	uint8_t gen;

	do {
		gen = vpci_cfg_gen(vp);
		d->sectors = vpci_cfg32(vp, CFG_CAPACITY) |
			     (uint64_t)vpci_cfg32(vp, CFG_CAPACITY + 4) << 32;
		uint32_t bs = feat & F_BLK_SIZE ? vpci_cfg32(vp, CFG_BLK_SIZE) : BLK_SECTOR;
		d->block_size = bs >= BLK_SECTOR && bs <= BLK_PAGE && !(bs & (bs - 1)) ? bs : BLK_SECTOR;
		uint32_t seg_max = feat & F_SEG_MAX ? vpci_cfg32(vp, CFG_SEG_MAX) : 0;
		v->size_max = feat & F_SIZE_MAX ? vpci_cfg32(vp, CFG_SIZE_MAX) : 0;
		d->lim.max_pieces = v->q.size - 3u; /* header, status; a spare */
		if (seg_max && seg_max < d->lim.max_pieces)
			d->lim.max_pieces = seg_max;
		d->read_only = feat & F_RO;
		/* Without CONFIG_WCE, FLUSH offered means a writeback cache. */
		d->flush = feat & F_FLUSH && (!(feat & F_CONFIG_WCE) || vpci_cfg8(vp, CFG_WRITEBACK));
		d->discard = feat & F_DISCARD;
		d->max_discard_sectors = d->discard ? vpci_cfg32(vp, CFG_MAX_DISCARD_SECTORS) : 0;
	} while (gen != vpci_cfg_gen(vp));
	if (d->lim.max_pieces > BLK_PART_PIECES)
		d->lim.max_pieces = BLK_PART_PIECES;
	d->lim.block_sectors = d->block_size / BLK_SECTOR;
	d->lim.max_sectors = BLK_PART_PIECES * (BLK_PAGE / BLK_SECTOR); /* 512 KiB */
	d->lim.prp = false;
}

static bool is_virtio_blk(const struct pci_func *f)
{
	return f->vendor == VIRTIO_VENDOR && f->header == 0 &&
	       (f->device == VIRTIO_ID_BLK || (f->device == VIRTIO_ID_BLK_TRANSITIONAL && f->subsys == 2));
}

/* Reset, acknowledge, negotiate, queue 0, DRIVER_OK (virtio 1.x 3.1.1);
 * FAILED on the way out of a failure. */
static bool bring_up(struct vblk *v, struct pci_func *f)
{
	if (!vpci_open(&v->vp, f, "virtio-blk") || !vpci_negotiate(&v->vp, F_WANTED, 0))
		return false;
	vpci_irq(&v->vp);
	if (!setup_queue(v)) {
		vpci_fail(&v->vp);
		return false;
	}
	vpci_ready(&v->vp);
	return true;
}

bool virtio_blk_probe(struct pci_func *f)
{
	if (!is_virtio_blk(f) || f->driver || !dma_ready())
		return false;
	struct vblk *v = calloc(1, sizeof(*v));
	if (!v)
		return false;
	if (!bring_up(v, f)) {
		free(v);
		return false;
	}
	struct blkdev *d = blk_add(&vblk_ops, v, NR_PARTS);
	if (!d) {
		vpci_reset(&v->vp); /* stop it: nobody listens */
		free_queue(v);
		free(v);
		return false;
	}
	v->bd = d;
	f->driver = "virtio-blk";
	read_config(v, d);
	get_id(v, d->serial);
	snprintf(d->name, sizeof(d->name), "vd%c", 'a' + (char)(nr_vblk++ % 26));
	snprintf(d->model, sizeof(d->model), "virtio-blk");
	d->driver = "virtio-blk";
	d->polled = !v->q.interrupts;
	snprintf(d->where, sizeof(d->where), "%s %s", pci_name(f), d->polled ? "polled" : "MSI-X");
	return true;
}
