/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The block backend of the management domain (mgmt/blkback.c): Xen's
 * blkback protocol for the guests built here, so that an unmodified
 * xen-blkfront sees its disks. Each disk (a "vbd") is an xl disk spec
 * attached to a PVH domain: its backend and frontend directories in the
 * store (Xen's layout and permissions), the XenBus handshake, the shared
 * ring (mgmt/blkring.c) mapped here, its event channel, and the data moved
 * with GNTTABOP_copy between the guest's granted pages and what backs the
 * disk (mgmt/blkstore.h: today an image among mgmt's boot modules).
 * docs/block.md describes it all.
 */
#ifndef EYRIE_MGMT_BLKBACK_H
#define EYRIE_MGMT_BLKBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Disks at most, over all domains. */
#define BLKBACK_MAX_VBDS 32

/* Attaches the disk of an xl disk spec to domain domid (a PVH domain
 * built here, connected to the store): the store nodes, the backend in
 * InitWait. At build time and for block-attach (the running guest's
 * xenbus sees the new device). 0, or negative with err set to the reason. */
int blkback_attach(uint32_t domid, const char *spec, char *err, size_t errlen);

/* block-detach: the backend goes Closing, the frontend is waited for
 * (Closed), then everything goes; after 5 s without it, by force. A disk
 * never connected goes at once. 0, or -ENOENT (no such vdev). */
int blkback_detach(uint32_t domid, const char *vdev);

/* The domain is gone (or going): its disks' mappings, ports and nodes. */
void blkback_release(uint32_t domid);

/* The main loop's part: frontends' state changes, rings that were
 * notified or have work left, completions, detach timeouts. Returns true
 * if work remains that must not wait for an event. */
bool blkback_poll(void);

/* block-list: the disks of domid (UINT32_MAX: all), printed. */
void blkback_list(uint32_t domid);

#endif
