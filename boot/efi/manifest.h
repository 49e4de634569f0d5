/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The UEFI loader's manifest, eyrie.cfg (pure parser: no firmware, no libc).
 *
 *   # comment                       ('#' as the first non-blank character)
 *   hypervisor PATH [command line]  exactly once
 *   module PATH [name]              0..BOOT_MAX_MODULES times, in order
 *
 * Tokens are separated by spaces or tabs. The command line is the rest of
 * the line with outer blanks removed. A module name is one word; without
 * one, a module is named after its file (the part of PATH after the last
 * '/' or '\'), as GRUB's module strings are by the multiboot path. Lines
 * end in LF or CRLF; only printable ASCII and tabs are allowed; a leading
 * UTF-8 byte order mark is skipped.
 */
#ifndef EYRIE_BOOT_EFI_MANIFEST_H
#define EYRIE_BOOT_EFI_MANIFEST_H

#include <stddef.h>
#include "boot/boot_info.h"

#define MANIFEST_PATH_LEN 256  /* bytes including the NUL */
/* bytes per line, without the line end: a path and a full command line */
#define MANIFEST_LINE_MAX (MANIFEST_PATH_LEN + BOOT_CMDLINE_LEN + 16)

struct manifest_module {
	char path[MANIFEST_PATH_LEN];
	char name[BOOT_NAME_LEN];
};

struct manifest {
	char hv_path[MANIFEST_PATH_LEN];
	char cmdline[BOOT_CMDLINE_LEN];
	unsigned nr_modules;
	struct manifest_module modules[BOOT_MAX_MODULES];
};

enum manifest_reason {
	MANIFEST_OK = 0,
	MANIFEST_ERR_LINE_TOO_LONG,
	MANIFEST_ERR_BAD_CHAR,
	MANIFEST_ERR_UNKNOWN,       /* not "hypervisor", "module" or a comment */
	MANIFEST_ERR_NO_PATH,
	MANIFEST_ERR_PATH_TOO_LONG,
	MANIFEST_ERR_CMDLINE_TOO_LONG,
	MANIFEST_ERR_NAME_TOO_LONG,
	MANIFEST_ERR_NAME_WORDS,    /* text after the module name */
	MANIFEST_ERR_DUP_HYPERVISOR,
	MANIFEST_ERR_TOO_MANY_MODULES,
	MANIFEST_ERR_NO_HYPERVISOR, /* reported with line 0: the whole file */
};

struct manifest_error {
	enum manifest_reason reason;
	unsigned line; /* 1-based; 0 when the error concerns the whole file */
};

/*
 * Parses text[0..len) into *m. Returns 0, or -EINVAL with *err saying which
 * line is wrong and why; *m is then incomplete and must not be used.
 */
int manifest_parse(const char *text, size_t len, struct manifest *m, struct manifest_error *err);

/* A short English phrase for a reason ("unknown directive"). */
const char *manifest_reason_str(enum manifest_reason reason);

#endif
