/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DMA pool of the management domain (mgmt/dma.c): the only memory its
 * devices are given. There is no IOMMU: our guest-physical addresses are
 * not machine addresses, so every address a device sees is translated,
 * and the pool is translated once (EYRIE_OP_dma_frames) into a table of
 * machine frames. Its pages stay ours (never ballooned out, never
 * grant-mapped over), so the frames never move.
 *
 * Where: the largest run of our RAM that the image, the start info block
 * and the boot modules leave free (up to 2 MiB), found when the first
 * disk driver asks for it: a domain 0 without disks gives up nothing,
 * and the image does not grow.
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
#define DMA_POOL_PAGES 512u     /* 2 MiB at most */
#define DMA_POOL_MIN_PAGES 64u  /* 256 KiB at least, or no disks */

struct hvm_start_info;
/* Where the pool may go: what the start info says is used (at start). */
void dma_setup(const struct hvm_start_info *si);
/* Places and translates the pool the first time (says why not, once);
 * whether there is one. Drivers call it before they touch a device. */
bool dma_ready(void);
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
