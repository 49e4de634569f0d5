/* SPDX-License-Identifier: MIT */
/*
 * XenBus device states (Xen's public io/xenbus.h), our own definitions with
 * Xen's numbers. Each end of a split device (a frontend in a guest, its
 * backend in the management domain) writes its state, in decimal, to the
 * "state" node of its own directory in the store and watches the other's.
 * docs/block.md shows the order a block device goes through them.
 */
#ifndef EYRIE_PUBLIC_IO_XENBUS_H
#define EYRIE_PUBLIC_IO_XENBUS_H

enum xenbus_state {
	XenbusStateUnknown = 0,      /* no state node (or an unreadable one) */
	XenbusStateInitialising = 1, /* being set up */
	XenbusStateInitWait = 2,     /* set up early, waiting for the peer's details */
	XenbusStateInitialised = 3,  /* its details published, waiting to connect */
	XenbusStateConnected = 4,
	XenbusStateClosing = 5,      /* going away (an error, an unplug, a shutdown) */
	XenbusStateClosed = 6,
	XenbusStateReconfiguring = 7,
	XenbusStateReconfigured = 8,
};

#endif
