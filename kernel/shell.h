/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The serial debug shell. Commands live in one table built by the linker:
 * any file adds one with SHELL_COMMAND, and `help` lists them all.
 */
#ifndef EYRIE_KERNEL_SHELL_H
#define EYRIE_KERNEL_SHELL_H

#include <stdbool.h>

#define SHELL_MAX_ARGS 16
#define SHELL_PROMPT "eyrie> "

struct shell_cmd {
	const char *name;
	const char *usage; /* arguments, e.g. "LEVEL" */
	const char *help;
	/* Returns 0, or a negative errno after printing an "error:" line. */
	int (*run)(int argc, char **argv);
};

#define SHELL_COMMAND(n, usage_, help_, fn) SHELL_COMMAND_AS(n, #n, usage_, help_, fn)
/* A command whose name is no C identifier (e.g. "vcpu-pin"). */
#define SHELL_COMMAND_AS(id, name, usage_, help_, fn)                             \
	static const struct shell_cmd shell_cmd_##id                              \
		__attribute__((used, section(".shell_cmds." #id), aligned(8))) = { \
			name, usage_, help_, fn }

/* Runs one command line; returns the command's result or -ENOENT. */
int shell_exec(char *line);
/* Prints the first prompt. */
void shell_start(void);
/* Consumes the input waiting on the serial line (without blocking),
 * running each completed command line. Ctrl-A pressed three times in a
 * row switches the input between the shell and the management domain's
 * console (the redirect below), as on Xen. */
void shell_poll(void);
/* Where input goes while switched away from the shell: take(c) for each
 * byte, take(-1) to ask; false when there is no management domain to take
 * it (then nothing switches). */
void shell_set_redirect(bool (*take)(int c));

#endif
