/* SPDX-License-Identifier: GPL-2.0-only */
/* The management console's disk commands (mgmt/diskcmd.c). */
#ifndef EYRIE_MGMT_DISKCMD_H
#define EYRIE_MGMT_DISKCMD_H

void cmd_disks(int argc, char **argv);
void cmd_disk_read(int argc, char **argv);
void cmd_disk_write(int argc, char **argv);
void cmd_disk_discard(int argc, char **argv);
void cmd_disk_bench(int argc, char **argv);
void cmd_pci(int argc, char **argv);

#endif
