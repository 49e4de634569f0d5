/* The DMA pool (see dma.h): a page bitmap over a static, page-aligned
 * array, and the machine frame of each page. */
#include <string.h>

#include "include/public/eyrie.h"
#include "mgmt/dma.h"
#include "mgmt/sys.h"

static uint8_t pool[DMA_POOL_PAGES][DMA_PAGE] __attribute__((aligned(DMA_PAGE)));
static uint64_t mfn[DMA_POOL_PAGES];
static uint64_t used[DMA_POOL_PAGES / 64];
static unsigned nr_free;

int dma_init(void)
{
	/* Touching each page first is not needed: the hypervisor populates
	 * our RAM when it looks a frame up. */
	struct eyrie_dma_frames q = { (uintptr_t)pool >> 12, DMA_POOL_PAGES, 0,
				      (uint64_t)(uintptr_t)mfn };
	long rc = hypercall(HYPERVISOR_eyrie_op, EYRIE_OP_dma_frames, (unsigned long)&q, 0);

	if (rc)
		return (int)rc;
	nr_free = DMA_POOL_PAGES;
	return 0;
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
	for (unsigned first = 0; first + n <= DMA_POOL_PAGES; first++) {
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
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)pool;

	return a >= base && len <= sizeof(pool) && a - base <= sizeof(pool) - len;
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
