/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store served by the management domain (mgmt/xs.c): mgmt/store.c's
 * tree, one ring per guest built here (mgmt/xsring.c), and the toolstack's
 * part of Xen's layout: /local/domain/N/{name,domid,memory/target,
 * control/shutdown,device,data}, /vm/N. See docs/store.md.
 */
#ifndef EYRIE_MGMT_XS_H
#define EYRIE_MGMT_XS_H

#include <stdbool.h>
#include <stdint.h>

#include "mgmt/store.h"

struct guest;

/* The store, with domain 0's own nodes. */
void xs_init(void);
struct store *xs_store(void);
/* Gives domain dom (being built, ram bytes of RAM, g its guest) its store
 * ring at the page below its console page: its event channel and the HVM
 * params (which grant us the page), the page mapped here, its connection
 * and its nodes. 0 or negative (printed). */
int xs_introduce(struct guest *g, uint32_t dom, uint64_t ram);
/* The domain is gone: its connection, its nodes, the ring. */
void xs_release(struct guest *g);
/* Serves every ring until nothing moves (one domain's request may queue
 * watch events for others). Returns whether a ring has more waiting. */
bool xs_poll(void);

#endif
