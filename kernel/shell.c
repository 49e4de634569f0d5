/* SPDX-License-Identifier: GPL-2.0-only */
/* The debug shell's loop and command table (see shell.h). */
#include "kernel/shell.h"
#include "kernel/errno.h"
#include "kernel/lineedit.h"
#include "kernel/log.h"
#include "kernel/string.h"
#include "drivers/uart.h"

extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];

/* Splits line in place at blanks into at most max words; returns argc. */
static int shell_split(char *line, char **argv, int max)
{
	int argc = 0;

	for (char *p = line; *p;) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return argc;
}

int shell_exec(char *line)
{
	char *argv[SHELL_MAX_ARGS];
	int argc = shell_split(line, argv, SHELL_MAX_ARGS);

	if (argc < 0) {
		printk("error: too many arguments (max %d)\n", SHELL_MAX_ARGS - 1);
		return argc;
	}
	if (!argc)
		return 0;
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		if (!strcmp(c->name, argv[0]))
			return c->run(argc, argv);
	printk("error: unknown command '%.32s' (try 'help')\n", argv[0]);
	return -ENOENT;
}

static int cmd_help(int argc, char **argv)
{
	printk("commands:\n");
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++) {
		char left[32];
		snprintf(left, sizeof(left), "%s %s", c->name, c->usage);
		printk("  %-18s %s\n", left, c->help);
	}
	return 0;
}
SHELL_COMMAND(help, "", "list the commands", cmd_help);

static struct lineedit le;

void shell_start(void)
{
	le_init(&le);
	printk("%s", SHELL_PROMPT);
}

static void shell_feed(unsigned char c)
{
	static char echo[LINE_ECHO_MAX];
	size_t n;
	enum le_result r = le_feed(&le, c, echo, &n);

	if (n)
		printk("%.*s", (int)n, echo);
	switch (r) {
	case LE_NONE:
		return;
	case LE_LINE:
		shell_exec(le.line);
		break;
	case LE_TOO_LONG:
		printk("error: line too long (max %d characters), ignored\n", LINE_MAX);
		break;
	case LE_BINARY:
		printk("error: non-printable bytes in the line, ignored\n");
		break;
	case LE_CANCEL:
		break;
	}
	printk("%s", SHELL_PROMPT);
}

static bool (*redirect)(int c);
static bool switched;
static unsigned ctrl_a;

void shell_set_redirect(bool (*take)(int c))
{
	redirect = take;
}

/* Three Ctrl-A in a row: the other side gets the input. */
static void switch_input(void)
{
	if (!switched && !(redirect && redirect(-1))) {
		printk("\n(no management domain to switch to)\n%s", SHELL_PROMPT);
		return;
	}
	switched = !switched;
	if (switched)
		printk("\n(input to domain 0; Ctrl-A three times for the hypervisor shell)\n");
	else
		printk("\n(input to the hypervisor shell)\n%s", SHELL_PROMPT);
}

void shell_poll(void)
{
	int c;

	while ((c = uart_getc()) >= 0) {
		if (c == 0x01) {
			if (++ctrl_a == 3) {
				ctrl_a = 0;
				switch_input();
			}
			continue;
		}
		for (; ctrl_a; ctrl_a--) /* fewer than three: they were input */
			switched ? (void)redirect(0x01) : shell_feed(0x01);
		if (switched && !redirect(c))
			switched = false; /* the management domain went away */
		if (!switched)
			shell_feed((unsigned char)c);
	}
}
