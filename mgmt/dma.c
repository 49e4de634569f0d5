/* SPDX-License-Identifier: GPL-2.0-only */
/* The DMA pool (see dma.h): a page bitmap over RAM nothing else uses,
 * and the machine frame of each page. */
#include <stdio.h>
#include <string.h>

#include "include/public/eyrie.h"
#include "include/public/hvm_start_info.h"
#include "mgmt/dma.h"
#include "mgmt/memgap.h"
#include "mgmt/sys.h"

#define MIB (1ull << 20)
#define MAX_RAM 32
#define MAX_USED 160

extern char _end[]; /* the end of our image (mgmt.ld) */

static const struct hvm_start_info *start_info;
static uint8_t (*pool)[DMA_PAGE];
static unsigned pool_pages;
static uint64_t mfn[DMA_POOL_PAGES];
static uint64_t used[DMA_POOL_PAGES / 64];
static unsigned nr_free;
static bool tried;

void dma_setup(const struct hvm_start_info *si)
{
	start_info = si;
}

static void add(struct mrange *r, unsigned *n, uint64_t start, uint64_t len)
{
	if (*n < MAX_USED && len)
		r[(*n)++] = (struct mrange){ start, start + len };
}

static void add_string(struct mrange *r, unsigned *n, uint64_t p)
{
	if (p)
		add(r, n, p, strlen((const char *)(uintptr_t)p) + 1);
}

/* What is in use in our RAM: everything up to the end of our image, and
 * all the start info block and the boot modules hold (the loader put the
 * block right after the image and the modules at the top). */
static unsigned used_ranges(const struct hvm_start_info *si, struct mrange *r)
{
	const struct hvm_modlist_entry *m = (const void *)(uintptr_t)si->modlist_paddr;
	unsigned n = 0;

	add(r, &n, 0, (uintptr_t)_end);
	add(r, &n, (uintptr_t)si, sizeof(*si));
	add_string(r, &n, si->cmdline_paddr);
	if (si->version >= 1)
		add(r, &n, si->memmap_paddr, si->memmap_entries * sizeof(struct hvm_memmap_table_entry));
	if (si->modlist_paddr)
		add(r, &n, si->modlist_paddr, si->nr_modules * sizeof(*m));
	for (uint32_t i = 0; si->modlist_paddr && i < si->nr_modules; i++) {
		add(r, &n, m[i].paddr, m[i].size ? m[i].size : 1);
		add_string(r, &n, m[i].cmdline_paddr);
	}
	return n;
}

static unsigned ram_ranges(const struct hvm_start_info *si, struct mrange *r)
{
	const struct hvm_memmap_table_entry *e = (const void *)(uintptr_t)si->memmap_paddr;
	unsigned n = 0;

	for (uint32_t i = 0; si->version >= 1 && e && i < si->memmap_entries && n < MAX_RAM; i++)
		if (e[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
			r[n++] = (struct mrange){ e[i].addr, e[i].addr + e[i].size };
	return n;
}

/* The pool: the largest free run of our RAM between 1 MiB and 4 GiB (what
 * entry.S maps), up to DMA_POOL_PAGES. */
static bool place_pool(void)
{
	static struct mrange ram[MAX_RAM], busy[MAX_USED];
	struct mrange gap;

	if (!start_info)
		return false;
	unsigned nram = ram_ranges(start_info, ram), nbusy = used_ranges(start_info, busy);
	if (!memgap_largest(ram, nram, busy, nbusy, MIB, 4096 * MIB, &gap))
		return false;
	uint64_t pages = (gap.end - gap.start) / DMA_PAGE;
	pool = (uint8_t (*)[DMA_PAGE])(uintptr_t)gap.start;
	pool_pages = pages < DMA_POOL_PAGES ? (unsigned)pages : DMA_POOL_PAGES;
	return pool_pages >= DMA_POOL_MIN_PAGES;
}

bool dma_ready(void)
{
	if (tried)
		return pool_pages != 0;
	tried = true;
	if (!place_pool()) {
		printf("mgmt: disks: no room for a DMA pool (%u KiB free): raise domain 0's memory\n",
		       pool_pages * 4);
		pool_pages = 0;
		return false;
	}
	/* The hypervisor populates the pages as it looks them up. */
	struct eyrie_dma_frames q = { (uintptr_t)pool >> 12, pool_pages, 0,
				      (uint64_t)(uintptr_t)mfn };
	long rc = hypercall(HYPERVISOR_eyrie_op, EYRIE_OP_dma_frames, (unsigned long)&q, 0);
	if (rc) {
		printf("mgmt: disks: the DMA pool's frames were refused (%ld)\n", rc);
		pool_pages = 0;
		return false;
	}
	nr_free = pool_pages;
	printf("mgmt: disks: DMA pool of %u KiB at %#llx\n", pool_pages * 4,
	       (unsigned long long)(uintptr_t)pool);
	return true;
}

static bool page_used(unsigned i)
{
	return used[i / 64] >> (i % 64) & 1;
}

static void mark(unsigned first, unsigned n, bool on)
{
	for (unsigned i = first; i < first + n; i++)
		if (on)
			used[i / 64] |= 1ull << (i % 64);
		else
			used[i / 64] &= ~(1ull << (i % 64));
}

void *dma_alloc(size_t bytes)
{
	unsigned n = (unsigned)((bytes + DMA_PAGE - 1) / DMA_PAGE);

	if (!n || n > nr_free)
		return NULL;
	/* First fit among runs of free pages whose machine frames follow
	 * each other too (they do within a 2 MiB region of our RAM). */
	for (unsigned first = 0; first + n <= pool_pages; first++) {
		unsigned k = 0;
		while (k < n && !page_used(first + k) && mfn[first + k] == mfn[first] + k)
			k++;
		if (k == n) {
			mark(first, n, true);
			nr_free -= n;
			memset(pool[first], 0, (size_t)n * DMA_PAGE);
			return pool[first];
		}
		/* Next try: past a used page, or from where the frames jump. */
		if (k)
			first += page_used(first + k) ? k : k - 1;
	}
	return NULL;
}

void dma_free(void *p, size_t bytes)
{
	unsigned n = (unsigned)((bytes + DMA_PAGE - 1) / DMA_PAGE);

	if (!p || !n || !dma_contains(p, bytes))
		return;
	unsigned first = (unsigned)(((uint8_t *)p - pool[0]) / DMA_PAGE);
	mark(first, n, false);
	nr_free += n;
}

bool dma_contains(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)pool, size = (uintptr_t)pool_pages * DMA_PAGE;

	return pool_pages && a >= base && len <= size && a - base <= size - len;
}

uint64_t dma_maddr(const void *p)
{
	if (!dma_contains(p, 1))
		return 0;
	uintptr_t off = (uintptr_t)p - (uintptr_t)pool;
	return mfn[off / DMA_PAGE] << 12 | (off % DMA_PAGE);
}

unsigned dma_free_pages(void)
{
	return nr_free;
}
