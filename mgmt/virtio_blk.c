/*
 * virtio-blk over modern virtio-pci (virtio 1.x): the common, notify and
 * device configuration structures found through the vendor capabilities,
 * VIRTIO_F_VERSION_1 negotiated, one split virtqueue (queue 0), its
 * completions signalled by MSI-X vector 0 (or polled). A request is a
 * descriptor chain: header (type, sector), data, status byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/blkdev.h"
#include "mgmt/pci.h"
#include "mgmt/sys.h"

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_ID_BLK_TRANSITIONAL 0x1001 /* subsystem id 2 */
#define VIRTIO_ID_BLK 0x1042               /* 0x1040 + device type 2 */

/* struct virtio_pci_cap: cfg_type at +3, bar at +4, offset at +8,
 * length at +12; the notify capability adds its multiplier at +16. */
#define VPCI_COMMON 1
#define VPCI_NOTIFY 2
#define VPCI_ISR 3
#define VPCI_DEVICE 4

/* struct virtio_pci_common_cfg */
#define COMMON_DFSELECT 0x00
#define COMMON_DF 0x04
#define COMMON_GFSELECT 0x08
#define COMMON_GF 0x0c
#define COMMON_MSIX 0x10
#define COMMON_NUMQ 0x12
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
#define NO_VECTOR 0xffff

#define F_SIZE_MAX (1ull << 1)
#define F_SEG_MAX (1ull << 2)
#define F_RO (1ull << 5)
#define F_BLK_SIZE (1ull << 6)
#define F_FLUSH (1ull << 9)
#define F_CONFIG_WCE (1ull << 11)
#define F_DISCARD (1ull << 13)
#define F_VERSION_1 (1ull << 32)
#define F_WANTED (F_SIZE_MAX | F_SEG_MAX | F_RO | F_BLK_SIZE | F_FLUSH | F_CONFIG_WCE | \
		  F_DISCARD | F_VERSION_1)

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

#define DESC_NEXT 1
#define DESC_WRITE 2 /* the device writes this buffer */
#define AVAIL_NO_INTERRUPT 1
#define USED_NO_NOTIFY 1

#define QSIZE_MAX 256u
#define NR_PARTS 32u

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

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
	struct pci_func *f;
	volatile uint8_t *common, *cfg;
	volatile uint16_t *notify;
	uint64_t features;
	uint32_t size_max;         /* bytes per descriptor, 0: no limit */
	uint32_t notify_mult;      /* queue_notify_off's unit */
	bool msix;                 /* queue 0 signals MSI-X vector 0 */
	uint16_t qsize, free_head, nr_free, avail_idx, used_seen;
	struct vq_desc *desc;      /* DMA: qsize descriptors */
	volatile uint16_t *avail;  /* DMA: flags, idx, ring[qsize] */
	volatile uint16_t *used;   /* DMA: flags, idx, then {u32 id, len}[qsize] */
	struct vblk_hdr *hdr;      /* DMA: one per head descriptor */
	struct vblk_discard *dsc;  /* DMA: one per head descriptor */
	volatile uint8_t *status;  /* DMA: one per head descriptor */
	struct blk_part *slot[QSIZE_MAX]; /* the command of each head */
};

static unsigned nr_vblk;

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
	struct vblk *v = ctx;

	return r8(v->common, COMMON_STATUS) == 0;
}

static void set_status(struct vblk *v, uint8_t bits)
{
	w8(v->common, COMMON_STATUS, r8(v->common, COMMON_STATUS) | bits);
}

static uint64_t device_features(struct vblk *v)
{
	w32(v->common, COMMON_DFSELECT, 0);
	uint64_t lo = r32(v->common, COMMON_DF);
	w32(v->common, COMMON_DFSELECT, 1);
	return lo | (uint64_t)r32(v->common, COMMON_DF) << 32;
}

static bool negotiate(struct vblk *v)
{
	uint64_t offered = device_features(v);

	if (!(offered & F_VERSION_1))
		return false; /* a legacy-only device */
	v->features = offered & F_WANTED;
	w32(v->common, COMMON_GFSELECT, 0);
	w32(v->common, COMMON_GF, (uint32_t)v->features);
	w32(v->common, COMMON_GFSELECT, 1);
	w32(v->common, COMMON_GF, (uint32_t)(v->features >> 32));
	set_status(v, STATUS_FEATURES_OK);
	return r8(v->common, COMMON_STATUS) & STATUS_FEATURES_OK;
}

static void free_queue(struct vblk *v)
{
	dma_free(v->desc, DMA_PAGE);
	dma_free((void *)v->avail, DMA_PAGE);
	dma_free((void *)v->used, DMA_PAGE);
	dma_free(v->hdr, DMA_PAGE);
	dma_free(v->dsc, DMA_PAGE);
	dma_free((void *)v->status, DMA_PAGE);
}

/* Queue 0: its rings in the DMA pool (each part in pages of its own),
 * given to the device by machine address; vector 0 if we have MSI-X. */
