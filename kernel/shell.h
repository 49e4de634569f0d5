/*
 * The serial debug shell. Commands live in one table built by the linker:
 * any file adds one with SHELL_COMMAND, and `help` lists them all.
 */
#ifndef EYRIE_KERNEL_SHELL_H
#define EYRIE_KERNEL_SHELL_H

#define SHELL_MAX_ARGS 16
#define SHELL_PROMPT "eyrie> "

struct shell_cmd {
	const char *name;
	const char *usage; /* arguments, e.g. "LEVEL" */
	const char *help;
	/* Returns 0, or a negative errno after printing an "error:" line. */
	int (*run)(int argc, char **argv);
};

#define SHELL_COMMAND(n, usage_, help_, fn)                                       \
	static const struct shell_cmd shell_cmd_##n                               \
		__attribute__((used, section(".shell_cmds." #n), aligned(8))) = { \
			#n, usage_, help_, fn }

/* Splits line in place at blanks into at most max words; returns argc. */
int shell_split(char *line, char **argv, int max);
/* Runs one command line; returns the command's result or -ENOENT. */
int shell_exec(char *line);
/* Prints the first prompt. */
void shell_start(void);
/* Consumes the input waiting on the serial line (without blocking),
 * running each completed command line. */
void shell_poll(void);

#endif
