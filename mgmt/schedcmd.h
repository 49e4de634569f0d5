/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management console's scheduler commands (mgmt/schedcmd.c), as xl's:
 * vcpu-list [DOM], vcpu-pin DOM VCPU CPULIST|all, sched-credit [DOM
 * [weight=N] [cap=N]]. find names a live domain (its id, or -1 after
 * saying why).
 */
#ifndef EYRIE_MGMT_SCHEDCMD_H
#define EYRIE_MGMT_SCHEDCMD_H

void cmd_sched(int argc, char **argv, long (*find)(const char *arg));

#endif