static bool setup_queue(struct vblk *v, bool msix)
{
	w16(v->common, COMMON_Q_SELECT, 0);
	uint16_t max = r16(v->common, COMMON_Q_SIZE);
	if (max < 4)
		return false; /* none, or too small for a request with data */
	v->qsize = max < QSIZE_MAX ? max : QSIZE_MAX; /* powers of two */
	v->desc = dma_alloc(DMA_PAGE);
	v->avail = dma_alloc(DMA_PAGE);
	v->used = dma_alloc(DMA_PAGE); /* 4 + 8 * 256 + 2 bytes */
	v->hdr = dma_alloc(DMA_PAGE);
	v->dsc = dma_alloc(DMA_PAGE);
	v->status = dma_alloc(DMA_PAGE);
	if (!v->desc || !v->avail || !v->used || !v->hdr || !v->dsc || !v->status) {
		free_queue(v);
		return false;
	}
	for (uint16_t i = 0; i < v->qsize; i++)
		v->desc[i].next = (uint16_t)(i + 1);
	v->nr_free = v->qsize;
	v->free_head = 0;
	w16(v->common, COMMON_Q_SIZE, v->qsize);
	w64(v->common, COMMON_Q_DESC, dma_maddr(v->desc));
	w64(v->common, COMMON_Q_DRIVER, dma_maddr((void *)v->avail));
	w64(v->common, COMMON_Q_DEVICE, dma_maddr((void *)v->used));
	if (msix) {
		w16(v->common, COMMON_Q_MSIX, 0);
		msix = r16(v->common, COMMON_Q_MSIX) == 0; /* the device may refuse */
	}
	v->msix = msix;
	if (!msix) /* polled: no interrupts wanted */
		v->avail[0] = AVAIL_NO_INTERRUPT;
	uint16_t noff = r16(v->common, COMMON_Q_NOFF);
	v->notify = (volatile uint16_t *)((volatile uint8_t *)v->notify + noff * (uintptr_t)v->notify_mult);
	w16(v->common, COMMON_Q_ENABLE, 1);
	return true;
}

/* Descriptors: a free list through `next`. */
static uint16_t take_desc(struct vblk *v)
{
	uint16_t i = v->free_head;

	v->free_head = v->desc[i].next;
	v->nr_free--;
	return i;
}

static void put_chain(struct vblk *v, uint16_t head)
{
	uint16_t i = head;

	for (;;) {
		uint16_t flags = v->desc[i].flags, next = v->desc[i].next;
		v->desc[i].next = v->free_head;
		v->free_head = i;
		v->nr_free++;
		if (!(flags & DESC_NEXT))
			break;
		i = next;
	}
}

/* Appends a descriptor after *prev (or as the head). */
static uint16_t chain(struct vblk *v, int *prev, uint64_t addr, uint32_t len, uint16_t flags)
{
	uint16_t i = take_desc(v);

	v->desc[i] = (struct vq_desc){ addr, len, flags, 0 };
	if (*prev >= 0) {
		v->desc[*prev].flags |= DESC_NEXT;
		v->desc[*prev].next = i;
	}
	*prev = i;
	return i;
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
			chain(v, prev, start, (uint32_t)len, flags);
		start = pc->addr;
		len = pc->len;
	}
	if (len)
		chain(v, prev, start, (uint32_t)len, flags);
}

/* Makes head visible to the device and tells it (unless it said it
 * does not need to be told). */
static void publish(struct vblk *v, uint16_t head)
{
	v->avail[2 + v->avail_idx % v->qsize] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the ring entry before the index */
	v->avail[1] = ++v->avail_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the index before reading used flags */
	if (!(v->used[0] & USED_NO_NOTIFY))
		*v->notify = 0; /* queue 0 */
}

/* A request's chain: header, the data of p, or one buffer (GET_ID's
 * answer; a discard range: the one beside the header), status. The
 * header, range and status live at the head descriptor's index. */
static uint16_t build(struct vblk *v, uint32_t type, uint64_t sector, const struct blk_part *p,
		      uint64_t buf, uint32_t buflen, uint16_t bufflags)
{
	int prev = -1;
	uint16_t head = v->free_head;

	v->hdr[head] = (struct vblk_hdr){ type, 0, sector };
	v->status[head] = 0xff;
	chain(v, &prev, dma_maddr(&v->hdr[head]), sizeof(struct vblk_hdr), 0);
	if (p && p->op == BLK_DISCARD) {
		v->dsc[head] = (struct vblk_discard){ p->sector, p->nr_sectors, 0 };
		chain(v, &prev, dma_maddr(&v->dsc[head]), sizeof(struct vblk_discard), 0);
	} else if (p) {
		add_data(v, &prev, p, type == T_IN ? DESC_WRITE : 0);
	}
	if (buflen)
		chain(v, &prev, buf, buflen, bufflags);
	chain(v, &prev, dma_maddr((void *)&v->status[head]), 1, DESC_WRITE);
	return head;
}

