/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPU lists as xl.cfg's `cpus` writes them (and the hypervisor's domain=
 * option `cpus=`): "all", or CPU numbers and ranges separated by commas
 * or semicolons (domain= options are comma-separated, so there ';'), e.g.
 * "0-3", "2", "0,2-3", "0;2-3". Shared by the hypervisor and the
 * management domain.
 */
#ifndef EYRIE_VMM_LOAD_CPULIST_H
#define EYRIE_VMM_LOAD_CPULIST_H

#include <stdint.h>

#define CPULIST_MAX 64 /* CPUs 0-63: one bit each */

/* The set s names as a mask (bit n: CPU n; "all": every bit); -1 when s
 * is empty, malformed, names a CPU >= CPULIST_MAX or a range backwards. */
int cpulist_parse(const char *s, uint64_t *mask);

#endif
