/*
 * The DMA pool of the management domain (mgmt/dma.c): the only memory its
 * devices are given. There is no IOMMU: our guest-physical addresses are
 * not machine addresses, so every address a device sees is translated,
 * and the pool is translated once at start (EYRIE_OP_dma_frames) into a
 * table of machine frames. Its pages stay ours (never ballooned out,
 * never grant-mapped over), so the frames never move.
 *
 * Allocations are whole 4 KiB pages, page-aligned, zeroed and machine-
 * contiguous (the allocator looks at the frames: our RAM is made of
 * 2 MiB-aligned machine-contiguous pieces, so an allocation within one
 * 2 MiB region always is), so a device queue or a buffer may be given to
 * a device as one address.
 */
#ifndef EYRIE_MGMT_DMA_H
#define EYRIE_MGMT_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DMA_PAGE 4096u
#define DMA_POOL_PAGES 512u /* 2 MiB */

/* Translates the pool. 0, or the hypervisor's error. */
int dma_init(void);
/* bytes rounded up to whole pages: zeroed, page-aligned, machine-
 * contiguous; NULL when no run of free pages within one 2 MiB region is
 * long enough (keep single allocations to a few hundred KiB). */
void *dma_alloc(size_t bytes);
/* Gives back what dma_alloc(bytes) returned. */
void dma_free(void *p, size_t bytes);
/* Whether [p, p+len) lies in the pool. */
bool dma_contains(const void *p, size_t len);
/* The machine address of a byte of the pool (0 outside it). */
uint64_t dma_maddr(const void *p);
/* Free pages left. */
unsigned dma_free_pages(void);

#endif
