/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypervisor options: "key=value" words from the boot command line, then
 * the lines of every boot module whose name ends in ".conf" ('#' starts a
 * comment), later ones overriding earlier ones. Parsing is pure.
 */
#ifndef EYRIE_KERNEL_OPTIONS_H
#define EYRIE_KERNEL_OPTIONS_H

#include <stddef.h>

#define OPT_KEY_MAX 32
#define OPT_VAL_MAX 256

/* Reads the next option from [*p, end): skips blanks, newlines and
 * comments; a word may hold blanks inside double quotes (dropped from
 * the value); returns 1 with key/value (value "" when there is no '='),
 * 0 at the end, or -EINVAL for an over-long or malformed word (which is
 * skipped, so the caller can go on). */
int opt_next(const char **p, const char *end, char *key, char *val);

#endif
