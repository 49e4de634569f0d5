/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NVMe (NVM Express over PCI, class 01:08:02): the controller reset and
 * enabled with an admin queue pair, Identify Controller and Namespaces,
 * one I/O queue pair shared by its namespaces (a disk each, nvmeXnY);
 * reads and writes with PRPs (a PRP list past two pages), Flush when the
 * controller has a volatile write cache, Dataset Management (deallocate)
 * for discard; completions signalled by MSI-X (or MSI) vector 0, or
 * polled.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/blkdev.h"
#include "mgmt/pci.h"
#include "mgmt/sys.h"

/* Controller registers (BAR 0). */
#define REG_CAP 0x00
#define REG_VS 0x08
#define REG_CC 0x14
#define REG_CSTS 0x1c
#define REG_AQA 0x24
#define REG_ASQ 0x28
#define REG_ACQ 0x30
#define REG_DOORBELLS 0x1000

#define CC_EN 1u
#define CC_IOSQES (6u << 16) /* 64-byte submission entries */
#define CC_IOCQES (4u << 20) /* 16-byte completion entries */
#define CSTS_RDY 1u
#define CSTS_CFS 2u

#define ADM_CREATE_SQ 0x01
#define ADM_CREATE_CQ 0x05
#define ADM_IDENTIFY 0x06
#define ADM_SET_FEATURES 0x09
#define IO_FLUSH 0x00
#define IO_WRITE 0x01
#define IO_READ 0x02
#define IO_DSM 0x09

#define CNS_NS 0
#define CNS_CTRL 1
#define CNS_NS_LIST 2
#define FEAT_NR_QUEUES 0x07
#define ONCS_DSM (1u << 2)
#define DSM_DEALLOCATE (1u << 2)
#define SC_WRITE_TO_RO 0x182 /* type 1 (command specific), code 0x82 */

#define ADMIN_DEPTH 16u
#define IO_DEPTH 32u
#define PRP_LIST_ENTRIES 128u /* per command: 1 KiB of the PRP pages */
#define MAX_NS 8u

struct nvme_sqe {
	uint8_t opc, flags;
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd, mptr, prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
_Static_assert(sizeof(struct nvme_sqe) == 64, "nvme_sqe");

struct nvme_cqe {
	uint32_t dw0, dw1;
	uint16_t sq_head, sq_id, cid, status; /* status bit 0: the phase */
};
_Static_assert(sizeof(struct nvme_cqe) == 16, "nvme_cqe");

struct nvme_dsm_range {
	uint32_t attributes, nr_blocks;
	uint64_t slba;
};

/* A submission queue and its completion queue. */
struct nvme_queue {
	struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	uint16_t qid, depth, sq_tail, cq_head;
	uint16_t phase; /* what a new completion's phase bit is */
};

struct nvme_ctrl;
struct nvme_ns {
	struct nvme_ctrl *c;
	uint32_t nsid;
	unsigned lba_shift;
	struct blkdev *bd;
};

struct nvme_ctrl {
	struct pci_func *f;
	volatile uint8_t *regs;
	unsigned index;
	uint32_t db_stride; /* bytes between doorbells */
	uint64_t timeout_ns;
	struct nvme_queue admin, io;
	struct blk_part *cid_part[IO_DEPTH];
	struct blkdev *cid_dev[IO_DEPTH];
	uint16_t free_cid[IO_DEPTH], nr_free_cids;
	uint64_t *prp;               /* DMA: PRP_LIST_ENTRIES per command id */
	struct nvme_dsm_range *dsm;  /* DMA: one per command id */
	uint8_t *ident;              /* DMA: a page for Identify */
	uint32_t max_pages;          /* per command: MDTS, our PRP list */
	bool vwc;
	uint16_t oncs;
	char model[41], serial[21];
	struct nvme_ns ns[MAX_NS];
	unsigned nr_ns;
};

static unsigned nr_ctrls;

static uint32_t r32(struct nvme_ctrl *c, unsigned off)
{
	return *(volatile uint32_t *)(c->regs + off);
}

static void w32(struct nvme_ctrl *c, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(c->regs + off) = v;
}

/* 64-bit registers as two 32-bit halves, low first. */
static uint64_t r64(struct nvme_ctrl *c, unsigned off)
{
	return r32(c, off) | (uint64_t)r32(c, off + 4) << 32;
}

static void w64(struct nvme_ctrl *c, unsigned off, uint64_t v)
{
	w32(c, off, (uint32_t)v);
	w32(c, off + 4, (uint32_t)(v >> 32));
}

static void ring_sq(struct nvme_ctrl *c, struct nvme_queue *q)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the entry before the doorbell */
	w32(c, REG_DOORBELLS + (2u * q->qid) * c->db_stride, q->sq_tail);
}