static int vblk_start(struct blkdev *d, struct blk_part *p)
{
	struct vblk *v = d->drv;
	unsigned need = 2 + (p->op == BLK_DISCARD) + count_descs(v, p);
	uint16_t head;

	if (need > v->nr_free)
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
	if (v->used[1] == v->used_seen)
		return false;
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the entry after the index */
	volatile uint32_t *ring = (volatile uint32_t *)(v->used + 2);
	*head = (uint16_t)ring[2 * (v->used_seen % v->qsize)];
	v->used_seen++;
	*status = v->status[*head];
	put_chain(v, *head);
	return true;
}

static void vblk_poll(struct blkdev *d)
{
	struct vblk *v = d->drv;
	uint16_t head;
	uint8_t st;

	if (v->f->irq != PCI_IRQ_NONE && sys_fired(v->f->port))
		d->irqs++;
	while (take_used(v, &head, &st)) {
		struct blk_part *p = head < v->qsize ? v->slot[head] : NULL;
		v->slot[head] = NULL;
		if (p)
			blk_part_done(d, p, st == S_OK ? 0 : st == S_UNSUPP ? -EOPNOTSUPP : -EIO);
	}
}

static const struct blk_ops vblk_ops = { vblk_start, vblk_poll };

static bool used_moved(void *ctx)
{
	struct vblk *v = ctx;

	return v->used[1] != v->used_seen;
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
	publish(v, build(v, T_GET_ID, 0, NULL, dma_maddr(buf), 20, DESC_WRITE));
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
	uint8_t gen;

	do {
		gen = r8(v->common, COMMON_CFGGEN);
		d->sectors = r32(v->cfg, CFG_CAPACITY) | (uint64_t)r32(v->cfg, CFG_CAPACITY + 4) << 32;
		uint32_t bs = v->features & F_BLK_SIZE ? r32(v->cfg, CFG_BLK_SIZE) : BLK_SECTOR;
		d->block_size = bs >= BLK_SECTOR && bs <= BLK_PAGE && !(bs & (bs - 1)) ? bs : BLK_SECTOR;
		uint32_t seg_max = v->features & F_SEG_MAX ? r32(v->cfg, CFG_SEG_MAX) : 0;
		v->size_max = v->features & F_SIZE_MAX ? r32(v->cfg, CFG_SIZE_MAX) : 0;
		d->lim.max_pieces = v->qsize - 3u; /* header, status; a spare */
		if (seg_max && seg_max < d->lim.max_pieces)
			d->lim.max_pieces = seg_max;
		d->read_only = v->features & F_RO;
		/* Without CONFIG_WCE, FLUSH offered means a writeback cache. */
		d->flush = v->features & F_FLUSH &&
			   (!(v->features & F_CONFIG_WCE) || r8(v->cfg, CFG_WRITEBACK));
		d->discard = v->features & F_DISCARD;
		d->max_discard_sectors = d->discard ? r32(v->cfg, CFG_MAX_DISCARD_SECTORS) : 0;
	} while (gen != r8(v->common, COMMON_CFGGEN));
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
static bool bring_up(struct vblk *v)
{
	uint32_t mult = 0;

	v->common = find_struct(v->f, VPCI_COMMON, NULL);
	v->notify = (volatile uint16_t *)find_struct(v->f, VPCI_NOTIFY, &mult);
	v->cfg = find_struct(v->f, VPCI_DEVICE, NULL);
	if (!v->common || !v->notify || !v->cfg) {
		printf("mgmt: virtio-blk at %s: no modern (virtio 1.x) interface\n", pci_name(v->f));
		return false;
	}
	pci_enable(v->f);
	w8(v->common, COMMON_STATUS, 0);
	if (!blk_spin(status_is_zero, v, 1000000000ull))
		return false;
	set_status(v, STATUS_ACK | STATUS_DRIVER);
	if (!negotiate(v)) {
		printf("mgmt: virtio-blk at %s: features refused (no VERSION_1?)\n", pci_name(v->f));
		set_status(v, STATUS_FAILED);
		return false;
	}
	bool msix = pci_irq_enable(v->f) == PCI_IRQ_MSIX;
	if (msix)
		w16(v->common, COMMON_MSIX, NO_VECTOR); /* config changes: not wanted */
	v->notify_mult = mult;
	if (!setup_queue(v, msix)) {
		set_status(v, STATUS_FAILED);
		return false;
	}
	set_status(v, STATUS_DRIVER_OK);
	return true;
}

bool virtio_blk_probe(struct pci_func *f)
{
	if (!is_virtio_blk(f) || f->driver || !dma_ready())
		return false;
	struct vblk *v = calloc(1, sizeof(*v));
	if (!v)
		return false;
	v->f = f;
	if (!bring_up(v)) {
		free(v);
		return false;
	}
	struct blkdev *d = blk_add(&vblk_ops, v, NR_PARTS);
	if (!d) {
		w8(v->common, COMMON_STATUS, 0); /* stop it: nobody listens */
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
	d->polled = !v->msix;
	snprintf(d->where, sizeof(d->where), "%s %s", pci_name(f), d->polled ? "polled" : "MSI-X");
	return true;
}
