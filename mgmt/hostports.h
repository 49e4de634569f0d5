/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bridge ports of the management domain itself (mgmt/hostports.c),
 * beside the guests' vifs (mgmt/netback.c):
 *  - an uplink: one of the machine's NICs (mgmt/netdev.h) as a port of a
 *    bridge, promiscuous, so that the guests on the bridge reach the
 *    machine's network (xenbr0 with eth0 enslaved, in Xen's Debian set-up).
 *    Frames for it are finished by the bridge (checksums filled in, GSO
 *    frames cut: the NIC takes no offloads);
 *  - an address: domain 0's own IPv4 address on a bridge (mgmt/ipstack.h:
 *    ARP, ping, the TCP discard sink of the network bench), with a MAC
 *    of its own under 00:16:3e in the half guests' derived MACs never use.
 * docs/network.md describes them and their commands.
 */
#ifndef EYRIE_MGMT_HOSTPORTS_H
#define EYRIE_MGMT_HOSTPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At start: eth0 (if there is a NIC) becomes the uplink of xenbr0. */
void hostports_init(void);

/* Makes NIC ifname (e.g. "eth0") the uplink of bridge (made if need be);
 * "none" as ifname removes the bridge's uplink. A NIC is the uplink of
 * one bridge at most. 0, or negative with err set to the reason. */
int hostports_uplink(const char *bridge, const char *ifname, char *err, size_t errlen);

/* Gives domain 0 the IPv4 address addr ("10.0.0.1") on bridge; "none"
 * removes it. 0, or negative with err set to the reason. */
int hostports_address(const char *bridge, const char *addr, char *err, size_t errlen);

/* The main loop's part: replies of the addresses into their bridges, the
 * uplinks' link states. Whether work remains that must not wait. */
bool hostports_poll(void);

/* bridge-uplink / bridge-ip without arguments: what there is, printed
 * (for an address: its counters and the last TCP transfer taken). */
void hostports_list(void);

#endif