static void ring_cq(struct nvme_ctrl *c, struct nvme_queue *q)
{
	w32(c, REG_DOORBELLS + (2u * q->qid + 1) * c->db_stride, q->cq_head);
}

static void submit(struct nvme_ctrl *c, struct nvme_queue *q, const struct nvme_sqe *e)
{
	q->sq[q->sq_tail] = *e;
	q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->depth);
	ring_sq(c, q);
}

/* The next completion of q, if the controller has posted one. */
static bool reap(struct nvme_queue *q, struct nvme_cqe *out)
{
	volatile struct nvme_cqe *e = &q->cq[q->cq_head];

	if ((e->status & 1) != q->phase)
		return false;
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the entry after its phase */
	*out = (struct nvme_cqe){ e->dw0, e->dw1, e->sq_head, e->sq_id, e->cid, e->status };
	if (++q->cq_head == q->depth) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	return true;
}

static bool alloc_queue(struct nvme_queue *q, uint16_t qid, uint16_t depth)
{
	q->sq = dma_alloc(depth * sizeof(struct nvme_sqe));
	q->cq = dma_alloc(depth * sizeof(struct nvme_cqe));
	q->qid = qid;
	q->depth = depth;
	q->sq_tail = q->cq_head = 0;
	q->phase = 1; /* the queue is zeroed: phase 0 = nothing posted yet */
	return q->sq && q->cq;
}

static bool admin_posted(void *ctx)
{
	struct nvme_ctrl *c = ctx;

	return (c->admin.cq[c->admin.cq_head].status & 1) == c->admin.phase;
}

/* One admin command, waited for (polled): 0, the status (type << 8 |
 * code), or -ETIMEDOUT. dw0 gets the command's result. */
static int admin(struct nvme_ctrl *c, struct nvme_sqe *e, uint32_t *dw0)
{
	struct nvme_cqe done;

	e->cid = c->admin.sq_tail;
	submit(c, &c->admin, e);
	if (!blk_spin(admin_posted, c, c->timeout_ns) || !reap(&c->admin, &done))
		return -ETIMEDOUT;
	ring_cq(c, &c->admin);
	if (dw0)
		*dw0 = done.dw0;
	return (done.status >> 1) & 0x7ff;
}

static int identify(struct nvme_ctrl *c, uint32_t cns, uint32_t nsid)
{
	struct nvme_sqe e = { .opc = ADM_IDENTIFY, .nsid = nsid, .prp1 = dma_maddr(c->ident),
			      .cdw10 = cns };

	memset(c->ident, 0, DMA_PAGE);
	return admin(c, &e, NULL);
}

