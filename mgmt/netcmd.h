/* SPDX-License-Identifier: GPL-2.0-only */
/* The management console's network interface commands (mgmt/netcmd.c). */
#ifndef EYRIE_MGMT_NETCMD_H
#define EYRIE_MGMT_NETCMD_H

void cmd_nics(int argc, char **argv);
void cmd_nic_dhcp(int argc, char **argv);
void cmd_nic_arp(int argc, char **argv);
void cmd_nic_promisc(int argc, char **argv);

#endif