/* An ASCII field of Identify, its padding blanks dropped. */
static void ascii(char *dst, const uint8_t *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = 0;
	while (n && (dst[n - 1] == ' ' || dst[n - 1] == 0))
		dst[--n] = 0;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool ready_is(struct nvme_ctrl *c, bool want)
{
	uint32_t csts = r32(c, REG_CSTS);

	return csts != 0xffffffffu && (csts & CSTS_RDY) == (want ? CSTS_RDY : 0);
}

static bool not_ready(void *ctx) { return ready_is(ctx, false); }

static bool ready_or_fatal(void *ctx)
{
	struct nvme_ctrl *c = ctx;

	return ready_is(c, true) || (r32(c, REG_CSTS) & CSTS_CFS);
}

/* Disable (whatever the firmware left), the admin queues, enable. */
static bool reset_and_enable(struct nvme_ctrl *c)
{
	uint64_t cap = r64(c, REG_CAP);

	c->db_stride = 4u << ((cap >> 32) & 0xf);
	if (c->f->bar[0].size < REG_DOORBELLS + 4 * c->db_stride) {
		printf("mgmt: nvme at %s: BAR 0 too small for its doorbells\n", pci_name(c->f));
		return false; /* (queues 0 and 1: four doorbells) */
	}
	c->timeout_ns = (((cap >> 24) & 0xff) + 1) * 500000000ull; /* CAP.TO: 500 ms units */
	if ((cap >> 48) & 0xf) {
		printf("mgmt: nvme at %s: no 4 KiB pages (CAP.MPSMIN)\n", pci_name(c->f));
		return false;
	}
	if (!((cap >> 37) & 1)) {
		printf("mgmt: nvme at %s: no NVM command set\n", pci_name(c->f));
		return false;
	}
	w32(c, REG_CC, r32(c, REG_CC) & ~CC_EN);
	if (!blk_spin(not_ready, c, c->timeout_ns))
		return false;
	uint16_t qmax = (uint16_t)((cap & 0xffff) + 1);
	if (!alloc_queue(&c->admin, 0, ADMIN_DEPTH) ||
	    !alloc_queue(&c->io, 1, qmax < IO_DEPTH ? qmax : IO_DEPTH))
		return false;
	w32(c, REG_AQA, (ADMIN_DEPTH - 1) << 16 | (ADMIN_DEPTH - 1));
	w64(c, REG_ASQ, dma_maddr(c->admin.sq));
	w64(c, REG_ACQ, dma_maddr((void *)c->admin.cq));
	w32(c, REG_CC, CC_EN | CC_IOSQES | CC_IOCQES); /* NVM set, 4 KiB pages, round robin */
	if (!blk_spin(ready_or_fatal, c, c->timeout_ns) || !ready_is(c, true)) {
		printf("mgmt: nvme at %s: the controller did not become ready (CSTS %#x)\n",
		       pci_name(c->f), r32(c, REG_CSTS));
		return false;
	}
	return true;
}

static bool identify_ctrl(struct nvme_ctrl *c)
{
	int rc = identify(c, CNS_CTRL, 0);

	if (rc) {
		printf("mgmt: nvme at %s: Identify Controller failed (%d)\n", pci_name(c->f), rc);
		return false;
	}
	ascii(c->serial, c->ident + 4, 20);
	ascii(c->model, c->ident + 24, 40);
	unsigned mdts = c->ident[77]; /* a power of two of pages; 0: no limit */
	c->max_pages = mdts && mdts < 8 ? 1u << mdts : PRP_LIST_ENTRIES;
	if (c->max_pages > PRP_LIST_ENTRIES)
		c->max_pages = PRP_LIST_ENTRIES;
	c->oncs = (uint16_t)(c->ident[520] | c->ident[521] << 8);
	c->vwc = c->ident[525] & 1;
	return true;
}

/* The I/O queue pair: its completions on vector 0 when we have one. */
static bool create_io_queues(struct nvme_ctrl *c, bool irq)
{
	struct nvme_queue *q = &c->io;
	uint32_t got;
	struct nvme_sqe nq = { .opc = ADM_SET_FEATURES, .cdw10 = FEAT_NR_QUEUES, .cdw11 = 0 };
	struct nvme_sqe cq = { .opc = ADM_CREATE_CQ, .prp1 = dma_maddr((void *)q->cq),
			       .cdw10 = (uint32_t)(q->depth - 1) << 16 | q->qid,
			       .cdw11 = (irq ? 2u : 0u) | 1u /* IEN, physically contiguous */ };
	struct nvme_sqe sq = { .opc = ADM_CREATE_SQ, .prp1 = dma_maddr(q->sq),
			       .cdw10 = (uint32_t)(q->depth - 1) << 16 | q->qid,
			       .cdw11 = (uint32_t)q->qid << 16 | 1u };
	int rc;

	admin(c, &nq, &got); /* one pair is what every controller has anyway */
	if ((rc = admin(c, &cq, NULL)) || (rc = admin(c, &sq, NULL))) {
		printf("mgmt: nvme at %s: creating the I/O queues failed (%#x)\n", pci_name(c->f), rc);
		return false;
	}
	c->nr_free_cids = 0;
	for (uint16_t i = 0; i < q->depth - 1; i++) /* one entry always stays empty */
		c->free_cid[c->nr_free_cids++] = i;
	return true;
}

static int nvme_start(struct blkdev *d, struct blk_part *p);
static void nvme_poll(struct blkdev *d);
static const struct blk_ops nvme_ops = { nvme_start, nvme_poll };

static void add_disk(struct nvme_ctrl *c, uint32_t nsid, uint64_t blocks, unsigned shift, bool ro)
{
	struct nvme_ns *ns = &c->ns[c->nr_ns];
	struct blkdev *d = blk_add(&nvme_ops, ns, c->io.depth - 1u);

	if (!d)
		return;
	*ns = (struct nvme_ns){ c, nsid, shift, d };
	c->nr_ns++;
	snprintf(d->name, sizeof(d->name), "nvme%un%u", c->index, nsid);
	memcpy(d->model, c->model, sizeof(d->model));
	memcpy(d->serial, c->serial, sizeof(d->serial));
	d->driver = "nvme";
	d->polled = c->f->irq == PCI_IRQ_NONE;
	snprintf(d->where, sizeof(d->where), "%s %s", pci_name(c->f),
		 c->f->irq == PCI_IRQ_MSIX ? "MSI-X" : c->f->irq == PCI_IRQ_MSI ? "MSI" : "polled");
	d->block_size = 1u << shift;
	d->sectors = blocks << (shift - 9);
	d->read_only = ro;
	d->flush = c->vwc;
	d->discard = c->oncs & ONCS_DSM;
	d->max_discard_sectors = 1u << 22; /* 2 GiB a command: NLB is 32 bits of blocks */
	d->lim = (struct blk_limits){ .block_sectors = 1u << (shift - 9),
				      .max_sectors = c->max_pages * (BLK_PAGE / BLK_SECTOR),
				      .max_pieces = c->max_pages, .prp = true };
}

/* Identify Namespace: size, the LBA format in use, write protection. */
static void probe_ns(struct nvme_ctrl *c, uint32_t nsid)
{
	if (identify(c, CNS_NS, nsid))
		return;
	const uint8_t *id = c->ident;
	uint64_t blocks = le64(id);
	const uint8_t *lbaf = id + 128 + 4 * (id[26] & 0xf);
	unsigned ms = lbaf[0] | lbaf[1] << 8, shift = lbaf[2];

	if (!blocks)
		return; /* inactive */
	if (ms || shift < 9 || shift > 12) {
		printf("mgmt: nvme%u namespace %u: %u-byte blocks with %u bytes of metadata: "
		       "not supported\n", c->index, nsid, 1u << shift, ms);
		return;
	}
	add_disk(c, nsid, blocks, shift, id[99] & 1);
}

/* The active namespaces (Identify's list, NVMe 1.1 on), else 1..NN. */
static void probe_namespaces(struct nvme_ctrl *c, uint32_t nn)
{
	uint32_t list[MAX_NS];
	unsigned n = 0;

	if (!identify(c, CNS_NS_LIST, 0)) {
		for (; n < MAX_NS && le32(c->ident + 4 * n); n++)
			list[n] = le32(c->ident + 4 * n);
	} else {
		for (; n < MAX_NS && n < nn; n++)
			list[n] = n + 1;
	}
	for (unsigned i = 0; i < n && c->nr_ns < MAX_NS; i++)
		probe_ns(c, list[i]);
}

static bool bring_up(struct nvme_ctrl *c)
{
	pci_enable(c->f);
	if (!(c->regs = pci_bar_map(c->f, 0))) {
		printf("mgmt: nvme at %s: BAR 0 cannot be mapped\n", pci_name(c->f));
		return false;
	}
	c->ident = dma_alloc(DMA_PAGE);
	c->prp = dma_alloc(IO_DEPTH * PRP_LIST_ENTRIES * sizeof(uint64_t));
	c->dsm = dma_alloc(IO_DEPTH * sizeof(struct nvme_dsm_range));
	if (!c->ident || !c->prp || !c->dsm)
		return false;
	bool irq = pci_irq_enable(c->f) != PCI_IRQ_NONE;
	if (!reset_and_enable(c) || !identify_ctrl(c))
		return false;
	uint32_t nn = le32(c->ident + 516);
	if (!create_io_queues(c, irq))
		return false;
	probe_namespaces(c, nn);
	return true;
}

bool nvme_probe(struct pci_func *f)
{
	if (f->class != 0x01 || f->subclass != 0x08 || f->progif != 0x02 || f->header || f->driver ||
	    !dma_ready())
		return false;
	struct nvme_ctrl *c = calloc(1, sizeof(*c));
	if (!c)
		return false;
	c->f = f;
	c->index = nr_ctrls;
	if (!bring_up(c)) {
		if (c->regs)
			w32(c, REG_CC, 0); /* stop it: nobody listens (its pool pages stay) */
		free(c);
		return false;
	}
	nr_ctrls++;
	f->driver = "nvme";
	if (!c->nr_ns)
		printf("mgmt: nvme%u at %s (%s): no usable namespace\n", c->index, pci_name(f), c->model);
	return true;
}

/* ---- I/O ---- */

static void set_prps(struct nvme_ctrl *c, struct nvme_sqe *e, const struct blk_part *p, uint16_t cid)
{
	e->prp1 = p->piece[0].addr;
	if (p->nr_pieces == 2) {
		e->prp2 = p->piece[1].addr;
	} else if (p->nr_pieces > 2) {
		/* The pieces after the first start pages (blksplit's PRP rule). */
		uint64_t *list = c->prp + (size_t)cid * PRP_LIST_ENTRIES;
		for (uint32_t i = 1; i < p->nr_pieces; i++)
			list[i - 1] = p->piece[i].addr;
		e->prp2 = dma_maddr(list);
	}
}

static int nvme_start(struct blkdev *d, struct blk_part *p)
{
	struct nvme_ns *ns = d->drv;
	struct nvme_ctrl *c = ns->c;
	unsigned to_lba = ns->lba_shift - 9;

	if (!c->nr_free_cids)
		return -EBUSY;
	uint16_t cid = c->free_cid[--c->nr_free_cids];
	struct nvme_sqe e = { .cid = cid, .nsid = ns->nsid };
	uint64_t slba = p->sector >> to_lba;
	uint32_t nlb = p->nr_sectors >> to_lba;

	switch (p->op) {
	case BLK_READ:
	case BLK_WRITE:
		e.opc = p->op == BLK_READ ? IO_READ : IO_WRITE;
		set_prps(c, &e, p, cid);
		e.cdw10 = (uint32_t)slba;
		e.cdw11 = (uint32_t)(slba >> 32);
		e.cdw12 = nlb - 1; /* 0-based */
		break;
	case BLK_FLUSH:
		e.opc = IO_FLUSH;
		break;
	case BLK_DISCARD:
		c->dsm[cid] = (struct nvme_dsm_range){ 0, nlb, slba };
		e.opc = IO_DSM;
		e.prp1 = dma_maddr(&c->dsm[cid]);
		e.cdw10 = 0; /* one range */
		e.cdw11 = DSM_DEALLOCATE;
		break;
	}
	c->cid_part[cid] = p;
	c->cid_dev[cid] = d;
	submit(c, &c->io, &e);
	return 0;
}

static int status_errno(uint16_t sf)
{
	uint16_t sc = (sf >> 1) & 0x7ff;

	return !sc ? 0 : sc == SC_WRITE_TO_RO ? -EROFS : -EIO;
}

/* The controller's completions, for whichever namespace they are. */
static void nvme_poll(struct blkdev *d)
{
	struct nvme_ctrl *c = ((struct nvme_ns *)d->drv)->c;
	struct nvme_cqe e;
	bool any = false;

	if (c->f->irq != PCI_IRQ_NONE && sys_fired(c->f->port))
		d->irqs++;
	while (reap(&c->io, &e)) {
		any = true;
		if (e.cid >= IO_DEPTH || !c->cid_part[e.cid])
			continue; /* not ours: nothing to end */
		struct blk_part *p = c->cid_part[e.cid];
		struct blkdev *owner = c->cid_dev[e.cid];
		c->cid_part[e.cid] = NULL;
		c->free_cid[c->nr_free_cids++] = e.cid;
		blk_part_done(owner, p, status_errno(e.status));
	}
	if (any)
		ring_cq(c, &c->io);
}
